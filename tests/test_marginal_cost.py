"""regions.csv ``marginal_cost_myen_per_t``: the cost of one more collected tonne, checked by finite differences.

One more tonne per year collected in a region (its supply raised by 1 / (1 - leakage), so the leaked tonnes
change too but nothing else they bound does when no retention is bought) changes the optimum by the dual
of its collection balance times the period's discount weight, as long as the builds stay the same.
"""

from __future__ import annotations

import pytest

from netopt.api import load, run
from tests.helpers import edit_csv

DELTA = 10.0  # t/yr more collected


@pytest.mark.parametrize("region, chemistry, period", [("R1", "NMC", 2025), ("R3", "LFP", 2030)])
def test_marginal_cost_is_the_change_of_the_optimum_per_collected_tonne(toy_copy, region, chemistry, period):
    base = run(toy_copy)
    regions = base.results.regions
    row = regions[(regions["region_id"] == region) & (regions["chemistry"] == chemistry)
                  & (regions["period"] == period)].iloc[0]
    assert row["retained_t_per_yr"] == 0  # retention would also scale with supply
    leakage = float(load(toy_copy).table("leakage").set_index("period").loc[period, "leakage_share"])

    def more(df):
        pick = (df["region_id"] == region) & (df["chemistry"] == chemistry) & (df["period"] == str(period))
        df.loc[pick, "eol_packs_t_per_yr"] = str(float(df.loc[pick, "eol_packs_t_per_yr"].item())
                                                 + DELTA / (1 - leakage))
        return df

    edit_csv(toy_copy, "supply", more)
    again = run(toy_copy)
    weight = load(toy_copy).settings.discount_weights()[period]
    by_difference = (again.solved.objective - base.solved.objective) / DELTA / weight
    assert row["marginal_cost_myen_per_t"] == pytest.approx(by_difference, rel=1e-6, abs=1e-9)


def test_marginal_cost_signs_on_the_toy(toy_plan):
    regions = toy_plan.results.regions.set_index(["region_id", "chemistry", "period"])["marginal_cost_myen_per_t"]
    # NMC packs carry Ni and Co worth more than their handling: one more collected tonne lowers the cost;
    # LFP packs carry little value and cost money to process
    assert regions[("R1", "NMC", 2025)] < 0 < regions[("R3", "LFP", 2025)]
