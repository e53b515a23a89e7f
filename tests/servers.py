"""Real servers for tests: each runs as a process on 127.0.0.1 and a free port.

Use them through fixtures (see ``tests/conftest.py``); they are stopped when
the fixture ends. A missing executable skips the test locally and fails it
in CI (``CLUSTERKG_REQUIRE_SERVERS=1``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers (any HTTP status), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """Terminate a server process we started; kill it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class OxigraphServer:
    """An ``oxigraph serve`` process (the PyPI package ``oxigraph``)."""

    def __init__(self, url: str, process: subprocess.Popen) -> None:
        self.url = url  # base URL, e.g. http://127.0.0.1:PORT
        self.query_url = url + "/query"
        self.update_url = url + "/update"
        self.store_url = url + "/store"
        self.process = process

    def load(self, path: Path, content_type: str = "text/turtle", graph: str | None = None) -> None:
        """Load a file through the Graph Store Protocol (default graph unless ``graph``)."""
        target = self.store_url + (f"?graph={urllib.parse.quote(graph, safe='')}" if graph else "?default")
        request = urllib.request.Request(
            target, data=path.read_bytes(), method="POST", headers={"Content-Type": content_type}
        )
        urllib.request.urlopen(request, timeout=60).close()


@contextmanager
def oxigraph_server(location: Path, *, union_default_graph: bool = False, timeout_s: int | None = None) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on a free loopback port; stop it afterwards."""
    executable = shutil.which("oxigraph")
    if executable is None:
        raise FileNotFoundError("the 'oxigraph' executable (PyPI package oxigraph) is not installed")
    port = free_port()
    command = [executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/query?query=ASK%7B%7D", process=process)
        yield OxigraphServer(url, process)
    finally:
        stop_process(process, 10)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; the default (10000) silently truncates answers
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
; 0: no refusal on the optimiser's estimate, which is far off for some named queries
MaxQueryCostEstimationTime = 0
"""


class VirtuosoServer:
    """A ``virtuoso-t`` process (Debian's virtuoso-opensource 7) with SPARQL Update granted."""

    def __init__(self, url: str, sql_port: int, directory: Path, process: subprocess.Popen) -> None:
        self.url = url
        self.query_url = url + "/sparql"
        self.update_url = url + "/sparql"
        self.sql_port = sql_port
        self.directory = directory
        self.process = process

    def isql(self, statement: str) -> str:
        """Run one SQL statement as dba through ``isql-vt``."""
        isql = shutil.which("isql-vt") or shutil.which("isql")
        if isql is None:
            raise FileNotFoundError("the 'isql-vt' executable (Debian package virtuoso-opensource) is not installed")
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True, text=True, timeout=60, check=False,
        )
        if done.returncode != 0 or "Error" in done.stdout:
            raise RuntimeError(f"isql failed on {statement!r}: {done.stdout.strip()} {done.stderr.strip()}")
        return done.stdout


@contextmanager
def virtuoso_server(directory: Path) -> Iterator[VirtuosoServer]:
    """Start Virtuoso from its own ini in ``directory`` on free loopback ports; stop it afterwards."""
    executable = shutil.which("virtuoso-t")
    if executable is None:
        raise FileNotFoundError("the 'virtuoso-t' executable (Debian package virtuoso-opensource) is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    log = open(directory / "stdout.log", "wb")
    process = subprocess.Popen([executable, "-f", "-c", str(ini)], cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    try:
        wait_for_http(url + "/sparql?query=ASK%7B%7D", timeout=60, process=process)
        server = VirtuosoServer(url, sql_port, directory, process)
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        yield server
    finally:
        stop_process(process, 30)
        log.close()

