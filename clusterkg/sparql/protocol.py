"""The parts of the SPARQL 1.1 Protocol that do not need a server.

Content negotiation over the formats of :mod:`.formats` (the W3C result
formats for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE); answers that
stop at a size limit; the checks that keep an endpoint read-only and away
from ``SERVICE``. Pure functions, used by :mod:`clusterkg.server`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, one_line
from ..namespaces import PREFIXES, RDF, SD, XSD
from . import formats
from .limits import MAX_QUERY_CHARS, check_limits
from .results import serialize_boolean, serialize_graph, serialize_solutions
from .syntax import Token, looks_like_update, tokens, uses_service

VOID = "http://rdfs.org/ns/void#"
_INTEGER = ox.NamedNode(XSD + "integer")

READ_ONLY = "this endpoint is read-only: SPARQL Update requests are refused"
DEFAULT_FORMAT = {"select": "json", "ask": "json", "graph": "ttl"}
#: Result formats of SELECT and ASK: short name -> media type.
RESULT_FORMATS: dict[str, str] = {f.name: f.media_type for f in formats.of_kind("results")}


class ProtocolError(Exception):
    """A request the endpoint refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Reply:
    """An answer ready to send: HTTP status, media type and body (or an error message)."""

    status: int
    media_type: str
    body: bytes


def _table_kind(kind: str) -> str:
    return "rdf" if kind == "graph" else "results"


def formats_for(kind: str) -> list[str]:
    """The short format names a query of this kind (``select``, ``ask``, ``graph``) can be answered in."""
    return [f.name for f in formats.of_kind(_table_kind(kind))]


def media_type(name: str) -> str:
    """The media type of a short format name."""
    return formats.BY_NAME[name].media_type


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


def _format_values(format_param: str | Sequence[str] | None) -> list[str]:
    """The format names a request gives, in order: each ``format``/``output`` value, split at commas.

    SPARQLWrapper sends a short name and a list of media types for the same format
    (``format=json-ld&format=application/ld+json,application/x-json+ld``).
    """
    values = [format_param] if isinstance(format_param, str) else list(format_param or ())
    return [entry.split(";")[0].strip() for value in values for entry in value.split(",") if entry.strip()]


def negotiate(kind: str, accept: str | None, format_param: str | Sequence[str] | None = None) -> str:
    """Choose the short name of the answer's format.

    An explicit ``format`` parameter (short name or media type; several values: the first that fits)
    wins over the Accept header; ``*/*`` or no header gives the default (JSON results, Turtle graphs).
    Raises :class:`ProtocolError` (406) when nothing fits.

    >>> negotiate("select", "text/csv;q=0.5, application/sparql-results+xml"), negotiate("graph", None, "json")
    ('xml', 'jsonld')
    >>> negotiate("graph", None, ["json-ld", "application/ld+json,application/x-json+ld"])
    'jsonld'
    """
    table = _table_kind(kind)
    wanted = _format_values(format_param)
    if wanted:
        for value in wanted:
            found = formats.lookup(value, table)
            if found is not None:
                return found.name
        allowed = ", ".join(formats_for(kind))
        raise ProtocolError(
            406, f"format {', '.join(wanted)!r} does not fit a {_kind_name(kind)} query; use one of {allowed}"
        )
    if not accept:
        return DEFAULT_FORMAT[kind]
    for quality, _, media in _parse_accept(accept):
        if quality <= 0:
            continue
        if media in ("*/*", "application/*", "text/*") or media.startswith("text/html"):
            if media == "text/*":
                return "tsv" if kind != "graph" else "ttl"
            return DEFAULT_FORMAT[kind]
        found = formats.lookup(media, table)
        if found is not None and media in (found.media_type, *(a for a in found.aliases if "/" in a)):
            return found.name
    offered = ", ".join(media_type(n) for n in formats_for(kind))
    raise ProtocolError(406, f"cannot answer a {_kind_name(kind)} query in {accept!r}; offered: {offered}")


def _kind_name(kind: str) -> str:
    return {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT/DESCRIBE"}[kind]


def check_query(sparql: str, *, allow_service: bool, writable: bool = False) -> list[Token]:
    """Refuse a query past the limits of :mod:`.limits` (400), updates sent as queries, and ``SERVICE``
    unless allowed; raises :class:`ProtocolError`. Returns the query's tokens: the text is lexed once,
    and the caller reads what else it needs from them.

    >>> check_query("SELECT * WHERE " + "{ " * 2500 + "}" * 2500, allow_service=False)
    Traceback (most recent call last):
    ...
    clusterkg.sparql.protocol.ProtocolError: the query nests too deeply: more than 64 levels of brackets, at line 1, column 144
    """
    if not sparql.strip():
        raise ProtocolError(400, "the query is empty")
    toks = tokens(sparql) if len(sparql) <= MAX_QUERY_CHARS else []  # too long: refused before it is lexed
    try:
        check_limits(sparql, toks)
    except QueryError as exc:
        raise ProtocolError(400, one_line(exc)) from None
    if looks_like_update(sparql, toks):
        if writable:
            raise ProtocolError(400, "an update is sent as update= or application/sparql-update, not as a query")
        raise ProtocolError(403, READ_ONLY)
    if not allow_service and uses_service(sparql):
        raise ProtocolError(
            403, "SERVICE (federated query to another endpoint) is disabled; start the server with --allow-service"
        )
    return toks


def check_iris(parameter: str, values: Sequence[str]) -> list[str]:
    """The values of a protocol parameter that names graphs (``default-graph-uri``, ``named-graph-uri``,
    ``using-graph-uri``, ...), each an absolute IRI; else :class:`ProtocolError` (400) in one line.

    >>> check_iris("default-graph-uri", ["urn:x:a"])
    ['urn:x:a']
    >>> check_iris("named-graph-uri", ["a b"])
    Traceback (most recent call last):
    ...
    clusterkg.sparql.protocol.ProtocolError: named-graph-uri must be an absolute IRI, not 'a b' (Invalid IRI code point ' ')
    """
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            shown = value if len(value) <= 200 else value[:200] + "..."
            raise ProtocolError(400, f"{parameter} must be an absolute IRI, not {shown!r} ({one_line(exc)})") from None
    return list(values)


class TooLarge(Exception):
    """The result has more rows or triples than the limit."""

    def __init__(self, limit: int, what: str) -> None:
        super().__init__(
            f"the result has more than {limit} {what}, the server's limit: add a LIMIT to the query"
            " (or start the server with a higher --max-results)"
        )


def take(items: Iterable[Any], limit: int | None, what: str) -> list[Any]:
    """Up to ``limit`` items; raises :class:`TooLarge` if there are more."""
    out: list[Any] = []
    for item in items:
        if limit is not None and len(out) >= limit:
            raise TooLarge(limit, what)
        out.append(item)
    return out


def answer(result: Any, accept: str | None, format_param: str | Sequence[str] | None, limit: int | None,
           prefixes: dict[str, str] | None = None, order: Sequence[str] | None = None) -> Reply:
    """Serialise a pyoxigraph query answer in the negotiated format, within ``limit``.

    ``order``: the columns of a ``SELECT *`` query in the order the query names them.
    """
    if isinstance(result, ox.QueryBoolean):
        fmt = negotiate("ask", accept, format_param)
        return Reply(200, media_type(fmt), serialize_boolean(bool(result), fmt))
    if isinstance(result, ox.QuerySolutions):
        fmt = negotiate("select", accept, format_param)
        variables = [v.value for v in result.variables]
        rank = {name: position for position, name in enumerate(order or ())}
        columns = sorted(variables, key=lambda name: (rank.get(name, len(rank)), variables.index(name)))
        picks = [variables.index(name) for name in columns]
        rows = take((tuple(s[i] for i in picks) for s in result), limit, "rows")
        return Reply(200, media_type(fmt), serialize_solutions(columns, rows, fmt))
    fmt = negotiate("graph", accept, format_param)
    triples = take(result, limit, "triples")
    rdf = formats.BY_NAME[fmt].rdf
    assert rdf is not None
    return Reply(200, media_type(fmt), serialize_graph(triples, rdf, prefixes))


def service_description(
    url: str,
    *,
    graphs: Mapping[str, int],
    default_triples: int,
    writable: bool = False,
    allow_service: bool = False,
    accept: str | None = None,
    format_param: str | Sequence[str] | None = None,
) -> Reply:
    """A SPARQL 1.1 Service Description of an endpoint at ``url``, in the negotiated RDF format.

    It names the languages (update too when ``writable``), the features (the
    default graph is the union of all graphs; federated query when allowed), every
    result and RDF format of :mod:`.formats`, and the default dataset: its default
    graph and each named graph with its number of triples (``graphs``).
    """
    fmt = negotiate("graph", accept, format_param)
    service, dataset, default = ox.NamedNode(url), ox.BlankNode(), ox.BlankNode()

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    a, triples = ox.NamedNode(RDF + "type"), []
    triples += [ox.Triple(service, a, sd("Service")), ox.Triple(service, sd("endpoint"), service)]
    for language in ["SPARQL11Query", *(["SPARQL11Update"] if writable else [])]:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd(language)))
    for feature in ["UnionDefaultGraph", *(["BasicFederatedQuery"] if allow_service else [])]:
        triples.append(ox.Triple(service, sd("feature"), sd(feature)))
    for entry in formats.FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(entry.w3c)))
    triples += [ox.Triple(service, sd("defaultDataset"), dataset), ox.Triple(dataset, a, sd("Dataset")),
                ox.Triple(dataset, sd("defaultGraph"), default), ox.Triple(default, a, sd("Graph")),
                ox.Triple(default, ox.NamedNode(VOID + "triples"), ox.Literal(str(default_triples), datatype=_INTEGER))]
    for name, size in graphs.items():
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [ox.Triple(dataset, sd("namedGraph"), named), ox.Triple(named, a, sd("NamedGraph")),
                    ox.Triple(named, sd("name"), ox.NamedNode(name)), ox.Triple(named, sd("graph"), graph),
                    ox.Triple(graph, a, sd("Graph")),
                    ox.Triple(graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(size), datatype=_INTEGER))]
    rdf = formats.BY_NAME[fmt].rdf
    assert rdf is not None
    return Reply(200, media_type(fmt), serialize_graph(triples, rdf, {"sd": SD, "void": VOID, **PREFIXES}))
