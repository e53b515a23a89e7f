"""The Python API, for scripts and notebooks: ``kb = clusterkg.open()``, then ask it questions.

>>> import clusterkg
>>> kb = clusterkg.open()                                       # doctest: +SKIP
>>> kb.query("clusters").to_pandas()                            # doctest: +SKIP
>>> kb.query("SELECT ?c WHERE { ?c a ckg:BioCluster }")         # doctest: +SKIP
>>> kb.compare("Bucheon", "Daejeon bio cluster")                # doctest: +SKIP

Each call opens the store, answers and closes it again, so that a notebook
left open never holds the store's lock against ``clusterkg add`` in a
terminal. Results show as tables in Jupyter (``_repr_html_``), as text
elsewhere, and become pandas DataFrames with :meth:`Result.to_pandas`
(pandas is an optional extra: ``pip install 'clusterkg[notebook]'``).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from . import kb as knowledge_base
from . import paper_views, queries, tables
from .errors import InputError
from .namespaces import compact
from .sparql.results import Answer, Term
from .stores import Store, StoreSettings, open_store

if TYPE_CHECKING:  # pandas is optional
    import pandas

    from .cases.add import AddResult
    from .cases.issues import ValidationReport


def open(store: str | Path | None = None, endpoint: str | None = None,  # noqa: A001 -- clusterkg.open, as io.open
         update_endpoint: str | None = None) -> KnowledgeBase:
    """The knowledge base in the embedded store (default: the user's store, or ``$CLUSTERKG_STORE``) or at an endpoint."""
    return KnowledgeBase(StoreSettings(Path(store) if store else None, endpoint, update_endpoint))


class KnowledgeBase:
    """The knowledge base: the paper's argument and cases, and the cases you add."""

    def __init__(self, settings: StoreSettings | None = None) -> None:
        self.settings = settings or StoreSettings()

    def __repr__(self) -> str:
        where = self.settings.endpoint or self.settings.store_dir or "the default store"
        return f"<clusterkg.KnowledgeBase at {where}>"

    @contextmanager
    def _store(self, writable: bool = False) -> Iterator[Store]:
        with open_store(self.settings, writable=writable) as store:
            yield store

    def info(self) -> dict[str, object]:
        """Counts of what the knowledge base holds, and its source."""
        with self._store() as store:
            return knowledge_base.info(store)

    def queries(self) -> list[str]:
        """The names of the named queries (see ``clusterkg queries`` for their titles and parameters)."""
        return [query.name for query in queries.catalogue()]

    def query(self, name_or_sparql: str, *, lang: str = "en", **params: str) -> Result:
        """Run a named query (``"clusters"``) or a SPARQL query text, with parameters as keywords.

        Query texts may use the project's prefixes (``ckg:``, ``cki:``, ``rdfs:``, ...) without
        declaring them. Parameter values are written as on the command line: ``<IRI>``, a
        prefixed name, or a plain value.
        """
        text = name_or_sparql.strip()
        if not text:
            raise InputError("give a query name or a SPARQL query")
        named = text in {query.name for query in queries.catalogue()}
        with self._store() as store:
            done = queries.execute(store, name=text if named else None, text=None if named else text,
                                   params=params, lang=lang, inline=not named)
            labels = tables.lookup_labels(store, tables.result_iris(done.answer), lang)
        return Result(done.answer, labels, tables.table_hidden(done.answer.variables, done.bound))

    def compare(self, first: str, second: str, *, lang: str = "en") -> Comparison:
        """Two clusters side by side, named by label (Korean or English), local name or IRI."""
        with self._store() as store:
            return Comparison(paper_views.compare(store, first, second, lang), lang)

    def myths(self, *, lang: str = "en") -> Myths:
        """The paper's myths about cluster formation and the findings that counter them."""
        with self._store() as store:
            return Myths(paper_views.myths(store, lang), lang)

    def validate(self, *paths: str | Path) -> ValidationReport:
        """Check case files (YAML, CSV, Turtle, JSON-LD) as ``clusterkg validate`` does."""
        from .cases.validation import validate_files

        report, _ = validate_files(list(paths))
        return report

    def add(self, *paths: str | Path, replace: bool = False) -> AddResult:
        """Validate case files and add their cases, all or none, as ``clusterkg add`` does."""
        from .cases import add as cases
        from .cases.validation import validate_files

        report, converted = validate_files(list(paths))
        with self._store(writable=True) as store:
            return cases.add(store, converted, report, replace=replace)

    def remove(self, case: str) -> str:
        """Take an added case out again (by IRI, id or name); returns its IRI."""
        from .cases import add as cases

        with self._store(writable=True) as store:
            return cases.remove(store, case)


class Result:
    """A query's answer: ``rows`` of Python values, ``terms`` of RDF terms, a table in a notebook."""

    def __init__(self, answer: Answer, labels: dict[str, str], hidden: set[str]) -> None:
        self.answer = answer
        self.labels = labels
        self.hidden = hidden

    @property
    def kind(self) -> str:
        """``select``, ``ask`` or ``graph``."""
        return self.answer.kind

    @property
    def variables(self) -> list[str]:
        return list(self.answer.variables)

    @property
    def terms(self) -> list[tuple[Term | None, ...]]:
        """The rows as pyoxigraph terms (``None`` for an unbound value)."""
        return list(self.answer.rows)

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        """The rows as Python values: numbers, dates, booleans and strings; IRIs in prefixed form."""
        return [tuple(python_value(term) for term in row) for row in self.answer.rows]

    @property
    def boolean(self) -> bool | None:
        """The answer of an ASK query."""
        return self.answer.boolean

    @property
    def triples(self) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        return list(self.answer.triples)

    def __len__(self) -> int:
        return len(self.answer.triples) if self.kind == "graph" else len(self.answer.rows)

    def to_pandas(self, *, labels: bool = False) -> pandas.DataFrame:
        """The answer as a DataFrame: a column per variable (subject, predicate, object for a graph).

        ``labels=True`` shows IRIs by their label, as the tables do, and leaves out the
        columns a table hides (bound parameters, ``?x`` beside ``?xLabel``).
        """
        try:
            import pandas
        except ImportError:
            raise InputError("to_pandas needs pandas: pip install 'clusterkg[notebook]'") from None
        columns, cells = self._grid(labels)
        return pandas.DataFrame(cells, columns=columns)

    def _grid(self, labels: bool) -> tuple[list[str], list[list[Any]]]:
        def value(term: Term | None) -> Any:
            return tables.display(term, self.labels) if labels and isinstance(term, ox.NamedNode) else python_value(term)

        if self.kind == "ask":
            return ["boolean"], [[self.answer.boolean]]
        if self.kind == "graph":
            return ["subject", "predicate", "object"], [
                [value(t.subject), value(t.predicate), value(t.object)] for t in self.answer.triples
            ]
        keep = [i for i, name in enumerate(self.answer.variables) if not (labels and name in self.hidden)]
        return [self.answer.variables[i] for i in keep], [[value(row[i]) for i in keep] for row in self.answer.rows]

    def __repr__(self) -> str:
        return tables.render_table(self.answer, self.labels, hide=self.hidden).rstrip("\n")

    def _repr_html_(self) -> str:
        if self.kind == "ask":
            return f"<p>{'yes' if self.answer.boolean else 'no'}</p>"
        columns, cells = self._grid(labels=True)
        return html_table(columns, [[("" if cell is None else str(cell)) for cell in row] for row in cells],
                          f"{len(cells)} {'triple' if self.kind == 'graph' else 'row'}{'s' if len(cells) != 1 else ''}")


class Comparison:
    """Two clusters side by side: ``rows`` of (dimension, parts of A, parts of B)."""

    def __init__(self, comparison: paper_views.Comparison, lang: str) -> None:
        self.comparison = comparison
        self.lang = lang

    @property
    def rows(self) -> list[tuple[str, list[str], list[str]]]:
        return list(self.comparison.rows)

    def to_pandas(self) -> pandas.DataFrame:
        import pandas

        index = [title for title, _, _ in self.comparison.rows]
        data = {self.comparison.a_label: ["\n".join(a) for _, a, _ in self.comparison.rows],
                self.comparison.b_label: ["\n".join(b) for _, _, b in self.comparison.rows]}
        return pandas.DataFrame(data, index=index)

    def __repr__(self) -> str:
        return paper_views.format_comparison(self.comparison, lang=self.lang).rstrip("\n")

    def _repr_html_(self) -> str:
        header = "항목" if self.lang == "ko" else "dimension"
        rows = [[title, "<br>".join(map(html.escape, a)) or "-", "<br>".join(map(html.escape, b)) or "-"]
                for title, a, b in self.comparison.rows]
        return html_table([header, self.comparison.a_label, self.comparison.b_label], rows, escape_cells=False,
                          first_escaped=True)


class Myths:
    """The paper's myths, each with the findings that counter it."""

    def __init__(self, entries: Sequence[paper_views.Myth], lang: str) -> None:
        self.entries = list(entries)
        self.lang = lang

    def __iter__(self) -> Iterator[paper_views.Myth]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return paper_views.format_myths(self.entries, lang=self.lang).rstrip("\n")

    def _repr_html_(self) -> str:
        parts = []
        for number, myth in enumerate(self.entries, 1):
            items = "".join(
                f"<li>{html.escape(f.label)}" + (f" <small>(§{html.escape(f.section)})</small>" if f.section else "")
                + (f"<blockquote>{html.escape(f.excerpt)}</blockquote>" if f.excerpt else "") + "</li>"
                for f in myth.findings
            )
            section = f" <small>(§{html.escape(myth.section)})</small>" if myth.section else ""
            parts.append(f"<h4>{number}. {html.escape(myth.label)}{section}</h4><ul>{items}</ul>")
        return "".join(parts)


def python_value(term: Term | None) -> Any:
    """A term as a Python value: a literal's value in its datatype, an IRI in prefixed form (else whole)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return compact(term.value).strip("<>")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        from .rdfterms import to_rdflib

        value = to_rdflib(term).toPython()
        return value if not hasattr(value, "n3") else str(value)  # a value rdflib cannot map stays text
    return str(term)


def html_table(columns: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "", *,
               escape_cells: bool = True, first_escaped: bool = False) -> str:
    """A small HTML table for a notebook (cells escaped unless they are already HTML)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)

    def cell(index: int, text: str) -> str:
        return html.escape(text) if escape_cells or (first_escaped and index == 0) else text

    body = "".join("<tr>" + "".join(f"<td>{cell(i, c)}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
    tail = f"<caption style='caption-side: bottom'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tail}</table>"
