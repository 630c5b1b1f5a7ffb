"""Value creation on tiny hand-made files: funnel, side values, highest cycle, matrix, stories, prompts.

Every file goes through the real import. Dates 2024-10-01 fall in period 2024-H2, 2025-03-01 in 2025-H1.
A participant "reached" a cycle when they reported at least once in it; anonymous rows each count as their
own reporter.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from helpers import load

from analytics.measures import value_creation as vc
from analytics.store.db import rows

H2, H1 = "2024-H2", "2025-H1"
FUNNEL = ["immediate", "potential", "applied", "realized", "transformative"]


# Network A, who reported what (P5 and P3's enabling value are side values, outside the funnel):
#   2024-H2: P1 immediate x2, potential, applied; P2 immediate, potential; P3 immediate; P4 immediate,
#            transformative
#   2025-H1: P1 immediate, applied, transformative; P2 potential; two anonymous immediate reports;
#            P5 strategic; P3 enabling
# Network B: 2025-H1 P6 immediate.
# Nobody reported realized value.
VALUES = """network,participant_id,date,cycle,indicator,description,evidence
A,P1,2024-10-01,immediate,nieuwe inzichten,Inspirerende bijeenkomst over rekenen,
A,P1,2024-10-01,immediate,nieuwe inzichten,Goed gesprek met een collega,
A,P1,2024-10-01,potential,materiaal,Ik heb een KIJKWIJZER gekregen,
A,P1,2024-10-01,applied,,Kijkwijzer gebruikt in groep 5,notulen teamvergadering
A,P2,2024-10-01,immediate,nieuwe inzichten,Veel geleerd,
A,P2,2024-10-01,potential,materiaal,Lesideeen voor breuken,
A,P3,2024-10-01,immediate,,Gezellig,
A,P4,2024-10-01,immediate,contacten,Nieuwe mensen leren kennen,
A,P4,2024-10-01,transformative,andere kijk,Wij kijken anders naar toetsen,
A,P1,2025-03-01,immediate,contacten,Contact met de pabo,
A,P1,2025-03-01,applied,,Feedbackroutine in alle groepen,observatieverslag
A,P1,2025-03-01,transformative,andere kijk,Ons beleid is herschreven,
A,P2,2025-03-01,potential,materiaal,Een nieuwe toets,
A,,2025-03-01,immediate,,Leuk,
A,,2025-03-01,immediate,nieuwe inzichten,Nuttig,
A,P5,2025-03-01,strategic,,Gesprek met het bestuur,
A,P3,2025-03-01,enabling,,Tijd gekregen van de directie,
B,P6,2025-03-01,immediate,,Fijne start,
"""

PEOPLE = """participant_id,name,network,role
P1,Anouk Smit,A,teacher
P2,Bram Bos,A,teacher
P3,Cor Dijk,A,student
P4,Dirk Mol,A,coach
P5,Eva Kok,A,teacher
P6,Fien Vos,B,teacher
"""


@pytest.fixture
def store_values(con, tmp_path):
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "values.csv", VALUES)
    return con


def table(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    return [tuple(r) for r in df[cols].itertuples(index=False)]


def nan_list(series) -> list:
    return [None if (isinstance(v, float) and math.isnan(v)) else round(float(v), 12) for v in series]


# ---------------------------------------------------------------- funnel


def test_funnel_counts_participants_and_reports(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("A",)))
    assert f["cycle"].tolist() == FUNNEL and f["stage"].tolist() == [1, 2, 3, 4, 5]
    # participants (distinct over both periods): immediate P1 P2 P3 P4 + 2 anonymous = 6; potential P1 P2 = 2;
    # applied P1 = 1; realized nobody = 0; transformative P4 P1 = 2
    assert f["participants"].tolist() == [6, 2, 1, 0, 2]
    # reports: immediate 5 (H2: P1 x2, P2, P3, P4) + 3 (H1: P1, two anonymous) = 8; potential 3; applied 2;
    # realized 0; transformative 2
    assert f["reports"].tolist() == [8, 3, 2, 0, 2]
    # the funnel counts who got at least this far. Highest funnel cycle: P1 and P4 transformative, P2 potential,
    # P3 and the two anonymous reporters immediate. >= immediate 6; >= potential P1 P2 P4 = 3; >= applied,
    # realized, transformative P1 P4 = 2 (P5 and P3's side values do not count)
    assert f["reached_participants"].tolist() == [6, 3, 2, 2, 2]
    assert f["value"].tolist() == [6, 3, 2, 2, 2]
    # reports in this cycle or later: 8+3+2+0+2 = 15, 7, 4, 2, 2
    assert f["reached_reports"].tolist() == [15, 7, 4, 2, 2]
    # kept from the previous stage: -, 3/6, 2/3, 2/2, 2/2 -- never above 1, the funnel only narrows
    assert nan_list(f["kept_share"]) == [None, 0.5, round(2 / 3, 12), 1.0, 1.0]
    # share of the first stage: 6/6, 3/6, 2/6, 2/6, 2/6
    assert nan_list(f["share_of_first"]) == [1.0, 0.5, round(1 / 3, 12), round(1 / 3, 12), round(1 / 3, 12)]


def test_funnel_shares_carry_their_wilson_intervals(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("A",)))
    assert f["kept_base"].tolist() == [0, 6, 3, 2, 2]  # the previous stage's count; none before the first
    # By hand, z = 1.96: 3 of 6 -> centre 0.5, half 1.96*sqrt(0.25/6 + 3.8415/144)/1.64025 = 0.3124
    assert (f["kept_low"][1], f["kept_high"][1]) == (pytest.approx(0.1876, abs=1e-4), pytest.approx(0.8124, abs=1e-4))
    # 2 of 2 -> upper 1, lower (1 + 3.8415/4)/2.9207 - 1.96*sqrt(3.8415/16)/2.9207 = 0.6712 - 0.3288 = 0.3424
    assert (f["kept_low"][3], f["kept_high"][3]) == (pytest.approx(0.3424, abs=1e-4), 1.0)
    assert pd.isna(f["kept_low"][0]) and pd.isna(f["kept_high"][0])  # the first stage keeps nothing
    # share of the first stage: 6 of 6 -> upper 1; 3 of 6 as above
    assert f["first_high"][0] == 1.0 and f["first_low"][1] == pytest.approx(0.1876, abs=1e-4)


def test_funnel_by_reports(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("A",)), measure="reports")
    assert f["value"].tolist() == [15, 7, 4, 2, 2]
    # kept: -, 7/15, 4/7, 2/4, 2/2; of first: 1, 7/15, 4/15, 2/15, 2/15
    assert nan_list(f["kept_share"]) == [None, round(7 / 15, 12), round(4 / 7, 12), 0.5, 1.0]
    assert nan_list(f["share_of_first"]) == [1.0, round(7 / 15, 12), round(4 / 15, 12), round(2 / 15, 12),
                                             round(2 / 15, 12)]


def test_side_values_stay_out_of_the_funnel(store_values):
    f = vc.funnel(store_values)
    assert "strategic" not in f["cycle"].tolist() and "enabling" not in f["cycle"].tolist()
    side = vc.side_values(store_values)
    assert table(side, ["cycle", "participants", "reports"]) == [("strategic", 1, 1), ("enabling", 1, 1)]
    # cycle_counts has them, in cycle order after the funnel's five (realized absent: nobody reported it)
    cc = vc.cycle_counts(store_values, vc.Filters(networks=("A",)))
    assert cc["cycle"].tolist() == ["immediate", "potential", "applied", "transformative", "strategic", "enabling"]


def test_empty_selection_gives_a_funnel_of_zeros(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("nobody",)))
    assert f["cycle"].tolist() == FUNNEL
    assert f["participants"].tolist() == [0] * 5 and f["reports"].tolist() == [0] * 5
    assert f["kept_share"].isna().all() and f["share_of_first"].isna().all()


def test_funnel_by_network(store_values):
    f = vc.funnel(store_values, by=("network",))
    a, b = f[f["network"] == "A"], f[f["network"] == "B"]
    assert a["participants"].tolist() == [6, 2, 1, 0, 2]
    assert a["value"].tolist() == [6, 3, 2, 2, 2]
    # B: P6 immediate only -> 1 0 0 0 0; kept 0/1 = 0 after the first stage, then NaN
    assert b["participants"].tolist() == [1, 0, 0, 0, 0] and b["value"].tolist() == [1, 0, 0, 0, 0]
    assert nan_list(b["kept_share"]) == [None, 0.0, None, None, None]
    assert nan_list(b["share_of_first"]) == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert b["stage"].tolist() == [1, 2, 3, 4, 5]


def test_funnel_by_period(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("A",)), by=("period",))
    h2, h1 = f[f["period"] == H2], f[f["period"] == H1]
    # 2024-H2: immediate P1 P2 P3 P4 = 4; potential P1 P2 = 2; applied P1; realized 0; transformative P4
    assert h2["participants"].tolist() == [4, 2, 1, 0, 1]
    assert h2["reports"].tolist() == [5, 2, 1, 0, 1]
    # got at least this far: P1 applied, P2 potential, P3 immediate, P4 transformative -> 4 3 2 1 1
    assert h2["value"].tolist() == [4, 3, 2, 1, 1]
    assert nan_list(h2["kept_share"]) == [None, 0.75, round(2 / 3, 12), 0.5, 1.0]
    # 2025-H1: immediate P1 + 2 anonymous = 3; potential P2; applied P1; realized 0; transformative P1
    assert h1["participants"].tolist() == [3, 1, 1, 0, 1]
    # got at least this far: P1 transformative, P2 potential (not in the immediate stage, yet past it),
    # two anonymous immediate -> 4 2 1 1 1
    assert h1["value"].tolist() == [4, 2, 1, 1, 1]
    assert nan_list(h1["kept_share"]) == [None, 0.5, 0.5, 1.0, 1.0]
    assert nan_list(h1["share_of_first"]) == [1.0, 0.5, 0.25, 0.25, 0.25]


def test_funnel_by_role(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("A",)), by=("role",))
    got = {role: d["participants"].tolist() for role, d in f.groupby("role")}
    # teacher: P1 P2 (P5 only strategic); student_teacher: P3; coach: P4; anonymous -> unknown
    assert got == {
        "teacher": [2, 2, 1, 0, 1],
        "student_teacher": [1, 0, 0, 0, 0],
        "coach": [1, 0, 0, 0, 1],
        "unknown": [2, 0, 0, 0, 0],
    }
    coach = f[f["role"] == "coach"]
    # P4 told an immediate and a transformative story: got all the way, so 1 at every stage, all kept
    assert coach["value"].tolist() == [1, 1, 1, 1, 1]
    assert nan_list(coach["kept_share"]) == [None, 1.0, 1.0, 1.0, 1.0]
    assert nan_list(coach["share_of_first"]) == [1.0, 1.0, 1.0, 1.0, 1.0]


def test_role_filter(store_values):
    f = vc.funnel(store_values, vc.Filters(roles=("teacher",)))
    # teachers in both networks: immediate P1 P2 P6 = 3, potential P1 P2, applied P1, transformative P1
    assert f["participants"].tolist() == [3, 2, 1, 0, 1]
    assert table(vc.side_values(store_values, vc.Filters(roles=("teacher",))),
                 ["cycle", "participants"]) == [("strategic", 1)]


# ---------------------------------------------------------------- highest cycle


def test_highest_cycle_counts_each_participant_once_per_period(store_values):
    h = vc.highest_cycle(store_values, vc.Filters(networks=("A",)))
    # 2024-H2: P1 applied (also immediate, potential), P2 potential, P3 immediate, P4 transformative
    # 2025-H1: P1 transformative, P2 potential, two anonymous immediate; P5 (strategic) and P3 (enabling)
    #          reached no funnel cycle and are not counted
    assert table(h, ["period", "highest_cycle", "participants"]) == [
        (H2, "immediate", 1), (H2, "potential", 1), (H2, "applied", 1), (H2, "transformative", 1),
        (H1, "immediate", 2), (H1, "potential", 1), (H1, "transformative", 1),
    ]
    assert h.groupby("period")["participants"].sum().to_dict() == {H2: 4, H1: 4}


# ---------------------------------------------------------------- matrix


def test_matrix_counts_reports_per_cycle_and_indicator(store_values):
    m = vc.matrix(store_values, vc.Filters(networks=("A",)))
    assert set(table(m, ["cycle", "indicator", "reports", "participants"])) == {
        # nieuwe inzichten: P1 x2 (H2), P2, anonymous -> 4 reports by 3 reporters
        ("immediate", "nieuwe inzichten", 4, 3),
        ("immediate", "contacten", 2, 2),  # P4, P1
        ("immediate", "—", 2, 2),  # P3, anonymous: no indicator
        ("potential", "materiaal", 3, 2),
        ("applied", "—", 2, 1),
        ("transformative", "andere kijk", 2, 2),
        ("strategic", "—", 1, 1),
        ("enabling", "—", 1, 1),
    }
    assert len(m) == 8
    # cycle order first, then most reports
    assert m["cycle"].tolist()[:3] == ["immediate"] * 3 and m["indicator"].iloc[0] == "nieuwe inzichten"
    assert m["cycle_order"].tolist() == sorted(m["cycle_order"].tolist())


# ---------------------------------------------------------------- stories


def test_stories_search_is_case_insensitive_in_description_evidence_and_indicator(store_values):
    con = store_values
    # description: 'KIJKWIJZER gekregen' and 'Kijkwijzer gebruikt'
    s = vc.stories(con, search="kijkwijzer")
    assert sorted(s["description"]) == ["Ik heb een KIJKWIJZER gekregen", "Kijkwijzer gebruikt in groep 5"]
    # evidence only
    s = vc.stories(con, search="NOTULEN")
    assert s["description"].tolist() == ["Kijkwijzer gebruikt in groep 5"]
    # indicator only ('Contacten' is in no description)
    s = vc.stories(con, search="Contacten")
    assert sorted(s["description"]) == ["Contact met de pabo", "Nieuwe mensen leren kennen"]
    assert vc.stories(con, search="niets dergelijks").empty


def test_stories_cycle_filter_newest_first_and_labels(store_values):
    s = vc.stories(store_values, cycles=["applied"])
    assert s["description"].tolist() == ["Feedbackroutine in alle groepen", "Kijkwijzer gebruikt in groep 5"]
    assert [pd.Timestamp(d).strftime("%Y-%m-%d") for d in s["date"]] == ["2025-03-01", "2024-10-01"]
    assert s["participant"].tolist() == ["T-001", "T-001"]  # P1, the first teacher by id
    assert "Anouk Smit" not in set(vc.stories(store_values)["participant"])
    anon = vc.stories(store_values, search="Leuk")
    assert anon["participant"].tolist() == ["—"] and anon["role"].tolist() == ["unknown"]
    named = vc.stories(store_values, cycles=["applied"], pseudonymise=False)
    assert named["participant"].tolist() == ["Anouk Smit", "Anouk Smit"]
    two = vc.stories(store_values, cycles=["applied", "transformative"])
    assert len(two) == 4 and set(two["cycle"]) == {"applied", "transformative"}
    ind = vc.stories(store_values, vc.Filters(networks=("A",)), indicator="—", cycles=["immediate"])
    assert sorted(ind["description"]) == ["Gezellig", "Leuk"]
    assert len(vc.stories(store_values, indicator="—", cycles=["immediate"])) == 3  # B's 'Fijne start' too


SPECIAL = """network,participant_id,date,cycle,description
A,P1,2025-03-01,immediate,50% van de groepen doet mee
A,P1,2025-03-01,potential,500 leerlingen bereikt
A,P1,2025-03-01,applied,bestand map_2025 gedeeld
A,P1,2025-03-01,realized,bestand map-2025 gedeeld
"""


def test_stories_search_takes_percent_literally(con, tmp_path):
    load(con, tmp_path, "special.csv", SPECIAL)
    assert vc.stories(con, search="50%")["description"].tolist() == ["50% van de groepen doet mee"]


def test_stories_search_takes_underscore_literally(con, tmp_path):
    load(con, tmp_path, "special.csv", SPECIAL)
    assert vc.stories(con, search="map_2")["description"].tolist() == ["bestand map_2025 gedeeld"]


def test_stories_search_without_wildcards_matches_only_the_text(con, tmp_path):
    load(con, tmp_path, "special.csv", SPECIAL)
    # '50' is in '50%' and in '500'; 'map' in both file names; 'groepen' in one
    assert len(vc.stories(con, search="50")) == 2
    assert len(vc.stories(con, search="map")) == 2
    assert vc.stories(con, search="GROEPEN")["cycle"].tolist() == ["immediate"]


# ---------------------------------------------------------------- other file shapes


def test_wide_yes_no_with_dutch_headers(con, tmp_path):
    # ja / x / X / 1 / JA are yes; nee / 0 / empty are no
    load(con, tmp_path, "wide.csv",
         "Netwerk;Deelnemer;Datum;Directe waarde;Potentiële waarde;Toegepaste waarde;Gerealiseerde waarde;"
         "Transformatieve waarde\n"
         "A;P1;01-10-2024;ja;x;nee;0;\n"
         "A;P2;01-10-2024;1;ja;X;nee;nee\n"
         "A;P3;01-10-2024;JA;nee;nee;nee;1\n")
    assert rows(con, "SELECT participant_id, list(cycle ORDER BY cycle) FROM value_reports GROUP BY 1 ORDER BY 1") == [
        ("P1", ["immediate", "potential"]),
        ("P2", ["applied", "immediate", "potential"]),
        ("P3", ["immediate", "transformative"]),
    ]
    f = vc.funnel(con)
    # immediate P1 P2 P3; potential P1 P2; applied P2; realized none; transformative P3
    assert f["participants"].tolist() == [3, 2, 1, 0, 1]
    # got at least this far: P1 potential, P2 applied, P3 transformative -> 3 3 2 1 1
    assert f["value"].tolist() == [3, 3, 2, 1, 1]
    assert nan_list(f["kept_share"]) == [None, 1.0, round(2 / 3, 12), 0.5, 1.0]
    assert set(vc.stories(con)["period"]) == {H2}


def test_dutch_long_cycle_names(con, tmp_path):
    load(con, tmp_path, "long.csv",
         "netwerk;deelnemer;datum;cyclus;beschrijving\n"
         "A;P1;01-10-2024;directe waarde;a\n"
         "A;P1;01-10-2024;Potentiële waarde;b\n"
         "A;P1;01-10-2024;cyclus 3;c\n"
         "A;P1;01-10-2024;gerealiseerd;d\n"
         "A;P2;01-10-2024;reframing;e\n"
         "A;P2;01-10-2024;herkadering;f\n"
         "A;P2;01-10-2024;strategische waarde;g\n"
         "A;P2;01-10-2024;faciliterende waarde;h\n")
    assert rows(con, "SELECT description, cycle FROM value_reports ORDER BY description") == [
        ("a", "immediate"), ("b", "potential"), ("c", "applied"), ("d", "realized"),
        ("e", "transformative"), ("f", "transformative"), ("g", "strategic"), ("h", "enabling")]
    f = vc.funnel(con, measure="reports")
    assert f["reports"].tolist() == [1, 1, 1, 1, 2]
    assert f["value"].tolist() == [6, 5, 4, 3, 2]  # reports in this cycle or a later one
    assert f["participants"].tolist() == [1, 1, 1, 1, 1]  # P2's two reframing reports: one participant
    assert table(vc.side_values(con), ["cycle", "reports"]) == [("strategic", 1), ("enabling", 1)]


# ---------------------------------------------------------------- where value stops


def stages(values: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"cycle": FUNNEL, "value": values})


def test_where_value_stops_on_hand_made_funnels():
    # 10 -> 4 (.4, a prompt) -> 3 (.75) -> 1 (1/3, a prompt) -> 0 (0, a prompt); sorted by what is kept
    got = vc.where_value_stops(stages([10, 4, 3, 1, 0]))
    assert [(d["from"], d["to"]) for d in got] == [
        ("realized", "transformative"), ("applied", "realized"), ("immediate", "potential")]
    assert [d["kept_share"] for d in got] == pytest.approx([0.0, 1 / 3, 0.4])
    # exactly half is not a drop below half; after an empty stage there is nothing to compare
    assert vc.where_value_stops(stages([10, 5, 5, 0, 3])) == [
        {"from": "applied", "to": "realized", "kept_share": 0.0}]
    # a first stage below 5 says too little
    assert vc.where_value_stops(stages([4, 1, 0, 0, 0])) == []
    assert vc.where_value_stops(stages([5, 1, 1, 1, 1])) == [
        {"from": "immediate", "to": "potential", "kept_share": 0.2}]
    assert vc.where_value_stops(stages([4, 1, 0, 0, 0]), min_first=4)[0]["kept_share"] == 0.0
    assert vc.where_value_stops(pd.DataFrame(columns=["cycle", "value"])) == []


def test_where_value_stops_on_the_store(store_values):
    f = vc.funnel(store_values, vc.Filters(networks=("A",)))
    # participants 6 3 2 2 2: 3/6 = .5 is not below half, 2/3 and 1 neither: no prompt
    assert vc.where_value_stops(f) == []
    # reports 15 7 4 2 2: 7/15 prompt; 4/7 not; 2/4 = .5 not; 1 not
    got = vc.where_value_stops(vc.funnel(store_values, vc.Filters(networks=("A",)), measure="reports"))
    assert [(d["from"], d["to"], round(d["kept_share"], 6)) for d in got] == [
        ("immediate", "potential", round(7 / 15, 6))]
    # 2025-H1 alone has 4 at the first stage: too few to say anything
    assert vc.where_value_stops(vc.funnel(store_values, vc.Filters(networks=("A",), periods=(H1,)))) == []


def test_newest_story_per_cycle_is_chosen_in_the_query(store_values):
    con = store_values
    every = vc.stories(con)
    newest = vc.stories(con, per_cycle=1)
    want = every.drop_duplicates("cycle").reset_index(drop=True)  # every is newest first
    assert len(newest) == every["cycle"].nunique() >= 2
    pd.testing.assert_frame_equal(newest.reset_index(drop=True), want)
    two = vc.stories(con, per_cycle=2)
    assert (two.groupby("cycle").size() <= 2).all() and len(two) > len(newest)


def test_stories_carry_each_reporters_role_and_anonymous_ones_unknown(store_values):
    s = vc.stories(store_values, pseudonymise=False)  # the label is the person's name
    roles = dict(store_values.execute("SELECT name, role FROM people").fetchall())
    assert len(roles) == 6
    named = s[s["participant"].isin(list(roles))]
    assert len(named) and named["role"].tolist() == [roles[n] for n in named["participant"]]
    assert (s.loc[s["participant"] == "—", "role"] == "unknown").all() and (s["participant"] == "—").any()


@pytest.mark.parametrize("by", [(), ("period",), ("network", "period"), ("role",), ("network", "role")])
def test_funnel_in_one_pass_equals_cycle_and_reached_counts(con, tmp_path, by):
    """The funnel's one query gives what cycle_counts and reached_counts give apart, on messy random
    reports: anonymous rows, groups with side cycles only, people without a role or outside the people file."""
    import numpy as np

    rng = np.random.default_rng(len(by) * 7 + 3)
    cycles = ["immediate", "potential", "applied", "realized", "transformative", "strategic", "enabling"]
    lines = ["network,participant_id,date,cycle,description"]
    for i in range(400):
        pid = "" if rng.random() < 0.15 else f"P{rng.integers(0, 45)}"
        date = f"202{rng.integers(3, 6)}-0{rng.integers(1, 10)}-15"
        lines.append(f"{'ABC'[rng.integers(0, 3)]},{pid},{date},{cycles[rng.integers(0, 7)]},verhaal {i}")
    lines.append("D,P99,2024-03-01,strategic,alleen een zijwaarde")  # a group with no funnel report
    load(con, tmp_path, "people.csv", "participant_id,name,network,role\n"
         + "".join(f"P{i},Naam {i},A,{'teacher' if i % 3 else ''}\n" for i in range(40)))
    load(con, tmp_path, "values.csv", "\n".join(lines) + "\n")
    for f in (vc.Filters(), vc.Filters(networks=("A", "D")), vc.Filters(roles=("teacher",))):
        one = vc.funnel(con, f, by)
        counts = vc.cycle_counts(con, f, by).drop(columns=["cycle_order"])
        reached = vc.reached_counts(con, f, by)
        groups = counts[list(by)].drop_duplicates() if by else pd.DataFrame(index=[0])
        stages = pd.DataFrame({"cycle": FUNNEL})
        want = (groups.merge(stages, how="cross").merge(counts, on=[*by, "cycle"], how="left")
                .merge(reached, on=[*by, "cycle"], how="left").fillna(0))
        cols = ["participants", "reports", "reached_participants", "reached_reports"]
        assert len(one) == len(want) > 0
        key = [*by, "cycle"]
        got = one[[*key, *cols]].astype(str).sort_values(key).values.tolist()
        exp = want[[*key, *cols]].astype({c: "int64" for c in cols}).astype(str).sort_values(key).values.tolist()
        assert got == exp
        if "D" in (f.networks or ()) and by == ("network", "period"):
            assert one[one["network"] == "D"]["value"].tolist() == [0] * 5
