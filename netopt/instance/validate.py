"""Checks of an instance's tables against the schema and each other, and the problems they report.

Every check collects *all* problems at once, each a :class:`Problem` printed as
``file:line: column: problem (got value)``; :class:`InstanceError` carries the list. The checks
run on load (:mod:`netopt.instance.io`) and again after overrides (:mod:`netopt.instance.overrides`).

What the checks are is declared in :mod:`netopt.instance.schema`: each column's type, range, choices
and reference (``references``), each table's key and coverage rule (``Coverage``: which key
combinations must be present, and whether a missing one is an error or a default that
:func:`complete_tables` fills in and reports as a warning). A cell that could not be read is None
and is not checked again, so that one mistake gives one message. Unknown ids get a "did you mean".
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from netopt.instance.crosscheck import check_cross, node_roles, unbuilt_arc_warnings
from netopt.instance.problems import (
    LINE,
    ORIGIN,
    Columns,
    InstanceError,
    OverrideError,
    Problem,
    _preview,
    _records,
    _where,
    as_lists,
    condensed,
    suggest,
    validation_problems,
)
from netopt.instance.schema import MAX_MAGNITUDE, TABLES, Column, Table
from netopt.instance.settings import Settings

__all__ = ["LINE", "ORIGIN", "InstanceError", "OverrideError", "Problem", "check_tables", "complete_tables",
           "condensed", "node_roles", "suggest", "typed", "validation_problems"]


# ---------------------------------------------------------------- the checks


def check_tables(tables: dict[str, pd.DataFrame], settings: Settings | None, meta: dict | None = None) -> list[Problem]:
    """Type, range, choice, key, reference, coverage and cross-table checks over all tables.

    ``meta`` (from reading) names tables that could not be read and columns with unreadable cells:
    no check that would only repeat those problems runs on them."""
    meta = meta or {}
    frames = tables
    tables = {n: meta[n]["lists"] if "lists" in meta.get(n, {}) else df.to_dict("list") for n, df in frames.items()}
    problems: list[Problem] = []
    domains: dict[str, set] = {"nodes": set(node_roles(tables))}
    if settings is not None:
        domains["settings.periods"] = set(settings.model.periods)
    for t in TABLES:
        df = tables[t.name]
        info = meta.get(t.name, {})
        if info.get("broken") or (not df[LINE] and not (t.optional or t.may_be_empty)):
            continue  # no reference to it is checked: each would only repeat that the table is unusable
        for col in t.columns:
            if col.name not in info.get("bad", ()):
                domains[f"{t.name}.{col.name}"] = {v for v in df[col.name] if v is not None and v == v}
    faulty: set[str] = set()
    for t in TABLES:
        df = tables[t.name]
        found: list[Problem] = []
        for col in t.all_columns():
            found += _check_column(df, col, domains)
        found += _check_key(df, t)
        problems += found
        if found or meta.get(t.name, {}).get("read_problems") or meta.get(t.name, {}).get("broken"):
            faulty.add(t.name)
    problems += check_cross(tables)
    for t in TABLES:
        if t.coverage and t.coverage.is_error and not _skip_coverage(t, tables, faulty, settings):
            problems += _missing_problems(t, tables, domains)
    del frames
    return problems


def _check_column(df: Columns, col: Column, domains: dict[str, set]) -> list[Problem]:
    problems: list[Problem] = []
    if col.name not in df or not df[col.name]:
        return problems
    values = df[col.name]
    for i, v in enumerate(values):
        if v is None:
            continue  # could not be read: reported already
        message = _cell_problem(v, col, domains)
        if message:
            file, line = _where(df, i)
            problems.append(Problem(file, line, col.name, message, v))
    return problems


def _cell_problem(v, col: Column, domains: dict[str, set]) -> str | None:
    if col.dtype == "str":
        if not isinstance(v, str):
            return f"must be text ({col.description})"
        if v == "" and not col.required:
            return None
        if col.choices is not None and v not in col.choices:
            return f"must be one of {', '.join(c for c in col.choices if c)}{suggest(v, col.choices)}"
        if col.references and col.references in domains:
            allowed = domains[col.references]
            if v not in allowed:
                what = "node id (of regions, sites, demand sites or ports)" if col.references == "nodes" else \
                    f"id; must be one of {col.references} ({_preview(allowed)})"
                return f"unknown {what}{suggest(v, allowed)}"
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        return f"must be a number in {col.unit}"
    if math.isnan(v):
        return None if col.blank_means_none else f"not a number; write a number in {col.unit}"
    if math.isinf(v):
        if not (col.allow_inf and v > 0):
            return f"must be finite (at most {MAX_MAGNITUDE:g} in magnitude)"
    elif abs(v) > MAX_MAGNITUDE:
        return f"too large: numbers here are at most {MAX_MAGNITUDE:g} in magnitude" + (
            "; write inf for no limit" if col.allow_inf else "")
    if col.dtype == "int" and not float(v).is_integer():
        return "must be a whole number"
    if col.minimum is not None and v < col.minimum:
        return f"must be at least {col.minimum} {col.unit}"
    if col.maximum is not None and v > col.maximum:
        return f"must be at most {col.maximum} {col.unit}"
    if col.references == "settings.periods" and "settings.periods" in domains and v not in domains[col.references]:
        allowed = domains[col.references]
        return f"unknown; must be one of settings.periods ({_preview(allowed)}){suggest(v, allowed)}"
    return None


def _check_key(df: Columns, t: Table) -> list[Problem]:
    seen: set = set()
    out = []
    for i, key in enumerate(_records(df, list(t.key))):
        if any(k is None or k != k for k in key):
            continue
        if key in seen:
            file, line = _where(df, i)
            out.append(Problem(file, line, "+".join(t.key), "duplicate key; each combination may appear once",
                               key if len(key) > 1 else key[0]))
        seen.add(key)
    return out


# ---------------------------------------------------------------- coverage


def coverage_domains(t: Table, domains: dict[str, set]) -> list[tuple[str, list]]:
    """(column, sorted values) whose product a table must cover."""
    explicit = dict(t.coverage.domains)
    out = []
    for name in t.coverage.over:
        col = t.column(name)
        source = explicit.get(name) or col.references
        values = domains.get(source, set()) if source else set(c for c in col.choices or () if c)
        out.append((name, sorted(values, key=str)))
    return out


def missing_keys(t: Table, tables: dict[str, Columns], domains: dict[str, set]) -> list[tuple]:
    over = list(t.coverage.over)
    present = set(_records(tables[t.name], over))
    wanted = [values for _, values in coverage_domains(t, domains)]
    return [k for k in itertools.product(*wanted) if k not in present]


def _skip_coverage(t: Table, tables: dict[str, Columns], faulty: set[str], settings: Settings | None) -> bool:
    """No coverage check where it would only repeat another problem (or the table is absent and optional)."""
    if t.optional and not tables[t.name][LINE]:
        return True  # an optional table without rows is as good as absent
    sources = [dict(t.coverage.domains).get(c) or t.column(c).references for c in t.coverage.over]
    if settings is None and "settings.periods" in sources:
        return True
    return t.name in faulty or any(s and s.split(".")[0] in faulty for s in sources)


def _combos(keys: list[tuple], n: int = 4) -> str:
    shown = ", ".join("(" + ", ".join(map(str, k)) + ")" if len(k) > 1 else str(k[0]) for k in keys[:n])
    return shown + (f" and {len(keys) - n} more" if len(keys) > n else "")


def _missing_problems(t: Table, tables: dict[str, Columns], domains: dict[str, set]) -> list[Problem]:
    missing = missing_keys(t, tables, domains)
    if not missing:
        return []
    over = " x ".join(t.coverage.over)
    total = math.prod(len(v) for _, v in coverage_domains(t, domains))
    file = _file_of(t, tables)
    rule = t.coverage.meaning.removeprefix("error: ")
    return [Problem(file, None, "+".join(t.coverage.over), f"{len(missing)} of {total} {over} combinations have "
                    f"no row: {_combos(missing)}; add them ({rule})")]


def _file_of(t: Table, tables: dict[str, Columns]) -> str:
    df = tables[t.name]
    files = [f for f in df[ORIGIN] if isinstance(f, str)] if ORIGIN in df else []
    return files[0].removesuffix(" (default)") if files else t.file


def complete_tables(tables: dict[str, pd.DataFrame], settings: Settings,
                    lists: dict[str, Columns] | None = None) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Tables with the missing rows of every defaulted coverage rule added, and one warning per table.

    Run only on tables without problems; the added rows have line 0 and their file marked ``(default)``."""
    lists = {**as_lists({n: df for n, df in tables.items() if n not in (lists or {})}), **(lists or {})}
    domains: dict[str, set] = {"settings.periods": set(settings.model.periods)}
    for t in TABLES:
        for col in t.columns:
            domains[f"{t.name}.{col.name}"] = set(lists[t.name][col.name])
    out = dict(tables)
    warnings: list[Problem] = []
    for t in TABLES:
        if not t.coverage or t.coverage.is_error or (t.optional and tables[t.name].empty):
            continue
        missing = missing_keys(t, lists, domains)
        if not missing:
            continue
        file = _file_of(t, lists)
        fill = dict(t.coverage.fill)
        rows = []
        for key in missing:
            row = {c.name: c.default for c in t.all_columns() if not c.required}
            row.update(dict(zip(t.coverage.over, key)))
            row.update(fill)
            rows.append({LINE: 0, ORIGIN: f"{file} (default)", **row})
        df = tables[t.name]
        added = pd.DataFrame(rows, columns=list(df.columns))
        merged = pd.concat([df, added], ignore_index=True) if len(df) else added
        out[t.name] = typed(merged, t)
        values = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in fill.items())
        warnings.append(Problem(file, None, "+".join(t.coverage.over), f"{len(missing)} {' x '.join(t.coverage.over)} "
                                f"combinations have no row, taken as {values} ({t.coverage.meaning}): "
                                f"{_combos(missing)}", severity="warning"))
    return out, warnings + unbuilt_arc_warnings({n: lists[n] if out[n] is tables[n] else out[n].to_dict("list")
                                                 for n in ("trade", "arcs", "regions", "sites", "demand_sites",
                                                           "ports")})


def typed(df: pd.DataFrame, t: Table) -> pd.DataFrame:
    """Columns cast to their declared dtype (for tables that passed the checks); unchanged if they are."""
    dtypes = {"str": np.dtype(object), "float": np.dtype(float), "int": np.dtype("int64")}
    cast = {c.name: dtypes[c.dtype] for c in t.all_columns() if c.name in df and df[c.name].dtype != dtypes[c.dtype]}
    if LINE in df and df[LINE].dtype != np.dtype("int64"):
        cast[LINE] = np.dtype("int64")
    if not cast:
        return df
    out = df.copy()
    for name, dtype in cast.items():
        out[name] = out[name].fillna(-1).astype(dtype) if name == LINE else out[name].astype(dtype)
    return out


