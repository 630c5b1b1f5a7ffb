"""Streamlit glue shared by every page: the store connection, the sidebar's filters and switches, and a
few display helpers. All state the pages share lives here, read the same way everywhere."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import auth, i18n, limits, privacy
from analytics.definitions import default_framework
from analytics.demo import load as demo
from analytics.draw import charts, export
from analytics.measures import timeline
from analytics.store import contents
from analytics.store import database as store
from analytics.store.periods import SCHEMES

LANG_OPTIONS = {"nl": "Nederlands", "en": "English"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def md(value: object) -> str:
    """Text from data (names, networks, notes, file names) made safe inside st.markdown and captions:
    markdown characters escaped, so it cannot become a link, an image (which the browser would fetch) or
    emphasis. Streamlit already shows HTML as text."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


ENTRY_SCRIPT = str(Path(__file__).resolve().parent.parent / "app.py")


def _entry_on_stack() -> bool:
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_filename == ENTRY_SCRIPT:
            return True
        frame = frame.f_back
    return False


def leave_pages_folder_mode() -> None:
    """Streamlit falls back to its old pages/ folder mode until st.navigation has run once; switch it off."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def in_pages_folder_mode() -> bool:
    from streamlit.runtime.pages_manager import PagesManager

    return bool(PagesManager.uses_pages_directory)


def under_apptest() -> bool:
    """AppTest runs every script run in pages-folder mode by design; a real server never imports it."""
    return "streamlit.testing.v1" in sys.modules


#: Icons as Streamlit's Material Symbols (a font shipped with Streamlit, so offline): emoji render as empty
#: boxes on a server without an emoji font, also in screenshots and PDFs made there.
ICONS = {
    "overview": ":material/explore:", "dimensions": ":material/radar:", "values": ":material/eco:",
    "ties": ":material/hub:", "present": ":material/slideshow:", "live": ":material/sensors:",
    "data": ":material/database:", "app": ":material/hub:", "question": ":material/forum:",
    "agreement": ":material/handshake:", "note": ":material/edit_note:", "warning": ":material/warning:",
    "download": ":material/download:", "person": ":material/person:", "file": ":material/description:",
    "numbers": ":material/table_view:", "settings": ":material/settings:", "read": ":material/menu_book:",
    "ok": ":material/check_circle:", "info": ":material/info:", "refused": ":material/block:",
    "edit": ":material/edit:", "save": ":material/save:", "intervention": ":material/build:",
    "chart": ":material/bar_chart:", "table": ":material/table_view:",
}


def page_setup() -> None:
    """First call of every page. When the first request after a server start is a deep link such as
    /dimensions, Streamlit runs that page file directly, skipping app.py's login and sidebar: then switch
    the folder mode off and rerun through app.py."""
    if not _entry_on_stack():
        leave_pages_folder_mode()
        st.rerun()
    st.session_state["presentation"] = False  # pages/present.py turns it on for itself


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    """The process's connection. On read-only media the store opens read-only (every page that reads
    works; the Data page says it cannot import). A locked file or a full disk raises StoreError, which
    app.py shows as the app's own message (and retries on the next run: errors are not cached)."""
    try:
        con = store.connect(path)
    except store.StoreError as e:
        if "cannot be written" not in str(e) or not Path(path).exists():
            raise
        return store.limit_memory(store.connect(path, read_only=True), limits.get("APP_DB_MEMORY_MB"))
    store.limit_memory(con, limits.get("APP_DB_MEMORY_MB"))
    if store.is_empty(con) and os.environ.get("NETWERKLEREN_NO_DEMO") != "1":
        try:
            demo.load_demo(con)
        except Exception as e:  # noqa: BLE001 - a full disk while loading the demo: the store's own words
            con.close()
            raise store.StoreError(store.write_failure(path, e)) from e
    return con


def store_problem() -> str | None:
    """Why the store cannot be opened (locked by another program, disk full, newer schema...), or None."""
    try:
        con().close()
    except store.StoreError as e:
        return str(e)
    return None


def read_only() -> bool:
    """Whether the store is open read-only (read-only media)."""
    c = con()
    try:
        return store.is_read_only(c)
    finally:
        c.close()


def _auth_config() -> dict:
    try:
        return dict(st.secrets.get("auth", {}))
    except (FileNotFoundError, KeyError, AttributeError, ValueError):
        return {}
    except Exception:  # noqa: BLE001 - a broken secrets file must not open the app
        return {"broken": True}


def logged_in() -> bool:
    """True when no login is configured or the visitor has logged in. Queries nothing."""
    cfg = _auth_config()
    if cfg.get("broken"):
        return False
    if cfg.get("client_id"):  # Streamlit's own OIDC login (needs streamlit[auth] and the identity provider)
        return bool(st.user.is_logged_in)
    return not cfg.get("password_hash") or bool(st.session_state.get("_logged_in"))


def login_page() -> None:
    """The only page a visitor sees before logging in (run as a page of its own, so that no other page,
    not even a name in the navigation, is shown)."""
    cfg = _auth_config()
    st.title(ICONS["app"] + " Netwerkleren Monitor")
    if cfg.get("broken"):
        st.error("`.streamlit/secrets.toml` cannot be read; fix it before the app can open.")
        return
    if cfg.get("client_id"):
        st.button("Log in", on_click=st.login)
        return

    with st.form("login"):
        pw = st.text_input("Wachtwoord / Password", type="password")
        if st.form_submit_button("Inloggen / Log in"):
            d = auth.attempt_login(pw, cfg.get("password_hash", ""), client_address())
            if d.reason == "ok":
                st.session_state["_logged_in"] = True
                st.rerun()
            key = {"wrong": "login.wrong", "delay": "login.delay", "locked": "login.locked"}.get(d.reason,
                                                                                               "login.busy")
            fields = {"s": max(1, round(d.wait_s)), "min": max(1, round(d.wait_s / 60))}
            st.error(" / ".join(i18n.t(key, lang_, **fields) for lang_ in ("nl", "en")))


def client_address() -> str:
    """The visitor's address, for the login limits. Behind a reverse proxy (``NETWERKLEREN_TRUST_PROXY=1``)
    the last X-Forwarded-For entry, the one the proxy itself added: earlier entries are the client's word.
    Without a proxy that header is ignored (anyone can send it)."""
    if os.environ.get("NETWERKLEREN_TRUST_PROXY") == "1":
        try:
            forwarded = str(st.context.headers.get("X-Forwarded-For") or "")
        except Exception:  # noqa: BLE001 - no request context (tests): fall back to the peer
            forwarded = ""
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001
        ip = None
    return ip if isinstance(ip, str) and ip else "local"


def query(fn, *args, **kwargs):
    """Call an analytics function with a cursor of the shared connection, closed afterwards."""
    c = con()
    try:
        return fn(c, *args, **kwargs)
    finally:
        c.close()


@st.cache_resource(show_spinner=False)
def _runtime_served() -> bool:
    """vis-network written to the app's static/ folder (once per server process), which the server serves."""
    from analytics.draw import tie_map

    static = Path(__file__).resolve().parent.parent / "static"
    return bool(st.get_option("server.enableStaticServing")) and tie_map.publish_runtime(static)


def map_runtime() -> dict:
    """How a map inside the app gets vis-network: from the app's own server (``static/``, kept by the browser
    between maps) when it serves it, else carried in the map (700 KB on every rerun). Never for a download."""
    if not _runtime_served():
        return {"runtime": "inline"}
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return {"runtime": "served", "served_at": f"/{base}/app/static/" if base else "/app/static/"}


def prefetch(*calls: tuple) -> None:
    """Fill the cache of a page's independent queries at once, ``decisions.QUERIES_AT_ONCE`` at a time, before
    the page asks for them where it draws them (``analytics.store.db.together`` for cached page functions).
    ``calls``: (cached function, *args). A call that fails is left to the page, which raises it in its place."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    from analytics.decisions import QUERIES_AT_ONCE

    ctx = get_script_run_ctx()

    def run(call: tuple) -> None:
        add_script_run_ctx(threading.current_thread(), ctx)  # the cache and the connection are this session's
        try:
            call[0](*call[1:])
        except Exception:  # noqa: BLE001, S110 - raised again where the page asks for it
            pass

    with ThreadPoolExecutor(QUERIES_AT_ONCE) as pool:
        list(pool.map(run, calls))


def con():
    """The shared DuckDB connection (one per server process); each caller gets its own cursor."""
    return _connection(str(store.db_path())).cursor()


def shared_connection():
    """The server's one connection itself, never to be closed by a page: for what must outlive a rerun (a
    check kept for its Import makes its own cursor of it; a cursor of a cursor closes with its parent)."""
    return _connection(str(store.db_path()))


def warm_figures() -> None:
    """After data changed: the tie figures each network opens with, computed in the background and kept in
    the store (analytics/views/warm.py)."""
    from analytics.views import warm

    warm.warm_later(shared_connection().cursor)


def version() -> tuple:
    """Cache key for anything computed from stored data."""
    return query(store.data_version)


def loop_version() -> tuple:
    """Cache key for networks' details, agreements and interventions (written on the pages, not imported)."""
    c = con()
    try:
        return store.data_version(c) + store.loop_version(c)
    finally:
        c.close()


def lang() -> str:
    return st.session_state.get("lang", i18n.DEFAULT_LANG)


@st.cache_data(show_spinner=False, max_entries=32)
def _events(version: tuple, networks: tuple[str, ...], pseudonymise: bool) -> pd.DataFrame:
    return query(timeline.events, networks, pseudonymise=pseudonymise)


def events(networks: tuple[str, ...], pseudonymise: bool) -> pd.DataFrame:
    """The time axis' events (imported events, meeting notes, interventions) of these networks, once per
    version of the data and of the meeting loop (notes and interventions are written on the pages)."""
    return _events(loop_version(), tuple(networks), pseudonymise)


def t(key: str, **fields) -> str:
    return i18n.t(key, lang(), **fields)


def translator():
    """``t`` bound to the language of this run: safe inside format_func callbacks, which Streamlit (and
    AppTest) may call outside the script run, where session state cannot be read."""
    bound = lang()

    def tr(key: str, **fields) -> str:
        return i18n.t(key, bound, **fields)

    return tr


def pseudonymise() -> bool:
    """On unless the user turned it off: privacy by default."""
    return bool(st.session_state.get("pseudonymise", True))


@st.cache_resource(show_spinner=False, max_entries=4)
def scrubber(data_version, on: bool) -> privacy.NameScrubber:
    """One NameScrubber per data version: building one reads every name."""
    return query(privacy.NameScrubber, on)


def scrub(text: object, network: str | None = None, *, always: bool = False) -> str:
    """Free text (notes, stories) with the names of ``network``'s people replaced by codes when pseudonymising
    (without a network: every known name)."""
    return scrubber(version(), always or pseudonymise())(text, network)


def alt_names() -> bool:
    """The database's choice of dimension names (Data page, instruments)."""
    return bool(query(store.alt_dimension_names))


def framework():
    """The shipped instrument, its dimensions named as this database prefers."""
    return default_framework(alt_names())


def instruments() -> dict:
    """Every instrument this database knows (the shipped one first, named as the database prefers)."""
    from analytics.store import contents

    known = query(contents.instruments)
    shipped = framework()
    return {shipped.id: shipped, **{k: v for k, v in known.items() if k != shipped.id}}


def min_group() -> int:
    return int(st.session_state.get("min_group", privacy.DEFAULT_MIN_GROUP))


def network() -> str | None:
    v = st.session_state.get("network")
    return None if v in (None, "") else v


def period() -> str | None:
    v = st.session_state.get("period")
    return None if v in (None, "") else v


@st.cache_data(show_spinner=False)
def _networks(data_version: tuple) -> list[str]:
    return query(contents.networks)


@st.cache_data(show_spinner=False)
def _periods(data_version: tuple, net: str | None) -> list[str]:
    return query(contents.periods, net)


@st.cache_data(show_spinner=False)
def _network_sizes(data_version: tuple) -> dict[str, int]:
    return query(contents.network_sizes)


def networks() -> list[str]:
    return _networks(version())


def periods(net: str | None = None) -> list[str]:
    return _periods(version(), net)


def network_choices() -> list[str]:
    """The networks the sidebar offers. Above SIDEBAR_MAX_NETWORKS a list of them all is slow to send and
    to search in the browser (10,000 names take seconds per keystroke) and useless to scroll: a search box
    then narrows it to the first matches, the chosen network always among them."""
    nets = networks()
    limit = limits.get_int("SIDEBAR_MAX_NETWORKS")
    if len(nets) <= limit:
        return nets
    t = translator()
    find = st.text_input(t("sidebar.find_network"), key="network_find", placeholder=t("sidebar.find_placeholder"),
                         on_change=_choose_found_network)
    matches = contents.matching(nets, find, limit, _network_sizes(version()))
    if network() and network() not in matches:
        matches = sorted([network(), *matches][: limit])
    st.caption(t("sidebar.networks_limited", shown=len(matches), n=len(nets),
                 setting="NETWERKLEREN_SIDEBAR_MAX_NETWORKS"))
    return matches


def _choose_found_network() -> None:
    """A search that names one network exactly (case aside) chooses it: one step, not a search and then a pick
    from the list (each a rerun of the page, beside thousands of networks)."""
    wanted = (st.session_state.get("network_find") or "").strip().casefold()
    exact = [n for n in networks() if n.casefold() == wanted] if wanted else []
    if len(exact) == 1:
        st.session_state["network"] = exact[0]


def synced_select(label: str, options: list, state_key: str, fmt, *, where=None, **kwargs):
    """A selectbox whose value lives in ``st.session_state[state_key]`` (read by every page, settable by a
    link or a test), drawn under a per-language widget key so that its option labels follow the language
    switch: under one key Streamlit kept showing the old language's label of a chosen "" option ("niemand
    gemarkeerd" on the English Ties page). ``""`` is the choice when the stored one is not among ``options``;
    ``where``: the column or container to draw in. Returns the choice."""
    current = st.session_state.get(state_key, "")
    if current not in options:
        current = ""
    st.session_state[state_key] = current
    widget = f"_{state_key}_{lang()}"
    if st.session_state.get(widget) != current:
        st.session_state[widget] = current

    def store_choice() -> None:
        st.session_state[state_key] = st.session_state[widget]

    (where or st).selectbox(label, options, format_func=fmt, key=widget, on_change=store_choice, **kwargs)
    return st.session_state[state_key]


def _mirrored(widget, state_key: str, default, *args, **kwargs):
    """Draw ``widget`` for a setting whose value lives in plain session state (``state_key``), not in the
    widget's own key: Streamlit drops a widget's state when a page is switched from code (a "show" link),
    and a language or privacy switch must not jump back then."""
    value = st.session_state.get(state_key, default)
    st.session_state[state_key] = value
    key = f"_{state_key}_w"
    st.session_state[key] = value
    return widget(*args, key=key, on_change=lambda: st.session_state.update({state_key: st.session_state[key]}),
                  **kwargs)


def sidebar() -> None:
    """The filters and switches every page reads."""
    t = translator()
    with st.sidebar:
        _mirrored(st.radio, "lang", i18n.DEFAULT_LANG, i18n.t("sidebar.language", lang()), list(LANG_OPTIONS),
                  format_func=LANG_OPTIONS.get, horizontal=True)
        synced_select(t("sidebar.network"), ["", *network_choices()], "network",
                       lambda v: v or t("sidebar.all_networks"))
        synced_select(t("sidebar.period"), ["", *periods(network())], "period",
                       lambda v: v or t("sidebar.all_periods"))
        _mirrored(st.toggle, "pseudonymise", True, t("sidebar.pseudonymise"), help=t("sidebar.pseudonymise_help"))
        with st.expander(ICONS["settings"] + " " + t("sidebar.settings")):
            _mirrored(st.number_input, "min_group", privacy.DEFAULT_MIN_GROUP, t("sidebar.min_group"),
                      min_value=1, max_value=50, help=t("sidebar.min_group_help"))
            c = con()
            try:
                current = store.period_scheme(c)
                choice = st.selectbox(
                    t("sidebar.period_scheme"), list(SCHEMES), index=list(SCHEMES).index(current),
                    format_func=lambda s: t(f"scheme.{s}"),
                )
                if choice != current:
                    store.set_period_scheme(c, choice)
                    st.rerun()
            finally:
                c.close()
        if has_demo():
            st.caption(ICONS["info"] + " " + t("sidebar.demo_note"))


@st.cache_data(show_spinner=False)
def _has_demo(data_version: tuple) -> bool:
    return query(demo.has_demo)


def has_demo() -> bool:
    return _has_demo(version())


def demo_banner() -> None:
    """Say clearly that the data is synthetic, with one click to start empty."""
    if not has_demo():
        return
    col1, col2 = st.columns([4, 1])
    col1.info(t("data.demo_banner"))
    if col2.button(t("data.start_empty"), key="start_empty", type="secondary"):
        c = con()
        try:
            demo.remove_demo(c)
        finally:
            c.close()
        st.cache_data.clear()
        st.rerun()


#: Above this many cells a table is shown unstyled (a pandas Styler is slow on big frames).
STYLE_MAX_CELLS = 60_000


def show_table(df: pd.DataFrame, **kwargs) -> None:
    """A table on screen: empty cells as a dash (not "None"), numbers with the language's decimal mark."""
    if 0 < df.size <= STYLE_MAX_CELLS and df.columns.is_unique:
        nl = lang() == "nl"
        df = df.copy()
        for col in df.columns:  # text columns: the grid would print a missing value as "None"
            if df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype):  # pandas 3: "str" too
                df[col] = df[col].astype(object).where(df[col].notna(), "—")
            elif str(df[col].dtype).startswith("datetime64"):
                df[col] = df[col].dt.strftime("%d-%m-%Y %H:%M").str.replace(" 00:00", "", regex=False) \
                    .where(df[col].notna(), "—")
        shown = df.style.format(na_rep="—", precision=3, decimal="," if nl else ".", thousands="." if nl else ",")
        st.dataframe(shown, hide_index=True, width="stretch", **kwargs)
    else:
        st.dataframe(df, hide_index=True, width="stretch", **kwargs)


#: Numbers in Dutch charts as on the rest of a Dutch page: 0,5 and 1.250 (Vega's default is English).
NL_NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}


def localised(chart):
    """The chart with the page language's number format (axes, labels, tooltips); its own config kept."""
    if lang() != "nl":
        return chart
    import altair as alt

    if isinstance(chart, dict):  # a Vega-Lite spec
        return {**chart, "config": {**chart.get("config", {}), "locale": {"number": NL_NUMBER_LOCALE}}}
    out = chart.copy(deep=False)
    config = out.config.copy(deep=True) if out.config is not alt.Undefined else alt.Config()
    config.locale = alt.Locale(number=alt.NumberLocale(**NL_NUMBER_LOCALE))
    out.config = config
    return out


@st.cache_data(show_spinner=False, max_entries=256)
def _built_spec(name: str, args: tuple, kwargs: dict, _build) -> dict:
    return _build(*args, **kwargs).to_dict(validate=charts.validating())


def spec(build, *args, **kwargs) -> dict:
    """``build(*args, **kwargs)`` (a chart builder of ``analytics.draw.charts``) as its Vega-Lite spec, built once
    per its inputs: building an Altair chart and validating it against the schema was three quarters of a
    Dimensions rerun. The builders are pure (data frames, labels and texts in, chart out), so the inputs are the
    whole cache key; a new import gives new frames and thus new specs."""
    return _built_spec(f"{build.__module__}.{build.__qualname__}", args, kwargs, build)


def show_chart(chart, *, key: str | None = None, on_select=None, width=None):
    """A chart built by :func:`spec` (a dict) or an Altair chart, in the page language's number format."""
    extra = {"key": key, "on_select": on_select} if on_select else {}
    if width:
        extra["width"] = width
    if isinstance(chart, dict):
        return st.vega_lite_chart(localised(chart), theme=None, **extra)
    return st.altair_chart(localised(chart), theme=None, **extra)


def chart_block(chart, table: pd.DataFrame, name: str, *, how_to_read: str | None = None,
                key: str | None = None, on_select=None):
    """A chart with its numbers one click away, its reading guide, and PNG/SVG/CSV downloads.

    Returns the selection event when ``on_select`` is given (e.g. a clicked funnel stage)."""
    key = key or name
    if how_to_read:
        with st.expander(ICONS["info"] + " " + t("ui.how_to_read")):
            st.markdown(how_to_read)
    tab_chart, tab_table = st.tabs([t("ui.chart"), t("ui.table")])
    with tab_chart:
        shown = show_chart(chart, key=f"chart:{key}", on_select=on_select)
    event = shown if on_select else None
    with tab_table:
        show_table(table)
    c1, c2, c3, _ = st.columns([1, 1, 1.4, 3])
    locale = "nl-NL" if lang() == "nl" else None
    c1.download_button(t("ui.download_png"), icon=ICONS["download"], data=lambda: export.chart_png(chart, locale=locale),
                       file_name=f"{name}.png", mime="image/png", key=f"png:{key}", on_click="ignore")
    c2.download_button(t("ui.download_svg"), icon=ICONS["download"], data=lambda: export.chart_svg(chart, locale=locale),
                       file_name=f"{name}.svg", mime="image/svg+xml", key=f"svg:{key}", on_click="ignore")
    c3.download_button(t("ui.download_csv"), icon=ICONS["download"], data=lambda: export.safe_csv(table), file_name=f"{name}.csv",
                       mime="text/csv", key=f"csv:{key}", on_click="ignore")
    return event


def chart_text() -> dict[str, str]:
    return i18n.chart_text(lang())


def pick_network() -> str | None:
    """The sidebar's network, or the first one (said on the page) for views that need exactly one."""
    net = network()
    if net:
        return net
    nets = networks()
    if not nets:
        return None
    # On the projector the sidebar is hidden and the slide's own caption names the network: no line then.
    if not (st.session_state.get("presentation") and st.session_state.get("projector")):
        st.caption(t("ui.showing_network", network=md(nets[0])))
    return nets[0]


if __name__ == "__main__":  # opened as a page of its own (/ui) in pages-folder mode: go through app.py
    page_setup()
