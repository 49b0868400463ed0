"""The plan map: a self-contained Folium/Leaflet page of one run.

Layout: the prefecture choropleth is the basemap (no tiles unless asked for); the periods are
the radio choices of the layer control; facility kinds, other nodes and each flow stage are
check boxes.  Every drawn object lives in one Leaflet layer per (period, toggle); a small
controller script shows exactly the layers of the chosen period whose toggle is on, restyles
the choropleth and updates the title.  Objects carry CSS classes (``netopt-facility``,
``netopt-flow``, ``netopt-node``) so that tests and users' scripts can find them.
"""

from __future__ import annotations

import json
from pathlib import Path

import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from netopt.maps import assets, geo
from netopt.maps.rundata import (KIND_LABELS, LEG_LABELS, STAGE_LABELS, RunData, drawable_flows, facilities_in,
                                 read_run)
from netopt.maps.style import (KIND_STYLE, NODE_STYLE, STAGE_COLOURS, ColourScale, esc, facility_size, fmt_t,
                               line_weight, symbol_svg)

MEASURES = {
    "eol": ("eol_packs_t_per_yr", "End-of-life packs arising (t/yr)"),
    "leaked": ("leaked_t_per_yr", "Leaked packs, not collected (t/yr)"),
    "collected": ("collected_t_per_yr", "Collected packs (t/yr)"),
    "retained": ("retained_t_per_yr", "Packs kept in Japan by retention policy (t/yr)"),
}
JAPAN_BOUNDS = [[25.5, 127.0], [45.6, 146.0]]

CSS = """
<style>
.leaflet-container { background: #dbe7f0 !important; font: 13px/1.35 system-ui, "Segoe UI", "Hiragino Sans", "Meiryo", sans-serif; }
.netopt-box { background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 340px; }
.netopt-title b { font-size: 15px; }
.netopt-banner { background: #b30000; color: #fff; font-weight: 600; max-width: 560px; }
.netopt-legend { max-height: 70vh; overflow-y: auto; }
.netopt-legend i { display: inline-block; width: 16px; height: 12px; margin-right: 6px; vertical-align: middle;
  border: 1px solid #999; }
.netopt-legend .sym { display: inline-block; width: 24px; vertical-align: middle; }
.netopt-legend .sym svg { margin: auto; }
.netopt-legend-title { font-weight: 600; margin: 4px 0 2px; }
.netopt-facility { background: none; border: none; }
.netopt-facility .netopt-label { position: absolute; left: 100%; top: 0; white-space: nowrap; font-size: 10px;
  font-weight: 700; color: #111; background: rgba(255,255,255,.8); padding: 0 2px; border-radius: 2px; }
.netopt-node { background: none; border: none; }
.netopt-popup table { border-collapse: collapse; font-size: 12px; }
.netopt-popup td, .netopt-popup th { border-bottom: 1px solid #ddd; padding: 1px 5px; text-align: right; }
.netopt-popup td:first-child, .netopt-popup th:first-child { text-align: left; }
.netopt-popup tr.current { background: #fff3c4; }
.leaflet-control-layers-base label, .leaflet-control-layers-overlays label { margin: 1px 0; }
</style>
"""


class _Popup(MacroElement):
    """Bind an HTML popup to its parent layer with plain Leaflet (folium's Popup needs jQuery)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {maxWidth: 460});
        {% endmacro %}""")

    def __init__(self, html: str):
        super().__init__()
        self._name = "NetoptPopup"
        self.html = html


class _Controller(MacroElement):
    """Period radio x layer toggles, choropleth restyling, title, legend, banner and attribution."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var periods = {{ this.periods|tojson }};
          var bases = { {% for p, l in this.bases.items() %}{{ p|tojson }}: {{ l.get_name() }},{% endfor %} };
          var toggles = { {% for k, l in this.toggles.items() %}{{ k|tojson }}: {{ l.get_name() }},{% endfor %} };
          var groups = { {% for p, d in this.groups.items() %}{{ p|tojson }}: { {% for k, l in d.items() %}{{ k|tojson }}: {{ l.get_name() }},{% endfor %} },{% endfor %} };
          var choropleth = {{ this.choropleth.get_name() if this.choropleth else "null" }};
          var current = periods[0];

          function box(position, cls, html) {
            var control = L.control({position: position});
            control.onAdd = function () {
              var div = L.DomUtil.create("div", "netopt-box " + cls);
              div.innerHTML = html;
              L.DomEvent.disableClickPropagation(div);
              L.DomEvent.disableScrollPropagation(div);
              return div;
            };
            control.addTo(map);
          }

          function prefectureTooltip(layer) {
            var p = layer.feature.properties;
            var v = p.labels[current];
            return "<b>" + p.name + "</b><br>" + {{ this.measure_label|tojson }} + ", " + current + ": " +
                   (v === undefined || v === null ? "no region in this run" : v);
          }

          function refresh() {
            Object.keys(groups).forEach(function (p) {
              Object.keys(groups[p]).forEach(function (k) {
                var layer = groups[p][k];
                var show = p === current && toggles[k] !== undefined && map.hasLayer(toggles[k]);
                if (show && !map.hasLayer(layer)) { map.addLayer(layer); }
                if (!show && map.hasLayer(layer)) { map.removeLayer(layer); }
              });
            });
            if (choropleth) {
              choropleth.eachLayer(function (layer) {
                layer.setStyle({fillColor: layer.feature.properties.colours[current]});
              });
            }
            var label = document.getElementById("netopt-period");
            if (label) { label.textContent = current; }
            map.getContainer().setAttribute("data-period", current);
          }

          map.on("baselayerchange", function (e) {
            Object.keys(bases).forEach(function (p) { if (bases[p] === e.layer) { current = p; } });
            refresh();
          });
          map.on("overlayadd overlayremove", refresh);

          if (choropleth) {
            choropleth.eachLayer(function (layer) {
              layer.bindTooltip(function () { return prefectureTooltip(layer); }, {sticky: true});
              // highlight by hand: folium's resetStyle would also reset the period's fill colour
              layer.on("mouseover", function () { layer.setStyle({weight: 2.5, color: "#000000"}); });
              layer.on("mouseout", function () { layer.setStyle({weight: 0.7, color: "#6b6b6b"}); });
            });
          }
          box("topleft", "netopt-title", {{ this.title_html|tojson }});
          {% if this.banner_html %}box("topleft", "netopt-banner netopt-status", {{ this.banner_html|tojson }});{% endif %}
          box("bottomleft", "netopt-legend", {{ this.legend_html|tojson }});
          L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
          map.attributionControl.addAttribution({{ this.attribution|tojson }});
          refresh();
          window.netopt = {map: map, periods: periods, period: function () { return current; }};
        })();
        {% endmacro %}""")

    def __init__(self, **fields):
        super().__init__()
        self._name = "NetoptController"
        self.__dict__.update(fields)


# ------------------------------------------------------------------ public entry points


def write_map(result_dir: str | Path, target: str | Path, measure: str = "leaked", tiles: str | None = None) -> Path:
    """Draw the run in ``result_dir`` into one self-contained HTML file ``target``; return its path."""
    run = read_run(result_dir)
    page = render_html(build_map(run, measure=measure, tiles=tiles))
    return _write(target, page)


def run_label(result_dir: str | Path) -> str:
    """``<instance>-<scenario>`` of a run folder, from its summary.json."""
    folder = Path(result_dir)
    s = json.loads((folder / "summary.json").read_text())
    return f"{s.get('instance', folder.parent.name)}-{s.get('scenario', folder.name)}"


def default_target(result_dir: str | Path, measure: str = "leaked") -> Path:
    """maps/<instance>-<scenario>.html (as ``netopt solve`` writes), with -<measure> unless leaked."""
    suffix = "" if measure == "leaked" else f"-{measure}"
    return Path("maps") / f"{run_label(result_dir)}{suffix}.html"


def compare_target(a: str | Path, b: str | Path) -> Path:
    """maps/compare-<A>-vs-<B>.html."""
    return Path("maps") / f"compare-{run_label(a)}-vs-{run_label(b)}.html"


def render_html(m: folium.Map) -> str:
    """Render a folium map to a page with every script and stylesheet inline."""
    page = assets.inline_assets(m.get_root().render())
    assets.check_offline(page)
    return page


def _write(target: str | Path, page: str) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target


# ------------------------------------------------------------------ building blocks


def new_map(tiles: str | None = None, tiles_attribution: str | None = None) -> folium.Map:
    """An empty Leaflet map of Japan whose only scripts are Leaflet's (inlined later)."""
    m = folium.Map(location=[37.5, 137.5], zoom_start=5, tiles=None, control_scale=False, zoom_snap=0.25)
    m.default_js = [("leaflet", assets.LEAFLET_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    m.get_root().header.add_child(Element(CSS), name="netopt_css")
    if tiles:
        folium.TileLayer(tiles=tiles, attr=tiles_attribution or "tiles: " + esc(tiles), name="Background tiles",
                         overlay=True, control=True, show=True).add_to(m)
    m.fit_bounds(JAPAN_BOUNDS)
    return m


def choropleth_layer(values: pd.DataFrame, periods: list[int], scale: ColourScale) -> folium.GeoJson:
    """Prefecture polygons with a colour and a label per period in their properties.

    ``values`` has columns code, period, value and optionally label (text shown on hover).
    """
    prefs = geo.prefectures()
    by_code = {(int(r.code), int(r.period)): float(r.value) for r in values.itertuples(index=False)}
    texts = ({(int(c), int(p)): str(t) for c, p, t in zip(values["code"], values["period"], values["label"])}
             if "label" in values else {k: fmt_t(v) for k, v in by_code.items()})
    features = []
    for row in prefs.itertuples(index=False):
        present = {p: by_code.get((row.code, p)) for p in periods}
        features.append({
            "type": "Feature",
            "geometry": row.geometry.__geo_interface__,
            "properties": {
                "code": int(row.code), "name": f"{row.name_en} {row.name_ja}",
                "colours": {str(p): scale.colour(v) for p, v in present.items()},
                "labels": {str(p): texts.get((row.code, p)) for p in periods},
            },
        })
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="prefectures", control=False,
        style_function=lambda f: {"color": "#6b6b6b", "weight": 0.7, "fillOpacity": 0.9, "fillColor": "#ffffff"},
        zoom_on_click=False,
        className="netopt-prefecture")


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
            f'{esc(KIND_LABELS.get(first["kind"], first["kind"]))}; {status}'
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
        f"<tr><td>{esc(LEG_LABELS.get(r.leg, r.leg))}</td><td>{esc(names.get(str(getattr(r, other)), getattr(r, other)))}"
        f"</td><td>{esc(r.material)}</td><td>{fmt_t(r.tonnes_per_yr)} t/yr</td></tr>"
        for r in sel.itertuples(index=False))
    return f"<div><b>{esc(title)}</b> (total {fmt_t(sel['tonnes_per_yr'].sum())} t/yr)</div><table>{rows}</table>"


def facility_marker(row: pd.Series, max_capacity: float, popup: str) -> folium.Marker:
    """A marker whose symbol shows the kind (shape, colour), capacity (size) and new vs existing (outline, label)."""
    shape, colour = KIND_STYLE.get(row["kind"], ("circle", "#555555"))
    size = facility_size(float(row["capacity_t_per_yr"]), max_capacity)
    new = row["status"] == "new"
    svg = symbol_svg(shape, colour, size, stroke="#000000" if new else "#ffffff", stroke_width=2.5 if new else 1.5)
    label = f'<span class="netopt-label">new {_int(row.get("built_period"))}</span>' if new else ""
    icon = folium.DivIcon(html=svg + label, icon_size=(size, size), icon_anchor=(size / 2, size / 2),
                          class_name=f"netopt-facility netopt-{row['kind']} netopt-{row['status']}")
    tooltip = (f"<b>{esc(row['name'])}</b> ({esc(KIND_LABELS.get(row['kind'], row['kind']))}, {esc(row['status'])})"
               f"<br>capacity {fmt_t(row['capacity_t_per_yr'])} t/yr, utilisation "
               f"{100 * float(row['utilisation_share']):.0f}%")
    marker = folium.Marker([float(row["lat"]), float(row["lon"])], icon=icon, tooltip=folium.Tooltip(tooltip))
    marker.add_child(_Popup(popup))
    return marker


def node_marker(node_id: str, name: str, role: str, lat: float, lon: float, note: str = "") -> folium.Marker:
    """A small marker for a port, demand site or overseas market."""
    shape, colour, label = NODE_STYLE[role]
    icon = folium.DivIcon(html=symbol_svg(shape, colour, 12, stroke="#ffffff", stroke_width=1.2), icon_size=(12, 12),
                          icon_anchor=(6, 6), class_name=f"netopt-node netopt-{role}")
    text = f"<b>{esc(name)}</b> ({esc(node_id)})<br>{esc(label)}{note}"
    return folium.Marker([lat, lon], icon=icon, tooltip=folium.Tooltip(text))


def flow_line(row, coords: dict, names: dict, max_tonnes: float) -> folium.PolyLine:
    """One straight line per (leg, origin, destination); tooltip with commodity and tonnes."""
    parts = "".join(f"<br>{esc(stage)} {esc(material)}: {fmt_t(t)} t/yr" for stage, material, t in row.materials)
    total = f"<br><b>total {fmt_t(row.tonnes_per_yr)} t/yr</b>" if len(row.materials) > 1 else ""
    tooltip = (f"<b>{esc(LEG_LABELS.get(row.leg, row.leg))}</b> ({row.period})<br>"
               f"{esc(names.get(row.origin, row.origin))} &rarr; {esc(names.get(row.destination, row.destination))}"
               f"{parts}{total}")
    dashed = "6 6" if row.leg in ("import_market", "export_market") else None
    return folium.PolyLine(
        [coords[row.origin], coords[row.destination]], color=STAGE_COLOURS.get(row.layer, "#444444"),
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


def layer_groups(m: folium.Map, periods: list[int]):
    """(groups, group): ``group(period, key)`` returns the hidden layer of one toggle in one period."""
    groups: dict[str, dict[str, folium.FeatureGroup]] = {str(p): {} for p in periods}

    def group(period: int, key: str) -> folium.FeatureGroup:
        layers = groups[str(period)]
        if key not in layers:
            layers[key] = folium.FeatureGroup(name=f"{key} {period}", control=False, show=False).add_to(m)
        return layers[key]

    return groups, group


def finish_map(m: folium.Map, periods: list[int], groups: dict, toggles: dict[str, str], choropleth,
               measure_label: str, title_html: str, banner_html: str, legend_html: str) -> folium.Map:
    """Add the period radio, the toggles (key -> label, in order), the layer control and the controller."""
    bases = {str(p): folium.FeatureGroup(name=f"Period {p}", overlay=False, show=(i == 0)).add_to(m)
             for i, p in enumerate(periods)}
    proxies = {k: folium.FeatureGroup(name=label, overlay=True, show=True).add_to(m) for k, label in toggles.items()}
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _Controller(periods=[str(p) for p in periods], bases=bases, toggles=proxies, groups=groups, choropleth=choropleth,
                measure_label=measure_label, title_html=title_html, banner_html=banner_html,
                legend_html=f"<details open><summary><b>Legend</b></summary>{legend_html}</details>",
                attribution=geo.ATTRIBUTION).add_to(m)
    return m


def _toggle_order() -> list[str]:
    return [*KIND_STYLE, *STAGE_LABELS, "nodes"]


def _toggle_label(key: str) -> str:
    """Layer-control label with its symbol or line colour."""
    if key in KIND_STYLE:
        shape, colour = KIND_STYLE[key]
        sym = symbol_svg(shape, colour, 12)
        return f'<span class="sym" style="display:inline-block;vertical-align:middle">{sym}</span> {KIND_LABELS[key]}'
    if key in STAGE_LABELS:
        return (f'<span style="display:inline-block;width:18px;height:4px;background:{STAGE_COLOURS[key]};'
                f'vertical-align:middle"></span> {STAGE_LABELS[key]}')
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


def status_banner(summary: dict) -> str:
    """Red banner text when the plan is not proven optimal ('' otherwise)."""
    if summary.get("proven_optimal", False):
        return ""
    gap = summary.get("gap")
    gap_text = "unknown" if gap is None or gap != gap else f"{100 * float(gap):.2f} %"
    note = str(summary.get("note", "")).removeprefix("NOT PROVEN OPTIMAL:").strip()
    return (f"NOT PROVEN OPTIMAL &mdash; status: {esc(summary.get('status', '?'))}, gap: {gap_text}"
            f"<br><span style='font-weight:400'>{esc(note)}</span>")


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
        parts.append(f'<div><span class="sym">{symbol_svg(shape, colour, 14)}</span>{esc(KIND_LABELS[kind])}</div>')
    parts.append(f'<div><span class="sym">{symbol_svg("circle", "#999999", 14)}</span>existing '
                 f'&nbsp;<span class="sym">{symbol_svg("circle", "#999999", 14, "#000000", 2.5)}</span>'
                 f'new, with the period built</div>')
    for role, (shape, colour, label) in NODE_STYLE.items():
        parts.append(f'<div><span class="sym">{symbol_svg(shape, colour, 12)}</span>{esc(label)}</div>')
    parts.append('<div class="netopt-legend-title">Flows (width: tonnes/yr)</div>')
    for key, label in STAGE_LABELS.items():
        if key != "reuse":
            parts.append(f'<div><i style="background:{STAGE_COLOURS[key]};height:4px;border:0"></i>{esc(label)}</div>')
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
    text = "; ".join(f"{esc(LEG_LABELS.get(leg, leg))} {p}: {fmt_t(t)} t/yr" for (leg, p), t in totals.items())
    return f'<div class="netopt-legend-title">Not drawn (no location)</div><div><small>{text}</small></div>'
