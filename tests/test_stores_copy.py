"""``clusterkg push``: the embedded store's graphs pushed to an endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from servers import free_port

from clusterkg.cli import cli
from clusterkg.namespaces import LINKS_GRAPH, case_graph
from clusterkg.stores import open_embedded
from clusterkg.stores.copy import count_triples, push
from clusterkg.stores.remote import EndpointStore

CASE = case_graph("sync-test")


def _case_triples() -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode("urn:case"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("사례", language="ko"))]


def test_cli_push_pushes_every_graph_including_added_ones(oxigraph, store_dir: Path) -> None:
    with open_embedded(store_dir, writable=True) as store:
        store.replace_graphs({CASE: _case_triples(), LINKS_GRAPH: _case_triples()})
        expected = count_triples(store)
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", str(store_dir), "push", "--endpoint", oxigraph.query_url,
                                 "--update-endpoint", oxigraph.update_url, "--batch-size", "100"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Pushed {sum(expected.values())} triples in {len(expected)} graphs to {oxigraph.query_url}."
    assert count_triples(EndpointStore(oxigraph.query_url)) == expected
    info = runner.invoke(cli, ["--endpoint", oxigraph.query_url, "info", "--json"])
    local = runner.invoke(cli, ["--store", str(store_dir), "info", "--json"])
    assert json.loads(info.output) == json.loads(local.output)

    with open_embedded(store_dir, writable=True) as store:  # the case is removed: a new load drops it
        store.replace_graphs({}, drop=[CASE])
    again = runner.invoke(cli, ["--store", str(store_dir), "push", "--endpoint", oxigraph.query_url,
                                "--update-endpoint", oxigraph.update_url])
    assert again.exit_code == 0, again.output
    assert f"Dropped 1 graphs the store no longer has: {CASE}" in again.output
    assert CASE not in EndpointStore(oxigraph.query_url).graph_names()


def test_cli_push_takes_the_endpoint_before_or_after_its_name(oxigraph) -> None:
    result = CliRunner().invoke(cli, ["--endpoint", oxigraph.query_url, "--update-endpoint", oxigraph.update_url, "push"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Pushed ")
    deprecated = CliRunner().invoke(cli, ["load", "--endpoint", oxigraph.query_url, "--update-endpoint", oxigraph.update_url])
    assert deprecated.exit_code == 0, deprecated.output
    assert deprecated.stdout.startswith("Pushed ") and "is now 'clusterkg push'" in deprecated.stderr


def test_cli_push_errors_are_one_line() -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["push"])
    assert missing.exit_code == 2 and missing.output.startswith("Error: no endpoint to push to: give --endpoint URL")
    url = f"http://127.0.0.1:{free_port()}/update"
    down = runner.invoke(cli, ["push", "--endpoint", url])
    assert down.exit_code == 2
    assert down.output.startswith(f"Error: cannot reach the endpoint {url}") and down.output.count("\n") == 1
    bad = runner.invoke(cli, ["push", "--endpoint", "http://x", "--batch-size", "0"])
    assert bad.exit_code == 2 and "--batch-size" in bad.output


def test_load_without_files_still_pushes_for_one_release() -> None:
    """'clusterkg load --endpoint URL' was the push: it still is, with a note on standard error."""
    url = f"http://127.0.0.1:{free_port()}/update"
    result = CliRunner().invoke(cli, ["load", "--endpoint", url])
    assert result.exit_code == 2
    assert result.stderr.startswith("Note: 'clusterkg load' without files, copying the store to an endpoint, is now "
                                    "'clusterkg push'")
    assert f"Error: cannot reach the endpoint {url}" in result.stderr
    plain = CliRunner().invoke(cli, ["load"])
    assert plain.exit_code == 2 and "give the RDF files to load" in plain.output


def test_read_only_endpoint_is_reported(oxigraph) -> None:
    """Writing to the query URL of a server that only reads there is an HTTP error, in one line."""
    result = CliRunner().invoke(cli, ["push", "--endpoint", oxigraph.query_url])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {oxigraph.query_url} answered HTTP ")
    assert result.output.count("\n") == 1


def test_push_reports_progress_per_batch(oxigraph) -> None:
    totals: list[int] = []
    written: list[int] = []

    def start(total: int):
        totals.append(total)
        return written.append

    target = EndpointStore(oxigraph.query_url, oxigraph.update_url, batch_size=250)
    with open_embedded() as source:
        summary = push(source, target, progress_start=start)
    assert totals == [summary.triples] and sum(written) == summary.triples
    assert max(written) <= 250 + 50  # a blank-node group may overshoot a little
