"""Reconciliation: link the graph's places, organisations and clusters to Wikidata.

For every entity of the store that has no Wikidata link yet, candidates are
looked up on a SPARQL endpoint in Wikidata's shape (``wd:``/``wdt:``) by the
entity's Korean and English labels and aliases (``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel``), many entities per request (``VALUES``
blocks), in two steps: *search* (items whose label or alias is one of the
names) and *details* (labels, types, country, located-in, coordinates and
inception of the items found). :mod:`.matching` scores each
candidate, with its reasons.

The best candidate is linked when it reaches the threshold and leads the
runner-up by a margin. A link is ``skos:exactMatch``: a
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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import CKI, DCTERMS, LINKS_GRAPH, OWL, PROV, RDF, RDFS, SEMAPV, SKOS, SSSOM, WD, WDT, XSD
from ..progress import Progress, ProgressStart
from ..stores import Store, StoreSettings, open_store
from .client import Binding, SparqlClient
from .entities import find_entities
from .matching import DEFAULT_THRESHOLD, LANGS, Candidate, Entity, Match, normalise, parse_point, rank, variants

BATCH_SIZE = 100  # entities per search request


DETAILS_CHUNK = 200  # items per details request


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
    values = " ".join(_literal(text, lang) for text, lang in sorted(set(names)))
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


def candidates_from_rows(rows: Iterable[Binding]) -> dict[str, Candidate]:
    """Fold the rows of :func:`details_query` into candidates."""
    found: dict[str, Candidate] = {}
    for row in rows:
        item, what = _iri_of(row.get("item")), _text_and_language(row.get("what"))[0]
        if item is None or not what or "value" not in row:
            continue
        c = found.setdefault(item, Candidate(item))
        value = row["value"]
        text = value.value if isinstance(value, ox.NamedNode) else _text_and_language(value)[0]
        lang = _text_and_language(value)[1]
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
            lambda row: _name_key(_text_and_language(row.get("name"))), len(names) * 8,
        )
        wanted = {
            iri: {item for key in keys for row in hits.get(key, []) if (item := _iri_of(row.get("item")))}
            for iri, keys in names.items()
        }
        details = client.select_by_key(
            "details", set().union(*wanted.values()), details_query,
            lambda row: _iri_of(row.get("item")), DETAILS_CHUNK,
        )
        for entity in batch:
            items = sorted(wanted[entity.iri])
            found = candidates_from_rows(row for item in items for row in details.get(item, []))
            matches.append(rank(entity, [found.get(i, Candidate(i)) for i in items], threshold))
        if progress:
            progress(len(batch))
    return matches


def _text_and_language(term: object) -> tuple[str, str]:
    if isinstance(term, ox.Literal):
        return term.value, term.language or ""
    return "", ""


def _iri_of(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


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
    when = when or datetime.now(UTC).replace(microsecond=0)
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
    progress_start: ProgressStart | None = None,
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
