{# The map's controller, a Jinja template rendered by netopt.views.maps.page.Controller: period radio x layer
   toggles, choropleth restyling, title, legend, banner and attribution. #}
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
