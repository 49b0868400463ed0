"""Progress of a solve: one record and one line per step (incumbent, bound, gap, seconds)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from netopt.instance.settings import SolveSettings
from netopt.solve.highs import Control

Report = Callable[[str], None]


def share_text(x: float | None) -> str:
    return "unknown" if x is None or not math.isfinite(x) else f"{100 * x:.2f} %"


class Progress:
    """Step records and progress lines: incumbent, bound, gap in Myen and % of controllable cost."""

    def __init__(self, reference: float, options: SolveSettings, control: Control, report: Report | None):
        self.reference, self.options, self.control, self.report = reference, options, control, report
        self.records: list[dict] = []
        self.solver_status = "not run"
        self.last_status = "not run"
        self.bound_source: str | None = None
        self.lp_values: np.ndarray | None = None  # integer columns at the LP relaxation's optimum
        self.alternatives: list[dict] = []  # per build of the plan, its cheapest single change (local search)

    def step(self, name: str, status: str, objective: float | None, bound: float | None,
             decides: bool = True) -> None:
        """Record a step; ``objective`` and ``bound`` are on the controllable cost (HiGHS's view). A step
        that only re-solves a chosen plan (``decides=False``) leaves ``solver_status`` to the one before."""
        if decides:
            self.solver_status = status
        self.last_status = status
        record = {"step": name, "status": status, "seconds": round(self.control.elapsed(), 3),
                  "objective_myen": None if objective is None else objective + self.reference,
                  "bound_myen": None if bound is None else bound + self.reference}
        self.records.append(record)
        if self.report:
            self.report(self._line(record, objective, bound))

    def _line(self, record: dict, objective: float | None, bound: float | None) -> str:
        parts = [f"{record['step']:<14}", f"{record['status']:<11}"]
        parts.append("plan " + ("-" if objective is None else f"{objective:+,.0f}"))
        parts.append("bound " + ("-" if bound is None else f"{bound:+,.0f}"))
        if objective is not None and bound is not None:
            gap = max(0.0, objective - bound)
            share = gap / abs(objective) if objective else math.inf
            parts.append(f"gap {gap:,.0f} Myen ({share_text(share)})")
        parts.append(f"{record['seconds']:.1f} s")
        return "  ".join(parts) + "   (Myen against the all-virgin reference)"

    def failure(self) -> str:
        if self.control.interrupted:
            return "interrupted"
        if self.control.timed_out:
            return "time_limit"
        return {"infeasible": "infeasible", "unbounded": "unbounded",
                "infeasible_or_unbounded": "infeasible_or_unbounded"}.get(self.last_status, "error")
