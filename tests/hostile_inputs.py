"""The inputs of the corpus of hostile inputs (tests/fixtures/hostile/) that are made at test time, too big
or too repetitive to keep as files, and the corpus as a whole (tests/hostile.py drives it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "fixtures" / "hostile"
KINDS = ("sparql", "rdf", "entries", "text")


class Sparse:
    """A file of ``size`` zero bytes that takes no disk (its size is what a check must refuse)."""

    def __init__(self, size: int) -> None:
        self.size = size


class Fifo:
    """A named pipe with no writer: opening it to read waits for ever."""


class Directory:
    """A directory where a file is expected."""


def _braces(n: int) -> str:
    return "SELECT * WHERE " + "{ " * n + "?s ?p ?o" + " }" * n


def _chain(n: int, prefix: str = "") -> str:
    return " ".join(f"?s{prefix}{i} ?p ?s{prefix}{i + 1} ." for i in range(n))


def _deep_elements(n: int) -> str:
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">'
            + "<rdf:Description><e:p>" * n + "</e:p></rdf:Description>" * n + "</rdf:RDF>\n")


_CASE = ("  name_ko: 시험 클러스터\n  name_en: Test cluster\n  type: high-tech\n  country: KR\n"
         "  industries: [it]\n  stage: growth\n  source: \"A source, 2020\"\n")

GENERATED: dict[str, Callable[[], str | bytes | Sparse | Fifo | Directory]] = {
    # SPARQL: nesting, chains and sizes past what the engine survives or plans in reasonable time
    "sparql/deep-braces-2500.rq": lambda: _braces(2500),  # the probe of the issue: signal 11
    "sparql/deep-parens-6000.rq": lambda: "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }",
    "sparql/deep-brackets-200.rq": lambda: "SELECT * WHERE { ?s ?p " + "[ ?p " * 200 + "?o" + " ]" * 200 + " }",
    "sparql/deep-collections-200.rq": lambda: "SELECT * WHERE { ?s ?p " + "( " * 200 + "?o" + " )" * 200 + " }",
    "sparql/deep-quoted-triples-3000.rq": lambda: "SELECT * WHERE { " + "<< " * 3000 + "?s ?p ?o"
    + " >> ?p ?o" * 3000 + " }",
    "sparql/deep-exists-100.rq": lambda: "SELECT * WHERE { ?s ?p ?o " + "FILTER EXISTS { " * 100 + "?s ?p ?o"
    + " }" * 100 + " }",
    "sparql/deep-subselects-100.rq": lambda: "SELECT * WHERE { " + "{ SELECT * WHERE " * 100 + "{ ?s ?p ?o }"
    + " }" * 100 + " }",
    "sparql/not-chain-12000.rq": lambda: "SELECT * WHERE { FILTER(" + "!" * 12000 + "true) }",
    "sparql/plus-chain-10000.rq": lambda: "SELECT * WHERE { FILTER(" + "+".join(["1"] * 10000) + ") }",
    "sparql/or-chain-10000.rq": lambda: "SELECT * WHERE { BIND(true AS ?a) FILTER(" + "||".join(["?a"] * 10000) + ") }",
    "sparql/union-10000.rq": lambda: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10000) + " }",
    "sparql/minus-10000.rq": lambda: "SELECT * WHERE { ?s ?p ?o " + " ".join(["MINUS { ?s ?p ?o }"] * 10000) + " }",
    "sparql/filters-10000.rq": lambda: "SELECT * WHERE { ?s ?p ?o " + " ".join(["FILTER(?s)"] * 10000) + " }",
    "sparql/binds-10000.rq": lambda: "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(10000)) + " }",
    "sparql/optionals-1000.rq": lambda: "SELECT * WHERE { ?s ?p ?o " + " ".join(["OPTIONAL { ?s ?p ?o }"] * 1000) + " }",
    "sparql/groups-1000.rq": lambda: "SELECT * WHERE { " + " ".join(["{ ?s ?p ?o }"] * 1000) + " }",
    "sparql/bgp-chain-200.rq": lambda: "SELECT * WHERE { " + _chain(200) + " }",
    "sparql/groups-of-chains.rq": lambda: "SELECT * WHERE { " + " ".join("{ " + _chain(40, str(j)) + " }"
                                                                         for j in range(4)) + " }",
    "sparql/path-sequence-1000.rq": lambda: "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 1000) + " ?o }",
    "sparql/path-alternatives-50000.rq": lambda: "SELECT * WHERE { ?s " + "|".join(["<urn:p>"] * 50000) + " ?o }",
    "sparql/object-list-1000.rq": lambda: "SELECT * WHERE { ?s ?p " + ", ".join(f"?o{i}" for i in range(1000)) + " }",
    "sparql/predicate-list-1000.rq": lambda: "SELECT * WHERE { ?s " + "; ".join(f"<urn:p{i}> ?o{i}" for i in range(1000)) + " }",
    "sparql/collection-1000.rq": lambda: "SELECT * WHERE { ?s ?p (" + " ".join(f"?x{i}" for i in range(1000)) + ") }",
    "sparql/graphs-1000.rq": lambda: "SELECT * WHERE { " + " ".join(f"GRAPH ?g {{ ?s ?p ?o{i} }}" for i in range(1000)) + " }",
    "sparql/subselects-1000.rq": lambda: "SELECT * WHERE { " + " ".join(f"{{ SELECT ?s WHERE {{ ?s ?p ?o{i} }} }}"
                                                                       for i in range(1000)) + " }",
    "sparql/exists-1000.rq": lambda: "SELECT * WHERE { ?s ?p ?o FILTER(" + " && ".join(
        f"EXISTS {{ ?s ?p ?o{i} }}" for i in range(1000)) + ") }",
    "sparql/in-list-20000.rq": lambda: "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(
        str(i) for i in range(20000)) + ")) }",
    "sparql/describe-100000.rq": lambda: "DESCRIBE " + " ".join(f"<urn:x:{i}>" for i in range(100000)),
    "sparql/projection-20000.rq": lambda: "SELECT " + " ".join(f"?v{i}" for i in range(20000)) + " WHERE { ?s ?p ?o }",
    "sparql/values-100000.rq": lambda: "ASK { VALUES ?x { " + " ".join(str(i) for i in range(100000)) + " } }",
    "sparql/too-long-2mb.rq": lambda: "SELECT * WHERE { ?s ?p ?o } # " + "x" * (2 * 2**20) + "\n",
    "sparql/huge-iri-900k.rq": lambda: "ASK { <http://example.org/" + "x" * 900_000 + "> ?p ?o }",
    "sparql/huge-string-900k.rq": lambda: "ASK { ?s ?p \"" + "x" * 900_000 + "\" }",
    "sparql/huge-integer-100k-digits.rq": lambda: "SELECT (" + "9" * 100_000 + " AS ?x) WHERE {}",
    "sparql/huge-language-tag.rq": lambda: "ASK { ?s ?p \"x\"@" + "-".join(["abcdefgh"] * 10000) + " }",
    "sparql/file-20mb.rq": lambda: Sparse(20 * 2**20),
    "sparql/fifo.rq": lambda: Fifo(),
    "sparql/directory.rq": lambda: Directory(),
    # RDF
    "rdf/quadratic-blowup.rdf": lambda: ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY big "' + "x" * 50000
                                         + '">\n]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                                         'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about='
                                         '"http://example.org/s"><ex:p>' + "&big;" * 2000
                                         + "</ex:p></rdf:Description>\n</rdf:RDF>\n"),
    "rdf/deep-elements-5000.rdf": lambda: _deep_elements(5000),
    "rdf/deep-elements-1001.rdf": lambda: _deep_elements(1001),
    "rdf/deep-array-70000.jsonld": lambda: "[" * 70000 + "]" * 70000,
    "rdf/deep-objects-70000.jsonld": lambda: '{"@id": "http://example.org/s", "http://example.org/p": ' * 70000
    + "1" + "}" * 70000,
    "rdf/deep-blank-nodes-100000.ttl": lambda: "<http://example.org/s> <http://example.org/p> "
    + "[ <http://example.org/p> " * 100000 + "1" + " ]" * 100000 + " .\n",
    "rdf/deep-collections-100000.ttl": lambda: "<http://example.org/s> <http://example.org/p> " + "( " * 100000
    + "1" + " )" * 100000 + " .\n",
    "rdf/deep-quoted-triples-20000.ttl": lambda: "<< " * 20000 + "<http://example.org/s> <http://example.org/p> 1"
    + " >> <http://example.org/p> 1" * 20000 + " .\n",
    "rdf/literal-20mb.nt": lambda: "<http://example.org/s> <http://example.org/p> \"" + "x" * (20 * 2**20) + "\" .\n",
    "rdf/shape-literal-20mb.ttl": lambda: "<http://example.org/s> <http://example.org/p> \"" + "x" * (20 * 2**20) + "\" .\n",
    "rdf/file-300mb.nt": lambda: Sparse(300 * 2**20),
    "rdf/fifo.ttl": lambda: Fifo(),
    "rdf/directory.ttl": lambda: Directory(),
    # case entries
    "entries/many-empty-documents.yaml": lambda: "---\n" * 20000,
    "entries/many-cases-one-line-each.yaml": lambda: "".join(f"- {{id: c{i}}}\n" for i in range(20000)),
    "entries/huge-scalar-17mb.yaml": lambda: "- id: big\n  name_en: " + "x" * (17 * 2**20) + "\n",
    "entries/long-key.yaml": lambda: "- id: k\n  " + "k" * 1_000_000 + ": v\n",
    "entries/deep-block-500.yaml": lambda: "- id: deep\n  industries:\n" + "".join("  " * (i + 2) + "- \n"
                                                                                   for i in range(500)),
    "entries/csv-many-columns.csv": lambda: ",".join(f"c{i}" for i in range(20000)) + "\n" + ",".join(
        "x" for _ in range(20000)) + "\n",
    "entries/csv-field-over-limit.csv": lambda: "id,name_en\nx,\"" + "a" * 200000 + "\"\n",
    "entries/csv-many-rows.csv": lambda: "id,name_en\n" + "".join(f"r{i},x\n" for i in range(100000)),
    "entries/file-20mb.yaml": lambda: Sparse(20 * 2**20),
    "entries/fifo.yaml": lambda: Fifo(),
    "entries/directory.yaml": lambda: Directory(),
    "entries/ttl-deep-blank-nodes.ttl": lambda: "@prefix schema: <http://schema.org/> .\n[] schema:name "
    + "[ schema:name " * 50000 + "\"x\"" + " ]" * 50000 + " .\n",
    "entries/jsonld-deep.jsonld": lambda: "[" * 70000 + "]" * 70000,
    "entries/alias-bomb-wide.yaml": lambda: "- id: wide\n" + _CASE + "  a: &a [" + ", ".join(["lol"] * 2000) + "]\n"
    + "  b: [" + ", ".join(["*a"] * 2000) + "]\n",
    # the source text of report --source
    "text/huge-20mb.txt": lambda: Sparse(20 * 2**20),
    "text/fifo.txt": lambda: Fifo(),
    "text/directory.txt": lambda: Directory(),
}


def materialize(root: Path) -> list[str]:
    """The corpus in ``root`` (kept files copied, generated ones made): the inputs' names, sorted."""
    names = []
    for kind in KINDS:
        for path in sorted((CORPUS / kind).iterdir()):
            target = root / kind / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            names.append(f"{kind}/{path.name}")
    for name, make in GENERATED.items():
        if (CORPUS / name).exists():
            raise AssertionError(f"{name} is both kept and generated")
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        content = make()
        if isinstance(content, Sparse):
            with open(target, "wb") as handle:
                handle.truncate(content.size)
        elif isinstance(content, Fifo):
            os.mkfifo(target)
        elif isinstance(content, Directory):
            target.mkdir()
        else:
            target.write_bytes(content.encode() if isinstance(content, str) else content)
        names.append(name)
    return sorted(names)


def all_inputs() -> list[str]:
    """The names of every input, kept or generated, without making them."""
    kept = [f"{kind}/{path.name}" for kind in KINDS for path in sorted((CORPUS / kind).iterdir())]
    return sorted([*kept, *GENERATED])
