"""The SPARQL front end: what a query text is, read from its tokens, never from a pattern over its text.

:func:`tokens` is a lexer that follows the terminals of the SPARQL 1.1 grammar
(section 19.8): IRIs, prefixed names with their escapes (``ex:a\\#b``), blank
nodes, variables, the four kinds of strings, language tags, numbers, comments
and punctuation. Everything that decides what a query does (its form, whether
it is an update, whether it calls ``SERVICE``, binding values into it) works
on those tokens, so a keyword inside a string, an IRI, a comment or an escaped
local name is never taken for one. The engine still parses the query itself;
this module only decides what clusterkg allows and how it rewrites values in.

Binding values into a query is :mod:`.bindings`' job, rewriting an update
onto the user's graphs :mod:`.updates`'; both work on these tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, lru_cache

from ..errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

# The terminals of the SPARQL 1.1 grammar (https://www.w3.org/TR/sparql11-query/#terminals).
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"
_LONG2 = '"""(?:(?:"|"")?(?:[^"\\\\]|' + _ECHAR + '))*"""'
_LONG1 = "'''(?:(?:'|'')?(?:[^'\\\\]|" + _ECHAR + "))*'''"
_SHORT2 = '"(?:[^"\\\\\\n\\r]|' + _ECHAR + ')*"'
_SHORT1 = "'(?:[^'\\\\\\n\\r]|" + _ECHAR + ")*'"

_TERMINALS = (
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in (
            ("space", r"[\x20\t\r\n]+"),
            ("comment", r"#[^\n\r]*"),
            ("string", f"{_LONG2}|{_LONG1}|{_SHORT2}|{_SHORT1}"),
            ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
            ("bnode", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
            ("var", f"[?$]{_VARNAME}"),
            ("pname", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
            ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?"),
            ("number", r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"),
            ("keyword", r"[A-Za-z_][A-Za-z0-9_]*"),
            ("punct", r"\^\^|\|\||&&|!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\].,;*+\-/!=<>&|^~]"),
            ("other", r"."),
        )
    )
)
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class Token:
    """One token: its kind (``iri``, ``pname``, ``var``, ``keyword``, ``punct``, ...), text and place.

    A plain class rather than a dataclass: this module is on every command's start-up path.
    """

    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int) -> None:
        self.kind, self.text, self.start, self.end = kind, text, start, end

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, {self.start}, {self.end})"


@cache
def _lexer() -> re.Pattern[str]:
    """The compiled lexer (compiling its Unicode classes takes tens of milliseconds: only when first needed)."""
    return re.compile(_TERMINALS, re.DOTALL)


def _scan(sparql: str) -> Iterator[Token]:
    for match in _lexer().finditer(sparql):
        yield Token(match.lastgroup or "other", match.group(), match.start(), match.end())


def tokens(sparql: str) -> list[Token]:
    """The significant tokens of a query (comments and white space left out).

    >>> [t.kind for t in tokens(r"SELECT * { ?s ex:a\\#b 'x' } # SERVICE")]
    ['keyword', 'punct', 'punct', 'var', 'pname', 'string', 'punct']
    """
    return [Token(kind, match.group(), *match.span()) for match in _lexer().finditer(sparql)
            if (kind := match.lastgroup or "other") not in ("comment", "space")]


@lru_cache(maxsize=256)
def _tokens_of(sparql: str) -> tuple[Token, ...]:
    """The tokens of a text that is read again and again (a shape's SPARQL, pre-bound once per focus node)."""
    return tuple(tokens(sparql))


def is_prefixed_name(text: str) -> bool:
    """Whether ``text`` is one prefixed name (``ckg:Cluster``, ``:x``) and nothing else.

    >>> is_prefixed_name("cki:cluster-bucheon"), is_prefixed_name("https://example.org/x")
    (True, False)
    """
    found = tokens(text)
    return len(found) == 1 and found[0].kind == "pname" and found[0].text == text


def keywords(sparql: str, toks: Sequence[Token] | None = None) -> set[str]:
    """The keywords of a query, upper-cased (``a`` aside); ``toks``: its tokens, when they are at hand."""
    return {t.text.upper() for t in (tokens(sparql) if toks is None else toks) if t.kind == "keyword" and t.text != "a"}


def query_form(sparql: str, toks: Sequence[Token] | None = None) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, or the keyword an update starts with.

    The prologue (``BASE`` and ``PREFIX`` declarations) is skipped token by
    token, comments anywhere, so neither a prefix name nor a value inside the
    query can be taken for the form. Returns ``""`` when no form is found.
    ``toks``: the query's tokens, when they are at hand (a text is lexed once).
    """
    scan = iter(tokens(sparql) if toks is None else toks)
    for token in scan:
        if token.text == "\ufeff":  # a byte order mark
            continue
        word = token.text.upper() if token.kind == "keyword" else ""
        if word in ("BASE", "PREFIX"):
            for token in scan:  # up to the declaration's IRI
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


def looks_like_update(sparql: str, toks: Sequence[Token] | None = None) -> bool:
    """Whether the text is a SPARQL Update request rather than a query."""
    return query_form(sparql, toks) in UPDATE_KEYWORDS


def uses_service(sparql: str, toks: Sequence[Token] | None = None) -> bool:
    """Whether the query calls a remote endpoint with ``SERVICE``.

    >>> uses_service("SELECT * { ?a <urn:x> 'SERVICE' }"), uses_service("SELECT * { SERVICE <urn:s> { } }")
    (False, True)
    """
    return "SERVICE" in keywords(sparql, toks)


def refuse_update(sparql: str) -> str:
    """The query's form; QueryError if the text is a SPARQL Update."""
    form = query_form(sparql)
    if form in UPDATE_KEYWORDS:
        raise QueryError(
            f"refused: this is a SPARQL Update ({form}), and the query command never modifies the store"
        )
    return form


_POSITION = re.compile(r"error at (\d+):(\d+)")


def has_position(message: str) -> bool:
    """Whether an engine's error message says where in the query the error is."""
    return bool(_POSITION.search(message))


def error_position(message: str) -> tuple[int, int] | None:
    """The line and column an engine's error message gives (``error at 3:14``), or None."""
    match = _POSITION.search(message)
    return (int(match[1]), int(match[2])) if match else None


def explain_syntax_error(message: str, sparql: str, line_offset: int = 0, column_offset: int = 0) -> str:
    """Restate an engine's syntax error with line, column and the offending token.

    ``line_offset``/``column_offset`` undo text that was put before the
    user's query (on its first line) before it reached the engine.
    """
    message = " ".join(message.split())
    match = _POSITION.search(message)
    if not match:
        return f"SPARQL syntax error: {message}"
    line, column = int(match[1]), int(match[2])
    if line == 1:
        column -= column_offset
    line -= line_offset
    detail = _POSITION.sub("", message, count=1).strip(" :")
    lines = sparql.splitlines() or [""]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    rest = text[max(column - 1, 0):] if column > 0 else ""
    token_match = re.match(r"\s*(\S+)", rest)
    if token_match:
        near = f"at {_shorten(token_match.group(1))!r}"
    else:
        before = text[: max(column - 1, 0)].split()
        if before:
            near = f"after {_shorten(before[-1])!r} at the end of the line"
        else:
            near = "at the end of the query"
    hint = _incomplete_triple(sparql, lines, line, column)
    if hint:
        detail = f"{hint} (the parser expected: {detail.removeprefix('expected ')})"
    return f"SPARQL syntax error at line {line}, column {column}, {near}: {detail}"


#: Tokens that can be one term of a triple pattern (a string's language tag or datatype aside).
_TERM_KINDS = {"var", "iri", "pname", "bnode", "string", "number"}


def _incomplete_triple(sparql: str, lines: list[str], line: int, column: int) -> str:
    """A plainer reason when the engine stops at the end of a triple pattern that lacks terms.

    >>> _incomplete_triple("SELECT * WHERE { ?s ?p }", ["SELECT * WHERE { ?s ?p }"], 1, 25)
    "a triple pattern needs a subject, a predicate and an object, and '?s ?p' has 2 of them"
    """
    if not 0 < line <= len(lines):
        return ""
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + max(column - 1, 0)
    toks = tokens(sparql)
    at = next((i for i, t in enumerate(toks) if t.start >= offset), len(toks) - 1)  # the end: the last token
    if at > 0 and toks[at].text == "}" and toks[at - 1].text == ".":
        at -= 1
    if at <= 0 or toks[at].text not in ("}", "."):
        return ""
    terms, start = 0, at
    while start > 0:
        previous = toks[start - 1]
        if previous.text in ("{", ".", "}"):
            break
        if previous.kind in ("langtag",) or previous.text == "^^" or (start > 1 and toks[start - 2].text == "^^"):
            start -= 1
            continue
        if previous.kind not in _TERM_KINDS and not (previous.kind == "keyword" and previous.text == "a"):
            return ""
        terms += 1
        start -= 1
    if not 0 < terms < 3:
        return ""
    written = sparql[toks[start].start : toks[at - 1].end]
    return f"a triple pattern needs a subject, a predicate and an object, and {_shorten(written)!r} has {terms} of them"


def has_dataset_clause(sparql: str, toks: Sequence[Token] | None = None) -> bool:
    """Whether a query names its dataset itself, with ``FROM`` or ``FROM NAMED``.

    Such a query runs on exactly the graphs it names (SPARQL 1.1, section 13.2);
    any other on the store's default dataset.

    >>> has_dataset_clause("SELECT * FROM <urn:g> { ?s ?p ?o }"), has_dataset_clause("SELECT * { ?s <urn:from> 'FROM' }")
    (True, False)
    """
    return "from" in sparql.lower() and "FROM" in keywords(sparql, toks)  # the lexer only when the word is there


def star_variables(sparql: str, toks: Sequence[Token] | None = None) -> list[str] | None:
    """The variables of a ``SELECT *`` query in the order they first appear in it; None for other queries.

    >>> star_variables("SELECT * WHERE { ?s ?p ?o . ?o ?q ?a }"), star_variables("SELECT ?o ?s { ?s ?p ?o }")
    (['s', 'p', 'o', 'q', 'a'], None)
    """
    if "*" not in sparql:
        return None
    toks = tokens(sparql) if toks is None else toks
    form = query_form(sparql, toks)
    if form != "SELECT":
        return None
    index = next(i for i, t in enumerate(toks) if t.kind == "keyword" and t.text.upper() == "SELECT")
    index += 1
    if index < len(toks) and toks[index].text.upper() in ("DISTINCT", "REDUCED"):
        index += 1
    if index >= len(toks) or toks[index].text != "*":
        return None
    order: dict[str, None] = {}
    for token in toks[index + 1 :]:
        if token.kind == "var":
            order.setdefault(token.text[1:], None)
    return list(order)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def has_relative_iri(sparql: str) -> bool:
    """Whether the text writes an IRI that needs a base to be resolved against (``<s>``, ``<#x>``, ``<>``).

    >>> has_relative_iri("CONSTRUCT { <s> <p> 1 } WHERE {}"), has_relative_iri("ASK { <urn:a> ?p '<b>' }")
    (True, False)
    """
    return "<" in sparql and any(t.kind == "iri" and not _SCHEME.match(t.text[1:-1]) for t in tokens(sparql))


def _shorten(token: str, width: int = 30) -> str:
    return token if len(token) <= width else token[:width] + "..."


def pre_bind(text: str, bindings: Mapping[str, object]) -> str:
    """SHACL pre-binding: every occurrence of a pre-bound variable replaced by its value.

    Bare pre-bound variables leave the projections (``SELECT $this ?value``
    becomes ``SELECT ?value``, or ``SELECT *`` when nothing is left); callers
    add the values back to each solution. Values are IRIs or literals.

    >>> import pyoxigraph as ox
    >>> pre_bind("SELECT $this ?v WHERE { $this <urn:p> ?v }", {"this": ox.NamedNode("urn:a")})
    'SELECT ?v WHERE { <urn:a> <urn:p> ?v }'
    """
    toks = _tokens_of(text)
    out: list[str] = []
    position = 0
    index = 0
    while index < len(toks):
        token = toks[index]
        if token.kind == "keyword" and token.text.upper() == "SELECT":
            start = index + 1
            if start < len(toks) and toks[start].text.upper() in ("DISTINCT", "REDUCED"):
                start += 1
            end, depth = start, 0
            while end < len(toks) and not (depth == 0 and toks[end].text.upper() in ("{", "WHERE")):
                depth += (toks[end].text == "(") - (toks[end].text == ")")
                end += 1
            out.append(text[position : token.end] if start == index + 1 else text[position : toks[start - 1].end])
            position = toks[start - 1].end
            kept, depth = [], 0
            for inner in toks[start:end]:
                depth += (inner.text == "(") - (inner.text == ")")
                if depth == 0 and inner.kind == "var" and inner.text[1:] in bindings:
                    continue
                kept.append(_bound(inner, bindings))
            projection = " ".join(kept).replace("( ", "(").replace(" )", ")") or "*"
            out.append(" " + projection + " ")
            position = toks[end].start if end < len(toks) else len(text)
            index = end
            continue
        out.append(text[position : token.start])
        out.append(_bound(token, bindings))
        position = token.end
        index += 1
    out.append(text[position:])
    return "".join(out)


def _bound(token: Token, bindings: Mapping[str, object]) -> str:
    if token.kind == "var" and token.text[1:] in bindings:
        return str(bindings[token.text[1:]])
    return token.text



def bind_many(text: str, variable: str, values: list[object], drop_slice: bool = False) -> str:
    """A SELECT query evaluated once for many values of a variable: ``VALUES`` first in its WHERE group.

    The variable is added to the projection (unless it is there or the query is ``SELECT *``) so that
    each solution says which value it belongs to. For a query whose WHERE group holds only triple
    patterns, filters and binds (the caller checks that on a parse), the solutions for one value are
    those of the query with that value pre-bound (SHACL's pre-binding, :func:`pre_bind`). With
    ``drop_slice``, a trailing ``LIMIT``/``OFFSET`` is left out (the caller applies it to each value's
    solutions); anything else after the WHERE group is a ValueError.

    >>> import pyoxigraph as ox
    >>> bind_many("SELECT ?v WHERE { $this <urn:p> ?v } LIMIT 1", "this", [ox.NamedNode("urn:a"), ox.NamedNode("urn:b")], True)
    'SELECT ?this ?v WHERE { VALUES ?this { <urn:a> <urn:b> } $this <urn:p> ?v }'
    """
    toks = _tokens_of(text)
    select = next(i for i, t in enumerate(toks) if t.kind == "keyword" and t.text.upper() == "SELECT")
    start = select + 1
    if start < len(toks) and toks[start].text.upper() in ("DISTINCT", "REDUCED"):
        start += 1
    end, depth, projected = start, 0, toks[start].text == "*"
    while not (depth == 0 and toks[end].text == "{"):
        depth += (toks[end].text == "(") - (toks[end].text == ")")
        projected = projected or (depth == 0 and toks[end].kind == "var" and toks[end].text[1:] == variable)
        end += 1
    close, depth = end, 0
    while True:
        depth += (toks[close].text == "{") - (toks[close].text == "}")
        if depth == 0:
            break
        close += 1
    rest = toks[close + 1 :]
    if drop_slice and rest:
        if not all(t.kind == "number" or t.text.upper() in ("LIMIT", "OFFSET") for t in rest):
            raise ValueError("only LIMIT and OFFSET may follow the WHERE group")
        tail = ""
    else:
        tail = text[toks[close].end :]
    brace = toks[end].end
    head = text[: toks[start - 1].end] + ("" if projected else f" ?{variable}") + text[toks[start - 1].end : brace]
    block = f" VALUES ?{variable} {{ {' '.join(str(v) for v in values)} }}"
    return head + block + text[brace : toks[close].end] + tail
