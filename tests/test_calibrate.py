"""Calibration of the supply model against the JRI white paper (cumulative to 2024).

Pinned tolerances, and why they are what they are:

* used EVs generated (110,000) and exported (94,000): +-15 %. The first-use lifetime
  comes from an all-car survey, not from this target; the exports are trade
  statistics (partly split by estimate) capped by the model's used cars per year.
* exported share: the white paper says ">80 %"; the model must say so too.
* metal with Mn (4,300 t): +-25 %. The release does not say which metals it counts;
  with Mn the model lands ~20 % low, consistent with a smaller average pack than
  JRI's implied ~40 kWh.
* strict Li+Ni+Co: cannot be reproduced (early Leafs are LMO); pinned at 30-50 % of
  4,300 t so that a change which silently "fixes" it is noticed and explained.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netopt.supply import calibrate, inputs

JAPAN = Path(__file__).resolve().parents[1] / "instances" / "japan"


@pytest.fixture(scope="module")
def report():
    return calibrate.calibration_report(JAPAN)


def test_report_covers_history(report):
    assert report["year"].min() == 2010 and report["year"].max() == 2024
    assert (report["exported_veh"] <= report["used_veh"] + 1e-6).all()
    trade = report.dropna(subset=["trade_statistics_veh"])
    assert (trade["exported_veh"] <= trade["trade_statistics_veh"] + 1e-6).all()


def test_vehicle_counts_within_tolerance(report):
    last = report.iloc[-1]
    assert last["cum_used_veh"] == pytest.approx(110_000, rel=0.15)
    assert last["cum_exported_veh"] == pytest.approx(94_000, rel=0.15)
    assert last["cum_export_share"] > 0.80


def test_metal_with_manganese_within_tolerance(report):
    assert report.iloc[-1]["cum_li_ni_co_mn_t"] == pytest.approx(4_300, rel=0.25)


def test_strict_metal_is_well_below_white_paper(report):
    assert 0.30 * 4_300 < report.iloc[-1]["cum_li_ni_co_t"] < 0.50 * 4_300


def test_format_report_lists_white_paper(report):
    text = calibrate.format_report(report)
    assert "94,000" in text and "110,000" in text and "4,300" in text
    assert len(calibrate.comparison(report)) == 5


def test_white_paper_figures_are_sourced():
    wp = inputs.load_inputs(JAPAN)["white_paper"]
    assert set(wp["item"]) == {"used_generated_cum_2024", "exported_cum_2024", "export_share_cum_2024",
                               "metals_exported_cum_2024"}
