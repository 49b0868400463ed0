"""Where the gap lives: the bound with only one facility kind's builds integer (the others relaxed).

    python benchmarks/gap_sources.py [INSTANCE] [--scenario S] [--nodes N] [--set KEY=VALUE ...]

For the LP relaxation and for each facility kind in turn, the builds of that kind keep their
integrality and every other build is continuous; HiGHS searches that partial relaxation for at most
``--nodes`` branch-and-bound nodes (a work limit, so the figures do not depend on machine load).
Each row prints the partial relaxation's bound (valid for the full model, since it relaxes it),
how far it lifts the LP bound, and its best plan when it finished. A kind whose integrality lifts the
bound most is where the LP relaxation is weakest. All figures in Myen against the all-virgin
reference (as the solver prints them). Seconds are wall-clock, for orientation only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("instance", nargs="?", default=str(ROOT / "instances" / "japan"))
    p.add_argument("--scenario", default=None)
    p.add_argument("--nodes", type=int, default=200, help="branch-and-bound nodes per partial relaxation")
    p.add_argument("--set", dest="sets", action="append", default=[])
    a = p.parse_args()

    from netopt.api import load
    from netopt.instance.overrides import parse_assignment
    from netopt.model import build_model
    from netopt.model.inputs import prepare
    from netopt.solve.first_plan import build_options
    from netopt.solve.highs import compile_model

    inst = load(a.instance, a.scenario, overrides=[parse_assignment(x, "gap_sources") for x in a.sets])
    compiled = compile_model(build_model(prepare(inst)))
    columns = np.flatnonzero(compiled.integer)
    kind_of = {int(columns[pos]): key[0] for pos, key in build_options(compiled)["keys"].items()}
    print(f"{Path(a.instance).name} / {a.scenario or 'baseline'}: {compiled.size}; node limit {a.nodes}")
    print(f"{'integer builds':<16} {'bound':>12} {'lift over LP':>13} {'plan':>12} {'nodes':>7} {'seconds':>8}")
    lp_bound = None
    for label in ["none (LP)", *sorted(set(kind_of.values()))]:
        keep = np.array([kind_of.get(j) == label for j in range(len(compiled.integer))])
        t0 = time.perf_counter()
        bound, plan, nodes = partial_relaxation(compiled, keep, a.nodes)
        lp_bound = bound if lp_bound is None else lp_bound
        print(f"{label:<16} {bound:>12,.0f} {bound - lp_bound:>13,.0f} "
              f"{'-' if plan is None else f'{plan:,.0f}':>12} {nodes:>7} {time.perf_counter() - t0:>8.1f}")


def partial_relaxation(compiled, keep: np.ndarray, nodes: int):
    """Solve with only the ``keep`` columns integer: (bound, best plan or None, nodes searched)."""
    import highspy

    from netopt.solve.highs import new_highs

    h = new_highs(compiled, threads=1, seed=0, log_file=None)
    integrality = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
                   for k in (compiled.integer & keep)]
    h.changeColsIntegrality(len(integrality), np.arange(len(integrality), dtype=np.int32),
                            np.array(integrality))
    h.setOptionValue("mip_max_nodes", int(nodes))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    info = h.getInfo()
    if not keep.any():
        return info.objective_function_value, None, 0
    plan = info.objective_function_value if info.primal_solution_status == 2 else None
    return info.mip_dual_bound, plan, int(info.mip_node_count)


if __name__ == "__main__":
    main()
