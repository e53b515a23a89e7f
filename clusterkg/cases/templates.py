"""Templates for a new case, and the field table of the documentation, from the one field structure."""

from __future__ import annotations

import csv
import io

from rdflib import URIRef

from ..errors import InputError
from ..namespaces import PREFIXES
from .model import CKG, CKI_IRI, CLUSTER_TYPES, CSV_COLUMNS, FIELD_BY_NAME, FIELDS, SOURCE_FIELDS, Field
from .validation import Validator, default_validator

#: The example of the documentation (docs/entry-format.md): a filled case, as the CSV template's commented row.
EXAMPLE = {
    "id": "pangyo-techno-valley", "name_ko": "판교테크노밸리", "name_en": "Pangyo Techno Valley",
    "type": "high-tech", "country": "KR", "region": "경기도", "city": "Seongnam",
    "industries": "software publishing;KSIC10:5821", "main_industries": "ISIC4:62", "stage": "growth",
    "start_year": "about 2011", "instruments": "ict-infrastructure;human-resource-support",
    "source_citation": "Your source: author, title, publisher, year", "source_url": "https://…",
}


def template(fmt: str = "yaml", concepts: dict[str, list[str]] | None = None) -> str:
    """A template for a new case: placeholders (``<...>``) that fail validation until they are filled in, and
    comments saying what each field takes (the allowed values that the ontology knows)."""
    concepts = concepts or {}
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        example = dict(EXAMPLE, id="# example: " + EXAMPLE["id"])
        writer.writerow([example.get(c, "") for c in CSV_COLUMNS])
        return out.getvalue()
    if fmt != "yaml":
        raise InputError(f"no template for {fmt!r}; choose yaml or csv")
    lines = [
        "# A new cluster case for clusterkg. Replace every <...> (or delete the line), then run:",
        "#   clusterkg validate this-file.yaml     (what to fix, with line numbers)",
        "#   clusterkg add this-file.yaml          (adds it to the store)",
        "# Until the placeholders are replaced, validate reports them and add refuses the file.",
        "# One file may hold several cases: a list of mappings like the one below.",
        "# Fields marked (required) must be given; of name_ko and name_en one is enough (delete the other line).",
        "# docs/entry-format.md has a filled example and the RDF.",
        "",
    ]
    allowed = {
        "type": ", ".join(CLUSTER_TYPES),
        "industries": "the paper's: " + ", ".join(concepts.get("industry", []))
        + "; or SCHEME:CODE (ISIC4:2610, KSIC10:26, NACE2:62.01, ATECO:13.20, NAF2:62.01Z, UKSIC2007:62012, "
          "NAICS2017:334413, JSIC13:2814) or an exact ISIC Rev.4 title",
        "stage": ", ".join(concepts.get("stage", [])),
        "instruments": ", ".join(concepts.get("instrument", [])),
    }
    body = [
        ("name_ko", "<name in Korean>"),
        ("name_en", "<name in English>"),
        ("id", "# short-id  (optional; from name_en, else name_ko, when left out)"),
        ("type", "<industrial, high-tech, mature or bio>"),
        ("country", "<two-letter ISO code, e.g. KR>"),
        ("region", "# a region or province (optional)"),
        ("city", "# a city (optional; looked up offline in GeoNames)"),
        ("city_geonames", "# the GeoNames id of the city, when several places bear its name (optional)"),
        ("industries", "[<an industry or SCHEME:CODE>]"),
        ("main_industries", "# [one or more of the industries]"),
        ("stage", "# one of the stages (optional)"),
        ("start_year", "# 2005, about 2011, 1970s or 13th century (optional)"),
        ("history_years", "# about 100, over 100 or centuries (optional)"),
        ("firms", "# 1300 or about 1300 (optional)"),
        ("anchor_organisations", "# [anchor firms or institutions] (optional)"),
        ("instruments", "# [policy instruments applied] (optional)"),
        ("place_character", "# [parts of the comparison: text, or {ko: ..., en: ...}] (optional)"),
        ("socio_economic", "# [parts] (optional)"),
        ("cultural_economic", "# [parts] (optional)"),
        ("performance", "# [parts] (optional)"),
        ("wikidata", "# Q…  (optional; only an id you have checked)"),
        ("geonames", "# a number (optional; only an id you have checked)"),
        ("comment", "# a free note (optional)"),
    ]
    first = True
    for name, value in body:
        spec = FIELD_BY_NAME[name]
        note = f"  # {spec.label}{_requirement(spec)}"
        if allowed.get(name):
            note += f"; one of: {allowed[name]}"
        indent = "- " if first else "  "
        if value.startswith("#"):
            lines.append(f"  # {name}: {value[2:]}")
            continue
        first = False
        shown = f'"{value}"' if value.startswith("<") else value
        lines.append(f"{indent}{name}: {shown}{note}")
    lines += [
        "  source:  # where the case comes from (required): a real citation, and a URL and page if any",
        '    citation: "<author, title, publisher, year>"',
        '    # url: https://…',
        "    # page: 12",
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
        rows.append(f"| `{spec.name}` | {rdf} | {spec.label}{_requirement(spec)}{many} | `{spec.example}` |")
    return "\n".join(rows) + "\n"


def known_concepts(validator: Validator | None = None) -> dict[str, list[str]]:
    """Short names of the industries, stages and instruments that entries may use, from the ontology."""
    validator = validator or default_validator()
    kinds = {"industry": "Industry", "stage": "LifeCycleStage", "instrument": "PolicyInstrument"}
    result: dict[str, list[str]] = {}
    for kind, cls in kinds.items():
        prefix = f"{CKI_IRI}{kind}-"
        names = [str(s)[len(prefix):] for s, types in validator.types.items()
                 if URIRef(CKG[cls]) in types and str(s).startswith(prefix)]
        if kind == "stage":  # in life-cycle order
            order = {str(s): validator.order.get(s, 0) for s in validator.types}
            names.sort(key=lambda n: order.get(prefix + n, 0))
        else:
            names.sort()
        result[kind] = names
    return result


def _requirement(spec: Field) -> str:
    """What the docs and templates say of whether a field must be given: `` (required)``,
    `` (required: this or name_en)`` for one of a group, else nothing."""
    if spec.required:
        return " (required)"
    if spec.one_of:
        others = [f.name for f in FIELDS if f.one_of == spec.one_of and f.name != spec.name]
        return f" (required: this or {' or '.join(others)})"
    return ""
