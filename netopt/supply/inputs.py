"""The supply model's inputs: the CSV files of ``<instance>/inputs/``, and the instance's periods."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from netopt.catalogue import period_years

DEFAULT_PERIODS = (2025, 2030, 2035, 2040, 2045, 2050)
DEFAULT_LAST_PERIOD_YEARS = 5
INPUT_FILES = ("sales_history", "sales_paths", "lifetimes", "cathodes", "archetypes", "cohort_mix",
               "exports_history", "export_paths", "retention", "prefectures", "nev_subsidies", "stock_history",
               "white_paper")


def load_inputs(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Read the bundled input tables ``<folder>/inputs/*.csv`` into DataFrames keyed by file stem."""
    base = Path(folder) / "inputs"
    return {name: pd.read_csv(base / f"{name}.csv") for name in INPUT_FILES}


def read_periods(folder: Path) -> tuple[tuple[int, ...], int]:
    """Periods and last-period length from ``instance.toml`` if present, else the defaults (2025..2050 by 5)."""
    toml = folder / "instance.toml"
    if toml.exists():
        model = tomllib.loads(toml.read_text()).get("model", {})
        if model.get("periods"):
            periods = tuple(int(p) for p in model["periods"])
            return periods, period_years(periods, int(model.get("last_period_years") or 0))[periods[-1]]
    return DEFAULT_PERIODS, DEFAULT_LAST_PERIOD_YEARS
