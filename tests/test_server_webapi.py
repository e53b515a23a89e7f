"""The web page's API (``clusterkg/server/webapi.py``): its functions on a store, then its routes on a live server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from serve_helpers import clusterkg_server

import clusterkg
from clusterkg import queries
from clusterkg.namespaces import CKG, CKI
from clusterkg.server import webapi
from clusterkg.stores import open_embedded

CASES = Path(__file__).resolve().parent / "fixtures" / "cases" / "valid.yaml"
STALLED = CKI + "finding-korea-stalled-at-take-off"


@pytest.fixture(scope="module")
def kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the shipped knowledge base and the two cases of valid.yaml."""
    directory = tmp_path_factory.mktemp("webapi-store")
    clusterkg.open(store=directory).add(CASES)
    return directory


@pytest.fixture(scope="module")
def store(kb_dir: Path):
    with open_embedded(kb_dir) as opened:
        yield opened


# --- the functions, on an embedded store ---------------------------------------------


def test_the_catalogue_says_which_queries_cannot_run_here() -> None:
    closed = {q["name"]: q for q in webapi.catalogue(allow_service=False)}
    assert closed["wikidata-live-facts"]["available"] is False
    assert "SERVICE" in closed["wikidata-live-facts"]["reason"] and "--allow-service" in closed["wikidata-live-facts"]["reason"]
    assert closed["clusters"]["available"] is True and closed["clusters"]["reason"] is None
    assert all(q["available"] for q in webapi.catalogue(allow_service=True))
    finding = closed["cases-illustrating-finding"]["params"][0]
    assert (finding["type"], finding["class"]) == ("iri", CKG + "Claim")  # what the picker lists


def test_names_are_told_from_iris() -> None:
    query = queries.get("provenance")
    assert webapi.needs_names(query, {"entity": "Bucheon"})
    assert not webapi.needs_names(query, {"entity": "cki:cluster-bucheon"})
    assert not webapi.needs_names(query, {"entity": f"<{CKI}cluster-bucheon>", "lang": "ko"})
    assert not webapi.needs_names(query, {"lang": "ko"})


def test_a_missing_value_is_said_in_terms_of_the_form() -> None:
    try:
        queries.named_bindings(queries.get("provenance"), {})
    except queries.MissingParameters as exc:
        missing = exc
    english, korean = webapi.form_message(missing, "en"), webapi.form_message(missing, "ko")
    assert "fill in the field 'entity'" in english and "--param" not in english
    assert "'entity'" in korean and "칸을 채우십시오" in korean and "--param" not in korean


def test_a_table_hides_bound_columns_and_iri_twins(store) -> None:
    table = webapi.run_table(store, "cases-illustrating-finding", None, {"finding": "테헤란밸리처럼"}, "en", None)
    assert table["kind"] == "select" and len(table["rows"]) == 1
    assert {"lang", "finding", "cluster"} <= set(table["hidden"])  # bound, bound, the IRI twin of clusterLabel
    assert [v for v in table["variables"] if v not in table["hidden"]] == ["clusterLabel", "relation", "section", "excerpt"]
    row = table["rows"][0]
    assert row["cluster"] == {"type": "uri", "value": CKI + "cluster-teheran-valley"}
    assert table["titles"]["clusterLabel"] == "cluster" and table["labels"][CKI + "cluster-teheran-valley"] == "Teheran Valley"
    graph = webapi.run_table(store, None, "CONSTRUCT { ?c ckg:hasFeature ?f } WHERE { ?c ckg:hasFeature ?f }", {}, "en", None)
    assert graph["kind"] == "graph" and graph["variables"] == ["subject", "predicate", "object"] and graph["rows"]
    ask = webapi.run_table(store, None, "ASK { ?m a ckg:Myth }", {}, "ko", None)
    assert (ask["kind"], ask["boolean"], ask["rows"]) == ("ask", True, [])


def test_compare_gives_general_rows_and_the_papers_dimensions_where_present(store) -> None:
    paper = webapi.compare_view(store, "서울벤처밸리", "동대문", "en")
    assert [c["label"] for c in paper["clusters"]] == ["Seoul Venture Valley", "Dongdaemun apparel cluster"]
    assert [d["title"] for d in paper["dimensions"]] == [
        "place", "socio-economic mechanism", "cultural-economic mechanism", "performance capacity"]
    for row in paper["dimensions"]:
        assert all(part["feature"].startswith(CKI) and part["label"] for cell in row["cells"] for part in cell)
    keys = [row["key"] for row in paper["general"]]
    assert keys[0] == "clusterType" and "firms" in keys and keys[-1] == "sources"
    assert all(row["properties"] and len(row["cells"]) == 2 for row in paper["general"])  # what provenance asks for
    cases = webapi.compare_view(store, "Pangyo Techno Valley", "bucheon", "en")
    assert cases["dimensions"] == []  # neither is a column of the paper's table
    firms = next(row for row in cases["general"] if row["key"] == "firms")
    assert firms["cells"] == [["1300"], ["about 7000"]]


def test_the_map_gives_labelled_places_and_the_clusters_apart(store) -> None:
    found = webapi.map_view(store, "ko")
    placed = {x["cluster"] for x in found["located"]}
    assert {CKI + "cluster-pangyo-techno-valley", CKI + "cluster-seoul-venture-valley"} <= placed
    assert found["labels"][CKI + "cluster-seoul-venture-valley"] == "서울벤처밸리"
    assert all(x["cluster"] in found["labels"] for x in found["located"] + found["unplaced"])
    assert CKI + "cluster-teheran-valley" in {x["cluster"] for x in found["unplaced"]}


def test_pickers_list_entities_sorted_by_label(store) -> None:
    clusters = webapi.entities_view(store, CKG + "IndustrialCluster", False, "en")
    labels = [c["label"] for c in clusters]
    assert len(clusters) == 13 and labels == sorted(labels, key=str.casefold)
    classes = webapi.entities_view(store, CKG + "IndustrialCluster", True, "en")
    assert "bio cluster" in {c["label"] for c in classes}


def test_provenance_of_a_cell(store, source_text: str) -> None:
    [case] = webapi.provenance_view(store, CKI + "cluster-pangyo-techno-valley", [CKG + "numberOfFirms"], None, "en")
    assert case["kind"] == "case" and case["text"] == "Gyeonggi Province, Pangyo Techno Valley annual survey, 2020"
    industry = {"type": "uri", "value": CKI + "industry-knowledge-based"}
    [paper] = webapi.provenance_view(store, CKI + "cluster-silicon-valley", [CKG + "hasMainIndustry"], industry, "en")
    assert paper["kind"] == "paper" and paper["text"] in source_text and paper["object"] == industry


# --- the routes, on a live server ----------------------------------------------------------


@pytest.fixture(scope="module")
def live(kb_dir: Path):
    with clusterkg_server(kb_dir, "--workers", "1") as server:
        yield server


def get(live, path: str, **params: str | list[str]) -> tuple[int, Message, bytes]:
    url = live.url + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    return request(urllib.request.Request(url))


def post(live, path: str, body: bytes) -> tuple[int, Message, bytes]:
    return request(urllib.request.Request(live.url + path, data=body, headers={"Content-Type": "application/json"}))


def request(req: urllib.request.Request) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def error_of(reply: tuple[int, Message, bytes]) -> tuple[int, str]:
    status, headers, body = reply
    text = json.loads(body)["error"] if "json" in headers.get("Content-Type", "") else body.decode()
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1
    return status, text


@pytest.mark.server
def test_a_named_query_takes_names_over_http(live) -> None:
    status, _, body = get(live, "/api/queries/provenance", entity="부천 성숙산업 클러스터", format="csv")
    assert status == 200 and f"{CKI}cluster-bucheon" in body.decode().splitlines()[1]
    status, message = error_of(get(live, "/api/queries/provenance", entity="bucheon"))
    assert status == 400 and "ambiguous" in message and "cki:place-bucheon" in message


@pytest.mark.server
def test_tables_over_http(live) -> None:
    status, _, body = post(live, "/api/table", json.dumps(
        {"name": "cases-illustrating-finding", "params": {"finding": "테헤란밸리처럼"}, "lang": "en"}).encode())
    assert status == 200 and len(json.loads(body)["rows"]) == 1
    status, message = error_of(post(live, "/api/table", json.dumps({"name": "provenance", "lang": "ko"}).encode()))
    assert status == 400 and "칸을 채우십시오" in message
    assert json.loads(post(live, "/api/table", b'{"name": "provenance"}')[2])["missing"] == ["entity"]
    status, message = error_of(post(live, "/api/table", b'{"name": "wikidata-live-facts"}'))
    assert status == 403 and "--allow-service" in message
    assert error_of(post(live, "/api/table", b"not json"))[0] == 400
    assert error_of(post(live, "/api/table", b'{"name": "clusters", "query": "ASK {}"}'))[0] == 400
    assert error_of(post(live, "/api/table", b'{"name": "no-such-query"}'))[0] == 404
    assert error_of(post(live, "/api/table", b'{"query": "SELECT * WHERE {"}'))[0] == 400
    assert error_of(post(live, "/api/table", b'{"query": "DROP ALL"}'))[0] in (400, 403)
    assert post(live, "/api/table", b"[" * (webapi.MAX_BODY + 1))[0] == 413


@pytest.mark.server
def test_downloads_over_http(live) -> None:
    status, headers, body = get(live, "/api/download/clusters", lang="ko", format="csv")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(webapi.BOM) and "서울벤처밸리" in body.decode("utf-8-sig")
    assert headers["Content-Disposition"] == 'attachment; filename="clusters.csv"'
    status, headers, body = get(live, "/api/download/provenance", entity="Bucheon mature industrial cluster", format="tsv")
    assert status == 200 and body.decode().startswith("?lang\t") and not body.startswith(webapi.BOM)
    construct = "CONSTRUCT { ?c ckg:hasFeature ?f } WHERE { ?c ckg:hasFeature ?f }"
    status, headers, body = get(live, "/api/download", query=construct, format="jsonld")
    assert status == 200 and headers["Content-Type"] == "application/ld+json" and json.loads(body)
    status, headers, body = get(live, "/api/download", query=construct, format="ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and b"hasFeature" in body
    assert error_of(get(live, "/api/download", query=construct, format="xlsx"))[0] == 400
    status, message = error_of(get(live, "/api/download/provenance", format="csv"))
    assert status == 400 and "fill in the field 'entity'" in message and "--param" not in message
    assert error_of(get(live, "/api/download/no-such-query"))[0] == 404
    assert error_of(get(live, "/api/download/wikidata-live-facts"))[0] == 403


@pytest.mark.server
def test_the_views_over_http(live) -> None:
    status, _, body = get(live, "/api/entity", iri=CKI + "cluster-bucheon", lang="ko")
    assert status == 200 and json.loads(body)["label"] == "부천 성숙산업 클러스터"
    assert get(live, "/api/entity", iri="cki:cluster-bucheon")[0] == 200  # a prefixed name too
    assert error_of(get(live, "/api/entity", iri=CKI + "no-such-thing")) == (
        404, "cki:no-such-thing is not in the knowledge base")
    assert error_of(get(live, "/api/entity", iri=CKI + "no-such-thing", lang="ko")) == (
        404, "지식베이스에 cki:no-such-thing 개체가 없습니다")  # in the page's language
    assert error_of(get(live, "/api/entity", iri=CKI + "cluster-bucheon", lang="fr"))[0] == 400
    assert error_of(get(live, "/api/entity"))[0] == 400
    status, _, body = get(live, "/api/neighbourhood", iri=CKI + "cluster-bucheon")
    assert status == 200 and len(json.loads(body)["nodes"]) > 10
    status, _, body = get(live, "/api/provenance", subject=CKI + "cluster-pangyo-techno-valley",
                          property=[CKG + "numberOfFirms"])
    assert status == 200 and json.loads(body)[0]["kind"] == "case"
    assert error_of(get(live, "/api/provenance", subject=CKI + "cluster-bucheon", object="{not json"))[0] == 400
    assert error_of(get(live, "/api/compare", a="bucheon"))[0] == 400
    status, message = error_of(get(live, "/api/compare", a="bio", b="bucheon"))
    assert status == 404 and "'bio' is ambiguous" in message
    status, _, body = get(live, "/api/compare", a="Pangyo Techno Valley", b="동대문")
    assert status == 200 and len(json.loads(body)["dimensions"]) == 4
    status, _, body = get(live, "/api/map", lang="en")
    assert status == 200 and len(json.loads(body)["located"]) == 7
    status, _, body = get(live, "/api/summary", lang="ko")
    assert status == 200 and len(json.loads(body)["myths"]) == 3
    status, _, body = get(live, "/api/entities", **{"class": "ckg:Claim", "lang": "ko"})
    assert status == 200 and STALLED in {e["iri"] for e in json.loads(body)}
    assert error_of(get(live, "/api/entities", **{"class": "nope:x"}))[0] == 400
