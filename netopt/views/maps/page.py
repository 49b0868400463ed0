"""The scaffold every netopt map shares: a bilingual page of Japan with a header, a side panel and a Leaflet map.

Layout (``map.css``): the header holds the title, the red NOT PROVEN banner and the language switch; the
side panel holds the search box, the period and measure switches, the layer toggles, the legend and the
prefecture fact panel; the map fills the rest, with an inset of the Nansei islands. On a phone the side
panel is a drawer below the map (closed at first, opened by the header's buttons); printed, the page is
A4 landscape with the legend beside the map and no controls. Nothing is laid over anything else, so the
banner is never covered.

:func:`new_map` makes the empty page, :func:`choropleth_layer` the prefectures (colours and labels per
measure and period), :func:`layer_groups` one hidden layer per (period, toggle), and :func:`finish_map`
the side panel and the :class:`Controller` (``controller.js``) that shows the right layers.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Environment, Template

from netopt.views import assets
from netopt.views import prefectures as japan
from netopt.views.factsheet import SHEET_CSS
from netopt.views.i18n import LANG_CSS, SWITCH_JS, T, Text, head_script, switch_html
from netopt.views.maps import geo
from netopt.views.style import ColourScale, esc, fmt_t

JAPAN_BOUNDS = japan.MAIN_BOUNDS
_ENV = Environment()
_ENV.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # Japanese as UTF-8, not \uXXXX
NANSEI_BOUNDS = japan.NANSEI_BOUNDS


@functools.cache
def package_text(name: str) -> str:
    """A file shipped beside this module (``controller.js``, ``map.css``)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


class Popup(MacroElement):
    """Bind an HTML popup to its parent layer with plain Leaflet (folium's Popup needs jQuery)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {maxWidth: 460});
        {% endmacro %}""")

    def __init__(self, html: str):
        super().__init__()
        self._name = "NetoptPopup"
        self.html = html


class Controller(MacroElement):
    """Period x measure x toggles, the choropleth, labels, search, fact panel, inset and drawer."""

    def __init__(self, **fields):
        super().__init__()
        self._name = "NetoptController"
        self._template = _ENV.from_string("{% macro script(this, kwargs) %}" + package_text("controller.js")
                                          + "{% endmacro %}")
        self.__dict__.update(fields)


# ------------------------------------------------------------------ files


def render_html(m: folium.Map) -> str:
    """Render a folium map to a page with every script and stylesheet inline."""
    page = assets.inline_assets(m.get_root().render())
    assets.check_offline(page)
    return page


def write_page(target: str | Path, page: str) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target


def run_label(result_dir: str | Path) -> str:
    """``<instance>-<scenario>`` of a run folder, from its summary.json."""
    folder = Path(result_dir)
    s = json.loads((folder / "summary.json").read_text())
    return f"{s.get('instance', folder.parent.name)}-{s.get('scenario', folder.name)}"


def default_target(result_dir: str | Path, measure: str | None = None) -> Path:  # noqa: ARG001 - one page, all measures
    """maps/<instance>-<scenario>.html (as ``netopt solve`` writes); every measure is in the page."""
    return Path("maps") / f"{run_label(result_dir)}.html"


def compare_target(a: str | Path, b: str | Path) -> Path:
    """maps/compare-<A>-vs-<B>.html."""
    return Path("maps") / f"compare-{run_label(a)}-vs-{run_label(b)}.html"


# ------------------------------------------------------------------ the page and its layers


def new_map(lang: str, title: Text, tiles: str | None = None, tiles_attribution: str | None = None) -> folium.Map:
    """An empty Leaflet map of Japan whose only scripts are Leaflet's (inlined later), in ``lang``."""
    m = folium.Map(location=[37.5, 137.5], zoom_start=5, tiles=None, control_scale=False, zoom_snap=0.25,
                   zoom_control=False)
    m.default_js = [("leaflet", assets.LEAFLET_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    root = m.get_root()
    root.title = esc(title.get(lang))
    root.header.add_child(Element(head_script(lang, title)), name="netopt_lang")
    root.header.add_child(Element(f"<style>\n{LANG_CSS}{SHEET_CSS}{package_text('map.css')}</style>"),
                          name="netopt_css")
    if tiles:
        folium.TileLayer(tiles=tiles, attr=tiles_attribution or "tiles: " + esc(tiles), name="Background tiles",
                         overlay=True, control=False, show=True).add_to(m)
    m.fit_bounds(JAPAN_BOUNDS)
    return m


def choropleth_layer(values: dict[str, pd.DataFrame], scales: dict[str, ColourScale],
                     periods: list[int]) -> folium.GeoJson:
    """Prefecture polygons (every island) with a colour and a label per measure and period in their properties.

    ``values[measure]`` has columns code, period, value and optionally label (HTML shown on hover).
    """
    prefs = geo.prefectures()
    colours: dict[int, dict] = {int(c): {} for c in prefs["code"]}
    labels: dict[int, dict] = {int(c): {} for c in prefs["code"]}
    for key, frame in values.items():
        by_code = {(int(r.code), int(r.period)): float(r.value) for r in frame.itertuples(index=False)}
        texts = ({(int(c), int(p)): str(t) for c, p, t in zip(frame["code"], frame["period"], frame["label"])}
                 if "label" in frame else {k: fmt_t(v) for k, v in by_code.items()})
        for code in colours:
            colours[code][key] = {str(p): scales[key].colour(by_code.get((code, p))) for p in periods}
            labels[code][key] = {str(p): texts.get((code, p)) for p in periods}
    features = []
    for row in prefs.itertuples(index=False):
        code = int(row.code)
        features.append({
            "type": "Feature", "geometry": row.geometry.__geo_interface__,
            "properties": {"code": code, "region_id": row.region_id, "name_ja": row.name_ja, "name_en": row.name_en,
                           "n_polygons": int(row.n_polygons), "bbox": list(row.bbox_main),
                           "label": [float(row.label_lat), float(row.label_lon)],
                           "colours": colours[code], "labels": labels[code]},
        })
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="prefectures", control=False,
        style_function=lambda f: {"color": "#6b6b6b", "weight": 0.7, "fillOpacity": 0.9, "fillColor": "#ffffff"},
        zoom_on_click=False, smooth_factor=0.5, className="netopt-prefecture")


def layer_groups(m: folium.Map, periods: list[int]):
    """(groups, group): ``group(period, key)`` returns the hidden layer of one toggle in one period."""
    groups: dict[str, dict[str, folium.FeatureGroup]] = {str(p): {} for p in periods}

    def group(period: int, key: str) -> folium.FeatureGroup:
        layers = groups[str(period)]
        if key not in layers:
            layers[key] = folium.FeatureGroup(name=f"{key} {period}", control=False, show=False).add_to(m)
        return layers[key]

    return groups, group


def search_entries(regions_by_code: dict[int, list[str]]) -> list[dict]:
    """What the search box finds: every prefecture (ja, en, JIS code) and the regions inside it."""
    out = []
    for row in geo.prefectures().itertuples(index=False):
        code = int(row.code)
        out.append({"code": code, "id": row.region_id, "ja": row.name_ja, "en": row.name_en,
                    "bbox": list(row.bbox_main), "regions": regions_by_code.get(code, [])})
    return out


def _section(cls: str, title: Text, body: str, open_: bool = True) -> str:
    return (f'<details class="netopt-section {cls}"{" open" if open_ else ""}><summary>{title}</summary>'
            f"{body}</details>")


def side_html(periods: list[int], measures: dict[str, tuple[str, str]], measure: str, toggles: dict[str, str],
              legend_html: str) -> str:
    """The side panel: search, period, measure, layers, legend and the (empty) fact panel."""
    search = (f'<div class="netopt-section netopt-search"><label for="netopt-search-input">{T["search"]}</label>'
              f'<input id="netopt-search-input" type="search" autocomplete="off" '
              f'placeholder="{esc(T["search_hint"].ja)} / {esc(T["search_hint"].en)}">'
              f'<ul id="netopt-search-results" role="listbox"></ul></div>')
    period_radios = "".join(
        f'<label><input type="radio" name="netopt-period" value="{p}"{" checked" if i == 0 else ""}> {p}</label>'
        for i, p in enumerate(periods))
    measure_radios = "".join(
        f'<label><input type="radio" name="netopt-measure" value="{k}"{" checked" if k == measure else ""}> '
        f"{label}</label>" for k, (label, _) in measures.items())
    toggle_boxes = "".join(f'<label><input type="checkbox" name="netopt-toggle" value="{k}" checked> {label}</label>'
                           for k, label in toggles.items())
    scale_legends = "".join(f'<div class="netopt-scale" data-measure="{k}">{legend}</div>'
                            for k, (_, legend) in measures.items())
    panel = (f'<div class="netopt-section netopt-panel" id="netopt-panel"><div class="netopt-panel-head">'
             f'<b>{T["facts"]}</b><button type="button" class="netopt-close" title="{esc(T["close"].en)}">'
             f'&times;</button></div><div id="netopt-panel-body"><p class="netopt-note">{T["facts_hint"]}</p>'
             "</div></div>")
    return (f'<aside id="netopt-side">{search}'
            + _section("netopt-periods", T["period"], f'<div class="netopt-choices">{period_radios}</div>')
            + _section("netopt-measures", T["measure"], f'<div class="netopt-choices">{measure_radios}</div>')
            + _section("netopt-layers", T["layers"], f'<div class="netopt-choices">{toggle_boxes}</div>')
            + _section("netopt-legend", T["legend"], scale_legends + legend_html)
            + panel + "</aside>")


def header_html(title_html: str, banner_html: str) -> str:
    banner = f'<div class="netopt-banner netopt-status" role="alert">{banner_html}</div>' if banner_html else ""
    tools = (f'<div class="netopt-tools">{switch_html()}'
             f'<button type="button" class="netopt-drawer-button" data-drawer="controls">{T["controls"]}</button>'
             f'<button type="button" class="netopt-drawer-button" data-drawer="legend">{T["legend"]}</button></div>')
    return (f'<header id="netopt-header"><div class="netopt-title">{title_html}</div>{tools}{banner}</header>')


def finish_map(m: folium.Map, periods: list[int], groups: dict, toggles: dict[str, str], choropleth,
               measures: dict[str, tuple[str, str]], measure: str, title_html: str, banner_html: str,
               legend_html: str, panels: dict[int, str], regions_by_code: dict[int, list[str]]) -> folium.Map:
    """Add the header, the side panel and the controller.

    ``measures``: key -> (label HTML, legend HTML); ``toggles``: key -> label HTML, in order; ``panels``:
    prefecture code -> fact-panel HTML.
    """
    root = m.get_root()
    root.html.add_child(Element(header_html(title_html, banner_html)), name="netopt_header")
    root.html.add_child(Element(side_html(periods, measures, measure, toggles, legend_html)), name="netopt_side")
    Controller(periods=[str(p) for p in periods], groups=groups, choropleth=choropleth, measure=measure,
               measure_labels={k: v[0] for k, v in measures.items()}, panels={str(k): v for k, v in panels.items()},
               search=search_entries(regions_by_code), attribution=japan.ATTRIBUTION.html,
               main_bounds=JAPAN_BOUNDS, nansei_bounds=NANSEI_BOUNDS, nansei=T["nansei"].html,
               switch_js=SWITCH_JS, words={"no_region": T["no_region"].html, "no_match": T["no_match"].html},
               ).add_to(m)
    return m
