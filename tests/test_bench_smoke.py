"""The benchmark's quick suites still run against today's schema (a changed table once broke ``bench values``
without any test noticing). Tiny sizes: this checks that they run and print their tables, not their speed."""

from __future__ import annotations

import pytest

from bench import suites


@pytest.mark.parametrize("name", ["dimensions", "values", "intervals"])
def test_a_quick_bench_suite_runs_and_prints_its_table(name):
    out = suites.SUITES[name](0.01)
    assert out.startswith("\n## ") and "baseline" in out, out


def test_the_report_bench_computes_the_reports_numbers(tmp_path):
    """The report suite's baseline calls the analytics the report calls (a renamed function once broke it)."""
    from analytics.views import report
    from bench import report_suite

    con = report_suite._load(1.0, tmp_path)
    nets = report._network_names(con)
    assert len(nets) >= 4  # the demo's networks
    report_suite._numbers_only(con, nets[:2])
    con.close()


def test_the_live_bench_drives_a_real_server_and_checks_what_was_stored():
    """Its phones speak Streamlit's WebSocket protocol, which a Streamlit upgrade may change: two phones open
    the form, send, and the bench finds their answers in the store as sent (it raises otherwise)."""
    from bench import live_suite

    out = live_suite.bench_live_phones(0.05)
    assert "2 phones at once: send, p95" in out and "lost 0" in out, out


def test_the_stored_figures_bench_reads_what_it_computed():
    """At its smallest size (500 people): the second view reads every figure back, equal to the first (the
    suite raises otherwise), from the five kinds it keeps."""
    from bench import stored_suite

    out = stored_suite.bench_stored_figures(0.01)
    assert "(5 kept)" in out and "all five" in out, out
