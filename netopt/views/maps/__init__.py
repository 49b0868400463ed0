"""Self-contained, bilingual maps of netopt runs (Folium/Leaflet, no network needed to open them).

:func:`netopt.views.maps.build.write_map` draws one run; :func:`netopt.views.maps.compare.write_compare`
maps the differences between two runs; both share the page of :mod:`netopt.views.maps.page` (header,
side panel, Nansei inset, phone drawer, print layout) and the objects of :mod:`netopt.views.maps.layers`.
:func:`netopt.views.browser.screenshot` photographs a page with headless Chromium
(``python -m netopt.views --screenshot``). Only pandas, geopandas and folium are used: maps never import
Pyomo.
"""
