"""Explanations: the stated axioms from which a conclusion (or an inconsistency) follows.

A justification is a minimal set of stated axioms for which a monotone test
holds (the reasoner finds the conclusion, or the inconsistency), found by
divide and conquer (:func:`justify`, QuickXplain); candidate sets grow from the
axioms about the conclusion's terms outwards (:func:`relevant`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import OWL, RDFS
from .axioms import TYPE, Axiom, AxiomSet, Triple, render, short
from .reasoners import declare_individuals, run_hermit, run_owlrl

SUBCLASS = ox.NamedNode(RDFS + "subClassOf")


@dataclass(frozen=True)
class Explanation:
    """Why something holds (or why the whole is inconsistent): the stated axioms involved."""

    conclusion: str
    axioms: tuple[Axiom, ...]
    reasoner: str

    def lines(self) -> list[str]:
        return [f"{render(a)}   [{graph_label(a.graph)}]" for a in self.axioms]


def graph_label(graph: str) -> str:
    """A graph name without the common base, e.g. ``kb/clusterkg`` or ``case/NAME``."""
    return graph.rsplit("/graph/", 1)[-1] if "/graph/" in graph else graph


def justify(
    candidates: Sequence[Axiom], holds: Callable[[list[Axiom]], bool], background: Sequence[Axiom] = ()
) -> list[Axiom] | None:
    """A minimal subset of ``candidates`` for which ``holds`` (monotone) is true.

    ``holds`` is asked about the background plus a subset. Returns None when
    even all candidates do not make it hold. Divide and conquer (QuickXplain,
    Junker 2004): about k·log(n/k) calls for a justification of k axioms out of n.
    """
    background = list(background)
    if not holds(background + list(candidates)):
        return None
    if holds(background):
        return []

    def search(base: list[Axiom], delta: bool, pool: list[Axiom]) -> list[Axiom]:
        if delta and holds(base):
            return []
        if len(pool) == 1:
            return pool
        half = len(pool) // 2
        first, second = pool[:half], pool[half:]
        found_second = search(base + first, bool(first), second)
        found_first = search(base + found_second, bool(found_second), first)
        return found_first + found_second

    return search(background, False, list(candidates))


def relevant(candidates: Sequence[Axiom], seeds: set[str], rounds: int) -> list[Axiom]:
    """The axioms connected to ``seeds`` through shared names, within some rounds."""
    names = set(seeds)
    chosen: list[Axiom] = []
    remaining = list(candidates)
    for _ in range(rounds):
        picked = [a for a in remaining if a.signature() & names]
        if not picked:
            break
        chosen.extend(picked)
        remaining = [a for a in remaining if not (a.signature() & names)]
        for axiom in picked:
            names |= axiom.signature()
    return chosen


_IRI_IN_TEXT = re.compile(r"https?://[^\s,()]+")


def _owlrl_inconsistent(axioms: AxiomSet) -> Callable[[list[Axiom]], bool]:
    def holds(chosen: list[Axiom]) -> bool:
        return bool(run_owlrl(axioms.triples(chosen, declarations=False))[1])

    return holds


def _hermit_inconsistent(axioms: AxiomSet) -> Callable[[list[Axiom]], bool]:
    def holds(chosen: list[Axiom]) -> bool:
        return not run_hermit(declare_individuals(axioms.triples(chosen))).consistent

    return holds


def _candidates(axioms: AxiomSet, seeds: set[str], names: Iterable[str] = ()) -> list[list[Axiom]]:
    """Growing candidate sets: facts about the seeds (then their neighbours too) and the axioms sharing names with them."""

    def about(subjects: set[str]) -> list[Axiom]:
        return [a for a in axioms.logical if isinstance(a.root[0], ox.NamedNode) and a.root[0].value in subjects]

    neighbours = set(seeds)
    for axiom in axioms.logical:
        s, _, o = axiom.root
        if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            if s.value in seeds:
                neighbours.add(o.value)
            if o.value in seeds:
                neighbours.add(s.value)
    individuals = {
        a.root[0].value for a in axioms.declarations
        if isinstance(a.root[0], ox.NamedNode) and a.root[2] == ox.NamedNode(OWL + "NamedIndividual")
    }
    terminology = [a for a in axioms.logical if not (isinstance(a.root[0], ox.NamedNode) and a.root[0].value in individuals)]
    sets: list[list[Axiom]] = []
    for subjects, rounds in ((seeds, 1), (neighbours, 1), (neighbours, 2), (neighbours, 4)):
        facts = about(subjects)
        signature = set(seeds) | set(names)
        for fact in facts:
            signature |= fact.signature()
        candidates = facts + relevant(terminology, signature, rounds)
        if not sets or len(candidates) > len(sets[-1]):
            sets.append(candidates)
    return [*sets, list(axioms.logical)]


def _first_justification(
    candidate_sets: list[list[Axiom]], holds: Callable[[list[Axiom]], bool]
) -> list[Axiom] | None:
    for candidates in candidate_sets:
        found = justify(candidates, holds)
        if found is not None:
            return found
    return None


def explain_inconsistency(axioms: AxiomSet, clashes: list[str], reasoner: str) -> list[Explanation]:
    """One justification per clash the OWL-RL rules name, or one overall (HermiT) when they name none."""
    explanations = []
    if clashes:
        holds = _owlrl_inconsistent(axioms)
        for clash in clashes:
            seeds = set(_IRI_IN_TEXT.findall(clash))
            found = _first_justification(_candidates(axioms, seeds), holds)
            if found:
                explanations.append(Explanation(f"inconsistent: {clash}", tuple(found), "owlrl"))
        if explanations:
            return explanations
    if reasoner == "hermit":
        found = justify(axioms.logical, _hermit_inconsistent(axioms))
        if found:
            explanations.append(Explanation("inconsistent (HermiT)", tuple(found), "hermit"))
    return explanations


def explain_entailment(axioms: AxiomSet, triple: Triple, *, closure_has: bool, reasoner: str) -> Explanation | None:
    """The stated axioms from which one inferred triple follows."""
    s, p, o = triple
    conclusion = " ".join(short(x) for x in triple)
    if p == TYPE:
        seeds, names = {s.value}, {o.value}
    elif p == SUBCLASS:
        seeds, names = set(), {s.value, o.value}
    else:
        seeds, names = {s.value, o.value}, {p.value}
    candidate_sets = _candidates(axioms, seeds, names)
    owlrl_found = None
    try:
        owlrl_found = _first_justification(
            candidate_sets, lambda chosen: triple in run_owlrl(axioms.triples(chosen, declarations=False))[0]
        )
    except Exception:  # noqa: BLE001 -- owlrl can fail on odd input; HermiT may still explain
        owlrl_found = None
    if owlrl_found is not None:
        return Explanation(conclusion, tuple(owlrl_found), "owlrl")
    if reasoner != "hermit" or p == SUBCLASS:
        return None
    negation = _negation(triple)

    def holds(chosen: list[Axiom]) -> bool:
        return not run_hermit(declare_individuals(axioms.triples(chosen) + negation)).consistent

    found = _first_justification(candidate_sets, holds)
    return Explanation(conclusion, tuple(found), "hermit") if found is not None else None


def _negation(triple: Triple) -> list[Triple]:
    """Triples stating the opposite of a type or link assertion."""
    s, p, o = triple
    node = ox.BlankNode()
    if p == TYPE:
        return [(s, TYPE, node), (node, TYPE, ox.NamedNode(OWL + "Class")), (node, ox.NamedNode(OWL + "complementOf"), o)]
    return [
        (node, TYPE, ox.NamedNode(OWL + "NegativePropertyAssertion")),
        (node, ox.NamedNode(OWL + "sourceIndividual"), s),
        (node, ox.NamedNode(OWL + "assertionProperty"), p),
        (node, ox.NamedNode(OWL + "targetIndividual"), o),
    ]
