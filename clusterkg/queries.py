"""Named queries and the running of SPARQL queries with bound parameters.

Each file ``queries/NAME.rq`` is one named question. It opens with a block
of ``#`` comment lines that this module reads::

    # title: Myths and the findings that counter them
    # title@ko: 오해와 그에 대한 반론
    # description: One row per finding, with the myth it counters ...
    #   (an indented comment line continues the previous field)
    # param: lang (lang) = en -- language of the labels
    # param: cluster (iri) -- no default: the parameter is required
    # param: kind (iri, optional) -- unbound when not given
    # lists: industries, anchors
    # service: https://query.wikidata.org/sparql   (an outside endpoint the query calls)

``lists`` names columns holding several values joined with ``"; "``
(GROUP_CONCAT): clusterkg sorts the values in each such cell, since SPARQL
leaves their order to the engine and answers must not change with it.

Parameter types: ``iri``, ``string``, ``integer``, ``decimal``, ``boolean``,
``date``, ``lang`` (a language tag) and ``term`` (any value, read as for an
ad-hoc query, see :func:`parse_term`).

Values are bound to ``?NAME`` as RDF terms through the store (SPARQL value
insertion, SEP-0007), never pasted into the query text, so no value can
change the shape of a query. In a SELECT query a bound variable must be
projected: named queries list their parameters in their SELECT clause.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import EndpointError, InputError, NotFoundError, QueryError
from .namespaces import XSD, prefix_lines
from .resources import data_dir
from .sparql.limits import check_limits
from .sparql.results import Answer, QueryResult, Term, materialize
from .sparql.syntax import explain_syntax_error, has_position, refuse_update
from .stores.base import Store

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date", "lang", "term")

_FIELD = re.compile(r"#\s?(?P<key>[A-Za-z]+(?:@[A-Za-z-]+)?):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)(?P<optional>\s*,\s*optional)?\)"
    r"\s*(?:=\s*(?P<default>.*?))?\s*(?:--\s*(?P<doc>.*))?$"
)
FIELDS = ("title", "description", "param", "lists", "service")
LIST_SEPARATOR = "; "
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Param:
    """A declared parameter of a named query."""

    name: str
    type: str = "term"
    default: str | None = None
    optional: bool = False
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional


@dataclass(frozen=True)
class NamedQuery:
    """A question kept in ``queries/NAME.rq``, with what its header declares."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...]
    text: str
    path: Path | None = None
    meta: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise NotFoundError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")

    @property
    def service(self) -> str | None:
        """The outside endpoint the query calls with SERVICE, if its header names one."""
        return self.meta.get("service")

    def title_in(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en") or self.name

    @property
    def lists(self) -> list[str]:
        """Columns whose cells are lists joined with ``"; "``, sorted by :func:`run_named`."""
        return [name.lstrip("?") for name in re.split(r"[\s,]+", self.meta.get("lists", "")) if name]


# --------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------
def parse_header(text: str, name: str = "query") -> tuple[dict[str, str], list[Param]]:
    """Read the leading comment block of a query: its fields and its parameters."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    last: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.rstrip()
        if not stripped.startswith("#"):
            if stripped.strip():
                break
            continue
        if stripped.strip("# ") == "":
            last = None
            continue
        continuation = _CONTINUATION.match(stripped)
        if continuation and last:
            if last == "param":
                previous = params[-1]
                joined = (previous.description + " " + continuation["value"]).strip()
                params[-1] = Param(previous.name, previous.type, previous.default, previous.optional, joined)
            else:
                fields[last] += " " + continuation["value"].strip()
            continue
        match = _FIELD.match(stripped)
        if not match:
            continue  # an ordinary comment
        key, value = match["key"], match["value"].strip()
        if key.partition("@")[0] not in FIELDS:
            raise InputError(f"{name}, line {number}: unknown header field {key!r}; the fields are {', '.join(FIELDS)}")
        if key == "param":
            params.append(_parse_param(value, name, number))
        else:
            fields[key] = value
        last = key
    if "title" not in fields:
        raise InputError(f"{name}: the header has no '# title:' line")
    return fields, params


def _parse_param(value: str, name: str, line: int) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise InputError(f"{name}, line {line}: cannot read parameter {value!r}; write '# param: NAME (TYPE) = DEFAULT -- text'")
    kind = match["type"]
    if kind not in PARAM_TYPES:
        raise InputError(f"{name}, line {line}: unknown parameter type {kind!r}; use one of {', '.join(PARAM_TYPES)}")
    default = match["default"] or None
    param = Param(match["name"], kind, default, bool(match["optional"]), (match["doc"] or "").strip())
    if default is not None:
        bind_value(param, default)  # a default must itself be valid
    return param


def load_query(path: Path) -> NamedQuery:
    """Read one named query file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    fields, params = parse_header(text, path.name)
    titles = {k.partition("@")[2] or "en": v for k, v in fields.items() if k.partition("@")[0] == "title"}
    descriptions = {
        k.partition("@")[2] or "en": v for k, v in fields.items() if k.partition("@")[0] == "description"
    }
    meta = {k: v for k, v in fields.items() if k.partition("@")[0] not in {"title", "description"}}
    return NamedQuery(path.stem, titles, descriptions, tuple(params), text, path, meta)


@cache
def _catalogue(directory: Path) -> tuple[NamedQuery, ...]:
    return tuple(load_query(path) for path in sorted(directory.glob("*.rq")))


def catalogue(directory: Path | None = None) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return list(_catalogue(Path(directory) if directory else data_dir("queries")))


def get(name: str, directory: Path | None = None) -> NamedQuery:
    """The named query ``name``; NotFoundError lists the known names."""
    queries = catalogue(directory)
    for query in queries:
        if query.name == name:
            return query
    known = ", ".join(q.name for q in queries)
    raise NotFoundError(f"no named query {name!r}; known queries: {known} (see 'clusterkg queries')")


def query_json(query: NamedQuery) -> dict[str, Any]:
    """A named query's titles, descriptions and parameters, as JSON data."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "params": [
            {
                "name": param.name,
                "type": param.type,
                "default": param.default,
                "required": param.required,
                "description": param.description,
            }
            for param in query.params
        ],
    }


def catalogue_json() -> list[dict[str, Any]]:
    """Every named query with its titles, descriptions and parameters (for the web page and ``queries --json``)."""
    return [query_json(query) for query in catalogue()]


def prepare(name: str, params: Mapping[str, str]) -> tuple[str, dict[str, Term]]:
    """The text of named query ``name`` and its typed bindings.

    Raises NotFoundError (unknown query or parameter) or InputError (a value
    that does not fit its type, a required parameter missing).
    """
    query = get(name)
    return query.text, named_bindings(query, params)


# --------------------------------------------------------------------------
# Parameter values
# --------------------------------------------------------------------------
def bind_value(param: Param, value: str) -> Term:
    """The RDF term for ``value`` given as parameter ``param``; InputError if it does not fit the type."""
    from .sparql.values import expand_iri, parse_term  # only when a value is bound

    kind = param.type

    def wrong(expected: str) -> InputError:
        return InputError(f"parameter {param.name!r} expects {expected}, got {value!r}")

    if kind == "iri":
        try:
            return expand_iri(value)
        except InputError as exc:
            raise InputError(f"parameter {param.name!r} expects an IRI: {exc}") from None
    if kind == "string":
        return ox.Literal(value)
    if kind == "lang":
        if not _LANG_TAG.match(value):
            raise wrong("a language tag such as en or ko")
        return ox.Literal(value.lower())
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise wrong("an integer")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()):
            raise wrong("a decimal number")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "boolean":
        if value.lower() not in {"true", "false", "1", "0"}:
            raise wrong("true or false")
        return ox.Literal("true" if value.lower() in {"true", "1"} else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "date":
        if not re.fullmatch(r"-?\d{4,}-\d{2}-\d{2}", value.strip()):
            raise wrong("a date YYYY-MM-DD")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + "date"))
    return parse_term(value)


def named_bindings(query: NamedQuery, params: Mapping[str, str]) -> dict[str, Term]:
    """Check and type the values given for a named query; defaults fill in the rest."""
    for name in params:
        query.param(name)  # NotFoundError for an unknown parameter
    bindings: dict[str, Term] = {}
    missing = []
    for param in query.params:
        if param.name in params:
            bindings[param.name] = bind_value(param, params[param.name])
        elif param.default is not None:
            bindings[param.name] = bind_value(param, param.default)
        elif param.required:
            missing.append(param.name)
    if missing:
        usage = " ".join(f"--param {name}=..." for name in missing)
        raise InputError(f"query {query.name!r} needs {', '.join(missing)}: give {usage}")
    return bindings


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


def local_syntax_error(sparql: str) -> str | None:
    """The embedded engine's syntax error for a query, or None if it parses."""
    try:
        ox.Store().query(sparql)
    except SyntaxError as exc:
        return str(exc)
    except Exception:  # an evaluation problem is not a syntax error
        return None
    return None


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
    store: Store, name: str, params: Mapping[str, str] | None = None, *, base_iri: str | None = None
) -> QueryResult:
    """Run the named query ``name`` with typed parameter values (defaults for the rest)."""
    query = get(name)
    return _run_bound(store, query, named_bindings(query, params or {}), base_iri)


def _run_bound(store: Store, query: NamedQuery, bindings: Mapping[str, Term], base_iri: str | None) -> QueryResult:
    result = run(store, query.text, bindings, base_iri=base_iri, trusted=True)
    columns = [i for i, variable in enumerate(result.variables) if variable in query.lists]
    if columns and result.kind == "select":
        result.rows = (_sort_lists(row, columns) for row in result.rows)
    return result


class Execution:
    """A query's answer read to the end, and the variables that parameters bound (defaults included)."""

    __slots__ = ("answer", "bound")

    def __init__(self, answer: Answer, bound: set[str]) -> None:
        self.answer, self.bound = answer, bound


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

    ``inline`` predeclares the project's prefixes (for ``-e`` queries).
    """
    values = dict(params or {})
    if name is not None:
        query = get(name)
        if any(p.name == "lang" for p in query.params):
            values.setdefault("lang", lang)
        bindings = named_bindings(query, values)
        return Execution(materialize(_run_bound(store, query, bindings, base_iri)), set(bindings))
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
