"""The quality report: each check catches its problem, and the shipped graph is clean at error level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg import quality as report
from clusterkg.cli import cli
from clusterkg.resources import ontology_files
from clusterkg.stores import open_embedded
from clusterkg.stores.files import open_files

FIXTURES = Path(__file__).parent / "fixtures" / "report"

#: fixture file (named after its check) -> the entity it must be reported on
EXPECTED = {
    "missing_label": "ckg:TestUnlabelled",
    "missing_individual_label": "cki:test-firm-without-label",
    "missing_definition": "ckg:TestUndefined",
    "duplicate_label": "ckg:TestDuplicate",
    "shared_label": "ckg:Industry",
    "multiple_labels": "cki:test-firm-two-labels",
    "undeclared_iri": "ckg:testUndeclaredProperty",
    "class_without_instances": "ckg:TestEmpty",
    "unused_property": "ckg:testUnused",
    "claim_without_provenance": "cki:test-observation",
    "excerpt_not_verbatim": "cki:test-excerpt",
    "finding_counters_no_myth": "cki:test-finding-alone",
}


def _report(*extra: Path, source: Path | None = None) -> report.Report:
    store = open_files([*ontology_files(), *extra])
    try:
        return report.run_report(store, source=source)
    finally:
        store.close()


@pytest.fixture(scope="module")
def shipped(source_text: str) -> report.Report:
    from conftest import SOURCE_TEXT

    return _report(source=SOURCE_TEXT)


def test_every_check_has_a_fixture_and_a_known_severity():
    assert {c.name for c in report.CHECKS} == set(EXPECTED)
    assert all(c.severity in report.SEVERITIES for c in report.CHECKS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_check_catches_its_problem(name: str, shipped: report.Report):
    from conftest import SOURCE_TEXT

    found = _report(FIXTURES / f"{name}.ttl", source=SOURCE_TEXT)
    hits = [p for p in found.problems if p.check == name and p.entity == EXPECTED[name]]
    assert hits, f"{name} did not report {EXPECTED[name]}"
    assert hits[0].severity == report.check(name).severity
    new = {(p.entity, p.value) for p in hits} - {(p.entity, p.value) for p in shipped.problems if p.check == name}
    assert new, f"{name}: the shipped graph already has this problem"


def test_the_details_name_the_problem():
    found = _report(FIXTURES / "missing_label.ttl", FIXTURES / "undeclared_iri.ttl")
    values = {(p.check, p.entity): p.value for p in found.problems}
    assert values[("missing_label", "ckg:TestUnlabelled")] == "no rdfs:label@ko"
    assert ("undeclared_iri", "cki:test-undeclared-target") in values
    assert ("undeclared_iri", "cki:test-firm-declared") not in values


def test_shipped_graph_is_clean_at_error_level(shipped: report.Report):
    errors = [p for p in shipped.problems if p.severity == "error"]
    assert errors == []
    assert not report.failing(shipped, "error")
    assert "excerpt_not_verbatim" not in shipped.skipped  # the check ran on the paper's excerpts


def test_verbatim_check_is_skipped_without_source(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(report, "default_source", lambda: None)
    found = _report(FIXTURES / "excerpt_not_verbatim.ttl")
    assert "excerpt_not_verbatim" in found.skipped
    assert not [p for p in found.problems if p.check == "excerpt_not_verbatim"]
    assert "SKIP   excerpt_not_verbatim" in report.format_report(found)


def test_fail_levels():
    found = report.Report([report.Problem("warn", "shared_label", "ckg:A", "x")])
    assert not report.failing(found, "error")
    assert report.failing(found, "warn")
    assert report.failing(found, "info")
    assert not report.failing(found, "none")


@pytest.mark.slow  # runs the whole report three times
def test_cli_report_formats_and_exit_codes(tmp_path: Path, store_dir: Path, source_text: str):
    from conftest import SOURCE_TEXT

    runner = CliRunner()
    base = ["--store", str(store_dir), "report", "--source", str(SOURCE_TEXT)]
    ok = runner.invoke(cli, base)
    assert ok.exit_code == 0, ok.output
    assert "0 error(s)" in ok.output
    tsv = runner.invoke(cli, [*base, "--format", "tsv"])
    assert tsv.output.splitlines()[0] == "Level\tRule Name\tSubject\tValue"
    js = runner.invoke(cli, [*base, "--format", "json"])
    data = json.loads(js.output)
    assert data["counts"]["error"] == 0 and data["counts"]["warn"] == len(
        [p for p in data["problems"] if p["severity"] == "warn"])
    warn = runner.invoke(cli, [*base, "--fail-on", "warn"])
    expected = 1 if data["counts"]["warn"] else 0
    assert warn.exit_code == expected
    if expected:
        assert "Error: the report failed at level warn" in warn.output
    missing = runner.invoke(cli, ["--store", str(store_dir), "report", "--source", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2 and "Error: no such source text" in missing.output


def test_cli_report_fails_on_an_added_case_with_errors(store_dir: Path, source_text: str):
    import pyoxigraph as ox

    from clusterkg.namespaces import case_graph

    triples = [q.triple for q in ox.parse(path=str(FIXTURES / "claim_without_provenance.ttl"), format=ox.RdfFormat.TURTLE)]
    with open_embedded(store_dir, writable=True) as store:
        store.replace_graphs({case_graph("bad"): triples})
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "report"])
    assert result.exit_code == 1
    assert "claim_without_provenance  cki:test-observation" in result.output


@pytest.mark.slow  # codes, enrich, add and a report: seconds
def test_clusterkg_s_own_records_are_not_flagged(store_dir: Path):
    """Issue 13: after codes, enrich and an add, the axiom annotations and source records clusterkg wrote
    are not reported as individuals without a label."""
    runner = CliRunner()
    for args in (["codes"], ["enrich", "--geonames-only"], ["add", str(Path(__file__).parent / "fixtures" / "cases" / "valid.yaml")]):
        result = runner.invoke(cli, ["--store", str(store_dir), *args])
        assert result.exit_code == 0, result.output
    found = runner.invoke(cli, ["--store", str(store_dir), "report", "--format", "json", "--fail-on", "none"])
    flagged = [p["entity"] for p in json.loads(found.output)["problems"] if p["check"] == "missing_individual_label"]
    assert flagged, "the case's own entities without labels are still reported"
    assert not [e for e in flagged if "/source-" in e or "enrichment/" in e or "/link/" in e], flagged
