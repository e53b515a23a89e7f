"""The W3C SPARQL 1.1 Protocol tests (34) against a real ``clusterkg serve``, read from their manifest.

The test data is put into the store with ``clusterkg load`` (each file as the
named graph the manifest gives it). Read-only (the default), the 20 query tests
and the 7 bad update requests pass and each of the 7 update tests is refused
(HTTP 403 on its update); with ``--writable`` all 34 pass, updates sent to the
URL the service description names for SPARQL 1.1 Update.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED, skip_or_fail
from serve_helpers import clusterkg_server
from w3c_protocol import ProtocolTest, load_tests, run_test, update_url

from clusterkg.cli import cli

pytestmark = [pytest.mark.slow, pytest.mark.server]

MANIFEST = SHARED / "w3c-suites" / "rdf-tests" / "sparql" / "sparql11" / "protocol" / "manifest.ttl"


@pytest.fixture(scope="module")
def suite() -> list[ProtocolTest]:
    if not MANIFEST.exists():
        skip_or_fail(f"the W3C SPARQL protocol tests are not at {MANIFEST}")
    return load_tests(MANIFEST)


def loaded_store(directory: Path, tests: list[ProtocolTest]) -> Path:
    """A store holding the suite's data, put in with 'clusterkg load'."""
    graphs = sorted({graph for test in tests for graph in test.graphs})
    runner = CliRunner()
    for iri, path in graphs:
        result = runner.invoke(cli, ["--store", str(directory), "load", str(path), "--graph", iri])
        assert result.exit_code == 0, result.output
    return directory


def run_suite(tests: list[ProtocolTest], store: Path, *options: str) -> dict[str, tuple[bool, bool, str]]:
    with clusterkg_server(store, "--reload-interval", "0", *options) as server:
        found = update_url(server.url, "/sparql")
        update_path = urllib.parse.urlsplit(found).path if found else "/sparql"
        if "--writable" in options:
            assert found == server.sparql_url  # the service description names where updates go
        else:
            assert found is None  # read-only: no SPARQL 1.1 Update in the description
        outcomes = {}
        for test in tests:
            outcome = run_test(test, server.url, "/sparql", update_path)
            outcomes[test.name] = (outcome.passed, outcome.refused, outcome.detail)
        return outcomes


def test_the_suite_is_complete(suite: list[ProtocolTest]) -> None:
    kinds = [t.kind for t in suite]
    assert len(suite) == 34
    assert (kinds.count("query"), kinds.count("update"), kinds.count("bad update")) == (20, 7, 7)


def test_read_only_server(suite: list[ProtocolTest], tmp_path: Path, store_dir: Path) -> None:
    outcomes = run_suite(suite, loaded_store(store_dir, suite))
    failed = {t.name: outcomes[t.name][2] for t in suite if t.kind != "update" and not outcomes[t.name][0]}
    assert not failed, failed
    not_refused = [t.name for t in suite if t.kind == "update" and not outcomes[t.name][1]]
    assert not not_refused, not_refused
    assert sum(outcomes[t.name][0] for t in suite if t.kind != "update") == 27


def test_writable_server(suite: list[ProtocolTest], tmp_path: Path, store_dir: Path) -> None:
    outcomes = run_suite(suite, loaded_store(store_dir, suite), "--writable")
    failed = {name: detail for name, (passed, _, detail) in outcomes.items() if not passed}
    assert not failed, failed
    assert len(outcomes) == 34
