"""Where in Japan the packs arise: the regional key and the core model's ``regions`` table."""

from __future__ import annotations

import pandas as pd


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


def regions_table(prefectures: pd.DataFrame) -> pd.DataFrame:
    """``regions.csv``: the 47 prefectures with their Japanese names, the coordinates of their prefectural office
    and their land mass."""
    blank = pd.Series("", index=prefectures.index)
    return pd.DataFrame({"region_id": prefectures["jis_code"].map(lambda j: f"JP{int(j):02d}"),
                         "name": prefectures["name_en"], "name_ja": prefectures.get("name_ja", blank),
                         "lat": prefectures["lat"], "lon": prefectures["lon"],
                         "landmass": prefectures.get("landmass", blank.replace("", "main")),
                         "source_id": prefectures["source_id"], "confidence": prefectures["confidence"],
                         "note": prefectures["note"]})
