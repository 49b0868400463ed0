"""The study layer on the toy: each kind's answer derived by hand or checked against its definition.

The toy (tests/test_toy.py) builds its black-mass plant PT at size L in 2025 to take the 1500 t/yr
of leaked NMC packs that retention keeps in 2030: a retained tonne earns 0.57 - 0.12 - 0.2 =
0.25 Myen (1875 Myen over 5 years), while L costs 50 Myen/yr more than S for 10 years (500).
Without retention (no_retention) S is enough and the optimum is 86237.5 Myen.

Most tests run in this process (``workers=0``); one runs a shipped toy study on a 2-worker Dask
LocalCluster through the CLI.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pandas as pd
import pytest

from netopt.instance.decisions import Build, FixBuilds, ForceSite
from netopt.instance.runspec import RunSpec
from netopt.instance.validate import InstanceError
from netopt.results.store import read_run
from netopt.studies import run_study
from netopt.studies.common import RESOLVED, WITHIN
from netopt.studies.compare import compare_runs
from netopt.studies.runner import StudyInterrupted
from tests.helpers import REPO, TOY

STUDIES = TOY / "studies"
NO_RETENTION = 86237.5
BASELINE = 84862.5


def study(tmp_path, name: str, **kw):
    out = tmp_path / name
    run_study(STUDIES / f"{name}.toml", out, workers=0, progress=False, **kw)
    return out, json.loads((out / "result.json").read_text())


def table(folder, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv")


# ---------------------------------------------------------------- study files


def write_study(tmp_path, text: str):
    inst = tmp_path / "toy"
    if not inst.exists():
        import shutil

        shutil.copytree(TOY, inst)
    f = inst / "studies" / "s.toml"
    f.write_text(text)
    return f


@pytest.mark.parametrize("text, needle", [
    ("[study]\nkind = 'nope'\n", "s.toml:2: study.kind: Input should be"),
    ("[study]\nkind = 'breakeven'\n", "needs a [breakeven] section"),
    ("[study]\nkind = 'sweep'\n[[parameter]]\nname = 'p'\ntable = 'metal_prices'\ncolumn = 'colour'\n",
     "s.toml:3: parameter.0: cannot change column 'colour' of metal_prices"),
    ("[study]\nkind = 'sweep'\n[base]\nscenario = 'nope'\n", "s.toml:4: scenario: nope"),
    ("[study]\nkind = 'sweep'\n[[parameter]]\nname = 'p'\ntable = 'metal_prices'\ncolumn = 'virgin_price_myen_per_t'\n"
     "where = { metal = 'Zn' }\nvalues = [1]\n", "no row of metal_prices matches"),
    ("[study]\nkind = 'tornado'\n[tornado]\nparameters = ['x']\n", "unknown parameters ['x']"),
])
def test_a_bad_study_file_is_refused_with_file_and_line(tmp_path, text, needle):
    from netopt.studies.study import load_study

    with pytest.raises(InstanceError) as info:
        load_study(write_study(tmp_path, text))
    assert any(needle in str(p) for p in info.value.problems), [str(p) for p in info.value.problems]


def test_every_shipped_toy_study_is_valid():
    from netopt.studies.study import load_study

    for f in sorted(STUDIES.glob("*.toml")):
        load_study(f)


def test_every_shipped_japan_study_is_valid():
    """The Japan studies the instance README reports on load: tables, columns and rows they change exist."""
    from netopt.studies.study import load_study

    files = sorted((REPO / "instances" / "japan" / "studies").glob("*.toml"))
    assert len(files) >= 10
    kinds = {load_study(f).kind for f in files}
    assert {"compare", "regret", "tornado", "breakeven", "montecarlo", "robust", "pareto"} <= kinds


def test_study_files_are_not_inputs_of_the_runs(tmp_path):
    f = write_study(tmp_path, "[study]\nkind = 'whynot'\n")
    before = RunSpec(instance=str(f.parent.parent)).id
    f.write_text("[study]\nkind = 'whynot'\ndescription = 'edited'\n")
    assert RunSpec(instance=str(f.parent.parent)).id == before


# ---------------------------------------------------------------- decisions and evaluate


def test_decisions_travel_and_leave_plain_ids_alone():
    import pickle

    plain = RunSpec(instance=str(TOY))
    fixed = plain.extended(decisions=(FixBuilds(builds=(Build(kind="pretreatment", site="PT", size="L",
                                                              period=2025),)), ForceSite(site="PT", open=True)))
    assert RunSpec.model_validate_json(fixed.model_dump_json()) == fixed == pickle.loads(pickle.dumps(fixed))
    assert fixed.id != plain.id and "decisions" not in json.loads(plain.model_dump_json()) or plain.decisions == ()
    assert plain.id == RunSpec(instance=str(TOY), scenario="baseline").id


def test_evaluate_under_its_own_scenario_gives_the_plans_objective(toy_run, tmp_path):
    out = tmp_path / "eval"
    r = subprocess.run([sys.executable, "-m", "netopt.cli", "evaluate", str(toy_run), "--scenario", "baseline",
                        "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    evaluated, plan = read_run(out), read_run(toy_run)
    assert evaluated.summary["objective_myen"] == pytest.approx(plan.summary["objective_myen"], abs=1e-6)
    assert evaluated.run_info["model_size"]["integers"] == 0  # every build fixed: an LP in the flows
    assert evaluated.run_info["run_spec"]["decisions"][0]["builds"][0]["size"] == "L"


def test_evaluate_under_another_scenario_keeps_the_plans_builds(toy_run, tmp_path):
    out = tmp_path / "eval"
    subprocess.run([sys.executable, "-m", "netopt.cli", "evaluate", str(toy_run), "--scenario", "no_retention",
                    "--out", str(out)], cwd=REPO, check=True, capture_output=True)
    # the baseline's L plant under no_retention: S would do, 500 Myen more than no_retention's optimum
    assert read_run(out).summary["objective_myen"] == pytest.approx(NO_RETENTION + 500)


def test_a_decision_the_model_cannot_take_is_an_error():
    from netopt.api import run
    from netopt.model.fixing import DecisionError

    with pytest.raises(DecisionError, match="no build option for: pretreatment PT XL 2025"):
        run(RunSpec(instance=str(TOY), decisions=(FixBuilds(builds=(Build(kind="pretreatment", site="PT", size="XL",
                                                                           period=2025),)),)))
    with pytest.raises(DecisionError, match="no facility site 'NOPE'"):
        run(RunSpec(instance=str(TOY), decisions=(ForceSite(site="NOPE", open=True),)))


# ---------------------------------------------------------------- compare


def test_compare_marks_differences_inside_the_gaps_as_unresolved(tmp_path, toy_run):
    base = read_run(toy_run)
    other = read_run(toy_run)
    other.summary = {**other.summary, "objective_myen": base.summary["objective_myen"] + 1000.0}
    for gaps, expected in (((400.0, 500.0), RESOLVED), ((500.0, 500.0), WITHIN), ((700.0, 400.0), WITHIN)):
        base.summary["gap_abs_myen"], other.summary["gap_abs_myen"] = gaps
        result = compare_runs({"a": base, "b": other}, "a")
        assert result.notes["objective_differences"]["b"]["verdict"] == expected, gaps
        diffs = result.tables["differences"]
        assert set(diffs[diffs["difference"] == 0]["verdict"]) <= {"same"}


def test_compare_study_tables(tmp_path):
    out, result = study(tmp_path, "compare")
    costs = table(out, "costs").set_index("item")
    assert costs.loc["objective", "no_retention"] - costs.loc["objective", "baseline"] == pytest.approx(1375)
    assert result["notes"]["objective_differences"]["no_retention"]["verdict"] == RESOLVED
    builds = table(out, "builds")
    assert builds[builds["size"] == "L"]["no_retention"].tolist() == [0]
    assert set(table(out, "differences")["table"]) >= {"costs", "builds", "self_sufficiency", "trade", "co2", "slack"}


# ---------------------------------------------------------------- regret, break-even, Monte Carlo


def test_regret_matrix_has_a_zero_per_column(tmp_path):
    out, _ = study(tmp_path, "regret")
    matrix = table(out, "regret_matrix").set_index("plan")
    assert (matrix.min(axis=0).abs() < 1e-6).all()
    assert matrix.loc["baseline", "no_retention"] == pytest.approx(500)  # L where S would do
    assert matrix.loc["no_retention", "baseline"] == pytest.approx(1375)  # S: no room to retain
    own = table(out, "own_plans")
    assert (own["own_objective_myen"] - own["evaluated_myen"]).abs().max() < 1e-6


def test_break_even_brackets_the_hand_derived_flip(tmp_path):
    out, result = study(tmp_path, "breakeven")
    a, b = result["notes"]["bracket"]
    assert a < 287.5 < b and b - a <= 0.5  # retention pays while 10 (F_L - 100) < 1875
    assert result["notes"]["holds_at"] == {"low_end": True, "high_end": False}
    tried = table(out, "breakeven")
    assert tried["holds"].tolist() == sorted(tried["holds"].tolist(), reverse=True)  # monotone in the value
    for key in result["notes"]["proof"]["low_end"] + result["notes"]["proof"]["high_end"]:
        assert (out / "runs" / key[:16] / "run.json").exists()


@pytest.mark.slow
def test_break_even_on_a_kpi(tmp_path):
    f = write_study(tmp_path, """
[study]
kind = "breakeven"
[base]
solve = { mip_gap = 0.0 }
[[parameter]]
name = "retention_cost"
table = "leakage"
where = { period = 2030 }
column = "retention_cost_myen_per_t"
mode = "set"
low = 0.1
high = 0.6
[breakeven]
parameter = "retention_cost"
condition = { type = "kpi", kpi = "retained_packs_t", above = 0 }
tolerance = 0.01
points = 3
""")
    out = tmp_path / "out"
    run_study(f, out, workers=0, progress=False)
    a, b = json.loads((out / "result.json").read_text())["notes"]["bracket"]
    assert a < 0.45 - 500 / 7500 < b  # 7500 (0.45 - k) > 500: k < 0.38333


@pytest.mark.slow
def test_monte_carlo_with_a_seed_is_reproducible(tmp_path):
    one, _ = study(tmp_path / "1", "montecarlo")
    two, _ = study(tmp_path / "2", "montecarlo")
    for name in ("samples", "build_frequencies", "build_choices"):
        pd.testing.assert_frame_equal(table(one, name), table(two, name))
    pd.testing.assert_series_equal(table(one, "montecarlo")["objective"], table(two, "montecarlo")["objective"])
    freq = table(one, "build_choices").set_index(["site_id", "size"])["share"]
    assert math.isclose(freq.sum(), 1.0)  # PT is built once, at one size, in every sample
    samples = table(one, "samples")
    assert samples["plant_cost"].between(1.0, 3.0).all() and samples["prices"].between(0.6, 1.4).all()


def test_default_widths_follow_the_rows_confidence(tmp_path):
    from tests.helpers import edit_csv

    f = write_study(tmp_path, """
[study]
kind = "montecarlo"
[[parameter]]
name = "supply"
table = "supply"
column = "eol_packs_t_per_yr"
[montecarlo]
samples = 200
seed = 3
""")
    edit_csv(f.parent.parent, "supply", lambda df: df.assign(confidence=["verified", "estimated"] * (len(df) // 2)))
    from netopt.studies.montecarlo import draws
    from netopt.studies.study import load_study

    s = load_study(f)
    d = pd.DataFrame([{k: v for k, v in x.items() if k != "_overrides"} for x in draws(s, s.chosen(None),
                                                                                        s.section.widths, 200, 3)])
    verified, estimated = d["supply[verified]"], d["supply[estimated]"]
    assert verified.between(0.9, 1.1).all() and estimated.between(0.7, 1.3).all()
    assert estimated.std() > 2.5 * verified.std()
    assert ((estimated - 1).abs() >= (verified - 1).abs() - 1e-12).all()  # one draw moves both
    again = draws(s, s.chosen(None), s.section.widths, 200, 3)
    assert [x["supply[verified]"] for x in again] == verified.tolist()


# ---------------------------------------------------------------- robust, Pareto, why not


@pytest.mark.slow
def test_robust_plan_costs_no_more_than_any_scenarios_own_plan(tmp_path):
    out, result = study(tmp_path, "robust")
    stages = table(out, "first_stages").set_index("first_stage")
    rp = result["notes"]["RP_myen"]
    assert rp == pytest.approx(stages.loc["robust", "expected_myen"])
    assert (rp <= stages["expected_myen"] + 1e-6).all()
    assert result["notes"]["extensive_form"]["objective_myen"] == pytest.approx(rp)
    # ... and no more than any own plan with every build fixed (the regret study's evaluations)
    regret, _ = study(tmp_path, "regret")
    cells = table(regret, "regret").pivot(index="plan", columns="scenario", values="cost_myen")
    probs = dict(zip(result["notes"]["members"], result["notes"]["probabilities"]))
    for plan, row in cells.iterrows():
        assert rp <= sum(probs[j] * row[j] for j in probs) + 1e-6, plan
    assert result["notes"]["EVPI_myen"] >= -1e-6 and result["notes"]["VSS_myen"] >= -1e-6
    builds = table(out, "first_stage_builds")
    assert builds[["site", "size", "period"]].values.tolist() == [["PT", "L", 2025]]


def test_pareto_front_is_monotone_and_matches_the_hand_derivation(tmp_path):
    out, result = study(tmp_path, "pareto")
    df = table(out, "pareto")
    front = df[df["reached"]]
    assert result["notes"]["monotone"] and front["cost_myen"].is_monotonic_increasing
    assert (front["achieved"] >= front["level"] - 1e-9).all()
    cost = front.set_index("level")["cost_myen"]
    assert cost[0.0] == cost[0.2] == pytest.approx(NO_RETENTION)  # 26.25 % without trying
    # 30 %: 37.5 t/yr more Ni = 250 t/yr of retained NMC at 0.15 net for 5 years, and the L plant (500)
    assert cost[0.3] == pytest.approx(NO_RETENTION + 187.5 + 500)
    assert cost[0.35] - cost[0.3] == pytest.approx(250)  # 50 t/yr of Ni = 333 t/yr of NMC, x 0.15 x 5
    assert not df.set_index("level").loc[0.5, "reached"]  # at most 48.75 %


def test_why_not_here_forbids_the_built_plant(tmp_path):
    out, result = study(tmp_path, "whynot")
    row = table(out, "whynot").iloc[0]
    assert (row["site_id"], row["action"], row["verdict"]) == ("PT", "forbid", RESOLVED)
    # without a plant the collected packs stay unprocessed: 1000 x 5 + 2000 x 5 t at 5 Myen/t, no recycling
    assert row["objective_myen"] == pytest.approx(164887.5)


# ---------------------------------------------------------------- resume, failures, Dask


def test_an_interrupted_study_resumes_without_rerunning(tmp_path):
    out = tmp_path / "sweep"
    with pytest.raises(StudyInterrupted):
        run_study(STUDIES / "sweep.toml", out, workers=0, progress=False, max_runs=2)
    index = pd.read_csv(out / "index.csv")
    assert len(index) == 2 and set(index["status"]) == {"done"}
    stamps = {f: os.stat(out / f / "summary.json").st_mtime_ns for f in index["folder"]}
    run_study(STUDIES / "sweep.toml", out, workers=0, progress=False)
    result = json.loads((out / "result.json").read_text())
    assert (result["stats"]["executed"], result["stats"]["skipped"], result["runs"]) == (4, 2, 6)
    assert {f: os.stat(out / f / "summary.json").st_mtime_ns for f in index["folder"]} == stamps
    run_study(STUDIES / "sweep.toml", out, workers=0, progress=False)
    assert json.loads((out / "result.json").read_text())["stats"]["executed"] == 0


def test_a_failing_run_is_recorded_and_the_study_goes_on(tmp_path):
    f = write_study(tmp_path, """
[study]
kind = "sweep"
[base]
solve = { mip_gap = 0.0 }
[[parameter]]
name = "leakage"
table = "leakage"
column = "leakage_share"
mode = "set"
values = [0.4, 1.5, 0.6]
""")
    out = tmp_path / "out"
    run_study(f, out, workers=0, progress=False)
    index = pd.read_csv(out / "index.csv", keep_default_na=False)
    failed = index[index["status"] == "failed"]
    assert len(failed) == 1 and len(index) == 3 and "must be at most 1.0" in failed["error"].iloc[0]
    assert json.loads((out / failed["folder"].iloc[0] / "error.json").read_text())["error"]
    sweep = table(out, "sweep")
    assert sweep["status"].str.startswith("failed").sum() == 1 and sweep["objective"].notna().sum() == 2
    assert json.loads((out / "result.json").read_text())["failed"] == 1


@pytest.mark.parametrize("worker_writes", [True, False])
def test_a_runs_kpis_are_those_of_its_folder_whoever_writes_it(tmp_path, worker_writes):
    from netopt.studies.kpis import kpis
    from netopt.studies.runner import Runner
    from netopt.studies.study import load_study

    s = load_study(STUDIES / "sweep.toml")
    specs = [s.spec(), s.spec("no_retention")]
    with Runner(tmp_path / "out", s.instance, workers=0, progress=False) as runner:
        runner._shared = worker_writes  # False: as on a cluster that cannot see the study folder
        rows = runner.run(specs)
    years = s.instance.settings.period_years()
    assert len(runner.kpis) == (2 if worker_writes else 0)
    for spec in specs:
        from_folder = kpis(read_run(tmp_path / "out" / rows[spec.id]["folder"]), years)
        assert from_folder["objective"] in (BASELINE, NO_RETENTION)
        if worker_writes:
            from_worker = runner.kpis[spec.id][1]
            assert from_worker.keys() == from_folder.keys()
            assert all(from_worker[k] == from_folder[k] or (math.isnan(from_worker[k]) and math.isnan(from_folder[k]))
                       for k in from_folder)


def test_the_index_keeps_the_last_row_of_an_id_and_drops_a_row_cut_short(tmp_path):
    from netopt.studies.runner import COLUMNS, Index

    index = Index(tmp_path, "code1")
    row = {c: "" for c in COLUMNS} | {"id": "a", "status": "failed", "folder": "runs/a", "params": '{"x": 1, "y": 2}',
                                      "code": "code1"}
    index.record(row)
    index.record(row | {"status": "done"})
    (tmp_path / "runs" / "a").mkdir(parents=True)
    with open(tmp_path / "index.csv", "a") as fh:
        fh.write('b,solve,"cut, short')  # a kill in the middle of a row
    again = Index(tmp_path, "code1")
    assert list(again.rows) == ["a"] and again.done("a")
    assert len(pd.read_csv(tmp_path / "index.csv")) == 1


def test_a_run_made_by_other_netopt_code_runs_again(tmp_path):
    """The same RunSpec under changed code (or solver version) may give another plan: the index row
    records the code, and a study reuses a run only when the code matches."""
    from netopt.provenance import code_version
    from netopt.studies.runner import Index, Runner
    from netopt.studies.study import load_study

    s = load_study(STUDIES / "sweep.toml")
    specs = [s.spec(), s.spec("no_retention")]
    with Runner(tmp_path / "out", s.instance, workers=0, progress=False) as runner:
        runner.run(specs)
    index = pd.read_csv(tmp_path / "out" / "index.csv", keep_default_na=False, dtype=str)
    assert set(index["code"]) == {code_version()}
    index.loc[index["id"] == specs[0].id, "code"] = "another-build"
    index.to_csv(tmp_path / "out" / "index.csv", index=False)
    assert Index(tmp_path / "out", code_version()).stale(specs[0].id)
    with Runner(tmp_path / "out", s.instance, workers=0, progress=False) as runner:
        runner.run(specs)
    assert (runner.executed, runner.skipped, runner.stale) == (1, 1, 1)
    again = Index(tmp_path / "out", code_version())  # compacted: the later row of an id replaces the earlier
    assert {row["code"] for row in again.rows.values()} == {code_version()} and all(map(again.done, again.rows))


@pytest.mark.slow
def test_the_dask_path_on_a_2_worker_local_cluster_and_on_an_existing_scheduler(tmp_path):
    from distributed import LocalCluster

    out = tmp_path / "sweep"
    r = subprocess.run([sys.executable, "-m", "netopt.cli", "study", "run", str(STUDIES / "sweep.toml"),
                        "--workers", "2", "--out", str(out), "--no-progress"], cwd=REPO, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    result = json.loads((out / "result.json").read_text())
    assert result["stats"]["workers"] == 2 and result["stats"]["scheduler"] == "LocalCluster"
    assert result["runs"] == 6 and result["failed"] == 0
    assert table(out, "sweep").set_index(["prices", "retention_cost"]).loc[(1.0, 0.2), "objective"] == BASELINE
    html = (out / "study_report.html").read_text()
    assert "Plotly.newPlot" in html and "<script src" not in html and (out / "study.xlsx").exists()
    for folder in pd.read_csv(out / "index.csv")["folder"]:
        info = json.loads((out / folder / "run.json").read_text())
        assert info["options"]["threads"] == 1
    other = tmp_path / "scheduler"
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        run_study(STUDIES / "sweep.toml", other, scheduler=cluster.scheduler_address, progress=False)
    assert json.loads((other / "result.json").read_text())["stats"]["scheduler"].startswith("tcp://")
    pd.testing.assert_series_equal(table(out, "sweep")["objective"], table(other, "sweep")["objective"])
    assert set(pd.read_csv(out / "index.csv")["id"]) == set(pd.read_csv(other / "index.csv")["id"])


@pytest.mark.slow
def test_a_max_regret_robust_plan_has_the_least_largest_regret(tmp_path):
    f = write_study(tmp_path, """
[study]
kind = "robust"
[base]
solve = { mip_gap = 0.0 }
[robust]
scenarios = ["baseline", "no_retention", "high_prices"]
first_stage = 2025
objective = "max_regret"
""")
    out = tmp_path / "out"
    run_study(f, out, workers=0, progress=False)
    stages = table(out, "first_stages").set_index("first_stage")
    assert (stages.loc["robust", "max_regret_myen"] <= stages["max_regret_myen"] + 1e-6).all()
    assert stages.loc["robust", "max_regret_myen"] == pytest.approx(500)  # L: 500 too much under no_retention


@pytest.mark.slow
def test_cost_co2_front_on_a_synthetic_instance(tmp_path):
    from netopt.tools.synthetic import write_synthetic

    inst = write_synthetic(tmp_path / "syn", regions=6, hubs=3, plants=2, refineries=2, demand_sites=2,
                           periods=(2025, 2030), seed=3)
    (inst / "studies").mkdir()
    (inst / "studies" / "co2.toml").write_text("""
[study]
kind = "pareto"
[base]
solve = { mip_gap = 0.0, time_limit = 60 }
[pareto]
objective = "co2"
levels = [1.0, 0.9, 0.8, 0.7]
""")
    out = tmp_path / "out"
    run_study(inst / "studies" / "co2.toml", out, workers=0, progress=False)
    df = table(out, "pareto")
    front = df[df["reached"]]
    assert len(front) >= 2 and front["cost_myen"].is_monotonic_increasing
    assert (front["peak_t_co2_per_yr"] <= front["cap_t_co2_per_yr"] * (1 + 1e-6)).all()
    assert front["achieved"].is_monotonic_decreasing


def test_compare_command_on_run_folders(toy_run, tmp_path):
    other = tmp_path / "no_retention"
    subprocess.run([sys.executable, "-m", "netopt.cli", "evaluate", str(toy_run), "--scenario", "no_retention",
                    "--out", str(other)], cwd=REPO, check=True, capture_output=True)
    out = tmp_path / "cmp"
    r = subprocess.run([sys.executable, "-m", "netopt.cli", "compare", str(toy_run), str(other), "--out", str(out)],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "+1,875.0 Myen against the reference (resolved" in r.stdout  # no retention, L kept: 1375 + 500
    assert (out / "study_report.html").exists() and (out / "differences.csv").exists()
    r = subprocess.run([sys.executable, "-m", "netopt.cli", "study", "list", str(TOY)], cwd=REPO, capture_output=True,
                       text=True)
    assert "breakeven.toml" in r.stdout and "montecarlo" in r.stdout
