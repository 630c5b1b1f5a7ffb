"""One privacy rule: a person carries the same code on the Ties page, in the report, in the GEXF, in
``metrics --json`` and on the live map, and no name appears on any of them (issue: one house)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from datetime import date

import networkx as nx
import pytest
from test_app_pages import iframe_html, run_page

from analytics import privacy
from analytics.cli import main as cli
from analytics.draw import graph_files
from analytics.live import answers as live_answers
from analytics.live import picture as live_picture
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.measures import ties as tq
from analytics.store import database as store
from analytics.store.db import rows
from analytics.views import report, tie_view

NETWORK = "Onderzoekend leren"  # the demo network with people from outside the participant list
CODE = re.compile(r"\b[A-Z]-\d{3}\b")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("codes") / "demo.duckdb"


def _cli_json(*argv) -> list:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([str(a) for a in argv]) == 0
    return json.loads(out.getvalue())


def test_a_person_has_one_code_on_every_surface(demo_db, monkeypatch, tmp_path):
    html_page = iframe_html(run_page(demo_db, monkeypatch, "pages/ties.py", "nl", network=NETWORK,
                                     ties_view="people"))
    con = store.connect(demo_db)
    codes = privacy.public_ids(con)
    names = [r[0] for r in rows(con, "SELECT name FROM people WHERE name IS NOT NULL AND length(name) > 3")]
    outside = [r[0] for r in rows(con, "SELECT participant_id FROM people WHERE external")]
    latest = tq.options(con, NETWORK)["period"][-1]

    # the Ties page (default: the latest period) and the GEXF of the same view
    frame = tie_view.network_frame(con, NETWORK)
    shown_type = frame.tie_types[0]  # the page opens with the most common tie type
    G, _, _, people = tie_view.period_graph(
        con, tq.TieFilters(network=NETWORK, periods=(latest,), tie_types=tq.type_filter(frame.tie_types, None)),
        frame)
    gexf = graph_files.to_gexf(graph_files.with_measures(G, people)).decode()
    gexf_ids = set(nx.read_gexf(io.BytesIO(gexf.encode())).nodes)
    assert gexf_ids == set(G.nodes)
    # the person most named in that period: the same code in every place below
    star_code = max(G.nodes, key=lambda v: (G.in_degree(v), v))
    star_id = next(pid for pid, c in codes.items() if c == star_code)
    assert star_code == codes[star_id] and star_code in html_page

    page_codes = set(CODE.findall(html_page))
    assert page_codes and page_codes <= set(codes.values())
    assert page_codes == {v for v in G.nodes if CODE.fullmatch(v)}

    # the report of the same network and period
    html_report = report.build_report(con, networks=[NETWORK], period=latest, pseudonymise=True)
    assert star_code in html_report
    assert set(CODE.findall(html_report)) <= set(codes.values())

    # metrics --json of the same network and period
    [m] = _cli_json("metrics", "--json", "--db", demo_db, "--network", NETWORK, "--period", latest,
                    "--tie-type", shown_type)
    assert m["top_in_degree"][0] == star_code
    assert set(m["top_in_degree"]) | set(m["top_betweenness"]) | set(m["isolates"]) <= set(G.nodes)

    # the live map: a member names the star and someone from outside by the name they type
    member = next(pid for pid in live_rounds.member_names(con, NETWORK, date(2026, 3, 1)) if pid != star_id)
    rnd, _ = live_rounds.create_round(con, NETWORK, mode="named", on=date(2026, 3, 1),
                                      config=live_rounds.RoundConfig(current=True, ties=True, topic="lezen"))
    token = live_tokens.issue_personal_tokens(con, rnd.round_id, [member])[member]
    live_answers.save_response(con, rnd.round_id, token, {"current": {"1a": 4}, "ties": [
        {"to": star_id, "often": 2}, {"name": "Marieke van Dijk (bibliotheek)", "often": 1}]}, final=True, seq=0)
    L = live_picture.live_tie_graph(con, live_rounds.get_round(con, rnd.round_id), pseudonymise=True,
                                    external_label="extern {n}")
    assert star_code in L and codes[member] in L
    assert "Marieke van Dijk (bibliotheek)" not in L and not any("Marieke" in str(d.get("label")) for _, d in L.nodes(data=True))

    # no name and no stored id of an outside person anywhere
    for text in (html_page, html_report, gexf, json.dumps(m), json.dumps([str(v) for v in L.nodes])):
        for x in names + outside:
            assert x not in text, x
    con.close()
