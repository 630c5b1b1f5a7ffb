"""How figures are said, once for the pages, the report and the slides: signals, tie prompts, measure tables.

The words themselves live in ``definitions/translations.toml``; this module decides which figure goes into
which sentence and how it is rounded, so a page and the report never word the same number differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from analytics.definitions import Framework, default_framework
from analytics.i18n import fmt_num, t


def _share(x: Any, lang: str) -> str:
    """A share as a percentage; a share that cannot be known (no frequency data, no organisations) as a dash."""
    return "—" if x is None or x != x else fmt_num(x * 100, lang, 0) + " %"


def _count(x: Any, lang: str) -> str:
    return fmt_num(len(x) if isinstance(x, list | tuple | set) else x, lang, 0)


#: Every whole-network measure a table shows: summary key -> (translation key, how it is written).
MEASURES: dict[str, tuple[str, Callable[[Any, str], str]]] = {
    "nodes": ("ties.m_nodes", _count),
    "edges": ("ties.m_edges", _count),
    "density": ("ties.m_density", lambda x, lang: fmt_num(x, lang, 3)),
    "reciprocity": ("ties.m_reciprocity", lambda x, lang: fmt_num(x, lang, 3)),
    "cross_organisation_share": ("ties.m_cross_org", _share),
    "weak_components": ("ties.m_components", _count),
    "isolates": ("ties.m_isolates", _count),
    "avg_in_degree": ("ties.m_avg_in", lambda x, lang: fmt_num(x, lang, 2)),
    "avg_out_degree": ("ties.m_avg_out", lambda x, lang: fmt_num(x, lang, 2)),
    "clustering": ("ties.m_clustering", lambda x, lang: fmt_num(x, lang, 3)),
    "degree_centralization": ("ties.m_centralization", lambda x, lang: fmt_num(x, lang, 3)),
    "ei_organisation": ("ties.m_ei_org", lambda x, lang: fmt_num(x, lang, 2)),
    "ei_role": ("ties.m_ei_role", lambda x, lang: fmt_num(x, lang, 2)),
    "strong_share": ("ties.m_strong", _share),
    "weak_share": ("ties.m_weak", _share),
    "communities": ("ties.m_communities", _count),
    "modularity": ("ties.m_modularity", lambda x, lang: fmt_num(x, lang, 3)),
}
#: The short list the report and slides show beside a map.
KEY_MEASURES = ("nodes", "edges", "density", "reciprocity", "cross_organisation_share", "isolates",
                "weak_components", "clustering", "strong_share", "communities")
#: Measures over time, by the kind of axis they share.
OVER_TIME = {
    "shares": ("density", "reciprocity", "cross_organisation_share", "weak_share", "clustering",
               "degree_centralization", "modularity"),
    "counts": ("nodes", "edges", "isolates", "weak_components", "communities", "avg_in_degree"),
}


def measure_name(key: str, lang: str) -> str:
    return t(MEASURES[key][0], lang)


def measure_rows(summary: Mapping[str, Any], lang: str, keys: Iterable[str] | None = None) -> list[list[str]]:
    """[name, value] per measure, in the language's words and number format."""
    ei = summary.get("ei_index") or {}
    values = {**summary, "ei_organisation": ei.get("organisation"), "ei_role": ei.get("role")}
    return [[t(MEASURES[k][0], lang), MEASURES[k][1](values.get(k), lang)] for k in (keys or MEASURES)]


def prompt_text(p: Mapping[str, Any], lang: str) -> str:
    """A tie prompt (``measures.prompts.prompts``) in words."""
    figures = {key: fmt_num(x, lang, 0 if key == "share" else 1) if isinstance(x, float) else x
               for key, x in p.items() if key != "code"}
    return t("ties.prompt_" + str(p["code"]), lang, **figures)


def signal_text(code: str, figures: Mapping[str, Any], lang: str, framework: Framework | None = None,
                escape: Callable[[str], str] = str) -> str:
    """An overview signal in words; ``escape`` is applied to text that came from data (names, periods)."""
    fw = framework or default_framework()
    f = dict(figures)
    if "code" in f:
        c = f["code"]
        dim = next((d for d in fw.dimensions if d.code == c), None)
        if dim is not None:
            f["name"] = f"{c} {dim.name[lang]}"
        else:
            try:
                f["name"] = f"{c} {fw.indicator(c).name[lang]}"
            except StopIteration:
                f["name"] = str(c)
    for k in ("change", "iqr"):
        if k in f:
            f[k] = fmt_num(f[k], lang, 2)
    if "share" in f:
        f["share"] = fmt_num(f["share"] * 100, lang, 0)
    f = {k: escape(x) if isinstance(x, str) else x for k, x in f.items()}
    return t(f"overview.signal_{code}", lang, **f)
