"""Reading and validating an instance folder.

An instance is a folder with ``instance.toml`` (settings and named scenarios) and one
CSV file per table of :mod:`netopt.instance.schema`. :func:`load_instance` reads it, coerces
every cell to its declared type, runs the checks of :mod:`netopt.instance.validate` and raises
:class:`~netopt.instance.validate.InstanceError` listing *all* problems at once, each as
``file:line: column: problem (got value)``.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from netopt.instance.schema import TABLES, Column, Table
from netopt.instance.settings import Settings
from netopt.instance.validate import LINE, ORIGIN, InstanceError, Problem, check_tables, validation_problems

SETTINGS_FILE = "instance.toml"


@dataclass
class Instance:
    """Settings, tables and scenario definitions of one instance."""

    path: Path
    settings: Settings
    tables: dict[str, pd.DataFrame]
    scenarios: dict[str, dict] = field(default_factory=dict)
    scenario: str = "base"
    overrides: list[str] = field(default_factory=list)  # log line of every applied override, in order
    inputs_hash: str = ""
    spec: Any = None  # the netopt.instance.runspec.RunSpec it was made from (None: the base as read)

    @property
    def name(self) -> str:
        return self.settings.meta.name or self.path.name

    def table(self, name: str) -> pd.DataFrame:
        """A table without its bookkeeping columns."""
        df = self.tables[name]
        return df.drop(columns=[c for c in (LINE, ORIGIN) if c in df.columns])

    def copy(self) -> Instance:
        return Instance(self.path, self.settings.model_copy(deep=True),
                        {k: v.copy() for k, v in self.tables.items()}, copy.deepcopy(self.scenarios),
                        self.scenario, list(self.overrides), self.inputs_hash, self.spec)


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
        problems += validation_problems(e, file, text=text, line_of=_toml_line)
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


# ---------------------------------------------------------------- hashing


def hash_inputs(path: Path) -> str:
    """SHA-256 over the settings file and every CSV table, in a fixed order (``studies/`` left out: a
    study file is no input of the runs it makes, and editing it must not change their ids)."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".csv", ".toml")
                    and p.relative_to(path).parts[0] != "studies"):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()

