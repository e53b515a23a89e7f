"""A SPARQL 1.1 Update request rewritten onto the user's dataset, token by token.

The store holds clusterkg's own graphs (:func:`clusterkg.namespaces.is_own_graph`) beside the user's.
An update sees and changes the user's graphs only:

* its default graph is ``https://w3id.org/clusterkg/graph/user/default``: ``DEFAULT``, triples outside
  ``GRAPH`` in ``INSERT DATA``/``DELETE DATA``, templates without ``WITH``, ``LOAD`` without ``INTO``;
* ``NAMED`` and ``ALL`` mean the user's graphs, and a ``WHERE`` without ``USING`` reads the user default
  graph with the user's named graphs (``USING`` / ``USING NAMED`` are added);
* an operation naming one of clusterkg's graphs as a target (``INSERT DATA { GRAPH <kb/...> }``, ``WITH``,
  ``CLEAR``, ``DROP``, ``LOAD INTO``, ``MOVE`` from it, ``ADD``/``COPY``/``MOVE`` to it) is refused before
  anything runs; a template's ``GRAPH ?g`` never reaches one (the variable is guarded in the ``WHERE``).

The knowledge base is read by naming its graphs: ``USING <https://w3id.org/clusterkg/graph/kb/cases>``
makes it the ``WHERE`` clause's default graph, ``USING NAMED`` plus ``GRAPH`` reads it by name. The
rewrite is a list of edits; :meth:`Rewritten.original_offset` maps a position in the rewritten text (an
engine's syntax error) back to the user's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import GRAPH, USER_GRAPH, is_own_graph
from .limits import check_depth
from .syntax import QUERY_FORMS, Token, query_form, tokens

NO_GRAPH = GRAPH + "none"  # never exists: what ``CLEAR NAMED`` without named graphs becomes


@dataclass(frozen=True)
class UserGraphs:
    """The user's dataset as the store holds it now: the default graph and the named graphs."""

    default: str
    named: tuple[str, ...] = ()


@dataclass
class Rewritten:
    """The rewritten request, and the edits that made it (for mapping positions back)."""

    text: str
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    #: nothing but BASE and PREFIX declarations (or nothing at all): a valid update that does nothing
    empty: bool = False

    def original_offset(self, offset: int) -> int:
        """The offset in the user's text of a character of the rewritten text."""
        shift = 0
        for start, end, replacement in self.edits:
            if offset < start + shift:
                break
            if offset < start + shift + len(replacement):
                return start
            shift += len(replacement) - (end - start)
        return offset - shift


class UpdateRefused(QueryError):
    """An update that would change one of clusterkg's graphs, or do what is not allowed where it runs."""


def refused(iri: str) -> UpdateRefused:
    return UpdateRefused(
        f"refused: the update would change <{iri}>, one of clusterkg's own graphs (the shipped knowledge base, "
        f"cases, links, inferences); an update changes only your graphs (any other IRI, or {USER_GRAPH}...). "
        "Nothing was applied"
    )


@lru_cache(maxsize=256)
def resolve_iri(iri: str, base: str | None) -> str:
    """An IRI resolved against ``base`` the way the engine resolves it (RFC 3987, by pyoxigraph's parser)."""
    if base is None:
        return iri
    try:
        quads = ox.parse(f"<{iri}> <urn:x:p> <urn:x:o> .".encode(), format=ox.RdfFormat.TURTLE, base_iri=base)
        subject = next(iter(quads)).subject
    except (SyntaxError, ValueError, StopIteration):
        return iri
    return subject.value if isinstance(subject, ox.NamedNode) else iri


class _Request:
    """The tokens of one request, the prefixes and base declared so far, and the edits made."""

    def __init__(self, text: str, base: str | None, prefixes: Mapping[str, str]) -> None:
        self.text = text
        self.toks = tokens(text)
        self.base = base
        self.prefixes = dict(prefixes)
        self.edits: list[tuple[int, int, str]] = []
        self.guards = 0

    def token(self, index: int) -> Token:
        """The token at ``index``; past the end, an empty one (a truncated request is the engine's to report)."""
        if index < len(self.toks):
            return self.toks[index]
        return Token("end", "", len(self.text), len(self.text))

    def word(self, index: int) -> str:
        if index >= len(self.toks):
            return ""
        token = self.toks[index]
        return token.text.upper() if token.kind == "keyword" else token.text

    def closing(self, index: int) -> int:
        """The index of the ``}`` closing the ``{`` at ``index`` (the last token if it is not closed)."""
        depth = 0
        for position in range(index, len(self.toks)):
            if self.toks[position].text == "{":
                depth += 1
            elif self.toks[position].text == "}":
                depth -= 1
                if depth == 0:
                    return position
        return len(self.toks) - 1

    def iri(self, token: Token) -> str | None:
        """The IRI a token writes (``<...>`` resolved, a prefixed name expanded), or None."""
        if token.kind == "iri":
            return resolve_iri(token.text[1:-1], self.base)
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + _unescape(local)
        return None

    def prologue(self, index: int, end: int) -> int:
        """Read BASE and PREFIX declarations from ``index``; the index after them."""
        while index < end and self.word(index) in ("BASE", "PREFIX"):
            if self.word(index) == "BASE" and index + 1 < end and self.toks[index + 1].kind == "iri":
                self.base = resolve_iri(self.toks[index + 1].text[1:-1], self.base)
                index += 2
            elif index + 2 < end and self.toks[index + 1].kind == "pname" and self.toks[index + 2].kind == "iri":
                self.prefixes[self.toks[index + 1].text[:-1]] = resolve_iri(self.toks[index + 2].text[1:-1], self.base)
                index += 3
            else:
                break
        return index

    def edit(self, first: int, last: int, replacement: str) -> None:
        """Replace tokens ``first``..``last`` (inclusive) with ``replacement``."""
        self.edits.append((self.token(first).start, self.token(last).end, replacement))

    def insert(self, offset: int, text: str) -> None:
        self.edits.append((offset, offset, text))

    def result(self) -> Rewritten:
        edits, out, position = sorted(self.edits, key=lambda e: (e[0], e[1])), [], 0
        for start, end, replacement in edits:
            out += [self.text[position:start], replacement]
            position = end
        return Rewritten("".join(out) + self.text[position:], edits)


def _unescape(local: str) -> str:
    """A prefixed name's local part without its escapes (``a\\#b`` is ``a#b``)."""
    return re.sub(r"\\(.)", r"\1", local)


def operations(toks: Sequence[Token]) -> list[tuple[int, int]]:
    """The token ranges of a request's operations (split at the ``;`` outside braces)."""
    ranges, start, depth = [], 0, 0
    for index, token in enumerate(toks):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif token.text == ";" and depth == 0:
            ranges.append((start, index))
            start = index + 1
    ranges.append((start, len(toks)))
    return ranges


def graphs_named(text: str, base: str | None, prefixes: Mapping[str, str]) -> list[str]:
    """Every graph IRI a request writes after ``GRAPH``, ``WITH``, ``TO`` or ``INTO``, in order.

    An update's dataset must have the graphs that its own earlier operations create
    (``INSERT DATA { GRAPH <g> {...} } ; ... WHERE { GRAPH <g> {...} }``).
    """
    request = _Request(text, base, prefixes)
    found: dict[str, None] = {}
    for start, end in operations(request.toks):
        index = request.prologue(start, end)
        for position in range(index, end - 1):
            if request.word(position) in ("GRAPH", "WITH", "TO", "INTO"):
                following = position + 2 if request.word(position + 1) == "GRAPH" else position + 1
                iri = request.iri(request.toks[following]) if following < end else None
                if iri is not None:
                    found.setdefault(iri, None)
    return list(found)


class _Rewriter:
    def __init__(self, request: _Request, graphs: UserGraphs, protected: Callable[[str], bool],
                 using: Sequence[str], using_named: Sequence[str], allow_load: bool) -> None:
        named = [*graphs.named, *(g for g in graphs_named(request.text, request.base, request.prefixes)
                                  if not protected(g) and g != graphs.default and g not in graphs.named)]
        graphs = UserGraphs(graphs.default, tuple(named))
        self.r, self.graphs, self.protected = request, graphs, protected
        self.using, self.using_named, self.allow_load = using, using_named, allow_load
        self.default = f"<{graphs.default}>"

    def check(self, iri: str | None) -> None:
        if iri is not None and self.protected(iri):
            raise refused(iri)

    def run(self) -> Rewritten:
        empty = True
        for start, end in operations(self.r.toks):
            index = self.r.prologue(start, end)
            if index >= end:
                continue
            empty = False
            kind = self.r.word(index)
            if kind in ("INSERT", "DELETE") and self.r.word(index + 1) == "DATA":
                self.data(index + 2)
            elif kind == "DELETE" and self.r.word(index + 1) == "WHERE":
                self.delete_where(index)
            elif kind in ("INSERT", "DELETE", "WITH"):
                self.modify(index, end)
            elif kind in ("CLEAR", "DROP"):
                self.clear(index, end, kind)
            elif kind == "CREATE":
                self.graph_target(index + 1, end)
            elif kind == "LOAD":
                self.load(index, end)
            elif kind in ("ADD", "MOVE", "COPY"):
                self.transfer(index, end, kind)
        result = self.r.result()
        result.empty = empty and len(operations(self.r.toks)) == 1
        return result

    # INSERT DATA / DELETE DATA: triples outside GRAPH go into the user default graph
    def data(self, brace: int) -> None:
        if self.r.word(brace) != "{":
            return
        close = self.r.closing(brace)
        segment, index = brace + 1, brace + 1
        while index < close:
            if self.r.word(index) == "GRAPH" and index + 2 < close and self.r.word(index + 2) == "{":
                self.check(self.r.iri(self.r.token(index + 1)))
                self.wrap(segment, index)
                index = self.r.closing(index + 2) + 1
                segment = index
                continue
            if self.r.token(index).text == "{":
                index = self.r.closing(index) + 1
                continue
            index += 1
        self.wrap(segment, close)

    def wrap(self, first: int, stop: int) -> None:
        """Put the triples of tokens ``first``..``stop - 1`` into ``GRAPH <user default> { }``."""
        while first < stop and self.r.token(first).text == ".":
            first += 1
        if first >= stop:
            return
        self.r.insert(self.r.token(first).start, f"GRAPH {self.default} {{ ")
        self.r.insert(self.r.token(stop - 1).end, " }")

    # templates: GRAPH <iri> checked, GRAPH ?g guarded
    def template(self, brace: int, rename: bool = True) -> list[tuple[str, str]]:
        """Check a template's graph names; the (variable, guard variable) pairs to bind in the WHERE clause.

        With ``rename``, the template's graph variables are replaced by their guards in place.
        """
        close = self.r.closing(brace)
        guards = []
        for index in range(brace + 1, close - 1):
            if self.r.word(index) != "GRAPH":
                continue
            target = self.r.token(index + 1)
            if target.kind == "var":
                self.r.guards += 1
                guard = f"?__ckg_graph{self.r.guards}"
                guards.append((target.text, guard))
                if rename:
                    self.r.edit(index + 1, index + 1, guard)
            else:
                self.check(self.r.iri(target))
        return guards

    def guard_text(self, guards: Iterable[tuple[str, str]]) -> str:
        """``BIND``s that give each guard variable its graph variable's value when it names a user graph."""
        mine = '(!STRSTARTS(STR({0}), "' + GRAPH + '") || STRSTARTS(STR({0}), "' + USER_GRAPH + '"))'
        return "".join(f" BIND(IF(isIRI({v}) && {mine.format(v)}, {v}, ?__ckg_none) AS {g})" for v, g in guards)

    def where(self, brace: int, guards: list[tuple[str, str]]) -> None:
        """Bind the guard variables at the end of the WHERE group (a sub-select is wrapped first)."""
        if not guards:
            return
        close = self.r.closing(brace)
        if self.r.word(brace + 1) == "SELECT":
            self.r.insert(self.r.token(brace).end, " {")
            self.r.insert(self.r.token(close).start, "} " + self.guard_text(guards) + " ")
        else:
            self.r.insert(self.r.token(close).start, self.guard_text(guards) + " ")

    def dataset(self, default: str) -> str:
        """The USING clauses of a WHERE clause that names no dataset itself."""
        if self.using or self.using_named:
            return "".join(f" USING <{g}>" for g in self.using) + "".join(f" USING NAMED <{g}>" for g in self.using_named)
        return f" USING {default}" + "".join(f" USING NAMED <{g}>" for g in self.graphs.named) + " "

    def conflict(self) -> QueryError:
        return QueryError("the update names its dataset with USING, USING NAMED or WITH, and the request gives "
                          "using-graph-uri or using-named-graph-uri too: give one or the other")

    def delete_where(self, index: int) -> None:
        """``DELETE WHERE { P }`` becomes ``WITH <user default> DELETE { P } USING ... WHERE { P }``."""
        brace = index + 2
        if self.r.word(brace) != "{":
            return
        close = self.r.closing(brace)
        guards = self.template(brace, rename=False)
        self.r.edit(index, index + 1, f"WITH {self.default} DELETE {_retemplate(self.r, brace, close, guards)}"
                                      f"{self.dataset(self.default)} WHERE")
        self.where(brace, guards)

    def modify(self, index: int, end: int) -> None:
        position, default = index, self.default
        if self.r.word(index) == "WITH":
            if self.using or self.using_named:
                raise self.conflict()
            target = self.r.iri(self.r.token(index + 1))
            self.check(target)
            default = f"<{target}>" if target else self.r.token(index + 1).text
            position = index + 2
        else:
            self.r.insert(self.r.token(index).start, f"WITH {self.default} ")
        guards: list[tuple[str, str]] = []
        while self.r.word(position) in ("DELETE", "INSERT") and self.r.word(position + 1) == "{":
            guards += self.template(position + 1)
            position = self.r.closing(position + 1) + 1
        has_using = False
        while self.r.word(position) == "USING":
            has_using = True
            position += 3 if self.r.word(position + 1) == "NAMED" else 2
        if self.r.word(position) != "WHERE" or self.r.word(position + 1) != "{":
            return  # not a Modify operation the grammar allows: the engine says why
        if has_using and (self.using or self.using_named):
            raise self.conflict()
        if not has_using:
            self.r.insert(self.r.token(position).start, self.dataset(default))
        self.where(position + 1, guards)

    def graph_target(self, index: int, end: int) -> int:
        """Check ``SILENT? GRAPH? iri``; the index after it."""
        index += self.r.word(index) == "SILENT"
        index += self.r.word(index) == "GRAPH"
        self.check(self.r.iri(self.r.token(index)))
        return index + 1

    def clear(self, index: int, end: int, kind: str) -> None:
        position = index + 1 + (self.r.word(index + 1) == "SILENT")
        target = self.r.word(position)
        if target == "GRAPH":
            self.graph_target(position, end)
            return
        if target == "DEFAULT":
            names = [self.graphs.default]
        elif target == "NAMED":
            names = list(self.graphs.named)
        elif target == "ALL":
            names = [self.graphs.default, *self.graphs.named]
        else:
            return
        steps = [f"{kind} SILENT GRAPH <{name}>" for name in names] or [f"DROP SILENT GRAPH <{NO_GRAPH}>"]
        self.r.edit(index, position, " ;\n".join(steps))

    def load(self, index: int, end: int) -> None:
        if not self.allow_load:
            raise UpdateRefused("refused: LOAD is not run here (it would make the server fetch a URL or read a file); "
                             "load files with 'clusterkg load FILE --graph IRI'")
        position = index + 1 + (self.r.word(index + 1) == "SILENT")
        if self.r.word(position + 1) == "INTO":
            self.graph_target(position + 2, end)
        elif position < end:
            self.r.insert(self.r.token(position).end, f" INTO GRAPH {self.default}")

    def transfer(self, index: int, end: int, kind: str) -> None:
        position = index + 1 + (self.r.word(index + 1) == "SILENT")
        source, position = self.graph_or_default(position)
        if self.r.word(position) != "TO":
            return
        target, _ = self.graph_or_default(position + 1)
        self.check(target)
        if kind == "MOVE":
            self.check(source)
        if source == self.graphs.default:  # the default graph always exists, as the grammar has it
            self.r.insert(self.r.token(index).start, f"CREATE SILENT GRAPH {self.default} ;\n")

    def graph_or_default(self, index: int) -> tuple[str | None, int]:
        if self.r.word(index) == "DEFAULT":
            self.r.edit(index, index, f"GRAPH {self.default}")
            return self.graphs.default, index + 1
        index += self.r.word(index) == "GRAPH"
        return self.r.iri(self.r.token(index)), index + 1


def _retemplate(request: _Request, brace: int, close: int, guards: list[tuple[str, str]]) -> str:
    """The text of tokens ``brace``..``close`` with the template's graph variables renamed to their guards."""
    pending = list(guards)  # in the order the template names them
    out, position = [], request.toks[brace].start
    for index in range(brace, close):
        token = request.toks[index]
        if token.kind == "var" and request.word(index - 1) == "GRAPH" and pending and pending[0][0] == token.text:
            out.append(request.text[position : token.start])
            out.append(pending.pop(0)[1])
            position = token.end
    out.append(request.text[position : request.toks[close].end])
    return "".join(out)


def rewrite_update(
    request: str,
    graphs: UserGraphs,
    *,
    base_iri: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    using: Sequence[str] = (),
    using_named: Sequence[str] = (),
    allow_load: bool = True,
    protected: Callable[[str], bool] = is_own_graph,
) -> Rewritten:
    """The update onto the user's dataset (see the module's description); QueryError if it is refused.

    ``using``/``using_named`` are the protocol's ``using-graph-uri``/``using-named-graph-uri``.

    >>> rewrite_update("INSERT DATA { <urn:a> <urn:b> 1 }", UserGraphs("urn:d")).text
    'INSERT DATA { GRAPH <urn:d> { <urn:a> <urn:b> 1 } }'
    >>> rewrite_update("CLEAR ALL", UserGraphs("urn:d", ("urn:g",))).text
    'CLEAR SILENT GRAPH <urn:d> ;\\nCLEAR SILENT GRAPH <urn:g>'
    """
    form = query_form(request)
    if form in QUERY_FORMS:
        raise QueryError(f"this is a {form} query, not an update: run it with 'clusterkg query'")
    check_depth(request)
    parsed = _Request(request, base_iri, prefixes or {})
    return _Rewriter(parsed, graphs, protected, using, using_named, allow_load).run()
