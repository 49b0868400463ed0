"""Sweeps (a grid of parameter values) and tornados (one parameter at a time, low and high).

``sweep``: every point of the parameters' grids (``combine = "product"``) or their values side by
side (``"zip"``); ``sweep.csv`` has the parameters, then the KPIs and decisions of each point
(cost, gap, CO2, self-sufficiency and recycled share per metal, trade by stage, new facilities and
the first period of each kind).

``tornado``: the base, then each parameter at its ``low`` and at its ``high`` with the others at the
base; ``tornado.csv`` ranks them by the swing of the cost (and of ``kpi`` if given). A swing is
``resolved`` when the cost difference between low and high exceeds the sum of their gaps.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from netopt.studies.common import Result, Runs, headline, status_of, tolerance, verdict


def _metals(study) -> list[str]:
    return sorted(study.instance.table("metals")["metal"])


def _overrides(study, values: dict) -> tuple:
    out = ()
    for name, v in values.items():
        out += study.parameter_overrides(study.parameters[name], v)
    return out


def points(study, params) -> list[dict]:
    grids = {p.name: p.grid() for p in params}
    empty = [n for n, g in grids.items() if not g]
    if empty:
        raise ValueError(f"sweep parameters need values or range: {', '.join(empty)}")
    if study.section.combine == "zip":
        lengths = {len(g) for g in grids.values()}
        if len(lengths) > 1:
            raise ValueError("combine = 'zip' needs grids of one length")
        return [dict(zip(grids, vals)) for vals in zip(*grids.values())]
    return [dict(zip(grids, vals)) for vals in itertools.product(*grids.values())]


def drive_sweep(study, runner) -> Result:
    params = study.chosen(study.section.parameters)
    if not params:
        raise ValueError("a sweep needs at least one [[parameter]]")
    grid = points(study, params)
    specs = [study.spec(overrides=_overrides(study, pt)) for pt in grid]
    labels = [", ".join(f"{k}={v:g}" for k, v in pt.items()) for pt in grid]
    rows = runner.run(specs, labels, grid, title=f"sweep {study.name}")
    runs, metals = Runs.of(runner, study.instance.settings.period_years()), _metals(study)
    table = [{**pt, **headline(runs.kpis(rows.get(s.id)), metals), "status": status_of(rows.get(s.id)), "id": s.id}
             for pt, s in zip(grid, specs)]
    df = pd.DataFrame(table)
    notes = {"parameters": [p.name for p in params], "points": len(grid),
             "labels": {p.name: p.title for p in params}}
    return Result({"sweep": df}, notes)


def drive_tornado(study, runner) -> Result:
    params = study.chosen(study.section.parameters)
    missing = [p.name for p in params if p.low is None or p.high is None]
    if missing or not params:
        raise ValueError(f"tornado parameters need low and high: {', '.join(missing) or 'none declared'}")
    base = study.spec()
    specs, labels, par = [base], ["base"], [{}]
    for p in params:
        for side in ("low", "high"):
            v = getattr(p, side)
            specs.append(study.spec(overrides=study.parameter_overrides(p, v)))
            labels.append(f"{p.name} {side} ({v:g})")
            par.append({p.name: v, "side": side})
    rows = runner.run(specs, labels, par, title=f"tornado {study.name}")
    runs = Runs.of(runner, study.instance.settings.period_years())
    kpi = study.section.kpi
    k0 = runs.kpis(rows.get(base.id))
    table = []
    for i, p in enumerate(params):
        lo_row, hi_row = rows.get(specs[1 + 2 * i].id), rows.get(specs[2 + 2 * i].id)
        lo, hi = runs.kpis(lo_row), runs.kpis(hi_row)
        rec = {"parameter": p.name, "label": p.title, "mode": p.mode, "low": p.low, "high": p.high,
               "cost_base_myen": k0.get("objective", math.nan), "cost_low_myen": lo.get("objective", math.nan),
               "cost_high_myen": hi.get("objective", math.nan)}
        rec["effect_low_myen"] = rec["cost_low_myen"] - rec["cost_base_myen"]
        rec["effect_high_myen"] = rec["cost_high_myen"] - rec["cost_base_myen"]
        rec["swing_myen"] = abs(rec["cost_high_myen"] - rec["cost_low_myen"])
        a, b = runs.get(lo_row), runs.get(hi_row)
        tol = tolerance(a, b) if a is not None and b is not None else math.inf
        rec["tolerance_myen"] = tol
        rec["verdict"] = verdict(rec["swing_myen"], tol)
        if kpi:
            rec.update({"kpi": kpi, "kpi_base": k0.get(kpi, math.nan), "kpi_low": lo.get(kpi, math.nan),
                        "kpi_high": hi.get(kpi, math.nan)})
            rec["kpi_swing"] = abs(rec["kpi_high"] - rec["kpi_low"])
        rec["status_low"], rec["status_high"] = status_of(lo_row), status_of(hi_row)
        table.append(rec)
    df = pd.DataFrame(table).sort_values("swing_myen", ascending=False, na_position="last").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    if kpi:
        df["kpi_rank"] = df["kpi_swing"].rank(ascending=False, method="min")
    notes = {"base_objective_myen": k0.get("objective"), "kpi": kpi,
             "order": list(df["parameter"])}
    return Result({"tornado": df}, notes)
