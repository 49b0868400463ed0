"""A run as a value: which instance, which scenario, which overrides, which solve settings and seed,
and which decisions it takes as given (:mod:`netopt.instance.decisions`: a plan's builds fixed, a
site forced open or forbidden; applied to the built model by :mod:`netopt.model.fixing`).

:class:`RunSpec` is frozen, validated when made, round-trips through JSON and pickle (so it can
be sent to another process, e.g. a Dask worker), and has a stable :attr:`~RunSpec.id`: the
SHA-256 of its canonical JSON and the hash of the instance's input files. The CLI, the API and
the benchmarks describe every run by one; ``run.json`` records it with its id and the log of
every override applied.

>>> spec = RunSpec(instance="instances/toy", scenario="no_retention", solve={"mip_gap": 0.01}, seed=1)
>>> instance = spec.load()          # scenario, overrides, solve settings and seed applied and logged
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netopt.instance.decisions import Decision
from netopt.instance.io import SETTINGS_FILE, Instance, hash_inputs, load_instance
from netopt.instance.overrides import BASE, Override, SetSetting, apply_overrides, scenario_overrides
from netopt.instance.settings import Meta, SolveSettings
from netopt.instance.textfile import TextError, read_text
from netopt.instance.validate import OverrideError, validation_problems

SOURCE = "run spec"  # the source named in the log lines of the solve settings and seed below


class RunSpec(BaseModel):
    """Everything that decides a run, as one value."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")

    instance: str = Field(description="Instance folder, as given (not part of the id: the inputs hash is).")
    scenario: str | None = Field(None, description="Named scenarios, 'a+b' applies a then b; None: the "
                                 "instance's default scenario.")
    overrides: tuple[Override, ...] = Field((), description="Applied after the scenario, in order.")
    solve: dict[str, float | int | bool | str | list[str]] = Field(
        default_factory=dict, description="[solve] settings for this run (applied after the overrides); the seed "
                                          "is `seed`.")
    seed: int | None = Field(None, ge=0, description="Random seed of the run (solve.seed); None: the instance's.")
    decisions: tuple[Decision, ...] = Field((), description="Decisions taken as given (a plan's builds fixed, a "
                                            "site forced open or forbidden), applied to the built model.")
    inputs_sha256: str = Field("", description="Hash of the instance's inputs; filled by pinned()/load().")

    @field_validator("instance", mode="before")
    @classmethod
    def _path(cls, v):
        return str(v) if isinstance(v, Path) else v

    @field_validator("solve")
    @classmethod
    def _solve(cls, v: dict) -> dict:
        if "seed" in v:
            raise ValueError("give the seed as RunSpec.seed, not solve.seed")
        SolveSettings.model_validate(v)
        return v

    @classmethod
    def make(cls, **fields) -> RunSpec:
        """Like ``RunSpec(**fields)`` but a bad field is an OverrideError naming it (for the CLI)."""
        try:
            return cls(**fields)
        except ValidationError as e:
            raise OverrideError(validation_problems(e, "run spec")) from None

    @property
    def id(self) -> str:
        """SHA-256 over the canonical JSON of the spec (without the instance path) and the inputs hash.

        The same for a spec and its :meth:`pinned` form: an unnamed scenario counts as the
        instance's default, a missing inputs hash is computed from the instance's files."""
        scenario = self.scenario or _default_scenario(Path(self.instance))
        body = self.model_dump(mode="python", exclude={"instance", "inputs_sha256"}) | {"scenario": scenario}
        if not self.decisions:  # specs without decisions keep the ids they had before decisions existed
            body.pop("decisions")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        digest = self.inputs_sha256 or hash_inputs(Path(self.instance))
        return hashlib.sha256(f"{canonical}\n{digest}".encode()).hexdigest()

    def all_overrides(self, instance: Instance) -> list:
        """Every override this spec makes on ``instance`` (the base), in the order they apply."""
        solve = [SetSetting(path=f"solve.{k}", value=v, source=SOURCE) for k, v in self.solve.items()]
        seed = [] if self.seed is None else [SetSetting(path="solve.seed", value=self.seed, source=SOURCE)]
        return [*scenario_overrides(instance, self.scenario or BASE), *self.overrides, *solve, *seed]

    def load(self) -> Instance:
        """Read the instance and apply the spec; the result's ``spec`` is this spec, pinned."""
        return self.apply(load_instance(self.instance))

    def apply(self, base: Instance) -> Instance:
        """Apply the spec to an instance as read (``load_instance``)."""
        spec = self.pinned(base)
        out = apply_overrides(base, spec.all_overrides(base), _label(spec))
        out.scenario = spec.scenario
        out.spec = spec
        return out

    def pinned(self, base: Instance) -> RunSpec:
        """The same spec with the default scenario named and the inputs hash filled in."""
        scenario = self.scenario or base.settings.meta.default_scenario or BASE
        return self.model_copy(update={"scenario": scenario, "inputs_sha256": base.inputs_hash})

    def extended(self, scenario: str | None = None, overrides=(), solve: Mapping | None = None,
                 seed: int | None = None, decisions=()) -> RunSpec:
        """This spec followed by more: a scenario (only before any other override), overrides, settings,
        decisions."""
        if scenario:
            if self.overrides or self.solve or self.seed is not None or self.decisions:
                raise ValueError("a scenario cannot follow overrides; make a new RunSpec instead")
            scenario = scenario if (self.scenario or BASE) == BASE else f"{self.scenario}+{scenario}"
        return RunSpec(instance=self.instance, scenario=scenario or self.scenario,
                       overrides=(*self.overrides, *overrides), solve={**self.solve, **(solve or {})},
                       seed=self.seed if seed is None else seed, decisions=(*self.decisions, *decisions),
                       inputs_sha256=self.inputs_sha256)


def _default_scenario(folder: Path) -> str:
    """The default scenario named in ``folder/instance.toml`` (without reading the tables)."""
    try:
        raw = tomllib.loads(read_text(folder / SETTINGS_FILE)[0])
        return Meta.model_validate(raw.get("meta", {})).default_scenario or BASE
    except (OSError, TextError, tomllib.TOMLDecodeError, ValidationError):
        return BASE  # load_instance reports what is wrong with the file


def _label(spec: RunSpec) -> str:
    extra = " with overrides" if spec.overrides or spec.solve or spec.seed is not None else ""
    return f"scenario {spec.scenario}{extra}"


def extend_instance(instance: Instance, scenario: str | None = None, overrides=(), solve: Mapping | None = None,
                    seed: int | None = None) -> Instance:
    """``instance`` with more applied (a scenario, overrides, solve settings, a seed), its spec extended to match."""
    base = instance.spec or RunSpec(instance=str(instance.path), scenario=instance.scenario,
                                    inputs_sha256=instance.inputs_hash)
    spec = base.extended(scenario, overrides, solve, seed)
    more = RunSpec(instance=str(instance.path), scenario=scenario, overrides=tuple(overrides), solve=dict(solve or {}),
                   seed=seed)
    todo = more.all_overrides(instance)
    out = apply_overrides(instance, todo, _label(spec)) if todo else instance.copy()
    out.scenario = spec.scenario
    out.spec = spec
    return out
