"""A problem with a file, said twice: in English for the command line (with its flags), and as a translation key
with parameters for the pages, which say it in the page's language and point at the page's own fields.

Every error the importer raises about a file carries a ``Said`` beside its English text; ``i18n.said_text`` turns
it into words (``msg.<key>`` in ``definitions/translations.toml``). Without a key, the English text is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analytics.keyed_text import KeyedText


@dataclass(frozen=True)
class Said:
    """What happened, as a key with parameters, and where (file, row, column) when known."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    file: str = ""
    row: int | None = None
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.key, "params": dict(self.params), "row": self.row, "column": self.column}


def said_of(error: BaseException) -> Said | None:
    """The error's ``Said``, with its file, row and column filled from the error when it has them."""
    key = getattr(error, "key", None)
    if not key:
        return None
    return Said(key, dict(getattr(error, "params", None) or {}), str(getattr(error, "file", "") or ""),
                getattr(error, "row", None), getattr(error, "column", None))


class Note(KeyedText):
    """A note about how a file was read (``notice.<key>`` on the pages); see ``KeyedText``."""

    @property
    def key(self) -> str:
        return self.code

    @property
    def params(self) -> dict[str, Any]:
        return self.fields


class OptionError(ValueError):
    """An import option that cannot be used (an unknown kind, a scale that is no range): the CLI's words, and the
    page's as ``msg.<key>``."""

    def __init__(self, reason: str, key: str, **params: Any):
        super().__init__(reason)
        self.key, self.params = key, params
