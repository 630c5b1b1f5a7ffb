"""`make bench`: the product's speed, measured against a baseline taken in the same run.

Prints one table per topic. Sizes can be scaled down for a quick look: BENCH_SCALE=0.1 make bench.
"""

from __future__ import annotations

import os
import sys

from . import suites

if __name__ == "__main__":
    only = sys.argv[1:] or None
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    suites.run(only=only, scale=scale)
