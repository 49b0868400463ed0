"""Everything the model needs, derived once from an instance: sets, parameters and arcs.

This is the only place the model layer touches the instance's tables; the Pyomo blocks
read :class:`ModelInputs` and nothing else (they never read files).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from netopt.catalogue import ARC_LEGS, KIND_NAMES
from netopt.instance.io import Instance
from netopt.instance.settings import Settings
from netopt.model.arcs import SeaNetwork, build_arcs


def capital_recovery_factor(rate: float, years: float) -> float:
    r"""Annuity per unit of capex: :math:`r / (1 - (1+r)^{-n})`, or :math:`1/n` at r = 0."""
    return 1.0 / years if rate == 0 else rate / (1 - (1 + rate) ** -years)


@dataclass
class ModelInputs:
    settings: Settings
    periods: list[int]
    weight: dict[int, float]  # discount weight of a period: sum of discount factors of its years
    chemistries: list[str]
    metals: list[str]
    arcs: pd.DataFrame  # arc, leg, stage, from_id, to_id, distance_km, cost_myen_per_t, co2_t_per_t, mode, sea_km, via
    supply: dict[tuple, float]  # (region, chemistry, period) -> t/yr
    leakage: dict[int, float]
    retention_cost: dict[int, float]
    max_retained: dict[int, float]
    bm_yield: dict[str, float]
    metal_per_t_bm: dict[tuple, float]  # (chemistry, metal) -> t metal / t black mass
    metal_per_t_pack: dict[tuple, float]
    recovery: dict[str, float]
    virgin_price: dict[tuple, float]
    virgin_cap: dict[tuple, float]
    demand: dict[tuple, float]  # (site, metal, period) -> t/yr
    reuse: pd.DataFrame  # chemistry, period, reuse_fit_share, max_t_per_yr, price_myen_per_t, usable_kwh_per_t
    reuse_cap_mwh: dict[int, float]  # period -> MWh/yr of usable energy the second-life market takes
    sites: pd.DataFrame  # indexed by site_id
    options: pd.DataFrame  # kind, size, capacity_t_per_yr, annual_fixed_myen_per_yr
    processing_cost: dict[str, float]
    process_co2: dict[str, float]
    trade: pd.DataFrame  # market_id, direction, stage, material, period, value_myen_per_t, cap_t_per_yr, sea_co2
    ports: list[str]
    recycled_content: dict[tuple, float]
    nodes: dict[str, pd.DataFrame] = field(default_factory=dict)  # role -> id, lat, lon, landmass, name, name_ja
    sea: SeaNetwork | None = None  # domestic sea ports, routes and tariff (sea legs, model/arcs.py)
    markets: pd.DataFrame | None = None  # market_id, name, name_ja, lat, lon (for the results' nodes table)
    site_sizes: pd.DataFrame | None = None  # site_id, kind, size, capacity_t_per_yr, annual_fixed_myen_per_yr

    def sites_of(self, kind: str) -> list[str]:
        return list(self.sites.index[self.sites["kind"] == kind])


def prepare(instance: Instance) -> ModelInputs:
    """Derive the model's sets and parameters from a (scenario-applied) instance."""
    s = instance.settings
    t = instance.table
    periods = list(s.model.periods)
    chem = t("chemistries").set_index("chemistry")
    metals = t("metals").set_index("metal")
    content = t("chemistry_metals")
    metal_per_t_pack = {(r.chemistry, r.metal): r.content_kg_per_t_pack / 1000.0 for r in content.itertuples()}
    bm_yield = chem["black_mass_yield_t_per_t"].to_dict()
    metal_per_t_bm = {k: v / bm_yield[k[0]] for k, v in metal_per_t_pack.items()}

    sites = t("sites").set_index("site_id")
    nodes = _nodes(instance, sites)
    ports = t("ports")
    sea = SeaNetwork(t("sea_ports"), t("sea_routes"), t("sea_tariff"), t("transport"))
    arcs = build_arcs(nodes, t("transport"), ports.set_index("port_id")["handling_myen_per_t"], t("arcs"),
                      s.network.k_nearest, s.network.max_arc_km, s.network.road_factor, legs=_legs_in_use(instance),
                      sea=sea)

    prices = t("metal_prices")
    leakage = t("leakage").set_index("period")
    kinds = t("facility_kinds").set_index("kind")
    opts = t("capacity_options").copy()
    crf = [capital_recovery_factor(s.model.discount_rate, n) for n in opts["lifetime_yr"]]
    opts["annual_fixed_myen_per_yr"] = opts["capex_myen"] * np.array(crf) + opts["fixed_om_myen_per_yr"]

    supply = t("supply")
    supply = supply[supply["eol_packs_t_per_yr"] > 0]
    demand = t("demand")
    demand = demand[demand["demand_t_per_yr"] > 0]
    return ModelInputs(
        settings=s,
        periods=periods,
        weight=s.discount_weights(),
        chemistries=list(chem.index),
        metals=list(metals.index),
        arcs=arcs,
        supply={(r.region_id, r.chemistry, r.period): r.eol_packs_t_per_yr for r in supply.itertuples()},
        leakage={p: float(leakage["leakage_share"].get(p, 0.0)) for p in periods},
        retention_cost={p: float(leakage["retention_cost_myen_per_t"].get(p, math.inf)) for p in periods},
        max_retained={p: float(leakage["max_retained_share"].get(p, 0.0)) for p in periods},
        bm_yield=bm_yield,
        metal_per_t_bm=metal_per_t_bm,
        metal_per_t_pack=metal_per_t_pack,
        recovery=metals["recovery_share"].to_dict(),
        virgin_price={(r.metal, r.period): r.virgin_price_myen_per_t for r in prices.itertuples()},
        virgin_cap={(r.metal, r.period): r.virgin_cap_t_per_yr for r in prices.itertuples()},
        demand={(r.site_id, r.metal, r.period): r.demand_t_per_yr for r in demand.itertuples()},
        reuse=t("reuse"),
        reuse_cap_mwh={r.period: r.max_mwh_per_yr for r in t("reuse_market").itertuples()
                       if math.isfinite(r.max_mwh_per_yr)},
        sites=sites,
        options=opts,
        site_sizes=site_sizes(t("sites"), opts, t("site_options"), s.model.discount_rate),
        processing_cost=kinds["processing_cost_myen_per_t"].to_dict(),
        process_co2=kinds["co2_t_per_t"].to_dict(),
        trade=_trade_values(instance, metal_per_t_pack, bm_yield),
        ports=list(ports["port_id"]),
        recycled_content={(r.metal, r.period): r.min_share for r in t("recycled_content").itertuples()
                          if r.min_share > 0},
        nodes=nodes,
        sea=sea,
        markets=t("markets")[["market_id", "name", "name_ja", "lat", "lon"]],
    )


def _nodes(instance: Instance, sites: pd.DataFrame) -> dict[str, pd.DataFrame]:
    t = instance.table

    def frame(df: pd.DataFrame, id_col: str) -> pd.DataFrame:
        return df.rename(columns={id_col: "id"})[["id", "lat", "lon", "landmass", "name", "name_ja"]].reset_index(
            drop=True)

    site_frame = sites.reset_index()
    nodes = {"region": frame(t("regions"), "region_id"), "demand": frame(t("demand_sites"), "site_id"),
             "port": frame(t("ports"), "port_id")}
    for kind in KIND_NAMES:
        nodes[kind] = frame(site_frame[site_frame["kind"] == kind], "site_id")
    return nodes


def _legs_in_use(instance: Instance):
    """Trade legs are built only when some market offers or bids for that stage."""
    trade = instance.table("trade")
    trade = trade[trade["cap_t_per_yr"] > 0]
    offered = set(zip(trade["direction"], trade["stage"], strict=True))
    return tuple(leg for leg in ARC_LEGS if leg.direction is None or (leg.direction, leg.stage) in offered)


def _trade_values(instance: Instance, metal_per_t_pack: dict, bm_yield: dict) -> pd.DataFrame:
    r"""Trade offers with their delivered unit value (Myen/t).

    value = price + payable x contained metal value at the period's virgin prices;
    imports pay value + sea freight, exports earn value - sea freight.
    """
    trade = instance.table("trade")
    trade = trade[trade["cap_t_per_yr"] > 0].copy()
    if trade.empty:
        return trade.assign(value_myen_per_t=[], sea_co2_t_per_t=[])
    prices = instance.table("metal_prices").set_index(["metal", "period"])["virgin_price_myen_per_t"]
    markets = instance.table("markets").set_index("market_id")

    def contained_value(row) -> float:
        if row.stage == "metal":
            return float(prices.get((row.material, row.period), 0.0))
        per_t = {m: v for (c, m), v in metal_per_t_pack.items() if c == row.material}
        factor = 1.0 if row.stage == "pack" else 1.0 / bm_yield[row.material]
        return factor * sum(v * float(prices.get((m, row.period), 0.0)) for m, v in per_t.items())

    value = [r.price_myen_per_t + r.payable_share * contained_value(r) for r in trade.itertuples()]
    freight = trade["market_id"].map(markets["sea_freight_myen_per_t"]).to_numpy()
    sign = np.where(trade["direction"] == "import", 1.0, -1.0)
    trade["value_myen_per_t"] = np.array(value) + sign * freight
    trade["sea_co2_t_per_t"] = trade["market_id"].map(markets["sea_co2_t_per_t"]).to_numpy()
    return trade.reset_index(drop=True)


def site_sizes(sites: pd.DataFrame, options: pd.DataFrame, site_options: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Every (site, size) a candidate site may be built at, with its capacity and annual fixed cost (Myen/yr).

    A candidate site may take every size of its kind, at the size's capacity and capex and fixed O&M times
    the site's capex_factor; a site with rows in site_options.csv only the sizes listed, with the capacity,
    capex or fixed O&M given there where given (a given cost is the site's own: no capex_factor)."""
    cand = sites[sites["candidate"] == 1][["site_id", "kind", "capex_factor"]]
    rows = cand.merge(options, on="kind")
    listed = site_options.rename(columns={"capacity_t_per_yr": "cap_site", "capex_myen": "capex_site",
                                          "fixed_om_myen_per_yr": "fom_site"})
    restricted = rows["site_id"].isin(set(listed["site_id"]))
    rows = pd.concat([rows[~restricted], rows[restricted].merge(
        listed[["site_id", "size", "cap_site", "capex_site", "fom_site"]], on=["site_id", "size"])],
        ignore_index=True)
    for col in ("cap_site", "capex_site", "fom_site"):
        rows[col] = rows[col].astype(float) if col in rows else np.nan
    capex = rows["capex_site"].fillna(rows["capex_myen"] * rows["capex_factor"])
    fom = rows["fom_site"].fillna(rows["fixed_om_myen_per_yr"] * rows["capex_factor"])
    crf = np.array([capital_recovery_factor(rate, n) for n in rows["lifetime_yr"]], dtype=float)
    rows["capacity_t_per_yr"] = rows["cap_site"].fillna(rows["capacity_t_per_yr"])
    rows["annual_fixed_myen_per_yr"] = capex * crf + fom
    return rows[["site_id", "kind", "size", "capacity_t_per_yr", "annual_fixed_myen_per_yr"]].reset_index(drop=True)
