"""The serve figures of ``bench/run.py``: ``clusterkg serve --cache-mb 0`` beside ``oxigraph serve``.

Both servers serve the same store (``clusterkg export --format nq``, loaded into ``oxigraph load``; Oxigraph
with ``--union-default-graph``), on 127.0.0.1, with the answer cache of clusterkg off: every request runs its
query, as an analyst's new queries do.

* *serve start*: seconds from the start of the process until it answers ``POINT_QUERY`` (polled every
  20 ms), median over the rounds; its memory is the peak PSS / RSS of the whole process tree (server, fork
  server, workers) after 20 more queries;
* *serve QUERY, N clients*: requests a second of N closed-loop clients (``serve_bench.load``), each
  server in turn, round after round, the median; ``POINT_QUERY`` at every size, and on the paper's store
  also the named query ``myths-and-findings`` and the join-heavy query of ``serve_bench``.
"""

from __future__ import annotations

import multiprocessing
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import measure  # noqa: E402
from serve_bench import JOIN_HEAVY, POINT_QUERY, http_post, load, named_query_text  # noqa: E402
from serve_helpers import clusterkg_command  # noqa: E402
from servers import free_port, stop_process  # noqa: E402

CLIENTS = (1, 4, 16)
PEER = "oxigraph serve"
Figure = tuple[str, str, measure.Cell, str, measure.Cell]


def oxigraph_location(store: Path, workdir: Path, size: str) -> Path:
    """An Oxigraph store holding the same quads as ``store`` (made once)."""
    location = workdir / f"oxigraph-{size}"
    if not location.exists():
        dump = workdir / f"oxigraph-{size}.nq"
        measure.run([*clusterkg_command(), "--store", str(store), "export", "--format", "nq", "-o", str(dump)], timeout=3600)
        measure.run([shutil.which("oxigraph") or "oxigraph", "load", "--location", str(location), "--file", str(dump)],
                    timeout=3600)
        dump.unlink()
    return location


def commands(store: Path, location: Path) -> dict[str, tuple[list[str], str]]:
    """Each server's command line (with ``{port}`` to fill in) and its SPARQL path."""
    return {
        "clusterkg": ([*clusterkg_command(), "--store", str(store), "serve", "--port", "{port}", "--cache-mb", "0",
                       "--max-results", "100000000"], "/sparql"),
        PEER: ([shutil.which("oxigraph") or "oxigraph", "serve", "--location", str(location), "--bind",
                "127.0.0.1:{port}", "--union-default-graph"], "/query"),
    }


@contextmanager
def started(command: Sequence[str], path: str) -> Iterator[tuple[str, float, subprocess.Popen]]:
    """Start a server; yield its base URL, the seconds until it answered ``POINT_QUERY``, and its process."""
    port = free_port()
    body = urllib.parse.urlencode({"query": POINT_QUERY}).encode()
    url = f"http://127.0.0.1:{port}"
    begin = time.perf_counter()
    process = subprocess.Popen([part.format(port=port) for part in command],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                http_post(url + path, body)
                break
            except OSError:
                if process.poll() is not None or time.perf_counter() - begin > 600:
                    raise RuntimeError(f"{command[0]} did not answer") from None
                time.sleep(0.02)
        yield url, time.perf_counter() - begin, process
    finally:
        stop_process(process, 15)


def start_figures(servers: dict[str, tuple[list[str], str]], rounds: int) -> dict[str, measure.Cell]:
    seconds: dict[str, list[float]] = {name: [] for name in servers}
    memory: dict[str, tuple[float, float]] = {name: (0.0, 0.0) for name in servers}
    body = urllib.parse.urlencode({"query": POINT_QUERY}).encode()
    for _ in range(rounds):
        for name, (command, path) in servers.items():
            with started(command, path) as (url, took, process):
                for _ in range(20):
                    http_post(url + path, body)
                pss, rss = measure.memory_kib(measure.tree(process.pid))
            seconds[name].append(took)
            memory[name] = (max(memory[name][0], pss / 1024), max(memory[name][1], rss / 1024))
    return {name: measure.Cell(statistics.median(seconds[name]), "s", *memory[name]) for name in servers}


def throughput(servers: dict[str, tuple[list[str], str]], queries: dict[str, str], rounds: int, seconds: float,
               size: str) -> list[Figure]:
    rows: list[Figure] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool, started(*servers["clusterkg"]) as ours, started(*servers[PEER]) as theirs:
        urls = {"clusterkg": (ours[0], servers["clusterkg"][1]), PEER: (theirs[0], servers[PEER][1])}
        for title, query in queries.items():
            body = urllib.parse.urlencode({"query": query}).encode()
            for clients in CLIENTS:
                rates: dict[str, list[float]] = {name: [] for name in urls}
                failed = dict.fromkeys(urls, 0)
                for _ in range(rounds):
                    for name, (url, path) in urls.items():
                        done = load(url, path, body, clients, seconds, pool)
                        rates[name].append(done["rps"])  # answered requests only
                        failed[name] += done["failed"]
                a, b = (measure.Cell(statistics.median(rates[name]), "req/s") for name in ("clusterkg", PEER))
                rows.append((f"serve {title}, {clients} client{'s' if clients > 1 else ''}", size, a, PEER, b))
                print(f"  serve {title} {clients} {size}: {a.value:.0f} / {b.value:.0f} req/s; failed {failed}",
                      file=sys.stderr)
    return rows


def serve_series(stores: dict[str, Path], workdir: Path, rounds: int, seconds: float = 3.0) -> list[Figure]:
    """Start time, memory and uncached throughput of both servers on each store (size -> clusterkg store)."""
    rows: list[Figure] = []
    for size, store in stores.items():
        servers = commands(store, oxigraph_location(store, workdir, size))
        starts = start_figures(servers, rounds)
        rows.append(("serve start", size, starts["clusterkg"], PEER, starts[PEER]))
        print(f"  serve start {size}: {starts['clusterkg'].value:.2f} / {starts[PEER].value:.2f} s", file=sys.stderr)
        queries = {"point query": POINT_QUERY}
        if size == "paper":
            queries |= {"named query": named_query_text("myths-and-findings"), "join-heavy query": JOIN_HEAVY}
        rows += throughput(servers, queries, rounds, seconds, size)
    return rows
