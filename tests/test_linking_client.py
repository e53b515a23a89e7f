"""The polite SPARQL client: User-Agent, retries honouring Retry-After, timeouts, cache, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import free_port
from stub_http import Reply, stub_server

from clusterkg.errors import EndpointError
from clusterkg.linking.client import SparqlClient, parse_bindings
from clusterkg.sparql.http import retry_after

ONE_ROW = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}).encode()
QUERY = "SELECT ?x WHERE { ?s ?p ?x } LIMIT 1"


def client(url: str, tmp_path: Path, **options) -> tuple[SparqlClient, list[float]]:
    waits: list[float] = []
    options.setdefault("backoff", 0.01)
    return SparqlClient(url, cache_dir=tmp_path / "cache", sleep=waits.append, **options), waits


def test_answer_user_agent_and_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERKG_CONTACT", "analyst@example.org")
    with stub_server([Reply(body=ONE_ROW)]) as stub:
        c, _ = client(stub.url, tmp_path)
        rows = c.select(QUERY)
    assert rows == [{"x": ox.Literal("1")}]
    sent = stub.requests[0]
    agent = sent["headers"]["User-Agent"]
    assert agent.startswith("clusterkg/") and "analyst@example.org" in agent and "https://w3id.org/clusterkg/" in agent
    assert b"query=SELECT" in sent["body"]  # POST, form-encoded


def test_429_with_retry_after_then_success(tmp_path: Path) -> None:
    replies = [Reply(429, b"slow down", {"Retry-After": "3"}), Reply(body=ONE_ROW)]
    with stub_server(replies) as stub:
        c, waits = client(stub.url, tmp_path)
        assert len(c.select(QUERY)) == 1
    assert waits == [3.0]  # the server's Retry-After, not the client's backoff
    assert (c.stats.requests, c.stats.retries) == (2, 1)


def test_5xx_backoff_then_error_after_retries(tmp_path: Path) -> None:
    with stub_server([Reply(500, b"boom"), Reply(503, b"busy")]) as stub:
        c, waits = client(stub.url, tmp_path, retries=3)
        with pytest.raises(EndpointError, match=r"HTTP 503 \(after 4 attempts\)"):
            c.select(QUERY)
    assert len(stub.requests) == 4
    assert waits == [0.01, 0.02, 0.04]  # exponential backoff
    assert not (tmp_path / "cache").exists()  # an error is never cached


def test_dropped_connection_is_retried(tmp_path: Path) -> None:
    with stub_server([Reply(0), Reply(body=ONE_ROW)]) as stub:
        c, waits = client(stub.url, tmp_path)
        assert len(c.select(QUERY)) == 1
    assert waits == [0.01] and c.stats.requests == 2
    with stub_server([Reply(0)]) as stub:
        c, _ = client(stub.url, tmp_path / "other", retries=1)
        with pytest.raises(EndpointError, match=r"dropped the connection \(after 2 attempts\)"):
            c.select(QUERY)


def test_retry_after_beyond_limit_gives_up_at_once(tmp_path: Path) -> None:
    with stub_server([Reply(429, b"", {"Retry-After": "3600"})]) as stub:
        c, waits = client(stub.url, tmp_path, max_wait=60)
        with pytest.raises(EndpointError, match="asks to wait 3600 s"):
            c.select(QUERY)
    assert waits == [] and len(stub.requests) == 1


def test_client_error_is_not_retried(tmp_path: Path) -> None:
    with stub_server([Reply(403, b"forbidden")]) as stub:
        c, _ = client(stub.url, tmp_path)
        with pytest.raises(EndpointError, match="HTTP 403"):
            c.select(QUERY)
    assert len(stub.requests) == 1


def test_malformed_response(tmp_path: Path) -> None:
    with stub_server([Reply(body=b"<html>not json</html>")]) as stub:
        c, _ = client(stub.url, tmp_path)
        with pytest.raises(EndpointError, match="malformed response"):
            c.select(QUERY)


def test_timeout(tmp_path: Path) -> None:
    with stub_server([Reply(body=ONE_ROW, delay=3)]) as stub:
        c, _ = client(stub.url, tmp_path, timeout=1)
        with pytest.raises(EndpointError, match="did not answer within 1 s"):
            c.select(QUERY)


def test_unreachable(tmp_path: Path) -> None:
    c, _ = client(f"http://127.0.0.1:{free_port()}/sparql", tmp_path)
    with pytest.raises(EndpointError, match="cannot reach"):
        c.select(QUERY)


def test_cache_makes_a_rerun_free_and_offline_works(tmp_path: Path) -> None:
    with stub_server([Reply(body=ONE_ROW)]) as stub:
        first, _ = client(stub.url, tmp_path)
        first.select(QUERY)
        again, _ = client(stub.url, tmp_path)
        assert again.select(QUERY) == first.select(QUERY)
        assert (again.stats.requests, again.stats.cache_hits) == (0, 1)
        refreshed, _ = client(stub.url, tmp_path, refresh=True)
        refreshed.select(QUERY)
        assert refreshed.stats.requests == 1
        assert len(stub.requests) == 2
    offline, _ = client(stub.url, tmp_path, offline=True)  # the server is gone: only the cache answers
    assert len(offline.select(QUERY)) == 1
    with pytest.raises(EndpointError, match="not in the cache"):
        offline.select(QUERY + " OFFSET 1")


def test_retry_after_forms() -> None:
    assert retry_after("12") == 12.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait


@pytest.mark.parametrize("body", [b"{}", b'{"results": {"bindings": {}}}', b"\xff", b"[1]"])
def test_parse_bindings_rejects_other_shapes(body: bytes) -> None:
    with pytest.raises(EndpointError, match="malformed"):
        parse_bindings(body, "http://example.org/sparql")
