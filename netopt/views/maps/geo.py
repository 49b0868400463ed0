"""Prefectures as a GeoDataFrame (every inhabited island), region-to-prefecture matching, sums per prefecture.

The geometry is the package data of :mod:`netopt.views.prefectures` (MLIT N03 2021, simplified; see
``netopt/views/data/README.md``): 47 MultiPolygons, 735 polygons, already simplified and rounded, so it
is drawn as it is. ``land()`` is their union, for keeping sea legs off the land.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from netopt.views import prefectures as japan

ATTRIBUTION = japan.ATTRIBUTION


@functools.cache
def prefectures() -> gpd.GeoDataFrame:
    """The 47 prefectures: code (1..47), region_id (JP01..), name_en, name_ja, n_polygons, label_lat, label_lon,
    bbox_main, geometry (EPSG:4326)."""
    features = japan.geojson()["features"]
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    frame.insert(1, "region_id", [f"JP{int(c):02d}" for c in frame["code"]])
    frame["bbox_main"] = [f["properties"]["bbox_main"] for f in features]
    return frame.sort_values("code").reset_index(drop=True)


@functools.cache
def land():
    """All of Japan's land in the geometry, one (prepared) MultiPolygon."""
    union = shapely.union_all(prefectures().geometry.values)
    shapely.prepare(union)
    return union


def region_prefecture(regions: pd.DataFrame) -> dict[str, int]:
    """region id -> prefecture code.

    Ids ``JP01``..``JP47`` are JIS prefecture codes; any other region is placed by its
    coordinates (the prefecture containing it, or the nearest one for points at sea).
    """
    prefs = prefectures()
    out: dict[str, int] = {}
    for row in regions.itertuples(index=False):
        rid = str(row.node_id)
        code = japan.jis_code(rid)
        if code is None and pd.notna(row.lat) and pd.notna(row.lon):
            point = Point(float(row.lon), float(row.lat))
            distances = shapely.distance(prefs.geometry.values, point)  # degrees: fine for "nearest"
            code = int(prefs["code"].iloc[int(np.argmin(distances))])
        if code is not None:
            out[rid] = code
    return out


def region_codes(values: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, int]:
    """region id -> prefecture code for the regions of ``values`` (placed by the run's nodes)."""
    region_nodes = nodes[nodes["role"] == "region"] if "role" in nodes else nodes
    known = set(region_nodes["node_id"].astype(str)) if "node_id" in region_nodes else set()
    extra = sorted(set(values["region_id"].astype(str)) - known) if "region_id" in values else []
    lookup = pd.concat([region_nodes[["node_id", "lat", "lon"]],
                        pd.DataFrame({"node_id": extra, "lat": np.nan, "lon": np.nan})], ignore_index=True)
    return region_prefecture(lookup)


def measure_by_prefecture(values: pd.DataFrame, nodes: pd.DataFrame, column: str, how: str = "sum",
                          codes: dict[str, int] | None = None) -> pd.DataFrame:
    """Sum (or mean) a per-region column per prefecture and period: columns code, period, value.

    ``values`` has region_id, period and ``column`` (regions.csv, or the views' per-region measures);
    ``codes`` (:func:`region_codes`) saves placing the regions again.
    """
    if values.empty or column not in values:
        return pd.DataFrame(columns=["code", "period", "value"])
    codes = codes if codes is not None else region_codes(values, nodes)
    df = values.assign(code=values["region_id"].astype(str).map(codes)).dropna(subset=["code", column])
    df["code"] = df["code"].astype(int)
    grouped = df.groupby(["code", "period"], as_index=False)[column]
    return (grouped.sum() if how == "sum" else grouped.mean()).rename(columns={column: "value"})
