"""What the study layer costs: parallel efficiency and per-run overhead, an evaluate, each kind on Japan.

    python benchmarks/studies.py sweep [--runs 100] [--workers 2]     # synthetic instance, 1 vs 2 workers
    python benchmarks/studies.py evaluate PLAN_RUN --scenario B       # a plan's builds fixed, under B
    python benchmarks/studies.py kinds [STUDIES_DIR]                  # runs x seconds of each study folder

``sweep`` writes a small synthetic instance (netopt.tools.synthetic: 10 regions, 5 hubs, 3
black-mass plants, 2 refineries, 3 periods) and runs a sweep of ``--runs`` points (metal prices x
end-of-life supply) on a LocalCluster of 1 worker, then of ``--workers`` workers, each into a
fresh folder. It prints the wall times, the parallel efficiency W1 / (N x WN), and the per-run
overhead of the study machinery: with one worker, the wall time not spent inside the runs
themselves (cluster start, scattering, writing folders and the index, reading results back),
per run and as a share of a run's own time. The load average is printed with it: on a shared
machine other processes take cores too, so the script also prints how busy the workers were
(the runs' own time over workers x wall time), which the load does not change.

``kinds`` reads every finished study folder under STUDIES_DIR (default results/japan/studies)
and prints, per kind, the runs, the runs' own seconds in total and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from netopt.studies import run_study
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
range = {{ from = 0.6, to = 1.6, steps = {a} }}
[[parameter]]
name = "supply"
table = "supply"
column = "eol_packs_t_per_yr"
range = {{ from = 0.7, to = 1.3, steps = {b} }}
"""


def sweep(runs: int, workers: int) -> None:
    a = max(1, round(runs ** 0.5))
    b = max(1, runs // a)
    tmp = Path(tempfile.mkdtemp(prefix="netopt-bench-"))
    inst = write_synthetic(tmp / "synthetic", regions=10, hubs=5, plants=3, refineries=2, demand_sites=2, seed=1)
    (inst / "studies").mkdir()
    study = inst / "studies" / "sweep.toml"
    study.write_text(SWEEP.format(n=a * b, a=a, b=b))
    print(f"{a * b} runs on {inst} (10 regions, 5 hubs, 3 plants, 2 refineries); load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    walls, own = {}, {}
    for n in (1, workers):
        out = tmp / f"w{n}"
        t0 = time.perf_counter()
        run_study(study, out, workers=n, progress=False)
        walls[n] = time.perf_counter() - t0
        result = json.loads((out / "result.json").read_text())
        own[n] = result["stats"]["task_seconds"]
        index = pd.read_csv(out / "index.csv")
        print(f"  {n} worker(s): wall {walls[n]:7.1f} s, runs' own time {own[n]:7.1f} s "
              f"(mean {index['seconds'].mean():.2f} s, median {index['seconds'].median():.2f} s), "
              f"failed {int((index['status'] != 'done').sum())}, load average {os.getloadavg()[0]:.2f}")
    overhead = (walls[1] - own[1]) / (a * b)
    mean_run = own[1] / (a * b)
    print(f"parallel efficiency on {workers} workers: W1 / ({workers} x W{workers}) = "
          f"{walls[1]:.1f} / ({workers} x {walls[workers]:.1f}) = {walls[1] / (workers * walls[workers]):.1%}")
    print(f"per-run overhead of the study machinery (1 worker): {overhead:.3f} s = {overhead / mean_run:.1%} "
          f"of a run's own {mean_run:.2f} s")
    print(f"runs' own time on {workers} workers against 1: {own[workers] / own[1]:.2f}x (contention for the cores)")
    print(f"workers busy on {workers} workers: runs' own time / ({workers} x wall) = "
          f"{own[workers] / (workers * walls[workers]):.1%} (what the scheduling loses, whatever the load)")
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
