"""The plan map: a self-contained, bilingual Folium/Leaflet page of one run.

Every measure of :data:`netopt.views.facts.MEASURES` (end-of-life packs, collected, leaked, retained,
unprocessed, reused, cost, cost per tonne, marginal cost) colours the prefectures, chosen in the page;
the periods are a switch too. Facility kinds, flow layers, other nodes and prefecture labels are
toggles. Every drawn object lives in one Leaflet layer per (period, toggle); the controller
(:mod:`netopt.views.maps.page`, ``controller.js``) shows the layers of the chosen period whose toggle
is on. Sea legs are dotted curves over the sea (class ``netopt-sea``). Clicking or finding a prefecture
opens its fact panel (:mod:`netopt.views.factsheet`). Objects carry CSS classes (``netopt-facility``,
``netopt-flow``, ``netopt-node``, ``netopt-prefecture``) so that tests and users' scripts can find them.
"""

from __future__ import annotations

from pathlib import Path

import folium
import pandas as pd

from netopt.results.store import RunData, read_run
from netopt.views import facts
from netopt.views.factsheet import sheet_html
from netopt.views.i18n import T, Text, page_language
from netopt.views.labels import FLOW_LAYERS, NODE_ROLES, kind_label, leg_label, status_banner, status_label
from netopt.views.maps import geo
from netopt.views.maps.layers import (
    drawable_flows,
    facilities_in,
    facility_marker,
    facility_popup,
    flow_line,
    node_marker,
    tpy,
)
from netopt.views.maps.page import choropleth_layer, finish_map, layer_groups, new_map, render_html, write_page
from netopt.views.style import (
    KIND_STYLE,
    LAYER_COLOURS,
    NODE_STYLE,
    SEA_DASH,
    ColourScale,
    esc,
    fmt_t,
    line_weight,
    symbol_svg,
)

MEASURES = facts.MEASURES


def write_map(result_dir: str | Path, target: str | Path, measure: str = "leaked", tiles: str | None = None,
              lang: str | None = None) -> Path:
    """Draw the run in ``result_dir`` into one self-contained HTML file ``target``; return its path."""
    run = read_run(result_dir)
    return write_page(target, render_html(build_map(run, measure=measure, tiles=tiles, lang=lang)))


def measure_values(run: RunData) -> tuple[dict[str, pd.DataFrame], dict[str, ColourScale]]:
    """Per measure: (code, period, value, label) per prefecture, and its colour scale."""
    per_region = facts.region_measures(run)
    nodes = run.table("nodes")
    codes = geo.region_codes(per_region, nodes)
    values, scales = {}, {}
    for key, m in MEASURES.items():
        how = "mean" if key in ("cost_per_t", "marginal") else "sum"
        frame = geo.measure_by_prefecture(per_region, nodes, m.column, how=how, codes=codes)
        unit = m.unit.html
        frame["label"] = [f"{_num(v, m)} {unit}" for v in frame["value"]]
        title = Text(f"{m.label.ja}（{m.unit.ja}）", f"{m.label.en} ({m.unit.en})")
        if m.diverging:  # classes from the bulk of the values: a few penalty-priced tonnes fall in the end classes
            bulk = float(frame["value"].abs().quantile(0.95)) if len(frame) else 0.0
            scale = ColourScale.symmetric(frame["value"].clip(-bulk, bulk), title)
        else:
            scale = ColourScale.sequential(frame["value"], title)
        if m.diverging:
            scale.zero = Text("0", "0")
        values[key], scales[key] = frame, scale
    return values, scales


def _num(v, m) -> str:
    return f"{float(v):,.0f}" if m.unit.en in ("yen/t",) else fmt_t(v)


def region_panels(run: RunData, regions_by_code: dict[int, list[str]]) -> dict[int, str]:
    """Prefecture code -> the fact sheets of its regions (one for each of the 47 prefectures in Japan runs)."""
    return {code: "".join(sheet_html(run, r, chemistry=False) for r in regions)
            for code, regions in regions_by_code.items()}


def regions_by_code(run: RunData) -> dict[int, list[str]]:
    nodes = run.table("nodes")
    regions = nodes[nodes["role"] == "region"] if not nodes.empty and "role" in nodes else nodes
    out: dict[int, list[str]] = {}
    for rid, code in geo.region_prefecture(regions).items():
        out.setdefault(code, []).append(rid)
    return out


# ------------------------------------------------------------------ the map of one run


def build_map(run: RunData, measure: str = "leaked", tiles: str | None = None, lang: str | None = None) -> folium.Map:
    """The folium map of one run (see the module docstring for its layout)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    periods = run.periods
    if not periods:
        raise ValueError(f"{run.folder} holds no plan (status {run.summary.get('status')}); nothing to draw")
    lang = page_language(run.summary, lang)
    m = new_map(lang, Text(f"{T['title_map'].ja}: {run.title}", f"{T['title_map'].en}: {run.title}"), tiles)
    values, scales = measure_values(run)
    choropleth = choropleth_layer(values, scales, periods)
    choropleth.add_to(m)

    groups, group = layer_groups(m, periods)
    _add_facilities(run, periods, group)
    _add_nodes(run, periods, group)
    max_t = _add_flows(run, periods, group)

    keys = {k for layers in groups.values() for k in layers}
    toggles = {k: _toggle_label(k) for k in _toggle_order() if k in keys}
    toggles["labels"] = Text("都道府県名（拡大時）", "Prefecture names (zoomed in)").html
    by_code = regions_by_code(run)
    measures = {k: (mm.label.html, scales[k].legend_html()) for k, mm in MEASURES.items()}
    finish_map(m, periods, groups, toggles, choropleth, measures, measure, title_html=_title_html(run),
               banner_html=status_banner(run.summary), legend_html=_legend_html(run, max_t),
               panels=region_panels(run, by_code), regions_by_code=by_code)
    return m


def _toggle_order() -> list[str]:
    return [*KIND_STYLE, *FLOW_LAYERS, "nodes"]


def _toggle_label(key: str) -> str:
    """Toggle label with its symbol or line colour."""
    if key in KIND_STYLE:
        shape, colour = KIND_STYLE[key]
        return (f'<span class="sym" style="display:inline-block;vertical-align:middle">{symbol_svg(shape, colour, 12)}'
                f"</span> {kind_label(key)}")
    if key in FLOW_LAYERS:
        return (f'<span style="display:inline-block;width:18px;height:4px;background:{LAYER_COLOURS[key]};'
                f'vertical-align:middle"></span> {FLOW_LAYERS[key]}')
    return Text("港湾・需要先・海外市場", "Ports, demand sites, markets").html


def _add_facilities(run: RunData, periods: list[int], group) -> None:
    fac = run.table("facilities")
    if fac.empty:
        return
    max_cap = float(fac["capacity_t_per_yr"].max())
    sites = {sid: df for sid, df in fac.groupby("site_id")}
    for p in periods:
        for _, row in facilities_in(run, p).iterrows():
            popup = facility_popup(run, sites[row["site_id"]], p)
            facility_marker(run, row, max_cap, popup).add_to(group(p, row["kind"]))


def _add_nodes(run: RunData, periods: list[int], group) -> None:
    """Ports, demand sites, markets and sea ports that carry flow in a period (sea ports: that a sea leg passes)."""
    flows = run.table("flows")
    nodes = run.table("nodes")
    if flows.empty:
        return
    places = []
    if not nodes.empty:
        places += [(r.node_id, r.role, r.lat, r.lon) for r in nodes.itertuples(index=False)
                   if r.role in ("port", "demand", "market", "sea_port")]
    known = {p[0] for p in places}
    if run.markets is not None:
        places += [(r.market_id, "market", r.lat, r.lon) for r in run.markets.itertuples(index=False)
                   if r.market_id not in known]
    for p in periods:
        f = flows[flows["period"] == p]
        passed = {x for v in f.get("via", pd.Series(dtype=str)).dropna() for x in str(v).replace("~", ">").split(">")}
        for node_id, role, lat, lon in places:
            tonnes_in = f.loc[f["destination"] == node_id, "tonnes_per_yr"].sum()
            tonnes_out = f.loc[f["origin"] == node_id, "tonnes_per_yr"].sum()
            used = tonnes_in + tonnes_out > 0 or (role == "sea_port" and node_id in passed)
            if used and pd.notna(lat) and pd.notna(lon):
                note = (f"<br>{p}: {Text('受入', 'in')} {tpy(tonnes_in)}, {Text('送出', 'out')} {tpy(tonnes_out)}"
                        if role != "sea_port" else "")
                node_marker(facts.name_of(run, node_id), role, float(lat), float(lon), note).add_to(group(p, "nodes"))


def _add_flows(run: RunData, periods: list[int], group) -> float:
    """Draw flow lines; return the largest tonnage (for the legend)."""
    lines = drawable_flows(run)
    if lines.empty:
        return 0.0
    coords = run.coordinates()
    max_t = float(lines["tonnes_per_yr"].max())
    for row in lines.itertuples(index=False):
        flow_line(run, row, coords, max_t).add_to(group(int(row.period), row.layer))
    return max_t


def _title_html(run: RunData) -> str:
    s = run.summary
    obj = s.get("objective_myen")
    objective = (f"; {T['cost_discounted']} {obj:,.0f} {T['myen']}" if isinstance(obj, (int, float)) else "")
    status = T["proven"].html if s.get("proven_optimal") else status_label(s.get("status", "?")).html
    return (f"<b class='netopt-run'>{esc(run.title)}</b> &middot; {T['period']} <b id='netopt-period'></b> &middot; "
            f"<span id='netopt-measure'></span><br><small>{status}{objective}</small>")


def _legend_html(run: RunData, max_t: float) -> str:
    """Facility symbols, existing/new, nodes, flow colours and widths, road vs sea, undrawn legs."""
    parts = [f'<div class="netopt-legend-title">{T["facilities"]} ({Text("大きさ: 能力", "size: capacity")})</div>']
    for kind, (shape, colour) in KIND_STYLE.items():
        parts.append(f'<div><span class="sym">{symbol_svg(shape, colour, 14)}</span>{kind_label(kind)}</div>')
    parts.append(f'<div><span class="sym">{symbol_svg("circle", "#999999", 14)}</span>{T["existing"]} '
                 f'&nbsp;<span class="sym">{symbol_svg("circle", "#999999", 14, "#000000", 2.5)}</span>'
                 f'{T["new_built"]}</div>')
    for role, (shape, colour) in NODE_STYLE.items():
        parts.append(f'<div><span class="sym">{symbol_svg(shape, colour, 12)}</span>{NODE_ROLES[role]}</div>')
    parts.append(f'<div class="netopt-legend-title">{T["flows"]}</div>')
    for key, label in FLOW_LAYERS.items():
        if key != "reuse":
            parts.append(f'<div><i style="background:{LAYER_COLOURS[key]};height:4px;border:0"></i>{label}</div>')
    parts.append(f'<div><svg class="line" width="30" height="8"><line x1="0" y1="4" x2="30" y2="4" stroke="#444" '
                 f'stroke-width="3"/></svg>{T["by_road"]}</div>'
                 f'<div><svg class="line" width="30" height="8"><path d="M0 6 Q15 -2 30 6" fill="none" stroke="#444" '
                 f'stroke-width="3" stroke-dasharray="{SEA_DASH}"/></svg>{T["by_sea"]}</div>')
    if max_t > 0:
        for t in (max_t, max_t / 10, max_t / 100):
            w = line_weight(t, max_t)
            parts.append(f'<div><i style="background:#555;height:{w:.1f}px;border:0"></i>{tpy(t)}</div>')
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
    text = "; ".join(f"{leg_label(leg)} {p}: {tpy(t)}" for (leg, p), t in totals.items())
    return f'<div class="netopt-legend-title">{T["not_drawn"]}</div><div><small>{text}</small></div>'
