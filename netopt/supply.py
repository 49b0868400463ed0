r"""End-of-life supply of EV packs in Japan: a dynamic cohort (stock) model.

Every car sold in year :math:`c` (a *cohort*) is followed through two states:
with its first owner (:math:`F`) and, after it has become "used" and stayed in
Japan, with later owners (:math:`U`). Two lifetimes, both scipy.stats
distributions of age in years, drive it:

* ``first_use``: age at which the first owner sells the car (it becomes used);
* ``battery``: age at which the pack of a car still in Japan reaches end of life
  (pack failure or scrapping of the car), whoever owns it.

With :math:`h^b_a` and :math:`h^f_a` the discrete hazards of the two lifetimes at
age :math:`a = y - c \ge 1` (:math:`h_a = 1 - S(a)/S(a-1)`, so a lifetime in
:math:`(a-1, a]` ends in year :math:`c + a`) and :math:`x_y` the share of used cars
exported in year :math:`y`, one year of a cohort is

.. math::

    eol = (F + U)\,h^b_a,\quad used = F\,(1-h^b_a)\,h^f_a,\quad exported = x_y\,used

    F \leftarrow F\,(1-h^b_a)(1-h^f_a),\quad U \leftarrow U\,(1-h^b_a) + (1-x_y)\,used

starting from :math:`F = sales_c`, :math:`U = 0`. Hence, exactly,
:math:`sales = F + U + \sum exported + \sum eol` for every cohort.

Packs leave the Japanese fleet either abroad, inside exported used cars, or as
domestic end-of-life packs. The core model's ``supply`` is the sum of both flows
(tonnes of pack, by prefecture and chemistry) and its ``leakage_share`` the
exported part, so that ``(1 - leakage) x supply`` is exactly the domestic
end-of-life stream at the time it arises.

Inputs are the CSV files of ``<instance>/inputs/`` (each row with source_id and
confidence); the core functions take DataFrames and do no I/O.
Regenerate the instance tables with ``python -m netopt.supply instances/japan``.
"""

from __future__ import annotations

import math
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

POWERTRAINS = ("BEV", "PHEV")
METALS = ("li", "ni", "co", "mn")
DEFAULT_PERIODS = (2025, 2030, 2035, 2040, 2045, 2050)
DEFAULT_LAST_PERIOD_YEARS = 5
MODEL_SOURCE = "sup-netopt-est"
INPUT_FILES = ("sales_history", "sales_paths", "lifetimes", "cathodes", "archetypes", "cohort_mix",
               "exports_history", "export_paths", "retention", "prefectures", "nev_subsidies", "stock_history",
               "white_paper")


# --------------------------------------------------------------------------- inputs

def load_inputs(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Read the bundled input tables ``<folder>/inputs/*.csv`` into DataFrames keyed by file stem."""
    base = Path(folder) / "inputs"
    return {name: pd.read_csv(base / f"{name}.csv") for name in INPUT_FILES}


# --------------------------------------------------------------------------- sales

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


# --------------------------------------------------------------------------- lifetimes

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


# --------------------------------------------------------------------------- cohort model

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


# --------------------------------------------------------------------------- packs

def cohort_mix(mix: pd.DataFrame, variant: str, years: np.ndarray, last_history_year: int) -> pd.DataFrame:
    """Archetype shares of each cohort's sales (powertrain, cohort, archetype, share).

    The ``base`` anchors are used up to ``last_history_year`` and the variant's anchors
    after it (``base`` throughout if the variant is ``base``); shares are interpolated
    linearly between anchor years and held outside them.
    """
    base = mix[mix["mix"] == "base"]
    chosen = base if variant == "base" else pd.concat(
        [base[base["year"] <= last_history_year], mix[mix["mix"] == variant]])
    if variant != "base" and (mix["mix"] == variant).sum() == 0:
        raise ValueError(f"unknown chemistry mix {variant!r}")
    frames = []
    for pt, g in chosen.groupby("powertrain"):
        wide = g.pivot_table(index="year", columns="archetype", values="share", aggfunc="sum").fillna(0.0)
        shares = {a: _interpolate(wide[a], years) for a in wide.columns}
        df = pd.DataFrame(shares, index=years)
        df = df.div(df.sum(axis=1), axis=0)
        long = df.rename_axis("cohort").reset_index().melt(id_vars="cohort", var_name="archetype", value_name="share")
        frames.append(long.assign(powertrain=pt))
    return pd.concat(frames, ignore_index=True).query("share > 0")


def archetype_contents(archetypes: pd.DataFrame, cathodes: pd.DataFrame) -> pd.DataFrame:
    r"""Per vehicle of each archetype and chemistry: tonnes of pack and kg of each metal.

    A pack of :math:`E` kWh and mass :math:`m` whose cathode is blended with energy
    shares :math:`w_k` counts :math:`w_k m` tonnes of chemistry :math:`k` and
    :math:`w_k E\,i_{k,metal}` kg of metal (BatPaC intensities :math:`i` per kWh).
    """
    a = archetypes.merge(cathodes, on="cathode", how="left", validate="many_to_one")
    if a["chemistry"].isna().any():
        raise ValueError(f"unknown cathodes: {sorted(a.loc[a['chemistry'].isna(), 'cathode'])}")
    out = pd.DataFrame({"archetype": a["archetype"], "chemistry": a["chemistry"],
                        "pack_t_per_veh": a["cathode_share"] * a["pack_kg_per_veh"] / 1000.0,
                        "kwh_per_veh": a["cathode_share"] * a["kwh_per_veh"]})
    for m in METALS:
        out[f"{m}_kg_per_veh"] = a["cathode_share"] * a["kwh_per_veh"] * a[f"{m}_kg_per_kwh"]
    return out.groupby(["archetype", "chemistry"], as_index=False).sum()


def cohort_contents(mix: pd.DataFrame, contents: pd.DataFrame) -> pd.DataFrame:
    """Average pack tonnes and metal kg per vehicle of each cohort, by chemistry (mix x archetype contents)."""
    df = mix.merge(contents, on="archetype", how="left", validate="many_to_many")
    if df["chemistry"].isna().any():
        raise ValueError(f"archetypes without contents: {sorted(df.loc[df['chemistry'].isna(), 'archetype'])}")
    cols = ["pack_t_per_veh", "kwh_per_veh"] + [f"{m}_kg_per_veh" for m in METALS]
    df[cols] = df[cols].mul(df["share"], axis=0)
    return df.groupby(["powertrain", "cohort", "chemistry"], as_index=False)[cols].sum()


def chemistry_shares(contents: pd.DataFrame) -> pd.DataFrame:
    """Mass share of each chemistry in each cohort's packs (sums to 1 per powertrain and cohort)."""
    g = contents.groupby(["powertrain", "cohort"])["pack_t_per_veh"].transform("sum")
    return contents.assign(mass_share=contents["pack_t_per_veh"] / g)[["powertrain", "cohort", "chemistry", "mass_share"]]


def material_flows(flows: pd.DataFrame, contents: pd.DataFrame) -> pd.DataFrame:
    """Tonnes of pack and of each metal leaving the fleet, by year, powertrain, chemistry and route.

    route = ``exported`` (inside exported used cars) or ``domestic_eol``.
    """
    df = flows.merge(contents, on=["powertrain", "cohort"], how="inner")
    frames = []
    for route, col in (("exported", "exported_veh"), ("domestic_eol", "eol_veh")):
        r = pd.DataFrame({"year": df["year"], "powertrain": df["powertrain"], "chemistry": df["chemistry"],
                          "route": route, "veh_weighted": df[col],
                          "pack_t": df[col] * df["pack_t_per_veh"]})
        for m in METALS:
            r[f"{m}_t"] = df[col] * df[f"{m}_kg_per_veh"] / 1000.0
        frames.append(r)
    out = pd.concat(frames, ignore_index=True)
    return out.groupby(["year", "powertrain", "chemistry", "route"], as_index=False).sum(numeric_only=True)


# --------------------------------------------------------------------------- regions

def region_shares(prefectures: pd.DataFrame, subsidies: pd.DataFrame) -> pd.DataFrame:
    r"""Share of the national EOL stream in each prefecture: :math:`n_i / \sum_j n_j`.

    :math:`n_i` is prefecture i's count of national EV+PHEV purchase-subsidy grants
    (NeV, FY2009-FY2024), the only 47-prefecture indicator of where plug-in cars were
    bought. One key serves every cohort and year.
    """
    df = prefectures.copy()
    df["region_id"] = df["jis_code"].map(lambda j: f"JP{int(j):02d}")
    counts = df["jis_code"].map(subsidies.set_index("jis_code")["ev_phev_subsidies_veh"])
    if counts.isna().any():
        missing = ", ".join(df.loc[counts.isna(), "name_en"])
        raise ValueError(f"inputs/nev_subsidies.csv has no row for: {missing}; add one row per prefecture")
    df["share"] = counts / counts.sum()
    df["basis"] = "NeV EV+PHEV subsidy grants FY2009-FY2024 (verified)"
    return df[["region_id", "name_en", "share", "basis"]]


# --------------------------------------------------------------------------- periods

def period_of(years: pd.Series, periods: tuple[int, ...], last_years: int) -> pd.Series:
    """Model period each year belongs to (NaN outside the horizon); the last period spans ``last_years``."""
    edges = list(periods) + [periods[-1] + last_years]
    idx = np.searchsorted(edges, years.to_numpy(), side="right") - 1
    ok = (idx >= 0) & (idx < len(periods))
    return pd.Series(np.where(ok, np.array(periods)[np.clip(idx, 0, len(periods) - 1)], np.nan), index=years.index)


def period_lengths(periods: tuple[int, ...], last_years: int) -> dict[int, int]:
    """Years each period stands for."""
    return dict(zip(periods, [b - a for a, b in zip(periods, periods[1:])] + [last_years]))


def annual_by_period(mat: pd.DataFrame, periods: tuple[int, ...], last_years: int, by: list[str],
                     value: str = "pack_t") -> pd.DataFrame:
    r"""Annual average of ``value`` over each period: :math:`\bar v_p = \sum_{y \in p} v_y / n_p`."""
    df = mat.assign(period=period_of(mat["year"], periods, last_years)).dropna(subset=["period"])
    df["period"] = df["period"].astype(int)
    out = df.groupby(by + ["period"], as_index=False)[value].sum()
    out[value] = out[value] / out["period"].map(period_lengths(periods, last_years))
    return out


# --------------------------------------------------------------------------- whole model

@dataclass
class Scenario:
    """Named choices of one supply run."""
    sales_path: str = "policy"
    mix: str = "base"
    export_path: str = "base"


def run(inputs: dict[str, pd.DataFrame], scenario: Scenario = Scenario(), last_year: int = 2054) -> dict[str, pd.DataFrame]:
    """Run the cohort model end to end; returns sales, flows, export shares, contents and material flows."""
    hist_year = int(inputs["sales_history"]["year"].max())
    sales = sales_by_year(inputs["sales_history"], inputs["sales_paths"], scenario.sales_path, last_year)
    years = np.sort(sales["year"].unique())
    life = lifetime_distributions(inputs["lifetimes"])
    first, batt = life["first_use"], life["battery"]
    used = used_by_year(cohort_flows(sales, first, batt))  # used cars do not depend on the export share
    x = export_shares(used, inputs["exports_history"], inputs["export_paths"], scenario.export_path, years)
    flows = cohort_flows(sales, first, batt, x)
    mix = cohort_mix(inputs["cohort_mix"], scenario.mix, years, hist_year)
    contents = cohort_contents(mix, archetype_contents(inputs["archetypes"], inputs["cathodes"]))
    return {"sales": sales, "flows": flows, "export_share": x, "contents": contents,
            "materials": material_flows(flows, contents)}


def supply_table(materials: pd.DataFrame, regions: pd.DataFrame, periods: tuple[int, ...], last_years: int,
                 note: str) -> pd.DataFrame:
    """The core model's ``supply`` table: region x chemistry x period, t of pack per year (exported + domestic EOL)."""
    nat = annual_by_period(materials, periods, last_years, ["chemistry"])
    df = regions.merge(nat, how="cross")
    df["eol_packs_t_per_yr"] = (df["share"] * df["pack_t"]).round(2)
    df["source_id"] = MODEL_SOURCE
    df["confidence"] = "estimated"
    df["note"] = note + "; regional key: " + df["basis"]
    cols = ["region_id", "chemistry", "period", "eol_packs_t_per_yr", "source_id", "confidence", "note"]
    return df[cols].sort_values(["region_id", "chemistry", "period"]).reset_index(drop=True)


def leakage_table(materials: pd.DataFrame, retention: pd.DataFrame, periods: tuple[int, ...], last_years: int,
                  note: str) -> pd.DataFrame:
    r"""The core model's ``leakage`` table: :math:`L_p = exported_p / (exported_p + domestic\_eol_p)` in tonnes of pack."""
    nat = annual_by_period(materials, periods, last_years, ["route"]).pivot(index="period", columns="route",
                                                                             values="pack_t")
    r = retention.iloc[0]
    df = pd.DataFrame({"period": nat.index.astype(int),
                       "leakage_share": (nat["exported"] / (nat["exported"] + nat["domestic_eol"])).round(4).to_numpy(),
                       "retention_cost_myen_per_t": r["retention_cost_myen_per_t"],
                       "max_retained_share": r["max_retained_share"],
                       "source_id": MODEL_SOURCE, "confidence": "estimated"})
    df["note"] = [f"{note}; share of the packs leaving the Japanese fleet that leave inside exported used cars "
                  f"({e:,.0f} of {e + d:,.0f} t/yr); retention cost and cap from inputs/retention.csv (estimated "
                  f"from the export-bid gap)" for e, d in zip(nat["exported"], nat["domestic_eol"])]
    return df


def regions_table(prefectures: pd.DataFrame) -> pd.DataFrame:
    """``regions.csv``: the 47 prefectures with the coordinates of their prefectural office."""
    return pd.DataFrame({"region_id": prefectures["jis_code"].map(lambda j: f"JP{int(j):02d}"),
                         "name": prefectures["name_en"], "lat": prefectures["lat"], "lon": prefectures["lon"],
                         "source_id": prefectures["source_id"], "confidence": prefectures["confidence"],
                         "note": prefectures["note"]})


# --------------------------------------------------------------------------- generator

SCENARIO_FILES = {
    ("supply", "policy", "base", "base"): "supply.csv",
    ("leakage", "policy", "base", "base"): "leakage.csv",
    ("supply", "policy", "lfp_shift", "base"): "scenarios/supply_lfp_shift.csv",
    ("supply", "low", "base", "base"): "scenarios/supply_low.csv",
    ("supply", "high", "base", "base"): "scenarios/supply_high.csv",
    ("supply", "policy", "base", "retention"): "scenarios/supply_retention.csv",
    ("leakage", "policy", "base", "retention"): "scenarios/leakage_retention.csv",
}
"""(table, sales path, chemistry mix, export path) -> file written under the instance folder."""


METALS = ("li", "ni", "co", "mn")


def chemistry_metals_table(materials: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    r"""Metal per tonne of pack by chemistry, weighted by the tonnes reaching end of life in the horizon.

    .. math:: content_{cm} = 1000 \sum_y metal_{cmy} / \sum_y pack_{cy}  \quad (kg/t)

    so that the core model's metal content matches the packs this module counts (real Japanese
    pack masses, not a reference pack).
    """
    horizon = materials[(materials["year"] >= first_year) & (materials["year"] <= last_year)]
    totals = horizon.groupby("chemistry")[["pack_t", *(f"{m}_t" for m in METALS)]].sum()
    rows = []
    for chem, r in totals.iterrows():
        for m in METALS:
            kg = 1000 * r[f"{m}_t"] / r["pack_t"] if r["pack_t"] > 0 else 0.0
            rows.append({"chemistry": chem, "metal": m.capitalize(), "content_kg_per_t_pack": round(kg, 2),
                         "source_id": "sup-batpac52", "confidence": "estimated",
                         "note": f"cohort model (policy path): BatPaC 5.2 kg/kWh of each archetype's cathode over its "
                                 f"real pack mass, weighted by end-of-life tonnes {first_year}-{last_year}"})
    return pd.DataFrame(rows)


def read_periods(folder: Path) -> tuple[tuple[int, ...], int]:
    """Periods and last-period length from ``instance.toml`` if present, else the defaults (2025..2050 by 5)."""
    toml = folder / "instance.toml"
    if toml.exists():
        model = tomllib.loads(toml.read_text()).get("model", {})
        if model.get("periods"):
            periods = tuple(int(p) for p in model["periods"])
            gaps = [b - a for a, b in zip(periods, periods[1:])]
            return periods, int(model.get("last_period_years") or (gaps[-1] if gaps else 1))
    return DEFAULT_PERIODS, DEFAULT_LAST_PERIOD_YEARS


def generate(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Compute every table this module owns; returns relative path -> DataFrame (no writing)."""
    folder = Path(folder)
    inputs = load_inputs(folder)
    periods, last_years = read_periods(folder)
    last_year = periods[-1] + last_years - 1
    regions = region_shares(inputs["prefectures"], inputs["nev_subsidies"])
    out = {"regions.csv": regions_table(inputs["prefectures"])}
    runs: dict[tuple[str, str, str], dict] = {}
    for (table, sales_path, mix, export_path), rel in SCENARIO_FILES.items():
        key = (sales_path, mix, export_path)
        if key not in runs:
            runs[key] = run(inputs, Scenario(sales_path, mix, export_path), last_year)
        note = (f"cohort model, sales path {sales_path}, chemistry mix {mix}, export path {export_path}; "
                f"annual mean over the period (last period {last_years} yr)")
        mat = runs[key]["materials"]
        out[rel] = (supply_table(mat, regions, periods, last_years, note) if table == "supply"
                    else leakage_table(mat, inputs["retention"], periods, last_years, note))
    base = runs[("policy", "base", "base")]["materials"]
    out["chemistry_metals.csv"] = chemistry_metals_table(base, periods[0], last_year)
    return out


def write(folder: str | Path) -> list[Path]:
    """Regenerate the supply-side tables of an instance folder, deterministically."""
    folder = Path(folder)
    written = []
    for rel, df in generate(folder).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m netopt.supply INSTANCE_FOLDER", file=sys.stderr)
        return 2
    try:
        written = write(argv[0])
    except (ValueError, FileNotFoundError) as e:  # bad or missing inputs: say which, no traceback
        print(f"netopt.supply: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
