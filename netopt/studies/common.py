"""What every kind of study shares: its result, reading its runs back, and the solver-tolerance rule."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from netopt.results.store import RunData, read_run
from netopt.studies.kpis import gap_abs, has_plan, kpis
from netopt.studies.runner import DONE

RESOLVED, WITHIN = "resolved", "within the solver tolerance"
EPS = 1e-7  # relative: differences below this share of the objective are numerical noise


@dataclass
class Result:
    """A study's outcome: named tables (written as CSV) and notes (written to result.json)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


def tolerance(a: RunData, b: RunData) -> float:
    """The sum of the two runs' absolute gaps (Myen), plus numerical noise."""
    scale = max(abs(a.summary.get("objective_myen") or 0.0), abs(b.summary.get("objective_myen") or 0.0), 1.0)
    return gap_abs(a) + gap_abs(b) + EPS * scale


def verdict(difference: float, tol: float) -> str:
    """``resolved`` when a cost difference exceeds the sum of the two runs' gaps, else within tolerance."""
    if difference is None or not math.isfinite(difference) or not math.isfinite(tol):
        return WITHIN
    return RESOLVED if abs(difference) > tol else WITHIN


class Runs:
    """The run folders of a study, read once each through the store; a run's KPIs come from the worker
    that wrote its folder when the runner has them (computed by the same function on the same data)."""

    def __init__(self, study_dir: Path, years: dict[int, int] | None = None,
                 known: dict[str, tuple[dict, dict]] | None = None):
        self.dir = Path(study_dir)
        self.years = years
        self._runs: dict[str, RunData | None] = {}
        self._kpis: dict[str, dict] = {}
        self._known = {} if known is None else known  # run id -> (period years, KPIs) from the workers

    @classmethod
    def of(cls, runner, years: dict[int, int] | None = None) -> Runs:
        """The runs of ``runner``'s study, with the KPIs its workers computed (as they arrive)."""
        return cls(runner.dir, years, known=runner.kpis)

    def get(self, row: dict | None) -> RunData | None:
        """The run of an index row (None if it failed or holds no plan)."""
        if not _solved(row):
            return None
        key = row["id"]
        if key not in self._runs:
            run = read_run(self.dir / row["folder"])
            self._runs[key] = run if has_plan(run) else None
        return self._runs[key]

    def kpis(self, row: dict | None) -> dict:
        if not _solved(row):
            return {}
        known = self._known.get(row["id"])
        if known is not None and (self.years is None or known[0] == self.years):
            return known[1]
        if row["id"] not in self._kpis:
            run = self.get(row)
            self._kpis[row["id"]] = {} if run is None else kpis(run, self.years)
        return self._kpis[row["id"]]

    def extensive(self, row: dict | None) -> dict | None:
        if not row or row.get("status") != DONE:
            return None
        return json.loads((self.dir / row["folder"] / "extensive_form.json").read_text())


def _solved(row: dict | None) -> bool:
    return bool(row) and row.get("status") == DONE and row.get("task") == "solve"


def status_of(row: dict | None) -> str:
    """done/failed/no plan of an index row, for tables."""
    if not row:
        return "missing"
    if row["status"] != DONE:
        return f"failed: {row['error']}"
    return str(row.get("run_status") or "")


def objective(k: dict) -> float:
    return float(k.get("objective", math.nan))


def pick(k: dict, names) -> dict:
    return {n: k.get(n, math.nan) for n in names}


HEADLINE = ("objective", "gap_abs", "controllable_cost", "co2_t", "leaked_metal_t", "retained_packs_t", "new",
            "penalty")


def headline(k: dict, metals: list[str]) -> dict:
    """The KPIs every kind's tables show: cost, gap, CO2, leakage, builds, slack, self-sufficiency."""
    out = pick(k, HEADLINE)
    for kind in ("hub", "pretreatment", "refinery"):
        out[f"new.{kind}"] = k.get(f"new.{kind}", math.nan)
        out[f"first_new.{kind}"] = k.get(f"first_new.{kind}", math.nan)
    for m in metals:
        out[f"self_sufficiency.{m}"] = k.get(f"self_sufficiency.{m}", math.nan)
        out[f"recycled_share.{m}"] = k.get(f"recycled_share.{m}", math.nan)
    for stage in ("pack", "black_mass", "metal"):
        out[f"imports_t.{stage}"] = k.get(f"imports_t.{stage}", math.nan)
        out[f"exports_t.{stage}"] = k.get(f"exports_t.{stage}", math.nan)
    return out
