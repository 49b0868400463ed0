"""What a check reports: :class:`Problem` (``file:line: column: problem (got value)``), the errors that carry
them, "did you mean" suggestions, and helpers to locate a row of a table in its file."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

LINE = "_line"  # hidden column: line of the row in its CSV file (header = line 1; 0 = filled by a default)
ORIGIN = "_file"  # hidden column: file the row came from
MAX_PER_GROUP = 5  # problems of one kind in one column shown before "... and N more"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str
    message: str
    value: object = None
    severity: str = "error"  # or "warning": reported, not fatal

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        got = "" if self.value is None else f" (got {_short(self.value)})"
        tag = "warning: " if self.severity == "warning" else ""
        return f"{where}: {self.column}: {tag}{self.message}{got}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InstanceError(Exception):
    """The instance has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class OverrideError(InstanceError):
    """An override (``--set``, a run spec, a scenario body) is malformed or cannot be applied."""


def suggest(value, candidates: Iterable) -> str:
    """'; did you mean 'X'?' for the closest candidate, or ''."""
    names = sorted({str(c) for c in candidates if c is not None})
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    if not close:
        low = {n.lower(): n for n in names}
        close = [low[str(value).lower()]] if str(value).lower() in low else []
    return f"; did you mean {close[0]!r}?" if close else ""


def condensed(problems: list[Problem], per_group: int = MAX_PER_GROUP) -> list[str]:
    """Problems as lines, at most ``per_group`` of the same message in the same file and column."""
    groups: dict[tuple, int] = {}
    lines, hidden = [], {}
    for p in problems:
        key = (p.file, p.column, p.message.split(";")[0])
        groups[key] = groups.get(key, 0) + 1
        if groups[key] <= per_group:
            lines.append(str(p))
        else:
            hidden[key] = hidden.get(key, 0) + 1
    for (file, column, message), n in hidden.items():
        lines.append(f"{file}: {column}: ... and {n} more: {message}")
    return lines


def validation_problems(error, file: str, prefix: str = "", text: str = "", line_of=None) -> list[Problem]:
    """The problems of a pydantic ``ValidationError``, one per error, located at ``prefix.loc``."""
    problems = []
    for err in error.errors():
        loc = tuple(x for x in (*prefix.split("."), *err["loc"]) if x != "")
        key = ".".join(str(x) for x in loc)
        value = err.get("input")
        problems.append(Problem(file, line_of(text, loc) if line_of else None, key,
                                err["msg"].replace("Value error, ", ""), None if isinstance(value, dict) else value))
    return problems


Columns = dict[str, list]
"""A table as plain lists (column -> values): the checks read each column once, not through pandas."""


def as_lists(tables: dict[str, pd.DataFrame]) -> dict[str, Columns]:
    return {name: df.to_dict("list") for name, df in tables.items()}


def _records(df: Columns, columns: list[str]) -> list[tuple]:
    return list(zip(*(df[c] for c in columns)))


def _where(df: Columns, i: int) -> tuple[str, int | None]:
    line = df[LINE][i] if LINE in df else None
    file = df[ORIGIN][i] if ORIGIN in df else "?"
    return file, int(line) if line is not None and line == line and line > 0 else None


def _preview(values: set) -> str:
    items = sorted(map(str, values))
    return ", ".join(items[:8]) + (", ..." if len(items) > 8 else "") if items else "none defined"
