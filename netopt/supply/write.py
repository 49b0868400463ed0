"""The supply model end to end: every table it owns, computed and written into an instance folder.

``python -m netopt.supply INSTANCE_FOLDER`` runs :func:`main`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from netopt.supply.cohorts import cohort_flows, export_shares, lifetime_distributions, sales_by_year, used_by_year
from netopt.supply.inputs import load_inputs, read_periods
from netopt.supply.packs import archetype_contents, cohort_contents, cohort_mix, material_flows
from netopt.supply.regions import region_shares, regions_table
from netopt.supply.tables import chemistry_metals_table, leakage_table, supply_table


@dataclass
class Scenario:
    """Named choices of one supply run."""
    sales_path: str = "policy"
    mix: str = "base"
    export_path: str = "base"


def run(inputs: dict[str, pd.DataFrame], scenario: Scenario | None = None,
        last_year: int = 2054) -> dict[str, pd.DataFrame]:
    """Run the cohort model end to end; returns sales, flows, export shares, contents and material flows."""
    scenario = scenario or Scenario()
    hist_year = int(inputs["sales_history"]["year"].max())
    sales = sales_by_year(inputs["sales_history"], inputs["sales_paths"], scenario.sales_path, last_year)
    years = np.sort(sales["year"].unique())
    life = lifetime_distributions(inputs["lifetimes"])
    first, batt = life["first_use"], life["battery"]
    used = used_by_year(cohort_flows(sales, first, batt))  # used cars do not depend on the export share
    x = export_shares(used, inputs["exports_history"], inputs["export_paths"], scenario.export_path, years)
    flows = cohort_flows(sales, first, batt, x)
    mix = cohort_mix(inputs["cohort_mix"], scenario.mix, years, hist_year)
    contents = cohort_contents(mix, archetype_contents(inputs["archetypes"], inputs["cathodes"]))
    return {"sales": sales, "flows": flows, "export_share": x, "contents": contents,
            "materials": material_flows(flows, contents)}


SCENARIO_FILES = {
    ("supply", "policy", "base", "base"): "supply.csv",
    ("leakage", "policy", "base", "base"): "leakage.csv",
    ("supply", "policy", "lfp_shift", "base"): "scenarios/supply_lfp_shift.csv",
    ("supply", "low", "base", "base"): "scenarios/supply_low.csv",
    ("supply", "high", "base", "base"): "scenarios/supply_high.csv",
    ("supply", "policy", "base", "retention"): "scenarios/supply_retention.csv",
    ("leakage", "policy", "base", "retention"): "scenarios/leakage_retention.csv",
}
"""(table, sales path, chemistry mix, export path) -> file written under the instance folder."""


def generate(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Compute every table this module owns; returns relative path -> DataFrame (no writing)."""
    folder = Path(folder)
    inputs = load_inputs(folder)
    periods, last_years = read_periods(folder)
    last_year = periods[-1] + last_years - 1
    regions = region_shares(inputs["prefectures"], inputs["nev_subsidies"])
    out = {"regions.csv": regions_table(inputs["prefectures"])}
    runs: dict[tuple[str, str, str], dict] = {}
    for (table, sales_path, mix, export_path), rel in SCENARIO_FILES.items():
        key = (sales_path, mix, export_path)
        if key not in runs:
            runs[key] = run(inputs, Scenario(sales_path, mix, export_path), last_year)
        note = (f"cohort model, sales path {sales_path}, chemistry mix {mix}, export path {export_path}; "
                f"annual mean over the period (last period {last_years} yr)")
        mat = runs[key]["materials"]
        out[rel] = (supply_table(mat, regions, periods, last_years, note) if table == "supply"
                    else leakage_table(mat, inputs["retention"], periods, last_years, note))
    base = runs[("policy", "base", "base")]["materials"]
    out["chemistry_metals.csv"] = chemistry_metals_table(base, periods[0], last_year)
    return out


def write(folder: str | Path) -> list[Path]:
    """Regenerate the supply-side tables of an instance folder, deterministically."""
    folder = Path(folder)
    written = []
    for rel, df in generate(folder).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m netopt.supply INSTANCE_FOLDER", file=sys.stderr)
        return 2
    try:
        written = write(argv[0])
    except (ValueError, FileNotFoundError) as e:  # bad or missing inputs: say which, no traceback
        print(f"netopt.supply: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0
