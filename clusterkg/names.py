"""Clusters by the names people use: a label in any language, a local name, a CURIE or an IRI.

One resolver for every command that takes a cluster's name (``compare``,
``remove``): an exact match (ignoring case, spaces and hyphens) wins, else a
name that is part of exactly one cluster's label; the candidates are listed
when a name is unknown or ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import InputError, NotFoundError
from .namespaces import CKG, PREFIXES, RDFS, SKOS, compact
from .sparql.values import expand_iri
from .stores.base import Store

CLUSTERS_QUERY = f"""
SELECT DISTINCT ?cluster ?label WHERE {{
  ?cluster a ?type .
  ?type <{RDFS}subClassOf>* <{CKG}IndustrialCluster> .
  OPTIONAL {{ ?cluster <{RDFS}label>|<{SKOS}prefLabel>|<{SKOS}altLabel> ?label }}
}}
"""


@dataclass
class ClusterName:
    """A cluster and the names it goes by."""

    iri: str
    labels: list[str] = field(default_factory=list)

    def describe(self) -> str:
        shown = ", ".join(dict.fromkeys(self.labels)) or "no label"
        return f"{compact(self.iri)} ({shown})"


def _normal(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text).casefold()


def known_clusters(store: Store) -> list[ClusterName]:
    """Every cluster in the store with its labels (rdfs:label, skos:prefLabel, skos:altLabel)."""
    clusters: dict[str, ClusterName] = {}
    for cluster, label in store.query(CLUSTERS_QUERY).rows:
        if not isinstance(cluster, ox.NamedNode):
            continue
        entry = clusters.setdefault(cluster.value, ClusterName(cluster.value))
        if isinstance(label, ox.Literal):
            entry.labels.append(label.value)
    return sorted(clusters.values(), key=lambda c: c.iri)


def _looks_like_iri(name: str) -> bool:
    if name.startswith("<") and name.endswith(">"):
        return True
    prefix, colon, _ = name.partition(":")
    return bool(colon) and (prefix in PREFIXES or name.startswith(("http://", "https://", "urn:")))


def _local(cluster: ClusterName) -> str:
    return cluster.iri.rsplit("/", 1)[-1].removeprefix("cluster-")


def exact_matches(clusters: Iterable[ClusterName], name: str) -> list[ClusterName]:
    """The clusters that ``name`` names exactly: a label or the local name, ignoring case, spaces and hyphens."""
    wanted = _normal(name)
    return [c for c in clusters if wanted in {_normal(label) for label in c.labels} | {_normal(_local(c))}]


def resolve_cluster(store: Store, name: str, clusters: list[ClusterName] | None = None) -> ClusterName:
    """The one cluster that ``name`` (a label in any language, a local name or an IRI) denotes.

    An exact match (ignoring case, spaces and hyphens) wins; otherwise a
    name that is part of exactly one cluster's label. NotFoundError lists
    the candidates when there are none or several.
    """
    clusters = clusters if clusters is not None else known_clusters(store)
    if not name.strip():
        raise InputError("a cluster name is empty")
    if _looks_like_iri(name):
        iri = expand_iri(name).value
        for cluster in clusters:
            if cluster.iri == iri:
                return cluster
        raise NotFoundError(f"{name} is not a cluster in the knowledge base; clusters: {listing(clusters)}")
    wanted = _normal(name)
    exact = exact_matches(clusters, name)
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [
        c for c in clusters if any(wanted in _normal(label) for label in c.labels) or wanted in _normal(_local(c))
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise NotFoundError(f"{name!r} is ambiguous; it matches {len(candidates)} clusters: {listing(candidates)}")
    raise NotFoundError(f"no cluster named {name!r}; clusters: {listing(clusters)}")


def listing(clusters: Iterable[ClusterName]) -> str:
    """Clusters as ``cki:x (label, label); ...`` for a message."""
    return "; ".join(c.describe() for c in clusters) or "none"
