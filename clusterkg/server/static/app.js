/* clusterkg web page: browse clusters, myths and findings, compare, map, query.
 * Everything is read from the server's own SPARQL endpoint (/sparql) and the
 * named-query API (/api/queries); no other network access. */
"use strict";

const NS = {
  ckg: "https://w3id.org/clusterkg/ontology#",
  cki: "https://w3id.org/clusterkg/id/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  owl: "http://www.w3.org/2002/07/owl#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
  skos: "http://www.w3.org/2004/02/skos/core#",
  prov: "http://www.w3.org/ns/prov#",
  dcterms: "http://purl.org/dc/terms/",
  schema: "https://schema.org/",
  geo: "http://www.w3.org/2003/01/geo/wgs84_pos#",
  geosparql: "http://www.opengis.net/ont/geosparql#",
  wdt: "http://www.wikidata.org/prop/direct/",
};
const PREFIXES = Object.entries(NS).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n") + "\n";
const DIMENSION_ORDER = ["dimension-place", "dimension-socio-economic", "dimension-cultural-economic", "dimension-performance"];
const HIDDEN_PROPS = new Set([NS.owl + "annotatedSource", NS.owl + "annotatedTarget", NS.owl + "annotatedProperty"]);

const state = {
  lang: localStorage.getItem("clusterkg.lang") || ((navigator.language || "").startsWith("ko") ? "ko" : "en"),
  labels: new Map(), // iri -> {ko, en, "": ...}
  yasqe: null,
  lastQuery: null,
};

/* ---------- small helpers ---------- */

function t(key, vars = {}) {
  const text = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? vars[k] : ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function sparqlTerm(b) {
  if (b.type === "uri") return `<${b.value}>`;
  if (b.type === "bnode") return null;
  const text = JSON.stringify(b.value);
  if (b["xml:lang"]) return `${text}@${b["xml:lang"]}`;
  if (b.datatype) return `${text}^^<${b.datatype}>`;
  return text;
}

function shortIri(iri) {
  for (const [p, ns] of Object.entries(NS)) if (iri.startsWith(ns)) return `${p}:${iri.slice(ns.length)}`;
  return iri;
}

function localName(iri) {
  return iri.replace(/^.*[#/]/, "") || iri;
}

function entityHref(iri) {
  return "#/entity/" + encodeURIComponent(iri);
}

async function sparql(query) {
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
    body: new URLSearchParams({ query: PREFIXES + query }),
  });
  if (!response.ok) throw new Error((await response.text()).trim() || response.statusText);
  return response.json();
}

async function rows(query) {
  return (await sparql(query)).results.bindings;
}

function values(iris) {
  return iris.map((i) => `<${i}>`).join(" ");
}

/** Fetch the labels (ko/en) of IRIs not seen yet. */
async function loadLabels(iris) {
  const missing = [...new Set(iris)].filter((i) => i && !state.labels.has(i));
  for (let start = 0; start < missing.length; start += 200) {
    const chunk = missing.slice(start, start + 200);
    chunk.forEach((i) => state.labels.set(i, {}));
    const result = await rows(`SELECT ?s ?l WHERE { VALUES ?s { ${values(chunk)} }
      ?s rdfs:label|skos:prefLabel|dcterms:title ?l }`);
    for (const r of result) {
      const entry = state.labels.get(r.s.value);
      const lang = r.l["xml:lang"] || "";
      if (!entry[lang]) entry[lang] = r.l.value;
    }
  }
}

function label(iri) {
  const entry = state.labels.get(iri) || {};
  return entry[state.lang] || entry.en || entry.ko || entry[""] || Object.values(entry)[0] || shortIri(iri);
}

/** Pick the literal in the page's language from a list of literal bindings. */
function pickLiteral(list) {
  if (!list || !list.length) return null;
  return (
    list.find((b) => b["xml:lang"] === state.lang) ||
    list.find((b) => !b["xml:lang"]) ||
    list.find((b) => b["xml:lang"] === "en") ||
    list[0]
  );
}

/** Outgoing triples of some subjects: iri -> {predicate -> [bindings]}. */
async function describe(iris) {
  const out = new Map(iris.map((i) => [i, {}]));
  if (!iris.length) return out;
  for (const r of await rows(`SELECT ?s ?p ?o WHERE { VALUES ?s { ${values(iris)} } ?s ?p ?o }`)) {
    const props = out.get(r.s.value);
    (props[r.p.value] = props[r.p.value] || []).push(r.o);
  }
  return out;
}

function iriValues(props, p) {
  return (props[p] || []).filter((b) => b.type === "uri").map((b) => b.value);
}

function loading() {
  return el("p", { class: "muted" }, t("loading"));
}

function showError(container, error) {
  container.append(el("div", { class: "error" }, `${t("error")}: ${error.message || error}`));
}

function provButton(spec) {
  return el("button", { type: "button", class: "prov-btn", title: t("prov.title"), onclick: () => showProvenance(spec) }, t("prov.button"));
}

function entityLink(iri) {
  return el("a", { href: entityHref(iri) }, label(iri));
}

/* ---------- provenance ---------- */

/** Show where a fact comes from: {s, p, o} (an annotated triple) or {entity}. */
async function showProvenance(spec) {
  const dialog = document.getElementById("prov");
  const body = document.getElementById("prov-body");
  body.replaceChildren(loading());
  if (!dialog.open) dialog.showModal();
  try {
    let excerpts = [];
    if (spec.s && spec.p && spec.o) {
      const target = sparqlTerm(spec.o);
      if (target) {
        excerpts = await rows(`SELECT DISTINCT ?ex WHERE { ?ax owl:annotatedSource <${spec.s}> ;
          owl:annotatedProperty <${spec.p}> ; owl:annotatedTarget ${target} ; ckg:attestedBy ?ex }`);
      }
    }
    const entity = spec.entity || spec.s;
    let viaEntity = false;
    if (!excerpts.length && entity) {
      excerpts = await rows(`SELECT DISTINCT ?ex WHERE { <${entity}> prov:wasDerivedFrom|ckg:attestedBy ?ex }`);
      viaEntity = Boolean(spec.s);
    }
    const iris = excerpts.map((r) => r.ex.value);
    body.replaceChildren();
    if (spec.title) body.append(el("p", { class: "prov-subject" }, spec.title));
    if (!iris.length) {
      body.append(el("p", { class: "muted" }, t("prov.none")));
      return;
    }
    if (viaEntity) body.append(el("p", { class: "muted small" }, entityLink(entity)));
    const details = await rows(`SELECT ?ex ?text ?gloss ?sec ?num WHERE { VALUES ?ex { ${values(iris)} }
      OPTIONAL { ?ex ckg:excerptText ?text } OPTIONAL { ?ex ckg:gloss ?gloss }
      OPTIONAL { ?ex ckg:inSection ?sec OPTIONAL { ?sec ckg:sectionNumber ?num } } } ORDER BY ?num ?ex`);
    await loadLabels(details.filter((d) => d.sec).map((d) => d.sec.value));
    for (const d of details) {
      body.append(
        el("article", { class: "excerpt" },
          d.sec ? el("div", { class: "section" }, el("span", { class: "tag" }, t("prov.section")), " ",
            el("a", { href: entityHref(d.sec.value) }, label(d.sec.value))) : null,
          d.text ? el("blockquote", { lang: "ko", class: "verbatim" }, d.text.value) : null,
          d.gloss ? el("p", { class: "gloss", lang: "en" }, el("span", { class: "tag" }, t("prov.gloss")), " ", d.gloss.value) : null,
          el("a", { class: "small muted", href: entityHref(d.ex.value) }, shortIri(d.ex.value)),
        ),
      );
    }
    body.querySelectorAll("a").forEach((a) => a.addEventListener("click", () => dialog.close()));
  } catch (error) {
    body.replaceChildren();
    showError(body, error);
  }
}

/* ---------- views ---------- */

async function clusterList() {
  const result = await rows(`SELECT DISTINCT ?c ?cls WHERE { ?c a ?cls . ?cls rdfs:subClassOf* ckg:IndustrialCluster }`);
  const types = new Map();
  for (const r of result) {
    const list = types.get(r.c.value) || [];
    list.push(r.cls.value);
    types.set(r.c.value, list);
  }
  return types;
}

async function viewClusters(view) {
  view.append(el("h1", {}, t("clusters.title")), el("p", { class: "intro" }, t("clusters.intro")));
  const grid = el("div", { class: "cards" }, loading());
  view.append(grid);
  const types = await clusterList();
  const clusters = [...types.keys()];
  const info = await describe(clusters);
  const related = [];
  for (const [c, props] of info) {
    related.push(c, ...types.get(c), ...iriValues(props, NS.ckg + "locatedIn"), ...iriValues(props, NS.ckg + "hasMainIndustry"));
  }
  await loadLabels(related);
  clusters.sort((a, b) => (info.get(b)[NS.ckg + "hasFeature"] || []).length - (info.get(a)[NS.ckg + "hasFeature"] || []).length || label(a).localeCompare(label(b)));
  grid.replaceChildren();
  for (const c of clusters) {
    const props = info.get(c);
    const specific = types.get(c).filter((x) => x !== NS.ckg + "IndustrialCluster");
    const places = iriValues(props, NS.ckg + "locatedIn");
    const industries = iriValues(props, NS.ckg + "hasMainIndustry");
    const years = pickLiteral(props[NS.ckg + "approximateHistoryYears"]);
    const firms = pickLiteral(props[NS.ckg + "approximateNumberOfFirms"] || props[NS.ckg + "numberOfFirms"]);
    const features = (props[NS.ckg + "hasFeature"] || []).length;
    const alt = pickLiteral(props[NS.skos + "altLabel"]);
    grid.append(
      el("a", { class: "card cluster-card", href: entityHref(c), "data-iri": c },
        el("h3", {}, label(c)),
        alt ? el("div", { class: "alt" }, alt.value) : null,
        el("div", { class: "badges" }, specific.map((x) => el("span", { class: "badge" }, label(x)))),
        places.length ? el("div", { class: "kv" }, el("span", {}, t("clusters.place")), places.map(label).join(", ")) : null,
        industries.length ? el("div", { class: "kv" }, el("span", {}, t("clusters.industry")), industries.map(label).join(", ")) : null,
        el("div", { class: "facts" },
          years ? el("span", {}, t("clusters.history", { n: years.value })) : null,
          firms ? el("span", {}, t("clusters.firms", { n: Number(firms.value).toLocaleString() })) : null,
          features ? el("span", {}, t("clusters.features", { n: features })) : null),
      ),
    );
  }
}

async function viewMyths(view) {
  view.append(el("h1", {}, t("myths.title")), el("p", { class: "intro" }, t("myths.intro")));
  const list = el("div", { class: "myths" }, loading());
  view.append(list);
  const result = await rows(`SELECT ?m ?f ?o WHERE { ?m a ckg:Myth .
      OPTIONAL { ?f ckg:counters ?m } OPTIONAL { ?o a ckg:Observation ; ckg:about ?m } }`);
  const myths = new Map();
  for (const r of result) {
    const entry = myths.get(r.m.value) || { findings: new Set(), observations: new Set() };
    if (r.f) entry.findings.add(r.f.value);
    if (r.o) entry.observations.add(r.o.value);
    myths.set(r.m.value, entry);
  }
  const all = [...myths.keys(), ...[...myths.values()].flatMap((e) => [...e.findings, ...e.observations])];
  const info = await describe(all);
  await loadLabels(all);
  const order = (iri) => {
    const ex = iriValues(info.get(iri), NS.prov + "wasDerivedFrom")[0] || "";
    return ex;
  };
  list.replaceChildren();
  let number = 0;
  for (const m of [...myths.keys()].sort((a, b) => order(a).localeCompare(order(b), undefined, { numeric: true }))) {
    number += 1;
    const entry = myths.get(m);
    const gloss = pickLiteral(info.get(m)[NS.ckg + "gloss"]);
    const claim = (iri, kind) =>
      el("li", { class: `claim ${kind}` },
        el("a", { href: entityHref(iri) }, label(iri)), " ", provButton({ entity: iri, title: label(iri) }),
        state.lang === "en" && pickLiteral(info.get(iri)[NS.ckg + "gloss"])
          ? el("div", { class: "gloss" }, pickLiteral(info.get(iri)[NS.ckg + "gloss"]).value) : null);
    list.append(
      el("section", { class: "myth-card", "data-iri": m },
        el("div", { class: "myth" },
          el("span", { class: "tag myth-tag" }, `${t("myths.myth")} ${number}`),
          el("h2", {}, el("a", { href: entityHref(m) }, label(m))),
          state.lang === "en" && gloss ? el("p", { class: "gloss" }, gloss.value) : null,
          provButton({ entity: m, title: label(m) })),
        el("div", { class: "findings" },
          el("h3", {}, t("myths.findings")),
          el("ul", {}, [...entry.findings].sort((a, b) => order(a).localeCompare(order(b), undefined, { numeric: true })).map((f) => claim(f, "finding"))),
          entry.observations.size
            ? [el("h3", {}, t("myths.observations")), el("ul", {}, [...entry.observations].map((o) => claim(o, "observation")))]
            : null),
      ),
    );
  }
}

async function featuresOf(clusters) {
  const result = await rows(`SELECT ?c ?f ?dim ?order WHERE { VALUES ?c { ${values(clusters)} }
    ?c ckg:hasFeature ?f . ?f ckg:onDimension ?dim . OPTIONAL { ?f ckg:featureOrder ?order } }`);
  await loadLabels(result.flatMap((r) => [r.f.value, r.dim.value]));
  const byCluster = new Map(clusters.map((c) => [c, new Map()]));
  const dims = new Set();
  for (const r of result) {
    dims.add(r.dim.value);
    const cells = byCluster.get(r.c.value);
    const cell = cells.get(r.dim.value) || [];
    cell.push({ iri: r.f.value, order: r.order ? Number(r.order.value) : 0 });
    cells.set(r.dim.value, cell);
  }
  const rank = (d) => {
    const i = DIMENSION_ORDER.indexOf(localName(d));
    return i < 0 ? 99 : i;
  };
  const dimList = [...dims].sort((a, b) => rank(a) - rank(b) || label(a).localeCompare(label(b)));
  return { byCluster, dims: dimList };
}

function featureCell(cell) {
  if (!cell || !cell.length) return el("td", { class: "muted" }, "—");
  return el("td", {},
    el("ul", { class: "features" },
      cell.sort((a, b) => a.order - b.order).map((f) =>
        el("li", {}, el("span", {}, label(f.iri)), " ", provButton({ entity: f.iri, title: label(f.iri) })))));
}

async function viewCompare(view, params) {
  view.append(el("h1", {}, t("compare.title")), el("p", { class: "intro" }, t("compare.intro")));
  const types = await clusterList();
  const clusters = [...types.keys()];
  // clusters of the comparison table first, in the paper's column order (the order of their excerpts)
  const tabled = await rows(`SELECT ?c (MIN(?n) AS ?first) WHERE { ?c ckg:hasFeature/prov:wasDerivedFrom ?ex .
      OPTIONAL { ?ex rdfs:label ?l FILTER(lang(?l) = "en") BIND(xsd:integer(REPLACE(STR(?l), "^excerpt ([0-9]+).*$", "$1")) AS ?n) }
    } GROUP BY ?c`);
  const position = new Map(tabled.map((r) => [r.c.value, r.first ? Number(r.first.value) : 1e9]));
  const withFeatures = new Set(position.keys());
  await loadLabels(clusters);
  const rank = (c) => (position.has(c) ? position.get(c) : 2e9);
  clusters.sort((a, b) => rank(a) - rank(b) || label(a).localeCompare(label(b)));
  const defaults = clusters.filter((c) => withFeatures.has(c));
  const a = params.get("a") || defaults[0] || clusters[0];
  const b = params.get("b") || defaults.find((c) => c !== a) || clusters.find((c) => c !== a);
  const select = (name, current) =>
    el("select", { id: `compare-${name}`, onchange: () => go(`#/compare?a=${encodeURIComponent(pick.a.value)}&b=${encodeURIComponent(pick.b.value)}`) },
      clusters.map((c) => el("option", { value: c, selected: c === current }, label(c))));
  const pick = { a: select("a", a), b: select("b", b) };
  view.append(el("div", { class: "pickers" }, pick.a, el("span", { class: "vs" }, "↔"), pick.b));
  if (!a || !b) return;
  const { byCluster, dims } = await featuresOf([a, b]);
  const table = el("table", { class: "compare-table" },
    el("thead", {}, el("tr", {}, el("th", {}, t("compare.dimension")),
      [a, b].map((c) => el("th", { "data-iri": c }, el("a", { href: entityHref(c) }, label(c)))))),
    el("tbody", {}, dims.map((d) =>
      el("tr", {}, el("th", { scope: "row" }, label(d)), [a, b].map((c) => featureCell(byCluster.get(c).get(d)))))));
  view.append(dims.length ? table : el("p", { class: "muted" }, t("compare.empty")));
}

async function viewMap(view) {
  view.append(el("h1", {}, t("map.title")), el("p", { class: "intro" }, t("map.intro")));
  const status = el("p", { class: "map-status" }, loading());
  const box = el("div", { id: "map" });
  view.append(status, box);
  const result = await rows(`SELECT ?c ?rank ?via ?lat ?long ?wkt ?g WHERE {
    { ?c a/rdfs:subClassOf* ckg:IndustrialCluster . BIND(?c AS ?via) BIND(0 AS ?rank) }
    UNION { ?c a/rdfs:subClassOf* ckg:IndustrialCluster ; owl:sameAs|skos:exactMatch|skos:closeMatch ?via BIND(1 AS ?rank) }
    UNION { ?c a/rdfs:subClassOf* ckg:IndustrialCluster ; ckg:locatedIn ?via BIND(2 AS ?rank) }
    UNION { ?c a/rdfs:subClassOf* ckg:IndustrialCluster ; ckg:locatedIn/(owl:sameAs|skos:exactMatch|skos:closeMatch) ?via BIND(3 AS ?rank) }
    GRAPH ?g {
      { ?via geo:lat ?lat ; geo:long ?long }
      UNION { ?via schema:latitude ?lat ; schema:longitude ?long }
      UNION { ?via schema:geo [ schema:latitude ?lat ; schema:longitude ?long ] }
      UNION { ?via wdt:P625 ?wkt }
      UNION { ?via geosparql:hasGeometry/geosparql:asWKT ?wkt }
    }
  }`);
  const best = new Map();
  for (const r of result) {
    let lat = r.lat ? Number(r.lat.value) : NaN;
    let lon = r.long ? Number(r.long.value) : NaN;
    if (r.wkt) {
      const m = /POINT\s*\(\s*([-+\d.eE]+)\s+([-+\d.eE]+)/i.exec(r.wkt.value);
      if (m) [lon, lat] = [Number(m[1]), Number(m[2])];
    }
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    const rank = Number(r.rank.value);
    const prev = best.get(r.c.value);
    if (!prev || rank < prev.rank) best.set(r.c.value, { rank, lat, lon, via: r.via.value, graph: r.g.value });
  }
  await loadLabels([...best.keys(), ...[...best.values()].map((v) => v.via)]);
  const map = L.map(box, { worldCopyJump: true, attributionControl: true }).setView([36.3, 127.8], 6);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth (public domain)");
  try {
    const topo = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
    const land = topojson.feature(topo, topo.objects.countries);
    L.geoJSON(land, { style: { color: "#8a9bb0", weight: 0.7, fillColor: "#e8edf2", fillOpacity: 1 } }).addTo(map);
  } catch (error) {
    showError(view, error);
  }
  box.style.background = "#cfe3f3";
  if (!best.size) {
    status.replaceChildren(el("span", { class: "empty-map" }, t("map.empty")));
    return;
  }
  const graphs = new Set();
  const markers = [];
  for (const [c, v] of best) {
    graphs.add(v.graph);
    const popup = el("div", {}, el("a", { href: entityHref(c) }, label(c)),
      v.via !== c ? el("div", { class: "small muted" }, label(v.via)) : null);
    markers.push(L.circleMarker([v.lat, v.lon], { radius: 8, color: "#b3261e", fillColor: "#e4572e", fillOpacity: 0.85, weight: 2 })
      .bindPopup(popup).bindTooltip(label(c)).addTo(map));
  }
  status.replaceChildren(el("span", {}, t("map.count", { n: best.size })), " · ",
    el("span", { class: "small muted" }, t("map.from", { g: [...graphs].map(shortIri).join(", ") })));
  map.fitBounds(L.featureGroup(markers).getBounds().pad(0.4), { maxZoom: 6 });
}

async function viewEntity(view, iri) {
  const [info] = [...(await describe([iri])).values()];
  const incoming = await rows(`SELECT DISTINCT ?s ?p WHERE { ?s ?p <${iri}> FILTER(isIRI(?s)) } LIMIT 200`);
  const axioms = await rows(`SELECT ?p ?o ?ex WHERE { ?ax owl:annotatedSource <${iri}> ; owl:annotatedProperty ?p ;
      owl:annotatedTarget ?o ; ckg:attestedBy ?ex }`);
  const annotated = new Set(axioms.map((r) => `${r.p.value} ${sparqlTerm(r.o)}`));
  const props = Object.keys(info).filter((p) => !HIDDEN_PROPS.has(p));
  const linked = props.flatMap((p) => iriValues(info, p));
  await loadLabels([iri, ...props, ...linked, ...incoming.flatMap((r) => [r.s.value, r.p.value])]);
  const types = iriValues(info, NS.rdf + "type");
  view.append(
    el("div", { class: "entity-head" },
      el("h1", {}, label(iri)),
      el("div", { class: "badges" }, types.map((x) => el("a", { class: "badge", href: entityHref(x) }, label(x)))),
      el("code", { class: "iri" }, iri)),
  );
  if (!props.length && !incoming.length) {
    view.append(el("p", { class: "muted" }, t("entity.notfound")));
    return;
  }
  const layout = el("div", { class: "entity-layout" });
  const left = el("div", { class: "entity-main" });
  const right = el("div", { class: "entity-side" });
  layout.append(left, right);
  view.append(layout);

  if (info[NS.ckg + "hasFeature"]) {
    const { byCluster, dims } = await featuresOf([iri]);
    left.append(el("h2", {}, t("entity.features")),
      el("table", { class: "compare-table single" }, el("tbody", {},
        dims.map((d) => el("tr", {}, el("th", { scope: "row" }, label(d)), featureCell(byCluster.get(iri).get(d)))))));
  }
  const rowsOut = [];
  const sorted = props.sort((a, b) => (a === NS.rdf + "type" ? -1 : b === NS.rdf + "type" ? 1 : label(a).localeCompare(label(b))));
  for (const p of sorted) {
    if (p === NS.ckg + "hasFeature") continue;
    let objects = info[p].filter((o) => o.type !== "bnode");
    const literals = objects.filter((o) => o.type === "literal" && o["xml:lang"]);
    if (literals.length > 1 && literals.some((o) => o["xml:lang"] === state.lang)) {
      objects = objects.filter((o) => !(o.type === "literal" && o["xml:lang"] && o["xml:lang"] !== state.lang));
    }
    if (!objects.length) continue;
    rowsOut.push(el("tr", {},
      el("th", { scope: "row" }, el("a", { href: entityHref(p), title: shortIri(p) }, label(p))),
      el("td", {}, el("ul", { class: "values" }, objects.map((o) =>
        el("li", {},
          o.type === "uri" ? entityLink(o.value) : el("span", { lang: o["xml:lang"] || null }, o.value),
          o["xml:lang"] ? el("span", { class: "lang-tag" }, o["xml:lang"]) : null,
          " ",
          provButton({ s: iri, p, o, entity: iri, title: `${label(iri)} — ${label(p)}` }),
          annotated.has(`${p} ${sparqlTerm(o)}`) ? el("span", { class: "attested", title: "owl:Axiom" }, "✓") : null))))));
  }
  left.append(el("h2", {}, t("entity.properties")), el("table", { class: "props" }, el("tbody", {}, rowsOut)));
  if (incoming.length) {
    left.append(el("h2", {}, t("entity.incoming")), el("table", { class: "props" }, el("tbody", {},
      incoming.map((r) => el("tr", {}, el("th", { scope: "row" }, label(r.p.value)), el("td", {}, entityLink(r.s.value)))))));
  }
  right.append(el("h2", {}, t("entity.graph")));
  const graphBox = el("div", { id: "graph" });
  right.append(graphBox);
    const outgoing = props.filter((p) => p !== NS.ckg + "hasFeature").flatMap((p) => iriValues(info, p).map((o) => ({ p, o })));
  drawGraph(graphBox, iri, outgoing, incoming);
}

function drawGraph(container, iri, outgoing, incoming) {
  const nodes = new Map([[iri, { data: { id: iri, label: label(iri) }, classes: "center" }]]);
  const edges = [];
  const add = (node) => {
    if (!nodes.has(node) && nodes.size < 40) nodes.set(node, { data: { id: node, label: label(node) } });
    return nodes.has(node);
  };
  for (const { p, o } of outgoing) if (add(o)) edges.push({ data: { id: `o${edges.length}`, source: iri, target: o, label: label(p) } });
  for (const r of incoming) if (add(r.s.value)) edges.push({ data: { id: `i${edges.length}`, source: r.s.value, target: iri, label: label(r.p.value) } });
  const cy = cytoscape({
    container,
    elements: [...nodes.values(), ...edges],
    layout: { name: "concentric", concentric: (n) => (n.id() === iri ? 2 : 1), levelWidth: () => 1, minNodeSpacing: 46,
      spacingFactor: 1.1, padding: 24, animate: false },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
        "background-color": "#5b7fa6", width: 14, height: 14, color: "#223", "text-valign": "bottom", "text-margin-y": 3 } },
      { selector: "node.center", style: { "background-color": "#e4572e", width: 22, height: 22, "font-weight": "bold", "font-size": 11 } },
      { selector: "edge", style: { width: 1, "line-color": "#b8c4d2", "target-arrow-color": "#b8c4d2", "target-arrow-shape": "triangle",
        "curve-style": "bezier", "font-size": 8, color: "#556", "text-rotation": "autorotate", "text-background-color": "#fff",
        "text-background-opacity": 0.8 } },
      { selector: "edge.hover", style: { label: "data(label)", "line-color": "#5b7fa6", width: 2 } },
    ],
  });
  // a relation's name shows when the pointer is on its edge or on the node at its other end
  const hover = (on) => (event) => {
    const target = event.target;
    (target.isEdge() ? target : target.connectedEdges()).toggleClass("hover", on);
  };
  cy.on("mouseover", "node, edge", hover(true));
  cy.on("mouseout", "node, edge", hover(false));
  cy.on("tap", "node", (event) => {
    if (event.target.id() !== iri) go(entityHref(event.target.id()));
  });
}

/* ---------- query view ---------- */

let catalogue = null;

async function viewQuery(view, params) {
  view.append(el("h1", {}, t("query.title")));
  if (!catalogue) catalogue = await (await fetch("/api/queries")).json();
  const results = el("div", { id: "results" });
  const namedBox = el("section", { class: "panel named" }, el("h2", {}, t("query.named")));
  const paramsBox = el("div", { class: "params" });
  const description = el("p", { class: "muted small" });
  const choose = el("select", { id: "named-select" },
    el("option", { value: "" }, t("query.choose")),
    catalogue.map((q) => el("option", { value: q.name }, q.title[state.lang] || q.title.en || q.name)));
  const runNamed = el("button", { type: "button", id: "run-named", class: "primary", disabled: true }, t("query.run"));
  const showParams = () => {
    const q = catalogue.find((x) => x.name === choose.value);
    paramsBox.replaceChildren();
    description.textContent = q ? q.description[state.lang] || q.description.en || "" : "";
    runNamed.disabled = !q;
    if (!q) return;
    if (!q.params.length) paramsBox.append(el("span", { class: "muted small" }, t("query.noparams")));
    for (const p of q.params) {
      let value = params.get(`p.${p.name}`) ?? p.default ?? "";
      if (p.type === "lang" && !params.get(`p.${p.name}`)) value = state.lang;
      paramsBox.append(el("label", { class: "param" },
        el("span", {}, p.name, el("small", {}, ` (${p.type}${p.required ? ", " + t("query.required") : ""})`)),
        el("input", { name: p.name, value, placeholder: p.description || p.type, title: p.description || "" })));
    }
  };
  choose.addEventListener("change", showParams);
  runNamed.addEventListener("click", () => {
    const search = new URLSearchParams();
    paramsBox.querySelectorAll("input").forEach((i) => i.value !== "" && search.set(i.name, i.value));
    runAndShow(results, { named: choose.value, search });
  });
  if (!catalogue.length) namedBox.append(el("p", { class: "muted" }, t("query.nonamed")));
  else namedBox.append(el("div", { class: "row" }, choose, runNamed), description, paramsBox);

  const ownBox = el("section", { class: "panel own" }, el("h2", {}, t("query.own")));
  const editor = el("div", { id: "editor" });
  const runOwn = el("button", { type: "button", id: "run-own", class: "primary" }, t("query.run"));
  ownBox.append(editor, el("div", { class: "row end" }, runOwn));
  view.append(el("div", { class: "query-panels" }, namedBox, ownBox), results);

  const initial = params.get("q") || state.lastQuery ||
    `PREFIX ckg: <${NS.ckg}>\nPREFIX rdfs: <${NS.rdfs}>\n\nSELECT ?cluster ?label WHERE {\n  ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster ;\n           rdfs:label ?label .\n  FILTER(lang(?label) = "${state.lang}")\n}\nORDER BY ?label`;
  let getText;
  if (window.Yasgui && Yasgui.Yasqe) {
    const yasqe = new Yasgui.Yasqe(editor, {
      value: initial,
      persistenceId: null,
      showQueryButton: false,
      resizeable: true,
      editorHeight: "260px",
      autocompleters: ["prefixes", "variables"],
      requestConfig: { endpoint: "/sparql" },
    });
    yasqe.on("change", () => { state.lastQuery = yasqe.getValue(); });
    getText = () => yasqe.getValue();
    state.yasqe = yasqe;
  } else {
    const area = el("textarea", { id: "editor-text", rows: 12 }, initial);
    editor.append(area);
    getText = () => area.value;
  }
  runOwn.addEventListener("click", () => runAndShow(results, { sparql: getText() }));
  if (params.get("name")) {
    choose.value = params.get("name");
    showParams();
  }
}

function downloadLinks(request) {
  const link = (fmt, text) => {
    let href;
    if (request.named) {
      const search = new URLSearchParams(request.search);
      search.set("format", fmt);
      href = `/api/queries/${encodeURIComponent(request.named)}?${search}`;
    } else {
      href = `/sparql?${new URLSearchParams({ query: request.sparql, format: fmt })}`;
    }
    return el("a", { class: `download download-${fmt}`, href, download: `${request.named || "query"}.${fmt}` }, text);
  };
  return el("span", { class: "downloads" }, t("query.download"), ": ", link("csv", "CSV"), " ", link("json", "JSON"));
}

async function runAndShow(results, request) {
  results.replaceChildren(el("p", { class: "muted" }, t("query.running")));
  const started = performance.now();
  let response;
  try {
    if (request.named) {
      response = await fetch(`/api/queries/${encodeURIComponent(request.named)}?${request.search}`, {
        headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" },
      });
    } else {
      response = await fetch("/sparql", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json, text/turtle;q=0.9" },
        body: new URLSearchParams({ query: request.sparql }),
      });
    }
  } catch (error) {
    results.replaceChildren();
    showError(results, error);
    return;
  }
  const elapsed = Math.round(performance.now() - started);
  results.replaceChildren();
  if (!response.ok) {
    showError(results, new Error((await response.text()).trim()));
    return;
  }
  const type = response.headers.get("content-type") || "";
  if (!type.includes("json")) {
    results.append(el("div", { class: "result-head" }, el("strong", {}, t("query.graph")), el("span", { class: "muted small" }, ` ${elapsed} ms`)),
      el("pre", { class: "turtle" }, await response.text()));
    return;
  }
  const data = await response.json();
  if ("boolean" in data) {
    results.append(el("div", { class: "result-head" }, el("strong", {}, t("query.ask", { v: String(data.boolean) }))));
    return;
  }
  const vars = data.head.vars;
  const bindings = data.results.bindings;
  await loadLabels(bindings.flatMap((b) => Object.values(b).filter((v) => v.type === "uri").map((v) => v.value)).slice(0, 2000));
  const head = el("thead", {}, el("tr", {}, vars.map((v) => el("th", {}, "?" + v))));
  const body = el("tbody", {}, bindings.map((b) => el("tr", {}, vars.map((v) => el("td", {}, renderTerm(b[v]))))));
  results.append(
    el("div", { class: "result-head" }, el("strong", { class: "row-count" }, t("query.rows", { n: bindings.length })),
      el("span", { class: "muted small" }, ` ${elapsed} ms `), downloadLinks(request)),
    el("div", { class: "table-wrap" }, el("table", { class: "results" }, head, body)),
  );
}

function renderTerm(b) {
  if (!b) return "";
  if (b.type === "uri") {
    const known = state.labels.get(b.value);
    const hasLabel = known && Object.keys(known).length;
    return el("a", { href: entityHref(b.value), title: b.value }, hasLabel ? label(b.value) : shortIri(b.value));
  }
  if (b.type === "bnode") return el("span", { class: "muted" }, "_:" + b.value);
  if (b.type === "triple") return `<< ${JSON.stringify(b.value)} >>`;
  return el("span", {}, b.value, b["xml:lang"] ? el("span", { class: "lang-tag" }, b["xml:lang"]) : null,
    b.datatype && !b["xml:lang"] ? el("span", { class: "lang-tag" }, shortIri(b.datatype)) : null);
}

/* ---------- routing, language ---------- */

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  const view = document.getElementById("view");
  const [path, query] = (location.hash.slice(1) || "/clusters").split("?");
  const parts = path.split("/").filter(Boolean);
  const params = new URLSearchParams(query || "");
  const tab = parts[0] === "entity" ? "" : parts[0] || "clusters";
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.tab === tab));
  view.replaceChildren();
  view.dataset.view = parts[0] || "clusters";
  view.removeAttribute("data-ready");
  try {
    if (parts[0] === "myths") await viewMyths(view);
    else if (parts[0] === "compare") await viewCompare(view, params);
    else if (parts[0] === "map") await viewMap(view);
    else if (parts[0] === "query") await viewQuery(view, params);
    else if (parts[0] === "entity") await viewEntity(view, decodeURIComponent(parts.slice(1).join("/")));
    else await viewClusters(view);
  } catch (error) {
    showError(view, error);
  }
  view.dataset.ready = "true";
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll(".lang button").forEach((b) => b.classList.toggle("active", b.dataset.lang === state.lang));
  document.title = state.lang === "ko" ? "clusterkg · 산업 클러스터 지식그래프" : "clusterkg · knowledge graph of industrial clusters";
  footer();
}

async function footer() {
  try {
    const info = await (await fetch("/api/info")).json();
    document.getElementById("server-line").textContent = t("footer.server", { n: info.triples.toLocaleString(), t: info.timeout_s });
    const src = await rows(`SELECT ?s WHERE { ?s a ckg:SourceDocument } LIMIT 1`);
    if (src.length) {
      await loadLabels([src[0].s.value]);
      const line = document.getElementById("source-line");
      line.replaceChildren(el("a", { href: entityHref(src[0].s.value) }, label(src[0].s.value)));
    }
  } catch (error) {
    /* the footer is informative only */
  }
}

document.querySelectorAll(".lang button").forEach((button) =>
  button.addEventListener("click", () => {
    if (state.lang === button.dataset.lang) return;
    state.lang = button.dataset.lang;
    localStorage.setItem("clusterkg.lang", state.lang);
    applyLanguage();
    render();
  }));
window.addEventListener("hashchange", render);
applyLanguage();
render();
