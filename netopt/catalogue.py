"""The chain, declared once: stages, facility kinds, legs, cost blocks, emission sources, result tables.

Every layer iterates over these tables instead of spelling the chain out again: the schema
takes its choices from them, the model builds one block per facility kind and one arc set per
leg, the results read each kind's block and each cost block, the maps draw a layer per leg
and the report a Sankey node per kind. Adding a facility kind starts here (see
``docs/developer.md``). Plain Python, no dependencies: every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """A form the material takes along the chain."""

    name: str
    material: str  # what the flows of this stage are indexed by: "chemistry" or "metal"
    label: str


STAGES = (
    Stage("pack", "chemistry", "packs"),
    Stage("black_mass", "chemistry", "black mass"),
    Stage("metal", "metal", "metal"),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


@dataclass(frozen=True)
class FacilityKind:
    """A kind of facility the plan can build: one model block, one ``kind`` value in sites.csv."""

    kind: str  # value of sites.csv / facility_kinds.csv / capacity_options.csv ``kind``
    block: str  # name of its Pyomo block (``m.<block>``) and of its cost block
    stage_in: str  # what it takes in (and its capacity is counted in)
    stage_out: str  # what it sends on
    label: str  # for people: map legend, popups, report
    marker: tuple[str, str]  # map symbol: (shape, colour); shapes are those of views.style.symbol_svg
    sankey: str  # its node in the report's Sankey diagram
    residue: str | None = None  # Sankey node of the mass it does not send on (None: it keeps all mass)


FACILITY_KINDS = (
    FacilityKind("hub", "hubs", "pack", "pack", "Collection hub", ("circle", "#1f77b4"), "Collection hubs"),
    FacilityKind("pretreatment", "pretreatment", "pack", "black_mass", "Black-mass plant (pre-treatment)",
                 ("square", "#e6550d"), "Pre-treatment (black-mass plants)", residue="Pre-treatment residue"),
    FacilityKind("refinery", "refineries", "black_mass", "metal", "Refinery", ("diamond", "#6a3d9a"), "Refineries",
                 residue="Refining residue"),
)
KIND_NAMES = tuple(k.kind for k in FACILITY_KINDS)
KINDS = {k.kind: k for k in FACILITY_KINDS}
KIND_OF_BLOCK = {k.block: k for k in FACILITY_KINDS}


@dataclass(frozen=True)
class Leg:
    """One kind of link between node roles (a facility kind, region, port, demand, market, reuse market).

    ``arc`` legs are arcs of the network (one flow variable per arc, material and period); the
    others are rows of flows.csv that the model states otherwise (trade at ports, sales to reuse).
    ``sankey_origin``/``sankey_destination`` name the Sankey node of an end that is not a facility.
    """

    name: str
    stage: str | None  # None: the stage of the traded material (market legs)
    origin: str
    destination: str
    label: str
    layer: str  # the map's flow layer (views.labels.FLOW_LAYERS)
    direction: str | None = None  # "import" / "export" for port legs: built only if some market trades
    arc: bool = True
    sankey_origin: str | None = None
    sankey_destination: str | None = None


LEGS = (  # in the order of the report's Sankey links
    Leg("collect", "pack", "region", "hub", "collection", "collect", sankey_origin="End-of-life packs"),
    Leg("reuse", "pack", "hub", "reuse_market", "sold for reuse", "reuse", arc=False, sankey_destination="Reuse"),
    Leg("hub_to_pretreatment", "pack", "hub", "pretreatment", "hub to pre-treatment", "hub_to_pretreatment"),
    Leg("import_pack", "pack", "port", "pretreatment", "imported packs from port", "trade", "import",
        sankey_origin="Imported packs"),
    Leg("pretreatment_to_refinery", "black_mass", "pretreatment", "refinery", "black mass to refinery", "black_mass"),
    Leg("export_black_mass", "black_mass", "pretreatment", "port", "black mass to export port", "trade", "export",
        sankey_destination="Black-mass exports"),
    Leg("import_black_mass", "black_mass", "port", "refinery", "imported black mass from port", "trade", "import",
        sankey_origin="Imported black mass"),
    Leg("refinery_to_demand", "metal", "refinery", "demand", "metal to demand", "metal",
        sankey_destination="Domestic metal demand"),
    Leg("export_metal", "metal", "refinery", "port", "metal to export port", "trade", "export",
        sankey_destination="Metal exports"),
    Leg("import_market", None, "market", "port", "import by sea", "trade", "import", arc=False),
    Leg("export_market", None, "port", "market", "export by sea", "trade", "export", arc=False),
)
ARC_LEGS = tuple(leg for leg in LEGS if leg.arc)
LEGS_BY_NAME = {leg.name: leg for leg in LEGS}

COST_BLOCKS = ("flows", "sources", *(k.block for k in FACILITY_KINDS), "demand", "trade", "policy")
"""Blocks that declare ``cost[category, period]``, in the objective's order."""

EMISSION_SOURCES = (("transport", "flows"), *((f"process_{k.kind}", k.block) for k in FACILITY_KINDS),
                    ("sea", "trade"))
"""(source, block): each block declares ``co2[period]`` (t CO2/yr); policy.co2 is their sum, in this order."""


@dataclass(frozen=True)
class ResultTable:
    """One CSV table of a run folder."""

    name: str
    description: str
    key: tuple[str, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


RESULT_TABLES = (
    ResultTable("facilities", "Every existing or new facility and period: capacity, throughput, utilisation, "
                "marginal value of capacity, fixed and processing cost.", ("site_id", "period")),
    ResultTable("flows", "Positive flows: leg, stage, origin, destination, material, period, t/yr, km, cost, mode "
                "(road or sea), sea km and the sea ports a sea leg passes (via: 'A~B' by sea, 'B>C' by road).",
                ("leg", "origin", "destination", "material", "period")),
    ResultTable("metals", "Per period and metal: demand, recycled, virgin, unmet, recovered, exported, surplus.",
                ("period", "metal")),
    ResultTable("costs", "Annual and discounted cost by block, category and period.", ("block", "category", "period")),
    ResultTable("regions", "Per region, period and chemistry: end-of-life packs, leaked, retained, collected, "
                "unprocessed, and the marginal cost of one more collected tonne (Myen/t, the dual of the region's "
                "collection balance with the builds fixed).", ("region_id", "period", "chemistry")),
    ResultTable("nodes", "Every node with its role, names (name = name_en, name_ja), coordinates and land mass; "
                "also the sea ports of sea legs (role sea_port) and the foreign markets (role market).",
                ("node_id",)),
    ResultTable("emissions", "CO2 by source (transport, process per facility kind, sea) and period, t CO2/yr.",
                ("period", "source")),
)
RESULT_TABLE_NAMES = tuple(t.name for t in RESULT_TABLES)


def period_years(periods: list[int] | tuple[int, ...], last_period_years: int = 0) -> dict[int, int]:
    """Years each period stands for: until the next period; the last one ``last_period_years``
    (0 = the same as the previous gap, or 1 for a single period)."""
    gaps = [b - a for a, b in zip(periods, periods[1:], strict=False)]
    last = last_period_years or (gaps[-1] if gaps else 1)
    return dict(zip(periods, [*gaps, last], strict=True))
