"""The slides as a handout: one self-contained HTML document (A4 landscape, one page per slide) to print or
to send after the meeting, and its PDF.

Why a document of its own and not the report: the handout follows the Presentation page slide by slide — the
same order (``SLIDES``, which the page imports), the same figures, the same questions — so what people take home
is what they saw on the projector. The numbers come from the same analytics functions the page calls; the
document machinery (inline SVG charts, escaping, the Content-Security-Policy, printing with Chromium) is the
report's (:mod:`analytics.views.report`).

How it differs from the slides: no scripts, so the interactive tie map becomes a still picture of the same
period and tie type (the playback frame, :mod:`analytics.views.playback`), and the funnel gets its numbers in a
small table (a printed chart has no tooltips). Long meeting notes are shortened so that a slide stays one page.

Privacy: pseudonymised by default, as on the projector; with ``pseudonymise=False`` names show (the title page
says so). Names in free text (meeting notes) are replaced by the network's codes with
:class:`analytics.privacy.NameScrubber`, as the slide does.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics.definitions import Framework, default_framework, funnel_cycles, loop_label, value_cycles
from analytics.draw import charts
from analytics.i18n import chart_text, cycle_label, fmt_num, t, tie_type_label
from analytics.measures import dimensions as dims
from analytics.measures import overview as ov
from analytics.measures import ties as tq
from analytics.measures import value_creation as vc
from analytics.measures.rhythm import rhythm
from analytics.privacy import DEFAULT_MIN_GROUP, NameScrubber
from analytics.store import contents, notes
from analytics.store import database as store
from analytics.views import loop, playback, report, tie_view, wording
from analytics.views.report import ReportError, _date, _Doc, _e, _table

#: The presentation's slides in their order: the Presentation page shows them one by one, the handout prints
#: them one per page. One list for both, so the two cannot drift apart.
SLIDES = ("dims", "shared", "values", "ties", "agreements", "notes", "closing")
#: The latest agreements a slide shows (more do not fit a projector, nor a page).
MAX_AGREEMENTS = 4
#: The latest meeting notes a slide shows.
MAX_NOTES = 3
#: Characters of one note's text printed; a note may hold 5,000, a printed slide about this many.
MAX_NOTE_CHARS = 500

#: A4 landscape, one slide per page. On screen the pages are shown as sheets; printed, each section is a page
#: of its own (``break-after``) with at least the page's height, so the footer sits at the bottom and a slide that
#: grows too long shows up as an extra page (the tests count pages). Emoji are not used: a print server often
#: has no emoji font.
HANDOUT_CSS = """
@page { size: A4 landscape; margin: 9mm 11mm; }
body { max-width: none; padding: 0; background: #e9ecef; }
section.page { background: #fff; width: 297mm; min-height: 210mm; margin: 12px auto; padding: 9mm 11mm;
               box-shadow: 0 1px 4px rgba(0,0,0,.25); display: flex; flex-direction: column; }
section.page > header h2 { font-size: 1.7rem; margin: 0 0 .1rem; border-bottom: 2px solid var(--accent);
                           color: var(--accent); }
section.page > header .meta { margin: .1rem 0 .3rem; }
section.page > .body { flex: 1 1 auto; }
section.page > footer { margin-top: auto; padding-top: .3rem; font-size: .8rem; display: flex;
                        justify-content: space-between; }
section.page p, section.page li { max-width: none; }
section.title-page { justify-content: center; }
section.title-page h1 { font-size: 2.3rem; }
section.title-page .network { font-size: 2rem; font-weight: 600; margin: .6rem 0 .2rem; }
section.title-page ol { columns: 2; font-size: 1.05rem; }
.cols { display: flex; gap: 6mm; align-items: flex-start; }
.cols > * { flex: 1 1 0; min-width: 0; }
section.page figure.chart { margin: .2rem 0 .3rem; display: block; text-align: center; }
section.page figure.chart svg { width: auto; height: auto; max-width: 100%; max-height: 128mm; }
section.page .half figure.chart svg { max-height: 110mm; }
section.page .map figure.chart svg { max-height: 138mm; }
section.page .wide figure.chart svg { width: 100%; max-height: 78mm; }
.cols > .narrow { flex: 0 1 35%; }
.cols > .fit { flex: 0 0 auto; }
.cols td { white-space: nowrap; }
.cols h3 { margin-top: 0; }
.narrow ul.questions li { font-size: 1rem; }
section.page .cols table { font-size: .88rem; margin-top: 0; }
#slide-closing ul.questions li { font-size: 1.25rem; margin: .5rem 0; }
p.own { margin: .2rem 0 0; }
.metrics.row { grid-template-columns: repeat(auto-fit, minmax(45mm, 1fr)); margin: .2rem 0 .3rem; }
.metrics.row .value { font-size: 1.2rem; }
ul.questions li::before { content: none; }
ul.questions li { border-left: 4px solid var(--accent); font-size: 1.05rem; }
.metrics { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; margin: .4rem 0 .6rem; }
.metric { background: var(--soft); border-radius: 4px; padding: .35rem .6rem; }
.metric .label { color: var(--muted); font-size: .85rem; }
.metric .value { font-size: 1.6rem; font-weight: 600; }
.box { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; margin: 0 0 .5rem; }
.box p { margin: .2rem 0; }
.box ul { margin: .2rem 0; padding-left: 1.2rem; }
.grid { display: grid; gap: 3mm 5mm; align-items: start; }
.grid.two { grid-template-columns: 1fr 1fr; font-size: .84em; line-height: 1.35; }
.grid.three { grid-template-columns: 1fr 1fr 1fr; font-size: .9em; line-height: 1.4; }
.grid .box { margin: 0; }
.read { margin: .2rem 0; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  section.page { width: auto; min-height: 190mm; margin: 0; padding: 0; box-shadow: none; break-after: page; }
  section.page:last-of-type { break-after: auto; }
  figure.chart, table, .box, ul.questions li, .metrics { break-inside: avoid; }
}
"""
CSS = report.SCREEN_CSS + HANDOUT_CSS


@dataclass
class _Slides:
    """What every slide of one handout reads: the choice, the words, and figures several slides share."""

    con: duckdb.DuckDBPyConnection
    net: str
    period: str | None
    upto: list[str]
    lang: str
    min_group: int
    pseudonymise: bool
    today: dt.date
    doc: _Doc
    scrub: NameScrubber
    fw: Framework
    _cache: dict = field(default_factory=dict)

    def tr(self, key: str, **fields) -> str:
        return t(key, self.lang, **fields)

    def dim_stats(self, period: str | None, by: str) -> pd.DataFrame:
        """The current situation's means with intervals, as the page's ``dim_stats`` (computed once here)."""
        key = ("stats", period, by)
        if key not in self._cache:
            f = dims.Filters(networks=(self.net,), periods=(period,) if period else None, situation="current")
            self._cache[key] = dims.indicator_stats(self.con, f, by=by, min_group=self.min_group, with_ci=True)
        return self._cache[key]

    def agreements(self) -> list[dict]:
        """The network's agreements with their figures, oldest first (two slides read them; computed once)."""
        if "agreements" not in self._cache:
            self._cache["agreements"] = loop.agreement_records(self.con, (self.net,), pseudonymise=self.pseudonymise,
                                                               min_group=self.min_group)
        return self._cache["agreements"]

    def shown_period(self, have: set) -> str | None:
        """The period a slide shows: the chosen one when it has data, else the latest one before it."""
        pers = [p for p in self.upto if p in have]
        return pers[-1] if pers else None

    def other_period(self, p: str) -> str:
        """A line saying which period a slide shows when that is not the chosen one (as the page's caption)."""
        if p == self.period:
            return ""
        return f"<p class=meta>{_e(self.tr('handout.shows_period', period=p))}</p>"

    def info(self, key: str, **fields) -> str:
        return f"<p class=read>{_e(self.tr(key, **fields))}</p>"


def _questions(items: list[str]) -> str:
    """A list of questions; ``items`` are HTML already escaped."""
    return "<ul class=questions>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _starter(s: _Slides, r) -> str:
    """A discussion starter for one indicator where the marks lie far apart (escaped HTML)."""
    i = s.fw.indicator(r.code)
    return (f"<strong>{_e(r.code)} {_e(i.name[s.lang])}</strong> — " + _e(s.tr(
        "report.starter", q1=fmt_num(r.q1, s.lang), q3=fmt_num(r.q3, s.lang), iqr=fmt_num(r.iqr, s.lang),
        left=i.left[s.lang], right=i.right[s.lang])))


def _metrics(items: list[tuple[str, str]], cls: str = "") -> str:
    """Figures as the page's ``st.metric`` boxes: a label over a big number."""
    return f"<div class='metrics {cls}'>" + "".join(
        f"<div class=metric><div class=label>{_e(k)}</div><div class=value>{_e(v)}</div></div>" for k, v in items
    ) + "</div>"


def _own_instruments(s: _Slides) -> str:
    """An instrument loaded as a file, beside the default one: its dimensions of its latest period, in one row
    of figures per instrument (as on the slide)."""
    own = ov.own_instrument_latest(s.con, s.min_group)
    out = []
    for _fid, d in own[own["network"] == s.net].dropna(subset=["mean"]).groupby("framework", sort=True):
        out.append(f"<p class=own><strong>{_e(d['name'].iloc[0][s.lang])}</strong> ({_e(d['period'].iloc[0])})</p>")
        out.append(_metrics([(f"{r.code} {r.dimension[s.lang]} (n = {int(r.n)})", fmt_num(r.mean, s.lang, 2))
                             for r in d.itertuples()], cls="row"))
    return "".join(out)


# ------------------------------------------------------------------------------------------------ the slides


def slide_dims(s: _Slides) -> str:
    """The dimensions over time with interval bands; beside it current vs desired when both were marked."""
    lang, fw = s.lang, s.fw
    out = [_own_instruments(s)]
    df = s.dim_stats(None, "dimension")
    pers = [p for p in s.upto if p in set(df.dropna(subset=["mean"])["period"])]
    df = df[df["period"].isin(pers)]
    if df.empty or df["mean"].notna().sum() == 0:
        return "".join(out) + s.info("report.no_dims")
    dim_codes = [d.code for d in fw.dimensions]
    dim_labels = {d.code: f"{d.code} {d.name[lang]}" for d in fw.dimensions}
    text = chart_text(lang)
    chart = charts.radar_chart(df, axis_order=dim_codes, axis_labels=dim_labels, series_order=pers,
                               emphasise=pers[-1], text=text, title="", size=700, ci=("ci_low", "ci_high"))
    f = dims.Filters(networks=(s.net,), periods=(pers[-1],))
    both = dims.indicator_stats(s.con, f, by="dimension", min_group=s.min_group)
    both = both[both["situation"].isin(["current", "desired"])].dropna(subset=["mean"])
    if both["situation"].nunique() < 2:
        out.append(s.doc.svg(chart))
    else:
        labels = {x: s.tr(f"situation.{x}") for x in ("current", "desired")}
        both = both.assign(situation=both["situation"].map(labels))
        pair = charts.radar_chart(both, axis_order=dim_codes, axis_labels=dim_labels, series_col="situation",
                                  series_order=list(labels.values()), emphasise=labels["current"], text=text,
                                  title="", size=620, categorical=True)
        out.append(f"<div class='cols half'><div>{s.doc.svg(chart)}</div><div><h3>"
                   f"{_e(s.tr('present.current_desired', period=pers[-1]))}</h3>{s.doc.svg(pair)}</div></div>")
    return "".join(out) + s.info("report.dims_read")


def slide_shared(s: _Slides) -> str:
    """Every participant's marks of the shown period, and the three indicators where they lie furthest apart;
    withheld below the minimum group, exactly as the slide."""
    focus = s.shown_period(set(s.dim_stats(None, "dimension")["period"]))
    if focus is None:
        return s.info("report.no_dims")
    ind = s.dim_stats(focus, "indicator")
    n_resp = int(ind["n"].max()) if len(ind) else 0
    if n_resp < s.min_group:
        return s.other_period(focus) + s.info("dims.too_few", n=n_resp, min=s.min_group)
    lang, fw = s.lang, s.fw
    chart = charts.radar_chart(ind, axis_order=fw.codes, axis_labels={i.code: f"{i.code} {i.name[lang]}"
                                                                      for i in fw.indicators},
                               series_order=[focus], emphasise=focus, text=chart_text(lang), title="", size=700,
                               pole_labels={i.code: (i.left[lang], i.right[lang]) for i in fw.indicators},
                               ci=("ci_low", "ci_high"))
    starters = [_starter(s, r) for r in dims.disagreement(ind, top=3).itertuples()]
    return (s.other_period(focus) + f"<div class=cols><div>{s.doc.svg(chart)}</div>"
            f"<div class=narrow>{_questions(starters)}</div></div>")


def slide_values(s: _Slides) -> str:
    """The value funnel of the chosen period (or all), its numbers, what lies beside it and where value stops."""
    lang = s.lang
    f = vc.Filters(networks=(s.net,), periods=(s.period,) if s.period else None)
    fd = vc.funnel(s.con, f)
    if fd.empty or fd["value"].sum() == 0:
        return s.info("report.no_values")
    stage_labels = {c.code: cycle_label(c.code, lang) for c in value_cycles()}
    chart = charts.funnel_chart(fd, order=funnel_cycles(), stage_labels=stage_labels, share_col="kept_share",
                                value_col="value", text=chart_text(lang), title="", width=460, bar_height=46,
                                selectable=False)
    numbers = _table([s.tr("column.cycle"), s.tr("values.participants"), s.tr("values.kept")],
                     [[stage_labels.get(r.cycle, r.cycle), fmt_num(r.value, lang, 0),
                       "—" if pd.isna(r.kept_share) else fmt_num(r.kept_share * 100, lang, 0) + " %"]
                      for r in fd.itertuples()], numeric=(1, 2), cls="funnel")
    side = vc.side_values(s.con, f)
    beside = "" if side.empty else (f"<h3>{_e(s.tr('present.side_values'))}</h3>" + _table(
        [s.tr("column.cycle"), s.tr("values.participants")],
        [[stage_labels.get(r.cycle, r.cycle), fmt_num(r.participants, lang, 0)] for r in side.itertuples()],
        numeric=(1,), cls="side"))
    stops = vc.where_value_stops(fd)
    if stops:
        x = stops[0]
        question = _questions([_e(s.tr("values.prompt", frm=stage_labels[x["from"]].lower(),
                                       to=stage_labels[x["to"]].lower(),
                                       share=fmt_num(x["kept_share"] * 100, lang, 0)))])
    else:
        question = s.info("report.no_stop")
    return (f"<div class=wide>{s.doc.svg(chart)}</div>{question}"
            f"<div class=cols><div class=fit>{numbers}</div><div class=fit>{beside}</div></div>")


def slide_ties(s: _Slides) -> str:
    """The tie measures and questions of the period, with a still picture of the map instead of the
    interactive one (a printed page runs no scripts)."""
    lang = s.lang
    view = tie_view.tie_view(s.con, s.net, s.period, pseudonymise=s.pseudonymise, lang=lang)
    if view is None:
        return s.info("report.no_ties")
    out = [s.other_period(view.period)]
    if view.limited:
        picture = f"<p class=read>{_e(view.limited)}</p>" + s.info("handout.no_map")
    else:
        kept = tq.type_filter(tq.tie_types(s.con, s.net), None)
        frames, shared = playback.frame_tables(s.con, s.net, pseudonymise=s.pseudonymise, lang=lang,
                                               periods=[view.period], tie_types=kept)
        per, nodes, edges = frames[0]
        chart = playback.frame_chart(per, nodes, edges, shared, network=s.net, lang=lang)
        picture = s.doc.svg(chart, caption=s.tr("handout.map_caption"))
    m = view.summary
    measures = _metrics([
        (s.tr("ties.m_density"), fmt_num(m["density"], lang, 2)),
        (s.tr("ties.m_reciprocity"), fmt_num(m["reciprocity"], lang, 2)),
        (s.tr("ties.m_cross_org"), fmt_num((m.get("cross_organisation_share") or 0) * 100, lang, 0) + " %"),
        (s.tr("ties.m_isolates"), fmt_num(len(m["isolates"]), lang, 0)),
    ])
    kind = ""
    if view.tie_type is not None:
        shown = s.tr("ties.all_types") if view.tie_type == tq.ALL_TYPES else tie_type_label(view.tie_type, s.lang)
        kind = f"<p class=meta>{_e(s.tr('ties.tie_type'))}: <strong>{_e(shown)}</strong></p>"
    prompts = _questions([_e(wording.prompt_text(p, lang)) for p in view.prompts]) if view.prompts else ""
    out.append(f"<div class=cols><div class=map>{picture}</div><div class=narrow>{kind}{measures}{prompts}</div>"
               "</div>")
    return "".join(out)


def slide_agreements(s: _Slides) -> str:
    """What the network agreed last time, and what changed since in the figures it was about."""
    recs = s.agreements()
    if not recs:
        return s.info("agreement.none")
    out = []
    for a in reversed(recs[-MAX_AGREEMENTS:]):  # newest first, two a row
        meta = s.tr("agreement.meta", owner=a["owner"] or s.tr("agreement.nobody"),
                    status=loop_label("statuses", a["status"], s.lang))
        lines = "".join(f"<li>{_e(loop.figure_line(f, s.lang, s.fw))}</li>" for f in a["figures"])
        out.append(f"<div class=box><p><strong>{_e(a['text'])}</strong></p>"
                   f"<p class=meta>{_e(_date(a['date'], s.lang))} · {_e(meta)}</p>"
                   + (f"<ul>{lines}</ul>" if lines else "")
                   + f"<p><em>{_e(s.tr(loop.question_key(a['figures'])))}</em></p></div>")
    note = f"<p class=meta>{_e(s.tr('agreement.ci_note'))}</p>" if any(
        (f.get(side) or {}).get("ci_low") is not None for a in recs for f in a["figures"]
        for side in ("before", "after")) else ""
    return f"<div class='grid{' two' if len(out) > 1 else ''}'>" + "".join(out) + "</div>" + note


def _shorten(text: str) -> str:
    """At most MAX_NOTE_CHARS, cut between words (never inside a code such as T-017)."""
    if len(text) <= MAX_NOTE_CHARS:
        return text
    cut = text[: MAX_NOTE_CHARS - 1]
    return (cut.rsplit(None, 1)[0] if " " in cut else cut).rstrip() + " …"


def slide_notes(s: _Slides) -> str:
    """The latest meeting notes, names replaced by codes when pseudonymising."""
    nd = notes.latest(s.con, (s.net,), limit=MAX_NOTES)
    if nd.empty:
        return s.info("report.no_notes")
    out = []
    for r in nd.itertuples():
        parts = [f"<div class=box><p class=meta>{_e(_date(r.date, s.lang))}</p>"]
        for key, value in (("notes.went_well", r.went_well), ("notes.differently", r.differently)):
            if isinstance(value, str) and value.strip():
                parts.append(f"<p><strong>{_e(s.tr(key))}</strong> {_e(_shorten(s.scrub(value, s.net)))}</p>")
        out.append("".join(parts) + "</div>")
    return "<div class='grid three'>" + "".join(out) + "</div>"


def slide_closing(s: _Slides) -> str:
    """The questions for the meeting: the widest disagreement, the agreements, what to agree now, when next."""
    questions = [_e(s.tr("present.closing_went_well"))]
    have = s.dim_stats(None, "indicator")
    focus = s.shown_period(set(have.dropna(subset=["mean"])["period"]))
    if focus is not None:
        questions += [_starter(s, r) for r in dims.disagreement(have[have["period"] == focus], top=1).itertuples()]
    if s.agreements():
        questions.append(_e(s.tr("agreement.question")))
    questions.append(_e(s.tr("present.closing_agree")))
    out = [_questions(questions)]
    moment = next((r for r in rhythm(s.con, s.today) if r["network"] == s.net), None)
    if moment:
        out.append(f"<p class=meta>{_e(s.tr('present.closing_next', due=_date(moment['next_due'], s.lang), moments=moment['moments']))}</p>")
    return "".join(out)


#: Each slide's page, by its key in ``SLIDES``.
SLIDE_PAGES: dict[str, Callable[[_Slides], str]] = {
    "dims": slide_dims, "shared": slide_shared, "values": slide_values, "ties": slide_ties,
    "agreements": slide_agreements, "notes": slide_notes, "closing": slide_closing,
}


# ------------------------------------------------------------------------------------------------ the document


def _title_page(s: _Slides, period_label: str, when: dt.datetime) -> str:
    privacy = (f"<p class=privacy>{_e(s.tr('handout.pseudonymised'))}</p>" if s.pseudonymise
               else f'<p class="privacy names">{_e(s.tr("handout.names_shown"))}</p>')
    slides = "".join(f"<li>{_e(s.tr(f'present.slide_{k}'))}</li>" for k in SLIDES)
    return (f'<section class="page title-page" id="title"><h1>{_e(s.tr("handout.title"))}</h1>'
            f"<p class=network>{_e(s.net)}</p>"
            f"<p class=meta>{_e(s.tr('report.col_period'))}: {_e(period_label)}</p>"
            f"<p class=meta>{_e(s.tr('report.generated', date=_date(when, s.lang)))}</p>{privacy}"
            f"<h3>{_e(s.tr('report.contents'))}</h3><ol>{slides}</ol></section>")


def build_handout(
    con: duckdb.DuckDBPyConnection,
    network: str,
    *,
    period: str | None = None,
    pseudonymise: bool = True,
    lang: str = "nl",
    min_group: int = DEFAULT_MIN_GROUP,
    generated: dt.datetime | None = None,
) -> str:
    """The handout of one network as one HTML string: a title page, then one page per slide in ``SLIDES`` order.

    ``period``: the period the slides are about, as the sidebar's period on the page (default: each slide its
    latest period, the funnel all periods). Raises ``ReportError`` for an unknown network, or a period in which
    the network has no data. ``generated``: the moment printed on the title page and the day the next
    measurement is counted from (default now).
    """
    lang = lang if lang in ("nl", "en") else "nl"
    known = contents.networks(con)
    if network not in known:
        raise ReportError(f"unknown network {network!r}; known: {', '.join(known) or 'none'}")
    net_periods = contents.periods(con, network)
    if period is not None and period not in net_periods:
        raise ReportError(f"{network!r} has no data in period {period!r}; it has: {', '.join(net_periods) or 'none'}")
    when = generated or dt.datetime.now()
    s = _Slides(con=con, net=network, period=period,
                upto=net_periods[: net_periods.index(period) + 1] if period else net_periods, lang=lang,
                min_group=min_group, pseudonymise=pseudonymise, today=when.date(), doc=_Doc(lang=lang),
                scrub=NameScrubber(con, pseudonymise), fw=default_framework(store.alt_dimension_names(con)))
    period_label = period or s.tr("report.all_periods")
    where = s.tr("present.period_caption", network=network, period=period_label)
    pages = [_title_page(s, period_label, when)]
    for i, key in enumerate(SLIDES, 1):
        pages.append(f'<section class="page slide" id="slide-{key}" data-slide="{key}"><header>'
                     f"<h2>{_e(s.tr(f'present.slide_{key}'))}</h2><p class=meta>{_e(where)}</p></header>"
                     f"<div class=body>{SLIDE_PAGES[key](s)}</div><footer class=meta><span>{_e(where)}</span>"
                     f"<span>{_e(s.tr('present.counter', i=i, n=len(SLIDES)))}</span></footer></section>")
    head = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{s.doc.csp()}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(s.tr('handout.title'))} · {_e(network)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n")
    return head + "\n".join(pages) + "\n</body>\n</html>\n"


def handout_pdf(html: str, lang: str = "nl") -> bytes:
    """The handout (HTML text) printed to PDF by headless Chromium, as the report is."""
    if report.find_chromium() is None:
        raise ReportError(t("handout.pdf_needs_chromium", lang))
    return report.pdf_bytes(html, lang=lang)


def write_handout(
    con: duckdb.DuckDBPyConnection,
    out: str | os.PathLike,
    network: str,
    *,
    period: str | None = None,
    pseudonymise: bool = True,
    lang: str = "nl",
    min_group: int = DEFAULT_MIN_GROUP,
) -> Path:
    """Write the handout to ``out``: HTML (``.html``/``.htm``) or PDF (``.pdf``, needs Chromium)."""
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".html", ".htm", ".pdf"):
        raise ReportError(f"--out must end in .html or .pdf, not {out.name!r}")
    text = build_handout(con, network, period=period, pseudonymise=pseudonymise, lang=lang, min_group=min_group)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == ".pdf":
        out.write_bytes(handout_pdf(text, lang))
    else:
        out.write_text(text, encoding="utf-8")
    return out
