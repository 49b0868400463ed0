"""Arcs of the network: which pairs of nodes can ship to each other, how far and at what unit cost.

Only arcs that exist are built. For each arc leg of the chain (:data:`netopt.catalogue.ARC_LEGS`:
regions -> hubs, hubs -> pre-treatment, ...) an origin is linked to its ``k_nearest`` destinations and each
destination to its ``k_nearest`` origins, plus every pair closer than ``max_arc_km``
when that is set, plus the pairs listed in ``arcs.csv``. Distances are great-circle
distances times the road factor unless ``arcs.csv`` gives a road distance.
All of it is vectorised over the origin x destination distance matrix of one leg.
"""

from __future__ import annotations

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
               legs: tuple[Leg, ...] = ARC_LEGS) -> pd.DataFrame:
    """All arcs with leg, stage, distance, unit cost (Myen/t) and CO2 (t/t).

    Unit cost = (handling + rate x km x (1 + hazardous premium)) / 1e6, plus port handling
    at a port end, unless ``arcs.csv`` gives the cost.
    """
    frames = []
    tariff = transport.set_index("stage")
    for leg in legs:
        arcs = leg_arcs(nodes[leg.origin], nodes[leg.destination], k, max_km, road_factor, explicit)
        if arcs.empty:
            continue
        t = tariff.loc[leg.stage]
        cost = (t["handling_yen_per_t"] + t["cost_yen_per_t_km"] * arcs["distance_km"]
                * (1 + t["hazardous_premium_share"])) / 1e6
        for end in ("from_id", "to_id"):
            cost = cost + arcs[end].map(port_handling).fillna(0.0).to_numpy()
        arcs["cost_myen_per_t"] = arcs["cost_override_myen_per_t"].fillna(cost)
        arcs["co2_t_per_t"] = t["co2_kg_per_t_km"] * arcs["distance_km"] / 1000.0
        arcs.insert(0, "stage", leg.stage)
        arcs.insert(0, "leg", leg.name)
        frames.append(arcs.drop(columns="cost_override_myen_per_t"))
    if not frames:
        return pd.DataFrame(columns=["arc", "leg", "stage", "from_id", "to_id", "distance_km", "cost_myen_per_t",
                                     "co2_t_per_t"])
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["leg", "from_id", "to_id"], kind="stable").reset_index(drop=True)
    out.insert(0, "arc", [f"a{i}" for i in range(len(out))])
    return out
