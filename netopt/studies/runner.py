"""Running a study's tasks on Dask distributed, with an index that makes a study resumable.

:class:`Runner` takes batches of tasks (RunSpecs, or an extensive form) from a study's driver,
skips those whose id the study's ``index.csv`` already records as done, and sends the rest to
Dask: a ``LocalCluster`` with one single-threaded worker process per core (``workers``), or an
existing scheduler (``scheduler``, e.g. ``tcp://10.0.0.5:8786``). The base instance of each
scenario is scattered to the workers once; each task then carries only its RunSpec. Workers
return tables and JSON (:mod:`netopt.studies.tasks`); the client writes every run folder
(``runs/<id16>/``, :func:`netopt.results.store.write_run`) and then its index row, so a folder
the index calls done is complete. A failed task is recorded with its error and the study goes on;
running the study again retries it. ``workers=0`` runs the tasks in this process, one after the
other (for debugging: no cluster).

A rich progress bar shows runs done, failed and the time left.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from netopt.instance.io import Instance
from netopt.results.store import RunData, write_run
from netopt.studies.tasks import Outcome, run_task, scenario_base, task_kind, task_scenarios, warm

INDEX = "index.csv"
COLUMNS = ["id", "task", "label", "params", "status", "run_status", "objective_myen", "gap_abs_myen",
           "seconds", "folder", "error", "finished_utc"]
DONE, FAILED = "done", "failed"


class StudyInterrupted(Exception):
    """The study stopped before all its runs were done (Ctrl-C or ``max_runs``); run it again to resume."""


def folder_name(task_id: str) -> str:
    return f"runs/{task_id[:16]}"


class Index:
    """``index.csv``: one row per task id, rewritten atomically after every finished task."""

    def __init__(self, study_dir: Path):
        self.file = study_dir / INDEX
        self.rows: dict[str, dict] = {}
        if self.file.exists():
            df = pd.read_csv(self.file, dtype={"id": str, "folder": str, "error": str}, keep_default_na=False)
            self.rows = {r["id"]: r for r in df.to_dict("records")}

    def done(self, task_id: str) -> bool:
        row = self.rows.get(task_id)
        return bool(row) and row["status"] == DONE and (self.file.parent / row["folder"]).is_dir()

    def record(self, row: dict) -> None:
        self.rows[row["id"]] = row
        df = pd.DataFrame(list(self.rows.values()), columns=COLUMNS)
        tmp = self.file.with_name(f".{INDEX}.tmp")
        df.to_csv(tmp, index=False)
        os.replace(tmp, self.file)


class Runner:
    """Runs batches of tasks for one study folder; see the module docstring."""

    def __init__(self, study_dir: str | Path, base: Instance, workers: int | None = None,
                 scheduler: str | None = None, progress: bool = True, max_runs: int | None = None):
        self.dir = Path(study_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.base = base
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.scheduler = scheduler
        self.progress = progress
        self.max_runs = max_runs
        self.index = Index(self.dir)
        self.executed = 0  # tasks run by this runner (not skipped)
        self.skipped = 0
        self.task_seconds = 0.0  # the tasks' own time, as the workers measured it
        self._client = None
        self._cluster = None
        self._bases: dict[str, object] = {}  # scenario -> its base instance (scattered future, or the value)

    # ------------------------------------------------------------ cluster

    @property
    def parallel(self) -> int:
        """How many tasks run at once (for drivers that choose how many points to try per round)."""
        if self.scheduler and self._client is not None:
            return max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))
        return max(1, self.workers)

    def _start(self) -> None:
        if self._client is not None or (self.workers == 0 and not self.scheduler):
            return
        from distributed import Client, LocalCluster

        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        self._client.run(warm)  # every worker imports netopt and its solver once, at the start

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
        self._bases = {}

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _base_of(self, scenario: str) -> object:
        if scenario not in self._bases:
            inst = scenario_base(scenario, self.base)
            self._bases[scenario] = self._client.scatter(inst, broadcast=True, hash=False) if self._client else inst
        return self._bases[scenario]

    # ------------------------------------------------------------ running

    def run(self, tasks: list, labels: list[str] | None = None, params: list[dict] | None = None,
            title: str = "runs") -> dict[str, dict]:
        """Run ``tasks`` (skipping those done); return each task's index row by id (done or failed)."""
        labels = labels or [""] * len(tasks)
        params = params or [{}] * len(tasks)
        todo, seen = [], set()
        for task, label, par in zip(tasks, labels, params):
            if task.id in seen:
                continue
            seen.add(task.id)
            if self.index.done(task.id):
                self.skipped += 1
            else:
                todo.append((task, label, par))
        if todo:
            self._execute(todo, title)
        return {t.id: self.index.rows[t.id] for t in tasks if t.id in self.index.rows}

    def _execute(self, todo: list, title: str) -> None:
        self._start()
        meta = {task.id: (task, label, par) for task, label, par in todo}
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("left"),
                   TimeRemainingColumn())
        console = Console(stderr=True)
        with Progress(*columns, console=console, disable=not self.progress, transient=False) as bar:
            job = bar.add_task(title, total=len(todo), failed=0)
            failed = 0
            try:
                for outcome in self._outcomes(todo):
                    task, label, par = meta[outcome.id]
                    self._record(task, label, par, outcome)
                    failed += not outcome.ok
                    bar.update(job, advance=1, failed=failed)
                    if self.max_runs is not None and self.executed >= self.max_runs:
                        raise StudyInterrupted(f"stopped after {self.executed} runs (max_runs)")
            except KeyboardInterrupt:
                raise StudyInterrupted(f"interrupted after {self.executed} runs") from None
            finally:
                self._cancel()

    def _outcomes(self, todo: list):
        if self._client is None:
            for task, _, _ in todo:
                yield run_task(task, {s: self._base_of(s) for s in task_scenarios(task)})
            return
        from distributed import as_completed

        self._futures = []
        for task, _, _ in todo:
            bases = {s: self._base_of(s) for s in task_scenarios(task)}
            self._futures.append(self._client.submit(run_task, task, bases, key=f"{task_kind(task)}-{task.id}",
                                                     pure=False))
        ids = {f.key: t.id for f, (t, _, _) in zip(self._futures, todo)}
        for future in as_completed(self._futures):
            try:
                yield future.result()
            except Exception as e:  # noqa: BLE001 - e.g. a worker that died under the task
                yield Outcome(ids[future.key], False, 0.0, error=f"{type(e).__name__}: {e}")

    def _cancel(self) -> None:
        futures = getattr(self, "_futures", [])
        if futures and self._client is not None:
            self._client.cancel([f for f in futures if not f.done()])
        self._futures = []

    def _record(self, task, label: str, par: dict, outcome: Outcome) -> None:
        self.executed += 1
        self.task_seconds += outcome.seconds
        folder = folder_name(task.id)
        target = self.dir / folder
        summary = outcome.summary or {}
        if outcome.ok and task_kind(task) == "solve":
            if target.is_dir() and not (target / "run.json").exists():
                shutil.rmtree(target)  # the study's own folder of an earlier failed try (write_run replaces runs only)
            with tempfile.TemporaryDirectory(prefix="netopt-log-") as tmp:
                log = Path(tmp) / "solver.log"
                log.write_text(outcome.log)
                write_run(RunData(summary=summary, tables=outcome.tables, run_info=outcome.run_info), target,
                          overwrite=True, log_file=log)
        else:
            target.mkdir(parents=True, exist_ok=True)
            name = "extensive_form.json" if outcome.ok else "error.json"
            body = outcome.info if outcome.ok else {"id": task.id, "error": outcome.error, "traceback": outcome.log}
            (target / name).write_text(json.dumps(body, indent=2, default=str) + "\n")
            if outcome.ok and outcome.log:
                (target / "solver.log").write_text(outcome.log)
        head = outcome.info if task_kind(task) != "solve" else summary
        self.index.record({
            "id": task.id, "task": task_kind(task), "label": label, "params": json.dumps(par, sort_keys=True),
            "status": DONE if outcome.ok else FAILED, "run_status": head.get("status", ""),
            "objective_myen": head.get("objective_myen"), "gap_abs_myen": head.get("gap_abs_myen"),
            "seconds": round(outcome.seconds, 3), "folder": folder, "error": outcome.error,
            "finished_utc": datetime.now(UTC).isoformat(timespec="seconds")})

