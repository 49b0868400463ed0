"""Mass balance of every node, checked on the written result tables (not on the model)."""

import pandas as pd
import pytest

from netopt.api import load
from netopt.model.inputs import prepare
from netopt.results import read


@pytest.fixture(scope="module")
def written(toy_plan, tmp_path_factory):
    folder = toy_plan.write(tmp_path_factory.mktemp("run") / "toy")
    return read(folder), prepare(load(toy_plan.instance.path, "baseline"))


def _sum(flows: pd.DataFrame, by: list[str]) -> pd.Series:
    return flows.groupby(by)["tonnes_per_yr"].sum()


def test_regions_collected_equals_shipped_plus_unprocessed(written):
    res, _ = written
    regions = res.regions.set_index(["region_id", "chemistry", "period"])
    shipped = _sum(res.flows[res.flows["leg"] == "collect"], ["origin", "material", "period"])
    shipped.index.names = regions.index.names
    balance = regions["collected_t_per_yr"] - regions["unprocessed_t_per_yr"] - shipped.reindex(regions.index,
                                                                                                fill_value=0)
    assert balance.abs().max() < 1e-6
    total = regions["leaked_t_per_yr"] + regions["collected_t_per_yr"]
    assert (total - regions["eol_packs_t_per_yr"]).abs().max() < 1e-6


def test_every_node_balances(written):
    res, d = written
    f = res.flows
    inflow = _sum(f, ["destination", "material", "period"])
    outflow = _sum(f, ["origin", "material", "period"])
    sites = d.sites
    for (node, material, period), t_in in inflow.items():
        out = outflow.get((node, material, period), 0.0)
        kind = sites.at[node, "kind"] if node in sites.index else None
        if kind == "hub":
            assert out == pytest.approx(t_in), node
        elif kind == "pretreatment":
            assert out == pytest.approx(t_in * d.bm_yield[material]), node
        elif node in d.ports:
            assert out == pytest.approx(t_in), node
    # refineries: metal out + surplus = recovery x metal in black mass in
    for f_id in d.sites_of("refinery"):
        for period in d.periods:
            bm_in = f[(f["destination"] == f_id) & (f["period"] == period)].groupby("material")["tonnes_per_yr"].sum()
            for metal in d.metals:
                recovered = d.recovery[metal] * sum(t * d.metal_per_t_bm.get((c, metal), 0.0) for c, t in bm_in.items())
                out = outflow.get((f_id, metal, period), 0.0)
                metals = res.metals.set_index(["period", "metal"])
                assert out <= recovered + 1e-6
                assert metals.loc[(period, metal), "recovered_t_per_yr"] == pytest.approx(recovered)


def test_demand_met_by_recycled_virgin_or_unmet(written):
    res, _ = written
    m = res.metals
    assert ((m["recycled_t_per_yr"] + m["virgin_t_per_yr"] + m["unmet_t_per_yr"]) - m["demand_t_per_yr"]).abs().max() \
        < 1e-6
    delivered = _sum(res.flows[res.flows["leg"] == "refinery_to_demand"], ["material", "period"])
    for (metal, period), t in delivered.items():
        assert m.set_index(["metal", "period"]).loc[(metal, period), "recycled_t_per_yr"] == pytest.approx(t)
