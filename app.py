"""Netwerkleren Monitor: the entry point. Run with ``make run`` (or ``streamlit run app.py``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from hardening import harden_server
from pages import ui

harden_server()  # also under ``streamlit run app.py``; serve.py adds the response headers

# A local picture as the tab icon: an icon name would make the browser fetch it from fonts.gstatic.com.
st.set_page_config(page_title="Netwerkleren Monitor", page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
                   layout="wide")
# Streamlit starts in its old pages/ folder mode until st.navigation has run once. Widgets drawn in that
# first run would belong to another page and lose their first click, so leave the mode and start over.
if ui.in_pages_folder_mode() and not ui.under_apptest():
    ui.leave_pages_folder_mode()
    st.rerun()

# Live collection: a participant's link (?round=...) opens only the phone form, before and without the login,
# with no navigation or sidebar. The form's token admits its own round and nothing else (analytics/live.py).
if "round" in st.query_params:
    st.navigation([st.Page("pages/live_form.py", title="Netwerkleren", url_path="form")], position="hidden").run()
    st.stop()

if not ui.logged_in():
    st.navigation([st.Page(ui.login_page, title="Netwerkleren Monitor", url_path="login")], position="hidden").run()
    st.stop()

# A locked database (another program has it open) or a full disk: the app's own message, not a traceback.
problem = ui.store_problem()
if problem:
    st.title(ui.ICONS["app"] + " Netwerkleren Monitor")
    st.error(ui.t("app.store_unavailable", reason=problem))
    st.stop()

ui.sidebar()
lang = ui.lang()

pages = [
    st.Page("pages/overview.py", title=ui.t("nav.overview"), icon=ui.ICONS["overview"], default=True, url_path="overview"),
    st.Page("pages/dimensions.py", title=ui.t("nav.dimensions"), icon=ui.ICONS["dimensions"], url_path="dimensions"),
    st.Page("pages/values.py", title=ui.t("nav.values"), icon=ui.ICONS["values"], url_path="values"),
    st.Page("pages/ties.py", title=ui.t("nav.ties"), icon=ui.ICONS["ties"], url_path="ties"),
    st.Page("pages/present.py", title=ui.t("nav.present"), icon=ui.ICONS["present"], url_path="present"),
    st.Page("pages/live_coach.py", title=ui.t("nav.live"), icon=ui.ICONS["live"], url_path="live"),
    st.Page("pages/data.py", title=ui.t("nav.data"), icon=ui.ICONS["data"], url_path="data"),
]
st.navigation(pages).run()
