"""The web page of ``clusterkg serve`` in headless Chromium, driven by Selenium.

Uses Debian's ``chromium`` and ``chromium-driver`` (never a downloaded
browser). Screenshots are saved under ``test-artifacts/`` (git-ignored).
The module's server holds the shipped knowledge base and the two cases of
``tests/fixtures/cases/valid.yaml`` (Pangyo Techno Valley, Prato textile
district), added with ``clusterkg add`` as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from conftest import skip_or_fail
from serve_helpers import clusterkg_command, clusterkg_server

from clusterkg.namespaces import CKI, prefix_lines

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CASES = Path(__file__).resolve().parent / "fixtures" / "cases" / "valid.yaml"
PANGYO_CITATION = "Gyeonggi Province, Pangyo Techno Valley annual survey, 2020"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("web-store")
    added = subprocess.run([*clusterkg_command(), "--store", str(store), "add", str(CASES)], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
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


@pytest.fixture()
def phone(browser):
    """The browser at a phone's width (390 x 844 CSS pixels) for one test."""
    browser.set_window_size(390, 844)
    try:
        yield browser
    finally:
        browser.set_window_size(1280, 900)


def open_view(browser, server, hash_: str, lang: str = "en") -> None:
    """Load the page at ``#hash`` in ``lang`` and wait until the view has rendered."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url + "/")
    browser.execute_script("localStorage.setItem('clusterkg.lang', arguments[0])", lang)
    browser.get(server.url + "/" + hash_)
    browser.refresh()
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    WebDriverWait(browser, 60).until(lambda d: d.find_element("id", "view").get_attribute("data-ready") == "true")


def wait_for(browser, css: str, count: int = 1, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(lambda d: len(d.find_elements("css selector", css)) >= count)
    return browser.find_elements("css selector", css)


def run_own(browser, query: str) -> None:
    """Type a query into the page's SPARQL editor, run it and wait for its results."""
    browser.execute_script("state.yasqe.setValue(arguments[0])", query)
    browser.find_element("id", "run-own").click()
    wait_for(browser, "#results .row-count")


def shot(browser, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def fetch(url: str) -> tuple[int, Message, bytes]:
    """Status, headers (looked up in any case, as HTTP's are) and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sparql_count(server, query: str) -> int:
    url = server.sparql_url + "?" + urllib.parse.urlencode(
        {"query": prefix_lines() + query, "format": "csv"})
    return int(fetch(url)[2].decode().splitlines()[1])


def page_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def entity_hash(local: str) -> str:
    return "#/entity/" + urllib.parse.quote(CKI + local, safe="")


def close_dialog(browser) -> None:
    browser.find_element("css selector", "#prov .close").click()


def no_sideways_scroll(browser) -> bool:
    return browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


# --- clusters and language ------------------------------------------------------


def test_cluster_cards_in_plain_words(browser, server) -> None:
    open_view(browser, server, "#/clusters")
    cards = wait_for(browser, ".cluster-card", 13)  # the paper's eleven and the two added cases
    by_title = {card.find_element("css selector", "h3").text: card for card in cards}
    assert {"Seoul Venture Valley", "Bucheon mature industrial cluster", "Pangyo Techno Valley"} <= set(by_title)
    assert "실리콘밸리" not in by_title["Silicon Valley"].text  # no Korean alias in English mode
    assert "The paper names this cluster only as 'MSC'" in by_title["MSC"].text  # its note explains it
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


# --- the landing summary ------------------------------------------------------------


def test_landing_summarises_the_argument_from_the_claims(browser, server, source_text: str) -> None:
    open_view(browser, server, "#/home")
    myths = wait_for(browser, ".argument-myth", 3)
    assert len(myths) == sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?m a ckg:Myth }")
    findings = browser.find_elements("css selector", ".argument-finding")
    assert len(findings) == sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?f ckg:counters ?m }")
    assert "Deregulation matters more than more support" in browser.find_element("id", "view").text
    conclusion = browser.find_element("css selector", ".conclusion blockquote").text
    glosses = fetch(server.sparql_url + "?" + urllib.parse.urlencode({"format": "json", "query": (
        "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?g WHERE { ?c a ckg:Conclusion ; prov:wasDerivedFrom/ckg:gloss ?g }")}))[2]
    assert conclusion in {b["g"]["value"] for b in json.loads(glosses)["results"]["bindings"]}  # the KB's gloss
    shot(browser, "home-en")
    open_view(browser, server, "#/home", lang="ko")
    wait_for(browser, ".argument-myth", 3)
    assert browser.find_element("css selector", ".conclusion blockquote").text in source_text  # verbatim
    assert "반론" in browser.find_element("id", "view").text
    shot(browser, "home-ko")


def test_phone_width(phone, server) -> None:
    open_view(phone, server, "#/home", lang="ko")
    assert no_sideways_scroll(phone)
    shot(phone, "phone-home-ko")
    open_view(phone, server, "#/compare")
    wait_for(phone, ".compare-table td")
    assert no_sideways_scroll(phone)
    shot(phone, "phone-compare")
    open_view(phone, server, "#/query?name=clusters")
    phone.find_element("id", "run-named").click()
    wait_for(phone, "#results .row-count")
    assert no_sideways_scroll(phone)
    cell = phone.find_element("css selector", "#results td[data-title]")
    assert cell.size["width"] > 250  # one card per row, not a squeezed column
    shot(phone, "phone-query")
    open_view(phone, server, entity_hash("cluster-bucheon"))
    wait_for(phone, "#graph canvas")
    assert no_sideways_scroll(phone)
    shot(phone, "phone-entity")


# --- myths ------------------------------------------------------------------------------


def test_myths_and_findings(browser, server, source_text: str) -> None:
    open_view(browser, server, "#/myths", lang="ko")
    cards = wait_for(browser, ".myth-card", 3)
    assert len(cards) == 3
    assert all(card.find_elements("css selector", ".finding") for card in cards)
    shot(browser, "myths-ko")
    cards[2].find_element("css selector", ".myth .prov-btn").click()
    quotes = wait_for(browser, "#prov[open] blockquote.verbatim")
    assert all(q.text.strip("“”") in source_text for q in quotes)
    close_dialog(browser)


# --- compare ------------------------------------------------------------------------


def test_comparison_of_the_paper_pair_with_provenance_in_every_cell(browser, server, source_text: str) -> None:
    open_view(browser, server, "#/compare")
    table = wait_for(browser, ".compare-table")[0]
    heads = [th.text for th in table.find_elements("css selector", "thead th")]
    assert heads[1:] == ["Seoul Venture Valley", "Dongdaemun apparel cluster"]  # the paper's column order
    dims = table.find_elements("css selector", "tbody tr.dimension")
    assert [r.find_element("css selector", "th").text for r in dims] == [
        "place", "socio-economic mechanism", "cultural-economic mechanism", "performance capacity"]
    general = [r.find_element("css selector", "th").text for r in table.find_elements("css selector", "tbody tr.general")]
    assert general[:3] == ["type", "country and location", "industries (* main)"] and "source" in general
    shot(browser, "compare-en")
    dims[1].find_elements("css selector", "td")[1].click()  # Dongdaemun, socio-economic: a click on the cell
    quote = wait_for(browser, "#prov[open] blockquote.verbatim")[0]
    assert quote.text.strip("“”") in source_text  # verbatim from the paper
    assert "3.1" in browser.find_element("css selector", "#prov .section").text
    shot(browser, "compare-provenance")
    close_dialog(browser)
    history = table.find_element("css selector", "tr.general[data-key='historyYears']").find_elements("css selector", "td")
    history[1].click()  # Dongdaemun's about 100 years
    wait_for(browser, "#prov[open] .excerpt")
    assert all(q.text.strip("“”") in source_text for q in browser.find_elements("css selector", "#prov blockquote.verbatim"))
    close_dialog(browser)


def test_comparison_of_any_two_clusters_and_a_cases_source(browser, server) -> None:
    a, b = CKI + "cluster-pangyo-techno-valley", CKI + "cluster-bucheon"
    open_view(browser, server, f"#/compare?a={urllib.parse.quote(a, safe='')}&b={urllib.parse.quote(b, safe='')}")
    table = wait_for(browser, ".compare-table")[0]
    assert [th.text for th in table.find_elements("css selector", "thead th")][1:] == [
        "Pangyo Techno Valley", "Bucheon mature industrial cluster"]
    firms = table.find_element("css selector", "tr.general[data-key='firms']").find_elements("css selector", "td")
    assert firms[0].text == "1300" and firms[1].text == "about 7000"
    # neither is a column of the paper's table (section 3.1): no dimension rows, and the page says why
    assert not table.find_elements("css selector", "tr.dimension")
    assert "Neither cluster has features" in browser.find_element("css selector", ".no-dimensions").text
    shot(browser, "compare-any")
    firms[0].click()
    citation = wait_for(browser, "#prov[open] .case-source .citation")[0]
    assert citation.text == PANGYO_CITATION  # the case's dcterms:source, not "no source"
    assert "source cited by the case" in browser.find_element("id", "prov").text
    shot(browser, "compare-case-provenance")
    close_dialog(browser)
    firms[1].click()  # Bucheon's "about 7000" is the project's reading, with its note
    note = wait_for(browser, "#prov[open] .note")[0]
    assert "this project's interpretation" in note.text
    assert "this project's reading" in browser.find_element("id", "prov").text
    close_dialog(browser)


def test_comparison_of_a_case_with_a_cluster_of_the_papers_table(browser, server, source_text: str) -> None:
    a, b = CKI + "cluster-pangyo-techno-valley", CKI + "cluster-dongdaemun-apparel"
    open_view(browser, server, f"#/compare?a={urllib.parse.quote(a, safe='')}&b={urllib.parse.quote(b, safe='')}")
    table = wait_for(browser, ".compare-table")[0]
    dims = table.find_elements("css selector", "tbody tr.dimension")
    assert [r.find_element("css selector", "th").text for r in dims] == [
        "place", "socio-economic mechanism", "cultural-economic mechanism", "performance capacity"]
    for row in dims:  # Dongdaemun's parts of the paper's table; nothing invented for the case
        pangyo, dongdaemun = row.find_elements("css selector", "td")
        assert pangyo.text == "—" and dongdaemun.find_elements("css selector", "li")
    assert not browser.find_elements("css selector", ".no-dimensions")
    dims[0].find_elements("css selector", "td")[1].find_element("css selector", "li").click()
    quote = wait_for(browser, "#prov[open] blockquote.verbatim")[0]
    assert quote.text.strip("“”") in source_text
    shot(browser, "compare-case-and-paper")
    close_dialog(browser)


# --- map ------------------------------------------------------------------------------


def map_state(browser) -> dict:
    return browser.execute_script("""
        const map = state.map, markers = [];
        state.mapMarkers.eachLayer((m) => markers.push({ iri: m.clusterIri, ll: m.getLatLng() }));
        let jump = 0;
        const walk = (lls) => { if (lls.length && lls[0].lat !== undefined) {
            for (let i = 1; i < lls.length; i++) jump = Math.max(jump, Math.abs(lls[i].lng - lls[i - 1].lng)); }
          else lls.forEach(walk); };
        state.mapOutlines.forEach((g) => g.eachLayer((l) => walk(l.getLatLngs())));
        return { markers: markers.map((m) => m.iri), inView: markers.every((m) => map.getBounds().contains(m.ll)),
                 jump, zoom: map.getZoom() };""")


def test_map_on_first_start(browser, tmp_path: Path) -> None:
    with clusterkg_server(tmp_path / "store") as bare:  # a new store: no link, no enrichment, no case
        open_view(browser, bare, "#/map", lang="ko")
        wait_for(browser, "#map canvas")  # the offline country outlines
        found = map_state(browser)
        expected = {CKI + c for c in ("cluster-seoul-venture-valley", "cluster-bucheon", "cluster-daejeon-bio",
                                      "cluster-boston-bio", "cluster-san-diego-bio")}
        assert set(found["markers"]) == expected  # the paper's clusters whose city is known
        assert found["inView"] and found["zoom"] >= 2  # fitted to them, not the whole world
        assert found["jump"] < 180  # no outline crosses the map from one side to the other
        apart = browser.find_element("css selector", ".unplaced").text
        assert "테헤란밸리" in apart and "동대문" in apart  # listed, with the reason, not silently dropped
        assert "지도에 표시한 클러스터: 11곳 중 5곳" in browser.find_element("css selector", ".map-status").text
        shot(browser, "map-first-start-ko")
        assert page_errors(browser) == []


def test_map_groups_overlapping_markers_and_shows_added_cases(browser, server) -> None:
    open_view(browser, server, "#/map")
    wait_for(browser, "#map canvas")
    found = map_state(browser)
    assert CKI + "cluster-pangyo-techno-valley" in found["markers"]  # an added case, at its city
    assert CKI + "cluster-prato-textile-district" in found["markers"]
    assert found["inView"] and found["jump"] < 180
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # the marker layer draws its markers again as the map settles or zooms: an element read or clicked as it
    # is replaced is found once more
    settled = WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,))

    def labels(d) -> list[str]:
        return [e.text for e in d.find_elements("css selector", ".marker-label")]

    wait_for(browser, ".cluster-group")  # Seoul, Bucheon, Pangyo, Daejeon overlap at this zoom
    shown = settled.until(lambda d: labels(d) or None)
    assert "Boston bio cluster" in shown and "Seoul Venture Valley" not in shown
    shot(browser, "map-grouped")

    def click_group(d) -> bool:
        d.find_elements("css selector", ".cluster-group")[0].click()  # zooms in until the markers spread
        return True

    settled.until(click_group)
    settled.until(lambda d: "Seoul Venture Valley" in labels(d))
    shot(browser, "map-spread")


# --- entity pages and the graph ------------------------------------------------------


def test_entity_page_in_plain_words(browser, server, source_text: str) -> None:
    open_view(browser, server, entity_hash("cluster-silicon-valley"))
    wait_for(browser, "#graph canvas")
    text = browser.find_element("id", "view").text
    assert browser.find_element("css selector", ".entity-head h1").text == "Silicon Valley"
    for jargon in ("rdf:type", "rdfs:label", "skos:altLabel", "owl:Axiom", "attested by", "https://w3id.org"):
        assert jargon not in text
    assert "실리콘밸리" not in text  # the Korean alias belongs to the Korean page
    assert not [b for b in browser.find_elements("css selector", ".basis-mark") if b.is_displayed()]
    shot(browser, "entity-en")
    browser.find_element("id", "show-sources").click()  # the one control for provenance
    marks = [b for b in browser.find_elements("css selector", ".basis-mark") if b.is_displayed()]
    assert marks and all(m.text == "stated by the paper" for m in marks)
    assert browser.find_element("css selector", ".entity-sources blockquote").text in source_text
    marks[0].click()
    assert wait_for(browser, "#prov[open] blockquote.verbatim")[0].text in source_text
    close_dialog(browser)
    open_view(browser, server, entity_hash("cluster-silicon-valley") + "?rdf=1")
    assert "ckg:hasMainIndustry" in browser.find_element("id", "view").text  # RDF terms when asked for
    open_view(browser, server, entity_hash("cluster-silicon-valley"), lang="ko")
    assert "다른 이름: 실리콘밸리" in browser.find_element("id", "view").text
    open_view(browser, server, entity_hash("cluster-msc"))
    assert "The paper names this cluster only as 'MSC'" in browser.find_element("css selector", ".entity-head").text


def test_an_unknown_entity_is_said_in_the_pages_language(browser, server) -> None:
    open_view(browser, server, entity_hash("no-such-thing"), lang="ko")
    assert wait_for(browser, "#view .error")[0].text == "오류: 지식베이스에 cki:no-such-thing 개체가 없습니다"
    shot(browser, "entity-unknown-ko")
    open_view(browser, server, entity_hash("no-such-thing"))
    assert wait_for(browser, "#view .error")[0].text == "Error: cki:no-such-thing is not in the knowledge base"
    # the browser logs the two 404 answers; read them here (reading empties the log for the next test)
    assert all("/api/entity?iri=" in e and "404" in e for e in page_errors(browser))


def test_graph_coloured_by_kind_with_a_legend_and_a_second_hop(browser, server) -> None:
    open_view(browser, server, entity_hash("cluster-bucheon"))
    wait_for(browser, "#graph canvas")
    first = browser.execute_script("return state.cy.nodes().map((n) => [n.id(), n.data('kind'), n.style('background-color')])")
    kinds = {kind for _, kind, _ in first}
    assert {"cluster", "place", "organisation"} <= kinds
    assert len({colour for _, _, colour in first}) == len(kinds)  # one colour per kind
    legend = [li.text for li in browser.find_elements("css selector", ".legend li")]
    assert "cluster" in legend and "place" in legend
    labels = browser.execute_script("return state.cy.nodes().map((n) => [n.data('label'), n.style('text-wrap')])")
    assert all(wrap == "wrap" for _, wrap in labels)  # labels wrap, never cut to an ellipsis
    assert browser.execute_script("return state.cy.edges().every((e) => e.style('label') !== '')")
    shot(browser, "graph-one-hop")
    browser.execute_script("state.cy.getElementById(arguments[0]).emit('tap')", CKI + "place-bucheon")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return state.cy.nodes().length") > len(first))
    assert CKI + "place-korea" in browser.execute_script("return state.cy.nodes().map((n) => n.id())")  # a second hop
    assert "open its page" in browser.find_element("id", "graph-info").text
    shot(browser, "graph-two-hops")
    assert page_errors(browser) == []


# --- queries --------------------------------------------------------------------------


def test_query_form_with_a_picker_and_the_columns_a_table_shows(browser, server) -> None:
    open_view(browser, server, "#/query?name=cases-illustrating-finding")
    field = browser.find_element("css selector", ".params input[name='finding']")
    options = browser.find_elements("css selector", f"#{field.get_attribute('list')} option")
    assert len(options) == sparql_count(server, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a/rdfs:subClassOf* ckg:Claim }")
    assert browser.find_element("css selector", ".params select[name='lang']").get_attribute("value") == "en"
    browser.find_element("id", "run-named").click()  # the finding is not given yet
    error = wait_for(browser, "#results .error")[0].text
    assert "fill in the field 'finding'" in error and "--param" not in error
    field.send_keys("Korea's support, concentrated on resources, finance and tax, leaves clusters such as Teheran "
                    "Valley stalled at take-off")  # the finding's label, as the list shows it
    browser.find_element("id", "run-named").click()
    wait_for(browser, "#results .row-count")
    heads = [th.text for th in browser.find_elements("css selector", "#results thead th")]
    assert heads == ["cluster", "relation", "section", "excerpt"]  # no bound lang/finding, no IRI twin of the label
    link = browser.find_element("css selector", "#results tbody td a")
    assert link.text == "Teheran Valley" and link.get_attribute("href").endswith(urllib.parse.quote(CKI + "cluster-teheran-valley", safe=""))
    shot(browser, "query-picker")
    field.clear()
    field.send_keys("테헤란밸리처럼")  # part of a Korean label: the server finds the one claim
    browser.find_element("id", "run-named").click()
    wait_for(browser, "#results .row-count")
    assert browser.find_element("css selector", "#results .row-count").text == "1 rows"


def test_queries_this_server_cannot_run_are_not_offered(browser, server) -> None:
    open_view(browser, server, "#/query")
    option = browser.find_element("css selector", "#named-select option[value='wikidata-live-facts']")
    assert option.get_attribute("disabled") is not None and "not available on this server" in option.text
    assert "--allow-service" in option.get_attribute("title")
    offered = [o.get_attribute("value") for o in browser.find_elements("css selector", "#named-select option:not([disabled])")]
    assert "clusters" in offered and "wikidata-live-facts" not in offered


def test_downloads_for_spreadsheets_and_graphs(browser, server) -> None:
    open_view(browser, server, "#/query?name=clusters", lang="ko")
    assert "이 유형의 클러스터만" in browser.find_element("css selector", ".params").text  # the form in Korean
    browser.find_element("id", "run-named").click()
    wait_for(browser, "#results .row-count")
    links = {a.text: a.get_attribute("href") for a in browser.find_elements("css selector", "#results a.download")}
    assert set(links) == {"CSV(엑셀용)", "TSV", "JSON"}
    status, headers, body = fetch(links["CSV(엑셀용)"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.startswith(b"\xef\xbb\xbf") and "서울벤처밸리" in body.decode("utf-8-sig")  # a BOM for Excel
    assert 'filename="clusters.csv"' in headers["Content-Disposition"]
    rows = browser.find_elements("css selector", "#results tbody tr")
    assert len(body.decode("utf-8-sig").splitlines()) == len(rows) + 1
    status, _, tsv = fetch(links["TSV"])
    assert status == 200 and tsv.decode().startswith("?lang\t")
    assert json.loads(fetch(links["JSON"])[2])["head"]["vars"][0] == "lang"
    query = ("PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\n"
             "CONSTRUCT { ?c ckg:hasFeature ?f } WHERE { ?c ckg:hasFeature ?f }")
    run_own(browser, query)
    features = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?c ckg:hasFeature ?f }")
    assert browser.find_element("css selector", "#results .row-count").text == f"트리플 {features}개"
    links = {a.text: a.get_attribute("href") for a in browser.find_elements("css selector", "#results a.download")}
    assert set(links) == {"Turtle", "JSON-LD"}
    status, headers, turtle = fetch(links["Turtle"])
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and b"hasFeature" in turtle
    status, headers, jsonld = fetch(links["JSON-LD"])
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json") and json.loads(jsonld)
    shot(browser, "query-graph")


def test_own_sparql_runs(browser, server) -> None:
    open_view(browser, server, "#/query")
    query = ("PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\n"
             "SELECT ?feature ?dimension WHERE { ?feature ckg:onDimension ?dimension }")
    run_own(browser, query)
    cells = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?f ckg:onDimension ?d }")
    assert cells >= 15 and browser.find_element("css selector", "#results .row-count").text == f"{cells} rows"
    href = browser.find_element("css selector", "#results a.download-json").get_attribute("href")
    assert b'"vars":["feature","dimension"]' in fetch(href)[2]
    shot(browser, "query-own")


# --- the API the page uses: names instead of IRIs ----------------------------------------


def test_the_api_accepts_names_for_iri_parameters(server) -> None:
    def named(name: str, **params: str) -> tuple[int, str]:
        status, _, body = fetch(f"{server.url}/api/queries/{name}?" + urllib.parse.urlencode({**params, "format": "csv"}))
        return status, body.decode()

    status, body = named("provenance", entity="Bucheon mature industrial cluster")
    assert status == 200 and f"{CKI}cluster-bucheon" in body.splitlines()[1]
    assert named("provenance", entity="부천 성숙산업 클러스터")[1] == body  # the Korean label names the same
    assert named("provenance", entity="cki:cluster-bucheon")[1] == body  # and so does the IRI
    status, message = named("provenance", entity="bucheon")  # the cluster's local name, and the city's label
    assert status == 400 and "ambiguous" in message
    assert "cki:cluster-bucheon" in message and "cki:place-bucheon" in message  # the candidates
    status, body = named("compare", a="서울벤처밸리", b="dongdaemun-apparel")
    assert status == 200 and len(body.splitlines()) > 4
    status, message = named("cases-illustrating-finding", finding="no such claim at all")
    assert status == 400 and "no entity named 'no such claim at all'" in message
    status, message = named("provenance")
    assert status == 400 and "--param" not in message and "entity=" in message
    status, _, body = fetch(f"{server.url}/api/entities?class=ckg:IndustrialCluster&lang=ko")
    clusters = json.loads(body)
    assert status == 200 and len(clusters) == 13 and "서울벤처밸리" in {c["label"] for c in clusters}
    status, _, body = fetch(f"{server.url}/api/queries")
    service = next(q for q in json.loads(body) if q["name"] == "wikidata-live-facts")
    assert service["available"] is False and "--allow-service" in service["reason"]
