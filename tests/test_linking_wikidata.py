"""Reconciliation against a local endpoint in Wikidata's shape (tests/fixtures/wikidata)."""

from __future__ import annotations

from pathlib import Path

import pytest
from stub_http import Reply, stub_server

from clusterkg.errors import EndpointError, InputError
from clusterkg.linking.client import SparqlClient
from clusterkg.linking.entities import find_entities
from clusterkg.linking.matching import Entity
from clusterkg.linking.wikidata import link, search_names, search_query
from clusterkg.namespaces import CKI, LINKS_GRAPH, WD
from clusterkg.stores import StoreSettings, open_store

pytestmark = pytest.mark.server

#: The paper's places (cases.ttl) and the items verified-ids.md gives them, all in the fixture.
EXPECTED = {
    "place-korea": "Q884",
    "place-seoul": "Q8684",
    "place-incheon": "Q20934",
    "place-bucheon": "Q42099",
    "place-daejeon": "Q20921",
    "place-gyeonggi": "Q20937",
    "place-massachusetts": "Q771",
    "place-boston": "Q100",
    "place-san-diego": "Q16552",
    "place-san-francisco-bay-area": "Q213205",
    "cluster-silicon-valley": "Q163820",
}
#: Entities whose only candidates in the fixture are decoys: they must stay unlinked.
UNLINKED = ("place-california", "place-jung-dong", "place-sang-dong", "org-bucheon-philharmonic")
FIRST_DECOY = 9990000200  # fixture ids from here on are decoys


def make_client(url: str, tmp_path: Path, **options) -> SparqlClient:
    return SparqlClient(url, cache_dir=tmp_path / "cache", backoff=0.01, **options)


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def links_in(store_dir: Path) -> dict[str, str]:
    with open_store(StoreSettings(store_dir=store_dir)) as store:
        rows = store.query(
            f"SELECT ?e ?x WHERE {{ GRAPH <{LINKS_GRAPH}> {{ ?e <http://www.w3.org/2004/02/skos/core#exactMatch> ?x }} }}"
        ).rows
        return {local(e.value): local(x.value) for e, x in rows}


def test_links_the_papers_places_and_rejects_decoys(wikidata_endpoint: str, store_dir: Path, tmp_path: Path) -> None:
    report = link(StoreSettings(store_dir=store_dir), make_client(wikidata_endpoint, tmp_path))
    chosen = {local(m.entity.iri): m.chosen.id for m in report.matches if m.chosen}
    for entity, qid in EXPECTED.items():
        assert chosen.get(entity) == qid, (entity, [m.to_json() for m in report.matches if local(m.entity.iri) == entity])
    assert all(int(q[1:]) < FIRST_DECOY for q in chosen.values()), chosen
    for entity in UNLINKED:
        assert entity not in chosen
    decoys_seen = {c.id for m in report.matches for c in m.candidates if int(c.id[1:]) >= FIRST_DECOY}
    assert len(decoys_seen) >= 12  # the decoys were found, scored and rejected
    assert links_in(store_dir) == chosen
    assert report.written == len(chosen)
    assert report.requests == 2  # one search and one details request for all 31 entities


def test_link_provenance(wikidata_endpoint: str, store_dir: Path, tmp_path: Path) -> None:
    link(StoreSettings(store_dir=store_dir), make_client(wikidata_endpoint, tmp_path), kind="place")
    with open_store(StoreSettings(store_dir=store_dir)) as store:
        rows = list(store.query(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX sssom: <https://w3id.org/sssom/> "
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT ?score ?source ?when ?why WHERE {{ GRAPH <{LINKS_GRAPH}> {{ "
            f"?a owl:annotatedSource <{CKI}place-seoul> ; owl:annotatedTarget <{WD}Q8684> ; "
            "sssom:confidence ?score ; dcterms:source ?source ; prov:generatedAtTime ?when ; rdfs:comment ?why } }"
        ).rows)
    assert len(rows) == 1
    score_, source, when, why = rows[0]
    assert float(score_.value) >= 0.7
    assert source.value == wikidata_endpoint
    assert when.datatype.value.endswith("#dateTime")
    assert "country: KR" in why.value and "type fits" in why.value


def test_dry_run_writes_nothing_and_rerun_is_free(wikidata_endpoint: str, store_dir: Path, tmp_path: Path) -> None:
    settings = StoreSettings(store_dir=store_dir)
    dry = link(settings, make_client(wikidata_endpoint, tmp_path), dry_run=True)
    assert dry.linked and dry.written == 0
    with open_store(settings) as store:
        assert LINKS_GRAPH not in store.graph_names()
    again = link(settings, make_client(wikidata_endpoint, tmp_path))
    assert again.requests == 0 and again.cache_hits > 0
    assert len(links_in(store_dir)) == len(dry.linked)
    fresh = StoreSettings(store_dir=tmp_path / "another-store")  # the same entities, so the same requests
    offline = link(fresh, make_client(wikidata_endpoint, tmp_path, offline=True), dry_run=True)
    assert offline.requests == 0
    assert [m.to_json() for m in offline.matches] == [m.to_json() for m in dry.matches]
    with pytest.raises(EndpointError, match="not in the cache"):
        link(settings, make_client(wikidata_endpoint, tmp_path / "elsewhere", offline=True), dry_run=True)


def test_linked_entities_are_skipped_next_time(wikidata_endpoint: str, store_dir: Path, tmp_path: Path) -> None:
    settings = StoreSettings(store_dir=store_dir)
    link(settings, make_client(wikidata_endpoint, tmp_path), kind="place")
    with open_store(settings) as store:
        remaining = {local(e.iri) for e in find_entities(store, "place")}
    assert "place-seoul" not in remaining and "place-california" in remaining
    link(settings, make_client(wikidata_endpoint, tmp_path), kind="cluster")
    assert links_in(store_dir)["place-seoul"] == "Q8684"  # earlier links are kept
    assert links_in(store_dir)["cluster-silicon-valley"] == "Q163820"


def test_failure_mid_run_writes_nothing(wikidata_endpoint: str, store_dir: Path, tmp_path: Path) -> None:
    # The first batches are answered, then the endpoint fails: no link of the run may be written.
    replies = [Reply(forward=wikidata_endpoint)] * 4 + [Reply(500, b"down")]
    with stub_server(replies) as stub:
        with pytest.raises(EndpointError, match="HTTP 500"):
            link(StoreSettings(store_dir=store_dir), make_client(stub.url, tmp_path, retries=1), batch_size=5)
    assert len(stub.requests) == 6
    with open_store(StoreSettings(store_dir=store_dir)) as store:
        assert LINKS_GRAPH not in store.graph_names()


def test_unknown_kind_and_bad_threshold(store_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown type"):
        link(StoreSettings(store_dir=store_dir), make_client("http://127.0.0.1:9/", tmp_path), kind="river")
    with pytest.raises(InputError, match="threshold"):
        link(StoreSettings(store_dir=store_dir), make_client("http://127.0.0.1:9/", tmp_path, offline=True), threshold=2)


def test_search_names_and_query_escape_quotes() -> None:
    entity = Entity(CKI + "x", "place", set(), [("부천시", "ko"), ('Say "hi"', "")])
    names = search_names(entity)
    assert ("부천", "ko") in names and ("부천시", "ko") in names
    assert ('Say "hi"', "en") in names and ('Say "hi"', "ko") in names
    query = search_query(names)
    assert '"Say \\"hi\\""@en' in query


def test_a_rerun_over_part_of_what_was_seen_is_free(wikidata_endpoint: str, store_dir: Path, tmp_path: Path) -> None:
    settings = StoreSettings(store_dir=store_dir)
    link(settings, make_client(wikidata_endpoint, tmp_path), dry_run=True)  # every entity once
    places = link(settings, make_client(wikidata_endpoint, tmp_path, offline=True), kind="place")
    assert places.requests == 0 and places.written == 11
    rest = link(settings, make_client(wikidata_endpoint, tmp_path, offline=True))  # the entities still unlinked
    assert rest.requests == 0 and rest.written == 1  # Silicon Valley


def test_fixture_uses_only_verified_or_fictitious_ids() -> None:
    import re

    from conftest import SHARED, WIKIDATA_FIXTURE

    verified_file = SHARED / "open-data" / "verified-ids.md"
    if not verified_file.exists():
        pytest.skip(f"{verified_file} is not here")
    verified = set(re.findall(r"\|\s*(Q\d+)\s*\|", verified_file.read_text(encoding="utf-8")))
    used = set(re.findall(r"wd:(Q\d+)", WIKIDATA_FIXTURE.read_text(encoding="utf-8")))
    real = {q for q in used if int(q[1:]) < 9990000000}
    assert real and real <= verified, real - verified
    readme = (WIKIDATA_FIXTURE.parent / "README.md").read_text(encoding="utf-8")
    assert all(f"| {q} |" in readme for q in real)
    from clusterkg.resources import data_dir

    in_query = set(re.findall(r"wd:(Q\d+)", (data_dir("queries") / "wikidata-live-facts.rq").read_text(encoding="utf-8")))
    assert in_query and in_query <= verified
