"""Issue 10: each defect found by trying netopt as a new user would, and by the fuzz run, as a test.

Inputs go through ``load_instance`` / ``netopt validate`` (in-process) or the real command; every
message must name the file (and line and column where a cell is at fault) and nothing may be written.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from netopt.cli import main
from netopt.instance.io import load_instance
from netopt.instance.validate import InstanceError
from tests.helpers import JAPAN, REPO, TOY, edit_csv


def problems(folder, scenario=None) -> str:
    from netopt.api import load

    with pytest.raises(InstanceError) as info:
        load(folder, scenario) if scenario else load_instance(folder)
    return "\n".join(str(p) for p in info.value.problems)


def cli(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, err.getvalue() + out.getvalue()


def netopt(*args, cwd=None, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's netopt, whatever the working folder
    return subprocess.run([sys.executable, "-m", "netopt", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env)


# ---------------------------------------------------------------- silent defaults


def test_missing_leakage_row_is_an_error_not_zero_leakage(toy_copy):
    edit_csv(toy_copy, "leakage", lambda df: df[df["period"] != "2030"])
    assert "leakage.csv: period: 1 of 2 period combinations have no row: 2030" in problems(toy_copy)


def test_missing_metal_price_is_an_error_not_free_metal(toy_copy):
    edit_csv(toy_copy, "metal_prices", lambda df: df[~((df["metal"] == "Li") & (df["period"] == "2030"))])
    assert "metal_prices.csv: metal+period: 1 of 6 metal x period combinations have no row: (Li, 2030)" \
        in problems(toy_copy)


def test_missing_supply_row_is_an_error(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.iloc[1:])
    assert "supply.csv: region_id+chemistry+period: 1 of 12" in problems(toy_copy)


def test_declared_default_is_applied_and_reported_in_validate_and_run_json(toy_copy, tmp_path):
    inst = load_instance(toy_copy)
    filled = inst.table("chemistry_metals").query("chemistry == 'LFP' and metal == 'Ni'")
    assert filled["content_kg_per_t_pack"].tolist() == [0.0]
    code, text = cli("validate", toy_copy)
    assert code == 0 and "chemistry_metals.csv: chemistry+metal: warning: 2 chemistry x metal combinations have " \
        "no row, taken as content_kg_per_t_pack = 0" in text
    out = tmp_path / "run"
    solved = netopt("solve", toy_copy, "--out", out, "--no-map")
    assert solved.returncode == 0, solved.stderr
    assert "warning: 2 chemistry x metal" in solved.stderr
    run = json.loads((out / "run.json").read_text())
    assert any("(LFP, Co), (LFP, Ni)" in w for w in run["input_warnings"])


def test_header_only_required_table_is_an_error(toy_copy):
    (toy_copy / "leakage.csv").write_text("period,leakage_share\n")
    text = problems(toy_copy)
    assert "leakage.csv: -: has no rows" in text and len(text.splitlines()) == 1


# ---------------------------------------------------------------- references


def test_arc_with_unknown_node_is_an_error_with_a_suggestion(toy_copy):
    (toy_copy / "arcs.csv").write_text("from_id,to_id,distance_km\nR1,HUBB,110\n")
    text = problems(toy_copy)
    assert "arcs.csv:2: to_id: unknown node id" in text and "did you mean 'HUB'?" in text


def test_arc_on_no_leg_is_an_error_naming_the_legs(toy_copy):
    (toy_copy / "arcs.csv").write_text("from_id,to_id,distance_km\nR1,REF,110\n")
    text = problems(toy_copy)
    assert "arcs.csv:2: from_id+to_id: no leg links a region to a refinery" in text
    assert "collect (region -> hub)" in text and "pretreatment_to_refinery (pretreatment -> refinery)" in text


def test_site_region_typo_is_an_error(toy_copy):
    edit_csv(toy_copy, "sites", lambda df: df.assign(region_id=["R2", "R22", "R3"]))
    assert "sites.csv:3: region_id: unknown id; must be one of regions.region_id (R1, R2, R3); did you mean 'R2'?" \
        in problems(toy_copy)


def test_japan_site_region_typo_is_an_error(tmp_path):
    import shutil

    folder = tmp_path / "japan"
    shutil.copytree(JAPAN, folder)
    edit_csv(folder, "sites", lambda df: df.assign(region_id=["JP1", *df["region_id"][1:]]))
    assert "sites.csv:2: region_id: unknown id" in problems(folder)


def test_unknown_scenario_gets_a_suggestion(toy_path):
    code, text = cli("validate", toy_path, "--scenario", "no_retension")
    assert code == 2 and "did you mean 'no_retention'?" in text


# ---------------------------------------------------------------- encodings and locales


def test_shift_jis_is_read_and_reported(toy_copy):
    text = (toy_copy / "regions.csv").read_text().replace("North", "北海道")
    (toy_copy / "regions.csv").write_bytes(text.encode("cp932"))
    inst = load_instance(toy_copy)
    assert "北海道" in inst.table("regions")["name"].tolist()
    assert any("Shift_JIS" in str(w) and "regions.csv" in str(w) for w in inst.warnings)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp932"])
def test_other_encodings_keep_line_numbers(toy_copy, encoding):
    text = (toy_copy / "regions.csv").read_text().replace("35.0", "3x5").replace("\n", "\r\n")
    (toy_copy / "regions.csv").write_bytes(text.replace("North", "北").encode(encoding))
    assert "regions.csv:3: lat: not a number" in problems(toy_copy)


def test_undecodable_file_is_one_line_with_a_fix(toy_copy):
    (toy_copy / "regions.csv").write_bytes(b"region_id,name,lat,lon\nR1,M\xfcnchen\x80,36,140\n")
    text = problems(toy_copy)
    hits = [x for x in text.splitlines() if "regions.csv" in x]
    assert len(hits) == 1 and "is not UTF-8 text" in hits[0] and "CSV UTF-8" in hits[0]
    assert "supply.csv" not in text  # no follow-on errors about the regions it could not read


def test_decimal_comma_and_thousands_separator_name_the_cell(toy_copy):
    (toy_copy / "regions.csv").write_text('region_id,name,lat,lon\nR1,North,"36,5",140\nR2,Centre,35,"1,137.5"\n'
                                          "R3,South,34,134\n")
    text = problems(toy_copy)
    assert "regions.csv:2: lat: decimal comma? write a decimal point, e.g. 36.5" in text
    assert "regions.csv:3: lon: thousands separator? write 1137.5" in text


def test_unquoted_decimal_comma_names_the_line(toy_copy):
    (toy_copy / "leakage.csv").write_text("period,leakage_share,retention_cost_myen_per_t\n2025,0,5,inf\n2030,0.5,1\n")
    assert "leakage.csv:2: -: has 4 fields but the header has 3: a decimal comma" in problems(toy_copy)


# ---------------------------------------------------------------- fuzz findings


@pytest.mark.parametrize("cell", ["nan", "inf", "1e300", "1" * 40])
def test_non_finite_or_huge_cells_are_errors(toy_copy, cell):
    edit_csv(toy_copy, "supply", lambda df: df.assign(eol_packs_t_per_yr=[cell, *df["eol_packs_t_per_yr"][1:]]))
    assert "supply.csv:2: eol_packs_t_per_yr:" in problems(toy_copy)


def test_lines_are_right_after_blank_lines_and_multiline_cells(toy_copy):
    (toy_copy / "regions.csv").write_text('region_id,name,lat,lon\n\nR1,"North\nof the\nisland",36,140\n\n'
                                          "R2,Centre,x,137\nR3,South,34,134\n")
    assert "regions.csv:7: lat: not a number" in problems(toy_copy)


def test_a_bad_cell_is_reported_once(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.assign(period=["20x5", *df["period"][1:]]))
    text = problems(toy_copy)
    assert text.count("supply.csv:2") == 1 and "(got -1)" not in text


@pytest.mark.parametrize("setting, value, line", [("road_factor", "inf", 16), ("k_nearest", "nan", 17)])
def test_non_finite_settings_are_errors(toy_copy, setting, value, line):
    path = toy_copy / "instance.toml"
    path.write_text(re.sub(rf"{setting} = \S+", f"{setting} = {value}", path.read_text()))
    assert f"instance.toml:{line}: network.{setting}:" in problems(toy_copy)


def test_absurd_last_period_is_an_error(toy_copy):
    path = toy_copy / "instance.toml"
    path.write_text(path.read_text().replace("last_period_years = 5", "last_period_years = 1000000000000"))
    assert "instance.toml:11: model.last_period_years" in problems(toy_copy)


@pytest.mark.parametrize("encoding", ["utf-16", "cp932"])
def test_instance_toml_in_another_encoding_is_read(toy_copy, encoding):
    path = toy_copy / "instance.toml"
    path.write_bytes(path.read_text().replace("Three regions", "三つの地域").encode(encoding))
    assert load_instance(toy_copy).settings.meta.description.startswith("三つの地域")
    from netopt.instance.runspec import RunSpec

    assert len(RunSpec(instance=str(toy_copy)).id) == 64  # the run's id reads the file the same way


@pytest.mark.parametrize("content", [b"\x00\x01binary\xff", "DIR"])
def test_binary_or_folder_instance_toml_is_one_error(toy_copy, content):
    path = toy_copy / "instance.toml"
    path.unlink()
    path.mkdir() if content == "DIR" else path.write_bytes(content)
    code, text = cli("validate", toy_copy)
    assert code == 2 and "instance.toml: -:" in text and "internal error" not in text


def test_folder_where_a_table_should_be(toy_copy):
    (toy_copy / "supply.csv").unlink()
    (toy_copy / "supply.csv").mkdir()
    code, text = cli("validate", toy_copy)
    assert code == 2 and "supply.csv: -: is a folder, not a file" in text


@pytest.mark.parametrize("body, where", [
    ('set = "cheap"', "scenarios.fz.set: must be a list"),
    ('settings = ["a"]', "scenarios.fz.settings: must be a table"),
    ('[[scenarios.fz.set]]\ntable = "leakage"\nvalues = { leakage_share = "cheap" }', "leakage_share = 'cheap'"),
    ('[[scenarios.fz.set]]\ntable = "leakage"\nvalues = { leakage_share = nan }', "leakage_share = nan"),
    ('settings = { "network.road_factor" = inf }', "scenarios.fz.settings"),
])
def test_bad_scenario_overrides_name_their_instance_toml_line(toy_copy, body, where):
    path = toy_copy / "instance.toml"
    path.write_text(path.read_text() + f"\n[scenarios.fz]\n{body}\n")
    code, text = cli("validate", toy_copy, "--scenario", "fz")
    assert code == 2 and "internal error" not in text
    assert re.search(r"instance\.toml:\d+: scenarios\.fz", text) and where in text


def test_long_outputs_are_condensed(toy_copy):
    edit_csv(toy_copy, "supply", lambda df: df.assign(eol_packs_t_per_yr="lots"))
    code, text = cli("validate", toy_copy)
    assert code == 2 and len(text.splitlines()) <= 8 and "... and 7 more" in text


def test_instance_name_cannot_escape_results(toy_copy, tmp_path):
    path = toy_copy / "instance.toml"
    path.write_text(path.read_text().replace('name = "toy"', 'name = "../../escaped"'))
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    result = netopt("solve", toy_copy, "--no-map", cwd=work)
    assert result.returncode == 2 and "meta.name" in result.stderr
    assert not list(work.iterdir()) and not list(tmp_path.glob("escaped*"))


# ---------------------------------------------------------------- CLI guards


@pytest.mark.parametrize("args, message", [
    (["--time-limit", "-5"], "--time-limit must be a number of seconds above 0"),
    (["--time-limit", "nan"], "--time-limit must be a number of seconds above 0"),
    (["--mip-gap", "5"], "--mip-gap is a relative gap in [0, 1)"),
    (["--mip-gap", "2"], "--mip-gap is a relative gap in [0, 1)"),
    (["--threads", "-2"], "--threads must be 0"),
    (["--time-limit", "soon"], "Invalid value for '--time-limit'"),
])
def test_solve_options_are_checked_before_any_work(tmp_path, args, message):
    code, text = cli("solve", TOY, "--out", tmp_path / "x", "--no-map", *args)
    assert code == 2 and message in text and len(text.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_usage_errors_are_one_line():
    code, text = cli("map", "--compare", "a")
    assert code == 2 and len(text.strip().splitlines()) == 1 and "╭" not in text


def test_out_dot_is_refused_before_solving(toy_path, tmp_path):
    result = netopt("solve", toy_path, "--out", ".", "--no-map", cwd=tmp_path)
    assert result.returncode == 2 and "current folder" in result.stderr and "solving" not in result.stderr


def test_written_json_is_standard():
    from netopt.results.store import dump_json

    text = dump_json({"a": float("nan"), "b": [float("inf"), 1.5]})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard {c}")) == {"a": None,
                                                                                             "b": [None, 1.5]}


# ---------------------------------------------------------------- views check what they read


@pytest.fixture
def damaged(toy_run, tmp_path):
    import shutil

    def copy(name):
        dest = tmp_path / name
        shutil.copytree(toy_run, dest)
        return dest
    return copy


def test_map_and_report_refuse_damaged_runs(damaged, tmp_path):
    missing = damaged("missing")
    (missing / "regions.csv").unlink()
    truncated = damaged("truncated")
    text = (truncated / "flows.csv").read_text()
    (truncated / "flows.csv").write_text(text[: len(text) - 7])
    empty = damaged("empty")
    (empty / "summary.json").write_text("{}")
    for folder, message in ((missing, "regions.csv: missing"), (truncated, "flows.csv"),
                            (empty, "summary.json: holds no status")):
        for command in ("map", "report"):
            code, out = cli(command, folder, "--out", tmp_path / f"{folder.name}-{command}.html")
            assert code == 2 and message in out, (command, folder.name, out)
    assert not list(tmp_path.glob("*.html"))


def test_compare_refuses_runs_of_different_instances(toy_run, japan_run, tmp_path):
    code, text = cli("map", "--compare", toy_run, japan_run, "--out", tmp_path / "c.html")
    assert code == 2 and "same instance" in text


# ---------------------------------------------------------------- network control


TOY_ARCS = "from_id,to_id,distance_km\nR1,HUB,\nR2,HUB,\nR3,HUB,\nHUB,PT,\nPT,REF,\nREF,CELL,\nPORT,REF,\n"


def _k0(folder: Path, arcs: str) -> None:
    path = folder / "instance.toml"
    path.write_text(path.read_text().replace("k_nearest = 5", "k_nearest = 0"))
    (folder / "arcs.csv").write_text(arcs)


def test_k_nearest_0_builds_the_listed_arcs_only(toy_copy):
    from netopt.api import run
    from tests.test_toy import HAND_OPTIMUM

    _k0(toy_copy, TOY_ARCS)
    plan = run(toy_copy, "baseline")
    pairs = set(zip(_arcs(toy_copy)["from_id"], _arcs(toy_copy)["to_id"]))
    assert pairs == {tuple(line.split(",")[:2]) for line in TOY_ARCS.splitlines()[1:]}
    assert plan.solved.objective == pytest.approx(HAND_OPTIMUM)


def _arcs(folder):
    from netopt.api import load
    from netopt.model.inputs import prepare

    return prepare(load(folder, "baseline")).arcs


def test_a_region_without_a_listed_arc_has_no_outlet_and_strict_says_so(toy_copy, tmp_path):
    _k0(toy_copy, TOY_ARCS.replace("R3,HUB,\n", ""))
    result = netopt("solve", toy_copy, "--scenario", "strict", "--out", tmp_path / "run", "--no-map")
    assert result.returncode == 1 and "status infeasible" in result.stdout
    assert "R3 / 2025 / LFP: collection balance: 250.0 t/yr of collected packs unprocessed; likely cause: no " \
        "outlet: R3 has no collection arc" in result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert any(line.startswith("R3 / 2030 / LFP") for line in summary["diagnosis"])
    elastic = netopt("solve", toy_copy, "--out", tmp_path / "elastic", "--no-map")
    assert elastic.returncode == 0 and "WARNING slack used" in elastic.stdout and "R3 / 2025 / LFP" in elastic.stdout


def test_hub_capacity_below_supply_is_named(toy_copy):
    from netopt.api import run

    edit_csv(toy_copy, "sites", lambda df: df.assign(existing_capacity_t_per_yr=["500", "0", "10000"]))
    plan = run(toy_copy, "strict")
    assert plan.solved.status == "infeasible"
    text = "\n".join(plan.results.summary["diagnosis"])
    assert "hub capacity below supply: the hubs R1 reaches (HUB) can have at most 500 t/yr in 2030" in text
    assert "IIS of the strict LP relaxation" in text


def test_site_options_restrict_sizes(toy_copy):
    from netopt.api import run

    (toy_copy / "site_options.csv").write_text("site_id,size\nPT,S\n")
    plan = run(toy_copy, "baseline")
    pt = plan.results.facilities.query("site_id == 'PT'")
    assert set(pt["built_size"].dropna()) == {"S"}


def test_site_options_override_capacity_and_cost(toy_copy):
    # S at PT with L's 4000 t/yr for S's 100 Myen/yr: the plan of the hand derivation, 50 Myen/yr cheaper for 10 yr
    from netopt.api import run
    from tests.test_toy import HAND_OPTIMUM

    (toy_copy / "site_options.csv").write_text("site_id,size,capacity_t_per_yr,fixed_om_myen_per_yr\nPT,S,4000,100\n")
    plan = run(toy_copy, "baseline")
    assert plan.solved.objective == pytest.approx(HAND_OPTIMUM - 500)
    assert set(plan.results.facilities.query("site_id == 'PT'")["built_size"].dropna()) == {"S"}


def test_site_options_refer_to_known_sites_and_sizes(toy_copy):
    (toy_copy / "site_options.csv").write_text("site_id,size\nPT,XL\nHUB,S\nPTT,S\n")
    text = problems(toy_copy)
    assert "site_options.csv:2: size: no size 'XL' for kind 'pretreatment'" in text
    assert "site_options.csv:3: site_id: the site is not a candidate" in text
    assert "site_options.csv:4: site_id: unknown id; must be one of sites.site_id" in text and "'PT'?" in text


def test_study_compare_checks_its_run_folders(damaged, toy_run, japan_run):
    truncated = damaged("truncated")
    text = (truncated / "flows.csv").read_text()
    (truncated / "flows.csv").write_text(text[: len(text) - 7])
    code, out = cli("compare", toy_run, truncated)
    assert code == 2 and "flows.csv" in out
    code, out = cli("compare", toy_run, japan_run)
    assert code == 2 and "different instances" in out


def test_a_value_set_by_a_scenario_is_reported_at_its_instance_toml_line(toy_copy):
    path = toy_copy / "instance.toml"
    path.write_text(path.read_text() + '\n[scenarios.bad]\n[[scenarios.bad.set]]\ntable = "leakage"\n'
                    "values = { leakage_share = 3 }\n")
    line = path.read_text().splitlines().index("[[scenarios.bad.set]]") + 1
    text = problems(toy_copy, "bad")
    assert text == f"{path}:{line}: leakage_share: must be at most 1.0 - [after scenario bad] (got 3.0)"


def test_study_runs_are_whole_run_folders_with_their_solver_log(tmp_path):
    from netopt.results.store import check_run_folder
    from netopt.studies import run_study

    out = tmp_path / "study"
    run_study(TOY / "studies" / "compare.toml", out, workers=0, progress=False)
    runs = [f for f in out.rglob("run.json")]
    assert runs
    for f in runs:
        assert check_run_folder(f.parent) == [] and "HiGHS" in (f.parent / "solver.log").read_text()
