"""The concepts an entry names: the paper's industries, instruments and stages, classification codes, local
vocabulary terms; and the triples that describe the codes and terms in the concepts graph.

A name is tried in this order: an IRI or CURIE as written; the paper's concepts and the vocabulary files'
terms by id or label (any case, singular or plural, with or without "industry"/"산업"); for industries
``SCHEME:CODE`` of :data:`clusterkg.linking.industries.SCHEMES` or ``SCHEME:Exact title``; an exact ISIC
Rev.4 title. A name that matches nothing is a :class:`Unresolved` with the closest candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..errors import InputError, NotFoundError
from ..inputs import read_text
from ..linking import industries as codes
from ..linking.skos import code_concepts
from ..namespaces import CODE, PREFIXES
from ..rdfterms import to_rdflib
from .model import CKG, CKG_IRI, CONCEPT_CLASSES, KnownTerms, Triple, concept_keys, expand, iri_ref

CODE_PATTERN = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\s*:\s*(\S.*)$")


class Unresolved(Exception):
    """A name that names no concept; the message lists the closest candidates."""

    def __init__(self, message_en: str, message_ko: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_ko = message_ko


@dataclass
class Vocabulary:
    """Terms of local SKOS files: kind -> key -> IRI, and the files' triples about each term."""

    terms: dict[str, dict[str, str]] = field(default_factory=dict)
    triples: dict[str, list[Triple]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def load_vocabulary(paths: list[str | Path], known: KnownTerms) -> Vocabulary:
    """Read SKOS Turtle files of extra industries or policy instruments (each term typed ckg:Industry or
    ckg:PolicyInstrument, with a label); their terms may not be the knowledge base's or the ontology's."""
    from .rdf_reader import read_triples

    vocabulary = Vocabulary()
    kinds = {CKG[name]: kind for kind, names in CONCEPT_CLASSES.items() if kind != "stage" for name in names}
    for path in paths:
        path = Path(path)
        text = read_text(path)
        triples = read_triples(path, "ttl", text)
        by_subject: dict[str, list[Triple]] = {}
        for triple in triples:
            by_subject.setdefault(str(triple[0]), []).append(triple)
        found = 0
        for subject, subject_triples in by_subject.items():
            kind = next((kinds[o] for _, p, o in subject_triples if p == RDF.type and o in kinds), None)
            if kind is None:
                continue
            if subject in known.shipped or subject.startswith((CKG_IRI, CODE)):
                raise InputError(f"{path}: <{subject}> is a term of the knowledge base; a vocabulary file "
                                 f"declares terms of its own")
            names = [str(o) for _, p, o in subject_triples if p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel)]
            if not names:
                raise InputError(f"{path}: the term <{subject}> needs a skos:prefLabel or rdfs:label")
            local = re.split(r"[/#]", subject)[-1]
            for name in [*names, local]:
                for key in concept_keys(name):
                    vocabulary.terms.setdefault(kind, {}).setdefault(key, subject)
            vocabulary.triples[subject] = [t for t in subject_triples]
            found += 1
        if not found:
            raise InputError(f"{path}: no term typed ckg:Industry or ckg:PolicyInstrument")
        vocabulary.files.append(str(path))
    return vocabulary


class Terms:
    """Resolves the names entries give to concepts."""

    def __init__(self, known: KnownTerms, vocabulary: Vocabulary | None = None) -> None:
        self.known = known
        self.vocabulary = vocabulary or Vocabulary()
        #: names resolved so far (entries name the same few concepts again and again)
        self._resolved: dict[tuple[str, str], tuple[URIRef, dict[str, Sequence[Triple]]]] = {}

    def resolve(self, kind: str, text: str) -> tuple[URIRef, dict[str, Sequence[Triple]]]:
        """The IRI of a concept, and triples that describe it (for codes and vocabulary terms); the triples
        are shared between the entries that name the concept, and not to be changed."""
        found = self._resolved.get((kind, text))
        if found is None:
            found = self._resolved[(kind, text)] = self._resolve(kind, text)
        return found

    def _resolve(self, kind: str, text: str) -> tuple[URIRef, dict[str, Sequence[Triple]]]:
        head = CODE_PATTERN.match(text)
        if re.match(r"^https?://", text) or (head and head.group(1) in PREFIXES):
            iri = expand(text, "")
            return iri_ref(iri), {iri: self.vocabulary.triples[iri]} if iri in self.vocabulary.triples else {}
        for key in concept_keys(text):
            for table in (self.known.concepts.get(kind, {}), self.vocabulary.terms.get(kind, {})):
                if key in table:
                    iri = table[key]
                    return iri_ref(iri), {iri: self.vocabulary.triples[iri]} if iri in self.vocabulary.triples else {}
        if kind == "industry":
            code = self._industry_code(text, head)
            return iri_ref(code.iri), concept_triples(code)
        raise self._unknown(kind, text)

    def _industry_code(self, text: str, head: re.Match[str] | None) -> codes.IndustryCode:
        if head and head.group(1).upper() in codes.SCHEMES:
            scheme, value = head.group(1).upper(), head.group(2).strip()
            try:
                return codes.industry_code(scheme, value.upper() if value.isalpha() and len(value) == 1 else value)
            except NotFoundError:
                pass
            titled = codes.by_title(value, scheme)
            if titled is not None:
                return titled
            if re.match(r"^[A-Za-z]?[0-9.\-]*[A-Za-z]?$", value):
                message = codes.unknown_code_message(scheme, value)
                raise Unresolved(message, f"{scheme}에 없는 코드입니다: {message}")
            raise self._unknown("industry", value, scheme)
        if head and not re.search(r"\s", head.group(1)) and head.group(1).upper() not in codes.SCHEMES \
                and re.match(r"^[A-Za-z0-9.]+$", head.group(2)):
            message = f"unknown classification {head.group(1)!r}; choose one of {', '.join(codes.SCHEMES)}"
            raise Unresolved(message, f"알 수 없는 분류체계 {head.group(1)!r}입니다. 다음 중에서 고르십시오: "
                             f"{', '.join(codes.SCHEMES)}")
        titled = codes.by_title(text)
        if titled is not None:
            return titled
        raise self._unknown("industry", text)

    def _unknown(self, kind: str, text: str, scheme: str | None = None) -> Unresolved:
        import difflib

        tables = (self.known.concepts.get(kind, {}), self.vocabulary.terms.get(kind, {}))
        keys = {k: iri for table in tables for k, iri in table.items()}
        names = sorted({re.split(r"[/#]", iri)[-1].removeprefix(f"{kind}-") for iri in keys.values()})
        close = difflib.get_close_matches(concept_keys(text)[0], sorted(keys), n=3, cutoff=0.6)
        shown = list(dict.fromkeys(repr(re.split(r"[/#]", keys[c])[-1].removeprefix(f"{kind}-")) for c in close))
        if kind == "industry":
            shown += [f"{c.name} {c.title}" for c in codes.closest_titles(text, scheme or "ISIC4")]
        what = {"industry": "industry", "instrument": "policy instrument", "stage": "life-cycle stage"}[kind]
        where = f" among the {scheme} titles" if scheme else ""
        hint = f"; closest: {', '.join(shown)}" if shown else f"; known: {', '.join(names)}"
        if kind == "industry":
            hint += " (write a code as SCHEME:CODE, e.g. ISIC4:13)"
        return Unresolved(f"no {what} is called {text!r}{where}{hint}",
                          f"{text!r}이라는 {'산업' if kind == 'industry' else '정책수단' if kind == 'instrument' else '단계'}"
                          f"이 없습니다{hint}")


def concept_triples(code: codes.IndustryCode) -> dict[str, Sequence[Triple]]:
    """A code as a SKOS concept in its scheme, with its ISIC Rev.4 correspondence and division, and those ISIC
    concepts (:func:`clusterkg.linking.skos.code_concepts`), as rdflib triples by subject."""
    return dict(_concept_triples(code.scheme, code.code))


@lru_cache(maxsize=4096)
def _concept_triples(scheme: str, value: str) -> tuple[tuple[str, tuple[Triple, ...]], ...]:
    return tuple((iri, tuple(tuple(to_rdflib(term) for term in triple) for triple in triples))
                 for iri, triples in code_concepts(scheme, value))


def release_tables() -> None:
    """Drop the codes' triples kept for the run."""
    _concept_triples.cache_clear()
