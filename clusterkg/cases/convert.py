"""Fields given as a mapping (from YAML or CSV) turned into a case's triples, each with where it was written."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..errors import InputError
from . import places
from .model import (
    CASE_PREFIX,
    CKG,
    CKG_IRI,
    CKI_IRI,
    CLUSTER_TYPES,
    FIELD_BY_NAME,
    FIELDS,
    ID_PATTERN,
    SOURCE_FIELDS,
    Entry,
    EntryFile,
    Field,
    KnownTerms,
    Location,
    Problem,
    expand,
    geonames_iri,
    iri_ref,
    is_web_iri,
    language_of,
    looks_like_iri,
    slugify,
    wikidata_iri,
)
from .terms import Terms, Unresolved
from .values import ValueProblem, parse_firms, parse_history, parse_year

#: A value the template writes for a field to be filled in: ``<...>`` with a space inside.
PLACEHOLDER = re.compile(r"^<[^<>]*\s[^<>]*>$")


class Converter:
    """Turns field -> value mappings (from YAML or CSV) into entries."""

    def __init__(self, path: str, fmt: str, known: KnownTerms, terms: Terms | None = None) -> None:
        self.path = path
        self.fmt = fmt
        self.known = known
        self.terms = terms or Terms(known)
        self.result = EntryFile(path, fmt)
        self.ids: dict[str, Location] = {}
        self.constructor = yaml.constructor.SafeConstructor()  # builds scalar values of composed YAML nodes

    def loc(self, line: int, name: str | None = None) -> Location:
        if self.fmt == "csv":
            return Location(self.path, row=line, field=name)
        return Location(self.path, line=line, field=name)

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
        self.context = {name: self._scalar_or_none(fields.get(name)) for name in ("country", "region", "city_geonames")}
        self.region_iri: URIRef | None = None
        for spec in FIELDS:
            if spec.name not in fields or spec.kind == "id":
                continue
            value, key_line = fields[spec.name]
            values = value if isinstance(value, list) else [(value, key_line)]
            for number, (item, item_line) in enumerate(values, start=1):
                self._convert_value(entry, iri, spec, item, item_line, number)
        self.result.entries.append(entry)

    def _scalar_or_none(self, given: tuple[Any, int] | None) -> str:
        if given is None or isinstance(given[0], (list, dict)) or given[0] is None:
            return ""
        return str(given[0]).strip()

    def problem(self, entry: Entry, loc: Location, en: str, ko: str, value: str | None = None) -> None:
        self.result.problems.append(Problem(loc, en, ko, entity=entry.iri, field=loc.field, value=value))

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
        predicate = iri_ref(spec.predicate)
        if spec.kind == "source":
            self._convert_source(entry, iri, value, line, number)
            return
        if spec.kind == "feature":
            self._convert_feature(entry, iri, spec, value, line, number)
            return
        text = self._scalar(spec, value, line)
        if not text:
            return  # an empty value is the same as a missing one: the shapes say if it is required
        if PLACEHOLDER.match(text):
            self.problem(entry, loc, f"{spec.name} still holds the template's placeholder {text}: fill it in",
                         f"{spec.name}에 서식의 자리표시 {text}가 그대로 있습니다. 값을 채우십시오", text)
            return
        kind = spec.kind
        obj: Any
        if kind in {"label-ko", "label-en"}:
            obj = Literal(text, lang=kind[-2:])
        elif kind in {"string", "text"}:
            obj = Literal(text)
        elif kind == "cluster-type":
            obj = iri_ref(CLUSTER_TYPES.get(text) or expand(text, CKG_IRI))
        elif kind in {"industry", "instrument", "stage"}:
            try:
                obj, concepts = self.terms.resolve(kind, text)
            except Unresolved as exc:
                self.problem(entry, loc, exc.message_en, exc.message_ko, text)
                return
            self.result.concepts.update(concepts)
        elif kind in {"year", "firms", "history"}:
            parse = {"year": parse_year, "firms": parse_firms, "history": parse_history}[kind]
            try:
                predicate, obj = parse(text)
            except ValueProblem as exc:
                self.problem(entry, loc, exc.message_en, exc.message_ko, text)
                return
        elif kind in {"region", "city", "organisation"}:
            try:
                obj = self._linked(entry, iri, text, kind, loc)
            except places.PlaceProblem as exc:
                self.problem(entry, loc, exc.message_en, exc.message_ko, text)
                return
            if kind == "region":
                self.region_iri = obj
        elif kind == "city-geonames":
            return  # read with the city
        elif kind == "wikidata":
            obj = URIRef(wikidata_iri(text))
        elif kind == "geonames":
            obj = URIRef(geonames_iri(text))
        else:  # pragma: no cover - FIELDS only uses the kinds above
            raise AssertionError(kind)
        entry.add((iri, predicate, obj), loc)

    def _linked(self, entry: Entry, case: URIRef, text: str, kind: str, loc: Location) -> URIRef:
        """A place or organisation: an IRI, a known one by label that is that place, or a new node of the case."""
        if looks_like_iri(text):
            return URIRef(expand(text, CKI_IRI))
        country = self.context.get("country", "")
        if kind == "organisation":
            known = self.known.organisations.get(" ".join(text.split()).casefold())
            if known:
                return iri_ref(known)
            node, triples = places.new_organisation(text, country)
        else:
            shipped = places.shipped_place(self.known, text, kind, country)
            if shipped:
                return iri_ref(shipped)
            node, triples = places.new_place(case, text, kind, country, self.context.get("region"),
                                             self.region_iri, self.context.get("city_geonames"))
        for triple in triples:
            entry.add(triple, loc)
        return node

    def _convert_feature(self, entry: Entry, iri: URIRef, spec: Field, value: Any, line: int, number: int) -> None:
        """One part of a comparison cell: a ckg:ClusterFeature of the case, as the paper's table cells are."""
        loc = self.loc(line, spec.name)
        if isinstance(value, list):
            raise InputError(f"{self._where(line)}: field {spec.name!r} expects text or {{ko: ..., en: ...}} per part")
        parts = value if isinstance(value, dict) else None
        texts: dict[str, str] = {}
        if parts is None:
            text = self._scalar(spec, value, line)
            if text:
                texts[language_of(text)] = text
        else:
            for key, (part, part_line) in parts.items():
                if key not in ("ko", "en"):
                    raise InputError(f"{self._where(part_line)}: a part of {spec.name!r} takes ko and en, not {key!r}")
                text = self._scalar(spec, part, part_line)
                if text:
                    texts[key] = text
        if not texts:
            self.problem(entry, loc, f"a part of {spec.name} is empty", f"{spec.name}의 한 부분이 비어 있습니다")
            return
        dimension = spec.prefix
        node = iri_ref(f"{iri}/feature-{dimension.rsplit('dimension-', 1)[-1]}-{number}")
        entry.add((iri, CKG.hasFeature, node), loc)
        entry.add((node, RDF.type, CKG.ClusterFeature), loc)
        entry.add((node, CKG.onDimension, iri_ref(dimension)), loc)
        entry.add((node, CKG.featureOrder, Literal(str(number), datatype=XSD.integer)), loc)
        for lang, text in texts.items():
            if PLACEHOLDER.match(text):
                self.problem(entry, loc, f"{spec.name} still holds the template's placeholder {text}: fill it in",
                             f"{spec.name}에 서식의 자리표시 {text}가 그대로 있습니다", text)
            entry.add((node, RDFS.label, Literal(text, lang=lang)), loc)

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
            if PLACEHOLDER.match(text):
                self.problem(entry, self.loc(part_line, f"source.{key}"),
                             f"source.{key} still holds the template's placeholder {text}: fill it in",
                             f"source.{key}에 서식의 자리표시 {text}가 그대로 있습니다. 값을 채우십시오", text)
                continue
            loc = self.loc(part_line, f"source.{key}")
            predicate = iri_ref(SOURCE_FIELDS[key][0])
            if key == "url":
                obj: Any = URIRef(text) if is_web_iri(text) else Literal(text)
            else:
                obj = Literal(text)
            entry.add((node, predicate, obj), loc)
