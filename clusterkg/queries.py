"""Running SPARQL queries with bound parameters, named queries among them.

The named queries themselves (the files ``queries/NAME.rq``, their headers,
typed parameters and column titles) are read by :mod:`clusterkg.query_catalogue`;
its names are available from here too.

Values are bound to ``?NAME`` as RDF terms: the store puts each term,
serialised by pyoxigraph, in place of the variable token by token
(:mod:`clusterkg.sparql.bindings`), never pasting the value's text, so no value
can change what a query does. Any variable of any query form can be bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from . import names
from .errors import EndpointError, InputError, NotFoundError, QueryError
from .namespaces import XSD, compact, prefix_lines
from .query_catalogue import (
    FIELDS,
    LIST_SEPARATOR,
    PARAM_TYPES,
    NamedQuery,
    Param,
    bind_value,
    catalogue,
    catalogue_json,
    get,
    load_query,
    parse_header,
    query_json,
)
from .sparql.limits import check_limits
from .sparql.results import Answer, QueryResult, Term, materialize
from .sparql.syntax import explain_syntax_error, has_position, refuse_update
from .stores.base import Store, local_syntax_error

__all__ = [
    "FIELDS", "LIST_SEPARATOR", "PARAM_TYPES", "PREFIX_LINE", "XSD", "Execution", "MissingParameters", "NamedQuery", "Param",
    "adhoc_bindings", "bind_value", "catalogue", "catalogue_json", "entity_by_name", "execute", "get", "load_query",
    "named_bindings",
    "parse_assignments", "parse_header", "prepare", "query_json", "run", "run_named", "run_text",
]


def prepare(name: str, params: Mapping[str, str], store: Store | None = None) -> tuple[str, dict[str, Term]]:
    """The text of named query ``name`` and its typed bindings (names of entities resolved in ``store``).

    Raises NotFoundError (unknown query or parameter, an unknown or ambiguous
    name) or InputError (a value that does not fit its type, a required
    parameter missing: :class:`MissingParameters`).
    """
    query = get(name)
    return query.text, named_bindings(query, params, store)


class MissingParameters(InputError):
    """A named query was run without a value for some required parameters (:attr:`params`)."""

    def __init__(self, query: NamedQuery, params: list[Param]) -> None:
        self.query = query
        self.params = params
        names = [param.name for param in params]
        usage = " ".join(f"--param {name}=..." for name in names)
        super().__init__(f"query {query.name!r} needs {', '.join(names)}: give {usage}")


# --------------------------------------------------------------------------
# Parameter values
# --------------------------------------------------------------------------
def named_bindings(query: NamedQuery, params: Mapping[str, str], store: Store | None = None) -> dict[str, Term]:
    """Check and type the values given for a named query; defaults fill in the rest.

    With a ``store``, an ``iri`` parameter also takes an entity's name (a label in
    either language, or its local name) of the class its header declares
    (:mod:`clusterkg.names`): ``entity=Bucheon`` as well as ``entity=cki:place-bucheon``.
    """
    for name in params:
        query.param(name)  # NotFoundError for an unknown parameter
    bindings: dict[str, Term] = {}
    missing = []
    for param in query.params:
        if param.name in params:
            value = params[param.name]
            if param.type == "iri" and store is not None and value.strip() and not names.looks_like_iri(value.strip()):
                bindings[param.name] = entity_by_name(store, param, value.strip())
            else:
                bindings[param.name] = bind_value(param, value)
        elif param.default is not None:
            bindings[param.name] = bind_value(param, param.default)
        elif param.required:
            missing.append(param)
    if missing:
        raise MissingParameters(query, missing)
    return bindings


def entity_by_name(store: Store, param: Param, name: str) -> ox.NamedNode:
    """The entity that ``name`` names among the values ``param`` takes; NotFoundError lists the candidates."""
    if param.cls is None:
        kind = "an entity"
    else:
        kind = f"{'a class under' if param.subclasses else 'an entity of class'} {compact(param.cls)}"
    try:
        found = names.resolve(store, name, param.cls, subclasses=param.subclasses,
                              what="class" if param.subclasses else "entity")
    except (NotFoundError, InputError) as exc:
        raise NotFoundError(f"parameter {param.name!r} expects an IRI or the name of {kind}: {exc}") from None
    return ox.NamedNode(found.iri)


def adhoc_bindings(params: Mapping[str, str]) -> dict[str, Term]:
    """Values for an ad-hoc query: an IRI when written ``<...>``, else a literal (see :func:`parse_term`)."""
    from .sparql.values import parse_term  # only when a value is bound

    bindings = {}
    for name, value in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError(f"{name!r} is not a variable name")
        bindings[name] = parse_term(value)
    return bindings


def parse_assignments(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` strings (from ``--param``) as a dict; a name may appear once.

    >>> parse_assignments(["cluster=bucheon", "?lang=ko"])
    {'cluster': 'bucheon', 'lang': 'ko'}
    """
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise InputError(f"--param expects NAME=VALUE, got {item!r}")
        if name in result:
            raise InputError(f"parameter {name!r} given twice")
        result[name] = value
    return result


# --------------------------------------------------------------------------
# Running queries
# --------------------------------------------------------------------------

#: The project's prefixes, on one line, for inline (``-e``) queries.
PREFIX_LINE = prefix_lines(separator=" ")


def run(
    store: Store,
    sparql: str,
    bindings: Mapping[str, Term] | None = None,
    *,
    base_iri: str | None = None,
    default_prefixes: bool = False,
    trusted: bool = False,
) -> QueryResult:
    """Run a read-only query; updates are refused, syntax errors explained.

    No store runs an update as a query (the engines refuse it as a syntax error, the endpoint store
    before sending it), so the text is read for its form only when the store has refused it. A text
    that is not ``trusted`` (one of the shipped queries) is first held to the limits of
    :func:`~clusterkg.sparql.limits.check_limits`.
    """
    if not trusted:
        check_limits(sparql)
    text = PREFIX_LINE + sparql if default_prefixes else sparql
    offset = len(PREFIX_LINE) if default_prefixes else 0
    try:
        return store.query(text, bindings=dict(bindings or {}), base_iri=base_iri)
    except QueryError as exc:
        refuse_update(sparql)
        message = str(exc)
        if has_position(message):
            raise QueryError(explain_syntax_error(message.removeprefix("SPARQL syntax error:"), sparql, 0, offset)) from None
        raise
    except SyntaxError as exc:  # a backend that lets the engine's error through
        refuse_update(sparql)
        raise QueryError(explain_syntax_error(str(exc), sparql, 0, offset)) from None
    except EndpointError:
        # a remote engine's syntax errors vary; if ours finds one too, say where it is
        local = local_syntax_error(text)
        if local is None:
            raise
        raise QueryError(explain_syntax_error(local, sparql, 0, offset) + " (the endpoint refused it too)") from None


def run_text(
    store: Store,
    sparql: str,
    params: Mapping[str, str] | None = None,
    *,
    base_iri: str | None = None,
    default_prefixes: bool = False,
) -> QueryResult:
    """Run an ad-hoc query, binding ``?NAME`` for each ``params`` entry (see :func:`adhoc_bindings`)."""
    return run(store, sparql, adhoc_bindings(params or {}), base_iri=base_iri, default_prefixes=default_prefixes)


def run_named(
    store: Store, name: str, params: Mapping[str, str] | None = None, *, base_iri: str | None = None,
    bind: Mapping[str, Term] | None = None,
) -> QueryResult:
    """Run the named query ``name`` with typed parameter values (defaults for the rest); ``bind`` binds
    other variables of the query to terms (``{"cluster": NamedNode(...)}``: the rows of one cluster)."""
    query = get(name)
    return _run_bound(store, query, {**named_bindings(query, params or {}, store), **(bind or {})}, base_iri)


def _run_bound(store: Store, query: NamedQuery, bindings: Mapping[str, Term], base_iri: str | None) -> QueryResult:
    result = run(store, query.text, bindings, base_iri=base_iri, trusted=True)
    columns = [i for i, variable in enumerate(result.variables) if variable in query.lists]
    if columns and result.kind == "select":
        result.rows = (_sort_lists(row, columns) for row in result.rows)
    return result


class Execution:
    """A query's answer read to the end, the variables that parameters bound (defaults included),
    and, for a named query, the titles of its columns in the language asked for."""

    __slots__ = ("answer", "bound", "titles")

    def __init__(self, answer: Answer, bound: set[str], titles: dict[str, str] | None = None) -> None:
        self.answer, self.bound, self.titles = answer, bound, titles or {}


def execute(
    store: Store,
    *,
    name: str | None = None,
    text: str | None = None,
    params: Mapping[str, str] | None = None,
    lang: str = "en",
    base_iri: str | None = None,
    inline: bool = False,
) -> Execution:
    """Run a named query (its ``lang`` parameter defaulting to ``lang``) or a query text, read to the end.

    ``inline`` predeclares the project's prefixes (for ``-e`` queries). A named query's answer comes
    with its column titles in ``lang``.
    """
    values = dict(params or {})
    if name is not None:
        query = get(name)
        if any(p.name == "lang" for p in query.params):
            values.setdefault("lang", lang)
        bindings = named_bindings(query, values, store)
        answer = materialize(_run_bound(store, query, bindings, base_iri))
        return Execution(answer, set(bindings), query.column_titles(lang))
    if text is None:
        raise InputError("give a query name or a query text")
    result = run(store, text, adhoc_bindings(values), base_iri=base_iri, default_prefixes=inline)
    return Execution(materialize(result), set(values))


def _sort_lists(row: tuple[Term | None, ...], columns: list[int]) -> tuple[Term | None, ...]:
    """A row with the values of its list cells in sorted order."""
    cells = list(row)
    for index in columns:
        cell = cells[index]
        if isinstance(cell, ox.Literal) and LIST_SEPARATOR in cell.value:
            ordered = LIST_SEPARATOR.join(sorted(cell.value.split(LIST_SEPARATOR)))
            cells[index] = ox.Literal(ordered, language=cell.language) if cell.language else ox.Literal(
                ordered, datatype=cell.datatype
            )
    return tuple(cells)
