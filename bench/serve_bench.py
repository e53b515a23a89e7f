"""Load benchmark of ``clusterkg serve`` beside ``oxigraph serve`` on the same data.

Usage::

    python bench/serve_bench.py [--seconds 3] [--rounds 3] [--clients 1,4,16]

The servers run on 127.0.0.1 in this run: ``clusterkg serve`` as it
starts by default (answer cache on), ``clusterkg serve --cache-mb 0`` (every
request runs its query) and ``oxigraph serve``, all with the whole knowledge base
(``clusterkg export --format nq``; Oxigraph with ``--union-default-graph``).
For each query and number of concurrent clients, every round measures
each server for ``--seconds`` in turn, with the same client:
closed-loop clients on keep-alive HTTP connections, spread over several
processes so that the client is not the bottleneck. Printed: the median
over rounds of the throughput (requests/s) and of the p50/p95 latency,
the failed requests, and the throughput ratio to Oxigraph.

Then a runaway query (a cross join over the whole knowledge base) is sent to
``clusterkg serve --cache-mb 0`` while 16 clients keep sending it the
join-heavy query: it must be stopped by the timeout (503) and no other
request may fail.

Then, with ``--sizes paper,100k,1m``, the footprint of each server on stores of those sizes (the
knowledge base plus ``bench/generate.py``'s synthetic clusters, made once in ``--data``): seconds from
the start of the process until it answers, the PSS and RSS of its process tree (server and workers)
after 20 queries, the uncached requests/s of a point query (``POINT_QUERY``) at 4 clients, and for ``clusterkg serve``
the seconds from the end of a ``clusterkg load`` (one triple) until a query sees it.

Before and after a change, side by side in one run::

    git archive COMMIT | tar -x -C /tmp/before
    python bench/serve_bench.py --compare /tmp/before [--seconds 5] [--rounds 3] [--clients 8]

runs ``clusterkg serve`` of that source tree (with this environment's Python and
libraries) and of this one on the same store, alternately: requests/s and
p50/p99 latency of both queries at ``--clients`` clients, with the answer cache
on and off, and the peak memory of each server while it is sent a 300 MB
chunked request body.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pyoxigraph as ox  # noqa: E402
from serve_helpers import clusterkg_command, clusterkg_server  # noqa: E402
from servers import oxigraph_server  # noqa: E402

from clusterkg import kb, queries  # noqa: E402
from clusterkg.stores import open_embedded  # noqa: E402

JOIN_HEAVY = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?cluster ?clusterLabel ?feature ?featureLabel ?dimLabel ?text ?sectionLabel WHERE {
  ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster ; rdfs:label ?clusterLabel ; ckg:hasFeature ?feature .
  ?feature ckg:onDimension ?dim ; rdfs:label ?featureLabel ; prov:wasDerivedFrom ?excerpt .
  ?dim rdfs:label ?dimLabel .
  ?excerpt ckg:excerptText ?text ; ckg:inSection ?section .
  ?section rdfs:label ?sectionLabel .
}"""
#: What the footprint table runs: the myths and their labels, a few index lookups at any size of store.
POINT_QUERY = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?myth ?label WHERE { ?myth a ckg:Myth ; rdfs:label ?label }"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACCEPT = "application/sparql-results+json"


def named_query_text(name: str, lang: str = "en") -> str:
    """A named query with its parameter written into the text (Oxigraph has no binding API)."""
    text = queries.get(name).text
    return text.replace("WHERE {", f'WHERE {{\n  VALUES ?lang {{ "{lang}" }}', 1)


# --- the load client ---------------------------------------------------------------


def _client(host: str, port: int, path: str, body: bytes | None, seconds: float, out: list) -> None:
    """One closed-loop client on a keep-alive connection: latencies and failures."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Accept": ACCEPT}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    latencies, failures = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=60)
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            failures += 1
    connection.close()
    out.append((latencies, failures))


def _process(args: tuple) -> tuple[list[float], int]:
    host, port, path, body, seconds, clients = args
    out: list = []
    threads = [threading.Thread(target=_client, args=(host, port, path, body, seconds, out)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [x for lat, _ in out for x in lat], sum(f for _, f in out)


def load(url: str, path: str, body: bytes | None, clients: int, seconds: float, pool) -> dict:
    """Run ``clients`` concurrent clients for ``seconds``; throughput and latency figures."""
    parsed = urllib.parse.urlsplit(url)
    processes = min(clients, 4)
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    jobs = [(parsed.hostname, parsed.port, path, body, seconds, n) for n in shares]
    started = time.perf_counter()
    results = pool.map(_process, jobs)
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    failures = sum(f for _, f in results)
    if not latencies:
        return {"rps": 0.0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "failed": failures}
    return {
        "rps": len(latencies) / min(elapsed, seconds + 0.5),
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "failed": failures,
    }


def sparql_request(query: str) -> tuple[str, bytes]:
    return "", urllib.parse.urlencode({"query": query}).encode()


# --- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (the median is printed)")
    parser.add_argument("--clients", default="1,4,16", help="numbers of concurrent clients")
    parser.add_argument("--timeout", type=float, default=5.0, help="clusterkg serve --timeout for the runaway test")
    parser.add_argument("--sizes", default="", help="stores for the footprint table: paper,100k,1m")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "clusterkg-serve-bench",
                        help="where the stores of --sizes are made, once")
    parser.add_argument("--skip-load", action="store_true", help="only the footprint table")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="measure the clusterkg of source tree DIR (before) beside this one (after)")
    options = parser.parse_args()
    levels = [int(x) for x in options.clients.split(",")]
    if options.sizes and options.skip_load:
        footprints(options.sizes.split(","), options.data)
        return
    if options.compare:
        compare(options.compare, levels if options.clients != parser.get_default("clients") else [8],
                options.seconds, options.rounds)
        return

    work = Path(tempfile.mkdtemp(prefix="clusterkg-bench-"))
    store_dir = work / "store"
    with open_embedded(store_dir) as store:
        dump = work / "kb.nq"
        dump.write_bytes(kb.export(store, "nq"))
        triples = len(store.oxigraph)
    named = named_query_text("myths-and-findings")
    cases = [
        ("named query myths-and-findings", named),
        ("join-heavy query (7 joins)", JOIN_HEAVY),
    ]
    print(f"data: {triples} triples; {options.rounds} rounds of {options.seconds:g} s per cell; "
          f"{multiprocessing.cpu_count()} CPUs")
    subprocess.run(["oxigraph", "load", "--location", str(work / "oxigraph"), "--file", str(dump)],
                   check=True, capture_output=True)
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool, \
            clusterkg_server(store_dir, "--timeout", str(options.timeout)) as ours, \
            clusterkg_server(store_dir, "--timeout", str(options.timeout), "--cache-mb", "0") as uncached, \
            oxigraph_server(work / "oxigraph", union_default_graph=True) as theirs:
        servers = {"clusterkg": (ours.url, "/sparql"), "no cache": (uncached.url, "/sparql"),
                   "oxigraph": (theirs.url, "/query")}
        workers = json.loads(http_get(ours.url + "/api/info"))["workers"]
        print(f"clusterkg serve: {workers} worker processes; oxigraph serve {oxigraph_version()}\n")
        header = f"{'query':34} {'clients':>7} | {'server':9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'failed':>6} | ratio"
        print(header)
        print("-" * len(header))
        for title, query in cases:
            body = urllib.parse.urlencode({"query": query}).encode()
            for clients in levels:
                rounds: dict[str, list[dict]] = {name: [] for name in servers}
                for _ in range(options.rounds):
                    for name, (url, path) in servers.items():
                        rounds[name].append(load(url, path, body, clients, options.seconds, pool))
                medians = {name: summarise(r) for name, r in rounds.items()}
                for name, m in medians.items():
                    tail = f"{m['rps'] / medians['oxigraph']['rps']:5.2f}" if name != "oxigraph" else ""
                    print(f"{title:34} {clients:>7} | {name:9} {m['rps']:8.0f} {m['p50']:8.2f} {m['p95']:8.2f} "
                          f"{m['failed']:>6} | {tail}")
        # the named query through the page's API (typed parameters bound by the server)
        api_path = "/api/queries/myths-and-findings?lang=en"
        for clients in levels:
            m = summarise([load(ours.url, api_path, None, clients, options.seconds, pool) for _ in range(options.rounds)])
            print(f"{'named query via /api/queries':34} {clients:>7} | {'clusterkg':9} {m['rps']:8.0f} "
                  f"{m['p50']:8.2f} {m['p95']:8.2f} {m['failed']:>6} |")
        print()
        runaway(uncached.url, options.timeout, JOIN_HEAVY, pool)  # no cache: the other queries run too
    if options.sizes:
        footprints(options.sizes.split(","), options.data)


def summarise(rounds: list[dict]) -> dict:
    return {
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50": statistics.median(r["p50"] for r in rounds),
        "p95": statistics.median(r["p95"] for r in rounds),
        "p99": statistics.median(r.get("p99", float("nan")) for r in rounds),
        "failed": sum(r["failed"] for r in rounds),
    }


# --- before and after ----------------------------------------------------------------------


def _mib(pid: int, key: str) -> int:
    """VmRSS (resident now) or VmHWM (the peak so far) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    raise KeyError(key)


def big_body(url: str, pid: int, total: int = 300 << 20) -> dict:
    """POST ``total`` bytes as a chunked ``application/sparql-query`` body; the server's memory and its answer."""
    parsed = urllib.parse.urlsplit(url)
    before = _mib(pid, "VmRSS")
    started = time.perf_counter()
    sock = socket.create_connection((parsed.hostname, parsed.port))
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/sparql-query\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"#" * 65536
    frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    sent = 0
    try:
        while sent < total:
            sock.sendall(frame)
            sent += len(chunk)
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    sock.settimeout(120)
    try:
        head = sock.recv(65536).split(b"\r\n", 1)[0].decode()
    except OSError as exc:
        head = f"no answer ({exc})"
    sock.close()
    return {"rss": before, "peak": _mib(pid, "VmHWM"), "answer": head, "sent": sent >> 20,
            "seconds": time.perf_counter() - started}


def compare(before: Path, levels: list[int], seconds: float, rounds: int) -> None:
    """clusterkg serve of ``before`` (a source tree) beside this one: throughput, p99, memory under a big body."""
    work = Path(tempfile.mkdtemp(prefix="clusterkg-bench-"))
    store_dir = work / "store"
    with open_embedded(store_dir) as store:
        triples = len(store.oxigraph)
    revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
    print(f"data: {triples} triples; {rounds} rounds of {seconds:g} s per cell, before and after alternately; "
          f"{multiprocessing.cpu_count()} CPUs\nbefore: {before}; after: {ROOT} ({revision or 'no git'})\n")
    cases = [("named query myths-and-findings", named_query_text("myths-and-findings")),
             ("join-heavy query (7 joins)", JOIN_HEAVY)]
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool, \
            clusterkg_server(store_dir, checkout=before) as old, clusterkg_server(store_dir) as new, \
            clusterkg_server(store_dir, "--cache-mb", "0", checkout=before) as old_uncached, \
            clusterkg_server(store_dir, "--cache-mb", "0") as new_uncached:
        pairs = {"cache on": (old, new), "no cache": (old_uncached, new_uncached)}
        header = (f"{'query':32} {'cache':8} {'clients':>7} | {'before req/s':>12} {'p50 ms':>7} {'p99 ms':>7} | "
                  f"{'after req/s':>11} {'p50 ms':>7} {'p99 ms':>7} | {'failed':>6}")
        print(header)
        print("-" * len(header))
        for title, query in cases:
            body = urllib.parse.urlencode({"query": query}).encode()
            for cache, (a, b) in pairs.items():
                for clients in levels:
                    figures: dict[str, list[dict]] = {"before": [], "after": []}
                    for _ in range(rounds):
                        figures["before"].append(load(a.url, "/sparql", body, clients, seconds, pool))
                        figures["after"].append(load(b.url, "/sparql", body, clients, seconds, pool))
                    m, n = summarise(figures["before"]), summarise(figures["after"])
                    print(f"{title:32} {cache:8} {clients:>7} | {m['rps']:12.0f} {m['p50']:7.2f} {m['p99']:7.2f} | "
                          f"{n['rps']:11.0f} {n['p50']:7.2f} {n['p99']:7.2f} | {m['failed'] + n['failed']:>6}")
        print()
        for name, server in [("before", old_uncached), ("after", new_uncached)]:
            r = big_body(server.url, server.process.pid)
            print(f"300 MB chunked body, {name:6}: {r['answer']!r} after {r['sent']} MB sent in {r['seconds']:.1f} s; "
                  f"server resident {r['rss']} MiB before, peak {r['peak']} MiB (+{r['peak'] - r['rss']} MiB)")


# --- footprint: start time, memory, a change ---------------------------------------------------------


def footprints(sizes: list[str], data: Path) -> None:
    """Start time, memory and uncached throughput (of POINT_QUERY) of both servers on stores of each size; clusterkg's
    time to serve a change."""
    sys.path.insert(0, str(ROOT / "bench"))
    import measure
    from bench_data import store_of

    data.mkdir(parents=True, exist_ok=True)
    body = urllib.parse.urlencode({"query": POINT_QUERY}).encode()
    print(f"\n{'store':>8} {'triples':>9} | {'server':9} {'start s':>8} {'PSS MiB':>8} {'RSS MiB':>8} "
          f"{'req/s':>7} | {'change served s':>15}")
    context = multiprocessing.get_context("fork")
    for size in sizes:
        store_dir = store_of(size, data) if size != "paper" else data / "store-paper"
        location = data / f"oxigraph-{size}"
        with open_embedded(store_dir) as store:
            triples = len(store.oxigraph)
            if not location.exists():
                dump = data / f"{size}.nq"
                store.oxigraph.dump(str(dump), format=ox.RdfFormat.N_QUADS)
                subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(dump)],
                               check=True, capture_output=True)
                dump.unlink()
        servers = {"clusterkg": lambda d=store_dir: clusterkg_server(d, "--cache-mb", "0", "--reload-interval", "0.2", "--max-results", "100000000",
                                                                     startup=600),
                   "oxigraph": lambda d=location: oxigraph_server(d, union_default_graph=True)}
        for name, start in servers.items():
            started = time.perf_counter()
            with context.Pool(2) as pool, start() as server:
                seconds = time.perf_counter() - started
                path = "/sparql" if name == "clusterkg" else "/query"
                for _ in range(20):
                    http_post(server.url + path, body)
                pss, rss = measure.memory_kib(measure.tree(server.process.pid))
                rps = load(server.url, path, body, 4, 3, pool)["rps"]
                change = served_change(server.url, store_dir, data) if name == "clusterkg" else None
            tail = f"{change:15.2f}" if change is not None else ""
            print(f"{size:>8} {triples:>9} | {name:9} {seconds:8.2f} {pss / 1024:8.0f} {rss / 1024:8.0f} {rps:7.0f} | {tail}",
                  flush=True)


def served_change(url: str, store_dir: Path, data: Path) -> float:
    """Seconds from the end of ``clusterkg load`` (one triple, a new subject each time) until the server's
    answer has it."""
    subject = f"urn:x:bench-change-{time.time_ns()}"
    source = data / "change.nt"
    source.write_text(f"<{subject}> <urn:x:p> \"1\" .\n")
    subprocess.run([*clusterkg_command(), "--store", str(store_dir), "load", "--graph", "urn:x:bench-change",
                    str(source)], check=True, capture_output=True)
    loaded = time.perf_counter()
    ask = urllib.parse.urlencode({"query": f"ASK {{ <{subject}> ?p ?o }}"}).encode()
    while b"true" not in http_post(url + "/sparql", ask):
        if time.perf_counter() - loaded > 600:
            return float("inf")
        time.sleep(0.05)
    return time.perf_counter() - loaded


def http_post(url: str, body: bytes) -> bytes:
    import urllib.request

    request = urllib.request.Request(url, data=body, headers={"Accept": ACCEPT,
                                                              "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.read()


def http_get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def oxigraph_version() -> str:
    return subprocess.run(["oxigraph", "--version"], capture_output=True, text=True).stdout.strip().split()[-1]


def runaway(url: str, timeout: float, query: str, pool) -> None:
    """A runaway query under load: stopped by the timeout, while the others are served."""
    import urllib.error
    import urllib.request

    outcome: dict = {}

    def send() -> None:
        request = urllib.request.Request(url + "/sparql", data=urllib.parse.urlencode({"query": RUNAWAY}).encode())
        started = time.perf_counter()
        try:
            urllib.request.urlopen(request, timeout=timeout + 60).read()
            outcome["status"] = 200
        except urllib.error.HTTPError as error:
            outcome["status"] = error.code
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=send)
    body = urllib.parse.urlencode({"query": query}).encode()
    thread.start()
    m = load(url, "/sparql", body, 16, timeout + 2, pool)
    thread.join()
    verdict = "stopped" if outcome.get("status") == 503 else "NOT stopped"
    print(f"runaway query on clusterkg serve --cache-mb 0 under 16 clients: HTTP {outcome.get('status')} after {outcome.get('seconds', 0):.1f} s "
          f"(timeout {timeout:g} s): {verdict}; meanwhile {m['rps']:.0f} req/s of the join-heavy query served, "
          f"p95 {m['p95']:.1f} ms, {m['failed']} failed")


if __name__ == "__main__":
    main()
