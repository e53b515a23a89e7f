"""Adding cases to the store and taking them out again.

Each case lives in a named graph of its own, ``case_graph(slug)``. An add
writes all its cases in one transaction (:meth:`Store.replace_graphs`, one
SPARQL update): everything or nothing. The caller holds the store's writer
lock for the whole check-and-write (``open_store(..., writable=True)``), so
two adds at once run one after the other, or the second fails cleanly when
the lock cannot be had in time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..errors import CheckFailed, InputError, NotFoundError
from ..names import exact_matches, known_clusters
from ..namespaces import CKI, PREFIXES, case_graph
from ..rdfterms import triple_to_oxigraph
from ..sparql.results import value_of
from ..stores.base import Store
from .issues import ValidationReport
from .model import CASE_PREFIX, ID_PATTERN, EntryFile, case_slug

CASE_GRAPH_PREFIX = case_graph("")


@dataclass
class AddResult:
    """What an add did."""

    added: list[str] = field(default_factory=list)  # case IRIs new to the store
    replaced: list[str] = field(default_factory=list)  # case IRIs whose graph was replaced
    triples: int = 0


def _existing(store: Store, iris: Sequence[str]) -> dict[str, set[str]]:
    """For each IRI already described in the store: the graphs that describe it."""
    found: dict[str, set[str]] = {}
    batch = 500
    for start in range(0, len(iris), batch):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + batch])
        query = f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?type }} }}"
        for subject, graph in store.query(query).rows:
            found.setdefault(value_of(subject), set()).add(value_of(graph))
    return found


def add(store: Store, files: Sequence[EntryFile], report: ValidationReport, *, replace: bool = False) -> AddResult:
    """Add the cases of converted, validated files to the store, all or none.

    ``report`` is the validation report of the same files: any violation
    refuses the add (warnings and infos do not). The store must be open for
    writing; keep it open from this check to the write.
    """
    if not report.ok:
        raise CheckFailed(f"{report.violations} violation(s): nothing was added (run clusterkg validate for details)")
    entries = [entry for f in files for entry in f.entries]
    if not entries:
        raise InputError("no case to add: the files describe no ckg:IndustrialCluster")
    for entry_file in files:
        if entry_file.loose:
            subject = entry_file.loose[0][0]
            where = entry_file.loose_where.get((subject,))
            raise InputError(
                f"{where or entry_file.path}: triples about {subject} are not linked from any case; "
                f"link them from a case or remove them"
            )
    existing = _existing(store, [e.iri for e in entries])
    graphs: dict[str, list[ox.Triple]] = {}
    result = AddResult()
    for entry in entries:
        graph = case_graph(case_slug(entry.iri))
        if entry.iri in existing:
            others = sorted(existing[entry.iri] - {graph})
            if others:
                raise InputError(
                    f"{entry.location}: <{entry.iri}> is already described in the graph <{others[0]}>, "
                    f"which is not this case's own; choose another id"
                )
            if not replace:
                raise InputError(f"{entry.location}: the case <{entry.iri}> is already in the store; use --replace to replace it")
            result.replaced.append(entry.iri)
        else:
            result.added.append(entry.iri)
        triples = [triple_to_oxigraph(triple) for triple in entry.triples]
        graphs[graph] = triples
        result.triples += len(triples)
    store.replace_graphs(graphs)
    return result


def resolve(store: Store, case: str) -> tuple[str, str]:
    """The IRI and graph of an added case, given by IRI, CURIE, id or label."""
    case = case.strip()
    candidates: list[str] = []
    if case.startswith(("http://", "https://")):
        candidates.append(case)
    elif ":" in case and case.split(":", 1)[0] in PREFIXES:
        prefix, local = case.split(":", 1)
        candidates.append(PREFIXES[prefix] + local)
    elif ID_PATTERN.match(case):
        candidates += [CASE_PREFIX + case, CKI + case]
    graphs = [g for g in store.graph_names() if g.startswith(CASE_GRAPH_PREFIX)]
    for iri in candidates:
        graph = case_graph(case_slug(iri))
        if graph in graphs:
            return iri, graph
    if candidates and any(_existing(store, candidates).values()):
        raise InputError(f"{case} is part of the shipped knowledge base, not an added case; it cannot be removed")
    added = [c for c in known_clusters(store) if case_graph(case_slug(c.iri)) in graphs]
    matches = exact_matches(added, case)
    if not matches:
        raise NotFoundError(f"no added case {case!r} (give its IRI, id or name; see clusterkg info)")
    if len(matches) > 1:
        raise InputError(f"{case!r} names {len(matches)} cases: {', '.join(m.iri for m in matches)}; give the IRI")
    return matches[0].iri, case_graph(case_slug(matches[0].iri))


def remove(store: Store, case: str) -> str:
    """Take an added case out of the store, with all its triples; returns its IRI."""
    iri, graph = resolve(store, case)
    store.replace_graphs({}, drop=[graph])
    return iri
