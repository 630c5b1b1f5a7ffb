"""The benchmark's quick suites still run against today's schema (a changed table once broke ``bench values``
without any test noticing). Tiny sizes: this checks that they run and print their tables, not their speed."""

from __future__ import annotations

import pytest

from bench import suites


@pytest.mark.parametrize("name", ["dimensions", "values", "intervals"])
def test_a_quick_bench_suite_runs_and_prints_its_table(name):
    out = suites.SUITES[name](0.01)
    assert out.startswith("\n## ") and "baseline" in out, out
