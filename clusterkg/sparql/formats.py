"""The one table of formats: W3C query result formats and RDF syntaxes.

Every place that names a format (the CLI's ``--format``, content negotiation
on the server, reading an endpoint's answer) looks it up here.
"""

from __future__ import annotations

import pyoxigraph as ox


class Format:
    """One format: its short name, media type, the other names clients use, and pyoxigraph's format.

    ``kind`` is ``results`` (SELECT, ASK) or ``rdf`` (CONSTRUCT, DESCRIBE, datasets). A plain class
    rather than a dataclass: the table is built on every command's start-up path.
    """

    __slots__ = ("name", "media_type", "kind", "aliases", "results", "rdf")

    def __init__(self, name: str, media_type: str, kind: str, aliases: tuple[str, ...] = (),
                 results: ox.QueryResultsFormat | None = None, rdf: ox.RdfFormat | None = None) -> None:
        self.name, self.media_type, self.kind, self.aliases = name, media_type, kind, aliases
        self.results, self.rdf = results, rdf

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.media_type!r})"

    def names(self) -> tuple[str, ...]:
        return (self.name, self.media_type, *self.aliases)


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", ("application/json",), ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml"),
           ox.QueryResultsFormat.XML),
    Format("csv", "text/csv", "results", (), ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "results", (), ox.QueryResultsFormat.TSV),
    Format("ttl", "text/turtle", "rdf", ("application/x-turtle", "turtle", "text/n3", "text/rdf+n3", "n3"),
           rdf=ox.RdfFormat.TURTLE),
    Format("nt", "application/n-triples", "rdf", ("text/plain", "ntriples", "n-triples"), rdf=ox.RdfFormat.N_TRIPLES),
    # clients such as SPARQLWrapper send format=xml or format=json for RDF too
    Format("rdfxml", "application/rdf+xml", "rdf", ("rdf", "xml", "application/xml"), rdf=ox.RdfFormat.RDF_XML),
    Format("jsonld", "application/ld+json", "rdf", ("json-ld", "json", "application/json"), rdf=ox.RdfFormat.JSON_LD),
    Format("nq", "application/n-quads", "rdf", ("nquads",), rdf=ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", "rdf", (), rdf=ox.RdfFormat.TRIG),
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
