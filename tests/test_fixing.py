"""netopt/model/fixing.py on both forms of the build decisions: binary builds and cumulative units.

The cumulative form (``units[s,z,p]``: units in operation) is mimicked by a small stand-in model, so
that the module is ready for it before the model uses it."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from netopt.catalogue import FACILITY_KINDS
from netopt.instance.decisions import Build
from netopt.model.fixing import DecisionError, builds_of, first_stage_vars, fix_builds, force_site

PERIODS = (2025, 2030, 2035)


def stand_in(cumulative: bool) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    for kind in FACILITY_KINDS:
        b = pyo.Block()
        m.add_component(kind.block, b)
        site = f"{kind.kind}-1"
        b.SITE = pyo.Set(initialize=[site])
        keys = [(site, z, p) for z in ("S", "L") for p in PERIODS]
        if cumulative:
            b.units = pyo.Var(keys, domain=pyo.NonNegativeIntegers, bounds=(0, 3))
        else:
            b.build = pyo.Var(keys, domain=pyo.Binary)
            b.builds_at = {site: keys}
    return m


PLAN = [Build(kind="pretreatment", site="pretreatment-1", size="S", period=2025),
        Build(kind="pretreatment", site="pretreatment-1", size="S", period=2035, units=2),
        Build(kind="refinery", site="refinery-1", size="L", period=2030)]


def test_fixing_units_fixes_the_running_count():
    m = stand_in(cumulative=True)
    fix_builds(m, PLAN)
    units = m.pretreatment.units
    assert [units["pretreatment-1", "S", p].value for p in PERIODS] == [1, 1, 3]
    assert [m.refineries.units["refinery-1", "L", p].value for p in PERIODS] == [0, 1, 1]
    assert all(v.fixed for v in units.values())
    assert builds_of(m) == PLAN


def test_fixing_binary_builds_refuses_two_units():
    m = stand_in(cumulative=False)
    with pytest.raises(DecisionError, match="2 units of size S in 2035"):
        fix_builds(m, PLAN)
    fix_builds(m, PLAN[:1] + PLAN[2:])
    assert builds_of(m) == PLAN[:1] + PLAN[2:]


@pytest.mark.parametrize("cumulative", [True, False])
def test_first_stage_only_and_forcing(cumulative):
    m = stand_in(cumulative)
    fix_builds(m, PLAN, through=2030)
    var = m.pretreatment.units if cumulative else m.pretreatment.build
    held = {str(c.body): c.upper for c in m.held_decisions.values()}  # rows var == value: still columns
    assert held["pretreatment.units[pretreatment-1,S,2030]" if cumulative else
                "pretreatment.build[pretreatment-1,S,2030]"] == (1 if cumulative else 0)
    assert not any(v.fixed for v in var.values())
    assert not any("2035" in name for name in held)
    first = first_stage_vars(m, 2030)
    assert set(first) == {(k.kind, f"{k.kind}-1", z, p) for k in FACILITY_KINDS for z in ("S", "L")
                          for p in (2025, 2030)}
    force_site(m, "hub-1", open=True, by=2030)
    row = m.forced_open[1]
    names = sorted(str(v) for v in pyo.expr.identify_variables(row.body))
    if cumulative:  # units in operation in 2030, every size
        assert names == ["hubs.units[hub-1,L,2030]", "hubs.units[hub-1,S,2030]"]
    else:  # any build operating by 2030
        assert len(names) == 4
    force_site(m, "refinery-1", open=False)
    assert {f"refineries.{'units' if cumulative else 'build'}[refinery-1,{z},{p}]" for z in ("S", "L")
            for p in PERIODS} <= {str(c.body) for c in m.held_decisions.values() if c.upper == 0}
    with pytest.raises(DecisionError, match="no facility site"):
        force_site(m, "nowhere", open=True)
