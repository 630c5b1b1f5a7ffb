"""Change between two periods, with its evidence: the group's change and, for the people who answered both,
the paired change per indicator.

Worded neutrally everywhere: a difference is *movement towards a pole* (left or right), never improvement;
the network decides which direction it wants. Two views, because they answer different questions:

* **group change**: mean in period B minus mean in period A, each over everybody who answered then. People
  come and go, so part of this change can be a change of who answered. Interval: the two periods' bootstraps
  over respondents, drawn independently, subtracted.
* **paired change**: for each person who answered both periods (same ``participant_id``), their position in
  B minus their position in A; the mean of those differences with a bootstrap interval over the pairs, the
  number of pairs, and how many moved towards each pole by more than ``tolerance`` (half a point on a 0-10
  scale by default) or stayed within it.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics.definitions import Framework
from analytics.measures import dimensions as dims
from analytics.measures import uncertainty
from analytics.privacy import DEFAULT_MIN_GROUP

#: A move smaller than this (on the 0..1 scale) counts as staying put: 0.05 is half a point on a 0-10 scale.
TOLERANCE = 0.05
KEYS = ["network", "situation", "code"]
GROUP_COLUMNS = [*KEYS, "n_a", "mean_a", "n_b", "mean_b", "change", "ci_low", "ci_high"]
PAIRED_COLUMNS = [*KEYS, "pairs", "mean_a", "mean_b", "change", "ci_low", "ci_high", "to_left", "to_right",
                  "stayed", "suppressed"]


def group_change(units: pd.DataFrame, period_a: str, period_b: str, *, level: float = uncertainty.LEVEL,
                 n_boot: int = uncertainty.N_BOOT) -> pd.DataFrame:
    """Mean B - mean A per network, situation and code, over everybody who answered in each period.

    ``units``: one row per respondent, period and code with ``position`` (see :func:`dims.units`)."""
    a = units[units["period"] == period_a]
    b = units[units["period"] == period_b]
    ga, da = uncertainty.mean_draws(a, KEYS, n_boot=n_boot, stream=11)
    gb, db = uncertainty.mean_draws(b, KEYS, n_boot=n_boot, stream=12)
    if ga.empty or gb.empty:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    ga, gb = ga.assign(_ia=range(len(ga))), gb.assign(_ib=range(len(gb)))
    both = ga.merge(gb, on=KEYS, suffixes=("_a", "_b"))
    diff = db[:, both["_ib"].to_numpy()] - da[:, both["_ia"].to_numpy()]
    lo, hi = uncertainty.percentile_interval(diff, level) if len(both) else ([], [])
    both["change"] = both["mean_b"] - both["mean_a"]
    both["ci_low"], both["ci_high"] = lo, hi
    return both[GROUP_COLUMNS].reset_index(drop=True)


def paired_change(units: pd.DataFrame, period_a: str, period_b: str, *, tolerance: float = TOLERANCE,
                  min_group: int = DEFAULT_MIN_GROUP, level: float = uncertainty.LEVEL,
                  n_boot: int = uncertainty.N_BOOT) -> pd.DataFrame:
    """Per network, situation and code: the people with a position in both periods, their mean positions,
    the mean of their differences (B - A) with a 95% bootstrap interval over the pairs, and how many moved
    towards the left pole, towards the right pole, or stayed (|difference| <= ``tolerance``).

    Fewer than ``min_group`` pairs: the numbers are hidden (NaN), only ``pairs`` is shown, as elsewhere."""
    a = units[units["period"] == period_a][[*KEYS, "respondent", "position"]]
    b = units[units["period"] == period_b][[*KEYS, "respondent", "position"]]
    p = a.merge(b, on=[*KEYS, "respondent"], suffixes=("_a", "_b")).dropna(subset=["position_a", "position_b"])
    if p.empty:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    p["diff"] = p["position_b"] - p["position_a"]
    ci = uncertainty.mean_ci(p, KEYS, "diff", n_boot=n_boot, stream=13, level=level)
    agg = p.assign(
        to_left=(p["diff"] < -tolerance).astype(int), to_right=(p["diff"] > tolerance).astype(int),
        stayed=(p["diff"].abs() <= tolerance).astype(int),
    ).groupby(KEYS, as_index=False).agg(pairs=("diff", "size"), mean_a=("position_a", "mean"),
                                        mean_b=("position_b", "mean"), to_left=("to_left", "sum"),
                                        to_right=("to_right", "sum"), stayed=("stayed", "sum"))
    out = agg.merge(ci[[*KEYS, "mean", "ci_low", "ci_high"]].rename(columns={"mean": "change"}), on=KEYS)
    small = out["pairs"] < min_group
    for c in ("mean_a", "mean_b", "change", "ci_low", "ci_high"):
        out[c] = out[c].astype(float).where(~small)
    for c in ("to_left", "to_right", "stayed"):
        out[c] = out[c].astype("Int64").where(~small)
    out["suppressed"] = small
    return out[PAIRED_COLUMNS].reset_index(drop=True)


def between(con: duckdb.DuckDBPyConnection, period_a: str, period_b: str, *, networks: tuple[str, ...] | None = None,
            by: str = "indicator", framework: Framework | None = None, situation: str = "current",
            min_group: int = DEFAULT_MIN_GROUP, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Group and paired change side by side, one row per network and code (the CLI's ``change`` and the
    Dimensions page). Columns: network, code, the group columns (n_a, mean_a, n_b, mean_b, group_change,
    group_ci_low, group_ci_high) and the paired ones (pairs, paired_mean_a, paired_mean_b, paired_change,
    paired_ci_low, paired_ci_high, to_left, to_right, stayed)."""
    fw_id = (framework.id if framework else "dimensions")
    f = dims.Filters(networks=networks, periods=(period_a, period_b), situation=situation, framework=fw_id)
    u = dims.units(con, f, by=by, framework=framework)
    g = group_change(u, period_a, period_b)
    small = (g["n_a"] < min_group) | (g["n_b"] < min_group)
    for c in ("mean_a", "mean_b", "change", "ci_low", "ci_high"):
        g[c] = g[c].astype(float).where(~small)
    g = g.rename(columns={"change": "group_change", "ci_low": "group_ci_low", "ci_high": "group_ci_high"})
    pc = paired_change(u, period_a, period_b, tolerance=tolerance, min_group=min_group).rename(columns={
        "mean_a": "paired_mean_a", "mean_b": "paired_mean_b", "change": "paired_change",
        "ci_low": "paired_ci_low", "ci_high": "paired_ci_high", "suppressed": "paired_suppressed"})
    out = g.merge(pc, on=KEYS, how="left")
    out["pairs"] = out["pairs"].fillna(0).astype(int)
    order = {c: i for i, c in enumerate(_codes(framework, by))}
    out = out.assign(_o=out["code"].map(order).fillna(len(order))).sort_values(["network", "_o"])
    return out.drop(columns=["_o", "situation"]).reset_index(drop=True)


def _codes(framework: Framework | None, by: str) -> list[str]:
    from analytics.definitions import default_framework

    fw = framework or default_framework()
    return [d.code for d in fw.dimensions] if by == "dimension" else list(fw.codes)


def direction(change: float, tolerance: float = TOLERANCE) -> str:
    """'left', 'right' or 'none': which pole a change moves towards (for neutral wording)."""
    if change is None or np.isnan(change) or abs(change) <= tolerance:
        return "none"
    return "right" if change > 0 else "left"
