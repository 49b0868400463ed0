"""Japan's 47 prefectures for the views: names, facts, geometry as plain JSON, and finding one by name.

The geometry (MLIT N03 with every inhabited island, simplified) and the facts table are package data in
``netopt/views/data/`` (see its README: source, attribution, build). This module needs only json and
pandas, so the prefecture pages do not load geopandas; the maps' GeoDataFrame is in
:mod:`netopt.views.maps.geo`.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources

import pandas as pd

from netopt.views.i18n import Text

NANSEI_BOUNDS = [[24.0, 122.8], [28.6, 131.5]]  # the inset: Okinawa and Kagoshima's Amami islands
MAIN_BOUNDS = [[28.7, 128.3], [45.6, 146.0]]  # the national view without the Nansei islands


def _data(name: str):
    return resources.files("netopt.views").joinpath("data", name)


@functools.cache
def geojson() -> dict:
    """The prefecture FeatureCollection (properties: code, name_en, name_ja, n_polygons, label_lat, label_lon,
    bbox_main)."""
    return json.loads(_data("prefectures_islands.geojson").read_text(encoding="utf-8"))


@functools.cache
def facts() -> pd.DataFrame:
    """code, region_id, name_ja, name_en, polygons, area_km2, island groups, population, EV+PHEV grants."""
    return pd.read_csv(_data("prefectures.csv").open(encoding="utf-8"), keep_default_na=False)


ATTRIBUTION = Text("出典：「国土数値情報（行政区域データ）」（国土交通省）（2021年）を加工して作成",
                   "Source: MLIT National Land Numerical Information (Administrative Areas, N03, 2021), "
                   "processed by netopt")


def jis_code(region_id: str) -> int | None:
    """``JP13`` -> 13; None for ids that are not a JIS prefecture code."""
    rid = str(region_id)
    if len(rid) == 4 and rid.upper().startswith("JP") and rid[2:].isdigit():
        code = int(rid[2:])
        return code if 1 <= code <= 47 else None
    return None


def _fold(text: str) -> str:
    """For matching: NFKC, lower case, no spaces; English suffixes dropped (``Okinawa-ken``, ``Kyoto
    Prefecture`` -> ``okinawa``, ``kyoto``)."""
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    t = t.removesuffix("prefecture").strip()
    if "-" in t and t.rsplit("-", 1)[1] in ("ken", "fu", "to", "do"):
        t = t.rsplit("-", 1)[0]
    return t.replace(" ", "")


def _keys(row) -> set[str]:
    """What names a region: its id, its English name, its Japanese name with and without 都/府/県."""
    ja = _fold(getattr(row, "name_ja", ""))
    keys = {_fold(row.region_id), _fold(getattr(row, "name_en", "")), ja}
    if len(ja) > 2 and ja[-1] in "都府県":
        keys.add(ja[:-1])
    return keys - {""}


def find_region(text: str, regions: pd.DataFrame) -> str | None:
    """The region id that ``text`` names: its id (``JP47``), JIS code (``47``), or its name in Japanese or
    English, with or without 県/府/都 (``沖縄``, ``沖縄県``, ``Okinawa``, ``okinawa-ken``). ``regions`` has
    region_id, name_en, name_ja (the run's nodes). None if nothing matches."""
    want = _fold(text)
    if want.isdigit():
        want = f"jp{int(want):02d}"
    for row in regions.itertuples(index=False):
        if want in _keys(row):
            return str(row.region_id)
    return None


def outline_svg(code: int, width: float = 220, height: float = 180, points=()) -> str:
    """A small SVG of one prefecture (every island) with optional points ``(lat, lon, css class, title)``.

    Equirectangular with the longitude scaled by cos(latitude), fitted to all its islands when they span
    at most 9 degrees (Okinawa, Kagoshima, Nagasaki), else to its largest polygon (Tokyo's islands reach
    154 E), widened to hold every point; what falls outside is clipped by the frame.
    """
    import math

    feature = next((f for f in geojson()["features"] if f["properties"]["code"] == code), None)
    if feature is None:
        return ""
    xs = [x for polygon in feature["geometry"]["coordinates"] for x, _ in polygon[0]]
    ys = [y for polygon in feature["geometry"]["coordinates"] for _, y in polygon[0]]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    if max(x1 - x0, y1 - y0) > 9:
        x0, y0, x1, y1 = feature["properties"]["bbox_main"]
    for lat, lon, *_ in points:
        x0, x1, y0, y1 = min(x0, lon), max(x1, lon), min(y0, lat), max(y1, lat)
    k = math.cos(math.radians((y0 + y1) / 2))
    pad = 0.06 * max((x1 - x0) * k, y1 - y0, 0.05)
    scale = min(width / ((x1 - x0) * k + 2 * pad), height / (y1 - y0 + 2 * pad))
    width, height = ((x1 - x0) * k + 2 * pad) * scale, (y1 - y0 + 2 * pad) * scale  # the frame fits the drawing

    def xy(lon, lat):
        return (pad + (lon - x0) * k) * scale, (pad + (y1 - lat)) * scale

    paths = []
    for polygon in feature["geometry"]["coordinates"]:
        for ring in polygon:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lon, lat) for lon, lat in ring))
            paths.append(f"M{pts}Z")
    dots = "".join(f'<circle class="{cls}" cx="{xy(lon, lat)[0]:.1f}" cy="{xy(lon, lat)[1]:.1f}" r="4">'
                   f"<title>{title}</title></circle>" for lat, lon, cls, title in points)
    return (f'<svg class="netopt-outline" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'height="{height:.0f}" role="img" data-polygons="{len(feature["geometry"]["coordinates"])}">'
            f'<path d="{" ".join(paths)}"/>{dots}</svg>')
