"""Limits every query is held to before an engine sees it: length, nesting, tokens and patterns.

Oxigraph's parser is recursive: a query nested about 2,500 levels deep, or a
chain of some 20,000 operators, overflows its stack and kills the process
with no message; its planner takes time growing with about the fourth power
of the patterns it joins. :func:`check_limits` reads the query's tokens (the
lexer of :mod:`.syntax`) and refuses such a text with one line, so neither
the command line, nor the server, nor an endpoint is handed it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import QueryError
from .syntax import Token, tokens

#: A query's length in characters.
MAX_QUERY_CHARS = 1_000_000
#: Nesting of ``{ }``, ``( )``, ``[ ]``, ``<< >>`` and runs of ``!``: Oxigraph's parser overflows its stack
#: and kills the process at about 2,500 levels.
MAX_DEPTH = 64
#: Tokens, the data of ``VALUES`` blocks aside: long chains (``1 + 1 + ...``, ``{ } UNION { } ...``) crash
#: the engine at about 20,000.
MAX_TOKENS = 10_000
#: Triple patterns and groups: Oxigraph's planner takes time growing with about the fourth power of the
#: patterns it joins (2 s at 100, 30 s at 200, on an empty store).
MAX_PATTERNS = 100

_OPENERS = {"{": "}", "{|": "|}", "(": ")", "[": "]", "<<": ">>"}
_CLOSERS = frozenset(_OPENERS.values())
_TERM_KINDS = frozenset({"var", "iri", "pname", "string", "number", "bnode"})
_SEPARATORS = frozenset({".", ";", ",", "/"})
_PATTERN_ROLES = frozenset({"group", "triples", "collection"})


def check_limits(sparql: str, toks: Sequence[Token] | None = None) -> None:
    """Refuse a query past :data:`MAX_QUERY_CHARS`, :data:`MAX_DEPTH`, :data:`MAX_TOKENS` or
    :data:`MAX_PATTERNS` (a one-line :class:`QueryError`), before any engine sees it.

    Patterns are counted from the tokens, as an upper bound: each group ``{``,
    each ``[``, ``<<`` and ``{|``, each ``.``, ``;``, ``,`` and ``/`` among
    triple patterns, and two for each item of a collection (an RDF list is two
    triples an item); ``toks``: the query's tokens, when they are at hand. Expressions (``FILTER``, ``BIND``, function calls), the
    ``CONSTRUCT`` template and ``VALUES`` data add no pattern.

    >>> check_limits("SELECT * WHERE { ?s ?p ?o FILTER(?o IN (1, 2, 3)) }")
    >>> check_limits("SELECT * WHERE " + "{ " * 100 + "}" * 100)
    Traceback (most recent call last):
    ...
    clusterkg.errors.QueryError: the query nests too deeply: more than 64 levels of brackets, at line 1, column 144
    """
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long: {len(sparql):,} characters (at most {MAX_QUERY_CHARS:,})")
    stack: list[tuple[str, str]] = []  # (closing text, role) of each open bracket
    counted = patterns = bangs = 0
    before: tuple[Token | None, Token | None] = (None, None)  # the two tokens before this one
    pending = ""  # "values" after VALUES, "template" after a top-level CONSTRUCT
    for token in tokens(sparql) if toks is None else toks:
        text, kind = token.text, token.kind
        role = stack[-1][1] if stack else "top"
        if role != "data":
            counted += 1
        bangs = bangs + 1 if text == "!" else 0
        if kind == "punct" and text in _OPENERS:
            opened = _role(text, role, before, pending)
            if text == "{":
                pending = ""
            if opened in _PATTERN_ROLES and text != "(":
                patterns += 1
            stack.append((_OPENERS[text], opened))
        elif kind == "punct" and text in _CLOSERS:
            if stack and stack[-1][0] == text:
                stack.pop()
        elif kind == "keyword":
            word = text.upper()
            if word == "VALUES":
                pending = "values"
            elif word == "CONSTRUCT" and not stack:
                pending = "template"
            elif word == "WHERE" and pending == "template":
                pending = ""  # CONSTRUCT WHERE { ... }: the group is the pattern too
            elif word == "A" and role == "collection":
                patterns += 2
        elif role == "collection" and kind in _TERM_KINDS:
            patterns += 2
        elif role in _PATTERN_ROLES and kind == "punct" and text in _SEPARATORS:
            patterns += 1
        if len(stack) + bangs > MAX_DEPTH:
            raise QueryError(f"the query nests too deeply: more than {MAX_DEPTH} levels of brackets, "
                             f"at {_place(sparql, token.start)}")
        if counted > MAX_TOKENS:
            raise QueryError(f"the query is too large: more than {MAX_TOKENS:,} tokens (VALUES data aside), "
                             f"at {_place(sparql, token.start)}")
        if patterns > MAX_PATTERNS:
            raise QueryError(f"the query has too many patterns: more than {MAX_PATTERNS} triple patterns and "
                             f"groups (at {_place(sparql, token.start)}), which the engine would take very long "
                             "to plan; split it into several queries, or list values with VALUES")
        before = (before[1], token)


def check_depth(request: str) -> None:
    """Refuse a text nested past :data:`MAX_DEPTH` (what overflows the engine's parser), whatever its size:
    the one limit an update is held to, since its data (``INSERT DATA``) may be of any length.

    >>> check_depth("INSERT { <urn:a> <urn:b> 1 } WHERE " + "{ " * 100 + "}" * 100)
    Traceback (most recent call last):
    ...
    clusterkg.errors.QueryError: the request nests too deeply: more than 64 levels of brackets, at line 1, column 164
    """
    stack: list[str] = []
    bangs = 0
    for token in tokens(request):
        text = token.text
        bangs = bangs + 1 if text == "!" else 0
        if token.kind == "punct" and text in _OPENERS:
            stack.append(_OPENERS[text])
        elif token.kind == "punct" and text in _CLOSERS and stack and stack[-1] == text:
            stack.pop()
        if len(stack) + bangs > MAX_DEPTH:
            raise QueryError(f"the request nests too deeply: more than {MAX_DEPTH} levels of brackets, "
                             f"at {_place(request, token.start)}")


def _role(opener: str, role: str, before: tuple[Token | None, Token | None], pending: str) -> str:
    """What a bracket opened in a context of ``role`` holds (see :func:`check_limits`)."""
    if role in ("data", "template", "expression") and opener != "{" or role == "data":
        return role
    if opener == "{":
        return {"values": "data", "template": "template"}.get(pending, "group")
    if role == "top":
        return "expression"  # SELECT (...), GROUP BY (...), ORDER BY (...), a VALUES variable list
    if opener != "(":
        return "triples"  # [ ], << >>, {| |}
    last, first = before[1], before[0]
    if last is not None and last.kind == "keyword" and last.text != "a":
        return "expression"  # FILTER(, BIND(, STR(, IN (, a VALUES variable list
    if last is not None and last.kind in ("iri", "pname") and first is not None and first.text.upper() == "FILTER":
        return "expression"  # FILTER ex:f(...)
    return "collection"  # an RDF list, or a group in a property path


def _place(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
