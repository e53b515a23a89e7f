"""An entity in plain words: its facts with what each rests on, and its neighbourhood as a graph.

What a fact rests on comes from the ``provenance`` named query: the excerpt
of the paper that states it (``ckg:attestedBy``), or, for a reading of the
project, the excerpts it is read from and the note (``ckg:interpretedFrom``);
a fact of an added case rests on the source the case cites (``dcterms:source``
with its citation, web address and pages). The web page shows these behind
one control; a notebook gets the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from .errors import NotFoundError
from .namespaces import CKG, DCTERMS, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, compact
from .queries import run_named
from .sparql.results import Term, term_to_json, value_of
from .stores.base import Store
from .tables import lookup_labels

ORG = "http://www.w3.org/ns/org#"
#: The kinds of entity a graph colours apart, each with the classes that make it, first match wins.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cluster", (CKG + "IndustrialCluster",)),
    ("claim", (CKG + "Claim",)),
    ("place", (SCHEMA + "Place",)),
    ("organisation", (ORG + "Organization", ORG + "Site")),
    ("feature", (CKG + "ClusterFeature",)),
    ("source", (CKG + "Excerpt", CKG + "Section", CKG + "SourceDocument", DCTERMS + "BibliographicResource")),
    ("concept", (SKOS + "Concept", SKOS + "ConceptScheme")),
)
#: Properties shown elsewhere on an entity's page (its name, kind, description), not as facts.
SHOWN_APART = {RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition",
               SKOS + "editorialNote", CKG + "gloss", CKG + "attestedBy", PROV + "wasDerivedFrom", DCTERMS + "source"}
#: Properties that say where an entity as a whole comes from.
WHOLE = (CKG + "attestedBy", PROV + "wasDerivedFrom", DCTERMS + "source")
HIDDEN = {OWL + "annotatedSource", OWL + "annotatedProperty", OWL + "annotatedTarget"}


@dataclass
class Basis:
    """What one statement rests on: ``paper`` (an excerpt states it), ``reading`` (the project reads it from
    excerpts, with a note), ``case`` (the source an added case cites) or ``entity`` (only the entity as a whole
    has a source)."""

    kind: str
    source: str = ""
    section: str = ""
    text: str = ""  # the excerpt verbatim (Korean), or a case's citation
    gloss: str = ""  # the excerpt's English gloss
    note: str = ""  # a reading's note, in the language asked for
    url: str = ""
    pages: str = ""
    property: str = ""
    object: dict[str, object] | None = None


def _texts(store: Store, sources: Sequence[str]) -> dict[str, dict[str, str]]:
    """Section, verbatim text and gloss of excerpts; citation, address and pages of a case's sources."""
    if not sources:
        return {}
    values = " ".join(str(ox.NamedNode(s)) for s in dict.fromkeys(sources))
    sparql = f"""SELECT ?s ?section ?text ?gloss ?citation ?url ?pages WHERE {{ VALUES ?s {{ {values} }}
      OPTIONAL {{ ?s <{CKG}inSection>/<{CKG}sectionNumber> ?section }}
      OPTIONAL {{ ?s <{CKG}sectionNumber> ?section }}
      OPTIONAL {{ ?s <{CKG}excerptText> ?text }} OPTIONAL {{ ?s <{CKG}gloss> ?gloss }}
      OPTIONAL {{ ?s <{DCTERMS}bibliographicCitation> ?citation }} OPTIONAL {{ ?s <{SCHEMA}url> ?url }}
      OPTIONAL {{ ?s <{SCHEMA}pagination> ?pages }} }}"""
    out: dict[str, dict[str, str]] = {}
    for row in store.query(sparql).rows:
        entry = out.setdefault(value_of(row[0]), {})
        for name, term in zip(("section", "text", "gloss", "citation", "url", "pages"), row[1:], strict=True):
            if term is not None and name not in entry:
                entry[name] = value_of(term)
    return out


def provenance_rows(store: Store, entity: str, lang: str = "en") -> list[dict[str, Term | None]]:
    """The rows of the ``provenance`` query for an entity."""
    answer = run_named(store, "provenance", {"entity": f"<{entity}>", "lang": lang})
    names = answer.variables
    return [dict(zip(names, row, strict=True)) for row in answer.rows]


def fact_basis(store: Store, subject: str, properties: Sequence[str] = (), obj: Term | None = None,
               lang: str = "en", rows: list[dict[str, Term | None]] | None = None) -> list[Basis]:
    """What the statements ``subject property obj`` rest on (any of ``properties``; any object when ``obj`` is
    None; every statement when no property is given). Where none of them has a source of its own, what the
    subject as a whole rests on, as ``entity`` (``case`` for an added case's cited source)."""
    rows = rows if rows is not None else provenance_rows(store, subject, lang)
    wanted = set(properties)

    def matches(row: dict[str, Term | None]) -> bool:
        if value_of(row["subject"]) != subject or row["source"] is None:
            return False
        if wanted and value_of(row["property"]) not in wanted:
            return False
        return obj is None or row["object"] == obj

    own = [r for r in rows if matches(r) and value_of(r["property"]) not in WHOLE]
    whole = [r for r in rows if value_of(r["subject"]) == subject and value_of(r["property"]) in WHOLE]
    chosen = own or whole
    texts = _texts(store, [value_of(r["source"]) for r in chosen if r["source"] is not None])
    out: list[Basis] = []
    for row in chosen:
        source = value_of(row["source"])
        found = texts.get(source, {})
        via = value_of(row["via"]) if row["via"] is not None else ""
        if value_of(row["property"]) == DCTERMS + "source":
            kind = "case"
        elif not own:
            kind = "entity"
        else:
            kind = "reading" if via == CKG + "interpretedFrom" else "paper"
        basis = Basis(kind, source, found.get("section", ""), found.get("text") or found.get("citation", ""),
                      found.get("gloss", ""), value_of(row["note"]) if row["note"] is not None else "",
                      found.get("url", ""), found.get("pages", ""), value_of(row["property"]),
                      term_to_json(row["object"]) if row["object"] is not None and own else None)
        if basis not in out:
            out.append(basis)
    return out


@dataclass
class Fact:
    """One property of an entity with its values and, for each value, the kinds of basis it has."""

    property: str
    label: str
    values: list[dict[str, object]] = field(default_factory=list)


@dataclass
class EntityPage:
    iri: str
    label: str
    kinds: list[dict[str, str]]
    kind: str
    description: list[str]
    also_called: list[str]
    facts: list[Fact]
    referred_by: list[Fact]
    sources: list[Basis]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _kind_query(iris: Sequence[str]) -> str:
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    tops = " ".join(f"({str(ox.NamedNode(c))} {rank})" for rank, (_, classes) in enumerate(KINDS) for c in classes)
    return (f"SELECT ?e (MIN(?rank) AS ?kind) WHERE {{ VALUES ?e {{ {values} }} VALUES (?top ?rank) {{ {tops} }} "
            f"?e <{RDF}type>/<{RDFS}subClassOf>* ?top }} GROUP BY ?e")


def kinds_of(store: Store, iris: Sequence[str]) -> dict[str, str]:
    """The kind of each entity (see :data:`KINDS`); ``other`` where none fits."""
    found = {iri: "other" for iri in iris}
    if iris:
        for entity, rank in store.query(_kind_query(list(dict.fromkeys(iris)))).rows:
            if entity is not None and rank is not None:
                found[value_of(entity)] = KINDS[int(value_of(rank))][0]
    return found


def _in_language(literals: list[ox.Literal], lang: str) -> list[str]:
    chosen = [lit.value for lit in literals if (lit.language or "") == lang]
    return chosen or ([lit.value for lit in literals if not lit.language] if lang else [])


#: What the page says of an entity the store knows nothing of, in the page's language.
UNKNOWN = {"en": "{entity} is not in the knowledge base", "ko": "지식베이스에 {entity} 개체가 없습니다"}


def entity_page(store: Store, iri: str, lang: str = "en") -> EntityPage:
    """The entity's page: its name and kind, a description, the names it goes by in ``lang``, its facts (the
    labels of properties and values in ``lang``) with the kinds of basis of each value, and what refers to it.
    NotFoundError (its message in ``lang``) when the store says nothing of ``iri``."""
    node = ox.NamedNode(iri)
    outgoing = list(store.query(f"SELECT ?p ?o WHERE {{ {node} ?p ?o }}").rows)
    incoming = list(store.query(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} FILTER(isIRI(?s)) }} LIMIT 200").rows)
    if not outgoing and not incoming:
        raise NotFoundError(UNKNOWN.get(lang, UNKNOWN["en"]).format(entity=compact(iri)))
    rows = provenance_rows(store, iri, lang)
    iris = [iri, *(value_of(p) for p, _ in outgoing), *(value_of(o) for _, o in outgoing if isinstance(o, ox.NamedNode)),
            *(value_of(t) for pair in incoming for t in pair if t is not None)]
    labels = lookup_labels(store, list(dict.fromkeys(iris)), lang)
    literal = {p: [o for q, o in outgoing if value_of(q) == p and isinstance(o, ox.Literal)]
               for p in (RDFS + "label", SKOS + "altLabel", SKOS + "definition", SKOS + "editorialNote", CKG + "gloss")}
    types = [value_of(o) for p, o in outgoing if value_of(p) == RDF + "type" and isinstance(o, ox.NamedNode)]
    kinds = kinds_of(store, [iri])
    bases: dict[tuple[str, Term | None], set[str]] = {}
    for row in rows:
        if value_of(row["subject"]) == iri and row["source"] is not None:
            via = value_of(row["via"]) if row["via"] is not None else ""
            key = (value_of(row["property"]), row["object"])
            bases.setdefault(key, set()).add("reading" if via == CKG + "interpretedFrom" else "paper")
    facts: dict[str, Fact] = {}
    for prop, obj in outgoing:
        p = value_of(prop)
        if obj is None or p in SHOWN_APART or p in HIDDEN or isinstance(obj, ox.BlankNode):
            continue
        if isinstance(obj, ox.Literal) and obj.language and obj.language != lang and any(
                isinstance(o, ox.Literal) and o.language == lang for q, o in outgoing if q == prop):
            continue  # the same fact in the other language
        fact = facts.setdefault(p, Fact(p, labels.get(p) or compact(p)))
        fact.values.append({"term": term_to_json(obj), "label": labels.get(value_of(obj), value_of(obj))
                            if isinstance(obj, ox.NamedNode) else value_of(obj),
                            "basis": sorted(bases.get((p, obj), set()))})
    referred: dict[str, Fact] = {}
    for subject, prop in incoming:
        if subject is None or prop is None or value_of(prop) in HIDDEN:
            continue
        fact = referred.setdefault(value_of(prop), Fact(value_of(prop), labels.get(value_of(prop)) or compact(value_of(prop))))
        fact.values.append({"term": term_to_json(subject), "label": labels.get(value_of(subject), compact(value_of(subject))),
                            "basis": []})
    description = (_in_language(literal[SKOS + "definition"], lang) or _in_language(literal[SKOS + "editorialNote"], lang)
                   or (_in_language(literal[CKG + "gloss"], "en") if lang == "en" else []))
    return EntityPage(
        iri, labels.get(iri) or compact(iri),
        [{"iri": t, "label": labels.get(t) or compact(t)} for t in types], kinds[iri], description,
        [a for a in _in_language(literal[SKOS + "altLabel"], lang) if a != labels.get(iri)],
        sorted(facts.values(), key=lambda f: f.label.casefold()),
        sorted(referred.values(), key=lambda f: f.label.casefold()),
        fact_basis(store, iri, [WHOLE[0]], lang=lang, rows=rows),
    )


def neighbourhood(store: Store, iri: str, lang: str = "en", limit: int = 60) -> dict[str, object]:
    """The entity and the entities linked to it either way: nodes with label and kind, edges with the label of
    their property (at most ``limit`` neighbours)."""
    node = ox.NamedNode(iri)
    skip = " ".join(f"<{p}>" for p in (*HIDDEN, CKG + "attestedBy", PROV + "wasDerivedFrom", RDF + "type"))
    rows = list(store.query(f"""SELECT DISTINCT ?s ?p ?o WHERE {{
        {{ BIND({node} AS ?s) {node} ?p ?o FILTER(isIRI(?o)) }} UNION {{ BIND({node} AS ?o) ?s ?p {node} FILTER(isIRI(?s)) }}
        FILTER(?p NOT IN ({skip.replace(' ', ', ')})) }} LIMIT {int(limit)}""").rows)
    edges = [(value_of(s), value_of(p), value_of(o)) for s, p, o in rows]
    ids = list(dict.fromkeys([iri, *(x for s, _, o in edges for x in (s, o))]))
    labels = lookup_labels(store, list(dict.fromkeys([*ids, *(p for _, p, _ in edges)])), lang)
    kinds = kinds_of(store, ids)
    return {
        "center": iri,
        "nodes": [{"id": i, "label": labels.get(i) or compact(i), "kind": kinds[i]} for i in ids],
        "edges": [{"source": s, "target": o, "property": p, "label": labels.get(p) or compact(p)} for s, p, o in edges],
    }
