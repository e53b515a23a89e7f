"""Fuzzing the SPARQL front end against Oxigraph (issue 12): generated queries full of escapes, comments,
strings, IRIs and nested groups; the front end (clusterkg/sparql/syntax.py, limits.py) and the engine must
agree on the form, on whether the text is an update, and on whether it calls SERVICE.

Whether the engine calls SERVICE is observed, not assumed: every SERVICE points at a closed port of
127.0.0.1, so an attempted call fails with a connection error, and the queries are made of parts that
always yield a solution on an empty store (BIND, VALUES, FILTER(true), OPTIONAL, UNION, sub-groups), so
that nothing stops the engine before it reaches a SERVICE it holds.
"""

from __future__ import annotations

import socket

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterkg.errors import QueryError
from clusterkg.sparql.limits import MAX_DEPTH, check_limits
from clusterkg.sparql.syntax import looks_like_update, query_form, tokens, uses_service

#: About two seconds a test on the machine alone (more when it is shared): bounded by the number of examples.
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
pytestmark = pytest.mark.slow


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the socket is closed


CLOSED = f"http://127.0.0.1:{_closed_port()}/sparql"

# --- the pieces ------------------------------------------------------------
_NOISE = ["SERVICE", "service", "#", "\\#", "}", "{", "'", '"', "<", ">", "\\", "INSERT", "DROP", ";", "SELECT",
          "\u00e9", "\ud55c", "\\n", "\\t", "ex:x", "<urn:SERVICE>"]
noise = st.lists(st.sampled_from(_NOISE), max_size=4).map("".join)


def _escape(text: str, quote: str) -> str:
    return text.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n").replace("\r", "\\r")


short_string = st.tuples(noise, st.sampled_from(['"', "'"])).map(lambda t: f"{t[1]}{_escape(t[0], t[1])}{t[1]}")
long_string = st.tuples(noise, st.sampled_from(['"""', "'''"])).map(
    lambda t: f"{t[1]}{_escape(t[0], t[1][0])}{t[1]}")
iri = st.sampled_from(["<urn:x:SERVICE>", "<http://example.org/a#SERVICE>", "<http://example.org/%7D>",
                       "<urn:a>", "<http://example.org/x?q=SERVICE#{}>".replace("{}", "")])
pname = st.sampled_from(["ex:x", "ex:SERVICE", "ex:a\\#b", "ex:a\\.b", "ex:%41", "ex:x\\#", "ex:x\\~y", "ex:",
                         "ex:service", "select:x", "ex:a.b", "ex:x\\;", "ex:x\\,"])
literal = st.one_of(short_string, long_string, st.integers(-10**6, 10**6).map(str),
                    st.tuples(short_string, st.sampled_from(["@en", "@ko", "^^xsd:string"])).map("".join))
term = st.one_of(iri, pname, literal)
comment = noise.map(lambda text: "# " + text.replace("\n", " ").replace("\r", " ") + "\n")
space = st.one_of(st.sampled_from([" ", "\n", "\t", "\r\n", "  "]), comment)
variable = st.sampled_from(["?v", "$v", "?w", "?SERVICE", "?select"])
FRESH = "?\x00fresh"  # a new variable, numbered once the query is made


def _service(body: str, silent: bool = False) -> str:
    return f"SERVICE {'SILENT ' if silent else ''}<{CLOSED}> {{ {body} }}"


@st.composite
def element(draw: st.DrawFn, depth: int, service: bool) -> tuple[str, bool]:
    """A part of a group that always yields a solution, and whether it calls SERVICE (non-silently).

    ``service`` is False inside ``FILTER(EXISTS ...)``, where the error of a failed call is an expression
    error that the filter absorbs: a call there could not be seen.
    """
    nested = ["group", "union", "exists"] + (["service"] if service else [])
    kind = draw(st.sampled_from(["bind", "values", "filter", "optional"] + (nested if depth < 3 else [])))
    gap = draw(space)
    if kind == "bind":
        return f"BIND({draw(term)} AS {FRESH}){gap}", False
    if kind == "values":
        return f"VALUES {FRESH} {{{gap}{draw(term)} }}", False
    if kind == "filter":
        return f"FILTER(true ||{gap}STR({draw(term)}) = {draw(literal)})", False
    if kind == "optional":
        return f"OPTIONAL {{ {draw(variable)}o{gap}{draw(st.one_of(iri, pname))} {draw(term)} }}", False
    inner, calls = draw(group(depth + 1, service and kind != "exists"))
    if kind == "group":
        return inner, calls
    if kind == "union":
        other, more = draw(group(depth + 1, service))
        return f"{inner}{gap}UNION {other}", calls or more
    if kind == "exists":
        return f"FILTER(EXISTS {inner} || true)", False
    silent = draw(st.booleans())
    return _service(inner[1:-1], silent), not silent  # what is inside is sent to the service, not run here


@st.composite
def group(draw: st.DrawFn, depth: int = 0, service: bool = True) -> tuple[str, bool]:
    parts = draw(st.lists(element(depth, service), max_size=3))
    gaps = [draw(space) for _ in parts]
    return "{" + "".join(f"{gap}{text}" for gap, (text, _) in zip(gaps, parts)) + " }", any(c for _, c in parts)


@st.composite
def query(draw: st.DrawFn) -> tuple[str, str, bool, str]:
    """A query text, its form (SELECT, ASK, CONSTRUCT, DESCRIBE), whether it calls SERVICE, and its pattern as a
    SELECT query (an ASK or a LIMIT stops at the first solution, perhaps before a SERVICE: the pattern read to
    its end shows whether it holds a call)."""
    prologue = "".join(draw(st.lists(st.sampled_from([
        "PREFIX ex: <http://example.org/>\n", "PREFIX select: <urn:select:>\n", "PREFIX service: <urn:s#>\n",
        "BASE <http://example.org/SERVICE/>\n", "# SERVICE <http://127.0.0.1:1/>\n"]), max_size=3)))
    prologue += "PREFIX ex: <http://example.org/>\nPREFIX select: <urn:select:>\n"
    prologue += "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    where, calls = draw(group())
    form = draw(st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "select", "Ask"]))
    head = {"SELECT": "SELECT * WHERE", "ASK": "ASK", "CONSTRUCT": "CONSTRUCT { ?v <urn:p> ?w } WHERE",
            "DESCRIBE": "DESCRIBE ?v WHERE"}[form.upper()]
    head = head.replace(form.upper(), form, 1)
    tail = draw(st.sampled_from(["", " # } SERVICE <x> {\n", " ORDER BY ?v"]))  # (a LIMIT could stop before a SERVICE)
    if form.upper() == "ASK":
        tail = tail.replace(" ORDER BY ?v", "")
    for number in range(where.count(FRESH)):  # every BIND and VALUES a variable of its own
        where = where.replace(FRESH, f"?b{number}", 1)
    return f"{prologue}{head}{draw(space)}{where}{tail}", form.upper(), calls, f"{prologue}SELECT * WHERE {where}"


def _engine(text: str) -> tuple[str, bool]:
    """The form the engine answers with and whether evaluating the query called SERVICE."""
    store = ox.Store()
    try:
        result = store.query(text)
        if isinstance(result, ox.QueryBoolean):
            bool(result)
            return "ASK", False
        form = "SELECT" if isinstance(result, ox.QuerySolutions) else "GRAPH"
        list(result)
        return form, False
    except (OSError, RuntimeError) as exc:
        if "onnection refused" in str(exc) or "error sending request" in str(exc) or CLOSED in str(exc):
            return "CALLED", True
        raise


@FUZZ
@given(query())
def test_the_front_end_and_the_engine_agree_on_form_and_service(case: tuple[str, str, bool, str]) -> None:
    text, form, calls, pattern = case
    check_limits(text)  # well within the limits: never refused
    assert query_form(text) == form
    assert not looks_like_update(text)
    assert uses_service(text) is (calls or "SERVICE SILENT" in text)
    try:
        answered, _ = _engine(text)
        _, called = _engine(pattern)
    except SyntaxError as exc:  # the generator makes only valid queries: a rejection is a bug of the test
        pytest.fail(f"the engine refused a generated query: {exc}\n{text}")
    assert called is calls, text
    if answered != "CALLED":
        assert answered == ("GRAPH" if form in ("CONSTRUCT", "DESCRIBE") else form)


@st.composite
def update(draw: st.DrawFn) -> str:
    prologue = draw(st.sampled_from(["", "PREFIX select: <urn:select:>\n", "# SELECT * WHERE { }\n",
                                     "BASE <http://example.org/ASK/>\n"]))
    body = draw(st.sampled_from([
        "INSERT DATA {{ <urn:a> <urn:p> {t} }}", "DELETE DATA {{ <urn:a> <urn:p> {t} }}",
        "DELETE WHERE {{ ?s <urn:p> {t} }}", "CLEAR ALL", "DROP SILENT GRAPH <urn:g>", "CREATE SILENT GRAPH <urn:g>",
        "WITH <urn:g> DELETE {{ ?s ?p {t} }} WHERE {{ ?s ?p {t} }}", "insert data {{ <urn:a> <urn:p> {t} }}",
        "INSERT {{ <urn:a> <urn:p> {t} }} WHERE {{ }}", "ADD SILENT <urn:g> TO DEFAULT"]))
    return prologue + draw(space) + body.format(t=draw(literal))


@FUZZ
@given(update())
def test_an_update_is_seen_as_one_however_it_is_written(text: str) -> None:
    store = ox.Store()
    store.update(text.replace("xsd:string", "<http://www.w3.org/2001/XMLSchema#string>"))  # the engine takes it
    with pytest.raises(SyntaxError):
        store.query(text)
    assert looks_like_update(text)


@FUZZ
@given(st.integers(1, 3 * MAX_DEPTH), st.sampled_from(["{ ", "( ", "[ <urn:p> ", "OPTIONAL { ", "<< "]))
def test_nesting_past_the_limit_is_refused_and_below_it_kept(depth: int, opener: str) -> None:
    closer = {"{ ": " }", "( ": " )", "[ <urn:p> ": " ]", "OPTIONAL { ": " }", "<< ": " >> <urn:p> 1"}[opener]
    if opener in ("{ ", "OPTIONAL { "):
        text = "SELECT * WHERE { " + opener * depth + "?s ?p ?o" + closer * depth + " }"
    elif opener == "( ":
        text = "SELECT * WHERE { FILTER(" + opener * depth + "1" + closer * depth + ") }"
    else:
        text = "SELECT * WHERE { ?s ?p " + opener * depth + "1" + closer * depth + " }"
    levels = depth + (2 if opener == "( " else 1)  # the WHERE group, and FILTER's own parenthesis
    if levels > MAX_DEPTH:
        with pytest.raises(QueryError, match="nests too deeply"):
            check_limits(text)
    elif opener != "[ <urn:p> " or depth < 40:  # (deep blank nodes are many patterns too)
        check_limits(text)


@FUZZ
@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    """The lexer and the limits read any text at all: tokens (in order, each the text at its place) or a
    QueryError, nothing else."""
    found = tokens(text)
    assert all(token.text == text[token.start : token.end] and token.text for token in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    try:
        check_limits(text)
    except QueryError:
        pass
    query_form(text)
    uses_service(text)
