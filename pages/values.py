"""Values: filled in by its own issue; shows what data there is until then."""

from __future__ import annotations

import streamlit as st

from pages import ui

st.title(ui.t("nav.values"))
ui.demo_banner()
