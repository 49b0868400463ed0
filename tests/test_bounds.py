"""The national cost-bound rows (netopt.model.bounds): hand-derived floors, and they never cut the optimum."""

from __future__ import annotations

import math

import pytest

from netopt.api import run
from netopt.instance.overrides import parse_assignment
from netopt.model.bounds import least_cost


def test_least_cost_one_size_rounds_up_or_pays_the_penalty():
    # 2,500 t/yr of load, plants of 1,000 t/yr at 60 Myen/yr, shortfall 0.05 Myen/t:
    # 2 plants + 500 t short = 120 + 25 = 145; 3 plants = 180; 0 plants = 125 (cheapest)
    assert least_cost([(1000.0, 60.0)], 2500.0, 0.05) == pytest.approx(125.0)
    # with a 0.1 Myen/t penalty a plant (60) beats 1,000 t short (100): 2 plants + 500 short = 170, 3 = 180
    assert least_cost([(1000.0, 60.0)], 2500.0, 0.1) == pytest.approx(170.0)
    assert least_cost([(1000.0, 60.0)], 2500.0, 1.0) == pytest.approx(180.0)


def test_least_cost_mixes_sizes():
    # 25 kt/yr with L = 20 kt at 87.3 and M = 6 kt at 42.4, penalty 5 Myen/t: L + M = 129.7 beats
    # 2 L = 174.6 and 5 M = 212.0
    assert least_cost([(20000.0, 87.3), (6000.0, 42.4)], 25000.0, 5.0) == pytest.approx(129.7)


def test_least_cost_of_no_load_is_zero():
    assert least_cost([(1000.0, 60.0)], 0.0, 5.0) == 0.0
    assert least_cost([(1000.0, 60.0)], -10.0, 5.0) == 0.0
    assert least_cost([], 100.0, 5.0) == pytest.approx(500.0)
    assert not math.isnan(least_cost([(1000.0, 60.0)], 1e-9, 5.0))


def test_the_rows_do_not_change_the_toy_optimum():
    with_rows = run("instances/toy", overrides=[parse_assignment("model.cost_bounds=true")])
    without = run("instances/toy", overrides=[parse_assignment("model.cost_bounds=false")])
    assert with_rows.solved.objective == pytest.approx(without.solved.objective, abs=1e-6)
    assert with_rows.solved.status == without.solved.status == "optimal"
