"""Case entries: YAML, CSV, Turtle and JSON-LD files turned into RDF.

A researcher describes a cluster in a friendly format; this module turns each
file into :class:`Entry` objects (one per case), each with its triples and a
source map from triples back to the file's lines (YAML, Turtle, JSON-LD) or
rows (CSV), so that a validation report can say where to fix things.

The mapping from entry fields to RDF is one table, :data:`FIELDS`; the
documentation (``docs/entry-format.md``) describes the same table.
Unusable input (a parse error, an unknown field, a missing file, a bad or
duplicate id) raises :class:`~clusterkg.errors.InputError` with the file,
line and column. Values of the wrong type are converted anyway (for example
an ill-typed ``xsd:integer`` literal) so that the shapes report them.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import io
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .errors import InputError
from .namespaces import CKG as CKG_IRI
from .namespaces import CKI as CKI_IRI
from .namespaces import PREFIXES

CKG = Namespace(CKG_IRI)
CKI = Namespace(CKI_IRI)
SCHEMA = Namespace("https://schema.org/")
WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"

#: Prefix of the IRIs of cases given by an ``id`` (``cki:cluster-<id>``).
CASE_PREFIX = CKI_IRI + "cluster-"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Triple = tuple[Any, Any, Any]


@dataclass(frozen=True)
class Field:
    """One field of an entry and the RDF it becomes."""

    name: str  # YAML key and CSV column
    predicate: str  # the property it sets on the case (or on a source node)
    kind: str  # how the value is converted, see ``_convert_value``
    label: str  # what it is, in words
    example: str  # an example value, as written in YAML
    many: bool = False  # a list in YAML, ';'-separated in CSV
    required: bool = False  # checked by the shapes, listed here for the docs and templates
    prefix: str = ""  # for concept fields: IRI prefix that a short name is appended to


#: The field -> RDF mapping, the single source of truth (see docs/entry-format.md).
FIELDS: tuple[Field, ...] = (
    Field("id", "", "id", "short id: lower-case letters, digits, hyphens (default: from name_en)",
          "pangyo-techno-valley"),
    Field("name_ko", str(RDFS.label), "label-ko", "name in Korean (@ko)", "판교테크노밸리", required=True),
    Field("name_en", str(RDFS.label), "label-en", "name in English (@en)", "Pangyo Techno Valley",
          required=True),
    Field("type", str(RDF.type), "cluster-type",
          "cluster type: industrial, high-tech, mature or bio (ckg:IndustrialCluster, ckg:HighTechCluster, ckg:MatureIndustrialCluster, ckg:BioCluster)", "high-tech"),
    Field("country", CKG_IRI + "countryCode", "string", "ISO 3166-1 alpha-2 country code", "KR",
          required=True),
    Field("region", CKG_IRI + "locatedIn", "region", "region or province: a known place (by name or IRI) or a new ckg:Region", "경기도"),
    Field("city", CKG_IRI + "locatedIn", "city", "city: a known place (by name or IRI) or a new ckg:City", "성남시"),
    Field("industries", CKG_IRI + "hasIndustry", "concept", "industries present (ckg:Industry)",
          "[it, bio]", many=True, prefix=CKI_IRI + "industry-"),
    Field("main_industries", CKG_IRI + "hasMainIndustry", "concept", "main industries (ckg:Industry)", "[it]",
          many=True, prefix=CKI_IRI + "industry-"),
    Field("stage", CKG_IRI + "lifeCycleStage", "concept", "life-cycle stage (ckg:LifeCycleStage)", "growth",
          prefix=CKI_IRI + "stage-"),
    Field("start_year", CKG_IRI + "startYear", "integer", "year the cluster began to form (xsd:integer, not in the future)",
          "2005"),
    Field("firms", CKG_IRI + "numberOfFirms", "count", "number of firms (xsd:nonNegativeInteger)",
          "1300"),
    Field("anchor_organisations", CKG_IRI + "anchorOrganisation", "organisation",
          "anchor firms or institutions: known ones by name or IRI, else a new ckg:Organisation", "[Korea Institute of Science and Technology]",
          many=True),
    Field("instruments", CKG_IRI + "appliesInstrument", "concept",
          "policy instruments applied (ckg:PolicyInstrument)", "[financial-support]",
          many=True, prefix=CKI_IRI + "instrument-"),
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
            ".jsonld": "jsonld", ".json": "jsonld"}


@dataclass(frozen=True)
class Location:
    """Where something was written: a line (YAML, Turtle, JSON-LD) or a row (CSV)."""

    file: str
    line: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f":{self.line}" if self.line else (f": row {self.row}" if self.row else "")
        return f"{self.file}{where}"


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
        s, p, o = triple
        self.where.setdefault((s, p, o), location)
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


@dataclass
class KnownTerms:
    """Places and organisations of the knowledge base, found by label, to link to rather than duplicate."""

    places: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, graph: Graph) -> "KnownTerms":
        terms = cls()
        place_classes = {CKG.Place, CKG.Country, CKG.Region, CKG.City, CKG.District, CKG.IndustrialRegion,
                         CKG.PlannedDistrict, CKG.MatureIndustrialArea}
        org_classes = {CKG.Organisation, CKG.Firm, CKG.ResearchInstitute, CKG.University, CKG.Government,
                       CKG.CulturalInstitution, CKG.Plant}
        for subject, cls_ in graph.subject_objects(RDF.type):
            table = terms.places if cls_ in place_classes else terms.organisations if cls_ in org_classes else None
            if table is None or not isinstance(subject, URIRef):
                continue
            for label in graph.objects(subject, RDFS.label):
                table.setdefault(_fold(str(label)), str(subject))
        return terms


def new_graph() -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def slugify(text: str) -> str:
    """A readable IRI segment: letters (any script) and digits joined by hyphens."""
    return "-".join(re.findall(r"\w+", text.casefold())).replace("_", "-")


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The entry format of a file, from ``fmt`` or its suffix."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown entry format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"{path}: cannot tell the format from the suffix {path.suffix or '(none)'!r}; "
            f"use .yaml, .csv, .ttl or .jsonld"
        ) from None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


def load(path: str | Path, fmt: str | None = None, known: KnownTerms | None = None,
         closure: dict[str, set[str]] | None = None) -> EntryFile:
    """Read one entry file and convert it to RDF.

    ``known`` links places and organisations to the knowledge base's; ``closure``
    (class -> superclasses) lets Turtle and JSON-LD cases use any cluster subclass.
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    known = known or KnownTerms()
    if fmt == "yaml":
        return _Converter(str(path), "yaml", known).from_yaml(text)
    if fmt == "csv":
        return _Converter(str(path), "csv", known).from_csv(text)
    return load_rdf(path, fmt, text, closure)


def load_all(paths: Iterable[str | Path], fmt: str | None = None, known: KnownTerms | None = None,
             closure: dict[str, set[str]] | None = None) -> list[EntryFile]:
    """Read several files; an id used twice, in one file or across files, is an error."""
    files = [load(p, fmt, known, closure) for p in paths]
    seen: dict[str, Location] = {}
    for entry_file in files:
        for entry in entry_file.entries:
            if entry.iri in seen:
                raise InputError(f"{entry.location}: the case <{entry.iri}> is already given at {seen[entry.iri]}")
            seen[entry.iri] = entry.location
    return files


# --------------------------------------------------------------------------
# YAML and CSV
# --------------------------------------------------------------------------


class _Converter:
    """Turns field -> value mappings (from YAML or CSV) into entries."""

    def __init__(self, path: str, fmt: str, known: KnownTerms) -> None:
        self.path = path
        self.fmt = fmt
        self.known = known
        self.result = EntryFile(path, fmt)
        self.ids: dict[str, Location] = {}
        self.constructor = yaml.constructor.SafeConstructor()  # builds scalar values of composed YAML nodes

    def loc(self, line: int, name: str | None = None) -> Location:
        if self.fmt == "csv":
            return Location(self.path, row=line, field=name)
        return Location(self.path, line=line, field=name)

    # -- YAML ---------------------------------------------------------------

    def from_yaml(self, text: str) -> EntryFile:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when available: same marks, faster
        try:
            documents = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    documents.append(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
            raise InputError(f"{self.path}{where}: YAML syntax error: {exc.problem or exc.context}") from None
        finally:
            loader.dispose()
        items: list[yaml.Node] = []
        for node in documents:
            if isinstance(node, yaml.MappingNode) and any(k.value == "cases" for k, _ in node.value):
                if len(node.value) != 1:
                    extra = [k.value for k, _ in node.value if k.value != "cases"]
                    raise InputError(f"{self.path}:{node.start_mark.line + 1}: unknown top-level key(s) {extra}")
                node = node.value[0][1]
            if isinstance(node, yaml.SequenceNode):
                items.extend(node.value)
            else:
                items.append(node)
        if not items:
            raise InputError(f"{self.path}: the file holds no case")
        for item in items:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                raise InputError(f"{self.path}:{line}: a case must be a mapping of fields (name_en: ..., ...)")
            fields: dict[str, tuple[Any, int]] = {}
            for key_node, value_node in item.value:
                key_line = key_node.start_mark.line + 1
                key = str(key_node.value)
                if key in fields:
                    raise InputError(f"{self.path}:{key_line}: the field {key!r} is given twice")
                fields[key] = (self._yaml_value(value_node, key), key_line)
            self.convert(fields, line)
        return self.result

    def _yaml_value(self, node: yaml.Node, key: str) -> Any:
        """A plain Python value, with the line of each list item kept."""
        if isinstance(node, yaml.SequenceNode):
            return [(self._yaml_value(n, key), n.start_mark.line + 1) for n in node.value]
        if isinstance(node, yaml.MappingNode):
            return {str(k.value): (self._yaml_value(v, key), k.start_mark.line + 1) for k, v in node.value}
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            raise InputError(f"{self.path}:{mark.line + 1}:{mark.column + 1}: field {key!r}: {exc.problem}") from None

    # -- CSV ----------------------------------------------------------------

    def from_csv(self, text: str) -> EntryFile:
        try:
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect, strict=True)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise InputError(f"{self.path}: row 1: CSV error: {exc}") from None
        header = [h.strip() for h in header]
        unknown = [h for h in header if h not in CSV_COLUMNS]
        if unknown:
            raise InputError(f"{self.path}: row 1: {self._unknown_message(unknown[0], CSV_COLUMNS)}")
        duplicates = {h for h in header if header.count(h) > 1}
        if duplicates:
            raise InputError(f"{self.path}: row 1: the column {sorted(duplicates)[0]!r} is given twice")
        start = reader.line_num + 1
        rows = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(f"{self.path}: row {start}: CSV error: {exc}") from None
            row, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise InputError(f"{self.path}: row {row}: {len(cells)} cells but the header has {len(header)} columns")
            values = {h: c.strip() for h, c in zip(header, cells) if c.strip()}
            fields: dict[str, tuple[Any, int]] = {}
            source: dict[str, tuple[Any, int]] = {}
            for name, value in values.items():
                if name.startswith("source_"):
                    source[name[len("source_"):]] = (value, row)
                elif FIELD_BY_NAME[name].many:
                    fields[name] = ([(v.strip(), row) for v in value.split(";") if v.strip()], row)
                else:
                    fields[name] = (value, row)
            if source:
                fields["source"] = (source, row)
            self.convert(fields, row)
            rows += 1
        if not rows:
            raise InputError(f"{self.path}: the file has a header but no case rows")
        return self.result

    # -- the mapping ----------------------------------------------------------

    def _unknown_message(self, name: str, choices: Iterable[str]) -> str:
        close = difflib.get_close_matches(name, list(choices), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {name!r}{hint}; known fields: {', '.join(choices)}"

    def convert(self, fields: dict[str, tuple[Any, int]], line: int) -> None:
        for name, (_, key_line) in fields.items():
            if name not in FIELD_BY_NAME:
                raise InputError(f"{self.path}:{key_line}: {self._unknown_message(name, FIELD_BY_NAME)}"
                                 if self.fmt == "yaml" else f"{self.path}: row {key_line}: unknown field {name!r}")
        case_id = self._case_id(fields, line)
        iri = URIRef(CASE_PREFIX + case_id)
        entry = Entry(str(iri), self.loc(line))
        entry.where[(iri,)] = self.loc(line)
        # every case is an industrial cluster; ``type`` may name a more specific class
        entry.add((iri, RDF.type, CKG.IndustrialCluster), self.loc(fields.get("type", (None, line))[1], "type"))
        for name, (value, key_line) in fields.items():
            spec = FIELD_BY_NAME[name]
            if spec.kind == "id":
                continue
            values = value if isinstance(value, list) else [(value, key_line)]
            for number, (item, item_line) in enumerate(values, start=1):
                self._convert_value(entry, iri, spec, item, item_line, number)
        self.result.entries.append(entry)

    def _case_id(self, fields: dict[str, tuple[Any, int]], line: int) -> str:
        if "id" in fields:
            value, key_line = fields["id"]
            case_id = str(value).strip() if not isinstance(value, (list, dict)) else ""
            if not ID_PATTERN.match(case_id):
                raise InputError(
                    f"{self._where(key_line)}: id {value!r} must be lower-case letters, digits and single hyphens "
                    f"(for example pangyo-techno-valley)"
                )
        else:
            name = fields.get("name_en") or fields.get("name_ko")
            case_id = slugify(str(name[0])) if name and isinstance(name[0], (str, int)) else ""
            if not case_id:
                case_id = f"{slugify(Path(self.path).stem) or 'case'}-{line}"
            key_line = line
        if case_id in self.ids:
            raise InputError(f"{self._where(key_line)}: the id {case_id!r} is already used at {self.ids[case_id]}")
        self.ids[case_id] = self.loc(key_line)
        return case_id

    def _where(self, line: int) -> str:
        return f"{self.path}: row {line}" if self.fmt == "csv" else f"{self.path}:{line}"

    def _scalar(self, spec: Field, value: Any, line: int) -> str:
        if isinstance(value, (dict, list)):
            what = "a mapping" if isinstance(value, dict) else "a nested list"
            raise InputError(f"{self._where(line)}: field {spec.name!r} expects a single value, not {what}")
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).strip()

    def _convert_value(self, entry: Entry, iri: URIRef, spec: Field, value: Any, line: int, number: int) -> None:
        loc = self.loc(line, spec.name)
        predicate = _iri(spec.predicate)
        if spec.kind == "source":
            self._convert_source(entry, iri, value, line, number)
            return
        text = self._scalar(spec, value, line)
        if not text:
            return  # an empty value is the same as a missing one: the shapes say if it is required
        kind = spec.kind
        if kind in {"label-ko", "label-en"}:
            obj: Any = Literal(text, lang=kind[-2:])
        elif kind in {"string", "text"}:
            obj = Literal(text)
        elif kind == "cluster-type":
            obj = _iri(CLUSTER_TYPES.get(text) or _expand(text, CKG_IRI))
        elif kind == "concept":
            obj = _iri(_expand(text, spec.prefix))
        elif kind == "integer":
            obj = Literal(text, datatype=XSD.integer)
        elif kind == "count":
            obj = Literal(text, datatype=XSD.nonNegativeInteger)
        elif kind in LINKED_CLASSES:
            obj = self._linked(entry, text, kind, loc)
        elif kind == "wikidata":
            obj = URIRef(wikidata_iri(text))
        elif kind == "geonames":
            obj = URIRef(geonames_iri(text))
        else:  # pragma: no cover - FIELDS only uses the kinds above
            raise AssertionError(kind)
        entry.add((iri, predicate, obj), loc)

    def _linked(self, entry: Entry, text: str, kind: str, loc: Location) -> URIRef:
        """A place or organisation: an IRI, a known one by label, or a new node labelled ``text``."""
        if _looks_like_iri(text):
            return URIRef(_expand(text, CKI_IRI))
        table = self.known.organisations if kind == "organisation" else self.known.places
        known = table.get(_fold(text))
        if known:
            return _iri(known)
        prefix = "org" if kind == "organisation" else "place"
        node = _iri(f"{CKI_IRI}{prefix}-{slugify(text)}")
        entry.add((node, RDF.type, _iri(LINKED_CLASSES[kind])), loc)
        entry.add((node, RDFS.label, Literal(text, lang=_language(text))), loc)
        return node

    def _convert_source(self, entry: Entry, iri: URIRef, value: Any, line: int, number: int) -> None:
        if isinstance(value, list):
            raise InputError(f"{self._where(line)}: field 'source' expects a citation or a mapping, not a nested list")
        parts = value if isinstance(value, dict) else {"citation": (value, line)}
        node = URIRef(f"{iri}/source-{number}")
        entry.add((iri, DCTERMS.source, node), self.loc(line, "source"))
        entry.add((node, RDF.type, DCTERMS.BibliographicResource), self.loc(line, "source"))
        for key, (part, part_line) in parts.items():
            if key not in SOURCE_FIELDS:
                raise InputError(f"{self._where(part_line)}: {self._unknown_message(key, SOURCE_FIELDS)} (in 'source')")
            text = self._scalar(FIELD_BY_NAME["source"], part, part_line)
            if not text:
                continue
            loc = self.loc(part_line, f"source.{key}")
            predicate = _iri(SOURCE_FIELDS[key][0])
            if key == "url":
                obj: Any = URIRef(text) if _is_web_iri(text) else Literal(text)
            else:
                obj = Literal(text)
            entry.add((node, predicate, obj), loc)


@functools.lru_cache(maxsize=4096)
def _iri(text: str) -> URIRef:
    """A URIRef, made once per distinct IRI (rdflib checks every IRI it makes)."""
    return URIRef(text)


def _language(text: str) -> str:
    return "ko" if re.search(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]", text) else "en"


def _looks_like_iri(text: str) -> bool:
    return bool(re.match(r"^(https?://\S+|[a-z][a-z0-9]*:[^\s/]\S*)$", text))


def _is_web_iri(text: str) -> bool:
    return bool(re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text))


def _expand(text: str, prefix: str) -> str:
    """A full IRI from a short name (appended to ``prefix``), a CURIE (``ckg:X``) or an IRI."""
    if re.match(r"^https?://", text):
        return _safe_iri(text)
    head, sep, tail = text.partition(":")
    if sep and head in PREFIXES:
        return PREFIXES[head] + _safe_iri(tail)
    return prefix + _safe_iri(text.strip())


def _safe_iri(text: str) -> str:
    return urllib.parse.quote(text, safe=":/?#[]@!$&'()*+,;=%~-._")


def wikidata_iri(text: str) -> str:
    """The entity IRI of a Wikidata id given as Q42, wd:Q42 or a Wikidata URL; else a best effort."""
    match = re.match(r"^(?:wd:|https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q\d+)$", text.strip(), re.I)
    if match:
        return WIKIDATA + match.group(1).upper()
    return text if text.startswith(WIKIDATA) else WIKIDATA + _safe_iri(text.strip())


def geonames_iri(text: str) -> str:
    """The IRI of a GeoNames id given as a number or a GeoNames URL; else a best effort."""
    match = re.match(r"^(?:gn:|https?://(?:sws\.|www\.)?geonames\.org/)?(\d+)(?:/.*)?$", text.strip())
    if match:
        return f"{GEONAMES}{match.group(1)}/"
    return text if text.startswith(GEONAMES) else f"{GEONAMES}{_safe_iri(text.strip())}/"


# --------------------------------------------------------------------------
# Turtle and JSON-LD
# --------------------------------------------------------------------------

_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported RDF term {term!r}")


def to_oxigraph(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise InputError(f"unsupported RDF term {term!r}")


def parse_rdf(path: Path, fmt: str, text: str | None = None, base_iri: str | None = None,
              raw: bool = False, prefixes: dict[str, str] | None = None) -> list[Any]:
    """Parse Turtle or JSON-LD into rdflib triples (pyoxigraph quads if ``raw``); errors carry the line and column.

    ``prefixes``, if given, receives the prefixes the file declares.
    """
    data = (text if text is not None else read_text(path)).encode()
    base = base_iri or path.resolve().as_uri()
    try:
        parser = ox.parse(data, format=_OX_FORMATS[fmt], base_iri=base)
        quads = list(parser)
        if prefixes is not None:
            prefixes.update(parser.prefixes)
        if raw:
            return quads
        triples = []
        for quad in quads:
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                raise InputError(f"{path}: named graphs are not supported in a case file")
            triples.append((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return triples
    except SyntaxError as exc:
        where = f":{exc.lineno}:{exc.offset}" if exc.lineno else ""
        message = re.sub(r"^Parser error [^:]*: ", "", exc.msg or str(exc))
        name = "Turtle" if fmt == "ttl" else "JSON-LD"
        raise InputError(f"{path}{where}: {name} syntax error: {' '.join(message.split())}") from None


def load_rdf(path: Path, fmt: str, text: str, closure: dict[str, set[str]] | None = None) -> EntryFile:
    """An RDF file as entries: each cluster with its blank nodes and the nodes only it links to."""
    result = EntryFile(str(path), fmt)
    triples = parse_rdf(path, fmt, text, prefixes=result.prefixes)
    if not triples:
        raise InputError(f"{path}: the file holds no triples")
    lines = _first_lines(text, fmt)
    by_subject: dict[Any, list[Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple[0], []).append(triple)
    cluster_classes = _cluster_classes(closure)
    cases = [s for s, ts in by_subject.items() if isinstance(s, URIRef)
             and any(p == RDF.type and str(o) in cluster_classes for _, p, o in ts)]
    owner: dict[Any, list[Entry]] = {}
    for case in cases:
        line = lines.get(str(case))
        entry = Entry(str(case), Location(str(path), line=line))
        todo, seen = [case], {case}
        while todo:
            node = todo.pop()
            owner.setdefault(node, []).append(entry)
            for triple in by_subject.get(node, ()):
                entry.add(triple, Location(str(path), line=lines.get(str(node)) or line))
                obj = triple[2]
                if obj in by_subject and obj not in seen and obj not in cases:
                    seen.add(obj)
                    todo.append(obj)
        result.entries.append(entry)
    for subject, subject_triples in by_subject.items():
        if subject in owner:
            continue
        loc = Location(str(path), line=lines.get(str(subject)))
        for triple in subject_triples:
            result.loose.append(triple)
            result.loose_where.setdefault((subject,), loc)
    return result


def _cluster_classes(closure: dict[str, set[str]] | None) -> set[str]:
    classes = set(CLUSTER_TYPES.values())
    if closure:
        classes |= {c for c, supers in closure.items() if CKG_IRI + "IndustrialCluster" in supers}
    return classes


def _first_lines(text: str, fmt: str) -> dict[str, int]:
    """The first line where each IRI is written, in full or as a prefixed name."""
    prefixes = dict(PREFIXES)
    if fmt == "ttl":
        for match in re.finditer(r"(?im)^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", text):
            prefixes[match.group(1)] = match.group(2)
    else:
        for match in re.finditer(r'"([\w.-]+)"\s*:\s*"(https?://[^"]*)"', text):
            prefixes[match.group(1)] = match.group(2)
    found: dict[str, int] = {}
    if fmt == "jsonld":  # "@id": "https://..." or "@id": "prefix:local"
        iri_pattern = re.compile(r"(?!)()|\"(https?://[^\"\s]*)\"|\"([A-Za-z][\w.-]*):([^\"\s/][^\"\s]*)\"")
    else:
        iri_pattern = re.compile(r"<([^>\s]*)>|\"(https?://[^\"\s]*)\"|(?<![\w<\"])([A-Za-z][\w.-]*|):([\w.-]*[\w-])")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.lower().startswith(("@prefix", "prefix", "@base", "base")):
            continue
        for match in iri_pattern.finditer(line):
            if match.group(1) is not None or match.group(2) is not None:
                iri = match.group(1) or match.group(2)
            else:
                namespace = prefixes.get(match.group(3))
                if namespace is None:
                    continue
                iri = namespace + match.group(4)
            found.setdefault(iri, number)
    return found


def iter_case_iris(files: Iterable[EntryFile]) -> Iterator[str]:
    for entry_file in files:
        for entry in entry_file.entries:
            yield entry.iri


def case_slug(iri: str) -> str:
    """The name of a case's graph: its id for cki: IRIs, a digest of the IRI otherwise."""
    if iri.startswith(CKI_IRI) and re.match(r"^[\w.-]+$", iri[len(CKI_IRI):]):
        return iri[len(CKI_IRI):]
    return "iri-" + hashlib.sha256(iri.encode()).hexdigest()[:20]


# --------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------


def _pick(concepts: dict[str, list[str]], kind: str, wanted: list[str]) -> list[str]:
    known = concepts.get(kind, [])
    return [name for name in wanted if name in known] or known[:1]


def template(fmt: str = "yaml", concepts: dict[str, list[str]] | None = None) -> str:
    """A commented template for a new case, listing the allowed values that the ontology knows."""
    concepts = concepts or {}
    industries = _pick(concepts, "industry", ["it", "semiconductor"])
    instruments = _pick(concepts, "instrument", ["ict-infrastructure", "human-resource-support"])
    if fmt == "csv":
        example = {
            "id": "pangyo-techno-valley", "name_ko": "판교테크노밸리", "name_en": "Pangyo Techno Valley",
            "type": "high-tech", "country": "KR", "region": "경기도", "city": "성남시",
            "industries": ";".join(industries), "main_industries": ";".join(industries[:1]),
            "stage": "growth", "start_year": "2005", "firms": "1300", "anchor_organisations": "",
            "instruments": ";".join(instruments), "wikidata": "", "geonames": "",
            "comment": "", "source_citation": "Author, Title, Publisher, Year", "source_url": "https://example.org/report",
            "source_page": "12",
        }
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerow([example.get(c, "") for c in CSV_COLUMNS])
        return out.getvalue()
    if fmt != "yaml":
        raise InputError(f"no template for {fmt!r}; choose yaml or csv")
    lines = [
        "# A new cluster case for clusterkg. Fill it in, then run:",
        "#   clusterkg validate this-file.yaml     (what to fix, with line numbers)",
        "#   clusterkg add this-file.yaml          (adds it to the store)",
        "# One file may hold several cases: a list of mappings like the one below.",
        "# Fields marked (required) must be given; see docs/entry-format.md for the RDF they become.",
        "",
    ]
    allowed = {
        "type": ", ".join(CLUSTER_TYPES),
        "industries": ", ".join(concepts.get("industry", [])),
        "main_industries": "one or more of the industries",
        "stage": ", ".join(concepts.get("stage", [])),
        "instruments": ", ".join(concepts.get("instrument", [])),
    }
    body = [
        ("id", "pangyo-techno-valley"),
        ("name_ko", "판교테크노밸리"),
        ("name_en", "Pangyo Techno Valley"),
        ("type", "high-tech"),
        ("country", "KR"),
        ("region", "경기도"),
        ("city", "성남시"),
        ("industries", "[" + ", ".join(industries) + "]"),
        ("main_industries", "[" + ", ".join(industries[:1]) + "]"),
        ("stage", "growth"),
        ("start_year", "2005"),
        ("firms", "1300"),
        ("anchor_organisations", "[]"),
        ("instruments", "[" + ", ".join(instruments) + "]"),
        ("wikidata", "# Q…  (optional; only an id you have checked)"),
        ("geonames", "# a number (optional; only an id you have checked)"),
    ]
    first = True
    for name, value in body:
        spec = FIELD_BY_NAME[name]
        note = f"  # {spec.label}{' (required)' if spec.required else ''}"
        if name in allowed and allowed[name]:
            note += f"; one of: {allowed[name]}"
        indent = "- " if first else "  "
        first = False
        if value.startswith("#"):
            lines.append(f"{indent}# {name}: {value[2:]}")
            continue
        lines.append(f"{indent}{name}: {value}{note}")
    lines += [
        "  source:  # where the case comes from (required): citation text, and a URL and page if any",
        "    citation: \"Author, Title, Publisher, Year\"",
        "    url: https://example.org/report",
        "    page: 12",
        "",
    ]
    return "\n".join(lines)


def field_table() -> str:
    """The field -> RDF mapping as a Markdown table (docs/entry-format.md holds this table verbatim)."""
    rows = ["| field | RDF | what it is | example |", "|---|---|---|---|"]

    def curie(iri: str) -> str:
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return {"https://schema.org/url": "schema:url", "https://schema.org/pagination": "schema:pagination"}.get(iri, iri)

    for spec in FIELDS:
        if spec.name == "source":
            for key, (predicate, label) in SOURCE_FIELDS.items():
                example = {"citation": '"Author, Title, Publisher, 2020"', "url": "https://example.org/report",
                           "page": "12-14"}[key]
                target = "dcterms:source → " + curie(predicate)
                rows.append(f"| `source.{key}` | {target} | {label}{' (required)' if key == 'citation' else ''} "
                            f"| `{example}` |")
            continue
        rdf = "the case IRI `cki:cluster-<id>`" if spec.kind == "id" else curie(spec.predicate)
        if spec.prefix:
            rdf += f" `{curie(spec.prefix)}<name>`"
        many = " (several allowed)" if spec.many else ""
        required = " (required)" if spec.required else ""
        rows.append(f"| `{spec.name}` | {rdf} | {spec.label}{required}{many} | `{spec.example}` |")
    return "\n".join(rows) + "\n"
