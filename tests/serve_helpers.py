"""A real ``clusterkg serve`` process on 127.0.0.1 and a free port, for tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers import free_port, stop_process, wait_for_http


class ClusterKGServer:
    """A running ``clusterkg serve``: its base URL and SPARQL endpoint URL."""

    def __init__(self, url: str, process: subprocess.Popen) -> None:
        self.url = url
        self.sparql_url = url + "/sparql"
        self.process = process


def clusterkg_command() -> list[str]:
    """The ``clusterkg`` executable of this environment (or ``python -m``-style fallback)."""
    exe = shutil.which("clusterkg", path=str(Path(sys.executable).parent)) or shutil.which("clusterkg")
    if exe:
        return [exe]
    return [sys.executable, "-c", "from clusterkg.cli import main; main()"]


@contextmanager
def clusterkg_server(store_dir: Path, *options: str, startup: float = 60.0,
                     checkout: Path | None = None) -> Iterator[ClusterKGServer]:
    """Start ``clusterkg --store DIR serve --port P OPTIONS`` and stop it afterwards.

    ``checkout``: run the ``clusterkg`` of another source tree (a worktree of an earlier commit), with this
    environment's Python and libraries, to measure before beside after.
    """
    port = free_port()
    env = {**os.environ, "CLUSTERKG_STORE": str(store_dir)}
    program = clusterkg_command()
    if checkout is not None:
        program = [sys.executable, "-P", "-c", "from clusterkg.cli import main; main()"]  # -P: not the current directory first
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])])
    command = [*program, "--store", str(store_dir), "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/api/info", timeout=startup, process=process)
        yield ClusterKGServer(url, process)
    finally:
        stop_process(process, 15)
        if process.stderr:
            process.stderr.close()
