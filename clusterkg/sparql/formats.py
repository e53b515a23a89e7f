"""The one table of formats: W3C query result formats and RDF syntaxes.

Every place that names a format (the CLI's ``--format``, content negotiation
on the server, reading an endpoint's answer) looks it up here.
"""

from __future__ import annotations

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"


class Format:
    """One format: its short name, media type, the other names clients use, pyoxigraph's format, its W3C IRI.

    ``kind`` is ``results`` (SELECT, ASK) or ``rdf`` (CONSTRUCT, DESCRIBE, datasets). ``w3c`` is the
    format's name in ``http://www.w3.org/ns/formats/`` (what a service description lists). A plain
    class rather than a dataclass: the table is built on every command's start-up path.
    """

    __slots__ = ("name", "media_type", "kind", "aliases", "results", "rdf", "w3c")

    def __init__(self, name: str, media_type: str, kind: str, aliases: tuple[str, ...] = (),
                 results: ox.QueryResultsFormat | None = None, rdf: ox.RdfFormat | None = None, w3c: str = "") -> None:
        self.name, self.media_type, self.kind, self.aliases = name, media_type, kind, aliases
        self.results, self.rdf, self.w3c = results, rdf, W3C_FORMATS + w3c

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.media_type!r})"

    def names(self) -> tuple[str, ...]:
        return (self.name, self.media_type, *self.aliases)


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", ("application/json", "srj"),
           ox.QueryResultsFormat.JSON, w3c="SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml", "srx"),
           ox.QueryResultsFormat.XML, w3c="SPARQL_Results_XML"),
    Format("csv", "text/csv", "results", (), ox.QueryResultsFormat.CSV, w3c="SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "results", (), ox.QueryResultsFormat.TSV, w3c="SPARQL_Results_TSV"),
    Format("ttl", "text/turtle", "rdf", ("application/x-turtle", "turtle", "text/n3", "text/rdf+n3", "n3"),
           rdf=ox.RdfFormat.TURTLE, w3c="Turtle"),
    Format("nt", "application/n-triples", "rdf", ("text/plain", "ntriples", "n-triples"), rdf=ox.RdfFormat.N_TRIPLES,
           w3c="N-Triples"),
    # clients such as SPARQLWrapper send format=xml or format=json for RDF too
    Format("rdfxml", "application/rdf+xml", "rdf", ("rdf", "xml", "application/xml", "rdf+xml", "owl"),
           rdf=ox.RdfFormat.RDF_XML, w3c="RDF_XML"),
    Format("jsonld", "application/ld+json", "rdf", ("json-ld", "json", "application/json", "application/x-json+ld"),
           rdf=ox.RdfFormat.JSON_LD, w3c="JSON-LD"),
    Format("nq", "application/n-quads", "rdf", ("nquads", "n-quads"), rdf=ox.RdfFormat.N_QUADS, w3c="N-Quads"),
    Format("trig", "application/trig", "rdf", (), rdf=ox.RdfFormat.TRIG, w3c="TriG"),
)
BY_NAME = {f.name: f for f in FORMATS}


def of_kind(kind: str) -> list[Format]:
    """The formats of one kind (``results`` or ``rdf``), in the table's order."""
    return [f for f in FORMATS if f.kind == kind]


def lookup(name: str, kind: str) -> Format | None:
    """The format of ``kind`` that a short name, a media type or an alias names (any case).

    >>> lookup("application/xml", "rdf").name
    'rdfxml'
    >>> lookup("application/xml", "results").name
    'xml'
    """
    wanted = name.strip().lower()
    for fmt in of_kind(kind):
        if wanted in fmt.names():
            return fmt
    return None
