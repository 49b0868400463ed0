"""One test per model part: its coefficients, or its effect on the toy derived by hand.

The toy's optimum (84862.5 Myen) is derived in test_toy.py; each test here changes one
input and checks the change in the optimum or in the coefficients the part builds.
"""

import math

import pandas as pd
import pytest

from netopt.api import load, run
from netopt.model import build_model
from netopt.model.arcs import great_circle_km
from netopt.model.inputs import capital_recovery_factor, prepare
from tests.helpers import edit_csv

TOY_OPTIMUM = 84862.5


def solve(folder, scenario=None):
    result = run(folder, scenario)
    assert result.solved.has_solution, result.solved.describe()
    return result


# ---------------------------------------------------------------- settings and network


def test_discount_weights_are_sums_of_discount_factors(toy_copy):
    text = (toy_copy / "instance.toml").read_text().replace("discount_rate = 0.0", "discount_rate = 0.05")
    (toy_copy / "instance.toml").write_text(text)
    weights = load(toy_copy).settings.discount_weights()
    annuity5 = (1 - 1.05 ** -5) / (1 - 1 / 1.05)  # sum of 1.05^-t for t = 0..4
    assert weights[2025] == pytest.approx(annuity5)
    assert weights[2030] == pytest.approx(annuity5 * 1.05 ** -5)


def test_capital_recovery_factor():
    assert capital_recovery_factor(0.05, 10) == pytest.approx(0.1295045750, rel=1e-9)
    assert capital_recovery_factor(0.0, 8) == pytest.approx(1 / 8)


def test_great_circle_tokyo_osaka():
    # Tokyo (Shinjuku) to Osaka: about 397 km as the crow flies.
    assert great_circle_km(35.6895, 139.6917, 34.6937, 135.5023) == pytest.approx(397, abs=3)


def test_transport_cost_coefficient(toy_copy):
    edit_csv(toy_copy, "transport", lambda df: df.assign(
        cost_yen_per_t_km=["20", "10", "5"], handling_yen_per_t=["1000", "0", "0"], hazardous_premium_share="0.5"))
    d = prepare(load(toy_copy))
    arc = d.arcs[(d.arcs["from_id"] == "R1") & (d.arcs["to_id"] == "HUB")].iloc[0]
    km = great_circle_km(36.0, 140.0, 35.2, 137.2)  # road factor 1 in the toy
    assert arc["distance_km"] == pytest.approx(km)
    assert arc["cost_myen_per_t"] == pytest.approx((1000 + 20 * km * 1.5) / 1e6)


def test_explicit_arc_overrides_distance_and_cost(toy_copy):
    (toy_copy / "arcs.csv").write_text("from_id,to_id,distance_km,cost_myen_per_t\nR1,HUB,500,\nR2,HUB,,0.123\n")
    d = prepare(load(toy_copy))
    arcs = d.arcs.set_index(["from_id", "to_id"])
    assert arcs.loc[("R1", "HUB"), "distance_km"] == 500
    assert arcs.loc[("R1", "HUB"), "cost_myen_per_t"] == pytest.approx(0.01)  # handling only in the toy
    assert arcs.loc[("R2", "HUB"), "cost_myen_per_t"] == pytest.approx(0.123)


def test_k_nearest_links_each_origin_and_destination(toy_copy):
    edit_csv(toy_copy, "sites", lambda df: pd.concat([df, pd.DataFrame([{
        "site_id": "HUB2", "name": "North hub", "kind": "hub", "lat": "36.1", "lon": "140.1",
        "existing_capacity_t_per_yr": "10000", "candidate": "0"}])]).fillna(""))
    text = (toy_copy / "instance.toml").read_text().replace("k_nearest = 5", "k_nearest = 1")
    (toy_copy / "instance.toml").write_text(text)
    arcs = prepare(load(toy_copy)).arcs
    collect = set(zip(*arcs[arcs["leg"] == "collect"][["from_id", "to_id"]].T.values))
    # R1's nearest hub is HUB2, R2's and R3's is HUB; HUB2's nearest region is R1, HUB's is R2.
    assert collect == {("R1", "HUB2"), ("R2", "HUB"), ("R3", "HUB")}


# ---------------------------------------------------------------- sources: leakage and retention


def test_without_retention_lever_smaller_plant_and_hand_optimum(toy_path):
    # 2030 collects 2000 t/yr only: size S suffices (100 Myen/yr). Hand derivation:
    # 2025: 8840 - 50 (S instead of L) = 8790.
    # 2030: transport 2000*0.02 = 40, hub 20, pre-treatment 100, refinery (800 + 100 import) * 0.1 = 90,
    #       fixed 100, import 110, virgin Ni (1000-262.5)*2 + Co (1000-87.5)*5 + Li (1000-20)*2 = 7997.5.
    result = solve(toy_path, "no_retention")
    expected = 5 * 8790 + 5 * (40 + 20 + 100 + 90 + 100 + 110 + 7997.5)
    assert result.solved.objective == pytest.approx(expected)
    assert result.results.regions["retained_t_per_yr"].sum() == 0


# ---------------------------------------------------------------- hubs: reuse


def test_reuse_market_sells_fit_packs(toy_copy):
    # NMC sold for reuse earns 1.0 instead of 0.57 of metal, and saves 0.01 + 0.05 + 0.04 of downstream
    # cost: 0.53 Myen/t better, for 100 t/yr in 2030 (5 years).
    (toy_copy / "reuse.csv").write_text("chemistry,period,reuse_fit_share,max_t_per_yr,price_myen_per_t\n"
                                        "NMC,2030,0.5,100,1.0\n")
    result = solve(toy_copy)
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM - 5 * 100 * 0.53)
    reuse = result.results.flows.query("leg == 'reuse'")
    assert reuse["tonnes_per_yr"].sum() == pytest.approx(100)


def test_reuse_limited_by_fit_share(toy_copy):
    (toy_copy / "reuse.csv").write_text("chemistry,period,reuse_fit_share,max_t_per_yr,price_myen_per_t\n"
                                        "NMC,2030,0.1,100000,1.0\n")
    result = solve(toy_copy)
    # 3000 t/yr of NMC reach the hub in 2030; at most 10 % is fit for reuse.
    assert result.results.flows.query("leg == 'reuse'")["tonnes_per_yr"].sum() == pytest.approx(300)


def test_reuse_market_energy_cap(toy_copy):
    # 10 MWh/yr of usable energy at 100 kWh/t is 100 t/yr: the same optimum as a 100 t/yr tonnage cap above.
    (toy_copy / "reuse.csv").write_text("chemistry,period,reuse_fit_share,max_t_per_yr,price_myen_per_t,"
                                        "usable_kwh_per_t\nNMC,2030,0.5,100000,1.0,100\n")
    (toy_copy / "reuse_market.csv").write_text("period,max_mwh_per_yr\n2025,inf\n2030,10\n")
    result = solve(toy_copy)
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM - 5 * 100 * 0.53)
    assert result.results.flows.query("leg == 'reuse'")["tonnes_per_yr"].sum() == pytest.approx(100)


# ---------------------------------------------------------------- pre-treatment and refineries


def test_black_mass_yield_and_recovery_coefficients(toy_plan):
    flows = toy_plan.results.flows
    packs_in = flows.query("leg == 'hub_to_pretreatment' and period == 2025").groupby("material")["tonnes_per_yr"].sum()
    bm_out = flows.query("leg == 'pretreatment_to_refinery' and period == 2025").groupby("material")[
        "tonnes_per_yr"].sum()
    assert (bm_out / packs_in).to_dict() == pytest.approx({"LFP": 0.4, "NMC": 0.4})
    metal = flows.query("leg == 'refinery_to_demand' and period == 2025").set_index("material")["tonnes_per_yr"]
    # Ni: 300 t NMC black mass x 0.375 x recovery 1; Li: (300 x 0.05 + 100 x 0.025) x 0.5
    assert metal["Ni"] == pytest.approx(112.5)
    assert metal["Li"] == pytest.approx(8.75)


# ---------------------------------------------------------------- demand


def test_virgin_cap_creates_priced_unmet_demand(toy_copy):
    # Co 2025 capped at 900 t/yr: 62.5 t/yr of the 962.5 t/yr virgin need is unmet at 100 instead of 5.
    edit_csv(toy_copy, "metal_prices", lambda df: df.assign(
        virgin_cap_t_per_yr=["inf", "inf", "900", "inf", "inf", "inf"]))
    result = solve(toy_copy)
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM + 5 * 62.5 * (100 - 5))
    assert result.results.summary["kpis"]["slack"]["unmet_demand_t_total"] == pytest.approx(5 * 62.5)


def test_strict_mode_reports_infeasibility_instead_of_slack(toy_copy):
    edit_csv(toy_copy, "metal_prices", lambda df: df.assign(
        virgin_cap_t_per_yr=["inf", "inf", "900", "inf", "inf", "inf"]))
    result = run(toy_copy, "strict")
    assert not result.solved.has_solution
    assert result.solved.status in ("infeasible", "infeasible_or_unbounded")
    assert result.results.summary["status"] == result.solved.status
    # HiGHS's elastic-LP IIS crashed (SIGSEGV in the forked child) on this model and the line was lost
    iis = [line for line in result.results.summary["diagnosis"] if line.startswith("IIS of the strict LP")]
    assert iis and "demand.balance[CELL,Co,2025]" in iis[0]


# ---------------------------------------------------------------- trade


def test_import_price_from_payable_share(toy_copy):
    edit_csv(toy_copy, "trade", lambda df: df.assign(price_myen_per_t="0", payable_share="0.5"))
    d = prepare(load(toy_copy))
    # contained value of NMC black mass at virgin prices: 0.375*2 + 0.125*5 + 0.05*2 = 1.475
    assert d.trade["value_myen_per_t"].iloc[0] == pytest.approx(0.5 * 1.475 + 0.1)


def test_metal_export_earns_price_minus_freight(toy_copy):
    # Ni exported at 3.0 - 0.1 freight instead of displacing virgin Ni at 2.0: +0.9 Myen/t on 50 t/yr.
    with open(toy_copy / "trade.csv", "a") as f:
        f.write("ASIA,export,metal,Ni,2030,3.0,50\n")
    result = solve(toy_copy)
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM - 5 * 50 * 0.9)
    assert result.results.metals.set_index(["period", "metal"]).loc[(2030, "Ni"), "exported_t_per_yr"] == \
        pytest.approx(50)


def test_trade_ban_builds_no_port_arcs(toy_copy):
    edit_csv(toy_copy, "trade", lambda df: df.assign(cap_t_per_yr="0"))
    d = prepare(load(toy_copy))
    assert not d.arcs["leg"].str.startswith("import").any()
    result = solve(toy_copy)
    # without the 100 t/yr import (net gain 1.425 - 0.1 - 1.1 = 0.225 Myen/t) the cost rises by 5*100*0.225
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM + 5 * 100 * 0.225)


# ---------------------------------------------------------------- policy


def test_recycled_content_shortfall_is_priced(toy_copy):
    # Li 2030: 35 t recycled of 1000 t demand; a 5 % minimum lacks 15 t/yr. More Li would need retained LFP
    # at 0.31 Myen per t pack = 62 Myen per t Li > the 50 Myen/t shortfall penalty, so the shortfall is paid.
    (toy_copy / "recycled_content.csv").write_text("metal,period,min_share\nLi,2030,0.05\n")
    result = solve(toy_copy)
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM + 5 * 15 * 50)


def test_recycled_content_met_when_cheaper_than_penalty(toy_copy):
    # With a 100 Myen/t penalty, retaining LFP (62 Myen per t Li, 2.5 t Li from 500 t packs) beats paying it.
    (toy_copy / "recycled_content.csv").write_text("metal,period,min_share\nLi,2030,0.05\n")
    text = (toy_copy / "instance.toml").read_text() + "\n[penalties]\nrecycled_content_shortfall_myen_per_t = 100\n"
    (toy_copy / "instance.toml").write_text(text)
    result = solve(toy_copy)
    regions = result.results.regions.set_index(["region_id", "chemistry", "period"])
    assert regions.loc[("R3", "LFP", 2030), "retained_t_per_yr"] == pytest.approx(500)
    expected = TOY_OPTIMUM + 5 * (500 * 0.31 + 12.5 * 100)  # 15 - 2.5 t/yr still short
    assert result.solved.objective == pytest.approx(expected)


def test_max_new_facilities_zero_builds_nothing(toy_copy):
    text = (toy_copy / "instance.toml").read_text() + "\n[policy]\nmax_new_facilities = 0\n"
    (toy_copy / "instance.toml").write_text(text)
    result = solve(toy_copy)
    assert (result.results.facilities["status"] == "existing").all()
    assert result.results.summary["kpis"]["slack"]["unprocessed_packs_t_total"] > 0


def test_carbon_price_charges_transport_co2(toy_copy):
    edit_csv(toy_copy, "transport", lambda df: df.assign(co2_kg_per_t_km=["0.1", "0", "0"]))
    text = (toy_copy / "instance.toml").read_text() + "\n[policy]\ncarbon_price_yen_per_t_co2 = 10000\n"
    (toy_copy / "instance.toml").write_text(text)
    result = solve(toy_copy)
    flows = result.results.flows
    packs = flows[flows["stage"] == "pack"]
    co2 = (packs["tonnes_per_yr"] * packs["distance_km"] * 0.1 / 1000).groupby(packs["period"]).sum()
    carbon = result.results.costs.query("category == 'carbon'").set_index("period")["annual_myen_per_yr"]
    for p in (2025, 2030):
        assert carbon[p] == pytest.approx(co2[p] * 10000 / 1e6)


def test_min_utilisation_holds_for_new_capacity(toy_copy):
    text = (toy_copy / "instance.toml").read_text() + "\n[policy]\nmin_utilisation_share = 0.25\n"
    (toy_copy / "instance.toml").write_text(text)
    result = solve(toy_copy)
    new = result.results.facilities.query("status == 'new'")
    assert (new["throughput_t_per_yr"] >= 0.25 * new["capacity_t_per_yr"] - 1e-6).all()


@pytest.mark.parametrize("linking", ["weak", "aggregate", "strong"])
def test_linking_formulations_reach_the_same_optimum(toy_copy, linking):
    text = (toy_copy / "instance.toml").read_text().replace("[network]", f'linking = "{linking}"\n\n[network]')
    (toy_copy / "instance.toml").write_text(text)
    inst = load(toy_copy)
    model = build_model(prepare(inst))
    assert hasattr(model.pretreatment, "strong_link") == (linking == "strong")
    assert hasattr(model, "aggregate_hub_capacity") == (linking == "aggregate")
    assert solve(toy_copy).solved.objective == pytest.approx(TOY_OPTIMUM)


def test_marginal_value_of_capacity_is_reported(toy_plan):
    fac = toy_plan.results.facilities
    assert fac["marginal_value_myen_per_t_yr"].notna().all()
    assert not math.isnan(fac["marginal_value_myen_per_t_yr"].sum())


def test_packs_and_black_mass_of_one_chemistry_stay_apart_at_ports(toy_copy):
    # An expensive offer of NMC packs beside the cheap NMC black mass: the optimum must not change, and no
    # pack may be bought (a port balance that mixed the two stages would force both to the same tonnes).
    with open(toy_copy / "trade.csv", "a") as f:
        f.write("ASIA,import,pack,NMC,2030,100.0,1000\n")
    result = solve(toy_copy)
    assert result.solved.objective == pytest.approx(TOY_OPTIMUM)
    imports = result.results.flows.query("leg == 'import_market'")
    assert set(imports["stage"]) == {"black_mass"}
