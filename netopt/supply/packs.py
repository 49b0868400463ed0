"""Packs: the chemistry mix of each cohort, the pack and metal content per vehicle, the tonnes leaving the fleet."""

from __future__ import annotations

import numpy as np
import pandas as pd

from netopt.supply.cohorts import _interpolate

METALS = ("li", "ni", "co", "mn")


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
    shares = contents.assign(mass_share=contents["pack_t_per_veh"] / g)
    return shares[["powertrain", "cohort", "chemistry", "mass_share"]]


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
