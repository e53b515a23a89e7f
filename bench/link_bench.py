"""Benchmark: linking 1,000 synthetic entities against a local endpoint holding 100k Wikidata-shaped items.

Compares clusterkg's batched client (many entities per request, VALUES blocks)
with a naive client that sends one request per entity (the same search and
details in one query). Both score candidates the same way. Each measurement is
a whole process (imports included), run several times; the median is shown.

    python bench/link_bench.py [--items 100000] [--entities 1000] [--runs 3]

Needs the ``oxigraph`` executable (PyPI package oxigraph). Prints a table of
requests, wall time and links found. The data is synthetic: every item id
lies in the fictitious range Q9990100000 and up, so none is a real Wikidata id.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/servers.py: oxigraph_server

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT_LABEL = "<http://www.w3.org/2004/02/skos/core#altLabel>"
FIRST_ID = 9990100000
COUNTRIES = ["South Korea", "United States", "Chile", "Mexico", "United Kingdom", "Japan"]
CLASSES = ["city", "town", "ship", "film", "metropolitan city of South Korea"]
SEED = 20261125


def entity_name(i: int) -> tuple[str, str]:
    return f"Synthville {i:05d}", f"신스빌 {i:05d}"


def write_items(path: Path, items: int, entities: int) -> None:
    """N-Triples: countries, classes, and ``items`` places; entity i has its item and two look-alikes."""
    rng = random.Random(SEED)
    lines: list[str] = []
    next_id = FIRST_ID

    def new(label: str) -> str:
        nonlocal next_id
        iri = f"<{WD}Q{next_id}>"
        next_id += 1
        lines.append(f'{iri} {RDFS_LABEL} "{label}"@en .')
        return iri

    countries = [new(c) for c in COUNTRIES]
    classes = [new(c) for c in CLASSES]
    korea = countries[0]
    made = 0
    for i in range(entities):
        en, ko = entity_name(i)
        for kind in ("right", "elsewhere", "ship"):
            item = new(en)
            lines.append(f'{item} {RDFS_LABEL} "{ko}"@ko .')
            if kind == "right":
                lines.append(f"{item} <{WDT}P31> {classes[0]} .")
                lines.append(f"{item} <{WDT}P17> {korea} .")
                lat, lon = 35 + rng.random() * 3, 126 + rng.random() * 3
                lines.append(f'{item} <{WDT}P625> "Point({lon:.5f} {lat:.5f})"^^<http://www.opengis.net/ont/geosparql#wktLiteral> .')
                lines.append(f'{item} <{WDT}P1082> "{rng.randint(1000, 10**6)}"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
            elif kind == "elsewhere":
                lines.append(f"{item} <{WDT}P31> {classes[1]} .")
                lines.append(f"{item} <{WDT}P17> {rng.choice(countries[1:])} .")
            else:
                lines.append(f"{item} <{WDT}P31> {classes[2]} .")
            made += 1
    while made < items:
        item = new(f"Filler place {made:06d}")
        lines.append(f'{item} {ALT_LABEL} "필러 {made:06d}"@ko .')
        lines.append(f"{item} <{WDT}P31> {rng.choice(classes)} .")
        lines.append(f"{item} <{WDT}P17> {rng.choice(countries)} .")
        made += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def synthetic_entities(n: int):
    from clusterkg.linking.matching import Entity
    from clusterkg.namespaces import CKG, CKI

    return [
        Entity(f"{CKI}bench-{i}", "place", {CKG + "City", CKG + "Place"},
               [(entity_name(i)[0], "en"), (entity_name(i)[1], "ko")], countries={"KR"})
        for i in range(n)
    ]


def naive_query(entity) -> str:
    """Search and details for one entity in one request."""
    from clusterkg.linking.wikidata import details_query, search_names, search_query

    search = search_query(search_names(entity)).split("SELECT DISTINCT", 1)[1]
    details = details_query(["urn:x:placeholder"])
    prologue, body = details.split("SELECT ?item ?what ?value WHERE {", 1)
    body = body.replace("VALUES ?item { <urn:x:placeholder> }", f"{{ SELECT DISTINCT {search} }}")
    return f"{prologue}SELECT ?item ?what ?value WHERE {{{body}"


def worker(mode: str, url: str, n: int) -> None:
    """One whole-process measurement; prints JSON."""
    from clusterkg.linking.client import SparqlClient
    from clusterkg.linking.matching import rank
    from clusterkg.linking.wikidata import candidates_from_rows, reconcile

    client = SparqlClient(url, use_cache=False, timeout=120)
    entities = synthetic_entities(n)
    if mode == "batched":
        matches = reconcile(entities, client)
    else:
        matches = []
        for entity in entities:
            found = candidates_from_rows(client.select(naive_query(entity)))
            matches.append(rank(entity, found.values(), 0.7))
    first = FIRST_ID + len(COUNTRIES) + len(CLASSES)
    right = sum(
        1 for i, m in enumerate(matches) if m.chosen is not None and m.chosen.iri == f"{WD}Q{first + 3 * i}"
    )
    print(json.dumps({"requests": client.stats.requests, "right": right}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", choices=["batched", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.entities)
        return
    if shutil.which("oxigraph") is None:
        sys.exit("the 'oxigraph' executable (PyPI package oxigraph) is needed")
    from servers import oxigraph_server

    with tempfile.TemporaryDirectory() as tmp:
        data, location = Path(tmp) / "items.nt", Path(tmp) / "db"
        t0 = time.perf_counter()
        write_items(data, args.items, args.entities)
        subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(data)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"endpoint: {args.items:,} items loaded in {time.perf_counter() - t0:.1f} s; "
              f"{args.entities:,} entities; median of {args.runs} whole-process runs")
        with oxigraph_server(location) as server:
            results = {}
            for mode in ("batched", "naive"):
                runs = []
                for _ in range(args.runs):
                    began = time.perf_counter()
                    out = subprocess.run(
                        [sys.executable, __file__, "--worker", mode, "--url", server.query_url,
                         "--entities", str(args.entities)],
                        check=True, capture_output=True, text=True,
                    )
                    runs.append({**json.loads(out.stdout), "seconds": time.perf_counter() - began})
                results[mode] = {
                    "requests": statistics.median(r["requests"] for r in runs),
                    "seconds": statistics.median(r["seconds"] for r in runs),
                    "right": runs[0]["right"],
                }
    print(f"{'client':<30} {'requests':>9} {'wall s':>8} {'right links':>12}")
    labels = {"batched": "clusterkg (VALUES batches)", "naive": "naive (one request/entity)"}
    for mode, r in results.items():
        print(f"{labels[mode]:<30} {r['requests']:>9.0f} {r['seconds']:>8.2f} {r['right']:>12}")
    b, n = results["batched"], results["naive"]
    print(f"requests: {n['requests'] / b['requests']:.0f}x fewer (goal: at least 20x); "
          f"wall time: {b['seconds']:.1f} s (goal: under 30 s), {n['seconds'] / b['seconds']:.1f}x faster than naive")


if __name__ == "__main__":
    main()
