"""The command line end to end, run as a user runs it (a subprocess of the installed entry point)."""

import json
import subprocess
import sys

import pytest

from netopt.tools.synthetic import write_synthetic


def netopt(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "netopt", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_solve_writes_a_complete_run_and_refuses_to_overwrite(toy_path, tmp_path):
    out = tmp_path / "run"
    first = netopt("solve", toy_path, "--out", out, "--no-map")
    assert first.returncode == 0, first.stderr
    assert "status optimal" in first.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["costs.csv", "emissions.csv", "facilities.csv", "flows.csv", "metals.csv", "nodes.csv", "regions.csv",
         "run.json", "solver.log", "summary.json"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective_myen"] == pytest.approx(84862.5)
    run = json.loads((out / "run.json").read_text())
    assert len(run["inputs_sha256"]) == 64 and run["versions"]["highspy"] and run["gap"] == 0
    before = (out / "summary.json").stat().st_mtime_ns

    second = netopt("solve", toy_path, "--out", out, "--no-map")
    assert second.returncode == 1
    assert "--overwrite" in second.stderr and "Traceback" not in second.stderr
    assert (out / "summary.json").stat().st_mtime_ns == before

    third = netopt("solve", toy_path, "--out", out, "--no-map", "--overwrite", "--scenario", "no_retention")
    assert third.returncode == 0, third.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["scenario"] == "no_retention"
    assert run["overrides"] and "retention_cost_myen_per_t" in run["overrides"][0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left


@pytest.mark.slow
def test_time_limited_run_reports_incumbent_bound_and_gap(tmp_path):
    inst = write_synthetic(tmp_path / "syn", regions=50, hubs=20, plants=8, refineries=4, seed=0)
    out = tmp_path / "run"
    result = netopt("solve", inst, "--out", out, "--no-map", "--time-limit", "2", "--mip-gap", "0",
                    "--set", "solve.mip_gap_abs_myen=0", "--set", "solve.search_nodes=1000000")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "time_limit" and not summary["proven_optimal"]
    if summary["objective_myen"] is None:  # the guard came before the first plan (a loaded machine)
        assert result.returncode == 1 and "no feasible plan" in result.stdout
        return
    assert result.returncode == 0, result.stderr
    assert summary["gap_abs_myen"] > 0 and summary["bound_myen"] < summary["objective_myen"]
    assert "NOT PROVEN OPTIMAL" in summary["note"] and "NOT PROVEN OPTIMAL" in result.stdout


def test_validate_reports_every_problem_with_exit_code_2(toy_copy, tmp_path):
    (toy_copy / "regions.csv").write_text("region_id,name,lat,lon\nR1,North,abc,140\nR2,Centre,35,137\n")
    out = tmp_path / "never"
    result = netopt("validate", toy_copy)
    assert result.returncode == 2
    assert "regions.csv:2: lat: not a number" in result.stderr
    assert "supply.csv:4: region_id: unknown" in result.stderr  # R3 no longer exists
    assert "Traceback" not in result.stderr
    solve = netopt("solve", toy_copy, "--out", out)
    assert solve.returncode == 2 and not out.exists()


def test_validate_ok_and_scenarios_listed(toy_path):
    ok = netopt("validate", toy_path)
    assert ok.returncode == 0 and "OK" in ok.stdout
    listed = netopt("scenarios", toy_path)
    assert listed.returncode == 0
    assert "no_retention" in listed.stdout and "Virgin metal prices 50 % higher." in listed.stdout


def test_scenarios_and_validate_default_to_the_japan_instance():
    listed = netopt("scenarios")
    assert listed.returncode == 0 and "white_paper" in listed.stdout and "recycled_content" in listed.stdout
    ok = netopt("validate", "--scenario", "white_paper")
    assert ok.returncode == 0 and "japan: OK" in ok.stdout


def test_unknown_scenario_is_a_clear_error(toy_path, tmp_path):
    result = netopt("solve", toy_path, "--scenario", "nope", "--out", tmp_path / "x")
    assert result.returncode == 2
    assert "unknown scenario 'nope'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_solve_without_instance_argument_uses_the_japan_instance(tmp_path):
    out = tmp_path / "default"
    result = netopt("solve", "--out", out, "--no-map", "--time-limit", "2")
    assert result.returncode in (0, 1), result.stderr  # 1: no plan found within 2 s, which it must then say
    run = json.loads((out / "run.json").read_text())
    assert run["instance"] == "japan" and run["scenario"] == "baseline"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("optimal", "time_limit")
    if summary["status"] == "time_limit":
        assert "NOT PROVEN OPTIMAL" in summary["note"] or "NO PLAN" in summary["note"]
