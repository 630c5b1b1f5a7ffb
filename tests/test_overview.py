"""The coaches' overview: each signal on data built to raise it and on data built not to, numbers by hand.

Files go through the real import. Dates: 2024-10-01 -> period 2024-H2, 2025-03-01 -> 2025-H1,
2025-10-01 -> 2025-H2. Positions are (raw - min) / (max - min).
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import load

from analytics.measures import dimensions as dims
from analytics.measures import overview as ov

H2, H1, H2b = "2024-H2", "2025-H1", "2025-H2"


def scores(con, tmp_path, name: str, network: str, date: str, marks: dict[str, list[float]], scale: str = "0-10"):
    """One wide file: marks[code][i] is respondent P{i+1}'s mark (None: no mark)."""
    codes = list(marks)
    n = max(len(v) for v in marks.values())
    head = "network,date,participant_id," + ",".join(f"{c} ({scale})" for c in codes)
    body = ""
    for i in range(n):
        cells = ["" if i >= len(marks[c]) or marks[c][i] is None else str(marks[c][i]) for c in codes]
        body += f"{network},{date},P{i + 1},{','.join(cells)}\n"
    load(con, tmp_path, name, f"{head}\n{body}")


def shift_signals(con):
    return ov.largest_shift(ov.dimension_trends(con), dims.period_order(con))


def spread_signals(con):
    ind = dims.indicator_stats(con, dims.Filters(situation="current"))
    return ov.widest_disagreement(ind, dims.period_order(con))


# ---------------------------------------------------------------- largest shift


def test_a_large_shift_is_a_signal(con, tmp_path):
    # dimension 1 (1a): 4 5 6 -> .5, then 7 7 7 -> .7: +.2
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [4, 5, 6]})
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [7, 7, 7]})
    [s] = shift_signals(con)
    assert (s.network, s.code, s.page, s.period) == ("A", "shift", "dimensions", H1)
    assert s.figures["code"] == "1" and (s.figures["from"], s.figures["to"]) == (H2, H1)
    assert s.figures["change"] == pytest.approx(0.2, abs=1e-12)


def test_a_shift_of_0_09_is_no_signal(con, tmp_path):
    # 0-100: 40 50 60 -> .5, then 49 59 69 -> .59: +.09
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [40, 50, 60]}, scale="0-100")
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [49, 59, 69]}, scale="0-100")
    trends = ov.dimension_trends(con)
    assert trends["mean"].tolist() == pytest.approx([0.5, 0.59], abs=1e-12)
    assert shift_signals(con) == []


def test_a_shift_of_0_11_down_is_a_signal(con, tmp_path):
    # 0-100: 40 50 60 -> .5, then 29 39 49 -> .39: -.11 (a shift either way)
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [40, 50, 60]}, scale="0-100")
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [29, 39, 49]}, scale="0-100")
    [s] = shift_signals(con)
    assert s.figures["change"] == pytest.approx(-0.11, abs=1e-12)


def test_a_shift_of_exactly_0_10_is_a_signal(con, tmp_path):
    # 4 5 6 -> .5, then 5 6 7 -> .6: +.10, 'at least' LARGE_SHIFT
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [4, 5, 6]})
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [5, 6, 7]})
    assert ov.dimension_trends(con)["mean"].tolist() == pytest.approx([0.5, 0.6], abs=1e-12)
    assert [s.code for s in shift_signals(con)] == ["shift"]


def test_the_dimension_that_moved_most_is_named(con, tmp_path):
    # dimension 1 (1a): .5 -> .7 (+.2); dimension 2 (2a): .6 -> .3 (-.3, the largest move)
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [4, 5, 6], "2a": [6, 6, 6]})
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [7, 7, 7], "2a": [3, 3, 3]})
    [s] = shift_signals(con)
    assert s.figures["code"] == "2" and s.figures["change"] == pytest.approx(-0.3, abs=1e-12)


def test_only_the_last_two_periods_count(con, tmp_path):
    # .2 -> .7 (+.5) long ago, then .7 -> .75 (+.05): no signal
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [2, 2, 2]})
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [7, 7, 7]})
    scores(con, tmp_path, "c.csv", "A", "2025-10-01", {"1a": [7, 7, 8, 8]})
    assert dims.period_order(con) == [H2, H1, H2b]
    assert shift_signals(con) == []


def test_a_shift_needs_enough_respondents(con, tmp_path):
    # .2 -> .9 but only two people in the later period: their mean is not shown, so no signal
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [2, 2, 2]})
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [9, 9]})
    assert shift_signals(con) == []


def test_each_network_gets_its_own_shift(con, tmp_path):
    scores(con, tmp_path, "a1.csv", "A", "2024-10-01", {"1a": [4, 5, 6]})
    scores(con, tmp_path, "a2.csv", "A", "2025-03-01", {"1a": [7, 7, 7]})  # +.2
    scores(con, tmp_path, "b1.csv", "B", "2024-10-01", {"1a": [5, 5, 5]})
    scores(con, tmp_path, "b2.csv", "B", "2025-03-01", {"1a": [5, 5, 6]})  # +.0333
    assert [s.network for s in shift_signals(con)] == ["A"]


# ---------------------------------------------------------------- widest disagreement


def test_wide_spread_in_the_latest_period_is_a_signal(con, tmp_path):
    # five marks: q1 = x1, q3 = x3. 1a: 0 0 5 10 10 -> IQR 1.0; 1b: 3 4 5 7 8 -> IQR .7 - .4 = .3
    scores(con, tmp_path, "a.csv", "A", "2025-03-01", {"1a": [0, 0, 5, 10, 10], "1b": [3, 4, 5, 7, 8]})
    [s] = spread_signals(con)
    assert (s.network, s.code, s.page, s.period) == ("A", "disagreement", "dimensions", H1)
    assert s.figures == {"code": "1a", "iqr": pytest.approx(1.0)}


def test_spread_of_0_4_is_a_signal_and_0_3_is_not(con, tmp_path):
    scores(con, tmp_path, "a.csv", "A", "2025-03-01", {"1a": [2, 3, 5, 7, 8]})  # IQR .7 - .3 = .4
    scores(con, tmp_path, "b.csv", "B", "2025-03-01", {"1a": [2, 4, 5, 7, 8]})  # IQR .7 - .4 = .3
    got = spread_signals(con)
    assert [(s.network, s.figures["code"]) for s in got] == [("A", "1a")]
    assert got[0].figures["iqr"] == pytest.approx(0.4, abs=1e-12)


def test_spread_of_0_35_is_a_signal(con, tmp_path):
    # four marks a b c d: q1 = a + .75 (b - a), q3 = c + .25 (d - c).
    # 0-100: 30 30 65 65 -> q1 .3, q3 .65, IQR .35 (computes as .35000000000000003)
    scores(con, tmp_path, "a.csv", "A", "2025-03-01", {"1a": [30, 30, 65, 65]}, scale="0-100")
    [s] = spread_signals(con)
    assert s.figures["iqr"] == pytest.approx(0.35, abs=1e-12)


def test_spread_of_exactly_0_35_is_a_signal_whatever_the_rounding(con, tmp_path):
    # five marks on 0-100: q1 = x1 = .34, q3 = x3 = .69 -> IQR .35
    scores(con, tmp_path, "a.csv", "A", "2025-03-01", {"1a": [0, 34, 50, 69, 100]}, scale="0-100")
    assert dims.indicator_stats(con)["iqr"].tolist() == pytest.approx([0.35], abs=1e-12)
    assert [s.code for s in spread_signals(con)] == ["disagreement"]


def test_spread_in_an_earlier_period_only_is_no_signal(con, tmp_path):
    scores(con, tmp_path, "a.csv", "A", "2024-10-01", {"1a": [0, 0, 5, 10, 10]})  # IQR 1.0, earlier
    scores(con, tmp_path, "b.csv", "A", "2025-03-01", {"1a": [5, 5, 5, 5, 6]})  # IQR 0, latest
    assert spread_signals(con) == []


# ---------------------------------------------------------------- ties and values (frames)


def latest(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["network", "period", "cross_organisation_share", "isolates"])


def test_tie_signals_few_cross_and_isolates():
    got = ov.tie_signals(latest([
        ("A", H1, 0.19, 0),  # few ties across organisations
        ("B", H1, 0.2, 0),  # exactly the threshold: not fewer
        ("C", H1, None, 0),  # no organisations known: unknown is not 'none'
        ("D", H1, float("nan"), 2),  # unknown share, two isolated people
        ("E", H1, 0.0, 1),  # both
    ]))
    assert [(s.network, s.code, s.page, s.period) for s in got] == [
        ("A", "few_cross", "ties", H1), ("D", "isolates", "ties", H1),
        ("E", "few_cross", "ties", H1), ("E", "isolates", "ties", H1)]
    assert got[0].figures == {"share": 0.19}
    assert got[1].figures == {"n": 2}


def funnel_frame(net_reached: dict[str, dict[str, int]]) -> pd.DataFrame:
    """The funnel's count per cycle: participants who got at least this far (``value``)."""
    recs = [{"network": n, "cycle": c, "value": r} for n, d in net_reached.items() for c, r in d.items()]
    return pd.DataFrame(recs)


def test_value_signals_stop_at_potential():
    got = ov.value_signals(funnel_frame({
        "A": {"potential": 5, "applied": 1},  # 1/5 = .2 < .4: a signal
        "B": {"potential": 5, "applied": 2},  # 2/5 = .4: not below
        "C": {"potential": 4, "applied": 0},  # too few people reached potential value to say anything
        "D": {"potential": 10, "applied": 3},  # .3
        "E": {"immediate": 9},  # no potential value at all
    }))
    assert [(s.network, s.code, s.page) for s in got] == [("A", "stops_at_potential", "values"),
                                                          ("D", "stops_at_potential", "values")]
    assert got[0].figures == {"potential": 5, "applied": 1, "share": 0.2}
    assert got[1].figures["share"] == pytest.approx(0.3)


# ---------------------------------------------------------------- a tiny store, end to end

PEOPLE = """participant_id,name,network,organisation,role
P1,Anouk Smit,A,School X,teacher
P2,Bram Bos,A,School X,teacher
P3,Cor Dijk,A,School X,teacher
P4,Dirk Mol,A,School Y,teacher
P5,Eva Kok,A,School Y,coach
Q1,Fien Vos,B,School X,teacher
Q2,Gijs Kuip,B,School X,teacher
Q3,Hans Pol,B,School Y,teacher
Q4,Ilse Ros,B,School Y,teacher
R1,Joop Lam,C,School Z,teacher
"""
# A: P1 -> P2 -> P3 -> P1 all inside School X (cross share 0/3 = 0), P1 names an outsider (no school: not
#    counted in the share); P4 and P5 have no tie (2 isolates).
# B: Q1 <-> Q2 (X), Q3 <-> Q4 (Y), Q1 -> Q3 and Q2 -> Q4 across: 2/6 = .333; nobody isolated.
TIES = """network,source,target,date
A,P1,P2,2025-03-01
A,P2,P3,2025-03-01
A,P3,P1,2025-03-01
A,P1,Dr. Buiten,2025-03-01
B,Q1,Q2,2025-03-01
B,Q2,Q1,2025-03-01
B,Q3,Q4,2025-03-01
B,Q4,Q3,2025-03-01
B,Q1,Q3,2025-03-01
B,Q2,Q4,2025-03-01
"""


def values_file(network: str, potential: int, applied: int, date: str) -> str:
    rows = [f"{network},P{i},{date},potential,verhaal p{i}" for i in range(potential)]
    rows += [f"{network},P{i},{date},applied,verhaal a{i}" for i in range(applied)]
    return "network,participant_id,date,cycle,description\n" + "\n".join(rows) + "\n"


@pytest.fixture
def tiny(con, tmp_path):
    load(con, tmp_path, "people.csv", PEOPLE)
    # A: dimension 1 from .5 (4 5 6) to .66 (2 2 9 10 10: (.2+.2+.9+1+1)/5 = 3.3/5) -> shift +.16;
    #    latest IQR of 1a: x3 - x1 = 1.0 - .2 = .8 -> disagreement
    scores(con, tmp_path, "a1.csv", "A", "2024-10-01", {"1a": [4, 5, 6]})
    scores(con, tmp_path, "a2.csv", "A", "2025-03-01", {"1a": [2, 2, 9, 10, 10]})
    # B: .5 (5 5 5) to (.5+.5+.6)/3 = .5333 -> +.0333; latest IQR: h = .5 -> .5, h = 1.5 -> .55: .05
    scores(con, tmp_path, "b1.csv", "B", "2024-10-01", {"1a": [5, 5, 5]})
    scores(con, tmp_path, "b2.csv", "B", "2025-03-01", {"1a": [5, 5, 6]})
    load(con, tmp_path, "ties.csv", TIES)
    load(con, tmp_path, "va.csv", values_file("A", 5, 1, "2025-05-01"))  # 1/5 applied: stops at potential
    load(con, tmp_path, "vb.csv", values_file("B", 5, 2, "2025-03-01"))  # 2/5 = .4: not below .4
    return con


def test_network_table(tiny):
    t = ov.network_table(tiny).set_index("network")
    assert t.index.tolist() == ["A", "B", "C"]
    # participants: members and everyone who answered under an id; the outsider named in a tie is neither.
    # A: members P1-P5 plus P0, who told stories; B: members Q1-Q4 plus P0-P4 (marks by P1-P3, stories by
    # P0-P4); C: its one member
    assert t["participants"].tolist() == [6, 9, 1]
    # A: scores in 2024-H2 and 2025-H1, ties and values in 2025-H1 -> 2 periods; C has no data
    assert t["periods"].tolist() == [2, 2, 0]
    assert str(t.loc["A", "first_date"])[:10] == "2024-10-01"
    assert str(t.loc["A", "last_date"])[:10] == "2025-05-01"  # the values file
    assert str(t.loc["B", "last_date"])[:10] == "2025-03-01"
    assert pd.isna(t.loc["C", "first_date"]) and pd.isna(t.loc["C", "last_date"])


def test_network_table_counts_a_person_in_two_networks_in_both(con, tmp_path):
    load(con, tmp_path, "people.csv", "participant_id,network\nP1,A\nP2,A\n")
    load(con, tmp_path, "more.csv", "participant_id,network\nP1,B\n")
    t = ov.network_table(con).set_index("network")
    assert t["participants"].to_dict() == {"A": 2, "B": 1}


def test_latest_tie_measures(tiny):
    t = ov.latest_tie_measures(tiny).set_index("network")
    # A: members P1..P5, P0 (no list row, but a value story in A: a new person of A) and the outsider = 7 nodes,
    # 4 ties, density 4/(7*6); isolates P4, P5, P0
    assert (t.loc["A", "nodes"], t.loc["A", "edges"], t.loc["A", "isolates"]) == (7, 4, 3)
    assert t.loc["A", "density"] == pytest.approx(4 / 42)
    assert t.loc["A", "cross_organisation_share"] == 0.0
    # B: 4 nodes, 6 ties, density 6/12, two of six ties across schools, two reciprocated pairs -> 4/6
    assert (t.loc["B", "nodes"], t.loc["B", "edges"], t.loc["B", "isolates"]) == (4, 6, 0)
    assert t.loc["B", "density"] == pytest.approx(0.5)
    assert t.loc["B", "cross_organisation_share"] == pytest.approx(1 / 3)
    assert t.loc["B", "reciprocity"] == pytest.approx(4 / 6)
    assert set(t["period"]) == {H1}


def test_signals_end_to_end(tiny):
    got = ov.signals(tiny)
    assert sorted((s.network, s.code) for s in got) == [
        ("A", "disagreement"), ("A", "few_cross"), ("A", "isolates"), ("A", "shift"), ("A", "stops_at_potential")]
    by = {s.code: s for s in got}
    assert by["shift"].figures["change"] == pytest.approx(0.16, abs=1e-12)
    assert (by["shift"].figures["from"], by["shift"].figures["to"]) == (H2, H1)
    assert by["disagreement"].figures == {"code": "1a", "iqr": pytest.approx(0.8, abs=1e-12)}
    assert by["few_cross"].figures == {"share": 0.0}
    assert by["isolates"].figures == {"n": 3}  # P4, P5 and P0 (a new person of A, from its value stories)
    assert by["stops_at_potential"].figures == {"potential": 5, "applied": 1, "share": 0.2}
    # the precomputed frames give the same answer
    again = ov.signals(tiny, trends=ov.dimension_trends(tiny), ties_latest=ov.latest_tie_measures(tiny),
                       funnels=ov.value_funnels(tiny))
    assert [(s.network, s.code, s.figures) for s in again] == [(s.network, s.code, s.figures) for s in got]


def test_signals_respect_min_group(tiny):
    # with min_group 6 no dimension mean or spread is shown (at most five respondents): those signals go
    codes = {s.code for s in ov.signals(tiny, min_group=6)}
    assert codes == {"few_cross", "isolates", "stops_at_potential"}


def test_an_empty_store_raises_nothing(con):
    assert ov.signals(con) == []
    assert ov.network_table(con).empty


def test_a_network_without_a_participant_list_still_has_its_people(con, tmp_path):
    """The overview said '0 participants' for a network whose respondents were imported without a list."""
    scores(con, tmp_path, "named.csv", "N", "2025-03-01", {"1a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
    anon = "network,date," + "1a (0-10)\n" + "".join(f"Z,2025-03-01,{i}\n" for i in range(9))
    load(con, tmp_path, "anon.csv", anon)
    t = ov.network_table(con).set_index("network")
    assert (t.loc["N", "participants"], t.loc["N", "respondents"]) == (9, 9)  # P1..P9, no member list
    assert (t.loc["Z", "participants"], t.loc["Z", "respondents"]) == (0, 9)  # anonymous: respondents only


def test_the_value_question_quotes_the_count_the_funnel_shows(con, tmp_path):
    """One number per claim: the question quotes participants who got at least this far (the card's funnel),
    not reports. P0 tells three potential-value stories and one applied one: 7 potential reports (1 applied,
    14%) but 5 participants reaching potential value and 1 reaching applied value (20%)."""
    rows = [f"F,P{i},2025-05-01,potential,verhaal {i}" for i in range(5)]
    rows += ["F,P0,2025-05-01,potential,nog een", "F,P0,2025-05-01,potential,en nog een",
             "F,P0,2025-05-01,applied,toegepast"]
    load(con, tmp_path, "f.csv", "network,participant_id,date,cycle,description\n" + "\n".join(rows) + "\n")
    funnels = ov.value_funnels(con)
    card = funnels[funnels["network"] == "F"].set_index("cycle")["value"]
    [sig] = [s for s in ov.signals(con) if s.network == "F"]
    assert sig.code == "stops_at_potential"
    assert sig.figures == {"potential": int(card["potential"]), "applied": int(card["applied"]), "share": 0.2}
    assert (sig.figures["potential"], sig.figures["applied"]) == (5, 1)


def _shift_per_network(trends, order):
    """The per-network loop largest_shift was until 7 Dec: the reference the all-at-once version must equal."""
    out = []
    rank = {p: i for i, p in enumerate(order)}
    for net, d in trends.dropna(subset=["mean"]).groupby("network"):
        pers = sorted(d["period"].unique(), key=lambda p: rank.get(p, 1e9))
        if len(pers) < 2:
            continue
        a, b = pers[-2], pers[-1]
        ch = dims.change(d, a, b).dropna(subset=["change"])
        if ch.empty:
            continue
        top = ch.loc[ch["change"].abs().idxmax()]
        if abs(top["change"]) >= ov.LARGE_SHIFT - ov.EPS:
            out.append(ov.Signal(net, "shift", "dimensions", {"code": top["code"], "change": float(top["change"]),
                                                               "from": a, "to": b}, period=b))
    return out


def _disagreement_per_network(ind, order):
    out = []
    rank = {p: i for i, p in enumerate(order)}
    for net, d in ind.dropna(subset=["iqr"]).groupby("network"):
        latest = max(d["period"].unique(), key=lambda p: rank.get(p, -1))
        top = dims.disagreement(d[d["period"] == latest], top=1)
        if len(top) and top["iqr"].iloc[0] >= ov.WIDE_SPREAD - ov.EPS:
            out.append(ov.Signal(net, "disagreement", "dimensions", {"code": top["code"].iloc[0],
                                                                      "iqr": float(top["iqr"].iloc[0])}, period=latest))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_signals_for_all_networks_at_once_equal_the_loop_per_network(seed):
    """Random trends and indicator spreads over 30 networks: missing means, one-period networks, periods outside
    the scheme, equal changes and equal spreads (ties go to the first code)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    order = ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    rows = []
    for net in range(30):
        pers = list(rng.choice([*order, "wave X", "wave Y"], size=rng.integers(1, 5), replace=False))
        for per in pers:
            for code in ["1", "2", "3", "4"] if seed % 2 else ["1a", "1b", "2a", "3c", "4d"]:
                mean = None if rng.random() < 0.1 else float(rng.choice([0.2, 0.3, 0.35, 0.5, 0.6]))
                iqr = None if rng.random() < 0.1 else float(rng.choice([0.1, 0.35, 0.4, 0.4, 0.5]))
                rows.append({"network": f"N{net:02d}", "period": per, "situation": "current", "code": code, "n": 8,
                             "mean": mean, "iqr": iqr, "sd": float(rng.choice([0.1, 0.2, 0.2]))})
    df = pd.DataFrame(rows)
    assert ov.largest_shift(df, order) == _shift_per_network(df, order)
    assert ov.widest_disagreement(df, order) == _disagreement_per_network(df, order)
    assert ov.largest_shift(df, order) and ov.widest_disagreement(df, order)  # both found something to check
    assert ov.largest_shift(df.iloc[0:0], order) == [] and ov.widest_disagreement(df.iloc[0:0], order) == []
