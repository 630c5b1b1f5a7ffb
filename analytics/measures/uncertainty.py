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


def resampled_sums(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray, *, n_boot: int = N_BOOT,
                   seed: int = SEED, stream: int = 0) -> np.ndarray:
    """Bootstrap sums per group: shape (n_boot, groups). ``values`` is sorted by group (and within a group by
    value); group g is ``values[starts[g]:starts[g] + sizes[g]]``. ``values`` may be 2-D (units x columns):
    then the result is (n_boot, groups, columns) and each resample keeps a unit's columns together (a
    respondent with all their ties)."""
    values = np.asarray(values, dtype=float)
    starts, sizes = np.asarray(starts, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
    n_groups = len(sizes)
    extra = values.shape[1:]
    out = np.zeros((n_boot, n_groups, *extra))
    if n_groups == 0 or sizes.sum() == 0:
        return out
    width = int(sizes.max())
    u = _uniforms(n_boot, width, seed, stream)
    g_of = np.repeat(np.arange(n_groups), sizes)  # group of each draw slot
    slot = np.arange(len(g_of)) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # position within its group
    base = starts[g_of]
    n_of = sizes[g_of]
    seg = np.cumsum(sizes) - sizes  # where each group's draws begin in the flat slot order
    nonempty = sizes > 0
    step = max(1, _BLOCK // max(len(g_of), 1))
    for b0 in range(0, n_boot, step):  # blocks of resamples, not rows: each block is one numpy expression
        ub = u[b0:b0 + step][:, slot]  # (block, slots)
        idx = base[None, :] + np.minimum((ub * n_of[None, :]).astype(np.int64), n_of[None, :] - 1)
        drawn = values[idx]  # (block, slots, *extra)
        sums = np.add.reduceat(drawn, seg[nonempty], axis=1)
        out[b0:b0 + step][:, nonempty] = sums
    return out


def percentile_interval(draws: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """The middle ``level`` of bootstrap draws along axis 0."""
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return lo, hi


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
    sums = np.add.reduceat(x, first)
    means = sums / sizes
    sd = np.sqrt(np.maximum(np.add.reduceat(x * x, first) / sizes - means ** 2, 0.0))
    z = z_value(level)
    lo, hi = means - z * sd / np.sqrt(sizes), means + z * sd / np.sqrt(sizes)
    small = sizes <= resample_max_n
    if small.any():
        # Only the small groups are resampled: gather their rows into one contiguous block.
        keep = np.repeat(small, sizes)
        xs = x[keep]
        s_sizes = sizes[small]
        s_starts = np.cumsum(s_sizes) - s_sizes
        draws = resampled_sums(xs, s_starts, s_sizes, n_boot=n_boot, seed=seed, stream=stream) / s_sizes
        blo, bhi = percentile_interval(draws, level)
        lo[small], hi[small] = blo, bhi
    out = d.iloc[first][keys].reset_index(drop=True)
    out["n"] = sizes
    out["mean"] = means
    out["ci_low"] = np.clip(lo, min(0.0, x.min()), max(1.0, x.max()))
    out["ci_high"] = np.clip(hi, min(0.0, x.min()), max(1.0, x.max()))
    out["method"] = np.where(small, "bootstrap", "normal")
    return out[cols]


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
             seed: int = SEED, stream: int = 3, level: float = LEVEL) -> pd.DataFrame:
    """Per group: sum(num) / sum(den) with a bootstrap interval over the rows (respondents with what they
    named). Columns: keys, n (rows), value, ci_low, ci_high. A group whose resample names nothing gives no
    ratio for that resample (it is left out of the quantiles)."""
    cols = [*keys, "n", "value", "ci_low", "ci_high"]
    d = df[[*keys, num, den]].dropna()
    if d.empty:
        return pd.DataFrame(columns=cols)
    d, _ = _group_index(d, keys)
    d = d.sort_values(["_g", den, num], kind="stable")
    g = d["_g"].to_numpy()
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[first, len(g)])
    vals = d[[num, den]].to_numpy(dtype=float)
    draws = resampled_sums(vals, first, sizes, n_boot=n_boot, seed=seed, stream=stream)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(draws[..., 1] > 0, draws[..., 0] / draws[..., 1], np.nan)
    lo, hi = np.nanquantile(ratio, [(1 - level) / 2, (1 + level) / 2], axis=0) if len(first) else ([], [])
    tot = np.add.reduceat(vals, first, axis=0)
    out = d.iloc[first][keys].reset_index(drop=True)
    out["n"] = sizes
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = np.where(tot[:, 1] > 0, tot[:, 0] / np.where(tot[:, 1] > 0, tot[:, 1], 1), np.nan)
    out["ci_low"], out["ci_high"] = lo, hi
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
