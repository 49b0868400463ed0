"""Pareto fronts by the epsilon-constraint method: cost against self-sufficiency, cost against CO2.

``objective = "self_sufficiency"``: for each level, a minimum recycled share of demand
(``recycled_content.min_share``) for the ``metals`` (default: all) in every period from
``from_period`` on: the price of resource security. A level the network cannot reach shows as a
shortfall (``cost.recycled_content_penalty`` > 0, ``reached = False``); the cost then includes its
penalty and the point is not on the front.

``objective = "co2"``: first the base run, then for each level a cap on annual CO2 of
``level`` x the base run's peak annual CO2 (``policy.carbon_cap_t_co2_per_yr``), with the excess
priced so high (``penalties.carbon_cap_excess_myen_per_t_co2`` = 1000 Myen/t) that the cap holds
wherever it can; ``cost_myen`` excludes the carbon charge and penalty.

``pareto.csv``: per level the cost, the achieved figure, whether it was reached, the marginal
cost per unit between neighbouring points, and whether the cost rise between neighbours exceeds
their gaps (``step_verdict``).
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.instance.overrides import SetRows, SetSetting
from netopt.studies.common import Result, Runs, headline, status_of, tolerance, verdict

SOURCE = "pareto"
HARD_CAP_PENALTY = 1000.0  # Myen/t CO2 above the cap: far above any abatement cost in the model


def _level_overrides(study, level: float, peak: float | None) -> tuple:
    s = study.section
    if s.objective == "co2":
        return (SetSetting(path="policy.carbon_cap_t_co2_per_yr", value=level * peak, source=SOURCE),
                SetSetting(path="penalties.carbon_cap_excess_myen_per_t_co2", value=HARD_CAP_PENALTY, source=SOURCE))
    metals = s.metals or sorted(study.instance.table("metals")["metal"])
    periods = [p for p in study.periods if s.from_period is None or p >= s.from_period]
    return (SetRows(table="recycled_content", where={"metal": metals, "period": periods},
                    values={"min_share": level}, source=SOURCE),)


def drive(study, runner) -> Result:
    s = study.section
    runs = Runs.of(runner, study.instance.settings.period_years())
    metals = sorted(study.instance.table("metals")["metal"])
    chosen = s.metals or metals
    periods = [p for p in study.periods if s.from_period is None or p >= s.from_period]
    peak = None
    base_row = None
    if s.objective == "co2":
        base = study.spec()
        base_row = runner.run([base], ["unconstrained"], [{"level": None}], title=f"{study.name}: base")[base.id]
        k = runs.kpis(base_row)
        annual = runs.get(base_row).table("emissions").groupby("period")["t_co2_per_yr"].sum() if k else None
        if annual is None or annual.max() <= 0:
            return Result({}, {"result": "the base run has no plan or no CO2; no CO2 front"})
        peak = float(annual.max())
    levels = sorted(s.levels, reverse=s.objective == "co2")
    specs = [study.spec(overrides=_level_overrides(study, v, peak)) for v in levels]
    rows = runner.run(specs, [f"level {v:g}" for v in levels], [{"level": v} for v in levels],
                      title=f"Pareto {study.name}")
    table = []
    for v, spec in zip(levels, specs):
        row = rows.get(spec.id)
        k = runs.kpis(row)
        rec = {"level": v, **headline(k, metals), "status": status_of(row), "id": spec.id}
        if s.objective == "co2":
            extra = k.get("cost.carbon", 0.0) + k.get("cost.carbon_cap_penalty", 0.0)
            rec["cost_myen"] = k.get("objective", math.nan) - extra
            rec["cap_t_co2_per_yr"] = v * peak
            run = runs.get(row)
            annual = run.table("emissions").groupby("period")["t_co2_per_yr"].sum() if run is not None else None
            rec["peak_t_co2_per_yr"] = float(annual.max()) if annual is not None else math.nan
            rec["reached"] = bool(annual is not None and annual.max() <= v * peak * (1 + 1e-6) + 1e-6)
            rec["achieved"] = k.get("co2_t", math.nan)
        else:
            rec["cost_myen"] = k.get("objective", math.nan) - k.get("cost.recycled_content_penalty", 0.0)
            shares = [k.get(f"recycled_share.{m}.{p}", math.nan) for m in chosen for p in periods]
            rec["achieved"] = min(shares) if shares else math.nan
            rec["reached"] = bool(k) and k.get("cost.recycled_content_penalty", 0.0) <= 1e-6
        table.append(rec)
    df = pd.DataFrame(table)
    steps, verdicts = [math.nan], [""]
    for i in range(1, len(df)):
        a, b = runs.get(rows.get(specs[i - 1].id)), runs.get(rows.get(specs[i].id))
        dx = df["achieved"].iloc[i] - df["achieved"].iloc[i - 1]
        dc = df["cost_myen"].iloc[i] - df["cost_myen"].iloc[i - 1]
        steps.append(dc / dx if dx else math.nan)
        verdicts.append(verdict(dc, tolerance(a, b)) if a is not None and b is not None else "")
    df["marginal_myen_per_unit"] = steps
    df["step_verdict"] = verdicts
    front = df[df["reached"]]
    notes = {"objective": s.objective, "levels": levels, "metals": chosen, "periods": periods, "peak_t_co2": peak,
             "points_on_front": int(len(front)),
             "monotone": bool(front["cost_myen"].is_monotonic_increasing),
             "base_id": base_row["id"] if base_row else None}
    return Result({"pareto": df}, notes)
