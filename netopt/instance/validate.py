"""Checks of an instance's tables against the schema and each other, and the problems they report.

Every check collects *all* problems at once, each a :class:`Problem` printed as
``file:line: column: problem (got value)``; :class:`InstanceError` carries the list. The checks
run on load (:mod:`netopt.instance.io`) and again after overrides (:mod:`netopt.instance.overrides`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from netopt.instance.schema import TABLES, Column, Table
from netopt.instance.settings import Settings

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


class OverrideError(InstanceError):
    """An override (``--set``, a run spec, a scenario body) is malformed or cannot be applied."""


def validation_problems(error, file: str, prefix: str = "", text: str = "", line_of=None) -> list[Problem]:
    """The problems of a pydantic ``ValidationError``, one per error, located at ``prefix.loc``."""
    problems = []
    for err in error.errors():
        key = ".".join(str(x) for x in (prefix, *err["loc"]) if x != "")
        value = err.get("input")
        problems.append(Problem(file, line_of(text, err["loc"]) if line_of else None, key,
                                err["msg"].replace("Value error, ", ""), None if isinstance(value, dict) else value))
    return problems


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
