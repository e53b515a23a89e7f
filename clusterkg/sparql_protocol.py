"""The parts of the SPARQL 1.1 Protocol that do not need a server.

Content negotiation over the W3C result formats (JSON, XML, CSV, TSV) and
the RDF formats for CONSTRUCT/DESCRIBE; answers that stop at a size limit
(the result formats themselves are written by :mod:`clusterkg.results`);
the checks that keep an endpoint read-only and away from ``SERVICE``.
Pure functions, used by :mod:`clusterkg.query_pool` and :mod:`clusterkg.server`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .results import serialize_boolean, serialize_graph, serialize_solutions
from .sparql_text import looks_like_update

#: Result formats of SELECT and ASK: short name -> media type.
RESULT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: RDF formats of CONSTRUCT and DESCRIBE: short name -> (media type, pyoxigraph format).
GRAPH_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
}
#: Other names clients use for the same formats (``format=`` parameter or Accept).
_ALIASES: dict[str, str] = {
    "application/json": "json",
    "application/sparql-results+json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "application/rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "application/ld+json": "jsonld",
    "json-ld": "jsonld",
    "application/n-quads": "nq",
    "nquads": "nq",
    "application/trig": "trig",
}
_GRAPH_SHORT = {"xml": "rdfxml", "json": "jsonld", "n3": "ttl", "application/xml": "rdfxml", "application/json": "jsonld"}
READ_ONLY = "this endpoint is read-only: SPARQL Update requests are refused"
DEFAULT_FORMAT = {"select": "json", "ask": "json", "graph": "ttl"}


class ProtocolError(Exception):
    """A request the endpoint refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def formats_for(kind: str) -> list[str]:
    """The short format names a query of this kind can be answered in."""
    return list(GRAPH_FORMATS) if kind == "graph" else list(RESULT_FORMATS)


def media_type(name: str) -> str:
    """The media type of a short format name."""
    return RESULT_FORMATS[name] if name in RESULT_FORMATS else GRAPH_FORMATS[name][0]


def _parse_accept(accept: str) -> list[tuple[float, int, str]]:
    """Accept header entries as (quality, position, media range), best first."""
    entries = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        entries.append((quality, position, fields[0].lower()))
    return sorted(entries, key=lambda e: (-e[0], e[1]))


def negotiate(kind: str, accept: str | None, format_param: str | None = None) -> str:
    """Choose the short name of the answer's format.

    An explicit ``format`` parameter (short name or media type) wins over the
    Accept header; ``*/*`` or no header gives the default (JSON results,
    Turtle graphs). Raises :class:`ProtocolError` (406) when nothing fits.
    """
    allowed = formats_for(kind)
    if format_param:
        wanted = format_param.strip().lower()
        if kind == "graph":  # clients such as SPARQLWrapper send format=xml or json for RDF too
            wanted = _GRAPH_SHORT.get(wanted, wanted)
        name = _ALIASES.get(wanted, wanted)
        if name not in allowed:
            raise ProtocolError(
                406, f"format {format_param!r} does not fit a {_kind_name(kind)} query; use one of {', '.join(allowed)}"
            )
        return name
    if not accept:
        return DEFAULT_FORMAT[kind]
    for quality, _, media in _parse_accept(accept):
        if quality <= 0:
            continue
        if media in ("*/*", "application/*", "text/*") or media.startswith("text/html"):
            if media == "text/*":
                return "tsv" if kind != "graph" else "ttl"
            return DEFAULT_FORMAT[kind]
        name = _ALIASES.get(media)
        if name in allowed:
            return name
    offered = ", ".join(media_type(n) for n in allowed)
    raise ProtocolError(406, f"cannot answer a {_kind_name(kind)} query in {accept!r}; offered: {offered}")


def _kind_name(kind: str) -> str:
    return {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT/DESCRIBE"}[kind]


# --- checks on the query text ------------------------------------------------

_SKIP = re.compile(
    r"""
    \#[^\n]*                                  # comment
  | '''(?:[^'\\]|\\.|'(?!''))*'''             # long strings
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n]|\\.)*'                       # short strings
  | "(?:[^"\\\n]|\\.)*"
  | <[^<>"{}|^`\\\s]*>                        # IRIs
    """,
    re.VERBOSE | re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)


def _code_only(sparql: str) -> str:
    """The query with comments, strings and IRIs blanked out (keywords stay)."""
    return _SKIP.sub(lambda m: " " if m.group(0).startswith("#") else '""', sparql)


def uses_service(sparql: str) -> bool:
    """Whether the query calls a remote endpoint with ``SERVICE``."""
    return bool(_SERVICE.search(_code_only(sparql)))


def check_query(sparql: str, *, allow_service: bool) -> None:
    """Refuse updates, and ``SERVICE`` unless allowed; raises :class:`ProtocolError`."""
    if not sparql.strip():
        raise ProtocolError(400, "the query is empty")
    if looks_like_update(sparql):
        raise ProtocolError(403, READ_ONLY)
    if not allow_service and uses_service(sparql):
        raise ProtocolError(
            403, "SERVICE (federated query to another endpoint) is disabled; start the server with --allow-service"
        )


# --- serialisers ---------------------------------------------------------------


class TooLarge(Exception):
    """The result has more rows or triples than the limit."""

    def __init__(self, limit: int, what: str) -> None:
        super().__init__(
            f"the result has more than {limit} {what}, the server's limit: add a LIMIT to the query"
            " (or start the server with a higher --max-results)"
        )


def take(items: Iterable, limit: int | None, what: str) -> list:
    """Up to ``limit`` items; raises :class:`TooLarge` if there are more."""
    out = []
    for item in items:
        if limit is not None and len(out) >= limit:
            raise TooLarge(limit, what)
        out.append(item)
    return out


@dataclass
class Answer:
    """A serialised answer: the body and its media type."""

    body: bytes
    media_type: str


def answer(result, accept: str | None, format_param: str | None, limit: int | None,
           prefixes: dict[str, str] | None = None) -> Answer:
    """Serialise a pyoxigraph query answer in the negotiated format, within ``limit``."""
    if isinstance(result, ox.QueryBoolean):
        fmt = negotiate("ask", accept, format_param)
        return Answer(serialize_boolean(bool(result), fmt), media_type(fmt))
    if isinstance(result, ox.QuerySolutions):
        fmt = negotiate("select", accept, format_param)
        variables = [v.value for v in result.variables]
        rows = take((tuple(s) for s in result), limit, "rows")
        return Answer(serialize_solutions(variables, rows, fmt), media_type(fmt))
    fmt = negotiate("graph", accept, format_param)
    triples = take(result, limit, "triples")
    return Answer(serialize_graph(triples, GRAPH_FORMATS[fmt][1], prefixes), media_type(fmt))
