"""Reasoning: consistency, classification and what follows from the stated facts.

Two reasoners:

* ``hermit``: HermiT (OWL 2 DL, complete) through owlready2; needs Java.
* ``owlrl``: the OWL 2 RL rules through the ``owlrl`` package (pure Python;
  sound but incomplete, finds no unsatisfiable class).

``auto`` takes HermiT when Java is there and OWL-RL otherwise.

The reasoner reads every graph of the store (the shipped knowledge base,
added cases, links) except the graph of earlier inferences. Its conclusions
are compared with what was stated, and reported in two tiers: *new* facts,
which no sub-class or sub-property axiom alone gives (a case's cluster type,
the stage a finding concerns, ...), and the whole entailed set, which
:func:`write_inferences` stores in :data:`~clusterkg.namespaces.INFERRED_GRAPH`
and nowhere else.

An inconsistency, and with ``explain`` each new fact, is traced to a minimal
set of stated axioms (see :mod:`.explain`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard, cast

import pyoxigraph as ox

from ..errors import InputError, ReasonerError
from ..inputs import parse_rdf, rdf_format
from ..namespaces import INFERRED_GRAPH, OWL, RDFS, shorten_iris
from ..progress import Say
from ..stores.base import Store
from .axioms import TYPE, Triple, is_builtin, render, short, split_axioms
from .closure import complete
from .explain import SUBCLASS, Explanation, explain_entailment, explain_inconsistency
from .modules import Split, merges, split
from .reasoners import choose_reasoner, declare_individuals, run_hermit, run_owlrl, split_by_datatype, vocabulary_of

SUBPROPERTY = ox.NamedNode(RDFS + "subPropertyOf")

#: Stated triples of the parts in one batch (besides the core's), by reasoner. Each batch costs a run over the
#: core too (2 s of HermiT). HermiT's time grows linearly up to about 1,200 generated cases (25,000 triples) and
#: much faster beyond (11.7 min for 10,000 cases at once); the OWL-RL rules grow linearly, so their batches are
#: only there to bound a run's memory.
BATCH_TRIPLES = {"hermit": 25_000, "owlrl": 250_000}

STATED_QUERY = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }}"




@dataclass
class ReasoningResult:
    """What a reasoner found."""

    reasoner: str
    consistent: bool
    stated: int
    note: str = ""
    unsatisfiable: list[str] = field(default_factory=list)
    new_types: list[Triple] = field(default_factory=list)
    new_links: list[Triple] = field(default_factory=list)
    new_subclasses: list[Triple] = field(default_factory=list)
    entailed: list[Triple] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)

    @property
    def new(self) -> list[Triple]:
        return [*self.new_subclasses, *self.new_types, *self.new_links]

    def as_dict(self) -> dict[str, object]:
        row = lambda t: [short(x) for x in t]  # noqa: E731
        return {
            "reasoner": self.reasoner,
            "consistent": self.consistent,
            "note": self.note,
            "stated_triples": self.stated,
            "unsatisfiable_classes": [short(ox.NamedNode(c)) for c in self.unsatisfiable],
            "new_subclasses": [row(t) for t in self.new_subclasses],
            "new_types": [row(t) for t in self.new_types],
            "new_links": [row(t) for t in self.new_links],
            "entailed_triples": len(self.entailed),
            "clashes": self.clashes,
            "explanations": [
                {"conclusion": e.conclusion, "reasoner": e.reasoner,
                 "axioms": [{"axiom": render(a), "graph": a.graph} for a in e.axioms]}
                for e in self.explanations
            ],
        }


def stated_quads(store: Store) -> list[tuple[Triple, str]]:
    """Every stated triple of the store with its graph (earlier inferences left out)."""
    # the pattern binds every variable; RDF 1.1 data is assumed (a triple term of RDF 1.2 would pass unchecked)
    Row = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal, ox.NamedNode | ox.BlankNode]
    rows = cast(Iterable[Row], store.query(STATED_QUERY).rows)
    return [((s, p, o), g.value) for s, p, o, g in rows]


def quads_from_files(paths: Iterable[Path | str]) -> list[tuple[Triple, str]]:
    """Triples of RDF files, each file standing for a graph named by its path."""
    quads: list[tuple[Triple, str]] = []
    for path in map(Path, paths):
        for quad in parse_rdf(path, rdf_format(path)):
            # RDF 1.1 data is assumed (a triple term of RDF 1.2 would pass unchecked)
            quads.append((cast(Triple, (quad.subject, quad.predicate, quad.object)), str(path)))
    return quads


@dataclass
class _Selection:
    types: list[Triple]
    links: list[Triple]
    subclasses: list[Triple]
    entailed: list[Triple]


def _ancestors(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Reflexive-transitive closure of a relation given as (child, parent) pairs."""
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in pairs:
        parents[child].add(parent)
    closed: dict[str, set[str]] = {}
    for start in list(parents):
        seen, stack = {start}, [start]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        closed[start] = seen
    return closed


def select_inferences(stated: set[Triple], closure: set[Triple]) -> _Selection:
    """Entailed facts about named individuals and named classes, and the new ones among them."""
    vocabulary, object_props = vocabulary_of(stated)
    everything = stated | closure

    def named(term: object) -> TypeGuard[ox.NamedNode]:
        return isinstance(term, ox.NamedNode) and not is_builtin(term)

    def individual(term: object) -> TypeGuard[ox.NamedNode]:
        return named(term) and term.value not in vocabulary

    named_pairs = lambda pred, triples: [  # noqa: E731
        (s.value, o.value) for s, p, o in triples if p == pred and named(s) and named(o)
    ]
    stated_classes = _ancestors(named_pairs(SUBCLASS, stated) + _equivalences(stated))
    all_classes = _ancestors(named_pairs(SUBCLASS, everything))
    all_props = _ancestors(named_pairs(SUBPROPERTY, everything))

    inferred = closure - stated
    types, links, subclasses, entailed = [], [], [], []
    for t in sorted(inferred, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        s, p, o = t
        if p == TYPE and individual(s) and named(o):
            entailed.append(t)
        elif p == SUBCLASS and named(s) and named(o) and s != o:
            entailed.append(t)
            if o.value not in stated_classes.get(s.value, {s.value}):
                subclasses.append(t)
        elif p.value in object_props and individual(s) and individual(o):
            entailed.append(t)

    restates = _inverse_of_stated(stated)
    types_of: dict[ox.NamedNode, set[str]] = defaultdict(set)
    links_of: dict[tuple[ox.NamedNode, ox.NamedNode], set[str]] = defaultdict(set)
    for s, p, o in everything:
        if p == TYPE and individual(s) and named(o):
            types_of[s].add(o.value)
        elif individual(s) and isinstance(o, ox.NamedNode) and p.value in object_props:
            links_of[(s, o)].add(p.value)
    for t in entailed:
        s, p, o = t
        assert isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)  # entailed holds facts about named terms only
        if p == TYPE:
            others = types_of[s] - {o.value}
            if not any(o.value in all_classes.get(c, ()) and c not in all_classes.get(o.value, ()) for c in others):
                types.append(t)
        elif p != SUBCLASS:
            others = links_of[(s, o)] - {p.value}
            if not any(p.value in all_props.get(q, ()) and q not in all_props.get(p.value, ()) for q in others):
                if not restates(t):
                    links.append(t)
    return _Selection(types, links, subclasses, entailed)


def _equivalences(triples: Iterable[Triple]) -> list[tuple[str, str]]:
    pairs = []
    for s, p, o in triples:
        if p.value == OWL + "equivalentClass" and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            pairs += [(s.value, o.value), (o.value, s.value)]
    return pairs


def _inverse_of_stated(stated: set[Triple]) -> Callable[[Triple], bool]:
    """A test of whether a link only restates a stated link read backwards (an owl:inverseOf pair)."""
    inverses: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for a, q, b in stated:
        if q.value == OWL + "inverseOf" and isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode):
            inverses[a].add(b)
            inverses[b].add(a)

    def restates(triple: Triple) -> bool:
        s, p, o = triple
        return any((o, inverse, s) in stated for inverse in inverses.get(p, ()))

    return restates


def reason(
    store: Store | None = None,
    *,
    reasoner: str = "auto",
    explain: bool = False,
    explain_limit: int = 10,
    quads: list[tuple[Triple, str]] | None = None,
    progress: Say | None = None,
    modular: bool = True,
) -> ReasoningResult:
    """Check consistency, classify, and collect what follows from the stated facts.

    Reads ``store`` (every graph but the inferred one), or the given ``quads``.
    With ``explain``, an inconsistency is traced to the stated axioms involved,
    and so are the first ``explain_limit`` new facts (each takes seconds).
    With ``modular`` (the default) independent parts of the added cases are
    reasoned over in batches, each with the core (see :mod:`.modules`), when
    that gives the answers of one run over everything; else, and without it,
    one run reads everything.
    """
    say = progress or (lambda message: None)
    chosen, note = choose_reasoner(reasoner)
    if quads is None:
        if store is None:
            raise InputError("reason() needs a store or quads")
        say("reading the stated facts")
        quads = stated_quads(store)
    base = list(dict.fromkeys(t for t, _ in quads))
    triples = declare_individuals(base)
    stated = set(triples)
    result = ReasoningResult(chosen, True, len(quads), note=note)

    if chosen == "hermit":
        left_out = split_by_datatype(triples)[1]
        if left_out:
            kinds = sorted({short(cast(ox.Literal, t[2]).datatype) for t in left_out})  # left out for a literal's datatype
            result.note = (result.note + "; " if result.note else "") + (
                f"{len(left_out)} value(s) with datatypes outside OWL 2 ({', '.join(kinds)}) left out for HermiT"
            )
    plan = split(quads, triples) if modular else None
    closure = _run(chosen, triples, plan, result, say)
    if plan is not None and not plan.doubt and len(plan.parts) > 1 and (result.consistent or chosen == "owlrl"):
        doubt = merges(closure, plan.functional, plan.inverse_functional)
        if doubt:
            plan.doubt = doubt
            closure = _run(chosen, triples, None, result, say)
    if plan is not None and plan.doubt and len(plan.parts) > 1:
        result.note = (result.note + "; " if result.note else "") + f"reasoned over the whole store ({plan.doubt})"

    axioms = split_axioms(quads + [(t, "") for t in triples[len(base):]])
    if not result.consistent:
        if explain:
            say("looking for the axioms involved in the inconsistency")
            result.explanations = explain_inconsistency(axioms, result.clashes, chosen)
        return result

    selection = select_inferences(stated, closure)
    result.new_types, result.new_links = selection.types, selection.links
    result.new_subclasses, result.entailed = selection.subclasses, selection.entailed
    if explain:
        chosen_facts = result.new[:explain_limit]
        if len(result.new) > len(chosen_facts):
            result.note = (result.note + "; " if result.note else "") + (
                f"{len(chosen_facts)} of {len(result.new)} new facts explained (raise --explain-limit for more)"
            )
        for index, triple in enumerate(chosen_facts, 1):
            say(f"explaining {index}/{len(chosen_facts)}: {' '.join(short(x) for x in triple)}")
            found = explain_entailment(axioms, triple, closure_has=triple in closure, reasoner=chosen)
            if found is not None:
                result.explanations.append(found)
    return result


def _run(chosen: str, triples: list[Triple], plan: Split | None, result: ReasoningResult, say: Say) -> set[Triple]:
    """Run the reasoner over the whole (no plan, or one in doubt) or batch by batch; sets consistency and clashes."""
    name = "HermiT" if chosen == "hermit" else "the OWL-RL rules"
    whole = plan is None or bool(plan.doubt) or len(plan.parts) < 2
    batches = [triples] if whole else plan.batches(BATCH_TRIPLES[chosen])  # type: ignore[union-attr]
    additions: set[Triple] = set()
    closure: set[Triple] = set()
    clashes: list[str] = []
    unsatisfiable: set[str] = set()
    consistent = True
    for index, batch in enumerate(batches, 1):
        if whole:
            say(f"running {name} on {result.stated} triples")
        else:
            parts = len(plan.parts)  # type: ignore[union-attr]
            say(f"running {name} on batch {index} of {len(batches)} ({len(batch)} triples; {parts} independent parts in all)")
        if chosen == "hermit":
            answer = run_hermit(split_by_datatype(batch)[0])
            consistent = consistent and answer.consistent
            additions |= answer.additions
            unsatisfiable.update(answer.unsatisfiable)
            if not consistent:
                break
        else:
            found, met = run_owlrl(batch)
            closure |= found
            clashes += met
            consistent = consistent and not met
    result.consistent = consistent
    result.clashes = clashes if whole else sorted(set(clashes))
    result.unsatisfiable = sorted(unsatisfiable) if consistent else []
    if chosen == "hermit":
        if consistent:
            say("completing HermiT's answer with the class and property hierarchies")
            return complete(triples, additions)
        closure, result.clashes = run_owlrl(triples)  # the OWL-RL rules name the clashes that explanations start from
    return closure


def write_inferences(store: Store, result: ReasoningResult) -> int:
    """Replace the inferred graph with the entailed facts; returns how many were written."""
    if not result.consistent:
        raise ReasonerError("the knowledge base is inconsistent: nothing was written")
    store.replace_graphs({INFERRED_GRAPH: [ox.Triple(*t) for t in result.entailed]})
    return len(result.entailed)


def drop_inferences(store: Store) -> bool:
    """Remove the inferred graph (nothing else changes); whether there was one."""
    present = INFERRED_GRAPH in store.graph_names()
    store.replace_graphs({}, drop=[INFERRED_GRAPH])
    return present


def format_result(result: ReasoningResult, written: int | None = None) -> str:
    """The result as text for a terminal; ``written`` is the number of facts stored, if any."""
    name = {"hermit": "HermiT", "owlrl": "OWL-RL"}[result.reasoner]
    lines = [f"reasoner      {name}", f"stated        {result.stated} triples"]
    if result.note:
        lines.append(f"note          {result.note}")
    lines.append(f"consistent    {'yes' if result.consistent else 'NO'}")
    for clash in result.clashes:
        lines.append(f"  clash: {shorten_iris(clash)}")
    if result.consistent:
        lines.append(f"unsatisfiable {len(result.unsatisfiable)} class(es)")
        lines += [f"  {shorten_iris(iri)}" for iri in result.unsatisfiable]
        for title, facts in (("new subclass", result.new_subclasses), ("new types", result.new_types),
                             ("new links", result.new_links)):
            lines.append(f"{title:<13} {len(facts)}")
            lines += ["  " + " ".join(short(x) for x in fact) for fact in facts]
        lines.append(f"entailed      {len(result.entailed)} facts about named individuals and classes")
    for explanation in result.explanations:
        lines.append(f"because ({explanation.reasoner}): {shorten_iris(explanation.conclusion)}")
        lines += [f"    {line}" for line in explanation.lines()]
    if written is not None:
        lines.append(f"written       {written} facts to the graph of inferences")
    return "\n".join(lines)
