"""Mass balance of every node, recomputed from the written CSVs and the instance's own CSV files.

Nothing here goes through the model or its prepared inputs: the yields, metal contents, recovery
shares, leakage shares and demand are read from the toy's CSV files with pandas, so a model or
an extraction that got any of them wrong fails these checks.
"""

import pandas as pd
import pytest

from netopt.results.store import read_run
from tests.helpers import TOY


@pytest.fixture(scope="module")
def written(toy_plan, tmp_path_factory):
    return read_run(toy_plan.write(tmp_path_factory.mktemp("run") / "toy"))


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(TOY / f"{name}.csv") for name in (
        "chemistries", "chemistry_metals", "metals", "leakage", "supply", "sites", "ports", "demand", "transport")}


def _sum(flows: pd.DataFrame, by: list[str]) -> pd.Series:
    return flows.groupby(by)["tonnes_per_yr"].sum()


def test_regions_follow_supply_and_leakage_tables(written, data):
    regions = written.regions.set_index(["region_id", "chemistry", "period"])
    supply = data["supply"].set_index(["region_id", "chemistry", "period"])["eol_packs_t_per_yr"]
    assert regions["eol_packs_t_per_yr"].to_dict() == pytest.approx(supply[supply > 0].to_dict())
    share = data["leakage"].set_index("period")["leakage_share"]
    expected_leak = regions["eol_packs_t_per_yr"] * regions.index.get_level_values("period").map(share) \
        - regions["retained_t_per_yr"]
    assert (regions["leaked_t_per_yr"] - expected_leak).abs().max() < 1e-6
    assert (regions["leaked_t_per_yr"] + regions["collected_t_per_yr"] - regions["eol_packs_t_per_yr"]).abs().max() \
        < 1e-6
    metal = data["chemistry_metals"].groupby("chemistry")["content_kg_per_t_pack"].sum() / 1000
    expected_metal = regions["leaked_t_per_yr"] * regions.index.get_level_values("chemistry").map(metal)
    assert (regions["leaked_metal_t_per_yr"] - expected_metal).abs().max() < 1e-6


def test_regions_collected_equals_shipped_plus_unprocessed(written):
    regions = written.regions.set_index(["region_id", "chemistry", "period"])
    shipped = _sum(written.flows[written.flows["leg"] == "collect"], ["origin", "material", "period"])
    shipped.index.names = regions.index.names
    balance = regions["collected_t_per_yr"] - regions["unprocessed_t_per_yr"] - shipped.reindex(regions.index,
                                                                                                fill_value=0)
    assert balance.abs().max() < 1e-6


def test_every_node_balances(written, data):
    f = written.flows
    inflow = _sum(f, ["destination", "stage", "material", "period"])
    outflow = _sum(f, ["origin", "stage", "material", "period"])
    kind = data["sites"].set_index("site_id")["kind"]
    bm_yield = data["chemistries"].set_index("chemistry")["black_mass_yield_t_per_t"]
    for (node, stage, material, period), t_in in inflow.items():
        if kind.get(node) == "hub" or node in set(data["ports"]["port_id"]):
            assert outflow.get((node, stage, material, period), 0.0) == pytest.approx(t_in), node
        elif kind.get(node) == "pretreatment":
            out = outflow.get((node, "black_mass", material, period), 0.0)
            assert out == pytest.approx(t_in * bm_yield[material]), node


def test_refineries_recover_what_the_black_mass_contains(written, data):
    f, metals = written.flows, written.metals.set_index(["period", "metal"])
    bm_yield = data["chemistries"].set_index("chemistry")["black_mass_yield_t_per_t"]
    content = data["chemistry_metals"].set_index(["chemistry", "metal"])["content_kg_per_t_pack"] / 1000
    recovery = data["metals"].set_index("metal")["recovery_share"]
    refineries = set(data["sites"].query("kind == 'refinery'")["site_id"])
    bm_in = f[f["destination"].isin(refineries) & (f["stage"] == "black_mass")]
    metal_out = f[f["origin"].isin(refineries) & (f["stage"] == "metal")]
    for period in sorted(f["period"].unique()):
        fed = bm_in[bm_in["period"] == period].groupby("material")["tonnes_per_yr"].sum()
        for metal in recovery.index:
            recovered = recovery[metal] * sum(t / bm_yield[c] * content.get((c, metal), 0.0) for c, t in fed.items())
            sent = metal_out[(metal_out["period"] == period) & (metal_out["material"] == metal)]["tonnes_per_yr"].sum()
            row = metals.loc[(period, metal)]
            assert row["recovered_t_per_yr"] == pytest.approx(recovered)
            assert sent + row["surplus_t_per_yr"] == pytest.approx(recovered)


def test_demand_met_by_recycled_virgin_or_unmet(written, data):
    m = written.metals.set_index(["metal", "period"])
    demand = data["demand"].groupby(["metal", "period"])["demand_t_per_yr"].sum()
    assert m["demand_t_per_yr"].to_dict() == pytest.approx(demand.to_dict())
    assert ((m["recycled_t_per_yr"] + m["virgin_t_per_yr"] + m["unmet_t_per_yr"]) - demand).abs().max() < 1e-6
    delivered = _sum(written.flows[written.flows["leg"] == "refinery_to_demand"], ["material", "period"])
    for (metal, period), t in delivered.items():
        assert m.loc[(metal, period), "recycled_t_per_yr"] == pytest.approx(t)


def test_emissions_follow_the_flows_and_the_co2_factors(toy_copy):
    from netopt.api import run
    from tests.helpers import edit_csv

    edit_csv(toy_copy, "transport", lambda df: df.assign(co2_kg_per_t_km=["0.1", "0.2", "0.05"]))
    edit_csv(toy_copy, "facility_kinds", lambda df: df.assign(co2_t_per_t=["0.01", "0.1", "0.5"]))
    plan = run(toy_copy)
    flows, fac = plan.results.flows, plan.results.facilities
    emissions = plan.results.emissions.set_index(["period", "source"])["t_co2_per_yr"]
    factor = pd.read_csv(toy_copy / "transport.csv").set_index("stage")["co2_kg_per_t_km"] / 1000
    process = pd.read_csv(toy_copy / "facility_kinds.csv").set_index("kind")["co2_t_per_t"]
    arcs = flows.dropna(subset=["distance_km"])
    for period in (2025, 2030):
        a = arcs[arcs["period"] == period]
        assert emissions[period, "transport"] == pytest.approx((a["tonnes_per_yr"] * a["distance_km"]
                                                                * a["stage"].map(factor)).sum())
        for kind in ("hub", "pretreatment", "refinery"):
            thr = fac[(fac["period"] == period) & (fac["kind"] == kind)]["throughput_t_per_yr"].sum()
            assert emissions[period, f"process_{kind}"] == pytest.approx(process[kind] * thr)
    total = emissions.groupby("period").sum()
    assert plan.results.summary["kpis"]["co2_t_per_yr"] == pytest.approx({str(p): v for p, v in total.items()})
