"""Query results written out: a table for people, the W3C formats for programs.

* ``table``: aligned and wrapped columns, IRIs shown by their label in the
  chosen language where the store has one (else as a prefixed name);
* ``csv``, ``tsv``, ``json``, ``xml``: the W3C SPARQL 1.1 query result
  formats, for SELECT (and for ASK: ``json``, ``xml``);
* ``ttl``, ``nt``, ``jsonld``: RDF, for CONSTRUCT and DESCRIBE.

Everything is written from a :class:`~clusterkg.store.QueryResult`, so
answers from the embedded store and from a remote endpoint come out alike.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import InputError
from .namespaces import PREFIXES
from .store import QueryResult, Store, Term

SOLUTION_FORMATS = ("csv", "tsv", "json", "xml")
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
)
#: IRIs looked up per label query; more are looked up in several queries.
LABEL_BATCH = 2000


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


def serialize(
    result: QueryResult | Answer,
    fmt: str = "table",
    *,
    labels: Mapping[str, str] | None = None,
    width: int | None = None,
    hide: Collection[str] = (),
) -> bytes:
    """Write a result in ``fmt``; InputError when the format does not fit the query form.

    ``labels`` (IRI -> label) and ``hide`` (variables to leave out) apply to the table only.
    """
    answer = materialize(result)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "table":
        return render_table(answer, labels or {}, width, hide).encode()
    if answer.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"a CONSTRUCT or DESCRIBE query gives RDF: use --format {', '.join(GRAPH_FORMATS)} or table")
        return serialize_graph(answer.triples, GRAPH_FORMATS[fmt], PREFIXES)
    if fmt in GRAPH_FORMATS:
        form = "an ASK" if answer.kind == "ask" else "a SELECT"
        raise InputError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; {form} query gives results: use table, csv, tsv, json or xml")
    if answer.kind == "ask":
        if fmt not in ("json", "xml"):
            raise InputError(f"the W3C {fmt.upper()} results format has no form for ASK: use json, xml or table")
        return serialize_boolean(bool(answer.boolean), fmt)
    return serialize_solutions(answer.variables, answer.rows, fmt)


#: RDF formats that write prefix declarations.
_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML}


def serialize_graph(
    triples: Sequence[ox.Triple], rdf_format: ox.RdfFormat, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF format (in the default graph for a dataset format)."""
    kwargs = {"prefixes": dict(prefixes)} if prefixes and rdf_format in _PREFIXED else {}
    if rdf_format.supports_datasets:
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return ox.serialize(triples, format=rdf_format, **kwargs) or b""


# --------------------------------------------------------------------------
# W3C SPARQL result formats
# --------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text escaped for XML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted."""
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def _datatype(literal: ox.Literal) -> str:
    return literal.datatype.value


def json_term(term: Term) -> dict[str, object]:
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
                "subject": json_term(term.subject),
                "predicate": json_term(term.predicate),
                "object": json_term(term.object),
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
                text = encoded[term] = _dump(json_term(term))
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
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{RESULTS_NS}">', "<head>"]
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
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{RESULTS_NS}">\n'
            f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"not a result format: {fmt}")


# --------------------------------------------------------------------------
# Labels and the table
# --------------------------------------------------------------------------


def result_iris(answer: Answer) -> list[str]:
    """The distinct IRIs of a result, in order of first appearance."""
    seen: dict[str, None] = {}

    def visit(term: Term | None) -> None:
        if isinstance(term, ox.NamedNode):
            seen.setdefault(term.value, None)
        elif isinstance(term, ox.Triple):
            for part in (term.subject, term.predicate, term.object):
                visit(part)

    for row in answer.rows:
        for value in row:
            visit(value)
    for triple in answer.triples:
        visit(triple)
    return list(seen)


def lookup_labels(store: Store, iris: Sequence[str], lang: str = "en") -> dict[str, str]:
    """The label of each IRI that has one (skos:prefLabel or rdfs:label), preferring ``lang``.

    One query per :data:`LABEL_BATCH` IRIs; an IRI without a label is left out.
    """
    ranked: dict[str, tuple[int, str]] = {}
    order = {lang: 0, "en": 1, "": 2}
    for start in range(0, len(iris), LABEL_BATCH):
        batch = [ox.NamedNode(iri) for iri in iris[start : start + LABEL_BATCH]]
        if not batch:
            continue
        values = " ".join(str(node) for node in batch)
        properties = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        sparql = f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {properties} }} ?s ?p ?label }}"
        for subject, prop, label in store.query(sparql).rows:
            if not isinstance(label, ox.Literal) or subject is None:
                continue
            rank = order.get((label.language or "").lower(), 3) * 2 + (prop.value != LABEL_PROPERTIES[0])
            current = ranked.get(subject.value)
            if current is None or (rank, label.value) < current:
                ranked[subject.value] = (rank, label.value)
    return {iri: label for iri, (_, label) in ranked.items()}


def compact_iri(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the project's namespaces, else ``<iri>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def display(term: Term | None, labels: Mapping[str, str]) -> str:
    """How a term reads in a table."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return labels.get(term.value) or compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return f"<< {display(term.subject, labels)} {display(term.predicate, labels)} {display(term.object, labels)} >>"


def text_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


def wrap(text: str, width: int) -> list[str]:
    """Wrap text to ``width`` terminal columns, at spaces where possible."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        hang = "  " if paragraph.startswith("- ") and width > 4 else ""  # list items hang
        line, line_width = "", 0
        for word in paragraph.split():
            word_width = text_width(word)
            if line and line_width + 1 + word_width <= width:
                line, line_width = f"{line} {word}", line_width + 1 + word_width
                continue
            if line:
                lines.append(line)
                if hang:
                    word, word_width = hang + word, word_width + len(hang)
            while word_width > width:  # a word longer than the column is cut
                cut = _cut(word, width)
                lines.append(cut)
                word = word[len(cut) :]
                word_width = text_width(word)
            line, line_width = word, word_width
        lines.append(line)
    return lines or [""]


def _cut(word: str, width: int) -> str:
    """The longest start of ``word`` that fits ``width`` columns (at least one character)."""
    used = 0
    for index, char in enumerate(word):
        used += text_width(char)
        if used > width:
            return word[: max(index, 1)]
    return word


def pad(text: str, width: int) -> str:
    return text + " " * max(width - text_width(text), 0)


def fit_widths(natural: Sequence[int], total: int, separator: int = 3, minimum: int = 6) -> list[int]:
    """Column widths that fit ``total`` columns: the widest columns give way first."""
    widths = [max(w, 1) for w in natural]
    budget = total - separator * (len(widths) - 1)
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= minimum:
            break
        widths[widest] -= 1
    return widths


def format_grid(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Aligned, wrapped columns with a header line."""
    total = width or shutil.get_terminal_size((120, 24)).columns
    natural = [
        max([text_width(h)] + [max((text_width(x) for x in cell.split("\n")), default=0) for cell in column])
        for h, column in zip(headers, zip(*rows) if rows else [[] for _ in headers])
    ]
    widths = fit_widths(natural, total)
    out = []
    titles = [wrap(h, w) for h, w in zip(headers, widths)]
    for i in range(max((len(t) for t in titles), default=0)):
        out.append(" | ".join(pad(t[i] if i < len(t) else "", w) for t, w in zip(titles, widths)).rstrip())
    out.append("-+-".join("-" * w for w in widths))
    wrapped = [[wrap(cell, w) for cell, w in zip(row, widths)] for row in rows]
    spaced = any(len(lines) > 1 for cells in wrapped for lines in cells)
    for number, cells in enumerate(wrapped):
        if spaced and number:
            out.append(" | ".join(" " * w for w in widths).rstrip())
        for i in range(max((len(c) for c in cells), default=0)):
            parts = [pad(c[i] if i < len(c) else "", w) for c, w in zip(cells, widths)]
            out.append(" | ".join(parts).rstrip())
    return "\n".join(out) + "\n"


def table_hidden(variables: Sequence[str], bound: Collection[str] = ()) -> set[str]:
    """Columns a table leaves out: bound parameters, and ``?x`` where ``?xLabel`` is selected too."""
    names = set(variables)
    hidden = {name for name in variables if name in bound}
    hidden |= {name for name in variables if f"{name}Label" in names}
    return hidden if len(hidden) < len(names) else set()


def render_table(
    answer: Answer, labels: Mapping[str, str], width: int | None = None, hide: Collection[str] = ()
) -> str:
    """A result as a table for people: SELECT rows, the triples of a graph, or yes/no for ASK."""
    if answer.kind == "ask":
        return ("yes" if answer.boolean else "no") + "\n"
    if answer.kind == "graph":
        headers = ["subject", "predicate", "object"]
        rows = [[display(t.subject, labels), display(t.predicate, labels), display(t.object, labels)] for t in answer.triples]
        noun = "triple"
    else:
        keep = [i for i, name in enumerate(answer.variables) if name not in hide]
        headers = [answer.variables[i] for i in keep]
        rows = [[display(row[i], labels) for i in keep] for row in answer.rows]
        noun = "row"
    if not headers:
        return f"({len(rows)} {noun}{'s' if len(rows) != 1 else ''})\n"
    grid = format_grid(headers, rows, width)
    return grid + f"({len(rows)} {noun}{'s' if len(rows) != 1 else ''})\n"
