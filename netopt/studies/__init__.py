"""The study layer: many runs of one instance, asked one question (beside the flow, above the API).

A study is a TOML file in ``instances/<name>/studies/`` (:mod:`netopt.studies.spec`) naming a base
(instance, scenario, overrides, solve settings), a kind and its parameters. :func:`run_study`
reads and checks it (:mod:`netopt.studies.study`), lets the kind's driver issue its runs as
RunSpecs to the :class:`~netopt.studies.runner.Runner` (Dask distributed, resumable through the
study's ``index.csv``), reads every run back from its folder and writes the kind's tables::

    results/<instance>/studies/<study>/
        study.toml        the study file as run          index.csv   one row per run (RunSpec id)
        result.json       notes, counts, timings          <table>.csv the kind's tables
        runs/<id16>/      one ordinary run folder per run (run.json, summary.json, tables, solver.log)

Kinds (one module each): ``compare``, ``regret`` (evaluate.py), ``sweep`` and ``tornado``
(sweep.py), ``breakeven``, ``montecarlo``, ``robust``, ``pareto``, ``whynot``.
``netopt study report STUDY_DIR`` (:mod:`netopt.studies.report`) turns a study folder into an
offline HTML report and an Excel workbook.

Only :mod:`netopt.studies.tasks` (run on the workers) builds or solves models; everything else
reads run folders through :func:`netopt.results.store.read_run`.
"""

from __future__ import annotations

import importlib
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from netopt.studies.runner import FAILED, Runner

DRIVERS = {"compare": "compare", "regret": "evaluate", "sweep": "sweep", "tornado": "sweep",
           "breakeven": "breakeven", "montecarlo": "montecarlo", "robust": "robust", "pareto": "pareto",
           "whynot": "whynot"}
RESULT = "result.json"


class StudyMismatch(Exception):
    """The output folder holds another study's runs."""


def driver(kind: str):
    module = importlib.import_module(f"netopt.studies.{DRIVERS[kind]}")
    return getattr(module, f"drive_{kind}", None) or module.drive


def run_study(path: str | Path, out: str | Path | None = None, workers: int | None = None,
              scheduler: str | None = None, progress: bool = True, max_runs: int | None = None) -> Path:
    """Run the study in file ``path`` into ``out`` (default results/<instance>/studies/<name>); returns ``out``.

    Runs already done in ``out`` are skipped; raises StudyInterrupted if stopped (Ctrl-C, ``max_runs``)."""
    from netopt.studies.study import load_study

    study = load_study(path)
    out = Path(out) if out is not None else study.default_out()
    previous = out / RESULT
    if previous.exists():
        kind = json.loads(previous.read_text()).get("kind")
        if kind != study.kind:
            raise StudyMismatch(f"{out} holds a {kind} study; give another --out for this {study.kind} study")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, out / "study.toml")
    t0 = time.perf_counter()
    with Runner(out, study.instance, workers=workers, scheduler=scheduler, progress=progress,
                max_runs=max_runs) as runner:
        result = driver(study.kind)(study, runner)
        parallel = runner.parallel
    stats = {"executed": runner.executed, "skipped": runner.skipped, "stale": runner.stale,
             "task_seconds": round(runner.task_seconds, 3),
             "cluster_seconds": round(runner.cluster_seconds, 3), "workers": parallel,
             "scheduler": scheduler or ("LocalCluster" if runner.workers else "none")}
    wall = time.perf_counter() - t0
    for name, df in result.tables.items():
        df.to_csv(out / f"{name}.csv", index=False)
    failed = sum(1 for r in runner.index.rows.values() if r["status"] == FAILED)
    body = {"study": study.name, "kind": study.kind, "description": study.spec_file.study.description,
            "instance": study.instance.name, "instance_path": str(study.instance.path),
            "base_scenario": study.scenario(), "tables": sorted(result.tables), "notes": result.notes,
            "runs": len(runner.index.rows), "failed": failed, "stats": {**stats, "wall_seconds": round(wall, 3)},
            "finished_utc": datetime.now(UTC).isoformat(timespec="seconds")}
    (out / RESULT).write_text(json.dumps(body, indent=2, default=_json) + "\n")
    return out


def _json(x):
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, set | tuple):
        return list(x)
    return str(x)
