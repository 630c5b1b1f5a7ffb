"""From a file's headers to the canonical columns: synonyms, indicator codes, cycle columns, the kind of file.

A header maps when its folded text equals a synonym, or starts with one followed by more words
("Netwerk (kies er één)"). Headers it cannot map are listed, and the user can map them by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analytics.definitions import (
    Framework,
    cycle_vocabulary,
    default_framework,
    fold,
    identity_rules,
    tables,
    value_cycles,
    vocabularies,
)

#: Canonical columns that say who someone is (tables.toml [identity]).
PERSON_COLUMNS = ("participant_id", "email", "name", "first_name", "last_name", "source", "target")

SCALE_RANGE = re.compile(r"(?<![\w.,])(-?\d{1,3})\s*(?:-|–|—|to|tot|t/m)\s*(-?\d{1,3})(?![\w.,])", re.IGNORECASE)
SCALE_ANCHORS = re.compile(r"(-?\d{1,3})\s*=\s*[^,;=]*?[,;]\s*(?:.*?[,;]\s*)?(-?\d{1,3})\s*=", re.IGNORECASE)


class MappingError(ValueError):
    """A hand mapping (``--map HEADER=TARGET``) whose target this file's kind or instrument does not have."""

    def __init__(self, header: str, target: str, reason: str, key: str | None = None, **params: object):
        self.header, self.target, self.reason = header, target, reason
        #: the page's words: ``msg.<key>`` with ``params`` (see ``messages``); ``reason`` is the CLI's
        self.key, self.params = key, {"header": header, "target": target, **params}
        super().__init__(f"column {header}: {reason}")


@dataclass
class Mapping:
    """How the columns of one file map onto a canonical table."""

    kind: str
    #: canonical column -> index of the raw column
    columns: dict[str, int] = field(default_factory=dict)
    #: wide dimension form: (indicator code, situation or None) -> raw column index
    indicators: dict[tuple[str, str | None], int] = field(default_factory=dict)
    #: wide value form: cycle code -> raw column index
    cycles: dict[str, int] = field(default_factory=dict)
    #: raw column indexes that map to nothing (ignored on import)
    unmapped: list[int] = field(default_factory=list)
    #: raw column indexes of response counters (Forms "Id", Qualtrics "ResponseId"): never a person
    counters: list[int] = field(default_factory=list)

    @property
    def wide(self) -> bool:
        return bool(self.indicators or self.cycles)

    def used(self) -> set[int]:
        return set(self.columns.values()) | set(self.indicators.values()) | set(self.cycles.values())


def header_texts(headers: list[str], extra_headers: list[list[str]]) -> list[list[str]]:
    """All header texts per column: the header row first, then e.g. Qualtrics' question text."""
    out = []
    for i, h in enumerate(headers):
        texts = [h]
        for row in extra_headers:
            if i < len(row) and row[i] and "importid" not in fold(row[i]):
                texts.append(row[i])
        out.append(texts)
    return out


def _match_synonym(folded: str, synonyms: tuple[str, ...]) -> int:
    """0 = no match, 2 = exact, 1 = header starts with the synonym."""
    if folded in synonyms:
        return 2
    for s in synonyms:
        if len(s) >= 4 and folded.startswith(s + "_"):
            return 1
    return 0


def _situation_in(folded: str) -> str | None:
    words = set(folded.split("_"))
    for code, spelling in ((c, s) for s, c in vocabularies()["situations"].items()):
        if len(spelling) >= 3 and (spelling in words or f"_{spelling}_" in f"_{folded}_"):
            return code
    return None


def find_indicator_columns(
    texts: list[list[str]], framework: Framework, taken: set[int]
) -> dict[tuple[str, str | None], int]:
    pattern = framework.code_pattern()
    found: dict[tuple[str, str | None], int] = {}
    for i, col_texts in enumerate(texts):
        if i in taken:
            continue
        for text in col_texts:
            m = pattern.search(str(text))
            if m:
                key = (m.group(1).lower(), _situation_in(fold(text)))
                found.setdefault(key, i)
                break
    return found


def find_cycle_columns(texts: list[list[str]], taken: set[int]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, col_texts in enumerate(texts):
        if i in taken:
            continue
        for text in col_texts:
            f = fold(text)
            best = None
            for c in value_cycles():
                for s in c.synonyms:
                    if len(s) >= 6 and (f == s or f.startswith(s + "_") or f"_{s}_" in f"_{f}_"):
                        if best is None or len(s) > best[1]:
                            best = (c.code, len(s))
            if best:
                found.setdefault(best[0], i)
                break
    return found


def map_columns(
    headers: list[str],
    extra_headers: list[list[str]],
    kind: str,
    framework: Framework | None = None,
    overrides: dict[str, str] | None = None,
) -> Mapping:
    """Map headers onto ``kind``'s canonical columns. ``overrides``: header text -> canonical column
    (or ``"ignore"``, or ``"indicator:1a"`` / ``"cycle:applied"`` for wide forms)."""
    framework = framework or default_framework()
    spec = tables()[kind]
    texts = header_texts(headers, extra_headers)
    m = Mapping(kind=kind)
    taken: set[int] = set()
    overrides = overrides or {}
    by_header = {h: i for i, h in enumerate(headers)}
    for header, target in overrides.items():
        if header not in by_header:
            continue  # one --map serves a folder of files; a header some file lacks is no error
        i = by_header[header]
        taken.add(i)
        kind_, key = _override_target(header, target, kind, framework)
        if kind_ == "column" and key in PERSON_COLUMNS and fold(header) in identity_rules().counters(kind):
            raise MappingError(header, target, f"'{header}' is the survey tool's response counter: it numbers "
                                               "answers, not people, so it cannot say who answered", key="map_counter")
        if kind_ == "ignore":
            continue
        slot = {"indicator": m.indicators, "cycle": m.cycles, "column": m.columns}[kind_]
        if key in slot:
            raise MappingError(header, target, f"'{target}' is given twice (also to column "
                                               f"'{headers[slot[key]]}'); map it to one column", key="map_twice",
                               other=headers[slot[key]])
        slot[key] = i
    # Response counters number the answers, not the people: no synonym may take them (an "Id" is no person).
    counters = identity_rules().counters(kind)
    for i, h in enumerate(headers):
        if i not in taken and fold(h) in counters:
            m.counters.append(i)
            taken.add(i)
    # Exact synonyms before prefix matches, header row before question text.
    for strength in (2, 1):
        for col in spec.columns.values():
            if col.name in m.columns:
                continue
            for i, col_texts in enumerate(texts):
                if i in taken:
                    continue
                if any(_match_synonym(fold(t), col.synonyms) == strength for t in col_texts[:1]) or (
                    strength == 1 and any(_match_synonym(fold(t), col.synonyms) for t in col_texts[1:])
                ):
                    m.columns[col.name] = i
                    taken.add(i)
                    break
    if kind == "dimension_scores" and not ("indicator" in m.columns and "score" in m.columns):
        # Wide form: one column per indicator. Columns taken by a synonym may still hold a code (e.g. "score 1a").
        for key, i in find_indicator_columns(texts, framework, set()).items():
            if key in m.indicators:
                continue
            for name, j in list(m.columns.items()):
                if j == i and name in ("score", "indicator"):
                    del m.columns[name]
            if i not in m.used():
                m.indicators[key] = i
                taken.add(i)
    if kind == "value_reports" and "cycle" not in m.columns:
        for code, i in find_cycle_columns(texts, taken).items():
            m.cycles.setdefault(code, i)
            taken.add(i)
    m.unmapped = [i for i in range(len(headers)) if i not in m.used() and i not in taken]
    return m


def _override_target(header: str, target: str, kind: str, framework: Framework) -> tuple[str, object]:
    """Check a hand mapping against what exists (whitelists: the kind's columns, the instrument's indicator
    codes, the situations, the value cycles) and return (what, key): ("column", name),
    ("indicator", (code, situation | None)), ("cycle", code) or ("ignore", None). Only known codes come out,
    so nothing typed by hand reaches SQL."""
    spec = tables()[kind]
    t = str(target).strip()
    what, _, rest = t.partition(":")
    what = what.strip().lower()
    if not rest and what == "ignore":
        return "ignore", None
    if rest and what == "indicator":
        if kind != "dimension_scores":
            raise MappingError(header, target, f"'{t}': indicator columns belong in dimension score files, not in "
                                               f"{kind.replace('_', ' ')}", key="map_indicator_kind", kind=kind)
        code, _, situation = rest.partition(":")
        code = code.strip().lower()
        if code not in framework.codes:
            raise MappingError(header, target, f"'{code}' is no indicator code of the instrument '{framework.id}' "
                                               f"(known: {', '.join(framework.codes)})", key="not_indicator",
                               code=code, instrument=framework.id, known=", ".join(framework.codes))
        sit = None
        if situation.strip():
            sit = vocabularies()["situations"].get(fold(situation))
            if sit is None:
                raise MappingError(header, target, f"'{situation.strip()}' is no situation (use current or desired)",
                                   key="map_situation", situation=situation.strip())
        return "indicator", (code, sit)
    if rest and what == "cycle":
        if kind != "value_reports":
            raise MappingError(header, target, f"'{t}': cycle columns belong in value report files, not in "
                                               f"{kind.replace('_', ' ')}", key="map_cycle_kind", kind=kind)
        code = {fold(k): c for k, c in cycle_vocabulary().items()}.get(fold(rest))
        if code is None:
            raise MappingError(header, target, f"'{rest.strip()}' is no value cycle (known: "
                                               f"{', '.join(c.code for c in value_cycles())})", key="not_cycle",
                               code=rest.strip())
        return "cycle", code
    if t in spec.columns:
        return "column", t
    raise MappingError(header, target, f"'{t}' is no column of {kind.replace('_', ' ')} (columns: "
                                       f"{', '.join(spec.columns)}; or ignore)", key="map_unknown",
                       kind=kind, columns=", ".join(spec.columns))


def detect_kind(headers: list[str], extra_headers: list[list[str]], framework: Framework | None = None,
                overrides: dict[str, str] | None = None) -> str | None:
    """Guess which canonical table a file fills, from its headers alone (and ``overrides`` a survey tool or
    the user implies; each kind gets those that fit it)."""
    framework = framework or default_framework()

    def fitting(kind: str) -> dict[str, str]:
        cols = tables()[kind].columns
        return {h: v for h, v in (overrides or {}).items()
                if v == "ignore" or v in cols or (kind == "dimension_scores" and v.startswith("indicator:"))
                or (kind == "value_reports" and v.startswith("cycle:"))}

    maps = {}
    for k in tables():
        try:
            maps[k] = map_columns(headers, extra_headers, k, framework, fitting(k))
        except MappingError:
            maps[k] = map_columns(headers, extra_headers, k, framework)
    cols = {k: set(v.columns) for k, v in maps.items()}
    if {"source", "target"} <= cols["ties"]:
        return "ties"
    n_indicators = len(maps["dimension_scores"].indicators)
    if (n_indicators >= 2 or (n_indicators and cols["dimension_scores"] & {"date", "wave", "network"})
            or {"indicator", "score"} <= cols["dimension_scores"]):
        return "dimension_scores"
    if "cycle" in cols["value_reports"] or len(maps["value_reports"].cycles) >= 2:
        return "value_reports"
    if {"date", "label"} <= cols["events"] and len(headers) <= 4 and "participant_id" not in cols["participants"]:
        return "events"
    # A participants file describes people; a file with survey dates but no names, schools or roles is more
    # likely a scores or values file whose instrument columns were not recognised: better ask than overwrite.
    timed = bool(cols["dimension_scores"] & {"date", "wave"})
    if "participant_id" in cols["participants"] and (
        cols["participants"] & {"name", "organisation", "role"} or ("network" in cols["participants"] and not timed)
    ):
        return "participants"
    if {"date", "label"} <= cols["events"]:
        return "events"
    return None


def scale_from_header(text: str) -> tuple[float, float] | None:
    """Read a declared scale from a header: "(0-10)", "schaal 1 tot 5", "1 = helemaal oneens, 5 = helemaal eens"."""
    text = str(text)
    m = SCALE_ANCHORS.search(text)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if hi > lo:
            return lo, hi
    for m in SCALE_RANGE.finditer(text):
        lo, hi = float(m.group(1)), float(m.group(2))
        if hi > lo and hi - lo >= 1:
            return lo, hi
    return None
