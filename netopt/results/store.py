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

import contextlib
import csv
import ctypes
import fcntl
import hashlib
import io
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from netopt.catalogue import RESULT_TABLE_NAMES, RESULT_TABLES

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

    def names(self, lang: str = "en") -> dict[str, str]:
        """node id -> readable name; ``lang="ja"``: the Japanese name where the run has one (else the English)."""
        out: dict[str, str] = {}
        for df, key in ((self.markets, "market_id"), (self.table("nodes"), "node_id")):
            if df is not None and not df.empty and {"name", key} <= set(df.columns):
                name = df["name"].astype(str)
                ja = df["name_ja"].fillna("").astype(str) if lang == "ja" and "name_ja" in df else name
                names = ja.where(ja.str.strip() != "", name)
                out.update({str(k): str(v) for k, v in zip(df[key], names, strict=True)})
        return out


# ---------------------------------------------------------------- writing


class OutputLocked(OutputExists):
    """Another process is writing the same run folder."""


def is_run_folder(path: Path) -> bool:
    return path.is_dir() and (path / "run.json").is_file()


def check_target(out: Path, overwrite: bool) -> None:
    """Refuse a target that is not ours to write: a file, a folder that is not a netopt run (unless
    empty), the current folder or one above it, an unwritable place; a run only with ``overwrite``."""
    out = Path(out)
    here = Path.cwd().resolve()
    resolved = out.resolve()
    if resolved == here or resolved in here.parents:
        raise OutputRefused(f"{out} is the current folder or a folder above it; give a new folder with --out")
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise OutputRefused(f"{out} exists and is not a folder; choose another --out")
        if not is_run_folder(out):
            if any(out.iterdir()):
                raise OutputRefused(f"{out} exists and is not a netopt run folder (it has no run.json); netopt "
                                    "replaces only its own runs, even with --overwrite: choose another --out")
        elif not overwrite:
            raise OutputExists(f"{out} already holds a run; pass --overwrite to replace it, or --out to write "
                               "elsewhere")
    parent = resolved.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputRefused(f"cannot write {out}: {parent} is not a writable folder")


class OutputRefused(OutputExists):
    """The target is not a place netopt may write a run to."""


_HELD: dict[Path, int] = {}  # lock file -> depth, for the locks this process holds


@contextlib.contextmanager
def run_folder_lock(out: str | Path):
    """Hold the lock of run folder ``out`` (``.<name>.lock`` beside it) for the duration; a second
    process asking for it meanwhile gets :class:`OutputLocked`. Re-entrant within a process."""
    out = Path(out)
    lock = out.resolve().parent / f".{out.resolve().name}.lock"
    if lock in _HELD:
        _HELD[lock] += 1
        try:
            yield
        finally:
            _HELD[lock] -= 1
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise OutputLocked(f"another netopt run (pid {holder}) is writing {out}; wait for it to finish or "
                               "choose another --out") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the file was removed by its last holder between open and lock: take the new one
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _HELD[lock] = 1
    try:
        _remove_leftovers(out)
        yield
    finally:
        del _HELD[lock]
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)
        os.close(fd)


def _remove_leftovers(out: Path) -> None:
    """Temporary folders of ``out`` left by a process that was killed (only called under the lock)."""
    parent = out.resolve().parent
    for leftover in parent.glob(f".{out.resolve().name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def write_run(run: RunData, out: str | Path, overwrite: bool = False, log_file: Path | None = None,
              log_text: str | None = None) -> Path:
    """Write every table, summary.json, run.json (and the solver log) to ``out`` atomically.

    The run is written into ``.<name>.tmp-<pid>-<random>`` beside ``out`` and then takes its place in
    one rename (an exchange with the old run under ``overwrite``), under the folder's lock; a kill at
    any moment leaves ``out`` absent, the old run or the new one, never a mixture."""
    out = Path(out)
    with run_folder_lock(out):
        check_target(out, overwrite)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.resolve().name}.tmp-{os.getpid()}-", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes the folder private; a run folder is as shareable as any other
        try:
            files = {}
            for name, df in run.tables.items():
                path = tmp / f"{name}.csv"
                finite_frame(df).to_csv(path, index=False)
                files[path.name] = {"rows": len(df), "sha256": _sha256(path)}
            if log_text is not None:
                (tmp / "solver.log").write_text(log_text)
            elif log_file and Path(log_file).exists():
                shutil.copy(log_file, tmp / "solver.log")
            for name, content in (("summary", run.summary), ("run", {**run.run_info, "files": files})):
                body = {"format_version": FORMAT_VERSION, **content}
                (tmp / f"{name}.json").write_text(dump_json(body) + "\n")
            _fsync_tree(tmp)
            if out.exists():
                _exchange(tmp, out)  # tmp now holds the old run
            else:
                os.rename(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fsync_tree(folder: Path) -> None:
    for f in folder.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); elsewhere two renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            return
    old = a.with_name(a.name + "-old")
    os.rename(b, old)
    os.rename(a, b)
    os.rename(old, a)


def finite(x):
    """``x`` with every NaN or infinite float replaced by None (JSON has neither), recursively."""
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [finite(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str | bytes):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def dump_json(body) -> str:
    """Standard JSON: non-finite numbers are written as null."""
    return json.dumps(finite(body), indent=2, default=_json_default, allow_nan=False)


def finite_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A table with infinite numbers blanked (a CSV cell is a finite number or empty)."""
    numeric = df.select_dtypes("number").columns
    if len(numeric) and np.isinf(df[numeric].to_numpy(dtype=float)).any():
        df = df.copy()
        df[numeric] = df[numeric].replace([np.inf, -np.inf], np.nan)
    return df


def _json_default(x):
    if hasattr(x, "item"):
        return finite(x.item())
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


def check_run_folder(folder: str | Path) -> list[str]:
    """What is wrong with a run folder, one line each (empty: it can be read and drawn).

    Checks the format version, that summary.json and run.json parse, that a run with a plan has
    every result table, that every table parses with the same number of fields on every line and
    has its key columns, and that each still matches the checksum run.json recorded for it."""
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder} is not a run folder (no such folder)"]
    problems: list[str] = []
    summary = _json_file(folder / "summary.json", problems)
    if summary is None:
        return problems
    if not isinstance(summary, dict) or "status" not in summary:
        return [f"{folder / 'summary.json'}: holds no status; the run folder is damaged, solve again"]
    version = summary.get("format_version", 0)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        return [f"{folder}: run-folder format {version!r}; this netopt reads up to {FORMAT_VERSION}: update netopt"]
    run_info = _json_file(folder / "run.json", problems) if version >= 1 or (folder / "run.json").exists() else {}
    if "kpis" not in summary:
        return problems  # a run without a plan has no tables
    files = run_info.get("files", {}) if isinstance(run_info, dict) else {}
    for table in RESULT_TABLES:
        if version == 0 and table.name == "emissions":
            continue
        path = folder / table.file
        if not path.is_file():
            problems.append(f"{path}: missing; the run folder is incomplete, solve again")
            continue
        problems += _table_problems(path, table.key)
        recorded = files.get(table.file, {}).get("sha256") if isinstance(files.get(table.file), dict) else None
        if recorded and recorded != _sha256(path):
            problems.append(f"{path}: changed or truncated since netopt wrote it (checksum differs); solve again")
    return problems


def _json_file(path: Path, problems: list[str]):
    if not path.is_file():
        problems.append(f"{path.parent} is not a run folder (no {path.name})")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        problems.append(f"{path}: not valid JSON ({e}); the run folder is damaged, solve again")
        return None


def _table_problems(path: Path, key: tuple[str, ...]) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error) as e:
        return [f"{path}: cannot be read as CSV ({e}); solve again"]
    if not rows:
        return [f"{path}: empty (not even a header); solve again"]
    header = rows[0]
    missing = [k for k in key if k not in header]
    if missing:
        return [f"{path}: lacks the key column(s) {', '.join(missing)}; solve again"]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            return [f"{path}:{line}: has {len(row)} fields, the header {len(header)} (truncated?); solve again"]
    return []


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
