"""The documentation builds offline: every page, every class's labels, every named query."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, RDFS

from clusterkg import queries
from clusterkg.cli import cli
from clusterkg.resources import data_dir


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    result = CliRunner().invoke(cli, ["docs", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.output
    return out


def test_pages_exist(built: Path):
    for name in ("index.html", "ontology.html", "tutorial.html", "report.html"):
        assert (built / name).stat().st_size > 0


def test_ontology_page_has_every_class_label(built: Path):
    page = (built / "ontology.html").read_text(encoding="utf-8")
    graph = rdflib.Graph().parse(data_dir("ontology") / "clusterkg.ttl")
    classes = [c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith("https://w3id.org/clusterkg/")]
    assert classes
    for cls in classes:
        for label in graph.objects(cls, RDFS.label):
            assert html.escape(str(label), quote=False) in page, f"{cls}: {label!r} missing"


def test_every_query_has_a_page_linked_from_the_index(built: Path):
    index = (built / "index.html").read_text(encoding="utf-8")
    catalogue = queries.catalogue()
    assert catalogue
    for query in catalogue:
        page = (built / "queries" / f"{query.name}.html").read_text(encoding="utf-8")
        assert html.escape(query.title_in("en")) in page
        assert html.escape(query.text.splitlines()[-1]) in page
        assert f'href="queries/{query.name}.html"' in index


def test_pages_load_nothing_from_the_network(built: Path):
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<script src="http' not in text and 'rel="stylesheet" href="http' not in text


def test_tutorial_shows_the_commands(built: Path):
    text = (built / "tutorial.html").read_text(encoding="utf-8")
    for command in ("clusterkg query", "clusterkg add", "clusterkg link", "clusterkg reason --explain", "clusterkg report"):
        assert command in text


@pytest.mark.slow  # runs the reasoner
def test_tutorial_case_is_added_and_classified(store_dir: Path):
    """The tutorial's case file, run as the tutorial says: validate, add, reason."""
    from clusterkg.docs import TUTORIAL

    text = html.unescape(TUTORIAL)
    yaml_text = text.split("<<'EOF'\n", 1)[1].split("\nEOF", 1)[0]
    case = store_dir.parent / "my-case.yaml"
    case.write_text(yaml_text + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(case)]).exit_code == 0
    added = runner.invoke(cli, ["--store", str(store_dir), "add", str(case)])
    assert added.exit_code == 0, added.output
    reasoned = runner.invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "owlrl", "-q"])
    assert reasoned.exit_code == 0, reasoned.output
    assert "cki:cluster-example-bio-valley rdf:type ckg:BioCluster" in reasoned.output
    assert "cki:cluster-example-bio-valley rdf:type ckg:BioCluster" in text
