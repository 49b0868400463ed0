"""The numbers a study reads from a run folder (through :func:`~netopt.results.store.read_run`).

:func:`kpis` flattens a run into named numbers; the names are what study files use (a tornado's
second KPI, a break-even's ``kpi`` condition, a Monte Carlo's distributions):

=========================================  ==============================================================
``objective``, ``bound``, ``gap_abs``      Myen (summary.json)
``controllable_cost``                      Myen: objective minus the all-virgin reference cost, if known
``cost.<category>``                        discounted Myen over the horizon (costs.csv)
``self_sufficiency.<metal>[.<period>]``    recovered / demand (metals.csv; no period: the last)
``recycled_share.<metal>[.<period>]``      recycled delivered / demand
``leaked_packs_t``, ``leaked_metal_t``     t over the horizon; also ``retained_packs_t``
``co2_t``, ``co2.<source>``                t CO2 over the horizon, in total and by source (emissions.csv)
``imports_t.<stage>``, ``exports_t.<stage>``  t over the horizon (flows.csv market legs)
``new.<kind>``, ``new``                    new facilities (sites with a build) by kind, in total
``first_new.<kind>``                       first period a new facility of the kind operates (NaN: none)
``unmet_t``, ``unprocessed_t``, ``penalty``  slack used (t, t, Myen)
=========================================  ==============================================================
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd

from netopt.catalogue import period_years
from netopt.instance.decisions import Build
from netopt.results.store import RunData


def horizon_years(run: RunData) -> dict[int, int]:
    """Years each period of ``run`` stands for: from its instance's settings if they can be read, else
    from the gaps between periods (the last as long as the one before)."""
    periods = run.periods
    path = run.run_info.get("instance_path")
    if path:
        for folder in (Path(path), *(parent / path for parent in (run.folder or Path(".")).resolve().parents)):
            file = folder / "instance.toml"
            if file.exists():
                model = tomllib.loads(file.read_text(encoding="utf-8")).get("model", {})
                if "periods" in model:
                    years = period_years(model["periods"], model.get("last_period_years", 0))
                    if set(periods) <= set(years):
                        return years
                break
    gaps = [b - a for a, b in zip(periods, periods[1:])]
    return {p: (gaps[i] if i < len(gaps) else (gaps[-1] if gaps else 1)) for i, p in enumerate(periods)}


def has_plan(run: RunData) -> bool:
    return run.summary.get("objective_myen") is not None and "metals" in run.tables


def gap_abs(run: RunData) -> float:
    """The run's absolute gap in Myen (0 for a proven LP or an exact MIP; inf if unknown)."""
    gap = run.summary.get("gap_abs_myen")
    if gap is None:
        return math.inf if run.summary.get("bound_myen") is None else 0.0
    return max(0.0, float(gap))


def kpis(run: RunData, years: dict[int, int] | None = None) -> dict[str, float]:
    """Every KPI of ``run`` by name (see the module docstring); empty if the run holds no plan."""
    s = run.summary
    if not has_plan(run):
        return {}
    years = years or horizon_years(run)
    out: dict[str, float] = {"objective": float(s["objective_myen"]), "gap_abs": gap_abs(run)}
    if s.get("bound_myen") is not None:
        out["bound"] = float(s["bound_myen"])
    reference = s.get("reference_cost_myen")
    controllable = s.get("controllable_cost_myen")
    if controllable is None and reference is not None:
        controllable = s["objective_myen"] - reference
    if controllable is not None:
        out["controllable_cost"] = float(controllable)
    for cat, v in run.table("costs").groupby("category")["discounted_myen"].sum().items():
        out[f"cost.{cat}"] = float(v)
    metals = run.table("metals")
    last = max(int(p) for p in metals["period"]) if not metals.empty else None
    for row in metals.itertuples():
        for name, col in (("self_sufficiency", "self_sufficiency_share"), ("recycled_share", "recycled_share")):
            out[f"{name}.{row.metal}.{int(row.period)}"] = float(getattr(row, col))
            if int(row.period) == last:
                out[f"{name}.{row.metal}"] = float(getattr(row, col))

    def total(df: pd.DataFrame, column: str) -> float:
        return float(sum(v * years.get(int(p), 0) for p, v in df.groupby("period")[column].sum().items()))

    regions = run.table("regions")
    if not regions.empty:
        out["leaked_packs_t"] = total(regions, "leaked_t_per_yr")
        out["leaked_metal_t"] = total(regions, "leaked_metal_t_per_yr")
        out["retained_packs_t"] = total(regions, "retained_t_per_yr")
        out["unprocessed_t"] = total(regions, "unprocessed_t_per_yr")
    emissions = run.table("emissions")
    if not emissions.empty:
        out["co2_t"] = total(emissions, "t_co2_per_yr")
        for source, g in emissions.groupby("source"):
            out[f"co2.{source}"] = total(g, "t_co2_per_yr")
    flows = run.table("flows")
    for leg, name in (("import_market", "imports_t"), ("export_market", "exports_t")):
        legs = flows[flows["leg"] == leg] if not flows.empty else flows
        for stage in ("pack", "black_mass", "metal"):
            part = legs[legs["stage"] == stage] if not legs.empty else legs
            out[f"{name}.{stage}"] = total(part, "tonnes_per_yr") if not part.empty else 0.0
    out["unmet_t"] = total(metals, "unmet_t_per_yr")
    penalties = run.table("costs")
    out["penalty"] = float(penalties[penalties["category"].str.endswith("_penalty")]["discounted_myen"].sum())
    new = new_facilities(run)
    out["new"] = float(len(new))
    for kind, g in new.groupby("kind"):
        out[f"new.{kind}"] = float(len(g))
    for kind in sorted(set(run.table("facilities").get("kind", pd.Series(dtype=str)))):
        out.setdefault(f"new.{kind}", 0.0)
        first = new[new["kind"] == kind]["built_period"]
        out[f"first_new.{kind}"] = float(first.min()) if len(first) else math.nan
    return out


def new_facilities(run: RunData) -> pd.DataFrame:
    """One row per site with a build: site_id, name, kind, region_id, built_size, built_period (first build)."""
    fac = run.table("facilities")
    if fac.empty:
        return pd.DataFrame(columns=["site_id", "name", "kind", "region_id", "built_size", "built_period"])
    new = fac[fac["status"] == "new"].drop_duplicates("site_id")
    return new[["site_id", "name", "kind", "region_id", "built_size", "built_period", "builds"]].reset_index(drop=True)


def builds(run: RunData) -> list[Build]:
    """Every build of the plan in ``run`` (facilities.csv's ``builds``: "S 2025; L 2035" per site)."""
    out = []
    for row in new_facilities(run).itertuples():
        for part in str(row.builds).split(";"):
            words = part.split()
            if not words:
                continue
            *size, period = words
            units = 1
            if len(size) == 2 and size[0].rstrip("x").isdigit():  # "2x S 2030"
                units, size = int(size[0].rstrip("x")), size[1:]
            out.append(Build(kind=row.kind, site=str(row.site_id), size=" ".join(size), period=int(period),
                             units=units))
    return out


def value(k: dict[str, float], name: str) -> float:
    """KPI ``name`` of ``k`` (NaN if the run has no such number)."""
    return float(k.get(name, math.nan))
