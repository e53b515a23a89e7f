"""Templates for a new case, and the field table of the documentation, from the one field structure."""

from __future__ import annotations

import csv
import io

from rdflib import URIRef

from ..errors import InputError
from ..namespaces import PREFIXES
from .model import CKG, CKI_IRI, CLUSTER_TYPES, CSV_COLUMNS, FIELD_BY_NAME, FIELDS, SOURCE_FIELDS
from .validation import Validator, default_validator


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
