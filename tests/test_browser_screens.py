"""Every page in Dutch and English at three window sizes, screenshotted and read (issue 16, "Tests and figures").

One ``streamlit run`` (tests/browser.py) on a fresh database with the demo data and one open live round (so the
Live collection page has a round to show and the phone form can be opened). One browser session per language
walks every page (the Presentation's slides also in projector mode, all seven) and, after the page has settled
at 1920x1080, resizes the window to 1440x900 and 390x844 for the other two shots. Screenshots land in
``tests/_artifacts/screens/{lang}-{page}-{width}.png`` (git-ignored); the phone form only at 390 px.

What is checked in the text a person can read (``inner_text`` of the page, the tie map's iframe, and the cells
of the canvas-drawn tables):

* in both languages: no ``None``, no ``nan``, no raw translation key (a dotted token that is one of the keys of
  ``analytics/definitions/translations.toml``, or starts like one: a missing key is shown as the key itself);
* in Dutch also: no command-line flag (``--date``) and none of a short list of English UI phrases;
* the importer's messages in Dutch, for a handful of broken files uploaded on the Data page;
* a "Show" link on the Overview in English opens its page in English.

Streamlit's own file-uploader texts ("Drag and drop files here", "Limit 200MB per file", the "Upload" button)
are English in Streamlit 1.67 and cannot be changed: ``st.file_uploader`` has no parameter for them, there is
no locale setting, and the strings are literals in the front-end bundle (static/js/FileUploader.*.js). They are
cut out of the text before the checks, by their element (``stFileUploaderDropzone``), and nowhere else.

Nothing here is marked xfail: a check that fails on today's code is a defect to fix in the sources.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser import (
    ARTIFACTS,
    ROOT,
    app_exceptions,
    goto_nav,
    new_page,
    screenshot,
    server_log,
    streamlit_server,
    wait_for_app,
    wait_for_frames,
)

from analytics.demo import load as demo
from analytics.i18n import _texts
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.store import database as store

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "screens"
FILES = ROOT / "tests" / "files"
#: Window sizes: a projector / big screen, a laptop, a phone.
SIZES = [(1920, 1080), (1440, 900), (390, 844)]
#: The projector sizes a slide must fit without scrolling (the issue's two).
PROJECTORS = [(1920, 1080), (1280, 720)]
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
#: The overview at 390 px is taller than the helper's default cap of 8,000 px.
MAX_SHOT_HEIGHT = 20_000
NET = "Rekenen"  # a demo network: the live round is opened in it
#: The pages in the sidebar navigation: (slug for the file name, Dutch label, English label, h1 text nl, en).
PAGES = [
    ("overview", "Overzicht", "Overview"),
    ("dimensions", "Dimensies", "Dimensions"),
    ("values", "Waardecreatie", "Value creation"),
    ("ties", "Leerrelaties", "Learning ties"),
    ("live", "Live verzamelen", "Live collection"),
    ("data", "Gegevens", "Data"),
    ("present", "Presentatie", "Presentation"),  # last: its projector mode hides the sidebar
]
N_SLIDES = 7

# ------------------------------------------------------------------------------------------ the text checks

KEYS = set(_texts())
KEY_PREFIXES = {k.split(".", 1)[0] for k in KEYS}
#: A dotted token ending in one of these is a file name (``participants.csv``, ``app.py``), not a key.
FILE_ENDINGS = {"csv", "tsv", "txt", "xlsx", "xlsm", "xls", "toml", "html", "pdf", "png", "gif", "json", "py",
                "duckdb", "zip", "svg", "md"}
DOTTED = re.compile(r"(?<![\w.@/-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?![\w-])")
NONE = re.compile(r"\bNone\b")
NAN = re.compile(r"\bnan\b", re.IGNORECASE)
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
#: English a Dutch page must not show: Streamlit's default placeholders and the importer's English sentences,
#: a few button words, and English words that are no Dutch words at all ("the", "which", "column").
#: Case-sensitive, whole words.
ENGLISH_IN_DUTCH = [
    "Choose an option", "Choose options", "No options to select", "No results", "No data", "was found",
    "no column for", "cannot tell", "Browse files", "Upload", "Select", "Show", "Search", "Loading",
    "Please", "not found", "Page not found", "Error", "Warning", "Download", "Submit",
    "the", "The", "which", "column",
]
#: The texts of the Material Symbols icons: Streamlit's own, and the ``:material/name:`` ones inside markdown
#: (whatever element they are in, they are drawn in that font).
_ICON_NAMES_JS = """() => [...document.querySelectorAll('span, i')]
    .filter(e => e.childElementCount === 0 && getComputedStyle(e).fontFamily.includes('Material Symbols'))
    .map(e => e.textContent)"""
ENGLISH_RE = [(p, re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)")) for p in ENGLISH_IN_DUTCH]


def raw_keys(text: str) -> list[str]:
    found = []
    for tok in DOTTED.findall(text):
        parts = tok.split(".")
        if tok in KEYS or (parts[0] in KEY_PREFIXES and parts[-1] not in FILE_ENDINGS):
            found.append(tok)
    return found


def snippet(text: str, m: re.Match, width: int = 60) -> str:
    a, b = max(0, m.start() - width), min(len(text), m.end() + width)
    return " ".join(text[a:b].split())


def text_problems(text: str, lang: str, name: str | None = None) -> list[str]:
    """What must not be in a page's readable text, each with the text around it. With ``name`` the text is
    also kept next to the screenshots (``screens/{name}.txt``), to see what was read."""
    if name:
        (SHOTS / f"{name}.txt").write_text(text, encoding="utf-8")
    out = []
    checks = [("None", NONE), ("nan", NAN)]
    if lang == "nl":
        checks += [("flag", FLAG), *[(f"English {p!r}", rx) for p, rx in ENGLISH_RE]]
    for what, rx in checks:
        for m in rx.finditer(text):
            out.append(f"{what}: …{snippet(text, m)}…")
    for key in raw_keys(text):
        m = re.search(re.escape(key), text)
        out.append(f"raw key {key!r}: …{snippet(text, m)}…")
    return out


_GRID_TEXT_JS = """el => [...el.querySelectorAll('th, td, [role=columnheader], [role=gridcell]')]
    .map(c => c.textContent).join('\\n')"""


def strip_icons(page, text: str) -> str:
    """``text`` without the names of the Material Symbols icons on the page: an icon is a ligature, its
    element's text is the icon's name ("block", "download"), which a person sees as a picture."""
    icons = {t.strip() for t in page.evaluate(_ICON_NAMES_JS) if t.strip()}
    if not icons:
        return text
    return re.sub(r"(?<![\w.])(?:" + "|".join(map(re.escape, sorted(icons))) + r")(?![\w.])", " ", text)


_EMPTY_CELLS_JS = """el => {
    const head = {};
    for (const th of el.querySelectorAll('th[aria-colindex]')) head[th.getAttribute('aria-colindex')] = th.textContent;
    const empty = {};
    for (const td of el.querySelectorAll('td[aria-colindex]')) {
        if (td.textContent.trim() !== '') continue;
        const col = head[td.getAttribute('aria-colindex')] || td.getAttribute('aria-colindex');
        empty[col] = (empty[col] || 0) + 1;
    }
    return empty;
}"""


def empty_cells(page) -> list[str]:
    """Empty cells in the visible tables. ``st.dataframe`` draws a missing value as a grey "None" on its canvas,
    while its accessible table (the only text a test can read) leaves the cell empty; the app's convention
    (``ui.show_table``) is a dash for an empty cell. So an empty cell is a "None" on screen, or at least not
    the convention."""
    out = []
    for n, grid in enumerate(page.locator('[data-testid="stDataFrame"]').all()):
        if not grid.is_visible():
            continue
        for col, k in grid.evaluate(_EMPTY_CELLS_JS).items():
            out.append(f"table {n + 1}, column {col!r}: {k} empty cell(s) (drawn as 'None' by st.dataframe)")
    return out


#: Placeholders of the visible, empty text boxes (not part of ``inner_text``; a selectbox with a choice keeps
#: "Choose an option" in its input's attribute but shows the choice, so only empty ones count). Not those of ``st.date_input``: Streamlit
#: 1.67 shows the date format there ("dd-mm-yyyy" for format="DD-MM-YYYY"), which takes only Y/M/D letters and
#: has no placeholder parameter, so a Dutch "jjjj" cannot be asked for.
_PLACEHOLDERS_JS = """() => [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]
    .filter(e => e.value === '' && e.checkVisibility() && !e.closest('[data-testid="stDateInput"]'))
    .map(e => e.placeholder)"""


_WIDTH_JS = """() => { const m = document.querySelector('[data-testid="stMain"]') || document.documentElement;
    return [m.scrollWidth, m.clientWidth, m.scrollHeight, m.clientHeight]; }"""


def readable_text(page) -> str:
    """The text a person can read on the page: the body's inner text without Streamlit's own (untranslatable)
    file-uploader texts, the cells of the canvas-drawn tables, and the text of every iframe."""
    body = page.inner_text("body")
    for zone in page.locator('[data-testid="stFileUploaderDropzone"]').all():
        # Streamlit 1.67's uploader: "Drag and drop files here", "Limit 200MB per file • CSV, …", "Upload".
        # Literals in its front end, with no parameter or locale setting to change them (see the docstring).
        body = body.replace(zone.inner_text(), "\n")
    parts = [strip_icons(page, body), *page.evaluate(_PLACEHOLDERS_JS)]
    for grid in page.locator('[data-testid="stDataFrame"]').all():
        parts.append(grid.evaluate(_GRID_TEXT_JS))
    for el in page.locator("iframe").all():
        frame = el.element_handle().content_frame()
        if frame is not None:
            parts.append(frame.locator("body").inner_text())
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------- helpers


def seed(db: Path) -> tuple[str, str, list[str]]:
    """The demo data and an open named round in NET asking marks (current and desired), a story and ties;
    returns the round, its join key and two members' codes (one per language)."""
    con = store.connect(db)
    try:
        demo.load_demo(con)
        rnd, key = live_rounds.create_round(
            con, NET, title="Bijeenkomst 4", mode="named",
            config=live_rounds.RoundConfig(current=True, desired=True, story=True, ties=True, topic="breuken"))
        codes = live_tokens.issue_codes(con, rnd.round_id)  # every member of the network's list
        return rnd.round_id, key, list(codes.values())[:2]
    finally:
        con.close()


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    db = tmp_path_factory.mktemp("screens") / "screens.duckdb"
    round_id, join_key, codes = seed(db)
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": None}) as url:
        with new_page(browser) as page:  # past the cold first session (see browser.warm_up)
            page.goto(url)
            wait_for_app(page, expect_testid="stSidebarNav", timeout_ms=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield {"url": url, "round": round_id, "join": join_key, "codes": codes}


def to_english(page) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English").click()
    page.locator("h1", has_text="Overview").first.wait_for(state="visible")
    wait_for_app(page)


def sidebar_open(page) -> None:
    """Open the sidebar if the window size closed it (Streamlit closes it below 768 px)."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    if nav.is_visible():
        return
    page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
    nav.wait_for(state="visible")


def settle(page) -> None:
    """After a resize: the app idle, every iframe loaded, two frames drawn."""
    wait_for_app(page, settle_ms=200)
    wait_for_frames(page)
    # no focus ring in the shots (the projector's keys are pressed after a click into the page)
    page.evaluate("() => document.activeElement && document.activeElement.blur && document.activeElement.blur()")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.mouse.move(0, 0)


def shoot_sizes(page, name: str, sizes=SIZES) -> list[str]:
    """Screenshots of the current page at every size (ends at the first size again); returns what does not fit:
    a page wider than the window (one has to scroll sideways)."""
    wide = []
    for w, h in sizes:
        if page.viewport_size != {"width": w, "height": h}:
            page.set_viewport_size({"width": w, "height": h})
        settle(page)
        scroll_w, client_w, _sh, _ch = page.evaluate(_WIDTH_JS)
        if scroll_w > client_w + 2:
            wide.append(f"layout: {scroll_w} px wide in a {client_w} px window at {w}x{h} (sideways scrolling)")
        shot = f"screens/{name}-{w}"
        screenshot(page, shot, max_height=MAX_SHOT_HEIGHT)
    page.set_viewport_size({"width": sizes[0][0], "height": sizes[0][1]})
    settle(page)
    return wide


def walk_language(page, url: str, lang: str) -> dict[str, list[str]]:
    """Visit every page in ``lang`` (the session is already in it), shoot it at three sizes, and return
    {page: problems found in its text}."""
    problems: dict[str, list[str]] = {}
    crashed: dict[str, list[str]] = {}
    for slug, nl, en in PAGES:
        sidebar_open(page)
        goto_nav(page, nl if lang == "nl" else en)
        page.locator("h1").first.wait_for(state="visible")
        settle(page)
        problems[slug] = text_problems(readable_text(page), lang, f"{lang}-{slug}") + empty_cells(page)
        if app_exceptions(page):
            crashed[slug] = app_exceptions(page)
        problems[slug] += shoot_sizes(page, f"{lang}-{slug}")

    # The Presentation page is open: its slides in projector mode, one by one.
    page.locator(".st-key-projector label").click()
    counter = "Dia {i} van 7" if lang == "nl" else "Slide {i} of 7"
    wait_for_app(page, expect_text=counter.format(i=1))
    assert not page.locator('[data-testid="stSidebar"]').is_visible(), "projector mode still shows the sidebar"
    for i in range(1, N_SLIDES + 1):
        if i > 1:
            page.locator('[data-testid="stMain"]').click(position={"x": 5, "y": 5})
            page.keyboard.press("ArrowRight")
            wait_for_app(page, expect_text=counter.format(i=i))
        settle(page)
        problems[f"projector-slide-{i}"] = text_problems(readable_text(page), lang, f"{lang}-projector-{i}")
        for w, h in PROJECTORS:  # a projector does not scroll: the slide must fit 1920x1080 and 1280x720
            page.set_viewport_size({"width": w, "height": h})
            settle(page)
            _sw, _cw, tall, window = page.evaluate(_WIDTH_JS)
            if tall > window + 2:
                problems[f"projector-slide-{i}"].append(f"layout: the slide is {tall} px tall in a {window} px "
                                                        f"window at {w}x{h}")
            screenshot(page, f"screens/{lang}-projector-{i}-{w}x{h}", max_height=MAX_SHOT_HEIGHT)
        page.set_viewport_size(WIDE)
        settle(page)
        if app_exceptions(page):
            crashed[f"projector-slide-{i}"] = app_exceptions(page)
        problems[f"projector-slide-{i}"] += shoot_sizes(page, f"{lang}-projector-{i}")
    assert crashed == {}, f"pages that raised: {crashed}\n{server_log(url)}"
    return problems


def open_phone_form(phone, srv: dict, code: str, lang: str, problems: dict) -> None:
    """The participant's shared link on a phone: the code screen, then (with ``code``) the form itself; each
    read and shot at 390 px."""
    phone.goto(f"{srv['url']}/?round={srv['round']}&join={srv['join']}")
    wait_for_app(phone, expect_text="Voer de code in")  # the round's language is Dutch
    if lang == "en":
        phone.locator('[data-testid="stRadio"]').get_by_text("EN", exact=True).click()
        wait_for_app(phone, expect_text="Enter the code")
    settle(phone)
    problems["phone-code"] = text_problems(readable_text(phone), lang, f"{lang}-phone-code")
    screenshot(phone, f"screens/{lang}-phone-code-390", max_height=MAX_SHOT_HEIGHT)
    field = phone.get_by_label("Jouw code" if lang == "nl" else "Your code")
    field.fill(code.lower())
    field.press("Enter")
    wait_for_app(phone)
    phone.get_by_role("button", name="Dit ben ik" if lang == "nl" else "This is me").click()
    wait_for_app(phone, expect_text="Hoe werkt ons netwerk?" if lang == "nl" else "How does our network work?")
    settle(phone)
    problems["phone-form"] = text_problems(readable_text(phone), lang, f"{lang}-phone-form") + empty_cells(phone)
    scroll_w, client_w, _sh, _ch = phone.evaluate(_WIDTH_JS)
    if scroll_w > client_w + 2:
        problems["phone-form"].append(f"layout: {scroll_w} px wide in a {client_w} px window (sideways scrolling)")
    screenshot(phone, f"screens/{lang}-phone-form-390", max_height=MAX_SHOT_HEIGHT)
    assert app_exceptions(phone) == [], app_exceptions(phone)


# --------------------------------------------------------------------------------- 1+2) every page, read


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_at_three_sizes_shows_no_raw_text(browser, server, lang):
    started = time.monotonic()
    with new_page(browser, viewport=WIDE) as page:
        page.goto(server["url"])
        wait_for_app(page, expect_testid="stSidebarNav")
        if lang == "en":
            to_english(page)
        problems = walk_language(page, server["url"], lang)

    with new_page(browser, viewport=PHONE) as phone:
        open_phone_form(phone, server, server["codes"][0 if lang == "nl" else 1], lang, problems)

    found = {where: p for where, p in problems.items() if p}
    assert found == {}, f"{lang}: text that must not be on the pages:\n" + "\n".join(
        f"  [{where}] {p}" for where, ps in found.items() for p in ps)
    assert time.monotonic() - started < 240


# ------------------------------------------------------------------------------ 3) importer messages in Dutch


BROKEN = {
    # a ties file without a network column (and no default network given)
    "ties_zonder_netwerk.csv": b"source,target,date,tie_type\nP055,P103,2025-03-01,advies\nP103,P154,2025-03-01,advies\n",
    # an impossible date (31 February) and a word for a date
    "dims_impossible_date.csv": (FILES / "dims_impossible_date.csv").read_bytes(),
    # an unknown indicator code
    "dims_unknown_indicator.csv": (FILES / "dims_unknown_indicator.csv").read_bytes(),
    # no date column at all (the importer then asks for a date)
    "dims_no_date.csv": (FILES / "dims_no_date.csv").read_bytes(),
    # a delimiter the reader does not know: the kind cannot be told from the one long header
    "verkeerd_scheidingsteken.csv": b"participant_id#name#network#role\nP1#Anouk#Rekenen#teacher\nP2#Bram#Rekenen#teacher\n",
    # two delimiters mixed in one file
    "mixed_delimiters.csv": (FILES / "mixed_delimiters.csv").read_bytes(),
}


def test_importer_messages_are_dutch(browser, server):
    with new_page(browser, viewport=WIDE) as page:
        page.goto(server["url"])
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")
        page.locator('.st-key-uploads [data-testid="stFileUploader"] input[type="file"]').set_input_files(
            [{"name": n, "mimeType": "text/csv", "buffer": b} for n, b in BROKEN.items()])
        main = page.locator('[data-testid="stMain"]')
        for name in BROKEN:  # each file's box has its report: metrics, or the red box of a refused file
            box = main.locator('[data-testid="stVerticalBlock"]').filter(has=page.locator("h4", has_text=name)).last
            box.locator('[data-testid="stMetric"], [data-testid="stAlert"]').first.wait_for(state="visible")
        wait_for_app(page)
        # open every column panel, so its messages are on screen too
        for summary in main.locator('[data-testid="stExpander"] summary').all():
            if summary.get_attribute("aria-expanded") == "false":
                summary.click()
        wait_for_app(page)
        page.mouse.move(0, 0)
        screenshot(page, "screens/nl-data-broken-files-1920")

        per_file = {}
        for name in BROKEN:
            box = main.locator('[data-testid="stVerticalBlock"]').filter(has=page.locator("h4", has_text=name)).last
            text = strip_icons(page, box.inner_text()) + "\n" + "\n".join(
                g.evaluate(_GRID_TEXT_JS) for g in box.locator('[data-testid="stDataFrame"]').all())
            per_file[name] = (text, text_problems(text, "nl", f"nl-data-file-{name}"))
        assert app_exceptions(page) == []

    found = {name: p for name, (_text, p) in per_file.items() if p}
    assert found == {}, "importer messages that are not Dutch:\n" + "\n".join(
        f"  [{name}] {p}" for name, ps in found.items() for p in ps)


# ------------------------------------------------------------------------ 4) "Show" keeps the language


def test_a_show_link_on_the_overview_keeps_english(browser, server):
    with new_page(browser, viewport=WIDE) as page:
        page.goto(server["url"])
        wait_for_app(page, expect_testid="stSidebarNav")
        to_english(page)
        buttons = page.locator('[class*="st-key-sig"] button')
        assert buttons.count() > 0, "no 'Show' button on the overview"
        assert buttons.first.inner_text().strip().startswith("Show"), buttons.first.inner_text()
        buttons.first.click()
        page.locator("h1", has_text=re.compile("Dimensi|Waardecreatie|Value creation|Leerrelaties|Learning ties")
                     ).first.wait_for(state="visible")
        wait_for_app(page)
        title = page.locator("h1").first.inner_text()
        screenshot(page, "screens/en-show-link-1920")
        sidebar = page.get_by_test_id("stSidebar")
        assert sidebar.get_by_role("radio", name="English").is_checked(), "the language switch left English"
        assert any(w in title for w in ("Dimensions", "Value creation", "Learning ties")), title
        problems = text_problems(readable_text(page), "en")
        dutch = [w for w in ("Periode", "Alle netwerken", "Namen vervangen") if w in page.inner_text("body")]
        assert problems == [] and dutch == [], (problems, dutch)
