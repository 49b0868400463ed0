"""The vocabulary of the schema: a :class:`Column`, a :class:`Table` with its key and :class:`Coverage`
rule, the provenance columns every table may carry, and the limits on numbers and names."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

REQUIRED = object()
"""Marker for a column that has no default and must be given."""

CONFIDENCE = ("verified", "estimated")


def _either(names: tuple[str, ...]) -> str:
    """'a, b or c.'"""
    return f"{', '.join(names[:-1])} or {names[-1]}." if len(names) > 1 else f"{names[0]}."


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str" | "float" | "int"
    unit: str
    description: str
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    references: str | None = None  # "table.column" (or "settings.periods") that must hold this value
    allow_inf: bool = False  # "inf" is a value (no limit); elsewhere every number is finite

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def blank_means_none(self) -> bool:
        """A blank cell stands for "not given" (NaN), e.g. an arc's distance computed from coordinates."""
        return isinstance(self.default, float) and math.isnan(self.default)


@dataclass(frozen=True)
class Coverage:
    """Which key combinations a table must hold, and what a missing one means.

    ``over`` are key columns; the combinations are the product of their domains (a column's
    ``references``, or ``domains`` where given, e.g. only the kinds that sites use). ``fill`` empty:
    a missing combination is an error. ``fill`` given: the missing rows are added with these values
    and reported (a warning from ``netopt validate``, ``input_warnings`` in run.json).
    """

    over: tuple[str, ...]
    meaning: str  # what a missing combination means, for people
    fill: tuple[tuple[str, Any], ...] = ()
    domains: tuple[tuple[str, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return not self.fill


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False
    extra: tuple[Column, ...] = field(default=())
    coverage: Coverage | None = None
    may_be_empty: bool = False  # a required table that may hold no rows (else header-only is an error)
    rules: tuple[str, ...] = ()  # checks across tables (netopt.instance.validate), stated for people

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + PROVENANCE

    def column(self, name: str) -> Column:
        return {c.name: c for c in self.all_columns()}[name]


def _c(name, dtype, unit, description, default=REQUIRED, **kw) -> Column:
    return Column(name, dtype, unit, description, default, **kw)


SHARE = dict(minimum=0.0, maximum=1.0)
NONNEG = dict(minimum=0.0)
INF = math.inf
MAX_MAGNITUDE = 1e9
"""Largest magnitude of any number in a table (t/yr, Myen, km, ...): a bigger one is a typo or a
stand-in for "no limit", which is written ``inf`` where a column allows it."""
SAFE_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"
"""Names that become file names (instance, scenario): letters, digits, _ . - and no leading dot."""

PROVENANCE = (
    _c("source_id", "str", "-", "Id of the row's source in sources.csv (required in bundled instances).", ""),
    _c("confidence", "str", "-", "'verified' (read in the source) or 'estimated' (reasoning in the note).", "",
       choices=CONFIDENCE + ("",)),
    _c("note", "str", "-", "Free text: reasoning behind an estimate, caveats.", ""),
)
