"""The one module outside the facility blocks that touches the build variables.

Studies fix a plan's builds and re-solve the flows (what-if), share first-stage builds across
scenarios (robust plans) and force a site open or shut (why not here). All of that goes through
the functions below, so that a change in the form of the build decisions is adapted here and
nowhere else. Two forms are understood: ``build[s,z,p]`` in {0,1} (size z added at site s,
operating from period p; :mod:`netopt.model.facilities`), and the cumulative form
``units[s,z,p]`` (integer units of size z in operation at s in period p, ``build`` then being the
expression units[p] - units[p-1]); a block with a ``units`` variable is taken to be the latter.

- :func:`fix_builds`: every build option fixed to a plan (those of periods <= ``through`` only, if given).
- :func:`first_stage_vars`: the build variables of the periods up to a given one, keyed alike in
  every model built from the same sites and options (so that copies can be tied together).
- :func:`force_site`: a candidate site must get a build (by a period) or must get none.
- :func:`builds_of`: the builds of a solved model, as :class:`~netopt.instance.decisions.Build` values.
- :func:`apply_decisions`: the decisions of a run spec, in order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pyomo.environ as pyo

from netopt.catalogue import FACILITY_KINDS
from netopt.instance.decisions import Build, FixBuilds, ForceSite


class DecisionError(ValueError):
    """A decision that the model cannot take (a build that is not an option, a site that is no candidate)."""


def _blocks(m: pyo.Block):
    for kind in FACILITY_KINDS:
        yield kind.kind, getattr(m, kind.block)


def _cumulative(blk) -> bool:
    """True for the units form: ``units[s,z,p]`` (integer) units of size z in operation at s in period p,
    with ``build`` an expression of it; False for the build form: ``build[s,z,p]`` in {0,1} a variable."""
    return isinstance(getattr(blk, "units", None), pyo.Var)


def _decisions(blk) -> pyo.Var:
    return blk.units if _cumulative(blk) else blk.build


def _keys(blk) -> list[tuple]:
    """(site, size, period) of every decision variable of ``blk``, in period order per site and size."""
    return sorted(_decisions(blk), key=lambda k: (k[0], k[1], k[2]))


def _pin(var, value: float, eliminate: bool) -> None:
    """Hold ``var`` at ``value``: fixed (the compiler then drops it: with every build fixed the model is an
    LP), or, when only some decisions are held, by a row ``var == value`` of the model's ``held_decisions``,
    so that the variable stays a column and any heuristic that keeps the model's rows keeps the decision."""
    if eliminate:
        var.fix(value)
        return
    m = var.model()
    if not hasattr(m, "held_decisions"):
        m.held_decisions = pyo.ConstraintList()
    m.held_decisions.add(var == value)


def fix_builds(m: pyo.Block, builds: Iterable[Build], through: int | None = None) -> int:
    """Fix every build decision of ``m`` (of periods <= ``through``, if given) to the plan ``builds``;
    returns the number of variables fixed. A build of the plan that ``m`` has no option for is an error.
    With ``through`` the decisions are held by rows (see :func:`_pin`), else fixed."""
    wanted = Counter()
    for b in builds:
        if through is None or b.period <= through:
            wanted[(b.kind, b.site, b.size, b.period)] += b.units
    fixed = 0
    for kind, blk in _blocks(m):
        var, cumulative = _decisions(blk), _cumulative(blk)
        running: Counter = Counter()
        for (s, z, p) in _keys(blk):
            if through is not None and p > through:
                continue
            units = wanted.pop((kind, s, z, p), 0)
            if cumulative:
                running[(s, z)] += units
                _pin(var[s, z, p], running[(s, z)], through is None)
            else:
                if units > 1:
                    raise DecisionError(f"{kind} {s}: {units} units of size {z} in {p}; this model builds one at most")
                _pin(var[s, z, p], units, through is None)
            fixed += 1
    if wanted:
        missing = ", ".join(f"{k} {s} {z} {p}" for (k, s, z, p) in sorted(wanted))
        raise DecisionError(f"the plan builds what this model has no build option for: {missing}")
    return fixed


def first_stage_vars(m: pyo.Block, last_period: int) -> dict[tuple, pyo.Var]:
    """The build decisions of the periods up to ``last_period`` (variables), keyed (kind, site, size, period).
    Tied across copies of the model, they make the builds of those periods one decision."""
    return {(kind, s, z, p): _decisions(blk)[s, z, p] for kind, blk in _blocks(m)
            for (s, z, p) in _keys(blk) if p <= last_period}


def _site_block(m: pyo.Block, site: str):
    for kind, blk in _blocks(m):
        if site in blk.SITE:
            return kind, blk
    raise DecisionError(f"no facility site {site!r} in this model")


def force_site(m: pyo.Block, site: str, open: bool, by: int | None = None) -> None:
    """Site ``site`` gets at least one build operating by period ``by`` (``open``), or none at all."""
    kind, blk = _site_block(m, site)
    var = _decisions(blk)
    keys = [k for k in _keys(blk) if k[0] == site]
    if not open:
        for k in keys:
            _pin(var[k], 0, eliminate=False)
        return
    keys = [k for k in keys if by is None or k[2] <= by]
    if not keys:
        when = f" operating by {by}" if by is not None else ""
        raise DecisionError(f"{kind} site {site!r} has no build option{when}; it cannot be forced open")
    if _cumulative(blk):  # units in operation in the last period allowed
        last = max(k[2] for k in keys)
        keys = [k for k in keys if k[2] == last]
    if not hasattr(m, "forced_open"):
        m.forced_open = pyo.ConstraintList()
    m.forced_open.add(pyo.quicksum(var[k] for k in keys) >= 1)


def builds_of(m: pyo.Block, through: int | None = None) -> list[Build]:
    """The builds of a solved model (of periods <= ``through``, if given), in site and period order."""
    out = []
    for kind, blk in _blocks(m):
        var, cumulative = _decisions(blk), _cumulative(blk)
        before: dict[tuple, float] = {}
        for (s, z, p) in _keys(blk):
            value = pyo.value(var[s, z, p], exception=False) or 0.0
            added = value - before.get((s, z), 0.0) if cumulative else value
            before[(s, z)] = value
            if added > 0.5 and (through is None or p <= through):
                out.append(Build(kind=kind, site=s, size=z, period=p, units=round(added)))
    return out


def apply_decisions(m: pyo.Block, decisions: Iterable) -> None:
    """Apply the decisions of a run spec to the built model ``m``, in order."""
    for d in decisions:
        if isinstance(d, FixBuilds):
            fix_builds(m, d.builds, d.through)
        elif isinstance(d, ForceSite):
            force_site(m, d.site, d.open, d.by)
        else:  # pragma: no cover - the Decision union lists them all
            raise DecisionError(f"unknown decision {d!r}")
