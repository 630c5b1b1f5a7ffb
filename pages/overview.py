"""Overview: filled in by its own issue; shows what data there is until then."""

from __future__ import annotations

import streamlit as st

from pages import ui

ui.page_setup()

st.title(ui.t("nav.overview"))
ui.demo_banner()
