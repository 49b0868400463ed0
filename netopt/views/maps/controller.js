{# The map's controller, a Jinja template rendered by netopt.views.maps.page.Controller: the language switch,
   period x measure x layer toggles, the choropleth, prefecture labels, search, the fact panel, the Nansei inset,
   the phone drawer and the print layout. Layers are made by Python (one hidden layer per period and toggle);
   this script only shows and hides them. #}
(function () {
  var map = {{ this._parent.get_name() }};
  var periods = {{ this.periods|tojson }};
  var groups = { {% for p, d in this.groups.items() %}{{ p|tojson }}: { {% for k, l in d.items() %}{{ k|tojson }}: {{ l.get_name() }},{% endfor %} },{% endfor %} };
  var choropleth = {{ this.choropleth.get_name() }};
  var measureLabels = {{ this.measure_labels|tojson }};
  var panels = {{ this.panels|tojson }};
  var entries = {{ this.search|tojson }};
  var mainBounds = L.latLngBounds({{ this.main_bounds|tojson }});
  var nanseiBounds = L.latLngBounds({{ this.nansei_bounds|tojson }});
  var words = {{ this.words|tojson }};
  var state = {period: periods[0], measure: {{ this.measure|tojson }}, code: null};
  var container = map.getContainer();
  var byCode = {};

  {{ this.switch_js }}

  function $(sel) { return document.querySelector(sel); }
  function $$(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  function toggleOn(key) {
    var box = $('input[name="netopt-toggle"][value="' + key + '"]');
    return !box || box.checked;
  }

  // ------------------------------------------------------------ prefectures: colours, tooltips, labels
  function fill(layer) {
    var c = layer.feature.properties.colours[state.measure];
    return c ? c[state.period] : "#d9d9d9";
  }
  function outline(layer) {
    var on = layer.feature.properties.code === state.code;
    return {weight: on ? 3 : 0.7, color: on ? "#000000" : "#6b6b6b"};
  }
  function bi(ja, en) { return '<span class="l-ja" lang="ja">' + ja + '</span><span class="l-en" lang="en">' + en + '</span>'; }
  function prefectureTooltip(layer) {
    var p = layer.feature.properties;
    var labels = p.labels[state.measure] || {};
    var v = labels[state.period];
    return "<b>" + bi(p.name_ja, p.name_en) + "</b><br>" + measureLabels[state.measure] + ", " + state.period + ": " +
      (v === undefined || v === null ? words.no_region : v);
  }
  var labelPane = map.createPane("netopt-labels");
  labelPane.style.zIndex = 450;
  labelPane.style.pointerEvents = "none";
  var labels = L.layerGroup();
  choropleth.eachLayer(function (layer) {
    var p = layer.feature.properties;
    byCode[p.code] = layer;
    layer.bindTooltip(function () { return prefectureTooltip(layer); }, {sticky: true});
    layer.on("mouseover", function () { layer.setStyle({weight: 2.5, color: "#000000"}); });
    layer.on("mouseout", function () { layer.setStyle(outline(layer)); });
    layer.on("click", function () { openPanel(p.code); });
    var at = p.label || [(p.bbox[1] + p.bbox[3]) / 2, (p.bbox[0] + p.bbox[2]) / 2];
    L.marker(at, {pane: "netopt-labels", interactive: false, keyboard: false,
      icon: L.divIcon({className: "netopt-preflabel", html: bi(p.name_ja, p.name_en), iconSize: null})}).addTo(labels);
  });
  labels.addTo(map);
  function showLabels() {
    var on = map.getZoom() >= 6 && toggleOn("labels");
    container.classList.toggle("netopt-labels-off", !on);
  }
  map.on("zoomend", showLabels);

  // ------------------------------------------------------------ the Nansei inset
  var insetBox = L.control({position: "topleft"});
  var inset = null, insetShapes = null, insetLines = L.layerGroup();
  insetBox.onAdd = function () {
    var div = L.DomUtil.create("div", "netopt-inset");
    div.innerHTML = '<div class="netopt-inset-map"></div><div class="netopt-inset-title">' + {{ this.nansei|tojson }} + "</div>";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  insetBox.addTo(map);
  var insetDiv = container.querySelector(".netopt-inset");
  inset = L.map(insetDiv.querySelector(".netopt-inset-map"), {zoomControl: false, attributionControl: false,
    dragging: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false,
    touchZoom: false, zoomSnap: 0.1});
  inset.fitBounds(nanseiBounds);
  var nansei = choropleth.toGeoJSON();
  nansei.features = nansei.features.filter(function (f) { return f.properties.code === 46 || f.properties.code === 47; });
  insetShapes = L.geoJSON(nansei, {className: "netopt-inset-prefecture",
    style: function () { return {color: "#6b6b6b", weight: 0.6, fillOpacity: 0.9, fillColor: "#ffffff"}; },
    onEachFeature: function (f, layer) {
      layer.on("click", function (e) { L.DomEvent.stop(e); openPanel(f.properties.code); });
      layer.bindTooltip(function () { return prefectureTooltip({feature: f}); }, {sticky: true});
    }}).addTo(inset);
  insetLines.addTo(inset);
  inset.on("click", function () { map.fitBounds(nanseiBounds); });
  inset.on("resize", function () { if (inset.getSize().x > 0) { inset.fitBounds(nanseiBounds, {padding: [2, 2]}); } });
  function refreshInset() {
    insetShapes.eachLayer(function (layer) { layer.setStyle({fillColor: fill(layer)}); });
    insetLines.clearLayers();
    var layers = groups[state.period] || {};
    Object.keys(layers).forEach(function (k) {
      if (!toggleOn(k)) { return; }
      layers[k].eachLayer(function (l) {
        if (l instanceof L.Polyline) {
          if (!l.getBounds().intersects(nanseiBounds)) { return; }
          var sea = (l.options.className || "").indexOf("netopt-sea") >= 0;
          L.polyline(l.getLatLngs(), {color: l.options.color, weight: Math.min(4, l.options.weight), opacity: 0.9,
            dashArray: l.options.dashArray, interactive: false,
            className: "netopt-inset-line" + (sea ? " netopt-inset-sea" : "")}).addTo(insetLines);
        } else if (l.getLatLng && nanseiBounds.contains(l.getLatLng())) {
          L.circleMarker(l.getLatLng(), {radius: 3.5, weight: 1, color: "#ffffff", fillColor: "#222222",
            fillOpacity: 1, interactive: false, className: "netopt-inset-site"}).addTo(insetLines);
        }
      });
    });
    var size = map.getSize(), view = size.x > 0 && size.y > 0 ? map.getBounds() : null;
    // the inset goes when the map itself shows the Nansei islands well: all of them, or zoomed in on them
    var hide = !!view && (view.contains(nanseiBounds) || (map.getZoom() >= 7 && view.contains(nanseiBounds.getCenter())));
    var was = insetDiv.style.display !== "none";
    insetDiv.style.display = hide ? "none" : "";
    if (!hide && !was) { fit(); }
  }
  map.on("moveend", function () { refreshInset(); });

  // ------------------------------------------------------------ the fact panel
  function markPeriod() {
    $$("#netopt-panel [data-p]").forEach(function (el) {
      el.classList.toggle("current", el.getAttribute("data-p") === state.period);
    });
  }
  function openPanel(code) {
    state.code = code;
    var body = $("#netopt-panel-body");
    var entry = entries.filter(function (e) { return e.code === code; })[0];
    body.innerHTML = panels[String(code)] ||
      ("<h2>" + (entry ? bi(entry.ja, entry.en) : code) + "</h2><p>" + words.no_region + "</p>");
    choropleth.eachLayer(function (layer) { layer.setStyle(outline(layer)); });
    document.body.setAttribute("data-region", String(code));
    markPeriod();
    setDrawer("facts", true);
    var panel = $("#netopt-panel");
    if (panel.scrollIntoView) { panel.scrollIntoView({block: "start"}); }
  }
  $("#netopt-panel .netopt-close").addEventListener("click", function () {
    state.code = null;
    $("#netopt-panel-body").innerHTML = "";
    document.body.removeAttribute("data-region");
    choropleth.eachLayer(function (layer) { layer.setStyle(outline(layer)); });
    setDrawer("facts", false);
  });

  // ------------------------------------------------------------ search
  function fold(s) {
    s = String(s || "");
    if (s.normalize) { s = s.normalize("NFKC"); }
    return s.toLowerCase().replace(/\s+/g, "").replace(/-(ken|fu|to|do)$/, "").replace(/prefecture$/, "");
  }
  function matches(q) {
    q = fold(q);
    if (!q) { return []; }
    if (/^\d+$/.test(q)) { q = "jp" + ("0" + parseInt(q, 10)).slice(-2); }
    return entries.filter(function (e) {
      var keys = [fold(e.ja), fold(e.en), fold(e.id)];
      return keys.some(function (k) { return k.indexOf(q) === 0 || (q.length > 1 && k.indexOf(q) >= 0); });
    }).slice(0, 8);
  }
  var input = $("#netopt-search-input"), results = $("#netopt-search-results");
  function pick(e) {
    results.innerHTML = "";
    input.value = document.documentElement.getAttribute("data-lang") === "en" ? e.en : e.ja;
    var b = e.bbox;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [30, 30], maxZoom: 9});
    openPanel(e.code);
  }
  function listResults() {
    var found = matches(input.value);
    results.innerHTML = "";
    found.forEach(function (e, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = "netopt-search-hit" + (i === 0 ? " first" : "");
      li.innerHTML = bi(e.ja, e.en) + ' <small>' + e.id + "</small>";
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(e); });
      results.appendChild(li);
    });
    if (!found.length && input.value.trim()) {
      results.innerHTML = "<li class='netopt-search-none'>" + words.no_match + "</li>";
    }
    return found;
  }
  input.addEventListener("input", listResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var f = listResults(); if (f.length) { pick(f[0]); } ev.preventDefault(); }
    if (ev.key === "Escape") { results.innerHTML = ""; }
  });

  // ------------------------------------------------------------ period, measure, toggles
  function refresh() {
    Object.keys(groups).forEach(function (p) {
      Object.keys(groups[p]).forEach(function (k) {
        var layer = groups[p][k];
        var show = p === state.period && toggleOn(k);
        if (show && !map.hasLayer(layer)) { map.addLayer(layer); }
        if (!show && map.hasLayer(layer)) { map.removeLayer(layer); }
      });
    });
    choropleth.eachLayer(function (layer) { layer.setStyle({fillColor: fill(layer)}); });
    var pl = $("#netopt-period"), ml = $("#netopt-measure");
    if (pl) { pl.textContent = state.period; }
    if (ml) { ml.innerHTML = measureLabels[state.measure]; }
    $$(".netopt-scale").forEach(function (el) {
      el.style.display = el.getAttribute("data-measure") === state.measure ? "" : "none";
    });
    container.setAttribute("data-period", state.period);
    container.setAttribute("data-measure", state.measure);
    markPeriod();
    showLabels();
    refreshInset();
  }
  function setPeriod(p) {
    state.period = String(p);
    var r = $('input[name="netopt-period"][value="' + state.period + '"]');
    if (r) { r.checked = true; }
    refresh();
  }
  function setMeasure(m) {
    state.measure = m;
    var r = $('input[name="netopt-measure"][value="' + m + '"]');
    if (r) { r.checked = true; }
    refresh();
  }
  $$('input[name="netopt-period"]').forEach(function (r) { r.addEventListener("change", function () { setPeriod(r.value); }); });
  $$('input[name="netopt-measure"]').forEach(function (r) { r.addEventListener("change", function () { setMeasure(r.value); }); });
  $$('input[name="netopt-toggle"]').forEach(function (r) { r.addEventListener("change", refresh); });

  // ------------------------------------------------------------ phone drawer, resizing, printing
  function setDrawer(which, open) {
    var body = document.body;
    if (open === undefined) { open = !(body.classList.contains("netopt-drawer-open") && body.getAttribute("data-drawer") === which); }
    body.classList.toggle("netopt-drawer-open", !!open);
    if (open) { body.setAttribute("data-drawer", which); }
  }
  $$(".netopt-drawer-button").forEach(function (b) {
    b.addEventListener("click", function () { setDrawer(b.getAttribute("data-drawer")); });
  });
  function fit() {
    map.invalidateSize();
    inset.invalidateSize();
    var s = inset.getSize();
    if (s.x > 0 && s.y > 0) { inset.fitBounds(nanseiBounds, {padding: [2, 2]}); }
  }
  if (window.ResizeObserver) { new ResizeObserver(fit).observe(container); }
  window.addEventListener("beforeprint", function () {
    $$("#netopt-side details.netopt-legend").forEach(function (d) { d.open = true; });
    fit();
    map.fitBounds(mainBounds);
  });

  L.control.zoom({position: "topright"}).addTo(map);
  L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution({{ this.attribution|tojson }});
  fit();
  refresh();
  setTimeout(fit, 0);
  window.addEventListener("load", fit);
  window.netopt = {map: map, inset: inset, periods: periods, period: function () { return state.period; },
    measure: function () { return state.measure; }, setPeriod: setPeriod, setMeasure: setMeasure,
    openPanel: openPanel, region: function () { return state.code; }, search: matches};
})();
