"""Every validation error path: the message names file, line and column, and says how to fix it."""

import pytest

from netopt.api import load
from netopt.instance.io import load_instance
from netopt.instance.validate import InstanceError
from tests.helpers import edit_csv


def problems_of(folder, scenario=None) -> list[str]:
    with pytest.raises(InstanceError) as info:
        load(folder, scenario) if scenario else load_instance(folder)
    return [str(p) for p in info.value.problems]


def one(problems: list[str], *needles: str) -> str:
    hits = [p for p in problems if all(n in p for n in needles)]
    assert hits, f"no problem mentions {needles}: {problems}"
    return hits[0]


def test_toy_is_valid(toy_path):
    load_instance(toy_path)


def test_missing_folder(tmp_path):
    assert "no such instance folder" in problems_of(tmp_path / "nope")[0]


def test_missing_required_table(toy_copy):
    (toy_copy / "supply.csv").unlink()
    one(problems_of(toy_copy), "supply.csv", "required table is missing")


def test_missing_settings_file(toy_copy):
    (toy_copy / "instance.toml").unlink()
    one(problems_of(toy_copy), "instance.toml", "settings file is missing")


def test_missing_required_column(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.drop(columns=["period"]))
    one(problems_of(toy_copy), "supply.csv:1: period: required column is missing")


def test_unknown_column(toy_copy):
    edit_csv(toy_copy, "regions", lambda df: df.assign(colour="red"))
    one(problems_of(toy_copy), "regions.csv:1: colour: unknown column")


def test_not_a_number_names_line_and_column(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.assign(eol_packs_t_per_yr=["1000", "lots"] + ["1"] * 10))
    p = one(problems_of(toy_copy), "supply.csv:3: eol_packs_t_per_yr: not a number")
    assert "'lots'" in p


def test_whole_number_required(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.assign(period=["2025.5"] + list(df["period"][1:])))
    one(problems_of(toy_copy), "supply.csv:2: period: must be a whole number")


def test_value_required(toy_copy):
    edit_csv(toy_copy, "regions", lambda df: df.assign(lat=["", "35", "34"]))
    one(problems_of(toy_copy), "regions.csv:2: lat: value is required")


def test_out_of_range(toy_copy):
    edit_csv(toy_copy, "leakage", lambda df: df.assign(leakage_share=["1.5", "0.5"]))
    one(problems_of(toy_copy), "leakage.csv:2: leakage_share: must be at most 1.0")
    edit_csv(toy_copy, "leakage", lambda df: df.assign(leakage_share=["-0.1", "0.5"]))
    one(problems_of(toy_copy), "leakage.csv:2: leakage_share: must be at least 0.0")


def test_bad_choice(toy_copy):
    edit_csv(toy_copy, "sites", lambda df: df.assign(kind=["hub", "smelter", "refinery"]))
    one(problems_of(toy_copy), "sites.csv:3: kind: must be one of")


def test_unknown_reference(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.assign(region_id=["R1", "R33", *df["region_id"][2:]]))
    p = one(problems_of(toy_copy), "supply.csv:3: region_id: unknown")
    assert "regions.region_id" in p and "'R33'" in p and "did you mean 'R3'" in p


def test_unknown_period(toy_copy):
    edit_csv(toy_copy, "demand", lambda df: df.assign(period=["2024"] + list(df["period"][1:])))
    one(problems_of(toy_copy), "demand.csv:2: period: unknown; must be one of settings.periods")


def test_duplicate_key(toy_copy):
    edit_csv(toy_copy, "metals", lambda df: df.assign(metal=["Ni", "Ni", "Li"]))
    one(problems_of(toy_copy), "metals.csv:3: metal: duplicate key")


def test_node_ids_unique_across_tables(toy_copy):
    edit_csv(toy_copy, "ports", lambda df: df.assign(port_id=["HUB"]))
    one(problems_of(toy_copy), "ports.csv:2: port_id: id is already used in sites.csv")


def test_trade_material_must_match_stage(toy_copy):
    edit_csv(toy_copy, "trade", lambda df: df.assign(material=["Ni"]))
    one(problems_of(toy_copy), "trade.csv:2: material: unknown chemistry for stage black_mass")


def test_candidate_needs_capacity_options(toy_copy):
    edit_csv(toy_copy, "sites", lambda df: df.assign(candidate=["1", "1", "0"]))
    one(problems_of(toy_copy), "sites.csv:2: candidate: no capacity option for kind 'hub'")


def test_all_problems_reported_at_once(toy_copy):
    edit_csv(toy_copy, "regions", lambda df: df.assign(lat=["", "95", "34"]))
    edit_csv(toy_copy, "metals", lambda df: df.assign(recovery_share=["x", "1", "2"]))
    problems = problems_of(toy_copy)
    one(problems, "regions.csv:2: lat")
    one(problems, "regions.csv:3: lat: must be at most 90")
    one(problems, "metals.csv:2: recovery_share: not a number")
    one(problems, "metals.csv:4: recovery_share: must be at most 1.0")


def test_toml_syntax_error_names_line(toy_copy):
    text = (toy_copy / "instance.toml").read_text().replace("discount_rate = 0.0", "discount_rate = = 0.0")
    (toy_copy / "instance.toml").write_text(text)
    p = one(problems_of(toy_copy), "instance.toml", "not valid TOML")
    assert "instance.toml:12:" in p


def test_settings_error_names_key_and_line(toy_copy):
    text = (toy_copy / "instance.toml").read_text().replace("periods = [2025, 2030]", "periods = [2030, 2025]")
    (toy_copy / "instance.toml").write_text(text)
    one(problems_of(toy_copy), "instance.toml:10: model.periods: periods must be strictly ascending")


def test_unknown_setting(toy_copy):
    text = (toy_copy / "instance.toml").read_text().replace("road_factor = 1.0", "road_factr = 1.0")
    (toy_copy / "instance.toml").write_text(text)
    one(problems_of(toy_copy), "network.road_factr", "Extra inputs are not permitted")


def test_unknown_scenario(toy_path):
    one(problems_of(toy_path, "nonesuch"), "unknown scenario 'nonesuch'", "no_retention")


def test_scenario_with_bad_table_column_and_where(toy_copy):
    text = (toy_copy / "instance.toml").read_text() + (
        '\n[scenarios.bad1]\n[[scenarios.bad1.set]]\ntable = "nope"\nvalues = {x = 1}\n'
        '\n[scenarios.bad2]\n[[scenarios.bad2.set]]\ntable = "leakage"\nvalues = {colour = 1}\n'
        '\n[scenarios.bad3]\n[[scenarios.bad3.set]]\ntable = "leakage"\nwhere = {period = 1999}\n'
        'values = {leakage_share = 0.1}\n'
        '\n[scenarios.bad4]\nsettings = {"policy.nope" = 1}\n'
        '\n[scenarios.bad5]\n[[scenarios.bad5.set]]\ntable = "leakage"\nvalues = {leakage_share = 3}\n'
        '\n[scenarios.loop]\nincludes = ["loop"]\n')
    (toy_copy / "instance.toml").write_text(text)
    one(problems_of(toy_copy, "bad1"), "unknown table 'nope'")
    one(problems_of(toy_copy, "bad2"), "cannot change column 'colour'")
    one(problems_of(toy_copy, "bad3"), "no row of leakage matches")
    one(problems_of(toy_copy, "bad4"), "unknown setting 'policy.nope'")
    one(problems_of(toy_copy, "bad5"), "leakage_share: must be at most 1.0", "after scenario bad5")
    one(problems_of(toy_copy, "loop"), "includes itself")


def test_scenarios_compose_and_are_logged(toy_path):
    inst = load(toy_path, "no_retention+high_prices")
    assert inst.scenario == "no_retention+high_prices"
    assert any(o.startswith("no_retention: set leakage.retention_cost_myen_per_t") for o in inst.overrides)
    assert any(o.startswith("high_prices: scale metal_prices.virgin_price_myen_per_t") for o in inst.overrides)
    assert inst.table("metal_prices").query("metal == 'Co'")["virgin_price_myen_per_t"].tolist() == [7.5, 7.5]
