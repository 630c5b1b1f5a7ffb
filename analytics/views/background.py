"""Computations a page does not wait for: the tie measures of a big view after a filter change.

A page starts a job under a key (the data version and the question asked) and reads it on its next runs: done,
it has the figures; not yet, it shows the previous selection's figures, labelled as such, with a progress bar
from the expected time. One job per key: a rerun while it runs finds the same job, so nothing is computed twice.
Jobs run in daemon threads of the server process; the finished ones are kept for a short while, then forgotten
(the figures themselves are kept in the store, see :mod:`analytics.store.computed`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

#: Finished jobs kept for their page's next run (a filter changed back and forth reads them again).
KEEP_FINISHED = 16
#: The nice value of a job's helper processes (0 normal, 19 lowest): a background computation gives way to a click.
BACKGROUND_NICE = 10


class Job:
    """One background computation: its result when done, how far along it seems until then."""

    def __init__(self, fn: Callable[[], Any], expected_s: float, *, begin: bool = True) -> None:
        self.expected_s = max(0.1, float(expected_s))
        self.started: float | None = None
        self._dropped = False
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, args=(fn,), name="netwerkleren-figures", daemon=True)
        if begin:
            self.begin()

    def begin(self) -> None:
        """Start the computation (once; later calls, and calls after :meth:`drop`, do nothing)."""
        with self._lock:
            if self.started is None and not self._dropped:
                self.started = time.monotonic()
                self._thread.start()

    def begin_within(self, seconds: float) -> None:
        """Begin after ``seconds`` unless begun before. A page's job begins when the browser first asks how far
        it is (by then it has drawn the page), at the latest after this: begun while the browser still draws the
        map, the job's start took 0.3-0.5 s from that drawing on two cores (measured at 10,000 people)."""
        timer = threading.Timer(seconds, self.begin)
        timer.daemon = True
        timer.start()

    def drop(self) -> None:
        """Never begin: nobody waits for this job any more."""
        with self._lock:
            self._dropped = self.started is None

    def begun(self) -> bool:
        return self.started is not None

    def _run(self, fn: Callable[[], Any]) -> None:
        _lower_priority()
        try:
            self._value = fn()
        except BaseException as e:  # noqa: BLE001 - handed to whoever reads the result, raised there
            self._error = e
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def failed(self) -> bool:
        return self._done.is_set() and self._error is not None

    def result(self) -> Any:
        """The value (raises what the computation raised); only once :meth:`done`."""
        if not self._done.is_set():
            raise RuntimeError("the job is still running")
        if self._error is not None:
            raise self._error
        return self._value

    def progress(self) -> float:
        """Elapsed time over expected time, never quite 1 before it is done: a bar, not a promise."""
        if self._done.is_set():
            return 1.0
        if self.started is None:
            return 0.0
        return min(0.95, (time.monotonic() - self.started) / self.expected_s)


def _lower_priority() -> None:
    """The helper processes this job starts (betweenness) give way to the server's own work: a rerun, a map
    being drawn in a browser on the same machine. The job's thread itself is not niced: a thread that holds
    Python's GIL while the scheduler keeps it waiting holds up every other thread of the server."""
    from analytics import helper_process

    helper_process.start_niced(BACKGROUND_NICE)


class Jobs:
    """The jobs of one server process, by key. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[Hashable, Job] = OrderedDict()

    def start(self, key: Hashable, fn: Callable[[], Any], expected_s: float, *, begin: bool = True) -> Job:
        """The job for ``key``: the one running or kept, else a new one for ``fn`` (begun now unless ``begin``
        is False). A failed job is kept too, so its page says so on every run instead of starting it again
        and again (new data is a new key). Jobs never begun (their page moved on before it began them) make
        room for this one: nobody waits for them any more."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                self._jobs.move_to_end(key)
                return job
            for k in [k for k, j in self._jobs.items() if not j.begun()]:
                self._jobs.pop(k).drop()
            job = self._jobs[key] = Job(fn, expected_s, begin=begin)
            finished = [k for k, j in self._jobs.items() if j.done()]
            for k in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[k]
            return job

    def get(self, key: Hashable) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def running(self) -> int:
        """Jobs begun and not done."""
        with self._lock:
            return sum(j.begun() and not j.done() for j in self._jobs.values())


#: This server process's jobs.
JOBS = Jobs()
