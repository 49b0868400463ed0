"""Scalar settings of an instance (``instance.toml``), declared once with unit and default.

The TOML file has the sections below; every key is optional except ``model.periods``.
A scenario, ``netopt solve --set`` or a :class:`~netopt.instance.runspec.RunSpec` overrides keys by
their dotted path, e.g. ``policy.carbon_price_yen_per_t_co2`` or ``solve.mip_gap``
(:mod:`netopt.instance.overrides`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from netopt.catalogue import period_years
from netopt.instance.schema import SAFE_NAME


class _Section(BaseModel):
    # no NaN or inf in any setting: "no limit" is an absent key (None) where a setting has one
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Meta(_Section):
    name: str = Field("", pattern=f"^$|{SAFE_NAME}", description="Short name of the instance; results go to "
                      "results/<name>/ (letters, digits, _ . -; empty = the folder's name).")
    description: str = Field("", description="What the instance represents.")
    default_scenario: str = Field("baseline", pattern=SAFE_NAME, description="Scenario solved when none is named.")
    language: Literal["en", "ja"] = Field(
        "en", description="Language maps, reports and prefecture pages open in: 'ja' or 'en' (each page has a "
        "switch to the other).")


class ModelSettings(_Section):
    periods: list[Annotated[int, Field(ge=1900, le=2300)]] = Field(
        description="First year of each planning period, ascending.")
    last_period_years: int = Field(
        0, ge=0, le=100, description="[yr] Years the last period stands for (0 = same as the previous gap, or 1).")
    base_year: int = Field(0, ge=0, le=2300, description="[yr] Year costs are discounted to (0 = first period).")
    discount_rate: float = Field(0.05, ge=0, le=1, description="[1/yr] Real discount rate.")
    linking: Literal["aggregate", "weak", "strong", "arc"] = Field(
        "arc",
        description="Capacity linking: 'weak' = one capacity row per facility; 'aggregate' = weak plus one "
        "total-capacity row per kind and period; 'strong' = weak plus one row per arc and material (flow <= "
        "capacity x open); 'arc' = weak plus one row per collection arc and period, over all chemistries.")
    cost_bounds: bool = Field(
        True, description="Add the valid national rows that charge each kind the whole plants its load needs "
        "(model/bounds.py): they lift the bound, never the optimum.")
    collected_linking: bool = Field(
        True, description="With linking = 'arc': add, per collection arc from a region that may retain packs, the "
        "valid row flow <= (packs collected without retention) x open + retained. Used by the bound steps only "
        "(national bound, search); the dive and local search leave it out (model/facilities.py).")
    strict: bool = Field(False, description="Turn off the priced slacks (unmet demand, unprocessed packs).")
    allow_expansion: bool = Field(
        True, description="A site may add one capacity option per period (expansions); false = one build per site "
        "over the whole horizon.")

    @field_validator("periods")
    @classmethod
    def _ascending(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("at least one period is needed")
        if any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("periods must be strictly ascending")
        return v


class NetworkSettings(_Section):
    road_factor: float = Field(1.3, ge=1, le=10, description="[-] Road distance / great-circle distance.")
    k_nearest: int = Field(5, ge=0, le=10000, description="[-] Each origin is linked to its k nearest destinations "
                           "and each destination to its k nearest origins (0 = no coordinate arcs: only max_arc_km "
                           "and arcs.csv).")
    max_arc_km: float = Field(
        0.0, ge=0, le=50000, description="[km] Also link every pair closer than this (0 = k-nearest only).")


class PolicySettings(_Section):
    carbon_price_yen_per_t_co2: float = Field(0.0, ge=0, le=1e9, description="[yen/t CO2] Price on transport and "
                                              "process CO2.")
    carbon_cap_t_co2_per_yr: float | None = Field(
        None, ge=0, le=1e12, description="[t CO2/yr] Cap on transport and process CO2 in every period (none = no cap).")
    max_new_facilities: int | None = Field(None, ge=0, le=100000, description="[-] Most new facilities over the "
                                           "horizon.")
    min_utilisation_share: float = Field(
        0.0, ge=0, le=1, description="[-] Every open new facility processes at least this share of its capacity.")


class Penalties(_Section):
    unmet_demand_myen_per_t: float = Field(
        100.0, gt=0, le=1e6, description="[Myen/t] Metal demand met neither by recycled nor by virgin metal.")
    unprocessed_packs_myen_per_t: float = Field(
        5.0, gt=0, le=1e6, description="[Myen/t] Collected packs that no facility can take (stockpiled at the source).")
    recycled_content_shortfall_myen_per_t: float = Field(
        50.0, gt=0, le=1e6, description="[Myen/t] Recycled metal missing to meet a recycled-content minimum.")
    carbon_cap_excess_myen_per_t_co2: float = Field(
        1.0, gt=0, le=1e6, description="[Myen/t CO2] CO2 above the cap.")


class SolveSettings(_Section):
    time_limit: float = Field(600.0, gt=0, le=1e7, description="[s] Wall-clock guard: when it is hit the solve "
                              "stops with its best plan, status time_limit (it never chooses the plan otherwise).")
    mip_gap: float = Field(0.01, ge=0, lt=1, description="[-] Target gap as a share of the controllable cost "
                           "(objective less the all-virgin reference); the target is the larger of this and "
                           "mip_gap_abs_myen.")
    mip_gap_abs_myen: float = Field(1000.0, ge=0, le=1e12, description="[Myen] Target gap in Myen (about one "
                                    "collection hub over the horizon on the Japan instance).")
    threads: int = Field(1, ge=0, le=1024, description="[-] HiGHS threads (0 = HiGHS decides; 1 keeps runs "
                         "reproducible and leaves a core free).")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="[-] HiGHS random seed.")
    warm_start: bool = Field(True, description="Find a first plan before any branch-and-bound.")
    first_plan: Literal["dive", "relax_and_fix"] = Field(
        "dive", description="How: 'dive' = round and fix on the LP relaxation until integer; 'relax_and_fix' = "
        "one MIP per build period of at most stage_nodes nodes (slower on Japan; kept for benchmarks).")
    dive_snap: float = Field(0.1, ge=0, lt=0.5, description="[-] A dive fixes at once every integer variable "
                             "within this distance of an integer.")
    stage_nodes: int = Field(50, ge=0, le=10**9, description="[-] Branch-and-bound nodes per relax-and-fix stage "
                             "(a work limit, so the plan does not depend on machine load).")
    improve_passes: int = Field(10, ge=0, le=1000, description="[-] Passes of local search over the first plan's "
                                "builds (close, one period earlier or later, another size, another site), each "
                                "try an LP, at most this many per phase (0 = none).")
    improve_builds: int = Field(500, ge=0, le=10**6, description="[-] Builds tried per pass, the costliest first.")
    improve_relocate: int = Field(2, ge=0, le=10**6, description="[-] Local search: sites each build may move to "
                                  "(same kind, size and period), those where the LP relaxation builds most in "
                                  "that period first (0 = no moves between sites).")
    improve_prune: bool = Field(True, description="Local search: skip the moves whose reduced-cost floor proves "
                                "they cannot lower the cost (the same plan with fewer LPs; off for benchmarks).")
    national_nodes: int = Field(1000, ge=0, le=10**9, description="[-] Branch-and-bound nodes of the national "
                                "bound: every build relaxed except the national number of units of each kind, size "
                                "and build period (national_kinds); a valid bound at any node count (0 = none).")
    national_kinds: list[Literal["hub", "pretreatment", "refinery"]] = Field(
        ["pretreatment", "refinery"], description="Kinds whose national unit counts are integer in the national "
        "bound (with hubs too the Japan bound rises 81 Myen more, the step taking about 4 times as long; "
        "measured with the bound rows, 2026-12-04).")
    search_nodes: int = Field(0, ge=0, le=10**9, description="[-] Nodes of branch-and-bound on the whole model "
                              "after the first plan (0 = none).")
    duals: bool = Field(True, description="Report the duals of the LP with the builds fixed (marginal value of "
                        "capacity, of a collected tonne).")


class Settings(_Section):
    meta: Meta = Field(default_factory=Meta)
    model: ModelSettings
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    penalties: Penalties = Field(default_factory=Penalties)
    solve: SolveSettings = Field(default_factory=SolveSettings)

    def period_years(self) -> dict[int, int]:
        """Years each period stands for: until the next period, and ``last_period_years`` for the last."""
        return period_years(self.model.periods, self.model.last_period_years)

    def discount_weights(self) -> dict[int, float]:
        r"""Sum of discount factors over the years of each period.

        .. math:: w_p = \sum_{y=p}^{p+n_p-1} (1+r)^{-(y-y_0)}
        """
        r = self.model.discount_rate
        y0 = self.model.base_year or self.model.periods[0]
        return {
            p: sum((1 + r) ** -(y - y0) for y in range(p, p + n))
            for p, n in self.period_years().items()
        }


SECTIONS = {"meta": Meta, "model": ModelSettings, "network": NetworkSettings, "policy": PolicySettings,
            "penalties": Penalties, "solve": SolveSettings}
