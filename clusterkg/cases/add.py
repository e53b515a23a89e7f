"""Adding cases to the store and taking them out again.

Each case lives in a named graph of its own, ``case_graph(slug)``, and holds
only triples about its own resources (the case, its places, organisations,
sources and comparison parts; :mod:`.rules`). The classification codes and
vocabulary terms that cases name are described once, in the concepts graph
(:data:`~clusterkg.namespaces.CONCEPTS_GRAPH`; the ISIC Rev.4 divisions of the
paper's industries ship with the knowledge base, ``ontology/industry-isic.ttl``);
it is rebuilt from what the remaining cases name in the same transaction as
every add and remove.

An add writes all its cases in one transaction (:meth:`Store.replace_graphs`,
one SPARQL update): everything or nothing. The caller holds the store's writer
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
from ..namespaces import CKG, CKI, CONCEPTS_GRAPH, PREFIXES, case_graph
from ..rdfterms import triple_to_oxigraph
from ..sparql.results import value_of
from ..stores.base import Store
from .issues import ValidationReport
from .model import CASE_PREFIX, ID_PATTERN, EntryFile, case_slug
from .rules import store_problems

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
    problems = store_problems(store, files, replace=replace)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more; run clusterkg validate)" if len(problems) > 1 else ""
        raise InputError(f"{first.location or first.entity}: {first.message_en}{more}")
    existing = _existing(store, [e.iri for e in entries])
    graphs: dict[str, list[ox.Triple]] = {}
    result = AddResult()
    for entry in entries:
        graph = case_graph(case_slug(entry.iri))
        if entry.iri in existing:
            result.replaced.append(entry.iri)
        else:
            result.added.append(entry.iri)
        triples = [triple_to_oxigraph(triple) for triple in entry.triples]
        graphs[graph] = triples
        result.triples += len(triples)
    new_concepts = {iri: [triple_to_oxigraph(t) for t in triples]
                    for f in files for iri, triples in f.concepts.items()}
    graphs[CONCEPTS_GRAPH] = concepts_graph(store, new_concepts, graphs, set(graphs))
    store.replace_graphs(graphs)
    return result


NAMING = (CKG + "hasIndustry", CKG + "hasMainIndustry", CKG + "appliesInstrument")


def concepts_graph(store: Store, new: dict[str, list[ox.Triple]], written: dict[str, list[ox.Triple]],
                   dropped: set[str]) -> list[ox.Triple]:
    """The concepts graph after a change: the concepts the cases name (those written now and those kept),
    with the concepts their descriptions point to (the paper's industries' ISIC divisions ship in
    ``ontology/industry-isic.ttl``)."""
    by_subject: dict[str, list[ox.Triple]] = {}
    for s, p, o in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{CONCEPTS_GRAPH}> {{ ?s ?p ?o }} }}").rows:
        assert isinstance(s, (ox.NamedNode, ox.BlankNode)) and isinstance(p, ox.NamedNode) and o is not None
        by_subject.setdefault(value_of(s), []).append(ox.Triple(s, p, o))
    by_subject.update(new)
    named: set[str] = set()
    prefix = case_graph("")
    rows = store.query(
        "SELECT DISTINCT ?g ?o WHERE { GRAPH ?g { ?c ?p ?o } VALUES ?p { "
        + " ".join(f"<{p}>" for p in NAMING) + f' }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}').rows
    for graph, concept in rows:
        if value_of(graph) not in dropped and isinstance(concept, ox.NamedNode):
            named.add(concept.value)
    for triples in written.values():
        named |= {t.object.value for t in triples if t.predicate.value in NAMING and isinstance(t.object, ox.NamedNode)}
    if not any(g.startswith(prefix) for g in written) and not rows_left(store, dropped):
        return []
    keep = named & set(by_subject)
    todo = list(keep)
    while todo:
        for triple in by_subject.get(todo.pop(), ()):
            target = triple.object
            if isinstance(target, ox.NamedNode) and target.value in by_subject and target.value not in keep:
                keep.add(target.value)
                todo.append(target.value)
    return [t for s in sorted(keep) for t in by_subject[s]]


def rows_left(store: Store, dropped: set[str]) -> bool:
    """Whether a case graph other than ``dropped`` remains in the store."""
    prefix = case_graph("")
    return any(g.startswith(prefix) and g not in dropped for g in store.graph_names())


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
    concepts = concepts_graph(store, {}, {}, {graph})
    if concepts:
        store.replace_graphs({CONCEPTS_GRAPH: concepts}, drop=[graph])
    else:
        store.replace_graphs({}, drop=[graph, CONCEPTS_GRAPH])
    return iri
