"""Synthetic instances of any size, for benchmarks and scaling tests.

``python -m netopt.tools.synthetic OUT --regions 200 --hubs 60 --plants 15 --refineries 6 --seed 1``

The numbers are drawn at random within ranges borrowed from the toy's orders of magnitude;
they carry no real-world meaning and are labelled so in every row's ``note``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

LAT, LON = (31.0, 43.0), (130.0, 142.0)  # a box around Japan's main islands
NOTE = "synthetic: random value for benchmarks, no real-world meaning"


def write_synthetic(out: Path, regions: int = 50, hubs: int = 20, plants: int = 8, refineries: int = 4,
                    demand_sites: int = 6, periods: tuple[int, ...] = (2025, 2030, 2035), seed: int = 0) -> Path:
    """Write a random but well-formed instance folder to ``out``."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def points(prefix: str, n: int) -> pd.DataFrame:
        return pd.DataFrame({"id": [f"{prefix}{i:04d}" for i in range(n)], "lat": rng.uniform(*LAT, n).round(4),
                             "lon": rng.uniform(*LON, n).round(4)})

    def save(name: str, df: pd.DataFrame) -> None:
        df.assign(note=NOTE).to_csv(out / f"{name}.csv", index=False)

    reg = points("R", regions)
    save("regions", reg.rename(columns={"id": "region_id"}))
    chem = pd.DataFrame({"chemistry": ["NMC", "LFP"], "black_mass_yield_t_per_t": [0.38, 0.35]})
    save("chemistries", chem)
    save("chemistry_metals", pd.DataFrame({"chemistry": ["NMC", "NMC", "NMC", "LFP"], "metal": ["Ni", "Co", "Li", "Li"],
                                           "content_kg_per_t_pack": [150, 50, 20, 12]}))
    save("metals", pd.DataFrame({"metal": ["Ni", "Co", "Li"], "recovery_share": [0.95, 0.95, 0.85]}))
    save("metal_prices", pd.DataFrame([(m, p, price) for m, price in (("Ni", 2.4), ("Co", 5.0), ("Li", 1.5))
                                       for p in periods], columns=["metal", "period", "virgin_price_myen_per_t"]))
    growth = {p: 1.0 + 0.6 * i for i, p in enumerate(periods)}
    supply = [(r, c, p, round(float(rng.gamma(2.0, 60.0) * growth[p] * share), 2))
              for r in reg["id"] for c, share in (("NMC", 0.7), ("LFP", 0.3)) for p in periods]
    save("supply", pd.DataFrame(supply, columns=["region_id", "chemistry", "period", "eol_packs_t_per_yr"]))
    save("leakage", pd.DataFrame({"period": list(periods), "leakage_share": 0.5, "retention_cost_myen_per_t": 0.25}))
    save("facility_kinds", pd.DataFrame({"kind": ["hub", "pretreatment", "refinery"],
                                         "processing_cost_myen_per_t": [0.02, 0.2, 0.4],
                                         "co2_t_per_t": [0.0, 0.1, 0.5]}))
    options = [("hub", "S", 1500, 300, 15), ("hub", "L", 6000, 800, 40),
               ("pretreatment", "S", 5000, 4000, 160), ("pretreatment", "L", 15000, 9000, 360),
               ("refinery", "S", 3000, 9000, 360), ("refinery", "L", 10000, 22000, 880)]
    save("capacity_options", pd.DataFrame([(k, s, c, x, f, 15) for k, s, c, x, f in options],
                                          columns=["kind", "size", "capacity_t_per_yr", "capex_myen",
                                                   "fixed_om_myen_per_yr", "lifetime_yr"]))
    sites = []
    for kind, n in (("hub", hubs), ("pretreatment", plants), ("refinery", refineries)):
        pts = points(kind[:3].upper(), n)
        for _, row in pts.iterrows():
            sites.append((row["id"], kind, row["lat"], row["lon"], 1, round(float(rng.uniform(0.8, 1.2)), 3)))
    save("sites", pd.DataFrame(sites, columns=["site_id", "kind", "lat", "lon", "candidate", "capex_factor"]))
    dem = points("D", demand_sites)
    save("demand_sites", dem.rename(columns={"id": "site_id"}))
    save("demand", pd.DataFrame([(s, m, p, round(float(rng.uniform(100, 600) * base), 1))
                                 for s in dem["id"] for m, base in (("Ni", 1.0), ("Co", 0.3), ("Li", 0.2))
                                 for p in periods], columns=["site_id", "metal", "period", "demand_t_per_yr"]))
    save("transport", pd.DataFrame({"stage": ["pack", "black_mass", "metal"], "cost_yen_per_t_km": [36, 30, 25],
                                    "handling_yen_per_t": [25000, 15000, 10000],
                                    "hazardous_premium_share": [0.3, 0.1, 0.0], "co2_kg_per_t_km": [0.1, 0.1, 0.1]}))
    (out / "instance.toml").write_text(
        f'[meta]\nname = "{out.name}"\ndescription = "Synthetic instance ({regions} regions, seed {seed}); '
        f'no real-world meaning."\n\n[model]\nperiods = {list(periods)}\nlast_period_years = 5\n'
        f'discount_rate = 0.03\n\n[network]\nk_nearest = 5\n')
    return out


def main() -> None:  # pragma: no cover - thin wrapper
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    for name, default in (("regions", 50), ("hubs", 20), ("plants", 8), ("refineries", 4), ("seed", 0)):
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    write_synthetic(a.out, a.regions, a.hubs, a.plants, a.refineries, seed=a.seed)
    print(a.out)


if __name__ == "__main__":  # pragma: no cover
    main()
