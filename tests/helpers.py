"""Helpers the tests import: paths, CSV editing, and a synthetic Japan-scale run folder."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "instances" / "toy"
JAPAN = REPO / "instances" / "japan"


def edit_csv(folder: Path, table: str, func) -> None:
    """Rewrite ``folder/table.csv`` with ``func(df)`` (df read as text)."""
    f = folder / f"{table}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    func(df).to_csv(f, index=False)


def _nearest(point, candidates: dict) -> str:
    lat, lon = point
    return min(candidates, key=lambda k: (candidates[k][0] - lat) ** 2 + (candidates[k][1] - lon) ** 2)


def make_japan_run(out: Path, periods=(2025, 2030, 2035, 2040), chemistries=("NMC", "LFP"), scale: float = 1.0,
                   proven_optimal: bool = False, retention: float = 0.0, legacy: bool = False) -> Path:
    """Write a plausible run folder with JP01..JP47 regions; returns ``out``.

    ``retention`` (0..1) moves that share of leaked packs to collected ones, to make a
    second scenario for comparisons. Okinawa (JP47) sends its packs to the Fukuoka hub by sea
    (Naha - Hakata), from 2030 when its own hub opens onward as well. ``legacy``: the format
    before Japanese names, sea legs and marginal costs (no name_ja, mode, via, marginal cost,
    language).
    """
    from netopt.views.maps.geo import prefectures

    out.mkdir(parents=True, exist_ok=True)
    prefs = prefectures()
    points = {r.region_id: r.geometry.representative_point() for r in prefs.itertuples()}
    centre = {k: (round(p.y, 3), round(p.x, 3)) for k, p in points.items()}
    hubs = {f"HUB{c:02d}": centre[f"JP{c:02d}"] for c in (1, 4, 13, 15, 23, 27, 34, 37, 40, 47)}
    plants = {f"PT{c:02d}": centre[f"JP{c:02d}"] for c in (8, 23, 28, 40)}
    refineries = {f"REF{c:02d}": centre[f"JP{c:02d}"] for c in (12, 35)}
    demand = {"D_KANTO": centre["JP14"], "D_KANSAI": centre["JP27"]}
    ports = {"P_YOKOHAMA": (35.45, 139.65), "P_KOBE": (34.68, 135.19)}
    instance = out.parent / "instance"
    instance.mkdir(exist_ok=True)
    pd.DataFrame({"market_id": ["ASIA"], "name": ["East Asia"], "lat": [35.1], "lon": [129.0],
                  "sea_freight_myen_per_t": [0.1]}).to_csv(instance / "markets.csv", index=False)

    names = {r.region_id: (r.name_en, r.name_ja) for r in prefs.itertuples()}
    nodes = [(r, *names[r], "region", *centre[r]) for r in sorted(centre)]
    nodes += [(k, k, k, "demand", *v) for k, v in demand.items()] + [(k, k, k, "port", *v) for k, v in ports.items()]
    for kind, sites in (("hub", hubs), ("pretreatment", plants), ("refinery", refineries)):
        nodes += [(k, f"{kind} {k}", f"{kind}（日本語）{k}", kind, *v) for k, v in sites.items()]
    nodes += [("SEA-NAHA", "Naha", "那覇港", "sea_port", 26.238, 127.674),
              ("SEA-HAKATA", "Hakata", "博多港", "sea_port", 33.6, 130.4)]
    node_frame = pd.DataFrame(nodes, columns=["node_id", "name", "name_ja", "role", "lat", "lon"])
    node_frame.insert(2, "name_en", node_frame["name"])
    node_frame["landmass"] = ["okinawa" if n in ("JP47", "HUB47", "SEA-NAHA") else "main"
                              for n in node_frame["node_id"]]
    if legacy:
        node_frame = node_frame[node_frame["role"] != "sea_port"].drop(columns=["name_en", "name_ja", "landmass"])
        node_frame.loc[node_frame["role"] == "region", "name"] = node_frame["node_id"]
    node_frame.to_csv(out / "nodes.csv", index=False)

    new_in = {"HUB04": 2030, "HUB34": 2030, "HUB47": 2035, "PT08": 2025, "PT40": 2035, "REF35": 2030}
    regions, flows, fac = [], [], []
    for i, p in enumerate(periods):
        hub_in: dict[str, float] = {}
        open_hubs = {k: v for k, v in hubs.items() if new_in.get(k, 0) <= p}
        open_plants = {k: v for k, v in plants.items() if new_in.get(k, 0) <= p}
        open_refs = {k: v for k, v in refineries.items() if new_in.get(k, 0) <= p}
        for j, r in enumerate(sorted(centre)):
            for c in chemistries:
                eol = scale * (200 + 37 * ((j * 7) % 11)) * (1 + i) * (1.5 if c == "NMC" else 1.0)
                leak_share = max(0.05, 0.5 - 0.1 * i) * (1 - retention)
                leaked = eol * leak_share
                collected = eol - leaked
                regions.append((r, p, c, eol, leaked, eol * 0.5 * retention, collected, 0.0, leaked * 0.1,
                                -0.2 + 0.01 * j if c == "NMC" else 0.1 + 0.005 * j))
                hub = _nearest(centre[r], {k: v for k, v in open_hubs.items() if k != "HUB47"})
                if r == "JP47":
                    hub = "HUB40"
                flows.append(("collect", "pack", r, hub, c, p, collected))
                hub_in[hub] = hub_in.get(hub, 0.0) + collected
        plant_in: dict[str, float] = {}
        for hub, t in hub_in.items():
            plant = _nearest(hubs[hub], open_plants)
            flows.append(("hub_to_pretreatment", "pack", hub, plant, "NMC", p, 0.95 * t))
            flows.append(("reuse", "pack", hub, "reuse_market", "LFP", p, 0.05 * t))
            plant_in[plant] = plant_in.get(plant, 0.0) + 0.95 * t
        ref_in: dict[str, float] = {}
        for plant, t in plant_in.items():
            ref = _nearest(plants[plant], open_refs)
            flows.append(("pretreatment_to_refinery", "black_mass", plant, ref, "NMC", p, 0.4 * t))
            ref_in[ref] = ref_in.get(ref, 0.0) + 0.4 * t
        flows.append(("import_market", "black_mass", "ASIA", "P_KOBE", "NMC", p, 500.0 * (i + 1)))
        flows.append(("import_black_mass", "black_mass", "P_KOBE", "REF12", "NMC", p, 500.0 * (i + 1)))
        flows.append(("export_metal", "metal", "REF12", "P_YOKOHAMA", "Co", p, 20.0 * (i + 1)))
        flows.append(("export_market", "metal", "P_YOKOHAMA", "NORTH_AMERICA", "Co", p, 20.0 * (i + 1)))
        for ref, t in ref_in.items():
            for metal, share in (("Ni", 0.25), ("Co", 0.06), ("Li", 0.03)):
                d = _nearest(refineries[ref], demand)
                flows.append(("refinery_to_demand", "metal", ref, d, metal, p, share * t))
        for kind, sites, inflow in (("hub", hubs, hub_in), ("pretreatment", plants, plant_in),
                                    ("refinery", refineries, ref_in)):
            for k, (lat, lon) in sites.items():
                built = new_in.get(k)
                cap = 0.0 if built and built > p else max(30000.0 * scale, 1.3 * max(inflow.values()))
                thr = inflow.get(k, 0.0)
                fac.append({"site_id": k, "name": f"{kind} {k}", "kind": kind, "region_id": f"JP{k[-2:]}",
                            "lat": lat, "lon": lon, "status": "new" if built else "existing",
                            "built_size": "L" if built else "", "built_period": built, "period": p,
                            "capacity_t_per_yr": cap, "throughput_t_per_yr": thr,
                            "utilisation_share": thr / cap if cap else 0.0,
                            "marginal_value_myen_per_t_yr": None if cap == 0 else 0.01 * (thr / cap),
                            "fixed_cost_myen_per_yr": 150.0 if built and built <= p else 0.0,
                            "processing_cost_myen_per_yr": 0.05 * thr})

    region_frame = pd.DataFrame(regions, columns=[
        "region_id", "period", "chemistry", "eol_packs_t_per_yr", "leaked_t_per_yr", "retained_t_per_yr",
        "collected_t_per_yr", "unprocessed_t_per_yr", "leaked_metal_t_per_yr", "marginal_cost_myen_per_t"])
    if legacy:
        region_frame = region_frame.drop(columns="marginal_cost_myen_per_t")
    region_frame.to_csv(out / "regions.csv", index=False)
    f = pd.DataFrame(flows, columns=["leg", "stage", "origin", "destination", "material", "period", "tonnes_per_yr"])
    f["distance_km"] = 100.0
    f["cost_myen_per_yr"] = 0.01 * f["tonnes_per_yr"]
    sea = (f["origin"] == "JP47") & (f["destination"] == "HUB40")
    f["mode"] = ["sea" if s else ("" if leg == "reuse" else "road") for s, leg in zip(sea, f["leg"])]
    f.loc[f["leg"].isin(["import_market", "export_market"]), "mode"] = "sea"
    f["sea_km"] = [970.0 if s else 0.0 for s in sea]
    f["via"] = ["SEA-NAHA~SEA-HAKATA" if s else "" for s in sea]
    if legacy:
        f = f.drop(columns=["mode", "sea_km", "via"])
    f.to_csv(out / "flows.csv", index=False)
    fac_df = pd.DataFrame(fac)
    fac_df["built_period"] = fac_df["built_period"].astype("Int64")
    fac_df.to_csv(out / "facilities.csv", index=False)
    _write_metals_costs(out, periods, f)
    summary = {"instance": "japan-synthetic", "scenario": "retention" if retention else "baseline",
               **({} if legacy else {"language": "ja"}),
               "status": "optimal" if proven_optimal else "time_limit", "proven_optimal": proven_optimal,
               "objective_myen": 123456.7, "reference_cost_myen": 100000.0, "controllable_cost_myen": 23456.7,
               "bound_myen": 123456.7 if proven_optimal else 119000.0,
               "gap_abs_myen": 0.0 if proven_optimal else 4456.7, "gap_target_myen": 1000.0,
               "gap_controllable": 0.0 if proven_optimal else 0.19, "gap": 0.0 if proven_optimal else 0.19,
               "note": "Optimal." if proven_optimal else
               "NOT PROVEN OPTIMAL: stopped at the time limit; best plan found. Gap to the bound 4,457 Myen.",
               "kpis": {"leaked_packs_t_total": float(pd.DataFrame(regions)[4].sum() * 5),
                        "facilities_opened": {"count": len(new_in), "by_kind": {}, "list": []}}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "run.json").write_text(json.dumps({"instance": "japan-synthetic", "instance_path": str(instance)}))
    return out


def _write_metals_costs(out: Path, periods, flows: pd.DataFrame) -> None:
    metals, costs = [], []
    for i, p in enumerate(periods):
        for metal in ("Ni", "Co", "Li"):
            rec = float(flows[(flows["leg"] == "refinery_to_demand") & (flows["material"] == metal)
                              & (flows["period"] == p)]["tonnes_per_yr"].sum())
            demand = 40000.0 * (1 + 0.3 * i)
            metals.append({"period": p, "metal": metal, "demand_t_per_yr": demand, "recycled_t_per_yr": rec,
                           "virgin_t_per_yr": demand - rec, "unmet_t_per_yr": 0.0, "recovered_t_per_yr": rec,
                           "exported_t_per_yr": 0.0, "surplus_t_per_yr": 0.0, "recycled_share": rec / demand,
                           "self_sufficiency_share": rec / demand})
        for block, category, value in (("flows", "transport", 300.0), ("hubs", "fixed", 500.0),
                                       ("pretreatment", "processing", 800.0), ("demand", "virgin_metal", 9000.0),
                                       ("trade", "imports", 200.0), ("trade", "export_revenue", -50.0)):
            annual = value * (1 + 0.2 * i)
            costs.append({"block": block, "category": category, "period": p, "annual_myen_per_yr": annual,
                          "discounted_myen": annual * 5 * math.exp(-0.03 * i)})
    pd.DataFrame(metals).to_csv(out / "metals.csv", index=False)
    pd.DataFrame(costs).to_csv(out / "costs.csv", index=False)
    pd.DataFrame([{"period": p, "source": s, "t_co2_per_yr": v * (1 + i)} for i, p in enumerate(periods)
                  for s, v in (("transport", 900.0), ("process_hub", 0.0), ("process_pretreatment", 400.0),
                               ("process_refinery", 300.0), ("sea", 20.0))]).to_csv(out / "emissions.csv", index=False)
