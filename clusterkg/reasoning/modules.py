"""Modular reasoning: the stated facts cut into a core and parts that can be reasoned over apart.

The *core* is the terminology (every axiom about classes and properties) and
the individuals of every graph that is not an added case's graph (the shipped
knowledge base, links, the user's graphs). A *part* is a connected set of the
other individuals (those only added cases speak of), linked by their
assertions; parts touch one another only through core individuals. Each batch
of parts is reasoned over together with the whole core, and the answers are
united.

That gives the answers of one run over everything when nothing a part states
can flow into a core individual and from there into another part. For a Horn
terminology (no disjunction, negation, universal restriction, nominal
enumeration or counting beyond functionality) the least model of the whole is
then the union of the batches' least models, all equal on the core.
:func:`split` decides that from the parsed axioms; each reason it finds to
doubt it is named, and the caller reasons over the whole instead:

* a construct outside that Horn fragment, or a statement of identity
  (``owl:sameAs``, ``owl:differentFrom``, keys, negative assertions);
* a property (or a super-property, or their inverses) that links a part to the
  core and carries information towards the core: a range (domain, read
  backwards) that the core individual is not already told to belong to, a
  restriction on it read at the core individual, a property chain through it,
  a transitive property crossing the core in both directions, a functional
  one whose values an existential restriction also gives.

Merges by a functional or inverse-functional property are checked on the
answer (:func:`merges`): two named values of one functional property (or an
``owl:sameAs``) send the caller back to the whole run too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import GRAPH, OWL, RDF, RDFS
from .axioms import TYPE, Triple, short
from .reasoners import vocabulary_of

CASE_GRAPHS = GRAPH + "case/"

#: Predicates and types outside the Horn fragment the split relies on, or stating identity.
UNSUPPORTED = {
    OWL + name for name in (
        "unionOf complementOf oneOf allValuesFrom hasSelf maxCardinality minCardinality cardinality "
        "maxQualifiedCardinality minQualifiedCardinality qualifiedCardinality disjointUnionOf sameAs "
        "differentFrom AllDifferent distinctMembers hasKey NegativePropertyAssertion sourceIndividual"
    ).split()
}

Prop = tuple[str, bool]  # a property expression: (IRI, inverse?)


@dataclass
class Split:
    """The core's triples, each part's triples, and why the split was not taken (empty when it was)."""

    core: list[Triple]
    parts: list[list[Triple]] = field(default_factory=list)
    doubt: str = ""
    functional: set[str] = field(default_factory=set)
    inverse_functional: set[str] = field(default_factory=set)

    def batches(self, size: int) -> list[list[Triple]]:
        """The parts in batches of about ``size`` triples each, the core ahead of each."""
        out: list[list[Triple]] = []
        current: list[Triple] = []
        for part in self.parts:
            current.extend(part)
            if len(current) >= size:
                out.append(self.core + current)
                current = []
        if current or not out:
            out.append(self.core + current)
        return out


class _Forest:
    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, node: object) -> object:
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while node != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def split(quads: Iterable[tuple[Triple, str]], triples: list[Triple]) -> Split:
    """Cut ``triples`` (the stated ones, individuals declared) into core and parts; ``quads`` give their graphs."""
    vocabulary, _ = vocabulary_of(triples)
    in_core_graph: set[object] = set()
    for (s, _, o), graph in quads:
        if not graph.startswith(CASE_GRAPHS):
            in_core_graph.update((s, o))
    named = ox.NamedNode(OWL + "NamedIndividual")
    individuals = {s for s, p, o in triples if p == TYPE and o == named}
    local = {i for i in individuals if i not in in_core_graph and i.value not in vocabulary}
    forest = _Forest()

    def node(term: object) -> bool:
        return term in local or isinstance(term, ox.BlankNode)

    for s, _, o in triples:
        forest.find(s)
        if node(s) and node(o):
            forest.union(s, o)
    local_roots = {forest.find(i) for i in local}
    pinned = {forest.find(o) for s, _, o in triples if not node(s) and node(o) and s.value in vocabulary}
    roots_with_local = local_roots - pinned  # a group an axiom about a class or property reaches stays in the core
    groups: dict[object, list[Triple]] = defaultdict(list)
    core: list[Triple] = []
    for triple in triples:
        s, _, o = triple
        key = forest.find(s) if node(s) else forest.find(o) if node(o) else None
        if key in roots_with_local:
            groups[key].append(triple)
        else:
            core.append(triple)
    result = Split(core, list(groups.values()))
    if len(result.parts) < 2:
        result.doubt = "the added cases form fewer than two independent parts"
        return result
    part_of: dict[object, object] = {i: forest.find(i) for i in local if forest.find(i) in roots_with_local}
    shared: set[object] = {i for i in individuals if i not in part_of}
    result.doubt, result.functional, result.inverse_functional = _doubt(triples, core, part_of, shared)
    return result



class _Terminology:
    """The property and class axioms the condition reads, parsed from the triples."""

    def __init__(self, triples: list[Triple]) -> None:
        self.edges: dict[Prop, set[Prop]] = defaultdict(set)  # P -> Q for P sub-property of Q
        self.kinds: dict[str, set[str]] = defaultdict(set)
        self.ranges: dict[Prop, set[object]] = defaultdict(set)
        self.supers: dict[str, set[str]] = defaultdict(set)
        self.restrictions: list[tuple[Prop, set[str], list[object]]] = []
        inverse_of = {s: o.value for s, p, o in triples
                      if isinstance(s, ox.BlankNode) and p.value == OWL + "inverseOf" and isinstance(o, ox.NamedNode)}
        expr = lambda t: (t.value, False) if isinstance(t, ox.NamedNode) else (  # noqa: E731
            (inverse_of[t], True) if t in inverse_of else None)
        by_blank: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            kind = p.value
            if isinstance(s, ox.BlankNode):
                by_blank[s][kind].append(o)
            if not isinstance(s, ox.NamedNode):
                continue
            if kind in (RDFS + "subPropertyOf", OWL + "equivalentProperty", OWL + "inverseOf"):
                a, b = (s.value, False), expr(o)
                if b is None:
                    continue
                flip = kind == OWL + "inverseOf"
                self._same(a, (b[0], b[1] != flip), both=kind != RDFS + "subPropertyOf")
            elif kind == TYPE.value and isinstance(o, ox.NamedNode):
                self.kinds[s.value].add(o.value)
                if o.value == OWL + "SymmetricProperty":
                    self._same((s.value, False), (s.value, True), both=True)
            elif kind == RDFS + "range":
                self.ranges[(s.value, False)].add(o)
            elif kind == RDFS + "domain":
                self.ranges[(s.value, True)].add(o)
            elif kind in (RDFS + "subClassOf", OWL + "equivalentClass") and isinstance(o, ox.NamedNode):
                self.supers[s.value].add(o.value)
                if kind == OWL + "equivalentClass":
                    self.supers[o.value].add(s.value)
        for props in by_blank.values():
            if OWL + "onProperty" in props:
                on = expr(props[OWL + "onProperty"][0])
                if on is not None:
                    self.restrictions.append((on, set(props), props.get(OWL + "hasValue", [])))
        self.chain_members = _chain_members(triples)

    def _same(self, a: Prop, b: Prop, *, both: bool) -> None:
        for x, y in ((a, b), ((a[0], not a[1]), (b[0], not b[1]))):
            self.edges[x].add(y)
            if both:
                self.edges[y].add(x)

    def sup(self, prop: Prop) -> set[Prop]:
        seen, stack = {prop}, [prop]
        while stack:
            for nxt in self.edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def told(self, classes: Iterable[str]) -> set[str]:
        seen, stack = set(classes), list(classes)
        while stack:
            for nxt in self.supers.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen | {OWL + "Thing"}

    def marked(self, kind: str) -> set[str]:
        return {name for name, kinds in self.kinds.items() if OWL + kind in kinds}


def _chain_members(triples: list[Triple]) -> set[str]:
    """The properties named in any property chain (inverse or not)."""
    rest: dict[object, tuple[object, object]] = {}
    first = {s: o for s, p, o in triples if p.value == RDF + "first"}
    for s, p, o in triples:
        if p.value == RDF + "rest":
            rest[s] = (first.get(s), o)
    inverse_of = {s: o.value for s, p, o in triples if p.value == OWL + "inverseOf" and isinstance(s, ox.BlankNode)
                  and isinstance(o, ox.NamedNode)}
    names: set[str] = set()
    for _, p, o in triples:
        if p.value != OWL + "propertyChainAxiom":
            continue
        head: object = o
        while head in rest:
            item, head = rest[head]
            if isinstance(item, ox.NamedNode):
                names.add(item.value)
            elif isinstance(item, ox.BlankNode) and item in inverse_of:
                names.add(inverse_of[item])
    return names


def _doubt(
    triples: list[Triple], core: list[Triple], part_of: dict[object, object], shared: set[object]
) -> tuple[str, set[str], set[str]]:
    """Why the parts might not be reasoned over apart (empty if no reason), and the functional properties."""
    for _, p, o in triples:
        if p.value in UNSUPPORTED or (p == TYPE and isinstance(o, ox.NamedNode) and o.value in UNSUPPORTED):
            return f"{short(p if p.value in UNSUPPORTED else o)} is used", set(), set()
    terms = _Terminology(triples)
    functional, inverse_functional = terms.marked("FunctionalProperty"), terms.marked("InverseFunctionalProperty")
    told_types: dict[object, set[str]] = defaultdict(set)
    for s, p, o in core:
        if p == TYPE and isinstance(o, ox.NamedNode):
            told_types[s].add(o.value)
    inward: list[tuple[Prop, object]] = []  # (property from a part to the core, the core individual)
    for s, p, o in triples:
        if p == TYPE or not isinstance(o, ox.NamedNode) or (s in part_of) == (o in part_of):
            continue
        if s in part_of and o in shared:
            inward.append(((p.value, False), o))
        elif o in part_of and s in shared:
            inward.append(((p.value, True), s))
    for on, _, values in terms.restrictions:
        inward += [(on, v) for v in values if isinstance(v, ox.NamedNode)]
    into: set[Prop] = set()
    checked: set[tuple[Prop, object]] = set()
    for prop, target in inward:
        if (prop, target) in checked:
            continue
        checked.add((prop, target))
        told = terms.told(told_types.get(target, ()))
        for q in terms.sup(prop):
            into.add(q)
            for cls in terms.ranges.get(q, ()):
                if not (isinstance(cls, ox.NamedNode) and cls.value in told):
                    word = "domain" if q[1] else "range"
                    return (f"the {word} of {short(ox.NamedNode(q[0]))} would give {short(target)} a class it is not "
                            f"told to have", set(), set())
    names = {name for name, _ in into}
    for name, inverse in into:
        kinds = terms.kinds.get(name, set())
        if OWL + "TransitiveProperty" in kinds and (name, not inverse) in into:
            return f"the transitive {short(ox.NamedNode(name))} links parts to the core both ways", set(), set()
    if names & terms.chain_members:
        return f"a property chain goes through {short(ox.NamedNode(min(names & terms.chain_members)))}", set(), set()
    single = {(n, False) for n in functional} | {(n, True) for n in inverse_functional}
    for on, kinds, _ in terms.restrictions:
        if (on[0], not on[1]) in into:
            return f"a restriction on {short(ox.NamedNode(on[0]))} is read at core individuals", set(), set()
        if OWL + "someValuesFrom" in kinds and terms.sup(on) & single & into:
            return "an existential restriction gives values of a functional property", set(), set()
    return "", functional, inverse_functional


def merges(closure: Iterable[Triple], functional: set[str], inverse_functional: set[str]) -> str:
    """Why the united answer may have missed an identity: two named values of a functional property, or owl:sameAs."""
    values: dict[tuple[str, object], set[object]] = defaultdict(set)
    for s, p, o in closure:
        if p.value == OWL + "sameAs" and s != o:
            return f"{short(s)} and {short(o)} are the same individual"
        if not isinstance(o, ox.NamedNode):
            continue
        if p.value in functional:
            values[(p.value, s)].add(o)
        if p.value in inverse_functional:
            values[(p.value + "^", o)].add(s)
    for (prop, _), found in values.items():
        if len(found) > 1:
            return f"{short(ox.NamedNode(prop.rstrip('^')))} has two values for one individual"
    return ""
