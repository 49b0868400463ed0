"""Maps and reports without a browser: self-containment, sizes, compare mode, report and workbook."""

from __future__ import annotations

import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from netopt.cli import app
from netopt.results.store import read_run
from netopt.views.maps.build import MEASURES, write_map
from netopt.views.maps.compare import facility_differences, measure_difference, write_compare
from netopt.views.maps.geo import measure_by_prefecture, prefectures, region_prefecture
from netopt.views.report import EXCEL_SHEETS, sankey_links, write_report
from tests.helpers import make_japan_run

TEN_MB = 10 * 1024 * 1024
NETWORK_TAG = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def japan_b(tmp_path_factory):
    """A second synthetic scenario: retention keeps 60 % of the leaked packs, proven optimal."""
    return make_japan_run(tmp_path_factory.mktemp("japan_b") / "run", retention=0.6, proven_optimal=True)


def test_prefectures_come_from_japanmap():
    prefs = prefectures()
    assert len(prefs) == 47 and list(prefs["region_id"][:2]) == ["JP01", "JP02"]
    assert prefs.geometry.is_valid.all()
    minx, miny, maxx, maxy = prefs.total_bounds
    assert 122 < minx < 130 and 24 < miny < 27 and 145 < maxx < 146.5 and 45 < maxy < 46
    assert prefs.loc[prefs["code"] == 13, "name_en"].item() == "Tokyo"


def test_regions_are_matched_to_prefectures():
    nodes = pd.DataFrame({"node_id": ["JP13", "R2", "SEA"], "lat": [None, 35.0, 33.0], "lon": [None, 137.0, 136.0]})
    codes = region_prefecture(nodes)
    assert codes["JP13"] == 13  # by JIS code
    assert codes["R2"] == 23  # inside Aichi
    assert codes["SEA"] in (24, 30)  # at sea off Mie / Wakayama: nearest prefecture


def test_toy_map_is_self_contained(toy_run, tmp_path):
    html = write_map(toy_run, tmp_path / "toy.html").read_text()
    assert not NETWORK_TAG.search(html)
    assert not re.search(r"<script\b[^>]*\bsrc=", html) and not re.search(r"<link\b[^>]*\bhref=", html)
    assert "L.map(" in html and "leaflet-control-layers" in html  # Leaflet inlined
    assert "L.tileLayer(" not in html  # the prefectures are the basemap
    assert "japanmap" in html  # attribution of the outlines
    assert "NOT PROVEN OPTIMAL" not in html  # the toy solves to optimality


@pytest.fixture(scope="module")
def japan_map(japan_run, tmp_path_factory):
    return write_map(japan_run, tmp_path_factory.mktemp("map") / "japan.html")


def test_japan_map_size_and_status_banner(japan_map):
    assert japan_map.stat().st_size < TEN_MB
    html = japan_map.read_text()
    assert "NOT PROVEN OPTIMAL" in html and "time_limit" in html and "3.61 %" in html
    assert not NETWORK_TAG.search(html)


def test_large_japan_map_stays_under_10_mb(tmp_path):
    run = make_japan_run(tmp_path / "big", periods=(2025, 2030, 2035, 2040, 2045, 2050),
                         chemistries=("NMC", "LFP", "NCA"))
    assert write_map(run, tmp_path / "big.html").stat().st_size < TEN_MB


@pytest.mark.parametrize("measure", sorted(MEASURES))
def test_every_measure_draws(toy_run, tmp_path, measure):
    assert write_map(toy_run, tmp_path / f"{measure}.html", measure=measure).stat().st_size > 100_000


def test_unknown_measure_is_refused(toy_run, tmp_path):
    with pytest.raises(ValueError, match="unknown measure"):
        write_map(toy_run, tmp_path / "x.html", measure="nonsense")


def test_optional_tiles(toy_run, tmp_path):
    url = "https://tiles.example.lg.jp/{z}/{x}/{y}.png"
    html = write_map(toy_run, tmp_path / "tiles.html", tiles=url).read_text()
    assert "L.tileLayer(" in html and url in html
    assert not NETWORK_TAG.search(html)  # tiles are images requested by Leaflet, not script/link tags


def test_undrawable_legs_are_listed(japan_map):
    html = japan_map.read_text()
    # NORTH_AMERICA is not in markets.csv and reuse has no place: both counted, not drawn
    assert "Not drawn (no location)" in html and "export by sea" in html and "sold for reuse" in html


def test_measure_by_prefecture_sums_chemistries(japan_run):
    run = read_run(japan_run)
    values = measure_by_prefecture(run.table("regions"), run.table("nodes"), "leaked_t_per_yr")
    regions = run.table("regions")
    expected = regions[(regions["region_id"] == "JP13") & (regions["period"] == 2030)]["leaked_t_per_yr"].sum()
    got = values[(values["code"] == 13) & (values["period"] == 2030)]["value"].item()
    assert got == pytest.approx(expected)
    assert values["code"].nunique() == 47


def test_compare_mode(japan_run, japan_b, tmp_path):
    a, b = read_run(japan_run), read_run(japan_b)
    diff = measure_difference(a, b, "leaked_t_per_yr")
    ra, rb = a.table("regions"), b.table("regions")
    pick = lambda r: r[(r["region_id"] == "JP27") & (r["period"] == 2035)]["leaked_t_per_yr"].sum()  # noqa: E731
    got = diff[(diff["code"] == 27) & (diff["period"] == 2035)]["value"].item()
    assert got == pytest.approx(pick(rb) - pick(ra)) and got < 0  # retention: less leaked in B
    facilities = facility_differences(a, b)
    assert set(facilities["category"]) <= {"same", "changed", "only_a", "only_b", ""}
    path = write_compare(japan_run, japan_b, tmp_path / "cmp.html", measure="leaked")
    html = path.read_text()
    assert path.stat().st_size < TEN_MB and not NETWORK_TAG.search(html)
    assert "B minus A" in html and "A: NOT PROVEN OPTIMAL" in html and "B: NOT PROVEN" not in html


def test_report_and_workbook(toy_run, tmp_path):
    html_path, xlsx_path = write_report(toy_run, tmp_path)
    html = html_path.read_text()
    assert html.count("plotly.js v") >= 1 and html.count("window.Plotly") >= 1
    assert len(re.findall(r"<script>/\*\*\s*\n?\s*\* plotly\.js", html)) <= 1  # the library once
    assert html.count("Plotly.newPlot(") == 3  # Sankey, costs, self-sufficiency
    assert not NETWORK_TAG.search(html)
    for heading in ("Material flows", "Costs", "Domestic self-sufficiency", "Facilities"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("class='facility'") == 3  # HUB, PT, REF
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    assert book.sheetnames == list(EXCEL_SHEETS)
    assert book["flows"].max_row == len(pd.read_csv(toy_run / "flows.csv")) + 1


def test_sankey_links_follow_the_flows(toy_run):
    run = read_run(toy_run)
    links = {(a, b): v for a, b, v in sankey_links(run, 2030)}
    flows = run.table("flows")
    collect = flows[(flows["leg"] == "collect") & (flows["period"] == 2030)]["tonnes_per_yr"].sum()
    assert links[("End-of-life packs", "Collection hubs")] == pytest.approx(collect)
    assert links[("Imported black mass", "Refineries")] == pytest.approx(100.0)
    assert links[("End-of-life packs", "Leaked (not collected)")] == pytest.approx(500.0)


def test_maps_and_reports_do_not_import_pyomo(toy_run, tmp_path):
    code = ("import sys; import netopt.views.maps.build, netopt.views.report; "
            f"netopt.views.maps.build.write_map({str(toy_run)!r}, {str(tmp_path / 'm.html')!r}); "
            f"netopt.views.report.write_report({str(toy_run)!r}, {str(tmp_path)!r}); "
            "assert not [m for m in sys.modules if m.startswith('pyomo')], 'pyomo imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_map_compare_and_report(toy_run, japan_run, japan_b, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["map", str(toy_run), "--out", str(tmp_path / "m.html"), "--measure", "collected"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "m.html").exists()
    r = runner.invoke(app, ["map", "--compare", str(japan_run), str(japan_b), "--out", str(tmp_path / "c.html")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(toy_run), "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rep" / "report.html").exists() and (tmp_path / "rep" / "results.xlsx").exists()
    assert runner.invoke(app, ["map", str(toy_run), "--measure", "bogus"]).exit_code == 2
    assert runner.invoke(app, ["map", str(tmp_path / "nothing")]).exit_code == 2
    assert runner.invoke(app, ["map"]).exit_code == 2
