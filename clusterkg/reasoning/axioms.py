"""OWL axioms as groups of RDF triples: splitting a graph into axioms, and writing them for people.

An OWL axiom written in RDF is one triple whose blank-node objects (class
expressions, lists) bring further triples along. :func:`split_axioms` cuts a
set of triples into such axioms, remembering the named graph each came from,
so that a reasoner's conclusion can be traced back to the stated axioms that
yield it (see :mod:`.explain`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import OWL, PREFIXES, RDF, RDFS, XSD, compact

TYPE = ox.NamedNode(RDF + "type")

#: Namespaces of the RDF, RDFS, OWL and XSD vocabularies themselves.
BUILTIN_NAMESPACES = (RDF, RDFS, OWL, XSD)


#: Types whose assertion only declares what an IRI is (never a cause of inconsistency).
DECLARATION_TYPES = {
    OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
    OWL + "AnnotationProperty", OWL + "NamedIndividual", OWL + "Ontology", RDF + "Property",
    RDFS + "Datatype",
}


#: Types of reified axioms: annotations on an axiom, not axioms themselves.
REIFIED_TYPES = {OWL + "Axiom", OWL + "Annotation"}


#: Annotation predicates that are always annotations, whether or not declared.
ANNOTATION_PREDICATES = {
    RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy",
    OWL + "versionInfo", OWL + "versionIRI", OWL + "imports", OWL + "priorVersion",
}


Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]


def is_builtin(term: object) -> bool:
    """Whether an IRI belongs to the RDF, RDFS, OWL or XSD vocabularies."""
    return isinstance(term, ox.NamedNode) and term.value.startswith(BUILTIN_NAMESPACES)


@dataclass(frozen=True)
class Axiom:
    """One stated axiom: its triples (the first is the root) and the graph it came from."""

    triples: tuple[Triple, ...]
    graph: str = ""

    @property
    def root(self) -> Triple:
        return self.triples[0]

    def signature(self) -> set[str]:
        """The IRIs the axiom mentions, vocabulary of RDF/RDFS/OWL aside."""
        names = set()
        for triple in self.triples:
            for term in triple:
                if isinstance(term, ox.NamedNode) and not is_builtin(term):
                    names.add(term.value)
        return names


@dataclass
class AxiomSet:
    """A graph cut into axioms: declarations, annotations and logical axioms."""

    declarations: list[Axiom]
    annotations: list[Axiom]
    logical: list[Axiom]

    def triples(self, axioms: Iterable[Axiom] | None = None, declarations: bool = True) -> list[Triple]:
        """``axioms`` (default: all logical axioms) as triples, after the declarations unless told not to."""
        chosen = self.logical if axioms is None else axioms
        groups = [*(self.declarations if declarations else []), *chosen]
        return [t for axiom in groups for t in axiom.triples]


def split_axioms(quads: Iterable[tuple[Triple, str]]) -> AxiomSet:
    """Cut triples (each with its graph name) into axioms."""
    quads = list(quads)
    by_subject: dict[ox.BlankNode, list[Triple]] = defaultdict(list)
    graph_of: dict[Triple, str] = {}
    referenced: set[ox.BlankNode] = set()
    for triple, graph in quads:
        graph_of.setdefault(triple, graph)
        if isinstance(triple[0], ox.BlankNode):
            by_subject[triple[0]].append(triple)
        if isinstance(triple[2], ox.BlankNode):
            referenced.add(triple[2])
    annotation_properties = {
        t[0].value for t, _ in quads
        if t[1] == TYPE and isinstance(t[2], ox.NamedNode) and t[2].value == OWL + "AnnotationProperty"
    }
    declarations, annotations, logical = [], [], []
    seen: set[Triple] = set()
    for triple, graph in quads:
        if triple in seen or (isinstance(triple[0], ox.BlankNode) and triple[0] in referenced):
            continue
        reified = False
        if isinstance(triple[0], ox.BlankNode):  # a root blank node: AllDisjointClasses, ...
            group = _closure(triple[0], by_subject)
            reified = any(t[1] == TYPE and t[2].value in REIFIED_TYPES for t in group if isinstance(t[2], ox.NamedNode))
        else:
            group = [triple, *_object_closure(triple[2], by_subject)]
        seen.update(group)
        axiom = Axiom(tuple(group), graph_of.get(triple, graph))
        predicate = triple[1].value
        if predicate == RDF + "type" and isinstance(triple[2], ox.NamedNode) and triple[2].value in DECLARATION_TYPES:
            declarations.append(axiom)
        elif reified or predicate in annotation_properties or predicate in ANNOTATION_PREDICATES:
            annotations.append(axiom)
        else:
            logical.append(axiom)
    return AxiomSet(declarations, annotations, logical)


def _object_closure(node: object, by_subject: dict[ox.BlankNode, list[Triple]]) -> list[Triple]:
    return _closure(node, by_subject) if isinstance(node, ox.BlankNode) else []


def _closure(node: ox.BlankNode, by_subject: dict[ox.BlankNode, list[Triple]]) -> list[Triple]:
    """The triples reachable from a blank node (its description, lists included)."""
    found: list[Triple] = []
    stack, visited = [node], set()
    while stack:
        current = stack.pop()
        if current in visited:
            continue
        visited.add(current)
        for triple in by_subject.get(current, []):
            found.append(triple)
            if isinstance(triple[2], ox.BlankNode):
                stack.append(triple[2])
    return found


def short(term: object) -> str:
    """A term in prefixed form when a known prefix fits."""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, PREFIXES, allowed=None)
    if isinstance(term, ox.Literal):
        return str(term)
    return "[]"


class _Renderer:
    """Class expressions in a Manchester-like syntax, from their RDF triples."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.props: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            if isinstance(s, ox.BlankNode):
                self.props[s][p.value].append(o)

    def node(self, term: object) -> str:
        if not isinstance(term, ox.BlankNode):
            return short(term)
        d = self.props.get(term, {})
        one = lambda key: d[OWL + key][0]  # noqa: E731
        if OWL + "intersectionOf" in d:
            return "(" + " and ".join(self.node(x) for x in self.items(one("intersectionOf"))) + ")"
        if OWL + "unionOf" in d:
            return "(" + " or ".join(self.node(x) for x in self.items(one("unionOf"))) + ")"
        if OWL + "complementOf" in d:
            return f"not {self.node(one('complementOf'))}"
        if OWL + "oneOf" in d:
            return "{" + ", ".join(self.node(x) for x in self.items(one("oneOf"))) + "}"
        if OWL + "inverseOf" in d:
            return f"inverse({self.node(one('inverseOf'))})"
        if OWL + "onProperty" in d:
            prop = self.node(one("onProperty"))
            for key, word in (("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value")):
                if OWL + key in d:
                    return f"({prop} {word} {self.node(one(key))})"
            for key, word in (("minCardinality", "min"), ("maxCardinality", "max"), ("cardinality", "exactly"),
                              ("minQualifiedCardinality", "min"), ("maxQualifiedCardinality", "max"),
                              ("qualifiedCardinality", "exactly")):
                if OWL + key in d:
                    n = d[OWL + key][0]
                    target = d.get(OWL + "onClass", [None])[0]
                    text = f"({prop} {word} {n.value if isinstance(n, ox.Literal) else n}"
                    return text + (f" {self.node(target)})" if target is not None else ")")
        if RDF + "first" in d:
            return "(" + ", ".join(self.node(x) for x in self.items(term)) + ")"
        return "[]"

    def items(self, head: object) -> list[object]:
        found = []
        while isinstance(head, ox.BlankNode) and RDF + "first" in self.props.get(head, {}):
            found.append(self.props[head][RDF + "first"][0])
            head = self.props[head].get(RDF + "rest", [None])[0]
        return found


def render(axiom: Axiom) -> str:
    """An axiom on one line, e.g. ``ckg:counters rdfs:domain ckg:Finding``."""
    renderer = _Renderer(axiom.triples)
    s, p, o = axiom.root
    if isinstance(s, ox.BlankNode):
        d = renderer.props.get(s, {})
        kinds = {short(x) for x in d.get(RDF + "type", [])}
        members = d.get(OWL + "members", []) or d.get(OWL + "distinctMembers", [])
        names = ", ".join(renderer.node(x) for x in renderer.items(members[0])) if members else ""
        kind = " ".join(sorted(kinds)) or "axiom"
        return f"{kind}({names})" if names else renderer.node(s)
    return f"{short(s)} {short(p)} {renderer.node(o)}"


