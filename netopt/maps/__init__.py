"""Self-contained maps of netopt runs (Folium/Leaflet, no network needed to open them).

``write_map(result_dir, target)`` draws one run; ``write_compare(a, b, target)`` maps the
differences between two runs; ``screenshot(html, png)`` photographs a page with headless
Chromium.  Only pandas, geopandas and folium are used: maps never import Pyomo.
"""

from netopt.maps.build import MEASURES, build_map, compare_target, default_target, write_map
from netopt.maps.compare import write_compare
from netopt.maps.browser import screenshot

__all__ = ["MEASURES", "build_map", "write_map", "write_compare", "screenshot", "default_target", "compare_target"]
