"""Snapshots served before they are counted: a change is answered while its counts are still being taken,
``/api/info`` and the service description wait for them and are right; a superseded snapshot is not counted;
the workers are forked by the fork server and leave with their server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from serve_helpers import clusterkg_server
from test_server_app import get, http

from clusterkg.errors import StoreError
from clusterkg.server import snapshots
from clusterkg.server.pool import Job, QueryPool
from clusterkg.server.snapshots import holds_at_most
from clusterkg.stores import open_embedded
from clusterkg.stores.userdata import graph_sizes

GRAPH = "urn:x:snapshot-test"
ACCEPT = "application/sparql-results+json"


def _add(store_dir: Path, subject: str) -> None:
    with open_embedded(store_dir, writable=True) as store:
        store.add_to_graphs({GRAPH: [ox.Triple(ox.NamedNode(subject), ox.NamedNode("urn:x:p"), ox.Literal("1"))]})


def _store_counts(store_dir: Path) -> tuple[int, dict[str, int]]:
    with open_embedded(store_dir) as store:
        return len(store.oxigraph), graph_sizes(store)


def _slow_counts(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[Path]]:
    """Counting waits until the event is set; the snapshots counted are listed."""
    gate, counted = threading.Event(), []
    real = snapshots.snapshot_counts

    def slow(path: Path) -> tuple[int, dict[str, int]]:
        assert gate.wait(60)
        counted.append(path)
        return real(path)

    monkeypatch.setattr(snapshots, "snapshot_counts", slow)
    return gate, counted


def test_holds_at_most_counts_every_graph() -> None:
    store = ox.Store()
    s, p = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p")
    store.add(ox.Quad(s, p, ox.Literal("default")))
    store.extend(ox.Quad(s, p, ox.Literal(str(i)), ox.NamedNode(f"urn:x:g{i % 2}")) for i in range(4))
    assert holds_at_most(store, 5) and holds_at_most(store, 6)
    assert not holds_at_most(store, 4) and not holds_at_most(store, 0)
    assert holds_at_most(ox.Store(), 0)


@pytest.mark.server
def test_a_change_is_served_before_it_is_counted(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate, counted = _slow_counts(monkeypatch)

    async def scenario() -> None:
        pool = QueryPool(store_dir, workers=1, reload_interval=0)
        await pool.start()  # serves before the first snapshot is counted
        try:
            _add(store_dir, "urn:x:changed")
            await pool.reload()
            reply = await pool.run(Job(sparql="ASK { <urn:x:changed> ?p ?o }", accept=ACCEPT))
            assert reply.status == 200 and json.loads(reply.body)["boolean"] is True
            counts = asyncio.ensure_future(pool.counts())
            await asyncio.sleep(0.3)
            assert not counts.done() and not counted  # waiting for the count, never a number from before
            gate.set()
            generation, triples, graphs = await asyncio.wait_for(counts, 60)
            assert generation == pool.generation == 2
            assert (triples, graphs) == _store_counts(store_dir) and graphs[GRAPH] == 1
            assert await pool.counts() == (generation, triples, graphs)  # kept for the snapshot
        finally:
            gate.set()
            await pool.stop()

    asyncio.run(scenario())


@pytest.mark.server
def test_a_superseded_snapshot_is_not_counted(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate, counted = _slow_counts(monkeypatch)

    async def scenario() -> None:
        pool = QueryPool(store_dir, workers=1, reload_interval=0)
        await pool.start()
        try:
            _add(store_dir, "urn:x:second")
            await pool.reload()  # snapshot 2: waits behind the count of snapshot 1, then is superseded
            _add(store_dir, "urn:x:third")
            await pool.reload()
            gate.set()
            generation, triples, graphs = await asyncio.wait_for(pool.counts(), 60)
            assert generation == 3 and (triples, graphs) == _store_counts(store_dir) and graphs[GRAPH] == 2
            assert [path.name for path in counted] == ["snapshot-1", "snapshot-3"]
            await pool.run(Job(sparql="ASK { ?s ?p ?o }", accept=ACCEPT))  # the worker moves to snapshot 3
            await asyncio.sleep(0.2)
            assert pool.snapshots.path is not None
            assert [p.name for p in pool.snapshots.path.glob("snapshot-*")] == ["snapshot-3"]
        finally:
            gate.set()
            await pool.stop()

    asyncio.run(scenario())


@pytest.mark.server
def test_info_and_the_description_count_a_change(store_dir: Path) -> None:
    with clusterkg_server(store_dir, "--reload-interval", "0.2") as server:
        before = json.loads(http(server.url + "/api/info")[2])
        _add(store_dir, "urn:x:counted")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and b"true" not in get(server, "ASK { <urn:x:counted> ?p ?o }", format="csv")[2]:
            time.sleep(0.1)
        info = json.loads(http(server.url + "/api/info")[2])  # asked at once: waits for the new snapshot's count
        assert info["snapshot"] > before["snapshot"] and info["triples"] == before["triples"] + 1
        status, _, body = http(server.sparql_url, headers={"Accept": "application/n-triples"})
        assert status == 200
        description = ox.Store()
        description.load(body, format=ox.RdfFormat.N_TRIPLES)
        void = "http://rdfs.org/ns/void#triples"
        sd = "http://www.w3.org/ns/sparql-service-description#"
        assert description.query(f"ASK {{ ?n <{sd}name> <{GRAPH}> ; <{sd}graph> [ <{void}> 1 ] }}")
        assert description.query(f"ASK {{ [] <{sd}defaultGraph> [ <{void}> {info['triples']} ] }}")


@pytest.mark.server
def test_a_count_that_fails_is_an_error_not_a_wait(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: Path) -> tuple[int, dict[str, int]]:
        raise ValueError("no such thing")

    monkeypatch.setattr(snapshots, "snapshot_counts", broken)

    async def scenario() -> None:
        pool = QueryPool(store_dir, workers=1, reload_interval=0)
        await pool.start()
        try:
            with pytest.raises(StoreError, match="cannot count the snapshot .*: no such thing"):
                await asyncio.wait_for(pool.counts(), 30)
            reply = await pool.run(Job(sparql="ASK { ?s ?p ?o }", accept=ACCEPT))  # queries are answered still
            assert reply.status == 200
        finally:
            await pool.stop()

    asyncio.run(scenario())
