"""The bundled Japan instance: provenance of every number, every scenario applies, the baseline solves."""

from pathlib import Path

import pandas as pd
import pytest

from netopt.api import load
from netopt.instance.io import load_instance
from netopt.instance.overrides import describe_scenarios
from netopt.model import build_model
from netopt.model.inputs import prepare

JAPAN = Path(__file__).resolve().parents[1] / "instances" / "japan"
CSV_FILES = sorted(p for p in JAPAN.rglob("*.csv") if p.name != "sources.csv")
REQUIRED_SCENARIOS = {"baseline", "retention", "processing_trade", "recycled_content", "high_prices", "low_prices",
                      "lfp_shift", "carbon_price"}


@pytest.fixture(scope="module")
def japan():
    return load_instance(JAPAN)


@pytest.fixture(scope="module")
def sources() -> pd.DataFrame:
    return pd.read_csv(JAPAN / "sources.csv", dtype=str, keep_default_na=False)


def test_sources_are_complete(sources):
    assert sources["source_id"].is_unique
    for col in ("title", "publisher", "year"):
        assert (sources[col].str.strip() != "").all(), f"a source lacks its {col}"


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: str(p.relative_to(JAPAN)))
def test_every_row_has_a_known_source_and_a_confidence(path, sources):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert "source_id" in df.columns and "confidence" in df.columns, f"{path.name} lacks provenance columns"
    known = set(sources["source_id"])
    for line, row in enumerate(df.itertuples(), start=2):
        ids = [s.strip() for s in row.source_id.replace(";", "|").split("|") if s.strip()]
        assert ids, f"{path.name}:{line}: no source_id"
        unknown = [s for s in ids if s not in known]
        assert not unknown, f"{path.name}:{line}: unknown source_id {unknown}"
        assert row.confidence in ("verified", "estimated"), f"{path.name}:{line}: confidence {row.confidence!r}"


def test_japan_is_the_default_instance():
    from netopt.api import default_instance

    assert default_instance().resolve() == JAPAN.resolve()


def test_japan_covers_47_prefectures_with_hub_candidates_nearby(japan):
    regions = japan.table("regions")
    assert len(regions) == 47
    inputs = prepare(load(JAPAN))
    collect = inputs.arcs[inputs.arcs["leg"] == "collect"]
    assert set(collect["from_id"]) == set(regions["region_id"])


@pytest.mark.slow
def test_required_scenarios_exist_and_build(japan):
    names = set(describe_scenarios(japan))
    assert names >= REQUIRED_SCENARIOS
    for name in sorted(names) + ["retention+processing_trade"]:
        model = build_model(prepare(load(japan, name)))
        assert model.flows.flow  # a non-empty network


@pytest.mark.slow
def test_baseline_plan_uses_no_slack_and_states_its_gap(japan_baseline_plan):
    plan = japan_baseline_plan
    s = plan.results.summary
    # not proven on this instance (docs/model.md, Solving): the status says so and the numbers agree
    assert s["status"] in ("optimal", "not_proven"), plan.solved.describe()
    assert s["proven_optimal"] == (s["status"] == "optimal")
    assert s["controllable_cost_myen"] == pytest.approx(s["objective_myen"] - s["reference_cost_myen"])
    assert s["gap_abs_myen"] == pytest.approx(s["objective_myen"] - s["bound_myen"])
    assert s["bound_myen"] <= s["objective_myen"] and s["gap_target_myen"] >= 1000.0
    # every prefecture reaches an open hub (k_nearest = 10): no priced slack in the baseline
    slack = s["kpis"]["slack"]
    assert slack["unprocessed_packs_t_total"] < 1e-6 and slack["unmet_demand_t_total"] < 1e-6
    # Okinawa's packs leave the island by sea, priced as tests/test_sea_legs.py calculates by hand
    flows, land = plan.results.flows, plan.results.nodes.set_index("node_id")["landmass"]
    out_of_okinawa = flows[(flows["origin"].map(land) == "okinawa") & (flows["destination"].map(land) != "okinawa")
                           & flows["destination"].isin(land.index)]
    assert out_of_okinawa["tonnes_per_yr"].sum() > 0 and set(out_of_okinawa["mode"]) == {"sea"}
    assert out_of_okinawa["via"].str.startswith("SEA-NAHA~").all()
    metals = plan.results.metals
    assert ((metals["recycled_t_per_yr"] + metals["virgin_t_per_yr"] + metals["unmet_t_per_yr"]
             - metals["demand_t_per_yr"]).abs() < 1e-4).all()
