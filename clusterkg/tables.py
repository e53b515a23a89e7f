"""Results for people: aligned text tables, IRIs shown by their labels; and writing a result in any ``--format``.

* ``table``: aligned and wrapped columns, IRIs shown by their label in the
  chosen language where the store has one (else as a prefixed name); records,
  a field a line, when the width cannot hold the columns;
* ``csv``, ``tsv``, ``json``, ``xml``: the W3C SPARQL 1.1 query result
  formats, for SELECT (and for ASK: ``json``, ``xml``);
* ``ttl``, ``nt``, ``jsonld``, ``rdfxml``: RDF, for CONSTRUCT and DESCRIBE (``json`` is JSON-LD there,
  ``xml`` RDF/XML, as the format table has it).

:func:`format_grid` is the one text-table renderer of the project: query
results, comparisons, quality reports and linking reports all use it.
"""

from __future__ import annotations

import functools
import shutil
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence

import pyoxigraph as ox

from .errors import InputError
from .namespaces import PREFIXES, RDFS, SKOS, compact
from .sparql import formats
from .sparql.results import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    Answer,
    QueryResult,
    Term,
    materialize,
    serialize_boolean,
    serialize_graph,
    serialize_solutions,
    value_of,
)
from .stores.base import Store

FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label")
#: IRIs looked up per label query; more are looked up in several queries.
LABEL_BATCH = 2000


def serialize(
    result: QueryResult | Answer,
    fmt: str = "table",
    *,
    labels: Mapping[str, str] | None = None,
    width: int | None = None,
    hide: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
) -> bytes:
    """Write a result in ``fmt``; InputError when the format does not fit the query form.

    ``labels`` (IRI -> label), ``hide`` (variables to leave out) and ``titles`` (variable -> column
    title) apply to the table only: the machine formats keep the variables' names.
    """
    answer = materialize(result)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "table":
        return render_table(answer, labels or {}, width, hide, titles).encode()
    if answer.kind == "graph":
        found = formats.lookup(fmt, "rdf")
        if found is None or found.name not in GRAPH_FORMATS:
            raise InputError(f"a CONSTRUCT or DESCRIBE query gives RDF: use --format {', '.join(GRAPH_FORMATS)} or table")
        rdf_format = GRAPH_FORMATS[found.name]
        assert rdf_format is not None
        return serialize_graph(answer.triples, rdf_format, PREFIXES)
    if fmt in GRAPH_FORMATS:
        form = "an ASK" if answer.kind == "ask" else "a SELECT"
        raise InputError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE; {form} query gives results: use table, csv, tsv, json or xml"
        )
    if answer.kind == "ask":
        if fmt not in ("json", "xml"):
            raise InputError(f"the W3C {fmt.upper()} results format has no form for ASK: use json, xml or table")
        return serialize_boolean(bool(answer.boolean), fmt)
    return serialize_solutions(answer.variables, answer.rows, fmt)


def write(
    store: Store, result: QueryResult | Answer, fmt: str = "table", *, lang: str = "en", width: int | None = None,
    bound: Collection[str] = (), titles: Mapping[str, str] | None = None,
) -> bytes:
    """A result in ``fmt``; a table shows labels from ``store`` in ``lang``, hides the ``bound`` columns and
    heads the others with ``titles`` (a named query's column titles) where given."""
    return b"".join(write_chunks(store, result, fmt, lang=lang, width=width, bound=bound, titles=titles))


def write_chunks(
    store: Store, result: QueryResult | Answer, fmt: str = "table", *, lang: str = "en", width: int | None = None,
    bound: Collection[str] = (), titles: Mapping[str, str] | None = None,
) -> Iterator[bytes]:
    """The bytes of :func:`write`, a table a line at a time (its labels looked up before the first line)."""
    if fmt != "table":
        yield serialize(result, fmt)
        return
    answer = materialize(result)
    labels = lookup_labels(store, result_iris(answer), lang)
    hidden = table_hidden(answer.variables, bound)
    for line in table_lines(answer, labels, width, hidden, titles):
        yield line.encode()


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

    One query per :data:`LABEL_BATCH` IRIs, with one branch per label property: a constant predicate lets the
    engine look each IRI's labels up in its index rather than scan every triple once per batch, so the cost
    grows with the number of IRIs, not with the store. An IRI without a label is left out.
    """
    ranked: dict[str, tuple[int, str]] = {}
    order = {lang: 0, "en": 1, "": 2}
    branches = " UNION ".join(f"{{ ?s <{p}> ?label BIND({rank} AS ?p) }}" for rank, p in enumerate(LABEL_PROPERTIES))
    for start in range(0, len(iris), LABEL_BATCH):
        batch = [ox.NamedNode(iri) for iri in iris[start : start + LABEL_BATCH]]
        if not batch:
            continue
        values = " ".join(str(node) for node in batch)
        sparql = f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} {branches} }}"
        for subject, prop, label in store.query(sparql).rows:
            if not isinstance(label, ox.Literal) or subject is None:
                continue
            rank = order.get((label.language or "").lower(), 3) * 2 + (value_of(prop) != "0")
            current = ranked.get(value_of(subject))
            if current is None or (rank, label.value) < current:
                ranked[value_of(subject)] = (rank, label.value)
    return {iri: label for iri, (_, label) in ranked.items()}


def display(term: Term | None, labels: Mapping[str, str]) -> str:
    """How a term reads in a table."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return labels.get(term.value) or compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return f"<< {display(term.subject, labels)} {display(term.predicate, labels)} {display(term.object, labels)} >>"


def text_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


@functools.lru_cache(maxsize=8192)
def _char_width(char: str) -> int:
    return 0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1


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
                word_width -= text_width(cut)  # not the rest measured again: a long word stays linear
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
    return text.ljust(width) if text.isascii() else text + " " * max(width - text_width(text), 0)


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


def format_grid(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None, *, separator: str = " | ",
) -> str:
    """Aligned, wrapped columns with a header line, fitted to ``width`` (default: the terminal's).

    >>> print(format_grid(["name", "firms"], [["Bucheon", "7000"]], separator="  "), end="")
    name     firms
    -------  -----
    Bucheon  7000
    """
    return "".join(grid_lines(headers, rows, width, separator=separator))


def grid_lines(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None, *, separator: str = " | ",
) -> Iterator[str]:
    """The lines of :func:`format_grid`, one at a time: the widths from one pass over the cells, then each row
    wrapped as it is written (a row is spaced from the next when any cell of the table takes several lines).
    A table whose columns would be narrowed below :data:`READABLE` is written as records (:func:`record_lines`)."""
    total = width or shutil.get_terminal_size((120, 24)).columns
    rule = separator.replace(" ", "-").replace("|", "+") if "|" in separator else separator
    natural = [text_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[: len(natural)]):
            natural[i] = max(natural[i], _cell_width(cell))
    widths = fit_widths(natural, total, separator=len(separator))
    if len(widths) > 2 and any(w < min(n, READABLE) for n, w in zip(natural, widths)):
        yield from record_lines(headers, rows, total)
        return
    titles = [wrap(h, w) for h, w in zip(headers, widths)]
    for i in range(max((len(t) for t in titles), default=0)):
        yield separator.join(pad(t[i] if i < len(t) else "", w) for t, w in zip(titles, widths)).rstrip() + "\n"
    yield rule.join("-" * w for w in widths) + "\n"
    narrowed = [i for i, (n, w) in enumerate(zip(natural, widths)) if n > w]  # only their cells can wrap
    spaced = any("\n" in cell for row in rows for cell in row) or any(
        len(wrap(row[i], widths[i])) > 1 for row in rows for i in narrowed if i < len(row) and _cell_width(row[i]) > widths[i]
    )
    blank = separator.join(" " * w for w in widths).rstrip() + "\n"
    for number, row in enumerate(rows):
        if not spaced:
            yield separator.join(pad(" ".join(cell.split()), w) for cell, w in zip(row, widths)).rstrip() + "\n"
            continue
        if number:
            yield blank
        cells = [_lines(cell, w) for cell, w in zip(row, widths)]
        for i in range(max((len(c) for c in cells), default=0)):
            yield separator.join(pad(c[i] if i < len(c) else "", w) for c, w in zip(cells, widths)).rstrip() + "\n"


#: A column narrower than this (and than its cells) is hard to read: the table is then written as records.
READABLE = 10


def record_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> Iterator[str]:
    """Rows as records, a field a line (as ``psql``'s expanded display): for a table of more columns than
    ``width`` holds. A record's empty fields are left out.

    >>> print("".join(record_lines(["name", "firms", "stage"], [["Bucheon", "7000", ""]], 40)), end="")
    -[ 1 ]----------------------------------
    name   Bucheon
    firms  7000
    """
    key = min(max((text_width(h) for h in headers), default=1), max(width // 3, 6))
    value = max(width - key - 2, 10)
    for number, row in enumerate(rows, start=1):
        head = f"-[ {number} ]"
        yield head + "-" * max(width - text_width(head), 0) + "\n"
        for header, cell in zip(headers, row):
            if not cell.strip():
                continue
            keys, values = wrap(header, key), _lines(cell, value)
            for i in range(max(len(keys), len(values))):
                line = pad(keys[i] if i < len(keys) else "", key) + "  " + (values[i] if i < len(values) else "")
                yield line.rstrip() + "\n"


def _cell_width(cell: str) -> int:
    return max(text_width(line) for line in cell.split("\n")) if "\n" in cell else text_width(cell)


def _lines(cell: str, width: int) -> list[str]:
    """A cell's lines in a column ``width`` wide: a cell that fits is one line (its white space made single, as
    :func:`wrap` makes it)."""
    if "\n" not in cell and text_width(cell) <= width:
        return [" ".join(cell.split())]
    return wrap(cell, width)


def table_hidden(variables: Sequence[str], bound: Collection[str] = ()) -> set[str]:
    """Columns a table leaves out: bound parameters, and ``?x`` where ``?xLabel`` is selected too."""
    names = set(variables)
    hidden = {name for name in variables if name in bound}
    hidden |= {name for name in variables if f"{name}Label" in names}
    return hidden if len(hidden) < len(names) else set()


def render_table(
    answer: Answer, labels: Mapping[str, str], width: int | None = None, hide: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
) -> str:
    """A result as a table for people: SELECT rows, the triples of a graph, or yes/no for ASK.

    ``titles`` heads a column by its title instead of its variable's name.
    """
    return "".join(table_lines(answer, labels, width, hide, titles))


def table_lines(
    answer: Answer, labels: Mapping[str, str], width: int | None = None, hide: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """The lines of :func:`render_table`, one at a time."""
    if answer.kind == "ask":
        yield ("yes" if answer.boolean else "no") + "\n"
        return
    if answer.kind == "graph":
        headers = ["subject", "predicate", "object"]
        rows = [[display(t.subject, labels), display(t.predicate, labels), display(t.object, labels)] for t in answer.triples]
        noun = "triple"
    else:
        keep = [i for i, name in enumerate(answer.variables) if name not in hide]
        headers = [(titles or {}).get(answer.variables[i], answer.variables[i]) for i in keep]
        rows = [[display(row[i], labels) for i in keep] for row in answer.rows]
        noun = "row"
    if headers:
        yield from grid_lines(headers, rows, width)
    yield f"({len(rows)} {noun}{'s' if len(rows) != 1 else ''})\n"
