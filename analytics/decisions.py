"""Product decisions that more than one place must agree on, each stated once.

A constant here is a choice the product makes for its users (what counts as a strong tie, when a measure is
sampled, how much room a person gets on a map, which colours are safe); change it here and every page,
export, slide and the report follow.
"""

from __future__ import annotations

#: A tie of at least this weight (frequency on the store's 1..5 scale) is drawn and counted as strong.
STRONG_TIE_MIN_WEIGHT = 3.0

#: Betweenness is exact while one run fits this many seconds; above it, it is estimated from a sample of
#: sources (networkx' estimator, computed by igraph) and every surface that shows it says so.
BETWEENNESS_BUDGET_S = 2.0
#: igraph's seconds per (source x (person + tie)) for unweighted Brandes, measured on this 2-core machine
#: (bench `graph_engines`: 10,000 people / 100,000 ties exact in 38 s -> 3.5e-8; rounded up).
BETWEENNESS_COST = 4e-8
#: Never fewer sampled sources than this (below it the ranking of brokers gets unstable).
BETWEENNESS_SAMPLE_SOURCES = 200
#: Ties per person assumed when only the number of people is known.
TIES_PER_PERSON_GUESS = 8


def betweenness_sample(n_people: int, n_ties: int | None = None, *, budget_s: float | None = None) -> int | None:
    """How many sources to sample for betweenness on ``n_people`` / ``n_ties`` (None: exact).

    Exact costs n x (n + m) steps: 2,000 people / 16,000 ties about 1.4 s (exact), 5,000 / 50,000 about
    11 s (sampled: ~360 sources), 10,000 / 100,000 about 40 s (sampled: ~450 sources).
    """
    m = n_people * TIES_PER_PERSON_GUESS if n_ties is None else n_ties
    budget = BETWEENNESS_BUDGET_S if budget_s is None else budget_s
    per_source = (n_people + m) * BETWEENNESS_COST
    if n_people == 0 or m == 0 or n_people * per_source <= budget:
        return None
    return min(n_people, max(BETWEENNESS_SAMPLE_SOURCES, int(budget / per_source)))


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
