/* clusterkg web page: the paper's argument in brief, the clusters, the myths and the comparison. */
"use strict";

/* ---------- landing: what the paper argues, from the knowledge base's claims ---------- */

VIEWS.home = async function viewHome(view) {
  view.append(el("h1", {}, t("home.title")));
  const box = el("div", { class: "summary" }, loading());
  view.append(box);
  const summary = await api(`/api/summary?lang=${state.lang}`);
  box.replaceChildren();
  if (summary.source) {
    box.append(el("p", { class: "intro" }, t("home.source"), " ", entityLink(summary.source.iri, summary.source.label)));
  }
  box.append(el("p", { class: "intro" }, t("home.lead", { n: summary.myths.length })));
  const list = el("ol", { class: "argument" });
  summary.myths.forEach((myth) => {
    list.append(el("li", { class: "argument-myth" },
      el("div", { class: "myth-line" }, myth.label,
        myth.section ? el("span", { class: "small muted" }, ` §${myth.section}`) : null),
      el("div", { class: "small muted" }, t("home.countered")),
      el("ul", {}, myth.findings.map((f) => el("li", { class: "argument-finding" }, f.label,
        f.section ? el("span", { class: "small muted" }, ` §${f.section}`) : null)))));
  });
  box.append(list);
  for (const c of summary.conclusions) {
    box.append(el("section", { class: "conclusion" }, el("h2", {}, t("home.conclusion"), c.section ? ` (§${c.section})` : ""),
      el("p", {}, el("a", { href: entityHref(c.iri) }, c.label)),
      c.excerpts.map((x) => el("blockquote", { class: "verbatim", lang: state.lang === "ko" ? "ko" : "en" }, x))));
  }
  box.append(el("p", { class: "small muted" }, t("home.basis")));
  box.append(el("nav", { class: "home-links" },
    ["clusters", "myths", "compare", "map", "query"].map((v) => el("a", { class: "card home-link", href: `#/${v}` }, t(`nav.${v}`)))));
};

/* ---------- clusters ---------- */

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

VIEWS.clusters = async function viewClusters(view) {
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
    const years = (props[NS.ckg + "approximateHistoryYears"] || [])[0];
    const firms = (props[NS.ckg + "approximateNumberOfFirms"] || props[NS.ckg + "numberOfFirms"] || [])[0];
    const features = (props[NS.ckg + "hasFeature"] || []).length;
    const alt = inLanguage(props[NS.skos + "altLabel"]);
    const about = inLanguage(props[NS.skos + "definition"]) || inLanguage(props[NS.skos + "editorialNote"]);
    grid.append(
      el("a", { class: "card cluster-card", href: entityHref(c), "data-iri": c },
        el("h3", {}, label(c)),
        alt && alt.value !== label(c) ? el("div", { class: "alt" }, alt.value) : null,
        el("div", { class: "badges" }, specific.map((x) => el("span", { class: "badge" }, label(x)))),
        about ? el("p", { class: "about" }, about.value) : null,
        places.length ? el("div", { class: "kv" }, el("span", {}, t("clusters.place")), places.map(label).join(", ")) : null,
        industries.length ? el("div", { class: "kv" }, el("span", {}, t("clusters.industry")), industries.map(label).join(", ")) : null,
        el("div", { class: "facts" },
          years ? el("span", {}, t("clusters.history", { n: years.value })) : null,
          firms ? el("span", {}, t("clusters.firms", { n: Number(firms.value).toLocaleString() })) : null,
          features ? el("span", {}, t("clusters.features", { n: features })) : null),
      ),
    );
  }
};

/* ---------- myths ---------- */

VIEWS.myths = async function viewMyths(view) {
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
  const order = (iri) => iriValues(info.get(iri), NS.prov + "wasDerivedFrom").sort()[0] || "";
  const byOrder = (a, b) => order(a).localeCompare(order(b), undefined, { numeric: true });
  const gloss = (iri) => (state.lang === "en" ? (info.get(iri)[NS.ckg + "gloss"] || [])[0] : null);
  list.replaceChildren();
  let number = 0;
  for (const m of [...myths.keys()].sort(byOrder)) {
    number += 1;
    const entry = myths.get(m);
    const claim = (iri, kind) =>
      el("li", { class: `claim ${kind}` },
        el("a", { href: entityHref(iri) }, label(iri)), " ", provButton({ subject: iri, title: label(iri) }),
        gloss(iri) ? el("div", { class: "gloss" }, gloss(iri).value) : null);
    list.append(
      el("section", { class: "myth-card", "data-iri": m },
        el("div", { class: "myth" },
          el("span", { class: "tag myth-tag" }, `${t("myths.myth")} ${number}`),
          el("h2", {}, el("a", { href: entityHref(m) }, label(m))),
          gloss(m) ? el("p", { class: "gloss" }, gloss(m).value) : null,
          provButton({ subject: m, title: label(m) })),
        el("div", { class: "findings" },
          el("h3", {}, t("myths.findings")),
          el("ul", {}, [...entry.findings].sort(byOrder).map((f) => claim(f, "finding"))),
          entry.observations.size
            ? [el("h3", {}, t("myths.observations")), el("ul", {}, [...entry.observations].sort(byOrder).map((o) => claim(o, "observation")))]
            : null),
      ),
    );
  }
};

/* ---------- compare ---------- */

VIEWS.compare = async function viewCompare(view, params) {
  view.append(el("h1", {}, t("compare.title")), el("p", { class: "intro" }, t("compare.intro")));
  const [clusters, catalogue] = await Promise.all([api(`/api/entities?class=ckg:IndustrialCluster&lang=${state.lang}`), getCatalogue()]);
  const defaults = Object.fromEntries((catalogue.find((q) => q.name === "compare") || { params: [] }).params.map((p) => [p.name, p.default]));
  const expand = (v) => (v && v.startsWith("cki:") ? NS.cki + v.slice(4) : v);
  const a = params.get("a") || expand(defaults.a) || (clusters[0] || {}).iri;
  const b = params.get("b") || expand(defaults.b) || (clusters[1] || {}).iri;
  const select = (name, current) =>
    el("select", { id: `compare-${name}`, "aria-label": t(`compare.${name}`),
      onchange: () => go(`#/compare?a=${encodeURIComponent(pick.a.value)}&b=${encodeURIComponent(pick.b.value)}`) },
    clusters.map((c) => el("option", { value: c.iri, selected: c.iri === current }, c.label)));
  const pick = { a: select("a", a), b: select("b", b) };
  view.append(el("div", { class: "pickers" }, pick.a, el("span", { class: "vs" }, "↔"), pick.b));
  if (!a || !b) return;
  const data = await api(`/api/compare?${new URLSearchParams({ a, b, lang: state.lang })}`);
  const [ca, cb] = data.clusters;
  const generalRow = (row) => el("tr", { class: "general", "data-key": row.key },
    el("th", { scope: "row" }, row.title),
    row.cells.map((cell, i) => {
      const cluster = data.clusters[i];
      const spec = { subject: cluster.iri, properties: row.properties, title: `${cluster.label} — ${row.title}` };
      return el("td", { class: "cell clickable", "data-title": cluster.label, tabindex: 0, onclick: () => showProvenance(spec),
        onkeydown: (e) => { if (e.key === "Enter") showProvenance(spec); } },
      cell.length ? (cell.length > 1 ? el("ul", { class: "features" }, cell.map((x) => el("li", {}, x))) : cell[0]) : el("span", { class: "muted" }, "—"));
    }));
  const dimensionRow = (row) => el("tr", { class: "dimension", "data-dimension": row.dimension },
    el("th", { scope: "row" }, row.title),
    row.cells.map((cell, i) => {
      const cluster = data.clusters[i];
      const specs = cell.map((f) => ({ subject: f.feature, title: f.label }));
      return el("td", { class: `cell ${cell.length ? "clickable" : ""}`, "data-title": cluster.label, tabindex: cell.length ? 0 : null,
        onclick: () => cell.length && showProvenance(...specs) },
      cell.length ? el("ul", { class: "features" }, cell.map((f, j) =>
        el("li", { onclick: (e) => { e.stopPropagation(); showProvenance(specs[j]); } }, f.label))) : el("span", { class: "muted" }, "—"));
    }));
  view.append(el("table", { class: "compare-table" },
    el("thead", {}, el("tr", {}, el("th", {}, t("compare.dimension")),
      [ca, cb].map((c) => el("th", { "data-iri": c.iri }, el("a", { href: entityHref(c.iri) }, c.label))))),
    el("tbody", {}, data.general.map(generalRow),
      data.dimensions.length ? el("tr", { class: "divider" }, el("th", { colspan: 3 }, t("compare.paper"))) : null,
      data.dimensions.map(dimensionRow))));
  if (!data.dimensions.length) view.append(el("p", { class: "muted small no-dimensions" }, t("compare.nodimensions")));
};
