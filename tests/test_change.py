"""Change between two periods on a hand-made two-wave set: the group's change and the paired change."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import load

from analytics.cli.main import main as cli_main
from analytics.measures import change as ch
from analytics.measures import dimensions as dims

PEOPLE = """participant_id,name,network,organisation,role
P1,Anouk Smit,R,School A,teacher
P2,Bram Bos,R,School A,teacher
P3,Cor Dijk,R,School B,teacher
P4,Dirk Mol,R,School B,teacher
P5,Eva Kok,R,School B,teacher
"""
# 1a on 0-10. Wave A (2024-H2): P1 2, P2 4, P3 6, P4 8. Wave B (2025-H1): P1 4, P2 4, P3 5, P5 10.
# Pairs: P1 .2 -> .4 (+.2, towards the right pole), P2 .4 -> .4 (0, stayed), P3 .6 -> .5 (-.1, towards left).
WAVES = """network,date,participant_id,1a (0-10)
R,2024-10-01,P1,2
R,2024-10-01,P2,4
R,2024-10-01,P3,6
R,2024-10-01,P4,8
R,2025-03-01,P1,4
R,2025-03-01,P2,4
R,2025-03-01,P3,5
R,2025-03-01,P5,10
"""


@pytest.fixture
def two_waves(con, tmp_path):
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "waves.csv", WAVES)
    return con


def test_units_are_one_position_per_respondent_and_period(two_waves):
    u = dims.units(two_waves, dims.Filters(), by="indicator")
    assert sorted(zip(u["period"], u["respondent"], u["position"].round(6), strict=True)) == [
        ("2024-H2", "P1", 0.2), ("2024-H2", "P2", 0.4), ("2024-H2", "P3", 0.6), ("2024-H2", "P4", 0.8),
        ("2025-H1", "P1", 0.4), ("2025-H1", "P2", 0.4), ("2025-H1", "P3", 0.5), ("2025-H1", "P5", 1.0)]


def test_paired_change_counts_pairs_and_movement_towards_each_pole(two_waves):
    u = dims.units(two_waves, dims.Filters(), by="indicator")
    p = ch.paired_change(u, "2024-H2", "2025-H1").iloc[0]
    assert (p["code"], p["pairs"], p["to_left"], p["to_right"], p["stayed"]) == ("1a", 3, 1, 1, 1)
    assert p["mean_a"] == pytest.approx(0.4) and p["mean_b"] == pytest.approx(1.3 / 3)
    assert p["change"] == pytest.approx(0.1 / 3)  # (+.2 + 0 - .1) / 3
    # Differences {-.1, 0, +.2}: a resample of three is all -.1 with probability 1/27 = 3.7% > 2.5% (and all
    # +.2 likewise), so the 95% bootstrap interval is exactly [-.1, +.2].
    assert (p["ci_low"], p["ci_high"]) == (pytest.approx(-0.1), pytest.approx(0.2))
    assert not p["suppressed"]


def test_paired_change_is_hidden_below_the_group_threshold_and_tolerance_is_a_choice(two_waves):
    u = dims.units(two_waves, dims.Filters(), by="indicator")
    p = ch.paired_change(u, "2024-H2", "2025-H1", min_group=4).iloc[0]
    assert p["pairs"] == 3 and p["suppressed"]
    assert pd.isna(p["change"]) and pd.isna(p["ci_low"]) and pd.isna(p["to_left"])
    wide = ch.paired_change(u, "2024-H2", "2025-H1", tolerance=0.15).iloc[0]
    assert (wide["to_left"], wide["to_right"], wide["stayed"]) == (0, 1, 2)  # -.1 now counts as staying


def test_group_change_uses_everybody_who_answered(two_waves):
    u = dims.units(two_waves, dims.Filters(), by="indicator")
    g = ch.group_change(u, "2024-H2", "2025-H1").iloc[0]
    # A: (.2 + .4 + .6 + .8) / 4 = .5; B: (.4 + .4 + .5 + 1) / 4 = .575
    assert (g["n_a"], g["n_b"]) == (4, 4)
    assert (g["mean_a"], g["mean_b"], g["change"]) == (pytest.approx(0.5), pytest.approx(0.575), pytest.approx(0.075))
    # Independent resamples: the difference lies between the most extreme resample means (.4 - .8, 1 - .2).
    assert -0.4 <= g["ci_low"] < 0.075 < g["ci_high"] <= 0.8


def test_between_puts_group_and_paired_side_by_side(two_waves):
    out = ch.between(two_waves, "2024-H2", "2025-H1")
    r = out[out["code"] == "1a"].iloc[0]
    assert (r["network"], r["n_a"], r["n_b"], r["pairs"]) == ("R", 4, 4, 3)
    assert r["group_change"] == pytest.approx(0.075) and r["paired_change"] == pytest.approx(0.1 / 3)


def test_direction_words_are_poles_not_verdicts():
    assert (ch.direction(0.2), ch.direction(-0.2), ch.direction(0.01)) == ("right", "left", "none")


def test_cli_change_json(two_waves, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    for name, text in (("people.csv", PEOPLE), ("waves.csv", WAVES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert cli_main(["import", str(tmp_path / name), "--db", str(db)]) == 0
    capsys.readouterr()
    assert cli_main(["change", "--from", "2024-H2", "--to", "2025-H1", "--network", "R", "--json",
                     "--db", str(db)]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert set(recs[0]) == {"period_from", "period_to", "network", "code", "n_a", "mean_a", "n_b", "mean_b",
                            "group_change", "group_ci_low", "group_ci_high", "pairs", "paired_mean_a",
                            "paired_mean_b", "paired_change", "paired_ci_low", "paired_ci_high", "to_left",
                            "to_right", "stayed"}
    r = recs[0]
    assert (r["code"], r["pairs"], r["to_left"], r["to_right"], r["stayed"]) == ("1a", 3, 1, 1, 1)
    assert (r["paired_ci_low"], r["paired_ci_high"]) == (pytest.approx(-0.1), pytest.approx(0.2))
    assert cli_main(["change", "--from", "2024-H2", "--to", "2025-H1", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "R 1a: group +0.075" in text and "over 3 pairs; towards left 1, towards right 1, stayed 1" in text
    assert cli_main(["change", "--from", "2019-H1", "--to", "2025-H1", "--db", str(db)]) == 2
    assert "no period '2019-H1'" in capsys.readouterr().err
