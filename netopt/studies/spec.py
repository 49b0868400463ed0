"""Study files: a TOML file in ``instances/<name>/studies/`` naming a base, a kind and its parameters.

Declared once here as pydantic models and checked when read, with every problem reported as
``file:line: key: problem`` like the rest of netopt (:class:`~netopt.instance.validate.InstanceError`)::

    [study]
    kind = "sweep"                      # compare | regret | sweep | tornado | breakeven | montecarlo
    description = "..."                 #   | robust | pareto | whynot
    [base]
    instance = ".."                     # default: the instance folder that holds studies/
    scenario = "baseline"               # default: the instance's default scenario
    solve = { mip_gap = 0.0 }           # [solve] settings of every run (threads is always 1)
    settings = { "policy.carbon_price_yen_per_t_co2" = 0 }  # and tables / set / scale, as in a scenario
    [[parameter]]                       # an input the study varies
    name = "ni_price"
    table = "metal_prices"              # or setting = "policy.carbon_price_yen_per_t_co2"
    where = { metal = "Ni" }
    column = "virgin_price_myen_per_t"  # one column or a list
    mode = "scale"                      # scale: the value multiplies the column; set: it replaces it
    values = [0.5, 1.0, 2.0]            # or range = { from = 0.5, to = 2, steps = 7 }  (sweeps)
    low = 0.5                           # low and high: tornado, break-even bracket
    high = 2.0
    distribution = { type = "triangular", low = 0.7, mode = 1.0, high = 1.3 }  # Monte Carlo
    [sweep]                             # the kind's own section (see the models below)
    combine = "product"

The kinds' sections are the ``*Section`` models below; ``docs/studies.md`` describes each.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from netopt.instance.overrides import ReplaceTable, ScaleRows, SetRows, SetSetting
from netopt.instance.validate import InstanceError, Problem

KINDS = ("compare", "regret", "sweep", "tornado", "breakeven", "montecarlo", "robust", "pareto", "whynot")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_M):
    kind: Literal[KINDS]
    name: str = Field("", description="Name of the study (default: the file name); results go to "
                      "results/<instance>/studies/<name>/.")
    description: str = ""


class Base(_M):
    instance: str = Field("..", description="Instance folder, relative to the study file's folder.")
    scenario: str | None = Field(None, description="Scenario of every run ('a+b' composes); None: the default.")
    seed: int | None = Field(None, ge=0)
    solve: dict[str, float | int | bool] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    tables: dict[str, str] = Field(default_factory=dict)
    set: list[dict[str, Any]] = Field(default_factory=list)
    scale: list[dict[str, Any]] = Field(default_factory=list)


class Range(_M):
    from_: float = Field(alias="from")
    to: float
    steps: int = Field(ge=2)

    def values(self) -> list[float]:
        return [self.from_ + (self.to - self.from_) * i / (self.steps - 1) for i in range(self.steps)]


class Distribution(_M):
    """Of the parameter's value (a factor in scale mode). triangular/uniform: low, (mode), high;
    normal: mean, sd (truncated at 0); lognormal: median, sigma (of the log)."""

    type: Literal["triangular", "uniform", "normal", "lognormal"] = "triangular"
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high"), "normal": ("mean", "sd"),
                "lognormal": ("median", "sigma")}[self.type]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.type} distribution needs {', '.join(need)} (missing {', '.join(missing)})")
        if self.type in ("triangular", "uniform"):
            mode = self.low if self.mode is None else self.mode
            if not self.low <= mode <= self.high or self.low == self.high:
                raise ValueError("needs low <= mode <= high and low < high")
        return self


class Parameter(_M):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")
    label: str = ""
    table: str | None = None
    where: dict[str, Any] = Field(default_factory=dict)
    column: str | list[str] | None = None
    setting: str | None = None
    mode: Literal["scale", "set"] = "scale"
    values: list[float] | None = None
    range: Range | None = None
    low: float | None = None
    high: float | None = None
    distribution: Distribution | None = None

    @model_validator(mode="after")
    def _target(self) -> Parameter:
        if (self.setting is None) == (self.table is None):
            raise ValueError("give either table (with column and where) or setting")
        if self.table is not None:
            if not self.column:
                raise ValueError(f"parameter on table {self.table} needs a column")
            probe = {c: 1.0 for c in self.columns}
            (ScaleRows if self.mode == "scale" else SetRows).model_validate(
                {"table": self.table, "where": self.where, ("factors" if self.mode == "scale" else "values"): probe})
        elif self.where or self.column:
            raise ValueError("a setting parameter takes no where or column")
        if self.values is not None and self.range is not None:
            raise ValueError("give values or range, not both")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError("needs low < high")
        return self

    @property
    def columns(self) -> list[str]:
        return [self.column] if isinstance(self.column, str) else list(self.column or [])

    @property
    def title(self) -> str:
        return self.label or self.name

    def grid(self) -> list[float]:
        if self.values is not None:
            return list(self.values)
        if self.range is not None:
            return self.range.values()
        return []


class CompareSection(_M):
    scenarios: list[str] = Field(min_length=1, description="Scenarios to solve and compare.")
    reference: str | None = Field(None, description="The run the others are compared with (default: the first).")


class RegretSection(_M):
    plans: list[str] = Field(min_length=1, description="Scenarios whose own optimal plans are evaluated.")
    scenarios: list[str] | None = Field(None, description="Scenarios each plan is evaluated under (default: plans).")


class SweepSection(_M):
    parameters: list[str] | None = Field(None, description="Parameters swept (default: all).")
    combine: Literal["product", "zip"] = "product"


class TornadoSection(_M):
    parameters: list[str] | None = None
    kpi: str | None = Field(None, description="A second KPI to rank by (see netopt.studies.kpis).")


class Condition(_M):
    """built: a new facility of ``kind`` (at ``site``) operates by ``by``; cheaper (dearer): adding
    ``scenario`` lowers (raises) the cost by more than the solver tolerance; kpi: the KPI is above ``above``."""

    type: Literal["built", "cheaper", "dearer", "kpi"]
    kind: str | None = None
    site: str | None = None
    by: int | None = None
    count: int = Field(1, ge=1)
    scenario: str | None = None
    kpi: str | None = None
    above: float | None = None

    @model_validator(mode="after")
    def _complete(self) -> Condition:
        need = {"built": ("kind",), "cheaper": ("scenario",), "dearer": ("scenario",),
                "kpi": ("kpi", "above")}[self.type]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"condition {self.type} needs {', '.join(missing)}")
        return self


class BreakevenSection(_M):
    parameter: str
    condition: Condition
    tolerance: float = Field(gt=0, description="Stop when the bracket is this narrow (in the parameter's units).")
    points: int = Field(0, ge=0, description="Interior points per round (0: one per worker).")


class MonteCarloSection(_M):
    samples: int = Field(ge=1)
    seed: int = Field(0, ge=0)
    parameters: list[str] | None = None
    widths: dict[Literal["verified", "estimated"], float] = Field(
        default_factory=lambda: {"verified": 0.1, "estimated": 0.3},
        description="Half-width of the default triangular factor by row confidence (rows without one: estimated).")
    periods: list[int] | None = Field(None, description="Periods of the build frequencies (default: all).")


class RobustSection(_M):
    scenarios: list[str] | None = None
    probabilities: list[float] | None = None
    samples: int | None = Field(None, ge=1, description="Instead of scenarios: Monte Carlo samples of the "
                                "parameters (as the montecarlo kind draws them).")
    seed: int = Field(0, ge=0)
    widths: dict[Literal["verified", "estimated"], float] = Field(
        default_factory=lambda: {"verified": 0.1, "estimated": 0.3})
    first_stage: int = Field(description="Builds operating in periods up to this one are shared by all scenarios.")
    objective: Literal["expected", "max_regret"] = "expected"
    expected_value_scenario: str | None = Field(None, description="Whose plan is the deterministic reference of "
                                                "the value of the stochastic solution (default: the first).")

    @model_validator(mode="after")
    def _members(self) -> RobustSection:
        if (self.scenarios is None) == (self.samples is None):
            raise ValueError("give scenarios or samples")
        n = len(self.scenarios or []) or self.samples
        if self.probabilities is not None and (len(self.probabilities) != n
                                               or abs(sum(self.probabilities) - 1) > 1e-9):
            raise ValueError("probabilities need one per scenario, summing to 1")
        return self


class ParetoSection(_M):
    objective: Literal["self_sufficiency", "co2"]
    levels: list[float] = Field(min_length=2, description="self_sufficiency: minimum recycled share of demand; "
                                "co2: cap as a share of the unconstrained run's peak annual CO2.")
    metals: list[str] | None = Field(None, description="self_sufficiency: metals the minimum applies to (all).")
    from_period: int | None = Field(None, description="self_sufficiency: first period of the minimum (first).")


class WhyNotSection(_M):
    kinds: list[str] | None = None
    sites: list[str] | None = None
    region: str | None = Field(None, description="Only the candidate sites of this region (e.g. a prefecture).")
    by: int | None = Field(None, description="A forced-open site must operate by this period (default: the end).")
    near_equal_share: float = Field(0.001, ge=0, description="An alternative within this share of the base "
                                    "objective (or within the gaps) is listed as near-equal.")


SECTIONS = {"compare": CompareSection, "regret": RegretSection, "sweep": SweepSection, "tornado": TornadoSection,
            "breakeven": BreakevenSection, "montecarlo": MonteCarloSection, "robust": RobustSection,
            "pareto": ParetoSection, "whynot": WhyNotSection}
DEFAULTABLE = {"sweep", "tornado", "whynot"}


class StudyFile(_M):
    study: Meta
    base: Base = Field(default_factory=Base)
    parameter: list[Parameter] = Field(default_factory=list)
    compare: CompareSection | None = None
    regret: RegretSection | None = None
    sweep: SweepSection | None = None
    tornado: TornadoSection | None = None
    breakeven: BreakevenSection | None = None
    montecarlo: MonteCarloSection | None = None
    robust: RobustSection | None = None
    pareto: ParetoSection | None = None
    whynot: WhyNotSection | None = None

    @model_validator(mode="after")
    def _consistent(self) -> StudyFile:
        kind = self.study.kind
        if getattr(self, kind) is None and kind not in DEFAULTABLE:
            raise ValueError(f"a {kind} study needs a [{kind}] section")
        names = [p.name for p in self.parameter]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"parameter names must be unique: {', '.join(dup)}")
        section = self.section
        wanted = list(getattr(section, "parameters", None) or [])
        if isinstance(section, BreakevenSection):
            wanted.append(section.parameter)
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise ValueError(f"unknown parameters {unknown}; declared: {names or 'none'}")
        return self

    @property
    def section(self):
        return getattr(self, self.study.kind) or SECTIONS[self.study.kind]()


# ---------------------------------------------------------------- reading


def read_study_file(path: str | Path) -> tuple[StudyFile, str]:
    """The parsed study file and its text; InstanceError with every problem, each with its line."""
    path = Path(path)
    if not path.is_file():
        raise InstanceError([Problem(str(path), None, "-", "no such study file")])
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise InstanceError([Problem(str(path), int(m.group(1)) if m else None, "-", f"not valid TOML: {e}")]) from None
    try:
        return StudyFile.model_validate(raw), text
    except ValidationError as e:
        raise InstanceError([_problem(path, text, err) for err in e.errors()]) from None


def _problem(path: Path, text: str, err: dict) -> Problem:
    loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))  # drop union-member tags
    key = ".".join(str(x) for x in loc)
    value = err.get("input")
    return Problem(str(path), toml_line(text, loc), key or "-", err["msg"].replace("Value error, ", ""),
                   None if isinstance(value, dict | list) else value)


def toml_line(text: str, loc: tuple) -> int | None:
    """Best-effort line of ``loc`` (e.g. ("parameter", 1, "column")) in a TOML text."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    names = list(loc)
    if names and isinstance(names[0], str):
        header = names.pop(0)
        nth = names.pop(0) if names and isinstance(names[0], int) else 0
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*$")
        hits = [i for i, line in enumerate(lines) if pattern.match(line)]
        if len(hits) > nth:
            start = hits[nth]
            later = [i for i in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[i])]
            end = later[0] if later else len(lines)
        else:  # an inline table or a key of the root
            key = re.compile(rf"^\s*\"?{re.escape(header)}\"?\s*=")
            found = [i for i, line in enumerate(lines) if key.match(line)]
            return found[0] + 1 if found else None
    keys = [x for x in names if isinstance(x, str)]
    for name in reversed(keys):
        key = re.compile(rf"(^|[{{,\s])\"?{re.escape(name)}\"?\s*=")
        for i in range(start, end):
            if key.search(lines[i]):
                return i + 1
    return start + 1 if start or (loc and lines) else None


def base_overrides(base: Base, source: str) -> list:
    """The overrides of a study's [base] (settings, tables, set, scale), like a scenario body's."""
    out: list = [SetSetting(path=k, value=v, source=source) for k, v in base.settings.items()]
    out += [ReplaceTable(table=k, file=v, source=source) for k, v in base.tables.items()]
    out += [SetRows.model_validate({**item, "source": source}) for item in base.set]
    out += [ScaleRows.model_validate({**item, "source": source}) for item in base.scale]
    return out
