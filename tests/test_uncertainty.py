"""Intervals around means and shares, checked by hand on a few values (fixed seed)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.measures import uncertainty as u

Z = 1.959963984540054


def frame(**groups) -> pd.DataFrame:
    return pd.DataFrame([{"g": g, "position": v} for g, vals in groups.items() for v in vals])


def test_z_is_the_95_percent_normal_quantile():
    assert u.z_value() == pytest.approx(Z, abs=1e-12)


def test_bootstrap_interval_of_a_tiny_group_is_the_exact_bootstrap_quantile():
    # Resamples of four from {0, 1, 1, 1}: the number of ones is Binomial(4, 3/4). P(mean 0) = 1/256 = 0.4%,
    # P(mean <= .25) = 13/256 = 5.1%: the 2.5% point is .25. P(mean 1) = 81/256 = 32%: the 97.5% point is 1.
    out = u.mean_ci(frame(a=[0.0, 1.0, 1.0, 1.0]), ["g"])
    row = out.iloc[0]
    assert (row["n"], row["mean"], row["method"]) == (4, 0.75, "bootstrap")
    assert (row["ci_low"], row["ci_high"]) == (0.25, 1.0)


def test_three_values_give_their_extremes_and_one_value_gives_a_point():
    # P(all three draws the smallest) = 1/27 = 3.7% > 2.5%: the interval runs from the smallest to the largest.
    out = u.mean_ci(frame(a=[0.3, 0.5, 0.7], b=[0.42]), ["g"]).set_index("g")
    assert (out.loc["a", "ci_low"], out.loc["a", "ci_high"]) == (pytest.approx(0.3), pytest.approx(0.7))
    assert (out.loc["b", "n"], out.loc["b", "ci_low"], out.loc["b", "ci_high"]) == (1, 0.42, 0.42)


def test_a_groups_interval_depends_on_its_own_values_only():
    alone = u.mean_ci(frame(a=[0.1, 0.35, 0.4, 0.8, 0.9, 0.2]), ["g"]).set_index("g").loc["a"]
    mixed = frame(z=[0.5] * 7, a=[0.9, 0.2, 0.1, 0.8, 0.35, 0.4], b=[0.0, 1.0])
    together = u.mean_ci(mixed.sample(frac=1, random_state=3), ["g"]).set_index("g").loc["a"]
    assert (together["ci_low"], together["ci_high"]) == (alone["ci_low"], alone["ci_high"])
    assert alone["ci_low"] < 0.4583 < alone["ci_high"]  # the mean, (0.1+.35+.4+.8+.9+.2)/6
    assert 0.1 <= alone["ci_low"] and alone["ci_high"] <= 0.9


def test_large_groups_use_the_normal_limit_of_the_bootstrap():
    # n = 4 above a cap of 3: mean .5, sd (divisor n) = sqrt(.05) -> .5 -/+ 1.96 * .2236 / 2
    out = u.mean_ci(frame(a=[0.2, 0.4, 0.6, 0.8]), ["g"], resample_max_n=3).iloc[0]
    half = Z * math.sqrt(0.05) / 2
    assert out["method"] == "normal"
    assert (out["ci_low"], out["ci_high"]) == (pytest.approx(0.5 - half), pytest.approx(0.5 + half))


def test_bootstrap_draws_follow_the_resampling_distribution():
    # Means of two draws from {0, 1}: 0, .5, 1 with probabilities 1/4, 1/2, 1/4.
    groups, draws = u.mean_draws(frame(a=[0.0, 1.0]), ["g"])
    assert draws.shape == (u.N_BOOT, 1) and groups["n"].tolist() == [2]
    share = {v: float(np.mean(draws[:, 0] == v)) for v in (0.0, 0.5, 1.0)}
    assert share == {0.0: pytest.approx(0.25, abs=0.03), 0.5: pytest.approx(0.5, abs=0.03),
                     1.0: pytest.approx(0.25, abs=0.03)}
    again = u.mean_draws(frame(a=[1.0, 0.0]), ["g"])[1]
    assert np.array_equal(draws, again)  # fixed seed, row order does not matter


def test_ratio_interval_resamples_respondents_with_their_ties():
    # A named 2 ties, both returned; B named 2, none returned: reciprocity 2/4 = .5. Resampling two respondents:
    # AA -> 1, AB/BA -> .5, BB -> 0 (1/4 each end): the interval is [0, 1].
    df = pd.DataFrame({"g": ["x", "x"], "rec": [2, 0], "named": [2, 2]})
    row = u.ratio_ci(df, ["g"], "rec", "named").iloc[0]
    assert (row["n"], row["value"], row["ci_low"], row["ci_high"]) == (2, 0.5, 0.0, 1.0)


def test_ratio_interval_of_a_big_group_is_the_normal_limit_by_hand():
    # R = 4/10 = .4; residuals num - R*den: 1.2, -0.8, 0.2, -0.6 -> squares 2.48; se = sqrt(2.48) / 10
    df = pd.DataFrame({"g": ["x"] * 4, "rec": [2, 0, 1, 1], "named": [2, 2, 2, 4]})
    row = u.ratio_ci(df, ["g"], "rec", "named", resample_max_n=0).iloc[0]
    se = math.sqrt(2.48) / 10
    assert row["value"] == pytest.approx(0.4) and row["method"] == "normal"
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.4 - Z * se), pytest.approx(0.4 + Z * se))
    # near 1 the normal limit would pass 1: kept within the rows' own ratios, as every resample is
    near_one = pd.DataFrame({"g": ["y"] * 3, "rec": [2, 2, 1], "named": [2, 2, 2]})
    row = u.ratio_ci(near_one, ["g"], "rec", "named", resample_max_n=0).iloc[0]
    assert row["ci_high"] == 1.0 and 0.5 < row["ci_low"] < 5 / 6


@pytest.mark.parametrize("n", [500, 2000])
def test_ratio_normal_limit_agrees_with_the_bootstrap_for_big_groups(n):
    rng = np.random.default_rng(n)
    named = rng.integers(1, 12, n)
    df = pd.DataFrame({"g": "x", "named": named, "rec": rng.binomial(named, rng.uniform(0.1, 0.9, n))})
    boot = u.ratio_ci(df, ["g"], "rec", "named", resample_max_n=10**9).iloc[0]
    normal = u.ratio_ci(df, ["g"], "rec", "named").iloc[0]
    assert (boot["method"], normal["method"]) == ("bootstrap", "normal")
    assert boot["value"] == normal["value"]
    # within the bootstrap's own Monte Carlo error (about 0.005 on the 0..1 scale at 2,000 resamples)
    assert abs(boot["ci_low"] - normal["ci_low"]) < 0.006 and abs(boot["ci_high"] - normal["ci_high"]) < 0.006
    assert normal["ci_high"] - normal["ci_low"] > 0.01


def test_wilson_against_the_formula_and_known_values():
    lo, hi = u.wilson(8, 10)
    p, n = 0.8, 10
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    assert (float(lo), float(hi)) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.4902, 0.9433)
    lo, hi = u.wilson([0, 10, 0], [10, 10, 0])
    assert lo[0] == 0.0 and round(float(hi[0]), 4) == 0.2775  # 0 of 10: the upper end is not 0
    assert hi[1] == 1.0 and round(float(lo[1]), 4) == 0.7225
    assert math.isnan(lo[2]) and math.isnan(hi[2])


def test_wide_is_said_for_few_respondents_or_a_wide_interval():
    assert u.is_wide(6, 0.4, 0.5)
    assert u.is_wide(30, 0.3, 0.6)
    assert not u.is_wide(30, 0.45, 0.55)
