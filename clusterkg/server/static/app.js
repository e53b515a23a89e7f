/* clusterkg web page: the core (state, helpers, the server's API, the provenance dialog, routing).
 * Everything is read from this server: its SPARQL endpoint (/sparql) and its API (/api/...);
 * no other network access. The views are in views-*.js. */
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
};
const PREFIXES = Object.entries(NS).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n") + "\n";

const state = {
  lang: localStorage.getItem("clusterkg.lang") || ((navigator.language || "").startsWith("ko") ? "ko" : "en"),
  labels: new Map(), // iri -> {ko, en, "": ...}
  yasqe: null,
  lastQuery: null,
  catalogue: null,
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

function shortIri(iri) {
  for (const [p, ns] of Object.entries(NS)) if (iri.startsWith(ns)) return `${p}:${iri.slice(ns.length)}`;
  return iri;
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

/** GET (or POST with a JSON body) one of the server's /api routes; an error answer becomes an Error. */
async function api(path, body) {
  const response = body === undefined ? await fetch(path)
    : await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : { error: (await response.text()).trim() };
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.data = data;
    throw error;
  }
  return data;
}

async function getCatalogue() {
  if (!state.catalogue) state.catalogue = await api("/api/queries");
  return state.catalogue;
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

/** The literal in the page's language from a list of literal bindings (none in another language). */
function inLanguage(list) {
  return (list || []).find((b) => b["xml:lang"] === state.lang) || (list || []).find((b) => !b["xml:lang"]) || null;
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

function entityLink(iri, text) {
  return el("a", { href: entityHref(iri) }, text || label(iri));
}

/* ---------- provenance ---------- */

function provButton(spec) {
  return el("button", { type: "button", class: "prov-btn", title: t("prov.title"), onclick: (e) => { e.stopPropagation(); showProvenance(spec); } },
    t("prov.button"));
}

/** One basis of a fact (from /api/provenance) as a block of the dialog. */
function basisBlock(b) {
  const kind = el("span", { class: `basis-kind basis-${b.kind}` }, t(`basis.${b.kind}`));
  if (b.kind === "case") {
    return el("article", { class: "excerpt case-source" }, kind,
      el("p", { class: "citation" }, b.text),
      b.pages ? el("p", { class: "small muted" }, t("prov.pages", { p: b.pages })) : null,
      b.url ? el("p", { class: "small" }, el("a", { href: b.url, rel: "noopener", target: "_blank" }, b.url)) : null);
  }
  return el("article", { class: "excerpt" }, kind,
    b.section ? el("div", { class: "section" }, el("span", { class: "tag" }, t("prov.section")), " ", b.section) : null,
    b.text ? el("blockquote", { lang: "ko", class: "verbatim" }, b.text) : null,
    b.gloss && state.lang === "en" ? el("p", { class: "gloss", lang: "en" }, el("span", { class: "tag" }, t("prov.gloss")), " ", b.gloss) : null,
    b.note ? el("p", { class: "note" }, el("span", { class: "tag" }, t("prov.note")), " ", b.note) : null);
}

/** Show where facts come from: specs of {subject, properties?, object?, title?}. */
async function showProvenance(...specs) {
  const dialog = document.getElementById("prov");
  const body = document.getElementById("prov-body");
  body.replaceChildren(loading());
  if (!dialog.open) dialog.showModal();
  try {
    const parts = [];
    for (const spec of specs) {
      const search = new URLSearchParams({ subject: spec.subject, lang: state.lang });
      (spec.properties || []).forEach((p) => search.append("property", p));
      if (spec.object) search.set("object", JSON.stringify(spec.object));
      parts.push({ spec, found: await api(`/api/provenance?${search}`) });
    }
    body.replaceChildren();
    for (const { spec, found } of parts) {
      if (spec.title) body.append(el("p", { class: "prov-subject" }, spec.title));
      if (!found.length) body.append(el("p", { class: "muted" }, t("prov.none")));
      if (found.length && found.every((b) => b.kind === "entity")) body.append(el("p", { class: "muted small" }, t("prov.whole")));
      found.forEach((b) => body.append(basisBlock(b)));
    }
  } catch (error) {
    body.replaceChildren();
    showError(body, error);
  }
}

/* ---------- routing, language ---------- */

const VIEWS = {};

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  const view = document.getElementById("view");
  const [path, query] = (location.hash.slice(1) || "/home").split("?");
  const parts = path.split("/").filter(Boolean);
  const params = new URLSearchParams(query || "");
  const name = VIEWS[parts[0]] ? parts[0] : "home";
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.tab === name));
  view.replaceChildren();
  view.dataset.view = name;
  view.removeAttribute("data-ready");
  try {
    await VIEWS[name](view, params, decodeURIComponent(parts.slice(1).join("/")));
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
    const info = await api("/api/info");
    document.getElementById("server-line").textContent = t("footer.server", { n: info.triples.toLocaleString(), t: info.timeout_s });
    const src = await rows(`SELECT ?s WHERE { ?s a ckg:SourceDocument } LIMIT 1`);
    if (src.length) {
      await loadLabels([src[0].s.value]);
      document.getElementById("source-line").replaceChildren(entityLink(src[0].s.value));
    }
  } catch (error) {
    /* the footer is informative only */
  }
}

function start() {
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
}

document.addEventListener("DOMContentLoaded", start);
