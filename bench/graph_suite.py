"""igraph (C core) against networkx for the tie measures and a layout, at 5,000 / 50,000 and 10,000 / 100,000.

Each row: networkx (the baseline, measured in the same run), igraph, the ratio. networkx' exact betweenness at
these sizes takes minutes, so it is timed on a sample of sources and scaled to all sources (said in the row).
The last rows per size are what a page pays: ``measure_all`` with the product's sampling rule, and exact.
"""

from __future__ import annotations

import time

from .ties_suite import synthetic
from .timing import table

SIZES = [(5_000, 50_000), (10_000, 100_000)]
NX_BETWEENNESS_SOURCES = 40
#: networkx' spring layout runs a Python loop per person per iteration: timed for 5 iterations, scaled to 50.
NX_LAYOUT_ITERATIONS = 5


def _t(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_graph_engines(scale: float = 1.0) -> str:
    import networkx as nx

    from analytics.decisions import LAYOUT_UNIT, betweenness_sample, usable_cores
    from analytics.draw.layout import layout
    from analytics.measures import network as tm

    rows: list[list[object]] = []
    tm.measure_all(tm.build_graph(*synthetic(200, 1000))[0])  # warm-up: imports, first igraph calls
    for n, m in SIZES:
        n, m = max(60, int(n * scale)), max(300, int(m * scale))
        G, _ = tm.build_graph(*synthetic(n, m))
        U = tm.undirected(G)
        core = tm._Core.of(G)
        gd, gu = core.directed_igraph, core.undirected_igraph
        size = f"{n:,} / {m:,}"
        k = min(NX_BETWEENNESS_SOURCES, n)
        nx_bc = _t(lambda G=G, k=k: nx.betweenness_centrality(G, k=k, seed=1)) * n / k
        ig_bc = _t(lambda gd=gd: gd.betweenness(directed=True))
        rows.append([size, f"betweenness exact (networkx: {k} sources x {n // k})", nx_bc, ig_bc, nx_bc / ig_bc])
        split_bc = _t(lambda G=G: tm.betweenness(G))
        rows.append(["", f"betweenness exact, ours (igraph, split over {usable_cores()} cores when worth it)", nx_bc,
                     split_bc, nx_bc / split_bc])
        nx_cl = _t(lambda U=U: nx.average_clustering(U))
        ig_cl = _t(lambda gu=gu: gu.transitivity_avglocal_undirected(mode="zero"))
        rows.append(["", "clustering (average, exact)", nx_cl, ig_cl, nx_cl / ig_cl])
        part: list = []
        nx_lv = _t(lambda U=U, part=part: part.append(nx.community.louvain_communities(U, weight="weight", seed=42)))
        q_nx = nx.community.modularity(U, part[-1], weight="weight")
        ig_lv = _t(lambda gu=gu, part=part: part.append(gu.community_multilevel(weights="weight")))
        rows.append(["", f"Louvain (modularity nx {q_nx:.3f}, igraph {part[-1].modularity:.3f})", nx_lv, ig_lv,
                     nx_lv / ig_lv])
        ig_ld = _t(lambda gu=gu, part=part: part.append(gu.community_leiden(objective_function="modularity",
                                                                  weights="weight", n_iterations=-1)))
        rows.append(["", f"Leiden, igraph (modularity {part[-1].modularity:.3f}) vs networkx Louvain", nx_lv,
                     ig_ld, nx_lv / ig_ld])
        nx_q = _t(lambda U=U, p=part[0]: nx.community.modularity(U, p, weight="weight"))
        ig_q = _t(lambda gu=gu, p=part[-1]: gu.modularity(p.membership, weights="weight"))
        rows.append(["", "modularity of a partition", nx_q, ig_q, nx_q / ig_q])
        nx_ly = _t(lambda U=U: nx.spring_layout(U, seed=1, iterations=NX_LAYOUT_ITERATIONS)) * 50 / NX_LAYOUT_ITERATIONS
        ig_ly = _t(lambda gu=gu: gu.layout_fruchterman_reingold(niter=100))
        ours_ly = _t(lambda G=G: layout(G, unit=LAYOUT_UNIT))
        rows.append(["", "layout: networkx spring (50 it., from 5) vs igraph FR (100 it.)", nx_ly, ig_ly, nx_ly / ig_ly])
        rows.append(["", "layout: networkx spring vs ours (stable, per component; kept)", nx_ly, ours_ly,
                     nx_ly / ours_ly])
        kk = betweenness_sample(G.number_of_nodes(), G.number_of_edges())

        def plain_networkx(G=G, U=U, kk=kk, n=n):
            nx.density(G)
            nx.reciprocity(G)
            nx.average_clustering(U)
            nx.betweenness_centrality(G, k=min(kk or n, NX_BETWEENNESS_SOURCES), seed=42)
            nx.community.louvain_communities(U, seed=42)

        base_part = _t(plain_networkx)
        # the baseline's betweenness ran on at most 40 sources: scale that part to the same sample size as ours
        nx_all = base_part + nx_bc * ((kk or n) / n) - nx_bc * (min(kk or n, NX_BETWEENNESS_SOURCES) / n)
        ours = _t(lambda G=G, kk=kk: tm.measure_all(G, betweenness_k=kk))
        label = "exact" if kk is None else f"betweenness sampled, {kk} sources"
        rows.append(["", f"measure_all, product rule ({label}) vs networkx same work", nx_all, ours, nx_all / ours])
        exact = _t(lambda G=G: tm.measure_all(G, betweenness_k=None))
        nx_exact = base_part - nx_bc * (min(kk or n, NX_BETWEENNESS_SOURCES) / n) + nx_bc
        rows.append(["", "measure_all, all exact vs networkx same work", nx_exact,
                     exact, nx_exact / exact])
    return table("Graph engines: networkx (baseline) against igraph, seconds; target all measures of 10,000 / "
                 "100,000 exact under 5 s", ["people / ties", "what", "networkx s", "igraph / ours s",
                                             "x faster"], rows)


SUITES = {"graph_engines": bench_graph_engines}
