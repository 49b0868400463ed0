"""Properties of proven-optimal solves on the toy: monotonicity, scaling, row-order invariance."""

import pandas as pd
import pytest

from netopt.api import run
from tests.helpers import edit_csv

TOY_OPTIMUM = 84862.5


def optimum(folder, scenario=None) -> float:
    result = run(folder, scenario)
    assert result.solved.status == "optimal"
    return result.solved.objective


def test_more_existing_capacity_never_raises_cost(toy_copy):
    edit_csv(toy_copy, "sites", lambda df: df.assign(existing_capacity_t_per_yr=[
        "10000", "1000", "10000"]))
    assert optimum(toy_copy) <= TOY_OPTIMUM + 1e-6


def test_an_extra_arc_never_raises_cost(toy_copy):
    (toy_copy / "arcs.csv").write_text("from_id,to_id,distance_km,cost_myen_per_t\nR3,HUB,,0.0\n")
    assert optimum(toy_copy) <= TOY_OPTIMUM + 1e-6


def test_doubling_every_cost_and_price_doubles_the_objective(toy_copy):
    money = {
        "metal_prices": ["virgin_price_myen_per_t"],
        "leakage": ["retention_cost_myen_per_t"],
        "facility_kinds": ["processing_cost_myen_per_t"],
        "capacity_options": ["capex_myen", "fixed_om_myen_per_yr"],
        "markets": ["sea_freight_myen_per_t"],
        "trade": ["price_myen_per_t"],
        "transport": ["cost_yen_per_t_km", "handling_yen_per_t"],
    }
    for table, columns in money.items():
        def double(df, columns=columns):
            for c in columns:
                df[c] = [str(2 * float(v)) if v not in ("", "inf") else v for v in df[c]]
            return df
        edit_csv(toy_copy, table, double)
    text = (toy_copy / "instance.toml").read_text() + (
        "\n[penalties]\nunmet_demand_myen_per_t = 200\nunprocessed_packs_myen_per_t = 10\n"
        "recycled_content_shortfall_myen_per_t = 100\ncarbon_cap_excess_myen_per_t_co2 = 2\n")
    (toy_copy / "instance.toml").write_text(text)
    assert optimum(toy_copy) == pytest.approx(2 * TOY_OPTIMUM)


def test_shuffling_table_rows_changes_nothing(toy_copy, toy_plan):
    for table in ("supply", "sites", "metal_prices", "demand", "chemistry_metals", "regions", "capacity_options"):
        edit_csv(toy_copy, table, lambda df: df.sample(frac=1.0, random_state=7))
    shuffled = run(toy_copy)
    assert shuffled.solved.objective == pytest.approx(toy_plan.solved.objective, abs=1e-9)
    cols = ["leg", "origin", "destination", "material", "period"]
    a = toy_plan.results.flows.sort_values(cols).reset_index(drop=True)
    b = shuffled.results.flows.sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
