"""Overrides of an instance as typed values, and named scenarios made of them.

An :data:`Override` is one change: :class:`SetSetting` (a setting by its dotted path),
:class:`SetRows` (columns set on matching rows), :class:`ScaleRows` (columns multiplied on
matching rows) or :class:`ReplaceTable` (a whole table read from another file). Each is a frozen
pydantic value, checked against the schema when it is made, that serialises to JSON and
pickles; ``override.apply(instance)`` returns a new instance whose ``overrides`` log ends with
one line saying what changed. Named scenarios, ``netopt solve --set`` and
:class:`~netopt.instance.runspec.RunSpec` all go through :func:`apply_overrides`, so every
change is validated and logged the same way.

A scenario is declared in ``instance.toml`` under ``[scenarios.NAME]``::

    [scenarios.retention]
    description = "Policy brings leakage down to 20 % by 2030"
    includes = []                                   # scenarios applied first
    settings = { "policy.max_new_facilities" = 20 } # dotted keys of the settings
    tables = { supply = "scenarios/supply_lfp.csv" } # replace whole tables
    [[scenarios.retention.set]]                     # set columns on matching rows
    table = "leakage"
    where = { period = [2030, 2035] }               # a value or a list of values
    values = { leakage_share = 0.2 }
    [[scenarios.retention.scale]]                   # multiply columns on matching rows
    table = "metal_prices"
    factors = { virgin_price_myen_per_t = 1.5 }

``--scenario a+b`` applies ``a`` then ``b``; within a scenario its includes come first, then
settings, tables, set and scale. The name ``base`` means no overrides; a scenario name not
declared is an error, except the instance's default scenario, which is allowed to mean "the
base as it is".
"""

from __future__ import annotations

import logging
import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from netopt.instance.io import SETTINGS_FILE, Instance, read_table, toml_line
from netopt.instance.schema import TABLES_BY_NAME
from netopt.instance.settings import Settings
from netopt.instance.validate import (
    LINE,
    ORIGIN,
    InstanceError,
    OverrideError,
    Problem,
    check_tables,
    complete_tables,
    suggest,
    typed,
    validation_problems,
)
from netopt.instance.values import expected, fits, inside

log = logging.getLogger(__name__)

BASE = "base"
SCENARIO_KEYS = {"description", "includes", "settings", "tables", "set", "scale"}


class _Override(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")

    source: str = Field("api", description="Who asked for it: a scenario name, '--set', 'run spec', ...")

    def apply(self, instance: Instance) -> Instance:
        """A new instance with this override applied and logged."""
        raise NotImplementedError

    def _where(self, instance: Instance, part: str) -> tuple[str, str, int | None]:
        """(file, column, line) that a problem with this override is reported at."""
        if self.source in instance.scenarios:
            loc = ("scenarios", self.source, *part.split("."))
            return str(instance.path / SETTINGS_FILE), ".".join(loc), toml_line(instance.settings_text, loc)
        return self.source, part, None

    def _fail(self, instance: Instance, part: str, message: str, value=None) -> OverrideError:
        file, column, line = self._where(instance, part)
        return OverrideError([Problem(file, line, column, message, value)])


def _logged(instance: Instance, line: str) -> Instance:
    instance.overrides.append(line)
    log.info("override %s", line)
    return instance


def _setting_field(path: str):
    """The pydantic field a dotted settings path names; ValueError if there is none."""
    model, field = Settings, None
    for part in path.split("."):
        fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        if part not in fields:
            raise ValueError(f"unknown setting {path!r}{suggest(part, fields)}; settings are "
                             f"{', '.join(Settings.model_fields)}.<key>")
        field = fields[part]
        model = field.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        raise ValueError(f"unknown setting {path!r}: it names the whole [{path}] section, not one key")
    return field


class SetSetting(_Override):
    """Set one setting, e.g. ``SetSetting(path="policy.carbon_price_yen_per_t_co2", value=5000)``."""

    kind: Literal["setting"] = "setting"
    path: str
    value: Any

    @model_validator(mode="after")
    def _known(self) -> SetSetting:
        field = _setting_field(self.path)
        kind = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        TypeAdapter(kind).validate_python(self.value)
        return self

    def apply(self, instance: Instance) -> Instance:
        data = instance.settings.model_dump()
        *parents, leaf = self.path.split(".")
        node = data
        for p in parents:
            node = node[p]
        line = f"{self.source}: setting {self.path} = {self.value!r} (was {node[leaf]!r})"
        node[leaf] = self.value
        try:
            settings = Settings.model_validate(data)
        except ValidationError as e:
            file, column, line = self._where(instance, "settings")
            raise OverrideError([Problem(p.file, line, p.column, p.message, p.value)
                                 for p in validation_problems(e, file, prefix=column)]) from None
        out = instance.copy()
        out.settings = settings
        return _logged(out, line)


def _known_table(name: str) -> str:
    if name not in TABLES_BY_NAME:
        raise ValueError(f"unknown table {name!r}{suggest(name, TABLES_BY_NAME)}; tables are "
                         + ", ".join(TABLES_BY_NAME))
    return name


class _TableOverride(_Override):
    table: str
    where: dict[str, Any] = Field(default_factory=dict)

    _table = field_validator("table")(classmethod(lambda cls, v: _known_table(v)))

    @model_validator(mode="after")
    def _known_columns(self):
        spec = TABLES_BY_NAME[self.table]
        columns = {c.name: c for c in spec.all_columns()}
        for col, wanted in self.where.items():
            if col not in columns:
                raise ValueError(f"unknown column {col!r} of {self.table}{suggest(col, columns)}")
            for v in wanted if isinstance(wanted, list | tuple) else [wanted]:
                if not fits(v, columns[col], allow_nan=False):
                    raise ValueError(f"where {col} = {v!r}: a {columns[col].dtype} column cannot hold it")
        for col, value in self.changes().items():
            if col not in columns or col in spec.key:
                what = "a key column" if col in spec.key else "unknown"
                raise ValueError(f"cannot change column {col!r} of {self.table} ({what})"
                                 + (suggest(col, columns) if col not in columns else ""))
            self._check_value(columns[col], value)
        return self

    def _check_value(self, col, value) -> None:
        if not fits(value, col, allow_nan=col.blank_means_none):
            raise ValueError(f"{col.name} = {value!r}: must be {expected(col)}")

    def changes(self) -> dict[str, Any]:
        raise NotImplementedError

    def _edit(self, instance: Instance, verb: str, edit) -> Instance:
        out = instance.copy()
        df = out.tables[self.table]
        mask = pd.Series(True, index=df.index)
        for col, wanted in self.where.items():
            mask &= df[col].isin(wanted if isinstance(wanted, list | tuple) else [wanted])
        if not mask.any():
            raise self._fail(instance, verb, f"no row of {self.table} matches where={self.where}")
        for col, value in self.changes().items():
            edit(df, mask, col, value)
            file, _, line = self._where(instance, verb)  # the value now comes from the override, not the file
            if line:
                df.loc[mask, ORIGIN] = f"{file}"
            df.loc[mask, LINE] = line or -1
            sign = "x" if verb == "scale" else "="
            _logged(out, f"{self.source}: {verb} {self.table}.{col} {sign} {value!r} on {int(mask.sum())} rows "
                         f"where {self.where}")
        return out


class SetRows(_TableOverride):
    """Set columns of the rows of ``table`` that match ``where`` (column -> value or list of values)."""

    kind: Literal["set"] = "set"
    values: dict[str, Any]

    def changes(self) -> dict[str, Any]:
        return self.values

    def apply(self, instance: Instance) -> Instance:
        def assign(df, mask, col, value):
            df.loc[mask, col] = value

        return self._edit(instance, "set", assign)


class ScaleRows(_TableOverride):
    """Multiply columns of the rows of ``table`` that match ``where`` by ``factors``."""

    kind: Literal["scale"] = "scale"
    factors: dict[str, float]

    def changes(self) -> dict[str, Any]:
        return self.factors

    def _check_value(self, col, value) -> None:
        if col.dtype == "str":
            raise ValueError(f"cannot scale {col.name}: it is text")
        if not math.isfinite(value) or not 0 <= value <= 1e6:
            raise ValueError(f"factor for {col.name} must be a finite number in [0, 1e6] (got {value!r})")

    def apply(self, instance: Instance) -> Instance:
        def scale(df, mask, col, factor):
            df.loc[mask, col] = df.loc[mask, col].astype(float) * float(factor)

        return self._edit(instance, "scale", scale)


class ReplaceTable(_Override):
    """Replace a whole table by another CSV file (a path relative to the instance folder)."""

    kind: Literal["table"] = "table"
    table: str
    file: str

    _table = field_validator("table")(classmethod(lambda cls, v: _known_table(v)))

    def apply(self, instance: Instance) -> Instance:
        path = Path(instance.path) / self.file
        if not path.exists():
            raise self._fail(instance, f"tables.{self.table}", f"file {self.file} does not exist")
        if not inside(path, Path(instance.path)):
            raise self._fail(instance, f"tables.{self.table}", f"file {self.file} is outside the instance folder")
        problems: list[Problem] = []
        out = instance.copy()
        out.tables[self.table] = read_table(instance.path, TABLES_BY_NAME[self.table], problems, file=path,
                                            warnings=out.warnings)
        out.warnings = [w for w in out.warnings if not w.file.startswith(str(instance.path / f"{self.table}.csv"))]
        if problems:
            raise InstanceError(problems)
        n = len(out.tables[self.table])
        return _logged(out, f"{self.source}: table {self.table} replaced by {self.file} ({n} rows)")


Override = Annotated[SetSetting | SetRows | ScaleRows | ReplaceTable, Field(discriminator="kind")]
"""Any one override; a RunSpec holds a tuple of them."""


# ---------------------------------------------------------------- ad-hoc overrides


def parse_assignment(text: str, source: str = "--set") -> SetSetting:
    """``"policy.carbon_price_yen_per_t_co2=5000"`` -> SetSetting; the value is read as a TOML value
    (a bare word that is not TOML is taken as a string). Raises OverrideError on a bad key or value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise OverrideError([Problem(source, None, text, "expected KEY=VALUE, e.g. solve.mip_gap=0.01")])
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    if isinstance(value, dict):
        raise OverrideError([Problem(source, None, key, "a table is not a setting value", raw)])
    try:
        return SetSetting(path=key, value=value, source=source)
    except ValidationError as e:
        raise OverrideError([Problem(source, None, key, _message(err), value) for err in e.errors()]) from None


def _message(err: dict) -> str:
    return err["msg"].replace("Value error, ", "")


# ---------------------------------------------------------------- named scenarios


def scenario_names(spec: str) -> list[str]:
    return [s.strip() for s in spec.split("+") if s.strip()]


def describe_scenarios(instance: Instance) -> dict[str, str]:
    """Name -> description of every declared scenario."""
    return {name: str(body.get("description", "")) for name, body in instance.scenarios.items()}


def scenario_overrides(instance: Instance, spec: str) -> list:
    """The overrides of scenarios ``spec`` ("a+b"), includes resolved, in the order they apply."""
    out: list = []
    for name in scenario_names(spec):
        out += _scenario(instance, name, trail=())
    return out


def _scenario(instance: Instance, name: str, trail: tuple[str, ...]) -> list:
    file = str(instance.path / SETTINGS_FILE)
    text = instance.settings_text

    def problem(part: str, message: str, value=None) -> InstanceError:
        loc = ("scenarios", name, *[x for x in part.split(".") if x])
        return InstanceError([Problem(file, toml_line(text, loc), ".".join(loc), message, value)])

    if name == BASE:
        return []
    if name in trail:
        raise problem("includes", "scenario includes itself via " + " -> ".join((*trail, name)))
    body = instance.scenarios.get(name)
    if body is None:
        if name == instance.settings.meta.default_scenario:
            return []
        known = ", ".join(sorted(instance.scenarios)) or "none"
        where = f"included by scenario {trail[-1]!r}" if trail else "--scenario"
        line = toml_line(text, ("scenarios", trail[-1], "includes")) if trail else None
        raise InstanceError([Problem(file, line, where, f"unknown scenario {name!r}"
                                     f"{suggest(name, [*instance.scenarios, BASE])} (declared: {known})")])
    if not isinstance(body, dict):
        raise problem("", "must be a table ([scenarios.NAME] with description, settings, set, ...)", body)
    unknown = set(body) - SCENARIO_KEYS
    if unknown:
        key = sorted(unknown)[0]
        allowed = ", ".join(sorted(SCENARIO_KEYS))
        raise problem(key, f"unknown key {key!r}{suggest(key, SCENARIO_KEYS)}; allowed: {allowed}")
    shapes = {"description": str, "includes": list, "settings": dict, "tables": dict, "set": list, "scale": list}
    for key, kind in shapes.items():
        if key in body and not isinstance(body[key], kind):
            what = {str: "a string", list: "a list", dict: "a table"}[kind]
            hint = {"set": " of tables: [[scenarios.NAME.set]] with table, where, values",
                    "scale": " of tables: [[scenarios.NAME.scale]] with table, where, factors",
                    "includes": " of scenario names", "settings": ' of dotted keys: { "policy.x" = 1 }',
                    "tables": ' of table = "file.csv"'}.get(key, "")
            raise problem(key, f"must be {what}{hint}", body[key])
    if not all(isinstance(x, str) for x in body.get("includes", [])):
        raise problem("includes", "must list scenario names (strings)", body["includes"])
    out: list = []
    for included in body.get("includes", []):
        out += _scenario(instance, included, (*trail, name))
    parts = [("settings", SetSetting, [{"path": k, "value": v} for k, v in body.get("settings", {}).items()]),
             ("tables", ReplaceTable, [{"table": k, "file": v} for k, v in body.get("tables", {}).items()]),
             ("set", SetRows, body.get("set", [])), ("scale", ScaleRows, body.get("scale", []))]
    for part, cls, items in parts:
        for item in items:
            if not isinstance(item, dict):
                raise problem(part, "each entry must be a table (table = ..., where = {...}, ...)", item)
            try:
                out.append(cls.model_validate({**item, "source": name}))
            except ValidationError as e:
                err = e.errors()[0]
                loc = ".".join(str(x) for x in err["loc"] if x not in ("function-after",))
                raise problem(part, f"{loc + ': ' if loc else ''}{_message(err)}", None) from None
    return out


def apply_overrides(instance: Instance, overrides, label: str) -> Instance:
    """Apply ``overrides`` in order to a copy of ``instance``, then check every table again.

    ``label`` says what was applied (``scenario a+b``) in the problems of that last check."""
    out = instance.copy()
    for override in overrides:
        out = override.apply(out)
    problems = check_tables(out.tables, out.settings)
    if problems:
        after = [Problem(p.file, p.line, p.column, f"{p.message} [after {label}]", p.value) for p in problems]
        raise InstanceError(list(dict.fromkeys(after)))  # rows an override set alike give one problem
    out.tables = {name: typed(df, TABLES_BY_NAME[name]) for name, df in out.tables.items()}
    out.tables, filled = complete_tables(out.tables, out.settings)
    known = {str(w) for w in out.warnings}
    out.warnings += [w for w in filled if str(w) not in known]
    return out


def apply_scenario(instance: Instance, spec: str | None) -> Instance:
    """A copy of ``instance`` with the scenarios of ``spec`` ("a+b") applied in order."""
    spec = spec or instance.settings.meta.default_scenario or BASE
    out = apply_overrides(instance, scenario_overrides(instance, spec), f"scenario {spec}")
    out.scenario = spec
    return out
