"""Runs as values: overrides and RunSpecs are validated when made, logged when applied, and travel."""

import json
import pickle
import subprocess
import sys

import pytest

from netopt.api import load, run
from netopt.instance.overrides import ReplaceTable, ScaleRows, SetRows, SetSetting, parse_assignment
from netopt.instance.runspec import RunSpec
from netopt.instance.validate import OverrideError
from tests.helpers import TOY

SPEC = RunSpec(instance=str(TOY), scenario="no_retention+high_prices",
               overrides=(SetSetting(path="policy.carbon_price_yen_per_t_co2", value=5000, source="--set"),
                          SetRows(table="leakage", where={"period": [2030]}, values={"leakage_share": 0.4}),
                          ScaleRows(table="demand", where={"metal": "Li"}, factors={"demand_t_per_yr": 1.1}),
                          SetRows(table="leakage", values={"retention_cost_myen_per_t": float("inf")})),
               solve={"mip_gap": 0.0, "time_limit": 60.0}, seed=3)


def test_spec_round_trips_through_json_and_pickle():
    again = RunSpec.model_validate_json(SPEC.model_dump_json())
    assert again == SPEC and again.id == SPEC.id
    assert pickle.loads(pickle.dumps(SPEC)) == SPEC
    assert json.loads(SPEC.model_dump_json())["overrides"][3]["values"]["retention_cost_myen_per_t"] == float("inf")


def test_spec_id_is_stable_and_depends_on_what_decides_the_run(tmp_path):
    assert SPEC.id == RunSpec(**SPEC.model_dump()).id and len(SPEC.id) == 64
    assert SPEC.model_copy(update={"seed": 4}).id != SPEC.id
    assert SPEC.model_copy(update={"instance": "elsewhere/toy", "inputs_sha256": load(TOY).inputs_hash}).id == SPEC.id


def test_spec_applies_and_logs_every_override_in_order():
    inst = SPEC.load()
    assert inst.spec.scenario == SPEC.scenario and inst.spec.inputs_sha256 == inst.inputs_hash
    lines = inst.overrides
    assert lines[0].startswith("no_retention: set leakage.retention_cost_myen_per_t")
    assert lines[1].startswith("high_prices: scale metal_prices.virgin_price_myen_per_t")
    assert lines[2] == "--set: setting policy.carbon_price_yen_per_t_co2 = 5000 (was 0.0)"
    assert any(line.startswith("run spec: setting solve.seed = 3") for line in lines)
    assert inst.settings.solve.mip_gap == 0.0 and inst.settings.solve.seed == 3
    assert inst.table("leakage").set_index("period").loc[2030, "leakage_share"] == 0.4


def test_default_scenario_is_named_in_the_pinned_spec_and_the_id_is_the_same():
    spec = RunSpec(instance=str(TOY))
    inst = spec.load()
    assert inst.spec.scenario == "baseline" and inst.scenario == "baseline"
    assert inst.spec.id == spec.id == RunSpec(instance=TOY, scenario="baseline").id


@pytest.mark.parametrize("make, message", [
    (lambda: SetSetting(path="policy.nope", value=1), "unknown setting 'policy.nope'"),
    (lambda: SetSetting(path="solve.mip_gap", value=2), "less than 1"),
    (lambda: SetSetting(path="solve.mip_gap", value=1), "less than 1"),
    (lambda: SetSetting(path="network.road_factor", value=float("inf")), "less than or equal to 10"),
    (lambda: SetRows(table="leakage", values={"leakage_share": "cheap"}), "must be a number"),
    (lambda: SetRows(table="leakage", values={"leakage_share": float("nan")}), "must be a number"),
    (lambda: ScaleRows(table="regions", factors={"name": 2}), "it is text"),
    (lambda: SetRows(table="nope", values={"x": 1}), "unknown table 'nope'"),
    (lambda: SetRows(table="leakage", values={"period": 1}), "cannot change column 'period'"),
    (lambda: ScaleRows(table="leakage", where={"colour": 1}, factors={"leakage_share": 2}), "unknown column"),
    (lambda: ReplaceTable(table="nope", file="x.csv"), "unknown table 'nope'"),
    (lambda: RunSpec(instance="x", solve={"time_limit": -1}), "greater than 0"),
    (lambda: RunSpec(instance="x", solve={"time_limit": float("inf")}), "finite number"),
    (lambda: RunSpec(instance="x", solve={"seed": 1}), "RunSpec.seed"),
])
def test_bad_overrides_are_refused_when_made(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_parse_assignment_reads_toml_values():
    assert parse_assignment("policy.carbon_price_yen_per_t_co2=5000").value == 5000
    assert parse_assignment("model.linking=weak").value == "weak"
    assert parse_assignment("solve.warm_start=false").value is False
    with pytest.raises(OverrideError, match="expected KEY=VALUE"):
        parse_assignment("solve.mip_gap")


def test_run_changes_nothing_it_is_given():
    inst = load(TOY)
    before = (inst.settings.model_dump(), list(inst.overrides), inst.table("leakage").copy())
    plan = run(inst, "no_retention", solve={"mip_gap": 0.0})
    assert (inst.settings.model_dump(), list(inst.overrides)) == before[:2]
    assert inst.table("leakage").equals(before[2])
    assert plan.spec.scenario == "baseline+no_retention" and plan.instance.settings.solve.mip_gap == 0.0
    assert plan.run_info()["run_id"] == plan.spec.id


def netopt(*args):
    return subprocess.run([sys.executable, "-m", "netopt", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_cli_set_is_applied_and_logged(tmp_path):
    out = tmp_path / "run"
    result = netopt("solve", TOY, "--out", out, "--no-map", "--set", "policy.carbon_price_yen_per_t_co2=5000",
                    "--set", "solve.mip_gap=0.0", "--seed", "2")
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "run.json").read_text())
    assert "--set: setting policy.carbon_price_yen_per_t_co2 = 5000 (was 0.0)" in info["overrides"]
    assert info["run_spec"]["seed"] == 2 and info["options"]["seed"] == 2 and info["options"]["mip_gap"] == 0.0
    assert len(info["run_id"]) == 64 and info["format_version"] == 1
    assert json.loads((out / "summary.json").read_text())["format_version"] == 1


@pytest.mark.parametrize("args, message", [
    (["--set", "policy.nope=1"], "unknown setting 'policy.nope'"),
    (["--set", "solve.mip_gap=2"], "solve.mip_gap"),
    (["--set", "oops"], "expected KEY=VALUE"),
    (["--mip-gap", "-1"], "--mip-gap is a relative gap in [0, 1)"),
    (["--mip-gap", "2"], "--mip-gap is a relative gap in [0, 1)"),
    (["--time-limit", "-5"], "--time-limit must be a number of seconds above 0"),
    (["--time-limit", "inf"], "--time-limit must be a number of seconds above 0"),
    (["--threads", "-1"], "--threads must be 0"),
    (["--time-limit", "abc"], "Invalid value for '--time-limit'"),
    (["--set", "network.road_factor=inf"], "network.road_factor"),
    (["--set", "model.last_period_years=1000000000000"], "model.last_period_years"),
])
def test_cli_bad_set_is_one_line_and_exit_2(tmp_path, args, message):
    result = netopt("solve", TOY, "--out", tmp_path / "x", "--no-map", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "x").exists()


def test_spec_takes_every_kind_of_solve_setting():
    """Words and lists are settings too (first_plan, national_kinds); a RunSpec typed for numbers only
    refused them, so a study could not run relax-and-fix."""
    spec = RunSpec(instance=str(TOY), solve={"first_plan": "relax_and_fix", "national_kinds": ["hub"],
                                             "mip_gap": 0.0})
    settings = spec.load().settings.solve
    assert settings.first_plan == "relax_and_fix" and settings.national_kinds == ["hub"]
    assert RunSpec.model_validate_json(spec.model_dump_json()) == spec
    with pytest.raises(ValueError, match="first_plan"):
        RunSpec(instance=str(TOY), solve={"first_plan": "guess"})
