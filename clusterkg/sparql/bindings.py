"""Binding values to a query's variables by putting their RDF terms into its text, token by token.

Like Jena's ``ParameterizedSparqlString``, each occurrence of a bound variable
is replaced by its term, serialised by pyoxigraph (IRIs validated, literals
escaped), so that no value can change what the query does. The same text goes
to the embedded store, to the server's workers and to any endpoint, so every
engine gives the same answer. Any variable of any query form can be bound,
whether the query selects it or not.

Where the grammar needs a variable, the rewrite keeps the query valid and the
variable in the answer:

* a selected variable becomes ``(<term> AS ?v)``; ``SELECT *`` and
  ``DESCRIBE *`` keep it through a ``VALUES`` block at the start of their
  ``WHERE`` group (the only place a variable that no longer occurs could come from);
* in ``GROUP BY`` and ``ORDER BY`` a bare variable becomes ``(<term>)``;
* ``BOUND(?v)`` becomes ``true``;
* a variable the query gives a value itself (``BIND(... AS ?v)``, ``(... AS ?v)``,
  ``VALUES ?v``) cannot be bound: an error says so, rather than an empty answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from ..errors import QueryError
from .syntax import QUERY_FORMS, Token, require_form, tokens

_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
#: Keywords that end a GROUP BY or ORDER BY list.
_AFTER_CONDITIONS = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP"}


def term_text(name: str, term: object) -> str:
    """A bound value as SPARQL text: an IRI or a literal, serialised by pyoxigraph.

    >>> term_text("v", ox.Literal('say "hi"', language="en"))
    '"say \\\\"hi\\\\""@en'
    """
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    if isinstance(term, ox.BlankNode):
        raise QueryError(f"?{name}: a blank node cannot be bound (it would stand for any node): bind an IRI or a literal")
    raise QueryError(f"?{name}: only an IRI or a literal can be bound, not {type(term).__name__}")


def _values_block(texts: Mapping[str, str]) -> str:
    names = list(texts)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(texts[n] for n in names)}) }}"


def _assigned(name: str, how: str) -> QueryError:
    return QueryError(f"cannot bind ?{name}: the query gives it a value itself ({how}); bind another variable")


class _Rewriter:
    """One pass over a query's tokens, writing the bound text."""

    def __init__(self, sparql: str, toks: list[Token], texts: Mapping[str, str]) -> None:
        self.sparql, self.toks, self.texts = sparql, toks, texts
        self.out: list[str] = []
        self.position = 0  # how far the text has been copied

    def replace(self, first: int, last: int, text: str) -> None:
        """Put ``text`` in place of tokens ``first``..``last`` (inclusive)."""
        self.out.append(self.sparql[self.position : self.toks[first].start])
        self.out.append(text)
        self.position = self.toks[last].end

    def insert_after(self, index: int, text: str) -> None:
        self.out.append(self.sparql[self.position : self.toks[index].end])
        self.out.append(" " + text + " ")
        self.position = self.toks[index].end

    def bound(self, index: int) -> str | None:
        token = self.toks[index]
        return token.text[1:] if token.kind == "var" and token.text[1:] in self.texts else None

    def run(self) -> str:
        toks, texts = self.toks, self.texts
        projection = False  # inside SELECT ... / DESCRIBE ... up to WHERE or {
        star = False  # the projection is '*': keep the bound variables with a VALUES block
        describe = False  # the projection is DESCRIBE's: terms, not expressions
        conditions = False  # inside GROUP BY / ORDER BY
        depth = 0  # parentheses since the clause began
        index = 0
        while index < len(toks):
            token = toks[index]
            word = token.text.upper() if token.kind == "keyword" else ""
            if word in ("SELECT", "DESCRIBE"):
                projection, star, conditions, depth, describe = True, False, False, 0, word == "DESCRIBE"
            elif word == "BY" and index and toks[index - 1].text.upper() in ("GROUP", "ORDER"):
                conditions, depth = True, 0
            elif word in _AFTER_CONDITIONS and depth == 0:
                conditions = False
            if word == "VALUES":
                self._check_values(index)
            if word == "WHERE" and projection:
                projection = False
            elif word == "BOUND" and index + 3 < len(toks) and toks[index + 1].text == "(" and self.bound(index + 2) \
                    and toks[index + 3].text == ")":
                self.replace(index, index + 3, "true")
                index += 4
                continue
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
            elif token.text == "*" and projection and depth == 0:
                star = True
            elif token.text == "{":
                if projection or star:
                    if star:
                        self.insert_after(index, _values_block(texts))
                    projection = star = False
                conditions = False
            elif token.text == "}":
                conditions = False
            name = self.bound(index)
            if name is not None:
                previous = toks[index - 1].text.upper() if index else ""
                if previous == "AS":
                    raise _assigned(name, "AS")
                if projection and depth == 0 and not describe:
                    self.replace(index, index, f"({texts[name]} AS ?{name})")
                elif conditions and depth == 0:
                    self.replace(index, index, f"({texts[name]})")
                else:
                    self.replace(index, index, texts[name])
            index += 1
        self.out.append(self.sparql[self.position :])
        return "".join(self.out)

    def _check_values(self, index: int) -> None:
        """A VALUES clause that lists a bound variable is an error (the two would never agree)."""
        for following in self.toks[index + 1 :]:
            if following.text == "{":
                return
            if following.kind == "var" and following.text[1:] in self.texts:
                raise _assigned(following.text[1:], "VALUES")


def bind(sparql: str, bindings: Mapping[str, object] | None) -> str:
    """The query with its variables bound to RDF terms (see the module's description).

    >>> bind("SELECT ?x WHERE { ?x <urn:p> ?v }", {"v": ox.Literal("1")})
    'SELECT ?x WHERE { ?x <urn:p> "1" }'
    >>> bind("SELECT ?v ?x WHERE { ?x <urn:p> ?v } ORDER BY ?v", {"v": ox.NamedNode("urn:a")})
    'SELECT (<urn:a> AS ?v) ?x WHERE { ?x <urn:p> <urn:a> } ORDER BY (<urn:a>)'
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not _VARIABLE_NAME.match(name):
            raise QueryError(f"invalid variable name {name!r}")
    texts = {name: term_text(name, term) for name, term in bindings.items()}
    if require_form(sparql) not in QUERY_FORMS:
        raise QueryError("values can only be bound in a query, not in an update")
    return _Rewriter(sparql, tokens(sparql), texts).run()
