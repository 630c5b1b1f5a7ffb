"""Charts as inline SVG figures for the standalone documents (report, handout), drawn beside the work.

A report of 40-50 networks holds about 150 charts; vl-convert draws each in about 60 ms and holds Python's GIL
while it does (measured: a busy Python thread ran ten times slower beside it), so a thread gains nothing. One
helper process does: it draws a network's charts while this process computes the next network's numbers. A
document asks for a figure and gets a placeholder; :meth:`FigureDrawer.fill` puts the figures in at the end.
When the helper cannot start or fails, the figures are drawn here, as they would have been without it.

This module imports no Altair or pandas, so the helper starts in a third of a second.
"""

from __future__ import annotations

import html
import json
import queue
import re
import secrets
import subprocess
import sys
import threading
from typing import Any

from analytics import helper_process

#: From this many networks on, a report draws its charts in a helper process (fewer charts do not repay
#: starting it: about 0.35 s against about 60 ms a chart).
HELPER_FROM_NETWORKS = 3


def figure(spec_json: str, vl_version: str, locale: str | None, prefix: str, caption: str | None = None) -> str:
    """One chart as ``<figure>`` with inline SVG, its ids prefixed so that many charts share one document.

    Script-free: Vega escapes every text it draws, so labels from data cannot become markup."""
    import vl_convert as vlc

    s = vlc.vegalite_to_svg(spec_json, vl_version=vl_version, allowed_base_urls=[], format_locale=locale)
    s = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", s)  # an XML declaration is not allowed inside HTML
    s = re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", s, count=2)  # the HTML parser knows <svg>
    ids = set(re.findall(r'(?<![\w-])id="([^"]+)"', s))
    if ids:
        alt = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
        s = re.sub(rf'(?<![\w-])id="({alt})"', lambda m: f'id="{prefix}{m.group(1)}"', s)
        s = re.sub(rf"url\(#({alt})\)", lambda m: f"url(#{prefix}{m.group(1)})", s)
        s = re.sub(rf'href="#({alt})"', lambda m: f'href="#{prefix}{m.group(1)}"', s)
    s = s.replace("<svg ", '<svg role="img" ', 1)
    cap = f"<figcaption>{html.escape(caption, quote=True)}</figcaption>" if caption else ""
    return f'<figure class="chart">{s}{cap}</figure>'


def spec_json(chart: Any) -> str:
    """The chart's Vega-Lite spec as JSON text (what crosses to the helper)."""
    if isinstance(chart, str):
        return chart
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)  # built by our own builders
    return json.dumps(spec)


class FigureDrawer:
    """Draws figures here (``helper=False``) or in one helper process, handing out placeholders to fill.

    The helper is ``python -m analytics.draw.svg_figures`` talking JSON lines over its pipes (started by
    :mod:`analytics.helper_process`). A writer thread
    feeds it, so asking for a figure never waits for the helper; a reader thread collects what it drew."""

    def __init__(self, vl_version: str, *, helper: bool = False) -> None:
        self.vl_version = vl_version
        self._token = secrets.token_hex(8)  # placeholders no text in a document can forge
        self._jobs: list[tuple] = []
        self._done: dict[int, tuple[bool, str]] = {}
        self._cond = threading.Condition()
        self._proc: subprocess.Popen | None = None
        self._outbox: queue.Queue = queue.Queue()
        self._proc_gone = False
        if helper:
            self._start()

    def _start(self) -> None:
        try:
            self._proc = helper_process.start("analytics.draw.svg_figures", stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, text=True, encoding="utf-8")
        except OSError:
            self._proc = None
            return
        threading.Thread(target=self._write, args=(self._proc,), daemon=True, name="figures-writer").start()
        threading.Thread(target=self._read, args=(self._proc,), daemon=True, name="figures-reader").start()

    def _write(self, proc: subprocess.Popen) -> None:
        while (line := self._outbox.get()) is not None:
            try:
                proc.stdin.write(line)
                proc.stdin.flush()
            except (OSError, ValueError):
                break
        try:
            proc.stdin.close()
        except (OSError, ValueError):
            pass

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            try:
                n, ok, out = json.loads(line)
            except ValueError:
                break
            with self._cond:
                self._done[n] = (ok, out)
                self._cond.notify_all()
        with self._cond:  # the helper is gone: whatever it did not draw is drawn here
            self._proc_gone = True
            self._cond.notify_all()

    @property
    def uses_helper(self) -> bool:
        return self._proc is not None

    def draw(self, chart: Any, *, locale: str | None, prefix: str, caption: str | None = None) -> str:
        """The figure, or (with a helper) a placeholder that :meth:`fill` replaces."""
        args = (spec_json(chart), self.vl_version, locale, prefix, caption)
        if self._proc is None:
            return figure(*args)
        n = len(self._jobs)
        self._jobs.append(args)
        self._outbox.put(json.dumps([n, args]) + "\n")
        return self._key(n)

    def _key(self, n: int) -> str:
        return f"<!--figure:{self._token}:{n}-->"

    def _result(self, n: int) -> str:
        with self._cond:
            self._cond.wait_for(lambda: n in self._done or self._proc_gone)
            ok, out = self._done.pop(n, (False, ""))
        return out if ok else figure(*self._jobs[n])  # refused or not drawn: here, raising what is real

    def fill(self, text: str) -> str:
        """``text`` with every placeholder replaced by its figure (drawn here if the helper failed)."""
        if not self._jobs:
            return text
        figures = {self._key(n): self._result(n) for n in range(len(self._jobs))}
        self._jobs.clear()
        return re.sub(rf"<!--figure:{self._token}:\d+-->", lambda m: figures[m.group(0)], text)

    def close(self, *, at_once: bool = False) -> None:
        """Let the helper finish and stop (``at_once``: stop it now, e.g. when the document failed)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._outbox.put(None)
        if at_once:
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> FigureDrawer:
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.close(at_once=exc_type is not None)


def _serve() -> None:
    """The helper: one job per line in (``[n, args]``), one figure per line out (``[n, ok, figure or error]``)."""
    out = sys.stdout
    for line in sys.stdin:
        n, args = json.loads(line)
        try:
            out.write(json.dumps([n, True, figure(*args)]) + "\n")
        except Exception as e:  # noqa: BLE001 - the caller draws it again and gets the error itself
            out.write(json.dumps([n, False, type(e).__name__]) + "\n")
        out.flush()


if __name__ == "__main__":
    _serve()
