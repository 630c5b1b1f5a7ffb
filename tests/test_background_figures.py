"""A big view's tie measures are computed in the background: the page shows the map at once, then the previous
selection's figures (labelled as such) or none, under a progress bar, and the new figures when they are ready."""

from __future__ import annotations

import threading
import time

import pytest
from test_app_pages import db, run_page  # noqa: F401  (db is a fixture)

from analytics import decisions
from analytics.measures import measures_process
from analytics.views import background, tie_view

# ---------------------------------------------------------------- the jobs


def test_a_job_runs_once_per_key_and_gives_its_result():
    jobs, gate, calls = background.Jobs(), threading.Event(), []

    def work():
        calls.append(1)
        gate.wait(10)
        return 42

    job = jobs.start("k", work, expected_s=2.0)
    assert jobs.start("k", work, expected_s=2.0) is job  # a rerun while it runs finds the same job
    assert not job.done() and jobs.running() == 1
    with pytest.raises(RuntimeError):
        job.result()
    assert 0.0 <= job.progress() <= 0.95
    gate.set()
    assert job.wait(10) and job.result() == 42 and job.progress() == 1.0
    assert jobs.start("k", work, expected_s=2.0) is job and calls == [1]  # kept: not computed again
    assert jobs.running() == 0


def test_a_job_can_wait_to_be_begun_and_is_dropped_if_never_begun():
    jobs, calls = background.Jobs(), []
    job = jobs.start("a", lambda: calls.append("a") or 1, 1.0, begin=False)
    time.sleep(0.05)
    assert not job.begun() and not job.done() and job.progress() == 0.0 and calls == [] and jobs.running() == 0
    assert jobs.start("a", lambda: 2, 1.0) is job  # the page's next run finds it and begins it at its end
    job.begin()
    job.begin()  # once only
    assert job.wait(10) and job.result() == 1 and calls == ["a"]
    stale = jobs.start("b", lambda: calls.append("b"), 1.0, begin=False)
    jobs.start("c", lambda: 3, 1.0).wait(10)  # the page moved on before it began "b": nobody waits for it
    assert jobs.get("b") is None and jobs.get("a") is job and not stale.begun() and "b" not in calls


def test_a_job_begins_within_a_moment_unless_begun_before_or_dropped():
    """A page's job begins when the browser asks for its progress, else after a moment; one the page has moved
    on from never begins, even when its moment comes."""
    jobs, calls = background.Jobs(), []
    late = jobs.start("late", lambda: calls.append("late"), 1.0, begin=False)
    late.begin_within(0.2)
    assert not late.begun()
    assert late.wait(10) and calls == ["late"]  # begun by its timer

    early = jobs.start("early", lambda: calls.append("early"), 1.0, begin=False)
    early.begin_within(5.0)
    early.begin()  # the browser asked first
    assert early.wait(10) and calls == ["late", "early"]

    dropped = jobs.start("dropped", lambda: calls.append("dropped"), 1.0, begin=False)
    dropped.begin_within(0.2)
    jobs.start("newer", lambda: None, 1.0, begin=False)  # a filter change before it began
    time.sleep(0.6)
    dropped.begin()
    assert not dropped.begun() and "dropped" not in calls and jobs.get("dropped") is None


def test_progress_follows_the_expected_time_but_never_claims_done(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(background.time, "monotonic", lambda: clock[0])
    gate = threading.Event()
    job = background.Job(lambda: gate.wait(10), expected_s=4.0)
    clock[0] += 1.0
    assert job.progress() == pytest.approx(0.25)
    clock[0] += 10.0  # slower than expected: the bar waits near its end
    assert job.progress() == 0.95
    gate.set()
    job.wait(10)
    assert job.progress() == 1.0


def test_a_failed_job_raises_its_error_and_is_not_started_again():
    jobs, calls = background.Jobs(), []

    def broken():
        calls.append(1)
        raise ValueError("no")

    job = jobs.start("k", broken, 1.0)
    job.wait(10)
    with pytest.raises(ValueError):
        job.result()
    assert jobs.start("k", broken, 1.0) is job and calls == [1]


def test_finished_jobs_are_forgotten_beyond_a_few(monkeypatch):
    monkeypatch.setattr(background, "KEEP_FINISHED", 3)
    jobs = background.Jobs()
    for i in range(8):
        jobs.start(i, lambda i=i: i, 1.0).wait(10)
    jobs.start("last", lambda: 0, 1.0).wait(10)
    kept = [k for k in [*range(8), "last"] if jobs.get(k) is not None]
    assert len(kept) <= 4 and "last" in kept and 0 not in kept


def test_expected_seconds_grow_with_the_view():
    from analytics.measures.network import build_graph
    from bench.ties_suite import synthetic

    small, big = build_graph(*synthetic(60, 300))[0], build_graph(*synthetic(5000, 50000))[0]
    small_s = tie_view.measures_seconds(len(small), small.number_of_edges())
    big_s = tie_view.measures_seconds(len(big), big.number_of_edges())
    assert small_s < 0.05 < decisions.BACKGROUND_FROM_S < big_s  # the demo never waits; 5,000 people do


def test_view_figures_at_once_kept_or_from_a_job(monkeypatch):
    """A quick view is measured at once; a big one read when kept, else computed by one job per key, not
    begun by asking (the page begins it once it has drawn); a finished job gives its figures or its error."""
    jobs, calls = background.Jobs(), []
    small, big = (50, 400), (10_000, 60_000)

    def ask(size, key, kept=None, work=lambda: ("new", None)):
        def make_job():
            calls.append(("make", key))
            return work
        return tie_view.view_figures(size, key, now=lambda: calls.append("now") or ("now", None),
                                     kept=lambda: calls.append("kept") or kept, make_job=make_job, jobs=jobs)

    assert ask(small, "s") == (("now", None), None) and calls == ["now"] and jobs.get("s") is None
    calls.clear()
    assert ask(big, "k", kept=("kept", None)) == (("kept", None), None) and calls == ["kept"]
    calls.clear()
    figures, job = ask(big, "b")
    assert figures is None and not job.begun() and calls == ["kept", ("make", "b")]
    assert job.expected_s == pytest.approx(tie_view.measures_seconds(*big) * decisions.BACKGROUND_ESTIMATE_FACTOR)
    assert ask(big, "b") == (None, job) and calls == ["kept", ("make", "b")]  # found again: nothing made or read
    job.begin()
    assert job.wait(10) and ask(big, "b") == (("new", None), job)

    def broken():
        raise ValueError("no graph")

    _, failing = ask(big, "f", work=broken)
    failing.begin()
    assert failing.wait(10)
    with pytest.raises(ValueError):
        ask(big, "f")


# ---------------------------------------------------------------- the page


def _wait_for_jobs(jobs: background.Jobs) -> None:
    """Until every job is done (a page's job begins a moment after its run: AppTest has no browser to ask)."""
    for _ in range(400):
        if all(j.done() for j in list(jobs._jobs.values())):
            return
        time.sleep(0.05)
    raise AssertionError("the background figures did not finish")


def test_ties_page_shows_previous_figures_labelled_while_new_ones_are_computed(db, monkeypatch):  # noqa: F811
    import streamlit as st

    st.cache_data.clear()
    jobs, gate = background.Jobs(), threading.Event()
    real, asked = measures_process.rows_measures, []
    monkeypatch.setattr(background, "JOBS", jobs)
    monkeypatch.setattr(decisions, "BACKGROUND_FROM_S", 0.0)  # every view counts as big
    monkeypatch.setattr(tie_view, "kept_measures", lambda *a, **k: None)  # nothing kept from before
    # the helper process's work, done here behind a gate (tests/test_measures_process.py runs the real helper)
    monkeypatch.setattr(measures_process, "rows_measures_apart",
                        lambda *a, patience_s=None: asked.append(a[2] is not None) or (gate.wait(30) and real(*a)))
    monkeypatch.setattr(tie_view, "graph_measures", lambda *a, **k: pytest.fail("the page measured a big view"))

    # a first view: the map is there, the figures are on their way, none to show yet
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen")
    captions = " ".join(c.value for c in at.caption)
    assert "are being computed" in captions and "follow as soon as" in captions
    assert at.get("iframe") and not [m for m in at.metric if m.label == "Participants"]
    assert not [h for h in at.subheader if h.value == "Measures"]

    gate.set()
    _wait_for_jobs(jobs)
    at.run()
    assert not at.exception
    first = {m.label: m.value for m in at.metric}
    assert int(first["Ties"]) > 0 and "previous selection" not in " ".join(c.value for c in at.caption)
    assert at.session_state["ties_figures"]["figures"][0]["edges"] == int(first["Ties"])

    # a filter change: the previous selection's figures, said to be so, no questions and no files of them
    gate.clear()
    at.number_input(key="ties_minw").set_value(3.0).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "previous selection" in captions and "are being computed" in captions
    said = [i.value for i in at.info if "previous selection" in i.value]  # also above the figures themselves
    assert said and "Knowledge sharing" in said[0] and "weight" not in said[0]  # the selection before: no minimum
    assert {m.label: m.value for m in at.metric}["Ties"] == first["Ties"]
    assert not [b for b in at.get("download_button") if "GEXF" in str(b.proto)]

    gate.set()
    _wait_for_jobs(jobs)
    at.run()
    assert not at.exception
    now = {m.label: m.value for m in at.metric}
    assert int(now["Ties"]) < int(first["Ties"])  # the demo's ties of weight 3 or more only
    assert "previous selection" not in " ".join(c.value for c in at.caption)
    assert asked == [True, True]  # two views, each measured once, apart, coded (names switch on)


def test_small_views_are_computed_at_once(db, monkeypatch):  # noqa: F811
    import streamlit as st

    st.cache_data.clear()
    jobs = background.Jobs()
    monkeypatch.setattr(background, "JOBS", jobs)
    at = run_page(db, monkeypatch, "pages/ties.py", "nl", network="Rekenen")
    assert jobs.get(next(iter(jobs._jobs), None)) is None  # no job: the demo's measures take milliseconds
    assert [m for m in at.metric if m.label == "Relaties"]


def test_a_jobs_helpers_are_niced_but_not_its_thread(monkeypatch):
    """The betweenness helpers a background job starts give way to the server's work; the job's own thread keeps
    its priority (niced while holding Python's GIL, it would hold up the server's other threads)."""
    import os

    from analytics import helper_process

    envs = []

    class FakePopen:
        def __init__(self, cmd, **kw):
            envs.append(kw["env"])

    monkeypatch.setattr(helper_process.subprocess, "Popen", FakePopen)
    niceness = []
    job = background.Job(lambda: (niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())),
                                  helper_process.start("analytics.measures.betweenness_parts")), 1.0)
    job.wait(10)
    helper_process.start("analytics.measures.betweenness_parts")  # from a page's own thread
    assert envs[0][helper_process.NICE_ENV] == str(background.BACKGROUND_NICE)
    assert helper_process.NICE_ENV not in envs[1]
    assert niceness == [os.getpriority(os.PRIO_PROCESS, 0)]  # the job's thread: as the process

    asked = []
    monkeypatch.setattr(helper_process.os, "nice", lambda n: asked.append(n))
    monkeypatch.setenv(helper_process.NICE_ENV, "10")
    helper_process.apply_nice()
    monkeypatch.setenv(helper_process.NICE_ENV, "nonsense")
    helper_process.apply_nice()
    assert asked == [10]
