"""Text said twice: an English sentence (the CLI prints it, ``--json`` carries it) that also knows its translation
key and figures, so a page can say it in its own language. A ``str``, so everything that prints it keeps working."""

from __future__ import annotations

from typing import Any


class KeyedText(str):
    code: str
    fields: dict[str, Any]

    def __new__(cls, text: str, code: str, **fields: Any) -> KeyedText:
        out = super().__new__(cls, text)
        out.code, out.fields = code, fields
        return out

    def __reduce__(self):  # st.cache_data pickles what holds it: keep the key and figures through that
        return (_rebuild, (type(self), str(self), self.code, dict(self.fields)))


def _rebuild(cls: type[KeyedText], text: str, code: str, fields: dict[str, Any]) -> KeyedText:
    return cls(text, code, **fields)
