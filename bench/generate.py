"""A synthetic cluster knowledge base in the ontology's shape, as N-Triples.

The file holds synthetic clusters only; they join on the real myths, stages,
dimensions and sections of the shipped knowledge base (which every clusterkg
store holds), and the shipped triples count towards the asked size, so the
store queried holds about that many triples. Each synthetic cluster has a type, labels in Korean and
English, a place, main and other industries, anchor organisations, a history
and a number of firms, a life-cycle stage, one feature per comparison
dimension, an excerpt attesting it (in a real section of the paper), three
annotated axioms (blank nodes, like ``cases.ttl``) and a finding that counters
a real myth. Synthetic entities say so in their labels: they are not data.

    python bench/generate.py 100k /tmp/bench        # writes /tmp/bench/synthetic-100k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clusterkg.namespaces import CKG, CKI  # noqa: E402
from clusterkg.resources import ontology_files  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
OWL = "http://www.w3.org/2002/07/owl#"
INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
CLUSTER_TYPES = ["HighTechCluster", "BioCluster", "MatureIndustrialCluster", "IndustrialCluster"]
ORGANISATION_TYPES = ["Firm", "ResearchInstitute", "University", "Government"]


def ckg(name: str) -> str:
    return f"<{CKG}{name}>"


def cki(name: str) -> str:
    return f"<{CKI}{name}>"


def shipped() -> ox.Store:
    """The shipped knowledge base, to pick real entities from."""
    store = ox.Store()
    for path in ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def instances(store: ox.Store, cls: str) -> list[str]:
    query = f"SELECT ?x WHERE {{ ?x a <{CKG}{cls}> }} ORDER BY ?x"
    return [str(row[0]) for row in store.query(query)]


def cluster_lines(i: int, rng: random.Random, pools: dict[str, list[str]]) -> list[str]:
    """About 70 triples describing synthetic cluster ``i``."""
    c, e, f = cki(f"bench-cluster-{i}"), cki(f"bench-excerpt-{i}"), cki(f"bench-finding-{i}")
    place = cki(f"bench-place-{i % max(1, len(pools['places_n']))}")
    main, other = cki(f"bench-industry-{rng.randrange(pools['industries'])}"), cki(f"bench-industry-{rng.randrange(pools['industries'])}")
    anchors = [cki(f"bench-org-{rng.randrange(pools['organisations'])}") for _ in range(2)]
    stage = rng.choice(pools["stages"])
    lines = [
        f"{c} {RDF_TYPE} {ckg(rng.choice(CLUSTER_TYPES))} .",
        f'{c} {LABEL} "합성 클러스터 {i}"@ko .',
        f'{c} {LABEL} "Synthetic cluster {i}"@en .',
        f"{c} {ckg('locatedIn')} {place} .",
        f"{c} {ckg('hasMainIndustry')} {main} .",
        f"{c} {ckg('hasIndustry')} {other} .",
        *(f"{c} {ckg('anchorOrganisation')} {a} ." for a in anchors),
        f'{c} {ckg("approximateHistoryYears")} "{rng.randint(5, 120)}"^^{INTEGER} .',
        f'{c} {ckg("approximateNumberOfFirms")} "{rng.randint(10, 20000)}"^^{INTEGER} .',
        f"{c} {ckg(rng.choice(['lifeCycleStage', 'stalledAtStage']))} {stage} .",
        f"{c} {ckg('illustrates')} {rng.choice(pools['findings'])} .",
        f"{c} {ckg('attestedBy')} {e} .",
        f"{e} {RDF_TYPE} {ckg('Excerpt')} .",
        f'{e} {LABEL} "합성 발췌 {i}"@ko .',
        f'{e} {LABEL} "synthetic excerpt {i}"@en .',
        f"{e} {ckg('inSection')} {rng.choice(pools['sections'])} .",
        f'{e} {ckg("excerptText")} "합성 클러스터 {i}에 대한 합성 문장."@ko .',
        f'{e} {ckg("gloss")} "A synthetic sentence about synthetic cluster {i}."@en .',
        f"{f} {RDF_TYPE} {ckg('Finding')} .",
        f'{f} {LABEL} "합성 반론 {i}"@ko .',
        f'{f} {LABEL} "synthetic finding {i}"@en .',
        f"{f} {ckg('counters')} {rng.choice(pools['myths'])} .",
        f"{f} {DERIVED} {e} .",
    ]
    for n, dimension in enumerate(pools["dimensions"]):
        feature = cki(f"bench-feature-{i}-{n}")
        lines += [
            f"{c} {ckg('hasFeature')} {feature} .",
            f"{feature} {RDF_TYPE} {ckg('ClusterFeature')} .",
            f'{feature} {LABEL} "합성 특징 {i}-{n}"@ko .',
            f'{feature} {LABEL} "synthetic feature {i}-{n}"@en .',
            f"{feature} {ckg('onDimension')} {dimension} .",
            f'{feature} {ckg("featureOrder")} "1"^^{INTEGER} .',
            f"{feature} {DERIVED} {e} .",
        ]
    for n, (prop, target) in enumerate([("locatedIn", place), ("hasMainIndustry", main), ("anchorOrganisation", anchors[0])]):
        axiom = f"_:ax{i}x{n}"
        lines += [
            f"{axiom} {RDF_TYPE} <{OWL}Axiom> .",
            f"{axiom} <{OWL}annotatedSource> {c} .",
            f"{axiom} <{OWL}annotatedProperty> {ckg(prop)} .",
            f"{axiom} <{OWL}annotatedTarget> {target} .",
            f"{axiom} {ckg('attestedBy')} {e} .",
        ]
    return [line + "\n" for line in lines]


def pool_lines(kind: str, n: int, rng: random.Random, countries: list[str]) -> list[str]:
    """Shared synthetic places, industries and organisations."""
    lines = []
    for k in range(n):
        node = cki(f"bench-{kind}-{k}")
        if kind == "place":
            lines += [f"{node} {RDF_TYPE} {ckg('City')} .", f"{node} {ckg('locatedIn')} {rng.choice(countries)} ."]
        elif kind == "industry":
            lines.append(f"{node} {RDF_TYPE} {ckg('Industry')} .")
        else:
            lines.append(f"{node} {RDF_TYPE} {ckg(rng.choice(ORGANISATION_TYPES))} .")
        lines += [f'{node} {LABEL} "합성 {kind} {k}"@ko .', f'{node} {LABEL} "synthetic {kind} {k}"@en .']
    return [line + "\n" for line in lines]


def generate(target: int, out: Path, seed: int = 7) -> tuple[int, int]:
    """Write synthetic triples to ``out`` so that, with the shipped ones, there are about ``target``.

    Returns (synthetic triples written, shipped triples).
    """
    rng = random.Random(seed)
    store = shipped()
    kb = len(store)
    clusters = max(1, (target - kb) // 73)
    pools: dict = {
        "stages": instances(store, "LifeCycleStage"),
        "findings": instances(store, "Finding"),
        "myths": instances(store, "Myth"),
        "sections": instances(store, "Section"),
        "dimensions": instances(store, "ComparisonDimension"),
        "industries": max(1, clusters // 50),
        "organisations": max(1, clusters // 5),
        "places_n": range(max(1, clusters // 20)),
    }
    countries = instances(store, "Country")
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        for kind, n in (("place", len(pools["places_n"])), ("industry", pools["industries"]), ("org", pools["organisations"])):
            block = pool_lines(kind, n, rng, countries)
            handle.writelines(block)
            written += len(block)
        i = 0
        while written + kb < target:
            block = cluster_lines(i, rng, pools)
            handle.writelines(block)
            written += len(block)
            i += 1
    return written, kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", choices=sorted(SIZES), help="about how many triples")
    parser.add_argument("directory", type=Path, help="where to write kb-SIZE.nt")
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    out = args.directory / f"synthetic-{args.size}.nt"
    written, kb = generate(SIZES[args.size], out)
    print(f"{out}: {written} synthetic triples (+ {kb} shipped)")


if __name__ == "__main__":
    main()
