"""The meeting loop: networks as things, the measurement rhythm, agreements and interventions with the
before/after of their linked figures, the demo's loop files. Hand-made data, hand-checked numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from analytics.cli import main as cli
from analytics.demo import loop as demo_loop
from analytics.measures import follow_up, timeline
from analytics.measures.rhythm import rhythm, status_of
from analytics.store import agreements as agr
from analytics.store import database as store
from analytics.store import interventions as itv
from analytics.store import networks as netinfo
from analytics.store.db import scalar
from analytics.store.periods import SCHEME_MOMENTS, anchor_month, period_bounds, period_of
from analytics.views.loop import agreement_records, intervention_records
from tests.helpers import load

D = dt.date

PEOPLE = """participant_id,name,network,organisation,role
P1,Anouk Smit,R,School A,teacher
P2,Bram Bos,R,School A,teacher
P3,Cor Dijk,R,School B,coach
Q1,Dora Vis,S,School C,teacher
"""
# 3b on 0-10: March 2, 4, 6 -> positions .2 .4 .6, mean .4; October 6, 8, 7 -> mean .7.
# 2a: two respondents in March (below the small-group threshold of 3).
DIMS = """network,date,participant_id,3b (0-10),2a (0-10)
R,2025-03-01,P1,2,5
R,2025-03-01,P2,4,7
R,2025-03-01,P3,6,
R,2025-10-01,P1,6,
R,2025-10-01,P2,8,
R,2025-10-01,P3,7,
"""
# applied value: 2025-H1 P1 and P2 (3 reports), 2025-H2 P1 (1 report).
VALUES = """network,participant_id,date,cycle,description
R,P1,2025-03-05,applied,Kijkwijzer gebruikt
R,P1,2025-04-05,applied,Nog eens
R,P2,2025-03-05,applied,Rubric ingezet
R,P1,2025-10-05,applied,Weer gedaan
"""
# March: 2 ties (P1 <-> P2); October: 3 ties (P1 -> P2 -> P3 -> P1).
TIES = """network,source,target,date
R,P1,P2,2025-03-01
R,P2,P1,2025-03-01
R,P1,P2,2025-10-01
R,P2,P3,2025-10-01
R,P3,P1,2025-10-01
S,Q1,P1,2024-03-01
"""


@pytest.fixture
def data(con, tmp_path):
    for name, text in (("people.csv", PEOPLE), ("dims.csv", DIMS), ("values.csv", VALUES), ("ties.csv", TIES)):
        load(con, tmp_path, name, text)
    return con


# ---------------------------------------------------------------- periods and the rhythm


def test_the_schema_has_the_loop_tables(con):
    assert store.schema_version(con) == store.SCHEMA_VERSION >= 5
    assert any("CREATE TABLE agreements" in stmt for stmt in store.MIGRATIONS[5])
    for table in store.LOOP_TABLES:
        assert scalar(con, f"SELECT count(*) FROM {table}") == 0


@pytest.mark.parametrize("scheme", list(SCHEME_MOMENTS))
@pytest.mark.parametrize("day", [D(2024, 1, 1), D(2024, 7, 31), D(2024, 8, 1), D(2025, 1, 31), D(2025, 2, 1),
                                 D(2025, 6, 30), D(2025, 12, 31)])
def test_period_bounds_match_the_period_labels_of_every_scheme(con, scheme, day):
    start, end = period_bounds(day, SCHEME_MOMENTS[scheme], anchor_month(scheme))

    def label(d: D) -> str:
        return scalar(con, f"SELECT {period_of('d', scheme)} FROM (SELECT ?::DATE AS d)", [d])

    assert start <= day <= end
    assert label(start) == label(day) == label(end)
    assert label(start - dt.timedelta(days=1)) != label(day) and label(end + dt.timedelta(days=1)) != label(day)


@pytest.mark.parametrize("last,status,next_due", [
    (D(2025, 3, 1), "done", D(2025, 12, 31)),      # measured in this half-year: next one by the end of the next
    (D(2025, 1, 1), "done", D(2025, 12, 31)),      # first day of the period counts
    (D(2024, 12, 31), "due", D(2025, 6, 30)),      # last day of the previous half-year: due now
    (D(2024, 7, 1), "due", D(2025, 6, 30)),
    (D(2024, 6, 30), "overdue", D(2024, 12, 31)),  # a whole half-year skipped: was due by the end of 2024-H2
    (D(2023, 3, 1), "overdue", D(2023, 12, 31)),
    (None, "never", D(2025, 6, 30)),
])
def test_half_year_status(last, status, next_due):
    got, due, (start, end) = status_of(last, D(2025, 5, 10), 2, 1)
    assert (got, due, start, end) == (status, next_due, D(2025, 1, 1), D(2025, 6, 30))


@pytest.mark.parametrize("last,status,next_due", [
    (D(2024, 8, 1), "done", D(2025, 7, 31)),       # Aug-Jan period
    (D(2024, 7, 31), "due", D(2025, 1, 31)),       # previous period Feb-Jul 2024
    (D(2024, 1, 31), "overdue", D(2024, 7, 31)),   # in Aug 2023-Jan 2024: was due by the end of July 2024
])
def test_school_half_year_status(last, status, next_due):
    assert status_of(last, D(2025, 1, 20), 2, 8)[:2] == (status, next_due)


def test_quarterly_and_yearly_status():
    assert status_of(D(2025, 8, 15), D(2025, 11, 1), 4, 1)[:2] == ("due", D(2025, 12, 31))
    assert status_of(D(2025, 5, 15), D(2025, 11, 1), 4, 1)[:2] == ("overdue", D(2025, 9, 30))
    assert status_of(D(2025, 1, 2), D(2025, 11, 1), 1, 1)[:2] == ("done", D(2026, 12, 31))
    with pytest.raises(ValueError, match="one of"):
        period_bounds(D(2025, 1, 1), 5)


def test_rhythm_per_network_on_a_store(data):
    netinfo.save(data, "R", moments_per_year=4)
    netinfo.save(data, "T", description="nog zonder metingen")  # described, no data
    netinfo.save(data, "E", start_date="2023-01-01", end_date="2024-12-31")  # ended
    load_ties = "network,source,target,date\nE,P1,P2,2024-10-01\n"
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        load(data, Path(tmp), "e.csv", load_ties)
    got = {r["network"]: r for r in rhythm(data, D(2025, 5, 10))}
    # R: quarterly, last 2025-10-01 (after "today" is fine: measured this quarter or later) -> done
    assert (got["R"]["moments"], got["R"]["last"], got["R"]["status"]) == (4, D(2025, 10, 1), "done")
    # S: last tie survey 2024-03-01, half-yearly: 2024-H2 skipped -> overdue since the end of 2024
    assert (got["S"]["status"], got["S"]["next_due"]) == ("overdue", D(2024, 12, 31))
    assert (got["T"]["status"], got["T"]["last"], got["T"]["next_due"]) == ("never", None, D(2025, 6, 30))
    # E ended 2024-12-31: read as of its end, its last survey (2024-10-01) was in time
    assert got["E"]["status"] == "done"
    assert [r["status"] for r in rhythm(data, D(2025, 5, 10))] == ["overdue", "never", "done", "done"]


def test_rhythm_follows_a_school_scheme(data):
    store.set_period_scheme(data, "school-half-year")
    got = {r["network"]: r for r in rhythm(data, D(2026, 1, 20))}
    # R last measured 2025-10-01, inside Aug 2025-Jan 2026
    assert (got["R"]["status"], got["R"]["period_start"], got["R"]["next_due"]) == (
        "done", D(2025, 8, 1), D(2026, 7, 31))


# ---------------------------------------------------------------- networks as things


def test_network_details_keep_their_history(con):
    assert netinfo.save(con, "R", description="eerste", phase="exploring", coaches="P3; P9",
                        instruments=["dimensions"]) == 1
    assert netinfo.save(con, "R", description="tweede", phase="designing", start_date="2024-09-01",
                        moments_per_year="4") == 2
    cur = netinfo.details(con, "R")
    assert (cur["description"], cur["phase"], cur["moments_per_year"]) == ("tweede", "designing", 4)
    assert cur["start_date"].date() == D(2024, 9, 1)
    h = netinfo.history(con, "R")
    assert h["description"].tolist() == ["eerste", "tweede"] and list(h["coaches"][0]) == ["P3", "P9"]


@pytest.mark.parametrize("kw,msg", [({"phase": "winning"}, "unknown phase"), ({"moments_per_year": 5}, "one of"),
                                    ({"start_date": "2025-05-01", "end_date": "2025-01-01"}, "before the start"),
                                    ({"start_date": "01-05-2025"}, "not a date")])
def test_bad_network_details_are_refused(con, kw, msg):
    before = store.table_checksums(con)
    with pytest.raises(netinfo.NetworkError, match=msg):
        netinfo.save(con, "R", **kw)
    assert store.table_checksums(con) == before


# ---------------------------------------------------------------- agreements


def test_agreement_linked_to_an_indicator_a_cycle_and_a_measure(data):
    agr.add(data, "R", "2025-03-20", "Externe deskundigen uitnodigen", indicators="3b;2a", cycles=["applied"],
            measures=["edges"], owner="P1")
    [rec] = agreement_records(data)
    figs = {f["code"]: f for f in rec["figures"]}
    b, a = figs["3b"]["before"], figs["3b"]["after"]
    assert (b["period"], b["date"], b["n"]) == ("2025-H1", "2025-03-01", 3)
    assert b["value"] == pytest.approx(0.4) and a["value"] == pytest.approx(0.7)
    assert a["period"] == "2025-H2" and figs["3b"]["change"] == pytest.approx(0.3)
    assert b["iqr"] == pytest.approx(0.2)  # .3 .. .5
    # the interval the Dimensions page shows for the same mean (3 respondents: lowest to highest, see
    # test_own_instrument_links); below the threshold none
    from analytics.measures import dimensions as dims

    page = dims.indicator_stats(data, dims.Filters(networks=("R",), situation="current"), with_ci=True)
    row = page[(page["code"] == "3b") & (page["period"] == "2025-H1")].iloc[0]
    assert (b["ci_low"], b["ci_high"]) == (pytest.approx(row["ci_low"]), pytest.approx(row["ci_high"]))
    assert b["ci_low"] < b["value"] < b["ci_high"]
    assert figs["2a"]["before"]["ci_low"] is None
    # 2a: two respondents, below the threshold: the period is there, the value is not; nothing measured since
    assert figs["2a"]["before"]["value"] is None and figs["2a"]["before"]["n"] == 2
    assert figs["2a"]["after"] is None and figs["2a"]["change"] is None
    # applied value: participants 2 (3 reports) in 2025-H1, 1 (1 report) in 2025-H2
    assert (figs["applied"]["before"]["value"], figs["applied"]["before"]["n"]) == (2, 3)
    assert (figs["applied"]["after"]["value"], figs["applied"]["after"]["n"]) == (1, 1)
    assert (figs["edges"]["before"]["value"], figs["edges"]["after"]["value"]) == (2, 3)
    assert rec["before"] == {"3b": pytest.approx(0.4), "2a": None, "applied": 2, "edges": 2}
    assert rec["after"] == {"3b": pytest.approx(0.7), "2a": None, "applied": 1, "edges": 3}


def test_an_unknown_tie_measure_value_is_no_value(con, tmp_path):
    """Nobody's organisation known: the share across organisations is None, shown as no value, not an error."""
    load(con, tmp_path, "t.csv", "network,source,target,date\nR,A,B,2025-03-01\nR,B,C,2025-10-01\n")
    [f] = follow_up.before_after(con, "R", D(2025, 4, 1), measures=["cross_organisation_share"])
    assert f["before"]["value"] is None and f["after"]["value"] is None and f["change"] is None


def test_before_is_empty_when_nothing_was_measured_before_the_meeting(data):
    [f] = follow_up.before_after(data, "R", D(2025, 2, 1), indicators=["3b"])
    assert f["before"] is None and f["after"]["period"] == "2025-H2" and f["change"] is None
    [f] = follow_up.before_after(data, "R", D(2025, 10, 1), indicators=["3b"])  # same day: the meeting saw it
    assert f["before"]["period"] == "2025-H2" and f["after"] is None


def test_owner_and_text_are_pseudonymised(data):
    agr.add(data, "R", "2025-03-20", "Bram Bos nodigt iemand uit", owner="P1")
    agr.add(data, "R", "2025-03-21", "Samen plannen", owner="Cor Dijk")
    shown = agreement_records(data)
    assert [r["owner"] for r in shown] == ["T-001", "C-001"]
    assert shown[0]["text"] == "T-002 nodigt iemand uit"
    named = agreement_records(data, pseudonymise=False)
    assert [r["owner"] for r in named] == ["Anouk Smit", "Cor Dijk"]


def test_agreements_keep_history_and_filter_by_network(data):
    a = agr.add(data, "R", "2025-03-20", "eerste")
    agr.add(data, "S", "2025-03-20", "elders")
    assert agr.edit(data, a, status="done", indicators=["3b"]) == 2
    assert agr.latest(data, ("R",))[["status", "text"]].values.tolist() == [["done", "eerste"]]
    agr.remove(data, a)
    assert agr.latest(data, ("R",)).empty
    assert agr.history(data, a)["version"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("kw,msg", [({"indicators": "9z"}, "unknown indicator '9z'"),
                                    ({"cycles": "eternal"}, "unknown value cycle"),
                                    ({"measures": "happiness"}, "unknown tie measure"),
                                    ({"status": "success"}, "unknown status")])
def test_bad_links_are_refused_and_nothing_stored(con, kw, msg):
    before = store.table_checksums(con)
    with pytest.raises(agr.AgreementError, match=msg):
        agr.add(con, "R", "2025-03-20", "tekst", **kw)
    assert store.table_checksums(con) == before


# ---------------------------------------------------------------- interventions


def test_intervention_before_after_and_on_the_time_axis(data):
    itv.add(data, "Schoolbezoeken", "2025-03-10", networks=["R"], measures=["edges"], indicators=["3b"],
            expected="meer relaties tussen scholen")
    itv.add(data, "Gastsprekers", "2025-09-01", measures=["edges"])  # no networks: all of them
    recs = intervention_records(data)
    first = recs[0]["per_network"]
    assert [n["network"] for n in first] == ["R"]
    assert first[0]["before"] == {"edges": 2, "3b": pytest.approx(0.4)}
    assert first[0]["after"] == {"edges": 3, "3b": pytest.approx(0.7)}
    every = {n["network"]: n for n in recs[1]["per_network"]}
    assert set(every) == {"R", "S"}
    assert (every["R"]["before"]["edges"], every["R"]["after"]["edges"]) == (2, 3)
    assert (every["S"]["before"]["edges"], every["S"]["after"]) == (1, {"edges": None})
    assert intervention_records(data, ["S"])[0]["per_network"][0]["network"] == "S" and \
        len(intervention_records(data, ["S"])) == 1
    ev = timeline.events(data, ("R",))
    assert "▲ Schoolbezoeken" in ev["label"].tolist() and "▲ Gastsprekers" in ev["label"].tolist()
    assert ev.loc[ev["label"] == "▲ Gastsprekers", "network"].isna().all()
    assert "▲ Schoolbezoeken" not in timeline.events(data, ("S",))["label"].tolist()


def test_an_intervention_for_all_networks_shows_the_most_recently_measured_within_the_budget(data):
    """R was last measured 2025-10-01, S 2024-03-01: a budget of one network keeps R and says there are two."""
    itv.add(data, "Gastsprekers", "2025-09-01", measures=["edges"])
    [rec] = intervention_records(data, max_networks=1)
    assert [n["network"] for n in rec["per_network"]] == ["R"] and rec["networks_total"] == 2
    [rec] = intervention_records(data)
    assert [n["network"] for n in rec["per_network"]] == ["R", "S"] and rec["networks_total"] == 2
    [rec] = intervention_records(data, ["S"], max_networks=1)  # a chosen network is always shown
    assert [n["network"] for n in rec["per_network"]] == ["S"] and rec["networks_total"] == 1


def test_an_agreement_text_has_only_its_own_networks_names_replaced(data):
    agr.add(data, "R", "2025-03-20", "Anouk Smit belt Dora Vis", owner="P2")
    [rec] = agreement_records(data, pseudonymise=True)
    assert "Anouk Smit" not in rec["text"] and "Dora Vis" in rec["text"]  # Dora is only in network S
    assert rec["owner"] != "P2" and rec["owner"] != "Bram Bos" and rec["owner"]
    [plain] = agreement_records(data, pseudonymise=False)
    assert plain["text"] == "Anouk Smit belt Dora Vis" and plain["owner"] == "Bram Bos"


# ---------------------------------------------------------------- demo files


def test_demo_loop_files_load_as_one_undoable_import_each(con, tmp_path):
    written = demo_loop.write_loop_sample(tmp_path)
    assert {p.name for p in written.values()} == {"networks.csv", "agreements.csv", "interventions.csv"}
    ids = demo_loop.load_loop_files(con, tmp_path / "loop")
    assert len(ids) == 3
    assert len(netinfo.latest(con)) == 4 and len(agr.latest(con)) == 5 and len(itv.latest(con)) == 3
    assert demo_loop.load_loop_files(con, tmp_path / "loop") == []  # already there: nothing twice
    for i in ids:
        store.undo_import(con, i)
    assert netinfo.latest(con).empty and agr.latest(con).empty and itv.latest(con).empty


def test_committed_loop_files_match_the_generator(tmp_path):
    from analytics.demo.load import SAMPLE_DIR

    for path in demo_loop.write_loop_sample(tmp_path).values():
        assert (SAMPLE_DIR / "loop" / path.name).read_bytes() == path.read_bytes(), f"{path.name} is stale"


def test_a_bad_loop_row_names_file_and_row_and_keeps_nothing(con, tmp_path):
    (tmp_path / "agreements.csv").write_text(
        "network,date,text,indicators,cycles,measures,owner,status\n"
        "R,2025-03-20,goed,3b,,,,open\nR,2025-13-01,fout,,,,,open\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"agreements.csv, row 3: date: not a date"):
        demo_loop.load_loop_files(con, tmp_path)
    assert agr.latest(con).empty and scalar(con, "SELECT count(*) FROM imports") == 0


# ---------------------------------------------------------------- command line


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "loop.duckdb"
    con = store.connect(path)
    for name, text in (("people.csv", PEOPLE), ("dims.csv", DIMS), ("values.csv", VALUES), ("ties.csv", TIES)):
        load(con, tmp_path, name, text)
    netinfo.save(con, "R", moments_per_year=2)
    agr.add(con, "R", "2025-03-20", "Externe deskundigen uitnodigen", indicators=["3b"], measures=["edges"],
            owner="P3", status="in_progress")
    agr.add(con, "S", "2024-03-20", "Vaker samen", owner="Q1")
    itv.add(con, "Schoolbezoeken", "2025-03-10", networks=["R"], measures=["edges"])
    con.close()
    return path


def run(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_cli_rhythm_json_and_table(db, capsys):
    code, out = run(capsys, "rhythm", "--db", db, "--today", "2026-01-15", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"network": "S", "moments": 2, "last": "2024-03-01", "next_due": "2024-12-31", "status": "overdue"},
        {"network": "R", "moments": 2, "last": "2025-10-01", "next_due": "2026-06-30", "status": "due"},
    ]
    code, out = run(capsys, "rhythm", "--db", db, "--today", "2026-01-15")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["network", "moments", "last", "next", "due", "status"]
    assert lines[1].split() == ["S", "2", "2024-03-01", "2024-12-31", "overdue"]
    assert run(capsys, "rhythm", "--db", db, "--today", "15-01-2026")[0] == 2


def test_cli_agreements_json_and_plain(db, capsys):
    code, out = run(capsys, "agreements", "--db", db, "--network", "R", "--json")
    [a] = json.loads(out)
    assert code == 0
    assert {k: a[k] for k in ("network", "date", "text", "indicators", "cycles", "measures", "owner", "status")} \
        == {"network": "R", "date": "2025-03-20", "text": "Externe deskundigen uitnodigen", "indicators": ["3b"],
            "cycles": [], "measures": ["edges"], "owner": "C-001", "status": "in_progress"}
    assert a["before"] == {"3b": 0.4, "edges": 2.0} and a["after"] == {"3b": 0.7, "edges": 3.0}
    code, out = run(capsys, "agreements", "--db", db, "--no-pseudonymise")
    assert code == 0 and "2024-03-20  S  [open]  Vaker samen  (owner Dora Vis)" in out
    assert "    3b: 0.4 (2025-H1) -> 0.7 (2025-H2)" in out and "    edges: 2 (2025-H1) -> 3 (2025-H2)" in out


def test_cli_interventions(db, capsys):
    code, out = run(capsys, "interventions", "--db", db, "--json")
    [i] = json.loads(out)
    assert code == 0 and i["label"] == "Schoolbezoeken" and i["per_network"][0]["after"] == {"edges": 3.0}
    code, out = run(capsys, "interventions", "--db", db)
    assert "2025-03-10  Schoolbezoeken  (R)" in out and "    R  edges: 2 (2025-H1) -> 3 (2025-H2)" in out


# ---------------------------------------------------------------- an own instrument beside the default one

OWN = """network,date,participant_id,p1 (0-10),p2 (0-10),p3 (0-10),r1 (0-10),r2 (0-10)
R,2025-03-01,P1,2,4,6,8,10
R,2025-03-01,P2,4,4,4,6,6
R,2025-03-01,P3,6,8,10,2,2
"""
# process P: respondent means .4, .4, .8 -> .5333; product R: .9, .6, .2 -> .5667


@pytest.fixture
def own_db(tmp_path):
    from analytics.definitions import frameworks_dir, save_framework
    from analytics.demo.load import SAMPLE_DIR

    path = tmp_path / "own.duckdb"
    con = store.connect(path)
    fw = save_framework(SAMPLE_DIR.parent / "analytics" / "definitions" / "social_regulation.toml",
                        frameworks_dir(path))
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "own.csv", OWN, framework=fw)
    yield path, con
    con.close()


def test_the_example_instrument_has_process_and_product_aspects():
    from analytics.definitions import load_framework_file
    from analytics.demo.load import SAMPLE_DIR

    fw = load_framework_file(SAMPLE_DIR.parent / "analytics" / "definitions" / "social_regulation.toml")
    assert [d.name["en"] for d in fw.dimensions] == ["Process aspects", "Product aspects"]
    assert {i.name["en"] for i in fw.indicators} >= {"Connectedness", "Equality", "Applied value"}
    text = " ".join(f"{i.left['nl']} {i.right['nl']} {i.left['en']} {i.right['en']}" for i in fw.indicators).lower()
    assert not any(w in text for w in ("better", "beter", "good", "goed", "slecht", "bad", "worse"))


def test_an_own_instrument_reaches_the_overview_the_report_and_the_cli(own_db, capsys):
    from analytics.measures.overview import own_instrument_latest
    from analytics.views.report import build_report

    path, con = own_db
    got = own_instrument_latest(con)
    assert got[["network", "framework", "period", "code", "n"]].values.tolist() == [
        ["R", "social_regulation", "2025-H1", "P", 3], ["R", "social_regulation", "2025-H1", "R", 3]]
    assert got["mean"].tolist() == pytest.approx([1.6 / 3, 1.7 / 3])
    html = build_report(con, lang="en")
    i = html.index("Social regulation (example) (2025-H1)")
    assert "P Process aspects" in html[i:i + 800] and "0.53" in html[i:i + 800] and "0.57" in html[i:i + 800]
    con.close()
    code = cli.main(["dimensions", "--db", str(path), "--framework",
                     str(Path(__file__).parent.parent / "analytics/definitions/social_regulation.toml"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(r["code"], round(r["mean"], 4)) for r in out] == [("P", 0.5333), ("R", 0.5667)]


def test_cli_sample_writes_the_loop_files_too(tmp_path, capsys):
    assert cli.main(["sample", "--out", str(tmp_path), "--scale", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "agreements: " in out and (tmp_path / "loop" / "agreements.csv").exists()
    assert (tmp_path / "loop" / "agreements.csv").read_bytes() == \
        (Path(__file__).parent.parent / "sample_data" / "loop" / "agreements.csv").read_bytes()


def test_one_participant_is_singular():
    from analytics.views.loop import figure_value

    assert figure_value("cycle", "applied", {"value": 1, "period": "2025-H1"}, "nl").startswith("1 deelnemer ")
    assert figure_value("cycle", "applied", {"value": 3, "period": "2025-H1"}, "en").startswith("3 participants ")
