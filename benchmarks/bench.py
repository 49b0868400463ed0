"""Load, build, hand-off and solve times (and gaps) for the toy and the default instance.

    python benchmarks/bench.py [--instances toy japan] [--seeds 0 1 2] [--linking aggregate weak]
                               [--time-limit 300] [--handoff]

Each run is loaded as a RunSpec: ``linking`` is set by an override, the solve settings and seed
by the spec, so every change is logged like any other. Every configuration runs in this one
process, interleaved by seed, so the ratios between configurations are measured side by side on
the same (shared, noisy) machine. ``--handoff``
also times Pyomo's default HiGHS interface (``pyomo.contrib.solver`` 'highs', time limit 0)
against netopt's standard-form hand-off on the same model.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from netopt.api import load
from netopt.instance.overrides import SetSetting
from netopt.instance.settings import SolveSettings
from netopt.model import build_model
from netopt.model.inputs import prepare
from netopt.model.staging import build_stage
from netopt.solve import solve

ROOT = Path(__file__).resolve().parents[1]


def one_run(path: Path, scenario: str | None, linking: str, seed: int, time_limit: float, gap: float) -> dict:
    t0 = time.perf_counter()
    inst = load(path, scenario, overrides=[SetSetting(path="model.linking", value=linking, source="bench")],
                solve={"time_limit": time_limit, "mip_gap": gap, "duals": False}, seed=seed)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build_model(prepare(inst))
    build_s = time.perf_counter() - t0
    solved = solve(model, inst.settings.solve, stage_of=build_stage)
    s = solved.seconds
    return {"instance": path.name, "linking": linking, "seed": seed, "load": load_s, "build": build_s,
            "handoff": s["compile"] + s["handoff"], "warm_start": s.get("warm_start", 0.0), "solve": s["solve"],
            "status": solved.status, "gap": solved.gap, "objective": solved.objective, "size": solved.size}


def pyomo_default_handoff(path: Path) -> tuple[float, float]:
    """Seconds to hand the same model to HiGHS: Pyomo's contrib interface vs compile + passModel."""
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    from netopt.solve import _highs, _highs_lp

    model = build_model(prepare(load(path)))
    t0 = time.perf_counter()
    opt = SolverFactory("highs")
    opt.solve(model, time_limit=0.0, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    contrib = time.perf_counter() - t0
    model = build_model(prepare(load(path)))
    t0 = time.perf_counter()
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    lp, _ = _highs_lp(form)
    h = _highs(SolveSettings(time_limit=0.0))
    h.passModel(lp)
    ours = time.perf_counter() - t0
    return contrib, ours


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instances", nargs="+", default=["toy", "japan"])
    p.add_argument("--scenario", default=None)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--linking", nargs="+", default=["aggregate", "weak"])
    p.add_argument("--time-limit", type=float, default=300.0)
    p.add_argument("--mip-gap", type=float, default=0.005)
    p.add_argument("--handoff", action="store_true")
    a = p.parse_args()

    rows = []
    print(f"{'instance':9} {'linking':9} {'seed':>4} {'load':>6} {'build':>6} {'handoff':>7} {'start':>6} "
          f"{'solve':>7} {'status':>10} {'gap %':>6}  size")
    for name in a.instances:
        path = ROOT / "instances" / name
        for seed in a.seeds:
            for linking in a.linking:
                r = one_run(path, a.scenario, linking, seed, a.time_limit, a.mip_gap)
                rows.append(r)
                gap = "n/a" if r["gap"] is None else f"{100 * r['gap']:.3f}"
                print(f"{r['instance']:9} {linking:9} {seed:>4} {r['load']:6.2f} {r['build']:6.2f} "
                      f"{r['handoff']:7.2f} {r['warm_start']:6.1f} {r['solve']:7.1f} {r['status']:>10} {gap:>6}  "
                      f"{r['size']['variables']} vars, {r['size']['constraints']} rows, "
                      f"{r['size']['integers']} binaries", flush=True)
    print("\nmedian total seconds (load + build + hand-off + start + solve) by instance and linking:")
    for name in a.instances:
        for linking in a.linking:
            t = [r["load"] + r["build"] + r["handoff"] + r["warm_start"] + r["solve"] for r in rows
                 if r["instance"] == name and r["linking"] == linking]
            print(f"  {name:9} {linking:9} {statistics.median(t):7.1f} s over {len(t)} seeds")
    if a.handoff:
        for name in a.instances:
            contrib, ours = pyomo_default_handoff(ROOT / "instances" / name)
            print(f"\nhand-off {name}: Pyomo contrib 'highs' {contrib:.2f} s, netopt standard form + passModel "
                  f"{ours:.2f} s, ratio {ours / contrib:.2f}")


if __name__ == "__main__":
    main()
