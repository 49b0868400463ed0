"""Reading and validating an instance folder.

An instance is a folder with ``instance.toml`` (settings and named scenarios) and one
CSV file per table of :mod:`netopt.schema`. :func:`load_instance` reads it, checks every
cell against the schema and raises :class:`InstanceError` listing *all* problems at once,
each as ``file:line: column: problem (got value)``.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from netopt.schema import TABLES, Column, Table
from netopt.settings import Settings

SETTINGS_FILE = "instance.toml"
LINE = "_line"  # hidden column: line of the row in its CSV file (header = line 1)
ORIGIN = "_file"  # hidden column: file the row came from


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str
    message: str
    value: object = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        got = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.column}: {self.message}{got}"


class InstanceError(Exception):
    """The instance has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Instance:
    """Settings, tables and scenario definitions of one instance."""

    path: Path
    settings: Settings
    tables: dict[str, pd.DataFrame]
    scenarios: dict[str, dict] = field(default_factory=dict)
    scenario: str = "base"
    overrides: list[str] = field(default_factory=list)
    inputs_hash: str = ""

    @property
    def name(self) -> str:
        return self.settings.meta.name or self.path.name

    def table(self, name: str) -> pd.DataFrame:
        """A table without its bookkeeping columns."""
        df = self.tables[name]
        return df.drop(columns=[c for c in (LINE, ORIGIN) if c in df.columns])

    def copy(self) -> "Instance":
        return Instance(self.path, self.settings.model_copy(deep=True),
                        {k: v.copy() for k, v in self.tables.items()}, copy.deepcopy(self.scenarios),
                        self.scenario, list(self.overrides), self.inputs_hash)


# ---------------------------------------------------------------- reading


def load_instance(path: str | Path) -> Instance:
    """Read and validate the instance folder at ``path``."""
    path = Path(path)
    if not path.is_dir():
        raise InstanceError([Problem(str(path), None, "-", "no such instance folder; give the folder that holds "
                                     f"{SETTINGS_FILE} and the CSV tables")])
    problems: list[Problem] = []
    settings, scenarios = read_settings(path / SETTINGS_FILE, problems)
    tables = {t.name: read_table(path, t, problems) for t in TABLES}
    if settings is not None:
        problems += check_tables(tables, settings)
    if problems:
        raise InstanceError(problems)
    return Instance(path, settings, tables, scenarios, inputs_hash=hash_inputs(path))


def read_settings(file: Path, problems: list[Problem]) -> tuple[Settings | None, dict]:
    if not file.exists():
        problems.append(Problem(str(file), None, "-", "settings file is missing; create it with at least "
                                "[model] periods = [...]"))
        return None, {}
    text = file.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        problems.append(Problem(str(file), int(m.group(1)) if m else None, "-", f"not valid TOML: {e}"))
        return None, {}
    scenarios = raw.pop("scenarios", {})
    settings = settings_from_dict(raw, str(file), text, problems)
    return settings, scenarios


def settings_from_dict(raw: dict, file: str, text: str, problems: list[Problem]) -> Settings | None:
    try:
        return Settings.model_validate(raw)
    except ValidationError as e:
        for err in e.errors():
            key = ".".join(str(x) for x in err["loc"])
            problems.append(Problem(file, _toml_line(text, err["loc"]), key, err["msg"].replace("Value error, ", ""),
                                    err.get("input") if not isinstance(err.get("input"), dict) else None))
        return None


def _toml_line(text: str, loc: tuple) -> int | None:
    """Best-effort line of a key in a TOML text (tomllib does not report positions)."""
    names = [x for x in loc if isinstance(x, str)]
    if not names:
        return None
    pattern = re.compile(rf"^\s*\"?{re.escape(names[-1])}\"?\s*=", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def read_table(folder: Path, table: Table, problems: list[Problem], file: Path | None = None) -> pd.DataFrame:
    """Read one CSV table, coercing each cell to its declared type and filling defaults."""
    file = file or folder / table.file
    shown = str(file)
    empty = _empty_frame(table)
    if not file.exists():
        if not table.optional:
            problems.append(Problem(shown, None, "-", f"required table is missing; create {table.file} with "
                                    f"columns {', '.join(c.name for c in table.columns if c.required)}"))
        return empty
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, skipinitialspace=True, comment=None)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        problems.append(Problem(shown, None, "-", f"cannot be read as CSV: {e}"))
        return empty
    raw.columns = [c.strip() for c in raw.columns]
    known = {c.name for c in table.all_columns()}
    for name in raw.columns:
        if name not in known:
            problems.append(Problem(shown, 1, name, f"unknown column; expected one of {sorted(known)}"))
    for col in table.columns:
        if col.required and col.name not in raw.columns:
            problems.append(Problem(shown, 1, col.name, f"required column is missing ({col.unit}: {col.description})"))
    df = pd.DataFrame({LINE: range(2, len(raw) + 2)}, index=raw.index)
    df[ORIGIN] = shown
    for col in table.all_columns():
        if col.name in raw.columns:
            df[col.name] = _coerce(raw[col.name], col, shown, df[LINE], problems)
        elif not col.required:
            df[col.name] = col.default
        else:  # reported above; keep the column so that the other checks can still run
            df[col.name] = None
    return df.reset_index(drop=True)


def _empty_frame(table: Table) -> pd.DataFrame:
    dtypes = {"str": object, "float": float, "int": "int64"}
    cols = {c.name: pd.Series(dtype=dtypes[c.dtype]) for c in table.all_columns()}
    return pd.DataFrame({LINE: pd.Series(dtype="int64"), ORIGIN: pd.Series(dtype=object), **cols})


_INF_WORDS = {"inf", "infinity", "unlimited"}


def _coerce(values: pd.Series, col: Column, file: str, lines: pd.Series, problems: list[Problem]) -> pd.Series:
    """Convert the text cells of one column; record one problem per bad cell."""
    out = []
    for text, line in zip(values, lines):
        text = text.strip()
        if text == "":
            if col.required:
                problems.append(Problem(file, line, col.name, f"value is required ({col.unit}: {col.description})"))
                out.append(None)
            else:
                out.append(col.default)
            continue
        if col.dtype == "str":
            out.append(text)
            continue
        try:
            number = math.inf if text.lower() in _INF_WORDS else float(text.replace("_", ""))
        except ValueError:
            problems.append(Problem(file, line, col.name, f"not a number; write a {col.dtype} in {col.unit}", text))
            out.append(None)
            continue
        if col.dtype == "int":
            if not number.is_integer():
                problems.append(Problem(file, line, col.name, "must be a whole number", text))
                out.append(None)
                continue
            number = int(number)
        out.append(number)
    series = pd.Series(out, index=values.index, dtype=object)
    if col.dtype == "float":
        return pd.to_numeric(series, errors="coerce").astype(float)
    if col.dtype == "int":
        return pd.to_numeric(series, errors="coerce").fillna(-1).astype("int64")
    return series.astype(object)


# ---------------------------------------------------------------- checking


def check_tables(tables: dict[str, pd.DataFrame], settings: Settings) -> list[Problem]:
    """Range, choice, key and reference checks over all tables (also run after scenarios)."""
    problems: list[Problem] = []
    keys = {"settings.periods": set(settings.model.periods)}
    for t in TABLES:
        df = tables[t.name]
        for col in t.key:
            keys[f"{t.name}.{col}"] = set(df[col].dropna())
    for t in TABLES:
        df = tables[t.name]
        for col in t.all_columns():
            problems += _check_column(df, col, keys)
        problems += _check_key(df, t)
    problems += _check_cross(tables)
    return problems


def _rows(df: pd.DataFrame, mask: pd.Series):
    for _, row in df[mask].iterrows():
        yield row


def _problem(row, column: str, message: str, value=None) -> Problem:
    line = row.get(LINE)
    return Problem(row.get(ORIGIN, "?"), int(line) if pd.notna(line) and line > 0 else None, column, message, value)


def _check_column(df: pd.DataFrame, col: Column, keys: dict[str, set]) -> list[Problem]:
    problems = []
    if col.name not in df.columns or df.empty:
        return problems
    values = df[col.name]
    if col.dtype in ("float", "int"):
        numbers = pd.to_numeric(values, errors="coerce")
        if col.minimum is not None:
            for row in _rows(df, numbers < col.minimum):
                problems.append(_problem(row, col.name, f"must be at least {col.minimum} {col.unit}", row[col.name]))
        if col.maximum is not None:
            for row in _rows(df, numbers > col.maximum):
                problems.append(_problem(row, col.name, f"must be at most {col.maximum} {col.unit}", row[col.name]))
    if col.choices is not None:
        for row in _rows(df, values.notna() & ~values.isin(col.choices)):
            problems.append(_problem(row, col.name, f"must be one of {[c for c in col.choices if c]}", row[col.name]))
    if col.references is not None:
        allowed = keys.get(col.references, set())
        for row in _rows(df, values.notna() & ~values.isin(allowed)):
            problems.append(_problem(row, col.name, f"unknown; must be one of {col.references} "
                                     f"({_preview(allowed)})", row[col.name]))
    return problems


def _preview(values: set) -> str:
    items = sorted(map(str, values))
    return ", ".join(items[:8]) + (", ..." if len(items) > 8 else "") if items else "none defined"


def _check_key(df: pd.DataFrame, t: Table) -> list[Problem]:
    if df[list(t.key)].isna().all().any():
        return []
    dup = df.duplicated(list(t.key), keep="first")
    return [_problem(row, "+".join(t.key), "duplicate key; each combination may appear once",
                     tuple(row[k] for k in t.key)) for row in _rows(df, dup)]


def _check_cross(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Checks that involve two tables at once."""
    problems = []
    ids: dict[str, str] = {}
    for name, col in (("regions", "region_id"), ("sites", "site_id"), ("demand_sites", "site_id"),
                      ("ports", "port_id"), ("markets", "market_id")):
        for row in _rows(tables[name], pd.Series(True, index=tables[name].index)):
            if row[col] in ids and ids[row[col]] != name:
                problems.append(_problem(row, col, f"id is already used in {ids[row[col]]}.csv; node ids must be "
                                         "unique across regions, sites, demand sites, ports and markets", row[col]))
            ids.setdefault(row[col], name)
    trade = tables["trade"]
    chems = set(tables["chemistries"]["chemistry"])
    metals = set(tables["metals"]["metal"])
    for row in _rows(trade, pd.Series(True, index=trade.index)):
        allowed = metals if row["stage"] == "metal" else chems
        if row["material"] not in allowed:
            kind = "metal" if row["stage"] == "metal" else "chemistry"
            problems.append(_problem(row, "material", f"unknown {kind} for stage {row['stage']}; must be one of "
                                     f"{_preview(allowed)}", row["material"]))
    sites = tables["sites"]
    kinds_with_options = set(tables["capacity_options"]["kind"])
    for row in _rows(sites, (sites["candidate"] == 1) & ~sites["kind"].isin(kinds_with_options)):
        problems.append(_problem(row, "candidate", f"no capacity option for kind {row['kind']!r}; add one to "
                                 "capacity_options.csv or set candidate to 0"))
    for row in _rows(sites, (sites["candidate"] == 0) & (sites["existing_capacity_t_per_yr"] <= 0)):
        problems.append(_problem(row, "existing_capacity_t_per_yr", "a site that is not a candidate needs "
                                 "existing capacity", row["existing_capacity_t_per_yr"]))
    for table in ("facility_kinds",):
        missing = set(sites["kind"]) - set(tables[table]["kind"])
        for kind in sorted(missing):
            problems.append(Problem(f"{table}.csv", None, "kind", f"kind {kind!r} is used in sites.csv but has no "
                                    "row here; add its processing cost"))
    return problems


# ---------------------------------------------------------------- hashing


def hash_inputs(path: Path) -> str:
    """SHA-256 over the settings file and every CSV table, in a fixed order."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".csv", ".toml")):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()

