"""Solve every named scenario of an instance and print status, gap, time and headline KPIs.

    python benchmarks/scenarios.py [INSTANCE] [--time-limit S] [--mip-gap G] [--out results]

Writes each run to ``results/<instance>/<scenario>/`` (replacing earlier runs) so that maps,
reports and comparisons can be drawn from them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from netopt.api import run
from netopt.instance.io import load_instance
from netopt.instance.overrides import describe_scenarios
from netopt.instance.runspec import RunSpec

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instance", nargs="?", default=str(ROOT / "instances" / "japan"))
    p.add_argument("--time-limit", type=float, default=None, help="default: the instance's solve.time_limit")
    p.add_argument("--mip-gap", type=float, default=None, help="default: the instance's solve.mip_gap")
    p.add_argument("--out", default=str(ROOT / "results"))
    p.add_argument("--only", nargs="*", default=None)
    a = p.parse_args()
    inst = load_instance(a.instance)
    names = a.only or list(describe_scenarios(inst))
    print(f"{'scenario':28} {'status':>10} {'gap Myen':>9} {'total s':>8} {'objective Myen':>16} {'new':>4} "
          f"{'leaked t':>10} {'Li':>5} {'Ni':>5} {'Co':>5} {'Mn':>5}  (self-sufficiency 2050 %)")
    for name in names:
        t0 = time.perf_counter()
        solve = {k: v for k, v in (("time_limit", a.time_limit), ("mip_gap", a.mip_gap)) if v is not None}
        plan = run(RunSpec(instance=a.instance, scenario=name, solve=solve))
        total = time.perf_counter() - t0
        plan.write(Path(a.out) / inst.name / name, overwrite=True)
        s = plan.results.summary
        if not plan.solved.has_solution:
            print(f"{name:28} {s['status']:>10}")
            continue
        k = s["kpis"]
        last = str(max(int(p) for p in next(iter(k["self_sufficiency_share"].values()))))
        ss = {m: 100 * v[last] for m, v in k["self_sufficiency_share"].items()}
        print(f"{name:28} {s['status']:>10} {s['gap_abs_myen'] or 0:9,.0f} {total:8.1f} {s['objective_myen']:16,.0f} "
              f"{k['facilities_opened']['count']:4d} {k['leaked_packs_t_total']:10,.0f} "
              + " ".join(f"{ss.get(m, 0):5.1f}" for m in ("Li", "Ni", "Co", "Mn")), flush=True)


if __name__ == "__main__":
    main()
