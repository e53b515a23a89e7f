"""The web page of ``clusterkg serve`` in headless Chromium, driven by Selenium.

Uses Debian's ``chromium`` and ``chromium-driver`` (never a downloaded
browser). Screenshots are saved under ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import skip_or_fail
from serve_helpers import clusterkg_server

from clusterkg.namespaces import CKI, GRAPH
from clusterkg.stores import open_embedded

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
#: A graph of synthetic test coordinates (not data about the real place).
TEST_GEO_GRAPH = GRAPH + "test-geo"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("web-store")
    with open_embedded(store, writable=True) as writable:
        place = ox.NamedNode(CKI + "place-seoul")
        writable.replace_graphs({TEST_GEO_GRAPH: [
            ox.Triple(place, ox.NamedNode(GEO + "lat"), ox.Literal("37.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
            ox.Triple(place, ox.NamedNode(GEO + "long"), ox.Literal("127.0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
        ]})
    with clusterkg_server(store) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        skip_or_fail("Debian's chromium and chromium-driver are not installed")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="clusterkg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                     f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=en-US"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_view(browser, server, hash_: str, lang: str = "en") -> None:
    """Load the page at ``#hash`` in ``lang`` and wait until the view has rendered."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url + "/")
    browser.execute_script("localStorage.setItem('clusterkg.lang', arguments[0])", lang)
    browser.get(server.url + "/" + hash_)
    browser.refresh()
    wait_ready(browser)
    WebDriverWait(browser, 30).until(lambda d: d.find_element("id", "view").get_attribute("data-ready") == "true")


def wait_ready(browser) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def wait_for(browser, css: str, count: int = 1, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(lambda d: len(d.find_elements("css selector", css)) >= count)
    return browser.find_elements("css selector", css)


def shot(browser, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def count(server, query: str) -> int:
    """The number a COUNT query answers, asked over HTTP."""
    url = server.sparql_url + "?" + urllib.parse.urlencode(
        {"query": "PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\n" + query, "format": "csv"})
    with urllib.request.urlopen(url, timeout=30) as response:
        return int(response.read().decode().splitlines()[1])


def page_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_page_loads_with_the_clusters(browser, server) -> None:
    open_view(browser, server, "#/clusters")
    cards = wait_for(browser, ".cluster-card", 10)
    titles = [card.find_element("css selector", "h3").text for card in cards]
    assert "Seoul Venture Valley" in titles and "Bucheon mature industrial cluster" in titles
    assert "clusterkg" in browser.title
    shot(browser, "clusters-en")
    assert page_errors(browser) == []


def test_language_switch(browser, server) -> None:
    open_view(browser, server, "#/clusters")
    browser.find_element("id", "lang-ko").click()
    wait_for(browser, "#view[data-ready='true'] .cluster-card", 10)
    assert browser.find_element("css selector", "html").get_attribute("lang") == "ko"
    assert browser.find_element("css selector", "#tabs a[data-tab='clusters']").text == "클러스터"
    titles = [e.text for e in browser.find_elements("css selector", ".cluster-card h3")]
    assert "서울벤처밸리" in titles and "동대문 의류산업 집적지" in titles
    shot(browser, "clusters-ko")
    browser.find_element("id", "lang-en").click()
    wait_for(browser, "#view[data-ready='true'] .cluster-card", 10)
    assert browser.find_element("css selector", "#tabs a[data-tab='clusters']").text == "Clusters"


def test_comparison_shows_both_clusters_with_provenance(browser, server, source_text: str) -> None:
    open_view(browser, server, "#/compare")
    table = wait_for(browser, ".compare-table")[0]
    heads = [th.text for th in table.find_elements("css selector", "thead th")]
    assert heads[1:] == ["Seoul Venture Valley", "Dongdaemun apparel cluster"]  # the paper's column order
    rows = table.find_elements("css selector", "tbody tr")
    assert [r.find_element("css selector", "th").text for r in rows] == [
        "place", "socio-economic mechanism", "cultural-economic mechanism", "performance capacity"]
    assert all(len(r.find_elements("css selector", "td li")) >= 2 for r in rows)
    shot(browser, "compare-en")
    rows[1].find_elements("css selector", ".prov-btn")[1].click()  # Dongdaemun, socio-economic
    quote = wait_for(browser, "#prov[open] blockquote.verbatim")[0]
    assert quote.text.strip("“”") in source_text  # verbatim from the paper
    assert "3.1" in browser.find_element("css selector", "#prov .section").text
    shot(browser, "compare-provenance")
    browser.find_element("css selector", "#prov .close").click()


def test_myths_and_findings(browser, server, source_text: str) -> None:
    open_view(browser, server, "#/myths", lang="ko")
    cards = wait_for(browser, ".myth-card", 3)
    assert len(cards) == 3
    assert all(card.find_elements("css selector", ".finding") for card in cards)
    shot(browser, "myths-ko")
    cards[2].find_element("css selector", ".myth .prov-btn").click()
    quotes = wait_for(browser, "#prov[open] blockquote.verbatim")
    assert all(q.text.strip("“”") in source_text for q in quotes)
    browser.find_element("css selector", "#prov .close").click()


def test_named_query_runs_and_downloads(browser, server) -> None:
    open_view(browser, server, "#/query?name=myths-and-findings")
    assert browser.find_element("css selector", ".params input[name='lang']").get_attribute("value") == "en"
    browser.find_element("id", "run-named").click()
    wait_for(browser, "#results .row-count")
    rows = browser.find_elements("css selector", "#results table.results tbody tr")
    assert "Myth:" in browser.find_element("css selector", "#results table.results").text
    shot(browser, "query-named")
    href = browser.find_element("css selector", "#results a.download-csv").get_attribute("href")
    columns = [th.text for th in browser.find_elements("css selector", "#results table.results thead th")]
    role = [c.lstrip("?") for c in columns].index("role")
    roles = [row.find_elements("css selector", "td")[role].text for row in rows]
    findings = count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?f ckg:counters ?m }")
    assert roles.count("finding") == findings < len(rows)  # one row per finding, and what the paper says of each myth
    with urllib.request.urlopen(href, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        lines = response.read().decode().splitlines()
    assert lines[0] == ",".join(c.lstrip("?") for c in columns) and len(lines) == len(rows) + 1


def test_own_sparql_runs(browser, server) -> None:
    open_view(browser, server, "#/query")
    query = ("PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\n"
             "SELECT ?feature ?dimension WHERE { ?feature ckg:onDimension ?dimension }")
    browser.execute_script("state.yasqe.setValue(arguments[0])", query)
    browser.find_element("id", "run-own").click()
    wait_for(browser, "#results .row-count")
    cells = count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?f ckg:onDimension ?d }")
    assert cells >= 15 and browser.find_element("css selector", "#results .row-count").text == f"{cells} rows"
    href = browser.find_element("css selector", "#results a.download-json").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        assert b'"vars":["feature","dimension"]' in response.read()
    shot(browser, "query-own")


def test_map_and_entity_graph(browser, server) -> None:
    open_view(browser, server, "#/map")
    wait_for(browser, "#map .leaflet-overlay-pane path", 50)  # the offline country outlines
    status = browser.find_element("css selector", ".map-status").text
    assert status.startswith("Clusters with coordinates: 1 ") and "test-geo" in status  # only Seoul Venture Valley
    assert len(browser.find_elements("css selector", "#map path.leaflet-interactive[stroke='#b3261e']")) == 1
    shot(browser, "map")
    open_view(browser, server, "#/entity/" + urllib.request.quote(CKI + "cluster-seoul-venture-valley", safe=""))
    wait_for(browser, "#graph canvas")
    assert browser.find_element("css selector", ".entity-head h1").text == "Seoul Venture Valley"
    shot(browser, "entity")
    assert page_errors(browser) == []


def test_map_without_coordinates_says_so(browser, tmp_path: Path) -> None:
    with clusterkg_server(tmp_path / "store") as bare:
        open_view(browser, bare, "#/map", lang="ko")
        message = wait_for(browser, ".map-status .empty-map")[0].text
        assert "좌표가 알려진 클러스터가 아직 없습니다" in message
        wait_for(browser, "#map .leaflet-overlay-pane path", 50)  # the base map still shows
        assert not browser.find_elements("css selector", "#map path.leaflet-interactive[stroke='#b3261e']")
        shot(browser, "map-empty-ko")
