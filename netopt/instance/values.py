"""Reading a number from a cell, and checking a value an override writes, against a column's type."""

from __future__ import annotations

import math
import re
from pathlib import Path

from netopt.instance.columns import MAX_MAGNITUDE, Column
from netopt.instance.problems import Problem

_INF_WORDS = {"inf", "+inf", "infinity", "+infinity", "unlimited"}
_NAN_WORDS = {"nan", "-nan", "+nan", "na", "n/a", "#n/a", "null", "none", "#value!", "#div/0!", "#ref!", "#num!"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,' \u00a0]\d{3})+(\.\d*)?$")


def coerce_cell(text: str, col: Column, file: str, line: int | None, problems: list[Problem]):
    """The value of one cell of ``col``, or None after recording why it cannot be read."""
    text = text.strip()
    if text == "":
        if col.required:
            problems.append(Problem(file, line, col.name, f"value is required ({col.unit}: {col.description})"))
            return None
        return col.default
    if col.dtype == "str":
        return text
    number = parse_number(text, col)
    if isinstance(number, str):
        problems.append(Problem(file, line, col.name, number, text))
        return None
    return number


def parse_number(text: str, col: Column) -> float | int | str:
    """The number a cell holds, or a message saying why it holds none (and what to write)."""
    low = text.lower()
    what = f"a whole number in {col.unit}" if col.dtype == "int" else f"a number in {col.unit}"
    if low in _INF_WORDS:
        return math.inf if col.allow_inf else f"inf is not allowed in this column; write {what}"
    if low in _NAN_WORDS:
        return f"not a number; write {what}" + (" or leave the cell blank" if not col.required else "")
    if _DECIMAL_COMMA.match(text):
        return f"decimal comma? write a decimal point, e.g. {text.replace(',', '.')} (or {text.replace(',', '')} " \
               "without a thousands separator)"
    if _THOUSANDS.match(text):
        return f"thousands separator? write {re.sub(r'[^0-9.+-]', '', text)} without separators"
    if low.endswith("%"):
        return "a percentage; write a share between 0 and 1, e.g. 0.5 for 50 %"
    try:
        number = float(text.replace("_", "")) if re.fullmatch(r"[0-9_.eE+\-\s]+", text) else float(text)
    except ValueError:
        return f"not a number; write {what}"
    if math.isnan(number):
        return f"not a number; write {what}"
    if math.isinf(number) or abs(number) > MAX_MAGNITUDE:
        limit = "; write inf for no limit" if col.allow_inf else ""
        return f"too large: numbers here are at most {MAX_MAGNITUDE:g} in magnitude{limit}"
    if col.dtype == "int":
        if not number.is_integer():
            return "must be a whole number"
        return int(number)
    return number


def expected(col) -> str:
    if col.dtype == "str":
        return "text"
    inf = " or inf" if col.allow_inf else ""
    return f"a {'whole ' if col.dtype == 'int' else ''}number in {col.unit} (at most {MAX_MAGNITUDE:g}{inf})"


def fits(value, col, allow_nan: bool) -> bool:
    """A value an override may write into (or match in) a column of this type."""
    if col.dtype == "str":
        return isinstance(value, str)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if math.isnan(value):
        return allow_nan
    if math.isinf(value):
        return col.allow_inf and value > 0
    if abs(value) > MAX_MAGNITUDE:
        return False
    return col.dtype == "float" or float(value).is_integer()


def inside(path: Path, folder: Path) -> bool:
    """True if ``path`` is ``folder`` or lies within it (links resolved)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
