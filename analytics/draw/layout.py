"""A stable layout for tie maps: force-directed per component, components packed, computed once per network
and reused for every period and filter so people keep their place."""

from __future__ import annotations

import math
from collections.abc import Hashable

import networkx as nx
import numpy as np

# --------------------------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------------------------


def _fr_exact(pos: np.ndarray, ei: np.ndarray, ej: np.ndarray, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold with exact repulsion (k = 1); for small components."""
    n = len(pos)
    t0 = max(np.sqrt(n) / 5, 0.1)
    temps = t0 * (0.01 / t0) ** (np.arange(iterations) / max(1, iterations - 1))
    for T in temps:
        d = pos[:, None, :] - pos[None, :, :]
        d2 = np.maximum((d * d).sum(-1), 1e-4)
        np.fill_diagonal(d2, np.inf)
        disp = (d / d2[..., None]).sum(1)
        e = pos[ei] - pos[ej]
        v = e * np.sqrt((e * e).sum(1))[:, None]
        for c in range(2):
            disp[:, c] -= np.bincount(ei, v[:, c], n) - np.bincount(ej, v[:, c], n)
        ln = np.maximum(np.sqrt((disp * disp).sum(1)), 1e-9)
        pos = pos + disp * (np.minimum(ln, T) / ln)[:, None]
    return pos


def _pm_kernels(g: int) -> tuple[np.ndarray, np.ndarray]:
    ax = np.arange(-g, g, dtype=float)
    X, Y = np.meshgrid(ax, ax, indexing="ij")
    R2 = X * X + Y * Y
    R2[g, g] = np.inf
    return np.fft.rfft2(np.fft.ifftshift(X / R2)), np.fft.rfft2(np.fft.ifftshift(Y / R2))


def _fr_mesh(pos: np.ndarray, ei: np.ndarray, ej: np.ndarray, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold (k = 1) with repulsion from a particle mesh: O(n + g² log g) per step, not O(n²).

    Node mass is spread over a g x g grid (cloud-in-cell), the 1/r repulsion field comes from one FFT
    convolution, and pairs closer than 1.5 cells repel exactly (found with a k-d tree) so nobody overlaps.
    """
    from scipy.spatial import cKDTree

    n = len(pos)
    g = int(min(128, max(32, 2 ** math.ceil(math.log2(math.sqrt(n) * 2)))))
    FKx, FKy = _pm_kernels(g)
    t0 = math.sqrt(n) / 5
    temps = t0 * (0.02 / t0) ** (np.arange(iterations) / max(1, iterations - 1))
    size = (2 * g) ** 2
    for T in temps:
        lo = pos.min(0)
        h = max(float((pos.max(0) - lo).max()), 1e-6) * 1.0001 / (g - 1)
        cell = (pos - lo) / h
        i0 = np.clip(np.floor(cell).astype(np.int64), 0, g - 2)
        f = cell - i0
        weights = (
            (1 - f[:, 0]) * (1 - f[:, 1]),
            f[:, 0] * (1 - f[:, 1]),
            (1 - f[:, 0]) * f[:, 1],
            f[:, 0] * f[:, 1],
        )
        flat = [(i0[:, 0] + dx) * (2 * g) + (i0[:, 1] + dy) for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1))]
        rho = np.zeros(size)
        for fi, wi in zip(flat, weights, strict=True):
            rho += np.bincount(fi, wi, size)
        Fr = np.fft.rfft2(rho.reshape(2 * g, 2 * g))
        Fx = np.fft.irfft2(Fr * FKx, s=(2 * g, 2 * g)).ravel() / h
        Fy = np.fft.irfft2(Fr * FKy, s=(2 * g, 2 * g)).ravel() / h
        disp = np.zeros((n, 2))
        for fi, wi in zip(flat, weights, strict=True):
            disp[:, 0] += Fx[fi] * wi
            disp[:, 1] += Fy[fi] * wi
        pairs = cKDTree(pos).query_pairs(1.5 * h, output_type="ndarray")
        if len(pairs):
            pi, pj = pairs[:, 0], pairs[:, 1]
            d = pos[pi] - pos[pj]
            v = d / np.maximum((d * d).sum(1), 1e-4)[:, None]
            for c in range(2):
                disp[:, c] += np.bincount(pi, v[:, c], n) - np.bincount(pj, v[:, c], n)
        e = pos[ei] - pos[ej]
        v = e * np.sqrt((e * e).sum(1))[:, None]
        for c in range(2):
            disp[:, c] -= np.bincount(ei, v[:, c], n) - np.bincount(ej, v[:, c], n)
        ln = np.maximum(np.sqrt((disp * disp).sum(1)), 1e-9)
        pos = pos + disp * (np.minimum(ln, T) / ln)[:, None]
    return pos


def _component_layout(n: int, ei: np.ndarray, ej: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]])
    pos = rng.random((n, 2)) * math.sqrt(n)
    if n <= 300:
        pos = _fr_exact(pos, ei, ej, 50 if n < 50 else 100)
    else:
        pos = _fr_mesh(pos, ei, ej, 120)
    from scipy.spatial import cKDTree

    nearest = cKDTree(pos).query(pos, k=2)[0][:, 1]
    med = float(np.median(nearest))
    return pos / med if med > 0 else pos


def _pack(boxes: list[tuple[float, float]], margin: float) -> list[tuple[float, float]]:
    """Shelf packing of component boxes (already in order), rows about as wide as the whole is tall."""
    area = sum((w + margin) * (h + margin) for w, h in boxes)
    width = max(max((w for w, _ in boxes), default=0.0), math.sqrt(area) * 1.2)
    out, x, y, row_h = [], 0.0, 0.0, 0.0
    for w, h in boxes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h + margin, 0.0
        out.append((x, y))
        x += w + margin
        row_h = max(row_h, h)
    return out


def layout(
    G_all: nx.Graph, seed: int = 42, *, unit: float = 45.0, box: float | None = None
) -> dict[Hashable, tuple[float, float]]:
    """One stable position per person for a whole network (compute it over ALL periods, then reuse it).

    Deterministic for a given node and tie set, whatever their order: ids are sorted first. Each connected
    component is laid out on its own with Fruchterman-Reingold (exact repulsion up to 300 people, a
    particle-mesh approximation above that, see :func:`_fr_mesh`), scaled so that the median distance to
    the nearest other person is one unit, and the components are packed in rows, largest first; isolated
    people end up in the last rows. Ties are treated as undirected and unweighted here.

    Coordinates are pixels: nearest neighbours ≈ ``unit`` px apart, so the drawing grows with the network
    (and a map can hide labels until one zooms in); pass ``box`` to scale everything into ``[-box, box]``
    instead. 5,000 people / 50,000 ties take about a second.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = sorted(G_all.nodes, key=str)
    n = len(ids)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(ids)}
    pairs = np.array([(index[u], index[v]) for u, v in G_all.edges() if u != v], dtype=np.int64).reshape(
        -1, 2
    )
    pairs = np.sort(pairs, axis=1)
    pairs = np.unique(pairs, axis=0)
    adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    n_comp, labels = connected_components(adj, directed=False)

    members = np.argsort(labels, kind="stable")  # node indices grouped by component, ascending within
    bounds = np.searchsorted(labels[members], np.arange(n_comp + 1))
    edge_comp = labels[pairs[:, 0]]
    edge_order = np.argsort(edge_comp, kind="stable")
    ebounds = np.searchsorted(edge_comp[edge_order], np.arange(n_comp + 1))
    comps = sorted(range(n_comp), key=lambda c: (-(bounds[c + 1] - bounds[c]), members[bounds[c]]))

    placed: list[tuple[np.ndarray, np.ndarray]] = []
    for rank, c in enumerate(comps):
        nodes_c = members[bounds[c] : bounds[c + 1]]
        e = pairs[edge_order[ebounds[c] : ebounds[c + 1]]]
        local_i = np.searchsorted(nodes_c, e[:, 0])
        local_j = np.searchsorted(nodes_c, e[:, 1])
        rng = np.random.default_rng([seed, rank])
        pos = _component_layout(len(nodes_c), local_i, local_j, rng)
        pos = pos - pos.min(0)
        placed.append((nodes_c, pos))

    margin = 2.0
    offsets = _pack([tuple(p.max(0)) for _, p in placed], margin)
    out = np.zeros((n, 2))
    for (nodes_c, pos), (ox, oy) in zip(placed, offsets, strict=True):
        out[nodes_c] = pos + (ox, oy)
    out -= (out.min(0) + out.max(0)) / 2
    extent = float(np.abs(out).max())
    factor = (box / extent if extent > 0 else 1.0) if box is not None else unit
    out = np.round(out * factor, 2)
    return {v: (float(x), float(y)) for v, (x, y) in zip(ids, out.tolist(), strict=True)}
