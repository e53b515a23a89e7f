"""The paper's tables as people read them: the comparison of two clusters, the myths and their findings.

Both are built on named queries (``compare``, ``myths-and-findings``), so
what they print is what those queries answer.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field

import pyoxigraph as ox

from .names import ClusterName, resolve_clusters
from .namespaces import CKG, DCTERMS, RDF, compact
from .queries import run_named
from .sparql.results import value_of
from .stores.base import Store
from .tables import format_grid, lookup_labels, wrap

# --------------------------------------------------------------------------
# The comparison table
# --------------------------------------------------------------------------


@dataclass
class Comparison:
    """Two clusters side by side: the general rows, then the dimensions of the paper's table (section 3.1)."""

    a: ClusterName
    b: ClusterName
    a_label: str
    b_label: str
    #: (dimension label, parts for a, parts for b), in the table's order, for the dimensions either has
    rows: list[tuple[str, list[str], list[str]]]
    #: (row label, values for a, values for b): type, country and place, industries, ISIC divisions, start,
    #: history, firms, stage, anchors, instruments, source (from the ``clusters`` query)
    general: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    #: the features behind each of :attr:`rows`: (dimension IRI, feature IRIs of a, feature IRIs of b)
    features: list[tuple[str, list[str], list[str]]] = field(default_factory=list)


#: The general rows: a column of the ``clusters`` query (or two joined), and the row's label in en and ko.
GENERAL_ROWS = (
    (("clusterType",), "type", "유형"),
    (("country", "places"), "country and location", "국가와 위치"),
    (("industries",), "industries (* main)", "산업 (* 주력)"),
    (("isicDivisions",), "ISIC Rev.4 divisions", "ISIC Rev.4 중분류"),
    (("start",), "start", "시작"),
    (("historyYears",), "history (years)", "역사(년)"),
    (("firms",), "firms", "업체 수"),
    (("stage",), "stage", "단계"),
    (("anchors",), "anchor organisations", "중심 조직"),
    (("instruments",), "policy instruments", "정책수단"),
    (("sources",), "source", "출처"),
)
_IRI_COLUMNS = {"clusterType", "stage"}
#: The properties behind each general row (by its first column): where a cell's provenance is looked up.
ROW_PROPERTIES = {
    "clusterType": (RDF + "type",),
    "country": (CKG + "countryCode", CKG + "locatedIn"),
    "industries": (CKG + "hasMainIndustry", CKG + "hasIndustry"),
    "isicDivisions": (CKG + "hasMainIndustry", CKG + "hasIndustry"),
    "start": (CKG + "startYear", CKG + "approximateStartYear", CKG + "startDecade", CKG + "startCentury"),
    "historyYears": (CKG + "approximateHistoryYears", CKG + "minimumHistoryYears"),
    "firms": (CKG + "approximateNumberOfFirms", CKG + "numberOfFirms"),
    "stage": (CKG + "lifeCycleStage", CKG + "stalledAtStage"),
    "anchors": (CKG + "anchorOrganisation",),
    "instruments": (CKG + "appliesInstrument",),
    "sources": (CKG + "attestedBy", DCTERMS + "source"),
}


def _label(store: Store, iri: str, lang: str) -> str:
    return lookup_labels(store, [iri], lang).get(iri) or compact(iri)


def _general(store: Store, a: str, b: str, lang: str) -> list[tuple[str, list[str], list[str]]]:
    facts: dict[str, dict[str, list[str]]] = {a: {}, b: {}}
    for iri, found in facts.items():  # the rows of each cluster alone (its IRI bound), not every cluster's
        answer = run_named(store, "clusters", {"lang": lang}, bind={"cluster": ox.NamedNode(iri)})
        column = {name: index for index, name in enumerate(answer.variables)}
        for row in answer.rows:
            _add_facts(store, row, column, found, lang)
    rows = []
    for names, en, ko in GENERAL_ROWS:
        cells = [[part for name in names for part in facts[c].get(name, [])] for c in (a, b)]
        rows.append((ko if lang == "ko" else en, cells[0], cells[1]))
    return rows


def _add_facts(store: Store, row: tuple, column: dict[str, int], found: dict[str, list[str]], lang: str) -> None:
    """The parts of one row of ``clusters``, by column, each listed once."""
    for name in column:
        term = row[column[name]]
        if term is None or not value_of(term):
            continue
        text = _label(store, value_of(term), lang) if name in _IRI_COLUMNS else value_of(term)
        for part in text.split("; ") if name not in _IRI_COLUMNS else [text]:
            if part and part not in found.setdefault(name, []):
                found[name].append(part)


def compare(store: Store, first: str, second: str, lang: str = "en") -> Comparison:
    """The comparison table for two clusters named by label or IRI: general rows for any two clusters, and the
    paper's dimensions where either has parts."""
    a, b = resolve_clusters(store, first, second)
    answer = run_named(store, "compare", {"a": f"<{a.iri}>", "b": f"<{b.iri}>", "lang": lang})
    column = {name: index for index, name in enumerate(answer.variables)}
    rows: dict[str, tuple[str, list[str], list[str]]] = {}
    features: dict[str, tuple[str, list[str], list[str]]] = {}
    for row in answer.rows:
        dimension = row[column["dimension"]]
        title = row[column["dimensionLabel"]]
        key = value_of(dimension) if dimension is not None else ""
        entry = rows.setdefault(key, (value_of(title) if title is not None else compact(key), [], []))
        cells = features.setdefault(key, (key, [], []))
        for parts, iris, name in ((entry[1], cells[1], "featureA"), (entry[2], cells[2], "featureB")):
            value, feature = row[column[name + "Label"]], row[column[name]]
            if value is not None and value_of(value) not in parts:
                parts.append(value_of(value))
                iris.append(value_of(feature) if feature is not None else "")
    kept = [key for key, row in rows.items() if row[1] or row[2]]
    return Comparison(a, b, _label(store, a.iri, lang), _label(store, b.iri, lang), [rows[k] for k in kept],
                      _general(store, a.iri, b.iri, lang), [features[k] for k in kept])


def _cell(parts: list[str]) -> str:
    if len(parts) <= 1:
        return parts[0] if parts else "-"
    return "\n".join(f"- {part}" for part in parts)


def format_comparison(comparison: Comparison, width: int | None = None, lang: str = "en") -> str:
    """The comparison as a side-by-side table: the general rows, then the paper's dimensions, the parts of a
    cell one per line."""
    header = "항목" if lang == "ko" else "dimension"
    rows = [[title, _cell(a), _cell(b)] for title, a, b in [*comparison.general, *comparison.rows]]
    return format_grid([header, comparison.a_label, comparison.b_label], rows, width)


# --------------------------------------------------------------------------
# The myths, what the paper says of them, and the findings that counter them
# --------------------------------------------------------------------------
#: The roles of the rows of ``myths-and-findings`` that say what a myth is (before its findings).
STATEMENT_ROLES = (CKG + "FormationStereotype", CKG + "Myth", CKG + "Observation")


@dataclass
class Finding:
    label: str
    section: str
    excerpt: str


@dataclass
class Statement:
    """What the paper says of a myth: a stereotype with its model cluster, the myth's own words, a diagnosis."""

    role: str
    label: str
    section: str
    excerpt: str
    example: str = ""


@dataclass
class Myth:
    label: str
    section: str
    findings: list[Finding] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


def myths(store: Store, lang: str = "en") -> list[Myth]:
    """The paper's myths in order, each with what the paper says of it and the findings that counter it."""
    answer = run_named(store, "myths-and-findings", {"lang": lang})
    column = {name: index for index, name in enumerate(answer.variables)}
    found: dict[str, Myth] = {}
    seen: set[tuple[str, ...]] = set()  # (myth, role, fields...) already listed: each row is checked in O(1)

    def text(row: tuple, name: str) -> str:
        value = row[column[name]]
        return value.value if value is not None else ""

    for row in answer.rows:
        key = text(row, "myth")
        myth = found.setdefault(key, Myth(text(row, "mythLabel"), text(row, "mythSection")))
        role = text(row, "role")
        if role == CKG + "Finding":
            finding = Finding(text(row, "claimLabel"), text(row, "section"), text(row, "excerpt"))
            if _first(seen, (key, role, finding.label, finding.section, finding.excerpt)):
                myth.findings.append(finding)
        elif role in STATEMENT_ROLES:
            label = "" if role == CKG + "Myth" else text(row, "claimLabel")  # the myth's own words need no label
            statement = Statement(role, label, text(row, "section"), text(row, "excerpt"), text(row, "exampleLabel"))
            if _first(seen, (key, role, label, statement.section, statement.excerpt, statement.example)):
                myth.statements.append(statement)
    return list(found.values())


def _first(seen: set[tuple[str, ...]], key: tuple[str, ...]) -> bool:
    """Whether ``key`` is new (and remember it)."""
    if key in seen:
        return False
    seen.add(key)
    return True


#: How each part of a myth is headed, in English and Korean.
WORDS = {
    "en": {"myth": "Myth", "countered": "Countered by", "none": "no finding counters it",
           CKG + "FormationStereotype": "The stereotype", CKG + "Myth": "The misconception",
           CKG + "Observation": "The diagnosis"},
    "ko": {"myth": "오해", "countered": "반론", "none": "반론 없음",
           CKG + "FormationStereotype": "고정관념", CKG + "Myth": "오해의 내용", CKG + "Observation": "진단"},
}


def format_myths(entries: list[Myth], width: int | None = None, lang: str = "en") -> str:
    """The myths for a terminal: each myth, what the paper says of it, then its findings with section and excerpt."""
    total = width or shutil.get_terminal_size((100, 24)).columns
    words = WORDS["ko" if lang == "ko" else "en"]
    lines: list[str] = []

    def block(text: str, indent: str, first: str | None = None) -> None:
        lead = first if first is not None else indent
        for number, line in enumerate(wrap(text, max(total - len(indent), 20))):
            lines.append((lead if number == 0 else indent) + line)

    def where(section: str) -> str:
        return f" (§{section})" if section else ""

    for number, myth in enumerate(entries, 1):
        label = re.sub(rf"^{words['myth']}:\s*", "", myth.label, flags=re.IGNORECASE)  # "Myth: ..." said once
        block(f"{words['myth']} {number}{where(myth.section)}: {label}", "    ", "")
        for role in STATEMENT_ROLES:
            statements = [s for s in myth.statements if s.role == role]
            if statements:
                lines.append(f"  {words[role]}:")
            for statement in statements:
                quote = f"“{statement.excerpt}”" if statement.excerpt else ""
                if statement.label or statement.example:
                    head = ": ".join(x for x in (statement.example, statement.label) if x)
                    block(head + where(statement.section), "    ", "  - ")
                    if quote:
                        block(quote, "      ")
                elif quote:
                    block(quote + where(statement.section), "    ", "  - ")
        lines.append(f"  {words['countered']}:" if myth.findings else f"  ({words['none']})")
        for finding in myth.findings:
            block(f"{finding.label}{where(finding.section)}", "    ", "  - ")
            if finding.excerpt:
                block(f"“{finding.excerpt}”", "      ")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------
# The paper's argument in brief, for a landing page
# --------------------------------------------------------------------------
def summary(store: Store, lang: str = "en") -> dict[str, object]:
    """The paper's argument as the knowledge base holds it: the source, each myth with the findings that counter
    it, and the conclusion, each with its section and excerpt (the verbatim Korean with ``lang="ko"``, the
    English gloss otherwise). Nothing here is written by hand: every text is a label or an excerpt."""
    source = store.query(f"SELECT ?s WHERE {{ ?s a <{CKG}SourceDocument> }} LIMIT 1").rows
    document = next((value_of(row[0]) for row in source if row[0] is not None), None)
    answer = run_named(store, "claims", {"kind": f"<{CKG}Conclusion>", "lang": lang})
    column = {name: index for index, name in enumerate(answer.variables)}
    conclusions: dict[str, dict[str, object]] = {}
    for row in answer.rows:
        claim = value_of(row[column["claim"]])
        entry = conclusions.setdefault(claim, {"iri": claim, "label": value_of(row[column["claimLabel"]]),
                                               "section": value_of(row[column["section"]]), "excerpts": []})
        excerpt = value_of(row[column["excerpt"]])
        if excerpt and excerpt not in entry["excerpts"]:  # type: ignore[operator]
            entry["excerpts"].append(excerpt)  # type: ignore[attr-defined]
    return {
        "source": {"iri": document, "label": _label(store, document, lang)} if document else None,
        "myths": [{"label": m.label, "section": m.section,
                   "findings": [{"label": f.label, "section": f.section, "excerpt": f.excerpt} for f in m.findings]}
                  for m in myths(store, lang)],
        "conclusions": list(conclusions.values()),
    }
