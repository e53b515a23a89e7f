"""Shared fixtures: a fresh embedded store per test session, the source text."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/servers.py and helpers

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCE_TEXT = SHARED / "source" / "nam-cluster-comparison.ko.txt"


#: Fixtures that start a server process: a test that uses one is a server test, marked or not.
SERVER_FIXTURES = {"oxigraph", "virtuoso", "wikidata_endpoint", "server", "live_server", "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a server fixture ``server``, so that ``-m "not server"`` never starts one."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)


def require_servers() -> bool:
    """In CI (CLUSTERKG_REQUIRE_SERVERS=1) a missing server is a failure, not a skip."""
    return os.environ.get("CLUSTERKG_REQUIRE_SERVERS") == "1"


def skip_or_fail(reason: str) -> None:
    if require_servers():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def source_text() -> str:
    if not SOURCE_TEXT.exists():
        skip_or_fail(f"the source paper is not at {SOURCE_TEXT}")
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def session_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store built once for the session; tests must not write to it."""
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def built_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge base built once into a store, copied by :func:`store_dir`."""
    from clusterkg.stores import open_embedded

    template = tmp_path_factory.mktemp("template") / "store"
    with open_embedded(template):
        pass
    return template


@pytest.fixture()
def store_dir(tmp_path: Path, built_store_template: Path) -> Path:
    """A store of this test's own, holding the shipped knowledge base and nothing else, for a test that writes."""
    target = tmp_path / "store"
    shutil.copytree(built_store_template, target)
    return target


@pytest.fixture()
def empty_store_dir(tmp_path: Path) -> Path:
    """A store directory that does not exist yet (the first use builds it)."""
    return tmp_path / "store"


@pytest.fixture(autouse=True)
def _isolated_store(monkeypatch: pytest.MonkeyPatch, session_store_dir: Path) -> None:
    """Never touch the user's real store from a test."""
    monkeypatch.setenv("CLUSTERKG_STORE", str(session_store_dir))


@pytest.fixture()
def oxigraph(tmp_path: Path):
    """A running, empty ``oxigraph serve`` on 127.0.0.1 (stopped after the test)."""
    from servers import oxigraph_server

    try:
        with oxigraph_server(tmp_path / "oxigraph-server") as server:
            yield server
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    """A running Virtuoso Open Source 7 on 127.0.0.1, shared by the session (stopped at its end).

    Tests that write must use graphs of their own or reload what they change.
    """
    from servers import virtuoso_server

    try:
        with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
            yield server
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))


WIKIDATA_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "wikidata" / "items.ttl"


@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory):
    """An ``oxigraph serve`` loaded with the Wikidata-shaped fixture; its query URL (session-wide, read-only)."""
    from servers import oxigraph_server

    try:
        with oxigraph_server(tmp_path_factory.mktemp("wikidata-fixture")) as server:
            server.load(WIKIDATA_FIXTURE)
            yield server.query_url
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
