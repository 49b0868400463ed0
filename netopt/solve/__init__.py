r"""Solve a built model with HiGHS, deterministically, and say how good the answer is.

Every number is on the *controllable cost*, the objective less the all-virgin reference
(:mod:`netopt.model.objective`). The target is a gap of at most

.. math:: target = \max(mip\_gap \cdot |objective - C^{ref}|,\ mip\_gap\_abs\_myen)

and "optimal" is claimed only when the bound proves it. The steps, each one HiGHS call on one
HiGHS object (one log):

1. **First plan** (:mod:`netopt.solve.first_plan`): the LP relaxation (its value is the first
   bound), a dive that rounds its builds up until they are whole, and a local search over the
   builds, each try an LP (``first_plan = "dive"``); or relax-and-fix over the build periods
   (``first_plan = "relax_and_fix"``, with ``stage_of``), each stage at most ``stage_nodes`` nodes.
   Both are limited by work (LPs, nodes, passes), not time, so the plan is the same on a loaded
   machine.
2. **National bound** (``national_nodes`` > 0, :mod:`netopt.solve.national`): every build relaxed
   except the national number of units of each kind, size and period; its branch-and-bound bound
   replaces the LP relaxation's when higher.
3. **Search** (``search_nodes`` > 0): HiGHS's branch-and-bound on the whole model from that plan,
   for at most that many nodes or until the target is proven.
4. **Fixed LP**: the builds held, the flows solved exactly; its objective is the plan's cost and
   its duals the marginal values the results report.

The wall-clock ``time_limit`` only guards: when it is hit the status is ``time_limit`` and the
plan, bound and gap so far are returned. A first Ctrl-C stops the current step and returns the
plan so far as ``interrupted`` (if a complete plan exists); a second raises :class:`Aborted`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyomo.environ as pyo

from netopt.instance.settings import SolveSettings
from netopt.solve.first_plan import dive, improve, plan_cost, relax_and_fix
from netopt.solve.highs import (
    Aborted,
    Compiled,
    Control,
    compile_model,
    load_values,
    mip_bound,
    new_highs,
    release_integers,
    row_duals,
    run,
    set_bounds,
    set_integrality,
    solution_values,
    start_from,
    use_bound_rows,
)
from netopt.solve.national import national_bound
from netopt.solve.progress import Progress, Report, share_text

__all__ = ["Aborted", "SolveResult", "model_size", "solve"]


@dataclass
class SolveResult:
    status: str  # optimal | not_proven | time_limit | interrupted | infeasible | unbounded | error
    solver_status: str  # what HiGHS said for the call that decided the status
    objective: float | None  # Myen, the plan's total discounted cost
    bound: float | None  # Myen, a proven lower bound on every plan's cost
    reference: float = 0.0  # Myen, the all-virgin reference
    target_gap_abs: float | None = None  # Myen, the gap that counts as proven
    has_solution: bool = False
    bound_source: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)  # one record per step (name, objective, bound, seconds)
    alternatives: list[dict] = field(default_factory=list)  # per build, its cheapest single change and its cost
    options: dict = field(default_factory=dict)
    duals: dict = field(default_factory=dict)  # ConstraintData -> dual (objective units per unit of rhs)
    size: dict[str, int] = field(default_factory=dict)

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def controllable(self) -> float | None:
        """Objective less the all-virgin reference (Myen)."""
        return None if self.objective is None else self.objective - self.reference

    @property
    def gap_abs(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound)

    @property
    def gap(self) -> float | None:
        """The gap as a share of |controllable cost| (inf when that is 0 and the gap is not)."""
        if self.gap_abs is None:
            return None
        scale = abs(self.controllable)
        return self.gap_abs / scale if scale > 0 else (0.0 if self.gap_abs == 0 else math.inf)

    def describe(self) -> str:
        """One line for people: status, objective, controllable cost and gap."""
        if not self.has_solution:
            return f"status {self.status}: no feasible plan ({self.solver_status})"
        gap = "unknown" if self.gap_abs is None else f"{_myen(self.gap_abs)} ({share_text(self.gap)} of controllable)"
        return (f"status {self.status}, objective {self.objective:,.0f} Myen (controllable "
                f"{self.controllable:+,.0f} vs all-virgin {self.reference:,.0f}), bound {_myen(self.bound)}, "
                f"gap {gap}, target {_myen(self.target_gap_abs)}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("duals")
        d.update(controllable=self.controllable, gap_abs=self.gap_abs, gap=self.gap)
        return d


def _myen(x: float | None) -> str:
    return "unknown" if x is None else f"{x:,.0f} Myen"


def solve(model: pyo.ConcreteModel, options: SolveSettings | None = None, stage_of=None,
          log_file: str | Path | None = None, report: Report | None = None) -> SolveResult:
    """Solve ``model`` (steps in the module docstring); load the plan (if any) into its variables.

    ``stage_of(var)`` names the relax-and-fix stage (a sortable key) of each integer variable, None
    for none; without it the search starts cold. ``report`` receives one progress line per step.
    """
    options = options or SolveSettings()
    control = Control(float(options.time_limit))
    compiled = compile_model(model)
    seconds = {"compile": control.elapsed()}
    h = new_highs(compiled, options.threads, options.seed, log_file)
    seconds["handoff"] = control.elapsed() - seconds["compile"]
    progress = Progress(compiled.reference, options, control, report)
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("mip_abs_gap", float(options.mip_gap_abs_myen))

    values, bound = None, None
    columns = np.flatnonzero(compiled.integer)
    if len(columns) and options.warm_start and options.first_plan == "dive":
        values, bound = dive(h, compiled, options, control, progress)
    elif len(columns) and options.warm_start and stage_of is not None:
        values, bound = relax_and_fix(h, compiled, stage_of, options, control, progress)
    if values is not None and options.improve_passes > 0 and not control.stopped:
        values = improve(h, compiled, values, options, control, progress)
    use_bound_rows(h, compiled, on=True)
    if values is not None and not control.stopped and not proven(compiled, values, bound, options):
        bound = national_bound(h, compiled, values, bound, options, control, progress)
    if len(columns) and not control.stopped and options.search_nodes > 0 and not proven(
            compiled, values, bound, options):
        values, bound = search(h, compiled, values, bound, options, control, progress)
    elif not len(columns) and not control.stopped:  # an LP
        status = run(h, control)
        values = solution_values(h) if status == "optimal" else None
        bound = None if values is None else h.getInfo().objective_function_value
        progress.step("LP", status, None if values is None else bound, bound)

    result = SolveResult("error", progress.solver_status, None, None, reference=compiled.reference,
                         size=compiled.size, stages=progress.records, bound_source=progress.bound_source)
    if values is not None and len(columns):
        values = fixed_lp(h, compiled, values, control, progress)
    _finish(result, h, compiled, values, bound, progress, control, options)
    seconds["solve"] = control.elapsed() - seconds["compile"] - seconds["handoff"]
    result.seconds = seconds
    result.options = {**options.model_dump(), "log_file": None if log_file is None else str(log_file)}
    return result


def _finish(result: SolveResult, h, compiled: Compiled, values, bound, progress: Progress, control: Control,
            options: SolveSettings) -> None:
    result.solver_status = progress.solver_status
    if values is None:
        result.status = progress.failure()
        return
    result.has_solution = True
    result.alternatives = progress.alternatives
    result.objective = plan_cost(compiled, values) + compiled.reference
    result.bound = None if bound is None else min(bound + compiled.reference, result.objective)
    result.bound_source = progress.bound_source
    result.target_gap_abs = target_gap(result.controllable, options)
    load_values(compiled, values)
    if options.duals and progress.last_status == "optimal":
        result.duals = row_duals(h, compiled)
    proven = result.gap_abs is not None and result.gap_abs <= result.target_gap_abs + 1e-9
    if proven:
        result.status = "optimal"
    elif control.interrupted:
        result.status = "interrupted"
    elif control.timed_out:
        result.status = "time_limit"
    else:
        result.status = "not_proven"


def target_gap(controllable: float, options: SolveSettings) -> float:
    """The gap (Myen) that counts as proven for a plan of this controllable cost."""
    return max(options.mip_gap * abs(controllable), options.mip_gap_abs_myen)


def proven(compiled: Compiled, values: np.ndarray | None, bound: float | None, options: SolveSettings) -> bool:
    """True if the plan ``values`` is within the target of ``bound`` (both on the controllable cost)."""
    if values is None or bound is None:
        return False
    cost = plan_cost(compiled, values)
    return cost - bound <= target_gap(cost, options) + 1e-9


def search(h, compiled: Compiled, values, bound, options: SolveSettings, control: Control,
           progress: Progress) -> tuple[np.ndarray | None, float | None]:
    """Step 2: branch-and-bound on the whole model from ``values``, at most ``search_nodes`` nodes."""
    release_integers(h, compiled, integer=True)
    h.setOptionValue("mip_max_nodes", int(options.search_nodes))
    if values is not None:
        start_from(h, values)
    status = run(h, control)
    found, found_bound = solution_values(h), mip_bound(h)
    if found_bound is not None and (bound is None or found_bound > bound):
        bound, progress.bound_source = found_bound, "HiGHS branch-and-bound"
    if found is not None:
        values = found
    progress.step("search", status, None if values is None else plan_cost(compiled, values), bound)
    return values, bound


def fixed_lp(h, compiled: Compiled, values: np.ndarray, control: Control, progress: Progress) -> np.ndarray:
    """Step 3: the builds held at ``values``, the flows re-solved as an LP (its duals are the results')."""
    columns = np.flatnonzero(compiled.integer)
    fixed = np.round(values[columns])
    use_bound_rows(h, compiled, on=False)  # they never bind a plan; off, they cannot take a degenerate dual
    set_integrality(h, columns, False)
    set_bounds(h, columns, fixed, fixed)
    start_from(h, values)
    saved = control.interrupted
    control.interrupted = False  # a Ctrl-C before this step still gets the plan's exact flows
    status = run(h, control)
    control.interrupted = control.interrupted or saved
    exact = solution_values(h) if status == "optimal" else None
    progress.step("fixed LP", status, None if exact is None else h.getInfo().objective_function_value, None,
                  decides=False)
    return values if exact is None else exact


def model_size(model: pyo.ConcreteModel) -> dict[str, int]:
    """Variables, constraints, nonzeros and integers of ``model`` as HiGHS receives it (no solve)."""
    return compile_model(model).size
