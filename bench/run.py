"""The benchmark: every figure beside its peer or floor, measured in the same run, in one table.

Each figure is a whole process measured by ``bench/measure.py`` (wall time, peak PSS and RSS of the
process tree), run in turn with its peer (A B A B ...) so that both see the same machine load; the
ratio is figure / peer. Scaling series run at 10k, 100k and 1M triples (``bench/generate.py`` data
loaded with ``clusterkg load``, kept in ``--workdir`` for the next run) and at 100 to 100k cases; each
series ends with its growth exponent (1 is linear, 2 quadratic; its goal: at most 1.1).

* ``cold``: ``clusterkg query myths-and-findings`` on the paper's store beside the floor (Python,
  clusterkg's store opened, one ASK);
* ``load``: ``clusterkg load`` of the synthetic triples into a store holding the knowledge base beside
  raw pyoxigraph ``bulk_load`` of the same file into an empty store;
* ``report``: ``clusterkg report`` beside the floor;
* ``table``: ``clusterkg query clusters`` as a table beside the same query as CSV (goal: 1.3x);
* ``myths``: ``clusterkg myths`` beside the named query under it as CSV;
* ``compare``: ``clusterkg compare`` of two synthetic clusters beside the floor;
* ``export``: ``clusterkg export --format nq`` beside ``oxigraph dump`` of the same store (memory);
* ``serve``: ``clusterkg serve --cache-mb 0`` beside ``oxigraph serve`` on the same store: start time and
  memory, uncached requests a second at 1, 4 and 16 clients (``bench/serve_figures.py``);
* ``validate``: ``validate_files`` of real-shaped cases (classification codes, GeoNames cities, comparison
  parts) beside the floor of importing the validator (goal at 10k: 10 s, 512 MiB); above the 10,000 cases
  one command reads, files of 10,000 validated one after the other by one shell;
* ``reason``: ``clusterkg add`` of valid synthetic cases to the paper's store, then ``clusterkg reason``
  with HermiT and with the OWL-RL rules, beside the floor (goal: HermiT on 1,000 cases in 15 s); a run
  over ``--reason-limit`` seconds is stopped and shown as such.

    python bench/run.py                 # everything
    python bench/run.py --quick         # 10k and 100k triples; 100 and 1k cases; one round
    python bench/run.py --only serve,reason --cases 1000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
from bench_data import clusterkg, store_of  # noqa: E402
from measure import Cell  # noqa: E402
from validate_bench import synthetic_yaml  # noqa: E402

SIZES = {"paper": 3_300, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
PER_COMMAND = 10_000  # the cases one command reads (clusterkg.cases.load.MAX_CASES)
FLOOR = ("import sys; from pathlib import Path; from clusterkg.stores import StoreSettings, open_store\n"
         "with open_store(StoreSettings(store_dir=Path(sys.argv[1]))) as s: s.query('ASK { ?s ?p ?o }')")
VALIDATE = "import sys; from clusterkg.cases.validation import validate_files; validate_files([sys.argv[1]])"
VALIDATE_FLOOR = "import clusterkg.cases.validation"
#: pyoxigraph loading a file into a named graph of a store: ``load`` (one transaction) or ``bulk_load``.
RAW_LOAD = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1])\n"
            "getattr(s, sys.argv[3])(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode('urn:x:bench'))\n"
            "s.flush()")
GROWTH = 1.1  # the largest growth exponent a series may have: linear, with some room for noise

Figure = tuple[str, str, Cell, str, Cell]
Test = Callable[[Cell, Cell], bool]


def at_most(seconds: float) -> Test:
    return lambda a, b: not a.stopped and a.value <= seconds


def within(ratio: float) -> Test:
    return lambda a, b: not a.stopped and a.value <= ratio * b.value


#: Goals of issue 16: (figure, size, peer), "*" for any -> (what, test on the figure and its peer).
GOALS: dict[tuple[str, str, str], tuple[str, Test]] = {
    ("cold start", "paper", "*"): ("<= 1.5x the floor", within(1.5)),
    ("load", "1m", "pyoxigraph load (one transaction)"): ("<= 1.2x pyoxigraph's", within(1.2)),
    ("report", "1m", "*"): ("<= 10 s", at_most(10)), ("compare", "1m", "*"): ("<= 10 s", at_most(10)),
    ("table", "100k", "*"): ("<= 1.3x CSV", within(1.3)), ("table", "1m", "*"): ("<= 1.3x CSV", within(1.3)),
    ("export", "1m", "*"): ("peak PSS <= 2x oxigraph dump's", lambda a, b: a.pss <= 2 * b.pss),
    ("serve start", "*", "*"): ("start and PSS <= 2x oxigraph serve's",
                                lambda a, b: a.value <= 2 * b.value and a.pss <= 2 * b.pss),
    ("serve", "*", "*"): (">= oxigraph serve", lambda a, b: a.value >= b.value),
    ("validate", "10000", "*"): ("<= 10 s, <= 512 MiB", lambda a, b: a.value <= 10 and a.pss <= 512 and a.rss <= 512),
    ("validate", "100000", "*"): ("<= 120 s", at_most(120)),
    ("reason hermit", "1000", "*"): ("<= 15 s", at_most(15)),
}


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def shell(script: str, *args: str) -> list[str]:
    return ["sh", "-c", script, "sh", *args]


def two_clusters(store: Path) -> tuple[str, str]:
    """Two synthetic clusters of the store, by IRI."""
    code = ("import sys; from pathlib import Path; from clusterkg.stores import StoreSettings, open_store\n"
            "with open_store(StoreSettings(store_dir=Path(sys.argv[1]))) as s:\n"
            "    rows = s.query('SELECT ?c WHERE { ?c a <https://w3id.org/clusterkg/ontology#HighTechCluster> "
            "FILTER(CONTAINS(STR(?c), \"bench-cluster\")) } ORDER BY ?c LIMIT 2').rows\n"
            "    print(*(r[0].value for r in rows))")
    first, second = measure.run(python(code, str(store))).stdout.split()
    return first, second


def pair(figure: str, size: str, command: Sequence[str], peer: str, peer_command: Sequence[str], rounds: int,
         timeout: float = 3600, more: dict[str, Sequence[str]] | None = None) -> list[Figure]:
    """A figure and its peer (and ``more`` peers: name -> command), run in turn ``rounds`` times; a row a peer."""
    peers = {peer: peer_command, **(more or {})}
    done = measure.interleaved({"": command, **peers}, rounds, timeout=timeout, keep_stopped=True)
    a = Cell.of(done[""])
    rows = [(figure, size, a, name, Cell.of(done[name])) for name in peers]
    print(f"  {figure} {size}: {a.text()} s;", *(f"{name} {b.text()} s" for _, _, _, name, b in rows), file=sys.stderr)
    return rows


def cold_start(workdir: Path, rounds: int) -> list[Figure]:
    store = str(store_of("paper", workdir))
    return pair("cold start", "paper", clusterkg("--store", store, "query", "myths-and-findings"), "floor",
                 python(FLOOR, store), max(rounds, 5))


def load_series(sizes: Sequence[str], workdir: Path, rounds: int, out: Path) -> list[Figure]:
    """``clusterkg load`` into a copy of the paper's store (all files or nothing, one transaction) beside
    pyoxigraph loading the same file into such a copy in one transaction, and its bulk loader (no transaction)."""
    paper = str(store_of("paper", workdir))
    ours = 'rm -rf "$1" && cp -a "$2" "$1" && exec "$3" --store "$1" load "$4"'
    raw = 'rm -rf "$1" && cp -a "$2/oxigraph" "$1" && exec "$3" -c "$4" "$1" "$5" "$6"'
    rows = []
    for size in sizes:
        data = str(store_of(size, workdir).parent / f"synthetic-{size}.nt")
        rows += pair("load", size, shell(ours, str(out / "load-ours"), paper, clusterkg()[0], data),
                     "pyoxigraph load (one transaction)",
                     shell(raw, str(out / "load-raw"), paper, sys.executable, RAW_LOAD, data, "load"),
                     1 if size == "1m" else rounds,
                     more={"pyoxigraph bulk_load": shell(raw, str(out / "load-raw"), paper, sys.executable, RAW_LOAD,
                                                         data, "bulk_load")})
    return rows


def triples_series(sizes: Sequence[str], workdir: Path, rounds: int, out: Path, only: set[str]) -> list[Figure]:
    rows: list[Figure] = []
    for size in sizes:
        store = str(store_of(size, workdir))
        floor = python(FLOOR, store)
        a, b = two_clusters(Path(store))
        pairs = {
            "report": (clusterkg("--store", store, "report", "--fail-on", "none"), "floor", floor),
            "table": (clusterkg("--store", store, "query", "clusters", "--width", "160"), "CSV",
                      clusterkg("--store", store, "query", "clusters", "--format", "csv")),
            "myths": (clusterkg("--store", store, "myths"), "its query as CSV",
                      clusterkg("--store", store, "query", "myths-and-findings", "--format", "csv")),
            "compare": (clusterkg("--store", store, "compare", a, b), "floor", floor),
            "export": (clusterkg("--store", store, "export", "--format", "nq", "-o", str(out / "export.nq")),
                       "oxigraph dump", [shutil.which("oxigraph") or "oxigraph", "dump", "--location",
                                         str(Path(store) / "oxigraph"), "-f", str(out / "dump.nq")]),
        }
        for figure, (command, peer, peer_command) in pairs.items():
            if not only or figure in only:
                rows += pair(figure, size, command, peer, peer_command, rounds)
    return rows


def cases_series(counts: Sequence[int], rounds: int, out: Path) -> list[Figure]:
    """Validation of ``n`` real-shaped cases; above ``PER_COMMAND``, files of that many, one after the other."""
    rows: list[Figure] = []
    for n in counts:
        files = []
        for part in range(0, n, PER_COMMAND):
            path = out / f"cases-{n}-{part}.yaml"
            path.write_text(synthetic_yaml(min(PER_COMMAND, n - part), codes=True), encoding="utf-8")
            files.append(str(path))
        script = 'python="$1"; code="$2"; shift 2; for f in "$@"; do "$python" -c "$code" "$f" || exit 1; done'
        rows += pair("validate", str(n), shell(script, sys.executable, VALIDATE, *files), "import floor",
                         python(VALIDATE_FLOOR), 1 if n >= 10_000 else rounds)
        for name in files:
            Path(name).unlink()
    return rows


def reason_series(counts: Sequence[int], workdir: Path, rounds: int, out: Path, limit: float) -> list[Figure]:
    """``clusterkg add`` of ``n`` valid cases to a copy of the paper's store; ``reason`` with each reasoner."""
    from reasoning import valid_cases

    paper = str(store_of("paper", workdir))
    rows: list[Figure] = []
    for n in counts:
        cases, store = out / f"valid-{n}.yaml", out / f"store-cases-{n}"
        cases.write_text(valid_cases(n), encoding="utf-8")
        times = 1 if n >= 10_000 else rounds
        add = 'rm -rf "$1" && cp -a "$2" "$1" && exec "$3" --store "$1" add "$4"'
        floor = python(FLOOR, str(store))
        rows += pair("add", str(n), shell(add, str(store), paper, clusterkg()[0], str(cases)), "floor",
                         python(FLOOR, paper), times)
        for reasoner in ("hermit", "owlrl"):
            rows += pair(f"reason {reasoner}", str(n), clusterkg("--store", str(store), "reason", "-q", "--reasoner",
                                                                      reasoner), "floor", floor, times, timeout=limit)
    return rows


def goal(figure: str, size: str, peer: str, a: Cell, b: Cell) -> str:
    family = "serve" if figure.startswith("serve ") and figure != "serve start" else figure
    keys = [(figure, size, peer), (figure, size, "*"), (figure, "*", "*"), (family, "*", "*")]
    wanted = next((GOALS[key] for key in keys if key in GOALS), None)
    if wanted is None:
        return ""
    what, test = wanted
    return f"{what}: {'met' if test(a, b) else 'NOT met'}"


def table(rows: list[Figure]) -> str:
    lines = ["| figure | size | value | peer | peer value | ratio | CPU s, peer's | peak PSS / RSS MiB | peer PSS / RSS MiB "
             "| growth | goal |", "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    by_figure: dict[str, list[Figure]] = {}
    for row in rows:
        by_figure.setdefault(row[0], []).append(row)
    for figure, series in by_figure.items():
        for index, (_, size, a, peer, b) in enumerate(series):
            goals = [goal(figure, size, peer, a, b)]
            growth = ""
            points = {size: r[2].value for r in series for size in [r[1]]}  # a figure's value once a size
            if index == len(series) - 1 and len(points) > 1 and a.unit == "s":
                sizes = [SIZES.get(s) or int(s) for s in points]
                exponent = measure.exponent(sizes, list(points.values()))
                growth = f"{exponent:.2f}"
                goals.append(f"growth <= {GROWTH}: {'met' if exponent <= GROWTH and not a.stopped else 'NOT met'}")
            cpu = f"{a.cpu:.2f}, {b.cpu:.2f}" if a.cpu == a.cpu else ""  # not a number: not measured
            lines.append(f"| {figure} | {size} | {a.text()} | {peer} | {b.text()} | {a.value / b.value:.2f}x | {cpu}"
                         f" | {a.pss:.0f} / {a.rss:.0f} | {b.pss:.0f} / {b.rss:.0f} | {growth} | {'; '.join(filter(None, goals))} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k triples, 100 and 1k cases, one round")
    parser.add_argument("--sizes", help="triples, comma-separated (default: 10k,100k,1m)")
    parser.add_argument("--cases", help="cases to validate, comma-separated (default: 100,1000,10000,100000)")
    parser.add_argument("--reason-cases", help="cases added before reasoning, comma-separated (default: 1000,10000)")
    parser.add_argument("--reason-limit", type=float, default=1200, help="seconds after which a reason run is stopped")
    parser.add_argument("--only", default="", help="figures to measure, comma-separated (default: all): "
                        "cold, load, report, table, myths, compare, export, serve, validate, reason")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each figure and its peer (1 for a load of 1M triples and at 10k cases or more)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clusterkg-bench",
                        help="where the generated stores are kept between runs")
    args = parser.parse_args()
    sizes = (args.sizes or ("10k,100k" if args.quick else "10k,100k,1m")).split(",")
    counts = [int(n) for n in (args.cases or ("100,1000" if args.quick else "100,1000,10000,100000")).split(",")]
    reason_counts = [int(n) for n in (args.reason_cases or ("100" if args.quick else "1000,10000")).split(",")]
    only = {name for name in args.only.split(",") if name}
    wanted = lambda name: not only or name in only  # noqa: E731
    rounds = 1 if args.quick else args.rounds
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(measure.load_average(), file=sys.stderr)
    rows: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        if wanted("cold"):
            rows += cold_start(args.workdir, rounds)
        if wanted("load"):
            rows += load_series(sizes, args.workdir, rounds, Path(tmp))
        rows += triples_series(sizes, args.workdir, rounds, Path(tmp), only)
        if wanted("serve"):
            from serve_figures import serve_series

            stores = {size: store_of(size, args.workdir) for size in ["paper", *sizes]}
            rows += serve_series(stores, args.workdir, rounds)
        if wanted("validate"):
            rows += cases_series(counts, rounds, Path(tmp))
        if wanted("reason"):
            rows += reason_series(reason_counts, args.workdir, rounds, Path(tmp), args.reason_limit)
    print(f"median of {rounds} interleaved whole-process runs (1 for a load of 1M triples and at 10k cases or more); "
          f"{measure.load_average()}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
