/* clusterkg web page: prepared queries with a form (pickers for entities), your own SPARQL, results, downloads. */
"use strict";

const pickerCache = new Map();

async function pickerOptions(param) {
  const key = `${param.class || ""} ${param.subclasses} ${state.lang}`;
  if (!pickerCache.has(key)) {
    const search = new URLSearchParams({ lang: state.lang });
    if (param.class) search.set("class", param.class);
    if (param.subclasses) search.set("subclasses", "1");
    pickerCache.set(key, api(`/api/entities?${search}`));
  }
  return pickerCache.get(key);
}

function expandCurie(value) {
  const [prefix, local] = value.split(/:(.*)/s);
  return NS[prefix] && local !== undefined && !value.startsWith("http") ? NS[prefix] + local : value;
}

/** A form field for one parameter: a searchable list of entities for an IRI, a language choice, else text. */
async function paramField(param, given) {
  const id = `param-${param.name}`;
  const described = (param.descriptions || {})[state.lang] || param.description;
  const caption = el("span", { class: "param-name" }, described || param.name,
    el("small", {}, ` ${param.name}${param.required ? " · " + t("query.required") : ""}`));
  let input;
  if (param.type === "lang") {
    input = el("select", { id, name: param.name }, ["en", "ko"].map((l) => el("option", { value: l, selected: l === (given || state.lang) }, t(`lang.${l}`))));
  } else if (param.type === "iri") {
    const options = await pickerOptions(param);
    const list = el("datalist", { id: `${id}-list` }, options.map((o) => el("option", { value: o.label, "data-iri": o.iri })));
    const initial = given || param.default || "";
    const known = options.find((o) => o.iri === expandCurie(initial));
    input = el("input", { id, name: param.name, list: `${id}-list`, value: known ? known.label : initial, autocomplete: "off",
      placeholder: t("query.pick", { n: options.length }), "data-type": "iri" });
    input.options = options;
    return el("label", { class: "param", for: id }, caption, el("span", { class: "picker" }, input, list));
  } else {
    input = el("input", { id, name: param.name, value: given ?? param.default ?? "", placeholder: param.type });
  }
  return el("label", { class: "param", for: id }, caption, input);
}

/** The values of the form: a picked entity's IRI, else what was typed (a name is looked up by the server). */
function formValues(box) {
  const out = {};
  box.querySelectorAll("input, select").forEach((i) => {
    const value = i.value.trim();
    if (value === "") return;
    const picked = i.options && Array.isArray(i.options) ? i.options.find((o) => o.label === value) : null;
    out[i.name] = picked ? `<${picked.iri}>` : value;
  });
  return out;
}

VIEWS.query = async function viewQuery(view, params) {
  view.append(el("h1", {}, t("query.title")));
  const catalogue = await getCatalogue();
  const results = el("div", { id: "results" });
  const namedBox = el("section", { class: "panel named" }, el("h2", {}, t("query.named")));
  const paramsBox = el("div", { class: "params" });
  const description = el("p", { class: "muted small" });
  const title = (q) => q.title[state.lang] || q.title.en || q.name;
  const available = catalogue.filter((q) => q.available);
  const unavailable = catalogue.filter((q) => !q.available);
  const choose = el("select", { id: "named-select" },
    el("option", { value: "" }, t("query.choose")),
    available.map((q) => el("option", { value: q.name }, title(q))),
    unavailable.length ? el("optgroup", { label: t("query.unavailable") },
      unavailable.map((q) => el("option", { value: q.name, disabled: true, title: q.reason }, `${title(q)} — ${t("query.notHere")}`))) : null);
  const runNamed = el("button", { type: "button", id: "run-named", class: "primary", disabled: true }, t("query.run"));
  const showParams = async () => {
    const q = catalogue.find((x) => x.name === choose.value && x.available);
    paramsBox.replaceChildren();
    description.textContent = q ? q.description[state.lang] || q.description.en || "" : "";
    runNamed.disabled = !q;
    if (!q) return;
    if (!q.params.length) paramsBox.append(el("span", { class: "muted small" }, t("query.noparams")));
    for (const p of q.params) paramsBox.append(await paramField(p, params.get(`p.${p.name}`)));
  };
  choose.addEventListener("change", showParams);
  runNamed.addEventListener("click", () => runAndShow(results, { name: choose.value, params: formValues(paramsBox) }));
  namedBox.append(el("div", { class: "row" }, choose, runNamed), description, paramsBox);
  if (unavailable.length) {
    namedBox.append(el("details", { class: "small muted unavailable" }, el("summary", {}, t("query.unavailable")),
      el("ul", {}, unavailable.map((q) => el("li", {}, el("strong", {}, title(q)), ": ", q.reason)))));
  }

  const ownBox = el("section", { class: "panel own" }, el("h2", {}, t("query.own")));
  const editor = el("div", { id: "editor" });
  const runOwn = el("button", { type: "button", id: "run-own", class: "primary" }, t("query.run"));
  ownBox.append(editor, el("div", { class: "row end" }, runOwn));
  view.append(el("div", { class: "query-panels" }, namedBox, ownBox), results);

  const initial = params.get("q") || state.lastQuery ||
    `PREFIX ckg: <${NS.ckg}>\nPREFIX rdfs: <${NS.rdfs}>\n\nSELECT ?cluster ?label WHERE {\n  ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster ;\n           rdfs:label ?label .\n  FILTER(lang(?label) = "${state.lang}")\n}\nORDER BY ?label`;
  let getText;
  if (window.Yasgui && Yasgui.Yasqe) {
    const yasqe = new Yasgui.Yasqe(editor, { value: initial, persistenceId: null, showQueryButton: false, resizeable: true,
      editorHeight: "260px", autocompleters: ["prefixes", "variables"], requestConfig: { endpoint: "/sparql" } });
    yasqe.on("change", () => { state.lastQuery = yasqe.getValue(); });
    getText = () => yasqe.getValue();
    state.yasqe = yasqe;
  } else {
    const area = el("textarea", { id: "editor-text", rows: 12 }, initial);
    editor.append(area);
    getText = () => area.value;
  }
  runOwn.addEventListener("click", () => runAndShow(results, { query: getText() }));
  if (params.get("name")) {
    choose.value = params.get("name");
    await showParams();
  }
};

function downloadLinks(request, kind) {
  const formats = kind === "graph" ? [["ttl", "Turtle"], ["jsonld", "JSON-LD"]] : [["csv", t("query.csv")], ["tsv", "TSV"], ["json", "JSON"]];
  const link = ([fmt, text]) => {
    const search = new URLSearchParams(request.name ? request.params : { query: request.query });
    search.set("format", fmt);
    const href = request.name ? `/api/download/${encodeURIComponent(request.name)}?${search}` : `/api/download?${search}`;
    return el("a", { class: `download download-${fmt}`, href, download: `${request.name || "query"}.${fmt}` }, text);
  };
  return el("span", { class: "downloads" }, t("query.download"), ": ", formats.map(link));
}

function cellNode(term, twin, labels) {
  if (!term) return "";
  if (term.type === "uri") return el("a", { href: entityHref(term.value), title: term.value }, labels[term.value] || shortIri(term.value));
  if (term.type === "bnode") return el("span", { class: "muted" }, "_:" + term.value);
  if (term.type === "triple") return `<< ${JSON.stringify(term.value)} >>`;
  const text = el("span", { lang: term["xml:lang"] || null }, term.value);
  return twin && twin.type === "uri" ? el("a", { href: entityHref(twin.value) }, text) : text;
}

async function runAndShow(results, request) {
  results.replaceChildren(el("p", { class: "muted" }, t("query.running")));
  const started = performance.now();
  let data;
  try {
    data = await api("/api/table", { ...request, lang: state.lang });
  } catch (error) {
    results.replaceChildren();
    showError(results, error);
    return;
  }
  const elapsed = Math.round(performance.now() - started);
  results.replaceChildren();
  if (data.kind === "ask") {
    results.append(el("div", { class: "result-head" }, el("strong", { class: "row-count" }, t("query.ask", { v: t(data.boolean ? "yes" : "no") }))));
    return;
  }
  const hidden = new Set(data.hidden);
  const shown = data.variables.filter((v) => !hidden.has(v));
  const titleOf = (v) => data.titles[v] || (data.kind === "graph" ? t(`query.${v}`) : v);
  const head = el("thead", {}, el("tr", {}, shown.map((v) => el("th", { "data-var": v }, titleOf(v)))));
  const body = el("tbody", {}, data.rows.map((row) => el("tr", {}, shown.map((v) => {
    const twin = v.endsWith("Label") && hidden.has(v.slice(0, -5)) ? row[v.slice(0, -5)] : null;
    return el("td", { "data-title": titleOf(v) }, cellNode(row[v], twin, data.labels));
  }))));
  results.append(
    el("div", { class: "result-head" }, el("strong", { class: "row-count" }, t(data.kind === "graph" ? "query.triples" : "query.rows", { n: data.rows.length })),
      el("span", { class: "muted small" }, ` ${elapsed} ms `), downloadLinks(request, data.kind)),
    el("div", { class: "table-wrap" }, el("table", { class: "results stack" }, head, body)),
  );
}
