"""Malformed variants of an instance folder, generated from a seed (the fuzz suite, tests/test_fuzz.py).

A :class:`Variant` changes one or two files of a working copy and says what a good answer names:
the file, and the line and column where a cell is at fault. Its classes are the mistakes planners
make: text, blanks, NaN, inf, negatives, shares above 1, huge numbers, decimal commas, thousands
separators and percentages in cells, unknown choices and dangling references, duplicated keys,
missing, renamed and extra columns, missing rows, empty and header-only files, a missing table, a
folder or a binary file where a table should be, other encodings and line endings (with a bad cell
whose line must still be right after blank lines and multi-line cells), TOML syntax and type errors,
and scenario overrides of the wrong shape or naming missing tables, columns, rows or files.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from netopt.instance.schema import TABLES_BY_NAME


@dataclass
class Variant:
    cls: str
    file: str  # file (relative to the instance) the message must name
    line: int | None = None  # line the message must name (a cell at fault)
    column: str | None = None  # column or key the message must name with that line
    scenario: str | None = None  # validate with --scenario (default: the instance's default scenario)
    pattern: str | None = None  # a regex the message must match instead of file:line: column
    edits: dict[str, bytes | None | str] | None = None  # file -> new content (None: delete; "DIR": a folder)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], [r for r in rows[1:] if r]


def render(header: list[str], rows: list[list[str]], newline: str = "\n", blank_before: set[int] = frozenset(),
           ) -> tuple[str, list[int]]:
    """CSV text and the line each row starts on (blank lines inserted before the rows in ``blank_before``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    starts = []
    line = 2
    text = out.getvalue()
    for i, row in enumerate(rows):
        if i in blank_before:
            text += newline
            line += 1
        starts.append(line)
        buf = io.StringIO()
        csv.writer(buf, lineterminator=newline).writerow(row)
        piece = buf.getvalue()
        text += piece
        line += piece.count("\n") if "\n" in newline else piece.count("\r")
    return text, starts


class Generator:
    """Variants of one instance folder; ``make(cls)`` returns one of class ``cls`` (or None if it has none)."""

    def __init__(self, folder: Path, rng: random.Random, default_scenario: str):
        self.folder = folder
        self.rng = rng
        self.scenario = default_scenario
        self.tables = {t: read_csv(folder / f"{t}.csv") for t in TABLES_BY_NAME if (folder / f"{t}.csv").exists()}
        self.toml = (folder / "instance.toml").read_text(encoding="utf-8")

    # ------------------------------------------------------------ cells

    def _cell(self, cls: str, want: Callable, value: Callable, encoding: str = "utf-8", newline: str = "\n",
              shuffle_layout: bool = False) -> Variant | None:
        """Set one cell of a column that ``want(column)`` accepts to ``value(column, old)``."""
        choices = [(t, h) for t, (header, rows) in self.tables.items() if rows
                   for h in header if h in {c.name for c in TABLES_BY_NAME[t].columns}
                   and want(TABLES_BY_NAME[t].column(h))]
        if not choices:
            return None
        table, col = self.rng.choice(choices)
        header, rows = self.tables[table]
        rows = [list(r) for r in rows]
        i = self.rng.randrange(len(rows))
        j = header.index(col)
        rows[i][j] = value(TABLES_BY_NAME[table].column(col), rows[i][j])
        blank = set()
        if shuffle_layout:  # blank lines and a multi-line quoted cell before the bad row
            blank = {k for k in range(len(rows)) if self.rng.random() < 0.3}
            note = [h for h in header if h == "note"]
            if note and i > 0:
                k = self.rng.randrange(i)
                rows[k][header.index("note")] = "first line\nsecond line, with a comma\nthird"
        text, starts = render(header, rows, newline, blank)
        return Variant(cls, f"{table}.csv", starts[i], col, edits={f"{table}.csv": _encode(text, encoding)})

    def make(self, cls: str) -> Variant | None:
        r = self.rng
        numeric = lambda c: c.dtype in ("float", "int")  # noqa: E731
        cell = {
            "text_in_number": (numeric, lambda c, v: r.choice(["abc", "12x", "1e", "--3", "one"])),
            "empty_required": (lambda c: c.required, lambda c, v: r.choice(["", "  "])),
            "nan": (numeric, lambda c, v: r.choice(["nan", "NaN", "#N/A", "null", "NA"])),
            "inf_not_allowed": (lambda c: numeric(c) and not c.allow_inf, lambda c, v: r.choice(["inf", "Infinity"])),
            "negative": (lambda c: numeric(c) and c.minimum is not None and c.minimum > -1,
                         lambda c, v: r.choice(["-1", "-0.5", "-1e3"])),
            "above_maximum": (lambda c: numeric(c) and c.maximum is not None,
                              lambda c, v: repr(c.maximum * 1.5 + 1)),
            "huge": (numeric, lambda c, v: r.choice(["1e300", "9" * 40, "1e400", "-1e20"])),
            "decimal_comma": (lambda c: c.dtype == "float", lambda c, v: r.choice(["1,5", "0,25", "12,75"])),
            "thousands_separator": (numeric, lambda c, v: r.choice(["1,500", "12,000,000", "1 000"])),
            "percentage": (numeric, lambda c, v: r.choice(["50%", "12.5 %"])),
            "whole_number": (lambda c: c.dtype == "int", lambda c, v: r.choice(["2025.5", "1.25"])),
            "bad_choice": (lambda c: c.choices is not None and "" not in c.choices,
                           lambda c, v: r.choice(["bogus", v.upper() + "x", "Hub "])),
            "dangling_reference": (lambda c: c.references is not None and " " not in c.references,
                                   lambda c, v: (str(int(v) + 1) if c.dtype == "int" and v.strip() else v + "x")),
        }
        if cls in cell:
            return self._cell(cls, *cell[cls])
        if cls == "reencoded_bad_cell":  # another encoding or CRLF, and a bad cell whose line must be right
            encoding = r.choice(["utf-8-sig", "utf-16", "utf-16-le", "cp932", "utf-8"])
            return self._cell(cls, numeric, lambda c, v: "lots", encoding=encoding, newline=r.choice(["\n", "\r\n"]))
        if cls == "layout_bad_cell":  # blank lines and multi-line quoted cells before the bad row
            return self._cell(cls, numeric, lambda c, v: "lots", newline=r.choice(["\n", "\r\n"]), shuffle_layout=True)
        if cls == "duplicate_key":
            table = r.choice(list(self.tables))
            header, rows = self.tables[table]
            if not rows:
                return None
            rows = [*rows, list(r.choice(rows))]
            text, starts = render(header, rows)
            return Variant(cls, f"{table}.csv", starts[-1], "+".join(TABLES_BY_NAME[table].key),
                           edits={f"{table}.csv": text.encode()})
        return getattr(self, f"_{cls}")()

    # ------------------------------------------------------------ files

    def _pick(self, required_only: bool = False, with_rows: bool = True) -> str | None:
        names = [t for t, (_, rows) in self.tables.items() if (rows or not with_rows)
                 and (not required_only or not TABLES_BY_NAME[t].optional)]
        return self.rng.choice(names) if names else None

    def _missing_column(self) -> Variant | None:
        table = self._pick()
        header, rows = self.tables[table]
        required = [h for h in header if h in {c.name for c in TABLES_BY_NAME[table].columns if c.required}]
        col = self.rng.choice(required)
        j = header.index(col)
        text, _ = render([h for h in header if h != col], [r[:j] + r[j + 1:] for r in rows])
        return Variant("missing_column", f"{table}.csv", 1, col, edits={f"{table}.csv": text.encode()})

    def _renamed_column(self) -> Variant | None:
        table = self._pick()
        header, rows = self.tables[table]
        required = [h for h in header if h in {c.name for c in TABLES_BY_NAME[table].columns if c.required}]
        col = self.rng.choice(required)
        new = self.rng.choice([x for x in (col.upper(), col + "s", col.replace("_", " "), col[:-1]) if x != col])
        text, _ = render([new if h == col else h for h in header], rows)
        return Variant("renamed_column", f"{table}.csv", 1, col, edits={f"{table}.csv": text.encode()})

    def _extra_column(self) -> Variant | None:
        table = self._pick()
        header, rows = self.tables[table]
        name = self.rng.choice(["colour", "comment", "Unnamed: 3", "capacity"])
        text, _ = render([*header, name], [[*row, "x"] for row in rows])
        return Variant("extra_column", f"{table}.csv", 1, name, edits={f"{table}.csv": text.encode()})

    def _missing_row(self) -> Variant | None:
        names = [t for t in self.tables if TABLES_BY_NAME[t].coverage and TABLES_BY_NAME[t].coverage.is_error
                 and self.tables[t][1]]
        table = self.rng.choice(names)
        header, rows = self.tables[table]
        rows = list(rows)
        rows.pop(self.rng.randrange(len(rows)))
        text, _ = render(header, rows)
        return Variant("missing_row", f"{table}.csv", pattern=rf"{table}\.csv: [a-z_+]+: 1 of \d+ .* no row",
                       edits={f"{table}.csv": text.encode()})

    def _long_row(self) -> Variant | None:
        table = self._pick()
        header, rows = self.tables[table]
        rows = [list(r) for r in rows]
        i = self.rng.randrange(len(rows))
        rows[i] = [*rows[i], "1", "5"]
        text, starts = render(header, rows)
        return Variant("long_row", f"{table}.csv", starts[i], "-", edits={f"{table}.csv": text.encode()})

    def _empty_file(self) -> Variant:
        table = self._pick(with_rows=False)
        return Variant("empty_file", f"{table}.csv", edits={f"{table}.csv": self.rng.choice([b"", b"\n\n", b"  \n"])})

    def _header_only(self) -> Variant:
        table = self._pick(required_only=True)
        names = [t for t in self.tables if not TABLES_BY_NAME[t].optional and not TABLES_BY_NAME[t].may_be_empty]
        table = self.rng.choice(names)
        header, _ = self.tables[table]
        return Variant("header_only", f"{table}.csv", edits={f"{table}.csv": (",".join(header) + "\n").encode()})

    def _missing_table(self) -> Variant:
        table = self.rng.choice([t for t in self.tables if not TABLES_BY_NAME[t].optional])
        return Variant("missing_table", f"{table}.csv", edits={f"{table}.csv": None})

    def _directory_for_file(self) -> Variant:
        name = self.rng.choice([*(f"{t}.csv" for t in self.tables), "instance.toml"])
        return Variant("directory_for_file", name, edits={name: "DIR"})

    def _binary_file(self) -> Variant:
        name = self.rng.choice([*(f"{t}.csv" for t in self.tables), "instance.toml"])
        data = bytes(self.rng.randrange(256) for _ in range(200)) + b"\x00\x01\x02"
        return Variant("binary_file", name, edits={name: data})

    def _not_utf8(self) -> Variant:
        name = self.rng.choice([*(f"{t}.csv" for t in self.tables), "instance.toml"])
        text = (self.folder / name).read_bytes()
        cut = self.rng.randrange(len(text) // 2, len(text))
        return Variant("not_utf8", name, edits={name: text[:cut] + b"\x80\x81\xfc\xff" + text[cut:]})

    def _semicolons(self) -> Variant:
        table = self._pick()
        header, rows = self.tables[table]
        text = ";".join(header) + "\n" + "".join(";".join(r) + "\n" for r in rows)
        return Variant("semicolons", f"{table}.csv", edits={f"{table}.csv": text.encode()})

    def _unclosed_quote(self) -> Variant:
        table = self._pick()
        header, rows = self.tables[table]
        text, _ = render(header, rows)
        return Variant("unclosed_quote", f"{table}.csv", edits={f"{table}.csv": (text + '"never closed,1\n').encode()})

    # ------------------------------------------------------------ instance.toml

    def _toml_syntax(self) -> Variant:
        lines = self.toml.splitlines()
        i = self.rng.randrange(1, len(lines) + 1)
        bad = self.rng.choice(["broken = = 1", "[model", "x = [1, 2", "periods = 2025 2030", 'name = "unterminated'])
        lines.insert(i, bad)
        return Variant("toml_syntax", "instance.toml", edits={"instance.toml": ("\n".join(lines) + "\n").encode()},
                       pattern=r"instance\.toml:\d+: -: not valid TOML")

    def _toml_type(self) -> Variant:
        section, key, value = self.rng.choice([
            ("model", "discount_rate", '"high"'), ("network", "road_factor", "inf"), ("network", "road_factor", "nan"),
            ("model", "last_period_years", "1000000000000"), ("network", "k_nearest", "-1"), ("solve", "mip_gap", "2"),
            ("solve", "time_limit", "nan"), ("solve", "time_limit", "-5"), ("meta", "name", '"../../escaped"'),
            ("meta", "name", '"a/b"'), ("model", "periods", '"2025"'), ("model", "periods", "[2030, 2025]"),
            ("model", "periods", "[]"), ("penalties", "unmet_demand_myen_per_t", "1e300"),
            ("meta", "default_scenario", '"../x"'), ("policy", "carbon_price_yen_per_t_co2", "-5"),
            ("model", "linking", '"tight"'), ("model", "strict", '"maybe"'), ("network", "colour", "1"),
            ("model", "discount_rate", "inf"), ("solve", "threads", "1.5"), ("model", "base_year", "99999"),
        ])
        text, line = set_toml_key(self.toml, section, key, value)
        return Variant("toml_type", "instance.toml", line, f"{section}.{key}", edits={"instance.toml": text.encode()})

    def _toml_encoding(self) -> Variant:
        encoding = self.rng.choice(["utf-16", "utf-8-sig"])
        text = self.toml + "\nbroken = = 1\n"
        return Variant("toml_encoding", "instance.toml", edits={"instance.toml": text.encode(encoding)},
                       pattern=r"instance\.toml:\d+: -: not valid TOML")

    def _scenario_override(self) -> Variant:
        t = self.rng.choice([t for t in self.tables if TABLES_BY_NAME[t].coverage and self.tables[t][1]] or
                            ["leakage"])
        spec = TABLES_BY_NAME[t]
        floats = [c.name for c in spec.columns if c.dtype == "float" and c.name not in spec.key]
        strs = [c.name for c in spec.columns if c.dtype == "str" and c.name not in spec.key]
        col = self.rng.choice(floats) if floats else None
        bodies = [
            'settings = ["a"]', 'set = "cheap"', "set = [1, 2]", 'includes = "x"', 'includes = ["nope"]',
            'includes = ["fz"]', "description = 5", "colour = 1", 'settings = { "policy.nope" = 1 }',
            'settings = { "model.discount_rate" = "x" }', 'settings = { "network.road_factor" = inf }',
            'settings = { "model" = 1 }', 'tables = { supply = "missing.csv" }', 'tables = { nope = "x.csv" }',
            'tables = { supply = "../../../etc/hostname" }', "tables = 5",
            '[[scenarios.fz.set]]\ntable = "nope"\nvalues = { x = 1 }',
            f'[[scenarios.fz.set]]\ntable = "{t}"\nvalues = {{ colour = 1 }}',
            f'[[scenarios.fz.set]]\ntable = "{t}"\nwhere = {{ colour = 1 }}\nvalues = {{ {col or "note"} = 1 }}',
            f'[[scenarios.fz.set]]\ntable = "{t}"\nwhere = {{ {spec.key[0]} = "no-such-row" }}\n'
            f'values = {{ {col or "note"} = 1 }}',
            f'[[scenarios.fz.set]]\ntable = "{t}"\nvalues = {{ {spec.key[0]} = "x" }}',
        ]
        if col:
            bodies += [f'[[scenarios.fz.set]]\ntable = "{t}"\nvalues = {{ {col} = "cheap" }}',
                       f'[[scenarios.fz.set]]\ntable = "{t}"\nvalues = {{ {col} = nan }}',
                       f'[[scenarios.fz.set]]\ntable = "{t}"\nvalues = {{ {col} = 1e300 }}',
                       f'[[scenarios.fz.scale]]\ntable = "{t}"\nfactors = {{ {col} = inf }}',
                       f'[[scenarios.fz.scale]]\ntable = "{t}"\nfactors = {{ {col} = "two" }}']
            if not spec.column(col).allow_inf:
                bodies.append(f'[[scenarios.fz.set]]\ntable = "{t}"\nvalues = {{ {col} = inf }}')
        if strs:
            bodies.append(f'[[scenarios.fz.scale]]\ntable = "{t}"\nfactors = {{ {self.rng.choice(strs)} = 2 }}')
        body = self.rng.choice(bodies)
        head = [x for x in body.splitlines() if x.startswith("[[")]
        text = self.toml + "\n[scenarios.fz]\n" + ("\n".join(x for x in body.splitlines() if not x.startswith("["))
                                                   if not head else "\n" + body) + "\n"
        return Variant("scenario_override", "instance.toml", scenario="fz", pattern=r"instance\.toml:\d+: "
                       r"(scenarios\.fz|--scenario|included by)", edits={"instance.toml": text.encode()})

    def _scenario_name(self) -> Variant:
        name = self.rng.choice(['"../up"', '"a b"', '".hidden"', '"a+b"', '"x/y"'])
        text = self.toml + f"\n[scenarios.{name}]\ndescription = \"x\"\n"
        return Variant("scenario_name", "instance.toml", pattern=r"instance\.toml:\d+: scenarios\.",
                       edits={"instance.toml": text.encode()})


CLASSES = ("text_in_number", "empty_required", "nan", "inf_not_allowed", "negative", "above_maximum", "huge",
           "decimal_comma", "thousands_separator", "percentage", "whole_number", "bad_choice", "dangling_reference",
           "duplicate_key", "reencoded_bad_cell", "layout_bad_cell", "missing_column", "renamed_column",
           "extra_column", "missing_row", "long_row", "empty_file", "header_only", "missing_table",
           "directory_for_file", "binary_file", "not_utf8", "semicolons", "unclosed_quote", "toml_syntax",
           "toml_type", "toml_encoding", "scenario_override", "scenario_name")


def set_toml_key(text: str, section: str, key: str, value: str) -> tuple[str, int]:
    """``text`` with ``section.key = value`` (replaced, inserted after the section header, or appended); its line."""
    lines = text.splitlines()
    header = next((i for i, x in enumerate(lines) if re.match(rf"^\s*\[{section}\]\s*(#.*)?$", x)), None)
    if header is None:
        lines += ["", f"[{section}]", f"{key} = {value}"]
        return "\n".join(lines) + "\n", len(lines)
    end = next((i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    for i in range(header + 1, end):
        if re.match(rf"^\s*{key}\s*=", lines[i]):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines) + "\n", i + 1
    lines.insert(header + 1, f"{key} = {value}")
    return "\n".join(lines) + "\n", header + 2


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-16")
