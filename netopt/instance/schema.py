"""The input schema, declared once.

Every CSV table of an instance folder is described here: its columns with type,
unit, default and meaning, its key, and the other tables its columns refer to.
The loader (:mod:`netopt.instance.io`, :mod:`netopt.instance.validate`) checks against these declarations and
``netopt docs`` renders them into ``docs/format.md``; nothing else restates them.

Units are carried by the column names (``capacity_t_per_yr``, ``capex_myen``).
Money is in million yen (``myen``) inside the model, so that cost coefficients stay
within a few orders of magnitude; transport tariffs are given in yen, as quoted by
hauliers, and converted on load.
"""

from __future__ import annotations

import math

from netopt.catalogue import KIND_NAMES, STAGE_NAMES
from netopt.instance.columns import (  # noqa: F401 - the schema's vocabulary, imported from here
    INF,
    MAX_MAGNITUDE,
    NONNEG,
    PROVENANCE,
    REQUIRED,
    SAFE_NAME,
    SHARE,
    Column,
    Coverage,
    Table,
    _c,
    _either,
)

LANDMASS = ("Land mass the node stands on: nodes on one land mass are joined by road, nodes on different land masses "
            "only by sea legs through the ports of sea_ports.csv (docs/model.md, Sea legs).")

TABLES: tuple[Table, ...] = (
    Table(
        "regions",
        "Source regions where end-of-life packs arise (the 47 prefectures in the Japan instance).",
        (
            _c("region_id", "str", "-", "Unique id."),
            _c("name", "str", "-", "Display name.", ""),
            _c("name_ja", "str", "-", "Japanese display name (maps and pages in Japanese; blank: name).", ""),
            _c("lat", "float", "deg", "Latitude of the collection centroid.", minimum=-90, maximum=90),
            _c("lon", "float", "deg", "Longitude of the collection centroid.", minimum=-180, maximum=180),
            _c("landmass", "str", "-", LANDMASS, "main"),
        ),
        key=("region_id",),
    ),
    Table(
        "chemistries",
        "Cathode chemistries of end-of-life packs.",
        (
            _c("chemistry", "str", "-", "Unique id, e.g. NMC, NCA, LFP, LMO."),
            _c("black_mass_yield_t_per_t", "float", "t BM / t pack",
               "Black mass obtained from one tonne of pack in pre-treatment.", minimum=1e-6, maximum=1.0),
        ),
        key=("chemistry",),
    ),
    Table(
        "chemistry_metals",
        "Metal content of end-of-life packs by chemistry. All of it is assumed to report to the black mass.",
        (
            _c("chemistry", "str", "-", "Chemistry.", references="chemistries.chemistry"),
            _c("metal", "str", "-", "Metal.", references="metals.metal"),
            _c("content_kg_per_t_pack", "float", "kg / t pack", "Metal contained in one tonne of pack.",
               minimum=0.0, maximum=1000.0),
        ),
        key=("chemistry", "metal"),
        coverage=Coverage(("chemistry", "metal"), "the chemistry contains none of that metal",
                          fill=(("content_kg_per_t_pack", 0.0),)),
    ),
    Table(
        "metals",
        "Recovered metals and how well refineries recover them.",
        (
            _c("metal", "str", "-", "Unique id, e.g. Li, Ni, Co, Mn."),
            _c("recovery_share", "float", "-", "Share of the metal in black mass that a refinery recovers.", **SHARE),
        ),
        key=("metal",),
    ),
    Table(
        "metal_prices",
        "Virgin (primary) metal delivered to domestic demand sites, by period.",
        (
            _c("metal", "str", "-", "Metal.", references="metals.metal"),
            _c("period", "int", "yr", "Period (first year).", references="settings.periods"),
            _c("virgin_price_myen_per_t", "float", "Myen / t", "Price of virgin metal delivered.", **NONNEG),
            _c("virgin_cap_t_per_yr", "float", "t / yr", "Most virgin metal obtainable per year (inf = no limit).",
               INF, allow_inf=True, **NONNEG),
        ),
        key=("metal", "period"),
        coverage=Coverage(("metal", "period"), "error: every metal needs a price in every period (virgin metal "
                          "is never free)"),
    ),
    Table(
        "supply",
        "End-of-life packs arising in each region (annual average over the period), before leakage.",
        (
            _c("region_id", "str", "-", "Region.", references="regions.region_id"),
            _c("chemistry", "str", "-", "Chemistry.", references="chemistries.chemistry"),
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("eol_packs_t_per_yr", "float", "t / yr", "Packs leaving first use in this region.", **NONNEG),
        ),
        key=("region_id", "chemistry", "period"),
        coverage=Coverage(("region_id", "chemistry", "period"), "error: write 0 where no packs of a chemistry "
                          "arise"),
    ),
    Table(
        "leakage",
        "Share of end-of-life packs that leave the country inside exported used vehicles, and the retention lever.",
        (
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("leakage_share", "float", "-", "Share of packs exported inside used EVs without intervention.", **SHARE),
            _c("retention_cost_myen_per_t", "float", "Myen / t",
               "Incentive needed to keep one tonne of packs in the country (inf = no lever).", INF, allow_inf=True,
               **NONNEG),
            _c("max_retained_share", "float", "-", "Most of the leaked tonnes that incentives can retain.", 1.0,
               **SHARE),
        ),
        key=("period",),
        coverage=Coverage(("period",), "error: every period needs its leakage share (0 for none)"),
    ),
    Table(
        "reuse",
        "Second-life market for packs diagnosed fit for reuse at hubs.",
        (
            _c("chemistry", "str", "-", "Chemistry.", references="chemistries.chemistry"),
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("reuse_fit_share", "float", "-", "Share of collected packs fit for second life.", **SHARE),
            _c("max_t_per_yr", "float", "t / yr", "Reuse demand (national cap; inf = no cap).", allow_inf=True,
               **NONNEG),
            _c("price_myen_per_t", "float", "Myen / t", "Revenue per tonne sold for reuse.", **NONNEG),
            _c("usable_kwh_per_t", "float", "kWh / t",
               "Usable energy of a tonne of packs sold for reuse (nameplate x state of health); what counts against "
               "the energy cap in reuse_market.", 0.0, **NONNEG),
        ),
        key=("chemistry", "period"),
        optional=True,
        coverage=Coverage(("chemistry", "period"), "no packs of that chemistry are sold for reuse in that period",
                          fill=(("reuse_fit_share", 0.0), ("max_t_per_yr", 0.0), ("price_myen_per_t", 0.0))),
    ),
    Table(
        "reuse_market",
        "National second-life market: usable energy of reused packs it takes per year, all chemistries together.",
        (
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("max_mwh_per_yr", "float", "MWh / yr", "Most usable energy sold for reuse per year (inf = no cap).",
               INF, allow_inf=True, **NONNEG),
        ),
        key=("period",),
        optional=True,
        coverage=Coverage(("period",), "error: every period needs its cap (inf for none)"),
    ),
    Table(
        "facility_kinds",
        "Operating data shared by all facilities of a kind.",
        (
            _c("kind", "str", "-", _either(KIND_NAMES), choices=KIND_NAMES),
            _c("processing_cost_myen_per_t", "float", "Myen / t input", "Variable cost per tonne processed.",
               **NONNEG),
            _c("co2_t_per_t", "float", "t CO2 / t input", "Process emissions per tonne processed.", 0.0, **NONNEG),
        ),
        key=("kind",),
        coverage=Coverage(("kind",), "error: every kind used in sites.csv needs its processing cost",
                          domains=(("kind", "sites.kind"),)),
    ),
    Table(
        "capacity_options",
        "Sizes a new facility can be built at (one size per site, built once).",
        (
            _c("kind", "str", "-", "Facility kind.", choices=KIND_NAMES),
            _c("size", "str", "-", "Name of the size, e.g. S, M, L."),
            _c("capacity_t_per_yr", "float", "t input / yr",
               "Capacity (hubs and pre-treatment: t packs; refineries: t black mass).", minimum=1e-6),
            _c("capex_myen", "float", "Myen", "Overnight investment.", **NONNEG),
            _c("fixed_om_myen_per_yr", "float", "Myen / yr", "Fixed operation and maintenance.", **NONNEG),
            _c("lifetime_yr", "float", "yr", "Economic lifetime for the capital recovery factor.", minimum=1),
        ),
        key=("kind", "size"),
        may_be_empty=True,
        rules=("every kind with a candidate site (sites.csv, candidate = 1) has at least one size",),
    ),
    Table(
        "sites",
        "Existing, scheduled and candidate facilities.",
        (
            _c("site_id", "str", "-", "Unique id over sites, ports, demand sites and regions."),
            _c("name", "str", "-", "Display name.", ""),
            _c("name_ja", "str", "-", "Japanese display name (maps and pages in Japanese; blank: name).", ""),
            _c("kind", "str", "-", _either(KIND_NAMES), choices=KIND_NAMES),
            _c("lat", "float", "deg", "Latitude.", minimum=-90, maximum=90),
            _c("lon", "float", "deg", "Longitude.", minimum=-180, maximum=180),
            _c("region_id", "str", "-", "Region the site lies in (for reports; blank = none).", "",
               references="regions.region_id"),
            _c("landmass", "str", "-", LANDMASS, "main"),
            _c("existing_capacity_t_per_yr", "float", "t input / yr",
               "Capacity that exists (or is scheduled) regardless of the plan.", 0.0, **NONNEG),
            _c("existing_from_period", "int", "yr",
               "First period the existing capacity operates (0 = from the start).", 0, **NONNEG),
            _c("candidate", "int", "0/1", "1 if the model may build a new size here.", 1, minimum=0, maximum=1),
            _c("earliest_period", "int", "yr", "First period a new build may operate (0 = any).", 0, **NONNEG),
            _c("capex_factor", "float", "-", "Multiplier on capacity option capex and fixed O&M at this site.",
               1.0, minimum=0.0),
        ),
        key=("site_id",),
        rules=("site ids are unique across regions, sites, demand sites and ports (they are the network's nodes)",
               "a site that is not a candidate has existing capacity"),
    ),
    Table(
        "demand_sites",
        "Domestic consumers of battery-grade metal (cell and cathode plants).",
        (
            _c("site_id", "str", "-", "Unique id."),
            _c("name", "str", "-", "Display name.", ""),
            _c("name_ja", "str", "-", "Japanese display name (maps and pages in Japanese; blank: name).", ""),
            _c("lat", "float", "deg", "Latitude.", minimum=-90, maximum=90),
            _c("lon", "float", "deg", "Longitude.", minimum=-180, maximum=180),
            _c("region_id", "str", "-", "Region the site lies in (blank = none).", "",
               references="regions.region_id"),
            _c("landmass", "str", "-", LANDMASS, "main"),
        ),
        key=("site_id",),
    ),
    Table(
        "demand",
        "Domestic metal demand by site, metal and period.",
        (
            _c("site_id", "str", "-", "Demand site.", references="demand_sites.site_id"),
            _c("metal", "str", "-", "Metal.", references="metals.metal"),
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("demand_t_per_yr", "float", "t / yr", "Metal needed.", **NONNEG),
        ),
        key=("site_id", "metal", "period"),
        coverage=Coverage(("site_id", "metal", "period"), "the site needs none of that metal in that period",
                          fill=(("demand_t_per_yr", 0.0),)),
    ),
    Table(
        "ports",
        "Seaports through which packs, black mass and metal are imported or exported.",
        (
            _c("port_id", "str", "-", "Unique id."),
            _c("name", "str", "-", "Display name.", ""),
            _c("name_ja", "str", "-", "Japanese display name (maps and pages in Japanese; blank: name).", ""),
            _c("lat", "float", "deg", "Latitude.", minimum=-90, maximum=90),
            _c("lon", "float", "deg", "Longitude.", minimum=-180, maximum=180),
            _c("handling_myen_per_t", "float", "Myen / t", "Port handling per tonne in or out.", 0.0, **NONNEG),
            _c("landmass", "str", "-", LANDMASS, "main"),
        ),
        key=("port_id",),
        optional=True,
    ),
    Table(
        "markets",
        "Foreign markets trading with Japanese ports.",
        (
            _c("market_id", "str", "-", "Unique id."),
            _c("name", "str", "-", "Display name.", ""),
            _c("name_ja", "str", "-", "Japanese display name (maps and pages in Japanese; blank: name).", ""),
            _c("lat", "float", "deg", "Latitude of a representative port (for maps).", minimum=-90, maximum=90),
            _c("lon", "float", "deg", "Longitude of a representative port (for maps).", minimum=-180, maximum=180),
            _c("sea_freight_myen_per_t", "float", "Myen / t", "Sea freight between the market and any Japanese port.",
               **NONNEG),
            _c("sea_co2_t_per_t", "float", "t CO2 / t", "Emissions of the sea leg per tonne.", 0.0, **NONNEG),
        ),
        key=("market_id",),
        optional=True,
    ),
    Table(
        "trade",
        "Import offers and export bids of foreign markets. Price = price_myen_per_t + payable_share x contained "
        "metal value at the period's virgin prices; sea freight is added to imports and deducted from exports.",
        (
            _c("market_id", "str", "-", "Market.", references="markets.market_id"),
            _c("direction", "str", "-", "import or export.", choices=("import", "export")),
            _c("stage", "str", "-", _either(STAGE_NAMES), choices=STAGE_NAMES),
            _c("material", "str", "-", "Chemistry (pack, black_mass) or metal (metal).",
               references="chemistries.chemistry or metals.metal (by stage)"),
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("price_myen_per_t", "float", "Myen / t", "Fixed part of the price.", 0.0, **NONNEG),
            _c("payable_share", "float", "-", "Share of the contained metal value paid.", 0.0, **SHARE),
            _c("cap_t_per_yr", "float", "t / yr", "Most tonnes per year (0 = banned, inf = no limit).", INF,
               allow_inf=True, **NONNEG),
        ),
        key=("market_id", "direction", "stage", "material", "period"),
        optional=True,
        rules=("no coverage rule: a row is an offer or a bid; a combination without a row is not traded",),
    ),
    Table(
        "transport",
        "Domestic transport tariff by stage. Unit cost of an arc = (handling + tariff x km x (1 + premium)) / 1e6.",
        (
            _c("stage", "str", "-", _either(STAGE_NAMES), choices=STAGE_NAMES),
            _c("cost_yen_per_t_km", "float", "yen / t km", "Distance rate for a full load.", **NONNEG),
            _c("handling_yen_per_t", "float", "yen / t", "Loading, unloading, packaging per trip.", 0.0, **NONNEG),
            _c("hazardous_premium_share", "float", "-", "Dangerous-goods surcharge on the distance rate.", 0.0,
               **NONNEG),
            _c("co2_kg_per_t_km", "float", "kg CO2 / t km", "Truck emissions.", 0.0, **NONNEG),
        ),
        key=("stage",),
        coverage=Coverage(("stage",), "error: every stage needs its tariff"),
    ),
    Table(
        "sea_ports",
        "Ports of domestic coastal shipping (RoRo, ferries) that sea legs pass through; not trade ports.",
        (
            _c("port_id", "str", "-", "Unique id."),
            _c("name", "str", "-", "Display name.", ""),
            _c("name_ja", "str", "-", "Japanese display name (maps and pages in Japanese; blank: name).", ""),
            _c("lat", "float", "deg", "Latitude of the RoRo or ferry terminal.", minimum=-90, maximum=90),
            _c("lon", "float", "deg", "Longitude of the RoRo or ferry terminal.", minimum=-180, maximum=180),
            _c("landmass", "str", "-", "Land mass the port serves (as landmass of regions.csv).", "main"),
        ),
        key=("port_id",),
        optional=True,
    ),
    Table(
        "sea_routes",
        "Scheduled domestic sea routes between two sea ports, usable in both directions.",
        (
            _c("from_port", "str", "-", "One end.", references="sea_ports.port_id"),
            _c("to_port", "str", "-", "The other end.", references="sea_ports.port_id"),
            _c("sea_km", "float", "km", "Distance along the route.", minimum=1e-6),
        ),
        key=("from_port", "to_port"),
        optional=True,
    ),
    Table(
        "sea_tariff",
        "Domestic coastal shipping tariff by stage. Sea part of a sea leg's unit cost = (handling + tariff x sea km "
        "x (1 + premium)) / 1e6, added to the road tariff of its road parts.",
        (
            _c("stage", "str", "-", _either(STAGE_NAMES), choices=STAGE_NAMES),
            _c("cost_yen_per_t_km", "float", "yen / t km", "Distance rate.", **NONNEG),
            _c("handling_yen_per_t", "float", "yen / t", "Port handling, lashing and chassis per sea crossing.", 0.0,
               **NONNEG),
            _c("hazardous_premium_share", "float", "-", "Dangerous-goods surcharge on the distance rate.", 0.0,
               **NONNEG),
            _c("co2_kg_per_t_km", "float", "kg CO2 / t km", "Ship emissions.", 0.0, **NONNEG),
        ),
        key=("stage",),
        optional=True,
        coverage=Coverage(("stage",), "error: every stage needs its sea tariff (a sea leg may carry any stage)"),
    ),
    Table(
        "arcs",
        "Explicit arcs: always built, and override the great-circle distance or the unit cost of the pair.",
        (
            _c("from_id", "str", "-", "Origin node id.", references="nodes"),
            _c("to_id", "str", "-", "Destination node id.", references="nodes"),
            _c("distance_km", "float", "km", "Road distance (blank = great circle x road factor).", math.nan,
               **NONNEG),
            _c("cost_myen_per_t", "float", "Myen / t", "Unit cost (blank = from the tariff).", math.nan, **NONNEG),
        ),
        key=("from_id", "to_id"),
        optional=True,
        rules=("from_id and to_id are node ids (regions, sites, demand sites, ports) whose kinds fit a leg "
               "(see Network); an arc on a port leg that no market trades on is ignored, with a warning",),
    ),
    Table(
        "recycled_content",
        "Minimum share of domestic demand met by recycled metal (0 = no requirement).",
        (
            _c("metal", "str", "-", "Metal.", references="metals.metal"),
            _c("period", "int", "yr", "Period.", references="settings.periods"),
            _c("min_share", "float", "-", "Recycled metal delivered / domestic demand, at least.", **SHARE),
        ),
        key=("metal", "period"),
        optional=True,
        coverage=Coverage(("metal", "period"), "no minimum (min_share 0)", fill=(("min_share", 0.0),)),
    ),
    Table(
        "site_options",
        "Sizes a candidate site may be built at, with site-specific capacity or cost. A candidate site without "
        "rows here may be built at every size of its kind; with rows, only at the sizes listed.",
        (
            _c("site_id", "str", "-", "Candidate site.", references="sites.site_id"),
            _c("size", "str", "-", "A size of the site's kind in capacity_options.csv."),
            _c("capacity_t_per_yr", "float", "t input / yr", "Capacity at this site (blank = the size's).",
               math.nan, minimum=1e-6),
            _c("capex_myen", "float", "Myen", "Investment at this site (blank = the size's x capex_factor).",
               math.nan, **NONNEG),
            _c("fixed_om_myen_per_yr", "float", "Myen / yr",
               "Fixed O&M at this site (blank = the size's x capex_factor).", math.nan, **NONNEG),
        ),
        key=("site_id", "size"),
        optional=True,
        rules=("the site is a candidate and (its kind, size) is a row of capacity_options.csv",),
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
