"""The research export pack: the numbers read back from its files equal what the command line prints, the
SPSS/Stata files carry labels, the RSiena matrices code joiners and leavers as structural zeros, the dynamic
GEXF carries the waves, the manifest holds, and no name or formula gets through.

The demo-data pack is written once through ``python -m analytics export-research`` (in-process, like
tests/test_cli.py) and compared with ``dimensions|values|metrics --json`` on the same database.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

import networkx as nx
import numpy as np
import pandas as pd
import pyreadstat
import pytest

from analytics.cli import main as cli
from analytics.definitions import default_framework, value_cycles
from analytics.demo.load import load_demo
from analytics.store import database as store
from analytics.store import notes
from analytics.views import research_pack as rp
from tests.helpers import load

# ---------------------------------------------------------------- the demo pack, written by the CLI


def cli_json(*argv) -> list[dict]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main([str(a) for a in argv]) == 0
    return json.loads(buf.getvalue())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    db = folder / "demo.duckdb"
    con = store.connect(db)
    load_demo(con)
    con.close()
    out = folder / "pack"
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert cli.main(["export-research", "--out", str(out), "--db", str(db)]) == 0
    assert "research pack written to" in err.getvalue()
    return {
        "out": out, "db": db,
        "dimensions": cli_json("dimensions", "--db", db, "--json"),
        "indicators": cli_json("dimensions", "--db", db, "--by", "indicator", "--json"),
        "values": cli_json("values", "--db", db, "--json"),
        "metrics": cli_json("metrics", "--db", db, "--json"),
        "metrics_all": cli_json("metrics", "--db", db, "--tie-type", "all", "--json"),
    }


def csv(out, name: str, **kw) -> pd.DataFrame:
    keys = {c: str for c in ("network", "period", "situation", "code", "indicator", "dimension", "cycle", "wave")}
    return pd.read_csv(out / name, encoding="utf-8-sig", dtype=keys, keep_default_na=True, **kw)


KEYS = ["network", "period", "situation", "code"]


def by_key(records: list[dict], keys: list[str]) -> dict:
    return {tuple(r[k] for k in keys): r for r in records}


def test_dimension_summary_equals_cli_json(demo):
    summary = csv(demo["out"], "dimension_summary.csv")
    for level, cli_rows in (("dimension", demo["dimensions"]), ("indicator", demo["indicators"])):
        mine = by_key(summary[summary["level"] == level].to_dict("records"), KEYS)
        theirs = by_key(cli_rows, KEYS)
        assert mine.keys() == theirs.keys() and len(theirs) > 100
        for k, r in theirs.items():
            assert mine[k]["n"] == r["n"]
            for col in ("mean", "iqr"):
                if r[col] is None:
                    assert pd.isna(mine[k][col]), k
                else:
                    assert mine[k][col] == pytest.approx(r[col], abs=1e-12), (k, col)


def test_dimension_means_recomputed_from_the_wide_table_equal_cli_json(demo):
    """Mean over respondents of their dimension score, and n, from dimension_scores_wide.csv alone."""
    wide = csv(demo["out"], "dimension_scores_wide.csv")
    theirs = by_key(demo["dimensions"], KEYS)
    checked = 0
    for d in default_framework().dimensions:
        g = wide.groupby(["network", "period", "situation"])[f"dim_{d.code}"].agg(["count", "mean"])
        for (net, per, sit), row in g.iterrows():
            if row["count"] == 0:
                continue
            r = theirs[(net, per, sit, d.code)]
            assert r["n"] == row["count"]
            if r["mean"] is not None:
                assert row["mean"] == pytest.approx(r["mean"], abs=1e-12)
                checked += 1
    assert checked > 100


def test_indicator_means_recomputed_from_the_long_table_equal_cli_json(demo):
    long = csv(demo["out"], "dimension_scores.csv")
    unit = long.groupby(["network", "period", "situation", "indicator", "respondent"])["position"].mean()
    g = unit.groupby(level=[0, 1, 2, 3]).agg(["count", "mean"])
    theirs = by_key(demo["indicators"], KEYS)
    assert len(g) == len(theirs)
    for key, row in g.iterrows():
        r = theirs[key]
        assert r["n"] == row["count"]
        if r["mean"] is not None:
            assert row["mean"] == pytest.approx(r["mean"], abs=1e-12)


def test_value_summary_and_value_reports_give_the_cli_numbers(demo):
    summary = csv(demo["out"], "value_summary.csv")
    mine = by_key(summary.to_dict("records"), ["network", "period", "cycle"])
    theirs = by_key(demo["values"], ["network", "period", "cycle"])
    assert mine.keys() == theirs.keys()
    for k, r in theirs.items():
        for col in ("participants", "reports", "reached_participants", "reached_reports"):
            if col in r:
                assert mine[k][col] == r[col], (k, col)
            else:
                assert pd.isna(mine[k][col]), (k, col)
    # The same counts from the reports themselves.
    reports = csv(demo["out"], "value_reports.csv")
    g = reports.groupby(["network", "period", "cycle"]).agg(participants=("reporter", "nunique"),
                                                             reports=("reporter", "size"))
    for (net, per, cyc), row in g.iterrows():
        assert theirs[(net, per, cyc)]["participants"] == row["participants"]
        assert theirs[(net, per, cyc)]["reports"] == row["reports"]
    funnel = reports[reports["in_funnel"]]
    top = funnel.groupby(["network", "period", "reporter"])["cycle_order"].max().reset_index()
    for c in (c for c in value_cycles() if c.in_funnel):
        reached = top[top["cycle_order"] >= c.order].groupby(["network", "period"]).size()
        for (net, per), n in reached.items():
            assert theirs[(net, per, c.code)]["reached_participants"] == n


def test_network_metrics_and_rsiena_matrices_give_the_cli_numbers(demo):
    out = demo["out"]
    metrics = pd.read_csv(out / "network_metrics.csv", encoding="utf-8-sig", dtype={"period": str})
    theirs = by_key(demo["metrics"], ["network", "period", "tie_type"])  # one record per tie type
    mine = by_key(metrics.to_dict("records"), ["network", "period", "tie_type"])
    assert mine.keys() == theirs.keys() and len({k[2] for k in theirs}) > 1
    for k, r in theirs.items():
        for col in ("nodes", "edges", "density", "reciprocity", "clustering", "weak_components"):
            assert mine[k][col] == pytest.approx(r[col], abs=1e-12), (k, col)
        assert mine[k]["isolates"] == len(r["isolates"])
    # From the matrices (every tie type together, as metrics --tie-type all): actors present = nodes,
    # 1s = edges, and reciprocity = 2 * mutual pairs / ties.
    theirs = by_key(demo["metrics_all"], ["network", "period"])
    folders = sorted((out / "networks").iterdir())
    assert len(folders) == len({k[0] for k in theirs})  # one folder per network with ties
    for folder in folders:
        waves = csv(folder, "rsiena_waves.csv")
        actors = csv(folder, "rsiena_actors.csv")
        for w in waves.itertuples():
            m = pd.read_csv(folder / w.file, encoding="utf-8-sig", index_col=0)
            assert m.shape == (len(actors), len(actors))
            assert list(m.index) == list(actors["person"]) == list(m.columns)
            a = m.to_numpy()
            present = actors[f"present_{w.wave_number}"].to_numpy() == 1
            r = theirs[(w.network, w.period)]
            ties = a == 1
            assert present.sum() == r["nodes"]
            assert ties.sum() == r["edges"]
            mutual = (ties & ties.T).sum()
            assert mutual / ties.sum() == pytest.approx(r["reciprocity"], abs=1e-12)
            assert set(np.unique(a)) <= {0, 1, rp.STRUCTURAL_ZERO}
            off = ~np.eye(len(a), dtype=bool)
            gone = ~present[:, None] | ~present[None, :]
            assert (a[gone & off] == rp.STRUCTURAL_ZERO).all() and (a[~gone] != rp.STRUCTURAL_ZERO).all()
            assert (np.diag(a) == 0).all()


def test_sav_and_dta_hold_the_same_numbers_with_labels(demo):
    out = demo["out"]
    fw = default_framework()
    wide = csv(out, "dimension_scores_wide.csv")
    for reader, ext in ((pyreadstat.read_sav, "sav"), (pyreadstat.read_dta, "dta")):
        df, meta = reader(str(out / f"dimension_scores_wide.{ext}"))
        assert len(df) == len(wide)
        np.testing.assert_allclose(df["dim_3"].to_numpy(float), wide["dim_3"].to_numpy(float), equal_nan=True)
        i = fw.indicator("3b")
        assert meta.column_names_to_labels["ind_3b"] == f"3b {i.name['en']}"
        labels = {float(k): v for k, v in meta.variable_value_labels["ind_3b"].items()}
        assert labels == {0.0: i.left["en"], 1.0: i.right["en"]}
        nets = {float(k): v for k, v in meta.variable_value_labels["network"].items()}
        assert [nets[float(x)] for x in df["network"]] == wide["network"].tolist()
        assert meta.variable_value_labels["situation"] and meta.column_names_to_labels["respondent"]

        long, lmeta = reader(str(out / f"dimension_scores.{ext}"))
        long_csv = csv(out, "dimension_scores.csv")
        np.testing.assert_array_equal(long["position"].to_numpy(), long_csv["position"].to_numpy())
        ind = {float(k): v for k, v in lmeta.variable_value_labels["indicator"].items()}
        assert ind[1.0] == f"1a {fw.indicator('1a').name['en']}"
        assert {v.split(" ")[0] for v in (ind[float(x)] for x in long["indicator"])} == set(long_csv["indicator"])

        vals, vmeta = reader(str(out / f"value_reports.{ext}"))
        cyc = {float(k): v for k, v in vmeta.variable_value_labels["cycle"].items()}
        assert cyc[1.0] == "Immediate value" and cyc[5.0] == "Transformative value"
        assert vmeta.column_names_to_labels["reporter"].startswith("Who gave the report")


def test_codebook_covers_every_column_with_the_instrument_in_both_languages(demo):
    out = demo["out"]
    book = pd.read_csv(out / "codebook.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for name in ("dimension_scores", "dimension_scores_wide", "value_reports", "ties", "participants", "events",
                 "notes", "dimension_summary", "value_summary", "network_metrics"):
        cols = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", nrows=0).columns
        described = book[(book["file"] == f"{name}.csv") & (book["value"] == "")]
        assert list(described["column"]) == list(cols), name
        assert (described["label_nl"] != "").all() and (described["label_en"] != "").all()
    fw = default_framework()
    ind = book[(book["file"] == "dimension_scores.csv") & (book["column"] == "indicator") & (book["value"] != "")]
    assert list(ind["value"]) == fw.codes
    for i, r in zip(fw.indicators, ind.itertuples(), strict=True):
        assert (r.description_nl, r.description_en) == (i.question["nl"], i.question["en"])
        assert (r.left_pole_nl, r.left_pole_en, r.right_pole_nl, r.right_pole_en) == (
            i.left["nl"], i.left["en"], i.right["nl"], i.right["en"])
    cyc = book[(book["file"] == "value_reports.csv") & (book["column"] == "cycle") & (book["value"] != "")]
    assert list(cyc["value"]) == [c.code for c in value_cycles()]
    assert list(cyc["description_en"]) == [c.explanation["en"] for c in value_cycles()]
    md = (out / "codebook.md").read_text(encoding="utf-8")
    assert "## dimension_scores.csv" in md and fw.indicator("4c").question["en"] in md


def test_readme_cites_the_frameworks_and_names_every_file(demo):
    readme = (demo["out"] / "README.md").read_text(encoding="utf-8")
    assert "Vrieling, E., Van den Beemt, A., &\n  De Laat, M. (2016)" in readme
    assert "Wenger, E., Trayner, B., & De Laat, M. (2011)" in readme
    for name in ("codebook.csv", "manifest.txt", "ties_dynamic.gexf", "rsiena_actors.csv", "rsiena_load.R",
                 "dimension_scores.csv", "value_reports.csv", "network_metrics.csv", "`10` = structural zero"):
        assert name in readme, name


def test_manifest_lists_every_file_with_its_sha256(demo, tmp_path):
    out = demo["out"]
    listed = [line.split("  ", 1)[1] for line in (out / "manifest.txt").read_text(encoding="utf-8").splitlines()]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted([*listed, "manifest.txt"]) == files
    assert rp.verify_manifest(out) == []
    # A changed byte is caught.
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with open(copy / "ties.csv", "ab") as f:
        f.write(b" ")
    assert rp.verify_manifest(copy) == ["ties.csv"]


def test_dynamic_gexf_parses_and_its_spells_give_each_wave(demo):
    out = demo["out"]
    folder = sorted((out / "networks").iterdir())[0]
    text = (folder / "ties_dynamic.gexf").read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    G = nx.read_gexf(folder / "ties_dynamic.gexf")
    assert G.graph["mode"] == "dynamic" and G.is_directed()
    waves = csv(folder, "rsiena_waves.csv")
    actors = csv(folder, "rsiena_actors.csv")
    assert set(G.nodes) == set(actors["person"])

    def on(spells, start):
        return any(s <= start <= e for s, e in spells)

    for w in waves.itertuples():
        m = pd.read_csv(folder / w.file, encoding="utf-8-sig", index_col=0)
        people = {v for v, d in G.nodes(data=True) if on(d["spells"], w.start)}
        assert people == set(actors.loc[actors[f"present_{w.wave_number}"] == 1, "person"])
        ties = {(u, v) for u, v, d in G.edges(data=True) if on(d["spells"], w.start)}
        assert ties == {(m.index[i], m.columns[j]) for i, j in zip(*np.nonzero(m.to_numpy() == 1), strict=True)}
        # Each tie's weight in this wave is a dynamic attribute on the wave's interval.
        for u, v in list(ties)[:5]:
            assert any(s == w.start and e == w.end for _, s, e in G.edges[u, v]["strength"])


# ---------------------------------------------------------------- a hand-made store: two waves, a joiner, a leaver

PEOPLE = """participant_id,name,network,organisation,role,joined,left
P1,Anouk Smit,N,School A,teacher,2024-01-01,
P2,Bram Bosman,N,School A,teacher,2024-01-01,
P3,Cornelis Dijkstra,N,School B,teacher,2024-01-01,2024-06-30
P4,Dirk Molenaar,N,School B,teacher,2025-01-01,
"""
# Wave 1 (2024-H1): P1 -> P2, P2 -> P3, P3 -> P1. Wave 2 (2025-H1): P1 -> P2, P2 -> P4, P4 -> P1.
# P4 joins between the waves, P3 leaves.
TIES = """network,source,target,date,weight
N,P1,P2,2024-03-01,2
N,P2,P3,2024-03-01,1
N,P3,P1,2024-03-01,3
N,P1,P2,2025-03-01,4
N,P2,P4,2025-03-01,1
N,P4,P1,2025-03-01,2
"""
VALUES = """network,participant_id,date,cycle,description,evidence
N,P1,2024-03-01,immediate,Gesprek met Bram Bosman over rekenen,=HYPERLINK("http://x";"klik")
N,P2,2024-03-01,potential,+31 6 12345678 gebeld,@SUM(A1:A9)
"""
EVENTS = """network,date,label
N,2024-02-01,=cmd|' /C calc'!A0
N,2024-09-01,Lunch met Dirk Molenaar
"""
DIMS = """network,date,participant_id,1a (0-10),1b (0-10)
N,2024-03-01,P1,2,4
N,2024-03-01,P2,4,6
N,2024-03-01,P3,6,8
"""
NAMES = ["Anouk Smit", "Bram Bosman", "Cornelis Dijkstra", "Dirk Molenaar"]


@pytest.fixture
def small(con, tmp_path):
    for name, text in (("people.csv", PEOPLE), ("ties.csv", TIES), ("values.csv", VALUES), ("events.csv", EVENTS),
                       ("dims.csv", DIMS)):
        load(con, tmp_path, name, text)
    notes.add(con, "N", "2024-03-02", "Fijn gesprek met Anouk Smit", "=1+1")
    return con


def test_rsiena_matrices_code_the_joiner_and_the_leaver_as_structural_zeros(small, tmp_path):
    pack = rp.write_pack(small, tmp_path / "pack")
    folder = pack.folder / "networks" / "01_n"
    actors = csv(folder, "rsiena_actors.csv")
    assert list(actors["person"]) == ["T-001", "T-002", "T-003", "T-004"]  # P1..P4, one fixed order
    assert actors[["present_1", "present_2"]].to_numpy().tolist() == [[1, 1], [1, 1], [1, 0], [0, 1]]
    waves = csv(folder, "rsiena_waves.csv")
    assert waves[["network", "wave_number", "period", "start", "end", "file"]].to_numpy().tolist() == [
        ["N", 1, "2024-H1", "2024-03-01", "2025-02-28", "rsiena_wave01.csv"],
        ["N", 2, "2025-H1", "2025-03-01", "2025-03-01", "rsiena_wave02.csv"]]
    w1 = pd.read_csv(folder / "rsiena_wave01.csv", encoding="utf-8-sig", index_col=0).to_numpy()
    w2 = pd.read_csv(folder / "rsiena_wave02.csv", encoding="utf-8-sig", index_col=0).to_numpy()
    assert w1.tolist() == [[0, 1, 0, 10],
                           [0, 0, 1, 10],
                           [1, 0, 0, 10],
                           [10, 10, 10, 0]]
    assert w2.tolist() == [[0, 1, 10, 0],
                           [0, 0, 10, 1],
                           [10, 10, 0, 10],
                           [1, 0, 10, 0]]
    # The array R builds: actors x actors x waves.
    assert np.stack([w1, w2], axis=2).shape == (4, 4, 2)


def test_dynamic_gexf_of_the_two_waves(small, tmp_path):
    pack = rp.write_pack(small, tmp_path / "pack")
    G = nx.read_gexf(pack.folder / "networks" / "01_n" / "ties_dynamic.gexf")
    assert G.nodes["T-001"]["spells"] == [("2024-03-01", "2025-03-01")]  # in both waves: one spell
    assert G.nodes["T-003"]["spells"] == [("2024-03-01", "2025-02-28")]  # left after wave 1
    assert G.nodes["T-004"]["spells"] == [("2025-03-01", "2025-03-01")]  # joined for wave 2
    assert G.edges["T-001", "T-002"]["spells"] == [("2024-03-01", "2025-03-01")]
    assert G.edges["T-001", "T-002"]["strength"] == [(2.0, "2024-03-01", "2025-02-28"),
                                                    (4.0, "2025-03-01", "2025-03-01")]
    assert G.edges["T-002", "T-003"]["spells"] == [("2024-03-01", "2025-02-28")]
    assert G.edges["T-004", "T-001"]["spells"] == [("2025-03-01", "2025-03-01")]
    assert G.number_of_edges() == 5


def test_no_real_name_anywhere_in_a_pseudonymised_pack(small, tmp_path):
    pack = rp.write_pack(small, tmp_path / "pack")
    assert len(pack.files) > 20
    for rel in [*pack.files, "manifest.txt"]:
        data = (pack.folder / rel).read_bytes()
        for name in NAMES:
            for part in (name, *name.split()[1:]):  # "Bosman" alone would give the name away too
                assert part.encode("utf-8") not in data, (rel, part)
    values = csv(pack.folder, "value_reports.csv")
    assert values.loc[0, "description"] == "Gesprek met T-002 over rekenen"  # the name became its code
    events = csv(pack.folder, "events.csv")
    assert events["label"].tolist()[1] == "Lunch met T-004"
    note = csv(pack.folder, "notes.csv")
    assert note[["network", "period", "went_well", "differently"]].to_numpy().tolist() == [
        ["N", "2024-H1", "Fijn gesprek met T-001", "'=1+1"]]


def test_names_are_kept_only_when_asked(small, tmp_path):
    pack = rp.write_pack(small, tmp_path / "pack", names=True)
    people = csv(pack.folder, "participants.csv")
    assert dict(zip(people["person"], people["name"], strict=True)) == dict(
        zip(["T-001", "T-002", "T-003", "T-004"], NAMES, strict=True))
    assert csv(pack.folder, "value_reports.csv").loc[0, "description"] == "Gesprek met Bram Bosman over rekenen"
    G = nx.read_gexf(pack.folder / "networks" / "01_n" / "ties_dynamic.gexf")
    assert G.nodes["T-001"]["label"] == "Anouk Smit"


def test_formula_looking_text_is_neutralised_in_every_csv(small, tmp_path):
    pack = rp.write_pack(small, tmp_path / "pack")
    values = csv(pack.folder, "value_reports.csv")
    assert values["evidence"].tolist() == ["'=HYPERLINK(\"http://x\";\"klik\")", "'@SUM(A1:A9)"]
    assert values["description"].tolist()[1] == "'+31 6 12345678 gebeld"
    assert csv(pack.folder, "events.csv")["label"].tolist()[0] == "'=cmd|' /C calc'!A0"
    for rel in pack.files:
        if rel.endswith(".csv"):
            df = pd.read_csv(pack.folder / rel, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            for col in df.columns:
                assert not df[col].str.match(r"^[=+@]").any(), (rel, col)


def test_one_network_and_its_errors(small, tmp_path, capsys):
    with pytest.raises(rp.PackError, match="no data for network 'X'"):
        rp.write_pack(small, tmp_path / "nope", networks=["X"])
    assert not (tmp_path / "nope").exists()  # nothing written
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.txt").write_text("x")
    with pytest.raises(rp.PackError, match="not an empty folder"):
        rp.write_pack(small, tmp_path / "full")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["old.txt"]


def test_cli_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("x")
    assert cli.main(["export-research", "--out", str(tmp_path / "out"), "--db", str(db)]) == 2
    assert "is not an empty folder" in capsys.readouterr().err


def test_pack_zip_holds_the_pack_under_one_folder(small):
    data = rp.pack_zip(small, folder_name="research_pack_test")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert all(n.startswith("research_pack_test/") for n in names)
        assert "research_pack_test/manifest.txt" in names
        assert "research_pack_test/networks/01_n/ties_dynamic.gexf" in names
        manifest = z.read("research_pack_test/manifest.txt").decode()
    assert len(manifest.splitlines()) == len(names) - 1


def test_demo_pack_has_the_codes_of_metrics_and_no_name_or_outside_id(demo):
    """The same code everywhere: the people ``metrics --json`` names are actors of the pack under the same
    codes, and no demo name nor any stored id of an outside person is in any file of the pack."""
    out = demo["out"]
    con = store.connect(demo["db"], read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM people WHERE name IS NOT NULL AND length(name) > 3").fetchall()]
        outside = [r[0] for r in con.execute("SELECT participant_id FROM people WHERE external").fetchall()]
    finally:
        con.close()
    assert names and outside
    folders = {csv(f, "rsiena_waves.csv")["network"][0]: f for f in (out / "networks").iterdir()}
    for m in demo["metrics_all"]:
        folder = folders[m["network"]]
        waves = csv(folder, "rsiena_waves.csv")
        k = int(waves.loc[waves["period"] == m["period"], "wave_number"].iloc[0])
        actors = csv(folder, "rsiena_actors.csv")
        present = set(actors.loc[actors[f"present_{k}"] == 1, "person"])
        named = set(m["isolates"]) | set(m["top_in_degree"]) | set(m["top_betweenness"])
        assert named <= present, (m["network"], m["period"], named - present)
    for p in out.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            for x in names + outside:
                assert x.encode("utf-8") not in data, (p.name, x)


def test_an_empty_store_gives_a_pack_with_every_table_and_a_manifest(con, tmp_path):
    pack = rp.write_pack(con, tmp_path / "pack")
    assert {"dimension_scores.csv", "dimension_scores.sav", "value_reports.dta", "codebook.csv", "README.md",
            "rsiena_load.R"} <= set(pack.files)
    assert not (pack.folder / "networks").exists()
    assert len(csv(pack.folder, "dimension_scores.csv")) == 0
    assert rp.verify_manifest(pack.folder) == []
