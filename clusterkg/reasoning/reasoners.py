"""The reasoners: HermiT (OWL 2 DL, complete, through owlready2; needs Java) and the OWL 2 RL rules (owlrl).

Both take plain pyoxigraph triples; :func:`run_owlrl` returns the closure and
the inconsistencies the rules met, :func:`run_hermit` consistency, the
unsatisfiable classes and what it adds.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, ReasonerError, one_line
from ..namespaces import OWL, RDF, RDFS, XSD
from .axioms import TYPE, Triple, is_builtin

REASONERS = ("auto", "hermit", "owlrl")


OWLRL_ERROR = "http://www.daml.org/2002/03/agents/agent-ont#error"


#: Meta-types: an IRI with one of these is a term of the vocabulary, not an individual.
VOCABULARY_TYPES = {
    OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    RDF + "Property", OWL + "Ontology", OWL + "FunctionalProperty", OWL + "InverseFunctionalProperty",
    OWL + "TransitiveProperty", OWL + "SymmetricProperty", OWL + "AsymmetricProperty", OWL + "ReflexiveProperty",
    OWL + "IrreflexiveProperty", RDFS + "Datatype", OWL + "Restriction", OWL + "AllDisjointClasses",
    OWL + "AllDifferent", OWL + "AllDisjointProperties", OWL + "NegativePropertyAssertion", RDF + "List",
}


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
    vocabulary, object_props = vocabulary_of(triples)
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


def vocabulary_of(triples: Iterable[Triple]) -> tuple[set[str], set[str]]:
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

    from ..rdfterms import to_oxigraph

    graph = rdflib.Graph()
    graph.parse(data=_ntriples(triples), format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    errors = sorted(str(o) for o in graph.objects(None, rdflib.URIRef(OWLRL_ERROR)))
    closure: set[Triple] = set()
    for s, p, o in graph:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            continue  # generalised RDF that the rules produce in passing
        subject = to_oxigraph(s)
        assert not isinstance(subject, ox.Literal)  # s is no rdflib Literal
        closure.add((subject, ox.NamedNode(str(p)), to_oxigraph(o)))
    return closure, errors


#: The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4): HermiT refuses others.
OWL2_DATATYPES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational",
    *(XSD + name for name in (
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
