r"""Sales, lifetimes and the two-state cohort model of the Japanese EV fleet (see :mod:`netopt.supply`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

POWERTRAINS = ("BEV", "PHEV")


def _interpolate(anchors: pd.Series, years: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``anchors`` (index = year), held flat outside the anchor range."""
    anchors = anchors.sort_index()
    return np.interp(years, anchors.index.to_numpy(float), anchors.to_numpy(float))


def sales_by_year(history: pd.DataFrame, paths: pd.DataFrame, path: str, last_year: int) -> pd.DataFrame:
    r"""Passenger-car sales by year and powertrain: history, then a named sales path.

    After the last historical year :math:`y_0` the powertrain share of the car market
    is interpolated linearly from its observed value :math:`sales_{y_0}/M` to the
    path's anchors (held after the last anchor); sales = share x market :math:`M`.
    """
    p = paths[paths["path"] == path]
    if p.empty:
        raise ValueError(f"unknown sales path {path!r}; known: {sorted(paths['path'].unique())}")
    y0 = int(history["year"].max())
    years = np.arange(int(history["year"].min()), last_year + 1)
    market = pd.Series(p["car_market_veh_per_yr"].to_numpy(float), index=p["year"])
    m0 = float(market.sort_index().iloc[0])
    frames = []
    for pt in POWERTRAINS:
        hist = history[history["powertrain"] == pt].set_index("year")["sales_veh"].astype(float)
        share = pd.Series(p[f"{pt.lower()}_share"].to_numpy(float), index=p["year"])
        share.loc[y0] = hist.get(y0, 0.0) / m0
        future = years[years > y0]
        sales = np.concatenate([hist.reindex(years[years <= y0], fill_value=0.0).to_numpy(),
                                _interpolate(share, future) * _interpolate(market, future)])
        frames.append(pd.DataFrame({"year": years, "powertrain": pt, "sales_veh": sales}))
    return pd.concat(frames, ignore_index=True)


def weibull(mean_yr: float, shape: float):
    r"""Frozen Weibull lifetime with the given mean: scale :math:`= mean / \Gamma(1 + 1/k)`."""
    return stats.weibull_min(shape, scale=mean_yr / math.gamma(1.0 + 1.0 / shape))


def lifetime_distributions(lifetimes: pd.DataFrame) -> dict[str, object]:
    """Frozen scipy.stats distributions by stage (``first_use``, ``battery``) from the lifetimes table."""
    makers = {"weibull": lambda r: weibull(r["mean_yr"], r["shape"]),
              "lognorm": lambda r: stats.lognorm(r["shape"], scale=r["mean_yr"] * math.exp(-r["shape"] ** 2 / 2))}
    return {r["stage"]: makers[r["distribution"]](r) for _, r in lifetimes.iterrows()}


def hazards(dist, max_age: int) -> np.ndarray:
    r"""Discrete hazard by age: :math:`h_a = 1 - S(a)/S(a-1)` for :math:`a \ge 1` (:math:`h_0 = 0`; 1 once S = 0)."""
    sf = np.asarray(dist.sf(np.arange(max_age + 1)), dtype=float)
    prev = np.concatenate([[1.0], sf[:-1]])
    h = np.where(prev > 0, 1.0 - np.divide(sf, prev, out=np.zeros_like(sf), where=prev > 0), 1.0)
    h[0] = 0.0
    return np.clip(h, 0.0, 1.0)


def cohort_flows(sales: pd.DataFrame, first_use, battery, export_share: pd.DataFrame | None = None,
                 last_year: int | None = None) -> pd.DataFrame:
    """Run the two-state cohort model (see the module docstring) for every powertrain.

    ``sales``: year, powertrain, sales_veh. ``export_share``: year, powertrain, export_share
    (missing = 0). Returns one row per powertrain, cohort and year >= cohort with
    used_veh, exported_veh, eol_veh, first_stock_veh, used_stock_veh (stocks at year end).
    """
    years = np.arange(int(sales["year"].min()), (last_year or int(sales["year"].max())) + 1)
    n = len(years)
    hb, hf = hazards(battery, n), hazards(first_use, n)
    xs = export_share.set_index(["powertrain", "year"])["export_share"] if export_share is not None else None
    cols = ("used_veh", "exported_veh", "eol_veh", "first_stock_veh", "used_stock_veh")
    out = []
    for pt in sales["powertrain"].unique():
        s = sales[sales["powertrain"] == pt].set_index("year")["sales_veh"].reindex(years, fill_value=0.0)
        x = xs.xs(pt).reindex(years, fill_value=0.0).to_numpy() if xs is not None and pt in xs.index else np.zeros(n)
        F, U = np.zeros(n), np.zeros(n)  # by cohort index
        rec: dict[str, list[np.ndarray]] = {k: [] for k in ("cohort", "year") + cols}
        for t, y in enumerate(years):
            ages = t - np.arange(t + 1)
            c = slice(0, t + 1)
            b, f = hb[ages], hf[ages]
            eol = (F[c] + U[c]) * b
            used = F[c] * (1 - b) * f
            exported = used * x[t]
            F[c] = F[c] * (1 - b) * (1 - f)
            U[c] = U[c] * (1 - b) + used - exported
            F[t] += s.iloc[t]  # the new cohort enters at the end of its sale year
            for k, v in zip(("cohort", "year") + cols,
                            (years[c], np.full(t + 1, y), used, exported, eol, F[c].copy(), U[c].copy())):
                rec[k].append(v)
        out.append(pd.DataFrame({"powertrain": pt, **{k: np.concatenate(v) for k, v in rec.items()}}))
    return pd.concat(out, ignore_index=True)


def used_by_year(flows: pd.DataFrame) -> pd.DataFrame:
    """Vehicles becoming used (leaving their first owner) by powertrain and year."""
    return flows.groupby(["powertrain", "year"], as_index=False)["used_veh"].sum()


def export_shares(used: pd.DataFrame, exports_history: pd.DataFrame, export_paths: pd.DataFrame, path: str,
                  years: np.ndarray) -> pd.DataFrame:
    r"""Share of used cars exported, by powertrain and year.

    Historical years: :math:`x_y = exports_y / used_y` (trade statistics over the
    model's used cars, capped at 1). Years before the first statistic take the first
    year's share; after the last, the share moves linearly to the path's anchors
    (held flat if the path has none for the powertrain).
    """
    frames = []
    p = export_paths[export_paths["path"] == path]
    if p.empty and path != "hist":
        raise ValueError(f"unknown export path {path!r}; known: {sorted(export_paths['path'].unique())}")
    for pt in POWERTRAINS:
        hist = exports_history[exports_history["powertrain"] == pt].set_index("year")["exported_veh"]
        u = used[used["powertrain"] == pt].set_index("year")["used_veh"]
        share = (hist / u.reindex(hist.index)).clip(upper=1.0)
        anchors = pd.concat([share, p[p["powertrain"] == pt].set_index("year")["export_share"]])
        frames.append(pd.DataFrame({"year": years, "powertrain": pt, "export_share": _interpolate(anchors, years)}))
    return pd.concat(frames, ignore_index=True)
