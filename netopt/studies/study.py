"""A study as read and checked: its base instance, how each of its runs is spelled as a RunSpec.

:func:`load_study` reads the file (:mod:`netopt.studies.spec`), reads the base instance and checks
everything that needs it (scenario names, the base overrides, every parameter's rows), so that a
study that starts does not fail on its hundredth run for a typo. :meth:`Study.spec` is the one
place a study's run becomes a :class:`~netopt.instance.runspec.RunSpec`: the run's scenario after
the base scenario, the base overrides, the run's own overrides, the base ``[solve]`` settings with
one solver thread, the seed, and the run's decisions; pinned (default scenario named, inputs hash
filled), so that its id is known without reading the files again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from netopt.instance.io import Instance, load_instance
from netopt.instance.overrides import ScaleRows, SetRows, SetSetting, apply_overrides, scenario_names
from netopt.instance.runspec import RunSpec
from netopt.instance.validate import InstanceError, Problem, validation_problems
from netopt.studies.spec import Parameter, StudyFile, base_overrides, read_study_file, toml_line

BASE_SOURCE = "study base"


def parameter_source(p: Parameter) -> str:
    return f"parameter {p.name}"


@dataclass(eq=False)
class Study:
    file: Path
    text: str
    spec_file: StudyFile
    instance: Instance  # the base instance as read (no scenario applied)

    @property
    def name(self) -> str:
        return self.spec_file.study.name or self.file.stem

    @property
    def kind(self) -> str:
        return self.spec_file.study.kind

    @property
    def section(self):
        return self.spec_file.section

    @property
    def parameters(self) -> dict[str, Parameter]:
        return {p.name: p for p in self.spec_file.parameter}

    def chosen(self, names: list[str] | None) -> list[Parameter]:
        """The parameters named (all if None), in declaration order."""
        return [p for p in self.spec_file.parameter if names is None or p.name in names]

    @property
    def periods(self) -> list[int]:
        return list(self.instance.settings.model.periods)

    def default_out(self) -> Path:
        return Path("results") / self.instance.name / "studies" / self.name

    def scenario(self, extra: str | None = None) -> str | None:
        """The base scenario followed by ``extra`` ('a+b')."""
        base = self.spec_file.base.scenario
        if not extra:
            return base
        return extra if not base else f"{base}+{extra}"

    @functools.cached_property
    def base_overrides(self) -> tuple:
        return tuple(base_overrides(self.spec_file.base, BASE_SOURCE))

    def spec(self, scenario: str | None = None, overrides=(), decisions=()) -> RunSpec:
        """The RunSpec of one run of this study (pinned); ``scenario`` follows the base scenario."""
        name = self.scenario(scenario)
        solve = {**self.spec_file.base.solve, "threads": 1}
        spec = RunSpec(instance=str(self.instance.path), scenario=name, overrides=(*self.base_overrides, *overrides),
                       solve=solve, seed=self.spec_file.base.seed, decisions=tuple(decisions))
        return spec.pinned(self.instance)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - a study lives as long as its run
    def scenario_instance(self, scenario: str | None) -> Instance:
        """The base instance with ``scenario`` and the base overrides applied (for parameter values)."""
        spec = RunSpec(instance=str(self.instance.path), scenario=scenario, overrides=self.base_overrides)
        return spec.apply(self.instance)

    def parameter_overrides(self, p: Parameter, value: float, scenario: str | None = None) -> tuple:
        """The overrides that put parameter ``p`` at ``value`` (a factor in scale mode)."""
        source = parameter_source(p)
        if p.setting is not None:
            if p.mode == "scale":
                node = self.scenario_instance(self.scenario(scenario)).settings
                for part in p.setting.split("."):
                    node = getattr(node, part)
                value = float(node) * value
            return (SetSetting(path=p.setting, value=value, source=source),)
        if p.mode == "scale":
            return (ScaleRows(table=p.table, where=p.where, factors={c: value for c in p.columns}, source=source),)
        return (SetRows(table=p.table, where=p.where, values={c: value for c in p.columns}, source=source),)

    def confidence_groups(self, p: Parameter, scenario: str | None = None) -> dict[str, int]:
        """Confidence mark -> number of the parameter's rows with it ('' for rows without one)."""
        df = self.scenario_instance(self.scenario(scenario)).table(p.table)
        mask = df.index == df.index
        for col, wanted in p.where.items():
            mask &= df[col].isin(wanted if isinstance(wanted, list | tuple) else [wanted])
        return {str(k): int(v) for k, v in df[mask]["confidence"].fillna("").value_counts().sort_index().items()}

    def check_parameter(self, p: Parameter, index: int) -> list[Problem]:
        """Problems of putting ``p`` at a probe value on the base."""
        probe = p.low if p.low is not None else (p.grid() or [1.0])[0]
        try:
            apply_overrides(self.scenario_instance(self.scenario()), self.parameter_overrides(p, probe),
                            f"parameter {p.name}")
        except InstanceError as e:
            line = toml_line(self.text, ("parameter", index, "where"))
            return [Problem(str(self.file), line, f"parameter.{index}", f"{p.name}: {q.message}") for q in e.problems]
        return []


def load_study(path: str | Path) -> Study:
    """Read and check a study file; InstanceError lists every problem (file:line: key: problem)."""
    path = Path(path)
    parsed, text = read_study_file(path)
    folder = (path.parent / parsed.base.instance).resolve()
    instance = load_instance(folder)
    study = Study(path, text, parsed, instance)
    problems: list[Problem] = []
    try:
        overrides = study.base_overrides
    except ValidationError as e:
        raise InstanceError(validation_problems(e, str(path), prefix="base", text=text,
                                                line_of=lambda t, loc: toml_line(t, ("base", *loc)))) from None
    for name in _scenarios_named(study):
        try:
            RunSpec(instance=str(folder), scenario=name, overrides=overrides).apply(instance)
        except InstanceError as e:
            problems += [Problem(str(path), toml_line(text, ("base", "scenario")) if name == study.scenario() else None,
                                 "scenario", f"{name}: {p}") for p in e.problems]
    if not problems:
        for i, p in enumerate(study.spec_file.parameter):
            problems += study.check_parameter(p, i)
    if problems:
        raise InstanceError(problems)
    return study


def _scenarios_named(study: Study) -> list[str | None]:
    """Every scenario (composition) the study's runs will use, to check each once before any run."""
    s = study.section
    names: list[str | None] = [study.scenario()]
    for attr in ("scenarios", "plans"):
        for name in getattr(s, attr, None) or []:
            names.append(study.scenario(name))
    for attr in ("scenario", "expected_value_scenario"):
        extra = getattr(getattr(s, "condition", None), attr, None) or getattr(s, attr, None)
        if isinstance(extra, str):
            names.append(study.scenario(extra))
    seen, out = set(), []
    for n in names:
        key = "+".join(scenario_names(n)) if n else None
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out
