"""Rules every entry obeys in every format (YAML, CSV, Turtle, JSON-LD), beside the shapes:

* **closed for the project's namespace**: a ``ckg:`` property or class the ontology does not declare is an
  error (``ckg:startyear``), with the closest declared term;
* ``http://schema.org/`` is an error naming the ``https://schema.org/`` form the project uses;
* **confined to its own resources**: no triple may have a shipped entity (anything the knowledge base
  describes), an ontology or vocabulary term, or a classification concept as its subject; no schema axiom
  (``owl:disjointWith``, ``rdfs:subClassOf``, ``owl:sameAs``, ...) and no term declaration in a case;
* against a store (:func:`store_problems`): an id already stored (unless replacing), an id of the paper's
  cases, a triple about an entity of the stored knowledge base or of another case.

Each finding is a :class:`~clusterkg.cases.model.Problem`, a violation in the validation report, so that
``clusterkg validate`` reports everything ``clusterkg add`` refuses.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from rdflib import BNode, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ..namespaces import CKG as CKG_IRI
from ..namespaces import CODE, GRAPH, PREFIXES, SH, case_graph, compact, kb_graph
from ..sparql.results import value_of
from ..stores.base import Store
from .model import EntryFile, KnownTerms, Problem, Triple, case_slug

SCHEMA_HTTP = "http://schema.org/"
#: Namespaces whose terms no case may describe.
VOCABULARIES = tuple(iri for prefix, iri in PREFIXES.items() if prefix != "cki") + (SH, SCHEMA_HTTP, CODE)
#: Predicates that state schema axioms, never part of a case.
SCHEMA_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
                     OWL.equivalentProperty, OWL.disjointWith, OWL.sameAs, OWL.differentFrom, OWL.inverseOf,
                     OWL.propertyChainAxiom, OWL.propertyDisjointWith, OWL.complementOf, OWL.unionOf,
                     OWL.intersectionOf, OWL.oneOf, OWL.members, OWL.distinctMembers, OWL.hasKey,
                     OWL.disjointUnionOf, OWL.onProperty, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue}
#: rdf:type values from OWL and RDFS that a case may use.
ALLOWED_SCHEMA_TYPES = {OWL.NamedIndividual, OWL.Axiom}


def _show(triple: Triple) -> str:
    return " ".join(f"_:{t}" if isinstance(t, BNode) else compact(str(t)) if isinstance(t, URIRef) else repr(str(t))
                    for t in triple)


def _triples(entry_file: EntryFile) -> Iterable[tuple[str | None, Triple]]:
    for entry in entry_file.entries:
        for triple in entry.triples:
            yield entry.iri, triple
    for triple in entry_file.loose:
        yield None, triple


def check_file(entry_file: EntryFile, known: KnownTerms) -> None:
    """Add to ``entry_file.problems`` what its triples may not say (see the module's rules)."""
    problems = entry_file.problems
    seen: set[tuple] = set()

    refusals = [0]  # how many refusals were made, those already reported included

    def refuse(entity: str | None, triple: Triple, en: str, ko: str, rule: str, about: Any = None) -> None:
        refusals[0] += 1
        key = (triple, rule)
        if key in seen:
            return
        seen.add(key)
        where = entry_file.locate(triple[0], triple[1], triple[2]) or entry_file.locate(triple[0])
        problems.append(Problem(where, en, ko, entity=entity or str(triple[0]), field=compact(str(triple[1])),
                                value=None if about is None else str(about), rule=rule))

    for entry in entry_file.entries:
        if entry.iri in known.shipped:
            problems.append(Problem(entry.location, f"<{entry.iri}> is a case of the shipped knowledge base; "
                                    f"choose another id", f"<{entry.iri}>은(는) 지식베이스에 실린 사례입니다. 다른 id를 "
                                    f"고르십시오", entity=entry.iri, field="id", rule="confined"))
    # Each test reads the predicate and object, or the subject: a pair found clean is not tested again
    # (a file of 10,000 cases repeats a few dozen predicates and classes hundreds of thousands of times).
    clean_terms: set[tuple] = set()
    clean_subjects: set[tuple] = set()
    for entity, triple in _triples(entry_file):
        s, p, o = triple
        terms = (p, o if isinstance(o, URIRef) else None)
        if terms not in clean_terms:
            before = refusals[0]
            _check_terms(entity, triple, known, refuse)
            if refusals[0] == before:
                clean_terms.add(terms)
        subject = str(s) if isinstance(s, URIRef) else None
        if p == OWL.annotatedSource and isinstance(o, URIRef) and str(o) in known.shipped:
            subject = str(o)
        if subject is None or (subject, entity) in clean_subjects:
            continue
        before = refusals[0]
        if subject.startswith(VOCABULARIES):
            refuse(entity, triple, f"a case may not describe the term <{subject}> of the ontology or a "
                   f"vocabulary: {_show(triple)}", f"사례는 온톨로지나 어휘의 용어 <{subject}>를 기술할 수 없습니다: "
                   f"{_show(triple)}", "confined")
        elif subject in known.shipped and subject != entity:
            refuse(entity, triple, f"a case may not add triples about <{subject}> of the shipped knowledge base: "
                   f"{_show(triple)}", f"사례는 지식베이스의 <{subject}>에 대한 트리플을 더할 수 없습니다: {_show(triple)}",
                   "confined")
        if refusals[0] == before:
            clean_subjects.add((subject, entity))


def _check_terms(entity: str | None, triple: Triple, known: KnownTerms, refuse: Any) -> None:
    """The rules that read a triple's predicate and object: closed vocabularies, no schema axioms."""
    _, p, o = triple
    for term in (p, o):
        if isinstance(term, URIRef) and str(term).startswith(SCHEMA_HTTP):
            fixed = "https://schema.org/" + str(term)[len(SCHEMA_HTTP):]
            refuse(entity, triple, f"{term} is not a term the project uses: write {fixed} (schema.org's "
                   f"https form) in {_show(triple)}", f"{term} 대신 {fixed}(https)로 적으십시오: {_show(triple)}",
                   "closed", term)
    if str(p).startswith(CKG_IRI) and known.properties and str(p) not in known.properties:
        hint = _closest(p, known.properties)
        refuse(entity, triple, f"ckg:{str(p)[len(CKG_IRI):]} is not a property of the ontology{hint}",
               f"ckg:{str(p)[len(CKG_IRI):]}은(는) 온톨로지의 속성이 아닙니다{hint}", "closed", p)
    if p == RDF.type and str(o).startswith(CKG_IRI) and known.classes and str(o) not in known.classes:
        refuse(entity, triple, f"ckg:{str(o)[len(CKG_IRI):]} is not a class of the ontology{_closest(o, known.classes)}",
               f"ckg:{str(o)[len(CKG_IRI):]}은(는) 온톨로지의 클래스가 아닙니다{_closest(o, known.classes)}",
               "closed", o)
    if p in SCHEMA_PREDICATES or (p == RDF.type and str(o).startswith((str(OWL), str(RDFS)))
                                  and o not in ALLOWED_SCHEMA_TYPES):
        refuse(entity, triple, f"a case states facts about its own cluster, not schema axioms: {_show(triple)}",
               f"사례는 스키마 공리를 담을 수 없습니다: {_show(triple)}", "confined")


def _closest(term: Any, choices: set[str]) -> str:
    local = str(term)[len(CKG_IRI):]
    names = sorted(c[len(CKG_IRI):] for c in choices)
    close = difflib.get_close_matches(local, names, n=1, cutoff=0.6)
    if not close:
        lowered = [n for n in names if n.casefold() == local.casefold()]
        close = lowered[:1]
    return f" (did you mean ckg:{close[0]}?)" if close else ""


def _graphs_of(store: Store, iris: Sequence[str]) -> dict[str, set[str]]:
    """For each IRI the store has triples about: the graphs that hold them."""
    found: dict[str, set[str]] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        query = f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        for subject, graph in store.query(query).rows:
            found.setdefault(value_of(subject), set()).add(value_of(graph))
    return found


def store_problems(store: Store, files: Sequence[EntryFile], *, replace: bool = False) -> list[Problem]:
    """What ``add`` refuses against the store: ids already stored or shipped, triples about stored entities."""
    problems: list[Problem] = []
    entries = [entry for f in files for entry in f.entries]
    case_iris = {entry.iri for entry in entries}
    subjects = sorted({str(t[0]) for e in entries for t in e.triples if isinstance(t[0], URIRef)} | case_iris)
    graphs = _graphs_of(store, subjects) if subjects else {}
    shipped_prefix, case_prefix = kb_graph(""), case_graph("")
    for entry_file in files:
        for entry in entry_file.entries:
            own = case_graph(case_slug(entry.iri))
            held = graphs.get(entry.iri, set())
            where = entry.location
            if any(g.startswith(shipped_prefix) for g in held):
                problems.append(Problem(where, f"<{entry.iri}> is a case of the shipped knowledge base; choose another id",
                                        f"<{entry.iri}>은(는) 지식베이스에 실린 사례입니다. 다른 id를 고르십시오",
                                        entity=entry.iri, field="id", rule="store"))
                continue
            others = sorted(g for g in held - {own} if g.startswith(GRAPH))
            if others:
                problems.append(Problem(where, f"<{entry.iri}> is already described in the graph <{others[0]}>, "
                                        f"which is not this case's own; choose another id",
                                        f"<{entry.iri}>은(는) 다른 그래프 <{others[0]}>에 이미 있습니다",
                                        entity=entry.iri, field="id", rule="store"))
            elif own in held and not replace:
                problems.append(Problem(where, f"the case <{entry.iri}> is already in the store; use --replace to "
                                        f"replace it", f"사례 <{entry.iri}>은(는) 이미 저장소에 있습니다. 바꾸려면 --replace",
                                        entity=entry.iri, field="id", rule="store"))
            for triple in entry.triples:
                subject = str(triple[0])
                if subject == entry.iri or subject not in graphs:
                    continue
                held = graphs[subject]
                other_case = [g for g in held if g.startswith(case_prefix) and g != own
                              and (subject in _case_iris(g) or any(subject.startswith(c + "/") for c in _case_iris(g)))]
                if any(g.startswith(shipped_prefix) for g in held) or other_case:
                    what = "the shipped knowledge base" if not other_case else f"the case graph <{other_case[0]}>"
                    problems.append(Problem(entry_file.locate(triple[0], triple[1], triple[2]) or where,
                                            f"a case may not add triples about <{subject}> of {what}: {_show(triple)}",
                                            f"사례는 {what}의 <{subject}>에 대한 트리플을 더할 수 없습니다: {_show(triple)}",
                                            entity=entry.iri, field=compact(str(triple[1])), rule="confined"))
                    break
    return problems


def _case_iris(graph: str) -> set[str]:
    """The case IRI of a case graph (its slug is the cki: local name, see :func:`case_slug`)."""
    slug = graph[len(case_graph("")):]
    from ..namespaces import CKI

    return {CKI + slug}
