"""Product decisions that more than one place must agree on, each stated once.

A constant here is a choice the product makes for its users (what counts as a strong tie, when a measure is
sampled, how much room a person gets on a map, which colours are safe); change it here and every page,
export, slide and the report follow.
"""

from __future__ import annotations

#: A tie of at least this weight (frequency on the store's 1..5 scale) is drawn and counted as strong.
STRONG_TIE_MIN_WEIGHT = 3.0

#: Above this many people betweenness is estimated from a sample of sources instead of computed exactly;
#: every surface that shows it says so.
BETWEENNESS_EXACT_MAX_PEOPLE = 2000
BETWEENNESS_SAMPLE_SOURCES = 200


def betweenness_sample(n_people: int) -> int | None:
    """How many sources to sample for betweenness on a graph of ``n_people`` (None: exact)."""
    return BETWEENNESS_SAMPLE_SOURCES if n_people > BETWEENNESS_EXACT_MAX_PEOPLE else None


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
