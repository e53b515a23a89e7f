"""The outcome of a validation in words a person can act on: one :class:`Issue` per SHACL result.

pySHACL's report graph is read result by result; each result is mapped back
to the file, line or row, entry field and value it concerns, with its
message in English and Korean, and the standard ``sh:ValidationReport`` is
kept beside them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from ..errors import InputError
from ..namespaces import PREFIXES, SH, SHAPES, compact
from .model import EntryFile, Problem, language_of, new_graph

SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}


FORMATS = ("text", "json", "ttl")


#: Shapes that report a missing value -> the entry field to fill in.
MISSING_FIELDS = {
    SHAPES + shape: name
    for shape, name in {
        "NameRequired": "name_en", "CountryRequired": "country",
        "HasSource": "source", "CitationText": "source.citation", "GovernmentSupportAdvice": "instruments",
    }.items()
}


@dataclass
class Issue:
    """One validation result, in words a person can act on."""

    severity: str  # violation | warning | info
    message_en: str
    message_ko: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    entity: str | None = None  # the focus node (IRI, or _:id for a blank node)
    field: str | None = None  # the entry field, or the property as a CURIE
    value: str | None = None
    path: str | None = None
    component: str | None = None
    shape: str | None = None

    def where(self) -> str:
        if not self.file:
            return "(data)"
        if self.line:
            return f"{self.file}:{self.line}"
        if self.row:
            return f"{self.file}: row {self.row}"
        return self.file


@dataclass
class ValidationReport:
    """The outcome of a validation: issues, and the standard sh:ValidationReport graph."""

    issues: list[Issue] = field(default_factory=list)
    graph: Graph = field(default_factory=new_graph)
    cases: int = 0
    files: int = 0
    top_results: list[Any] = field(default_factory=list, repr=False)
    #: plain SHACL (``validate --shapes``): the summary gives SHACL's verdict, not the case rule
    plain: bool = False

    def count(self, severity: str) -> int:
        return sum(1 for issue in self.issues if issue.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("violation")

    @property
    def ok(self) -> bool:
        """No violations (warnings and infos allowed): exit code 0."""
        return self.violations == 0

    @property
    def conforms(self) -> bool:
        """SHACL's own verdict: no result of any severity."""
        return not self.issues


REPORT_PREFIXES = {**PREFIXES, "sh": SH, "ckgsh": SHAPES}


def _curie(term: Any) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return compact(str(term), REPORT_PREFIXES, allowed="-_./") if isinstance(term, URIRef) else str(term)


def _show(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return str(term)
    return _curie(term)


def _language(message: Literal) -> str | None:
    """A message's language; pySHACL drops the tag of templated SPARQL messages, so guess it then."""
    if message.language:
        return message.language
    return language_of(str(message))


def _message(report: Graph, result: Any, lang: str) -> str | None:
    messages = [m for m in report.objects(result, URIRef(SH + "resultMessage")) if isinstance(m, Literal)]
    for message in sorted(messages):
        if _language(message) == lang:
            return str(message)
    return None


def merge(report: ValidationReport, result_graph: Graph, files: Sequence[EntryFile], seen: set[tuple]) -> None:
    """Add a pySHACL report's results to ``report``: one issue per distinct result."""
    sh = lambda name: URIRef(SH + name)  # noqa: E731
    # top-level results only: nested ones (sh:detail) are copied along with their parent
    for result in result_graph.objects(None, sh("result")):
        focus = result_graph.value(result, sh("focusNode"))
        path = result_graph.value(result, sh("resultPath"))
        value = result_graph.value(result, sh("value"))
        component = result_graph.value(result, sh("sourceConstraintComponent"))
        severity = result_graph.value(result, sh("resultSeverity"))
        shape = result_graph.value(result, sh("sourceShape"))
        en = _message(result_graph, result, "en")
        ko = _message(result_graph, result, "ko")
        key = (focus, path, value, en)
        _copy_result(result_graph, result, report.graph)
        if key in seen and en is not None:  # one message from two constraints (nodeKind and pattern) is told once
            report.top_results.append(result)
            continue
        seen.add(key)
        location = None
        if value == focus:  # a node-level result: no value of its own
            value = None
        constraint = result_graph.value(result, sh("sourceConstraint"))
        missing = MISSING_FIELDS.get(str(constraint if isinstance(constraint, URIRef) else shape)) if value is None else None
        for entry_file in files:
            location = entry_file.locate(focus, None if missing else path, value)
            if location:
                break
        issue = Issue(
            severity=SEVERITIES.get(str(severity), str(severity)),
            message_en=en or ko or "",
            message_ko=ko or en or "",
            file=location.file if location else None,
            line=location.line if location else None,
            row=location.row if location else None,
            entity=_show(focus),
            field=missing
            or (location.field if location and location.field and path is not None else None)
            or (_curie(path) if isinstance(path, URIRef) else None),
            value=_show(value) if value is not None and value != focus else None,
            path=str(path) if isinstance(path, URIRef) else None,
            component=_curie(component) if component is not None else None,
            shape=_show(shape),
        )
        report.issues.append(issue)
        report.top_results.append(result)


def _copy_result(source: Graph, result: Any, target: Graph) -> None:
    """Copy one sh:ValidationResult (with its blank-node paths) into the merged report."""
    message = URIRef(SH + "resultMessage")
    untagged = [m for m in source.objects(result, message) if isinstance(m, Literal) and not m.language]
    retag = len(untagged) > 1  # pySHACL dropped the tags of templated messages given in several languages
    todo, done = [result], set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        for _, p, o in source.triples((node, None, None)):
            if retag and p == message and o in untagged:
                o = Literal(str(o), lang=_language(o))
            target.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def add_problems(report: ValidationReport, problems: Sequence[Problem]) -> None:
    """Add what the entry rules refused (:mod:`clusterkg.cases.rules`) as violations, each once."""
    seen = {(i.file, i.line, i.row, i.message_en) for i in report.issues}
    for problem in problems:
        where = problem.location
        issue = Issue(
            severity="violation", message_en=problem.message_en, message_ko=problem.message_ko,
            file=where.file if where else None, line=where.line if where else None,
            row=where.row if where else None, entity=compact(problem.entity) if problem.entity else None,
            field=problem.field or (where.field if where else None), value=problem.value,
            shape=f"ckgsh:{problem.rule}",
        )
        key = (issue.file, issue.line, issue.row, issue.message_en)
        if key not in seen:
            seen.add(key)
            report.issues.append(issue)
            report.top_results.append(_rule_result(report.graph, problem))


#: The constraint component named by the results of the entry rules (not SHACL shapes: checks in Python).
RULE_COMPONENT = SHAPES + "EntryRuleConstraintComponent"


def _rule_result(graph: Graph, problem: Problem) -> BNode:
    """A refusal of the entry rules as an ``sh:ValidationResult`` of the standard report (``--format ttl``)."""
    sh = lambda name: URIRef(SH + name)  # noqa: E731
    result = BNode()
    graph.add((result, RDF.type, sh("ValidationResult")))
    graph.add((result, sh("resultSeverity"), sh("Violation")))
    graph.add((result, sh("sourceShape"), URIRef(SHAPES + problem.rule)))
    graph.add((result, sh("sourceConstraintComponent"), URIRef(RULE_COMPONENT)))
    if problem.entity:
        graph.add((result, sh("focusNode"), URIRef(problem.entity)))
    if problem.field and "://" in problem.field:
        graph.add((result, sh("resultPath"), URIRef(problem.field)))
    if problem.value is not None:
        graph.add((result, sh("value"), Literal(problem.value)))
    graph.add((result, sh("resultMessage"), Literal(problem.message_en, lang="en")))
    if problem.message_ko:
        graph.add((result, sh("resultMessage"), Literal(problem.message_ko, lang="ko")))
    return result


def finish(report: ValidationReport) -> None:
    sh = lambda name: URIRef(SH + name)  # noqa: E731
    node = BNode()
    report.graph.bind("sh", SH)
    report.graph.add((node, RDF.type, sh("ValidationReport")))
    report.graph.add((node, sh("conforms"), Literal(report.conforms)))
    for result in report.top_results:
        report.graph.add((node, sh("result"), result))
    order = {"violation": 0, "warning": 1, "info": 2}
    report.issues.sort(key=lambda i: (i.file or "~", i.line or i.row or 0, order.get(i.severity, 3), i.message_en))


def render(report: ValidationReport, fmt: str = "text") -> str:
    """The report as text (for people), JSON, or Turtle (a standard sh:ValidationReport)."""
    if fmt == "ttl":
        return report.graph.serialize(format="turtle")
    if fmt == "json":
        return json.dumps(
            {
                "conforms": report.conforms,
                "ok": report.ok,
                "files": report.files,
                "cases": report.cases,
                "violations": report.violations,
                "warnings": report.count("warning"),
                "infos": report.count("info"),
                "results": [asdict(issue) for issue in report.issues],
            },
            ensure_ascii=False,
            indent=2,
        ) + "\n"
    if fmt != "text":
        raise InputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    lines = []
    for issue in report.issues:
        head = f"{issue.where()}: {issue.severity}"
        if issue.entity:
            head += f" in {issue.entity}"
        if issue.field:
            head += f", field {issue.field}"
        if issue.value is not None:
            head += f" = {issue.value!r}" if len(issue.value) < 80 else f" = {issue.value[:77]!r}..."
        lines.append(head)
        lines.append(f"    {issue.message_en}")
        if issue.message_ko and issue.message_ko != issue.message_en:
            lines.append(f"    {issue.message_ko}")
    summary = (
        f"{report.files} file(s), {report.cases} case(s): {report.violations} violation(s), "
        f"{report.count('warning')} warning(s), {report.count('info')} info(s)"
    )
    verdict = report.conforms if report.plain else report.ok
    lines.append(summary + (" -- conforms" if verdict else " -- does not conform"))
    return "\n".join(lines) + "\n"
