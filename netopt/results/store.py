"""The run folder: its format, one writer and one reader (pandas and json only, no Pyomo).

A run folder holds one CSV per :data:`netopt.catalogue.RESULT_TABLES` entry, ``summary.json``
(status, objective, bound, gap, KPIs), ``run.json`` (the RunSpec and its id, every applied
override, solve options, model size, timings, versions) and ``solver.log``. Both JSON files carry
``format_version`` (:data:`FORMAT_VERSION`); folders written before it existed read as version 0,
which differs only in having no ``emissions.csv``. :func:`write_run` writes atomically: into a
temporary folder beside the target, moved into place only when complete. :func:`read_run`
returns a :class:`RunData`, the one object maps, reports, comparisons and studies read.

All flows are annual averages within a period (t/yr); costs are Myen/yr, and
``discounted_myen`` is the period's contribution to the objective.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from netopt.catalogue import RESULT_TABLE_NAMES

FORMAT_VERSION = 1
ID_COLUMNS = ("origin", "destination", "node_id", "site_id", "region_id")


class OutputExists(Exception):
    pass


class FormatError(Exception):
    """A run folder this version cannot read."""


@dataclass
class RunData:
    """The tables and JSON of one run, in memory (as extracted) or read back from its folder."""

    summary: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    run_info: dict = field(default_factory=dict)
    folder: Path | None = None
    markets: pd.DataFrame | None = None  # the instance's markets.csv, for their coordinates (maps)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def table(self, name: str) -> pd.DataFrame:
        """A result table, or an empty frame when the run has none (e.g. no plan was found)."""
        return self.tables.get(name, pd.DataFrame())

    @property
    def format_version(self) -> int:
        return int(self.summary.get("format_version", 0))

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
                out.update({str(k): str(v) for k, v in zip(df[key], df["name"], strict=True)})
        return out


# ---------------------------------------------------------------- writing


def check_target(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite:
        raise OutputExists(f"{out} already holds a run; pass --overwrite to replace it, or --out to write elsewhere")


def write_run(run: RunData, out: str | Path, overwrite: bool = False, log_file: Path | None = None) -> Path:
    """Write every table, summary.json, run.json (and the solver log) to ``out`` atomically."""
    out = Path(out)
    check_target(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes the folder private; a run folder is as shareable as any other
    try:
        for name, df in run.tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        for name, content in (("summary", run.summary), ("run", run.run_info)):
            body = {"format_version": FORMAT_VERSION, **content}
            (tmp / f"{name}.json").write_text(json.dumps(body, indent=2, default=_json_default) + "\n")
        if log_file and Path(log_file).exists():
            shutil.copy(log_file, tmp / "solver.log")
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _json_default(x):
    if hasattr(x, "item"):
        return x.item()
    return str(x)


# ---------------------------------------------------------------- reading


def read_run(folder: str | Path) -> RunData:
    """Load a run folder written by ``netopt solve`` (any format version up to :data:`FORMAT_VERSION`)."""
    folder = Path(folder)
    if not (folder / "summary.json").exists():
        raise FileNotFoundError(f"{folder} is not a run folder (no summary.json)")
    summary = json.loads((folder / "summary.json").read_text())
    version = int(summary.get("format_version", 0))
    if version > FORMAT_VERSION:
        raise FormatError(f"{folder} was written in run-folder format {version}; this netopt reads up to "
                          f"{FORMAT_VERSION}: update netopt")
    run_path = folder / "run.json"
    run_info = json.loads(run_path.read_text()) if run_path.exists() else {}
    tables = {name: pd.read_csv(folder / f"{name}.csv") for name in RESULT_TABLE_NAMES
              if (folder / f"{name}.csv").exists()}
    for df in tables.values():
        for col in ID_COLUMNS:
            if col in df:
                df[col] = df[col].astype("string")
    return RunData(summary=summary, tables=tables, run_info=run_info, folder=folder,
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
