"""Netwerkleren Monitor: the entry point. Run with ``make run`` (or ``streamlit run app.py``)."""

from __future__ import annotations

import streamlit as st

from pages import ui

st.set_page_config(page_title="Netwerkleren Monitor", page_icon="🕸️", layout="wide")

if not ui.require_login():
    ui.leave_pages_folder_mode()  # so the next run cannot list the pages folder either
    st.stop()

ui.sidebar()
lang = ui.lang()

pages = [
    st.Page("pages/overview.py", title=ui.t("nav.overview"), icon="🧭", default=True, url_path="overview"),
    st.Page("pages/dimensions.py", title=ui.t("nav.dimensions"), icon="🎯", url_path="dimensions"),
    st.Page("pages/values.py", title=ui.t("nav.values"), icon="🌱", url_path="values"),
    st.Page("pages/ties.py", title=ui.t("nav.ties"), icon="🕸️", url_path="ties"),
    st.Page("pages/data.py", title=ui.t("nav.data"), icon="📥", url_path="data"),
]
st.navigation(pages).run()
