"""Regression values of the Japan instance, in the manner of Temoa's legacy test values.

Each value carries a dated note of why it last changed. Change a value only together with the
change that moves it, and add a line to its note saying what moved it; a value that moves for
no stated reason is a bug.
"""

import pytest

from netopt.api import load
from netopt.model import build_model
from netopt.model.inputs import prepare
from netopt.solve import model_size
from tests.helpers import JAPAN

JAPAN_BASELINE_SIZE = {
    # 2026-12-02: pinned at the restructuring of issue 9 (same model as commit 35e9e1e: 47 hub candidates,
    #             aggregate linking); the standard form was checked entry by entry against that commit.
    # 2026-12-02: issue 8: k_nearest 4 -> 10 (every prefecture reaches more hubs: 18,573 -> 37,363 variables),
    #             'arc' linking (a row per collection or hub-to-plant arc and period), national cost-bound rows.
    # 2026-12-03: issue 8: collected linking, one bound row per collection arc and period from a region that
    #             may retain packs (flow <= collected without retention x open + retained): +3,354 rows.
    "variables": 37363,
    "constraints": 12614,
    "integers": 996,
    "nonzeros": 212919,
}

# ---------------------------------------------------------------------------------------- objective
# The Japan baseline objective in Myen and the relative tolerance it is checked to (None: skipped).
# The solve is deterministic, so a change of the plan found shows here; re-pin it with a dated note.
# 2026-12-02: pinned at issue 8 (deterministic solve: LP, dive, local search; not proven, gap 16,879 Myen).
# 2026-12-03: local search also moves builds between sites, in a second phase (improve_relocate = 2):
#             6,810,553.322 -> 6,807,663.012 Myen (not proven, gap 13,989 Myen; the LP bound unchanged).
JAPAN_BASELINE_OBJECTIVE: tuple[float, float] | None = (6807663.012, 1e-6)
# Its bound, pinned the same way. 2026-12-03: the national bound (netopt/solve/national.py) replaces the LP
# relaxation's 6,793,674 Myen; the plan is unchanged.
# 2026-12-03: the national bound with the collected-linking bound rows: 6,801,789.756 -> 6,804,349.946 Myen.
JAPAN_BASELINE_BOUND: tuple[float, float] | None = (6804349.946, 1e-7)


@pytest.fixture(scope="module")
def baseline():
    return load(JAPAN, "baseline")


def test_japan_baseline_model_size(baseline):
    assert model_size(build_model(prepare(baseline))) == JAPAN_BASELINE_SIZE


def _check_pin(pin: tuple[float, float] | None, name: str, value: float) -> None:
    if pin is None:
        pytest.skip(f"the Japan baseline {name} is not pinned yet")
    pinned, rel = pin
    assert value == pytest.approx(pinned, rel=rel)


@pytest.mark.slow
def test_japan_baseline_objective(japan_baseline_plan):
    _check_pin(JAPAN_BASELINE_OBJECTIVE, "objective", japan_baseline_plan.solved.objective)


@pytest.mark.slow
def test_japan_baseline_bound(japan_baseline_plan):
    _check_pin(JAPAN_BASELINE_BOUND, "bound", japan_baseline_plan.solved.bound)
    assert japan_baseline_plan.solved.bound_source == "national unit counts"
