"""The routes the web page needs beside the SPARQL endpoint, answered by the library's own functions.

* ``/api/queries`` -- the catalogue, each query saying whether it can run on this server (and why not);
* ``/api/queries/{name}`` -- one named query, an entity's name accepted for an IRI parameter;
* ``POST /api/table`` -- a named query or a query text run for the page: rows with labels, column titles,
  the columns a table hides (bound parameters, ``?x`` beside ``?xLabel``); messages speak of form fields;
* ``/api/download[/{name}]`` -- an answer as a file: CSV with a byte order mark (for spreadsheets), TSV,
  JSON; Turtle or JSON-LD for graphs;
* ``/api/entities`` -- the entities of a class (or the classes under one), for a parameter's picker;
* ``/api/map``, ``/api/compare``, ``/api/entity``, ``/api/neighbourhood``, ``/api/provenance``,
  ``/api/summary`` -- the page's views, as data.

Every handler runs the library in a thread on a :class:`~.bridge.PoolStore`, so the
worker pool (with its deadline, limits and cache) answers each query.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .. import entity_views, names, paper_views, queries, tables
from ..errors import InputError, NotFoundError, one_line
from ..linking.locations import cluster_locations
from ..sparql.bindings import bind
from ..sparql.protocol import ProtocolError, check_query
from ..sparql.results import Answer, term_from_json, term_to_json
from .bridge import call
from .guard import unknown_parameters
from .pool import Job, QueryPool
from .statuses import ERRORS, http_status

LANGS = ("en", "ko")
#: Downloads: short name -> (format asked of the pool, file suffix)
DOWNLOADS = {"csv": "csv", "tsv": "tsv", "json": "json", "ttl": "ttl", "jsonld": "jsonld"}
BOM = "\ufeff".encode()
MAX_BODY = 1 << 20


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def unavailable(query: queries.NamedQuery, allow_service: bool) -> str | None:
    """Why a named query cannot run on this server (None if it can)."""
    if query.service and not allow_service:
        return (f"it asks another endpoint ({query.service}) with SERVICE, which this server does not allow "
                "(start it with --allow-service)")
    return None


def catalogue(allow_service: bool) -> list[dict[str, Any]]:
    """The catalogue as JSON, each query with ``available`` and, when it is not, ``reason``."""
    out = []
    for query in queries.catalogue():
        entry = queries.query_json(query)
        reason = unavailable(query, allow_service)
        entry["available"] = reason is None
        entry["reason"] = reason
        out.append(entry)
    return out


def needs_names(query: queries.NamedQuery, params: dict[str, str]) -> bool:
    """Whether a value of an IRI parameter is a name to look up rather than an IRI."""
    return any(p.type == "iri" and params.get(p.name, "").strip() and not names.looks_like_iri(params[p.name].strip())
               for p in query.params)


def form_message(exc: queries.MissingParameters, lang: str) -> str:
    """A missing parameter said in terms of the page's form."""
    fields = ", ".join(f"'{p.name}'" + (f" ({p.described(lang)})" if p.described(lang) else "") for p in exc.params)
    if lang == "ko":
        return f"이 질의에는 값이 필요합니다: {fields} 칸을 채우십시오."
    return f"This query needs a value: fill in the field {fields}."


def run_table(store: Any, name: str | None, text: str | None, params: dict[str, str], lang: str,
              base_iri: str | None) -> dict[str, Any]:
    """A query's answer for the page: rows as SPARQL JSON terms, labels, titles, hidden columns."""
    done = queries.execute(store, name=name, text=text, params=params, lang=lang, base_iri=base_iri,
                           inline=text is not None)
    answer: Answer = done.answer
    labels = tables.lookup_labels(store, tables.result_iris(answer)[:5000], lang)
    out: dict[str, Any] = {"kind": answer.kind, "labels": labels, "titles": done.titles}
    if answer.kind == "ask":
        out.update(variables=[], hidden=[], rows=[], boolean=answer.boolean)
    elif answer.kind == "graph":
        out.update(variables=["subject", "predicate", "object"], hidden=[], rows=[
            {"subject": term_to_json(t.subject), "predicate": term_to_json(t.predicate), "object": term_to_json(t.object)}
            for t in answer.triples])
    else:
        out.update(variables=list(answer.variables), hidden=sorted(tables.table_hidden(answer.variables, done.bound)),
                   rows=[{v: term_to_json(term) for v, term in zip(answer.variables, row, strict=True) if term is not None}
                         for row in answer.rows])
    return out


def compare_view(store: Any, a: str, b: str, lang: str) -> dict[str, Any]:
    """Two clusters side by side: the general rows, then the paper's dimensions, each cell with what to ask
    ``/api/provenance`` for."""
    comparison = paper_views.compare(store, a, b, lang)
    clusters = (comparison.a.iri, comparison.b.iri)
    general = []
    for (columns, _, _), (title, left, right) in zip(paper_views.GENERAL_ROWS, comparison.general, strict=True):
        general.append({"key": columns[0], "title": title, "properties": list(paper_views.ROW_PROPERTIES[columns[0]]),
                        "cells": [left, right]})
    dimensions = [{"dimension": dim, "title": title, "cells": [
        [{"label": label, "feature": iri} for label, iri in zip(parts, iris, strict=True)]
        for parts, iris in ((left, feats_a), (right, feats_b))]}
        for (title, left, right), (dim, feats_a, feats_b) in zip(comparison.rows, comparison.features, strict=True)]
    return {"clusters": [{"iri": c, "label": label} for c, label in zip(clusters, (comparison.a_label, comparison.b_label),
                                                                             strict=True)],
            "general": general, "dimensions": dimensions}


def map_view(store: Any, lang: str) -> dict[str, Any]:
    located, unplaced = cluster_locations(store)
    iris = [x for item in located for x in (item.cluster, item.place) if x] + \
        [x for item in unplaced for x in (item.cluster, *item.places)]
    labels = tables.lookup_labels(store, list(dict.fromkeys(iris)), lang)
    return {"located": [item.to_json() for item in located], "unplaced": [item.to_json() for item in unplaced],
            "labels": labels}


def entities_view(store: Any, cls: str | None, subclasses: bool, lang: str) -> list[dict[str, object]]:
    found = names.known_entities(store, cls, subclasses=subclasses)
    return sorted((e.to_json(lang) for e in found), key=lambda e: str(e["label"]).casefold())


def provenance_view(store: Any, subject: str, properties: list[str], obj: dict | None, lang: str) -> list[dict]:
    from dataclasses import asdict

    term = term_from_json(obj) if obj else None
    return [asdict(b) for b in entity_views.fact_basis(store, subject, properties, term, lang)]


class WebAPI:
    """The page's routes, sharing the server's pool."""

    def __init__(self, pool: QueryPool, allow_service: bool) -> None:
        self.pool = pool
        self.allow_service = allow_service

    async def _answer(self, function: Callable[..., Any], *args: Any) -> Response:
        try:
            return JSONResponse(await call(self.pool, function, *args))
        except queries.MissingParameters as exc:
            return _error(400, str(exc), missing=[p.name for p in exc.params])
        except ERRORS as exc:
            return _error(*http_status(exc))

    async def catalogue(self, request: Request) -> Response:
        return unknown_parameters(request.query_params, (), "/api/queries") or JSONResponse(catalogue(self.allow_service))

    async def prepare(self, name: str, params: dict[str, str]) -> str:
        """A named query's text with its values bound, names looked up when a value is one."""
        query = queries.get(name)
        reason = unavailable(query, self.allow_service)
        if reason:
            raise ProtocolError(403, f"the query {name!r} cannot run on this server: {reason}")
        if needs_names(query, params):
            text, bindings = await call(self.pool, lambda store: queries.prepare(name, params, store))
        else:
            text, bindings = queries.prepare(name, params)
        return bind(text, bindings)

    async def table(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error(413, f"the request is larger than {MAX_BODY} bytes")
        try:
            document = json.loads(body or b"{}")
            name, text = document.get("name"), document.get("query")
            params = {str(k): str(v) for k, v in (document.get("params") or {}).items()}
            lang = str(document.get("lang") or "en")
        except (ValueError, AttributeError):
            return _error(400, "send a JSON object: {name or query, params, lang}")
        if lang not in LANGS or (name is None) == (text is None):
            return _error(400, "give a query name or a query text, and lang en or ko")
        try:
            if name is not None:
                reason = unavailable(queries.get(str(name)), self.allow_service)
                if reason:
                    return _error(403, f"the query cannot run on this server: {reason}")
            else:
                check_query(str(text), allow_service=self.allow_service)
        except ERRORS as exc:
            return _error(*http_status(exc))
        try:
            return JSONResponse(await call(self.pool, run_table, name, text, params, lang, str(request.base_url) + "sparql"))
        except queries.MissingParameters as exc:
            return _error(400, form_message(exc, lang), missing=[p.name for p in exc.params])
        except ERRORS as exc:
            status, message = http_status(exc)
            return _error(400 if isinstance(exc, NotFoundError) else status, message)  # a name in the form: its value

    async def download(self, request: Request) -> Response:
        """An answer as a file to keep: ``format=csv`` (with a BOM), ``tsv``, ``json``, ``ttl``, ``jsonld``."""
        params = dict(request.query_params)
        fmt = params.pop("format", "csv")
        if fmt not in DOWNLOADS:
            return PlainTextResponse(f"format must be one of {', '.join(DOWNLOADS)}\n", status_code=400)
        name = request.path_params.get("name")
        try:
            if name:
                sparql, stem = await self.prepare(name, params), name
            else:  # the project's prefixes predeclared, as for the page's table of the same text
                stem = "query"
                check_query(params.get("query", ""), allow_service=self.allow_service)
                sparql = queries.PREFIX_LINE + params.get("query", "")
            reply = await self.pool.run(Job(sparql=sparql, formats=(fmt,), base_iri=str(request.base_url) + "sparql"))
        except queries.MissingParameters as exc:
            lang = params.get("lang") if params.get("lang") in LANGS else "en"
            return PlainTextResponse(form_message(exc, str(lang)) + "\n", status_code=400)
        except ERRORS as exc:
            status, message = http_status(exc)
            if isinstance(exc, NotFoundError) and "named query" not in str(exc):
                status = 400  # an entity's name given for a parameter that names nothing
            return PlainTextResponse(message + "\n", status_code=status)
        if reply.status != 200:
            return Response(reply.body, status_code=reply.status, media_type=reply.media_type)
        body = BOM + reply.body if fmt == "csv" else reply.body
        media = reply.media_type.split(";")[0]
        charset = "" if media.startswith(("application/sparql-results", "application/ld+json")) else "; charset=utf-8"
        return Response(body, media_type=media + charset,
                        headers={"Content-Disposition": f'attachment; filename="{stem}.{DOWNLOADS[fmt]}"'})

    async def entities(self, request: Request) -> Response:
        cls = request.query_params.get("class") or None
        subclasses = request.query_params.get("subclasses", "") in ("1", "true")
        try:
            lang = _lang(request)
            if cls is not None:
                cls = names.expand_iri(cls).value
        except InputError as exc:
            return _error(400, one_line(exc))
        return await self._answer(entities_view, cls, subclasses, lang)

    async def map(self, request: Request) -> Response:
        try:
            lang = _lang(request)
        except InputError as exc:
            return _error(400, one_line(exc))
        return await self._answer(map_view, lang)

    async def compare(self, request: Request) -> Response:
        params = request.query_params
        try:
            lang = _lang(request)
        except InputError as exc:
            return _error(400, one_line(exc))
        if not params.get("a") or not params.get("b"):
            return _error(400, "give two clusters: a=...&b=...")
        return await self._answer(compare_view, params["a"], params["b"], lang)

    def _iri(self, request: Request, name: str = "iri") -> str:
        value = request.query_params.get(name, "")
        if not value:
            raise InputError(f"give {name}=IRI")
        return names.expand_iri(value if names.looks_like_iri(value) else f"<{value}>").value

    async def entity(self, request: Request) -> Response:
        try:
            iri, lang = self._iri(request), _lang(request)
        except InputError as exc:
            return _error(400, one_line(exc))
        return await self._answer(lambda store: entity_views.entity_page(store, iri, lang).to_json())

    async def neighbourhood(self, request: Request) -> Response:
        try:
            iri, lang = self._iri(request), _lang(request)
        except InputError as exc:
            return _error(400, one_line(exc))
        return await self._answer(entity_views.neighbourhood, iri, lang)

    async def provenance(self, request: Request) -> Response:
        try:
            subject, lang = self._iri(request, "subject"), _lang(request)
            properties = [names.expand_iri(f"<{p}>").value for p in request.query_params.getlist("property")]
            raw = request.query_params.get("object")
            obj = json.loads(raw) if raw else None
            if obj is not None:
                term_from_json(obj)
        except (InputError, ValueError, KeyError, TypeError) as exc:
            return _error(400, one_line(exc) or "object must be a SPARQL JSON term")
        return await self._answer(provenance_view, subject, properties, obj, lang)

    async def summary(self, request: Request) -> Response:
        try:
            lang = _lang(request)
        except InputError as exc:
            return _error(400, one_line(exc))
        return await self._answer(paper_views.summary, lang)
