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
    """Status, objective, bound and gap of a solve, with what a reader must know about them."""
    return {
        "instance": instance_name,
        "scenario": scenario,
        "status": solved.status,
        "proven_optimal": solved.proven_optimal,
        "objective_myen": solved.objective,
        "bound_myen": solved.bound,
        "gap": solved.gap,
        "gap_abs_myen": None if solved.objective is None or solved.bound is None else solved.objective - solved.bound,
        "bound_source": solved.bound_source,
        "mip_gap_target": solved.options.get("mip_gap"),
        "solve_seconds": round(solved.seconds.get("solve", 0.0), 3),
        "note": status_note(solved.status, solved.gap, solved.has_solution),
    }


def status_note(status: str, gap: float | None, has_solution: bool = True) -> str:
    """What a reader must know about the status, in words."""
    if not has_solution:
        return f"NO PLAN: solver status {status}; no feasible plan was found."
    if status == "optimal":
        return ("Optimal within the requested relative MIP gap" + (f" (gap {100 * gap:.3f} %)" if gap else "")
                + ". The gap is relative to the total cost, virgin metal included; gap_abs_myen gives it in Myen.")
    g = "unknown" if gap is None or not math.isfinite(gap) else f"{100 * gap:.2f} %"
    if status == "time_limit":
        return f"NOT PROVEN OPTIMAL: stopped at the time limit; best plan found, gap to the bound {g}."
    return f"NOT PROVEN OPTIMAL: solver status {status}; best plan found, gap to the bound {g}."
