"""Data: upload exports, see how they are read and what is wrong, import, list and undo imports."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import streamlit as st

from analytics.definitions import (
    FrameworkError,
    fold,
    frameworks,
    frameworks_dir,
    save_framework,
    tables,
    value_cycles,
)
from analytics.draw.export import safe_csv
from analytics.i18n import (
    error_text,
    kind_label,
    left_out_text,
    note_text,
    notice_text,
    problem_text,
    report_message,
    said_text,
    scale_evidence,
)
from analytics.ingest import guard, importer
from analytics.ingest import identity as who
from analytics.store import database as store
from analytics.views import research_pack
from pages import ui

ui.page_setup()

t = ui.translator()
lang = ui.lang()
KIND_CHOICES = ["", "participants", "dimension_scores", "value_reports", "ties", "events"]
FW_DIR = frameworks_dir(store.db_path())
FRAMEWORKS = frameworks(FW_DIR)

st.title(ui.ICONS["data"] + " " + t("nav.data"))
ui.demo_banner()
st.markdown(t("data.intro"))


@st.cache_data(show_spinner=False, max_entries=32)
def check(data: bytes, name: str, kind: str, network: str, date: str, wave: str, scale: str,
          overrides: tuple, sheet: str, fid: str, data_version: tuple, include_unfinished: bool = False,
          date_order: str = "") -> importer.ImportReport:
    # Kept for the Import button (importer.import_checked), so the file is read and validated once.
    return importer.validate_file(
        ui.shared_connection(), data, file_name=name, kind=kind or None, network=network or None,
        date=date or None, wave=wave or None, scale=importer.parse_scale(scale.split()) if scale else None,
        mapping_overrides=dict(overrides) or None, sheet=sheet or None, framework=FRAMEWORKS[fid],
        include_unfinished=include_unfinished, date_order=date_order or None, keep=True,
    )


def target_options(kind: str | None, fid: str) -> list[str]:
    """What a header can be mapped to, for the file's kind (indicator codes: of the chosen instrument)."""
    if not kind:
        return ["ignore"]
    opts = ["ignore", *tables()[kind].columns]
    if kind == "dimension_scores":
        codes = FRAMEWORKS[fid].codes
        opts += [f"indicator:{c}" for c in codes]
        opts += [f"indicator:{c}:desired" for c in codes]
    if kind == "value_reports":
        opts += [f"cycle:{c.code}" for c in value_cycles()]
    return opts


def target_label(opt: str) -> str:
    if opt == "ignore":
        return t("data.map_ignore")
    if opt.startswith("indicator:"):
        parts = opt.split(":")
        return f"{t('column.indicator')} {parts[1]}" + (f" ({t('situation.desired')})" if len(parts) > 2 else "")
    if opt.startswith("cycle:"):
        from analytics.i18n import cycle_label

        return cycle_label(opt.split(":")[1], lang)
    return t(f"column.{opt}")


def problems_table(report: importer.ImportReport) -> pd.DataFrame:
    p = report.problems
    if p.empty:
        return p
    return pd.DataFrame({
        t("column.severity"): [t(f"severity.{s}") for s in p["severity"]],
        t("column.row"): p["row"].astype("Int64"),
        t("column.column"): p["column"],
        t("column.value"): p["value"],
        t("column.reason"): [problem_text(c, lang, d) for c, d in zip(p["code"], p["detail"], strict=True)],
    })


def show_report(report: importer.ImportReport) -> None:
    fmt = report.file_format
    icon = ui.ICONS[{"imported": "ok", "validated": "ok" if not report.errors else "warning",
                     "duplicate": "info"}.get(report.status, "refused")]
    if report.status == "failed":
        st.error(f"{icon} {ui.md(report_message(report, lang))}")
        return
    cols = st.columns(4)
    cols[0].metric(t("data.kind"), kind_label(report.kind, lang) if report.kind else "?")
    cols[1].metric(t("data.rows_read"), f"{report.rows_read:,}".replace(",", "."))
    cols[2].metric(t("data.rows_valid"), f"{report.rows_valid:,}".replace(",", "."))
    cols[3].metric(t("data.rows_refused"), f"{report.rows_rejected:,}".replace(",", "."))
    bits = [fmt.get("format", "")]
    if fmt.get("encoding"):
        bits.append(fmt["encoding"])
    if fmt.get("delimiter"):
        bits.append(t("data.delimiter") + " " + {"\t": "tab", ";": "';'", ",": "','", "|": "'|'"}.get(
            fmt["delimiter"], fmt["delimiter"]))
    if fmt.get("sheet"):
        bits.append(f"{t('data.sheet')} {fmt['sheet']}")
    if report.tool_name:
        bits.insert(0, report.tool_name[lang])
    st.caption(t("data.read_as") + ": " + ui.md(", ".join(b for b in bits if b)))
    if report.scales:
        scales = sorted({(v["min"], v["max"], v["source"]) for v in report.scales.values()})
        st.caption(t("data.scale") + ": " + "; ".join(f"{lo:g}–{hi:g} ({t('data.scale_' + src)})"
                                                      for lo, hi, src in scales))
    if report.date_formats:
        st.caption(t("data.date_format") + ": " + ui.md(", ".join(f"{k}: {v}"
                                                                   for k, v in report.date_formats.items())))
    for note in report.notes:
        st.caption("• " + ui.md(note_text(note, lang)))
    if report.identity is not None:
        st.caption(ui.ICONS["person"] + " " + ui.md(report.identity.why(lang)))
        if report.identity.respondents or report.identity.anonymous_rows:
            st.caption(ui.ICONS["person"] + " " + ui.md(report.identity.summary(lang)))
    for code, params in report.notices:
        st.caption("• " + ui.md(notice_text(code, params, lang)))
    if report.left_out:
        st.info(ui.md(left_out_text(report.left_out, lang)))


#: The scales a coach can pick when a file does not state its own (the suggestion comes first).
SCALE_CHOICES = ["1-5", "1-7", "0-10", "0-100", "0-1"]


def confirm_scale(report: importer.ImportReport, key: str) -> None:
    """A scale found only from the values is a suggestion: shown with its evidence, and the coach picks the
    form's scale (it fills the Scale field, so the file is checked again on that scale)."""
    s = report.scale_suggestion
    st.warning(f"**{t('data.scale_confirm_title')}** {ui.md(scale_evidence(s, lang))}. {t('data.scale_confirm_help')}")
    suggested = f"{s['min']:g}-{s['max']:g}" if s.get("min") is not None else None
    options = ([suggested] if suggested else []) + [o for o in SCALE_CHOICES if o != suggested]

    def chosen() -> None:
        st.session_state[f"scale:{key}"] = st.session_state[f"scalepick:{key}"] or ""

    # Asked again (the Scale field was emptied after a choice): the box starts empty again too.
    st.session_state.pop(f"scalepick:{key}", None)

    st.selectbox(t("data.scale_confirm_title"), options, index=None, key=f"scalepick:{key}",
                 placeholder=t("data.scale_choose"), on_change=chosen,
                 format_func=lambda o: t("data.scale_suggestion_label", scale=o) if o == suggested else o)


if moment := st.session_state.get("import_for"):  # from the overview's rhythm: "import for this moment"
    st.info(t("rhythm.for_moment", network=ui.md(moment[0]), start=f"{moment[1]:%d-%m-%Y}",
              end=f"{moment[2]:%d-%m-%Y}"))
if ui.read_only():  # read-only media: reading works everywhere, writing nowhere; say so instead of failing
    st.warning(t("data.read_only_store"))
    st.stop()

st.subheader(t("data.upload"))
uploads = st.file_uploader(
    t("data.upload_help"), type=["csv", "tsv", "txt", "xlsx"], accept_multiple_files=True, key="uploads",
)
for up in uploads or []:
    data = up.getvalue()
    key = f"{up.name}:{up.size}:{getattr(up, 'file_id', '')}"
    with st.container(border=True):
        st.markdown(f"#### {ui.ICONS['file']} {ui.md(up.name)}")
        try:  # size and shape first: no parser (not even for the sheet names) sees a refused file
            guard.check_bytes(data, up.name)
        except guard.GuardError as e:
            st.error(ui.md(error_text(e, lang)))
            continue
        c1, c2, c3, c4, c5 = st.columns(5)
        kind = c1.selectbox(t("data.kind"), KIND_CHOICES, key=f"kind:{key}",
                            format_func=lambda k: kind_label(k, lang) if k else t("data.detect"))
        network = c2.text_input(t("data.default_network"), key=f"net:{key}", help=t("data.default_network_help"))
        date = c3.text_input(t("data.default_date"), key=f"date:{key}", placeholder="2025-03-15",
                             help=t("data.default_date_help"))
        wave = c4.text_input(t("data.default_wave"), key=f"wave:{key}", placeholder="2025-voorjaar",
                             help=t("data.default_wave_help"))
        scale = c5.text_input(t("data.scale_override"), key=f"scale:{key}", placeholder="1-5",
                              help=t("data.scale_override_help"))
        fid = "dimensions"
        if len(FRAMEWORKS) > 1:
            fid = st.selectbox(t("dims.instrument"), list(FRAMEWORKS), key=f"fw:{key}",
                               format_func=lambda f: FRAMEWORKS[f].name[lang])
        sheet = ""
        if up.name.lower().endswith((".xlsx", ".xlsm")):
            from analytics.ingest.readers import sheet_names

            try:
                names = sheet_names(data, up.name)
                sheet = st.selectbox(t("data.sheet"), names, key=f"sheet:{key}") if len(names) > 1 else ""
            except Exception:  # noqa: BLE001 - the report below names the problem
                sheet = ""
        overrides = st.session_state.setdefault(f"map:{key}", {})
        # Set by widgets drawn below the report (they appear only when the report calls for them).
        unfinished = bool(st.session_state.get(f"unfinished:{key}", False))
        date_order = st.session_state.get(f"dateorder:{key}") or ""
        try:
            with st.spinner(t("data.checking", mb=f"{len(data) / 1e6:.1f}")):
                report = check(data, up.name, kind, network, date, wave, scale, tuple(sorted(overrides.items())),
                               sheet, fid, ui.version(), unfinished, date_order)
        except ValueError as e:
            st.error(ui.md(error_text(e, lang)))
            continue
        show_report(report)
        if report.status == "failed" and report.kind is None and report.headers:
            st.warning(t("data.choose_kind"))
        conflict = report.mapping_conflict
        if report.mapping or report.unmapped or conflict:  # a wrong hand choice keeps the panel: no dead end
            with st.expander(t("data.mapping") + (f" — {len(report.unmapped)} {t('data.unmapped')}"
                                                  if report.unmapped else ""),
                             expanded=bool(report.unmapped) or bool(conflict)):
                mapped = pd.DataFrame({t("data.header"): list(report.mapping),
                                       t("data.maps_to"): [target_label(v) for v in report.mapping.values()]})
                ui.show_table(mapped)
                opts = target_options(report.kind, fid)
                # Unmapped headers always get a box; with "change" every header does (a wrong guess can be fixed)
                edit_all = st.toggle(t("data.edit_mapping"), key=f"mapedit:{key}")
                headers = [*report.unmapped, *((*report.mapping, *overrides) if edit_all else overrides)]
                gen = st.session_state.get(f"mapgen:{key}", 0)  # a reset draws new boxes (the browser keeps a box's value)
                for h in dict.fromkeys(headers):
                    current = overrides.get(h) or report.mapping.get(h) or "ignore"
                    box_opts = opts if current in opts else [*opts, current]
                    choice = st.selectbox(f"{t('data.map_header')} “{ui.md(h)}”", box_opts,
                                          index=box_opts.index(current), key=f"mapsel:{key}:{gen}:{h}",
                                          format_func=target_label)
                    if conflict and conflict[0] == h:  # the choice that cannot be used, said where it is made
                        st.error(t("data.mapping_conflict", column=ui.md(h), reason=ui.md(said_text(report.mapping_conflict_said, lang, conflict[1]))))
                    if choice != current:
                        overrides[h] = choice
                        st.rerun()
                if overrides and st.button(t("data.reset_mapping"), key=f"mapreset:{key}"):
                    overrides.clear()
                    st.session_state[f"mapgen:{key}"] = gen + 1  # new boxes, or they would set their choice again
                    st.rerun()
        if not report.problems.empty and report.status != "failed":
            st.markdown(f"**{t('data.problems')}** ({report.errors} {t('severity.error')}, "
                        f"{report.warnings} {t('severity.warning')}/{t('severity.skipped')})")
            ui.show_table(problems_table(report), height=min(400, 38 + 35 * len(report.problems)))
        if len(report.rejected_rows):
            st.download_button(t("data.download_rejected"), safe_csv(report.rejected_rows), icon=ui.ICONS["download"],
                               file_name=f"rejected_{up.name.rsplit('.', 1)[0]}.csv", mime="text/csv",
                               key=f"rej:{key}")
        if report.status == "failed":
            continue
        from analytics.ingest.tools import tool_by_id

        if any(rule.unfinished for rule in tool_by_id(report.tool or "").leave_out):
            st.checkbox(t("data.include_unfinished"), key=f"unfinished:{key}", help=t("data.include_unfinished_help"))
        if date_order or (report.problems.code == "ambiguous_date").any():
            st.radio(t("data.date_order"), ["", "dmy", "mdy"], key=f"dateorder:{key}", horizontal=True,
                     format_func=lambda o: t(f"data.date_order_{o or 'ask'}"))
        if report.scale_suggestion is not None:
            confirm_scale(report, key)
        skip = False
        if report.errors > (1 if report.scale_suggestion is not None else 0):  # more than the scale to confirm
            st.warning(t("data.has_errors"))
            skip = st.checkbox(t("data.import_valid_only"), key=f"skip:{key}")
        blocked = report.scale_suggestion is not None or (bool(report.errors) and not skip)
        if st.button(t("data.import"), key=f"imp:{key}", type="primary", disabled=blocked):
            bar = st.progress(0.0, text=t("data.importing"))
            def on_progress(f, s, bar=bar):
                bar.progress(f, text=t("data.importing"))

            # What the check above validated is stored as it is; only if that check is gone (or the store
            # changed since) is the file read and checked again.
            result = importer.import_checked(report.check_token, skip_invalid=skip, on_progress=on_progress)
            c = ui.con()
            try:
                result = result or importer.import_file(
                    c, data, file_name=up.name, kind=kind or None, network=network or None, date=date or None,
                    wave=wave or None, scale=importer.parse_scale(scale.split()) if scale else None,
                    mapping_overrides=dict(overrides) or None, sheet=sheet or None, skip_invalid=skip,
                    framework=FRAMEWORKS[fid], include_unfinished=unfinished, date_order=date_order or None,
                    on_progress=on_progress,
                )
            finally:
                c.close()
            bar.empty()
            if result.status == "imported":
                st.success(t("data.imported", n=f"{result.rows_stored:,}".replace(",", "."),
                             kind=kind_label(result.kind, lang), id=result.import_id))
                st.cache_data.clear()
                ui.warm_figures()
            elif result.status == "duplicate":
                st.info(t("data.duplicate", id=result.duplicate_of))
            else:
                st.error(ui.md(report_message(result, lang)) or t("status.rejected"))

def undo() -> None:
    """Undo the import chosen in the box right now (not the one chosen when the button was drawn)."""
    import_id = st.session_state.get("undo_choice")
    if import_id is None:
        return
    import_id = int(import_id)
    c = ui.con()
    try:
        removed = store.undo_import(c, import_id)
    except store.StoreError as e:
        st.session_state["undo_message"] = ("error", str(e))
    else:
        st.cache_data.clear()
        ui.warm_figures()
        st.session_state["undo_message"] = ("success", t("data.undone_msg", id=import_id, n=sum(removed.values())))
    finally:
        c.close()
    st.session_state.pop("undo_choice", None)


st.divider()
st.subheader(t("data.imports"))
if msg := st.session_state.pop("undo_message", None):
    (st.error if msg[0] == "error" else st.success)(msg[1])
c = ui.con()
try:
    recs = store.list_imports(c)
finally:
    c.close()
if not recs:
    st.caption(t("data.no_imports"))
else:
    table = pd.DataFrame([{
        "#": r.import_id,
        t("column.file"): r.file_name,
        t("data.kind"): kind_label(r.kind, lang),
        t("data.rows"): r.rows_imported,
        t("data.refused"): r.rows_rejected,
        t("data.when"): r.imported_at,
        t("data.source"): t(f"data.source_{r.source}"),
        t("data.state"): t("data.undone") if r.undone_at else t("data.active"),
    } for r in reversed(recs)])
    ui.show_table(table)
    active = [r for r in recs if r.undone_at is None]
    if active:
        c1, c2 = st.columns([3, 1])
        names = {r.import_id: f"#{r.import_id} {r.file_name}" for r in recs}
        c1.selectbox(t("data.undo_which"), [r.import_id for r in reversed(active)],
                              format_func=lambda i: names[i], key="undo_choice")
        # The undo runs in the button's callback, before this page is drawn again: the table above and the
        # choices here then already show the new state (and a second click cannot hit a stale choice).
        c2.button(t("data.undo"), key="undo_button", on_click=undo)


def _person_labels(c) -> dict[str, str]:
    """participant id -> what the page shows: their code when pseudonymising, else their name as written."""
    from analytics.privacy import ensure_pseudonyms
    from analytics.store.db import rows as _rows

    ensure_pseudonyms(c)
    if ui.pseudonymise():
        return dict(_rows(c, "SELECT participant_id, code FROM pseudonyms"))
    return dict(_rows(c, """SELECT participant_id, coalesce(arg_max(name, (import_id, row_number)), participant_id)
                            FROM participants GROUP BY participant_id"""))


def _who_did(fn, message_key: str, *args) -> None:
    """Run a merge, keep-apart or split in the button's callback (so the page is drawn in the new state)."""
    c = ui.con()
    try:
        fn(c, *args)
    except who.MergeError as e:
        st.session_state["who_message"] = ("error", str(e))
    else:
        st.cache_data.clear()
        ui.warm_figures()
        st.session_state["who_message"] = ("success", message_key)
    finally:
        c.close()


def merge_chosen() -> None:
    a, _, b = str(st.session_state.get("pair_choice") or "").partition("\x1f")
    if a and b:
        _who_did(who.merge_pair, t("identity.merged_msg", a=LABELS.get(a, a), b=LABELS.get(b, b)), a, b)


def keep_chosen_apart() -> None:
    a, _, b = str(st.session_state.get("pair_choice") or "").partition("\x1f")
    if a and b:
        _who_did(who.keep_apart, t("identity.kept_msg", a=LABELS.get(a, a), b=LABELS.get(b, b)), a, b)


def split_chosen() -> None:
    alias = st.session_state.get("split_choice")
    if alias:
        _who_did(who.split, t("identity.split_msg", a=LABELS.get(alias, alias)), alias)


st.divider()
st.subheader(t("identity.title"))
st.caption(t("identity.help"))
if msg := st.session_state.pop("who_message", None):
    (st.error if msg[0] == "error" else st.success)(ui.md(msg[1]))
LABELS = ui.query(_person_labels)
pairs = ui.query(who.network_candidates, ui.network())
if not pairs:
    st.caption(t("identity.pairs_none"))
else:
    st.markdown(f"**{t('identity.pairs_head')}** ({len(pairs)})")
    pair_text = {f"{p['a']}\x1f{p['b']}": f"{LABELS.get(p['a'], '?')} / {LABELS.get(p['b'], '?')} — "
                                          f"{t('identity.reason.' + p['reason'])}" for p in pairs}
    c1, c2, c3 = st.columns([3, 1, 1])
    c1.selectbox(t("identity.pair_choice"), list(pair_text), format_func=pair_text.get, key="pair_choice")
    c2.button(t("identity.merge"), key="merge_button", on_click=merge_chosen)
    c3.button(t("identity.keep_apart"), key="apart_button", on_click=keep_chosen_apart)
merged = ui.query(who.merges, ui.network())
if merged:
    st.markdown(f"**{t('identity.merges_head')}** ({len(merged)})")
    merge_text = {m["alias_id"]: f"{LABELS.get(m['alias_id'], '?')} → {LABELS.get(m['person_id'], '?')}"
                  for m in merged}
    c1, c2 = st.columns([3, 1])
    c1.selectbox(t("identity.merge_choice"), list(merge_text), format_func=merge_text.get, key="split_choice")
    c2.button(t("identity.split"), key="split_button", on_click=split_chosen)

st.divider()
st.subheader(t("data.templates"))
st.caption(t("data.templates_help"))
cols = st.columns(5)
for col, k in zip(cols, KIND_CHOICES[1:], strict=True):
    col.download_button(kind_label(k, lang), importer.template_csv(k), file_name=f"template_{k}.csv",
                        mime="text/csv", key=f"tpl:{k}")

st.divider()
st.subheader(t("research.title"))
st.caption(t("research.help"))
research_scope = ui.synced_select(t("research.scope"), ["", *ui.networks()], "research_scope",
                                  lambda n: n or t("research.scope_all"))
research_key = (ui.version(), research_scope, ui.pseudonymise(), lang)
if st.button(t("research.build"), key="research_build"):
    bar = st.progress(0.0, text=t("research.building", step=t("research.step.tables")))
    try:
        pack = ui.query(
            research_pack.pack_zip, networks=[research_scope] if research_scope else None,
            names=not ui.pseudonymise(), lang=lang,
            on_progress=lambda f, s, bar=bar: bar.progress(f, text=t("research.building",
                                                                     step=t(f"research.step.{s}"))))
    except (research_pack.PackError, OSError) as e:
        st.error(t("research.failed", error=ui.md(str(e))))
    else:
        st.session_state["research_zip"] = (research_key, pack)
    bar.empty()
held = st.session_state.get("research_zip")
if held and held[0] == research_key:  # a pack of other data or other choices is not offered
    with zipfile.ZipFile(io.BytesIO(held[1])) as z:
        n_files = len(z.namelist())
    st.success(t("research.ready", n=n_files, mb=f"{len(held[1]) / 1e6:.1f}",
                 names=t("research.with_codes" if ui.pseudonymise() else "research.with_names")))
    st.download_button(t("research.download"), held[1], icon=ui.ICONS["download"], mime="application/zip", key="research_download",
                       file_name=f"research_pack_{(research_scope and fold(research_scope)) or 'all'}.zip")

st.divider()
st.subheader(t("data.instruments"))
st.caption(t("data.instruments_help"))
st.markdown(" · ".join(f"**{ui.md(fw.name[lang])}** (`{fw.id}`, {len(fw.indicators)} {t('data.indicators')})"
                       for fw in FRAMEWORKS.values()))
shipped = ui.framework().with_alt_names(False)
for d in (d for d in shipped.dimensions if d.alt_name):
    dim_names = {"name": d.name[lang], "alt_name": d.alt_name[lang]}
    current = "alt_name" if ui.alt_names() else "name"
    chosen = st.radio(t("data.dimension_name", code=d.code), list(dim_names), index=list(dim_names).index(current),
                      format_func=dim_names.get, horizontal=True, key=f"dimension_names:{d.code}",
                      help=t("data.dimension_name_help"))
    if chosen != current:
        ui.query(store.set_alt_dimension_names, chosen == "alt_name")
        st.rerun()
definition = st.file_uploader(t("data.load_instrument"), type=["toml"], key="instrument_upload")
if definition is not None and st.button(t("data.save_instrument"), key="save_instrument"):
    try:
        fw = save_framework(definition.getvalue(), FW_DIR)
    except (FrameworkError, UnicodeDecodeError) as e:
        st.error(ui.md(f"{definition.name}: {e}"))
    else:
        st.success(t("data.instrument_saved", name=ui.md(fw.name[lang]), n=len(fw.indicators)))
        st.rerun()

# ---------------------------------------------------------------- networks, agreements, interventions
import datetime as dt  # noqa: E402 - this section only

from analytics.definitions import loop_label, loop_vocabulary, own_link_names  # noqa: E402
from analytics.store import agreements as agr  # noqa: E402
from analytics.store import interventions as itv  # noqa: E402
from analytics.store import networks as netinfo  # noqa: E402
from analytics.store.periods import RHYTHM_MOMENTS  # noqa: E402
from analytics.views import loop as loop_view  # noqa: E402

st.divider()
st.subheader(t("data.loop"))
st.caption(t("data.loop_help"))
vocab = loop_vocabulary()
fw_now = ui.framework()
own_links = own_link_names(ui.instruments())  # an own instrument's indicators, as instrument:code
link_codes = [d.code for d in fw_now.dimensions] + list(fw_now.codes) + list(own_links)
cycle_codes = [c.code for c in value_cycles()]
measure_codes = list(vocab["measures"])
known_nets = ui.query(netinfo.all_networks)
hide_people = ui.pseudonymise()


def _links(prefix: str, current: tuple = ((), (), ())) -> tuple[list, list, list]:
    c1, c2, c3 = st.columns(3)
    ind = c1.multiselect(t("agr.indicators"), link_codes, default=[c for c in current[0] if c in link_codes],
                         key=f"{prefix}:ind", format_func=lambda c: own_links[c][lang] if c in own_links
                         else loop_view.figure_name("indicator", c, lang, fw_now), placeholder=t("ui.choose"))
    cyc = c2.multiselect(t("agr.cycles"), cycle_codes, default=list(current[1]), key=f"{prefix}:cyc",
                         format_func=lambda c: loop_view.figure_name("cycle", c, lang), placeholder=t("ui.choose"))
    mea = c3.multiselect(t("agr.measures"), measure_codes, default=list(current[2]), key=f"{prefix}:mea",
                         format_func=lambda c: loop_label("measures", c, lang), placeholder=t("ui.choose"))
    return ind, cyc, mea


def _saved(message: str) -> None:
    st.cache_data.clear()
    st.session_state["loop_message"] = message
    st.rerun()


if msg := st.session_state.pop("loop_message", None):
    st.success(msg)
tab_net, tab_agr, tab_itv = st.tabs([t("net.tab"), t("agr.tab"), t("itv.tab")])

with tab_net:
    default_net = ui.network() if ui.network() in known_nets else (known_nets[0] if known_nets else "")
    st.session_state.setdefault("net_choice", default_net)
    which = ui.synced_select(t("net.choose"), ["", *known_nets], "net_choice", lambda n: n or t("net.new"))
    cur = ui.query(netinfo.details, which) if which else None
    cur = cur or {}

    def _get(k, default=None):
        v = cur.get(k)
        return default if v is None or (not isinstance(v, list | tuple) and pd.isna(v)) else v

    with st.form(f"network_form:{which}"):
        name = which or st.text_input(t("net.name"), max_chars=200)
        description = st.text_area(t("net.description"), value=_get("description", ""), max_chars=netinfo.MAX_TEXT,
                                   key=f"net_form:{which}:description")
        ambition = st.text_area(t("net.ambition"), value=_get("ambition", ""), max_chars=netinfo.MAX_TEXT)
        c1, c2, c3, c4 = st.columns(4)
        phases = ["", *vocab["phases"]]
        phase = c1.selectbox(t("net.phase"), phases, index=phases.index(_get("phase", "")), key=f"net_form:{which}:phase",
                             format_func=lambda p: loop_label("phases", p, lang) if p else t("net.no_phase"))
        start = c2.date_input(t("net.start"), value=_get("start_date"), format="DD-MM-YYYY")
        end = c3.date_input(t("net.end"), value=_get("end_date"), format="DD-MM-YYYY")
        moments = c4.selectbox(t("net.moments"), list(RHYTHM_MOMENTS), key=f"net_form:{which}:moments",
                               index=list(RHYTHM_MOMENTS).index(int(_get("moments_per_year", 2))))
        instruments = st.multiselect(t("net.instruments"), list(FRAMEWORKS),
                                     default=[i for i in _get("instruments", []) if i in FRAMEWORKS],
                                     format_func=lambda f: FRAMEWORKS[f].name[lang], placeholder=t("ui.choose"))
        coaches = list(_get("coaches", []))
        if hide_people:
            st.caption(t("net.with_names"))
        else:
            coaches = st.text_input(t("net.coaches"), value="; ".join(coaches), key=f"net_form:{which}:coaches")
        if st.form_submit_button(t("net.save"), type="primary"):
            try:
                v = ui.query(netinfo.save, name, description=description, ambition=ambition, phase=phase or None,
                             start_date=start, end_date=end, coaches=coaches, instruments=instruments,
                             moments_per_year=moments)
            except netinfo.NetworkError as e:
                st.error(ui.md(str(e)))
            else:
                _saved(t("net.saved", v=v))
    if which:
        hist = ui.query(netinfo.history, which)
        if len(hist) > 1:
            with st.expander(t("net.history", n=len(hist))):
                cols = ["version", "description", "ambition", "phase", "start_date", "end_date", "moments_per_year",
                        "written_at"]
                ui.show_table(hist[cols].astype({"phase": object}))

with tab_agr:
    with st.form("agreement_form", clear_on_submit=True):
        c1, c2, c3 = st.columns([2, 1, 1])
        a_net = c1.selectbox(t("agr.network"), known_nets, key="agr_new:net",
                             index=known_nets.index(ui.network()) if ui.network() in known_nets else 0)
        a_date = c2.date_input(t("agr.date"), value=dt.date.today(), format="DD-MM-YYYY", key="agr_new:date")
        a_status = c3.selectbox(t("agr.status"), list(vocab["statuses"]), key="agr_new:status",
                                format_func=lambda s: loop_label("statuses", s, lang))
        a_text = st.text_input(t("agr.text"), max_chars=agr.MAX_TEXT, key="agr_new:text")
        a_ind, a_cyc, a_mea = _links("agr_new")
        a_owner = st.text_input(t("agr.owner"), max_chars=200, key="agr_new:owner")
        if st.form_submit_button(t("agr.save"), type="primary"):
            try:
                ui.query(agr.add, a_net, a_date, a_text, indicators=a_ind, cycles=a_cyc, measures=a_mea,
                         owner=a_owner, status=a_status)
            except agr.AgreementError as e:
                st.error(ui.md(str(e)))
            else:
                _saved(t("agr.saved"))
    current_agreements = ui.query(loop_view.agreement_records, (ui.network(),) if ui.network() else None,
                                  pseudonymise=ui.pseudonymise(), min_group=ui.min_group())
    statuses = list(vocab["statuses"])
    for a in reversed(current_agreements):
        with st.expander(f"{ui.md(a['network'])} · {a['date']:%d-%m-%Y} · {ui.md(a['text'][:60])}"):
            c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
            new_status = c1.selectbox(t("agr.status"), statuses, index=statuses.index(a["status"]),
                                      key=f"agr_status:{a['id']}", format_func=lambda s: loop_label("statuses", s, lang))
            if c2.button(t("agr.update"), key=f"agr_update:{a['id']}"):
                ui.query(agr.edit, a["id"], status=new_status)
                _saved(t("agr.saved"))
            if c3.button(t("agr.remove"), key=f"agr_remove:{a['id']}"):
                ui.query(agr.remove, a["id"])
                _saved(t("agr.saved"))

with tab_itv:
    with st.form("intervention_form", clear_on_submit=True):
        i_label = st.text_input(t("itv.label"), max_chars=200)
        c1, c2, c3 = st.columns([1, 1, 2])
        i_start = c1.date_input(t("itv.start"), value=dt.date.today(), format="DD-MM-YYYY")
        i_end = c2.date_input(t("itv.end"), value=None, format="DD-MM-YYYY")
        i_nets = c3.multiselect(t("itv.networks"), known_nets, placeholder=t("ui.choose"))
        i_ind, i_cyc, i_mea = _links("itv_new")
        i_expected = st.text_input(t("itv.expected"), max_chars=itv.MAX_TEXT)
        if st.form_submit_button(t("itv.save"), type="primary"):
            try:
                ui.query(itv.add, i_label, i_start, end_date=i_end, networks=i_nets, indicators=i_ind,
                         cycles=i_cyc, measures=i_mea, expected=i_expected)
            except itv.InterventionError as e:
                st.error(ui.md(str(e)))
            else:
                _saved(t("itv.saved"))
    for r in ui.query(itv.latest).itertuples():
        iid = r.intervention_id
        head = t("intervention.head", label=ui.md(ui.scrub(r.label)), start=f"{r.start_date:%d-%m-%Y}",
                 networks=ui.md(", ".join(r.networks) if len(r.networks) else t("intervention.all_networks")))
        with st.expander(head):
            # An edit adds a version (the history stays); names in the texts are shown only with names on.
            with st.form(f"itv_edit:{iid}"):
                e_label = st.text_input(t("itv.label"), value=ui.scrub(r.label), max_chars=200,
                                        disabled=hide_people, key=f"itv_edit:{iid}:label")
                c1, c2, c3 = st.columns([1, 1, 2])
                e_start = c1.date_input(t("itv.start"), value=r.start_date, format="DD-MM-YYYY",
                                        key=f"itv_edit:{iid}:start")
                e_end = c2.date_input(t("itv.end"), value=None if pd.isna(r.end_date) else r.end_date,
                                      format="DD-MM-YYYY", key=f"itv_edit:{iid}:end")
                e_nets = c3.multiselect(t("itv.networks"), sorted(set(known_nets) | set(r.networks)),
                                        default=list(r.networks), key=f"itv_edit:{iid}:nets", placeholder=t("ui.choose"))
                e_ind, e_cyc, e_mea = _links(f"itv_edit:{iid}", tuple(
                    [] if v is None else [str(x) for x in v] for v in (r.indicators, r.cycles, r.measures)))
                e_expected = st.text_input(t("itv.expected"), value=ui.scrub(r.expected or ""),
                                           max_chars=itv.MAX_TEXT, disabled=hide_people,
                                           key=f"itv_edit:{iid}:expected")
                if hide_people:
                    st.caption(t("itv.edit_names"))
                if st.form_submit_button(t("itv.update"), type="primary"):
                    changes = {"start_date": e_start, "end_date": e_end, "networks": e_nets, "indicators": e_ind,
                               "cycles": e_cyc, "measures": e_mea}
                    if not hide_people:  # a pseudonymised text is not written back over the real one
                        changes |= {"label": e_label, "expected": e_expected}
                    try:
                        ui.query(itv.edit, iid, **changes)
                    except itv.InterventionError as e:
                        st.error(ui.md(str(e)))
                    else:
                        _saved(t("itv.saved"))
            if st.button(t("agr.remove"), key=f"itv_remove:{iid}"):
                ui.query(itv.remove, iid)
                _saved(t("itv.saved"))
