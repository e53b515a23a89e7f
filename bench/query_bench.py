"""Benchmark of clusterkg's query path: cold start, bulk load, named-query latency.

Prints Markdown tables; every figure is a median of whole runs measured in
this run, beside its reference measured the same way:

* cold start: ``clusterkg query NAME`` as a whole process on the paper's
  knowledge base, beside ``python -c pass``, ``python -c 'import rdflib'`` and
  the floor (Python importing click and pyoxigraph and opening the store);
* bulk load, per size: clusterkg loading a synthetic file into its embedded
  store (:meth:`EmbeddedStore.load_file`) beside raw pyoxigraph ``bulk_load`` of
  the same file, each in a child process (wall time, peak RSS of the child);
* latency of each named query, per size: through clusterkg
  (:func:`clusterkg.queries.run_named`), through raw pyoxigraph (the same store,
  the same text and substitutions) and through rdflib's in-memory graph.

    python bench/query_bench.py                       # 10k, 100k and 1m
    python bench/query_bench.py --sizes 10k,100k --rdflib-max 100k
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import SIZES, generate  # noqa: E402

PYTHON = sys.executable
GRAPH = "https://w3id.org/clusterkg/graph/case/bench"
COLD_QUERY = "myths-and-findings"

# A child reports its own peak RSS (KiB on Linux) on its last line.
PEAK = "import resource, json; print(json.dumps({'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"
CLUSTERKG_LOAD = (
    "import sys; from pathlib import Path; from clusterkg.stores import open_embedded\n"
    "with open_embedded(Path(sys.argv[1]), writable=True) as s: s.load_file(Path(sys.argv[2]), sys.argv[3])\n" + PEAK
)
RAW_LOAD = (
    "import sys, pyoxigraph as ox\n"
    "s = ox.Store(sys.argv[1]); s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(sys.argv[3])); s.flush()\n"
    + PEAK
)


def wall(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Seconds taken by a whole process, and its standard output."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed: {done.stderr.strip()[-500:]}")
    return seconds, done.stdout


def median_wall(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    wall(command, env)  # warm the file cache
    return statistics.median(wall(command, env)[0] for _ in range(runs))


def clusterkg_executable() -> str:
    script = Path(PYTHON).parent / "clusterkg"
    return str(script) if script.exists() else (shutil.which("clusterkg") or "clusterkg")


def cold_start(work: Path, runs: int) -> None:
    store = work / "paper-store"
    env = {**os.environ, "CLUSTERKG_STORE": str(store)}
    wall([clusterkg_executable(), "info"], env)  # builds the store once
    rows = [
        ("python -c pass", [PYTHON, "-c", "pass"]),
        ("python -c 'import rdflib'", [PYTHON, "-c", "import rdflib"]),
        ("floor: import click, pyoxigraph; open the store",
         [PYTHON, "-c", f"import click, pyoxigraph; pyoxigraph.Store.read_only({str(store / 'oxigraph')!r})"]),
        (f"clusterkg query {COLD_QUERY}", [clusterkg_executable(), "query", COLD_QUERY]),
        (f"clusterkg query {COLD_QUERY} --format json", [clusterkg_executable(), "query", COLD_QUERY, "--format", "json"]),
    ]
    print(f"\n## Cold start (median of {runs} whole-process runs, paper's knowledge base)\n")
    print("| command | seconds |\n|---|---:|")
    for label, command in rows:
        print(f"| {label} | {median_wall(command, runs, env):.3f} |", flush=True)


def load_child(script: str, store: Path, data: Path) -> tuple[float, float]:
    seconds, out = wall([PYTHON, "-c", script, str(store), str(data), GRAPH])
    return seconds, json.loads(out.strip().splitlines()[-1])["peak_kib"] / 1024


def bulk_load(size: str, data: Path, work: Path, runs: int) -> Path:
    """Time both loads; return a clusterkg store holding the data, for the query benchmark."""
    results: dict[str, list[tuple[float, float]]] = {"clusterkg": [], "raw": []}
    kept = work / f"store-{size}"
    for run in range(runs):
        for name, script in (("clusterkg", CLUSTERKG_LOAD), ("raw", RAW_LOAD)):
            target = work / f"load-{name}-{size}-{run}"
            if name == "clusterkg":  # the knowledge base is built before timing, as on a user's machine
                wall([PYTHON, "-c", f"from clusterkg.stores import open_embedded\nwith open_embedded(__import__('pathlib').Path({str(target)!r})): pass"])
            results[name].append(load_child(script, target, data))
            if name == "clusterkg" and not kept.exists():
                target.rename(kept)
            else:
                shutil.rmtree(target, ignore_errors=True)
    (ck_s, ck_m), (raw_s, raw_m) = ((statistics.median(s for s, _ in results[n]), max(m for _, m in results[n])) for n in ("clusterkg", "raw"))
    print(f"| {size} | {ck_s:.2f} | {ck_m:.0f} | {raw_s:.2f} | {raw_m:.0f} | {ck_s / raw_s:.2f}x | {runs} |", flush=True)
    return kept


def named_cases() -> list[tuple[str, dict[str, str]]]:
    """Each named query with its defaults and, for a required parameter, the example in its description."""
    import re

    from clusterkg import queries

    cases = []
    for query in queries.catalogue():
        params = {}
        for param in query.params:
            match = re.search(r"e\.g\.\s+([^\s;,)]+)", param.description)
            if param.required and match:
                params[param.name] = match.group(1)
        cases.append((query.name, params))
    return cases


def timed(function, runs: int, cap: float) -> tuple[float, int]:
    """Median seconds of ``function`` (which returns a row count) and its row count; one run when slow."""
    start = time.perf_counter()
    count = function()
    first = time.perf_counter() - start
    if first > cap:
        return first, count
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def measure_one(engine: str, name: str, store_dir: Path, data: Path, runs: int, cap: float) -> dict[str, float | int]:
    """In a child process: the latency of one named query through one engine."""
    import pyoxigraph as ox

    from clusterkg import queries
    from clusterkg.stores import open_embedded

    params = dict(named_cases())[name]
    query = queries.get(name)
    bindings = queries.named_bindings(query, params)
    if engine == "rdflib":
        import rdflib

        from clusterkg.resources import ontology_files

        graph = rdflib.Graph()
        for path in ontology_files():
            graph.parse(path, format="turtle")
        graph.parse(data, format="nt")
        init = {
            k: rdflib.URIRef(v.value) if isinstance(v, ox.NamedNode)
            else rdflib.Literal(v.value, lang=v.language, datatype=None if v.language else rdflib.URIRef(v.datatype.value))
            for k, v in bindings.items()
        }
        seconds, rows = timed(lambda: sum(1 for _ in graph.query(query.text, initBindings=init)), runs, cap)
        return {"rdflib": seconds, "rows": rows}
    substitutions = {ox.Variable(k): v for k, v in bindings.items()} or None
    with open_embedded(store_dir) as store:

        def wrapped() -> int:
            return sum(1 for _ in queries.run_named(store, name, params).rows)

        def raw() -> int:
            answer = store.oxigraph.query(query.text, use_default_graph_as_union=True, substitutions=substitutions)
            return sum(1 for _ in (tuple(s) for s in answer))

        # alternate the two so that both see the same machine load
        ours, rows = timed(wrapped, 1, cap)
        theirs, raw_rows = timed(raw, 1, cap)
        if max(ours, theirs) <= cap:
            pairs = [(timed(wrapped, 1, 0)[0], timed(raw, 1, 0)[0]) for _ in range(runs)]
            ours, theirs = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    return {"clusterkg": ours, "raw": theirs, "rows": rows, "raw_rows": raw_rows}


def child_measure(engine: str, name: str, store_dir: Path, data: Path, runs: int, cap: float, timeout: float) -> str | dict:
    """Run :func:`measure_one` in a child process, stopped after ``timeout`` seconds."""
    command = [PYTHON, __file__, "--one", engine, name, str(store_dir), str(data), "--runs", str(runs), "--cap", str(cap)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"fails ({last.split(':')[0].rsplit('.', 1)[-1][:40]})"
    return json.loads(done.stdout.strip().splitlines()[-1])


def query_latency(
    size: str, store_dir: Path, data: Path, runs: int, with_rdflib: bool, cap: float, timeout: float, only: set[str] | None = None
) -> None:
    print(f"\n### Named queries at {size} (median of {runs} warm runs, clusterkg and raw alternating; seconds)\n")
    print("| query | clusterkg | raw pyoxigraph | overhead | rdflib in memory | rows |\n|---|---:|---:|---:|---:|---:|")
    for name, _ in named_cases():
        if only and name not in only:
            continue
        ours = child_measure("oxigraph", name, store_dir, data, runs, cap, timeout)
        rdflib_cell = "skipped"
        if with_rdflib:
            answer = child_measure("rdflib", name, store_dir, data, max(1, runs // 2), cap, timeout)
            if isinstance(answer, str):
                rdflib_cell = answer
            else:
                same = isinstance(ours, str) or answer["rows"] == ours["rows"]
                rdflib_cell = f"{answer['rdflib']:.4f}" + ("" if same else f" ({answer['rows']} rows)")
        if isinstance(ours, str):
            cells, rows = f"{ours} | {ours} | ", ""
        else:
            overhead = 100 * (ours["clusterkg"] / ours["raw"] - 1)
            cells = f"{ours['clusterkg']:.4f} | {ours['raw']:.4f} | {overhead:+.1f}%"
            rows = str(ours["rows"]) + ("" if ours["rows"] == ours["raw_rows"] else f" (raw: {ours['raw_rows']})")
        print(f"| {name} | {cells} | {rdflib_cell} | {rows} |", flush=True)


def endpoints(size: str, store_dir: Path, work: Path, runs: int, only: set[str] | None) -> None:
    """``clusterkg push`` into an Oxigraph server and Virtuoso, then each named query there and embedded."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from servers import oxigraph_server, virtuoso_server

    from clusterkg import queries
    from clusterkg.stores import open_embedded
    from clusterkg.stores.remote import EndpointStore

    print(f"\n### Endpoints at {size} (load: one run; queries: median of {runs}, seconds)\n")
    with oxigraph_server(work / f"oxigraph-{size}") as ox_server, virtuoso_server(work / f"virtuoso-{size}") as virtuoso:
        engines = {
            "Oxigraph server": (ox_server.query_url, ox_server.update_url),
            "Virtuoso 7": (virtuoso.query_url, virtuoso.update_url),
        }
        command = [clusterkg_executable(), "--store", str(store_dir), "push", "--timeout", "600"]
        for engine, (query_url, update_url) in engines.items():
            seconds, out = wall([*command, "--endpoint", query_url, "--update-endpoint", update_url])
            print(f"- `clusterkg push` into {engine}: {seconds:.1f} s ({out.strip().splitlines()[0]})")
        print("\n| query | embedded | Oxigraph server | Virtuoso 7 | rows |\n|---|---:|---:|---:|---:|")
        stores = {name: EndpointStore(q, u, timeout=600) for name, (q, u) in engines.items()}
        with open_embedded(store_dir) as embedded:
            for name, params in named_cases():
                if only and name not in only:
                    continue
                cells, counts = [], set()
                for store in (embedded, *stores.values()):
                    try:
                        seconds, rows = timed(
                            lambda store=store, name=name, params=params: sum(1 for _ in queries.run_named(store, name, params).rows),
                            runs, 60,
                        )
                        cells.append(f"{seconds:.4f}")
                        counts.add(rows)
                    except Exception as exc:  # an engine's refusal is a figure too
                        cells.append(f"fails ({type(exc).__name__})")
                shown = "/".join(str(c) for c in sorted(counts)) or "-"  # differing counts show as 12/13
                print(f"| {name} | {' | '.join(cells)} | {shown} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (whole processes for cold start)")
    parser.add_argument("--load-runs", type=int, default=3, help="runs per load below 1m (1m is loaded once)")
    parser.add_argument("--rdflib-max", default="100k", help="largest size also queried through rdflib ('none' to skip)")
    parser.add_argument("--cap", type=float, default=20.0, help="a query slower than this many seconds is run once")
    parser.add_argument("--workdir", type=Path, help="keep files here instead of a temporary directory")
    parser.add_argument(
        "--parts", default="cold,load,queries",
        help="which measurements: cold, load, queries, endpoints (the last two need a load, here or earlier in --workdir)",
    )
    parser.add_argument("--queries", help="comma-separated named queries to time (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds after which one query measurement is stopped")
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "QUERY", "STORE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, name, store_dir, data = args.one
        print(json.dumps(measure_one(engine, name, Path(store_dir), Path(data), args.runs, args.cap)))
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    rdflib_limit = SIZES.get(args.rdflib_max, 0)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="clusterkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# clusterkg benchmark\n\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, files in {work}")
    parts = {p.strip() for p in args.parts.split(",")}
    if "cold" in parts:
        cold_start(work, args.runs)
    if not parts & {"load", "queries", "endpoints"}:
        return
    only = {q.strip() for q in args.queries.split(",")} if args.queries else None
    stores = {}
    if "load" in parts:
        print("\n## Bulk load into an on-disk store (whole child process; peak RSS of the child)\n")
        print("| size | clusterkg s | clusterkg MiB | raw pyoxigraph s | raw MiB | ratio | runs |\n|---|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        data = work / f"synthetic-{size}.nt"
        if not data.exists():
            generate(SIZES[size], data)
        if "load" in parts or not (work / f"store-{size}").exists():
            stores[size] = bulk_load(size, data, work, 1 if size == "1m" else args.load_runs)
        else:  # reuse the store a previous run of the load left in --workdir
            stores[size] = work / f"store-{size}"
    if "endpoints" in parts:
        print("\n## Remote endpoints (oxigraph serve and virtuoso-t started here on 127.0.0.1)")
        for size in sizes:
            endpoints(size, stores[size], work, args.runs, only)
    if "queries" not in parts:
        return
    print("\n## Named-query latency (in process, warm)")
    for size in sizes:
        with_rdflib = SIZES[size] <= rdflib_limit
        query_latency(size, stores[size], work / f"synthetic-{size}.nt", args.runs, with_rdflib, args.cap, args.timeout, only)
        if not with_rdflib:
            print(f"\nrdflib skipped at {size} (above --rdflib-max {args.rdflib_max}).")


if __name__ == "__main__":
    main()
