"""The one module outside the facility blocks that touches the build variables.

Studies fix a plan's builds and re-solve the flows (what-if), share first-stage builds across
scenarios (robust plans) and force a site open or shut (why not here). All of that goes through
the functions below, so that a change in the form of the build decisions (``build[s,z,p]`` in
{0,1}: size z added at site s, operating from period p; see :mod:`netopt.model.facilities`) is
adapted here and nowhere else.

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


def fix_builds(m: pyo.Block, builds: Iterable[Build], through: int | None = None) -> int:
    """Fix every build decision of ``m`` (of periods <= ``through``, if given) to the plan ``builds``;
    returns the number of variables fixed. A build of the plan that ``m`` has no option for is an error."""
    wanted = Counter()
    for b in builds:
        if through is None or b.period <= through:
            wanted[(b.kind, b.site, b.size, b.period)] += b.units
    fixed = 0
    for kind, blk in _blocks(m):
        for (s, z, p) in blk.BUILD:
            if through is not None and p > through:
                continue
            units = wanted.pop((kind, s, z, p), 0)
            if units > 1:
                raise DecisionError(f"{kind} {s}: {units} units of size {z} in {p}; this model builds one at most")
            blk.build[s, z, p].fix(units)
            fixed += 1
    if wanted:
        missing = ", ".join(f"{k} {s} {z} {p}" for (k, s, z, p) in sorted(wanted))
        raise DecisionError(f"the plan builds what this model has no build option for: {missing}")
    return fixed


def first_stage_vars(m: pyo.Block, last_period: int) -> dict[tuple, pyo.Var]:
    """Build variables of the periods up to ``last_period``, keyed (kind, site, size, period)."""
    return {(kind, s, z, p): blk.build[s, z, p] for kind, blk in _blocks(m)
            for (s, z, p) in blk.BUILD if p <= last_period}


def _site_block(m: pyo.Block, site: str):
    for kind, blk in _blocks(m):
        if site in blk.SITE:
            return kind, blk
    raise DecisionError(f"no facility site {site!r} in this model")


def force_site(m: pyo.Block, site: str, open: bool, by: int | None = None) -> None:
    """Site ``site`` gets at least one build operating by period ``by`` (``open``), or none at all."""
    kind, blk = _site_block(m, site)
    options = [k for k in blk.builds_at[site] if open is False or by is None or k[2] <= by]
    if not open:
        for k in options:
            blk.build[k].fix(0)
        return
    if not options:
        when = f" operating by {by}" if by is not None else ""
        raise DecisionError(f"{kind} site {site!r} has no build option{when}; it cannot be forced open")
    if not hasattr(m, "forced_open"):
        m.forced_open = pyo.ConstraintList()
    m.forced_open.add(pyo.quicksum(blk.build[k] for k in options) >= 1)


def builds_of(m: pyo.Block, through: int | None = None) -> list[Build]:
    """The builds of a solved model (of periods <= ``through``, if given), in site and period order."""
    out = []
    for kind, blk in _blocks(m):
        for (s, z, p) in blk.BUILD:
            value = pyo.value(blk.build[s, z, p], exception=False)
            if value is not None and value > 0.5 and (through is None or p <= through):
                out.append(Build(kind=kind, site=s, size=z, period=p, units=round(value)))
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
