"""Product decisions that more than one place must agree on, each stated once.

A constant here is a choice the product makes for its users (what counts as a strong tie, when a measure is
sampled, how much room a person gets on a map, which colours are safe); change it here and every page,
export, slide and the report follow.
"""

from __future__ import annotations

#: A tie of at least this weight (frequency on the store's 1..5 scale) is drawn and counted as strong.
STRONG_TIE_MIN_WEIGHT = 3.0

#: Betweenness is exact while one run fits this many seconds; above it, it is estimated from a sample of
#: sources (networkx' estimator, computed by igraph) and every surface that shows it says so. Half a second,
#: though an exact run of 10,000 people / 100,000 ties takes under 5 s with every other measure when split
#: over two cores: the Ties page computes it for every period and filter it shows (measured in Chromium at
#: 10,000 people: with a 2-s budget, 5,194 sources, the first map took 9.8 s instead of about 6). Exact up to
#: about 2,500 people / 25,000 ties; with four or more cores the split search takes it further.
BETWEENNESS_BUDGET_S = 0.5
#: A search expected to take at least this long on one core is split over the cores (helper processes,
#: measures/betweenness_parts.py; starting one costs about 0.3 s).
BETWEENNESS_SPLIT_FROM_S = 1.0
#: igraph's seconds per (source x (person + tie)) for unweighted Brandes on one core, measured on this
#: machine when quiet (2,000 / 5,000 / 10,000 people: 6.5e-9 to 7.1e-9; 10,000 people / 82,602 ties exact in
#: 6.6 s on one core, 3.7 s split over two). An earlier 4e-8 was read off a heavily loaded machine.
BETWEENNESS_COST = 7e-9
#: Seconds per (person + tie) of all the other tie measures together (measure_all without betweenness: 10,000
#: people / 100,000 ties in 0.5 to 1.0 s on this machine). Computed while helpers search betweenness.
MEASURES_COST = 8e-6
#: The Ties page computes a view's measures in the background, showing the previous selection's figures under a
#: progress bar, when they are expected to take longer than this (tie_view.measures_seconds, which runs low by a
#: third: 5,000 people / 50,000 ties are expected at 0.87 s and take about 1.1 s).
BACKGROUND_FROM_S = 0.75
#: A background job takes this many times ``measures_seconds``: it also builds the graph of people, gives it its
#: codes and keeps the figures (measured: 3.3-4.2 s for an expected 1.0 s at 10,000 people / 60,000 ties). The
#: page's "about N s" and its progress bar use it.
BACKGROUND_ESTIMATE_FACTOR = 3.0
#: A background job begins when the browser first asks for its progress (a fragment every 0.5 s, so it has
#: drawn the page), at the latest this many seconds after the page's run: begun at once, its start slowed the
#: map being drawn again after a filter change from 0.8 to 1.2-1.5 s at 10,000 people; begun 1 s later, 0.96 s.
BACKGROUND_START_S = 1.0
#: A page's independent queries run this many at a time, each on its own cursor: DuckDB runs a small query
#: mostly on one core, so the Value page's seven queries on 50,000 reports took 72 instead of 102 ms two at a
#: time (three or four at a time: no faster on two cores).
QUERIES_AT_ONCE = 2
#: Seconds from starting a betweenness helper to its first search (a Python with numpy and igraph, the ties read).
HELPER_START_S = 0.2
#: Never fewer sampled sources than this (below it the ranking of brokers gets unstable).
BETWEENNESS_SAMPLE_SOURCES = 200
#: Leiden (communities) runs this many iterations, not "until one changes nothing" (igraph's -1): at 10,000
#: people / 100,000 random ties that took 1.75 s and 10 iterations 0.79 s, for 1.6 % less modularity (0.2089
#: against 0.2123; networkx' Louvain: 0.1831). On 28 of the demo's 30 network-periods the partition is the
#: same, on the other two its modularity is higher (tests/test_igraph_equals_networkx.py).
LEIDEN_MAX_ITERATIONS = 10
#: Ties per person assumed when only the number of people is known.
TIES_PER_PERSON_GUESS = 8


def usable_cores() -> int:
    """Cores this process may use (a container's or taskset's limit, not the machine's)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def betweenness_seconds(sources: int, n_people: int, n_ties: int, cores: int = 1) -> float:
    """Expected seconds of Brandes' search from ``sources`` people: on one core, or shared by ``cores`` when
    it is long enough to be split (analytics/measures/betweenness_parts.py)."""
    one_core = sources * (n_people + n_ties) * BETWEENNESS_COST
    return one_core / max(1, cores) if split_search(one_core) else one_core


def split_search(one_core_seconds: float) -> bool:
    """Whether a search this long on one core is worth helper processes (each costs about 0.3 s to start)."""
    return one_core_seconds >= BETWEENNESS_SPLIT_FROM_S


def measures_seconds(n_people: int, n_ties: int) -> float:
    """Expected seconds of every tie measure but betweenness (Leiden, brokerage, clustering, the tables)."""
    return (n_people + n_ties) * MEASURES_COST


def own_share(parts: int, one_core_seconds: float, meanwhile_seconds: float) -> float:
    """The share of a split betweenness search this process takes when it first spends ``meanwhile_seconds``
    on other work, while each helper first spends ``HELPER_START_S`` starting: so that all end together."""
    lead = (meanwhile_seconds - HELPER_START_S) / max(one_core_seconds, 1e-9)
    return min(1.0, max(0.0, (1 - (parts - 1) * lead) / parts))


def betweenness_sample(n_people: int, n_ties: int | None = None, *, budget_s: float | None = None,
                       cores: int | None = None) -> int | None:
    """How many sources to sample for betweenness on ``n_people`` / ``n_ties`` (None: exact).

    Exact costs n x (n + m) steps, shared by the cores (``cores``: this process's, by default).
    """
    m = n_people * TIES_PER_PERSON_GUESS if n_ties is None else n_ties
    budget = BETWEENNESS_BUDGET_S if budget_s is None else budget_s
    cores = usable_cores() if cores is None else cores
    if n_people == 0 or m == 0 or betweenness_seconds(n_people, n_people, m, cores) <= budget:
        return None
    per_source = betweenness_seconds(1, n_people, m)  # on one core
    # the most sources that fit: shared by the cores if a search that long is split, else on one core
    k = int(budget * cores / per_source)
    if not split_search(min(k, n_people) * per_source):
        k = int(budget / per_source)
    return min(n_people, max(BETWEENNESS_SAMPLE_SOURCES, k))


#: Above this many people the Ties page opens a network's map at the level of its organisations (or, without
#: organisations, its communities) with a drill-down into one: a map of every person draws in about 1.5 s at
#: 2,000 people in Chromium on this machine, and more people than that are dots nobody can tell apart.
MAP_PEOPLE_MAX = 2000

#: Pixels between nearest neighbours on a tie map: room for a label without zooming in.
LAYOUT_UNIT = 110.0

#: Roles in the order legends and tables list them (the vocabulary itself lives in definitions/tables.toml).
ROLE_ORDER = ("teacher", "student_teacher", "teacher_educator", "researcher", "coach", "expert", "other")

#: Okabe-Ito colours without vermillion (#D55E00) and yellow (#F0E442): colour-blind safe, no red/green pair,
#: readable on white. Used for every categorical colour (organisations, roles, series); beyond its size the
#: tie map adds shapes and line charts add dash patterns.
CATEGORY_PALETTE = ("#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#009E73", "#555555")
#: ColorBrewer "Blues" anchors from light to dark (single hue, so it never reads as good or bad).
BLUE_RAMP = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
#: Ties between two organisations on maps and playback (kept out of the node colours' meaning).
CROSS_TIE_COLOR = "#CC79A7"

#: People named on a tie map without hovering: the most named and the brokers (highest betweenness), this
#: many of each (at most twice this many names, fewer when the two lists overlap). Five of each is what a coach
#: scans at a glance and what fits on a 620-pixel map without names piling up; everyone else is named on hover
#: and once zoomed in. The same number at every size: more names on a big map only hide each other.
MAP_LABELS_PER_KIND = 5
#: The largest stretch of a map's width to fill a wide frame (force-directed layouts are round; beyond this the
#: distortion starts to mislead about who is close to whom).
MAP_MAX_STRETCH = 1.5

#: One colour per role for the whole product (dot charts, role radars, legends), keyed on the role's code so it is
#: the same in Dutch and English and whichever roles a network has. Roles outside the vocabulary, and groups
#: too small to show apart, are the light grey of "other". Okabe-Ito colours (colour-blind safe), without the
#: reddish purple that marks ties between organisations on the maps: the map colours people by role too.
ROLE_COLORS = dict(zip(ROLE_ORDER, ("#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#555555", "#A0A0A0"),
                       strict=True))
OTHER_ROLE_COLOR = ROLE_COLORS["other"]


def role_color(role: str | None) -> str:
    """The role's colour everywhere in the product (grey for unknown roles)."""
    return ROLE_COLORS.get(role or "", OTHER_ROLE_COLOR)


#: Point shapes (Vega-Lite names) and line dashes that, with the palette, tell categories apart beyond its size.
CATEGORY_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
CATEGORY_DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (12, 4), (4, 2, 1, 2))


def category_styles(values: object) -> dict[str, tuple[str, str, tuple[int, ...]]]:
    """Value -> (colour, shape, dash) from the sorted distinct values (e.g. a network's organisations).

    Sorting makes the mapping stable: an organisation keeps its colour whatever the language or page. Beyond the
    palette's size the shape and dash change too, so no two values share colour and shape (up to
    palette x shapes = 36 values; beyond that pairs repeat).
    """
    ordered = sorted({str(v) for v in values if v is not None and v == v})  # type: ignore[union-attr]
    n = len(CATEGORY_PALETTE)
    return {
        v: (CATEGORY_PALETTE[i % n], CATEGORY_SHAPES[(i // n) % len(CATEGORY_SHAPES)],
            CATEGORY_DASHES[(i // n) % len(CATEGORY_DASHES)])
        for i, v in enumerate(ordered)
    }


#: The period colours: a single-hue blue ramp (older lighter, latest darkest) with evenly spaced lightness, so
#: neighbouring periods differ clearly however many there are. CIE L* of the lightest and darkest step, the most
#: L* between two steps, and the hue angle (LCh) at the light and dark end (a slight turn towards violet).
PERIOD_L_LIGHT, PERIOD_L_DARK, PERIOD_L_STEP_MAX = 80.0, 24.0, 30.0
PERIOD_HUE_LIGHT, PERIOD_HUE_DARK = 235.0, 285.0


def role_sort_key(role: str | None) -> tuple[int, str]:
    """Roles in ``ROLE_ORDER`` (legends list them so in every language), unknown ones after, by name."""
    r = role or ""
    return (ROLE_ORDER.index(r), "") if r in ROLE_ORDER else (len(ROLE_ORDER), r)
