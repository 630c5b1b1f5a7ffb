"""How sure a number is: 95% intervals for means (bootstrap over respondents) and shares (Wilson).

Pure functions over numpy arrays and pandas frames; no store, no Streamlit. Every interval here can be checked
by hand on a few values (see tests/test_uncertainty.py).

**Means** (dimension and indicator positions, paired differences): the percentile bootstrap over respondents.
One respondent is one unit (their marks on a dimension's indicators are averaged first), a resample draws n
respondents with replacement, and the interval holds the middle 95% of the resampled means. The random draws
come from one fixed seed and are the *same* for every group: a group's interval is a function of its own values
only (sorted first), so it does not move when another network or period enters the filter, or when rows come in
another order. Groups above :data:`RESAMPLE_MAX_N` respondents use the normal limit of that same bootstrap
distribution (mean ± z·sd/√n, sd with divisor n as the bootstrap uses): for a mean of bounded marks at that size
the two agree to well within the bootstrap's own Monte Carlo error (``make bench`` reports the largest
difference against a plain per-group bootstrap), and it keeps 10,000 respondents fast.

**Shares** (the funnel, tie shares): the Wilson score interval for k of n, which, unlike p ± 1.96·se, stays
inside 0..1 and does not collapse to a point at 0 or n.

**Ratios of sums** (tie shares per respondent's named ties: reciprocity, weak ties, ties to outside people):
the same bootstrap over respondents (ego networks), resampling each respondent with all the ties they named.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

#: Resamples per bootstrap: the interval's ends move by about 0.005 on the 0..1 scale between seeds.
N_BOOT = 2000
SEED = 2026
LEVEL = 0.95
#: Above this many respondents a group's interval is the normal limit of its bootstrap (see module doc).
RESAMPLE_MAX_N = 400
#: Work per block of resamples (units x resamples), to keep memory flat for many small groups.
_BLOCK = 4_000_000


def z_value(level: float = LEVEL) -> float:
    """The two-sided standard-normal quantile: 1.959964 for 95%."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


@functools.lru_cache(maxsize=8)
def _uniforms(n_boot: int, width: int, seed: int, stream: int) -> np.ndarray:
    """The seeded uniforms every group shares: row b, column j draws the j-th respondent of resample b.

    Drawn column by column, so the first columns are the same whatever the widest group is."""
    rng = np.random.default_rng([seed, stream])
    out = np.ascontiguousarray(rng.random((width, n_boot)).T)
    out.setflags(write=False)
    return out


def _group_index(df: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows sorted by group and value; returns the frame and the group number of each row."""
    if not keys:
        d = df.assign(_g=0)
    else:
        d = df.assign(_g=df.groupby(keys, sort=True, dropna=False).ngroup())
    return d, d["_g"].to_numpy()


def _size_batches(flat: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n_boot: int, seed: int, stream: int):
    """Per distinct group size n: (the groups of that size, their resampled sums of shape (n_boot, groups,
    columns)). See :func:`resampled_sums` for the method."""
    u = _uniforms(n_boot, int(sizes.max()), seed, stream)
    for n in np.unique(sizes[sizes > 0]):
        groups = np.flatnonzero(sizes == n)
        block = np.take(flat, starts[groups][:, None] + np.arange(n)[None, :], axis=0)  # (groups, n, cols)
        sums = np.empty((n_boot, len(groups), flat.shape[1]))
        step = max(1, _BLOCK // int(n))
        for b0 in range(0, n_boot, step):  # blocks of resamples keep the count matrix small
            b1 = min(n_boot, b0 + step)
            drawn = np.minimum((u[b0:b1, :n] * n).astype(np.int64), n - 1)
            drawn += (np.arange(b1 - b0) * n)[:, None]
            counts = np.bincount(drawn.ravel(), minlength=(b1 - b0) * n).reshape(b1 - b0, n).astype(float)
            sums[b0:b1] = np.einsum("bn,gnk->bgk", counts, block, optimize=True)
        yield groups, sums


def resampled_sums(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray, *, n_boot: int = N_BOOT,
                   seed: int = SEED, stream: int = 0) -> np.ndarray:
    """Bootstrap sums per group: shape (n_boot, groups). ``values`` is sorted by group (and within a group by
    value); group g is ``values[starts[g]:starts[g] + sizes[g]]``. ``values`` may be 2-D (units x columns):
    then the result is (n_boot, groups, columns) and each resample keeps a unit's columns together (a
    respondent with all their ties).

    How: resample b of a group of n draws respondent ``floor(u[b, j] * n)`` for j < n. Those draws depend on n
    only, so for all groups of one size they are counted once -- C[b, i] = how often respondent i was drawn
    -- and every group's resampled sums are one matrix product, values @ C.T. The same numbers as drawing
    the indices and summing, without a loop over rows or groups (a loop over the distinct group sizes)."""
    values = np.asarray(values, dtype=float)
    starts, sizes = np.asarray(starts, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
    extra = values.shape[1:]
    flat = values.reshape(len(values), -1)
    out = np.zeros((n_boot, len(sizes), flat.shape[1]))
    if len(sizes) and sizes.sum():
        for groups, sums in _size_batches(flat, starts, sizes, n_boot, seed, stream):
            out[:, groups, :] = sums
    return out.reshape((n_boot, len(sizes), *extra))


def percentile_interval(draws: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """The middle ``level`` of bootstrap draws along axis 0."""
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return lo, hi


def sorted_intervals(x: np.ndarray, first: np.ndarray, sizes: np.ndarray, *, n_boot: int = N_BOOT,
                     seed: int = SEED, stream: int = 0, level: float = LEVEL,
                     resample_max_n: int = RESAMPLE_MAX_N) -> tuple[np.ndarray, ...]:
    """The core of :func:`mean_ci` on arrays: ``x`` sorted by group and, within a group, by value; group g is
    ``x[first[g]:first[g] + sizes[g]]`` (no empty groups). Returns (means, ci_low, ci_high, resampled)."""
    x = np.asarray(x, dtype=float)
    first, sizes = np.asarray(first, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
    means = np.add.reduceat(x, first) / sizes
    sd = np.sqrt(np.maximum(np.add.reduceat(x * x, first) / sizes - means ** 2, 0.0))
    z = z_value(level)
    lo, hi = means - z * sd / np.sqrt(sizes), means + z * sd / np.sqrt(sizes)
    small = sizes <= resample_max_n
    if small.any():
        # Only the small groups are resampled, a batch of equal-sized groups at a time (memory stays flat).
        idx = np.flatnonzero(small)
        for groups, sums in _size_batches(x[:, None], first[idx], sizes[idx], n_boot, seed, stream):
            g = idx[groups]
            lo[g], hi[g] = percentile_interval(sums[..., 0] / sizes[g], level)
    bottom, top = min(0.0, float(x.min())), max(1.0, float(x.max()))
    return means, np.clip(lo, bottom, top), np.clip(hi, bottom, top), small


def mean_ci(df: pd.DataFrame, keys: list[str], value: str = "position", *, n_boot: int = N_BOOT,
            seed: int = SEED, stream: int = 0, level: float = LEVEL,
            resample_max_n: int = RESAMPLE_MAX_N) -> pd.DataFrame:
    """Per group of ``keys``: n, mean, ci_low, ci_high and method ('bootstrap' or 'normal').

    ``df`` holds one row per respondent and group (their value). Missing values are left out.

    >>> mean_ci(pd.DataFrame({"g": ["a"] * 4, "position": [0.0, 1.0, 1.0, 1.0]}), ["g"])[["ci_low", "ci_high"]]
       ci_low  ci_high
    0    0.25      1.0
    """
    d = df[[*keys, value]].dropna(subset=[value])
    cols = [*keys, "n", "mean", "ci_low", "ci_high", "method"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    d, _ = _group_index(d, keys)
    d = d.sort_values(["_g", value], kind="stable")
    g = d["_g"].to_numpy()
    x = d[value].to_numpy(dtype=float)
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[first, len(g)])
    means, lo, hi, small = sorted_intervals(x, first, sizes, n_boot=n_boot, seed=seed, stream=stream, level=level,
                                            resample_max_n=resample_max_n)
    out = d.iloc[first][keys].reset_index(drop=True)
    out["n"] = sizes
    out["mean"] = means
    out["ci_low"], out["ci_high"] = lo, hi
    out["method"] = np.where(small, "bootstrap", "normal")
    return out[cols]


def list_intervals(table, keys: list[str], values: str = "positions", **kw) -> pd.DataFrame:
    """:func:`mean_ci` for a pyarrow table with one row per group and its values as a sorted list (what
    DuckDB's ``list(position ORDER BY position)`` gives): no row per respondent crosses into pandas."""
    lists = table.column(values).combine_chunks()
    x = lists.flatten().to_numpy(zero_copy_only=False).astype(float)
    offsets = lists.offsets.to_numpy()
    first, sizes = offsets[:-1], np.diff(offsets)
    out = table.drop_columns([values]).to_pandas()
    keep = sizes > 0
    out = out[keep].reset_index(drop=True)
    if not keep.any():
        return out.assign(ci_low=[], ci_high=[], method=[])
    means, lo, hi, small = sorted_intervals(x, first[keep], sizes[keep], **kw)
    out["ci_low"], out["ci_high"] = lo, hi
    out["method"] = np.where(small, "bootstrap", "normal")
    return out


def mean_draws(df: pd.DataFrame, keys: list[str], value: str = "position", *, n_boot: int = N_BOOT,
               seed: int = SEED, stream: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The bootstrap means themselves, per group: (groups frame with n and mean, draws of shape
    (n_boot, groups)). For differences of two independent groups, draw them with different ``stream``s."""
    d = df[[*keys, value]].dropna(subset=[value])
    d, _ = _group_index(d, keys)
    d = d.sort_values(["_g", value], kind="stable")
    g = d["_g"].to_numpy()
    x = d[value].to_numpy(dtype=float)
    if len(x) == 0:
        return pd.DataFrame(columns=[*keys, "n", "mean"]), np.zeros((n_boot, 0))
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[first, len(g)])
    draws = resampled_sums(x, first, sizes, n_boot=n_boot, seed=seed, stream=stream) / sizes
    groups = d.iloc[first][keys].reset_index(drop=True)
    groups["n"] = sizes
    groups["mean"] = np.add.reduceat(x, first) / sizes
    return groups, draws


def ratio_ci(df: pd.DataFrame, keys: list[str], num: str, den: str, *, n_boot: int = N_BOOT,
             seed: int = SEED, stream: int = 3, level: float = LEVEL,
             resample_max_n: int = RESAMPLE_MAX_N) -> pd.DataFrame:
    """Per group: sum(num) / sum(den) with a bootstrap interval over the rows (respondents with what they
    named). Columns: keys, n (rows), value, ci_low, ci_high, method. A group whose resample names nothing gives
    no ratio for that resample (it is left out of the quantiles).

    Groups above ``resample_max_n`` rows get the normal limit of that bootstrap (as :func:`mean_ci` does):
    R ± z·se with se = sqrt(sum((num_i - R·den_i)²)) / sum(den_i), the linearised spread of a ratio of sums
    (divisor n, as resampling gives), kept within the rows' own smallest and largest ratio, where every
    resampled ratio lies. At 10,000 respondents a period the resampling took about 3 s of a Ties page."""
    cols = [*keys, "n", "value", "ci_low", "ci_high", "method"]
    d = df[[*keys, num, den]].dropna()
    if d.empty:
        return pd.DataFrame(columns=cols)
    d, _ = _group_index(d, keys)
    d = d.sort_values(["_g", den, num], kind="stable")
    g = d["_g"].to_numpy()
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[first, len(g)])
    vals = d[[num, den]].to_numpy(dtype=float)
    tot = np.add.reduceat(vals, first, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(tot[:, 1] > 0, tot[:, 0] / np.where(tot[:, 1] > 0, tot[:, 1], 1), np.nan)
        own = np.where(vals[:, 1] > 0, vals[:, 0] / np.where(vals[:, 1] > 0, vals[:, 1], 1), np.nan)
        resid = vals[:, 0] - np.repeat(value, sizes) * vals[:, 1]
        se = np.sqrt(np.add.reduceat(resid * resid, first)) / tot[:, 1]
    z = z_value(level)
    lo, hi = value - z * se, value + z * se
    if np.isfinite(own).any():
        bottom = np.fmin.reduceat(np.where(np.isfinite(own), own, np.inf), first)
        top = np.fmax.reduceat(np.where(np.isfinite(own), own, -np.inf), first)
        lo, hi = np.clip(lo, bottom, top), np.clip(hi, bottom, top)
    small = sizes <= resample_max_n
    if small.any():
        idx = np.flatnonzero(small)
        draws = resampled_sums(vals, first[idx], sizes[idx], n_boot=n_boot, seed=seed, stream=stream)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(draws[..., 1] > 0, draws[..., 0] / draws[..., 1], np.nan)
        lo[idx], hi[idx] = np.nanquantile(ratio, [(1 - level) / 2, (1 + level) / 2], axis=0)
    out = d.iloc[first][keys].reset_index(drop=True)
    out["n"] = sizes
    out["value"] = value
    out["ci_low"], out["ci_high"] = lo, hi
    out["method"] = np.where(small, "bootstrap", "normal")
    return out[cols]


def wilson(k, n, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials (vectorised). n = 0 gives NaN.

    >>> lo, hi = wilson(8, 10); round(float(lo), 4), round(float(hi), 4)
    (0.4902, 0.9433)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        lo = np.where(n > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
        hi = np.where(n > 0, np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return lo, hi


def is_wide(n: int | float, ci_low: float, ci_high: float, *, min_n: int = 10, max_width: float = 0.25) -> bool:
    """A number to read with care: few respondents or an interval wider than a quarter of the scale."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return False
    width = ci_high - ci_low if ci_high == ci_high and ci_low == ci_low else 0.0
    return n < min_n or width > max_width
