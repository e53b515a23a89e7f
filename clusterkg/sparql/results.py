"""Query results, the same whichever backend produced them, and their W3C formats.

* :class:`QueryResult`, lazily read, and :class:`Answer`, read to the end;
* writers of the W3C SPARQL 1.1 result formats (JSON, XML, CSV, TSV) and of
  RDF for CONSTRUCT and DESCRIBE;
* readers of the same formats, for answers from remote endpoints (SPARQL JSON
  as Virtuoso writes it, ``typed-literal`` included).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import EndpointError, QueryError, one_line
from ..namespaces import RESULTS, XSD_STRING
from . import formats

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Short names of the W3C result formats, and of the RDF formats a graph result is written in.
SOLUTION_FORMATS = tuple(f.name for f in formats.of_kind("results"))
GRAPH_FORMATS = {name: formats.BY_NAME[name].rdf for name in ("ttl", "nt", "jsonld", "rdfxml")}


@dataclass
class QueryResult:
    """The answer to a query, the same whichever backend produced it.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT/DESCRIBE).
    Terms are pyoxigraph terms; an unbound SELECT value is ``None``.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: Iterable[tuple[Term | None, ...]] = ()
    boolean: bool | None = None
    triples: Iterable[ox.Triple] = ()


@dataclass
class Answer:
    """A query result read to the end, so that it can be written more than once."""

    kind: str
    variables: list[str]
    rows: list[tuple[Term | None, ...]]
    boolean: bool | None
    triples: list[ox.Triple]


def materialize(result: QueryResult | Answer) -> Answer:
    """Read a result's rows or triples into lists."""
    if isinstance(result, Answer):
        return result
    return Answer(result.kind, list(result.variables), [tuple(r) for r in result.rows], result.boolean, list(result.triples))


def from_oxigraph(result: Any) -> QueryResult:
    """Wrap a pyoxigraph query answer (evaluated lazily, as it is read)."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return QueryResult("select", variables=names, rows=_checked(tuple(s) for s in result))
    return QueryResult("graph", triples=_checked(result))


def in_order(result: QueryResult, order: Sequence[str] | None) -> QueryResult:
    """A SELECT result with its columns in ``order`` (a ``SELECT *`` query's order of first appearance).

    Variables that ``order`` does not name keep their relative place after the others.
    """
    if result.kind != "select" or not order:
        return result
    rank = {name: position for position, name in enumerate(order)}
    current = list(result.variables)
    wanted = sorted(current, key=lambda name: (rank.get(name, len(rank)), current.index(name)))
    if wanted == current:
        return result
    picks = [current.index(name) for name in wanted]
    rows = result.rows
    return QueryResult("select", variables=wanted, rows=(tuple(row[i] for i in picks) for row in rows))


def _checked(items: Iterable[Any]) -> Iterator[Any]:
    """Yield from a lazily evaluated answer, turning evaluation errors (e.g. a failed SERVICE) into QueryError."""
    try:
        yield from items
    except (OSError, RuntimeError, ValueError) as exc:  # OSError: a failed SERVICE; RuntimeError: e.g. SERVICE ?unbound
        raise QueryError(f"query failed: {one_line(exc)}") from None


def value_of(term: Term | None) -> str:
    """``term.value`` of a term the query guarantees to be bound and not a triple term (which has no value)."""
    assert term is not None and not isinstance(term, ox.Triple), f"expected a bound IRI, blank node or literal, not {term!r}"
    return term.value


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


#: RDF formats that write prefix declarations.
_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML}


def serialize_graph(
    triples: Sequence[ox.Triple], rdf_format: ox.RdfFormat, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF format (in the default graph for a dataset format)."""
    kwargs: dict[str, Any] = {"prefixes": dict(prefixes)} if prefixes and rdf_format in _PREFIXED else {}
    data: Sequence[ox.Triple] | list[ox.Quad] = triples
    if rdf_format.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return ox.serialize(data, format=rdf_format, **kwargs) or b""


def escape(text: str) -> str:
    """Text escaped for XML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted."""
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def _datatype(literal: ox.Literal) -> str:
    return literal.datatype.value


def term_to_json(term: Term) -> dict[str, object]:
    """One RDF term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                value["its:dir"] = str(direction.value if hasattr(direction, "value") else direction).lower()
        elif _datatype(term) != XSD_STRING:
            value["datatype"] = _datatype(term)
        return value
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_to_json(term.subject),
                "predicate": term_to_json(term.predicate),
                "object": term_to_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def to_json(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL 1.1 Query Results JSON Format, a row a line."""
    keys = [_dump(name) + ":" for name in variables]
    encoded: dict[Term, str] = {}  # each distinct term is encoded once
    lines = []
    for row in rows:
        parts = []
        for key, term in zip(keys, row):
            if term is None:
                continue
            text = encoded.get(term)
            if text is None:
                text = encoded[term] = _dump(term_to_json(term))
            parts.append(key + text)
        lines.append("{" + ",".join(parts) + "}")
    body = ",\n".join(lines)
    return f'{{"head":{_dump({"vars": list(variables)})},\n"results":{{"bindings":[\n{body}\n]}}}}\n'


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attributes = f" xml:lang={quoteattr(term.language)}"
        elif _datatype(term) != XSD_STRING:
            attributes = f" datatype={quoteattr(_datatype(term))}"
        else:
            attributes = ""
        return f"<literal{attributes}>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        parts = "".join(
            f"<{role}>{_xml_term(value)}</{role}>"
            for role, value in (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
        )
        return f"<triple>{parts}</triple>"
    raise TypeError(f"not an RDF term: {term!r}")


def to_xml(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL Query Results XML Format."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{RESULTS}">', "<head>"]
    out += [f"  <variable name={quoteattr(name)}/>" for name in variables]
    out += ["</head>", "<results>"]
    for row in rows:
        out.append("  <result>")
        for name, value in zip(variables, row):
            if value is not None:
                out.append(f"    <binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
        out.append("  </result>")
    out += ["</results>", "</sparql>", ""]
    return "\n".join(out)


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def to_csv(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL 1.1 Query Results CSV Format (lexical values, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue()


def to_tsv(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL 1.1 Query Results TSV Format (terms in Turtle syntax)."""
    lines = ["\t".join(f"?{name}" for name in variables)]
    for row in rows:
        lines.append("\t".join("" if value is None else str(value) for value in row))
    return "\n".join(lines) + "\n"

SOLUTION_WRITERS = {"csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}


def serialize_solutions(variables: Sequence[str], rows: Iterable[Sequence[Term | None]], fmt: str) -> bytes:
    """SELECT solutions in one of :data:`SOLUTION_FORMATS`."""
    if fmt not in SOLUTION_WRITERS:
        raise ValueError(f"not a result format: {fmt}")
    return SOLUTION_WRITERS[fmt](variables, rows).encode()


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in one of :data:`SOLUTION_FORMATS`.

    The W3C CSV and TSV formats have no form for a boolean; for them this
    writes the usual one-column table ``_askResult``.
    """
    word = "true" if value else "false"
    if fmt == "json":
        return f'{{"head":{{}},"boolean":{word}}}\n'.encode()
    if fmt == "xml":
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{RESULTS}">\n'
            f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"not a result format: {fmt}")


# --------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------
def parse_results(body: bytes, content_type: str, url: str = "the endpoint") -> QueryResult:
    """A SELECT or ASK answer, from SPARQL JSON (Virtuoso's ``typed-literal`` included), XML or TSV."""
    found = formats.lookup(content_type, "results") if content_type else None
    if found is not None and found.name != "json":
        try:
            parsed = ox.parse_query_results(body, format=found.results)
            if isinstance(parsed, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(parsed))
            names = [v.value for v in parsed.variables]
            return QueryResult("select", variables=names, rows=[tuple(s) for s in parsed])
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"malformed answer from {url}: {one_line(exc)}") from None
    try:
        document = json.loads(body)
        if "boolean" in document:
            if not isinstance(document["boolean"], bool):
                raise ValueError("'boolean' is not true or false")
            return QueryResult("ask", boolean=document["boolean"])
        names = list(document["head"]["vars"])
        blank: dict[str, ox.BlankNode] = {}
        rows = [
            tuple(term_from_json(binding[name], blank) if name in binding else None for name in names)
            for binding in document["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        kind = content_type or "no content type"
        raise EndpointError(f"malformed answer from {url} ({kind}): {one_line(exc) or type(exc).__name__}") from None
    return QueryResult("select", variables=names, rows=rows)


def term_from_json(value: dict[str, Any], blank: dict[str, ox.BlankNode] | None = None) -> Term:
    """One RDF term from the SPARQL 1.1 JSON results format; ``blank`` keeps the blank nodes of one answer."""
    blank = {} if blank is None else blank
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        label = value["value"]
        if label not in blank:
            blank[label] = ox.BlankNode()  # endpoint labels (Virtuoso's nodeID://...) are not valid ids
        return blank[label]
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return ox.Literal(value["value"], language=value["xml:lang"])
        if value.get("datatype"):
            return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
        return ox.Literal(value["value"])
    if kind == "triple":
        triple = value["value"]
        # ox.Triple checks their kinds itself: a literal subject raises TypeError, read as a malformed answer
        parts: list[Any] = [term_from_json(triple[part], blank) for part in ("subject", "predicate", "object")]
        return ox.Triple(*parts)
    raise ValueError(f"unknown term type {kind!r}")


def parse_graph(body: bytes, content_type: str, url: str = "the endpoint") -> QueryResult:
    """A CONSTRUCT or DESCRIBE answer in N-Triples, Turtle, RDF/XML, N-Quads, TriG or JSON-LD."""
    found = formats.lookup(content_type, "rdf") if content_type else None
    fmt = found.rdf if found is not None else None
    if fmt is None:
        raise EndpointError(f"malformed answer from {url}: unexpected content type {content_type or 'none'!r} for a graph")
    try:
        triples = [quad.triple for quad in ox.parse(body, format=fmt)]
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"malformed answer from {url}: {one_line(exc)}") from None
    return QueryResult("graph", triples=triples)
