"""Budgets, not hopes: huge networks and many networks get bounded work or a clear refusal.

Proofs here do not time anything (speed is in bench/): they show that no graph is built where the budget
says so (``ties.graph`` replaced by a function that fails the test) and that the set-based numbers are the
numbers the graph gives.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from helpers import load
from streamlit.testing.v1 import AppTest

from analytics.cli import main as cli
from analytics.demo.load import load_demo
from analytics.measures import overview as ov
from analytics.measures import ties as tq
from tests.test_app_data import steady_navigation  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent

PEOPLE = """participant_id,name,network,organisation,role
A,Anouk,N,X,teacher
B,Bram,N,X,teacher
C,Cas,N,Y,teacher
D,Dewi,N,Y,teacher
"""
TIES = """network,source,target,date,weight
N,A,B,2025-03-01,1
N,B,A,2025-03-01,1
N,A,C,2025-03-01,2
N,A,C,2025-03-15,2
N,C,C,2025-03-01,1
N,A,E,2025-03-01,1
"""


@pytest.fixture
def no_graph(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("a graph was built for work the budget should have bounded")

    monkeypatch.setattr(tq, "graph", boom)


def test_sql_measures_hand_checked(con, tmp_path):
    load(con, tmp_path, "p.csv", PEOPLE)
    load(con, tmp_path, "t.csv", TIES)
    [r] = tq.sql_measures(con).to_dict("records")
    # people A B C D (members) + E (named); ties A>B B>A A>C (two rows, weights summed to 4) A>E; C>C dropped
    assert (r["nodes"], r["edges"], r["isolates"]) == (5, 4, 1)  # D has no tie
    assert r["density"] == 4 / 20
    assert r["reciprocity"] == 2 * (4 - 3) / 4  # 3 unordered pairs, one of them both ways
    assert r["cross_organisation_share"] == 1 / 3  # A>C of A>B, B>A, A>C (E's organisation unknown)
    assert r["strong_share"] == 1 / 4  # A>C weighs 4 >= 3
    [g] = tq.metrics_table(con)  # the graph's numbers are the same
    for k in tq.SQL_MEASURES:
        want = len(g[k]) if k == "isolates" else g[k]
        assert math.isclose(r[k], want), k


def test_sql_measures_equal_the_graph_on_every_demo_network_and_period(con):
    load_demo(con)
    full = tq.metrics_table(con)
    limited = tq.metrics_table(con, max_ties=0)  # every network and period over budget: no graph
    assert len(full) == len(limited) > 20  # every network, period and tie type of the demo
    for f, m in zip(full, limited, strict=True):
        assert (f["network"], f["period"], f["tie_type"]) == (m["network"], m["period"], m["tie_type"])
        assert m["limited"].startswith(f"{f['edges']:,} ties is over the limit of 0")
        assert m["clustering"] is None and m["communities"] is None
        for k in tq.SQL_MEASURES:
            a, b = f[k], m[k]
            assert (a == b) if isinstance(a, list) or a is None else math.isclose(a, b, abs_tol=1e-12), k


def _big_network(tmp_path: Path, people: int, ties: int, networks: int = 1, name: str = "Big") -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    ids = np.arange(people)
    net = ids % networks
    p = tmp_path / f"{name}_people.csv"
    p.write_text("participant_id,name,network,organisation,role\n" + "".join(
        f"{name}{i},Persoon {i},{name}{'' if networks == 1 else n},Org{i % 7},teacher\n"
        for i, n in zip(ids, net, strict=True)), encoding="utf-8")
    if networks == 1:  # distinct random pairs, no self-ties
        keys = rng.choice(people * people, int(ties * 1.2) + 10, replace=False)
        keys = keys[keys // people != keys % people][:ties]
        src, tgt = keys // people, keys % people
    else:  # one tie in each tiny network: person n to person n + networks
        src = np.arange(networks)
        tgt = src + networks
    t = tmp_path / f"{name}_ties.csv"
    t.write_text("network,source,target,date\n" + "".join(
        f"{name}{'' if networks == 1 else s % networks},{name}{s},{name}{d},2025-03-01\n"
        for s, d in zip(src, tgt, strict=True)), encoding="utf-8")
    return p, t


def test_metrics_of_a_network_over_the_budget_answer_without_a_graph(tmp_path, monkeypatch, capsys, no_graph):
    monkeypatch.setenv("NETWERKLEREN_CLI_MAX_TIES", "5000")
    p, t = _big_network(tmp_path, 3000, 20_000)
    db = tmp_path / "big.duckdb"
    assert cli.main(["import", str(p), str(t), "--db", str(db)]) == 0
    capsys.readouterr()
    assert cli.main(["metrics", "--network", "Big", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].startswith("Big\t2025-H1\t\t3000\t20000\t0.002\t")
    assert "is over the limit of 5,000 for graph measures (NETWERKLEREN_CLI_MAX_TIES)" in err


def test_overview_of_ten_thousand_tiny_networks_builds_no_graph(con, tmp_path, no_graph):
    p, t = _big_network(tmp_path, 20_000, 10_000, networks=10_000, name="T")
    load(con, tmp_path, "p.csv", p.read_text(encoding="utf-8"))
    load(con, tmp_path, "t.csv", t.read_text(encoding="utf-8"))
    latest = ov.latest_tie_measures(con)
    assert len(latest) == 10_000
    assert set(latest["nodes"]) == {2} and set(latest["edges"]) == {1} and set(latest["density"]) == {0.5}


def test_ties_page_refuses_a_network_over_the_budget(tmp_path, monkeypatch, no_graph):
    monkeypatch.setenv("NETWERKLEREN_PAGE_MAX_TIES", "500")
    p, t = _big_network(tmp_path, 300, 2_000)
    db = tmp_path / "page.duckdb"
    assert cli.main(["import", str(p), str(t), "--db", str(db)]) == 0
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["network"] = "Big"
    at.run()
    at.switch_page("pages/ties.py").run()
    assert not at.exception, [e.message for e in at.exception]
    [w] = at.warning
    assert "This network has 300 people and 2,000 ties" in w.value
    assert "NETWERKLEREN_PAGE_MAX_TIES" in w.value and "metrics --network" in w.value
    assert not at.get("iframe")  # no map
    assert at.dataframe  # the database's measures instead


def test_overview_bounds_the_rhythm_and_an_intervention_for_all_networks(tmp_path, monkeypatch):
    """10,000 tiny networks once meant a rhythm row with two buttons per network (the browser stalled) and an
    intervention for all networks computed figures for each of them (minutes): both are bounded and say so."""
    import streamlit as st

    from analytics.store import interventions as itv
    from bench.budget_suite import write_tiny_networks

    st.cache_data.clear()
    st.cache_resource.clear()
    db = tmp_path / "many.duckdb"
    assert cli.main(["import", str(write_tiny_networks(tmp_path, 30)), "--db", str(db)]) == 0
    import duckdb
    with duckdb.connect(str(db)) as con:
        itv.add(con, "Gastsprekers", "2025-01-15", measures=["edges"])
    monkeypatch.setenv("NETWERKLEREN_OVERVIEW_MAX_RHYTHM", "5")
    monkeypatch.setenv("NETWERKLEREN_LOOP_MAX_NETWORKS", "3")
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len([b for b in at.button if b.key and b.key.startswith("rh_live:")]) == 5
    caps = [c.value for c in at.caption]
    assert any(c.startswith("The 5 most urgent of 30 networks") for c in caps)
    lines = [m.value for m in at.markdown if m.value.startswith("- **N")]
    assert len(lines) == 3  # one figure (edges) for each of the three networks shown
    assert any(c.startswith("Figures for the 3 most recently measured of the 30 networks") for c in caps)


@pytest.mark.usefixtures("steady_navigation")
def test_the_sidebar_offers_a_bounded_list_and_finds_the_rest(tmp_path, monkeypatch):
    """10,000 networks in one list took seconds per keystroke in the browser: above SIDEBAR_MAX_NETWORKS (here
    5) a search box narrows the list; the chosen network stays in it."""
    import streamlit as st

    from bench.budget_suite import write_tiny_networks

    st.cache_data.clear()
    st.cache_resource.clear()
    db = tmp_path / "many.duckdb"
    assert cli.main(["import", str(write_tiny_networks(tmp_path, 30)), "--db", str(db)]) == 0
    big = tmp_path / "zz.csv"  # one bigger network, last by name: the list without a search shows it
    big.write_text("network,source,target,date\nZuid,A,B,2025-03-01\nZuid,B,C,2025-03-01\nZuid,C,A,2025-03-01\n")
    assert cli.main(["import", str(big), "--db", str(db)]) == 0
    monkeypatch.setenv("NETWERKLEREN_SIDEBAR_MAX_NETWORKS", "5")
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    box = at.sidebar.selectbox[0]
    assert box.options == ["All networks", "N00000", "N00001", "N00002", "N00003", "Zuid"]
    assert any(c.value.startswith("5 of 31 networks in the list") for c in at.sidebar.caption)
    at.sidebar.text_input(key="network_find").input("0002").run()
    assert at.sidebar.selectbox[0].options == ["All networks", "N00002", "N00020", "N00021", "N00022", "N00023"]
    at.sidebar.selectbox[0].select("N00021").run()
    assert at.session_state["network"] == "N00021"
    at.sidebar.text_input(key="network_find").input("N0001").run()  # the choice stays in the list
    assert "N00021" in at.sidebar.selectbox[0].options and at.session_state["network"] == "N00021"
    at.sidebar.text_input(key="network_find").input("n00025 ").run()  # one exact match (case aside): chosen
    assert at.session_state["network"] == "N00025" and at.sidebar.selectbox[0].value == "N00025"
    at.sidebar.text_input(key="network_find").input("N000").run()  # a part of many names chooses nothing
    assert at.session_state["network"] == "N00025"


def test_overview_draws_a_bounded_number_of_cards(tmp_path, monkeypatch):
    """10,000 networks once meant 10,000 cards: the overview draws at most OVERVIEW_MAX_CARDS (here 4) and says
    so; the chosen network is always among them."""
    import streamlit as st

    from bench.budget_suite import write_tiny_networks

    st.cache_data.clear()  # AppTests share this process's caches: start from this test's store only
    st.cache_resource.clear()
    db = tmp_path / "many.duckdb"
    assert cli.main(["import", str(write_tiny_networks(tmp_path, 60)), "--db", str(db)]) == 0
    monkeypatch.setenv("NETWERKLEREN_OVERVIEW_MAX_CARDS", "4")
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["network"] = "N00042"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    cards = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert len(cards) == 4 and cards[0] == "### N00042"
    assert any(c.value.startswith("4 of the 60 networks as cards") for c in at.caption)


def test_every_limit_is_documented_with_its_default():
    """docs/security.md is where an administrator looks a setting up: every limit in analytics/limits.py has a
    row there with the default the code uses."""
    from analytics import limits

    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for name, (default, _why) in limits.DEFAULTS.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"{name} has no row in docs/security.md"
        assert float(row.split("|")[2].strip().replace(",", "")) == default, (name, row)


def test_the_app_bounds_its_database_memory(tmp_path, monkeypatch):
    """Left to DuckDB's default (80% of the machine), one imported 1.7 M-tie network stayed cached in the app
    server, which grew past 2 GB (issue 18's load test): the app's connection carries APP_DB_MEMORY_MB."""
    import streamlit as st

    from analytics.store import database as store
    from pages import ui

    st.cache_resource.clear()
    db = tmp_path / "small.duckdb"
    store.connect(db).close()
    monkeypatch.setenv("NETWERKLEREN_APP_DB_MEMORY_MB", "300")
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    con = ui._connection(str(db))  # the process's cached connection, the one the run used
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit in ("286.1 MiB", "300.0 MB"), limit
    st.cache_resource.clear()
