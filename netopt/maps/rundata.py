"""Read a run folder with pandas only (no Pyomo), and resolve coordinates of every node.

A run folder holds the CSV tables and ``summary.json`` written by :mod:`netopt.results`;
``run.json`` names the instance, whose ``markets.csv`` gives the coordinates of the
overseas markets (they are not in ``nodes.csv``).  When the instance cannot be found the
market legs are still counted in tables and popups, only not drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

TABLES = ("facilities", "flows", "metals", "costs", "regions", "nodes")

# leg -> (stage key, drawn?) ; the stage keys are the map's flow layers
LEG_STAGE = {
    "collect": "collect",
    "hub_to_pretreatment": "hub_to_pretreatment",
    "pretreatment_to_refinery": "black_mass",
    "refinery_to_demand": "metal",
    "import_pack": "trade",
    "import_black_mass": "trade",
    "export_black_mass": "trade",
    "export_metal": "trade",
    "import_market": "trade",
    "export_market": "trade",
    "reuse": "reuse",
}

STAGE_LABELS = {
    "collect": "Packs: regions to hubs",
    "hub_to_pretreatment": "Packs: hubs to pre-treatment",
    "black_mass": "Black mass to refineries",
    "metal": "Metal to demand",
    "trade": "Imports and exports (ports, sea)",
    "reuse": "Packs sold for reuse",
}

LEG_LABELS = {
    "collect": "collection",
    "hub_to_pretreatment": "hub to pre-treatment",
    "pretreatment_to_refinery": "black mass to refinery",
    "refinery_to_demand": "metal to demand",
    "import_pack": "imported packs from port",
    "import_black_mass": "imported black mass from port",
    "export_black_mass": "black mass to export port",
    "export_metal": "metal to export port",
    "import_market": "import by sea",
    "export_market": "export by sea",
    "reuse": "sold for reuse",
}

KIND_LABELS = {"hub": "Collection hub", "pretreatment": "Black-mass plant (pre-treatment)", "refinery": "Refinery"}


@dataclass
class RunData:
    """Everything a map or report needs from one run folder."""

    folder: Path
    summary: dict
    run_info: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    markets: pd.DataFrame | None = None

    def table(self, name: str) -> pd.DataFrame:
        """A result table, or an empty frame when the run has none (e.g. no plan was found)."""
        return self.tables.get(name, pd.DataFrame())

    @property
    def title(self) -> str:
        return f"{self.summary.get('instance', '?')} / {self.summary.get('scenario', '?')}"

    @property
    def periods(self) -> list[int]:
        """Planning periods present in the results, in order."""
        found: set[int] = set()
        for name in ("regions", "facilities", "flows", "metals"):
            df = self.table(name)
            if "period" in df:
                found.update(int(p) for p in df["period"].dropna().unique())
        return sorted(found)

    def coordinates(self) -> dict[str, tuple[float, float]]:
        """node id -> (lat, lon) for every node that can be placed, markets included."""
        coords: dict[str, tuple[float, float]] = {}
        for df, key in ((self.markets, "market_id"), (self.table("nodes"), "node_id")):
            if df is None or df.empty or key not in df:
                continue
            for row in df.dropna(subset=["lat", "lon"]).itertuples(index=False):
                coords[str(getattr(row, key))] = (float(row.lat), float(row.lon))
        return coords

    def names(self) -> dict[str, str]:
        """node id -> readable name."""
        out: dict[str, str] = {}
        for df, key in ((self.markets, "market_id"), (self.table("nodes"), "node_id")):
            if df is not None and not df.empty and {"name", key} <= set(df.columns):
                out.update({str(k): str(v) for k, v in zip(df[key], df["name"])})
        return out


def read_run(folder: str | Path) -> RunData:
    """Load a run folder written by ``netopt solve`` (pandas only)."""
    folder = Path(folder)
    if not (folder / "summary.json").exists():
        raise FileNotFoundError(f"{folder} is not a run folder (no summary.json)")
    summary = json.loads((folder / "summary.json").read_text())
    run_path = folder / "run.json"
    run_info = json.loads(run_path.read_text()) if run_path.exists() else {}
    tables = {name: pd.read_csv(folder / f"{name}.csv") for name in TABLES if (folder / f"{name}.csv").exists()}
    for df in tables.values():
        for col in ("origin", "destination", "node_id", "site_id", "region_id"):
            if col in df:
                df[col] = df[col].astype("string")
    return RunData(folder=folder, summary=summary, run_info=run_info, tables=tables,
                   markets=_read_markets(folder, run_info))


def _read_markets(folder: Path, run_info: dict) -> pd.DataFrame | None:
    """markets.csv of the run's instance: beside the run, at instance_path, or relative to the run folder."""
    candidates = [folder / "markets.csv"]
    instance_path = run_info.get("instance_path")
    if instance_path:
        p = Path(instance_path)
        candidates += [p / "markets.csv"] if p.is_absolute() else [
            Path.cwd() / p / "markets.csv", *(parent / p / "markets.csv" for parent in folder.resolve().parents)]
    for path in candidates:
        if path.exists():
            df = pd.read_csv(path)
            if {"market_id", "lat", "lon"} <= set(df.columns):
                df["market_id"] = df["market_id"].astype(str)
                return df
    return None


def drawable_flows(run: RunData, period: int | None = None) -> pd.DataFrame:
    """Flows aggregated to one line per (leg, origin, destination, period), with the map layer.

    ``materials`` lists (commodity, material, tonnes) of the line.

    Rows whose two ends cannot be placed (reuse, markets of an instance not found) are dropped;
    they still appear in popups and in the report.
    """
    flows = run.table("flows")
    if flows.empty:
        return pd.DataFrame(columns=["leg", "origin", "destination", "period", "tonnes_per_yr", "materials", "layer"])
    if period is not None:
        flows = flows[flows["period"] == period]
    coords = run.coordinates()
    keep = flows["origin"].isin(coords.keys()) & flows["destination"].isin(coords.keys())
    flows = flows[keep]
    if flows.empty:
        return pd.DataFrame(columns=["leg", "origin", "destination", "period", "tonnes_per_yr", "materials", "layer"])
    grouped = flows.groupby(["leg", "origin", "destination", "period"], sort=True)
    out = grouped["tonnes_per_yr"].sum().reset_index()
    out["materials"] = [
        [(_commodity(s), str(m), float(t)) for s, m, t in zip(g.get("stage", [""] * len(g)), g["material"],
                                                              g["tonnes_per_yr"])]
        for _, g in grouped]
    out["layer"] = out["leg"].map(LEG_STAGE).fillna("trade")
    return out


def _commodity(stage) -> str:
    """'black_mass' -> 'black mass'; '' for a missing value."""
    return "" if stage is None or stage != stage else str(stage).replace("_", " ")


def facilities_in(run: RunData, period: int) -> pd.DataFrame:
    """Facilities that have capacity in a period (those not yet built are not drawn)."""
    fac = run.table("facilities")
    if fac.empty:
        return fac
    return fac[(fac["period"] == period) & (fac["capacity_t_per_yr"] > 1e-9)].dropna(subset=["lat", "lon"])
