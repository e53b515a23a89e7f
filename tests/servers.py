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
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
