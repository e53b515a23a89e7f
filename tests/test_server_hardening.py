"""Issue 12, the server's part: hostile requests against a live ``clusterkg serve`` on 127.0.0.1.

Each test names the finding it pins: bodies streamed against the limit on every route (3), deep nesting
(4), worker starvation and clients that go away (5), bad dataset IRIs (6), the ``Host`` header, snapshots
left in /tmp, CORS, unknown parameters (8) and the ``SERVICE`` bypass (1).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import ClusterKGServer, clusterkg_command, clusterkg_server
from servers import free_port, wait_for_http
from stub_http import Reply, stub_server
from test_server_app import get, http, post_form

from clusterkg.server.guard import MAX_BODY
from clusterkg.server.snapshots import PREFIX

pytestmark = pytest.mark.server

TIMEOUT_S = 20
# Every triple of the knowledge base joined with itself four times: never ends within the timeout.
NEVER_ENDING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterKGServer]:
    store = tmp_path_factory.mktemp("hardening-store")
    with clusterkg_server(store, "--timeout", str(TIMEOUT_S), "--workers", "2") as srv:
        yield srv


def _address(server: ClusterKGServer) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(server.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def _proc_status(pid: int, key: str) -> int:
    """A figure of /proc/PID/status in MiB (VmRSS: resident now, VmHWM: the peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no {key} for {pid}")


def _direct_children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with open(task / "children") as handle:
            found.update(int(x) for x in handle.read().split())
    return found


def _children(pid: int) -> set[int]:
    """The processes a server started: its children, those of multiprocessing's fork server in its place."""
    found: set[int] = set()
    for child in _direct_children(pid):
        if b"multiprocessing.forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
            found |= _direct_children(child)
        else:
            found.add(child)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie that nobody reaped yet has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _response(sock: socket.socket, timeout: float = 30.0) -> tuple[int, bytes]:
    """Status and body of the answer read from ``sock`` (up to the end of the body or the connection)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, first = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    body = bytearray(first)
    while len(body) < min(length, MB):  # the first MiB is enough to judge
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split()[1]), bytes(body)


def send_chunked(server: ClusterKGServer, path: str, content_type: str, total: int) -> tuple[int, bytes, int]:
    """POST ``total`` bytes as a chunked body, 64 KiB a chunk, watching for an early answer.

    Returns (status, body, bytes sent when the answer came). A server that closes the connection after
    answering ends the sending early; the answer is read then.
    """
    sock = socket.create_connection(_address(server))
    try:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"#" * 65536
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        sent, answered_at = 0, None
        try:
            while sent < total:
                sock.sendall(frame)
                sent += len(chunk)
                if answered_at is None and select.select([sock], [], [], 0)[0]:
                    answered_at = sent
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        status, body = _response(sock)
        return status, body, answered_at if answered_at is not None else sent
    finally:
        sock.close()


def open_query(server: ClusterKGServer, query: str) -> socket.socket:
    """A GET of ``query`` sent on a socket of its own, its answer left unread."""
    sock = socket.create_connection(_address(server))
    target = "/sparql?" + urllib.parse.urlencode({"query": query})
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    return sock


def running(server: ClusterKGServer) -> int:
    import json

    return json.loads(http(server.url + "/api/info")[2])["running"]


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# --- 3: request bodies, streamed against the limit ------------------------------------------


BODY_ROUTES = [
    ("/sparql", "application/sparql-query"),
    ("/sparql", "application/x-www-form-urlencoded"),
    ("/sparql", "application/sparql-update"),
    ("/update", "application/x-www-form-urlencoded"),
    ("/api/queries/myths-and-findings", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("path", "content_type"), BODY_ROUTES)
def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(server, path: str, content_type: str) -> None:
    status, body, answered_at = send_chunked(server, path, content_type, 64 * MB)
    assert status == 413 and f"larger than {MAX_BODY} bytes".encode() in body
    # answered while the client was still sending, not after the end of the body
    assert answered_at < 32 * MB, answered_at


def test_a_300_mb_body_leaves_the_server_s_memory_flat(server) -> None:
    pid = server.process.pid
    before = _proc_status(pid, "VmRSS")
    for path, content_type in BODY_ROUTES[:1] + BODY_ROUTES[-1:]:
        status, _, _ = send_chunked(server, path, content_type, 300 * MB)
        assert status == 413
    peak = _proc_status(pid, "VmHWM")  # the peak since the server started
    assert peak - before < 50, (before, peak)  # before the fix: 50 MB -> 649 MB
    assert get(server, "ASK { ?s ?p ?o }")[0] == 200  # and it goes on serving


def test_a_declared_length_over_the_limit_is_refused_before_reading(server) -> None:
    sock = socket.create_connection(_address(server))
    try:
        sock.sendall(f"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
                     f"Content-Length: {300 * MB}\r\n\r\n".encode())  # and no byte of it
        status, body = _response(sock, timeout=10)
    finally:
        sock.close()
    assert status == 413 and b"larger than" in body


def test_a_body_within_the_limit_is_read(server) -> None:
    query = "ASK { ?s ?p ?o } # " + "가" * ((MAX_BODY - 100) // 3)  # 3 bytes a character in UTF-8
    assert MAX_BODY - 100 < len(query.encode()) <= MAX_BODY
    status, _, body = http(server.sparql_url, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and b"true" in body
    status, _, body = http(server.sparql_url, data=query.encode() + b" " * 100,
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 413


def test_updates_on_a_writable_server_are_held_to_the_limit(store_dir: Path) -> None:
    with clusterkg_server(store_dir, "--workers", "1", "--writable", "--reload-interval", "0") as writable:
        before = get(writable, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", format="csv")[2]
        triples = "".join(f"<urn:x:s{i}> <urn:x:p> {i} . " for i in range(MAX_BODY // 20))
        for path, content_type in [("/update", "application/sparql-update"), ("/sparql", "application/sparql-update")]:
            status, body, _ = send_chunked(writable, path, content_type, 4 * MB)
            assert status == 413, body
            status, _, body = http(writable.url + path, data=f"INSERT DATA {{ {triples} }}".encode(),
                                   headers={"Content-Type": content_type})
            assert status == 413 and b"larger than" in body
        assert get(writable, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", format="csv")[2] == before


# --- 4: deep nesting -------------------------------------------------------------------------


def test_deep_nesting_is_a_bad_request_with_the_limit_s_message(server) -> None:
    deep = "SELECT * WHERE " + "{ " * 2500 + "?s ?p ?o" + " }" * 2500
    for status, _, body in [get(server, deep), post_form(server, {"query": deep}),
                            http(server.sparql_url, data=deep.encode(), headers={"Content-Type": "application/sparql-query"})]:
        assert status == 400, body
        assert body.decode().strip() == "the query nests too deeply: more than 64 levels of brackets, at line 1, column 144"
    assert get(server, "ASK { ?s ?p ?o }")[0] == 200  # no worker was lost


# --- 5: worker starvation, clients that go away ----------------------------------------------


def test_never_ending_queries_do_not_keep_a_short_one_waiting(server) -> None:
    slow = [open_query(server, f"{NEVER_ENDING} # {n}") for n in range(2)]  # as many as --workers
    try:
        assert wait_until(lambda: running(server) == 2, 10)
        time.sleep(1.5)  # both run long now
        started = time.monotonic()
        status, _, body = get(server, "ASK { ?s a ?type } # starvation")
        waited = time.monotonic() - started
        assert status == 200 and b"true" in body
        assert waited < TIMEOUT_S / 2, waited  # before the fix: until the timeout stopped one of them (29 s seen)
    finally:
        for sock in slow:
            sock.close()
    assert wait_until(lambda: running(server) == 0, 10)


def test_a_client_that_goes_away_frees_its_worker(server) -> None:
    pid = server.process.pid
    assert wait_until(lambda: running(server) == 0, 10)
    sock = open_query(server, f"{NEVER_ENDING} # goes away")
    try:
        assert wait_until(lambda: running(server) == 1, 10)
        time.sleep(0.5)
        busy = max(_children(pid), key=_cpu_ticks)  # the worker that runs it
    finally:
        sock.close()
    started = time.monotonic()
    assert wait_until(lambda: running(server) == 0 and not _alive(busy), 10), "the worker still runs the query"
    assert time.monotonic() - started < TIMEOUT_S / 2  # long before the timeout would have stopped it
    assert get(server, "ASK { ?s ?p ?o } # after")[0] == 200


def test_a_query_past_the_timeout_is_still_stopped(tmp_path: Path, built_store_template: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_template, store)
    with clusterkg_server(store, "--timeout", "2", "--workers", "1") as short:
        started = time.monotonic()
        status, _, body = get(short, NEVER_ENDING)
        assert status == 503 and b"longer than 2 s and was stopped" in body
        assert time.monotonic() - started < 10
        assert get(short, "ASK { ?s ?p ?o }")[0] == 200


# --- 6: bad dataset IRIs -----------------------------------------------------------------------


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not an iri", "relative/path", "http://a b/\ninjected: line"])
def test_a_bad_dataset_iri_is_a_one_line_bad_request(server, parameter: str, value: str) -> None:
    for status, _, body in [get(server, "ASK {}", **{parameter: value}),
                            post_form(server, {"query": "ASK {}", parameter: value})]:
        assert status == 400
        text = body.decode()
        assert text.startswith(f"{parameter} must be an absolute IRI, not ") and text.count("\n") == 1, text


# --- the Host header ------------------------------------------------------------------------


def test_the_service_description_and_base_iri_ignore_the_host_header(server) -> None:
    host = {"Host": "evil.example:666"}
    status, _, body = http(server.sparql_url, headers={**host, "Accept": "application/n-triples"})
    assert status == 200 and b"evil" not in body
    assert f"<{server.sparql_url}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>".encode() in body
    query = urllib.parse.urlencode({"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    status, _, body = http(server.sparql_url + "?" + query, headers={**host, "Accept": "application/n-triples"})
    assert status == 200 and body.decode().startswith(f"<{server.url}/s> ")


def test_base_url_names_the_endpoint(store_dir: Path) -> None:
    with clusterkg_server(store_dir, "--workers", "1", "--base-url", "https://kg.example.org/clusters/") as srv:
        status, _, body = http(srv.sparql_url, headers={"Host": "evil.example", "Accept": "application/n-triples"})
        assert status == 200 and b"<https://kg.example.org/clusters/sparql> " in body and b"evil" not in body
        query = urllib.parse.urlencode({"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
        status, _, body = http(srv.sparql_url + "?" + query, headers={"Accept": "application/n-triples"})
        assert body.decode().startswith("<https://kg.example.org/clusters/s> ")


@pytest.mark.parametrize("url", ["ftp://example.org", "example.org", "http://example.org/?a=1", "http://x:port/",
                                 "http://example.org/#top", "http:// spaces"])
def test_a_bad_base_url_is_refused(tmp_path: Path, url: str) -> None:
    result = subprocess.run([*clusterkg_command(), "--store", str(tmp_path / "store"), "serve", "--port", "0",
                             "--base-url", url], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: --base-url must be an absolute http:// or https:// URL")
    assert result.stderr.count("\n") == 1


# --- snapshots --------------------------------------------------------------------------------


def _snapshot_dirs(pid: int) -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(f"{PREFIX}{pid}-*"))


def _start(store: Path, *options: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([*clusterkg_command(), "--store", str(store), "serve", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(url + "/api/info", timeout=60, process=process)
    return process, url


def _workers_of(pid: int) -> set[int]:
    """The worker processes (those that load a snapshot; not multiprocessing's resource tracker)."""
    return {child for child in _children(pid) if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_snapshots_are_private_and_removed_on_a_signal(store_dir: Path, signum: int) -> None:
    process, url = _start(store_dir, "--workers", "1")
    try:
        [directory] = _snapshot_dirs(process.pid)
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert list(directory.glob("snapshot-*/CURRENT"))
        workers = _workers_of(process.pid)
        sock = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        sock.sendall(f"GET /sparql?{urllib.parse.urlencode({'query': NEVER_ENDING})} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        time.sleep(1)  # a query runs while the server is told to stop
        process.send_signal(signum)
        process.wait(timeout=15)  # not waiting for the query's timeout
        sock.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()  # type: ignore[union-attr]
    assert not directory.exists()
    assert wait_until(lambda: not any(_alive(w) for w in workers), 5)


def test_after_sigkill_the_snapshot_stays_private_until_the_next_server(store_dir: Path) -> None:
    process, url = _start(store_dir, "--workers", "1")
    try:
        [directory] = _snapshot_dirs(process.pid)
        workers = _workers_of(process.pid)
        assert workers
        sock = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        sock.sendall(f"GET /sparql?{urllib.parse.urlencode({'query': NEVER_ENDING})} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        time.sleep(1)
        process.kill()
        process.wait()
        sock.close()
    finally:
        process.stderr.close()  # type: ignore[union-attr]
    # what remains: the 0700 directory with the last snapshot; the workers leave with the server
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and list(directory.glob("snapshot-*/CURRENT"))
    assert wait_until(lambda: not any(_alive(w) for w in workers), 5), "a worker outlived its server"
    other = _snapshot_dirs(os.getpid())  # a live process's directory is never taken for a stale one
    mine = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        with clusterkg_server(store_dir, "--workers", "1"):
            assert not directory.exists()
            assert mine.exists() and all(d.exists() for d in other)
    finally:
        shutil.rmtree(mine, ignore_errors=True)


# --- CORS ---------------------------------------------------------------------------------------


def test_every_route_sends_the_same_cors_header(server) -> None:
    origin = {"Origin": "https://yasgui.example"}
    for path, data, headers in [
        ("/sparql?query=ASK%7B%7D", None, {}),
        ("/sparql", None, {}),
        ("/sparql", b"ASK {}", {"Content-Type": "application/sparql-query"}),
        ("/sparql?query=ASK", None, {}),  # a syntax error
        ("/api/info", None, {}),
        ("/api/queries", None, {}),
        ("/api/queries/myths-and-findings?lang=en", None, {}),
        ("/api/queries/no-such-query", None, {}),
        ("/data?default", None, {}),
        ("/", None, {}),
        ("/static/app.js", None, {}),
        ("/no-such-page", None, {}),
    ]:
        status, answer, _ = http(server.url + path, data=data, headers={**origin, **headers})
        assert answer.get_all("Access-Control-Allow-Origin") == ["*"], (path, status)


def test_the_413_and_the_preflight_follow_the_one_policy(server) -> None:
    sock = socket.create_connection(_address(server))
    try:
        sock.sendall(f"POST /sparql HTTP/1.1\r\nHost: t\r\nOrigin: https://a.example\r\nContent-Type: text/plain\r\n"
                     f"Content-Length: {2 * MAX_BODY}\r\n\r\n".encode())
        sock.settimeout(10)
        head = sock.recv(65536).decode().lower()
    finally:
        sock.close()
    assert head.startswith("http/1.1 413") and "access-control-allow-origin: *" in head
    ask = {"Origin": "https://a.example", "Access-Control-Request-Method": "POST"}
    status, headers, _ = http(server.sparql_url, method="OPTIONS", headers={**ask, "Access-Control-Request-Headers": "content-type"})
    allowed = headers["Access-Control-Allow-Headers"]
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*" and "Content-Type" in allowed
    assert "GET" in headers["Access-Control-Allow-Methods"] and "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = http(server.url + "/api/info", method="OPTIONS",
                              headers={**ask, "Access-Control-Request-Headers": "x-evil, content-type"})
    assert status == 400 and "x-evil" not in headers.get("Access-Control-Allow-Headers", "").lower()  # no echo
    assert headers["Access-Control-Allow-Headers"] == allowed  # the same list, whatever is asked


# --- 8: unknown parameters -----------------------------------------------------------------------


def test_unknown_parameters_name_the_known_ones(server) -> None:
    status, _, body = http(server.url + "/api/queries?colour=red")
    assert status == 400 and body.decode() == "unknown parameter 'colour' for /api/queries; it takes no parameters\n"
    status, _, body = http(server.url + "/api/queries/myths-and-findings?lang=en&colour=red")
    assert status == 400
    assert body.decode() == ("unknown parameter 'colour' for query 'myths-and-findings'; "
                             "its parameters: lang, format, output, results\n")
    status, _, body = http(server.url + "/api/queries/myths-and-findings", data=b"colour=red",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"'colour'" in body
    assert http(server.url + "/api/queries/myths-and-findings?lang=en&format=csv")[0] == 200


# --- 1: SERVICE behind an escaped '#' ------------------------------------------------------------


def test_service_behind_an_escaped_hash_is_refused_and_nothing_is_fetched(server) -> None:
    with stub_server([Reply()]) as internal:
        query = ("PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n"
                 f"  OPTIONAL {{ ?a ex:x\\# ?b }} SERVICE <{internal.url}> {{ ?s ?p ?o }}\n}}")
        for status, _, body in [get(server, query), post_form(server, {"query": query})]:
            assert status == 403 and b"--allow-service" in body
        assert internal.requests == []


def trickle(sock: socket.socket, stop: threading.Event, pause: float) -> None:
    """Send a chunked POST's head, then one byte of body every ``pause`` seconds until ``stop`` (or the server hangs up)."""
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    while not stop.is_set():
        try:
            sock.sendall(b"1\r\n \r\n")
        except OSError:
            return
        time.sleep(pause)


def test_a_slow_body_does_not_hold_other_requests(server) -> None:
    """A client trickling its body keeps one connection, not the server: others are answered meanwhile."""
    sock = socket.create_connection(_address(server))
    stop = threading.Event()
    thread = threading.Thread(target=trickle, args=(sock, stop, 0.05), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        assert get(server, "ASK { ?s ?p ?o } # meanwhile")[0] == 200
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()
