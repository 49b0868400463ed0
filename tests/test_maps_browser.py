"""Maps, fact sheets and reports in a real browser: Debian's headless Chromium driven by Playwright, network cut.

Every request that is not ``file:``/``data:`` is aborted and recorded; the tests assert none was
attempted. Skipped only when /usr/bin/chromium is absent (CI installs it, and fonts-noto-cjk so that
Japanese renders as glyphs, which ``test_japanese_renders_as_glyphs_not_boxes`` checks). One page per
map is opened per module and put back to its first state between tests, to keep them fast.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from netopt.views import prefectures as japan
from netopt.views.browser import CHROMIUM, offline_browser, offline_page
from netopt.views.maps.build import write_map
from netopt.views.maps.compare import write_compare
from netopt.views.maps.layers import drawable_flows
from netopt.views.prefecture import write_all
from netopt.views.report import write_report
from netopt.views.style import fmt_t
from tests.helpers import make_japan_run

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")]

FACILITY = ".leaflet-marker-pane .netopt-facility"
FLOW = ".leaflet-overlay-pane path.netopt-flow"
SEA = ".leaflet-overlay-pane path.netopt-sea"
LAYOUTS = {"laptop": (1366, 768), "desktop": (1920, 1080), "phone": (390, 844), "print": (1123, 794)}


@pytest.fixture(scope="module")
def browser():
    with offline_browser() as b:
        yield b


def open_offline(browser, html: Path, width: int = 1366, height: int = 768):
    """Open a page with the network cut; wait until Leaflet or plotly has drawn."""
    page = offline_page(browser, width, height)
    page.goto(Path(html).resolve().as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    return page


def assert_clean(page) -> None:
    assert page.netopt_blocked == [], f"requests that needed the network: {page.netopt_blocked}"
    assert page.netopt_errors == [], page.netopt_errors


def box(page, selector: str) -> dict | None:
    """The part of an element one sees: its box clipped by every scrolling ancestor and the viewport."""
    return page.evaluate("""sel => {
      const el = document.querySelector(sel);
      if (!el) { return null; }
      let r = el.getBoundingClientRect(), x0 = r.left, y0 = r.top, x1 = r.right, y1 = r.bottom;
      for (let a = el.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflow !== 'visible' || s.overflowY !== 'visible') {
          const b = a.getBoundingClientRect();
          x0 = Math.max(x0, b.left); y0 = Math.max(y0, b.top); x1 = Math.min(x1, b.right); y1 = Math.min(y1, b.bottom);
        }
      }
      x0 = Math.max(x0, 0); y0 = Math.max(y0, 0);
      x1 = Math.min(x1, window.innerWidth); y1 = Math.min(y1, window.innerHeight);
      return x1 > x0 && y1 > y0 ? {x: x0, y: y0, width: x1 - x0, height: y1 - y0} : null;
    }""", selector)


def intersects(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


# ------------------------------------------------------------- expectations from the result tables


def expected_facilities(run: Path, period: int) -> int:
    fac = pd.read_csv(run / "facilities.csv")
    return int(((fac["period"] == period) & (fac["capacity_t_per_yr"] > 0)).sum())


def expected_lines(run: Path, market_csv: Path | None, period: int) -> pd.DataFrame:
    """One line per (leg, origin, destination) whose two ends have coordinates."""
    flows = pd.read_csv(run / "flows.csv")
    placed = set(pd.read_csv(run / "nodes.csv")["node_id"])
    if market_csv is not None and market_csv.exists():
        placed |= set(pd.read_csv(market_csv)["market_id"])
    f = flows[(flows["period"] == period) & flows["origin"].isin(placed) & flows["destination"].isin(placed)]
    return f.groupby(["leg", "origin", "destination"], as_index=False).agg(
        tonnes_per_yr=("tonnes_per_yr", "sum"), mode=("mode", "first") if "mode" in f else ("leg", "first"))


def expected_sea_legs(run: Path, market_csv: Path | None, period: int) -> int:
    lines = expected_lines(run, market_csv, period)
    return int(((lines["mode"] == "sea") & ~lines["leg"].isin(["import_market", "export_market"])).sum())


def choose_period(page, period: int) -> None:
    page.locator(f'input[name="netopt-period"][value="{period}"]').check()
    page.wait_for_timeout(100)


def reset(page, lang: str = "ja") -> None:
    page.evaluate(f"() => {{ netoptSetLang('{lang}'); netopt.setPeriod(netopt.periods[0]); "
                  "netopt.setMeasure('leaked'); netopt.map.fitBounds(" + str(japan.MAIN_BOUNDS) + "); }")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.emulate_media(media="screen")
    page.evaluate("() => { const c = document.querySelector('#netopt-panel .netopt-close'); if (netopt.region()) "
                  "{ c.click(); } document.querySelector('#netopt-side').scrollTop = 0; }")
    page.wait_for_timeout(150)


@pytest.fixture(scope="module")
def japan_map(japan_run, tmp_path_factory) -> Path:
    return write_map(japan_run, tmp_path_factory.mktemp("maps") / "japan.html")


@pytest.fixture(scope="module")
def page(browser, japan_map):
    p = open_offline(browser, japan_map)
    yield p
    assert_clean(p)


# ------------------------------------------------------------- the map of one run


def test_japan_map_draws_what_the_tables_hold_in_every_period(page, japan_run):
    reset(page)
    markets = japan_run.parent / "instance" / "markets.csv"
    periods = sorted(pd.read_csv(japan_run / "facilities.csv")["period"].unique())
    seen, fills = {}, {}
    for period in periods[::-1] + periods[:1]:  # last first, and back to the first
        choose_period(page, period)
        assert page.evaluate("window.netopt.period()") == str(period)
        n_fac, n_flow = page.locator(FACILITY).count(), page.locator(FLOW).count()
        assert n_fac == expected_facilities(japan_run, period), period
        assert n_flow == len(expected_lines(japan_run, markets, period)), period
        assert page.locator(SEA).count() == expected_sea_legs(japan_run, markets, period) > 0
        seen[period] = (n_fac, n_flow)
        fills[period] = page.locator("path.netopt-prefecture").evaluate_all(
            "els => els.map(e => e.getAttribute('fill'))")
        assert len(fills[period]) == 47
    tokyo = page.locator("path.netopt-prefecture").nth(12)  # hovering highlights, the period's colour stays
    fill = tokyo.get_attribute("fill")
    tokyo.dispatch_event("mouseover")
    assert tokyo.get_attribute("stroke-width") == "2.5"
    tokyo.dispatch_event("mouseout")
    assert tokyo.get_attribute("fill") == fill and tokyo.get_attribute("stroke-width") == "0.7"
    assert seen[periods[0]] != seen[periods[-1]] and fills[periods[0]] != fills[periods[-1]]
    assert page.locator(".netopt-status").inner_text().startswith("最適性は証明されていません")


def test_drawn_island_polygons_and_sea_legs_match_the_tables(page, japan_run):
    reset(page)
    table = japan.facts().set_index("code")["polygons"]
    page.evaluate("() => { netopt.map.fitBounds([[20, 122], [46, 155]], {animate: false}); }")  # every island in view
    page.wait_for_timeout(200)
    drawn = page.locator("path.netopt-prefecture").evaluate_all(
        "els => els.map(e => (e.getAttribute('d').match(/M/g) || []).length)")
    assert len(drawn) == 47 and sum(drawn) == int(table.sum()) == 735
    assert dict(enumerate(drawn, start=1)) == table.to_dict()  # Okinawa 71, Kagoshima 50, Tokyo 43, ...
    inset = page.locator("path.netopt-inset-prefecture").evaluate_all(
        "els => els.map(e => (e.getAttribute('d').match(/M/g) || []).length)")
    okinawa, kagoshima = max(inset), min(inset)  # the inset holds all of Okinawa, Kagoshima's islands near it
    assert okinawa == int(table[47]) == 71 and 6 <= kagoshima < int(table[46])
    # sea legs: dotted curves, one per sea line of flows.csv, each through its ports
    choose_period(page, 2030)
    from netopt.results.store import read_run

    sea = drawable_flows(read_run(japan_run), 2030)
    sea = sea[(sea["mode"] == "sea") & (sea["leg"] == "collect")]
    paths = page.locator(SEA)
    assert paths.count() == len(sea) == 1
    assert paths.first.get_attribute("stroke-dasharray") == "2 7"
    assert len(re.findall(r"[ML]", paths.first.get_attribute("d"))) > 10  # a curve, not a straight line
    assert page.locator("path.netopt-inset-sea").count() == 1  # and in the Nansei inset


def test_language_switch(page):
    reset(page, "ja")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.title().startswith("netopt 計画地図")
    side = page.locator("#netopt-side")
    assert "期間" in side.inner_text() and "Period" not in side.inner_text()
    page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.getAttribute('data-lang')") == "en"
    assert page.title().startswith("netopt plan map")
    text = side.inner_text()
    assert "Period" in text and "Legend" in text and "Collection hub" in text and "期間" not in text
    assert page.locator(".netopt-status").inner_text().startswith("NOT PROVEN OPTIMAL")
    page.get_by_role("button", name="日本語").click()
    assert "凡例" in side.inner_text()


def test_measure_switch(page, japan_run):
    reset(page)
    choose_period(page, 2035)
    before = page.locator("path.netopt-prefecture").evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    for key in ("eol", "collected", "retained", "unprocessed", "reused", "cost", "cost_per_t", "marginal"):
        page.locator(f'input[name="netopt-measure"][value="{key}"]').check()
        assert page.evaluate("netopt.measure()") == key
        visible = page.locator(".netopt-scale").evaluate_all(
            "els => els.filter(e => e.style.display !== 'none').map(e => e.dataset.measure)")
        assert visible == [key]
    page.locator('input[name="netopt-measure"][value="collected"]').check()
    after = page.locator("path.netopt-prefecture").evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    assert after != before
    assert "回収量" in page.locator("#netopt-measure").inner_text()


def test_search_finds_okinawa_and_opens_its_panel(page):
    reset(page)
    page.fill("#netopt-search-input", "沖縄")
    hits = page.locator("#netopt-search-results li")
    assert hits.count() >= 1 and "沖縄県" in hits.first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    assert page.evaluate("netopt.region()") == 47
    panel = page.locator("#netopt-panel-body")
    assert panel.locator("h2").first.inner_text() == "沖縄県"
    text = panel.inner_text()
    for words in ("期間ごとの主な数値", "回収を1t増やす限界費用", "この地域の電池パックを扱う施設"):
        assert words in text
    centre = page.evaluate("(() => { const c = netopt.map.getCenter(); return [c.lat, c.lng]; })()")
    assert 25.9 < centre[0] < 27.1 and 127.4 < centre[1] < 128.6  # zoomed to Okinawa Island
    assert page.evaluate("netopt.map.getZoom()") >= 8
    page.fill("#netopt-search-input", "okinawa")  # English works too (the list shows the page's language)
    assert "沖縄県 JP47" in page.locator("#netopt-search-results li").first.inner_text()
    page.fill("#netopt-search-input", "")


def test_fact_panel_on_click_follows_the_period(page, japan_run):
    reset(page)
    page.evaluate("() => { netopt.openPanel(13); }")
    panel = page.locator("#netopt-panel-body")
    assert panel.locator("h2").first.inner_text() == "東京都"
    choose_period(page, 2035)
    marked = panel.locator("td.current").evaluate_all("els => els.map(e => e.dataset.p)")
    assert marked and set(marked) == {"2035"}
    eol = pd.read_csv(japan_run / "regions.csv").query("region_id == 'JP13' and period == 2035")
    assert fmt_t(eol["eol_packs_t_per_yr"].sum()) in panel.locator("tr.m-eol td.current").inner_text()
    page.locator("path.netopt-prefecture").nth(46).dispatch_event("click")  # Okinawa by a click
    assert panel.locator("h2").first.inner_text() == "沖縄県"


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts_keep_the_banner_clear(page, layout, tmp_path):
    reset(page)
    width, height = LAYOUTS[layout]
    page.set_viewport_size({"width": width, "height": height})
    if layout == "print":
        page.emulate_media(media="print")
    page.wait_for_timeout(250)
    banner = box(page, ".netopt-status")
    assert banner and banner["width"] > 100 and banner["y"] >= 0
    if layout == "phone":
        side = box(page, "#netopt-side")
        assert side is None or side["height"] < 2  # controls collapsed at first
        page.locator(".netopt-drawer-button[data-drawer='legend']").click()
        page.wait_for_timeout(250)
        legend = box(page, ".netopt-legend")
        assert legend and legend["height"] > 50 and not page.locator(".netopt-search").is_visible()
        page.locator(".netopt-drawer-button[data-drawer='controls']").click()
        page.wait_for_timeout(150)
        assert page.locator(".netopt-search").is_visible() and not page.locator(".netopt-legend").is_visible()
        page.locator(".netopt-drawer-button[data-drawer='legend']").click()
        page.wait_for_timeout(250)
    legend = box(page, ".netopt-legend")
    mapbox = box(page, ".folium-map")
    assert legend and mapbox and not intersects(banner, legend), (banner, legend)
    assert not intersects(banner, mapbox)
    if layout == "print":
        assert not page.locator("#netopt-search-input").is_visible()
        assert not page.locator(".netopt-lang").is_visible()
        assert legend["x"] >= mapbox["x"] + mapbox["width"] - 1  # the legend beside the map
    page.screenshot(path=str(tmp_path / f"map-{layout}.png"))
    if layout == "phone":
        page.locator(".netopt-drawer-button[data-drawer='legend']").click()


def test_japanese_renders_as_glyphs_not_boxes(page):
    """Two different kanji in the page's font stack differ from each other and from the .notdef box of an
    unassigned code point; a CJK glyph is about one em wide. Without a CJK font all three are the same box."""
    reset(page)
    result = page.evaluate("""() => {
      const font = getComputedStyle(document.body).fontFamily;
      const c = document.createElement('canvas'); c.width = 72; c.height = 72;
      const g = c.getContext('2d');
      const draw = ch => { g.clearRect(0, 0, 72, 72); g.font = '48px ' + font; g.fillStyle = '#000';
        g.fillText(ch, 8, 56); return Array.from(g.getImageData(0, 0, 72, 72).data).filter((v, i) => i % 4 === 3); };
      const same = (a, b) => a.every((v, i) => v === b[i]);
      const oki = draw('沖'), nawa = draw('縄'), box = draw('\\u0378');
      g.font = '48px ' + font;
      return {okiIsNawa: same(oki, nawa), okiIsBox: same(oki, box), ink: oki.filter(v => v > 0).length,
              width: g.measureText('沖縄県').width / 3, boxWidth: g.measureText('\\u0378').width};
    }""")
    assert not result["okiIsNawa"] and not result["okiIsBox"], (
        "Japanese renders as boxes: install a CJK font (Debian: apt-get install fonts-noto-cjk)")
    assert result["ink"] > 100 and 40 <= result["width"] <= 56


def test_layer_toggles_hide_and_show(page):
    reset(page)
    refineries = ".leaflet-marker-pane .netopt-refinery"
    before = page.locator(refineries).count()
    assert before > 0
    page.locator('input[name="netopt-toggle"][value="refinery"]').uncheck()
    assert page.locator(refineries).count() == 0
    page.locator('input[name="netopt-toggle"][value="collect"]').uncheck()
    assert page.locator("path.netopt-leg-collect").count() == 0
    page.locator('input[name="netopt-toggle"][value="refinery"]').check()
    page.locator('input[name="netopt-toggle"][value="collect"]').check()
    assert page.locator(refineries).count() == before


# ------------------------------------------------------------- the toy, compare maps, report, fact sheets


def test_toy_map_tooltips_popups_and_counts(browser, toy_run, tmp_path):
    page = open_offline(browser, write_map(toy_run, tmp_path / "toy.html"), 1400, 1000)
    flows = pd.read_csv(toy_run / "flows.csv")
    markets = Path(__file__).resolve().parents[1] / "instances" / "toy" / "markets.csv"
    for period in (2025, 2030):
        choose_period(page, period)
        assert page.locator(FACILITY).count() == expected_facilities(toy_run, period)
        assert page.locator(FLOW).count() == len(expected_lines(toy_run, markets, period))
    assert page.locator(".netopt-status").count() == 0  # proven optimal: no banner
    assert page.evaluate("document.documentElement.lang") == "en"  # the toy opens in English
    boxes = page.locator("path.netopt-leg-collect").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect();"
        " return [parseFloat(e.getAttribute('stroke-width')), b.x + b.width / 2, b.y + b.height / 2]; })")
    _, x, y = max(boxes)
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    heaviest = flows[(flows["leg"] == "collect") & (flows["period"] == 2030)].nlargest(1, "tonnes_per_yr").iloc[0]
    names = pd.read_csv(toy_run / "nodes.csv").set_index("node_id")["name"]
    text = tooltip.inner_text()
    assert f"{fmt_t(heaviest['tonnes_per_yr'])} t/yr" in text
    assert names[heaviest["origin"]] in text and "Central hub" in text and heaviest["material"] in text
    page.mouse.move(5, 700)
    line = flows[(flows["leg"] == "import_black_mass") & (flows["period"] == 2030)]
    page.locator("path.netopt-leg-import_black_mass").dispatch_event("mouseover")
    page.wait_for_timeout(100)
    text = page.locator(".leaflet-tooltip").last.inner_text()
    assert f"{fmt_t(line['tonnes_per_yr'].sum())} t/yr" in text and "black mass" in text and "NMC" in text
    page.locator(".leaflet-marker-pane .netopt-pretreatment").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "4,000" in popup.inner_text() and "Inflows in 2030" in popup.inner_text()
    page.get_by_role("button", name="日本語").click()
    assert "2030年の受入" in popup.inner_text()
    assert_clean(page)


def test_compare_map_opens_with_its_banner_clear(browser, japan_run, tmp_path):
    b = make_japan_run(tmp_path / "b" / "run", retention=0.6, proven_optimal=True)
    page = open_offline(browser, write_compare(japan_run, b, tmp_path / "cmp.html"))
    assert page.locator(FACILITY).count() > 0
    assert page.locator("path.netopt-prefecture").count() == 47
    assert "B" in page.locator(".netopt-title").inner_text()
    assert not intersects(box(page, ".netopt-status"), box(page, ".netopt-legend"))
    page.evaluate("() => { netopt.openPanel(27); }")
    assert "計画Bで何が変わるか" in page.locator("#netopt-panel-body").inner_text()
    assert_clean(page)


def test_report_renders_in_both_languages(browser, toy_run, tmp_path):
    html, _ = write_report(toy_run, tmp_path)
    page = open_offline(browser, html)
    page.wait_for_selector("#fig-sankey-en g.sankey-node")
    assert page.locator("#fig-sankey-en g.sankey-node").count() >= 8
    assert page.locator("#fig-costs-en .barlayer").count() == 1
    page.locator("#fig-sankey-en g.updatemenu-button").first.dispatch_event("click")  # the period buttons
    page.wait_for_timeout(300)
    assert "Material flows in 2025" in page.locator("#fig-sankey-en").inner_text()
    page.get_by_role("button", name="日本語").click()
    page.wait_for_timeout(300)
    assert page.locator("#fig-sankey").is_visible() and not page.locator("#fig-sankey-en").is_visible()
    assert "物質の流れ" in page.locator("h2").first.inner_text()
    assert_clean(page)


def test_prefecture_sheets_print_on_a4(browser, japan_run, tmp_path):
    paths = write_all(japan_run, tmp_path / "pref")
    assert len(paths) == 48 and paths[-1].name == "index.html"
    page = open_offline(browser, tmp_path / "pref" / "JP47.html", 800, 1100)
    assert page.locator("h2").first.inner_text() == "沖縄県"
    assert page.locator("svg.netopt-outline path").count() == 1
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 3
    page.get_by_role("button", name="English").click()
    assert page.locator("h2").first.inner_text() == "Okinawa"
    assert page.title().startswith("Okinawa")
    assert_clean(page)
