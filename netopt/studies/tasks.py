"""What a worker does: solve one RunSpec, or one extensive form over several; return plain data.

This is the only module of the study layer that builds or solves models (through
:func:`netopt.api.run`, and for the extensive form :func:`netopt.model.build_model`,
:mod:`netopt.model.fixing` and :func:`netopt.solve.solve`). It returns tables and JSON, never
model objects. Where the worker sees the study folder (a local cluster, or a cluster on a shared
file system) it writes the run folder itself (``target``) and returns the run's summary and KPIs,
computed from the same :class:`~netopt.results.store.RunData` the folder holds; otherwise it
returns the tables and the client writes them.

A worker gets the base instance with the run's scenario applied (scattered once per scenario by
the runner) and applies the run's own overrides, solve settings and seed to it; the RunSpec id of
what it solved is checked against the task's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from netopt.instance.io import Instance
from netopt.instance.runspec import RunSpec, extend_instance

SOLVE, EXTENSIVE = "solve", "extensive_form"


@dataclass
class Outcome:
    """What came back from one task: a run's tables and JSON (solve), or the extensive form's result."""

    id: str
    ok: bool
    seconds: float  # the run's own time: build, solve, results and (``written``) its folder, as netopt solve
    summary: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    run_info: dict = field(default_factory=dict)
    log: str = ""
    error: str = ""
    info: dict = field(default_factory=dict)
    written: bool = False  # the worker wrote the run folder itself
    kpis: dict = field(default_factory=dict)  # netopt.studies.kpis.kpis of the run, if written
    years: dict = field(default_factory=dict)  # the period lengths the KPIs were computed with


class ExtensiveForm(BaseModel):
    """One model over several members (RunSpecs) sharing the build decisions up to ``first_stage``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    members: tuple[RunSpec, ...] = Field(min_length=1)
    probabilities: tuple[float, ...]
    first_stage: int
    objective: Literal["expected", "max_regret"] = "expected"
    optima: tuple[float, ...] = Field((), description="Each member's own optimum (max_regret).")

    @property
    def id(self) -> str:
        body = {"members": [m.id for m in self.members], "probabilities": self.probabilities,
                "first_stage": self.first_stage, "objective": self.objective, "optima": self.optima}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    @property
    def scenarios(self) -> list[str]:
        return sorted({m.scenario for m in self.members})


def task_kind(task) -> str:
    return EXTENSIVE if isinstance(task, ExtensiveForm) else SOLVE


def task_scenarios(task) -> list[str]:
    return task.scenarios if isinstance(task, ExtensiveForm) else [task.scenario]


def scenario_base(scenario: str, base: Instance) -> Instance:
    """The base instance as read with ``scenario`` applied (what the runner scatters)."""
    return RunSpec(instance=str(base.path), scenario=scenario, inputs_sha256=base.inputs_hash).apply(base)


def instance_of(spec: RunSpec, with_scenario: Instance) -> Instance:
    """``spec``'s instance from its scenario's instance: its overrides, settings, seed and decisions."""
    inst = extend_instance(with_scenario, None, spec.overrides, spec.solve, spec.seed)
    inst.spec = inst.spec.model_copy(update={"decisions": spec.decisions})
    if inst.spec.id != spec.id:
        raise RuntimeError(f"the worker made run {inst.spec.id[:12]} of task {spec.id[:12]}; the scattered base "
                           "differs from the study's")
    return inst


def warm() -> str:
    """Import what a run needs (run once on each new worker, so that the first task does not pay for it);
    returns the worker's :func:`netopt.provenance.code_version`."""
    import netopt.api  # noqa: F401 - pyomo, highspy, pandas and the model come with it
    import netopt.provenance

    _one_thread_scheduler()
    return netopt.provenance.code_version()


def _one_thread_scheduler() -> None:
    """HiGHS keeps one thread scheduler per process, sized by the first solve; a solve asking another
    thread count then fails with status "error". Studies solve with one thread: start its scheduler anew
    (cheap), so that runs in a process that solved otherwise before (``--workers 0``) work too."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)


def run_task(task, bases: dict[str, Instance], target: str | None = None) -> Outcome:
    """Run one task on a worker; failures come back as an Outcome with the error, never raised.

    With ``target`` (a path the worker can write), a solved run is written there and comes back as
    its summary and KPIs only."""
    t0 = time.perf_counter()
    try:
        _one_thread_scheduler()
        if isinstance(task, ExtensiveForm):
            return _extensive(task, bases, t0)
        return _solve(task, bases[task.scenario], t0, target)
    except Exception as e:  # noqa: BLE001 - a failed run is recorded and the study goes on
        tail = "".join(traceback.format_exception(e)[-3:]).strip()
        return Outcome(task.id, False, time.perf_counter() - t0, error=f"{type(e).__name__}: {e}", log=tail)


def _read_log(path: Path | None) -> str:
    if path is None or not path.exists():
        return ""
    text = path.read_text(errors="replace")
    shutil.rmtree(path.parent, ignore_errors=True)
    return text


def _solve(spec: RunSpec, with_scenario: Instance, t0: float, target: str | None) -> Outcome:
    from netopt.api import run

    inst = instance_of(spec, with_scenario)
    plan = run(inst)
    info = plan.run_info()
    info["command"] = "netopt study run (worker)"
    log = plan.log_text or _read_log(plan.log_file)
    if target is None:
        return Outcome(spec.id, True, time.perf_counter() - t0, summary=plan.results.summary,
                       tables=plan.results.tables, run_info=info, log=log)
    data = write_study_run(plan.results.summary, plan.results.tables, info, log, Path(target))
    seconds = time.perf_counter() - t0
    from netopt.studies.kpis import kpis

    years = inst.settings.period_years()
    return Outcome(spec.id, True, seconds, summary=plan.results.summary, written=True,
                   kpis=kpis(data, years), years=years)


def write_study_run(summary: dict, tables: dict, run_info: dict, log: str, target: Path):
    """Write one run of a study to ``target`` (its ``runs/<id16>`` folder) and return its RunData."""
    from netopt.results.store import RunData, write_run

    if target.is_dir() and not (target / "run.json").exists():
        shutil.rmtree(target)  # the study's own folder of an earlier failed try (write_run replaces runs only)
    data = RunData(summary=summary, tables=tables, run_info=run_info)
    write_run(data, target, overwrite=True, log_text=log)
    return data


def _solve_model(solver, model, settings, log_file: Path):
    """``netopt.solve.solve`` on the extensive form. A solver that takes relax-and-fix stages gets the
    build stages; one whose first plan is built for a single copy of the model (issue 8's) is asked for
    its branch-and-bound on the whole model instead (``warm_start = false``)."""
    import inspect

    if "stage_of" in inspect.signature(solver.solve).parameters:
        from netopt.model.staging import build_stage

        return solver.solve(model, settings, stage_of=build_stage, log_file=log_file)
    if "warm_start" in type(settings).model_fields:
        settings = settings.model_copy(update={"warm_start": False})
    return solver.solve(model, settings, log_file=log_file)


def _share_solver_hints(parent, models, probabilities, expected: bool) -> None:
    """What the solver reads off a model, for the extensive form: the members' pools of valid rows, and
    (expected cost) the probability-weighted all-virgin reference, so the gap is on the controllable cost."""
    import pyomo.environ as pyo

    for name in ("cut_pool", "redundant_rows"):
        rows = [c for m in models for c in getattr(m, name, None) or []]
        if rows:
            setattr(parent, name, rows)
    refs = [getattr(m, "reference_cost", None) for m in models]
    if expected and all(r is not None for r in refs):
        parent.reference_cost = sum(p * float(pyo.value(r)) for p, r in zip(probabilities, refs))


def _extensive(task: ExtensiveForm, bases: dict[str, Instance], t0: float) -> Outcome:
    import pyomo.environ as pyo

    from netopt import solve as solver
    from netopt.model import build_model
    from netopt.model.fixing import apply_decisions, builds_of, first_stage_vars
    from netopt.model.inputs import prepare

    parent = pyo.ConcreteModel(name="extensive_form")
    models, first = [], []
    for i, spec in enumerate(task.members):
        inst = instance_of(spec, bases[spec.scenario])
        m = build_model(prepare(inst))
        apply_decisions(m, spec.decisions)
        m.objective.deactivate()
        parent.add_component(f"member{i}", m)
        models.append(m)
        first.append(first_stage_vars(m, task.first_stage))
    keys = sorted(first[0])
    if any(sorted(f) != keys for f in first):
        raise ValueError("the members have different first-stage build options; they cannot share a first stage")
    parent.tie = pyo.Constraint([(i, k) for i in range(1, len(models)) for k in range(len(keys))],
                                rule=lambda _, i, k: first[i][keys[k]] == first[0][keys[k]])
    costs = [m.objective.expr for m in models]
    if task.objective == "expected":
        parent.objective = pyo.Objective(expr=sum(p * c for p, c in zip(task.probabilities, costs)))
    else:
        if len(task.optima) != len(models):
            raise ValueError("max_regret needs each member's own optimum")
        parent.worst_regret = pyo.Var()
        parent.regret = pyo.Constraint(range(len(models)), rule=lambda b, i: costs[i] - task.optima[i]
                                       <= b.worst_regret)
        parent.objective = pyo.Objective(expr=parent.worst_regret)
    _share_solver_hints(parent, models, task.probabilities, task.objective == "expected")
    settings = inst.settings.solve
    log_dir = Path(tempfile.mkdtemp(prefix="netopt-ef-"))
    solved = _solve_model(solver, parent, settings, log_dir / "solver.log")
    info = {"status": solved.status, "solver_status": solved.solver_status, "objective_myen": solved.objective,
            "bound_myen": solved.bound, "gap": solved.gap,
            "gap_abs_myen": None if solved.objective is None or solved.bound is None
            else solved.objective - solved.bound,
            "size": solved.size, "seconds": solved.seconds, "first_stage": task.first_stage,
            "objective": task.objective, "members": [m.id for m in task.members],
            "probabilities": list(task.probabilities)}
    if solved.has_solution:
        info["builds"] = [b.model_dump() for b in builds_of(models[0], through=task.first_stage)]
        info["member_costs_myen"] = [float(pyo.value(c)) for c in costs]
    return Outcome(task.id, solved.has_solution, time.perf_counter() - t0, info=info,
                   log=_read_log(log_dir / "solver.log"),
                   error="" if solved.has_solution else f"no plan: solver status {solved.status}")
