"""The standalone report: one HTML file that opens offline in any browser (and, with Chromium, a PDF of it).

What is in it: the title and date, the data sources (the imports), the overview (the networks side by side and
the signals, worded as questions) and per network the dimensions radar over time, the indicator radar of the
chosen (or latest) period with its poles, where the marks lie furthest apart, the value funnel with what lies
beside it and the question where value stops, example stories, the tie map of the period (interactive) with
its key measures and questions, and the meeting agreements.

How it stays safe and offline:

* Charts are inline SVG drawn by vl-convert (no Vega-Embed, no script); their element ids are made unique per
  chart, because every SVG shares the one HTML document.
* Every text that comes from data (network names, labels, stories, notes, file names) is HTML-escaped; the few
  translation texts with ``**bold**`` are escaped first and only then get ``<strong>``.
* The tie map is ``tie_map.tie_map_html`` in ``<iframe sandbox="allow-scripts" srcdoc="...">`` with the
  document HTML-escaped: scripts run in an opaque origin that cannot reach the report.
* vis-network (the maps' runtime, ~0.5 MB) is in the report once: the first map carries it and posts its text
  to the other frames, which run it as an inline script. The policy allows that script by its hash, so a frame
  can run that exact text and nothing else a message might bring.
* A Content-Security-Policy forbids every fetch (``default-src 'none'``). A srcdoc frame inherits the report's
  policy, so the report allows exactly the tie maps' inline scripts by their SHA-256 hashes and no other script;
  the report itself contains no ``<script>`` element.
* Pseudonymised (the default): people appear only as their stored codes (``T-017``). The tie map's node ids are
  replaced by the codes too (the id of someone from outside the participant list is often their name), and any
  participant's name in free text (stories, agreements) is replaced by their code. File names of the imports
  are kept as they are: they are the user's own files.

Print: every network starts on a new page; the contents list and the interactive hints are not printed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.definitions import default_framework, funnel_cycles, value_cycles
from analytics.draw import charts, export
from analytics.draw.svg_figures import HELPER_FROM_NETWORKS, FigureDrawer
from analytics.i18n import chart_text, cycle_label, fmt_num, kind_label, t, tie_type_label
from analytics.measures import dimensions as dims
from analytics.measures import overview as ov
from analytics.measures import ties as tq
from analytics.measures import value_creation as vc
from analytics.privacy import DEFAULT_MIN_GROUP, NameScrubber
from analytics.store import database as store
from analytics.store import notes
from analytics.store.db import frame
from analytics.views import tie_view, wording

#: Pixels between nearest neighbours on the tie map, as on the Tie maps page.
MAX_NOTES = 10
#: Chromium switches for printing: headless, and nothing that phones home.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=15000",
)
#: Fit the map again once the frame is laid out (the fit while the page is still being built can see a zero
#: size) and when the frame changes size (printing).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 180


class ReportError(RuntimeError):
    """A report cannot be made as asked (unknown network or period, no Chromium for a PDF)."""


# ------------------------------------------------------------------------------------------------ text helpers


def _e(value: object) -> str:
    """Text from data, safe inside HTML elements and quoted attributes."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)




def _date(value, lang: str, with_time: bool = False) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "—"
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return "—"
    fmt = "%d-%m-%Y" if lang == "nl" else "%Y-%m-%d"
    return ts.strftime(fmt + (" %H:%M" if with_time else ""))


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], *, numeric: Sequence[int] = (),
           cls: str = "") -> str:
    """An HTML table; every cell is escaped here."""
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(header))
    body = []
    for r in rows:
        cells = "".join(f"<td{' class=num' if i in numeric else ''}>{_e(c)}</td>" for i, c in enumerate(r))
        body.append(f"<tr>{cells}</tr>")
    c = f' class="{_e(cls)}"' if cls else ""
    return f"<table{c}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# ------------------------------------------------------------------------------------------------ the document


@dataclass
class _Doc:
    """What the sections add to as they are written: script hashes for the CSP, a counter for unique ids."""

    lang: str
    script_hashes: list[str] = field(default_factory=list)
    n_charts: int = 0
    n_maps: int = 0
    drawer: FigureDrawer = field(default_factory=lambda: FigureDrawer(export.vl_version()))

    def svg(self, chart, caption: str | None = None) -> str:
        """A chart as inline SVG with its ids made unique in this document (with a helper drawing them, a
        placeholder that :meth:`finish` fills)."""
        self.n_charts += 1
        return self.drawer.draw(chart, locale="nl-NL" if self.lang == "nl" else None, prefix=f"c{self.n_charts}-",
                                caption=caption)

    def finish(self, text: str) -> str:
        """The document with every chart in place."""
        return self.drawer.fill(text)

    def iframe(self, document: str, title: str, height: int) -> str:
        """A self-contained HTML document in a sandboxed srcdoc frame; its inline scripts are hashed for the
        report's CSP (the frame inherits it)."""
        self.n_maps += 1
        doc = document.replace("\r\n", "\n").replace("\r", "\n")  # what the HTML parser hands the frame
        for body in re.findall(r"<script(?: id=\"[\w-]+\")?>(.*?)</script>", doc, flags=re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
            h = f"'sha256-{digest}'"
            if h not in self.script_hashes:
                self.script_hashes.append(h)
        return (f'<iframe class="tiemap" title="{_e(title)}" sandbox="allow-scripts" referrerpolicy="no-referrer"'
                f' style="height:{int(height) + 8}px" srcdoc="{html.escape(doc, quote=True)}"></iframe>')

    def csp(self) -> str:
        scripts = " ".join(self.script_hashes) if self.script_hashes else "'none'"
        return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
                "font-src data:; base-uri 'none'; form-action 'none'")


#: The report's look on screen; the slides handout (``analytics.views.handout``) builds on it too.
SCREEN_CSS = """
:root { --ink: #1f1f1f; --muted: #5f5f5f; --line: #d9d9d9; --soft: #f4f6f8; --accent: #0b4f7c; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: var(--ink);
       line-height: 1.45; }
body { margin: 0 auto; padding: 24px 32px 48px; max-width: 1180px; background: #fff; }
h1 { font-size: 1.9rem; margin: 0 0 .2rem; color: var(--accent); }
h2 { font-size: 1.45rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.12rem; margin: 1.6rem 0 .5rem; color: var(--accent); }
p, li { max-width: 80ch; }
.meta { color: var(--muted); margin: .15rem 0; }
.privacy { background: var(--soft); border-left: 4px solid var(--accent); padding: .5rem .8rem; margin: .8rem 0; }
.privacy.names { border-left-color: #E69F00; }
nav.toc { background: var(--soft); padding: .6rem 1rem; margin: 1rem 0; }
nav.toc ol { margin: .2rem 0; padding-left: 1.3rem; columns: 2; }
nav.toc a { color: var(--accent); }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: .6rem 0 1rem; display: inline-block; vertical-align: top; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; }
.row { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
ul.questions { list-style: none; padding-left: 0; }
ul.questions li { margin: .35rem 0; padding: .45rem .7rem; background: var(--soft); border-radius: 4px; }
.read { color: var(--muted); font-size: .9rem; }
.story { margin: .4rem 0 .8rem; padding-left: .8rem; border-left: 3px solid var(--line); }
.story .tag { color: var(--muted); font-size: .85rem; }
.note { margin: .4rem 0 .8rem; }
iframe.tiemap { width: 100%; border: 1px solid var(--line); display: block; background: #fff; }
.legend { font-size: .88rem; margin: .4rem 0 .8rem; }
.legend span.item { display: inline-flex; align-items: center; margin: 2px 14px 2px 0; }
.legend span.sw { display: inline-block; width: 13px; height: 13px; margin-right: 6px; border: 1px solid #4d4d4d; }
.legend span.sw.node { border-radius: 50%; }
.legend span.sw.edge { height: 0; border: 0; border-top-width: 3px; border-top-style: solid; }
.legend span.sw.edge.dash { border-top-style: dashed; }
.side { font-size: .95rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .6rem; }
"""
#: How the report prints: A4 portrait, every network on a new page.
PRINT_CSS = """@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 10.5pt; }
  nav.toc, .screen-only { display: none; }
  section.network { break-before: page; }
  h2, h3 { break-after: avoid; }
  figure.chart, table, iframe.tiemap, .story, ul.questions li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
CSS = SCREEN_CSS + PRINT_CSS


# ------------------------------------------------------------------------------------------------ sections


def _network_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return frame(con, """SELECT DISTINCT network FROM (
                           SELECT network FROM participants UNION ALL SELECT network FROM dimension_scores
                           UNION ALL SELECT network FROM value_reports UNION ALL SELECT network FROM ties)
                         WHERE network IS NOT NULL ORDER BY 1""")["network"].tolist()


def _sources(con: duckdb.DuckDBPyConnection, lang: str) -> str:
    recs = store.list_imports(con, include_undone=False)
    out = [f'<section id="sources"><h2>{_e(t("report.sources", lang))}</h2>']
    if not recs:
        return "".join(out) + f"<p>{_e(t('report.no_sources', lang))}</p></section>"
    out.append(f"<p>{_e(t('report.sources_intro', lang))}</p>")
    rows = [[r.file_name, kind_label(r.kind, lang),
             t("report.source_sample" if r.source == "sample" else "report.source_file", lang),
             fmt_num(r.rows_imported, lang, 0), fmt_num(r.rows_rejected, lang, 0),
             _date(r.imported_at, lang, with_time=True)] for r in recs]
    header = [t(f"report.col_{k}", lang) for k in ("file", "kind", "source", "rows", "rejected", "imported")]
    out.append(_table(header, rows, numeric=(3, 4)))
    return "".join(out) + "</section>"


def _overview(con: duckdb.DuckDBPyConnection, nets: list[str], lang: str, min_group: int) -> str:
    out = [f'<section id="overview"><h2>{_e(t("report.overview", lang))}</h2>']
    table = ov.network_table(con, min_group)
    table = table[table["network"].isin(nets)]
    rows = [[r.network, fmt_num(r.participants, lang, 0), fmt_num(r.periods, lang, 0),
             _date(r.first_date, lang), _date(r.last_date, lang)] for r in table.itertuples()]
    header = [t(f"report.col_{k}", lang) for k in ("network", "participants", "periods", "first", "last")]
    out.append(_table(header, rows, numeric=(1, 2)))
    out.append(f"<h3>{_e(t('overview.signals', lang))}</h3>")
    sig = [s for s in ov.signals(con, min_group, ties_latest=ov.latest_tie_measures(con, nets)) if s.network in nets]
    if not sig:
        out.append(f"<p>{_e(t('overview.no_signals', lang))}</p>")
    else:
        fw = default_framework(store.alt_dimension_names(con))
        items = "".join(f"<li><strong>{_e(s.network)}</strong> — {_e(wording.signal_text(s.code, s.figures, lang, fw))}</li>"
                        for s in sig)
        out.append(f'<ul class="questions">{items}</ul>')
    return "".join(out) + "</section>"


def _mean_ci(mean, low, high, lang: str) -> str:
    """'0.52 (0.45–0.60)': a mean with its 95% interval; '—' when suppressed or missing."""
    if mean is None or mean != mean:
        return "—"
    if low is None or low != low:
        return fmt_num(mean, lang, 2)
    return f"{fmt_num(mean, lang, 2)} ({fmt_num(low, lang, 2)}–{fmt_num(high, lang, 2)})"


def dimension_figures(con, nets: Sequence[str], min_group: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every network's statistics per dimension and per indicator, all periods, in two queries rather than two
    per network (50 networks: 100 scans of every mark). A network's rows are what a query of that network
    alone gives, intervals included: the bootstrap draws depend on a group's size, not on its neighbours."""
    f = dims.Filters(networks=tuple(nets), situation="current")
    return (dims.indicator_stats(con, f, by="dimension", min_group=min_group, with_ci=True),
            dims.indicator_stats(con, f, by="indicator", min_group=min_group, with_ci=True))


def _of(df: pd.DataFrame, **where) -> pd.DataFrame:
    keep = np.ones(len(df), dtype=bool)
    for col, value in where.items():
        keep &= (df[col] == value).to_numpy()
    return df[keep].reset_index(drop=True)


def _dimensions(doc: _Doc, con, net: str, order: list[str], period: str | None, min_group: int,
                figures: tuple[pd.DataFrame, pd.DataFrame]) -> str:
    lang = doc.lang
    fw = default_framework(store.alt_dimension_names(con))
    text = chart_text(lang)
    out = [f"<h3>{_e(t('report.dims', lang))}</h3>"]
    df = _of(figures[0], network=net)
    df = df[df["period"].isin(order)]
    pers = [p for p in order if p in set(df["period"])]
    if df.empty or df["mean"].notna().sum() == 0:
        return "".join(out) + f"<p>{_e(t('report.no_dims', lang))}</p>"
    focus = tie_view.focus_period(pers, period)
    dim_codes = [d.code for d in fw.dimensions]
    dim_labels = {d.code: f"{d.code} {d.name[lang]}" for d in fw.dimensions}
    radar = charts.radar_chart(df, axis_order=dim_codes, axis_labels=dim_labels, series_order=pers, emphasise=focus,
                               text=text, title=t("dims.radar_title", lang, network=net), size=560,
                               ci=("ci_low", "ci_high"))
    cell = {(r.period, r.code): _mean_ci(r.mean, r.ci_low, r.ci_high, lang) for r in df.itertuples()}
    rows = [[p, *[cell.get((p, c), "—") for c in dim_codes]] for p in pers]
    numbers = (f"<div><p class=read>{_e(t('report.dims_numbers', lang))}</p>"
               + _table([t("report.col_period", lang), *dim_labels.values()], rows,
                        numeric=range(1, len(dim_codes) + 1)) + "</div>")
    out.append(f'<div class="row">{doc.svg(radar)}{numbers}</div>')
    out.append(f"<p class=read>{_e(t('report.dims_read', lang))}</p>")
    if df["suppressed"].any():
        out.append(f"<p class=read>{_e(t('ui.suppressed', lang, n=min_group))}</p>")

    ind = _of(figures[1], network=net, period=focus)
    n_resp = int(ind["n"].max()) if len(ind) else 0
    if n_resp < min_group:
        out.append(f"<p>{_e(t('dims.too_few', lang, n=n_resp, min=min_group))}</p>")
        return "".join(out)
    ind_labels = {i.code: f"{i.code} {i.name[lang]}" for i in fw.indicators}
    poles = {i.code: (i.left[lang], i.right[lang]) for i in fw.indicators}
    iradar = charts.radar_chart(ind, axis_order=fw.codes, axis_labels=ind_labels, series_order=[focus],
                                emphasise=focus, pole_labels=poles, text=text,
                                title=t("report.indicator_title", lang, network=net, period=focus), size=640,
                                ci=("ci_low", "ci_high"))
    irows = [[ind_labels.get(r.code, r.code), fmt_num(r.n, lang, 0), _mean_ci(r.mean, r.ci_low, r.ci_high, lang),
              f"{fmt_num(r.q1, lang, 2)} – {fmt_num(r.q3, lang, 2)}"] for r in ind.itertuples()]
    itable = _table([t("report.col_indicator", lang), t("report.col_n", lang), t("report.col_mean_ci", lang),
                     t("report.col_spread", lang)], irows, numeric=(1, 2, 3))
    out.append(f'<div class="row">{doc.svg(iradar)}<div>{itable}</div></div>')
    top = dims.disagreement(ind, top=3)
    if len(top):
        out.append(f"<h3>{_e(t('report.disagreement', lang, period=focus))}</h3><ul class=questions>")
        for r in top.itertuples():
            i = fw.indicator(r.code)
            out.append(f"<li><strong>{_e(r.code)} {_e(i.name[lang])}</strong> — " + _e(t(
                "report.starter", lang, q1=fmt_num(r.q1, lang), q3=fmt_num(r.q3, lang), iqr=fmt_num(r.iqr, lang),
                left=i.left[lang], right=i.right[lang])) + "</li>")
        out.append("</ul>")
    return "".join(out)


def _values(doc: _Doc, con, net: str, period: str | None, scrub: NameScrubber, story_scrub: NameScrubber) -> str:
    lang = doc.lang
    text = chart_text(lang)
    stage_labels = {c.code: cycle_label(c.code, lang) for c in value_cycles()}
    out = [f"<h3>{_e(t('report.values', lang))}</h3>"]
    f = vc.Filters(networks=(net,), periods=(period,) if period else None)
    fd = vc.funnel(con, f)
    if fd.empty or fd["value"].sum() == 0:
        return "".join(out) + f"<p>{_e(t('report.no_values', lang))}</p>"
    where = f"{net} · {period or t('report.all_periods', lang)}"
    chart = charts.funnel_chart(fd, order=funnel_cycles(), stage_labels=stage_labels, share_col="kept_share",
                                value_col="value", text=text, title=t("values.funnel_title", lang, where=where),
                                width=420, selectable=False)
    sd = vc.side_values(con, f)
    side = [f"<div class=side><h4>{_e(t('values.side_title', lang))}</h4>"]
    if sd.empty:
        side.append(f"<p>{_e(t('values.no_side', lang))}</p>")
    else:
        side.append(_table([t("column.cycle", lang), t("values.participants", lang), t("values.reports", lang)],
                           [[stage_labels.get(r.cycle, r.cycle), fmt_num(r.participants, lang, 0),
                             fmt_num(r.reports, lang, 0)] for r in sd.itertuples()], numeric=(1, 2)))
    side.append(f"<p class=read>{_e(t('values.side_help', lang))}</p></div>")
    out.append(f'<div class="row">{doc.svg(chart)}{"".join(side)}</div>')
    out.append(f"<p class=read>{_e(t('report.values_read', lang))}</p>")
    stops = vc.where_value_stops(fd)
    if stops:
        s = stops[0]
        q = t("values.prompt", lang, frm=stage_labels[s["from"]].lower(), to=stage_labels[s["to"]].lower(),
              share=fmt_num(s["kept_share"] * 100, lang, 0))
        out.append(f"<ul class=questions><li>{_e(q)}</li></ul>")
    else:
        out.append(f"<p class=read>{_e(t('report.no_stop', lang))}</p>")
    st = vc.stories(con, f, pseudonymise=True, per_cycle=1, scrub=story_scrub)
    if len(st):  # newest first: the most recent story of each cycle
        order = {c.code: c.order for c in value_cycles()}
        st = st.assign(_o=st["cycle"].map(order)).sort_values("_o")
        out.append(f"<h4>{_e(t('report.stories', lang))}</h4>")
        for r in st.itertuples():
            tag = f"{stage_labels.get(r.cycle, r.cycle)} · {r.period or ''}"
            if isinstance(r.indicator, str) and r.indicator:
                tag += f" · {r.indicator}"
            body = f"<div class=story><div class=tag>{_e(scrub(tag, net))}</div><div>{_e(scrub(r.description, net))}</div>"
            if isinstance(r.evidence, str) and r.evidence.strip():
                body += f"<div class=tag>{_e(t('report.evidence', lang))}: {_e(scrub(r.evidence, net))}</div>"
            out.append(body + "</div>")
    return "".join(out)


def _legend(items: list[dict]) -> str:
    chips = []
    for it in items:
        colour = it.get("color", "#888888")
        colour = colour if re.fullmatch(r"#[0-9A-Fa-f]{3,8}", str(colour)) else "#888888"
        if it.get("kind") == "edge":
            cls = "sw edge dash" if it.get("dashes") else "sw edge"
            style = f"border-top-color:{colour}"
        else:
            cls = "sw node"
            style = f"background:{colour}"
        chips.append(f'<span class="item"><span class="{cls}" style="{style}"></span>{_e(it.get("label", ""))}</span>')
    return f'<div class="legend">{"".join(chips)}</div>'


def _ties(doc: _Doc, con, net: str, order: list[str], period: str | None, pseudonymise: bool) -> str:
    lang = doc.lang
    view = tie_view.tie_view(con, net, period, pseudonymise=pseudonymise, lang=lang, order=order,
                             runtime="borrow" if doc.n_maps else "share")
    if view is None:
        return f"<h3>{_e(t('report.ties', lang, period='—'))}</h3><p>{_e(t('report.no_ties', lang))}</p>"
    out = [f"<h3>{_e(t('report.ties', lang, period=view.period))}</h3>"]
    if view.limited:
        out.append(f"<p class=read>{_e(view.limited)}</p>")
        out.append(_table([t("ties.measure", lang), t("ties.value", lang)],
                          wording.measure_rows(view.summary, lang, wording.KEY_MEASURES), numeric=(1,)))
        return "".join(out)
    if view.tie_type is not None:
        shown = t("ties.all_types", lang) if view.tie_type == tq.ALL_TYPES else tie_type_label(view.tie_type, lang)
        out.append(f"<p class=read>{_e(t('ties.tie_type', lang))}: <strong>{_e(shown)}</strong> — "
                   f"{_e(t('report.one_type', lang))}</p>")
    out.append(doc.iframe(view.html, t("report.tie_map_title", lang, network=net, period=view.period),
                          tie_view.TIE_MAP_HEIGHT))
    out.append(_legend(view.legend))
    out.append(f"<p class=read>{_e(t('report.ties_read', lang))}</p>")
    measures = _table([t("ties.measure", lang), t("ties.value", lang)], wording.measure_rows(view.summary, lang, wording.KEY_MEASURES),
                      numeric=(1,))
    q_html = [f"<h4>{_e(t('ties.questions', lang))}</h4>"]
    if view.prompts:
        items = "".join(f"<li>{_e(wording.prompt_text(p, lang))}</li>" for p in view.prompts)
        q_html.append(f"<ul class=questions>{items}</ul>")
    else:
        q_html.append(f"<p>{_e(t('report.no_questions', lang))}</p>")
    out.append(f'<div class="row"><div><h4>{_e(t("ties.measures", lang))}</h4>{measures}</div>'
               f'<div style="flex:1;min-width:320px">{"".join(q_html)}</div></div>')
    return "".join(out)


def _about(con, net: str, lang: str, pseudonymise: bool) -> str:
    """What the network is: its description, assignment, phase, period, coaches, instruments and rhythm."""
    from analytics.definitions import loop_label
    from analytics.privacy import people_labels
    from analytics.store import networks as netinfo

    d = netinfo.details(con, net)
    if d is None:
        return ""
    out = [f"<h3>{_e(t('report.about', lang))}</h3>"]
    if isinstance(d["description"], str):
        out.append(f"<p>{_e(d['description'])}</p>")
    if isinstance(d["ambition"], str):
        out.append(f"<p>{_e(t('overview.card_ambition', lang, text=d['ambition']))}</p>")
    bits = []
    if isinstance(d["phase"], str):
        bits.append(t("overview.card_phase", lang, phase=loop_label("phases", d["phase"], lang)))
    if pd.notna(d["start_date"]):
        bits.append(t("overview.card_period", lang, start=_date(d["start_date"], lang),
                      end=_date(d["end_date"], lang) if pd.notna(d["end_date"]) else "…"))
    coaches = [str(c) for c in (d["coaches"] if d["coaches"] is not None else [])]
    if coaches:
        bits.append(t("overview.card_coaches", lang, coaches=", ".join(people_labels(con, coaches, pseudonymise, networks=(net,)))))
    instruments = [str(i) for i in (d["instruments"] if d["instruments"] is not None else [])]
    if instruments:
        from analytics.definitions import frameworks

        names = {f.id: f.name[lang] for f in frameworks().values()}
        bits.append(t("overview.card_instruments", lang, names=", ".join(names.get(i, i) for i in instruments)))
    bits.append(t("overview.card_moments", lang, n=int(d["moments_per_year"])))
    out.append(f"<p class=meta>{_e(' · '.join(bits))}</p>")
    return "".join(out)


def _own_instruments(own: pd.DataFrame, lang: str) -> str:
    """Own instruments (loaded as definition files) of one network: their dimension means, latest period."""
    if own.empty:
        return ""
    out = []
    for _, d in own.groupby("framework", sort=True):
        out.append(f"<h3>{_e(d['name'].iloc[0][lang])} ({_e(d['period'].iloc[0])})</h3>")
        out.append(_table([t("overview.dimension", lang), "n", t("report.col_mean", lang)],
                          [[f"{r.code} {r.dimension[lang]}", int(r.n), fmt_num(r.mean, lang, 2)]
                           for r in d.itertuples()], numeric=(1, 2)))
    return "".join(out)


def _loop_agreements(records: list[dict], lang: str) -> str:
    """Agreements with what changed since in their linked figures, each ending in a question."""
    from analytics.definitions import loop_label
    from analytics.views import loop

    if not records:
        return ""
    out = [f"<h3>{_e(t('report.loop_agreements', lang))}</h3>",
           f"<p class=read>{_e(t('overview.loop_agreements_help', lang))}</p>"]
    for a in reversed(records):
        items = "".join(f"<li>{_e(loop.figure_line(f, lang))}</li>" for f in a["figures"])
        meta = t("agreement.meta", lang, owner=a["owner"] or t("agreement.nobody", lang),
                 status=loop_label("statuses", a["status"], lang))
        out.append(f"<div class=note><strong>{_e(_date(a['date'], lang))}</strong> {_e(a['text'])}"
                   f"<div class=meta>{_e(meta)}</div>" + (f"<ul>{items}</ul>" if items else "")
                   + f"<p><em>{_e(t(loop.question_key(a['figures']), lang))}</em></p></div>")
    return "".join(out)


def _agreements(con, net: str, lang: str, scrub: NameScrubber) -> str:
    out = [f"<h3>{_e(t('report.agreements', lang))}</h3>"]
    nd = notes.latest(con, (net,), limit=MAX_NOTES)
    if nd.empty:
        return "".join(out) + f"<p>{_e(t('report.no_notes', lang))}</p>"
    for r in nd.itertuples():
        parts = [f"<div class=note><strong>{_e(_date(r.date, lang))}</strong>"]
        if isinstance(r.went_well, str) and r.went_well.strip():
            parts.append(f"<div><em>{_e(t('notes.went_well', lang))}</em> {_e(scrub(r.went_well, net))}</div>")
        if isinstance(r.differently, str) and r.differently.strip():
            parts.append(f"<div><em>{_e(t('notes.differently', lang))}</em> {_e(scrub(r.differently, net))}</div>")
        out.append("".join(parts) + "</div>")
    return "".join(out)


# ------------------------------------------------------------------------------------------------ entry points


def build_report(
    con: duckdb.DuckDBPyConnection,
    *,
    networks: Sequence[str] | None = None,
    period: str | None = None,
    pseudonymise: bool = True,
    lang: str = "nl",
    min_group: int = DEFAULT_MIN_GROUP,
    generated: dt.datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> str:
    """The report as one HTML string (see the module docstring for what is in it).

    ``networks``: the networks to include (default: all). ``period``: the period the indicator radar, funnel
    and tie map are about, and the last period the radar over time shows (default: each network's latest,
    and the funnel over all periods). Raises ``ReportError`` for an unknown network or period. ``progress``
    is told the share done (0..1) and the network being written, for a progress bar.
    """
    lang = lang if lang in ("nl", "en") else "nl"
    all_nets = _network_names(con)
    nets = list(dict.fromkeys(networks)) if networks else all_nets
    unknown = [n for n in nets if n not in all_nets]
    if unknown:
        raise ReportError(f"unknown network(s): {', '.join(unknown)}; known: {', '.join(all_nets) or 'none'}")
    order = dims.period_order(con)
    if period is not None:
        if period not in order:
            raise ReportError(f"unknown period {period!r}; known: {', '.join(order) or 'none'}")
        order = order[: order.index(period) + 1]
    # Many networks: their charts are drawn in a helper process while the next network is computed.
    drawer = FigureDrawer(export.vl_version(), helper=len(nets) >= HELPER_FROM_NETWORKS)
    with drawer:
        doc = _Doc(lang=lang, drawer=drawer)
        # Names are scrubbed per network, so only the report's networks' names are read; the stories' text is
        # always scrubbed (as on the page), and with one scrubber for the whole report, not one per network.
        scrub = NameScrubber(con, pseudonymise, networks=nets)
        story_scrub = scrub if pseudonymise else NameScrubber(con, True, networks=nets)
        when = generated or dt.datetime.now()

        body = [f"<header><h1>{_e(t('report.title', lang))}</h1>",
                f"<p class=meta>{_e(t('report.generated', lang, date=_date(when, lang, with_time=True)))}</p>",
                f"<p class=meta>{_e(t('report.scope', lang, networks=', '.join(nets) or '—', period=period or t('report.all_periods', lang)))}</p>"]
        if pseudonymise:
            body.append(f"<p class=privacy>{_e(t('report.pseudonymised', lang))}</p>")
        else:
            body.append(f'<p class="privacy names">{_e(t("report.names_shown", lang))}</p>')
        body.append("</header>")
        toc = [f'<li><a href="#sources">{_e(t("report.sources", lang))}</a></li>',
               f'<li><a href="#overview">{_e(t("report.overview", lang))}</a></li>']
        toc += [f'<li><a href="#net-{i}">{_e(n)}</a></li>' for i, n in enumerate(nets, 1)]
        body.append(f'<nav class="toc"><strong>{_e(t("report.contents", lang))}</strong><ol>{"".join(toc)}</ol></nav>')
        body.append(_sources(con, lang))
        body.append(_overview(con, nets, lang, min_group))
        from analytics.views.loop import agreement_records

        loop_recs = agreement_records(con, nets, pseudonymise=pseudonymise, min_group=min_group)
        own = ov.own_instrument_latest(con, min_group)
        dim_figures = dimension_figures(con, nets, min_group)
        for i, net in enumerate(nets, 1):
            if progress is not None:
                progress((i - 1) / (len(nets) + 1), net)
            body.append(f'<section class="network" id="net-{i}"><h2>{_e(net)}</h2>')
            body.append(_about(con, net, lang, pseudonymise))
            body.append(_dimensions(doc, con, net, order, period, min_group, dim_figures))
            body.append(_own_instruments(own[own["network"] == net], lang))
            body.append(_values(doc, con, net, period, scrub, story_scrub))
            body.append(_ties(doc, con, net, order, period, pseudonymise))
            body.append(_loop_agreements([a for a in loop_recs if a["network"] == net], lang))
            body.append(_agreements(con, net, lang, scrub))
            body.append("</section>")
        body.append(f"<footer>{_e(t('report.footer', lang))}</footer>")
        head = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta http-equiv="Content-Security-Policy" content="{doc.csp()}">\n'
                '<meta name="referrer" content="no-referrer">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{_e(t('report.title', lang))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n")
        text = doc.finish(head + "\n".join(body) + "\n</body>\n</html>\n")  # waits for the last charts
    if progress is not None:
        progress(1.0, "")
    return text


def find_chromium() -> str | None:
    """The Chromium (or Chrome) to print with: ``NETWERKLEREN_CHROMIUM``, /usr/bin/chromium, or on the PATH."""
    env = os.environ.get("NETWERKLEREN_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, lang: str = "nl",
                timeout: float = PDF_TIMEOUT_S) -> Path:
    """Print an HTML file to PDF with headless Chromium (offline switches, a throwaway profile)."""
    chromium = find_chromium()
    if chromium is None:
        raise ReportError(t("report.pdf_needs_chromium", lang))
    src = Path(html_path).resolve()
    dst = Path(pdf_path).resolve()
    dst.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="netwerkleren-pdf-") as profile:
        cmd = [chromium, *CHROMIUM_ARGS, f"--user-data-dir={profile}", f"--print-to-pdf={dst}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,  # noqa: S603
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise ReportError(f"Chromium did not finish the PDF within {timeout:.0f} s") from e
    if not dst.exists() or dst.stat().st_size == 0:
        raise ReportError(f"Chromium wrote no PDF (exit code {proc.returncode}): {proc.stderr[-800:]}")
    return dst


def pdf_bytes(report_html: str, *, lang: str = "nl") -> bytes:
    """A report (HTML text) as PDF bytes, through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="netwerkleren-report-") as d:
        src = Path(d) / "report.html"
        src.write_text(report_html, encoding="utf-8")
        return html_to_pdf(src, Path(d) / "report.pdf", lang=lang).read_bytes()


def write_report(
    con: duckdb.DuckDBPyConnection,
    out: str | os.PathLike,
    *,
    networks: Sequence[str] | None = None,
    period: str | None = None,
    pseudonymise: bool = True,
    lang: str = "nl",
    pdf: bool = False,
    min_group: int = DEFAULT_MIN_GROUP,
) -> Path:
    """Write the report to ``out`` (HTML, UTF-8) and return that path.

    With ``pdf`` a PDF is printed next to it (same name, ``.pdf``); when ``out`` itself ends in ``.pdf`` the
    HTML goes to the same name with ``.html`` and the PDF's path is returned. Without Chromium a ``pdf``
    request raises ``ReportError`` (saying how to install it) after the HTML is written.
    """
    out = Path(out)
    want_pdf = pdf or out.suffix.lower() == ".pdf"
    html_path = out.with_suffix(".html") if out.suffix.lower() == ".pdf" else out
    html_path.parent.mkdir(parents=True, exist_ok=True)
    text = build_report(con, networks=networks, period=period, pseudonymise=pseudonymise, lang=lang,
                        min_group=min_group)
    html_path.write_text(text, encoding="utf-8")
    if not want_pdf:
        return html_path
    pdf_path = html_to_pdf(html_path, html_path.with_suffix(".pdf"), lang=lang)
    return pdf_path if out.suffix.lower() == ".pdf" else html_path
