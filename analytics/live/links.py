"""Links and QR codes for participants (offline SVG and PNG)."""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit

# ----------------------------------------------------------------------------------------------- links


def participant_url(base: str, round_id: str, *, join_key: str | None = None, token: str | None = None) -> str:
    """The phone's link: ``<base>/?round=...&join=...`` (shared) or ``&t=...`` (personal)."""
    parts = urlsplit(base.strip() or "http://127.0.0.1:8501")
    root = f"{parts.scheme or 'http'}://{parts.netloc}{parts.path.rstrip('/')}/"
    params = {"round": round_id}
    if join_key:
        params["join"] = join_key
    if token:
        params["t"] = token
    return root + "?" + urlencode(params)


def qr_svg(url: str, scale: int = 6) -> str:
    """The link as an SVG QR code (offline, with segno); dark modules on white, nothing fetched."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                                    dark="#000", light="#fff")
    return buf.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
