"""The SPARQL front end: what a query text is, read from its tokens, never from a pattern over its text.

:func:`tokens` is a lexer that follows the terminals of the SPARQL 1.1 grammar
(section 19.8): IRIs, prefixed names with their escapes (``ex:a\\#b``), blank
nodes, variables, the four kinds of strings, language tags, numbers, comments
and punctuation. Everything that decides what a query does (its form, whether
it is an update, whether it calls ``SERVICE``, binding values into it) works
on those tokens, so a keyword inside a string, an IRI, a comment or an escaped
local name is never taken for one. The engine still parses the query itself;
this module only decides what clusterkg allows and how it rewrites values in.

Binding values for a remote endpoint: it cannot take pyoxigraph's
substitutions, so each bound variable is replaced by its RDF term in the
query pattern, and a ``VALUES`` block at the start of the outermost group
keeps it bound for the projection (SEP-0007). Terms are serialised by
pyoxigraph (IRIs are validated, literals escaped): no value can change the
query's shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache

import pyoxigraph as ox

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
    return [token for token in _scan(sparql) if token.kind not in ("comment", "space")]


def is_prefixed_name(text: str) -> bool:
    """Whether ``text`` is one prefixed name (``ckg:Cluster``, ``:x``) and nothing else.

    >>> is_prefixed_name("cki:cluster-bucheon"), is_prefixed_name("https://example.org/x")
    (True, False)
    """
    found = tokens(text)
    return len(found) == 1 and found[0].kind == "pname" and found[0].text == text


def keywords(sparql: str) -> set[str]:
    """The keywords of a query, upper-cased (``a`` aside)."""
    return {t.text.upper() for t in tokens(sparql) if t.kind == "keyword" and t.text != "a"}


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
        word = token.text.upper() if token.kind == "keyword" else ""
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


def uses_service(sparql: str) -> bool:
    """Whether the query calls a remote endpoint with ``SERVICE``.

    >>> uses_service("SELECT * { ?a <urn:x> 'SERVICE' }"), uses_service("SELECT * { SERVICE <urn:s> { } }")
    (False, True)
    """
    return "SERVICE" in keywords(sparql)


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
    return f"SPARQL syntax error at line {line}, column {column}, {near}: {detail}"


def _shorten(token: str, width: int = 30) -> str:
    return token if len(token) <= width else token[:width] + "..."


# --------------------------------------------------------------------------
# Binding values into the text
# --------------------------------------------------------------------------
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
        if token.kind == "keyword":
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
    form_index = next(i for i, t in enumerate(toks) if t.kind == "keyword" and t.text.upper() == form)
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


def pre_bind(text: str, bindings: Mapping[str, object]) -> str:
    """SHACL pre-binding: every occurrence of a pre-bound variable replaced by its value.

    Bare pre-bound variables leave the projections (``SELECT $this ?value``
    becomes ``SELECT ?value``, or ``SELECT *`` when nothing is left); callers
    add the values back to each solution. Values are IRIs or literals.

    >>> pre_bind("SELECT $this ?v WHERE { $this <urn:p> ?v }", {"this": ox.NamedNode("urn:a")})
    'SELECT ?v WHERE { <urn:a> <urn:p> ?v }'
    """
    toks = tokens(text)
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
