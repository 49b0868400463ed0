"""Running a study's tasks on Dask distributed, with an index that makes a study resumable.

:class:`Runner` takes batches of tasks (RunSpecs, or an extensive form) from a study's driver,
skips those whose id the study's ``index.csv`` already records as done, and sends the rest to
Dask: a ``LocalCluster`` with one single-threaded worker process per core (``workers``), or an
existing scheduler (``scheduler``, e.g. ``tcp://10.0.0.5:8786``). The base instance of each
scenario is scattered to the workers once; each task then carries only its RunSpec. Each run has
its folder ``runs/<id16>/`` (:func:`netopt.results.store.write_run`): the worker writes it when it
can see the study folder (always on a local cluster; on a remote one if a probe file the client
writes is visible to every worker) and returns the run's summary and KPIs, so the client does
little per run; otherwise the worker returns the tables and the client writes them. The index row
comes after the folder, so a folder the index calls done is complete. A failed task is recorded
with its error and the study goes on; running the study again retries it. ``workers=0`` runs the
tasks in this process, one after the other (for debugging: no cluster).

A rich progress bar shows runs done, failed and the time left.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from netopt.instance.io import Instance
from netopt.provenance import code_version
from netopt.studies.tasks import Outcome, run_task, scenario_base, task_kind, task_scenarios, warm, write_study_run

INDEX = "index.csv"
COLUMNS = ["id", "task", "label", "params", "status", "run_status", "objective_myen", "gap_abs_myen",
           "seconds", "folder", "error", "finished_utc", "code"]
DONE, FAILED = "done", "failed"


class StudyInterrupted(Exception):
    """The study stopped before all its runs were done (Ctrl-C or ``max_runs``); run it again to resume."""


def folder_name(task_id: str) -> str:
    return f"runs/{task_id[:16]}"


class Index:
    """``index.csv``: one row per task id. A finished task appends its row (a later row of an id
    replaces an earlier one); opening the index compacts it to one row per id, and drops a last line
    that a kill cut short. Each row records the netopt code that ran it (:func:`netopt.provenance.code_version`):
    a run made by other code is not done for this code (it runs again), since the same inputs and
    options may then give another plan."""

    def __init__(self, study_dir: Path, code: str):
        self.file = study_dir / INDEX
        self.code = code
        self.rows: dict[str, dict] = {}
        if self.file.exists():
            text = self.file.read_text()
            if text and not text.endswith("\n"):
                text = text[:text.rfind("\n") + 1]  # a row cut short by a kill: that task runs again
            if text.strip():
                df = pd.read_csv(io.StringIO(text), dtype={"id": str, "folder": str, "error": str, "code": str},
                                 keep_default_na=False)
                self.rows = {r["id"]: r for r in df.to_dict("records")}
        self._rewrite()

    def done(self, task_id: str) -> bool:
        row = self.rows.get(task_id)
        return (bool(row) and row["status"] == DONE and row.get("code") == self.code
                and (self.file.parent / row["folder"]).is_dir())

    def stale(self, task_id: str) -> bool:
        """Done, but by other netopt code (or before the index recorded the code)."""
        row = self.rows.get(task_id)
        return bool(row) and row["status"] == DONE and row.get("code") != self.code

    def record(self, row: dict) -> None:
        self.rows[row["id"]] = row
        with open(self.file, "a", newline="") as fh:
            csv.DictWriter(fh, COLUMNS).writerow(row)

    def _rewrite(self) -> None:
        tmp = self.file.with_name(f".{INDEX}.tmp")
        pd.DataFrame(list(self.rows.values()), columns=COLUMNS).to_csv(tmp, index=False)
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
        self.code = code_version()
        self.index = Index(self.dir, self.code)
        self.executed = 0  # tasks run by this runner (not skipped)
        self.skipped = 0
        self.stale = 0  # tasks done before by other netopt code, run again
        self.task_seconds = 0.0  # the tasks' own time, as the workers measured it
        self.cluster_seconds = 0.0  # starting the cluster (and warming its workers) and closing it
        self.kpis: dict[str, tuple[dict, dict]] = {}  # run id -> (period years, KPIs), from the workers
        self._client = None
        self._cluster = None
        self._shared = True  # the workers see the study folder and write the run folders themselves
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
        t0 = time.perf_counter()
        self._connect()
        self.cluster_seconds += time.perf_counter() - t0

    def _connect(self) -> None:
        from distributed import Client, LocalCluster

        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        codes = self._client.run(warm)  # every worker imports netopt and its solver once, at the start
        other = {worker: code for worker, code in codes.items() if code != self.code}
        if other:
            raise RuntimeError(f"{len(other)} Dask worker(s) run other netopt code than this client ({self.code}): "
                               + ", ".join(f"{w} has {c}" for w, c in sorted(other.items()))
                               + "; install the same netopt, highspy and pyomo on every worker")
        self._shared = not self.scheduler or self._workers_see_study_folder()

    def _workers_see_study_folder(self) -> bool:
        probe = self.dir.resolve() / f".probe-{uuid.uuid4().hex}"
        probe.write_text("netopt")
        try:
            seen = self._client.run(os.path.exists, str(probe))
            return bool(seen) and all(seen.values())
        finally:
            probe.unlink(missing_ok=True)

    def close(self) -> None:
        t0 = time.perf_counter()
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._client is not None or self._cluster is not None:
            self.cluster_seconds += time.perf_counter() - t0
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
                self.stale += self.index.stale(task.id)
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
                yield run_task(task, {s: self._base_of(s) for s in task_scenarios(task)}, self._target(task))
            return
        from distributed import as_completed

        self._futures = []
        for task, _, _ in todo:
            bases = {s: self._base_of(s) for s in task_scenarios(task)}
            self._futures.append(self._client.submit(run_task, task, bases, self._target(task),
                                                     key=f"{task_kind(task)}-{task.id}", pure=False))
        ids = {f.key: t.id for f, (t, _, _) in zip(self._futures, todo)}
        for future, outcome in as_completed(self._futures, with_results=True, raise_errors=False):
            if isinstance(outcome, Outcome):
                yield outcome
            else:  # e.g. a worker that died under the task
                error = outcome if isinstance(outcome, BaseException) else future.exception()
                yield Outcome(ids[future.key], False, 0.0, error=f"{type(error).__name__}: {error}")

    def _target(self, task) -> str | None:
        """Where the worker writes the task's run folder (None: it returns the tables instead)."""
        if not self._shared or task_kind(task) != "solve":
            return None
        return str(self.dir.resolve() / folder_name(task.id))

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
            if outcome.written:
                self.kpis[task.id] = (outcome.years, outcome.kpis)
            else:
                write_study_run(summary, outcome.tables, outcome.run_info, outcome.log, target)
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
            "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"), "code": self.code})
