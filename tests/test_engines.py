"""Every named query gives the same answers on the embedded store, an Oxigraph server and Virtuoso.

The knowledge base is pushed to each server with ``clusterkg push``. Answers
are compared as multisets of rows whose terms are compared canonically
(numbers by value, ``xsd:string`` as a plain literal, language tags in lower
case, blank nodes as "some blank node"), since engines normalise lexical forms.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg import names, queries
from clusterkg.cli import cli
from clusterkg.resources import data_dir
from clusterkg.sparql.results import QueryResult
from clusterkg.stores import open_embedded
from clusterkg.stores.remote import EndpointStore

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte",
)}


def canonical(term: object) -> object:
    """A key equal for terms that denote the same value whatever the engine wrote."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Triple):
        return ("triple", canonical(term.subject), canonical(term.predicate), canonical(term.object))
    assert isinstance(term, ox.Literal)
    if term.language:
        return ("lang", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            return ("number", term.value)
    if datatype == XSD + "boolean":
        return ("boolean", term.value in ("true", "1"))
    return ("literal", term.value, datatype)


def answer(result: QueryResult) -> object:
    """A comparable form of a whole answer."""
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return Counter(tuple(canonical(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in result.triples)
    return result.variables, Counter(tuple(canonical(t) for t in row) for row in result.rows)


def assert_same(remote: object, local: object) -> None:
    """Equal answers, or a message listing the rows only one side has."""
    if isinstance(remote, tuple) and isinstance(local, tuple):
        assert remote[0] == local[0], "different variables"
        extra, missing = remote[1] - local[1], local[1] - remote[1]
        assert not extra and not missing, f"rows only on the server: {list(extra)}; rows only embedded: {list(missing)}"
    assert remote == local


#: How each language's descriptions introduce an example: "e.g. bio cluster", "(예: 바이오 클러스터)".
EXAMPLE = {"en": r"e\.g\.\s+", "ko": r"예:\s*"}


def _example(param: queries.Param, lang: str = "en") -> str | None:
    """The value a parameter's description in ``lang`` gives as an example: a name as an analyst types it."""
    match = re.search(EXAMPLE[lang] + r"(.+?)\s*(?:[;)]|$)", param.described(lang))
    return match.group(1) if match else None


def parameter_sets(query: queries.NamedQuery) -> Iterator[dict[str, str]]:
    """Defaults; every language; each example value of a parameter (a name, resolved by every engine
    through the same name resolution as the CLI's ``--param`` and the web forms)."""
    required = {}
    for param in query.params:
        if param.required:
            example = _example(param)
            if example is None:
                pytest.fail(f"{query.name}: parameter {param.name} is required and its description gives no 'e.g.' value")
            required[param.name] = example
    yield dict(required)
    for param in query.params:
        if param.type == "lang":
            yield {**required, param.name: "ko"}
        elif not param.required and _example(param):
            yield {**required, param.name: _example(param)}


EXAMPLE_PARAMS = [
    pytest.param(query, param, id=f"{query.name}-{param.name}")
    for query in queries.catalogue() for param in query.params if _example(param) or _example(param, "ko")
]


@pytest.mark.parametrize(("query", "param"), EXAMPLE_PARAMS)
def test_the_examples_are_names_of_one_entity_in_both_languages(query: queries.NamedQuery, param: queries.Param) -> None:
    """An example is a name, not an IRI; the English and the Korean one name the same entity of the
    parameter's class, and the query finds something for it."""
    english, korean = _example(param), _example(param, "ko")
    assert english and korean, f"{query.name}: {param.name} needs an example in both languages"
    assert not any(names.looks_like_iri(example) for example in (english, korean))
    with open_embedded() as store:
        entity = queries.entity_by_name(store, param, english)
        assert queries.entity_by_name(store, param, korean) == entity
        if param.cls is not None:
            classes = names.known_entities(store, param.cls, subclasses=param.subclasses)
            assert entity.value in {e.iri for e in classes}
        params = {p.name: _example(p) or "" for p in query.params if p.required}
        result = queries.run_named(store, query.name, {**params, param.name: english})
        assert result.kind == "select" and list(result.rows), f"{query.name} finds nothing for {english!r}"


#: Queries that call an outside endpoint (SERVICE) need the network: they are tested elsewhere
#: against a local endpoint in Wikidata's shape.
LOCAL_QUERIES = [query for query in queries.catalogue() if not query.service]

CASES = [
    pytest.param(query.name, params, id=f"{query.name}-{json.dumps(params, ensure_ascii=False)}")
    for query in LOCAL_QUERIES
    for params in parameter_sets(query)
]


@pytest.fixture(scope="module")
def embedded_answers() -> dict[tuple[str, str], object]:
    with open_embedded() as store:
        return {
            (name, json.dumps(params)): answer(queries.run_named(store, name, params))
            for query in LOCAL_QUERIES
            for params in parameter_sets(query)
            for name in [query.name]
        }


def _load(query_url: str, update_url: str | None = None) -> None:
    command = ["push", "--endpoint", query_url, "--batch-size", "500"]
    if update_url:
        command += ["--update-endpoint", update_url]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert re.match(r"Pushed \d+ triples in \d+ graphs to ", result.output)


@pytest.fixture(scope="module")
def oxigraph_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EndpointStore]:
    """An Oxigraph server loaded with the knowledge base by ``clusterkg push``."""
    from conftest import skip_or_fail
    from servers import oxigraph_server

    try:
        with oxigraph_server(tmp_path_factory.mktemp("oxigraph-engines")) as server:
            _load(server.query_url, server.update_url)
            yield EndpointStore(server.query_url, server.update_url)
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))


@pytest.fixture(scope="module")
def virtuoso_store(virtuoso) -> EndpointStore:
    """The session's Virtuoso loaded with the knowledge base by ``clusterkg push``."""
    _load(virtuoso.query_url)
    return EndpointStore(virtuoso.query_url)


def test_every_query_file_is_run_on_every_engine() -> None:
    """The files on disk, not the catalogue the cases were built from: a query the loader missed fails here."""
    files = sorted(Path(data_dir("queries")).glob("*.rq"))
    on_disk = {path.stem for path in files}
    federated = {path.stem for path in files if re.search(r"^#\s*service:", path.read_text(encoding="utf-8"), re.M)}
    assert len(on_disk) >= 10 and federated == {"wikidata-live-facts"}  # run against a local endpoint in test_link_queries
    assert {case.values[0] for case in CASES} == on_disk - federated


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), CASES)
def test_oxigraph_server_answers_like_the_embedded_store(name, params, embedded_answers, oxigraph_store) -> None:
    assert_same(answer(queries.run_named(oxigraph_store, name, params)), embedded_answers[(name, json.dumps(params))])


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), CASES)
def test_virtuoso_answers_like_the_embedded_store(name, params, embedded_answers, virtuoso_store) -> None:
    assert_same(answer(queries.run_named(virtuoso_store, name, params)), embedded_answers[(name, json.dumps(params))])


@pytest.mark.server
@pytest.mark.parametrize("engine", ["oxigraph_store", "virtuoso_store"])
def test_info_and_graphs_match(engine: str, request: pytest.FixtureRequest) -> None:
    from clusterkg import kb

    remote = request.getfixturevalue(engine)
    with open_embedded() as store:
        assert remote.graph_names() == store.graph_names()
        assert kb.info(remote) == kb.info(store)


@pytest.mark.server
def test_virtuoso_system_graphs_stay_out(virtuoso_store: EndpointStore) -> None:
    """Virtuoso's default graph holds its own triples; clusterkg must not see them."""
    assert virtuoso_store.query("ASK { GRAPH ?g { ?s a <http://www.openlinksw.com/schemas/virtrdf#QuadMap> } }").boolean is False
    raw = EndpointStore(virtuoso_store.url, dataset=[])  # the engine's own dataset: the system graphs are there
    assert raw.query("ASK { ?s a <http://www.openlinksw.com/schemas/virtrdf#QuadMap> }").boolean is True


@pytest.mark.server
def test_virtuoso_cli_query_by_endpoint(virtuoso_store: EndpointStore, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--endpoint", virtuoso_store.url, "info", "--json"])
    assert result.exit_code == 0, result.output
    with open_embedded() as store:
        from clusterkg import kb

        assert json.loads(result.output) == json.loads(json.dumps(kb.info(store), ensure_ascii=False))


@pytest.mark.server
@pytest.mark.parametrize("engine", ["oxigraph_store", "virtuoso_store"])
def test_every_triple_arrives(engine: str, request: pytest.FixtureRequest) -> None:
    """The whole knowledge base, blank-node structures included, as the engine gives it back."""
    remote = request.getfixturevalue(engine)
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    shape = "SELECT (COUNT(*) AS ?n) WHERE { ?axiom a <http://www.w3.org/2002/07/owl#Axiom> ; ?p ?o . FILTER(isBlank(?axiom)) }"
    with open_embedded() as store:
        assert answer(remote.query(everything)) == answer(store.query(everything))
        assert answer(remote.query(shape)) == answer(store.query(shape))
