"""Named scenarios: overrides of a base instance, composable and logged.

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

``--scenario a+b`` applies ``a`` then ``b``. Every applied override is recorded in
``Instance.overrides`` (and so in ``run.json``). The name ``base`` means no overrides;
a scenario name not declared is an error, except the instance's default scenario,
which is allowed to mean "the base as it is".
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from netopt.data import LINE, Instance, InstanceError, Problem, check_tables, read_table
from netopt.schema import TABLES_BY_NAME
from netopt.settings import Settings

log = logging.getLogger(__name__)

BASE = "base"
_KEYS = {"description", "includes", "settings", "tables", "set", "scale"}


def scenario_names(spec: str) -> list[str]:
    return [s.strip() for s in spec.split("+") if s.strip()]


def describe_scenarios(instance: Instance) -> dict[str, str]:
    """Name -> description of every declared scenario."""
    return {name: str(body.get("description", "")) for name, body in instance.scenarios.items()}


def apply_scenario(instance: Instance, spec: str | None) -> Instance:
    """Return a copy of ``instance`` with the scenarios of ``spec`` ("a+b") applied in order."""
    spec = spec or instance.settings.meta.default_scenario or BASE
    result = instance.copy()
    result.scenario = spec
    for name in scenario_names(spec):
        _apply_one(result, name, trail=())
    problems = check_tables(result.tables, result.settings)
    if problems:
        raise InstanceError([Problem(p.file, p.line, p.column, f"{p.message} [after scenario {spec}]", p.value)
                             for p in problems])
    return result


def _apply_one(inst: Instance, name: str, trail: tuple[str, ...]) -> None:
    file = str(inst.path / "instance.toml")
    if name == BASE:
        return
    if name in trail:
        raise InstanceError([Problem(file, None, f"scenarios.{name}", "scenario includes itself via "
                                     + " -> ".join(trail + (name,)))])
    body = inst.scenarios.get(name)
    if body is None:
        if name == inst.settings.meta.default_scenario:
            return
        known = ", ".join(sorted(inst.scenarios)) or "none"
        raise InstanceError([Problem(file, None, "--scenario", f"unknown scenario {name!r}; declared: {known}")])
    unknown = set(body) - _KEYS
    if unknown:
        raise InstanceError([Problem(file, None, f"scenarios.{name}", f"unknown keys {sorted(unknown)}; "
                                     f"allowed: {sorted(_KEYS)}")])
    for included in body.get("includes", []):
        _apply_one(inst, included, trail + (name,))
    _override_settings(inst, name, body.get("settings", {}), file)
    for table, rel in body.get("tables", {}).items():
        _replace_table(inst, name, table, rel, file)
    for op in body.get("set", []):
        _edit_rows(inst, name, op, file, scale=False)
    for op in body.get("scale", []):
        _edit_rows(inst, name, op, file, scale=True)


def _record(inst: Instance, message: str) -> None:
    inst.overrides.append(message)
    log.info("override %s", message)


def _override_settings(inst: Instance, name: str, values: dict, file: str) -> None:
    if not values:
        return
    data = inst.settings.model_dump()
    for dotted, value in values.items():
        node = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            if not isinstance(node.get(p), dict):
                raise InstanceError([Problem(file, None, f"scenarios.{name}.settings", f"unknown setting {dotted!r}")])
            node = node[p]
        if leaf not in node:
            raise InstanceError([Problem(file, None, f"scenarios.{name}.settings", f"unknown setting {dotted!r}")])
        _record(inst, f"{name}: setting {dotted} = {value!r} (was {node[leaf]!r})")
        node[leaf] = value
    try:
        inst.settings = Settings.model_validate(data)
    except ValidationError as e:
        raise InstanceError([Problem(file, None, f"scenarios.{name}.settings." + ".".join(map(str, err["loc"])),
                                     err["msg"], err.get("input")) for err in e.errors()]) from None


def _replace_table(inst: Instance, name: str, table: str, rel: str, file: str) -> None:
    spec = TABLES_BY_NAME.get(table)
    if spec is None:
        raise InstanceError([Problem(file, None, f"scenarios.{name}.tables", f"unknown table {table!r}")])
    problems: list[Problem] = []
    path = Path(inst.path) / rel
    if not path.exists():
        raise InstanceError([Problem(file, None, f"scenarios.{name}.tables.{table}", f"file {rel} does not exist")])
    inst.tables[table] = read_table(inst.path, spec, problems, file=path)
    if problems:
        raise InstanceError(problems)
    _record(inst, f"{name}: table {table} replaced by {rel} ({len(inst.tables[table])} rows)")


def _edit_rows(inst: Instance, name: str, op: dict, file: str, scale: bool) -> None:
    verb = "scale" if scale else "set"
    where_label = f"scenarios.{name}.{verb}"
    table = op.get("table")
    spec = TABLES_BY_NAME.get(table)
    if spec is None:
        raise InstanceError([Problem(file, None, where_label, f"unknown table {table!r}")])
    changes = op.get("factors" if scale else "values", {})
    columns = {c.name: c for c in spec.all_columns()}
    df = inst.tables[table]
    mask = pd.Series(True, index=df.index)
    for col, wanted in op.get("where", {}).items():
        if col not in columns:
            raise InstanceError([Problem(file, None, where_label, f"unknown column {col!r} of {table}")])
        wanted = wanted if isinstance(wanted, list) else [wanted]
        mask &= df[col].isin(wanted)
    if not mask.any():
        raise InstanceError([Problem(file, None, where_label, f"no row of {table} matches where={op.get('where')}")])
    for col, value in changes.items():
        if col not in columns or col in spec.key:
            raise InstanceError([Problem(file, None, where_label, f"cannot change column {col!r} of {table}")])
        if scale:
            df.loc[mask, col] = df.loc[mask, col].astype(float) * float(value)
        else:
            df.loc[mask, col] = value
        df.loc[mask, LINE] = -1  # the value no longer comes from the file's line
        _record(inst, f"{name}: {verb} {table}.{col} {'x' if scale else '='} {value!r} on {int(mask.sum())} rows "
                f"where {op.get('where', {})}")
