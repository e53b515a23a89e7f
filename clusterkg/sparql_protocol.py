"""The parts of the SPARQL 1.1 Protocol that do not need a server.

Content negotiation over the W3C result formats (JSON, XML, CSV, TSV) and
the RDF formats for CONSTRUCT/DESCRIBE; serialisers that stop at a size
limit; the checks that keep an endpoint read-only and away from ``SERVICE``.
Pure functions, used by :mod:`clusterkg.query_pool` and :mod:`clusterkg.server`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .queries import UPDATE_KEYWORDS, query_form

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

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


def looks_like_update(sparql: str) -> bool:
    """Whether the text is a SPARQL Update request rather than a query."""
    return query_form(sparql) in UPDATE_KEYWORDS


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


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
        f"</predicate><object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_value(term) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t")


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def serialize_select(variables: list[str], rows: list[tuple], fmt: str) -> bytes:
    """Serialise SELECT solutions in one of :data:`RESULT_FORMATS`."""
    if fmt == "json":
        keys = [json.dumps(v) + ":" for v in variables]
        encoded: dict = {}  # each distinct term is encoded once
        out = []
        for row in rows:
            parts = []
            for key, term in zip(keys, row):
                if term is None:
                    continue
                text = encoded.get(term)
                if text is None:
                    text = encoded[term] = json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))
                parts.append(key + text)
            out.append("{" + ",".join(parts) + "}")
        head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))
        return ('{"head":' + head + ',"results":{"bindings":[' + ",".join(out) + "]}}").encode()
    if fmt == "xml":
        parts = [_XML_HEAD, "<head>"]
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head>\n<results>\n")
        for row in rows:
            parts.append("<result>")
            parts += [
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, row) if t is not None
            ]
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
        return "".join(parts).encode()
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_value(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)] + ["\t".join(_tsv_value(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"not a result format: {fmt}")


def serialize_ask(value: bool, fmt: str) -> bytes:
    """Serialise an ASK answer in one of :data:`RESULT_FORMATS`."""
    word = "true" if value else "false"
    if fmt == "json":
        return ('{"head":{},"boolean":%s}' % word).encode()
    if fmt == "xml":
        return (_XML_HEAD + f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n").encode()
    if fmt == "csv":
        return ("_askResult\r\n" + word + "\r\n").encode()
    return ("?_askResult\n" + word + "\n").encode()


def serialize_graph(triples: list[ox.Triple], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise CONSTRUCT/DESCRIBE triples in one of :data:`GRAPH_FORMATS`."""
    rdf_format = GRAPH_FORMATS[fmt][1]
    kwargs = {"prefixes": prefixes} if prefixes and fmt in ("ttl", "trig", "jsonld", "rdfxml") else {}
    if rdf_format.supports_datasets:
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return ox.serialize(triples, format=rdf_format, **kwargs) or b""


def answer(result, accept: str | None, format_param: str | None, limit: int | None,
           prefixes: dict[str, str] | None = None) -> Answer:
    """Serialise a pyoxigraph query answer in the negotiated format, within ``limit``."""
    if isinstance(result, ox.QueryBoolean):
        fmt = negotiate("ask", accept, format_param)
        return Answer(serialize_ask(bool(result), fmt), media_type(fmt))
    if isinstance(result, ox.QuerySolutions):
        fmt = negotiate("select", accept, format_param)
        variables = [v.value for v in result.variables]
        rows = take((tuple(s) for s in result), limit, "rows")
        return Answer(serialize_select(variables, rows, fmt), media_type(fmt))
    fmt = negotiate("graph", accept, format_param)
    triples = take(result, limit, "triples")
    return Answer(serialize_graph(triples, fmt, prefixes), media_type(fmt))
