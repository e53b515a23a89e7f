"""HTML documentation: the ontology (through pyLODE), the named queries, a tutorial.

``build_docs(directory)`` writes::

    index.html            what is where
    ontology.html         the classes and properties of ontology/clusterkg.ttl (pyLODE, OntPub profile)
    queries/NAME.html     one page per named query: titles, description, parameters, SPARQL
    tutorial.html         query, add a case, link, reason: the actual commands
    report.html           the checks of ``clusterkg report`` and their severities

Everything is made offline: pyLODE's stylesheet is inlined and no page loads
anything from the network.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .resources import data_dir

if TYPE_CHECKING:
    from .queries import NamedQuery

STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }
pre { background: #f4f4f4; padding: 0.8em; overflow-x: auto; }
code { background: #f4f4f4; padding: 0 0.2em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
nav a { margin-right: 1em; }
"""


@dataclass
class BuiltDocs:
    """What was written."""

    directory: Path
    pages: list[Path]


def _page(title: str, body: str, depth: int = 0) -> str:
    up = "../" * depth
    nav = (f'<nav><a href="{up}index.html">index</a><a href="{up}ontology.html">ontology</a>'
           f'<a href="{up}tutorial.html">tutorial</a><a href="{up}report.html">quality report</a></nav>')
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{nav}\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


@contextmanager
def _quiet_logging() -> Iterator[None]:
    """pyLODE logs at INFO on the root logger; keep a command's output clean."""
    import pylode  # noqa: F401 -- imported first: it configures logging when imported

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(level)


def ontology_html(path: Path | None = None) -> str:
    """The pyLODE page of the ontology; the titles in each language are shown side by side."""
    import rdflib
    from rdflib.namespace import DCTERMS, RDFS

    path = path or data_dir("ontology") / "clusterkg.ttl"
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad input
        raise InputError(f"{path}: {' '.join(str(exc).split())}") from None
    # pyLODE runs the labels of several languages together ("source document원전 문헌"):
    # give it one label per term, English first, then Korean.
    for predicate in (DCTERMS.title, RDFS.label):
        for subject in set(graph.subjects(predicate, None)):
            values = sorted(graph.objects(subject, predicate), key=lambda t: (getattr(t, "language", None) != "en", str(t)))
            if len(values) > 1:
                graph.remove((subject, predicate, None))
                graph.add((subject, predicate, rdflib.Literal(" / ".join(map(str, values)))))
    with _quiet_logging():
        from pylode import OntPub

        try:
            return OntPub(graph).make_html()
        except Exception as exc:  # noqa: BLE001 -- pyLODE's own errors are not one hierarchy
            raise InputError(f"pyLODE could not document {path.name}: {' '.join(str(exc).split())}") from None


def query_page(query: NamedQuery) -> str:
    """The page of one named query."""
    parts = []
    for lang in sorted(query.title, key=lambda x: x != "en"):
        if lang != "en":
            parts.append(f'<p lang="{lang}"><strong>{html.escape(query.title[lang])}</strong></p>')
    for lang in sorted(query.description, key=lambda x: x != "en"):
        parts.append(f'<p lang="{lang}">{html.escape(query.description[lang])}</p>')
    if query.params:
        rows = "".join(
            f"<tr><td><code>{html.escape(p.name)}</code></td><td>{html.escape(p.type)}</td>"
            f"<td>{html.escape(p.default or ('optional' if p.optional else 'required'))}</td>"
            f"<td>{html.escape(p.description)}</td></tr>"
            for p in query.params
        )
        parts.append("<h2>Parameters</h2><table><tr><th>name</th><th>type</th><th>default</th><th>meaning</th></tr>"
                     f"{rows}</table>")
    example = " ".join([f"clusterkg query {query.name}", *(f"--param {p.name}=..." for p in query.params if p.required)])
    parts.append(f"<h2>Run it</h2><pre>{html.escape(example)}</pre>")
    parts.append(f"<h2>SPARQL</h2><pre>{html.escape(query.text)}</pre>")
    return _page(f"{query.title_in('en')} ({query.name})", "\n".join(parts), depth=1)


TUTORIAL = """
<p>A short walk through clusterkg, from a first query to reasoning over a case of your own.
Every command below runs as shown; see <code>clusterkg COMMAND --help</code> for all options.</p>

<h2>1. Query the knowledge base</h2>
<p>The named queries are listed by <code>clusterkg queries</code>; each has a page in these
documents (see the <a href="index.html">index</a>).</p>
<pre>clusterkg info
clusterkg queries
clusterkg query myths-and-findings --lang ko
clusterkg query clusters --param type=ckg:BioCluster --format csv
clusterkg query -e 'SELECT ?cluster ?firms WHERE { ?cluster ckg:approximateNumberOfFirms ?firms }'</pre>

<h2>2. Add a case</h2>
<p><code>clusterkg new-case</code> prints a commented template (YAML, or CSV with
<code>--format csv</code>). Fill it in, check it, then add it: it goes into a named graph of its
own, apart from the paper's data.</p>
<pre>clusterkg new-case -o my-case.yaml
cat &gt; my-case.yaml &lt;&lt;'EOF'
- id: example-bio-valley
  name_ko: 예시 바이오밸리
  name_en: Example Bio Valley
  type: industrial
  country: KR
  industries: [bio]
  main_industries: [bio]
  stage: initial
  source:
    citation: "Author, Title, Publisher, Year"
EOF
clusterkg validate my-case.yaml
clusterkg add my-case.yaml</pre>

<h2>3. Link to open data</h2>
<p>Find identifiers on a SPARQL endpoint (Wikidata by default) for places and organisations;
<code>--dry-run</code> shows the candidates and writes nothing.</p>
<pre>clusterkg link --type place --dry-run
clusterkg link --type place
clusterkg query external-ids</pre>

<h2>4. Reason</h2>
<p>The reasoner checks that everything, your case included, is consistent and tells what
follows from it. The case above is stated only as an industrial cluster whose main industry is
the bio industry: the reasoner classifies it as a <code>ckg:BioCluster</code>
(<code>cki:cluster-example-bio-valley rdf:type ckg:BioCluster</code> under "new types").
<code>--explain</code> names the stated axioms behind each new fact; <code>--write</code>
stores the inferences in their own graph (<code>https://w3id.org/clusterkg/graph/inferred</code>),
never among the stated facts.</p>
<pre>clusterkg reason
clusterkg reason --explain
clusterkg reason --write
clusterkg query -e 'SELECT ?c WHERE { GRAPH &lt;https://w3id.org/clusterkg/graph/inferred&gt; { ?c a ckg:BioCluster } }'</pre>
<p>A case declared of two disjoint types (for example a <code>ckg:MatureIndustrialCluster</code>
whose main industry is high-tech, which makes it a <code>ckg:HighTechCluster</code> too) makes the
whole inconsistent: <code>clusterkg reason --explain</code> exits with status 1 and lists the
axioms involved, with the graph each comes from; remove the case with <code>clusterkg remove</code>
or fix it and add it again with <code>--replace</code>.</p>

<h2>5. Check quality</h2>
<pre>clusterkg report
clusterkg report --format tsv --fail-on warn</pre>
<p>The checks and their severities are on the <a href="report.html">quality report</a> page.</p>
"""


def report_page() -> str:
    from .quality import CHECKS

    rows = "".join(
        f"<tr><td><code>{c.name}</code></td><td>{c.severity}</td><td>{html.escape(c.description)}</td></tr>"
        for c in CHECKS
    )
    body = ("<p><code>clusterkg report [--format text|tsv|json] [--fail-on error|warn|info|none] [--source FILE]</code> "
            "runs these checks over the store. The exit code is 1 when a problem at or above the "
            "<code>--fail-on</code> level (default: error) is found.</p>"
            f"<table><tr><th>check</th><th>severity</th><th>what it finds</th></tr>{rows}</table>")
    return _page("Quality report: the checks", body)


def build_docs(directory: Path | str, progress: Callable[[str], None] | None = None) -> BuiltDocs:
    """Write the documentation into ``directory`` (created if needed)."""
    from . import queries

    say = progress or (lambda message: None)
    out = Path(directory)
    try:
        (out / "queries").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out}: {exc.strerror}") from None
    pages: dict[Path, str] = {}
    say("ontology (pyLODE)")
    pages[out / "ontology.html"] = ontology_html()
    catalogue = queries.catalogue()
    say(f"{len(catalogue)} named queries")
    for query in catalogue:
        pages[out / "queries" / f"{query.name}.html"] = query_page(query)
    pages[out / "tutorial.html"] = _page("Tutorial: query, add a case, link, reason", TUTORIAL)
    pages[out / "report.html"] = report_page()
    items = "".join(
        f'<li><a href="queries/{q.name}.html">{html.escape(q.title_in("en"))}</a>'
        + (f' <span lang="ko">({html.escape(q.title["ko"])})</span>' if "ko" in q.title else "")
        + f" <code>{q.name}</code></li>"
        for q in catalogue
    )
    index = (
        "<p>A knowledge graph of industrial clusters, from one Korean research paper.</p>"
        '<ul><li><a href="ontology.html">The ontology</a>: classes and properties, '
        "with their Korean and English labels and definitions.</li>"
        '<li><a href="tutorial.html">Tutorial</a>: query, add a case, link, reason.</li>'
        '<li><a href="report.html">Quality report</a>: the checks and their severities.</li></ul>'
        f"<h2>Named queries</h2><ul>{items}</ul>"
    )
    pages[out / "index.html"] = _page("clusterkg documentation", index)
    for path, text in pages.items():
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
    return BuiltDocs(out, sorted(pages))
