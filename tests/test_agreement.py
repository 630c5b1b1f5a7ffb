"""r_wg (James, Demaree & Wolf 1984) on worked examples computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.measures import agreement as ag


def test_uniform_null_variance_is_a_squared_minus_one_over_twelve():
    assert ag.uniform_null_variance(5) == 2.0  # the 5-point scale of the source: (25 - 1) / 12
    assert ag.uniform_null_variance(11) == 10.0  # 0-10 marks: (121 - 1) / 12
    assert ag.uniform_null_variance() == pytest.approx(1 / 12)  # a mark anywhere on the 0..1 line


def test_worked_example_ten_judges_on_a_five_point_scale():
    # Ten judges rate one target on a 5-point scale: 4 4 5 4 3 4 5 4 4 3. Mean 4; squared deviations
    # 0 0 1 0 1 0 1 0 0 1 -> sum 4; sample variance 4 / 9. r_wg = 1 - (4/9) / 2 = 7/9.
    ratings = [4, 4, 5, 4, 3, 4, 5, 4, 4, 3]
    var = ag.sample_variance(ratings)
    assert var == pytest.approx(4 / 9)
    assert float(ag.rwg(var, ag.uniform_null_variance(5))) == pytest.approx(7 / 9)


def test_two_camps_give_no_agreement_truncated_at_zero():
    # 1 5 1 5: variance 16/3 > 2, so 1 - 8/3 < 0; James et al. truncate to 0 ("no more agreement than random").
    var = ag.sample_variance([1, 5, 1, 5])
    assert var == pytest.approx(16 / 3)
    assert float(ag.rwg(var, 2.0)) == 0.0
    assert float(ag.rwg(var, 2.0, truncate=False)) == pytest.approx(1 - 8 / 3)
    assert float(ag.rwg(0.0, 2.0)) == 1.0  # everybody the same


def test_positions_on_the_line_and_from_the_population_sd():
    # .3 .5 .7: sample variance .04; null 1/12 -> 1 - .48 = .52. The store has sd with divisor n: sd^2 = .08/3.
    assert float(ag.rwg(ag.sample_variance([0.3, 0.5, 0.7]))) == pytest.approx(0.52)
    got = ag.rwg_from_sd(np.array([math.sqrt(0.08 / 3), 0.0]), np.array([3, 1]))
    assert got[0] == pytest.approx(0.52) and math.isnan(got[1])  # one person: no agreement index
