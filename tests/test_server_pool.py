"""The query pool against a live ``clusterkg serve``: workers on snapshots of the store on disk, moved to a
new snapshot without a restart; one worker always left to short queries; a trickled body cut off (408);
the ``--host`` warning only once the address is bound; rows counted against ``--max-results`` as
Oxigraph writes them."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from serve_helpers import clusterkg_server
from test_server_app import get, http, post_form
from test_server_hardening import NEVER_ENDING, _address, _snapshot_dirs, _workers_of, open_query, running, trickle, wait_until

from clusterkg.cli import cli

pytestmark = pytest.mark.server


def _read_status(sock: socket.socket, timeout: float) -> tuple[str, bytes]:
    """The status line of the answer on ``sock`` and the rest of what the server sent before it closed."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n")
    return head.decode(), rest


def test_a_trickled_body_is_cut_off_with_408_and_one_line(store_dir: Path) -> None:
    with clusterkg_server(store_dir, "--body-timeout", "2") as server:
        sock = socket.create_connection(_address(server))
        stop = threading.Event()
        thread = threading.Thread(target=trickle, args=(sock, stop, 0.1), daemon=True)
        started = time.monotonic()
        thread.start()
        try:
            status, rest = _read_status(sock, 15)
            elapsed = time.monotonic() - started
        finally:
            stop.set()
            thread.join(timeout=5)
            sock.close()
        assert status == "HTTP/1.1 408 Request Timeout", status
        body = rest.partition(b"\r\n\r\n")[2]
        assert body.decode() == "the request body did not arrive within 2 s; send it whole, at once\n"
        assert 1.5 < elapsed < 10, elapsed  # cut off at the body timeout, and the connection closed
        assert json.loads(http(server.url + "/api/info")[2])["body_timeout_s"] == 2
        assert get(server, "ASK { ?s ?p ?o }")[0] == 200  # a body sent at once is read as before
        assert post_form(server, {"query": "ASK { ?s ?p ?o }"})[0] == 200


def test_more_stuck_queries_than_twice_the_workers_leave_short_ones_served(store_dir: Path) -> None:
    # 1 worker: at most 2 processes, of which long queries may hold 1; 5 stuck queries are sent
    with clusterkg_server(store_dir, "--workers", "1", "--timeout", "30") as server:
        stuck = [open_query(server, f"{NEVER_ENDING} # stuck {n}") for n in range(5)]
        try:
            time.sleep(2.5)  # each has run past the second after which a query counts as long
            for n in range(3):
                started = time.monotonic()
                status, _, body = get(server, f"ASK {{ ?s a ?type }} # short {n}")
                waited = time.monotonic() - started
                assert status == 200 and b"true" in body
                assert waited < 10, waited  # before: until the 30 s timeout, then 503
            answers = [_read_status(sock, 20) for sock in stuck]
        finally:
            for sock in stuck:
                sock.close()
        messages = [rest.partition(b"\r\n\r\n")[2].decode() for status, rest in answers
                    if status == "HTTP/1.1 503 Service Unavailable"]
        stopped = [m for m in messages if "this one was stopped" in m]  # the one allowed may reach its timeout
        assert len(stopped) >= 4, messages  # all but the one long query allowed
        assert all(m.count("\n") == 1 for m in stopped), stopped
        assert wait_until(lambda: running(server) == 0, 40)


def test_a_change_moves_the_workers_to_a_new_snapshot_without_a_restart(store_dir: Path) -> None:
    with clusterkg_server(store_dir, "--writable", "--workers", "2", "--reload-interval", "0") as server:
        workers = _workers_of(server.process.pid)
        assert len(workers) == 2
        ask = "ASK { <urn:x:pool-test> ?p ?o }"
        assert b"false" in get(server, ask, "application/sparql-results+json")[2]
        status, _, body = post_form(server, {"update": "INSERT DATA { GRAPH <urn:x:g> { <urn:x:pool-test> "
                                                      "<urn:x:p> 1 } }"})
        assert status == 200, body
        for n in range(4):  # both workers get a query
            assert b"true" in get(server, f"{ask} # {n}", "application/sparql-results+json")[2]
        assert _workers_of(server.process.pid) == workers  # the same processes: moved, not restarted
        [directory] = _snapshot_dirs(server.process.pid)
        snapshots = sorted(p.name for p in directory.glob("snapshot-*"))
        assert "snapshot-2" in snapshots and len(snapshots) <= 2, snapshots  # the new one, and the old while read
        assert all((directory / name / "CURRENT").exists() for name in snapshots)  # RocksDB checkpoints


def test_rows_are_counted_against_max_results_as_they_are_written(store_dir: Path) -> None:
    with clusterkg_server(store_dir, "--max-results", "5", "--cache-mb", "0") as server:
        query = "SELECT * WHERE { ?s ?p ?o } LIMIT "
        for fmt in ["json", "xml", "csv", "tsv"]:
            status, headers, body = get(server, query + "5", format=fmt)
            assert status == 200, body
        status, _, body = get(server, query + "5", "application/sparql-results+json")
        answer = json.loads(body)
        assert answer["head"]["vars"] == ["s", "p", "o"] and len(answer["results"]["bindings"]) == 5
        status, _, body = get(server, query + "6", "text/tab-separated-values")
        assert status == 422 and b"5" in body, body
        status, _, body = get(server, "SELECT ?o ?s WHERE { ?s ?p ?o } LIMIT 2", "text/csv")
        assert status == 200 and body.splitlines()[0] == b"o,s"


def test_the_host_warning_comes_only_once_the_address_is_bound(store_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "serve", "--host", "999.0.0.1"])
    assert result.exit_code == 2, result.output
    assert "Error: cannot listen on 999.0.0.1" in result.output and "Warning" not in result.output
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--store", str(store_dir), "serve", "--host", "0.0.0.0", "--port", str(port)])
    assert result.exit_code == 2 and "Error: cannot listen on 0.0.0.0" in result.output, result.output
    assert "Warning" not in result.output
