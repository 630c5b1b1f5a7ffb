"""No emoji as icons (issue 16): on a server without an emoji font they render as empty boxes, also in the
screenshots and PDFs made there. Pages use Streamlit's Material Symbols (a font Streamlit ships, so offline),
the report and handout plain text. The command line may print ✓ and ✗ (a terminal has them)."""

from __future__ import annotations

import re
from pathlib import Path

from analytics import i18n

ROOT = Path(__file__).resolve().parent.parent
#: Pictographs, dingbats, arrows-and-symbols blocks that fonts draw as emoji, and the emoji variation selector.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F]")
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
           *sorted(p for p in (ROOT / "analytics").rglob("*.py") if "cli" not in p.parts),
           *sorted((ROOT / "analytics" / "definitions").glob("*.toml"))]


def test_no_emoji_in_the_apps_sources():
    found = [f"{p.relative_to(ROOT)}:{i}: {line.strip()[:80]}"
             for p in SOURCES for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if EMOJI.search(line) and not line.lstrip().startswith("#")]
    assert found == [], "\n".join(found)


def test_no_emoji_in_any_text_in_either_language():
    texts = {f"{key} ({lang})": text[lang] for key, text in i18n._texts().items() for lang in ("nl", "en")}
    assert [k for k, v in texts.items() if EMOJI.search(v)] == []


def test_the_pattern_finds_what_it_should():
    assert all(EMOJI.search(c) for c in ("💬", "🕸️", "⬇️", "⚠", "✅", "⏳", "📥"))
    assert not any(EMOJI.search(c) for c in ("→", "↻", "–", "é", "€", "·", "◀", "▶"))
