"""The command line, run in-process (``analytics.cli.main``) on small store files, with hand-checked numbers."""

from __future__ import annotations

import contextlib
import io
import json
import math

import pytest

from analytics.cli import main as cli
from analytics.definitions import value_cycles
from analytics.store import database as store
from analytics.store.db import rows, scalar

PEOPLE = """participant_id,name,network,organisation,role
P1,Anouk Smit,R,School A,teacher
P2,Bram Bos,R,School A,teacher
P3,Cor Dijk,R,School B,teacher
P4,Dirk Mol,R,School A,coach
P5,Eva Kok,R,School B,teacher
"""
NAMES = ["Anouk Smit", "Bram Bos", "Cor Dijk", "Dirk Mol", "Eva Kok"]
# P1 <-> P2, P2 <-> P3, P1 -> P3, P3 -> P4; P5 has no tie.
TIES = """network,source,target,date
R,P1,P2,2025-03-01
R,P2,P1,2025-03-01
R,P2,P3,2025-03-01
R,P3,P2,2025-03-01
R,P3,P4,2025-03-01
R,P1,P3,2025-03-01
"""
# 0-10. Dimension 1 = 1a, 1b: respondent means (.2+.4)/2 = .3, (.4+.6)/2 = .5, (.6+.8)/2 = .7.
# 2a: only two respondents (suppressed).
DIMS = """network,date,participant_id,1a (0-10),1b (0-10),2a (0-10)
R,2025-03-01,P1,2,4,1
R,2025-03-01,P2,4,6,5
R,2025-03-01,P3,6,8,
"""
VALUES = """network,participant_id,date,cycle,description
R,P1,2025-03-01,immediate,Goede bijeenkomst
R,P1,2025-03-01,immediate,Nog een inzicht
R,P2,2025-03-01,immediate,Veel geleerd
R,P1,2025-03-01,potential,Een kijkwijzer
R,P3,2024-10-01,immediate,Eerste keer
"""
# row 3 has a 6 on a 1-5 scale
BAD = """network,date,participant_id,1a (1-5)
R,2025-03-01,P1,4
R,2025-03-01,P2,6
"""


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(folder, name: str, text: str):
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def files(tmp_path):
    return {k: write(tmp_path, f"{k}.csv", v) for k, v in
            (("people", PEOPLE), ("ties", TIES), ("dims", DIMS), ("values", VALUES), ("bad", BAD))}


@pytest.fixture(scope="module")
def full_db(tmp_path_factory):
    """A store with all four files, shared by the read-only commands."""
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "full.duckdb"
    paths = [write(folder, f"{k}.csv", v) for k, v in
             (("people", PEOPLE), ("ties", TIES), ("dims", DIMS), ("values", VALUES))]
    assert cli.main(["import", *map(str, paths), "--db", str(db)]) == 0
    return db


def count(db, table: str) -> int:
    con = store.connect(db)
    try:
        return scalar(con, f"SELECT count(*) FROM {table}")
    finally:
        con.close()


# ---------------------------------------------------------------- import, validate, imports, undo


def test_import(capsys, files, db_file):
    code, out, _ = run(capsys, "import", files["people"], "--db", db_file)
    assert code == 0
    assert "✓ people.csv: 5 row(s) imported as" in out and "(import 1)" in out
    code, out, _ = run(capsys, "import", files["dims"], "--db", db_file)
    assert code == 0 and "8 row(s) imported" in out  # 3 + 3 + 2 marks
    assert "scale 0-10 (header)" in out
    assert count(db_file, "dimension_scores") == 8


def test_importing_the_same_file_twice_adds_nothing(capsys, files, db_file):
    run(capsys, "import", files["people"], "--db", db_file)
    code, out, _ = run(capsys, "import", files["people"], "--db", db_file)
    assert code == 0 and "already imported (import 1); nothing added" in out
    assert count(db_file, "participants") == 5


def test_validate_bad_file(capsys, files, db_file):
    code, out, err = run(capsys, "validate", files["bad"], "--db", db_file)
    assert code == 1
    assert "✗ bad.csv: 1 of 2 row(s) valid" in out
    problem = [line for line in out.splitlines() if line.strip().startswith("[error]")]
    assert len(problem) == 1
    assert problem[0].strip().startswith("[error] row 3, column '1a (1-5)': '6'")
    assert "error: bad.csv: has errors" in err
    assert count(db_file, "imports") == 0 and count(db_file, "dimension_scores") == 0


def test_validate_good_file_stores_nothing(capsys, files, db_file):
    code, out, _ = run(capsys, "validate", files["dims"], "--db", db_file)
    assert code == 0 and "✓ dims.csv: 3 of 3 row(s) valid" in out
    assert count(db_file, "imports") == 0 and count(db_file, "dimension_scores") == 0


def test_import_bad_file_is_refused(capsys, files, db_file):
    code, out, err = run(capsys, "import", files["bad"], "--db", db_file)
    assert code == 1
    assert "[error] row 3, column '1a (1-5)': '6'" in out
    assert "nothing was imported" in err
    assert count(db_file, "imports") == 0 and count(db_file, "dimension_scores") == 0


def test_a_rejected_rows_file_can_be_checked_again(capsys, files, db_file, tmp_path):
    """Was: the rejected-rows file has a 'file' column of its own, and checking it again crashed with
    'cannot insert file, already exists'. Its report columns now step aside: '_file', '_row', '_reasons'."""
    code, out, _ = run(capsys, "validate", files["bad"], "--db", db_file)
    assert code == 1 and "✗ bad.csv: 1 of 2 row(s) valid" in out
    rejected = tmp_path / "rejected.csv"
    code, out, err = run(capsys, "import", files["bad"], "--db", db_file, "--skip-invalid", "--rejected-out", rejected)
    assert code == 0 and "✓ bad.csv: 1 row(s) imported" in out
    lines = rejected.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["file,row,reasons,network,date,participant_id,1a (1-5)",
                     "bad.csv,3,1a (1-5): outside_scale (1–5),R,2025-03-01,P2,6"]

    code, out, err = run(capsys, "validate", rejected, "--db", db_file)
    assert code == 1 and "Traceback" not in err
    assert out.splitlines()[:5] == [
        "✗ rejected.csv: 0 of 1 row(s) valid (dimension scores)",
        "  read as a hand-made table, csv, utf-8-sig, delimiter ','",
        "  scale 1-5 (header)",
        "  ignored columns: file, row, reasons",
        "  1 error(s), 0 note(s); rows refused: 1, skipped: 0",
    ]
    assert out.splitlines()[5].strip() == "[error] row 2, column '1a (1-5)': '6' score lies outside the scale 1–5 (not clipped)"
    assert err.splitlines() == ["error: rejected.csv: has errors"]

    again = tmp_path / "rejected_again.csv"
    code, out, err = run(capsys, "import", rejected, "--db", db_file, "--skip-invalid", "--rejected-out", again)
    assert code == 0 and "Traceback" not in err
    assert again.read_text(encoding="utf-8-sig").splitlines() == [
        "_file,_row,_reasons,file,row,reasons,network,date,participant_id,1a (1-5)",
        "rejected.csv,2,1a (1-5): outside_scale (1–5),bad.csv,3,1a (1-5): outside_scale (1–5),R,2025-03-01,P2,6",
    ]
    assert count(db_file, "dimension_scores") == 1


def test_import_json(capsys, files, db_file):
    code, out, _ = run(capsys, "import", files["dims"], "--json", "--db", db_file)
    assert code == 0
    [rec] = json.loads(out)
    assert {"file", "status", "kind", "rows_imported", "problems"} <= set(rec)
    assert (rec["file"], rec["status"], rec["kind"], rec["rows_imported"], rec["import_id"]) == (
        "dims.csv", "imported", "dimension_scores", 8, 1)
    assert rec["problems"] == []
    assert rec["scales"] == {c: {"min": 0.0, "max": 10.0, "source": "header"} for c in ("1a", "1b", "2a")}

    code, out, _ = run(capsys, "import", files["bad"], "--json", "--db", db_file)
    assert code == 1
    [rec] = json.loads(out)
    assert (rec["status"], rec["kind"], rec["rows_imported"]) == ("rejected", "dimension_scores", 0)
    assert [(p["row"], p["column"], p["code"], p["value"], p["severity"]) for p in rec["problems"]] == [
        (3, "1a (1-5)", "outside_scale", "6", "error")]


def test_imports_listing(capsys, files, db_file):
    assert run(capsys, "imports", "--db", db_file)[1].strip() == "no imports yet"
    run(capsys, "import", files["people"], "--db", db_file)
    run(capsys, "import", files["ties"], "--db", db_file)
    code, out, _ = run(capsys, "imports", "--db", db_file)
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "1" and lines[0].endswith("people.csv") and "5 rows" in lines[0]
    assert lines[1].split()[0] == "2" and lines[1].endswith("ties.csv") and "6 rows" in lines[1]
    recs = json.loads(run(capsys, "imports", "--json", "--db", db_file)[1])
    assert [(r["import_id"], r["file_name"], r["kind"], r["rows_imported"], r["undone_at"]) for r in recs] == [
        (1, "people.csv", "participants", 5, None), (2, "ties.csv", "ties", 6, None)]
    assert all("details" not in r for r in recs)


def test_undo(capsys, files, db_file):
    run(capsys, "import", files["people"], "--db", db_file)
    run(capsys, "import", files["values"], "--db", db_file)
    code, out, _ = run(capsys, "undo", "2", "--db", db_file)
    assert code == 0
    assert out.strip() == "import 2 undone: removed 5 value_reports"
    assert count(db_file, "value_reports") == 0 and count(db_file, "participants") == 5
    code, out, err = run(capsys, "undo", "2", "--db", db_file)
    assert code == 1 and out == ""
    assert err.strip() == "error: import 2 was already undone"
    code, _, err = run(capsys, "undo", "9", "--db", db_file)
    assert code == 1 and err.strip() == "error: there is no import 9"
    listing = run(capsys, "imports", "--db", db_file)[1].strip().splitlines()
    assert "undone" in listing[1] and "undone" not in listing[0]


def test_import_lines_follow_a_redirected_stdout(files, db_file):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = cli.main(["import", str(files["people"]), "--db", str(db_file)])
    assert code == 0
    assert "✓ people.csv: 5 row(s) imported" in buf.getvalue()


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize("spec,message", [
    ("5-1", "the maximum must be above the minimum"),
    ("abc", "write it as MIN-MAX or CODE=MIN-MAX"),
    ("1a=x-10", "write it as MIN-MAX or CODE=MIN-MAX"),
    ("3", "write it as MIN-MAX or CODE=MIN-MAX"),
    ("2-2", "the maximum must be above the minimum"),
    ("0-inf", "write it as MIN-MAX or CODE=MIN-MAX"),
    ("nan-5", "write it as MIN-MAX or CODE=MIN-MAX"),
])
def test_scale_errors_exit_2(capsys, files, db_file, spec, message):
    code, out, err = run(capsys, "import", files["dims"], "--scale", spec, "--db", db_file)
    assert code == 2 and out == ""
    assert err.startswith("error: scale ") and message in err


def test_a_hand_mapping_to_an_unknown_indicator_names_header_and_code(capsys, tmp_path, db_file):
    """Was: --map 'H=indicator:2b;x' put the code into the query ("Parser Error"), and a made-up code 'zz'
    dropped the column's scores without a word."""
    f = write(tmp_path, "q.csv", "network,date,participant_id,1a (0-10),Vraag 7\nR,2025-03-01,P1,4,5\n")
    known = "1a, 1b, 2a, 2b, 3a, 3b, 3c, 4a, 4b, 4c, 4d"
    for code in ("zz", "2b;x"):
        rc, out, err = run(capsys, "import", f, "--db", db_file, "--map", f"Vraag 7=indicator:{code}")
        message = f"q.csv, column Vraag 7: '{code}' is no indicator code of the instrument 'dimensions' (known: {known})"
        assert rc == 1 and out.splitlines()[0] == f"✗ {message}"
        assert err.splitlines() == [f"error: {message}"]
    assert count(db_file, "imports") == 0


def test_scores_beyond_every_scale_are_listed_per_cell_and_scales_per_indicator(capsys, tmp_path, db_file):
    f = write(tmp_path, "s.csv", "network,date,participant_id,1a (0-200),1b\nR,2025-03-01,P1,150,9\n"
                                 "R,2025-03-01,P2,3,-1\nR,2025-03-01,P3,4,0\n")
    code, out, err = run(capsys, "validate", f, "--db", db_file)
    assert code == 1
    assert out.splitlines() == [
        "✗ s.csv: 2 of 3 row(s) valid (dimension scores)",
        "  read as a hand-made table, csv, utf-8, delimiter ','",
        "  scale 0-10 (suggested): 1b; 0-200 (header): 1a",
        "  scale not confirmed: the file does not state its scale (values seen: 0–9). Confirm or change it: "
        "pass --scale 0-10 if that is the form's scale, or the real one (e.g. --scale 1-7).",
        "  2 error(s), 0 note(s); rows refused: 1, skipped: 0",
        "  [error] row 3, column '1b': '-1' below 0: outside every supported scale (1–5, 1–7, 0–10, 0–100); "
        "declare the scale (the Scale field; --scale on the command line)",
        "  [error] file: the file does not state its scale; suggested 0-10, not yet confirmed",
    ]
    assert err.splitlines() == [
        "error: s.csv: the file does not state its scale (values seen: 0–9). Confirm or change it: pass "
        "--scale 0-10 if that is the form's scale, or the real one (e.g. --scale 1-7)."]


def test_a_declared_scale_is_used(capsys, files, db_file):
    # --scale 0-20: 1a mark 2 -> 2/20 = .1
    code, out, _ = run(capsys, "import", files["dims"], "--scale", "0-20", "--db", db_file)
    assert code == 0 and "scale 0-20 (declared)" in out
    con = store.connect(db_file)
    try:
        assert scalar(con, "SELECT position FROM dimension_scores WHERE participant_id = 'P1' AND indicator = '1a'") \
            == pytest.approx(0.1)
    finally:
        con.close()


def test_missing_file_exit_2(capsys, tmp_path, db_file):
    code, out, err = run(capsys, "import", tmp_path / "nope.csv", "--db", db_file)
    assert code == 2 and out == ""
    assert "error: no such file" in err and "nope.csv" in err


def test_wrong_choice_is_an_argparse_error(capsys, db_file):
    with pytest.raises(SystemExit) as e:
        cli.main(["dimensions", "--by", "person", "--db", str(db_file)])
    assert e.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# ---------------------------------------------------------------- analysis commands


def test_dimensions_json(capsys, full_db):
    code, out, _ = run(capsys, "dimensions", "--json", "--db", full_db)
    assert code == 0
    recs = json.loads(out)
    assert isinstance(recs, list)
    assert all(set(r) == {"network", "period", "situation", "code", "n", "mean", "ci_low", "ci_high", "iqr", "rwg"}
               for r in recs)
    by = {r["code"]: r for r in recs}
    assert sorted(by) == ["1", "2"]
    # dimension 1: respondent means .3 .5 .7 -> mean .5 (a position, 0-1); IQR: h = .5 -> .4, h = 1.5 -> .6: .2
    one = by["1"]
    assert (one["network"], one["period"], one["situation"], one["n"]) == ("R", "2025-H1", "current", 3)
    assert one["mean"] == pytest.approx(0.5, abs=1e-12) and 0 <= one["mean"] <= 1
    assert one["iqr"] == pytest.approx(0.2, abs=1e-12)
    # 95% bootstrap over the three respondents: a resample of three from {.3, .5, .7} has mean .3 (all three
    # draws .3) with probability 1/27 = 3.7% > 2.5%, and .7 likewise: the interval is exactly [.3, .7].
    assert (one["ci_low"], one["ci_high"]) == (pytest.approx(0.3), pytest.approx(0.7))
    # r_wg = 1 - sample variance / (1/12): variance (.04 + 0 + .04) / 2 = .04 -> 1 - .48 = .52
    assert one["rwg"] == pytest.approx(0.52)
    # dimension 2: two respondents -> n shown, mean, interval and IQR withheld (null)
    assert (by["2"]["n"], by["2"]["mean"], by["2"]["ci_low"], by["2"]["ci_high"], by["2"]["iqr"]) == (
        2, None, None, None, None)


def test_dimensions_by_indicator(capsys, full_db):
    recs = json.loads(run(capsys, "dimensions", "--by", "indicator", "--json", "--db", full_db)[1])
    got = {r["code"]: (r["n"], r["mean"], r["iqr"]) for r in recs}
    # 1a .2 .4 .6 -> .4; 1b .4 .6 .8 -> .6; both IQR .2; 2a n = 2
    assert got == {"1a": (3, pytest.approx(0.4), pytest.approx(0.2)), "1b": (3, pytest.approx(0.6), pytest.approx(0.2)),
                   "2a": (2, None, None)}
    assert [r["code"] for r in recs] == ["1a", "1b", "2a"]


def test_dimensions_table_and_network_filter(capsys, full_db):
    code, out, _ = run(capsys, "dimensions", "--db", full_db)
    lines = out.splitlines()
    assert lines[0].split("\t") == ["network", "period", "situation", "code", "n", "mean", "ci_low", "ci_high",
                                    "iqr", "rwg"]
    assert lines[1].split("\t")[:5] == ["R", "2025-H1", "current", "1", "3"]
    assert lines[2].split("\t") == ["R", "2025-H1", "current", "2", "2", "", "", "", "", ""]
    assert run(capsys, "dimensions", "--network", "Elders", "--db", full_db)[1].strip() == "no data"


def test_values_json(capsys, full_db):
    code, out, _ = run(capsys, "values", "--json", "--db", full_db)
    assert code == 0
    recs = json.loads(out)
    cycles = ["immediate", "potential", "applied", "realized", "transformative", "strategic", "enabling"]
    # every cycle for every network and period with reports, zero where nobody reached it
    assert [(r["period"], r["cycle"]) for r in recs] == [(p, c) for p in ("2024-H2", "2025-H1") for c in cycles]
    assert {r["network"] for r in recs} == {"R"}
    got = {(r["period"], r["cycle"]): (r["participants"], r["reports"]) for r in recs}
    # 2024-H2: P3 immediate; 2025-H1: immediate P1 x2 + P2 (2 participants, 3 reports), potential P1
    assert {k: v for k, v in got.items() if v != (0, 0)} == {
        ("2024-H2", "immediate"): (1, 1), ("2025-H1", "immediate"): (2, 3), ("2025-H1", "potential"): (1, 1)}
    # the funnel's own count, got at least this far: 2025-H1 P1 (potential) and P2 (immediate) -> 2, 1, 0...
    h1 = [r for r in recs if r["period"] == "2025-H1"]
    assert [r["reached_participants"] for r in h1[:5]] == [2, 1, 0, 0, 0]
    assert [r["reached_reports"] for r in h1[:5]] == [4, 1, 0, 0, 0]
    assert all("reached_participants" not in r for r in h1[5:])  # side values are beside the funnel
    # shares of the people who reported value (2 in 2025-H1), with a Wilson interval: 1 of 2 got to potential.
    z = 1.959963984540054
    centre, half = (0.5 + z * z / 4) / (1 + z * z / 2), z * math.sqrt(0.25 / 2 + z * z / 16) / (1 + z * z / 2)
    pot = h1[1]
    assert (pot["base"], pot["share"]) == (2, 0.5)
    assert (pot["ci_low"], pot["ci_high"]) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert (round(pot["ci_low"], 4), round(pot["ci_high"], 4)) == (0.0945, 0.9055)
    assert (h1[0]["share"], h1[0]["ci_high"], h1[2]["share"], h1[2]["ci_low"]) == (1.0, 1.0, 0.0, 0.0)


def test_analysis_commands_refuse_a_database_that_is_not_there(capsys, tmp_path):
    for command in ("dimensions", "values", "metrics"):
        code, out, err = run(capsys, command, "--json", "--db", tmp_path / "tpyo.duckdb")
        assert code == 2 and out == "" and "there is no database at" in err
    assert not (tmp_path / "tpyo.duckdb").exists()


def test_dimensions_of_an_own_instrument(capsys, tmp_path):
    from test_frameworks import OWN

    definition = tmp_path / "own.toml"
    definition.write_text(OWN, encoding="utf-8")
    scores = tmp_path / "scores.csv"
    scores.write_text("netwerk;datum;deelnemer;p1 (1-5);p2 (1-5);q1 (1-5)\n"
                      "R;10-03-2025;A;4;3;1\nR;10-03-2025;B;3;3;3\nR;10-03-2025;C;2;3;5\n", encoding="utf-8")
    db = tmp_path / "own.duckdb"
    assert run(capsys, "import", scores, "--db", db, "--framework", definition)[0] == 0
    recs = json.loads(run(capsys, "dimensions", "--json", "--db", db, "--framework", definition)[1])
    assert {(r["code"], r["n"], round(r["mean"], 6)) for r in recs} == {("P", 3, 0.5), ("Q", 3, 0.5)}
    assert json.loads(run(capsys, "dimensions", "--json", "--db", db)[1]) == []  # the default instrument: none
    code, _, err = run(capsys, "dimensions", "--json", "--db", db, "--framework", tmp_path / "nope.toml")
    assert code == 2 and "nope.toml" in err


def test_metrics_json(capsys, full_db):
    code, out, _ = run(capsys, "metrics", "--json", "--no-pseudonymise", "--db", full_db)
    assert code == 0
    [m] = json.loads(out)
    keys = {"nodes", "edges", "density", "reciprocity", "weak_components", "isolates", "clustering", "ei_index",
            "top_betweenness", "top_in_degree"}
    assert keys <= set(m)
    assert (m["network"], m["period"]) == ("R", "2025-H1")
    # five members (P5 without ties counts), six ties
    assert (m["nodes"], m["edges"]) == (5, 6)
    assert m["density"] == pytest.approx(6 / (5 * 4))  # .3
    # undirected pairs P1P2, P2P3, P1P3, P3P4 = 4; 6 - 4 = 2 reciprocated pairs -> 2*2/6
    assert m["reciprocity"] == pytest.approx(4 / 6)
    assert m["weak_components"] == 2  # {P1..P4}, {P5}
    assert m["isolates"] == ["P5"]
    # clustering (undirected): P1 1, P2 1, P3 1/3 (of P1-P2, P1-P4, P2-P4 only P1-P2), P4 0, P5 0 -> 2.333/5
    assert m["clustering"] == pytest.approx((1 + 1 + 1 / 3) / 5)
    # organisation: A A B A B; ties across P2->P3, P3->P2, P1->P3, P3->P4 = 4, inside 2 -> (4-2)/6
    # role: only P3->P4 (teacher -> coach) across -> (1-5)/6
    assert m["ei_index"] == {"organisation": pytest.approx(1 / 3), "role": pytest.approx(-2 / 3)}
    # betweenness: P3 on P1->P4 and P2->P4, P2 on P3->P1: 2/12 and 1/12
    assert m["top_betweenness"] == ["P3", "P2"]
    # in-degree: P2 2, P3 2, P1 1, P4 1 (ties: by id)
    assert m["top_in_degree"] == ["P2", "P3", "P1", "P4"]


def test_metrics_names_people_by_their_codes_by_default(capsys, full_db):
    """As in the app: the people a measure names are given by the codes the tie map carries."""
    con = store.connect(full_db)
    codes = dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))
    con.close()
    [m] = json.loads(run(capsys, "metrics", "--json", "--db", full_db)[1])
    assert m["isolates"] == [codes["P5"]]
    assert m["top_betweenness"] == [codes["P3"], codes["P2"]]
    assert m["top_in_degree"] == sorted([codes["P2"], codes["P3"]]) + sorted([codes["P1"], codes["P4"]])
    assert not any(p in json.dumps(m) for p in ("P1", "P2", "P3", "P4", "P5"))


def test_metrics_text_and_period(capsys, full_db):
    code, out, _ = run(capsys, "metrics", "--db", full_db)
    assert code == 0
    header, line = out.strip().splitlines()
    assert header.split("\t")[:7] == ["network", "period", "tie_type", "nodes", "edges", "density", "reciprocity"]
    row = dict(zip(header.split("\t"), line.split("\t"), strict=True))
    assert (row["network"], row["period"], row["nodes"], row["edges"], row["density"], row["reciprocity"],
            row["isolates"]) == ("R", "2025-H1", "5", "6", "0.3", "0.667", "1")
    assert json.loads(run(capsys, "metrics", "--json", "--period", "2024-H2", "--db", full_db)[1])[0]["edges"] == 0


# ---------------------------------------------------------------- report


def test_report_is_pseudonymised_by_default(capsys, full_db, tmp_path):
    out_file = tmp_path / "report.html"
    code, _, err = run(capsys, "report", "--out", out_file, "--db", full_db)
    assert code == 0 and f"report written to {out_file}" in err
    text = out_file.read_text(encoding="utf-8")
    assert "<html" in text.lower()
    assert [n for n in NAMES if n in text] == []


def test_report_without_pseudonyms_shows_names(capsys, full_db, tmp_path):
    out_file = tmp_path / "named.html"
    code, _, _ = run(capsys, "report", "--out", out_file, "--no-pseudonymise", "--lang", "en", "--db", full_db)
    assert code == 0
    assert "Anouk Smit" in out_file.read_text(encoding="utf-8")


def test_report_unknown_network_exit_2(capsys, full_db, tmp_path):
    code, _, err = run(capsys, "report", "--out", tmp_path / "x.html", "--network", "Elders", "--db", full_db)
    assert code == 2 and "unknown network(s): Elders" in err
    assert not (tmp_path / "x.html").exists()


# ---------------------------------------------------------------- every command, plain and JSON

#: Commands that print records: their plain table and their --json list hold the same rows.
RECORD_COMMANDS = {
    "dimensions": [], "values": [], "metrics": [], "imports": [],
}


@pytest.mark.parametrize("command", sorted(RECORD_COMMANDS))
def test_plain_and_json_forms_hold_the_same_rows(capsys, full_db, command):
    code, plain, err = run(capsys, command, "--db", full_db, *RECORD_COMMANDS[command])
    assert code == 0, err
    code, as_json, err = run(capsys, command, "--db", full_db, "--json", *RECORD_COMMANDS[command])
    assert code == 0, err
    records = json.loads(as_json)
    assert records, f"{command} printed no records on the full store"
    lines = [ln for ln in plain.rstrip("\n").split("\n") if ln]
    if command == "imports":  # one line per import, no header
        assert len(lines) == len(records)
        assert all(str(r["import_id"]) in ln for r, ln in zip(records, lines, strict=True))
    else:  # a header, then one tab-separated line per record, in the same order
        header = lines[0].split("\t")
        assert len(lines) - 1 == len(records)
        for r, ln in zip(records, lines[1:], strict=True):
            cells = dict(zip(header, ln.split("\t"), strict=True))
            assert cells["network"] == r["network"] and cells["period"] == r["period"]


def test_plain_values_lists_every_cycle_with_the_funnel_counts(capsys, full_db):
    """Plain ``values`` used to crash on the cycle outside the funnel (a KeyError)."""
    code, out, err = run(capsys, "values", "--db", full_db)
    assert code == 0, err
    header, *lines = out.rstrip("\n").split("\n")
    assert header.split("\t") == ["network", "period", "cycle", "participants", "reports", "reached_participants",
                                  "reached_reports", "base", "share", "ci_low", "ci_high"]
    by_period: dict[tuple, list[str]] = {}
    for ln in lines:
        cells = ln.split("\t")
        by_period.setdefault((cells[0], cells[1]), []).append(cells[2])
    assert by_period and all(c == [v.code for v in value_cycles()] for c in by_period.values())


def test_every_command_is_registered_by_its_module_and_tested_here():
    """Each command registers itself (``set_defaults(func=...)``); a new one must get a test that runs it."""
    from analytics.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = set(sub.choices)
    for name, p in sub.choices.items():
        assert callable(p.get_default("func")), name
    from pathlib import Path

    source = "".join(f.read_text(encoding="utf-8") for f in Path(__file__).parent.glob("test_*.py"))
    untested = sorted(n for n in names if f'"{n}"' not in source)
    assert not untested, f"commands no test runs by name: {untested}"


def test_sample_and_load_sample(capsys, tmp_path):
    code, out, _ = run(capsys, "sample", "--out", tmp_path / "s", "--scale", "0.05")
    assert code == 0 and "participants:" in out
    db = tmp_path / "demo.duckdb"
    code, out, _ = run(capsys, "load-sample", "--db", db)
    assert code == 0 and out.count("✓") >= 4
    assert count(db, "participants") > 0


def test_set_password_writes_a_hash_not_the_password(capsys, tmp_path, monkeypatch):
    import getpass

    answers = iter(["correct horse", "correct horse"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    secrets = tmp_path / "secrets.toml"
    code, out, _ = run(capsys, "set-password", "--secrets", secrets)
    assert code == 0 and "password set" in out
    text = secrets.read_text(encoding="utf-8")
    assert "correct horse" not in text and len(text) > 20
    answers = iter(["one", "two"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert run(capsys, "set-password", "--secrets", tmp_path / "other.toml")[0] == 1
