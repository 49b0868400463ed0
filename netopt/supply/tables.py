"""The core model's tables from the supply model's material flows: periods, supply, leakage, metal content."""

from __future__ import annotations

import numpy as np
import pandas as pd

from netopt.catalogue import period_years
from netopt.supply.packs import METALS

MODEL_SOURCE = "sup-netopt-est"


def period_of(years: pd.Series, periods: tuple[int, ...], last_years: int) -> pd.Series:
    """Model period each year belongs to (NaN outside the horizon); the last period spans ``last_years``."""
    edges = list(periods) + [periods[-1] + last_years]
    idx = np.searchsorted(edges, years.to_numpy(), side="right") - 1
    ok = (idx >= 0) & (idx < len(periods))
    return pd.Series(np.where(ok, np.array(periods)[np.clip(idx, 0, len(periods) - 1)], np.nan), index=years.index)


def period_lengths(periods: tuple[int, ...], last_years: int) -> dict[int, int]:
    """Years each period stands for."""
    return period_years(periods, last_years)


def annual_by_period(mat: pd.DataFrame, periods: tuple[int, ...], last_years: int, by: list[str],
                     value: str = "pack_t") -> pd.DataFrame:
    r"""Annual average of ``value`` over each period: :math:`\bar v_p = \sum_{y \in p} v_y / n_p`."""
    df = mat.assign(period=period_of(mat["year"], periods, last_years)).dropna(subset=["period"])
    df["period"] = df["period"].astype(int)
    out = df.groupby(by + ["period"], as_index=False)[value].sum()
    out[value] = out[value] / out["period"].map(period_lengths(periods, last_years))
    return out


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
    r"""The core model's ``leakage`` table, in tonnes of pack:
    :math:`L_p = exported_p / (exported_p + domestic\_eol_p)`."""
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
