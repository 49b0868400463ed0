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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from netopt.instance.schema import SAFE_NAME, TABLES, Table
from netopt.instance.settings import Settings
from netopt.instance.textfile import TextError, csv_records, read_text
from netopt.instance.validate import (
    LINE,
    ORIGIN,
    InstanceError,
    Problem,
    check_tables,
    complete_tables,
    suggest,
    validation_problems,
)
from netopt.instance.values import coerce_cell

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
    warnings: list[Problem] = field(default_factory=list)  # defaults applied, encodings guessed: reported, not fatal
    settings_text: str = ""  # instance.toml as read (for the lines of scenario problems)

    @property
    def name(self) -> str:
        return self.settings.meta.name or folder_name(self.path)

    def table(self, name: str) -> pd.DataFrame:
        """A table without its bookkeeping columns."""
        df = self.tables[name]
        return df.drop(columns=[c for c in (LINE, ORIGIN) if c in df.columns])

    def copy(self) -> Instance:
        return Instance(self.path, self.settings.model_copy(deep=True),
                        {k: v.copy() for k, v in self.tables.items()}, copy.deepcopy(self.scenarios),
                        self.scenario, list(self.overrides), self.inputs_hash, self.spec, list(self.warnings),
                        self.settings_text)


def folder_name(path: Path) -> str:
    """The name of an instance folder as given (``.`` and ``..`` resolved)."""
    return Path(path).resolve().name


# ---------------------------------------------------------------- reading


def load_instance(path: str | Path) -> Instance:
    """Read and validate the instance folder at ``path``."""
    path = Path(path)
    if not path.is_dir():
        what = "is a file, not an instance folder" if path.exists() else "no such instance folder"
        raise InstanceError([Problem(str(path), None, "-", f"{what}; give the folder that holds "
                                     f"{SETTINGS_FILE} and the CSV tables")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    settings, scenarios, text = read_settings(path / SETTINGS_FILE, problems, warnings)
    meta: dict = {}
    tables = {t.name: read_table(path, t, problems, warnings=warnings, meta=meta) for t in TABLES}
    problems += check_tables(tables, settings, meta)
    if settings is not None and not settings.meta.name and not re.match(SAFE_NAME, folder_name(path)):
        problems.append(Problem(str(path / SETTINGS_FILE), None, "meta.name", "the folder's name cannot be a file "
                                "name for results; set [meta] name (letters, digits, _ . -)", folder_name(path)))
    if problems:
        raise InstanceError(problems)
    tables, filled = complete_tables(tables, settings, {n: m["lists"] for n, m in meta.items() if "lists" in m})
    return Instance(path, settings, tables, scenarios, inputs_hash=hash_inputs(path), warnings=warnings + filled,
                    settings_text=text)


def read_settings(file: Path, problems: list[Problem],
                  warnings: list[Problem] | None = None) -> tuple[Settings | None, dict, str]:
    """Settings, scenario bodies and text of ``instance.toml``; problems are appended."""
    if not file.exists():
        problems.append(Problem(str(file), None, "-", "settings file is missing; create it with at least "
                                "[model] periods = [...]"))
        return None, {}, ""
    try:
        text, note = read_text(file)
    except TextError as e:
        problems.append(Problem(str(file), e.line, "-", str(e)))
        return None, {}, ""
    if note and warnings is not None:
        warnings.append(Problem(str(file), None, "-", note, severity="warning"))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        problems.append(Problem(str(file), int(m.group(1)) if m else None, "-", f"not valid TOML: {e}"))
        return None, {}, text
    scenarios = raw.pop("scenarios", {})
    problems += scenario_table_problems(scenarios, str(file), text)
    if problems and not isinstance(scenarios, dict):
        scenarios = {}
    settings = settings_from_dict(raw, str(file), text, problems)
    return settings, scenarios, text


def scenario_table_problems(scenarios, file: str, text: str) -> list[Problem]:
    """``[scenarios]`` must be a table of tables whose names are safe file names."""
    if not isinstance(scenarios, dict):
        return [Problem(file, toml_line(text, ("scenarios",)), "scenarios", "must be a table of scenarios, "
                        "[scenarios.NAME] each", type(scenarios).__name__)]
    out = []
    for name, body in scenarios.items():
        line = toml_line(text, ("scenarios", name))
        if not re.match(SAFE_NAME, name):
            out.append(Problem(file, line, f"scenarios.{name}", "a scenario name becomes a file name: use letters, "
                               "digits, _ . - (no '+', '/', spaces or leading dot)", name))
        if not isinstance(body, dict):
            out.append(Problem(file, line, f"scenarios.{name}", "must be a table ([scenarios.NAME] with "
                               "description, settings, set, ...)", body))
    return out


def settings_from_dict(raw: dict, file: str, text: str, problems: list[Problem]) -> Settings | None:
    try:
        return Settings.model_validate(raw)
    except ValidationError as e:
        problems += validation_problems(e, file, text=text, line_of=toml_line)
        return None


def toml_line(text: str, loc: tuple) -> int | None:
    """Best-effort line of a key or table in a TOML text (tomllib does not report positions).

    ``("scenarios", "x", "set")`` finds ``[[scenarios.x.set]]``, ``[scenarios.x]`` followed by
    ``set =``, or the first line that names the last key."""
    names = [str(x) for x in loc if isinstance(x, str)]
    if not names:
        return None
    for n in range(len(names), 0, -1):
        dotted = r"\.".join(rf"\"?{re.escape(x)}\"?" for x in names[:n])
        header = re.compile(rf"^\s*\[\[?\s*{dotted}\s*\]\]?", re.MULTILINE).search(text)
        if header:
            if n == len(names):
                return text.count("\n", 0, header.start()) + 1
            rest = names[n]
            key = re.compile(rf"^\s*\"?{re.escape(rest)}\"?\s*=", re.MULTILINE).search(text, header.end())
            if key:
                return text.count("\n", 0, key.start()) + 1
            return text.count("\n", 0, header.start()) + 1
    key = re.compile(rf"^\s*\"?{re.escape(names[-1])}\"?\s*=", re.MULTILINE).search(text)
    return text.count("\n", 0, key.start()) + 1 if key else None




def read_table(folder: Path, table: Table, problems: list[Problem], file: Path | None = None,
               warnings: list[Problem] | None = None, meta: dict | None = None) -> pd.DataFrame:
    """Read one CSV table, coercing each cell to its declared type and filling defaults.

    A cell that cannot be read is reported once and left as None, so that no later check reports
    it again; a file that cannot be read at all is one problem and an empty table."""
    file = file or folder / table.file
    shown = str(file)
    info = {"broken": True, "bad": set()}  # what the checks need to know: a table unusable, or columns with bad cells
    if meta is not None:
        meta[table.name] = info
    if not file.exists():
        if not table.optional:
            problems.append(Problem(shown, None, "-", f"required table is missing; create {table.file} with "
                                    f"columns {', '.join(c.name for c in table.columns if c.required)}"))
        return _empty_frame(table)
    try:
        text, note = read_text(file)
        records = list(csv_records(text))
    except TextError as e:
        problems.append(Problem(shown, e.line, "-", str(e)))
        return _empty_frame(table)
    if note and warnings is not None:
        warnings.append(Problem(shown, None, "-", note, severity="warning"))
    if not records:
        problems.append(Problem(shown, None, "-", "is empty; the first line must name the columns: "
                                + ", ".join(c.name for c in table.columns)))
        return _empty_frame(table)
    before = len(problems)
    (header_line, header), body = records[0], records[1:]
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    known = {c.name: c for c in table.all_columns()}
    if len(header) == 1 and any(sep in header[0] for sep in ";\t"):
        sep = "';'" if ";" in header[0] else "a tab"
        problems.append(Problem(shown, header_line, "-", f"fields are separated by {sep}, not by commas; re-save "
                                "as comma-separated CSV (or set Excel's list separator to ',')"))
        return _empty_frame(table)
    for i, name in enumerate(header):
        if name == "":
            if any(len(cells) > i and cells[i].strip() for _, cells in body):
                problems.append(Problem(shown, header_line, f"column {i + 1}", "has no name in the header line"))
        elif name not in known:
            hint = suggest(name, known)
            problems.append(Problem(shown, header_line, name, f"unknown column{hint}; columns of {table.file} are "
                                    + ", ".join(known)))
        elif header.index(name) != i:
            problems.append(Problem(shown, header_line, name, "column appears twice in the header"))
    for col in table.columns:
        if col.required and col.name not in header:
            hint = suggest(col.name, [h for h in header if h not in known])
            problems.append(Problem(shown, header_line, col.name,
                                    f"required column is missing ({col.unit}: {col.description}){hint}"))
    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    skipped = False  # a row that could not be split into cells: the table's ids are incomplete
    for line, cells in body:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(Problem(shown, line, "-", f"has {len(cells)} fields but the header has {width}: a decimal "
                                    "comma, a thousands separator or a comma inside a name? write 1.5 and 1500, "
                                    "and quote text that holds commas"))
            skipped = True
            continue
        rows.append((line, cells + [""] * (width - len(cells))))
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    lines = [line for line, _ in rows]
    data: dict[str, list] = {LINE: lines, ORIGIN: [shown] * len(rows)}
    bad: set[str] = set()
    for col in table.all_columns():
        if col.name in position:
            i = position[col.name]
            n = len(problems)
            data[col.name] = [coerce_cell(cells[i], col, shown, line, problems) for line, cells in rows]
            if len(problems) > n:
                bad.add(col.name)
        elif not col.required:
            data[col.name] = [col.default] * len(rows)
        else:  # reported above; None keeps later checks quiet about it
            data[col.name] = [None] * len(rows)
            bad.add(col.name)
    if not rows and not (table.optional or table.may_be_empty):
        problems.append(Problem(shown, None, "-", "has no rows (only a header); the table is required: add its rows"))
    if skipped:
        bad |= {c.name for c in table.columns}
    info.update(broken=not rows and len(problems) > before, bad=bad, read_problems=len(problems) > before,
                lists=data)
    return _frame(data, table)


def _frame(data: dict[str, list], table: Table) -> pd.DataFrame:
    """Columns of their declared dtype, or object where a cell is None (unreadable, already reported)."""
    dtypes = {"str": object, "float": float, "int": "int64"}
    cols = {}
    for name, values in data.items():
        col = table.column(name) if name not in (LINE, ORIGIN) else None
        dtype = object if col is None or any(v is None for v in values) else dtypes[col.dtype]
        cols[name] = pd.Series(values, dtype=dtype if name != LINE else "int64")
    return pd.DataFrame(cols)


def _empty_frame(table: Table) -> pd.DataFrame:
    dtypes = {"str": object, "float": float, "int": "int64"}
    cols = {c.name: pd.Series(dtype=dtypes[c.dtype]) for c in table.all_columns()}
    df = pd.DataFrame({LINE: pd.Series(dtype="int64"), ORIGIN: pd.Series(dtype=object), **cols})
    return df


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

