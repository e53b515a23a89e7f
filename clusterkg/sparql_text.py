"""Reading SPARQL text without a full parser: its form, and binding values safely.

A remote endpoint cannot take pyoxigraph's substitutions, so values are bound
by a ``VALUES`` block placed at the start of the query's outermost group
(SEP-0007 substitution is engine-specific). The block is built from RDF terms
serialised by pyoxigraph (IRIs are validated, literals escaped), and it is
inserted between tokens found by a scanner that knows comments, strings and
IRIs: no value can change the query's shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n\r]|\\.)*"
             | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<word>[A-Za-z_][\w\-]*(?::[\w\-.%:]*)?|:[\w\-.%:]*)
  | (?P<punct>[{}()])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(sparql: str) -> list[Token]:
    """The significant tokens of a query (comments and white space left out)."""
    found = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "space"):
            found.append(Token(kind, match.group(), match.start(), match.end()))
    return found


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, or the keyword an update starts with.

    The prologue (``BASE`` and ``PREFIX`` declarations) is skipped token by
    token, comments anywhere, so neither a prefix name nor a value inside the
    query can be taken for the form. Returns ``""`` when no form is found.
    """
    toks = iter(tokens(sparql))
    for token in toks:
        if token.text == "\ufeff":  # a byte order mark
            continue
        word = token.text.upper() if token.kind == "word" else ""
        if word in ("BASE", "PREFIX"):
            for token in toks:  # up to the declaration's IRI
                if token.kind == "iri":
                    break
            continue
        return word if word in QUERY_FORMS or word in UPDATE_KEYWORDS else ""
    return ""


def require_form(sparql: str) -> str:
    """Like :func:`query_form`, but raises :class:`QueryError` when the text has no form at all."""
    form = query_form(sparql)
    if not form:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    return form


def looks_like_update(sparql: str) -> bool:
    """Whether the text is a SPARQL Update request rather than a query."""
    return query_form(sparql) in UPDATE_KEYWORDS


def term_text(name: str, term: object) -> str:
    """A bound value as SPARQL text: an IRI or a literal, serialised by pyoxigraph."""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    if isinstance(term, ox.BlankNode):
        raise QueryError(f"?{name}: a blank node cannot be bound to a variable sent to an endpoint")
    raise QueryError(f"?{name}: only an IRI or a literal can be bound, not {type(term).__name__}")


def values_block(bindings: Mapping[str, object]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` for the given bindings."""
    names = list(bindings)
    for name in names:
        if not _VARIABLE_NAME.match(name):
            raise QueryError(f"invalid variable name {name!r}")
    variables = " ".join(f"?{name}" for name in names)
    values = " ".join(term_text(name, bindings[name]) for name in names)
    return f"VALUES ({variables}) {{ ({values}) }}"


def _matching(toks: list[Token], index: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``index`` (or -1)."""
    depth = 0
    for position in range(index, len(toks)):
        if toks[position].text == "{":
            depth += 1
        elif toks[position].text == "}":
            depth -= 1
            if depth == 0:
                return position
    return -1


def _first_group(toks: list[Token], start: int) -> int:
    """Index of the first ``{`` at parenthesis depth 0 from ``start`` (or -1)."""
    depth = 0
    for position in range(start, len(toks)):
        text = toks[position].text
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif text == "{" and depth == 0:
            return position
    return -1


def _substitute(sparql: str, toks: list[Token], first: int, last: int, texts: Mapping[str, str]) -> str:
    """``sparql[toks[first].start:toks[last].start]`` with bound variables replaced by their terms.

    Left alone: a variable after ``AS``, in ``BOUND(...)``, in a ``VALUES``
    variable list and in a sub-select's projection, where the grammar needs a
    variable (the ``VALUES`` block binds those).
    """
    out: list[str] = []
    position = toks[first].start
    in_values = in_projection = False
    for index in range(first, last):
        token = toks[index]
        upper = token.text.upper()
        if token.kind == "word":
            if upper == "VALUES":
                in_values = True
            elif upper == "SELECT":
                in_projection = True
            elif upper == "WHERE":
                in_projection = False
        elif token.text == "{":
            in_values = in_projection = False
        if token.kind != "var" or token.text[1:] not in texts or in_values or in_projection:
            continue
        if index > 0 and toks[index - 1].text.upper() == "AS":
            continue
        if index > 1 and toks[index - 1].text == "(" and toks[index - 2].text.upper() == "BOUND":
            continue
        out.append(sparql[position : token.start])
        out.append(texts[token.text[1:]])
        position = token.end
    out.append(sparql[position : toks[last].start])
    return "".join(out)


def bind_values(sparql: str, bindings: Mapping[str, object] | None) -> str:
    """The query with its variables bound to RDF terms, following SEP-0007.

    Each occurrence of a bound variable in the query pattern is replaced by the
    term, and a ``VALUES`` block at the start of the outermost group keeps the
    variable bound for the projection, the template and the solution modifiers.
    """
    if not bindings:
        return sparql
    block = values_block(bindings)
    texts = {name: term_text(name, term) for name, term in bindings.items()}
    toks = tokens(sparql)
    form = require_form(sparql)
    if form not in QUERY_FORMS:
        raise QueryError("values can only be bound in a query, not in an update")
    form_index = next(i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() == form)
    start = form_index + 1
    head_text = ""
    head_end = 0  # where the text copied before the outermost group starts
    if form == "CONSTRUCT":
        first = _first_group(toks, start)
        close = _matching(toks, first) if first != -1 else -1
        if close == -1:
            raise QueryError("the CONSTRUCT query has no complete template")
        if first > start and toks[first - 1].text.upper() == "WHERE":  # short form CONSTRUCT WHERE { T }
            head_text = sparql[: toks[form_index].end] + " " + sparql[toks[first].start : toks[close].end]
            head_end = toks[form_index].end
            group = first
        else:
            group = _first_group(toks, close + 1)
    else:
        group = _first_group(toks, start)
    if group == -1:  # DESCRIBE <x> without a WHERE clause: a trailing VALUES block
        return f"{sparql}\n{block}\n"
    close = _matching(toks, group)
    if close == -1:
        raise QueryError("unbalanced braces in the query")
    head = head_text + sparql[head_end : toks[group].end]
    body = _substitute(sparql, toks, group + 1, close, texts) if close > group + 1 else ""
    tail = sparql[toks[close].start :]
    if group + 1 < close and toks[group + 1].text.upper() == "SELECT":  # the group is a sub-select: wrap it
        return f"{head} {block} {{ {body} }} {tail}"
    return f"{head} {block} {body}{tail}"
