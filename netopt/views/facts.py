"""What a plan means for each region (prefecture): the numbers behind the maps' measures and the fact sheets.

Read from a run folder with pandas only. A region's packs are followed down the chain by throughput:
its share of a hub is the tonnes it sends there over the hub's inflow, its share of a black-mass plant
the sum over hubs of (share of the hub x the hub's flow to the plant) over the plant's inflow, and so
on (imports count in a plant's inflow and belong to no region). With those shares:

- **served by**: the facilities its packs pass through, with the tonnes of its packs (or their black
  mass, or metal) there;
- **cost the plan incurs for it** (Myen/yr): transport of its collection, its share of each facility's
  fixed and processing cost, its share of the transport onward, the retention incentives for its
  retained packs and the penalty for its unprocessed packs. Revenues (reuse, exports) and virgin metal
  are not allocated; the shares of all regions add up to the plan's costs of those categories less
  what imports are charged;
- **reused**: its share of each hub's sales to reuse.

The marginal cost of one more collected tonne is the run's (regions.csv ``marginal_cost_myen_per_t``,
the dual of the region's collection balance); over chemistries it is averaged weighted by the tonnes
collected.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from netopt.catalogue import FACILITY_KINDS, LEGS
from netopt.results.store import RunData
from netopt.views.i18n import T, Text


@dataclass(frozen=True)
class Measure:
    column: str
    label: Text
    unit: Text
    diverging: bool = False  # colours around zero (values may be negative)


MEASURES = {
    "eol": Measure("eol_packs_t_per_yr", Text("使用済み電池パックの発生量", "End-of-life packs arising"),
                   T["t_per_yr"]),
    "collected": Measure("collected_t_per_yr", Text("回収量", "Collected packs"), T["t_per_yr"]),
    "leaked": Measure("leaked_t_per_yr", Text("海外流出（中古車輸出、未回収）", "Leaked abroad, not collected"),
                      T["t_per_yr"]),
    "retained": Measure("retained_t_per_yr", Text("国内保持（政策による）", "Kept in Japan by retention policy"),
                        T["t_per_yr"]),
    "unprocessed": Measure("unprocessed_t_per_yr", Text("未処理（回収後、処理先なし）",
                                                        "Unprocessed (collected, no facility took them)"),
                           T["t_per_yr"]),
    "reused": Measure("reused_t_per_yr", Text("リユース（拠点の販売を配分）", "Reused (hub sales, allocated)"),
                      T["t_per_yr"]),
    "cost": Measure("cost_myen_per_yr", Text("計画がこの地域に負担する費用", "Cost the plan incurs for it"),
                    T["myen_per_yr"]),
    "cost_per_t": Measure("cost_yen_per_t", Text("回収1tあたりの費用", "Cost per collected tonne"), T["yen_per_t"]),
    "marginal": Measure("marginal_cost_yen_per_t", Text("回収を1t増やす限界費用", "Marginal cost of one more "
                                                        "collected tonne"), T["yen_per_t"], diverging=True),
}
COST_PARTS = {  # columns of region_costs, in order
    "collection_transport_myen_per_yr": Text("回収の輸送", "collection transport"),
    "hub_myen_per_yr": Text("回収・診断拠点（按分）", "hubs (share)"),
    "pretreatment_myen_per_yr": Text("ブラックマス工場（按分）", "black-mass plants (share)"),
    "refinery_myen_per_yr": Text("製錬所（按分）", "refineries (share)"),
    "onward_transport_myen_per_yr": Text("その先の輸送（按分）", "onward transport (share)"),
    "retention_myen_per_yr": Text("国内保持の奨励金", "retention incentives"),
    "unprocessed_myen_per_yr": Text("未処理パックのペナルティ", "unprocessed-pack penalty"),
}
KIND_ORDER = [k.kind for k in FACILITY_KINDS]
FACILITY_LEGS = {leg.name: (leg.origin, leg.destination) for leg in LEGS if leg.arc}


def per_run(func):
    """Compute ``func(run)`` once per run object (the views ask for the same tables many times)."""

    def wrapper(run: RunData):
        cache = run.__dict__.setdefault("_views_cache", {})
        if func.__name__ not in cache:
            cache[func.__name__] = func(run)
        return cache[func.__name__]

    wrapper.__doc__, wrapper.__name__ = func.__doc__, func.__name__
    return wrapper


def _flows(run: RunData) -> pd.DataFrame:
    flows = run.table("flows")
    if flows.empty:
        return pd.DataFrame(columns=["leg", "origin", "destination", "period", "tonnes_per_yr", "cost_myen_per_yr"])
    return flows.assign(cost_myen_per_yr=flows.get("cost_myen_per_yr", 0.0)).fillna({"cost_myen_per_yr": 0.0})


@per_run
def trace(run: RunData) -> pd.DataFrame:
    """Region shares of facilities: region_id, period, site_id, kind, share, tonnes_per_yr (its tonnes through
    the site), cost_myen_per_yr (share of fixed + processing), onward_myen_per_yr (share of the transport out of
    the site), reused_t_per_yr (share of the site's sales to reuse)."""
    flows, fac = _flows(run), run.table("facilities")
    columns = ["region_id", "period", "site_id", "kind", "share", "tonnes_per_yr", "cost_myen_per_yr",
               "onward_myen_per_yr", "reused_t_per_yr"]
    if flows.empty or fac.empty:
        return pd.DataFrame(columns=columns)
    kind_of = fac.drop_duplicates("site_id").set_index("site_id")["kind"].astype(str).to_dict()
    flows = flows[flows["leg"].isin(FACILITY_LEGS)]
    inflow = flows.groupby(["destination", "period"])["tonnes_per_yr"].sum()
    links = flows.groupby(["leg", "origin", "destination", "period"], as_index=False)[["tonnes_per_yr",
                                                                                        "cost_myen_per_yr"]].sum()
    links["in_dest"] = [inflow.get((d, p), 0.0) for d, p in zip(links["destination"], links["period"])]
    shares = []  # frames of (region_id, period, site_id, share)
    known = pd.DataFrame(columns=["region_id", "period", "site_id", "share"])
    for kind in KIND_ORDER:
        legs = [name for name, (_, dest) in FACILITY_LEGS.items() if dest == kind]
        into = links[links["leg"].isin(legs) & (links["in_dest"] > 0)]
        direct = into[into["leg"].map(lambda n: FACILITY_LEGS[n][0] == "region")]
        part = [pd.DataFrame({"region_id": direct["origin"], "period": direct["period"],
                              "site_id": direct["destination"],
                              "share": direct["tonnes_per_yr"] / direct["in_dest"]})]
        chained = into[into["origin"].isin(set(known["site_id"]))]
        if not chained.empty:
            m = chained.merge(known, left_on=["origin", "period"], right_on=["site_id", "period"],
                              suffixes=("", "_up"))
            part.append(pd.DataFrame({"region_id": m["region_id"], "period": m["period"],
                                      "site_id": m["destination"],
                                      "share": m["share"] * m["tonnes_per_yr"] / m["in_dest"]}))
        got = pd.concat(part, ignore_index=True).groupby(["region_id", "period", "site_id"], as_index=False).sum()
        shares.append(got)
        known = pd.concat([known, got], ignore_index=True)
    out = pd.concat(shares, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=columns)
    out["kind"] = out["site_id"].map(kind_of)
    site_in = {k: v for k, v in inflow.items()}
    out["tonnes_per_yr"] = [s * site_in.get((x, p), 0.0) for s, x, p in zip(out["share"], out["site_id"],
                                                                             out["period"])]
    costs = fac.assign(c=fac["fixed_cost_myen_per_yr"] + fac["processing_cost_myen_per_yr"]).set_index(
        ["site_id", "period"])["c"]
    out["cost_myen_per_yr"] = [s * float(costs.get((x, p), 0.0)) for s, x, p in
                               zip(out["share"], out["site_id"], out["period"])]
    onward = links.groupby(["origin", "period"])["cost_myen_per_yr"].sum()
    out["onward_myen_per_yr"] = [s * float(onward.get((x, p), 0.0)) for s, x, p in
                                 zip(out["share"], out["site_id"], out["period"])]
    reuse = run.table("flows")
    reuse = (reuse[reuse["leg"] == "reuse"].groupby(["origin", "period"])["tonnes_per_yr"].sum()
             if not reuse.empty else pd.Series(dtype=float))
    out["reused_t_per_yr"] = [s * float(reuse.get((x, p), 0.0)) for s, x, p in
                              zip(out["share"], out["site_id"], out["period"])]
    return out[columns]


def _per_tonne_of_category(run: RunData, category: str, column: str) -> dict[int, float]:
    """Myen per tonne of a category whose cost is proportional to a regions.csv column (retention, penalty)."""
    costs, regions = run.table("costs"), run.table("regions")
    if costs.empty or regions.empty or column not in regions:
        return {}
    annual = costs[costs["category"] == category].groupby("period")["annual_myen_per_yr"].sum()
    tonnes = regions.groupby("period")[column].sum()
    return {int(p): float(annual.get(p, 0.0)) / float(t) for p, t in tonnes.items() if t > 1e-9}


@per_run
def region_costs(run: RunData) -> pd.DataFrame:
    """Per region and period the cost the plan incurs for it, by part (:data:`COST_PARTS`), its total
    (``cost_myen_per_yr``) and per collected tonne (``cost_yen_per_t``)."""
    regions = run.table("regions")
    if regions.empty:
        return pd.DataFrame(columns=["region_id", "period", *COST_PARTS, "cost_myen_per_yr", "cost_yen_per_t"])
    base = regions.groupby(["region_id", "period"], as_index=False)[
        ["collected_t_per_yr", "retained_t_per_yr", "unprocessed_t_per_yr"]].sum()
    flows = _flows(run)
    collect = flows[flows["leg"] == "collect"].groupby(["origin", "period"])["cost_myen_per_yr"].sum()
    base["collection_transport_myen_per_yr"] = [float(collect.get((r, p), 0.0)) for r, p in
                                                zip(base["region_id"], base["period"])]
    tr = trace(run)
    for kind in KIND_ORDER:
        part = tr[tr["kind"] == kind].groupby(["region_id", "period"])["cost_myen_per_yr"].sum()
        base[f"{kind}_myen_per_yr"] = [float(part.get((r, p), 0.0)) for r, p in zip(base["region_id"],
                                                                                     base["period"])]
    onward = tr.groupby(["region_id", "period"])["onward_myen_per_yr"].sum()
    base["onward_transport_myen_per_yr"] = [float(onward.get((r, p), 0.0)) for r, p in
                                            zip(base["region_id"], base["period"])]
    for column, category, tonnes in (("retention_myen_per_yr", "retention", "retained_t_per_yr"),
                                     ("unprocessed_myen_per_yr", "unprocessed_penalty", "unprocessed_t_per_yr")):
        rate = _per_tonne_of_category(run, category, tonnes)
        base[column] = [t * rate.get(int(p), 0.0) for t, p in zip(base[tonnes], base["period"])]
    base["cost_myen_per_yr"] = base[list(COST_PARTS)].sum(axis=1)
    collected = base["collected_t_per_yr"]
    base["cost_yen_per_t"] = (1e6 * base["cost_myen_per_yr"] / collected).where(collected > 1e-9)
    return base[["region_id", "period", *COST_PARTS, "cost_myen_per_yr", "cost_yen_per_t"]]


@per_run
def region_chemistry(run: RunData) -> pd.DataFrame:
    """regions.csv with ``reused_t_per_yr`` (allocated to chemistries by collected tonnes) and the marginal
    cost in yen per tonne (``marginal_cost_yen_per_t``)."""
    regions = run.table("regions").copy()
    if regions.empty:
        return regions
    if "marginal_cost_myen_per_t" not in regions:
        regions["marginal_cost_myen_per_t"] = float("nan")
    regions["marginal_cost_yen_per_t"] = 1e6 * regions["marginal_cost_myen_per_t"]
    reused = trace(run).groupby(["region_id", "period"])["reused_t_per_yr"].sum()
    total = regions.groupby(["region_id", "period"])["collected_t_per_yr"].transform("sum")
    share = (regions["collected_t_per_yr"] / total).where(total > 1e-9, 0.0)
    regions["reused_t_per_yr"] = [s * float(reused.get((r, p), 0.0)) for s, r, p in
                                  zip(share, regions["region_id"], regions["period"])]
    return regions


@per_run
def region_measures(run: RunData) -> pd.DataFrame:
    """One row per region and period with every :data:`MEASURES` column."""
    chem = region_chemistry(run)
    if chem.empty:
        return pd.DataFrame(columns=["region_id", "period", *(m.column for m in MEASURES.values())])
    sums = ["eol_packs_t_per_yr", "collected_t_per_yr", "leaked_t_per_yr", "retained_t_per_yr",
            "unprocessed_t_per_yr", "reused_t_per_yr"]
    out = chem.groupby(["region_id", "period"], as_index=False)[sums].sum()
    weight = chem["collected_t_per_yr"].where(chem["collected_t_per_yr"] > 1e-9, 0.0)
    chem = chem.assign(_w=weight, _wm=weight * chem["marginal_cost_yen_per_t"])
    g = chem.groupby(["region_id", "period"])
    mean = (g["_wm"].sum() / g["_w"].sum()).where(g["_w"].sum() > 0, g["marginal_cost_yen_per_t"].mean())
    out["marginal_cost_yen_per_t"] = [mean.get((r, p)) for r, p in zip(out["region_id"], out["period"])]
    costs = region_costs(run)[["region_id", "period", "cost_myen_per_yr", "cost_yen_per_t"]]
    return out.merge(costs, on=["region_id", "period"], how="left")


def served_by(run: RunData, region: str) -> pd.DataFrame:
    """The facilities a region's packs pass through: site_id, kind, period, tonnes_per_yr, share,
    cost_myen_per_yr (its share of their costs)."""
    tr = trace(run)
    return tr[tr["region_id"] == region].sort_values(["kind", "period", "tonnes_per_yr"],
                                                      ascending=[True, True, False]).reset_index(drop=True)


def territory(run: RunData, region: str) -> pd.DataFrame:
    """Facilities on a region's territory (facilities.csv rows whose region_id is it) with capacity in some period."""
    fac = run.table("facilities")
    if fac.empty or "region_id" not in fac:
        return fac
    mine = fac[fac["region_id"].astype(str) == region]
    has = mine.groupby("site_id")["capacity_t_per_yr"].max()
    return mine[mine["site_id"].isin(has[has > 1e-9].index)].sort_values(["kind", "site_id", "period"])


@per_run
def names(run: RunData) -> dict[str, Text]:
    """node id -> its name in both languages (a name the run lacks in Japanese is the English one)."""
    ja, en = run.names("ja"), run.names("en")
    return {k: Text(ja.get(k, v), v) for k, v in en.items()}


def name_of(run: RunData, node_id) -> Text:
    node_id = str(node_id)
    return names(run).get(node_id) or Text(node_id, node_id)
