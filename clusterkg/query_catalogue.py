"""The catalogue of named queries: the files ``queries/NAME.rq`` and what their headers declare.

Each file opens with a block of ``#`` comment lines that this module reads::

    # title: Myths and the findings that counter them
    # title@ko: 오해와 그에 대한 반론
    # description: One row per finding, with the myth it counters ...
    #   (an indented comment line continues the previous field)
    # param: lang (lang) = en -- language of the labels
    # param: cluster (iri) -- no default: the parameter is required
    # param: kind (iri, optional) -- unbound when not given
    # param: a (iri ckg:IndustrialCluster) -- an entity of this class (or of a subclass)
    # param: type (iri subClassOf ckg:IndustrialCluster) = ckg:IndustrialCluster -- a class under this one
    # param@ko: type -- 이 유형의 클러스터만   (a parameter's description in another language)
    # columns: mythLabel = myth; findingLabel = finding; excerpt = excerpt
    # columns@ko: mythLabel = 오해; findingLabel = 반론; excerpt = 발췌문
    # lists: industries, anchors
    # service: https://query.wikidata.org/sparql   (an outside endpoint the query calls)

``columns`` gives the title of each selected variable, in English and (with
``@ko``) in Korean, for tables (``VARIABLE = title``, separated by ``;``).
``lists`` names columns holding several values joined with ``"; "``
(GROUP_CONCAT): clusterkg sorts the values in each such cell, since SPARQL
leaves their order to the engine and answers must not change with it.

Parameter types: ``iri``, ``string``, ``integer``, ``decimal``, ``boolean``,
``date``, ``lang`` (a language tag) and ``term`` (any value, read as for an
ad-hoc query, see :func:`clusterkg.sparql.values.parse_term`).

An ``iri`` parameter may name the class of its values after the type: ``(iri
ckg:Claim)`` takes the instances of ``ckg:Claim`` and of its subclasses,
``(iri subClassOf ckg:IndustrialCluster)`` the classes under
``ckg:IndustrialCluster`` (the class itself among them). The web page lists
those entities in the parameter's picker, and an entity's name (a label in
either language, or its local name) is accepted in place of its IRI
(:func:`clusterkg.queries.named_bindings`); without a class, any labelled
entity is a candidate.

``param@LANG: NAME -- text`` describes a parameter declared above it in
another language (the web page's form shows it in that language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import InputError, NotFoundError
from .namespaces import XSD
from .resources import data_dir
from .sparql.results import Term

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date", "lang", "term")

_FIELD = re.compile(r"#\s?(?P<key>[A-Za-z]+(?:@[A-Za-z-]+)?):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)(?:\s+(?P<under>subClassOf\s+)?(?P<cls>[^\s,()]+))?"
    r"(?P<optional>\s*,\s*optional)?\)"
    r"\s*(?:=\s*(?P<default>.*?))?\s*(?:--\s*(?P<doc>.*))?$"
)
FIELDS = ("title", "description", "param", "columns", "lists", "service")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
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
    #: the class of the values of an ``iri`` parameter (an IRI), if the header names one
    cls: str | None = None
    #: the values are classes under :attr:`cls`, not its instances
    subclasses: bool = False
    #: (language, description) pairs from ``param@LANG`` fields
    translations: tuple[tuple[str, str], ...] = ()

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def described(self, lang: str = "en") -> str:
        """The parameter's description in ``lang``, else the English one."""
        return dict(self.translations).get(lang) or self.description

    def descriptions(self) -> dict[str, str]:
        """Every description of the parameter by language (``en`` the one of its ``param`` field)."""
        return {"en": self.description, **dict(self.translations)} if self.description else dict(self.translations)


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
    #: variable -> language -> title, from the ``columns`` fields
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

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

    def column_titles(self, lang: str = "en") -> dict[str, str]:
        """The title of each titled column in ``lang`` (English where ``lang`` has none)."""
        return {name: titles.get(lang) or titles.get("en") or name for name, titles in self.columns.items()}

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
    translated: int | None = None  # the parameter that the last param@LANG field described
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
                params[-1] = replace(previous, description=(previous.description + " " + continuation["value"]).strip())
            elif last.startswith("param@") and translated is not None:
                previous = params[translated]
                *head, (lang, text) = previous.translations
                params[translated] = replace(previous, translations=(
                    *head, (lang, (text + " " + continuation["value"]).strip())))
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
        elif key.startswith("param@"):
            translated = _translate_param(params, key.partition("@")[2], value, name, number)
        else:
            fields[key] = value
        last = key
    if "title" not in fields:
        raise InputError(f"{name}: the header has no '# title:' line")
    return fields, params


def _translate_param(params: list[Param], lang: str, value: str, name: str, line: int) -> int:
    """Record ``param@LANG: NAME -- text`` on the parameter NAME declared before it; its index."""
    target, dashes, text = value.partition("--")
    for index, param in enumerate(params):
        if param.name == target.strip() and dashes:
            params[index] = replace(param, translations=(*param.translations, (lang, text.strip())))
            return index
    raise InputError(f"{name}, line {line}: write '# param@{lang}: NAME -- text' after the '# param: NAME ...' line "
                     f"it describes")


def _parse_param(value: str, name: str, line: int) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise InputError(f"{name}, line {line}: cannot read parameter {value!r}; "
                         "write '# param: NAME (TYPE [CLASS]) = DEFAULT -- text'")
    kind = match["type"]
    if kind not in PARAM_TYPES:
        raise InputError(f"{name}, line {line}: unknown parameter type {kind!r}; use one of {', '.join(PARAM_TYPES)}")
    default = match["default"] or None
    cls = None
    if match["cls"]:
        if kind != "iri":
            raise InputError(f"{name}, line {line}: only an iri parameter names a class, not a {kind} parameter")
        from .sparql.values import expand_iri

        try:
            cls = expand_iri(match["cls"]).value
        except InputError as exc:
            raise InputError(f"{name}, line {line}: the class of parameter {match['name']!r}: {exc}") from None
    param = Param(match["name"], kind, default, bool(match["optional"]), (match["doc"] or "").strip(), cls,
                  bool(match["under"]))
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
    meta = {k: v for k, v in fields.items() if k.partition("@")[0] not in {"title", "description", "columns"}}
    columns: dict[str, dict[str, str]] = {}
    for key, value in fields.items():
        name, _, lang = key.partition("@")
        if name == "columns":
            for variable, title in _parse_columns(value, path.name):
                columns.setdefault(variable, {})[lang or "en"] = title
    return NamedQuery(path.stem, titles, descriptions, tuple(params), text, path, meta, columns)


def _parse_columns(value: str, name: str) -> list[tuple[str, str]]:
    """``VARIABLE = title; ...`` as (variable, title) pairs."""
    pairs = []
    for item in filter(None, (part.strip() for part in value.split(";"))):
        variable, sep, title = (x.strip() for x in item.partition("="))
        variable = variable.lstrip("?")
        if not sep or not _VARIABLE.match(variable) or not title:
            raise InputError(f"{name}: cannot read the column title {item!r}; write '# columns: VARIABLE = title; ...'")
        pairs.append((variable, title))
    return pairs


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
                "descriptions": param.descriptions(),
                "class": param.cls,
                "subclasses": param.subclasses,
            }
            for param in query.params
        ],
        "columns": query.columns,
        "service": query.service,
    }


def catalogue_json() -> list[dict[str, Any]]:
    """Every named query with its titles, descriptions and parameters (for the web page and ``queries --json``)."""
    return [query_json(query) for query in catalogue()]


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
