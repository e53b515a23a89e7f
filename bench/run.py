"""The benchmark: every figure beside its peer or floor, measured in the same run, in one table.

Each figure is a whole process measured by ``bench/measure.py`` (wall time, peak PSS and RSS of the
process tree), run in turn with its peer (A B A B ...) so that both see the same machine load; the
ratio is figure / peer. Scaling series run at 10k, 100k and 1M triples (``bench/generate.py`` data
loaded with ``clusterkg load``, kept in ``--workdir`` for the next run) and at 100, 1k and 10k cases;
each series ends with its growth exponent (1 is linear, 2 quadratic).

* ``report``: ``clusterkg report`` beside the floor (Python, clusterkg's store opened, one ASK);
* ``table``: ``clusterkg query clusters`` as a table beside the same query as CSV (goal: 1.3x);
* ``myths``: ``clusterkg myths`` beside the named query under it as CSV;
* ``compare``: ``clusterkg compare`` of two synthetic clusters beside the floor;
* ``export``: ``clusterkg export --format nq`` beside ``oxigraph dump`` of the same store (memory);
* ``validate``: ``validate_files`` of real-shaped cases (classification codes, GeoNames cities) beside
  the floor of importing the validator (goal at 10k: 10 s, 512 MiB).

    python bench/run.py                 # 10k, 100k, 1M triples; 100, 1k, 10k cases
    python bench/run.py --quick         # 10k and 100k triples; 100 and 1k cases; one round
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
from validate_bench import synthetic_yaml  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
FLOOR = ("import sys; from pathlib import Path; from clusterkg.stores import StoreSettings, open_store\n"
         "with open_store(StoreSettings(store_dir=Path(sys.argv[1]))) as s: s.query('ASK { ?s ?p ?o }')")
VALIDATE = "import sys; from clusterkg.cases.validation import validate_files; validate_files([sys.argv[1]])"
VALIDATE_FLOOR = "import clusterkg.cases.validation"
#: Goals of issue 16: (figure, size) -> (what, test on the row).
GOALS = {
    ("table", "100k"): "<= 1.3x CSV", ("table", "1m"): "<= 1.3x CSV",
    ("validate", "10000"): "<= 10 s, <= 512 MiB",
    ("report", "1m"): "within seconds (<= 10 s)", ("compare", "1m"): "within seconds (<= 10 s)",
}


def clusterkg(*args: str) -> list[str]:
    return [shutil.which("clusterkg") or "clusterkg", *args]


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def store_of(size: str, workdir: Path) -> Path:
    """A store holding the knowledge base and ``size`` triples of synthetic clusters (made once)."""
    store = workdir / f"store-{size}"
    if not (store / "state.json").exists():
        subprocess_run([sys.executable, str(HERE / "generate.py"), size, str(workdir)])
        subprocess_run(clusterkg("--store", str(store), "load", str(workdir / f"synthetic-{size}.nt")))
    return store


def subprocess_run(command: Sequence[str]) -> None:
    measure.run(command, timeout=3600)


def two_clusters(store: Path) -> tuple[str, str]:
    """Two synthetic clusters of the store, by IRI."""
    code = ("import sys; from pathlib import Path; from clusterkg.stores import StoreSettings, open_store\n"
            "with open_store(StoreSettings(store_dir=Path(sys.argv[1]))) as s:\n"
            "    rows = s.query('SELECT ?c WHERE { ?c a <https://w3id.org/clusterkg/ontology#HighTechCluster> "
            "FILTER(CONTAINS(STR(?c), \"bench-cluster\")) } ORDER BY ?c LIMIT 2').rows\n"
            "    print(*(r[0].value for r in rows))")
    first, second = measure.run(python(code, str(store))).stdout.split()
    return first, second


Row = tuple[str, str, measure.Series, str, measure.Series]


def triples_series(sizes: Sequence[str], workdir: Path, rounds: int, out: Path, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        store = str(store_of(size, workdir))
        floor = python(FLOOR, store)
        a, b = two_clusters(Path(store))
        once = 1 if size == "1m" else rounds
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
            if only and figure not in only:
                continue
            done = measure.interleaved({"a": command, "b": peer_command}, once, timeout=3600)
            rows.append((figure, size, done["a"], peer, done["b"]))
            print(f"  {figure} {size}: {done['a'].seconds:.2f} s / {done['b'].seconds:.2f} s", file=sys.stderr)
    return rows


def cases_series(counts: Sequence[int], rounds: int, out: Path) -> list[Row]:
    rows: list[Row] = []
    for n in counts:
        path = out / f"cases-{n}.yaml"
        path.write_text(synthetic_yaml(n, codes=True), encoding="utf-8")
        done = measure.interleaved({"a": python(VALIDATE, str(path)), "b": python(VALIDATE_FLOOR)},
                                   1 if n >= 10_000 else rounds, timeout=3600)
        rows.append(("validate", str(n), done["a"], "import floor", done["b"]))
        print(f"  validate {n}: {done['a'].seconds:.2f} s", file=sys.stderr)
    return rows


def goal(figure: str, size: str, a: measure.Series, b: measure.Series) -> str:
    wanted = GOALS.get((figure, size))
    if wanted is None:
        return ""
    if figure == "table":
        return f"{wanted}: {'met' if a.seconds <= 1.3 * b.seconds else 'NOT met'}"
    if figure in ("report", "compare"):
        return f"{wanted}: {'met' if a.seconds <= 10 else 'NOT met'}"
    met = a.seconds <= 10 and a.pss <= 512 and a.rss <= 512
    return f"{wanted}: {'met' if met else 'NOT met'}"


def table(rows: list[Row]) -> str:
    lines = ["| figure | size | s | peer | peer s | ratio | peak PSS / RSS MiB | peer PSS / RSS MiB | growth | goal |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|---|"]
    by_figure: dict[str, list[Row]] = {}
    for row in rows:
        by_figure.setdefault(row[0], []).append(row)
    for figure, series in by_figure.items():
        for index, (_, size, a, peer, b) in enumerate(series):
            growth = ""
            if index == len(series) - 1 and len(series) > 1:
                sizes = [SIZES.get(s) or int(s) for _, s, *_ in series]
                growth = f"{measure.exponent(sizes, [r[2].seconds for r in series]):.2f}"
            lines.append(f"| {figure} | {size} | {a.seconds:.2f} | {peer} | {b.seconds:.2f} | {a.seconds / b.seconds:.2f}x"
                         f" | {a.pss:.0f} / {a.rss:.0f} | {b.pss:.0f} / {b.rss:.0f} | {growth} | {goal(figure, size, a, b)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k triples, 100 and 1k cases, one round")
    parser.add_argument("--sizes", help="triples, comma-separated (default: 10k,100k,1m)")
    parser.add_argument("--cases", help="cases to validate, comma-separated (default: 100,1000,10000)")
    parser.add_argument("--only", default="", help="figures to measure, comma-separated (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each figure and its peer (1 at 1M and 10k cases)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clusterkg-bench",
                        help="where the generated stores are kept between runs")
    args = parser.parse_args()
    sizes = (args.sizes or ("10k,100k" if args.quick else "10k,100k,1m")).split(",")
    counts = [int(n) for n in (args.cases or ("100,1000" if args.quick else "100,1000,10000")).split(",")]
    only = {name for name in args.only.split(",") if name}
    rounds = 1 if args.quick else args.rounds
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(measure.load_average(), file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        rows = triples_series(sizes, args.workdir, rounds, Path(tmp), only)
        if not only or "validate" in only:
            rows += cases_series(counts, rounds, Path(tmp))
    print(f"median of {rounds} interleaved whole-process runs (1 at 1M and at 10k cases); {measure.load_average()}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
