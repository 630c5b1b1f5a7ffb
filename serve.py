"""The server entry point: ``streamlit run serve.py`` (what ``make run`` and deploy/ use).

It wraps app.py in ``st.App`` to add the security headers (hardening.py) that plain ``streamlit run app.py``
cannot send, and switches off Streamlit's admin messages before the first browser connects.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from hardening import SecurityHeaders, harden_server

harden_server()
app = st.App("app.py", middleware=[Middleware(SecurityHeaders)])
