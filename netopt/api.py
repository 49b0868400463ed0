"""The Python API, mirroring the CLI: load, apply a scenario and overrides, build, solve, get tables.

>>> from netopt.api import run
>>> plan = run("instances/toy", scenario="baseline", solve={"mip_gap": 0.0})
>>> plan.results.metals        # a pandas DataFrame
>>> plan.write("results/toy/baseline", overwrite=True)

A run is described by a :class:`~netopt.instance.runspec.RunSpec` (``plan.spec``); ``run`` and
``load`` accept one, or build one from their arguments. Nothing passed in is changed.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from netopt import solve as solver
from netopt.instance.io import Instance
from netopt.instance.runspec import RunSpec, extend_instance
from netopt.model import build_model
from netopt.model.fixing import apply_decisions
from netopt.model.inputs import prepare
from netopt.model.staging import build_stage
from netopt.provenance import code_version
from netopt.results.diagnose import diagnose_infeasible, slack_findings
from netopt.results.extract import extract
from netopt.results.store import RunData, write_run
from netopt.solve import SolveResult

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INSTANCES = ("japan", "toy")


def default_instance() -> Path:
    """The bundled default: the Japan instance when present, else the toy."""
    for base in (Path.cwd() / "instances", REPO_ROOT / "instances"):
        for name in DEFAULT_INSTANCES:
            if (base / name / "instance.toml").exists():
                return base / name
    raise FileNotFoundError("no bundled instance found; pass the instance folder")


@dataclass
class Run:
    instance: Instance
    solved: SolveResult
    results: RunData
    seconds: dict[str, float] = field(default_factory=dict)
    log_file: Path | None = None  # kept for callers that pass one; run() keeps the log as text
    log_text: str | None = None

    @property
    def spec(self) -> RunSpec:
        return self.instance.spec

    def run_info(self) -> dict:
        """Everything needed to reproduce and judge this run (written as run.json)."""
        return {
            "instance": self.instance.name,
            "instance_path": str(self.instance.path),
            "scenario": self.instance.scenario,
            "run_id": self.spec.id,
            "run_spec": self.spec.model_dump(mode="json"),
            "inputs_sha256": self.instance.inputs_hash,
            "overrides": self.instance.overrides,
            "input_warnings": [str(w) for w in self.instance.warnings],
            "status": self.solved.status,
            "solver_status": self.solved.solver_status,
            "objective_myen": self.solved.objective,
            "reference_cost_myen": self.solved.reference,
            "controllable_cost_myen": self.solved.controllable,
            "bound_myen": self.solved.bound,
            "gap_abs_myen": self.solved.gap_abs,
            "gap_controllable": self.results.summary.get("gap_controllable"),
            "gap": self.results.summary.get("gap_controllable"),
            "gap_target_myen": self.solved.target_gap_abs,
            "bound_source": self.solved.bound_source,
            "stages": self.solved.stages,
            "options": {**self.solved.options, "log_file": "solver.log"},
            "model_size": self.solved.size,
            "seconds": {k: round(v, 3) for k, v in {**self.seconds, **self.solved.seconds}.items()},
            "versions": versions(),
            "command": " ".join(sys.argv),
            "finished_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out: str | Path, overwrite: bool = False) -> Path:
        run = RunData(summary=self.results.summary, tables=self.results.tables, run_info=self.run_info())
        return write_run(run, Path(out), overwrite=overwrite, log_file=self.log_file, log_text=self.log_text)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "netopt_code": code_version()}
    for pkg in ("netopt", "pyomo", "highspy", "pandas", "numpy", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def load(instance: str | Path | Instance | RunSpec, scenario: str | None = None, *, overrides: Sequence = (),
         solve: Mapping | None = None, seed: int | None = None) -> Instance:
    """The instance of a run: read (if given a path or a RunSpec) with the scenario ("a+b" composes;
    none = the instance's default), ``overrides``, ``solve`` settings and ``seed`` applied and logged.

    An :class:`Instance` passed with nothing else is taken as it is; with more, the more is applied
    to it (the instance passed is not changed).
    """
    extra = bool(scenario or overrides or solve or seed is not None)
    if isinstance(instance, RunSpec):
        if extra:
            raise ValueError("pass either a RunSpec or its parts, not both")
        return instance.load()
    if isinstance(instance, Instance):
        return extend_instance(instance, scenario, overrides, solve, seed) if extra else instance
    return RunSpec(instance=str(instance), scenario=scenario, overrides=tuple(overrides), solve=dict(solve or {}),
                   seed=seed).load()


def run(instance: str | Path | Instance | RunSpec, scenario: str | None = None, *, overrides: Sequence = (),
        solve: Mapping | None = None, seed: int | None = None, report: Callable[[str], None] | None = None) -> Run:
    """Load (see :func:`load`), build, solve with the instance's ``[solve]`` settings, extract the results.

    ``report`` receives one progress line per solver step (the CLI prints them)."""
    seconds = {}
    t0 = time.perf_counter()
    inst = load(instance, scenario, overrides=overrides, solve=solve, seed=seed)
    if inst.spec is None:  # an Instance as read, taken as it is
        inst = extend_instance(inst)
    seconds["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build_model(prepare(inst))
    apply_decisions(model, inst.spec.decisions)  # a plan's builds fixed, a site forced (none for most runs)
    seconds["build"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="netopt-") as folder:  # removed on every exit path but kill -9
        log_file = Path(folder) / "solver.log"
        solved = solver.solve(model, inst.settings.solve, stage_of=build_stage, log_file=log_file, report=report)
        log_text = log_file.read_text(errors="replace") if log_file.exists() else None
    solved.options = {**solved.options, "log_file": "solver.log"}
    t0 = time.perf_counter()
    results = extract(model, solved, inst.name, inst.scenario)
    seconds["extract"] = time.perf_counter() - t0
    _explain(inst, model, solved, results, seconds)
    return Run(inst, solved, results, seconds, log_text=log_text)


def _explain(inst: Instance, model, solved: SolveResult, results: RunData, seconds: dict) -> None:
    """Where slack was needed, in the summary: ``diagnosis`` (and ``kpis.slack.where``); for a strict run
    without a plan, found by solving again with the slack open (netopt.results.diagnose)."""
    t0 = time.perf_counter()
    if solved.has_solution:
        where = slack_findings(model)
        if where:
            results.summary["diagnosis"] = where
            results.summary.get("kpis", {}).get("slack", {})["where"] = where
    elif inst.settings.model.strict and solved.status in ("infeasible", "infeasible_or_unbounded"):
        results.summary["diagnosis"] = diagnose_infeasible(inst, time_limit=min(60.0, inst.settings.solve.time_limit))
        seconds["diagnosis"] = time.perf_counter() - t0
