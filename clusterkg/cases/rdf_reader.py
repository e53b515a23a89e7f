"""Case entries in Turtle or JSON-LD: each cluster with its blank nodes and the nodes only it links to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF

from ..errors import InputError
from ..inputs import parse_rdf
from ..namespaces import PREFIXES
from ..rdfterms import to_rdflib
from .model import CKG_IRI, CLUSTER_TYPES, Entry, EntryFile, Location, Triple

#: The RDF syntaxes of case files.
RDF_SYNTAXES = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def read_triples(path: Path, fmt: str, text: str | None = None, prefixes: dict[str, str] | None = None) -> list[Triple]:
    """The triples of a Turtle or JSON-LD case file, as rdflib terms; named graphs are refused."""
    triples = []
    for quad in parse_rdf(path, RDF_SYNTAXES[fmt], text, prefixes=prefixes):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise InputError(f"{path}: named graphs are not supported in a case file")
        triples.append((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return triples


def read_rdf(path: Path, fmt: str, text: str, closure: dict[str, set[str]] | None = None) -> EntryFile:
    """An RDF file as entries: each cluster with its blank nodes and the nodes only it links to."""
    result = EntryFile(str(path), fmt)
    triples = read_triples(path, fmt, text, prefixes=result.prefixes)
    if not triples:
        raise InputError(f"{path}: the file holds no triples")
    lines = first_lines(text, fmt)
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


def first_lines(text: str, fmt: str) -> dict[str, int]:
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
