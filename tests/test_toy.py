"""The toy instance's optimum, derived by hand and asserted exactly.

Data (instances/toy): periods 2025 and 2030, 5 years each, no discounting (w = 5, 5).
Leakage 50 %; retention offered in 2030 only, at 0.2 Myen/t. Every pack arc costs
0.01 Myen/t (handling only), black-mass and metal arcs cost nothing. Hub 0.01,
pre-treatment 0.05 Myen/t pack, refinery 0.1 Myen/t black mass. Yield 0.4.
NMC pack: Ni 150, Co 50, Li 20 kg/t -> per t black mass Ni 0.375, Co 0.125, Li 0.05 t;
LFP pack: Li 10 kg/t -> Li 0.025 t per t black mass. Recovery Ni 1, Co 1, Li 0.5.
Virgin Ni 2, Co 5, Li 2 Myen/t; demand 1000 t/yr of each metal (never saturated).

Decisions:
* Value of a tonne of NMC pack turned into metal: 0.15*2 + 0.05*5 + 0.02*0.5*2 = 0.57 Myen;
  its chain cost is 0.01+0.01 (arcs) + 0.01 (hub) + 0.05 (pre-treatment) + 0.4*0.1 (refinery)
  = 0.12, so retaining NMC at 0.2 earns 0.25/t: retain all 1500 t/yr leaked NMC in 2030.
  LFP is worth 0.01*0.5*2 = 0.01 < 0.12 + 0.2: not retained (but collected LFP is processed,
  since leaving it unprocessed costs 5 Myen/t).
* Pre-treatment needs 1000 t/yr in 2025 and 3500 t/yr in 2030 (2000 collected + 1500
  retained). Size L (4000 t/yr, 150 Myen/yr) from 2025 costs 500 Myen more than S (2000 t/yr,
  100 Myen/yr) over the horizon, and S would leave 1500 t/yr x 5 yr unretained at
  0.25 Myen/t = 1875 Myen: build L in 2025.
* Imported NMC black mass costs 1.0 + 0.1 freight = 1.1 Myen/t and yields
  0.375*2 + 0.125*5 + 0.05*0.5*2 = 1.425 Myen of metal for 0.1 refining: import the 100 t/yr cap.

Annual costs (Myen/yr):
2025: transport 1000*0.01*2 = 20; hub 10; pre-treatment 50; refinery 400 t BM*0.1 = 40;
      fixed 150; virgin metal: Ni (1000-112.5)*2 + Co (1000-37.5)*5 + Li (1000-8.75)*2 = 8570
      -> 8840
2030: transport 3500*0.01*2 = 70; retention 1500*0.2 = 300; hub 35; pre-treatment 175;
      refinery 1500 t BM*0.1 = 150; fixed 150; import 110;
      virgin: Ni (1000-487.5)*2 + Co (1000-162.5)*5 + Li (1000-35)*2 = 7142.5 -> 8132.5
Objective = 5*8840 + 5*8132.5 = 84862.5 Myen.
"""

import pytest

HAND_OPTIMUM = 5 * (20 + 10 + 50 + 40 + 150 + 8570) + 5 * (70 + 300 + 35 + 175 + 150 + 150 + 110 + 7142.5)


def test_toy_objective_matches_hand_derivation(toy_plan):
    assert HAND_OPTIMUM == 84862.5
    assert toy_plan.solved.status == "optimal"
    assert toy_plan.solved.objective == pytest.approx(HAND_OPTIMUM, abs=1e-6)


def test_toy_decisions_match_hand_derivation(toy_plan):
    fac = toy_plan.results.facilities
    pt = fac[fac["site_id"] == "PT"]
    assert set(pt["built_size"]) == {"L"} and set(pt["built_period"]) == {2025}
    regions = toy_plan.results.regions.set_index(["region_id", "chemistry", "period"])
    assert regions.loc[("R1", "NMC", 2030), "retained_t_per_yr"] == pytest.approx(1000)
    assert regions.loc[("R2", "NMC", 2030), "retained_t_per_yr"] == pytest.approx(500)
    assert regions.loc[("R3", "LFP", 2030), "retained_t_per_yr"] == pytest.approx(0)
    flows = toy_plan.results.flows
    imports = flows[flows["leg"] == "import_market"]
    assert imports["tonnes_per_yr"].sum() == pytest.approx(100)


def test_toy_annual_costs_by_category(toy_plan):
    costs = toy_plan.results.costs.groupby(["category", "period"])["annual_myen_per_yr"].sum()
    assert costs["virgin_metal", 2025] == pytest.approx(8570)
    assert costs["virgin_metal", 2030] == pytest.approx(7142.5)
    assert costs["transport", 2030] == pytest.approx(70)
    assert costs["retention", 2030] == pytest.approx(300)
    assert costs["imports", 2030] == pytest.approx(110)
    assert costs["fixed", 2025] == pytest.approx(150)


def test_toy_metal_balance(toy_plan):
    metals = toy_plan.results.metals.set_index(["period", "metal"])
    assert metals.loc[(2030, "Ni"), "recycled_t_per_yr"] == pytest.approx(487.5)
    assert metals.loc[(2030, "Li"), "recycled_t_per_yr"] == pytest.approx(35)
    assert metals.loc[(2025, "Co"), "recycled_share"] == pytest.approx(0.0375)
