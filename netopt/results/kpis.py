"""Headline numbers of a run (``summary.json``): the solve's status in words and the KPIs.

Everything here works on the result tables (pandas) and the solve result: no Pyomo.
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.solve import SolveResult


def kpis(tables: dict[str, pd.DataFrame], years: dict[int, int]) -> dict:
    """KPIs of the result tables; ``years`` is the number of years each period stands for."""
    metals, regions, costs, fac = tables["metals"], tables["regions"], tables["costs"], tables["facilities"]
    emissions = tables.get("emissions", pd.DataFrame(columns=["period", "source", "t_co2_per_yr"]))

    def by_metal_period(column: str) -> dict:
        return {k: {str(p): round(float(v), 4) for p, v in g.set_index("period")[column].items()}
                for k, g in metals.groupby("metal")}

    def period_sum(df: pd.DataFrame, column: str) -> dict:
        return {str(p): float(v) for p, v in df.groupby("period")[column].sum().items()}

    def horizon_total(df: pd.DataFrame, column: str) -> float:
        return float(sum(v * years[p] for p, v in df.groupby("period")[column].sum().items()))

    new = fac[fac["status"] == "new"].drop_duplicates("site_id") if not fac.empty else fac
    cost = costs.groupby("category")["discounted_myen"].sum()
    return {
        "self_sufficiency_share": by_metal_period("self_sufficiency_share"),
        "recycled_share_of_demand": by_metal_period("recycled_share"),
        "leaked_packs_t_per_yr": period_sum(regions, "leaked_t_per_yr"),
        "leaked_metal_t_per_yr": period_sum(regions, "leaked_metal_t_per_yr"),
        "leaked_packs_t_total": horizon_total(regions, "leaked_t_per_yr"),
        "leaked_metal_t_total": horizon_total(regions, "leaked_metal_t_per_yr"),
        "retained_packs_t_total": horizon_total(regions, "retained_t_per_yr"),
        "co2_t_per_yr": period_sum(emissions, "t_co2_per_yr"),
        "co2_t_total": horizon_total(emissions, "t_co2_per_yr"),
        "facilities_opened": {
            "count": int(len(new)),
            "by_kind": {k: int(v) for k, v in new.groupby("kind").size().items()} if len(new) else {},
            "list": [{"site_id": r.site_id, "name": r.name, "kind": r.kind, "size": r.built_size,
                      "period": int(r.built_period)} for r in new.itertuples()],
        },
        "cost_by_category_discounted_myen": {k: round(float(v), 3) for k, v in cost.items()},
        "slack": {
            "unmet_demand_t_total": horizon_total(metals, "unmet_t_per_yr"),
            "unprocessed_packs_t_total": horizon_total(regions, "unprocessed_t_per_yr"),
            "penalty_discounted_myen": float(cost[[c for c in cost.index if c.endswith("_penalty")]].sum()),
            "note": "Priced slack: demand or collected packs that the network could not serve, at the penalties "
                    "in instance.toml [penalties]. Zero means every tonne was served.",
        },
    }


def summary_head(solved: SolveResult, instance_name: str, scenario: str) -> dict:
    """Status, objective, reference, bound and gap of a solve, with what a reader must know about them."""
    seconds = solved.seconds
    return {
        "instance": instance_name,
        "scenario": scenario,
        "status": solved.status,
        "proven_optimal": solved.proven_optimal,
        "objective_myen": solved.objective,
        "reference_cost_myen": solved.reference,
        "controllable_cost_myen": solved.controllable,
        "bound_myen": solved.bound,
        "gap_abs_myen": solved.gap_abs,
        "gap_controllable": _finite(solved.gap),
        "gap": _finite(solved.gap),
        "gap_target_myen": solved.target_gap_abs,
        "bound_source": solved.bound_source,
        "solve_seconds": round(sum(seconds.get(k, 0.0) for k in ("compile", "handoff", "solve")), 3),
        "stages": solved.stages,
        "certainty": certainty(solved),
        "note": status_note(solved),
    }


def certainty(solved: SolveResult, periods: int = 2) -> dict:
    """What the gap can and cannot overturn among the builds of the first ``periods`` build periods.

    Each build's cheapest single change (close it, build it a period earlier or later, another size),
    priced by the local search with every other build held: one costing less than the gap is a
    near-equal alternative the bound cannot rule out ("within the gap"); one costing more is not
    overturned by that change alone, though several changes together are not ruled out."""
    rows = solved.alternatives or []
    firsts = sorted({r["period"] for r in rows})[:periods]
    gap = solved.gap_abs
    out = []
    for r in rows:
        if r["period"] not in firsts:
            continue
        verdict = "unknown (no bound)" if gap is None else (
            "within the gap" if r["extra_cost_myen"] <= gap else "not overturned by one change")
        out.append({**r, "verdict": verdict})
    return {"builds": out, "gap_abs_myen": gap,
            "note": "Per build of the first build periods, its cheapest single change with every other build "
                    "held (local search), and whether that costs more than the gap. No build is proven certain: "
                    "that needs a bound above the objective with the build changed."}


def _finite(x: float | None) -> float | None:
    return x if x is None or math.isfinite(x) else None


def status_note(solved: SolveResult) -> str:
    """What a reader must know about the status, in words."""
    if not solved.has_solution:
        return f"NO PLAN: status {solved.status} ({solved.solver_status}); no feasible plan was found."
    gap = "unknown" if solved.gap_abs is None else f"{solved.gap_abs:,.0f} Myen"
    share = "" if solved.gap is None or not math.isfinite(solved.gap) else f", {100 * solved.gap:.1f} % of it"
    head = (f"Controllable cost (objective less the all-virgin reference {solved.reference:,.0f} Myen): "
            f"{solved.controllable:+,.0f} Myen; gap to the bound {gap}{share}; target {solved.target_gap_abs:,.0f} "
            f"Myen.")
    if solved.status == "optimal":
        return "Optimal within the target gap. " + head
    why = {"time_limit": "stopped by the time limit", "interrupted": "stopped by the user (Ctrl-C)",
           "not_proven": "the solve ended (its steps are limited by work, not time) before the bound proved "
                         "the target"}.get(
        solved.status, f"solver status {solved.status}")
    return f"NOT PROVEN OPTIMAL: {why}; best plan found. " + head
