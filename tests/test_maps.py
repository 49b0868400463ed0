"""Maps and reports without a browser: self-containment, sizes, languages, measures, compare mode, report, workbook."""

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
from netopt.views.maps.geo import measure_by_prefecture, region_prefecture
from netopt.views.maps.layers import drawable_flows, route_points, sea_curve
from netopt.views.report import EXCEL_SHEETS, sankey_links, write_report
from tests.helpers import make_japan_run

TEN_MB = 10 * 1024 * 1024
NETWORK_TAG = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def japan_b(tmp_path_factory):
    """A second synthetic scenario: retention keeps 60 % of the leaked packs, proven optimal."""
    return make_japan_run(tmp_path_factory.mktemp("japan_b") / "run", retention=0.6, proven_optimal=True)


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
    assert "L.map(" in html and 'id="netopt-side"' in html  # Leaflet inlined, the side panel
    assert "L.tileLayer(" not in html  # the prefectures are the basemap
    assert "国土数値情報" in html and "MLIT" in html  # attribution of the outlines
    assert "NOT PROVEN OPTIMAL" not in html  # the toy solves to optimality
    assert "<title>netopt plan map: toy / baseline</title>" in html  # the toy's language is English


@pytest.fixture(scope="module")
def japan_map(japan_run, tmp_path_factory):
    return write_map(japan_run, tmp_path_factory.mktemp("map") / "japan.html")


def test_japan_map_size_banner_title_and_languages(japan_map):
    assert japan_map.stat().st_size < TEN_MB
    html = japan_map.read_text()
    assert "NOT PROVEN OPTIMAL" in html and "最適性は証明されていません" in html and "4,457 Myen" in html
    assert "<title>netopt 計画地図: japan-synthetic / baseline</title>" in html  # opens in the run's language
    assert "data-set-lang=\"ja\"" in html and "data-set-lang=\"en\"" in html
    assert not NETWORK_TAG.search(html)


def test_the_language_can_be_chosen(japan_run, tmp_path):
    html = write_map(japan_run, tmp_path / "en.html", lang="en").read_text()
    assert "r.setAttribute('data-lang',\"en\")" in html and "<title>netopt plan map" in html


def test_large_japan_map_stays_under_10_mb(tmp_path):
    run = make_japan_run(tmp_path / "big", periods=(2025, 2030, 2035, 2040, 2045, 2050),
                         chemistries=("NMC", "LFP", "NCA"))
    assert write_map(run, tmp_path / "big.html").stat().st_size < TEN_MB


def test_every_measure_is_in_one_page(japan_map):
    html = japan_map.read_text()
    for key in MEASURES:
        assert f'name="netopt-measure" value="{key}"' in html and f'data-measure="{key}"' in html
    for key in ("eol", "collected", "leaked", "retained", "unprocessed", "reused", "cost", "marginal"):
        assert f'"{key}": {{"2025":' in html  # each prefecture's colours per measure and period


def test_an_older_run_folder_still_draws(tmp_path):
    run = make_japan_run(tmp_path / "old" / "run", legacy=True)
    html = write_map(run, tmp_path / "old.html").read_text()
    assert "netopt-prefecture" in html and "<title>netopt plan map" in html  # no language recorded: English


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


def test_sea_legs_are_curves_through_their_ports(japan_run):
    run = read_run(japan_run)
    lines = drawable_flows(run, 2030)
    sea = lines[(lines["mode"] == "sea") & (lines["leg"] == "collect")]
    assert len(sea) == 1 and sea.iloc[0]["origin"] == "JP47"
    points, is_sea = route_points(sea.iloc[0], run.coordinates())
    assert is_sea and len(points) > 10  # origin, Naha, the curve, Hakata, destination
    assert points[1] == (26.238, 127.674) and (33.6, 130.4) in points
    curve = sea_curve((26.238, 127.674), (33.6, 130.4))
    assert curve[0] == (26.238, 127.674) and curve[-1] == (33.6, 130.4)


def test_sea_curves_keep_off_the_land():
    """Sendai - Tomakomai: the straight line crosses the Sanriku coast; the curve goes round it."""
    from shapely.geometry import LineString

    from netopt.views.maps.geo import land

    a, b = (38.27, 141.02), (42.63, 141.62)
    straight = LineString([(a[1], a[0]), (b[1], b[0])]).intersection(land()).length
    curve = sea_curve(a, b)
    bowed = LineString([(lon, lat) for lat, lon in curve[1:-1]]).intersection(land()).length
    assert bowed < 0.5 * straight


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
    assert "B minus A" in html and "A: <span class=\"l-ja\"" in html and "B: <span" not in html


def test_report_and_workbook(toy_run, tmp_path):
    html_path, xlsx_path = write_report(toy_run, tmp_path)
    html = html_path.read_text()
    assert html.count("plotly.js v") >= 1 and html.count("window.Plotly") >= 1
    assert len(re.findall(r"<script>/\*\*\s*\n?\s*\* plotly\.js", html)) <= 1  # the library once
    assert html.count("Plotly.newPlot(") == 6  # Sankey, costs, self-sufficiency, each in ja and en
    assert not NETWORK_TAG.search(html)
    for heading in ("Material flows", "Costs", "Domestic self-sufficiency", "Facilities"):
        assert f">{heading}</span></h2>" in html
    assert "物質の流れ" in html and "国内自給率" in html
    assert html.count("class='facility'") == 3  # HUB, PT, REF
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    assert book.sheetnames == list(EXCEL_SHEETS)
    assert book["flows"].max_row == len(pd.read_csv(toy_run / "flows.csv")) + 1


def test_workbook_for_spreadsheet_users(japan_run, tmp_path):
    _, xlsx = write_report(japan_run, tmp_path)  # the synthetic run is Japanese
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[:3] == ["概要", "都道府県", "施設"] and "CO2排出" in book.sheetnames
    summary = book["概要"]
    assert [c.value for c in summary[1]] == ["分類", "指標", "期間", "値", "単位"]
    values = [r[3].value for r in summary.iter_rows(min_row=2)]
    assert not [v for v in values if isinstance(v, str) and v.lstrip().startswith("{")]  # no JSON in cells
    gap = next(r for r in summary.iter_rows(min_row=2) if r[1].value == "ギャップ（制御可能費用比）")
    assert gap[3].number_format == "0.00%" and gap[4].value == "%"
    gap_myen = next(r for r in summary.iter_rows(min_row=2) if r[1].value == "ギャップ")
    assert gap_myen[4].value == "百万円" and gap_myen[3].value == pytest.approx(4456.7)
    flows = book["輸送"]
    header = [c.value for c in flows[1]]
    assert header[header.index("出発地コード") + 1] == "出発地" and "量 (t/年)" in header
    assert flows.auto_filter.ref and flows.freeze_panes == "A2"
    col = header.index("量 (t/年)") + 1
    assert flows.cell(row=2, column=col).number_format == "#,##0.0"
    first = {h: flows.cell(row=2, column=i + 1).value for i, h in enumerate(header)}
    assert first["区間"] in ("回収", "拠点からブラックマス工場へ", "海上輸入")  # words in Japanese
    regions = book["都道府県"]
    rh = [c.value for c in regions[1]]
    assert rh[:3] == ["地域コード", "地域", "期間"] and "回収1t増の限界費用 (円/t)" in rh
    assert regions.cell(row=2, column=2).value == "北海道"
    co2 = book["CO2排出"]
    assert co2.cell(row=co2.max_row, column=1).value == "合計"
    _, xlsx_en = write_report(japan_run, tmp_path / "en", lang="en")
    assert openpyxl.load_workbook(xlsx_en, read_only=True).sheetnames == list(EXCEL_SHEETS)


def test_sankey_links_follow_the_flows(toy_run):
    run = read_run(toy_run)
    links = {(a, b): v for a, b, v in sankey_links(run, 2030)}
    flows = run.table("flows")
    collect = flows[(flows["leg"] == "collect") & (flows["period"] == 2030)]["tonnes_per_yr"].sum()
    assert links[("End-of-life packs", "Collection hubs")] == pytest.approx(collect)
    assert links[("Imported black mass", "Refineries")] == pytest.approx(100.0)
    assert links[("End-of-life packs", "Leaked (not collected)")] == pytest.approx(500.0)


def test_maps_and_reports_do_not_import_pyomo(toy_run, tmp_path):
    code = ("import sys; import netopt.views.maps.build, netopt.views.report, netopt.views.prefecture; "
            f"netopt.views.maps.build.write_map({str(toy_run)!r}, {str(tmp_path / 'm.html')!r}); "
            f"netopt.views.report.write_report({str(toy_run)!r}, {str(tmp_path)!r}); "
            f"netopt.views.prefecture.write_all({str(toy_run)!r}, {str(tmp_path / 'p')!r}); "
            "assert not [m for m in sys.modules if m.startswith('pyomo')], 'pyomo imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_map_compare_and_report(toy_run, japan_run, japan_b, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["map", str(toy_run), "--out", str(tmp_path / "m.html"), "--measure", "collected"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "m.html").exists()
    r = runner.invoke(app, ["map", "--compare", str(japan_run), str(japan_b), "--out", str(tmp_path / "c.html")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(toy_run), "--out", str(tmp_path / "rep"), "--lang", "ja"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rep" / "report.html").exists() and (tmp_path / "rep" / "results.xlsx").exists()
    assert runner.invoke(app, ["map", str(toy_run), "--measure", "bogus"]).exit_code == 2
    assert runner.invoke(app, ["map", str(toy_run), "--lang", "fr"]).exit_code == 2
    assert runner.invoke(app, ["map", str(tmp_path / "nothing")]).exit_code == 2
    assert runner.invoke(app, ["map"]).exit_code == 2
