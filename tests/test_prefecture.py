"""What a plan means for one prefecture: facts by throughput, the fact sheet, ``netopt prefecture``."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from netopt.cli import app
from netopt.results.store import read_run
from netopt.views import facts
from netopt.views.prefecture import page_html, resolve, write_all, write_prefecture
from tests.helpers import make_japan_run


@pytest.fixture(scope="module")
def toy(toy_run):
    return read_run(toy_run)


def test_shares_follow_the_packs_down_the_chain(toy):
    """The toy: three regions send everything to one hub, the hub to one plant, the plant to one refinery,
    so each region's share of every facility is its share of the collected packs."""
    tr = facts.trace(toy)
    regions = toy.table("regions")
    for period in (2025, 2030):
        collected = regions[regions["period"] == period].groupby("region_id")["collected_t_per_yr"].sum()
        at = tr[tr["period"] == period]
        for kind in ("hub", "pretreatment"):
            share = at[at["kind"] == kind].set_index("region_id")["share"]
            assert share.sum() == pytest.approx(1.0)
            assert share.to_dict() == pytest.approx((collected / collected.sum()).to_dict())
    refinery = tr[(tr["kind"] == "refinery") & (tr["period"] == 2030)]["share"].sum()
    assert 0 < refinery < 1  # imported black mass is a share of the refinery no region has


def test_allocated_costs_add_up_to_the_plan(toy):
    costs = facts.region_costs(toy)
    plan = toy.table("costs")
    for period in (2025, 2030):
        c = costs[costs["period"] == period]
        p = plan[plan["period"] == period]
        transport = p[p["category"] == "transport"]["annual_myen_per_yr"].sum()
        allocated_transport = c["collection_transport_myen_per_yr"].sum() + c["onward_transport_myen_per_yr"].sum()
        assert allocated_transport <= transport + 1e-9  # import legs' transport belongs to no region
        hubs = p[(p["block"] == "hubs") & p["category"].isin(["fixed", "processing"])]["annual_myen_per_yr"].sum()
        assert c["hub_myen_per_yr"].sum() == pytest.approx(hubs)
        retention = p[p["category"] == "retention"]["annual_myen_per_yr"].sum()
        assert c["retention_myen_per_yr"].sum() == pytest.approx(retention)
    assert (costs["cost_yen_per_t"].dropna() > 0).all()


def test_region_measures(toy):
    m = facts.region_measures(toy).set_index(["region_id", "period"])
    regions = toy.table("regions").groupby(["region_id", "period"]).sum(numeric_only=True)
    assert m.loc[("R1", 2030), "eol_packs_t_per_yr"] == regions.loc[("R1", 2030), "eol_packs_t_per_yr"]
    reuse = toy.table("flows").query("leg == 'reuse' and period == 2030")["tonnes_per_yr"].sum()
    assert m.xs(2030, level="period")["reused_t_per_yr"].sum() == pytest.approx(reuse)
    r1 = toy.table("regions").query("region_id == 'R1' and period == 2025")
    assert m.loc[("R1", 2025), "marginal_cost_yen_per_t"] == pytest.approx(
        1e6 * r1["marginal_cost_myen_per_t"].iloc[0])


def test_the_sheet_says_it_all_in_both_languages(japan_run):
    run = read_run(japan_run)
    html = page_html(run, "JP47")
    for ja, en in (("沖縄県", "Okinawa"), ("期間ごとの主な数値", "Key numbers by period"),
                   ("回収を1t増やす限界費用", "Marginal cost of one more collected tonne"),
                   ("この地域の電池パックを扱う施設", "Facilities that serve it"), ("域内の施設", "Facilities on its "),
                   ("化学組成別", "By chemistry"), ("人口（2020年国勢調査）", "Population (2020 Census)"),
                   ("1,467,480", "3,924")):
        assert ja in html and en in html
    assert "最適性は証明されていません" in html  # the run's status
    assert "hub HUB40" in html  # Okinawa's packs go to the Fukuoka hub (by sea)
    assert "svg class=\"netopt-outline\"" in html and "国土数値情報" in html


def test_resolve_names_and_codes(japan_run):
    run = read_run(japan_run)
    assert resolve(run, "沖縄") == resolve(run, "okinawa") == resolve(run, "47") == "JP47"
    with pytest.raises(ValueError, match="no region"):
        resolve(run, "Atlantis")


def test_all_pages_and_index(japan_run, tmp_path):
    paths = write_all(japan_run, tmp_path)
    assert len(paths) == 48 and {p.name for p in paths[:-1]} == {f"JP{c:02d}.html" for c in range(1, 48)}
    index = paths[-1].read_text()
    assert index.count('<a href="JP') == 47 and "沖縄県" in index


def test_compare_says_what_changes(japan_run, tmp_path):
    b = make_japan_run(tmp_path / "b" / "run", retention=0.6, proven_optimal=True)
    path = write_prefecture(japan_run, "Osaka", tmp_path, compare=b)
    html = path.read_text()
    assert path.name == "JP27.html" and "計画Bで何が変わるか" in html and "B&minus;A" in html
    leaked_a = pd.read_csv(japan_run / "regions.csv").query("region_id == 'JP27'")
    assert len(leaked_a)


def test_cli_prefecture(japan_run, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["prefecture", str(japan_run), "沖縄", "--out", str(tmp_path / "one")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "one" / "JP47.html").exists()
    r = runner.invoke(app, ["prefecture", str(japan_run), "--all", "--out", str(tmp_path / "all"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "47 pages" in r.output and (tmp_path / "all" / "index.html").exists()
    assert "data-lang=\"en\"" in (tmp_path / "all" / "JP13.html").read_text()
    assert runner.invoke(app, ["prefecture", str(japan_run), "Atlantis"]).exit_code == 2
    assert runner.invoke(app, ["prefecture", str(japan_run)]).exit_code == 2
    assert runner.invoke(app, ["prefecture", str(tmp_path / "none"), "沖縄"]).exit_code == 2
