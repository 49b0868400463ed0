"""Solve benchmark: where the time goes, how good the plan is, whether seeds agree, against a commit.

    python benchmarks/bench.py [--instances toy synthetic japan] [--scenarios baseline ...|all]
                               [--seeds 0 1 2] [--against COMMIT] [--set KEY=VALUE ...]

For each instance, scenario and seed: load, build, hand-off, each solver step (LP relaxation, dive,
local search, search, fixed LP) and the total; the final gap in Myen and as a share of the
controllable cost (objective less the all-virgin reference); the seconds at which the plan was
first within 5, 2, 1 and 0.5 % of the controllable cost of the bound (from the step records); and
whether the seeds return the same plan (a hash of every build). ``--against COMMIT`` also runs
that commit's ``netopt.api.run`` (checked out in a temporary worktree, one subprocess per run,
interleaved with this tree's runs) and prints the ratio of total seconds and the objectives side by
side: the machines are shared and noisy, so only ratios measured in one run mean anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.05, 0.02, 0.01, 0.005)

OTHER_TREE = """
import json, sys, time
t0 = time.perf_counter()
from netopt.api import run
from netopt.instance.overrides import parse_assignment
plan = run(sys.argv[1], scenario=sys.argv[2] or None, overrides=[parse_assignment(a) for a in sys.argv[4:]],
           seed=int(sys.argv[3]))
s = plan.results.summary
print(json.dumps({"total": time.perf_counter() - t0, "objective": s.get("objective_myen"),
                  "bound": s.get("bound_myen"), "status": s.get("status")}))
"""


def instance_path(name: str, workdir: Path) -> Path:
    if name != "synthetic":
        return ROOT / "instances" / name
    from netopt.tools.synthetic import write_synthetic

    folder = workdir / "synthetic"
    if not folder.exists():
        write_synthetic(folder, regions=30, hubs=10, plants=5, refineries=4, seed=7)
    return folder


def one_run(path: Path, scenario: str | None, seed: int, sets: list[str]) -> dict:
    from netopt.api import load
    from netopt.instance.overrides import parse_assignment
    from netopt.model import build_model
    from netopt.model.inputs import prepare
    from netopt.model.staging import build_stage
    from netopt.solve import solve

    t0 = time.perf_counter()
    inst = load(path, scenario, overrides=[parse_assignment(a, "bench") for a in sets], seed=seed)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build_model(prepare(inst))
    build_s = time.perf_counter() - t0
    solved = solve(model, inst.settings.solve, stage_of=build_stage)
    steps, last = {}, 0.0
    for r in solved.stages:
        steps[r["step"].split(" (")[0]] = r["seconds"] - last
        last = r["seconds"]
    return {"load": load_s, "build": build_s, "handoff": solved.seconds["compile"] + solved.seconds["handoff"],
            "steps": steps, "total": load_s + build_s + sum(solved.seconds.values()), "status": solved.status,
            "objective": solved.objective, "controllable": solved.controllable, "gap_abs": solved.gap_abs,
            "gap": solved.gap, "reached": time_to_reach(solved), "plan": plan_hash(model)}


def time_to_reach(solved) -> dict[float, float | None]:
    """Seconds at which the plan first was within each threshold x |controllable| of the best bound so far."""
    out = {}
    scale = abs(solved.controllable) if solved.controllable else None
    for share in THRESHOLDS:
        out[share] = None
        best_bound = None
        for r in solved.stages:
            if r.get("bound_myen") is not None:
                best_bound = max(best_bound or -float("inf"), r["bound_myen"])
            if scale and r.get("objective_myen") is not None and best_bound is not None \
                    and r["objective_myen"] - best_bound <= share * scale:
                out[share] = r["seconds"]
                break
    return out


def plan_hash(model) -> str:
    import pyomo.environ as pyo

    from netopt.catalogue import FACILITY_KINDS

    digest = hashlib.sha256()
    for kind in FACILITY_KINDS:
        for key, var in sorted(getattr(model, kind.block).build.items()):
            if round(pyo.value(var)) > 0:
                digest.update(repr((kind.kind, key)).encode())
    return digest.hexdigest()[:12]


def other_run(tree: Path, path: Path, scenario: str | None, seed: int, sets: list[str]) -> dict:
    """One run of the other commit, on its own copy of a bundled instance (its settings may differ)."""
    if path.is_relative_to(ROOT):
        path = tree / path.relative_to(ROOT)
    out = subprocess.run([sys.executable, "-c", OTHER_TREE, str(path), scenario or "", str(seed), *sets],
                         cwd=tree, capture_output=True, text=True, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin"})
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(x, spec: str = ",.0f") -> str:
    return "-" if x is None else format(x, spec)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instances", nargs="+", default=["toy", "synthetic", "japan"])
    p.add_argument("--scenarios", nargs="+", default=["baseline"], help="Japan scenarios ('all' = every one)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--against", default=None, help="a commit to measure side by side (e.g. the one before issue 8)")
    p.add_argument("--set", dest="sets", action="append", default=[], help="KEY=VALUE for this tree's runs")
    a = p.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="netopt-bench-"))
    tree = None
    if a.against:
        tree = workdir / "against"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), a.against], check=True,
                       capture_output=True)
    try:
        run_all(a, workdir, tree)
    finally:
        if tree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def run_all(a, workdir: Path, tree: Path | None) -> None:
    print(f"{'instance/scenario':28} {'seed':>4} {'load':>5} {'build':>5} {'hand':>5} {'steps (s)':40} "
          f"{'total':>6} {'status':>10} {'controllable':>12} {'gap Myen':>9} {'gap %':>7} "
          f"{'t@5/2/1/0.5 %':>20} plan")
    for name in a.instances:
        path = instance_path(name, workdir)
        scenarios = [None]
        if name == "japan":
            from netopt.api import load
            from netopt.instance.overrides import describe_scenarios

            scenarios = sorted(describe_scenarios(load(path))) if a.scenarios == ["all"] else a.scenarios
        for scenario in scenarios:
            label = f"{name}/{scenario or 'default'}"
            plans, totals, others = set(), [], []
            for seed in a.seeds:
                r = one_run(path, scenario, seed, a.sets)
                plans.add(r["plan"])
                totals.append(r["total"])
                steps = " ".join(f"{k}={v:.1f}" for k, v in r["steps"].items())
                reached = "/".join(fmt(r["reached"][s], ".0f") for s in THRESHOLDS)
                print(f"{label:28} {seed:>4} {r['load']:5.1f} {r['build']:5.1f} {r['handoff']:5.1f} {steps:40} "
                      f"{r['total']:6.1f} {r['status']:>10} {fmt(r['controllable'], '+,.0f'):>12} "
                      f"{fmt(r['gap_abs']):>9} {fmt(None if r['gap'] is None else 100 * r['gap'], '.1f'):>7} "
                      f"{reached:>20} {r['plan']}", flush=True)
                if tree is not None:
                    o = other_run(tree, path, scenario, seed, [])
                    others.append(o)
                    if "error" in o:
                        print(f"{'  against ' + a.against:28} {seed:>4} failed: {o['error']}", flush=True)
                    else:
                        print(f"{'  against ' + a.against:28} {seed:>4} total {o['total']:6.1f} s, objective "
                              f"{o['objective']:,.0f}, bound {fmt(o['bound'])}, status {o['status']}; ratio of "
                              f"totals (this / that) {r['total'] / o['total']:.2f}, objective difference "
                              f"{r['objective'] - o['objective']:+,.0f} Myen", flush=True)
            same = "same plan" if len(plans) == 1 else f"{len(plans)} different plans"
            print(f"  {label}: {same} over seeds {a.seeds}; median total {sorted(totals)[len(totals) // 2]:.1f} s",
                  flush=True)


if __name__ == "__main__":
    main()
