"""The scaffold every netopt map shares: a Leaflet page of Japan, its layers, its controller, its file.

:func:`new_map` makes the empty page (prefecture outlines are the basemap; tiles only if asked
for), :func:`choropleth_layer` colours the prefectures per period, :func:`layer_groups` holds one
hidden layer per (period, toggle) and :func:`finish_map` adds the period radio, the toggles and the
:class:`Controller` that shows the right layers. Its script (``controller.js``) and stylesheet
(``map.css``) are package data. Used by :mod:`netopt.views.maps.build` and
:mod:`netopt.views.maps.compare`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from netopt.views import assets
from netopt.views.maps import geo
from netopt.views.style import ColourScale, esc, fmt_t

JAPAN_BOUNDS = [[25.5, 127.0], [45.6, 146.0]]


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
    """Period radio x layer toggles, choropleth restyling, title, legend, banner and attribution."""

    def __init__(self, **fields):
        super().__init__()
        self._name = "NetoptController"
        self._template = Template("{% macro script(this, kwargs) %}" + package_text("controller.js")
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


def default_target(result_dir: str | Path, measure: str = "leaked") -> Path:
    """maps/<instance>-<scenario>.html (as ``netopt solve`` writes), with -<measure> unless leaked."""
    suffix = "" if measure == "leaked" else f"-{measure}"
    return Path("maps") / f"{run_label(result_dir)}{suffix}.html"


def compare_target(a: str | Path, b: str | Path) -> Path:
    """maps/compare-<A>-vs-<B>.html."""
    return Path("maps") / f"compare-{run_label(a)}-vs-{run_label(b)}.html"


# ------------------------------------------------------------------ the page and its layers


def new_map(tiles: str | None = None, tiles_attribution: str | None = None) -> folium.Map:
    """An empty Leaflet map of Japan whose only scripts are Leaflet's (inlined later)."""
    m = folium.Map(location=[37.5, 137.5], zoom_start=5, tiles=None, control_scale=False, zoom_snap=0.25)
    m.default_js = [("leaflet", assets.LEAFLET_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    m.get_root().header.add_child(Element(f"<style>\n{package_text('map.css')}</style>"), name="netopt_css")
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
    Controller(periods=[str(p) for p in periods], bases=bases, toggles=proxies, groups=groups, choropleth=choropleth,
                measure_label=measure_label, title_html=title_html, banner_html=banner_html,
                legend_html=f"<details open><summary><b>Legend</b></summary>{legend_html}</details>",
                attribution=geo.ATTRIBUTION).add_to(m)
    return m
