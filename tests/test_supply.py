"""The end-of-life supply model: analytical cases, mass conservation, shares, provenance of its tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from netopt.supply import cohorts, packs, tables, write
from netopt.supply import inputs as supply_inputs
from netopt.supply import regions as supply_regions

JAPAN = Path(__file__).resolve().parents[1] / "instances" / "japan"
NEVER = stats.randint(500, 501)  # a lifetime no cohort reaches within any horizon used here


def fixed(years: int):
    """A point-mass lifetime of exactly ``years`` (scipy's discrete uniform on one value)."""
    return stats.randint(years, years + 1)


def one_cohort(year=2020, n=100.0, powertrain="BEV", last=2040):
    years = np.arange(year, last + 1)
    sales = np.where(years == year, n, 0.0)
    return pd.DataFrame({"year": years, "powertrain": powertrain, "sales_veh": sales})


def one_archetype(pack_kg=300.0, kwh=40.0, cathode="NMC532"):
    arch = pd.DataFrame({"archetype": ["A"], "kwh_per_veh": [kwh], "pack_kg_per_veh": [pack_kg],
                         "cathode": [cathode], "cathode_share": [1.0]})
    cath = pd.DataFrame({"cathode": [cathode], "chemistry": ["NMC"], "li_kg_per_kwh": [0.1],
                         "ni_kg_per_kwh": [0.4], "co_kg_per_kwh": [0.2], "mn_kg_per_kwh": [0.3]})
    return packs.archetype_contents(arch, cath)


@pytest.fixture(scope="module")
def inputs():
    return supply_inputs.load_inputs(JAPAN)


@pytest.fixture(scope="module")
def policy_run(inputs):
    return write.run(inputs, write.Scenario("policy", "base", "base"), last_year=2054)


# --------------------------------------------------------------------------- analytical cases

def test_fixed_first_use_all_exported_once_in_the_right_year():
    sales = one_cohort(2020, 100.0)
    x = pd.DataFrame({"year": sales["year"], "powertrain": "BEV", "export_share": 1.0})
    flows = cohorts.cohort_flows(sales, fixed(5), NEVER, x)
    by_year = flows.groupby("year")[["used_veh", "exported_veh", "eol_veh"]].sum()
    assert by_year.loc[2025, "used_veh"] == pytest.approx(100.0)
    assert by_year.loc[2025, "exported_veh"] == pytest.approx(100.0)
    assert by_year.drop(2025)[["used_veh", "exported_veh"]].abs().to_numpy().max() == pytest.approx(0.0)
    assert by_year["eol_veh"].abs().max() == pytest.approx(0.0)

    mix = pd.DataFrame({"powertrain": "BEV", "cohort": [2020], "archetype": ["A"], "share": [1.0]})
    contents = packs.cohort_contents(mix, one_archetype(pack_kg=300.0, kwh=40.0))
    mat = packs.material_flows(flows, contents).query("route == 'exported' and pack_t > 0")
    assert mat["year"].tolist() == [2025]
    row = mat.iloc[0]
    assert row["pack_t"] == pytest.approx(100 * 0.300)   # 100 packs of 300 kg
    assert row["ni_t"] == pytest.approx(100 * 40 * 0.4 / 1000)  # 40 kWh x 0.4 kg/kWh each


def test_fixed_battery_life_domestic_end_of_life_once():
    sales = one_cohort(2020, 100.0)
    flows = cohorts.cohort_flows(sales, fixed(5), fixed(12))  # no export: used cars stay in Japan
    by_year = flows.groupby("year")[["used_veh", "exported_veh", "eol_veh"]].sum()
    assert by_year.loc[2025, "used_veh"] == pytest.approx(100.0)
    assert by_year.loc[2032, "eol_veh"] == pytest.approx(100.0)
    assert by_year["eol_veh"].sum() == pytest.approx(100.0)
    assert by_year["exported_veh"].sum() == pytest.approx(0.0)
    last = flows[flows["year"] == 2032][["first_stock_veh", "used_stock_veh"]].sum().sum()
    assert last == pytest.approx(0.0)


def test_pack_dying_before_resale_is_never_exported():
    flows = cohorts.cohort_flows(one_cohort(2020, 50.0), fixed(8), fixed(6),
                                pd.DataFrame({"year": range(2020, 2041), "powertrain": "BEV", "export_share": 1.0}))
    assert flows["exported_veh"].sum() == pytest.approx(0.0)
    assert flows.groupby("year")["eol_veh"].sum().loc[2026] == pytest.approx(50.0)


def test_hazards_reproduce_scipy_survival():
    dist = cohorts.weibull(7.1, 2.1)
    h = cohorts.hazards(dist, 30)
    survival = np.cumprod(1 - h)
    assert np.allclose(survival, dist.sf(np.arange(31)), atol=1e-12)
    assert dist.mean() == pytest.approx(7.1)


# --------------------------------------------------------------------------- conservation and shares

def test_mass_conservation_over_the_horizon(policy_run):
    """sales = stock at the end + everything exported + everything that reached end of life."""
    flows, sales = policy_run["flows"], policy_run["sales"]
    last = flows["year"].max()
    for pt, s in sales.groupby("powertrain"):
        f = flows[flows["powertrain"] == pt]
        stock = f.loc[f["year"] == last, ["first_stock_veh", "used_stock_veh"]].to_numpy().sum()
        out = f["exported_veh"].sum() + f["eol_veh"].sum()
        assert s["sales_veh"].sum() == pytest.approx(stock + out, rel=1e-9)
        assert (f[["used_veh", "exported_veh", "eol_veh", "first_stock_veh", "used_stock_veh"]] >= -1e-9).all().all()


def test_pack_tonnes_conserved_from_flows_to_supply_table(policy_run, inputs):
    regions = supply_regions.region_shares(inputs["prefectures"], inputs["nev_subsidies"])
    periods, last = supply_inputs.DEFAULT_PERIODS, supply_inputs.DEFAULT_LAST_PERIOD_YEARS
    table = tables.supply_table(policy_run["materials"], regions, periods, last, "test")
    mat = policy_run["materials"]
    in_horizon = mat[(mat["year"] >= periods[0]) & (mat["year"] < periods[-1] + last)]["pack_t"].sum()
    assert (table["eol_packs_t_per_yr"] * 5).sum() == pytest.approx(in_horizon, rel=1e-4)


@pytest.mark.parametrize("mix", ["base", "lfp_shift"])
def test_chemistry_shares_sum_to_one(inputs, mix):
    years = np.arange(2010, 2055)
    m = packs.cohort_mix(inputs["cohort_mix"], mix, years, 2024)
    assert np.allclose(m.groupby(["powertrain", "cohort"])["share"].sum(), 1.0)
    contents = packs.cohort_contents(m, packs.archetype_contents(inputs["archetypes"], inputs["cathodes"]))
    shares = packs.chemistry_shares(contents)
    assert np.allclose(shares.groupby(["powertrain", "cohort"])["mass_share"].sum(), 1.0)
    assert set(shares["chemistry"]) <= {"LMO", "NMC", "NCA", "LFP"}


def test_archetype_cathode_blends_sum_to_one(inputs):
    assert np.allclose(inputs["archetypes"].groupby("archetype")["cathode_share"].sum(), 1.0)


def test_lfp_shift_raises_lfp_share(inputs):
    years = np.arange(2040, 2041)
    arch = packs.archetype_contents(inputs["archetypes"], inputs["cathodes"])
    lfp = {}
    for mix in ("base", "lfp_shift"):
        s = packs.chemistry_shares(packs.cohort_contents(packs.cohort_mix(inputs["cohort_mix"], mix, years, 2024),
                                                           arch))
        lfp[mix] = s.query("powertrain == 'BEV' and chemistry == 'LFP'")["mass_share"].sum()
    assert lfp["lfp_shift"] > lfp["base"] + 0.2


def test_region_shares(inputs):
    r = supply_regions.region_shares(inputs["prefectures"], inputs["nev_subsidies"])
    assert len(r) == 47 and r["share"].sum() == pytest.approx(1.0) and (r["share"] > 0).all()
    regions = pd.read_csv(JAPAN / "regions.csv")
    assert list(r["region_id"]) == list(regions["region_id"])
    aichi = r.set_index("region_id").loc["JP23"]
    assert aichi["basis"].startswith("NeV")


def test_sales_paths_ordered(inputs):
    totals = {p: cohorts.sales_by_year(inputs["sales_history"], inputs["sales_paths"], p, 2050)
              .query("year > 2024")["sales_veh"].sum() for p in ("low", "policy", "high")}
    assert totals["low"] < totals["policy"] < totals["high"]


def test_period_average():
    mat = pd.DataFrame({"year": [2024, 2025, 2029, 2030, 2054, 2055], "chemistry": "NMC",
                        "pack_t": [99.0, 10.0, 20.0, 5.0, 50.0, 99.0]})
    out = tables.annual_by_period(mat, (2025, 2030), 25, ["chemistry"]).set_index("period")["pack_t"]
    assert out.loc[2025] == pytest.approx(30.0 / 5) and out.loc[2030] == pytest.approx(55.0 / 25)


# --------------------------------------------------------------------------- the written tables

OWN_TABLES = ["regions.csv", "supply.csv", "leakage.csv", "scenarios/supply_lfp_shift.csv",
              "scenarios/supply_low.csv", "scenarios/supply_high.csv", "scenarios/supply_retention.csv",
              "scenarios/leakage_retention.csv"]


@pytest.mark.parametrize("rel", OWN_TABLES + [f"inputs/{n}.csv" for n in supply_inputs.INPUT_FILES])
def test_every_row_sourced(rel):
    sources = set(pd.read_csv(JAPAN / "sources.csv")["source_id"])
    df = pd.read_csv(JAPAN / rel)
    assert len(df) > 0
    ids = {s.strip() for cell in df["source_id"] for s in str(cell).split(";")}  # "a; b": several sources
    assert ids <= sources, sorted(ids - sources)
    assert df["confidence"].isin(["verified", "estimated"]).all()


def test_supply_table_on_disk_is_current(policy_run, inputs):
    regions = supply_regions.region_shares(inputs["prefectures"], inputs["nev_subsidies"])
    periods, last = supply_inputs.read_periods(JAPAN)
    fresh = tables.supply_table(policy_run["materials"], regions, periods, last, "x")
    disk = pd.read_csv(JAPAN / "supply.csv")
    assert np.allclose(fresh["eol_packs_t_per_yr"], disk["eol_packs_t_per_yr"], rtol=1e-5, atol=0.01)


def test_leakage_tables():
    base = pd.read_csv(JAPAN / "leakage.csv").set_index("period")
    kept = pd.read_csv(JAPAN / "scenarios/leakage_retention.csv").set_index("period")
    assert base["leakage_share"].between(0, 1).all()
    assert (kept["leakage_share"] <= base["leakage_share"] + 1e-9).all()
    supply_ids = set(pd.read_csv(JAPAN / "supply.csv")["region_id"])
    assert supply_ids == set(pd.read_csv(JAPAN / "regions.csv")["region_id"])


def test_missing_prefecture_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    import shutil

    shutil.copytree(JAPAN / "inputs", tmp_path / "inputs")
    shutil.copy(JAPAN / "instance.toml", tmp_path / "instance.toml")
    counts = pd.read_csv(tmp_path / "inputs" / "nev_subsidies.csv")
    counts[counts["name_en"] != "Okinawa"].to_csv(tmp_path / "inputs" / "nev_subsidies.csv", index=False)
    assert write.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nev_subsidies.csv has no row for: Okinawa" in err and "Traceback" not in err
    assert not (tmp_path / "supply.csv").exists()
