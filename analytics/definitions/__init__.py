"""The product's vocabulary as data: canonical tables, header synonyms, code lists, instruments.

Everything here is read from the TOML files in ``analytics/definitions/`` so that a network can adapt the
words (or load an instrument of its own) without touching code.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

DEFINITIONS_DIR = Path(__file__).parent

KINDS = ("participants", "dimension_scores", "value_reports", "ties", "events")
#: Short names for the command line and the UI (``--kind values``) -> table name.
KIND_ALIASES = {
    "participants": "participants",
    "people": "participants",
    "dimensions": "dimension_scores",
    "dimension_scores": "dimension_scores",
    "scores": "dimension_scores",
    "values": "value_reports",
    "value": "value_reports",
    "value_reports": "value_reports",
    "ties": "ties",
    "edges": "ties",
    "events": "events",
}
LANGS = ("nl", "en")


def fold(text: object) -> str:
    """Fold a header or code for comparison: lower case, no accents, runs of other characters -> '_'."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | date | number | code
    required: bool = False
    vocabulary: str | None = None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableDef:
    name: str
    description: str
    columns: dict[str, Column]


@cache
def _tables_toml() -> dict:
    with open(DEFINITIONS_DIR / "tables.toml", "rb") as f:
        return tomllib.load(f)


@cache
def tables() -> dict[str, TableDef]:
    raw = _tables_toml()
    out = {}
    for kind in KINDS:
        spec = raw[kind]
        cols = {
            name: Column(
                name=name,
                type=c["type"],
                required=c.get("required", False),
                vocabulary=c.get("vocabulary"),
                synonyms=tuple(fold(s) for s in c.get("synonyms", [])),
            )
            for name, c in spec["columns"].items()
        }
        out[kind] = TableDef(kind, spec.get("description", ""), cols)
    return out


@cache
def vocabularies() -> dict[str, dict[str, str]]:
    """Vocabulary name -> {folded spelling: canonical code}."""
    out: dict[str, dict[str, str]] = {}
    for vname, codes in _tables_toml()["vocabularies"].items():
        m: dict[str, str] = {}
        for code, spellings in codes.items():
            m[fold(code)] = code
            for s in spellings:
                m[fold(s)] = code
        out[vname] = m
    return out


@dataclass(frozen=True)
class IdentityRules:
    """Which columns say who answered (strongest first) and which never do (see tables.toml [identity])."""

    order: tuple[str, ...]
    labels: dict[str, str]
    response_counters: frozenset[str]
    survey_only_counters: frozenset[str]
    anonymous_emails: tuple[str, ...]

    def counters(self, kind: str) -> frozenset[str]:
        """Folded headers that are response counters in a file of ``kind`` (a participant list's own "id"
        is the participant's id)."""
        if kind == "participants":
            return self.response_counters - self.survey_only_counters
        return self.response_counters


@cache
def identity_rules() -> IdentityRules:
    raw = _tables_toml()["identity"]
    return IdentityRules(
        order=tuple(raw["order"]),
        labels=dict(raw["labels"]),
        response_counters=frozenset(fold(s) for s in raw["response_counters"]),
        survey_only_counters=frozenset(fold(s) for s in raw["survey_only_counters"]),
        anonymous_emails=tuple(s.strip().lower() for s in raw["anonymous_emails"]),
    )


# ---------------------------------------------------------------- value cycles


@dataclass(frozen=True)
class Cycle:
    code: str
    order: int
    in_funnel: bool
    name: dict[str, str]
    explanation: dict[str, str]
    synonyms: tuple[str, ...]


@cache
def value_cycles() -> tuple[Cycle, ...]:
    with open(DEFINITIONS_DIR / "value_cycles.toml", "rb") as f:
        raw = tomllib.load(f)
    cycles = [
        Cycle(
            code=c["code"],
            order=c["order"],
            in_funnel=c["in_funnel"],
            name=c["name"],
            explanation=c["explanation"],
            synonyms=tuple(fold(s) for s in c["synonyms"]) + (fold(c["code"]),),
        )
        for c in raw["cycles"]
    ]
    return tuple(sorted(cycles, key=lambda c: c.order))


def funnel_cycles() -> list[str]:
    return [c.code for c in value_cycles() if c.in_funnel]


def cycle_vocabulary() -> dict[str, str]:
    return {s: c.code for c in value_cycles() for s in c.synonyms}


# ---------------------------------------------------------------- instruments (frameworks)


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    name: dict[str, str]
    question: dict[str, str]
    left: dict[str, str]
    right: dict[str, str]


@dataclass(frozen=True)
class Dimension:
    code: str
    name: dict[str, str]
    #: A second name in use for the same dimension (dimension 3: "verbondenheid" in practice, "collective
    #: identity" in the published framework); the database's ``dimension_names`` setting picks one.
    alt_name: dict[str, str] | None = None


@dataclass(frozen=True)
class Framework:
    """An instrument: dimensions of indicators, each marked on a continuum between two poles."""

    id: str
    name: dict[str, str]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    source: dict[str, str] = field(default_factory=dict)
    #: The scale every file of this instrument uses, when the instrument declares one (``scale = [0, 10]``);
    #: None: each file's scale comes from its headers, or is confirmed by the coach.
    scale: tuple[float, float] | None = None
    #: ``extends = "dimensions"``: the shipped instrument plus a network's own items, without editing it. The
    #: shipped items' marks are stored under the shipped instrument (comparable with every other network), the
    #: own items' under this id; reading this instrument reads both.
    extends: str | None = None

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    @property
    def stored_ids(self) -> tuple[str, ...]:
        """The instrument ids its marks are stored under: its own, and the one it extends."""
        return (self.id, self.extends) if self.extends else (self.id,)

    def stored_under(self, code: str) -> str:
        """The instrument id a mark of ``code`` is stored under (an extension's shipped items: the shipped id)."""
        if self.extends and code in set(_shipped_framework().codes):
            return self.extends
        return self.id

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def dimension_of(self, code: str) -> str:
        return self.indicator(code).dimension

    def with_alt_names(self, on: bool = True) -> Framework:
        """The same instrument, dimensions called by their alternative name where they have one."""
        if not on:
            return self
        dims = tuple(replace(d, name=d.alt_name) if d.alt_name else d for d in self.dimensions)
        return replace(self, dimensions=dims)

    def code_pattern(self) -> re.Pattern:
        """Finds an indicator code at the start of, or standing alone in, a header ('1a', '1a.', 'Q 1a: ...')."""
        codes = "|".join(sorted((re.escape(c) for c in self.codes), key=len, reverse=True))
        return re.compile(rf"(?<![0-9a-z])({codes})(?![0-9a-z])", re.IGNORECASE)


class FrameworkError(ValueError):
    pass


def _bilingual(d: dict, key: str, where: str) -> dict[str, str]:
    v = d.get(key)
    if isinstance(v, str):
        return {lang: v for lang in LANGS}
    if not isinstance(v, dict) or not any(v.get(lang) for lang in LANGS):
        raise FrameworkError(f"{where}: '{key}' needs text in Dutch (nl) and/or English (en)")
    first = next(v[lang] for lang in LANGS if v.get(lang))
    return {lang: str(v.get(lang) or first) for lang in LANGS}


def parse_framework(raw: dict, origin: str = "definition") -> Framework:
    """Build a Framework from a parsed TOML/JSON mapping, with messages that name what is wrong.

    ``extends = "dimensions"``: the file lists only a network's own items (and dimensions, if any; an own item
    may also belong to one of the shipped dimensions); the instrument is the shipped one plus these."""
    fid = str(raw.get("id") or "").strip()
    if not re.fullmatch(r"[a-z0-9_\-]{1,40}", fid):
        raise FrameworkError(f"{origin}: 'id' must be 1-40 lower-case letters, digits, '-' or '_'")
    extends = raw.get("extends")
    if extends is not None:
        base = _shipped_framework()
        if extends != base.id:
            raise FrameworkError(f"{origin}: 'extends' can only name the shipped instrument '{base.id}'")
        if raw.get("scale") is not None:
            raise FrameworkError(f"{origin}: an extension uses each file's own scale; leave out 'scale'")
        own = parse_framework({**{k: v for k, v in raw.items() if k != "extends"},
                               "dimensions": raw.get("dimensions") or [], "_base": base}, origin)
        return own
    base = raw.get("_base")
    dims = list(base.dimensions) if base else []
    for i, d in enumerate(raw.get("dimensions", []), 1):
        code = str(d.get("code", "")).strip()
        if not code:
            raise FrameworkError(f"{origin}: dimension {i} has no code")
        if not re.fullmatch(r"[0-9A-Za-z_\-]{1,24}", code):
            raise FrameworkError(f"{origin}: dimension {i}: code must be 1-24 letters, digits, '-' or '_'")
        alt = _bilingual(d, "alt_name", f"{origin}: dimension {code}") if d.get("alt_name") else None
        if base and code in {x.code for x in base.dimensions}:
            raise FrameworkError(f"{origin}: dimension {code} is already one of '{base.id}'; give your own "
                                 "items that dimension without defining it again")
        dims.append(Dimension(code, _bilingual(d, "name", f"{origin}: dimension {code}"), alt))
    if not dims:
        raise FrameworkError(f"{origin}: no [[dimensions]]")
    dim_codes = {d.code for d in dims}
    inds = list(base.indicators) if base else []
    for i, d in enumerate(raw.get("indicators", []), 1):
        code = str(d.get("code", "")).strip().lower()
        where = f"{origin}: indicator {code or i}"
        if not re.fullmatch(r"[0-9a-z_]{1,12}", code):
            raise FrameworkError(f"{where}: code must be 1-12 letters or digits")
        if str(d.get("dimension")) not in dim_codes:
            raise FrameworkError(f"{where}: dimension '{d.get('dimension')}' is not defined")
        inds.append(
            Indicator(
                code=code,
                dimension=str(d["dimension"]),
                name=_bilingual(d, "name", where),
                question=_bilingual(d, "question", where) if "question" in d else _bilingual(d, "name", where),
                left=_bilingual(d, "left", where),
                right=_bilingual(d, "right", where),
            )
        )
    if len(inds) == (len(base.indicators) if base else 0):
        raise FrameworkError(f"{origin}: no [[indicators]]")
    if len({i.code for i in inds}) != len(inds):
        if base:
            taken = sorted({i.code for i in inds[len(base.indicators):]} & set(base.codes))
            if taken:
                raise FrameworkError(f"{origin}: indicator code '{taken[0]}' is already one of '{base.id}'")
        raise FrameworkError(f"{origin}: indicator codes must be unique")
    scale = raw.get("scale")
    if scale is not None:
        if not (isinstance(scale, list | tuple) and len(scale) == 2
                and all(isinstance(b, int | float) and not isinstance(b, bool) for b in scale) and scale[0] < scale[1]):
            raise FrameworkError(f"{origin}: 'scale' must be two numbers, lowest first, e.g. scale = [0, 10]")
        scale = (float(scale[0]), float(scale[1]))
    return Framework(
        scale=scale,
        extends=base.id if base else None,
        id=fid,
        name=_bilingual(raw, "name", origin),
        dimensions=tuple(dims),
        indicators=tuple(inds),
        source=raw.get("source", {}) if isinstance(raw.get("source"), dict) else {},
    )


@cache
def _load_cached(path: str, mtime_ns: int) -> Framework:
    """A definition read once per version of its file: live answers and the coach's refreshing picture ask
    for the round's instrument on every request."""
    return load_framework_file(path)


def load_framework_file(path: str | Path) -> Framework:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise FrameworkError(f"{path.name}: not valid TOML ({e})") from e
    return parse_framework(raw, path.name)


@cache
def _shipped_framework() -> Framework:
    return load_framework_file(DEFINITIONS_DIR / "dimensions.toml")


def default_framework(alt_names: bool = False) -> Framework:
    """The shipped Dimensions framework; ``alt_names`` calls dimension 3 "Collectieve identiteit /
    Collective identity" (the published name) instead of "Verbondenheid / Connectedness"."""
    return _shipped_framework().with_alt_names(alt_names)


DIMENSION_NAMES_SETTING = "dimension_names"  # stored per database: 'name' (default) or 'alt_name'


def frameworks(extra_dir: str | Path | None = None, alt_names: bool = False) -> dict[str, Framework]:
    """The shipped instrument plus any ``*.toml`` definitions in ``extra_dir`` (e.g. data/frameworks).
    A broken definition file is skipped here; it was checked when it was saved."""
    out = {default_framework().id: default_framework(alt_names)}
    if extra_dir and Path(extra_dir).is_dir():
        for p in sorted(Path(extra_dir).glob("*.toml")):
            try:
                fw = _load_cached(str(p), p.stat().st_mtime_ns)
            except (FrameworkError, OSError):
                continue
            out[fw.id] = fw.with_alt_names(alt_names)
    return out


#: An agreement or intervention links an own instrument's indicator as ``instrument:code`` (``social_regulation:p1``):
#: codes of two instruments may be alike, and the shipped instrument's codes stay as they are (``3b``).
LINK_SEP = ":"


def split_link(code: str) -> tuple[str | None, str]:
    """``"social_regulation:p1"`` -> ``("social_regulation", "p1")``; ``"3b"`` -> ``(None, "3b")``."""
    fid, sep, rest = str(code).partition(LINK_SEP)
    return (fid, rest) if sep else (None, str(code))


def own_link_names(instruments: dict[str, Framework]) -> dict[str, dict[str, str]]:
    """Every dimension and indicator of the instruments other than the shipped one, as link codes with their
    names per language ('Sociale regulatie (voorbeeld): P Procesaspecten'), in instrument order."""
    out: dict[str, dict[str, str]] = {}
    shipped = default_framework().id
    for fid, fw in instruments.items():
        if fid == shipped:
            continue
        for d in fw.dimensions:
            out[f"{fid}{LINK_SEP}{d.code}"] = {lang: f"{fw.name[lang]}: {d.code} {d.name[lang]}" for lang in LANGS}
        for i in fw.indicators:
            out[f"{fid}{LINK_SEP}{i.code}"] = {lang: f"{fw.name[lang]}: {i.code} {i.name[lang]}" for lang in LANGS}
    return out


def frameworks_dir(db_file: str | Path) -> Path:
    """User instruments live next to the database, so a copy of the data folder carries them along."""
    return Path(db_file).resolve().parent / "frameworks"


def save_framework(source: str | Path | bytes, folder: str | Path) -> Framework:
    """Check a definition and keep a copy in ``folder`` under its id; refuses to replace the default."""
    text = source.decode("utf-8") if isinstance(source, bytes) else Path(source).read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise FrameworkError(f"not valid TOML ({e})") from e
    fw = parse_framework(raw, "definition")
    if fw.id == default_framework().id:
        raise FrameworkError(f"the id '{fw.id}' belongs to the shipped instrument; choose another id")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{fw.id}.toml").write_text(text, encoding="utf-8")
    return fw


# ---------------------------------------------------------------- the meeting loop's vocabularies


@cache
def loop_vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    """``{"phases"|"statuses"|"measures": {code: {"nl": name, "en": name}}}`` from loop.toml, in file order."""
    with open(Path(__file__).with_name("loop.toml"), "rb") as f:
        return tomllib.load(f)


def loop_label(kind: str, code: str, lang: str = "nl") -> str:
    """The shown name of a phase, status or tie measure; an unknown code is shown as it is."""
    entry = loop_vocabulary().get(kind, {}).get(code)
    return (entry.get(lang) or entry.get("en") or code) if entry else code
