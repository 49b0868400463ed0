"""Decisions a run takes as given: a plan's builds fixed, a site forced open or forbidden.

A :class:`~netopt.instance.runspec.RunSpec` may carry a tuple of them (``decisions``); they are
values like the overrides (frozen pydantic, JSON and pickle), part of the run's id, and recorded
in ``run.json``. Unlike an override they do not change the instance's data: they are applied to
the built model, by :func:`netopt.model.fixing.apply_decisions`, the one place that knows the form
of the build variables.

- :class:`FixBuilds`: every build of a plan, as (kind, site, size, period, units), fixed; every
  other build option of those periods fixed at none. ``through = P`` fixes only the builds of the
  periods up to P (the first stage of a two-stage plan); later builds stay free.
- :class:`ForceSite`: a candidate site must get a build (``open = true``, operating by ``by`` or by
  the end of the horizon) or must get none (``open = false``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Build(_Decision):
    """``units`` of capacity option ``size`` added at ``site`` (a facility of ``kind``), operating from ``period``."""

    kind: str
    site: str
    size: str
    period: int
    units: int = Field(1, ge=1)

    def __str__(self) -> str:
        units = f"{self.units} x " if self.units != 1 else ""
        return f"{self.kind} {self.site} {units}{self.size} {self.period}"


class FixBuilds(_Decision):
    """Fix every build decision to the plan ``builds`` (only those of periods <= ``through``, if given)."""

    type: Literal["fix_builds"] = "fix_builds"
    builds: tuple[Build, ...] = ()
    through: int | None = Field(None, description="Last period fixed; None: all periods (the flows alone are free).")
    source: str = Field("", description="Where the plan comes from, e.g. the run id of the plan.")


class ForceSite(_Decision):
    """Force a build at ``site`` (``open``), operating by period ``by`` (None: by the end), or forbid any."""

    type: Literal["force_site"] = "force_site"
    site: str
    open: bool
    by: int | None = None


Decision = Annotated[FixBuilds | ForceSite, Field(discriminator="type")]
"""Any one decision; a RunSpec holds a tuple of them."""
