/* clusterkg web page: an entity in plain words, and the graph of its neighbourhood. */
"use strict";

const KIND_COLOURS = {
  cluster: "#e4572e", claim: "#7b4fa0", place: "#2e8b57", organisation: "#c28e0e", feature: "#1f77b4",
  source: "#8c8c8c", concept: "#17becf", other: "#5b6b7f",
};

function valueNode(v) {
  const term = v.term;
  if (term.type === "uri") return entityLink(term.value, v.label);
  return el("span", { lang: term["xml:lang"] || null }, v.label);
}

VIEWS.entity = async function viewEntity(view, params, iri) {
  const page = await api(`/api/entity?${new URLSearchParams({ iri, lang: state.lang })}`);
  const rdf = params.get("rdf") === "1";
  view.append(
    el("div", { class: "entity-head" },
      el("h1", {}, page.label),
      el("div", { class: "badges" },
        el("span", { class: `badge kind kind-${page.kind}` }, t(`kind.${page.kind}`)),
        page.kinds.filter((k) => k.label.toLowerCase() !== t(`kind.${page.kind}`).toLowerCase())
          .map((k) => el("a", { class: "badge", href: entityHref(k.iri) }, k.label))),
      page.also_called.length ? el("p", { class: "alt" }, t("entity.also"), " ", page.also_called.join(", ")) : null,
      page.description.map((d) => el("p", { class: "about" }, d)),
      rdf ? el("code", { class: "iri" }, iri) : null),
  );
  if (!page.facts.length && !page.referred_by.length) {
    view.append(el("p", { class: "muted" }, t("entity.notfound")));
    return;
  }
  const controls = el("div", { class: "entity-controls" });
  const toggle = el("button", { type: "button", id: "show-sources", class: "toggle", "aria-pressed": "false" }, t("entity.sources"));
  const rdfLink = el("a", { class: "small", href: `#/entity/${encodeURIComponent(iri)}${rdf ? "" : "?rdf=1"}` }, t(rdf ? "entity.plain" : "entity.rdf"));
  controls.append(toggle, rdfLink);
  const layout = el("div", { class: "entity-layout" });
  const left = el("div", { class: "entity-main" });
  const right = el("div", { class: "entity-side" });
  layout.append(left, right);
  view.append(controls, layout);
  const sources = el("section", { class: "entity-sources", hidden: true }, el("h2", {}, t("entity.whole")),
    page.sources.length ? page.sources.map(basisBlock) : el("p", { class: "muted" }, t("prov.none")));
  toggle.addEventListener("click", () => {
    const on = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", String(on));
    view.classList.toggle("with-sources", on);
    sources.hidden = !on;
  });
  const factRow = (fact) => el("tr", {},
    el("th", { scope: "row" }, fact.label, rdf ? el("code", { class: "iri" }, shortIri(fact.property)) : null),
    el("td", {}, el("ul", { class: "values" }, fact.values.map((v) =>
      el("li", {}, valueNode(v),
        el("button", { type: "button", class: `basis-mark ${v.basis.length ? "" : "none"}`, title: t("prov.title"),
          onclick: () => showProvenance({ subject: iri, properties: [fact.property], object: v.term, title: `${page.label} — ${fact.label}` }) },
        v.basis.length ? v.basis.map((b) => t(`basis.${b}`)).join(", ") : t("basis.ask")))))));
  left.append(el("h2", {}, t("entity.facts")), el("table", { class: "props" }, el("tbody", {}, page.facts.map(factRow))), sources);
  if (page.referred_by.length) {
    left.append(el("h2", {}, t("entity.incoming")), el("table", { class: "props" }, el("tbody", {},
      page.referred_by.map((f) => el("tr", {}, el("th", { scope: "row" }, f.label),
        el("td", {}, el("ul", { class: "values" }, f.values.map((v) => el("li", {}, valueNode(v))))))))));
  }
  right.append(el("h2", {}, t("entity.graph")), el("p", { class: "small muted" }, t("entity.graphhelp")));
  const graphBox = el("div", { id: "graph" });
  const info = el("p", { id: "graph-info", class: "small" });
  right.append(graphBox, info, legend());
  await drawGraph(graphBox, info, iri);
};

function legend() {
  return el("ul", { class: "legend" }, Object.entries(KIND_COLOURS).map(([kind, colour]) =>
    el("li", { "data-kind": kind }, el("span", { class: "swatch", style: `background:${colour}` }), t(`kind.${kind}`))));
}

async function drawGraph(container, info, iri) {
  const cy = cytoscape({
    container,
    maxZoom: 1.6, // a few nodes are not blown up to fill the box
    elements: [],
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 10, "text-wrap": "wrap", "text-max-width": 110,
        "background-color": "data(colour)", width: 16, height: 16, color: "#1d2733", "text-valign": "bottom", "text-margin-y": 3,
        "text-background-color": "#fff", "text-background-opacity": 0.75, "text-background-padding": 1 } },
      { selector: "node.center", style: { width: 26, height: 26, "font-weight": "bold", "font-size": 12, "border-width": 3, "border-color": "#1f3a5f" } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#1f3a5f" } },
      { selector: "edge", style: { width: 1, "line-color": "#b8c4d2", "target-arrow-color": "#b8c4d2", "target-arrow-shape": "triangle",
        "curve-style": "bezier", label: "data(label)", "font-size": 8, "min-zoomed-font-size": 7, color: "#556", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.85 } },
    ],
  });
  state.cy = cy;
  const expand = async (id) => {
    const hood = await api(`/api/neighbourhood?${new URLSearchParams({ iri: id, lang: state.lang })}`);
    const added = [];
    for (const n of hood.nodes) {
      if (!cy.getElementById(n.id).length) {
        added.push(cy.add({ group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, colour: KIND_COLOURS[n.kind] || KIND_COLOURS.other } }));
      }
    }
    hood.edges.forEach((e, i) => {
      const edgeId = `${e.source} ${e.property} ${e.target}`;
      if (!cy.getElementById(edgeId).length) cy.add({ group: "edges", data: { id: edgeId, source: e.source, target: e.target, label: e.label } });
    });
    cy.getElementById(id).addClass("expanded");
    return added.length;
  };
  await expand(iri);
  cy.getElementById(iri).addClass("center");
  // the labels count as part of each node, so that no two labels are laid over each other
  const layout = () => cy.layout({ name: "cose", animate: false, padding: 16, nodeDimensionsIncludeLabels: true,
    nodeRepulsion: () => 60000, idealEdgeLength: () => 60, nodeOverlap: 40, gravity: 0.4, numIter: 2000, randomize: false }).run();
  layout();
  cy.on("tap", "node", async (event) => {
    const node = event.target;
    info.replaceChildren(el("strong", {}, node.data("label")), " · ", t(`kind.${node.data("kind")}`), " · ",
      node.id() !== iri ? entityLink(node.id(), t("entity.open")) : null);
    if (!node.hasClass("expanded")) {
      await expand(node.id());
      layout();
    }
  });
}
