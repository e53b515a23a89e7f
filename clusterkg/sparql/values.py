"""Values written by people (``--param``, the web API) read as RDF terms.

``<https://...>`` is an IRI, ``cki:x`` a prefixed name with one of the
project's prefixes, ``"text"@ko`` and ``"5"^^<http://...#integer>`` literals
in N-Triples syntax; anything else is a plain string literal.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from ..errors import InputError, one_line
from ..namespaces import PREFIXES
from .results import Term
from .syntax import is_prefixed_name


def parse_term(value: str) -> Term:
    """An ad-hoc parameter value: ``<IRI>``, a literal in N-Triples syntax, else a plain literal.

    ``<https://...>`` is an IRI; ``"text"@ko`` and ``"5"^^<http://...#integer>``
    are literals as written; anything else is a plain string literal.

    >>> parse_term("<https://w3id.org/clusterkg/id/cluster-bucheon>")
    <NamedNode value=https://w3id.org/clusterkg/id/cluster-bucheon>
    >>> parse_term('"부천"@ko'), parse_term("Bucheon")
    (<Literal value=부천 language=ko>, <Literal value=Bucheon datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>)
    """
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1])
    if value.startswith('"') and ('"@' in value or '"^^<' in value or value.endswith('"')) and len(value) > 1:
        return _nt_literal(value)
    return ox.Literal(value)


def _iri(text: str) -> ox.NamedNode:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
        raise InputError(f"{text!r} is not an absolute IRI (write <scheme:...>, e.g. <https://w3id.org/clusterkg/id/...>)")
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise InputError(f"invalid IRI <{text}>: {exc}") from None


def _nt_literal(text: str) -> ox.Literal:
    line = f"<urn:x:s> <urn:x:p> {text} .\n"
    try:
        triples = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise InputError(f"cannot read the literal {text}: {one_line(exc)}") from None
    if len(triples) != 1 or not isinstance(triples[0].object, ox.Literal):
        raise InputError(f"cannot read the literal {text}")
    return triples[0].object


def expand_iri(value: str) -> ox.NamedNode:
    """``<IRI>``, a prefixed name with one of the project's prefixes (``cki:x``), or an absolute IRI."""
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1])
    if is_prefixed_name(value) and "://" not in value and not value.startswith("urn:"):
        prefix, _, local = value.partition(":")
        if prefix not in PREFIXES:
            raise InputError(f"unknown prefix in {value!r}; known prefixes: {', '.join(PREFIXES)}")
        return _iri(PREFIXES[prefix] + local)
    return _iri(value)
