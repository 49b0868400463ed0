"""The prefecture geometry shipped as package data: every inhabited island, valid, sourced, consistent."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from netopt.views import prefectures as japan
from netopt.views.maps.geo import prefectures
from tests.helpers import JAPAN

REFERENCE = pd.read_csv(japan._data("island_reference_points.csv").open(encoding="utf-8"))


def test_47_valid_prefectures_with_every_island():
    prefs = prefectures()
    assert len(prefs) == 47 and list(prefs["code"]) == list(range(1, 48))
    assert prefs.geometry.is_valid.all() and (prefs.geom_type == "MultiPolygon").all()
    polygons = prefs.geometry.apply(lambda g: len(g.geoms))
    assert polygons.sum() == 735 and (polygons.to_numpy() == prefs["n_polygons"].to_numpy()).all()
    assert polygons[46] == 71 and polygons[45] == 50 and polygons[12] == 43  # Okinawa, Kagoshima, Tokyo
    minx, miny, maxx, maxy = prefs.total_bounds
    assert 122.9 < minx < 123 and 24 < miny < 24.1 and 153.9 < maxx < 154 and 45.5 < maxy < 45.6


def test_names_are_the_instance_names():
    regions = pd.read_csv(JAPAN / "regions.csv")
    prefs = prefectures()
    assert list(prefs["name_ja"]) == list(regions["name_ja"]) and list(prefs["name_en"]) == list(regions["name"])


@pytest.mark.parametrize("group", sorted(REFERENCE["group"].unique()))
def test_every_reference_island_is_drawn_in_its_prefecture(group):
    """Miyako, Yaeyama, Amami, Tsushima, Sado, Oki, Izu, Ogasawara, ...: each reference point lies within
    3 km (0.03 degrees) of a polygon of its own prefecture."""
    prefs = prefectures().set_index("code")
    for r in REFERENCE[REFERENCE["group"] == group].itertuples():
        distance = shapely.distance(prefs.loc[r.code, "geometry"], Point(r.lon, r.lat))
        assert distance < 0.03, (r.island, distance)


def test_facts_table_matches_the_geometry_and_the_instance():
    facts = japan.facts()
    assert list(facts["polygons"]) == list(prefectures()["n_polygons"])
    pref = pd.read_csv(JAPAN / "inputs" / "prefectures.csv")
    nev = pd.read_csv(JAPAN / "inputs" / "nev_subsidies.csv")
    assert list(facts["population_2020"]) == list(pref["pop_2020_census"])
    assert list(facts["ev_phev_subsidies_fy2009_2024"]) == list(nev["ev_phev_subsidies_veh"])
    assert facts["area_km2"].sum() == pytest.approx(377_975, rel=0.005)  # Japan's official area, within 0.5 %
    sources = set(pd.read_csv(JAPAN / "sources.csv")["source_id"])
    ids = {s.strip() for cell in facts["source_id"] for s in cell.split(";")}
    assert ids <= sources and set(facts["confidence"]) <= {"verified", "estimated"}
    okinawa = facts.set_index("code").loc[47, "island_groups_ja"]
    assert "宮古列島" in okinawa and "八重山列島" in okinawa


def test_attribution_and_source_are_recorded():
    meta = japan.geojson()["metadata"]
    assert "国土数値情報" in meta["attribution"] and "processed by netopt" in meta["attribution"]
    assert meta["northern_territories"] == "kept"
    readme = japan._data("README.md").read_text(encoding="utf-8")
    assert "955608ab" in readme and "234914ee" in readme and "python -m netopt.tools.islands" in readme


@pytest.mark.parametrize("text, expected", [("沖縄", "JP47"), ("沖縄県", "JP47"), ("Okinawa", "JP47"),
                                            ("okinawa-ken", "JP47"), ("47", "JP47"), ("JP13", "JP13"),
                                            ("東京", "JP13"), ("京都", "JP26"), ("Kyoto Prefecture", "JP26"),
                                            ("北海道", "JP01"), ("nowhere", None)])
def test_find_a_prefecture_by_name_or_code(text, expected):
    assert japan.find_region(text, japan.facts()) == expected
