"""The knowledge base as a whole: loading it, describing it, exporting it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import pyoxigraph as ox

from .errors import InputError
from .namespaces import CKI, PREFIXES, prefix_lines
from .resources import ontology_files
from .sparql.results import Term, value_of
from .stores.base import Store
from .tables import pad, text_width

if TYPE_CHECKING:  # rdflib is slow to import; only the functions that need it load it
    import rdflib

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
#: Formats that keep named graphs apart (cases, links, inferences).
DATASET_FORMATS = {"trig", "nq"}

SOURCE_IRI = CKI + "source-nam"

_PREFIX_LINES = prefix_lines()

INFO_QUERY = _PREFIX_LINES + """
SELECT
  (COUNT(DISTINCT ?cluster) AS ?clusters)
  (COUNT(DISTINCT ?myth) AS ?myths)
  (COUNT(DISTINCT ?finding) AS ?findings)
  (COUNT(DISTINCT ?observation) AS ?observations)
  (COUNT(DISTINCT ?conclusion) AS ?conclusions)
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?excerpt) AS ?excerpts)
  (COUNT(DISTINCT ?interpretation) AS ?interpretations)
WHERE {
  { ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster }
  UNION { ?myth a ckg:Myth }
  UNION { ?finding a ckg:Finding }
  UNION { ?observation a ckg:Observation }
  UNION { ?conclusion a ckg:Conclusion }
  UNION { ?claim a/rdfs:subClassOf* ckg:Claim }
  UNION { ?excerpt a ckg:Excerpt }
  UNION { ?interpretation ckg:interpretationNote ?note }
}
"""

#: The counts of :func:`info`, in order, with their titles in English and Korean.
INFO_ROWS: dict[str, tuple[str, str]] = {
    "clusters": ("clusters", "클러스터"),
    "myths": ("myths", "오해"),
    "findings": ("findings", "반론"),
    "observations": ("observations", "서술"),
    "conclusions": ("conclusions", "결론"),
    "claims": ("claims", "주장"),
    "excerpts": ("excerpts", "발췌문"),
    "interpretations": ("interpretations", "해석"),
    "triples": ("triples", "트리플"),
    "graphs": ("graphs", "그래프"),
    "sources": ("source", "원전"),
}

TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

SOURCE_QUERY = _PREFIX_LINES + """
SELECT ?title ?creator WHERE {
  ?source a ckg:SourceDocument ; dcterms:title ?title ; dcterms:creator ?creator .
  FILTER(langMatches(lang(?title), "ko") && langMatches(lang(?creator), "ko"))
}
"""


def load_graph(paths: Iterable[Path] | None = None) -> rdflib.Graph:
    """The shipped knowledge base (ontology and paper data) as one rdflib graph."""
    import rdflib

    graph = rdflib.Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    for path in paths or ontology_files():
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many types for bad input
            raise InputError(f"{path}: {' '.join(str(exc).split())}") from None
    return graph


def _number(term: Term | None) -> int:
    return int(value_of(term)) if term is not None else 0


def info(store: Store) -> dict[str, object]:
    """Counts of what the knowledge base holds, and its source."""
    counts = next(iter(store.query(INFO_QUERY).rows))
    triples = next(iter(store.query(TRIPLES_QUERY).rows))[0]
    sources = [(value_of(t), value_of(c)) for t, c in store.query(SOURCE_QUERY).rows]
    names = ("clusters", "myths", "findings", "observations", "conclusions", "claims", "excerpts", "interpretations")
    summary: dict[str, object] = {name: _number(value) for name, value in zip(names, counts)}
    summary["triples"] = _number(triples)
    summary["graphs"] = len(store.graph_names())
    summary["sources"] = [{"title": title, "creator": creator} for title, creator in sources]
    return summary


def format_info(summary: Mapping[str, object], lang: str = "en") -> str:
    """The counts of :func:`info` for people, one per line, titled in ``lang`` (``en`` or ``ko``).

    >>> print(format_info({"clusters": 11, "myths": 3, "sources": [{"title": "T", "creator": "C"}]}, "ko"), end="")
    클러스터  11
    오해      3
    원전      C, T
    """
    column = 1 if lang == "ko" else 0
    rows: list[tuple[str, str]] = []
    for key, titles in INFO_ROWS.items():
        if key not in summary:
            continue
        if key == "sources":
            sources = cast(list[dict[str, str]], summary["sources"])
            rows.extend((titles[column], f"{source['creator']}, {source['title']}") for source in sources)
        else:
            rows.append((titles[column], str(summary[key])))
    width = max((text_width(title) for title, _ in rows), default=0)
    return "".join(f"{pad(title, width)}  {value}\n" for title, value in rows)


def export(store: Store, fmt: str = "ttl") -> bytes:
    """The whole knowledge base, ontology and added data included, serialised."""
    buffer = io.BytesIO()
    write_export(store, fmt, buffer)
    return buffer.getvalue()


def write_export(store: Store, fmt: str, output: BinaryIO) -> None:
    """Write the whole knowledge base to ``output`` as it is read, never holding it in memory.

    Graph by graph for the dataset formats (``trig``, ``nq``), else every triple of the union of graphs;
    the same bytes as :func:`export`.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    data: Iterable[ox.Quad] | Iterable[ox.Triple]
    if fmt in DATASET_FORMATS:
        data = _quads(store)
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    else:
        data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples
        kwargs = {"prefixes": PREFIXES} if fmt in {"ttl", "jsonld"} else {}
    ox.serialize(data, output, format=EXPORT_FORMATS[fmt], **kwargs)


def _quads(store: Store) -> Iterator[ox.Quad]:
    """Every triple of every named graph as a quad, graph by graph, read lazily.

    A SELECT, not a CONSTRUCT: the engine keeps a CONSTRUCT's triples to drop duplicates (385 MiB at 1M
    triples), which a graph's own triples cannot have; a SELECT's rows stream (92 MiB)."""
    for g in store.graph_names():
        graph = ox.NamedNode(g)
        for s, p, o in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").rows:
            yield ox.Quad(s, p, o, graph)  # type: ignore[arg-type]
