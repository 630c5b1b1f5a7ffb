"""What every step of a live round shares: limits, refusals with a code, clean text, the clock."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime

#: The continuum on the phone: seven marks from the left pole (1) to the right pole (7).
SCALE_MIN, SCALE_MAX = 1, 7
#: "How often did you learn from them since last time?" -> tie weight (the store's weights run 1..5).
FREQUENCIES = (1, 2, 3)
MODES = ("anonymous", "named", "personal")
SITUATIONS = ("current", "desired")
TIE_TYPE = "knowledge_sharing"
MAX_TEXT = 2000
MAX_NAME = 80
MAX_TOPIC = 120
MAX_TITLE = 120
MAX_TIES = 30
DEFAULT_HOURS = 12
#: A shared link can mint at most this many tokens (bounds what a leaked QR code can do).
DEFAULT_MAX_TOKENS = 300
TOKEN_BYTES = 24
#: Codes a coach hands out per person (named rounds with a shared link): 8 characters from an alphabet without
#: look-alikes (no 0/O, 1/I/L), shown as ABCD-EFGH. 31**8 = 8.5e11 codes against at most
#: DEFAULT_MAX_TOKENS * MAX_WRONG_CODES = 1,500 guesses through one shared link.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: Wrong codes one phone may enter before its token stops admitting more tries.
MAX_WRONG_CODES = 5
#: Meeting questions: plus/delta answers, statements on the agree/disagree continuum, the idea wall, subgroups.
MAX_PLUSDELTA = 1000
MAX_STATEMENTS = 10
MAX_STATEMENT = 200
MAX_GROUPS = 12
MAX_GROUP = 40
MAX_IDEA = 200
MAX_IDEAS_EACH = 5
MAX_IDEAS = 300
MAX_CLUSTER = 60
MAX_VOTES = 10
DEFAULT_VOTES = 3
WALL_PHASES = ("collect", "vote")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_ROUND_RE = re.compile(r"[A-Za-z0-9_\-]{6,32}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# ----------------------------------------------------------------------------------------------- errors


class LiveError(Exception):
    """A refusal with a code (``live.error.<code>`` in the translations) and the fields its text needs.

    ``problems`` lists the individual answer problems of an ``invalid`` refusal as (code, fields) pairs,
    whose texts are ``live.problem.<code>``.
    """

    def __init__(self, code: str, message: str = "", problems: list[tuple[str, dict]] | None = None, **fields):
        self.code, self.fields, self.problems = code, fields, list(problems or [])
        super().__init__(message or code)


def utc_now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC).replace(tzinfo=None)


def local_time(ts: datetime | None) -> datetime | None:
    """A stored time (UTC) in the server's local time, for display."""
    return None if ts is None else ts.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def clean_text(value: object, limit: int) -> str:
    """Text as typed, minus control and direction-override characters, trimmed; NFC-normalised.

    Markup stays as it was typed: it is stored as text and every page shows it escaped."""
    s = unicodedata.normalize("NFC", str(value if value is not None else ""))
    s = _CONTROL.sub("", s.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(s) > limit:
        raise ValueError(len(s))
    return s


def normalise_code(value: object) -> str:
    """A typed code as stored: upper case, without spaces or dashes ("abcd efgh" == "ABCD-EFGH")."""
    return re.sub(r"[\s\-_.]", "", str(value or "")).upper()[:CODE_LENGTH * 2]


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def one_line(value: object, limit: int) -> str:
    """One line of text (runs of white space become one space); ValueError when longer than ``limit``."""
    s = re.sub(r"\s+", " ", clean_text(value, limit * 4)).strip()
    if len(s) > limit:
        raise ValueError(len(s))
    return s
