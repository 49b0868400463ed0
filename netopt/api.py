"""The Python API, mirroring the CLI: load, apply a scenario, build, solve, get tables.

>>> from netopt.api import run
>>> plan = run("instances/toy", scenario="baseline")
>>> plan.results.metals        # a pandas DataFrame
>>> plan.write("results/toy/baseline", overwrite=True)
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from netopt.data import Instance, load_instance
from netopt.model import build_model, build_stage, prepare
from netopt.results import Results, extract, write
from netopt.scenarios import apply_scenario
from netopt.solve import SolveOptions, SolveResult, solve

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
    results: Results
    seconds: dict[str, float] = field(default_factory=dict)
    log_file: Path | None = None

    def run_info(self) -> dict:
        """Everything needed to reproduce and judge this run (written as run.json)."""
        return {
            "instance": self.instance.name,
            "instance_path": str(self.instance.path),
            "scenario": self.instance.scenario,
            "inputs_sha256": self.instance.inputs_hash,
            "overrides": self.instance.overrides,
            "status": self.solved.status,
            "solver_status": self.solved.solver_status,
            "objective_myen": self.solved.objective,
            "bound_myen": self.solved.bound,
            "gap": self.solved.gap,
            "bound_source": self.solved.bound_source,
            "options": {**self.solved.options, "log_file": "solver.log"},
            "model_size": self.solved.size,
            "seconds": {k: round(v, 3) for k, v in {**self.seconds, **self.solved.seconds}.items()},
            "versions": versions(),
            "command": " ".join(sys.argv),
            "finished_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }

    def write(self, out: str | Path, overwrite: bool = False) -> Path:
        return write(self.results, self.run_info(), Path(out), overwrite=overwrite, log_file=self.log_file)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("netopt", "pyomo", "highspy", "pandas", "numpy", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def load(instance: str | Path | Instance, scenario: str | None = None) -> Instance:
    """Load (if given a path) and apply a scenario ("a+b" composes; none = the instance's default).

    An :class:`Instance` passed without a scenario is taken as it is.
    """
    if isinstance(instance, Instance):
        return instance if scenario is None else apply_scenario(instance, scenario)
    return apply_scenario(load_instance(instance), scenario)


def run(instance: str | Path | Instance, scenario: str | None = None,
        options: SolveOptions | None = None) -> Run:
    """Load, apply ``scenario``, build, solve and extract the results."""
    options = options or SolveOptions()
    seconds = {}
    t0 = time.perf_counter()
    inst = load(instance, scenario)
    seconds["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    inputs = prepare(inst)
    model = build_model(inputs)
    seconds["build"] = time.perf_counter() - t0
    if options.log_file is None:
        options.log_file = str(Path(tempfile.mkdtemp(prefix="netopt-")) / "solver.log")
    solved = solve(model, options, stage_of=build_stage)
    t0 = time.perf_counter()
    results = extract(model, solved, inst.name, inst.scenario)
    seconds["extract"] = time.perf_counter() - t0
    return Run(inst, solved, results, seconds, Path(options.log_file))
