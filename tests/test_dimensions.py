"""Dimensions of social learning on tiny hand-made files: positions, statistics and filters, checked by hand.

Every file goes through the real import (read -> map -> validate -> store). Dates 2024-10-01 fall in period
2024-H2 and 2025-03-01 in 2025-H1 (the default half-year scheme). Positions are (raw - min) / (max - min).
DuckDB's quantile_cont interpolates linearly: with sorted values x0..x(n-1), quantile p sits at
h = (n - 1) * p, i.e. x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]).
"""

from __future__ import annotations

import math

import pytest
from helpers import load

from analytics.ingest import importer
from analytics.measures import dimensions as dims
from analytics.store.db import rows

H2, H1 = "2024-H2", "2025-H1"


def stat(df, code, col, **match):
    """The one value of ``col`` in the row with this code (and the other matching columns)."""
    sel = df[df["code"] == code]
    for k, v in match.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel[col].iloc[0]


# ---------------------------------------------------------------- normalisation of each scale


@pytest.mark.parametrize(
    "header,values,kw,scale,positions",
    [
        # inferred 1-5: (1-1)/4 = 0, (2-1)/4 = .25, (4-1)/4 = .75, (5-1)/4 = 1
        ("1a", [1, 2, 4, 5], {}, (1.0, 5.0, "inferred"), [0.0, 0.25, 0.75, 1.0]),
        # inferred 1-7 (a 6 or 7 rules out 1-5): (1-1)/6 = 0, (4-1)/6 = .5, (6-1)/6 = 5/6, (7-1)/6 = 1
        ("1a", [1, 4, 6, 7], {}, (1.0, 7.0, "inferred"), [0.0, 0.5, 5 / 6, 1.0]),
        # 1-7 from the header even though every value would fit 1-5: (2-1)/6 = 1/6, (3-1)/6 = 1/3, (5-1)/6 = 2/3
        ("1a (1-7)", [2, 3, 5], {}, (1.0, 7.0, "header"), [1 / 6, 1 / 3, 2 / 3]),
        # inferred 0-10 (a 0 rules out 1-5 and 1-7): 0, 6.5/10, 10/10
        ("1a", [0, 6.5, 10], {}, (0.0, 10.0, "inferred"), [0.0, 0.65, 1.0]),
        # inferred 0-100 (a 95 rules out 0-10): 15/100, 40/100, 95/100
        ("1a", [15, 40, 95], {}, (0.0, 100.0, "inferred"), [0.15, 0.4, 0.95]),
        # declared 0-1: the marks are the positions themselves
        ("1a", [0.2, 0.45, 1], {"scale": {None: (0.0, 1.0)}}, (0.0, 1.0, "declared"), [0.2, 0.45, 1.0]),
        # declared for one indicator only (1a=0-1), as --scale 1a=0-1 gives it
        ("1a", [0, 0.5, 0.75], {"scale": importer.parse_scale(["1a=0-1"])}, (0.0, 1.0, "declared"),
         [0.0, 0.5, 0.75]),
    ],
)
def test_every_scale_becomes_a_position_from_0_to_1(con, tmp_path, header, values, kw, scale, positions):
    body = "".join(f"R,2025-03-01,P{i},{v}\n" for i, v in enumerate(values, 1))
    text = f"network,date,participant_id,{header}\n{body}"
    if scale[2] == "inferred":
        # Found from the values, a scale is only a suggestion (issue 13): the coach confirms it, and then it
        # holds as declared.
        f = tmp_path / "s.csv"
        f.write_text(text, encoding="utf-8")
        suggestion = importer.validate_file(con, f).scale_suggestion
        assert (suggestion["min"], suggestion["max"]) == scale[:2]
        kw, scale = {"scale": {None: scale[:2]}}, (*scale[:2], "declared")
    r = load(con, tmp_path, "s.csv", text, **kw)
    assert {c: (v["min"], v["max"], v["source"]) for c, v in r.scales.items()} == {"1a": scale}
    got = rows(con, "SELECT raw, scale_min, scale_max, position FROM dimension_scores ORDER BY participant_id")
    assert [g[0] for g in got] == [float(v) for v in values]
    assert {(g[1], g[2]) for g in got} == {scale[:2]}
    assert [g[3] for g in got] == pytest.approx(positions, abs=1e-12)
    # and the statistics use these positions: the mean is the plain mean of the positions
    st = dims.indicator_stats(con, by="indicator", min_group=1)
    assert stat(st, "1a", "mean") == pytest.approx(sum(positions) / len(positions), abs=1e-12)


def test_a_scale_per_indicator(con, tmp_path):
    # --scale 0-10 --scale 1b=1-7: 1a is 0-10 (5 -> .5), 1b is 1-7 (5 -> (5-1)/6 = 2/3)
    load(con, tmp_path, "s.csv", "network,date,participant_id,1a,1b\nR,2025-03-01,P1,5,5\n",
         scale=importer.parse_scale(["0-10", "1b=1-7"]))
    assert rows(con, "SELECT indicator, position FROM dimension_scores ORDER BY 1") == [
        ("1a", 0.5), ("1b", pytest.approx(2 / 3, abs=1e-12))]


# ---------------------------------------------------------------- statistics per indicator and dimension

# Five respondents on a 0-10 scale. P5 left 1a empty (missing, never zero).
#   1a: P1..P4 = 2, 4, 5, 9      -> positions .2 .4 .5 .9
#   1b: P1..P5 = 1, 3, 3, 6, 10  -> positions .1 .3 .3 .6 1.0
FIVE = """network,date,participant_id,1a (0-10),1b (0-10)
R,2025-03-01,P1,2,1
R,2025-03-01,P2,4,3
R,2025-03-01,P3,5,3
R,2025-03-01,P4,9,6
R,2025-03-01,P5,,10
"""


def test_indicator_mean_median_quartiles_iqr_sd(con, tmp_path):
    load(con, tmp_path, "five.csv", FIVE)
    st = dims.indicator_stats(con, by="indicator")
    assert list(st["code"]) == ["1a", "1b"]
    a = st[st["code"] == "1a"].iloc[0]
    # 1a, n = 4: mean (.2+.4+.5+.9)/4 = 2.0/4 = .5; median (.4+.5)/2 = .45
    # q1: h = 3 * .25 = .75 -> .2 + .75 * (.4-.2) = .35; q3: h = 2.25 -> .5 + .25 * (.9-.5) = .6; IQR .25
    # sd (population): deviations -.3 -.1 0 .4 -> (.09+.01+0+.16)/4 = .065 -> sqrt(.065)
    assert a["n"] == 4
    assert (a["mean"], a["median"], a["q1"], a["q3"], a["iqr"]) == pytest.approx(
        (0.5, 0.45, 0.35, 0.6, 0.25), abs=1e-12)
    assert a["sd"] == pytest.approx(math.sqrt(0.065), abs=1e-12)
    assert (a["min"], a["max"]) == pytest.approx((0.2, 0.9))
    assert not a["suppressed"]
    b = st[st["code"] == "1b"].iloc[0]
    # 1b, n = 5: mean (.1+.3+.3+.6+1.0)/5 = 2.3/5 = .46; median .3
    # q1: h = 4 * .25 = 1 -> x1 = .3; q3: h = 3 -> x3 = .6; IQR .3
    assert b["n"] == 5
    assert (b["mean"], b["median"], b["q1"], b["q3"], b["iqr"]) == pytest.approx(
        (0.46, 0.3, 0.3, 0.6, 0.3), abs=1e-12)
    assert (st["network"].tolist(), st["period"].tolist(), st["situation"].tolist()) == (
        ["R", "R"], [H1, H1], ["current", "current"])


def test_dimension_score_is_mean_of_respondent_means(con, tmp_path):
    load(con, tmp_path, "five.csv", FIVE)
    st = dims.indicator_stats(con, by="dimension")
    assert list(st["code"]) == ["1"]
    d = st.iloc[0]
    # per respondent (1a and 1b both belong to dimension 1):
    #   P1 (.2+.1)/2 = .15, P2 (.4+.3)/2 = .35, P3 (.5+.3)/2 = .4, P4 (.9+.6)/2 = .75, P5 1.0 (1b only)
    # network: (.15+.35+.4+.75+1.0)/5 = 2.65/5 = .53
    # (the plain mean of all nine marks would be (2.0+2.3)/9 = .4778: P5's single mark weighs as much as P1's two)
    assert d["n"] == 5
    assert d["mean"] == pytest.approx(0.53, abs=1e-12)
    assert d["mean"] != pytest.approx(4.3 / 9, abs=1e-3)
    # sorted respondent means .15 .35 .4 .75 1.0: median .4, q1 (h=1) .35, q3 (h=3) .75, IQR .4
    assert (d["median"], d["q1"], d["q3"], d["iqr"]) == pytest.approx((0.4, 0.35, 0.75, 0.4), abs=1e-12)


def test_small_groups_get_no_mean(con, tmp_path):
    load(con, tmp_path, "five.csv", FIVE)
    # min_group 5: 1a (n = 4) is suppressed, 1b (n = 5 == min_group) is shown
    st = dims.indicator_stats(con, by="indicator", min_group=5)
    a, b = st[st["code"] == "1a"].iloc[0], st[st["code"] == "1b"].iloc[0]
    assert a["n"] == 4 and bool(a["suppressed"])
    for col in ("mean", "median", "q1", "q3", "iqr", "sd", "min", "max"):
        assert math.isnan(a[col]), col
    assert b["n"] == 5 and not bool(b["suppressed"])
    assert b["mean"] == pytest.approx(0.46)
    # min_group 4: both shown (1a has exactly 4)
    st4 = dims.indicator_stats(con, by="indicator", min_group=4)
    assert st4["suppressed"].tolist() == [False, False]
    assert stat(st4, "1a", "mean") == pytest.approx(0.5)


def test_default_min_group_is_three(con, tmp_path):
    # 2a: two respondents (suppressed by default); 2b: three (shown)
    load(con, tmp_path, "d.csv", "network,date,participant_id,2a (0-10),2b (0-10)\n"
         "R,2025-03-01,P1,1,1\nR,2025-03-01,P2,3,2\nR,2025-03-01,P3,,6\n")
    st = dims.indicator_stats(con, by="indicator")
    assert stat(st, "2a", "n") == 2 and bool(stat(st, "2a", "suppressed"))
    assert math.isnan(stat(st, "2a", "mean"))
    assert stat(st, "2b", "n") == 3 and not bool(stat(st, "2b", "suppressed"))
    assert stat(st, "2b", "mean") == pytest.approx(0.3)  # (.1+.2+.6)/3


def test_a_respondent_marking_twice_in_a_period_counts_once(con, tmp_path):
    load(con, tmp_path, "twice.csv", "network,date,participant_id,1a (0-10)\n"
         "R,2025-02-01,P1,0\nR,2025-05-01,P1,0\nR,2025-03-01,P2,10\nR,2025-03-01,P3,10\n")
    ind = dims.indicator_stats(con, by="indicator")
    dim = dims.indicator_stats(con, by="dimension")
    assert (ind["n"].iloc[0], dim["n"].iloc[0]) == (3, 3)
    assert dim["mean"].iloc[0] == pytest.approx(2 / 3)
    assert ind["mean"].iloc[0] == pytest.approx(2 / 3)


# ---------------------------------------------------------------- disagreement ranking

# Five respondents, 0-10. With n = 5, q1 = x1 and q3 = x3 exactly (h = 1 and 3), so IQR = x3 - x1.
#   3a: 0 0 5 10 10 -> IQR 1.0 - 0 = 1.0
#   3b: 0 3 5 7 10  -> IQR .7 - .3 = .4, sd sqrt((.25+.04+0+.04+.25)/5) = sqrt(.116)
#   3c: 3 3 5 7 7   -> IQR .7 - .3 = .4, sd sqrt((.04+.04+0+.04+.04)/5) = sqrt(.032)  (same IQR, smaller sd)
#   4a: 5 5 5 5 5   -> IQR 0
#   4b, 4c: 2 4 5 6 8 (identical) -> IQR .6 - .4 = .2, equal sd: the code decides (4b before 4c)
SPREAD = """network,date,participant_id,3a (0-10),3b (0-10),3c (0-10),4a (0-10),4b (0-10),4c (0-10)
R,2025-03-01,P1,0,0,3,5,2,2
R,2025-03-01,P2,0,3,3,5,4,4
R,2025-03-01,P3,5,5,5,5,5,5
R,2025-03-01,P4,10,7,7,5,6,6
R,2025-03-01,P5,10,10,7,5,8,8
"""


def test_disagreement_ranks_by_iqr_then_sd_then_code(con, tmp_path):
    load(con, tmp_path, "spread.csv", SPREAD)
    st = dims.indicator_stats(con, by="indicator")
    assert stat(st, "3b", "iqr") == stat(st, "3c", "iqr") == pytest.approx(0.4, abs=1e-12)
    assert stat(st, "3b", "sd") == pytest.approx(math.sqrt(0.116), abs=1e-12)
    assert stat(st, "3c", "sd") == pytest.approx(math.sqrt(0.032), abs=1e-12)
    top = dims.disagreement(st)
    assert top["code"].tolist() == ["3a", "3b", "3c"]
    assert top["iqr"].tolist() == pytest.approx([1.0, 0.4, 0.4], abs=1e-12)
    assert dims.disagreement(st, top=10)["code"].tolist() == ["3a", "3b", "3c", "4b", "4c", "4a"]


def test_disagreement_leaves_out_suppressed_groups(con, tmp_path):
    load(con, tmp_path, "spread.csv", SPREAD)
    # an extra indicator 1a marked by only two people, far apart: IQR hidden, so never a discussion starter
    load(con, tmp_path, "few.csv", "network,date,participant_id,1a (0-10)\nR,2025-03-01,P1,0\nR,2025-03-01,P2,10\n")
    st = dims.indicator_stats(con, by="indicator")
    assert bool(stat(st, "1a", "suppressed"))
    assert dims.disagreement(st, top=10)["code"].tolist() == ["3a", "3b", "3c", "4b", "4c", "4a"]


# ---------------------------------------------------------------- change between two periods


def test_change_between_two_periods(con, tmp_path):
    # 2024-H2: 1a 2 4 6 (mean .4), 1b 5 5 5 (.5), 2b 1 1 1 (.1; not measured in 2025-H1)
    load(con, tmp_path, "a.csv", "network,date,participant_id,1a (0-10),1b (0-10),2b (0-10)\n"
         "R,2024-10-01,P1,2,5,1\nR,2024-10-01,P2,4,5,1\nR,2024-10-01,P3,6,5,1\n")
    # 2025-H1: 1a 6 7 8 (.7), 1b 2 3 4 (.3), 2a 1 2 3 (.2; new)
    load(con, tmp_path, "b.csv", "network,date,participant_id,1a (0-10),1b (0-10),2a (0-10)\n"
         "R,2025-03-01,P1,6,2,1\nR,2025-03-01,P2,7,3,2\nR,2025-03-01,P3,8,4,3\n")
    assert dims.period_order(con) == [H2, H1]
    st = dims.indicator_stats(con, by="indicator")
    ch = dims.change(st, H2, H1).set_index("code")
    assert sorted(ch.index) == ["1a", "1b", "2a", "2b"]
    assert ch.loc["1a", "change"] == pytest.approx(0.3, abs=1e-12)  # .7 - .4, up
    assert ch.loc["1b", "change"] == pytest.approx(-0.2, abs=1e-12)  # .3 - .5, down
    assert (ch.loc["1a", "mean_a"], ch.loc["1a", "mean_b"]) == pytest.approx((0.4, 0.7), abs=1e-12)
    assert (ch.loc["1a", "n_a"], ch.loc["1a", "n_b"]) == (3, 3)
    # only in one period: no change
    assert math.isnan(ch.loc["2a", "change"]) and math.isnan(ch.loc["2a", "mean_a"])
    assert ch.loc["2a", "mean_b"] == pytest.approx(0.2)
    assert math.isnan(ch.loc["2b", "change"]) and math.isnan(ch.loc["2b", "mean_b"])
    # reversed order flips the sign
    back = dims.change(st, H1, H2).set_index("code")
    assert back.loc["1a", "change"] == pytest.approx(-0.3, abs=1e-12)
    # by dimension: dimension 1 per respondent (1a+1b)/2:
    #   H2 (.2+.5)/2 = .35, (.4+.5)/2 = .45, (.6+.5)/2 = .55 -> .45;  H1 (.6+.2)/2 = .4, .5, .6 -> .5
    dch = dims.change(dims.indicator_stats(con, by="dimension"), H2, H1).set_index("code")
    assert (dch.loc["1", "mean_a"], dch.loc["1", "mean_b"]) == pytest.approx((0.45, 0.5), abs=1e-12)
    assert dch.loc["1", "change"] == pytest.approx(0.05, abs=1e-12)


# ---------------------------------------------------------------- roles


def roles_data(con, tmp_path):
    load(con, tmp_path, "people.csv", "participant_id,name,network,role\n"
         "P1,Anouk Smit,R,teacher\nP2,Bram Bos,R,teacher\nP3,Cor Dijk,R,teacher\n"
         "S1,Sanne Vos,R,student\nS2,Tim Kok,R,student\nS3,Uma Mol,R,student\n")
    # teachers 2 4 6 (mean .4), students 6 8 10 (mean .8), X1 (not in the participant list) 0
    load(con, tmp_path, "scores.csv", "network,date,participant_id,1a (0-10)\n"
         "R,2025-03-01,P1,2\nR,2025-03-01,P2,4\nR,2025-03-01,P3,6\nR,2025-03-01,S1,6\nR,2025-03-01,S2,8\n"
         "R,2025-03-01,S3,10\nR,2025-03-01,X1,0\n")


def test_role_filter(con, tmp_path):
    roles_data(con, tmp_path)
    st = dims.indicator_stats(con, by="indicator")
    # everybody: (.2+.4+.6+.6+.8+1.0+0)/7 = 3.6/7
    assert (stat(st, "1a", "n"), stat(st, "1a", "mean")) == (7, pytest.approx(3.6 / 7, abs=1e-12))
    t = dims.indicator_stats(con, dims.Filters(roles=("teacher",)), by="indicator")
    assert (stat(t, "1a", "n"), stat(t, "1a", "mean")) == (3, pytest.approx(0.4, abs=1e-12))
    s = dims.indicator_stats(con, dims.Filters(roles=("student_teacher",)), by="indicator")
    assert (stat(s, "1a", "n"), stat(s, "1a", "mean")) == (3, pytest.approx(0.8, abs=1e-12))
    # somebody without a participant row has role 'unknown'
    u = dims.indicator_stats(con, dims.Filters(roles=("unknown",)), by="indicator", min_group=1)
    assert (stat(u, "1a", "n"), stat(u, "1a", "mean")) == (1, 0.0)
    both = dims.indicator_stats(con, dims.Filters(roles=("teacher", "unknown")), by="indicator")
    assert (stat(both, "1a", "n"), stat(both, "1a", "mean")) == (4, pytest.approx(1.2 / 4, abs=1e-12))


def test_group_roles_splits_by_role(con, tmp_path):
    roles_data(con, tmp_path)
    st = dims.indicator_stats(con, by="indicator", group_roles=True)
    assert sorted(st["role"]) == ["student_teacher", "teacher", "unknown"]
    got = {r.role: (r.n, r.mean) for r in st.itertuples()}
    assert got["teacher"] == (3, pytest.approx(0.4, abs=1e-12))
    assert got["student_teacher"] == (3, pytest.approx(0.8, abs=1e-12))
    assert got["unknown"][0] == 1 and math.isnan(got["unknown"][1])  # one person: suppressed
    # the dimension view groups the same way
    dst = dims.indicator_stats(con, by="dimension", group_roles=True)
    assert {r.role: r.n for r in dst.itertuples()} == {"teacher": 3, "student_teacher": 3, "unknown": 1}


# ---------------------------------------------------------------- situations and anonymous respondents


def test_current_and_desired_are_kept_apart(con, tmp_path):
    # per row a current and a desired mark: current 3 4 5 (mean .4), desired 8 9 10 (mean .9)
    load(con, tmp_path, "cd.csv", "network,date,participant_id,1a huidig (0-10),1a gewenst (0-10)\n"
         "R,2025-03-01,P1,3,8\nR,2025-03-01,P2,4,9\nR,2025-03-01,P3,5,10\n")
    assert dims.situations(con) == ["current", "desired"]
    st = dims.indicator_stats(con, by="indicator")
    assert stat(st, "1a", "mean", situation="current") == pytest.approx(0.4, abs=1e-12)
    assert stat(st, "1a", "mean", situation="desired") == pytest.approx(0.9, abs=1e-12)
    assert stat(st, "1a", "n", situation="current") == stat(st, "1a", "n", situation="desired") == 3
    only = dims.indicator_stats(con, dims.Filters(situation="desired"), by="indicator")
    assert only["situation"].tolist() == ["desired"]
    assert only["mean"].iloc[0] == pytest.approx(0.9)


def test_situation_column_in_long_form(con, tmp_path):
    load(con, tmp_path, "long.csv", "network,date,participant_id,situatie,indicator,score\n"
         "R,2025-03-01,P1,huidig,1a,1\nR,2025-03-01,P1,gewenst,1a,5\nR,2025-03-01,P2,nu,1a,2\n"
         "R,2025-03-01,P2,ideaal,1a,5\nR,2025-03-01,P3,huidige situatie,1a,3\nR,2025-03-01,P3,gewenst,1a,4\n",
         scale={None: (1.0, 5.0)})
    # 1-5: current 1 2 3 -> 0 .25 .5 (mean .25), desired 5 5 4 -> 1 1 .75 (mean 2.75/3)
    st = dims.indicator_stats(con, by="indicator")
    assert stat(st, "1a", "mean", situation="current") == pytest.approx(0.25, abs=1e-12)
    assert stat(st, "1a", "mean", situation="desired") == pytest.approx(2.75 / 3, abs=1e-12)


def test_anonymous_respondents_count_per_row(con, tmp_path):
    # no participant_id: each row is its own respondent
    load(con, tmp_path, "anon.csv", "network,date,1a (0-10),1b (0-10)\n"
         "R,2025-03-01,2,4\nR,2025-03-01,4,6\nR,2025-03-01,6,8\n")
    ind = dims.indicator_stats(con, by="indicator")
    assert ind["n"].tolist() == [3, 3]
    assert ind["mean"].tolist() == pytest.approx([0.4, 0.6], abs=1e-12)
    # a row's marks stay together: respondent means .3 .5 .7 -> n 3, mean .5 (not six respondents)
    dim = dims.indicator_stats(con, by="dimension")
    assert (dim["n"].iloc[0], dim["mean"].iloc[0]) == (3, pytest.approx(0.5, abs=1e-12))


# ---------------------------------------------------------------- individual marks and labels


def test_marks_show_codes_when_pseudonymised_and_names_otherwise(con, tmp_path):
    roles_data(con, tmp_path)
    # codes by role letter, numbered in id order: P1..P3 -> T-001..T-003, S1..S3 -> S-001..S-003
    m = dims.marks(con)
    assert len(m) == 7
    by_pos = dict(zip(m["position"].round(6), m["label"], strict=True))
    assert by_pos[0.2] == "T-001" and by_pos[0.4] == "T-002" and by_pos[1.0] == "S-003"
    # not in the participant list, but a respondent of the network is a person of it (identity.py): a code
    # with the letter for an unknown role, never the raw id
    assert by_pos[0.0] == "P-001"
    labels = set(m["label"])
    assert not labels & {"Anouk Smit", "Bram Bos", "Cor Dijk", "Sanne Vos", "Tim Kok", "Uma Mol", "X1"}
    named = dims.marks(con, pseudonymise=False)
    by_pos = dict(zip(named["position"].round(6), named["label"], strict=True))
    assert by_pos[0.2] == "Anouk Smit" and by_pos[1.0] == "Uma Mol"
    assert by_pos[0.0] == "X1"  # no name known: the id
    # sorted by indicator, then position; roles travel along
    assert m["position"].tolist() == sorted(m["position"].tolist())
    assert dict(zip(m["label"], m["role"], strict=True))["T-001"] == "teacher"
    assert dict(zip(m["label"], m["role"], strict=True))["P-001"] == "unknown"


def test_filters_select_network_and_period(con, tmp_path):
    load(con, tmp_path, "n.csv", "network,date,participant_id,1a (0-10)\n"
         "R,2024-10-01,P1,1\nR,2025-03-01,P1,3\nT,2025-03-01,P2,9\n")
    m = dims.marks(con, dims.Filters(networks=("R",), periods=(H1,)))
    assert m[["network", "period", "position"]].values.tolist() == [["R", H1, pytest.approx(0.3)]]
    assert len(dims.marks(con, dims.Filters(networks=("R",)))) == 2
    assert len(dims.marks(con, dims.Filters(periods=(H1,)))) == 2
