"""What the study layer costs: parallel efficiency and per-run overhead, an evaluate, each kind on Japan.

    python benchmarks/studies.py sweep [--runs 100] [--workers 2]     # synthetic instance, 1 vs N workers
    python benchmarks/studies.py evaluate PLAN_RUN --scenario B       # a plan's builds fixed, under B
    python benchmarks/studies.py kinds [STUDIES_DIR]                  # runs x seconds of each study folder

``sweep`` writes a small synthetic instance (netopt.tools.synthetic: 10 regions, 5 hubs, 3
black-mass plants, 2 refineries, 3 periods) and a sweep of ``--runs`` points (metal prices x
end-of-life supply), and runs it as a user would, each time a fresh ``netopt study run`` into a
fresh folder: on a LocalCluster of 1 worker, then of ``--workers`` workers. It prints

- the parallel efficiency W1 / (N x WN), on the study's own wall time (result.json: from the
  runner's start to its end, cluster start and stop included) and on the whole command;
- the ceiling the machine itself sets: the same runs without Dask, in one plain process
  (``--workers 0``) and split between N plain processes started at once. Two CPU-bound processes
  on a 2-core virtual machine each run slower than one alone (shared caches and memory, the host);
  no scheduler can beat that ratio, and the difference between it and the Dask efficiency is what
  the study machinery loses;
- the per-run overhead of the study machinery: with one worker, the study's wall time not spent
  inside the runs (a run's own time is what ``netopt solve`` does: build, solve, results, write its
  folder), less the cluster's start and stop (a fixed cost, printed with it): scattering, the
  scheduler, the index, the KPIs, the study's tables; per run and as a share of a run's own time,
  and again with the fixed cost spread over the runs;
- how busy the workers were (the runs' own time over workers x wall), which the load does not change.

``kinds`` reads every finished study folder under STUDIES_DIR (default results/japan/studies)
and prints, per kind, the runs, the runs' own seconds in total and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from netopt.tools.synthetic import write_synthetic

ROOT = Path(__file__).resolve().parents[1]

SWEEP = """
[study]
kind = "sweep"
description = "Benchmark: {n} runs on a synthetic instance."
[base]
solve = {{ mip_gap = 0.001, time_limit = 120 }}
[[parameter]]
name = "prices"
table = "metal_prices"
column = "virgin_price_myen_per_t"
values = {prices}
[[parameter]]
name = "supply"
table = "supply"
column = "eol_packs_t_per_yr"
values = {supply}
"""


def _study_file(folder: Path, name: str, prices, supply) -> Path:
    path = folder / "studies" / f"{name}.toml"
    path.write_text(SWEEP.format(n=len(prices) * len(supply), prices=[round(float(v), 6) for v in prices],
                                 supply=[round(float(v), 6) for v in supply]))
    return path


def _start(study: Path, out: Path, workers: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "netopt.cli", "study", "run", str(study), "--workers",
                             str(workers), "--out", str(out), "--no-progress"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, t0: float) -> float:
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"netopt study run failed:\n{err}")
    return time.perf_counter() - t0


def _stats(out: Path) -> dict:
    stats = json.loads((out / "result.json").read_text())["stats"]
    index = pd.read_csv(out / "index.csv")
    return {"cluster_seconds": 0.0, **stats, "failed": int((index["status"] != "done").sum()),
            "mean": index["seconds"].mean(), "median": index["seconds"].median()}


def sweep(runs: int, workers: int) -> None:
    a = max(1, round(runs ** 0.5))
    b = max(1, runs // a)
    n_runs = a * b
    prices, supply = np.linspace(0.6, 1.6, a), np.linspace(0.7, 1.3, b)
    tmp = Path(tempfile.mkdtemp(prefix="netopt-bench-"))
    inst = write_synthetic(tmp / "synthetic", regions=10, hubs=5, plants=3, refineries=2, demand_sites=2, seed=1)
    (inst / "studies").mkdir()
    study = _study_file(inst, "sweep", prices, supply)
    parts = [_study_file(inst, f"part{i}", chunk, supply) for i, chunk in enumerate(np.array_split(prices, workers))]
    print(f"{n_runs} runs on {inst} (10 regions, 5 hubs, 3 plants, 2 refineries); load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    command, inside, st = {}, {}, {}
    for n in (1, workers):
        out = tmp / f"w{n}"
        t0 = time.perf_counter()
        command[n] = _finish(_start(study, out, n), t0)
        st[n] = _stats(out)
        inside[n] = st[n]["wall_seconds"]
        print(f"  Dask, {n} worker(s): command {command[n]:6.1f} s, study {inside[n]:6.1f} s, runs' own time "
              f"{st[n]['task_seconds']:6.1f} s (mean {st[n]['mean']:.3f} s, median {st[n]['median']:.3f} s), "
              f"cluster start and stop {st[n]['cluster_seconds']:.1f} s, failed {st[n]['failed']}, "
              f"load average {os.getloadavg()[0]:.2f}")

    t0 = time.perf_counter()
    plain1 = _finish(_start(study, tmp / "plain1", 0), t0)
    own_plain1 = _stats(tmp / "plain1")["task_seconds"]
    t0 = time.perf_counter()
    procs = [_start(part, tmp / f"plain{workers}-{i}", 0) for i, part in enumerate(parts)]
    plain_n = max(_finish(p, t0) for p in procs)
    own_plain_n = sum(_stats(tmp / f"plain{workers}-{i}")["task_seconds"] for i in range(workers))
    print(f"  plain processes, no Dask: 1 process {plain1:6.1f} s (runs' own {own_plain1:.1f} s); {workers} "
          f"processes at once, {n_runs // workers} runs each: {plain_n:6.1f} s (runs' own {own_plain_n:.1f} s)")

    def eff(w1, wn):
        return w1 / (workers * wn)

    ceiling = eff(plain1, plain_n)
    print(f"parallel efficiency on {workers} workers, W1 / ({workers} x W{workers}): study "
          f"{inside[1]:.1f} / ({workers} x {inside[workers]:.1f}) = {eff(inside[1], inside[workers]):.1%}; "
          f"whole command {command[1]:.1f} / ({workers} x {command[workers]:.1f}) = "
          f"{eff(command[1], command[workers]):.1%}")
    print(f"the machine's ceiling, the same runs in plain processes: {plain1:.1f} / ({workers} x {plain_n:.1f}) = "
          f"{ceiling:.1%} (runs' own time {own_plain_n / own_plain1:.2f}x when {workers} run at once); "
          f"Dask against that ceiling: {eff(command[1], command[workers]) / ceiling:.1%} (whole commands)")
    mean_run = st[1]["task_seconds"] / n_runs
    per_run = (inside[1] - st[1]["cluster_seconds"] - st[1]["task_seconds"]) / n_runs
    overall = (inside[1] - st[1]["task_seconds"]) / n_runs
    print(f"per-run overhead of the study machinery (1 worker; a run's own time is build, solve, results and "
          f"its folder, as netopt solve): {per_run:.3f} s = {per_run / mean_run:.1%} of a run's own "
          f"{mean_run:.3f} s; with the cluster's start and stop ({st[1]['cluster_seconds']:.1f} s) spread over "
          f"the {n_runs} runs: {overall:.3f} s = {overall / mean_run:.1%}")
    print(f"runs' own time on {workers} workers against 1: {st[workers]['task_seconds'] / st[1]['task_seconds']:.2f}x "
          "(contention for the cores)")
    print(f"workers busy on {workers} workers: runs' own time / ({workers} x study wall) = "
          f"{st[workers]['task_seconds'] / (workers * inside[workers]):.1%} (what the scheduling loses, "
          "whatever the load)")
    shutil.rmtree(tmp, ignore_errors=True)


def evaluate(plan: Path, scenario: str, repeat: int) -> None:
    from netopt.api import run
    from netopt.results.store import read_run
    from netopt.studies.evaluate import evaluate_spec

    plan_run = read_run(plan)
    spec = evaluate_spec(plan_run, scenario)
    for i in range(repeat):
        t0 = time.perf_counter()
        r = run(spec)
        total = time.perf_counter() - t0
        seconds = {**r.seconds, **r.solved.seconds}
        print(f"evaluate {plan} under {scenario} (#{i + 1}): {total:.2f} s end to end ("
              + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()) + f"); {r.solved.describe()}; "
              f"{r.solved.size}")


def kinds(folder: Path) -> None:
    print(f"{'study':28} {'kind':11} {'runs':>5} {'failed':>6} {'runs own s':>11} {'mean s':>8} {'wall s':>8} workers")
    for f in sorted(folder.glob("*/result.json")):
        r = json.loads(f.read_text())
        index = pd.read_csv(f.parent / "index.csv")
        s = r.get("stats", {})
        print(f"{r['study']:28} {r['kind']:11} {len(index):5d} {int((index['status'] != 'done').sum()):6d} "
              f"{index['seconds'].sum():11.1f} {index['seconds'].mean():8.2f} {s.get('wall_seconds', 0):8.1f} "
              f"{s.get('workers', '?')}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("sweep")
    s.add_argument("--runs", type=int, default=100)
    s.add_argument("--workers", type=int, default=2)
    e = sub.add_parser("evaluate")
    e.add_argument("plan", type=Path)
    e.add_argument("--scenario", required=True)
    e.add_argument("--repeat", type=int, default=3)
    k = sub.add_parser("kinds")
    k.add_argument("folder", type=Path, nargs="?", default=ROOT / "results" / "japan" / "studies")
    a = p.parse_args()
    if a.what == "sweep":
        sweep(a.runs, a.workers)
    elif a.what == "evaluate":
        evaluate(a.plan, a.scenario, a.repeat)
    else:
        kinds(a.folder)


if __name__ == "__main__":
    main()
