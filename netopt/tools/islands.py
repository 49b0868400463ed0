"""Build the prefecture geometry the maps and prefecture pages draw: ``netopt/views/data/``.

    python -m netopt.tools.islands --input prefectures.json [--instance instances/japan]

``--input`` is ``data/municipality/geojson/s0010/prefectures.json`` of github.com/smartnews-smri/japan-topography
(commit 955608ab, 2022-03-07, 2,384,869 bytes, sha256 234914ee...ecf3ed): MLIT 国土数値情報 行政区域 N03
(2021-01-01 edition) merged by prefecture and simplified to 1 % by SmartNews Media Research Institute. It is on
GitHub only (no package registry carries it), so CI cannot rebuild the geometry: the built files are shipped as
package data, and this script, run on that file, writes them again byte for byte.

What it does: explode the 47 MultiPolygons (736 polygons), keep every one (inhabited islands whatever their size;
the Northern Territories are kept, as on Japanese official maps), simplify the 47 prefectures as one coverage at
250 m in a Japan Lambert projection (neighbours keep a shared border), round to 4 decimals (about 10 m) and merge
parts that touch after rounding. Writes

- ``prefectures_islands.geojson``: one MultiPolygon per prefecture, properties code, name_en, name_ja, n_polygons,
  label_lat/label_lon (the prefectural office, from regions.csv) and bbox_main (the largest polygon, for zooming);
- ``prefectures.csv``: per prefecture its polygons, area, island groups (those with a reference point in
  ``island_reference_points.csv``), population and EV+PHEV subsidy grants (copied from the instance's inputs).

Licence: the KSJ content terms (2020-04-01): reuse, commercial included, with the credit in ``ATTRIBUTION`` and a
note that the data were processed. Needs geopandas >= 1.1 and shapely >= 2.1 (coverage simplification).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

DATA = Path(__file__).resolve().parents[1] / "views" / "data"
LCC = "+proj=lcc +lat_1=30 +lat_2=40 +lat_0=35 +lon_0=136 +ellps=GRS80 +units=m +no_defs"  # Japan, metres
AEA = "+proj=aea +lat_1=30 +lat_2=40 +lat_0=35 +lon_0=136 +ellps=GRS80 +units=m +no_defs"  # equal-area, for km2
ATTRIBUTION = ("出典：「国土数値情報（行政区域データ）」（国土交通省）（2021年）を加工して作成 / "
               "Source: MLIT National Land Numerical Information (Administrative Areas, N03, 2021), "
               "processed by netopt")
GROUPS_JA = {  # island groups of island_reference_points.csv in Japanese (netopt translations)
    "Okushiri": "奥尻島", "Rishiri/Rebun": "利尻島・礼文島", "Teuri/Yagishiri": "天売島・焼尻島",
    "Oshima (Kesennuma)": "気仙沼大島", "Tashirojima/Ajishima": "田代島・網地島", "Tobishima (Yamagata)": "飛島",
    "Izu": "伊豆諸島", "Ogasawara": "小笠原諸島", "Awashima (Niigata)": "粟島", "Sado": "佐渡島", "Hegura": "舳倉島",
    "Hatsushima": "初島", "Mikawa Bay islands": "三河湾の島々（日間賀島・篠島）",
    "Toba islands": "鳥羽の島々（答志島・神島）",
    "Awaji": "淡路島", "Ieshima": "家島諸島", "Oki": "隠岐諸島", "Geiyo (Hiroshima)": "芸予諸島（大崎上島）",
    "Hagi islands": "見島", "Suo-Oshima": "周防大島", "Shodoshima": "小豆島・直島・豊島",
    "Geiyo (Setouchi)": "芸予諸島（大三島・中島）", "Okinoshima (Kochi)": "沖の島", "Munakata": "宗像大島",
    "Goto": "五島列島", "Hirado": "平戸島・生月島", "Iki": "壱岐", "Tsushima": "対馬", "Amakusa": "天草諸島",
    "Himeshima": "姫島", "Amami": "奄美群島", "Koshiki": "甑島列島", "Osumi": "大隅諸島（種子島・屋久島）",
    "Tokara": "トカラ列島", "Daito": "大東諸島", "Kerama/Kume": "慶良間諸島・久米島", "Miyako": "宮古列島",
    "Okinawa main": "沖縄本島と周辺の島", "Yaeyama": "八重山列島",
}
FACTS_NOTE = ("Polygons and area (Albers equal-area; lakes not subtracted; Hokkaido with the Northern Territories) "
              "from the simplified N03 geometry (estimated; the GSI area survey was not read); island groups with a "
              "reference point in island_reference_points.csv, Japanese group names are netopt translations "
              "(estimated); population (2020 Census, verified) and EV+PHEV subsidy grants (NeV FY2009-FY2024, "
              "verified) copied from instances/japan/inputs/prefectures.csv and nev_subsidies.csv.")


def parts(geom) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for g in geom.geoms for p in parts(g)]
    return []


def explode(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = [{"code": c, "geometry": p} for c, g in zip(gdf["code"], gdf.geometry) for p in parts(g)]
    return gpd.GeoDataFrame(rows, crs=gdf.crs)


def northern_territories(polys: gpd.GeoDataFrame) -> pd.Series:
    """Hokkaido polygons of the Habomai islands, Shikotan, Kunashiri and Etorofu (administered by Russia)."""
    c = polys.geometry.representative_point()
    return (polys["code"] == 1) & ((c.x > 145.85) | ((c.y > 43.6) & (c.x > 145.4)))


def round_geom(geom, decimals: int):
    """Round coordinates; drop repeated points and rings/polygons that collapse; return a valid MultiPolygon."""
    def ring(coords):
        out = []
        for x, y in coords:
            pt = (round(x, decimals), round(y, decimals))
            if not out or out[-1] != pt:
                out.append(pt)
        if out and out[0] != out[-1]:
            out.append(out[0])
        return out if len(out) >= 4 else None

    polys = []
    for p in parts(geom):
        ext = ring(p.exterior.coords)
        if ext is None:
            continue
        holes = [h for h in (ring(i.coords) for i in p.interiors) if h is not None]
        q = Polygon(ext, holes)
        if not q.is_valid:
            q = shapely.make_valid(q)
        polys.extend(x for x in parts(q) if x.area > 0)
    if not polys:
        return None
    mp = MultiPolygon(polys)
    for _ in range(3):  # parts that touch or overlap after rounding: merge them, then round the new vertices
        if mp.is_valid:
            break
        mp = MultiPolygon([x for x in parts(shapely.make_valid(shapely.unary_union(list(mp.geoms)))) if x.area > 0])
        mp = shapely.transform(mp, lambda a: np.round(a, decimals))
    return mp if mp.is_valid else None


def assign_groups(polys_lcc: gpd.GeoDataFrame, ref: pd.DataFrame, tol_m: float) -> pd.Series:
    """Name each polygon 'group|island' after a reference island of the same prefecture: the one whose point lies
    inside it, else the nearest within tol_m; a prefecture's largest polygon is named only if it contains a
    reference point (so a mainland coast near a small island is not counted as that island). '' if none."""
    pts = gpd.GeoSeries([Point(lon, lat) for lon, lat in zip(ref["lon"], ref["lat"])], crs=4326).to_crs(LCC)
    largest = polys_lcc.assign(_a=polys_lcc.area).groupby("code")["_a"].idxmax()
    labels = []
    for idx, code, geom in zip(polys_lcc.index, polys_lcc["code"], polys_lcc.geometry):
        cand = np.flatnonzero(ref["code"].to_numpy() == code)
        inside = [i for i in cand if geom.contains(pts.iloc[i])]
        if inside:
            i = inside[0]
        elif largest.get(code) == idx:
            labels.append("")
            continue
        else:
            near = [(geom.distance(pts.iloc[i]), i) for i in cand]
            near = [t for t in near if t[0] <= tol_m]
            if not near:
                labels.append("")
                continue
            i = min(near)[1]
        labels.append(f"{ref['group'].iloc[i]}|{ref['island'].iloc[i]}")
    return pd.Series(labels, index=polys_lcc.index)


def load_n03(path: Path, names_ja: list[str]) -> gpd.GeoDataFrame:
    codes = {n: i + 1 for i, n in enumerate(names_ja)}
    d = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for f in d["features"]:
        name = f["properties"]["N03_001"]
        if name not in codes:
            raise SystemExit(f"N03 prefecture name not in the instance's name_ja list: {name}")
        rows.append({"code": codes[name], "geometry": shape(f["geometry"])})
    return gpd.GeoDataFrame(rows, crs=4326)


def build(source: Path, instance: Path, reference: pd.DataFrame, tolerance_m: float = 250.0, decimals: int = 4):
    """(GeoJSON text, prefectures table)."""
    pref = pd.read_csv(instance / "inputs" / "prefectures.csv").set_index("jis_code")
    nev = pd.read_csv(instance / "inputs" / "nev_subsidies.csv").set_index("jis_code")
    office = pd.read_csv(instance / "regions.csv").set_index("region_id")  # label points: the prefectural offices
    names_ja = [pref.loc[c, "name_ja"] for c in range(1, 48)]
    polys = explode(load_n03(source, names_ja))
    per = polys.to_crs(LCC).dissolve(by="code", as_index=False)[["code", "geometry"]]
    per = per.set_geometry(per.geometry.simplify_coverage(tolerance_m)).to_crs(4326)
    features = []
    for code, geom in zip(per["code"], per.geometry):
        g = round_geom(geom, decimals)
        largest = max(g.geoms, key=lambda p: p.area)
        features.append({"type": "Feature",
                         "properties": {"code": int(code), "name_en": pref.loc[code, "name_en"],
                                        "name_ja": names_ja[code - 1], "n_polygons": len(g.geoms),
                                        "label_lat": float(office.loc[f"JP{code:02d}", "lat"]),
                                        "label_lon": float(office.loc[f"JP{code:02d}", "lon"]),
                                        "bbox_main": [round(v, 3) for v in largest.bounds]},
                         "geometry": mapping(g)})
    fc = {"type": "FeatureCollection",
          "metadata": {"source": "n03", "attribution": ATTRIBUTION,
                       "simplification": f"coverage, tolerance {tolerance_m:g} m (LCC), all source polygons kept, "
                                         f"{decimals} decimals",
                       "northern_territories": "kept"},
          "features": features}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    out = explode(gpd.GeoDataFrame.from_features(features, crs=4326)[["code", "geometry"]])
    lcc = out.to_crs(LCC)
    lcc["area_km2"] = out.to_crs(AEA).area.to_numpy() / 1e6
    lcc["ref"] = assign_groups(lcc, reference, 3000.0)
    rows = []
    for code in range(1, 48):
        mine = lcc[lcc["code"] == code]
        groups = [g for g in dict.fromkeys(reference.loc[reference["code"] == code, "group"])
                  if mine["ref"].str.startswith(f"{g}|").any()]
        rows.append({"code": code, "region_id": f"JP{code:02d}", "name_ja": names_ja[code - 1],
                     "name_en": pref.loc[code, "name_en"], "polygons": len(mine),
                     "area_km2": round(float(mine["area_km2"].sum()), 1), "island_groups_en": "; ".join(sorted(groups)),
                     "island_groups_ja": "、".join(GROUPS_JA[g] for g in sorted(groups)),
                     "population_2020": int(pref.loc[code, "pop_2020_census"]),
                     "ev_phev_subsidies_fy2009_2024": int(nev.loc[code, "ev_phev_subsidies_veh"]),
                     "source_id": "n03-smri-2022; sup-pref-research; nev-koufu-2025; netopt-translation",
                     "confidence": "estimated", "note": FACTS_NOTE})
    return text, pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m netopt.tools.islands", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", type=Path, required=True, help="smartnews-smri prefectures.json (see above)")
    ap.add_argument("--instance", type=Path, default=Path("instances/japan"))
    ap.add_argument("--out", type=Path, default=DATA)
    args = ap.parse_args(argv)
    reference = pd.read_csv(DATA / "island_reference_points.csv")
    text, table = build(args.input, args.instance, reference)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "prefectures_islands.geojson").write_text(text, encoding="utf-8")
    table.to_csv(args.out / "prefectures.csv", index=False, lineterminator="\n")
    print(f"wrote {args.out}: {len(text.encode()):,} bytes of GeoJSON, {table['polygons'].sum()} polygons")
    return 0


if __name__ == "__main__":
    sys.exit(main())
