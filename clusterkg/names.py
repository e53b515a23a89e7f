"""Entities by the names people use: a label in either language, a local name, a CURIE or an IRI.

One resolver for everything that takes an entity's name: the clusters of
``compare`` and ``remove``, and every IRI parameter of a named query (the
CLI's ``--param``, the web API, ``kb.query``). The entities it chooses from
are those of a class (``ckg:IndustrialCluster``, ``ckg:Claim``, ...), of the
subclasses of a class (a parameter whose values are classes), or every
labelled entity. An exact match (ignoring case, spaces and hyphens) of a
label (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``) or of the local
name (``cluster-bucheon``, or ``bucheon`` without its kind) wins; else a name
that is part of exactly one entity's label; the candidates are listed when a
name is unknown or ambiguous.

An IRI is looked up alone, through the store's indexes. A name needs every
candidate with its labels (any label of any entity may normalise to it, and
the exact match must be the only one): they are read once, however many
names are resolved among them (:class:`Candidates`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import InputError, NotFoundError
from .namespaces import CKG, PREFIXES, RDF, RDFS, SKOS, compact
from .sparql.values import expand_iri
from .stores.base import Store

CLUSTER_CLASS = CKG + "IndustrialCluster"
LABELS = f"<{RDFS}label>|<{SKOS}prefLabel>|<{SKOS}altLabel>"
#: a candidate's labels, one branch a property: the same rows in the same order as ``?entity LABELS ?label``,
#: read faster by Oxigraph (1.1 s against 1.5 s for 14,711 clusters at 1M triples)
LABEL_BRANCHES = " UNION ".join(f"{{ ?entity <{p}> ?label }}" for p in (RDFS + "label", SKOS + "prefLabel",
                                                                          SKOS + "altLabel"))
#: candidates listed in a message at most
SHOWN = 12


@dataclass
class EntityName:
    """An entity and the names it goes by: ``labels`` as (text, language) pairs."""

    iri: str
    labels: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    def describe(self) -> str:
        shown = ", ".join(dict.fromkeys(self.labels)) or "no label"
        return f"{compact(self.iri)} ({shown})"

    def label(self, lang: str = "en") -> str:
        """The entity's label in ``lang`` (else English, else any, else its prefixed name)."""
        for wanted in (lang, "en", ""):
            for text, language in zip(self.labels, self.languages, strict=False):
                if language == wanted:
                    return text
        return self.labels[0] if self.labels else compact(self.iri)

    def to_json(self, lang: str = "en") -> dict[str, object]:
        """The entity for a picker: its IRI, its label in ``lang`` and every name it goes by."""
        return {"iri": self.iri, "label": self.label(lang), "names": list(dict.fromkeys(self.labels))}


#: The clusters of ``compare`` and ``remove`` are entities like any other.
ClusterName = EntityName


_IGNORED = re.compile(r"[\s\-_]+")
_SEPARATORS = re.compile(r"[/#]")


def _normal(text: str) -> str:
    return _IGNORED.sub("", text).casefold()


def entities_query(cls: str | None = None, *, subclasses: bool = False, entity: str | None = None) -> str:
    """The query listing the candidates with their labels: instances of ``cls`` (through ``rdfs:subClassOf*``),
    the classes under ``cls`` when ``subclasses``, or every labelled IRI; only ``entity`` when given.

    ``entity`` is joined in as a ``VALUES`` row at the start of the group, so
    that ``?entity`` stays a variable: the engine evaluates the same patterns
    in the same order for it as for every candidate, and gives its labels in
    the same order (an IRI written in its place is evaluated otherwise).
    """
    if cls is None:
        where = f"?entity {LABELS} ?anyLabel . FILTER(isIRI(?entity))"
    elif subclasses:
        where = f"?entity <{RDFS}subClassOf>* <{ox.NamedNode(cls).value}> ."
    else:
        where = f"?entity <{RDF}type> ?type . ?type <{RDFS}subClassOf>* <{ox.NamedNode(cls).value}> ."
    if entity is not None:
        where = f"VALUES ?entity {{ {ox.NamedNode(entity)} }} {where}"
    return (f"SELECT DISTINCT ?entity ?label WHERE {{ {where} "
            f"OPTIONAL {{ {LABEL_BRANCHES} }} }}")


def known_entities(store: Store, cls: str | None = None, *, subclasses: bool = False) -> list[EntityName]:
    """Every candidate entity (see :func:`entities_query`) with its labels, sorted by IRI."""
    return sorted(_entities(store, entities_query(cls, subclasses=subclasses)).values(), key=lambda e: e.iri)


def known_entity(store: Store, iri: str, cls: str | None = None, *, subclasses: bool = False) -> EntityName | None:
    """The candidate entity ``iri`` (see :func:`entities_query`) with its labels, or None if it is not one.

    The listing query for that entity alone: the same entity with the same
    labels as :func:`known_entities` gives, found through the store's indexes
    rather than by reading every candidate.
    """
    return _entities(store, entities_query(cls, subclasses=subclasses, entity=iri)).get(iri)


def _entities(store: Store, query: str) -> dict[str, EntityName]:
    found: dict[str, EntityName] = {}
    for entity, label in store.query(query).rows:
        if not isinstance(entity, ox.NamedNode):
            continue
        entry = found.setdefault(entity.value, EntityName(entity.value))
        if isinstance(label, ox.Literal) and label.value not in entry.labels:
            entry.labels.append(label.value)
            entry.languages.append((label.language or "").lower())
    return found


def known_clusters(store: Store) -> list[EntityName]:
    """Every cluster in the store with its labels (rdfs:label, skos:prefLabel, skos:altLabel)."""
    return known_entities(store, CLUSTER_CLASS)


def looks_like_iri(name: str) -> bool:
    """Whether a value is written as an IRI (``<...>``, ``http://...``) or a prefixed name of the project."""
    if name.startswith("<") and name.endswith(">"):
        return True
    prefix, colon, _ = name.partition(":")
    return bool(colon) and (prefix in PREFIXES or name.startswith(("http://", "https://", "urn:")))


def local_names(entity: EntityName) -> set[str]:
    """The local name of an entity's IRI, and the same without its kind (``cluster-bucheon``, ``bucheon``)."""
    local = _SEPARATORS.split(entity.iri.rstrip("/"))[-1]
    names = {_normal(local)}
    kind, dash, rest = local.partition("-")
    if dash and rest and kind.isalpha():
        names.add(_normal(rest))
    return names


def exact_matches(entities: Iterable[EntityName], name: str) -> list[EntityName]:
    """The entities that ``name`` names exactly: a label or a local name, ignoring case, spaces and hyphens."""
    wanted = _normal(name)
    return [e for e in entities if wanted in {_normal(label) for label in e.labels} | local_names(e)]


class Candidates:
    """The entities a name is resolved among: given, or those of a class, read from the store when first needed.

    An IRI is looked up alone (:func:`known_entity`); every candidate is read
    (:func:`known_entities`) only to match a name or to list them in a message.
    """

    def __init__(self, store: Store, cls: str | None = None, *, subclasses: bool = False,
                 entities: list[EntityName] | None = None) -> None:
        self.store, self.cls, self.subclasses = store, cls, subclasses
        self._entities = entities
        self._forms: list[tuple[EntityName, set[str], set[str]]] | None = None

    def all(self) -> list[EntityName]:
        if self._entities is None:
            self._entities = known_entities(self.store, self.cls, subclasses=self.subclasses)
        return self._entities

    def by_iri(self, iri: str) -> EntityName | None:
        if self._entities is None:
            return known_entity(self.store, iri, self.cls, subclasses=self.subclasses)
        return next((entity for entity in self._entities if entity.iri == iri), None)

    def forms(self) -> list[tuple[EntityName, set[str], set[str]]]:
        """Each candidate with its labels' and its local names' normal forms, worked out once for every name."""
        if self._forms is None:
            self._forms = [(e, {_normal(label) for label in e.labels}, local_names(e)) for e in self.all()]
        return self._forms


def resolve(store: Store, name: str, cls: str | None = None, *, subclasses: bool = False,
            entities: list[EntityName] | Candidates | None = None, what: str = "entity") -> EntityName:
    """The one entity that ``name`` (a label in either language, a local name or an IRI) denotes.

    The candidates are ``entities`` (else :func:`known_entities` of ``cls``). An
    exact match wins; otherwise a name that is part of exactly one label.
    NotFoundError lists the candidates when there are none or several.
    """
    candidates = entities if isinstance(entities, Candidates) else \
        Candidates(store, cls, subclasses=subclasses, entities=entities)
    plural = {"entity": "entities", "class": "classes"}.get(what, what + "s")
    if not name.strip():
        raise InputError(f"a name of {('an' if what[0] in 'aeiou' else 'a')} {what} is empty")
    if looks_like_iri(name):
        iri = expand_iri(name).value
        found = candidates.by_iri(iri)
        if found is not None:
            return found
        raise NotFoundError(f"{name} is not {('an' if what[0] in 'aeiou' else 'a')} {what} in the knowledge base; "
                            f"{plural}: {listing(candidates.all())}")
    wanted = _normal(name)
    forms = candidates.forms()
    exact = [e for e, labels, locals_ in forms if wanted in labels or wanted in locals_]  # as exact_matches
    if len(exact) == 1:
        return exact[0]
    matches = exact or [e for e, labels, locals_ in forms
                        if any(wanted in label for label in labels) or any(wanted in local for local in locals_)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFoundError(f"{name!r} is ambiguous; it matches {len(matches)} {plural}: {listing(matches)}")
    raise NotFoundError(f"no {what} named {name!r}; {plural}: {listing(candidates.all())}")


def resolve_cluster(store: Store, name: str, clusters: list[EntityName] | Candidates | None = None) -> EntityName:
    """The one cluster that ``name`` (a label in any language, a local name or an IRI) denotes."""
    return resolve(store, name, CLUSTER_CLASS, entities=clusters, what="cluster")


def resolve_clusters(store: Store, *given: str) -> list[EntityName]:
    """The clusters that each of ``given`` denotes (see :func:`resolve_cluster`), every cluster read at most once."""
    clusters = Candidates(store, CLUSTER_CLASS)
    return [resolve_cluster(store, name, clusters) for name in given]


def listing(entities: Iterable[EntityName]) -> str:
    """Entities as ``cki:x (label, label); ...`` for a message (the first :data:`SHOWN`, then how many more)."""
    items = list(entities)
    shown = "; ".join(e.describe() for e in items[:SHOWN]) or "none"
    return shown + (f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
