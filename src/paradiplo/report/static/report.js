/* paradiplo report: the interactive map of ties (Leaflet, no tile server).
 *
 * Reads two JSON blocks the page embeds: #pd-countries (country outlines as GeoJSON,
 * decoded from world-atlas's TopoJSON when the report was built) and #pd-map-data
 * (tie lines, places, colours, bounds). Countries are drawn three times, shifted by
 * -360, 0 and +360 degrees, so that lines that run past the antimeridian stay over land.
 */
(function () {
  "use strict";
  var container = document.getElementById("pd-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(document.getElementById("pd-map-data").textContent);
  var countries = JSON.parse(document.getElementById("pd-countries").textContent);

  var map = L.map(container, { zoomSnap: 0.25, preferCanvas: false, worldCopyJump: false });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Country outlines: Natural Earth (world-atlas)");
  // The view must exist before vector layers are added (their renderer needs its bounds).
  map.fitBounds(data.bounds, { padding: [12, 12] });

  [-360, 0, 360].forEach(function (offset) {
    L.geoJSON(countries, {
      interactive: false,
      coordsToLatLng: function (c) {
        return L.latLng(c[1], c[0] + offset);
      },
      style: function () {
        return {
          className: "pd-country",
          color: "#ffffff",
          weight: 0.6,
          fillColor: "#e6e2d8",
          fillOpacity: 1,
        };
      },
    }).addTo(map);
  });

  data.lines.forEach(function (line) {
    L.polyline(line.c, {
      className: "pd-tie pd-level-" + line.l,
      color: data.colors[line.l] || "#999999",
      weight: 1.6,
      opacity: data.lines.length > 300 ? 0.45 : 0.8,
    })
      .bindPopup(line.p, { maxWidth: 360 })
      .addTo(map);
  });

  data.points.forEach(function (point) {
    L.circleMarker([point.lat, point.lon], {
      className: "pd-place",
      radius: 2.5 + Math.sqrt(point.d),
      color: "#222222",
      weight: 0.5,
      fillColor: "#222222",
      fillOpacity: 0.7,
    })
      .bindTooltip(point.n)
      .bindPopup(point.p, { maxWidth: 360 })
      .addTo(map);
  });

  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "pd-legend");
    var html = "<strong>tie level</strong>";
    Object.keys(data.legend).forEach(function (level) {
      html +=
        '<div><span class="pd-swatch" style="background:' +
        data.colors[level] +
        '"></span>' +
        level +
        " (" +
        data.legend[level] +
        ")</div>";
    });
    div.innerHTML = html;
    return div;
  };
  legend.addTo(map);
  container.setAttribute("data-ties-drawn", String(data.lines.length));
})();
