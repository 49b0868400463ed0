"""Prefecture outlines from the ``japanmap`` package, as a GeoDataFrame, and region-to-prefecture matching.

``japanmap`` (Apache-2.0, by Saito Tsutomu) ships the outline of each of the 47 prefectures
(the part holding the prefectural capital: small outlying islands are not included) as
lon/lat boundary chains shared between neighbours.  We assemble one polygon per prefecture,
repair it with shapely, simplify the whole coverage at once (so neighbours keep a common
border) and round the coordinates to keep the HTML small.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon

ATTRIBUTION = ("Prefecture outlines: <code>japanmap</code> package (Apache-2.0, Saito Tsutomu), "
               "simplified; main islands only")

# JIS X 0401 order: code = position + 1
PREFECTURES_EN = (
    "Hokkaido", "Aomori", "Iwate", "Miyagi", "Akita", "Yamagata", "Fukushima", "Ibaraki", "Tochigi", "Gunma",
    "Saitama", "Chiba", "Tokyo", "Kanagawa", "Niigata", "Toyama", "Ishikawa", "Fukui", "Yamanashi", "Nagano",
    "Gifu", "Shizuoka", "Aichi", "Mie", "Shiga", "Kyoto", "Osaka", "Hyogo", "Nara", "Wakayama", "Tottori",
    "Shimane", "Okayama", "Hiroshima", "Yamaguchi", "Tokushima", "Kagawa", "Ehime", "Kochi", "Fukuoka", "Saga",
    "Nagasaki", "Kumamoto", "Oita", "Miyazaki", "Kagoshima", "Okinawa",
)


@functools.lru_cache(maxsize=4)
def prefectures(tolerance: float = 0.005, digits: int = 4) -> gpd.GeoDataFrame:
    """The 47 prefectures: code (1..47), region_id (JP01..), name_en, name_ja, geometry (EPSG:4326)."""
    import japanmap

    qp, qo = japanmap.get_data()  # not moved: true lon/lat positions
    rings = japanmap.pref_points((qp, qo))
    polygons = np.array([_repair(Polygon(ring)) for ring in rings], dtype=object)
    simplified = _simplify_coverage(polygons, tolerance)
    rounded = [shapely.set_precision(g, 10.0 ** -digits) for g in simplified]
    codes = list(range(1, len(rings) + 1))
    return gpd.GeoDataFrame({
        "code": codes,
        "region_id": [f"JP{c:02d}" for c in codes],
        "name_en": list(PREFECTURES_EN),
        "name_ja": japanmap.pref_names[1:],
    }, geometry=rounded, crs="EPSG:4326")


def _repair(polygon: Polygon):
    """Make a possibly self-touching outline valid, keeping only its areal parts."""
    if polygon.is_valid:
        return polygon
    fixed = shapely.make_valid(polygon)
    parts = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _simplify_coverage(polygons: np.ndarray, tolerance: float) -> list:
    """Simplify all outlines together when shapely can (shared borders stay shared)."""
    if hasattr(shapely, "coverage_simplify"):
        try:
            return list(shapely.coverage_simplify(polygons, tolerance))
        except Exception:  # noqa: BLE001 - fall back to independent simplification
            pass
    return [g.simplify(tolerance, preserve_topology=True) for g in polygons]


def region_prefecture(regions: pd.DataFrame) -> dict[str, int]:
    """region id -> prefecture code.

    Ids ``JP01``..``JP47`` are JIS prefecture codes; any other region is placed by its
    coordinates (the prefecture containing it, or the nearest one for points at sea).
    """
    prefs = prefectures()
    out: dict[str, int] = {}
    for row in regions.itertuples(index=False):
        rid = str(row.node_id)
        code = _jis_code(rid)
        if code is None and pd.notna(row.lat) and pd.notna(row.lon):
            point = Point(float(row.lon), float(row.lat))
            distances = shapely.distance(prefs.geometry.values, point)  # degrees: fine for "nearest"
            code = int(prefs["code"].iloc[int(np.argmin(distances))])
        if code is not None:
            out[rid] = code
    return out


def _jis_code(region_id: str) -> int | None:
    """``JP13`` -> 13; None for ids that are not a JIS prefecture code."""
    if len(region_id) == 4 and region_id.upper().startswith("JP") and region_id[2:].isdigit():
        code = int(region_id[2:])
        return code if 1 <= code <= 47 else None
    return None


def measure_by_prefecture(regions: pd.DataFrame, nodes: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sum a regions.csv column per prefecture and period: columns code, period, value."""
    if regions.empty or column not in regions:
        return pd.DataFrame(columns=["code", "period", "value"])
    region_nodes = nodes[nodes["role"] == "region"] if "role" in nodes else nodes
    known = set(region_nodes["node_id"].astype(str)) if "node_id" in region_nodes else set()
    extra = sorted(set(regions["region_id"].astype(str)) - known)
    lookup = pd.concat([region_nodes[["node_id", "lat", "lon"]],
                        pd.DataFrame({"node_id": extra, "lat": np.nan, "lon": np.nan})], ignore_index=True)
    codes = region_prefecture(lookup)
    df = regions.assign(code=regions["region_id"].astype(str).map(codes)).dropna(subset=["code"])
    df["code"] = df["code"].astype(int)
    return df.groupby(["code", "period"], as_index=False)[column].sum().rename(columns={column: "value"})
