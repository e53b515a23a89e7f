"""Entities' names for IRI parameters: the resolver, named queries, the CLI's --param and kb.query."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import clusterkg
from clusterkg import names, queries
from clusterkg.cli import cli
from clusterkg.errors import InputError, NotFoundError
from clusterkg.namespaces import CKG, CKI
from clusterkg.stores import open_embedded

STALLED = CKI + "finding-korea-stalled-at-take-off"
STALLED_EN = ("Korea's support, concentrated on resources, finance and tax, leaves clusters such as Teheran Valley "
              "stalled at take-off")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with open_embedded(tmp_path_factory.mktemp("kb")) as opened:
        yield opened


def test_any_entity_of_a_class_by_its_label_in_either_language_or_its_local_name(store) -> None:
    assert names.resolve(store, STALLED_EN, CKG + "Claim").iri == STALLED
    assert names.resolve(store, "테헤란밸리처럼", CKG + "Claim").iri == STALLED  # part of one Korean label
    assert names.resolve(store, "korea-stalled-at-take-off", CKG + "Claim").iri == STALLED  # local name, no kind
    assert names.resolve(store, "cki:finding-korea-stalled-at-take-off", CKG + "Claim").iri == STALLED
    assert names.resolve(store, "Bucheon", CKG + "IndustrialCluster").iri == CKI + "cluster-bucheon"


def test_the_class_narrows_the_candidates_and_classes_are_named_too(store) -> None:
    with pytest.raises(NotFoundError, match="'bucheon' is ambiguous; it matches 2 entities") as raised:
        names.resolve(store, "bucheon")  # any labelled entity: the cluster and the city
    assert "cki:cluster-bucheon" in str(raised.value) and "cki:place-bucheon" in str(raised.value)
    assert names.resolve(store, "bucheon", CKG + "Place").iri == CKI + "place-bucheon"
    bio = names.resolve(store, "bio cluster", CKG + "IndustrialCluster", subclasses=True, what="class")
    assert bio.iri == CKG + "BioCluster"
    with pytest.raises(NotFoundError, match="no cluster named 'Atlantis'; clusters: cki:"):
        names.resolve_cluster(store, "Atlantis")
    with pytest.raises(InputError, match="a name of a cluster is empty"):
        names.resolve_cluster(store, "  ")


def test_pickers_list_the_entities_of_a_class_with_a_label_in_the_language_asked(store) -> None:
    claims = names.known_entities(store, CKG + "Claim")
    assert STALLED in {c.iri for c in claims}
    stalled = next(c for c in claims if c.iri == STALLED)
    assert stalled.to_json("en")["label"] == STALLED_EN
    assert "테헤란밸리" in str(stalled.to_json("ko")["label"])
    assert set(stalled.to_json("ko")["names"]) == set(stalled.labels)
    kinds = {e.iri for e in names.known_entities(store, CKG + "IndustrialCluster", subclasses=True)}
    assert {CKG + "IndustrialCluster", CKG + "BioCluster", CKG + "HighTechCluster"} <= kinds


def test_named_queries_take_names_for_iri_parameters(store) -> None:
    by_label = list(queries.run_named(store, "cases-illustrating-finding", {"finding": "테헤란밸리처럼"}).rows)
    by_iri = list(queries.run_named(store, "cases-illustrating-finding", {"finding": f"<{STALLED}>"}).rows)
    assert by_iri and sorted(by_label, key=repr) == sorted(by_iri, key=repr)
    bio = queries.run_named(store, "clusters", {"type": "bio cluster"})
    assert len(list(bio.rows)) == 5
    with pytest.raises(NotFoundError, match="parameter 'finding' expects an IRI or the name of an entity of class "
                                            "ckg:Claim: no entity named 'no such claim'"):
        queries.run_named(store, "cases-illustrating-finding", {"finding": "no such claim"})
    with pytest.raises(queries.MissingParameters) as missing:
        queries.run_named(store, "provenance", {})
    assert [p.name for p in missing.value.params] == ["entity"]


def unordered(result) -> list:
    return sorted(result.rows, key=repr)


def test_kb_query_takes_names_for_iri_parameters() -> None:
    kb = clusterkg.open()
    korean = kb.query("provenance", entity="부천 성숙산업 클러스터")
    english = kb.query("provenance", entity="Bucheon mature industrial cluster")
    iri = kb.query("provenance", entity="cki:cluster-bucheon")
    assert len(korean) > 3 and unordered(korean) == unordered(english) == unordered(iri)
    assert unordered(kb.query("compare", a="서울벤처밸리", b="dongdaemun-apparel")) == unordered(kb.query("compare"))
    with pytest.raises(NotFoundError, match="'bucheon' is ambiguous") as raised:
        kb.query("provenance", entity="bucheon")
    assert "cki:place-bucheon" in str(raised.value)


def test_the_cli_param_takes_names() -> None:
    runner = CliRunner()
    by_iri = runner.invoke(cli, ["query", "provenance", "--param", "entity=cki:cluster-bucheon", "--format", "csv"])
    by_name = runner.invoke(cli, ["query", "provenance", "--param", "entity=부천 성숙산업 클러스터", "--format", "csv"])
    assert by_name.exit_code == 0 and len(by_name.stdout.splitlines()) > 3
    assert sorted(by_name.stdout.splitlines()) == sorted(by_iri.stdout.splitlines())
    ambiguous = runner.invoke(cli, ["query", "provenance", "--param", "entity=bucheon"])
    assert ambiguous.exit_code == 2 and "Traceback" not in ambiguous.output
    message = ambiguous.stderr.strip().splitlines()
    assert len(message) == 1 and "'bucheon' is ambiguous" in message[0] and "cki:place-bucheon" in message[0]


def outcome(call, *args, **kwargs) -> tuple:
    """What ``call(*args, **kwargs)`` gives: the entity with its labels in order, or the error's kind and message."""
    try:
        found = call(*args, **kwargs)
    except (NotFoundError, InputError) as exc:
        return type(exc).__name__, str(exc)
    return found.iri, found.labels, found.languages


def scan_resolve(entities: list, name: str, what: str = "entity"):
    """The resolver as it was, every candidate read first: the reference the lazy candidates are held to."""
    plural = {"entity": "entities", "class": "classes"}.get(what, what + "s")
    if not name.strip():
        raise InputError(f"a name of {('an' if what[0] in 'aeiou' else 'a')} {what} is empty")
    if names.looks_like_iri(name):
        iri = names.expand_iri(name).value
        for entity in entities:
            if entity.iri == iri:
                return entity
        raise NotFoundError(f"{name} is not {('an' if what[0] in 'aeiou' else 'a')} {what} in the knowledge base; "
                            f"{plural}: {names.listing(entities)}")
    wanted = names._normal(name)
    exact = names.exact_matches(entities, name)
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [
        e for e in entities if any(wanted in names._normal(label) for label in e.labels) or
        any(wanted in local for local in names.local_names(e))
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise NotFoundError(f"{name!r} is ambiguous; it matches {len(candidates)} {plural}: {names.listing(candidates)}")
    raise NotFoundError(f"no {what} named {name!r}; {plural}: {names.listing(entities)}")


NAMES = [
    "cki:cluster-bucheon", f"<{CKI}cluster-bucheon>", f"{CKI}cluster-bucheon", "CKI:cluster-bucheon",
    "cki:place-bucheon", "cki:no-such-cluster", f"<{CKI}no-such-cluster>", "ckg:BioCluster",
    "cluster-bucheon", "bucheon", "BUCHEON", "Cluster Bucheon", "cluster_bucheon", "Teheran Valley", "teheranvalley",
    "teheran-valley", "테헤란밸리", "Bucheon mature industrial cluster", "부천 성숙산업 클러스터", "Valley", "valley",
    "Atlantis", "  ", STALLED_EN, "테헤란밸리처럼", "korea-stalled-at-take-off", f"<{STALLED}>",
]


@pytest.mark.parametrize("cls", [CKG + "IndustrialCluster", CKG + "Claim", CKG + "Place", None])
def test_names_resolve_as_they_do_among_every_candidate_read_first(store, cls) -> None:
    every = names.known_entities(store, cls)
    for name in NAMES:
        expected = outcome(scan_resolve, every, name)
        assert outcome(names.resolve, store, name, cls, entities=every) == expected, name
        assert outcome(names.resolve, store, name, cls) == expected, name
        candidates = names.Candidates(store, cls)
        assert outcome(names.resolve, store, name, cls, entities=candidates) == expected, name


def test_classes_under_a_class_resolve_as_they_do_among_every_candidate(store) -> None:
    cls = CKG + "IndustrialCluster"
    every = names.known_entities(store, cls, subclasses=True)
    for name in ["ckg:BioCluster", "ckg:IndustrialCluster", "ckg:Claim", "bio cluster", "BioCluster", "cluster"]:
        expected = outcome(scan_resolve, every, name, "class")
        assert outcome(names.resolve, store, name, cls, subclasses=True, what="class") == expected, name


def test_one_entity_by_its_iri_is_the_entity_of_the_listing(store) -> None:
    for cls, subclasses in [(CKG + "IndustrialCluster", False), (CKG + "Claim", False),
                            (CKG + "IndustrialCluster", True), (None, False)]:
        every = names.known_entities(store, cls, subclasses=subclasses)
        for entity in every:
            assert names.known_entity(store, entity.iri, cls, subclasses=subclasses) == entity
    assert names.known_entity(store, CKI + "place-bucheon", CKG + "IndustrialCluster") is None
    assert names.known_entity(store, CKI + "no-such-thing") is None


def test_an_iri_is_looked_up_alone_and_every_cluster_is_read_at_most_once(store, monkeypatch) -> None:
    real = names.known_entities
    calls: list[str | None] = []

    def counted(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else kwargs.get("cls"))
        return real(*args, **kwargs)

    monkeypatch.setattr(names, "known_entities", counted)
    every = real(store, names.CLUSTER_CLASS)
    for pair in [("cki:cluster-bucheon", "Teheran Valley"), ("bucheon", "cki:cluster-bucheon"), ("Valley", "x"),
                 ("cki:place-bucheon", "bucheon"), ("Atlantis", "cki:nowhere"), ("  ", "bucheon")]:
        expected = [outcome(scan_resolve, every, name, "cluster") for name in pair]
        failed = [o for o in expected if o[0] in ("NotFoundError", "InputError")]
        try:
            got = [(e.iri, e.labels, e.languages) for e in names.resolve_clusters(store, *pair)]
        except (NotFoundError, InputError) as exc:
            assert failed and (type(exc).__name__, str(exc)) == failed[0], pair  # the first name's error first
        else:
            assert got == expected, pair
    calls.clear()
    a, b = names.resolve_clusters(store, "cki:cluster-bucheon", f"<{CKI}cluster-teheran-valley>")
    assert (a.iri, b.iri) == (CKI + "cluster-bucheon", CKI + "cluster-teheran-valley") and calls == []
    assert names.resolve_clusters(store, "Bucheon", "teheran valley")[1].iri == CKI + "cluster-teheran-valley"
    assert calls == [names.CLUSTER_CLASS]
    calls.clear()
    with pytest.raises(NotFoundError, match="cki:place-bucheon is not a cluster in the knowledge base; clusters: cki:"):
        names.resolve_clusters(store, "cki:cluster-bucheon", "cki:place-bucheon")
    assert calls == [names.CLUSTER_CLASS]
    with pytest.raises(NotFoundError, match="'Valley' is ambiguous"):
        names.resolve_clusters(store, "cki:cluster-bucheon", "Valley")


@pytest.mark.server
@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_an_iri_on_an_endpoint_names_the_entity_of_the_listing(engine: str, request: pytest.FixtureRequest) -> None:
    from clusterkg.stores.copy import push
    from clusterkg.stores.remote import EndpointStore

    server = request.getfixturevalue(engine)
    remote = EndpointStore(server.query_url, server.update_url if engine == "oxigraph" else None, batch_size=500)
    with open_embedded() as source:
        push(source, remote)
    for cls in [CKG + "IndustrialCluster", CKG + "Claim"]:
        every = names.known_entities(remote, cls)
        assert len(every) > 10
        for entity in every:
            assert names.known_entity(remote, entity.iri, cls) == entity
    every = names.known_entities(remote, names.CLUSTER_CLASS)
    for name in ["cki:cluster-bucheon", "cki:place-bucheon", f"<{CKI}cluster-teheran-valley>", "bucheon"]:
        assert outcome(names.resolve_cluster, remote, name) == outcome(scan_resolve, every, name, "cluster"), name


@pytest.mark.parametrize(("cls", "subclasses"), [(CKG + "IndustrialCluster", False), (CKG + "Claim", False),
                                                 (CKG + "Place", False), (CKG + "IndustrialCluster", True),
                                                 (None, False)])
def test_the_labels_read_one_branch_a_property_are_those_of_the_property_path(store, cls, subclasses) -> None:
    query = names.entities_query(cls, subclasses=subclasses)
    as_path = query.replace(f"OPTIONAL {{ {names.LABEL_BRANCHES} }}", f"OPTIONAL {{ ?entity {names.LABELS} ?label }}")
    assert as_path != query
    assert list(store.query(query).rows) == list(store.query(as_path).rows)  # the same rows in the same order
