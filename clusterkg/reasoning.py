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
set of stated axioms (see :mod:`clusterkg.axioms`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .axioms import (
    OWL, RDF, RDFS, TYPE, Axiom, AxiomSet, Triple, is_builtin, justify, relevant, render, short, split_axioms,
)
from .errors import InputError, ReasonerError
from .namespaces import INFERRED_GRAPH
from .store import Store, one_line

REASONERS = ("auto", "hermit", "owlrl")

SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
SUBPROPERTY = ox.NamedNode(RDFS + "subPropertyOf")
OWLRL_ERROR = "http://www.daml.org/2002/03/agents/agent-ont#error"

#: Meta-types: an IRI with one of these is a term of the vocabulary, not an individual.
VOCABULARY_TYPES = {
    OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    RDF + "Property", OWL + "Ontology", OWL + "FunctionalProperty", OWL + "InverseFunctionalProperty",
    OWL + "TransitiveProperty", OWL + "SymmetricProperty", OWL + "AsymmetricProperty", OWL + "ReflexiveProperty",
    OWL + "IrreflexiveProperty", RDFS + "Datatype", OWL + "Restriction", OWL + "AllDisjointClasses",
    OWL + "AllDifferent", OWL + "AllDisjointProperties", OWL + "NegativePropertyAssertion", RDF + "List",
}

STATED_QUERY = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }}"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Explanation:
    """Why something holds (or why the whole is inconsistent): the stated axioms involved."""

    conclusion: str
    axioms: tuple[Axiom, ...]
    reasoner: str

    def lines(self) -> list[str]:
        return [f"{render(a)}   [{graph_label(a.graph)}]" for a in self.axioms]


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


def graph_label(graph: str) -> str:
    """A graph name without the common base, e.g. ``kb/clusterkg`` or ``case/NAME``."""
    return graph.rsplit("/graph/", 1)[-1] if "/graph/" in graph else graph


# --------------------------------------------------------------------------
# Reading the stated facts
# --------------------------------------------------------------------------


def stated_quads(store: Store) -> list[tuple[Triple, str]]:
    """Every stated triple of the store with its graph (earlier inferences left out)."""
    rows = store.query(STATED_QUERY).rows
    return [((s, p, o), g.value) for s, p, o, g in rows]  # type: ignore[misc]


def quads_from_files(paths: Iterable[Path | str]) -> list[tuple[Triple, str]]:
    """Triples of RDF files, each file standing for a graph named by its path."""
    from .filestore import rdf_format

    quads = []
    for path in map(Path, paths):
        try:
            for quad in ox.parse(path=str(path), format=rdf_format(path)):
                quads.append(((quad.subject, quad.predicate, quad.object), str(path)))
        except (OSError, SyntaxError, ValueError) as exc:
            raise InputError(f"{path}: {one_line(exc)}") from None
    return quads


# --------------------------------------------------------------------------
# Reasoners
# --------------------------------------------------------------------------


def java_available() -> bool:
    import owlready2

    return shutil.which(owlready2.JAVA_EXE) is not None


def choose_reasoner(name: str) -> tuple[str, str]:
    """The reasoner to run for ``name`` and a note when ``auto`` fell back."""
    if name not in REASONERS:
        raise InputError(f"unknown reasoner {name!r}; choose one of {', '.join(REASONERS)}")
    if name == "owlrl":
        return "owlrl", ""
    if java_available():
        return "hermit", ""
    if name == "hermit":
        raise ReasonerError(
            "HermiT needs Java, and no 'java' was found on PATH: install a Java runtime "
            "(Debian: apt-get install default-jre-headless) or use --reasoner owlrl"
        )
    return "owlrl", "Java was not found, so the OWL-RL rules were used instead of HermiT (incomplete)"


def _ntriples(triples: Iterable[Triple]) -> bytes:
    return ox.serialize([ox.Triple(*t) for t in triples], format=ox.RdfFormat.N_TRIPLES) or b""


def declare_individuals(triples: list[Triple]) -> list[Triple]:
    """Declare as owl:NamedIndividual every IRI used as one (OWL 2 DL needs it; so does owlready2)."""
    vocabulary, object_props = _vocabulary(triples)
    named = ox.NamedNode(OWL + "NamedIndividual")
    individuals: set[ox.NamedNode] = set()
    for s, p, o in triples:
        if p == TYPE and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode) and not is_builtin(o):
            individuals.add(s)
        elif p.value in object_props:
            individuals.update(x for x in (s, o) if isinstance(x, ox.NamedNode))
        elif p.value == OWL + "hasValue" and isinstance(o, ox.NamedNode):
            individuals.add(o)
    extra = [(i, TYPE, named) for i in individuals if i.value not in vocabulary and not is_builtin(i)]
    return triples + extra


def _vocabulary(triples: Iterable[Triple]) -> tuple[set[str], set[str]]:
    """IRIs declared as classes or properties, and the object properties among them."""
    vocabulary: set[str] = set()
    object_props: set[str] = set()
    for s, p, o in triples:
        if p == TYPE and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode) and o.value in VOCABULARY_TYPES:
            vocabulary.add(s.value)
            if o.value in {OWL + "ObjectProperty", OWL + "TransitiveProperty", OWL + "SymmetricProperty"}:
                object_props.add(s.value)
        elif p.value in {RDFS + "subClassOf", OWL + "equivalentClass", OWL + "disjointWith"}:
            vocabulary.update(x.value for x in (s, o) if isinstance(x, ox.NamedNode))
    return vocabulary, object_props


def run_owlrl(triples: list[Triple]) -> tuple[set[Triple], list[str]]:
    """The OWL-RL closure of the triples, and the inconsistencies it met."""
    import owlrl
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=_ntriples(triples), format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    errors = sorted(str(o) for o in graph.objects(None, rdflib.URIRef(OWLRL_ERROR)))
    closure = set()
    for s, p, o in graph:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            continue  # generalised RDF that the rules produce in passing
        closure.add((_from_rdflib(s), ox.NamedNode(str(p)), _from_rdflib(o)))
    return closure, errors


def _from_rdflib(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


XSD_NS = "http://www.w3.org/2001/XMLSchema#"
#: The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4): HermiT refuses others.
OWL2_DATATYPES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational",
    *(XSD_NS + name for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
        "byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token "
        "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()),
}


def split_by_datatype(triples: list[Triple]) -> tuple[list[Triple], list[Triple]]:
    """Triples HermiT can read, and those whose literal has a datatype outside the OWL 2 map.

    Such values (``geo:wktLiteral`` coordinates from enrichment, ``xsd:date``) take no part in
    classification; they are left out of HermiT's input rather than making it fail.
    """
    kept, left_out = [], []
    for triple in triples:
        obj = triple[2]
        if isinstance(obj, ox.Literal) and not obj.language and obj.datatype.value not in OWL2_DATATYPES:
            left_out.append(triple)
        else:
            kept.append(triple)
    return kept, left_out


@dataclass
class HermitAnswer:
    consistent: bool
    additions: set[Triple]
    unsatisfiable: list[str]


def run_hermit(triples: list[Triple]) -> HermitAnswer:
    """HermiT through owlready2 on the triples: consistency, unsatisfiable classes, additions."""
    import owlready2

    if not java_available():
        raise ReasonerError("HermiT needs Java, and no 'java' was found on PATH: install a Java runtime or use --reasoner owlrl")
    stated = set(triples)
    with tempfile.TemporaryDirectory(prefix="clusterkg-hermit-") as tmp:
        source = Path(tmp) / "input.nt"
        source.write_bytes(_ntriples(triples))
        result = Path(tmp) / "output.nt"
        world = owlready2.World()
        try:
            world.get_ontology(source.as_uri()).load(format="ntriples")
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
            unsatisfiable = sorted(
                c.iri for c in world.inconsistent_classes() if getattr(c, "iri", OWL + "Nothing") != OWL + "Nothing"
            )
            world.save(file=str(result), format="ntriples")
        except owlready2.OwlReadyInconsistentOntologyError:
            return HermitAnswer(False, set(), [])
        except owlready2.OwlReadyJavaError as exc:
            raise ReasonerError(f"HermiT failed: {_java_message(str(exc))}") from None
        except (OSError, ValueError) as exc:  # owlready2's parse errors
            raise ReasonerError(f"HermiT could not read the graph: {one_line(exc)}") from None
        finally:
            world.close()
        after = {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(result), format=ox.RdfFormat.N_TRIPLES)}
    additions = {
        t for t in after - stated
        if isinstance(t[0], ox.NamedNode) and isinstance(t[2], ox.NamedNode) and not t[0].value.startswith("http://inferrence")
        and t[0].value not in {"http://anonymous", "http://inferrences"}
    }
    return HermitAnswer(True, additions, unsatisfiable)


def _java_message(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("\tat ")]
    useful = [line for line in lines if "Exception" in line or "Error" in line] or lines
    return one_line(useful[-1] if useful else text)[:300]


# --------------------------------------------------------------------------
# From a closure to what is worth telling
# --------------------------------------------------------------------------


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
    vocabulary, object_props = _vocabulary(stated)
    everything = stated | closure

    def named(term: object) -> bool:
        return isinstance(term, ox.NamedNode) and not is_builtin(term)

    def individual(term: object) -> bool:
        return named(term) and term.value not in vocabulary  # type: ignore[union-attr]

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

    types_of: dict[ox.NamedNode, set[str]] = defaultdict(set)
    links_of: dict[tuple[ox.NamedNode, ox.NamedNode], set[str]] = defaultdict(set)
    for s, p, o in everything:
        if p == TYPE and individual(s) and named(o):
            types_of[s].add(o.value)
        elif individual(s) and isinstance(o, ox.NamedNode) and p.value in object_props:
            links_of[(s, o)].add(p.value)
    for t in entailed:
        s, p, o = t
        if p == TYPE:
            others = types_of[s] - {o.value}
            if not any(o.value in all_classes.get(c, ()) and c not in all_classes.get(o.value, ()) for c in others):
                types.append(t)
        elif p != SUBCLASS:
            others = links_of[(s, o)] - {p.value}
            if not any(p.value in all_props.get(q, ()) and q not in all_props.get(p.value, ()) for q in others):
                if not _inverse_of_stated(t, stated):
                    links.append(t)
    return _Selection(types, links, subclasses, entailed)


def _equivalences(triples: Iterable[Triple]) -> list[tuple[str, str]]:
    pairs = []
    for s, p, o in triples:
        if p.value == OWL + "equivalentClass" and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            pairs += [(s.value, o.value), (o.value, s.value)]
    return pairs


def _inverse_of_stated(triple: Triple, stated: set[Triple]) -> bool:
    """Whether a link only restates a stated link read backwards (an owl:inverseOf pair)."""
    s, p, o = triple
    inverses = {
        b if a == p else a
        for a, q, b in stated
        if q.value == OWL + "inverseOf" and p in (a, b) and isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode)
    }
    return any((o, inverse, s) in stated for inverse in inverses)


# --------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------


def reason(
    store: Store | None = None,
    *,
    reasoner: str = "auto",
    explain: bool = False,
    explain_limit: int = 10,
    quads: list[tuple[Triple, str]] | None = None,
    progress: Progress | None = None,
) -> ReasoningResult:
    """Check consistency, classify, and collect what follows from the stated facts.

    Reads ``store`` (every graph but the inferred one), or the given ``quads``.
    With ``explain``, an inconsistency is traced to the stated axioms involved,
    and so are the first ``explain_limit`` new facts (each takes seconds).
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

    say(f"running {'HermiT' if chosen == 'hermit' else 'the OWL-RL rules'} on {len(quads)} triples")
    if chosen == "hermit":
        readable, left_out = split_by_datatype(triples)
        if left_out:
            kinds = sorted({short(t[2].datatype) for t in left_out})
            result.note = (result.note + "; " if result.note else "") + (
                f"{len(left_out)} value(s) with datatypes outside OWL 2 ({', '.join(kinds)}) left out for HermiT"
            )
        answer = run_hermit(readable)
        result.consistent = answer.consistent
        result.unsatisfiable = answer.unsatisfiable
        if answer.consistent:
            say("completing with the OWL-RL rules")
            closure, result.clashes = run_owlrl(triples + sorted(answer.additions, key=str))
        else:
            closure, result.clashes = run_owlrl(triples)
    else:
        closure, result.clashes = run_owlrl(triples)
        result.consistent = not result.clashes

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


def write_inferences(store: Store, result: ReasoningResult) -> int:
    """Replace the inferred graph with the entailed facts; returns how many were written."""
    if not result.consistent:
        raise ReasonerError("the knowledge base is inconsistent: nothing was written")
    store.replace_graphs({INFERRED_GRAPH: [ox.Triple(*t) for t in result.entailed]})
    return len(result.entailed)


# --------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------


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
    sets = []
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
        seeds, names = {s.value}, {o.value}  # type: ignore[union-attr]
    elif p == SUBCLASS:
        seeds, names = set(), {s.value, o.value}  # type: ignore[union-attr]
    else:
        seeds, names = {s.value, o.value}, {p.value}  # type: ignore[union-attr]
    candidate_sets = _candidates(axioms, seeds, names)
    owlrl_found = None
    try:
        owlrl_found = _first_justification(candidate_sets, lambda chosen: triple in run_owlrl(axioms.triples(chosen, declarations=False))[0])
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
