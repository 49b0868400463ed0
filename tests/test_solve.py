"""The solve layer: the relax-and-fix start and the lower bound of its first stage."""

import numpy as np
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from netopt.api import load
from netopt.instance.settings import SolveSettings
from netopt.model import build_model
from netopt.model.inputs import prepare
from netopt.model.staging import build_stage
from netopt.solve import _highs_lp, _relax_and_fix, solve
from netopt.tools.synthetic import write_synthetic


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = write_synthetic(tmp_path_factory.mktemp("syn") / "syn", regions=15, hubs=6, plants=3, refineries=3,
                             seed=1)
    return load(folder)


@pytest.fixture(scope="module")
def optimum(synthetic) -> float:
    result = solve(build_model(prepare(synthetic)), SolveSettings(mip_gap=0.0, warm_start=False, duals=False))
    assert result.status == "optimal"
    return result.objective


def test_first_stage_bound_is_below_the_optimum_and_the_start_above_it(synthetic, optimum):
    model = build_model(prepare(synthetic))
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    lp, integer = _highs_lp(form)
    stages = [build_stage(v) if i else None for v, i in zip(form.columns, integer)]
    assert len({s for s in stages if s is not None}) > 2  # refineries, then the other kinds period by period
    start, floor = _relax_and_fix(lp, stages, SolveSettings(time_limit=60.0))
    tol = 1e-6 * abs(optimum)
    assert floor is not None and floor <= optimum + tol
    plan = float(np.dot(lp.col_cost_, start.col_value) + lp.offset_)
    assert plan >= optimum - tol


def test_gap_is_proven_with_the_better_bound(synthetic, optimum):
    result = solve(build_model(prepare(synthetic)), SolveSettings(mip_gap=0.02, duals=False), stage_of=build_stage)
    assert result.status == "optimal" and result.gap <= 0.02
    assert result.bound <= optimum + 1e-6 * abs(optimum) <= result.objective + 2e-6 * abs(optimum)
    assert result.bound_source in ("highs", "first warm-start stage")
    assert result.gap == pytest.approx((result.objective - result.bound) / abs(result.objective))
