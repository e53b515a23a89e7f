"""The one set of converters between rdflib's and pyoxigraph's RDF terms.

The store, the query engine and the parsers are pyoxigraph's; pySHACL,
OWL-RL and the entry converters work on rdflib graphs. Terms cross between
them here and nowhere else. Importing this module imports rdflib (slow):
the query path never needs it.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .errors import InputError
from .namespaces import XSD_STRING

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as an rdflib term.

    >>> to_rdflib(ox.Literal("서울", language="ko"))
    rdflib.term.Literal('서울', lang='ko')
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported RDF term {term!r}")


def to_oxigraph(term: Any) -> OxTerm:
    """An rdflib term as a pyoxigraph term.

    >>> to_oxigraph(URIRef("https://example.org/x"))
    <NamedNode value=https://example.org/x>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise InputError(f"unsupported RDF term {term!r}")


def triple_to_oxigraph(triple: tuple[Any, Any, Any]) -> ox.Triple:
    """An rdflib triple as a pyoxigraph triple."""
    s, p, o = (to_oxigraph(t) for t in triple)
    return ox.Triple(s, p, o)  # type: ignore[arg-type]
