"""Dutch and English texts, kept as data in ``definitions/translations.toml``.

``t("key", "nl", n=3)`` formats the text with its fields; an unknown key shows as the key itself, so a
missing translation is visible instead of crashing a page.
"""

from __future__ import annotations

import tomllib
from functools import cache

from analytics.definitions import DEFINITIONS_DIR, LANGS, value_cycles

DEFAULT_LANG = "nl"


@cache
def _texts() -> dict[str, dict[str, str]]:
    with open(DEFINITIONS_DIR / "translations.toml", "rb") as f:
        raw = tomllib.load(f)
    flat: dict[str, dict[str, str]] = {}

    def walk(prefix: str, node: dict) -> None:
        if set(node) & set(LANGS) and all(isinstance(v, str) for v in node.values()):
            flat[prefix] = node
            return
        for k, v in node.items():
            if isinstance(v, dict):
                walk(f"{prefix}.{k}" if prefix else k, v)

    walk("", raw)
    return flat


def t(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    entry = _texts().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or next(iter(entry.values()))
    if fields:
        try:
            return text.format(**fields)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str) -> bool:
    return key in _texts()


def problem_text(code: str, lang: str = DEFAULT_LANG, detail: object = None) -> str:
    """The reason for a validation problem in plain words."""
    d = "" if detail is None or (isinstance(detail, float) and detail != detail) else str(detail)
    return t(f"problem.{code}", lang, detail=d) if has(f"problem.{code}") else (f"{code} {d}".strip())


def kind_label(kind: str, lang: str = DEFAULT_LANG) -> str:
    return t(f"kind.{kind}", lang)


def role_label(role: str | None, lang: str = DEFAULT_LANG) -> str:
    if not role:
        return t("role.unknown", lang)
    return t(f"role.{role}", lang) if has(f"role.{role}") else role


def tie_type_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    """'Kennisdeling' for knowledge_sharing; an own type (a survey's word kept as given) stays as it is."""
    if not code:
        return t("role.unknown", lang)
    return t(f"tie_type.{code}", lang) if has(f"tie_type.{code}") else code


def cycle_label(code: str, lang: str = DEFAULT_LANG) -> str:
    for c in value_cycles():
        if c.code == code:
            return c.name[lang]
    return code


def chart_text(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """The words inside charts, for ``text=`` of the chart builders."""
    return {k.split(".", 1)[1]: v.get(lang) or v["en"] for k, v in _texts().items() if k.startswith("chart.")}


def fmt_num(x: float | int | None, lang: str = DEFAULT_LANG, digits: int = 2) -> str:
    """A number as people write it: 0,25 in Dutch, 0.25 in English; '—' for missing."""
    if x is None or x != x:
        return "—"
    s = f"{x:,.{digits}f}"
    if lang == "nl":
        s = s.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return s


def _num(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def scale_evidence(s: dict, lang: str = DEFAULT_LANG) -> str:
    """The evidence for a suggested scale in words: "values seen: 0–10 except 12 in row 9"."""
    if not s:
        return ""
    parts = []
    if s.get("texts"):
        parts.append(t("scale.evidence_texts", lang, texts=", ".join(str(x).replace("_", " ") for x in s["texts"])))
    if s.get("seen_min") is not None:
        seen = t("scale.evidence", lang, lo=_num(s["seen_min"]), hi=_num(s["seen_max"]))
        outside = s.get("outside") or []
        if outside:
            items = [t("scale.evidence_item", lang, value=o["value"], row=o["row"]) for o in outside]
            more = (s.get("n_outside") or len(outside)) - len(outside)
            if more > 0:
                items.append(t("scale.evidence_more", lang, n=more))
            seen += " " + t("scale.evidence_except", lang, items=", ".join(items))
        parts.append(seen)
    return "; ".join(parts)


def left_out_text(left_out: dict[str, int], lang: str = DEFAULT_LANG) -> str:
    """ "2 responses left out: 1 survey preview, 1 not finished" (empty when none)."""
    if not left_out:
        return ""
    reasons = ", ".join(t(f"left_out.{r}", lang, n=n) for r, n in left_out.items())
    return t("left_out.summary", lang, n=sum(left_out.values()), reasons=reasons)


def notice_text(code: str, params: dict, lang: str = DEFAULT_LANG) -> str:
    return t(f"notice.{code}", lang, **params)


def said_text(said, lang: str = DEFAULT_LANG, fallback: str = "") -> str:
    """A file problem (``ingest.messages.Said``) in the page's words: "file, rij 3, kolom X: reason".

    Without a known key the English ``fallback`` is all there is (better than nothing, and tests find it)."""
    if said is None or not has(f"msg.{said.key}"):
        return fallback
    where = [said.file] if said.file else []
    if said.row:
        where.append(t("msg.where_row", lang, row=said.row))
    if said.column:
        where.append(t("msg.where_column", lang, column=said.column))
    params = dict(said.params)
    for name, prefix in (("kind", "kind"), ("column", "column"), ("target", "column")):
        value = params.get(name)
        if isinstance(value, str) and has(f"{prefix}.{value}"):  # a canonical name: the page's word for it
            params[name] = t(f"{prefix}.{value}", lang)
    text = t(f"msg.{said.key}", lang, **params)
    return f"{', '.join(where)}: {text}" if where else text


def error_text(error: BaseException, lang: str = DEFAULT_LANG) -> str:
    """An importer's exception (read, guard, mapping, option) in the page's words, else its English text."""
    from analytics.ingest.messages import said_of

    return said_text(said_of(error), lang, fallback=str(error))


def report_message(report, lang: str = DEFAULT_LANG) -> str:
    """An import report's message in the page's words (``ImportReport.said``), else its English text."""
    return said_text(report.said, lang, fallback=report.message or "")


def note_text(note: str, lang: str = DEFAULT_LANG) -> str:
    """A reader's note (``ingest.messages.Note``) in the page's words; a plain string stays as it is."""
    key = getattr(note, "key", None)
    return t(f"notice.{key}", lang, **note.params) if key and has(f"notice.{key}") else str(note)
