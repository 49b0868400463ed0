"""What a plan map draws, one object at a time: facility markers and popups, node markers, flow lines and
the curves of sea legs. All texts are in both languages (:mod:`netopt.views.i18n`)."""

from __future__ import annotations

import functools

import folium
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from netopt.catalogue import LEGS
from netopt.results.store import RunData
from netopt.views import facts
from netopt.views.i18n import T, Text
from netopt.views.labels import LEG_LAYER, MODES, NODE_ROLES, kind_label, leg_label, stage_label
from netopt.views.maps import geo
from netopt.views.maps.page import Popup
from netopt.views.style import (
    KIND_STYLE,
    LAYER_COLOURS,
    NODE_STYLE,
    SEA_DASH,
    UNKNOWN_KIND_STYLE,
    esc,
    facility_size,
    fmt_t,
    line_weight,
    symbol_svg,
)

ARC_LEG_NAMES = {leg.name for leg in LEGS if leg.arc}
LINE_COLUMNS = ["leg", "origin", "destination", "period", "tonnes_per_yr", "materials", "layer", "mode", "via",
                "sea_km"]


def tpy(x) -> str:
    """``1,234 t/年`` / ``1,234 t/yr``."""
    return f"{fmt_t(x)} {T['t_per_yr']}"


# ------------------------------------------------------------------ what is drawn


def drawable_flows(run: RunData, period: int | None = None) -> pd.DataFrame:
    """Flows aggregated to one line per (leg, origin, destination, period), with the map layer, mode and route.

    ``materials`` lists (stage, material, tonnes) of the line. Rows whose two ends cannot be placed (reuse,
    markets of an instance not found) are dropped; they still appear in popups and in the report.
    """
    flows = run.table("flows")
    if flows.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    if period is not None:
        flows = flows[flows["period"] == period]
    coords = run.coordinates()
    flows = flows[flows["origin"].isin(coords.keys()) & flows["destination"].isin(coords.keys())]
    if flows.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    flows = flows.assign(mode=flows.get("mode", "road"), via=flows.get("via", ""), sea_km=flows.get("sea_km", 0.0))
    flows = flows.astype({"mode": object, "via": object}).fillna({"mode": "road", "via": "", "sea_km": 0.0})
    grouped = flows.groupby(["leg", "origin", "destination", "period"], sort=True)
    out = grouped["tonnes_per_yr"].sum().reset_index()
    out["materials"] = [[(s, str(m), float(t)) for s, m, t in zip(g.get("stage", [None] * len(g)), g["material"],
                                                                   g["tonnes_per_yr"])] for _, g in grouped]
    first = grouped[["mode", "via", "sea_km"]].first().reset_index(drop=True)
    out[["mode", "via", "sea_km"]] = first[["mode", "via", "sea_km"]].to_numpy()
    out["layer"] = out["leg"].map(LEG_LAYER).fillna("trade")
    return out[LINE_COLUMNS]


def facilities_in(run: RunData, period: int) -> pd.DataFrame:
    """Facilities that have capacity in a period (those not yet built are not drawn)."""
    fac = run.table("facilities")
    if fac.empty:
        return fac
    return fac[(fac["period"] == period) & (fac["capacity_t_per_yr"] > 1e-9)].dropna(subset=["lat", "lon"])


# ------------------------------------------------------------------ sea legs


@functools.lru_cache(maxsize=512)
def sea_curve(a: tuple[float, float], b: tuple[float, float], n: int = 24) -> list[tuple[float, float]]:
    """Points (lat, lon) of a curve from port a to port b that crosses as little land as it can: a quadratic
    curve bowed to the side (or not at all) whose line runs least over the prefectures."""
    (lat0, lon0), (lat1, lon1) = a, b
    dx, dy = lon1 - lon0, lat1 - lat0
    length = float(np.hypot(dx, dy))
    if length == 0:
        return [a, b]
    nx, ny = -dy / length, dx / length
    t = np.linspace(0, 1, n)
    best, best_land = None, None
    for k in (0.0, 0.12, -0.12, 0.25, -0.25, 0.4, -0.4, 0.6, -0.6, 0.8, -0.8):
        cx, cy = (lon0 + lon1) / 2 + k * length * nx, (lat0 + lat1) / 2 + k * length * ny
        xs = (1 - t) ** 2 * lon0 + 2 * (1 - t) * t * cx + t ** 2 * lon1
        ys = (1 - t) ** 2 * lat0 + 2 * (1 - t) * t * cy + t ** 2 * lat1
        line = LineString(np.column_stack([xs, ys])[1:-1]) if n > 3 else LineString([(lon0, lat0), (lon1, lat1)])
        over_land = shapely.intersection(line, geo.land()).length
        if best_land is None or over_land < best_land - 0.03 * length:
            best, best_land = list(zip(ys.round(4), xs.round(4))), over_land
    return best


def route_points(row, coords: dict) -> tuple[list, bool]:
    """The points of a line (lat, lon) and whether it is a sea leg: origin, then each hop of ``via``
    ('A~B' by sea, as a curve; 'B>C' by road, straight), then the destination."""
    get = row.__getitem__ if isinstance(row, pd.Series) else row.__getattribute__  # a Series has a mode() method
    start, end = coords[get("origin")], coords[get("destination")]
    via = str(get("via") or "")
    domestic_sea = get("mode") == "sea" and get("leg") in ARC_LEG_NAMES  # market legs are drawn as before, dashed
    if not domestic_sea or not via:
        return [start, end], domestic_sea
    tokens = [t for t in _split(via)]
    ports = [tok for tok in tokens[::2]]
    if not all(p in coords for p in ports):
        return [start, end], True
    points = [start, coords[ports[0]]]
    for i, sep in enumerate(tokens[1::2]):
        a, b = coords[ports[i]], coords[ports[i + 1]]
        points += sea_curve(a, b)[1:] if sep == "~" else [b]
    points.append(end)
    return points, True


def _split(via: str) -> list[str]:
    """'A~B>C' -> ['A', '~', 'B', '>', 'C']."""
    out, word = [], ""
    for ch in via:
        if ch in "~>":
            out += [word, ch]
            word = ""
        else:
            word += ch
    return [*out, word]


# ------------------------------------------------------------------ lines


def flow_line(run: RunData, row, coords: dict, max_tonnes: float) -> folium.PolyLine:
    """One line per (leg, origin, destination): straight by road, a dotted curve over the sea by sea."""
    points, sea = route_points(row, coords)
    name = functools.partial(facts.name_of, run)
    parts = "".join(f"<br>{stage_label(s)} {esc(m)}: {tpy(t)}" for s, m, t in row.materials)
    total = f"<br><b>{Text('合計', 'total')} {tpy(row.tonnes_per_yr)}</b>" if len(row.materials) > 1 else ""
    route = ""
    if sea and row.via:
        ports = " &rarr; ".join(name(p).html for p in _split(str(row.via))[::2])
        route = f"<br>{MODES['sea']}: {ports}, {float(row.sea_km):,.0f} km"
    tooltip = (f"<b>{leg_label(row.leg)}</b> ({row.period})<br>{name(row.origin)} &rarr; {name(row.destination)}"
               f"{route}{parts}{total}")
    dashed = SEA_DASH if sea else ("6 6" if row.leg in ("import_market", "export_market") else None)
    classes = f"netopt-flow netopt-leg-{row.leg}" + (" netopt-sea" if sea else "")
    return folium.PolyLine(points, color=LAYER_COLOURS.get(row.layer, "#444444"),
                           weight=line_weight(row.tonnes_per_yr, max_tonnes), opacity=0.8, dashArray=dashed,
                           className=classes, tooltip=folium.Tooltip(tooltip, sticky=True), smoothFactor=1.0)


# ------------------------------------------------------------------ facilities and nodes


def facility_popup(run: RunData, site: pd.DataFrame, period: int) -> str:
    """Capacity, utilisation, costs and marginal value per period, and this period's inflows/outflows."""
    first = site.iloc[0]
    sid = str(first["site_id"])
    status = (T["existing"] if first["status"] == "existing"
              else Text(f"新設: 規模 {first.get('built_size', '')}、{_int(first.get('built_period'))}年期に建設",
                        f"new: size {first.get('built_size', '')}, built in {_int(first.get('built_period'))}"))
    rows = []
    for r in site.sort_values("period").itertuples(index=False):
        mv = r.marginal_value_myen_per_t_yr
        rows.append(
            f'<tr class="{"current" if int(r.period) == period else ""}"><td>{int(r.period)}</td>'
            f"<td>{fmt_t(r.capacity_t_per_yr)}</td><td>{fmt_t(r.throughput_t_per_yr)}</td>"
            f"<td>{100 * float(r.utilisation_share):.0f}%</td>"
            f"<td>{'&ndash;' if pd.isna(mv) else f'{float(mv):,.4g}'}</td>"
            f"<td>{float(r.fixed_cost_myen_per_yr):,.1f}</td><td>{float(r.processing_cost_myen_per_yr):,.1f}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in (
        T["period"], Text("能力 t/年", "Capacity t/yr"), Text("処理量 t/年", "Throughput t/yr"),
        Text("稼働率", "Utilisation"), Text("能力の限界価値 百万円/(t/年)", "Marginal value of capacity Myen per t/yr"),
        Text("固定費 百万円/年", "Fixed Myen/yr"), Text("処理費 百万円/年", "Processing Myen/yr")))
    region = first.get("region_id")
    place = "" if region is None or pd.isna(region) or str(region) == "" else f"; {facts.name_of(run, region)}"
    inflows = _flow_list(run, period, "destination", sid, "origin", Text(f"{period}年の受入", f"Inflows in {period}"))
    outflows = _flow_list(run, period, "origin", sid, "destination", Text(f"{period}年の送出",
                                                                            f"Outflows in {period}"))
    return (f'<div class="netopt-popup"><b>{facts.name_of(run, sid)}</b><br>{kind_label(first["kind"])}; {status}'
            f"{place}<br><table><tr>{head}</tr>{''.join(rows)}</table>{inflows}{outflows}</div>")


def _int(x) -> str:
    return "?" if x is None or pd.isna(x) else str(int(float(x)))


def _flow_list(run: RunData, period: int, side: str, site: str, other: str, title: Text) -> str:
    """A compact table of flows into or out of a site in one period: one row per leg and other end, the
    materials in one cell."""
    by_site = run.__dict__.setdefault("_views_cache", {}).get(("flows_by", side))
    if by_site is None:
        flows = run.table("flows")
        by_site = {k: g for k, g in flows.groupby([side, "period"])} if not flows.empty else {}
        run.__dict__["_views_cache"][("flows_by", side)] = by_site
    sel = by_site.get((site, period))
    if sel is None or sel.empty:
        return f"<div><i>{title}: {Text('なし', 'none')}</i></div>"
    rows = []
    for (leg, end), g in sel.groupby(["leg", other], sort=False):
        mats = ", ".join(f"{esc(m)} {fmt_t(t)}" for m, t in zip(g["material"], g["tonnes_per_yr"]))
        rows.append(f"<tr><td>{leg_label(leg)}</td><td>{facts.name_of(run, end)}</td>"
                    f"<td>{tpy(g['tonnes_per_yr'].sum())}</td><td><small>{mats}</small></td></tr>")
    return (f"<div><b>{title}</b> ({Text('計', 'total')} {tpy(sel['tonnes_per_yr'].sum())})</div>"
            f"<table>{''.join(rows)}</table>")


def facility_marker(run: RunData, row: pd.Series, max_capacity: float, popup: str) -> folium.Marker:
    """A marker whose symbol shows the kind (shape, colour), capacity (size) and new vs existing (outline, label)."""
    shape, colour = KIND_STYLE.get(row["kind"], UNKNOWN_KIND_STYLE)
    size = facility_size(float(row["capacity_t_per_yr"]), max_capacity)
    new = row["status"] == "new"
    svg = symbol_svg(shape, colour, size, stroke="#000000" if new else "#ffffff", stroke_width=2.5 if new else 1.5)
    label = (f'<span class="netopt-label">{Text("新設", "new")} {_int(row.get("built_period"))}</span>'
             if new else "")
    icon = folium.DivIcon(html=svg + label, icon_size=(size, size), icon_anchor=(size / 2, size / 2),
                          class_name=f"netopt-facility netopt-{row['kind']} netopt-{row['status']}")
    status = T["new"] if new else T["existing"]
    tooltip = (f"<b>{facts.name_of(run, row['site_id'])}</b> ({kind_label(row['kind'])}, {status})"
               f"<br>{Text('能力', 'capacity')} {tpy(row['capacity_t_per_yr'])}, {Text('稼働率', 'utilisation')} "
               f"{100 * float(row['utilisation_share']):.0f}%")
    marker = folium.Marker([float(row["lat"]), float(row["lon"])], icon=icon, tooltip=folium.Tooltip(tooltip))
    marker.add_child(Popup(popup))
    return marker


def node_marker(name: Text, role: str, lat: float, lon: float, note: str = "") -> folium.Marker:
    """A small marker for a port, demand site, overseas market or the sea port of a sea leg."""
    shape, colour = NODE_STYLE.get(role, ("circle", "#555555"))
    size = 10 if role == "sea_port" else 12
    icon = folium.DivIcon(html=symbol_svg(shape, colour, size, stroke="#ffffff", stroke_width=1.2),
                          icon_size=(size, size), icon_anchor=(size / 2, size / 2),
                          class_name=f"netopt-node netopt-{role}")
    text = f"<b>{name}</b><br>{NODE_ROLES.get(role, Text(role, role))}{note}"
    return folium.Marker([lat, lon], icon=icon, tooltip=folium.Tooltip(text))
