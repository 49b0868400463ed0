"""Arcs of the network: which pairs of nodes can ship to each other, how far and at what unit cost.

Only arcs that exist are built. For each arc leg of the chain (:data:`netopt.catalogue.ARC_LEGS`:
regions -> hubs, hubs -> pre-treatment, ...) an origin is linked to its ``k_nearest`` destinations and each
destination to its ``k_nearest`` origins, plus every pair closer than ``max_arc_km``
when that is set, plus the pairs listed in ``arcs.csv``. Distances are great-circle
distances times the road factor unless ``arcs.csv`` gives a road distance.
All of it is vectorised over the origin x destination distance matrix of one leg.

An arc whose ends stand on different land masses (``landmass`` of its nodes: no road joins them) is a
**sea leg** (:func:`sea_legs`): road to a sea port of the origin's land mass, one or more sea routes
(``sea_routes.csv``, with road between ports of a land mass on the way), road from a port of the
destination's land mass, along the cheapest such path; it is priced and its CO2 counted by mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netopt.catalogue import ARC_LEGS, Leg

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance; arguments broadcast."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _nearest_mask(dist: np.ndarray, k: int, axis: int) -> np.ndarray:
    """True where an entry is among the k smallest along ``axis``."""
    n = dist.shape[axis]
    if n <= k:
        return np.ones_like(dist, dtype=bool)
    ranks = np.argsort(np.argsort(dist, axis=axis, kind="stable"), axis=axis, kind="stable")
    return ranks < k


def leg_arcs(origins: pd.DataFrame, destinations: pd.DataFrame, k: int, max_km: float, road_factor: float,
             explicit: pd.DataFrame) -> pd.DataFrame:
    """Arcs of one leg as a frame (from_id, to_id, distance_km, cost_override_myen_per_t).

    ``origins`` and ``destinations`` have columns id, lat, lon.
    """
    columns = ["from_id", "to_id", "distance_km", "cost_override_myen_per_t"]
    if origins.empty or destinations.empty:
        return pd.DataFrame(columns=columns)
    d = road_factor * great_circle_km(origins["lat"].to_numpy()[:, None], origins["lon"].to_numpy()[:, None],
                                      destinations["lat"].to_numpy()[None, :], destinations["lon"].to_numpy()[None, :])
    keep = _nearest_mask(d, k, axis=1) | _nearest_mask(d, k, axis=0)
    if max_km > 0:
        keep |= d <= max_km
    i, j = np.nonzero(keep)
    arcs = pd.DataFrame({"from_id": origins["id"].to_numpy()[i], "to_id": destinations["id"].to_numpy()[j],
                         "distance_km": d[i, j]})
    listed = explicit[explicit["from_id"].isin(origins["id"]) & explicit["to_id"].isin(destinations["id"])]
    if not listed.empty:
        arcs = arcs.merge(listed[["from_id", "to_id", "distance_km", "cost_myen_per_t"]],
                          on=["from_id", "to_id"], how="outer", suffixes=("", "_listed"))
        missing = arcs["distance_km"].isna()
        if missing.any():  # listed pairs outside the k-nearest set: compute their distance
            o = origins.set_index("id").loc[arcs.loc[missing, "from_id"]]
            t = destinations.set_index("id").loc[arcs.loc[missing, "to_id"]]
            arcs.loc[missing, "distance_km"] = road_factor * great_circle_km(
                o["lat"].to_numpy(), o["lon"].to_numpy(), t["lat"].to_numpy(), t["lon"].to_numpy())
        arcs["distance_km"] = arcs["distance_km_listed"].fillna(arcs["distance_km"])
        arcs = arcs.rename(columns={"cost_myen_per_t": "cost_override_myen_per_t"}).drop(columns="distance_km_listed")
    else:
        arcs["cost_override_myen_per_t"] = np.nan
    return arcs[columns]


def build_arcs(nodes: dict[str, pd.DataFrame], transport: pd.DataFrame, port_handling: pd.Series,
               explicit: pd.DataFrame, k: int, max_km: float, road_factor: float,
               legs: tuple[Leg, ...] = ARC_LEGS, sea: SeaNetwork | None = None) -> pd.DataFrame:
    """All arcs with leg, stage, distance, unit cost (Myen/t), CO2 (t/t), mode (road/sea), sea km and the
    ports a sea leg passes (``via``).

    Unit cost = (handling + rate x road km x (1 + hazardous premium)) / 1e6, plus port handling
    at a port end, plus the sea part of a sea leg (:func:`sea_legs`), unless ``arcs.csv`` gives the cost.
    """
    frames = []
    tariff = transport.set_index("stage")
    for leg in legs:
        arcs = leg_arcs(nodes[leg.origin], nodes[leg.destination], k, max_km, road_factor, explicit)
        if arcs.empty:
            continue
        arcs = sea_legs(arcs, nodes[leg.origin], nodes[leg.destination], leg.stage, sea, road_factor)
        t = tariff.loc[leg.stage]
        cost = (t["handling_yen_per_t"] + t["cost_yen_per_t_km"] * arcs["road_km"]
                * (1 + t["hazardous_premium_share"])) / 1e6 + arcs["sea_cost_myen_per_t"]
        for end in ("from_id", "to_id"):
            cost = cost + arcs[end].map(port_handling).fillna(0.0).to_numpy()
        arcs["cost_myen_per_t"] = arcs["cost_override_myen_per_t"].fillna(cost)
        arcs["co2_t_per_t"] = t["co2_kg_per_t_km"] * arcs["road_km"] / 1000.0 + arcs["sea_co2_t_per_t"]
        arcs["distance_km"] = arcs["road_km"] + arcs["sea_km"]
        arcs.insert(0, "stage", leg.stage)
        arcs.insert(0, "leg", leg.name)
        frames.append(arcs.drop(columns=["cost_override_myen_per_t", "road_km", "sea_cost_myen_per_t",
                                         "sea_co2_t_per_t"]))
    if not frames:
        return pd.DataFrame(columns=ARC_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["leg", "from_id", "to_id"], kind="stable").reset_index(drop=True)
    out.insert(0, "arc", [f"a{i}" for i in range(len(out))])
    return out[ARC_COLUMNS]


ARC_COLUMNS = ["arc", "leg", "stage", "from_id", "to_id", "distance_km", "cost_myen_per_t", "co2_t_per_t", "mode",
               "sea_km", "via"]


# ------------------------------------------------------------------ sea legs


@dataclass(frozen=True)
class SeaNetwork:
    """Domestic coastal shipping: sea ports (port_id, lat, lon, landmass), routes between them (from_port,
    to_port, sea_km; both directions), the sea tariff by stage (as transport.csv) and the road tariff for
    the road between ports of one land mass."""

    ports: pd.DataFrame
    routes: pd.DataFrame
    tariff: pd.DataFrame
    road: pd.DataFrame

    def paths(self, stage: str, road_factor: float) -> tuple[np.ndarray, np.ndarray, list]:
        """Cheapest port-to-port paths for one stage: cost (yen/t, excluding the first road handling), the
        (road km, sea km, sea CO2 kg/t) of each and its hops as text ('A~B' by sea, 'A>B' by road)."""
        key = (stage, road_factor)
        cache = self.__dict__.setdefault("_paths", {})
        if key not in cache:
            cache[key] = _port_paths(self, stage, road_factor)
        return cache[key]


def sea_legs(arcs: pd.DataFrame, origins: pd.DataFrame, destinations: pd.DataFrame, stage: str,
             sea: SeaNetwork | None, road_factor: float) -> pd.DataFrame:
    """Split each arc into road and sea: columns road_km, sea_km, sea_cost_myen_per_t, sea_co2_t_per_t, mode, via.

    Road arcs (both ends on one land mass, or no land masses given) keep their distance as road km.
    An arc between land masses goes origin -> port p (road) -> ... -> port q (road) -> destination over the
    path of least cost among the sea ports of the two land masses; arcs between land masses that no sea
    route joins are dropped (no such shipment is possible).
    """
    out = arcs.assign(road_km=arcs["distance_km"].astype(float), sea_km=0.0, sea_cost_myen_per_t=0.0,
                      sea_co2_t_per_t=0.0, mode="road", via="")
    if "landmass" not in origins or "landmass" not in destinations:
        return out
    land_o = out["from_id"].map(origins.set_index("id")["landmass"])
    land_d = out["to_id"].map(destinations.set_index("id")["landmass"])
    crossing = (land_o != land_d).to_numpy()
    if not crossing.any():
        return out
    if sea is None or sea.ports.empty:
        return out[~crossing].reset_index(drop=True)
    cost, parts, hops = sea.paths(stage, road_factor)
    ports = sea.ports
    t = sea.road.set_index("stage").loc[stage]
    road_rate = t["cost_yen_per_t_km"] * (1 + t["hazardous_premium_share"])
    o = origins.set_index("id").loc[out.loc[crossing, "from_id"]]
    d = destinations.set_index("id").loc[out.loc[crossing, "to_id"]]
    plat, plon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
    road_o = road_factor * great_circle_km(o["lat"].to_numpy()[:, None], o["lon"].to_numpy()[:, None], plat, plon)
    road_d = road_factor * great_circle_km(d["lat"].to_numpy()[:, None], d["lon"].to_numpy()[:, None], plat, plon)
    on_o = o["landmass"].to_numpy()[:, None] == ports["landmass"].to_numpy()[None, :]
    on_d = d["landmass"].to_numpy()[:, None] == ports["landmass"].to_numpy()[None, :]
    # total[i, p, q] = road to p + path p..q + road from q, yen/t (road handling is added once by the caller)
    total = (np.where(on_o, road_rate * road_o, np.inf)[:, :, None] + cost[None, :, :]
             + np.where(on_d, road_rate * road_d, np.inf)[:, None, :])
    flat = total.reshape(len(total), -1).argmin(axis=1)
    p, q = np.unravel_index(flat, cost.shape)
    rows = np.arange(len(total))
    ok = np.isfinite(total[rows, p, q])
    idx = np.flatnonzero(crossing)
    road_km = road_o[rows, p] + road_d[rows, q] + parts[p, q, 0]
    sea_t = sea.tariff.set_index("stage").loc[stage]
    sea_cost = cost[p, q] - road_rate * parts[p, q, 0]  # the path's sea part (its road part is in road_km)
    out.loc[idx, "road_km"] = road_km
    out.loc[idx, "sea_km"] = parts[p, q, 1]
    out.loc[idx, "sea_cost_myen_per_t"] = sea_cost / 1e6
    out.loc[idx, "sea_co2_t_per_t"] = sea_t["co2_kg_per_t_km"] * parts[p, q, 1] / 1000.0
    out.loc[idx, "mode"] = "sea"
    out.loc[idx, "via"] = [hops[i][j] for i, j in zip(p, q)]
    keep = np.ones(len(out), dtype=bool)
    keep[idx[~ok]] = False
    return out[keep].reset_index(drop=True)


def _port_paths(sea: SeaNetwork, stage: str, road_factor: float):
    """Floyd-Warshall over the sea ports: an edge per sea route (sea handling + sea rate x km x (1 + premium))
    and per pair of ports on one land mass (road rate x road km, no handling: the shipment stays on its truck)."""
    ports = sea.ports.reset_index(drop=True)
    n = len(ports)
    ids = {pid: i for i, pid in enumerate(ports["port_id"])}
    s = sea.tariff.set_index("stage")
    if stage not in s.index:
        raise ValueError(f"sea_tariff.csv has no row for stage {stage!r}, which a sea leg needs")
    s = s.loc[stage]
    r = sea.road.set_index("stage").loc[stage]
    road_rate = r["cost_yen_per_t_km"] * (1 + r["hazardous_premium_share"])
    lat, lon, land = ports["lat"].to_numpy(), ports["lon"].to_numpy(), ports["landmass"].to_numpy()
    road_km = road_factor * great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    same = land[:, None] == land[None, :]
    cost = np.where(same, road_rate * road_km, np.inf)
    km = np.zeros((n, n, 2))  # road km, sea km along the current best path
    km[:, :, 0] = np.where(same, road_km, 0.0)
    hop = np.full((n, n), "", dtype=object)
    for i in range(n):
        for j in range(n):
            hop[i, j] = "" if i == j else f"{ports['port_id'][i]}>{ports['port_id'][j]}"
    np.fill_diagonal(cost, 0.0)
    for row in sea.routes.itertuples(index=False):
        a, b = ids[row.from_port], ids[row.to_port]
        c = s["handling_yen_per_t"] + s["cost_yen_per_t_km"] * row.sea_km * (1 + s["hazardous_premium_share"])
        for i, j in ((a, b), (b, a)):
            if c < cost[i, j]:
                cost[i, j], km[i, j] = c, (0.0, row.sea_km)
                hop[i, j] = f"{ports['port_id'][i]}~{ports['port_id'][j]}"
    for m in range(n):
        better = cost[:, m, None] + cost[None, m, :] < cost
        if better.any():
            i, j = np.nonzero(better)
            cost[i, j] = cost[i, m] + cost[m, j]
            km[i, j] = km[i, m] + km[m, j]
            hop[i, j] = [_join(hop[a, m], hop[m, b]) for a, b in zip(i, j)]
    return cost, km, hop


def _join(first: str, second: str) -> str:
    """'A~B' + 'B>C' -> 'A~B>C'."""
    if not first or not second:
        return first or second
    return first + second[second.index(next(c for c in second if c in "~>")):]
