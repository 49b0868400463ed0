"""Maps and reports in a real browser: Debian's headless Chromium driven by Playwright, network cut.

Every request that is not ``file:``/``data:`` is aborted and recorded; the tests assert
none was attempted.  Skipped only when /usr/bin/chromium is absent (CI installs it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from netopt.views.browser import CHROMIUM, offline_browser, offline_page
from netopt.views.maps.build import write_map
from netopt.views.maps.compare import write_compare
from netopt.views.report import write_report
from netopt.views.style import fmt_t
from tests.helpers import make_japan_run

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")]

FACILITY = ".leaflet-marker-pane .netopt-facility"
FLOW = ".leaflet-overlay-pane path.netopt-flow"


@pytest.fixture(scope="module")
def browser():
    with offline_browser() as b:
        yield b


def open_offline(browser, html: Path):
    """Open a page with the network cut; wait until Leaflet or plotly has drawn."""
    page = offline_page(browser)
    page.goto(Path(html).resolve().as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    return page


def assert_clean(page) -> None:
    assert page.netopt_blocked == [], f"requests that needed the network: {page.netopt_blocked}"
    assert page.netopt_errors == [], page.netopt_errors


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
    return f.groupby(["leg", "origin", "destination"], as_index=False)["tonnes_per_yr"].sum()


def choose_period(page, period: int) -> None:
    control(page).get_by_text(f"Period {period}", exact=True).click()
    page.wait_for_timeout(150)


def control(page):
    """The layer control (periods and toggles)."""
    return page.locator(".leaflet-control-layers")


def visible_counts(page) -> tuple[int, int]:
    return page.locator(FACILITY).count(), page.locator(FLOW).count()


# ------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def japan_map(japan_run, tmp_path_factory) -> Path:
    return write_map(japan_run, tmp_path_factory.mktemp("maps") / "japan.html")


def test_japan_map_draws_what_the_tables_hold_in_every_period(browser, japan_run, japan_map):
    page = open_offline(browser, japan_map)
    markets = japan_run.parent / "instance" / "markets.csv"
    periods = sorted(pd.read_csv(japan_run / "facilities.csv")["period"].unique())
    seen = {}
    fills = {}
    for period in periods[::-1] + periods[:1]:  # last first, and back to the first
        choose_period(page, period)
        assert page.evaluate("window.netopt.period()") == str(period)
        n_fac, n_flow = visible_counts(page)
        assert n_fac == expected_facilities(japan_run, period), period
        assert n_flow == len(expected_lines(japan_run, markets, period)), period
        seen[period] = (n_fac, n_flow)
        fills[period] = page.locator("path.netopt-prefecture").evaluate_all(
            "els => els.map(e => e.getAttribute('fill'))")
        assert len(fills[period]) == 47
    # hovering a prefecture highlights it without losing the period's colour
    tokyo = page.locator("path.netopt-prefecture").nth(12)
    fill = tokyo.get_attribute("fill")
    tokyo.dispatch_event("mouseover")
    assert tokyo.get_attribute("stroke-width") == "2.5"
    tokyo.dispatch_event("mouseout")
    assert tokyo.get_attribute("fill") == fill and tokyo.get_attribute("stroke-width") == "0.7"
    # switching the period changes what is shown: facilities are built, leakage falls
    assert seen[periods[0]] != seen[periods[-1]]
    assert fills[periods[0]] != fills[periods[-1]]
    assert page.locator(".netopt-status").inner_text().startswith("NOT PROVEN OPTIMAL")
    assert_clean(page)


def test_layer_toggles_hide_and_show(browser, japan_run, japan_map):
    page = open_offline(browser, japan_map)
    refineries = ".leaflet-marker-pane .netopt-refinery"
    before = page.locator(refineries).count()
    assert before > 0
    control(page).get_by_text("Refinery", exact=True).click()
    assert page.locator(refineries).count() == 0
    control(page).get_by_text("Packs: regions to hubs", exact=True).click()
    assert page.locator("path.netopt-leg-collect").count() == 0
    control(page).get_by_text("Refinery", exact=True).click()
    assert page.locator(refineries).count() == before
    assert_clean(page)


def test_flow_tooltip_shows_tonnes(browser, toy_run, tmp_path):
    page = open_offline(browser, write_map(toy_run, tmp_path / "toy.html"))
    flows = pd.read_csv(toy_run / "flows.csv")
    choose_period(page, 2030)
    # a real mouse over the middle of the heaviest collection line (R1 -> HUB, widest stroke)
    boxes = page.locator("path.netopt-leg-collect").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect();"
        " return [parseFloat(e.getAttribute('stroke-width')), b.x + b.width / 2, b.y + b.height / 2]; })")
    _, x, y = max(boxes)
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    heaviest = flows[(flows["leg"] == "collect") & (flows["period"] == 2030)].nlargest(1, "tonnes_per_yr").iloc[0]
    text = tooltip.inner_text()
    assert f"{fmt_t(heaviest['tonnes_per_yr'])} t/yr" in text
    names = pd.read_csv(toy_run / "nodes.csv").set_index("node_id")["name"]
    assert names[heaviest["origin"]] in text and "Central hub" in text and heaviest["material"] in text
    page.mouse.move(5, 700)
    # a short line under markers: its own mouseover event
    line = flows[(flows["leg"] == "import_black_mass") & (flows["period"] == 2030)]
    page.locator("path.netopt-leg-import_black_mass").dispatch_event("mouseover")
    page.wait_for_timeout(100)
    text = page.locator(".leaflet-tooltip").last.inner_text()
    assert f"{fmt_t(line['tonnes_per_yr'].sum())} t/yr" in text and "black mass" in text and "NMC" in text
    # a facility popup opens with its capacity
    page.locator(".leaflet-marker-pane .netopt-pretreatment").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "4,000" in popup.inner_text() and "Inflows in 2030" in popup.inner_text()
    assert_clean(page)


def test_toy_map_counts(browser, toy_run, tmp_path):
    page = open_offline(browser, write_map(toy_run, tmp_path / "toy.html"))
    markets = Path(__file__).resolve().parents[1] / "instances" / "toy" / "markets.csv"
    for period in (2025, 2030):
        choose_period(page, period)
        assert visible_counts(page) == (expected_facilities(toy_run, period),
                                        len(expected_lines(toy_run, markets, period)))
    assert page.locator(".netopt-status").count() == 0  # proven optimal: no banner
    assert_clean(page)


def test_compare_map_opens(browser, japan_run, tmp_path):
    b = make_japan_run(tmp_path / "b" / "run", retention=0.6, proven_optimal=True)
    page = open_offline(browser, write_compare(japan_run, b, tmp_path / "cmp.html"))
    assert page.locator(FACILITY).count() > 0
    assert page.locator("path.netopt-prefecture").count() == 47
    assert "B minus A" in page.locator(".netopt-title").inner_text()
    assert_clean(page)


def test_report_sankey_renders(browser, toy_run, tmp_path):
    html, _ = write_report(toy_run, tmp_path)
    page = open_offline(browser, html)
    page.wait_for_selector("#fig-sankey g.sankey-node")
    nodes = page.locator("#fig-sankey g.sankey-node")
    assert nodes.count() >= 8
    assert page.locator("#fig-sankey svg").count() >= 1
    assert page.locator("#fig-costs .barlayer").count() == 1
    page.get_by_text("2025", exact=True).first.click()  # the period buttons of the Sankey
    page.wait_for_timeout(300)
    assert "Material flows in 2025" in page.locator("#fig-sankey").inner_text()
    assert_clean(page)
