"""The plan map: a self-contained Folium/Leaflet page of one run.

Layout: the prefecture choropleth is the basemap (no tiles unless asked for); the periods are
the radio choices of the layer control; facility kinds, other nodes and each flow layer are
check boxes.  Every drawn object lives in one Leaflet layer per (period, toggle); a small
controller script (:mod:`netopt.views.maps.page`) shows exactly the layers of the chosen period
whose toggle is on, restyles the choropleth and updates the title.  Objects carry CSS classes
(``netopt-facility``, ``netopt-flow``, ``netopt-node``) so that tests and users' scripts can find
them.  Facility kinds and legs come from :mod:`netopt.catalogue`.
"""

from __future__ import annotations

from pathlib import Path

import folium
import pandas as pd

from netopt.results.store import RunData, read_run
from netopt.views.labels import FLOW_LAYERS, LEG_LAYER, NODE_ROLES, kind_label, leg_label, status_banner
from netopt.views.maps import geo
from netopt.views.maps.page import Popup, choropleth_layer, finish_map, layer_groups, new_map, render_html, write_page
from netopt.views.style import (
    KIND_STYLE,
    LAYER_COLOURS,
    NODE_STYLE,
    UNKNOWN_KIND_STYLE,
    ColourScale,
    esc,
    facility_size,
    fmt_t,
    line_weight,
    symbol_svg,
)

MEASURES = {
    "eol": ("eol_packs_t_per_yr", "End-of-life packs arising (t/yr)"),
    "leaked": ("leaked_t_per_yr", "Leaked packs, not collected (t/yr)"),
    "collected": ("collected_t_per_yr", "Collected packs (t/yr)"),
    "retained": ("retained_t_per_yr", "Packs kept in Japan by retention policy (t/yr)"),
}


def write_map(result_dir: str | Path, target: str | Path, measure: str = "leaked", tiles: str | None = None) -> Path:
    """Draw the run in ``result_dir`` into one self-contained HTML file ``target``; return its path."""
    run = read_run(result_dir)
    return write_page(target, render_html(build_map(run, measure=measure, tiles=tiles)))


# ------------------------------------------------------------------ what is drawn


def drawable_flows(run: RunData, period: int | None = None) -> pd.DataFrame:
    """Flows aggregated to one line per (leg, origin, destination, period), with the map layer.

    ``materials`` lists (commodity, material, tonnes) of the line.

    Rows whose two ends cannot be placed (reuse, markets of an instance not found) are dropped;
    they still appear in popups and in the report.
    """
    flows = run.table("flows")
    if flows.empty:
        return pd.DataFrame(columns=["leg", "origin", "destination", "period", "tonnes_per_yr", "materials", "layer"])
    if period is not None:
        flows = flows[flows["period"] == period]
    coords = run.coordinates()
    keep = flows["origin"].isin(coords.keys()) & flows["destination"].isin(coords.keys())
    flows = flows[keep]
    if flows.empty:
        return pd.DataFrame(columns=["leg", "origin", "destination", "period", "tonnes_per_yr", "materials", "layer"])
    grouped = flows.groupby(["leg", "origin", "destination", "period"], sort=True)
    out = grouped["tonnes_per_yr"].sum().reset_index()
    out["materials"] = [
        [(_commodity(s), str(m), float(t)) for s, m, t in zip(g.get("stage", [""] * len(g)), g["material"],
                                                              g["tonnes_per_yr"])]
        for _, g in grouped]
    out["layer"] = out["leg"].map(LEG_LAYER).fillna("trade")
    return out


def _commodity(stage) -> str:
    """'black_mass' -> 'black mass'; '' for a missing value."""
    return "" if stage is None or stage != stage else str(stage).replace("_", " ")


def facilities_in(run: RunData, period: int) -> pd.DataFrame:
    """Facilities that have capacity in a period (those not yet built are not drawn)."""
    fac = run.table("facilities")
    if fac.empty:
        return fac
    return fac[(fac["period"] == period) & (fac["capacity_t_per_yr"] > 1e-9)].dropna(subset=["lat", "lon"])


# ------------------------------------------------------------------ markers, lines, popups


def facility_popup(run: RunData, site: pd.DataFrame, period: int) -> str:
    """Capacity, utilisation, costs and marginal value per period, and this period's inflows/outflows."""
    first = site.iloc[0]
    names = run.names()
    status = ("existing" if first["status"] == "existing"
              else f"new: size {esc(first.get('built_size', ''))}, built in {_int(first.get('built_period'))}")
    rows = []
    for r in site.sort_values("period").itertuples(index=False):
        mv = r.marginal_value_myen_per_t_yr
        rows.append(
            f'<tr class="{"current" if int(r.period) == period else ""}"><td>{int(r.period)}</td>'
            f"<td>{fmt_t(r.capacity_t_per_yr)}</td><td>{fmt_t(r.throughput_t_per_yr)}</td>"
            f"<td>{100 * float(r.utilisation_share):.0f}%</td>"
            f"<td>{'&ndash;' if pd.isna(mv) else f'{float(mv):,.4g}'}</td>"
            f"<td>{float(r.fixed_cost_myen_per_yr):,.1f}</td><td>{float(r.processing_cost_myen_per_yr):,.1f}</td></tr>")
    table = ("<table><tr><th>Period</th><th>Capacity t/yr</th><th>Throughput t/yr</th><th>Utilisation</th>"
             "<th>Marginal value of capacity Myen per t/yr</th><th>Fixed Myen/yr</th><th>Processing Myen/yr</th></tr>"
             + "".join(rows) + "</table>")
    sid = str(first["site_id"])
    return (f'<div class="netopt-popup"><b>{esc(first["name"])}</b> ({esc(sid)})<br>'
            f'{esc(kind_label(first["kind"]))}; {status}'
            f'{_region_text(first)}<br>{table}'
            f'{_flow_list(run, period, "destination", sid, "origin", names, f"Inflows in {period}")}'
            f'{_flow_list(run, period, "origin", sid, "destination", names, f"Outflows in {period}")}</div>')


def _region_text(row: pd.Series) -> str:
    region = row.get("region_id")
    return "" if region is None or pd.isna(region) or str(region) == "" else f"; region {esc(region)}"


def _int(x) -> str:
    return "?" if x is None or pd.isna(x) else str(int(float(x)))


def _flow_list(run: RunData, period: int, side: str, site: str, other: str, names: dict, title: str) -> str:
    """A compact table of flows into or out of a site in one period."""
    flows = run.table("flows")
    if flows.empty:
        return ""
    sel = flows[(flows[side] == site) & (flows["period"] == period)]
    if sel.empty:
        return f"<div><i>{esc(title)}: none</i></div>"
    rows = "".join(
        f"<tr><td>{esc(leg_label(r.leg))}</td><td>{esc(names.get(str(getattr(r, other)), getattr(r, other)))}"
        f"</td><td>{esc(r.material)}</td><td>{fmt_t(r.tonnes_per_yr)} t/yr</td></tr>"
        for r in sel.itertuples(index=False))
    return f"<div><b>{esc(title)}</b> (total {fmt_t(sel['tonnes_per_yr'].sum())} t/yr)</div><table>{rows}</table>"


def facility_marker(row: pd.Series, max_capacity: float, popup: str) -> folium.Marker:
    """A marker whose symbol shows the kind (shape, colour), capacity (size) and new vs existing (outline, label)."""
    shape, colour = KIND_STYLE.get(row["kind"], UNKNOWN_KIND_STYLE)
    size = facility_size(float(row["capacity_t_per_yr"]), max_capacity)
    new = row["status"] == "new"
    svg = symbol_svg(shape, colour, size, stroke="#000000" if new else "#ffffff", stroke_width=2.5 if new else 1.5)
    label = f'<span class="netopt-label">new {_int(row.get("built_period"))}</span>' if new else ""
    icon = folium.DivIcon(html=svg + label, icon_size=(size, size), icon_anchor=(size / 2, size / 2),
                          class_name=f"netopt-facility netopt-{row['kind']} netopt-{row['status']}")
    tooltip = (f"<b>{esc(row['name'])}</b> ({esc(kind_label(row['kind']))}, {esc(row['status'])})"
               f"<br>capacity {fmt_t(row['capacity_t_per_yr'])} t/yr, utilisation "
               f"{100 * float(row['utilisation_share']):.0f}%")
    marker = folium.Marker([float(row["lat"]), float(row["lon"])], icon=icon, tooltip=folium.Tooltip(tooltip))
    marker.add_child(Popup(popup))
    return marker


def node_marker(node_id: str, name: str, role: str, lat: float, lon: float, note: str = "") -> folium.Marker:
    """A small marker for a port, demand site or overseas market."""
    shape, colour = NODE_STYLE[role]
    label = NODE_ROLES[role]
    icon = folium.DivIcon(html=symbol_svg(shape, colour, 12, stroke="#ffffff", stroke_width=1.2), icon_size=(12, 12),
                          icon_anchor=(6, 6), class_name=f"netopt-node netopt-{role}")
    text = f"<b>{esc(name)}</b> ({esc(node_id)})<br>{esc(label)}{note}"
    return folium.Marker([lat, lon], icon=icon, tooltip=folium.Tooltip(text))


def flow_line(row, coords: dict, names: dict, max_tonnes: float) -> folium.PolyLine:
    """One straight line per (leg, origin, destination); tooltip with commodity and tonnes."""
    parts = "".join(f"<br>{esc(stage)} {esc(material)}: {fmt_t(t)} t/yr" for stage, material, t in row.materials)
    total = f"<br><b>total {fmt_t(row.tonnes_per_yr)} t/yr</b>" if len(row.materials) > 1 else ""
    tooltip = (f"<b>{esc(leg_label(row.leg))}</b> ({row.period})<br>"
               f"{esc(names.get(row.origin, row.origin))} &rarr; {esc(names.get(row.destination, row.destination))}"
               f"{parts}{total}")
    dashed = "6 6" if row.leg in ("import_market", "export_market") else None
    return folium.PolyLine(
        [coords[row.origin], coords[row.destination]], color=LAYER_COLOURS.get(row.layer, "#444444"),
        weight=line_weight(row.tonnes_per_yr, max_tonnes), opacity=0.75, dashArray=dashed,
        className=f"netopt-flow netopt-leg-{row.leg}", tooltip=folium.Tooltip(tooltip, sticky=True))


# ------------------------------------------------------------------ the map of one run


def build_map(run: RunData, measure: str = "leaked", tiles: str | None = None) -> folium.Map:
    """The folium map of one run (see the module docstring for its layout)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    column, measure_label = MEASURES[measure]
    periods = run.periods
    if not periods:
        raise ValueError(f"{run.folder} holds no plan (status {run.summary.get('status')}); nothing to draw")
    m = new_map(tiles)
    values = geo.measure_by_prefecture(run.table("regions"), run.table("nodes"), column)
    scale = ColourScale.sequential(values["value"], measure_label)
    choropleth = choropleth_layer(values, periods, scale)
    choropleth.add_to(m)

    groups, group = layer_groups(m, periods)
    _add_facilities(run, periods, group)
    _add_nodes(run, periods, group)
    max_t = _add_flows(run, periods, group)

    keys = {k for layers in groups.values() for k in layers}
    toggles = {k: _toggle_label(k) for k in _toggle_order() if k in keys}
    finish_map(m, periods, groups, toggles, choropleth, measure_label, title_html=_title_html(run, measure_label),
               banner_html=status_banner(run.summary), legend_html=_legend_html(run, scale, max_t))
    return m


def _toggle_order() -> list[str]:
    return [*KIND_STYLE, *FLOW_LAYERS, "nodes"]


def _toggle_label(key: str) -> str:
    """Layer-control label with its symbol or line colour."""
    if key in KIND_STYLE:
        shape, colour = KIND_STYLE[key]
        sym = symbol_svg(shape, colour, 12)
        return f'<span class="sym" style="display:inline-block;vertical-align:middle">{sym}</span> {kind_label(key)}'
    if key in FLOW_LAYERS:
        return (f'<span style="display:inline-block;width:18px;height:4px;background:{LAYER_COLOURS[key]};'
                f'vertical-align:middle"></span> {FLOW_LAYERS[key]}')
    return "Ports, demand sites, markets"


def _add_facilities(run: RunData, periods: list[int], group) -> None:
    fac = run.table("facilities")
    if fac.empty:
        return
    max_cap = float(fac["capacity_t_per_yr"].max())
    sites = {sid: df for sid, df in fac.groupby("site_id")}
    for p in periods:
        for _, row in facilities_in(run, p).iterrows():
            popup = facility_popup(run, sites[row["site_id"]], p)
            facility_marker(row, max_cap, popup).add_to(group(p, row["kind"]))


def _add_nodes(run: RunData, periods: list[int], group) -> None:
    """Ports, demand sites and markets that carry flow in a period."""
    flows = run.table("flows")
    nodes = run.table("nodes")
    if flows.empty:
        return
    places = []
    if not nodes.empty:
        places += [(r.node_id, r.name, r.role, r.lat, r.lon) for r in nodes.itertuples(index=False)
                   if r.role in ("port", "demand")]
    if run.markets is not None:
        places += [(r.market_id, r.name, "market", r.lat, r.lon) for r in run.markets.itertuples(index=False)]
    for p in periods:
        f = flows[flows["period"] == p]
        for node_id, name, role, lat, lon in places:
            tonnes_in = f.loc[f["destination"] == node_id, "tonnes_per_yr"].sum()
            tonnes_out = f.loc[f["origin"] == node_id, "tonnes_per_yr"].sum()
            if tonnes_in + tonnes_out > 0 and pd.notna(lat) and pd.notna(lon):
                note = f"<br>{p}: in {fmt_t(tonnes_in)} t/yr, out {fmt_t(tonnes_out)} t/yr"
                node_marker(str(node_id), str(name), role, float(lat), float(lon), note).add_to(group(p, "nodes"))


def _add_flows(run: RunData, periods: list[int], group) -> float:
    """Draw flow lines; return the largest tonnage (for the legend)."""
    lines = drawable_flows(run)
    if lines.empty:
        return 0.0
    coords, names = run.coordinates(), run.names()
    max_t = float(lines["tonnes_per_yr"].max())
    for row in lines.itertuples(index=False):
        flow_line(row, coords, names, max_t).add_to(group(int(row.period), row.layer))
    return max_t


def _title_html(run: RunData, measure_label: str) -> str:
    s = run.summary
    obj = s.get("objective_myen")
    objective = f"; cost {obj:,.0f} Myen (discounted)" if isinstance(obj, (int, float)) else ""
    status = "proven optimal" if s.get("proven_optimal") else esc(s.get("status", "?"))
    return (f"<b>{esc(run.title)}</b><br>Period <b id='netopt-period'></b> &middot; {esc(measure_label)}"
            f"<br><small>{status}{objective}</small>")


def _legend_html(run: RunData, scale: ColourScale, max_t: float) -> str:
    """Colour classes, facility symbols, existing/new, flow colours and widths, undrawn legs."""
    parts = [scale.legend_html(), '<div class="netopt-legend-title">Facilities (size: capacity)</div>']
    for kind, (shape, colour) in KIND_STYLE.items():
        parts.append(f'<div><span class="sym">{symbol_svg(shape, colour, 14)}</span>{esc(kind_label(kind))}</div>')
    parts.append(f'<div><span class="sym">{symbol_svg("circle", "#999999", 14)}</span>existing '
                 f'&nbsp;<span class="sym">{symbol_svg("circle", "#999999", 14, "#000000", 2.5)}</span>'
                 f'new, with the period built</div>')
    for role, (shape, colour) in NODE_STYLE.items():
        parts.append(f'<div><span class="sym">{symbol_svg(shape, colour, 12)}</span>{esc(NODE_ROLES[role])}</div>')
    parts.append('<div class="netopt-legend-title">Flows (width: tonnes/yr)</div>')
    for key, label in FLOW_LAYERS.items():
        if key != "reuse":
            parts.append(f'<div><i style="background:{LAYER_COLOURS[key]};height:4px;border:0"></i>{esc(label)}</div>')
    if max_t > 0:
        for t in (max_t, max_t / 10, max_t / 100):
            w = line_weight(t, max_t)
            parts.append(f'<div><i style="background:#555;height:{w:.1f}px;border:0"></i>{fmt_t(t)} t/yr</div>')
    parts.append(_undrawn_note(run))
    return "".join(parts)


def _undrawn_note(run: RunData) -> str:
    """Legs counted but not drawn (no coordinates): e.g. packs sold for reuse."""
    flows = run.table("flows")
    if flows.empty:
        return ""
    coords = run.coordinates()
    hidden = flows[~(flows["origin"].isin(coords.keys()) & flows["destination"].isin(coords.keys()))]
    if hidden.empty:
        return ""
    totals = hidden.groupby(["leg", "period"])["tonnes_per_yr"].sum()
    text = "; ".join(f"{esc(leg_label(leg))} {p}: {fmt_t(t)} t/yr" for (leg, p), t in totals.items())
    return f'<div class="netopt-legend-title">Not drawn (no location)</div><div><small>{text}</small></div>'
