"""The case entry model: the fields of an entry and the RDF each becomes, and converted files.

A researcher describes a cluster in a friendly format (YAML, CSV, Turtle, JSON-LD: one reader each in this
package); each file becomes an :class:`EntryFile` of :class:`Entry` objects (one per case), each with its
triples and a source map from triples back to the file's lines (YAML, Turtle, JSON-LD) or rows (CSV), so that
a validation report can say where to fix things.

The mapping from entry fields to RDF is one table, :data:`FIELDS`; the
documentation (``docs/entry-format.md``) is generated from it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..namespaces import CKG as CKG_IRI
from ..namespaces import CKI as CKI_IRI
from ..namespaces import GEONAMES, PREFIXES, WD
from ..namespaces import SCHEMA as SCHEMA_IRI

CKG = Namespace(CKG_IRI)
CKI = Namespace(CKI_IRI)
SCHEMA = Namespace(SCHEMA_IRI)

#: Prefix of the IRIs of cases given by an ``id`` (``cki:cluster-<id>``).
CASE_PREFIX = CKI_IRI + "cluster-"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Triple = tuple[Any, Any, Any]


@dataclass(frozen=True)
class Field:
    """One field of an entry and the RDF it becomes."""

    name: str  # YAML key and CSV column
    predicate: str  # the property it sets on the case (or on a source node)
    kind: str  # how the value is converted, see ``Converter._convert_value``
    label: str  # what it is, in words
    example: str  # an example value, as written in YAML
    many: bool = False  # a list in YAML, ';'-separated in CSV
    required: bool = False  # checked by the shapes, listed here for the docs and templates
    prefix: str = ""  # for concept fields: IRI prefix that a short name is appended to
    also: tuple[str, ...] = ()  # other properties the field may set (approximate values)
    placeholder: str = ""  # what `clusterkg new-case` writes for it, to be replaced
    one_of: str = ""  # a group of fields of which at least one is required (checked by the shapes)


#: The comparison dimensions of the paper's table (section 3.1): field name -> the dimension's IRI.
DIMENSIONS = {
    "place_character": CKI_IRI + "dimension-place",
    "socio_economic": CKI_IRI + "dimension-socio-economic",
    "cultural_economic": CKI_IRI + "dimension-cultural-economic",
    "performance": CKI_IRI + "dimension-performance",
}

_CONCEPT_NOTE = ("the paper's concepts (by id or label, any case, singular or plural), SCHEME:CODE of a "
                 "classification (ISIC4:2610, KSIC10:26, NACE2:62.01, ...), an exact ISIC Rev.4 title, or a "
                 "term of a --vocabulary file")

#: The field -> RDF mapping, the single source of truth (see docs/entry-format.md).
FIELDS: tuple[Field, ...] = (
    Field("id", "", "id", "short id: lower-case letters, digits, hyphens (default: from name_en, else name_ko)",
          "pangyo-techno-valley", placeholder="<short-id>"),
    Field("name_ko", str(RDFS.label), "label-ko", "name in Korean (@ko); where it is missing, views show the English one",
          "판교테크노밸리", one_of="name", placeholder="<name in Korean>"),
    Field("name_en", str(RDFS.label), "label-en", "name in English (@en); where it is missing, views show the Korean one",
          "Pangyo Techno Valley", one_of="name", placeholder="<name in English>"),
    Field("type", str(RDF.type), "cluster-type",
          "cluster type: industrial, high-tech, mature or bio (ckg:IndustrialCluster, ckg:HighTechCluster, "
          "ckg:MatureIndustrialCluster, ckg:BioCluster)", "high-tech"),
    Field("country", CKG_IRI + "countryCode", "string", "ISO 3166-1 alpha-2 country code", "KR",
          required=True, placeholder="<two-letter ISO code, e.g. KR>"),
    Field("region", CKG_IRI + "locatedIn", "region",
          "region or province: a known place (by name or IRI) or a new ckg:Region scoped by the country", "경기도"),
    Field("city", CKG_IRI + "locatedIn", "city",
          "city: a known place (by name or IRI) or a new ckg:City scoped by country and region, looked up in "
          "GeoNames (offline)", "성남시"),
    Field("city_geonames", str(SKOS.exactMatch), "city-geonames",
          "GeoNames id of the city, to choose among several GeoNames places of that name", "1897000"),
    Field("industries", CKG_IRI + "hasIndustry", "industry", "industries present: " + _CONCEPT_NOTE,
          "[software, KSIC10:5821]", many=True, prefix=CKI_IRI + "industry-"),
    Field("main_industries", CKG_IRI + "hasMainIndustry", "industry", "main industries (as industries)",
          "[ISIC4:62]", many=True, prefix=CKI_IRI + "industry-"),
    Field("stage", CKG_IRI + "lifeCycleStage", "stage", "life-cycle stage (ckg:LifeCycleStage), by id or label",
          "growth", prefix=CKI_IRI + "stage-"),
    Field("start_year", CKG_IRI + "startYear", "year",
          "year the cluster began to form: 2005, about 2011, 1970s or 13th century (not in the future)",
          "about 2011", also=(CKG_IRI + "approximateStartYear", CKG_IRI + "startDecade", CKG_IRI + "startCentury")),
    Field("history_years", CKG_IRI + "approximateHistoryYears", "history",
          "length of the cluster's history: about 100, over 100, or centuries (for 'centuries old')",
          "centuries", also=(CKG_IRI + "minimumHistoryYears",)),
    Field("firms", CKG_IRI + "numberOfFirms", "firms", "number of firms: 1300, or about 1300",
          "about 1300", also=(CKG_IRI + "approximateNumberOfFirms",)),
    Field("anchor_organisations", CKG_IRI + "anchorOrganisation", "organisation",
          "anchor firms or institutions: known ones by name or IRI, else a new ckg:Organisation scoped by the country",
          "[Korea Institute of Science and Technology]",
          many=True),
    Field("instruments", CKG_IRI + "appliesInstrument", "instrument",
          "policy instruments applied (ckg:PolicyInstrument): the paper's, by id or label, or a --vocabulary term",
          "[ict-infrastructure]", many=True, prefix=CKI_IRI + "instrument-"),
    Field("place_character", CKG_IRI + "hasFeature", "feature",
          "comparison, place character: parts of the cell, each text (ko or en) or {ko: ..., en: ...}",
          "[an office district turned IT venture district]", many=True, prefix=DIMENSIONS["place_character"]),
    Field("socio_economic", CKG_IRI + "hasFeature", "feature", "comparison, socio-economic mechanism: parts",
          "[{ko: 신뢰와 협력, en: trust and cooperation}]", many=True, prefix=DIMENSIONS["socio_economic"]),
    Field("cultural_economic", CKG_IRI + "hasFeature", "feature", "comparison, cultural-economic mechanism: parts",
          "[a young, IT-centred image]", many=True, prefix=DIMENSIONS["cultural_economic"]),
    Field("performance", CKG_IRI + "hasFeature", "feature", "comparison, performance capacity: parts",
          "[venture capital and start-ups]", many=True, prefix=DIMENSIONS["performance"]),
    Field("wikidata", str(SKOS.exactMatch), "wikidata", "Wikidata item, Q… (http://www.wikidata.org/entity/Q…)", "Q42"),
    Field("geonames", str(SKOS.exactMatch), "geonames", "GeoNames id, a number (https://sws.geonames.org/N/)",
          "1835848"),
    Field("comment", str(RDFS.comment), "text", "free note", "Added from a field survey"),
    Field("source", str(DCTERMS.source), "source",
          "where the case comes from: a citation, or citation, url and page", "{citation: ..., url: ..., page: 12}",
          many=True, required=True),
)


FIELD_BY_NAME = {f.name: f for f in FIELDS}


#: Sub-fields of a source; in CSV they are the columns source_citation, source_url, source_page.
SOURCE_FIELDS: dict[str, tuple[str, str]] = {
    "citation": (str(DCTERMS.bibliographicCitation), "citation text"),
    "url": (str(SCHEMA.url), "web address"),
    "page": (str(SCHEMA.pagination), "page or pages"),
}


CSV_COLUMNS = [f.name for f in FIELDS if f.name != "source"] + [f"source_{k}" for k in SOURCE_FIELDS]


CLUSTER_TYPES: dict[str, str] = {
    "industrial": CKG_IRI + "IndustrialCluster",
    "high-tech": CKG_IRI + "HighTechCluster",
    "mature": CKG_IRI + "MatureIndustrialCluster",
    "bio": CKG_IRI + "BioCluster",
}


#: Classes of the nodes that a new place or organisation becomes.
LINKED_CLASSES = {"region": CKG_IRI + "Region", "city": CKG_IRI + "City", "organisation": CKG_IRI + "Organisation"}


FORMATS = ("yaml", "csv", "ttl", "jsonld")


SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".ttl": "ttl", ".turtle": "ttl",
            ".nt": "ttl", ".jsonld": "jsonld", ".json": "jsonld"}  # N-Triples is Turtle


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: a line (YAML, Turtle, JSON-LD) or a row (CSV)."""

    file: str
    line: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f":{self.line}" if self.line else (f": row {self.row}" if self.row else "")
        return f"{self.file}{where}"


@dataclass(frozen=True)
class Problem:
    """Something an entry may not say, found while reading it or against the knowledge base: a violation."""

    location: Location | None
    message_en: str
    message_ko: str
    entity: str | None = None
    field: str | None = None
    value: str | None = None
    rule: str = "entry"  # what refused it, shown as the shape: entry, confined, closed, store


@dataclass
class Entry:
    """One case: its IRI, its triples, and where each of them was written."""

    iri: str
    location: Location
    triples: list[Triple] = field(default_factory=list)
    #: (subject, predicate, object) or (subject, predicate) or (subject,) -> location
    where: dict[tuple, Location] = field(default_factory=dict)

    def add(self, triple: Triple, location: Location) -> None:
        self.triples.append(triple)
        s, p, _ = triple
        self.where.setdefault(triple, location)
        self.where.setdefault((s, p), location)
        self.where.setdefault((s,), location)


@dataclass
class EntryFile:
    """A converted file: its cases, and triples that belong to no case."""

    path: str
    format: str
    entries: list[Entry] = field(default_factory=list)
    #: triples of RDF input not connected to any case (kept for validation)
    loose: list[Triple] = field(default_factory=list)
    loose_where: dict[tuple, Location] = field(default_factory=dict)
    #: prefixes an RDF file declares
    prefixes: dict[str, str] = field(default_factory=dict)
    #: what the file may not say (placeholders, unknown industries, triples about shipped entities ...)
    problems: list[Problem] = field(default_factory=list)
    #: classification codes and vocabulary terms it names: concept IRI -> its triples (for the concepts graph)
    concepts: dict[str, Sequence[Triple]] = field(default_factory=dict)
    _index: dict[Any, Entry] | None = field(default=None, repr=False)

    def graph(self) -> Graph:
        """All triples of the file as one rdflib graph."""
        graph = new_graph()
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        for entry in self.entries:
            for triple in entry.triples:
                graph.add(triple)
        for triple in self.loose:
            graph.add(triple)
        return graph

    def locate(self, node: Any, predicate: Any = None, value: Any = None) -> Location | None:
        """The best-known location of a node, a node's property, or one of its values."""
        keys = [(node, predicate, value), (node, predicate), (node,)] if predicate is not None else [(node,)]
        entry: Entry | None
        if self._index is None:
            self._index = {}
            for entry in self.entries:
                for key in entry.where:
                    if len(key) == 1:
                        self._index.setdefault(key[0], entry)
        entry = self._index.get(node)
        if entry is not None:
            for key in keys:
                if key in entry.where:
                    return entry.where[key]
        for key in keys:
            if key in self.loose_where:
                return self.loose_where[key]
        return None


#: Place classes by the entry field that may name them.
PLACE_KINDS = {
    "region": ("Region", "IndustrialRegion", "Country"),
    "city": ("City", "District", "PlannedDistrict", "MatureIndustrialArea"),
}
_PLACE_CLASSES = ("Place", "Country", *PLACE_KINDS["region"][:2], *PLACE_KINDS["city"])
_ORG_CLASSES = ("Organisation", "Firm", "ResearchInstitute", "University", "Government", "CulturalInstitution", "Plant")
#: Concept kinds an entry names -> the classes of their terms.
CONCEPT_CLASSES = {"industry": ("Industry", "HighTechIndustry"), "instrument": ("PolicyInstrument",),
                   "stage": ("LifeCycleStage",)}
_PROPERTY_TYPES = ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")


@dataclass
class KnownTerms:
    """What entries are read against: the knowledge base's places, organisations and concepts by their names,
    the ontology's declared terms, and every IRI the shipped knowledge base describes."""

    places: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)
    #: place IRI -> its most specific class's local name (City, Region, ...)
    place_classes: dict[str, str] = field(default_factory=dict)
    #: place IRI -> the ISO 3166-1 code of the country it lies in, where the knowledge base says
    place_countries: dict[str, str] = field(default_factory=dict)
    #: kind (industry, instrument, stage) -> name key (see :func:`concept_keys`) -> IRI
    concepts: dict[str, dict[str, str]] = field(default_factory=dict)
    #: IRIs the shipped knowledge base describes (its individuals and the ontology's terms)
    shipped: set[str] = field(default_factory=set)
    properties: set[str] = field(default_factory=set)  # the ontology's ckg: properties
    classes: set[str] = field(default_factory=set)  # and classes

    @classmethod
    def from_graph(cls, graph: Graph) -> KnownTerms:
        from rdflib.namespace import OWL

        terms = cls()
        place_classes: dict[Any, str] = {CKG[name]: name for name in _PLACE_CLASSES}
        org_classes: set[Any] = {CKG[name] for name in _ORG_CLASSES}
        concept_classes: dict[Any, str] = {CKG[name]: kind for kind, names in CONCEPT_CLASSES.items() for name in names}
        located: dict[str, str] = {}
        for subject, cls_ in graph.subject_objects(RDF.type):
            if not isinstance(subject, URIRef):
                continue
            iri = str(subject)
            if cls_ in place_classes:
                table: dict[str, str] | None = terms.places
                current = terms.place_classes.get(iri)
                if current in (None, "Place"):
                    terms.place_classes[iri] = place_classes[cls_]
            else:
                table = terms.organisations if cls_ in org_classes else None
            if table is not None:
                for label in graph.objects(subject, RDFS.label):
                    table.setdefault(fold(str(label)), iri)
            if cls_ in concept_classes:
                index = terms.concepts.setdefault(concept_classes[cls_], {})
                names = [str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(subject, p)]
                prefix = f"{CKI_IRI}{concept_classes[cls_]}-"
                if iri.startswith(prefix):
                    names.append(iri[len(prefix):])
                for name in names:
                    for key in concept_keys(name):
                        index.setdefault(key, iri)
            if iri.startswith(CKG_IRI):
                if cls_ in {OWL[name] for name in _PROPERTY_TYPES} or cls_ == RDF.Property:
                    terms.properties.add(iri)
                elif cls_ in (OWL.Class, RDFS.Class):
                    terms.classes.add(iri)
        for subject in graph.subjects():
            if isinstance(subject, URIRef):
                terms.shipped.add(str(subject))
        for child, parent in graph.subject_objects(CKG.locatedIn):
            located[str(child)] = str(parent)
        countries = {iri: _country_code(graph, URIRef(iri)) for iri, name in terms.place_classes.items()
                     if name == "Country"}
        for place_iri in terms.place_classes:
            seen: set[str] = set()
            node: str = place_iri
            while node in located and node not in seen and node not in countries:
                seen.add(node)
                node = located[node]
            if countries.get(node):
                terms.place_countries[place_iri] = countries[node]
        return terms


def _country_code(graph: Graph, country: URIRef) -> str:
    """The ISO code of a country of the knowledge base, from its ckg:countryCode or its English name (pycountry)."""
    code = graph.value(country, CKG.countryCode)
    if code is not None:
        return str(code)
    from ..errors import NotFoundError
    from ..linking.geonames import country as iso_country
    for label in graph.objects(country, RDFS.label):
        try:
            return iso_country(str(label)).alpha_2
        except NotFoundError:
            continue
    return ""


def concept_keys(text: str) -> list[str]:
    """The keys a concept's name is found by: folded, with and without 'industry'/'산업', singular.

    >>> concept_keys("Semiconductor industries")
    ['semiconductor-industries', 'semiconductor-industry', 'semiconductor']
    """
    key = re.sub(r"[\s_\-·]+", "-", text.strip().casefold()).strip("-")
    forms = [key, _singular(key)]
    for suffix in ("-industry", "산업"):
        for form in list(forms):
            if form.endswith(suffix) and len(form) > len(suffix):
                forms.append(form[: -len(suffix)].rstrip("-"))
    return [f for f in dict.fromkeys(forms) if f]


def _singular(key: str) -> str:
    if key.endswith("ies") and len(key) > 4:
        return key[:-3] + "y"
    return key[:-1] if key.endswith("s") and not key.endswith("ss") and len(key) > 3 else key


def new_graph() -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def slugify(text: str) -> str:
    """A readable IRI segment: letters (any script) and digits joined by hyphens."""
    return "-".join(re.findall(r"\w+", text.casefold())).replace("_", "-")


@functools.lru_cache(maxsize=4096)
def iri_ref(text: str) -> URIRef:
    """A URIRef, made once per distinct IRI (rdflib checks every IRI it makes)."""
    return URIRef(text)


def language_of(text: str) -> str:
    return "ko" if re.search(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]", text) else "en"


def looks_like_iri(text: str) -> bool:
    return bool(re.match(r"^(https?://\S+|[a-z][a-z0-9]*:[^\s/]\S*)$", text))


def is_web_iri(text: str) -> bool:
    return bool(re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text))


def expand(text: str, prefix: str) -> str:
    """A full IRI from a short name (appended to ``prefix``), a CURIE (``ckg:X``) or an IRI."""
    if re.match(r"^https?://", text):
        return safe_iri(text)
    head, sep, tail = text.partition(":")
    if sep and head in PREFIXES:
        return PREFIXES[head] + safe_iri(tail)
    return prefix + safe_iri(text.strip())


def safe_iri(text: str) -> str:
    return urllib.parse.quote(text, safe=":/?#[]@!$&'()*+,;=%~-._")


def wikidata_iri(text: str) -> str:
    """The entity IRI of a Wikidata id given as Q42, wd:Q42 or a Wikidata URL; else a best effort."""
    match = re.match(r"^(?:wd:|https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q\d+)$", text.strip(), re.I)
    if match:
        return WD + match.group(1).upper()
    return text if text.startswith(WD) else WD + safe_iri(text.strip())


def geonames_iri(text: str) -> str:
    """The IRI of a GeoNames id given as a number or a GeoNames URL; else a best effort."""
    match = re.match(r"^(?:gn:|https?://(?:sws\.|www\.)?geonames\.org/)?(\d+)(?:/.*)?$", text.strip())
    if match:
        return f"{GEONAMES}{match.group(1)}/"
    return text if text.startswith(GEONAMES) else f"{GEONAMES}{safe_iri(text.strip())}/"


def case_slug(iri: str) -> str:
    """The name of a case's graph: its id for cki: IRIs, a digest of the IRI otherwise."""
    if iri.startswith(CKI_IRI) and re.match(r"^[\w.-]+$", iri[len(CKI_IRI):]):
        return iri[len(CKI_IRI):]
    return "iri-" + hashlib.sha256(iri.encode()).hexdigest()[:20]
