r"""A lower bound above the LP relaxation's: the national number of units of each kind, size and period.

The LP relaxation buys capacity by the tonne: a fifth of a plant here, a tenth there, just as the
volume grows. Every plan, though, builds a whole number of units of each size in each period across
the country. The **national bound** keeps only that integrality,

.. math::
    \min \ \text{(the model, every } build_{szp} \in [0, 1]) \quad \text{s.t.} \quad
    n_{kzp} = \sum_{s \in S_k} build_{szp}, \qquad n_{kzp} \in \mathbb{Z}_{\ge 0}

for the kinds :math:`k` in ``national_kinds``. Every plan satisfies it (its counts are whole), so its
optimum, and the bound of a branch-and-bound on it stopped at any node, is a lower bound on the cost of
every plan. It has a few dozen integer columns (kinds x sizes x periods) where the model has about a
thousand, so HiGHS closes it in tens of nodes. It prices what the LP relaxation misses most (plant
capacity bought ahead of the volume, a whole small plant where a fraction of a large one was cheaper),
but not where the units stand: the sites stay fractional.

The step runs on the solve's one HiGHS object (its log covers it): the count columns and rows are
added, searched for at most ``national_nodes`` nodes from the plan found so far, and deleted again,
leaving the model as it was.
"""

from __future__ import annotations

import numpy as np

from netopt.catalogue import KINDS
from netopt.instance.settings import SolveSettings
from netopt.solve.first_plan import build_options, plan_cost
from netopt.solve.highs import Compiled, Control, mip_bound, release_integers, run, set_integrality, start_from
from netopt.solve.progress import Progress

# The relaxation's own plans are not plans of the model: its plan heuristics only cost time (measured on
# Japan: 96 s with them, 43 s without, the same bound), and it is searched to the end (no gap target).
RELAXATION_OPTIONS = {"mip_heuristic_effort": 0.0, "mip_heuristic_run_feasibility_jump": False,
                  "mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False,
                  "mip_heuristic_run_root_reduced_cost": False, "mip_rel_gap": 0.0, "mip_abs_gap": 0.0}


def count_groups(compiled: Compiled, kinds: list[str]) -> dict[tuple[str, str, int], np.ndarray]:
    """(block, size, period) -> the build columns whose sum is that national count, for ``kinds``."""
    blocks = {KINDS[k].block for k in kinds}
    columns = np.flatnonzero(compiled.integer)
    groups: dict[tuple[str, str, int], list[int]] = {}
    for pos, (block, _site, size, period) in build_options(compiled)["keys"].items():
        if block in blocks:
            groups.setdefault((block, size, period), []).append(int(columns[pos]))
    return {g: np.array(cols, dtype=np.int32) for g, cols in sorted(groups.items())}


def national_bound(h, compiled: Compiled, values: np.ndarray, bound: float | None, options: SolveSettings,
                   control: Control, progress: Progress) -> float | None:
    """The national bound (module docstring) searched from the plan ``values``; returns the better of it
    and ``bound`` (controllable cost)."""
    groups = count_groups(compiled, options.national_kinds)
    if not groups or options.national_nodes <= 0:
        return bound
    basis, saved = h.getBasis(), {name: h.getOptionValue(name)[1] for name in RELAXATION_OPTIONS}
    n_rows = h.getNumRow()
    release_integers(h, compiled, integer=False)
    counts = add_counts(h, groups)
    for name, value in {**RELAXATION_OPTIONS, "mip_max_nodes": int(options.national_nodes)}.items():
        h.setOptionValue(name, value)
    start_from(h, np.concatenate([values, [round(values[cols].sum()) for cols in groups.values()]]))
    status = run(h, control)
    found = mip_bound(h)
    h.deleteRows(len(groups), np.arange(n_rows, n_rows + len(groups), dtype=np.int32))
    h.deleteCols(len(counts), counts)
    for name, value in saved.items():
        h.setOptionValue(name, value)
    if basis.valid:
        h.setBasis(basis)
    if found is not None and (bound is None or found > bound):
        bound, progress.bound_source = found, "national unit counts"
    progress.step(f"national bound ({len(groups)} counts)", status, plan_cost(compiled, values), bound)
    return bound


def add_counts(h, groups: dict[tuple[str, str, int], np.ndarray]) -> np.ndarray:
    """One integer column n per group, in [0, its number of options], and one row sum(builds) - n = 0."""
    first = h.getNumCol()
    for cols in groups.values():
        h.addCol(0.0, 0.0, float(len(cols)), 0, np.array([], dtype=np.int32), np.array([], dtype=float))
        n = h.getNumCol() - 1
        h.addRow(0.0, 0.0, len(cols) + 1, np.append(cols, n).astype(np.int32),
                 np.append(np.ones(len(cols)), -1.0))
    counts = np.arange(first, h.getNumCol(), dtype=np.int32)
    set_integrality(h, counts, True)
    return counts
