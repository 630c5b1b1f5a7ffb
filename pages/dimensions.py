"""Dimensions of social learning: the radar over time, the shared picture, comparisons and change."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.decisions import OTHER_ROLE_COLOR, role_color, role_sort_key
from analytics.definitions import frameworks, frameworks_dir
from analytics.draw import charts
from analytics.i18n import fmt_num, role_label
from analytics.measures import change as change_measures
from analytics.measures import dimensions as dims
from analytics.measures import uncertainty
from analytics.store import contents
from analytics.store import database as store
from pages import ui

ui.page_setup()

t, lang = ui.translator(), ui.lang()
text = ui.chart_text()
FRAMEWORKS = frameworks(frameworks_dir(store.db_path()), ui.alt_names())

st.title(ui.ICONS["dimensions"] + " " + t("nav.dimensions"))
ui.demo_banner()
st.markdown(t("dims.intro"))

present = [f for f in ui.query(contents.frameworks_in_use) if f in FRAMEWORKS] or ["dimensions"]
fid = present[0] if len(present) == 1 else st.selectbox(
    t("dims.instrument"), present, format_func=lambda f: FRAMEWORKS[f].name[lang], key="dims_framework")
fw = FRAMEWORKS[fid]


@st.cache_data(show_spinner=False, max_entries=64)
def stats(data_version, filters: dims.Filters, by: str, min_group: int, group_roles: bool = False,
          with_ci: bool = False) -> pd.DataFrame:
    """Cached per data version: the bootstrap runs once per filter, a rerun reads the cache."""
    return ui.query(dims.indicator_stats, filters, by=by, min_group=min_group, group_roles=group_roles,
                    framework=FRAMEWORKS[filters.framework], with_ci=with_ci)


@st.cache_data(show_spinner=False, max_entries=32)
def between(data_version, network: str, a: str, b: str, by: str, min_group: int, framework: str) -> pd.DataFrame:
    return ui.query(change_measures.between, a, b, networks=(network,), by=by, framework=FRAMEWORKS[framework],
                    min_group=min_group)


@st.cache_data(show_spinner=False, max_entries=32)
def marks(data_version, filters: dims.Filters, pseudonymise: bool) -> pd.DataFrame:
    return ui.query(dims.marks, filters, pseudonymise=pseudonymise, framework=FRAMEWORKS[filters.framework])


def labels(by: str) -> dict[str, str]:
    if by == "dimension":
        return {d.code: f"{d.code} {d.name[lang]}" for d in fw.dimensions}
    return {i.code: f"{i.code} {i.name[lang]}" for i in fw.indicators}


def order(by: str) -> list[str]:
    return [d.code for d in fw.dimensions] if by == "dimension" else fw.codes


def poles() -> dict[str, tuple[str, str]]:
    return {i.code: (i.left[lang], i.right[lang]) for i in fw.indicators}


def table_view(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """The numbers behind a chart, with readable column names."""
    lab = labels(by)
    out = pd.DataFrame({
        t("column.network"): df["network"],
        t("column.period"): df["period"],
        t("column.situation"): [t(f"situation.{s}") for s in df["situation"]],
        t("dims.code"): [lab.get(c, c) for c in df["code"]],
        "n": df["n"],
        t("dims.mean"): df["mean"].round(3),
    })
    if "ci_low" in df:
        out[t("chart.ci_low")] = df["ci_low"].round(3)
        out[t("chart.ci_high")] = df["ci_high"].round(3)
    out[t("dims.median")] = df["median"].round(3)
    out[t("dims.iqr")] = df["iqr"].round(3)
    if "rwg" in df:
        out[t("dims.rwg")] = df["rwg"].round(3)
    if "role" in df:
        out.insert(3, t("column.role"), [role_label(r, lang) for r in df["role"]])
    return out


v = ui.version()
min_group = ui.min_group()
periods_all = ui.periods()
net = ui.pick_network()
if net is None or not periods_all:
    st.info(t("ui.no_data"))
    st.stop()

tab_time, tab_shared, tab_compare, tab_change = st.tabs(
    [t("dims.tab_time"), t("dims.tab_shared"), t("dims.tab_compare"), t("dims.tab_change")]
)

# ---------------------------------------------------------------- over time
with tab_time:
    by = st.segmented_control(t("dims.level"), ["dimension", "indicator"], default="dimension",
                              format_func=lambda b: t(f"dims.by_{b}"), key="dims_by_time") or "dimension"
    df = stats(v, dims.Filters(framework=fid, networks=(net,), situation="current"), by, min_group, with_ci=True)
    net_periods = [p for p in periods_all if p in set(df["period"])]
    if df.empty:
        st.info(t("ui.no_data"))
    else:
        latest = net_periods[-1]
        n_latest = int(df.loc[df["period"] == latest, "n"].max())
        chart = ui.spec(
            charts.radar_chart, df, axis_order=order(by), axis_labels=labels(by), series_order=net_periods, emphasise=latest,
            pole_labels=poles() if by == "indicator" else None, text=text,
            title=t("dims.radar_title", network=net), size=640 if by == "dimension" else 720,
            ci=("ci_low", "ci_high"),
        )
        ui.chart_block(chart, table_view(df, by), f"radar_{net}_{by}",
                       how_to_read=t("dims.read_radar") + "\n\n" + t("dims.read_bands"))
        st.caption(t("dims.radar_n", period=latest, n=n_latest))
        if df["suppressed"].any():
            st.caption(t("ui.suppressed", n=min_group))
        # Say it in words when the intervals are wide: few respondents, or marks far apart.
        shown = df.dropna(subset=["ci_low", "ci_high"])
        wide = shown[[uncertainty.is_wide(r.n, r.ci_low, r.ci_high) for r in shown.itertuples()]]
        if len(wide):
            wide_periods = [p for p in net_periods if p in set(wide["period"])]
            st.warning(t("dims.wide_warning", periods=", ".join(wide_periods), n=int(wide["n"].min()),
                         width=fmt_num(float((wide["ci_high"] - wide["ci_low"]).mean()), lang)), icon=ui.ICONS["warning"])
        ev = ui.events((net,), ui.pseudonymise())
        line = ui.spec(
            charts.line_over_time, df, x="period", y="mean", color="code", x_order=net_periods, color_labels=labels(by),
            color_order=order(by), events=ev, y_domain=(0, 1), y_title=text["position"],
            text={**text, "indicator": t("overview.dimension") if by == "dimension" else text["indicator"]},
            title=t("dims.lines_title"), width=640, band=("ci_low", "ci_high"), n_col="n",
        )
        ui.chart_block(line, table_view(df, by), f"lines_{net}_{by}",
                       how_to_read=t("dims.read_lines") + "\n\n" + t("dims.read_bands"), key=f"lines_{by}")
        st.markdown("**" + t("dims.agreement_title") + "**")
        agree = ui.spec(
            charts.line_over_time, df, x="period", y="rwg", color="code", x_order=net_periods, color_labels=labels(by),
            color_order=order(by), events=ev, y_domain=(0, 1), y_title=t("dims.agreement_axis"),
            text={**text, "indicator": t("overview.dimension") if by == "dimension" else text["indicator"]},
            title=t("dims.agreement_title"), width=640, n_col="n", tooltip_cols=("n", "iqr"),
        )
        ui.chart_block(agree, table_view(df, by), f"agreement_{net}_{by}", how_to_read=t("dims.read_agreement"),
                       key=f"agreement_{by}")

# ---------------------------------------------------------------- shared picture
with tab_shared:
    per = ui.period() if ui.period() in periods_all else None
    net_periods = list(stats(v, dims.Filters(framework=fid, networks=(net,), situation="current"), "dimension",
                             min_group)["period"].unique())
    net_periods = [p for p in periods_all if p in net_periods]
    if not net_periods:
        st.info(t("ui.no_data"))
    else:
        per = per if per in net_periods else net_periods[-1]
        c1, c2 = st.columns([1, 2])
        per = c1.selectbox(t("sidebar.period"), net_periods, index=net_periods.index(per), key="shared_period")
        roles_present = sorted(set(marks(v, dims.Filters(framework=fid, networks=(net,), periods=(per,)), True)["role"]))
        roles = c2.multiselect(t("dims.roles"), roles_present, default=roles_present,
                               format_func=lambda r: role_label(r, lang), key="shared_roles", placeholder=t("ui.choose"))
        f = dims.Filters(framework=fid, networks=(net,), periods=(per,), situation="current", roles=tuple(roles) or None)
        m = marks(v, f, ui.pseudonymise())
        s = stats(v, f, "indicator", min_group)
        if m.empty:
            st.info(t("ui.no_data"))
        else:
            n_resp = int(s["n"].max()) if len(s) else 0
            if n_resp < min_group:
                st.warning(t("dims.too_few", n=n_resp, min=min_group))
            else:
                top = dims.disagreement(s, top=3)
                st.markdown("**" + t("dims.discussion_starters") + "**")
                for _, r in top.iterrows():
                    ind = fw.indicator(r["code"])
                    st.markdown(t("dims.starter", code=r["code"], name=ui.md(ind.name[lang]),
                                  left=ui.md(ind.left[lang]), right=ui.md(ind.right[lang]), iqr=fmt_num(r["iqr"], lang), q1=fmt_num(r["q1"], lang),
                                  q3=fmt_num(r["q3"], lang)))
                iqr = s.set_index("code")[["q1", "median", "q3", "n"]].reset_index()
                # A role with fewer respondents than the threshold is not coloured apart: its marks would be
                # recognisable as that one person's.
                per_role = m.groupby("role")["label"].nunique()
                shown_role = {r: role_label(r, lang) if per_role.get(r, 0) >= min_group else t("dims.small_roles")
                              for r in per_role.index}
                # One colour per role code in every chart and language; the small groups share the grey of "other".
                role_order = list(dict.fromkeys(shown_role[r] for r in sorted(per_role.index, key=role_sort_key)))
                role_colours = {shown_role[r]: role_color(r) if per_role.get(r, 0) >= min_group else OTHER_ROLE_COLOR
                                for r in per_role.index}
                strip = ui.spec(
                    charts.marks_strip_chart, m.assign(role_label=[shown_role[r] for r in m["role"]]), order=fw.codes,
                    labels=labels("indicator"), pole_labels=poles(), color_col="role_label", iqr=iqr,
                    color_order=role_order, colors=role_colours,
                    tooltip_cols=("label",), text=text, title=t("dims.strip_title", network=net, period=per),
                )
                table = pd.DataFrame({
                    t("dims.code"): m["code"], t("column.role"): [shown_role[r] for r in m["role"]],
                    t("dims.who"): m["label"], t("dims.position"): m["position"].round(3), t("dims.raw"): m["raw"],
                })
                ui.chart_block(strip, table, f"shared_{net}_{per}", how_to_read=t("dims.read_strip"))
                if len(roles_present) > 1:
                    st.markdown("**" + t("dims.by_role_title") + "**")
                    by_role = stats(v, dims.Filters(framework=fid, networks=(net,), periods=(per,), situation="current"),
                                    "dimension", min_group, group_roles=True)
                    if by_role["mean"].notna().any():
                        shown = set(by_role.loc[by_role["mean"].notna(), "role"])  # hidden groups: not in the legend
                        rr = by_role[by_role["role"].isin(shown)]
                        rr = rr.assign(series=[role_label(r, lang) for r in rr["role"]])
                        shown_roles = sorted(set(rr["role"]), key=role_sort_key)
                        role_chart = ui.spec(
                            charts.radar_chart, rr, axis_order=order("dimension"), axis_labels=labels("dimension"),
                            series_col="series", series_order=[role_label(r, lang) for r in shown_roles],
                            series_colors=charts.role_colors({r: role_label(r, lang) for r in shown_roles}),
                            text={**text, "series": text["group"]},
                            title=t("dims.by_role_title"), size=520, categorical=True,
                        )
                        ui.chart_block(role_chart, table_view(by_role, "dimension"), f"roles_{net}_{per}",
                                       how_to_read=t("dims.read_roles"))
                    if by_role["suppressed"].any():
                        st.caption(t("ui.suppressed", n=min_group))

# ---------------------------------------------------------------- compare
with tab_compare:
    st.markdown("**" + t("dims.compare_networks") + "**")
    per = ui.period() if ui.period() in periods_all else None
    all_df = stats(v, dims.Filters(framework=fid, situation="current"), "dimension", min_group)
    pers = [p for p in periods_all if p in set(all_df["period"])]
    if not pers:
        st.info(t("ui.no_data"))
    else:
        per = st.selectbox(t("sidebar.period"), pers, index=pers.index(per) if per in pers else len(pers) - 1,
                           key="compare_period")
        one = all_df[all_df["period"] == per]
        small = ui.spec(
            charts.small_multiples_radar, one, facet_col="network", series_col="period", axis_order=order("dimension"),
            axis_labels=labels("dimension"), text=text, columns=2, size=340,
        )
        ui.chart_block(small, table_view(one, "dimension"), f"networks_{per}", how_to_read=t("dims.read_compare"))
    st.markdown("**" + t("dims.current_desired") + "**")
    both = stats(v, dims.Filters(framework=fid, networks=(net,)), "indicator", min_group)
    both_periods = [p for p in periods_all if p in set(both[both["situation"] == "desired"]["period"])]
    if not both_periods:
        st.caption(t("dims.no_desired"))
    else:
        p2 = st.selectbox(t("sidebar.period"), both_periods, index=len(both_periods) - 1, key="desired_period")
        cd = both[both["period"] == p2].assign(series=lambda d: [t(f"situation.{s}") for s in d["situation"]])
        chart = ui.spec(
            charts.radar_chart, cd, axis_order=fw.codes, axis_labels=labels("indicator"), series_col="series",
            series_order=[t("situation.current"), t("situation.desired")], emphasise=t("situation.desired"),
            pole_labels=poles(), text=text, title=t("dims.desired_title", network=net, period=p2), size=720,
        )
        ui.chart_block(chart, table_view(cd, "indicator"), f"desired_{net}_{p2}", how_to_read=t("dims.read_desired"))

# ---------------------------------------------------------------- change
with tab_change:
    by = st.segmented_control(t("dims.level"), ["dimension", "indicator"], default="dimension",
                              format_func=lambda b: t(f"dims.by_{b}"), key="dims_by_change") or "dimension"
    df = stats(v, dims.Filters(framework=fid, networks=(net,), situation="current"), by, min_group)
    net_periods = [p for p in periods_all if p in set(df["period"])]
    if len(net_periods) < 2:
        st.info(t("dims.need_two_periods"))
    else:
        c1, c2 = st.columns(2)
        a = c1.selectbox(t("dims.from_period"), net_periods, index=len(net_periods) - 2, key="change_a")
        b = c2.selectbox(t("dims.to_period"), net_periods, index=len(net_periods) - 1, key="change_b")
        ch = dims.change(df, a, b)
        lab = labels(by)
        table = pd.DataFrame({
            t("dims.code"): [lab.get(c, c) for c in ch["code"]],
            f"n {a}": ch["n_a"], f"{t('dims.mean')} {a}": ch["mean_a"].round(3),
            f"n {b}": ch["n_b"], f"{t('dims.mean')} {b}": ch["mean_b"].round(3),
            t("dims.change"): ch["change"].round(3),
            f"{t('dims.iqr')} {a}": ch["iqr_a"].round(3), f"{t('dims.iqr')} {b}": ch["iqr_b"].round(3),
        })
        st.markdown(t("dims.change_note"))
        ui.show_table(table)
        slope = ui.spec(
            charts.slope_chart, df[df["period"].isin([a, b])], code_col="code", period_col="period", value_col="mean", labels=lab,
            period_order=[a, b], events=None, text=text, title=t("dims.slope_title", a=a, b=b),
        )
        ui.chart_block(slope, table, f"change_{net}_{a}_{b}", how_to_read=t("dims.read_slope"))

        # ------------------------------------------------ change with its evidence: group and paired
        st.subheader(t("dims.change_evidence"))
        st.markdown(t("dims.change_evidence_intro", tol=fmt_num(change_measures.TOLERANCE, lang)))
        ev_df = between(v, net, a, b, by, min_group, fid)
        if ev_df.empty:
            st.info(t("ui.no_data"))
        else:
            def pm(x) -> str:
                return "—" if x is None or x != x else ("+" if x > 0 else "") + fmt_num(float(x), lang, 3)

            def span(lo, hi) -> str:
                return "—" if lo != lo or hi != hi else f"{pm(lo)} … {pm(hi)}"

            def count(x) -> str:
                return "—" if x is None or pd.isna(x) else str(int(x))

            evidence = pd.DataFrame({
                t("dims.code"): [lab.get(c, c) for c in ev_df["code"]],
                f"n {a}": ev_df["n_a"], f"n {b}": ev_df["n_b"],
                t("dims.group_change"): [pm(x) for x in ev_df["group_change"]],
                f"{t('dims.group_change')} · {t('dims.ci')}": [
                    span(lo, hi) for lo, hi in zip(ev_df["group_ci_low"], ev_df["group_ci_high"], strict=True)],
                t("dims.pairs"): ev_df["pairs"],
                t("dims.paired_change"): [pm(x) for x in ev_df["paired_change"]],
                f"{t('dims.paired_change')} · {t('dims.ci')}": [
                    span(lo, hi) for lo, hi in zip(ev_df["paired_ci_low"], ev_df["paired_ci_high"], strict=True)],
                t("dims.to_left"): [count(x) for x in ev_df["to_left"]],
                t("dims.to_right"): [count(x) for x in ev_df["to_right"]],
                t("dims.stayed"): [count(x) for x in ev_df["stayed"]],
            })
            paired = ev_df.dropna(subset=["paired_change"])
            if paired.empty:
                st.info(t("dims.no_pairs"))
                ui.show_table(evidence)
            else:
                pchart = ui.spec(
                    charts.interval_chart, paired, value_col="paired_change", lo_col="paired_ci_low", hi_col="paired_ci_high",
                    n_col="pairs", order=order(by), labels=lab, x_title=t("dims.paired_axis"),
                    text={**text, "n": t("dims.pairs"), "value": t("dims.paired_change")},
                    title=t("dims.paired_title", a=a, b=b),
                )
                ui.chart_block(pchart, evidence, f"paired_{net}_{a}_{b}_{by}", how_to_read=t("dims.read_paired"))
                clear = paired[(paired["paired_ci_low"] > 0) | (paired["paired_ci_high"] < 0)]
                if clear.empty:
                    st.markdown(t("dims.no_clear_moves"))
                else:
                    st.markdown(t("dims.largest_moves"))
                    clear = clear.reindex(clear["paired_change"].abs().sort_values(ascending=False).index)
                    pole = poles()
                    for r in clear.itertuples():
                        left_pole, right_pole = pole.get(r.code, (t("chart.left_pole"), t("chart.right_pole")))
                        move = "move_right" if r.paired_change > 0 else "move_left"
                        st.markdown(t("dims.paired_sentence", code=ui.md(lab.get(r.code, r.code)), pairs=r.pairs,
                                      movement=t(f"dims.{move}"), change=pm(r.paired_change),
                                      lo=pm(r.paired_ci_low), hi=pm(r.paired_ci_high), left=count(r.to_left),
                                      right=count(r.to_right), stayed=count(r.stayed), left_pole=ui.md(left_pole),
                                      right_pole=ui.md(right_pole)))
