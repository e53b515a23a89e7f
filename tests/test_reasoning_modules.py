"""Modular reasoning: batches of independent parts beside the core give the answers of one run over everything."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg.cli import cli
from clusterkg.namespaces import case_graph, kb_graph
from clusterkg.reasoning import inferences as reasoning
from clusterkg.reasoning import modules, reasoners
from clusterkg.resources import ontology_files
from clusterkg.stores import open_embedded

pytestmark = pytest.mark.slow  # HermiT needs Java; the OWL-RL runs take seconds each

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

PREFIXES = """@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix cki: <https://w3id.org/clusterkg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

#: Cases sharing individuals: t-a and t-b a region of their own (one part), t-c the paper's bio industry only.
SHARED = {
    "t-a": "cki:t-a a ckg:IndustrialCluster ; ckg:hasMainIndustry cki:t-soft ; ckg:locatedIn cki:t-region ."
           "cki:t-region a ckg:Region ; ckg:locatedIn cki:place-korea . cki:t-soft a ckg:HighTechIndustry .",
    "t-b": "cki:t-b a ckg:IndustrialCluster ; ckg:hasMainIndustry cki:industry-bio ; ckg:locatedIn cki:t-region ."
           "cki:t-region a ckg:Region .",
    "t-c": "cki:t-c a ckg:IndustrialCluster ; ckg:hasMainIndustry cki:industry-bio ; ckg:hasIndustry cki:t-soft2 ;"
           " ckg:locatedIn cki:place-seoul . cki:t-soft2 a ckg:HighTechIndustry .",
    "t-d": "cki:t-d a ckg:IndustrialCluster ; ckg:hasMainIndustry cki:t-soft3 ; ckg:appliesInstrument "
           "cki:instrument-tax-incentive . cki:t-soft3 a ckg:HighTechIndustry .",
}

#: Each added to SHARED breaks the condition in its own way: the whole store is reasoned over instead.
BREAKING = {
    "same-as": ("cki:t-e a ckg:IndustrialCluster ; owl:sameAs cki:t-d .", "owl:sameAs is used"),
    "range": ("cki:t-e a ckg:IndustrialCluster ; ckg:locatedIn cki:industry-bio .", "range of ckg:locatedIn"),
    "read-at-core": ("cki:t-e a ckg:IndustrialCluster ; ckg:placeMarketingAsset cki:place-seoul .",
                     "restriction on ckg:placeMarketingAsset"),
    "transitive": ("cki:t-e a ckg:City ; ckg:locatedIn cki:place-korea . cki:place-seoul ckg:locatedIn cki:t-e .",
                   "transitive ckg:locatedIn"),
    "functional": ("cki:t-e a ckg:ClusterFeature ; ckg:onDimension cki:dimension-place , cki:dimension-performance .",
                   "ckg:onDimension has two values|cki:dimension-place and cki:dimension-performance are the same"),
}


def _quads(cases: dict[str, str]) -> list:
    kb = [(t, kb_graph(Path(g).stem)) for t, g in reasoning.quads_from_files(ontology_files())]
    for slug, text in cases.items():
        for quad in ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE):
            kb.append(((quad.subject, quad.predicate, quad.object), case_graph(slug)))
    return kb


def _same(quads: list, reasoner: str, doubt: str = "", **options: object) -> reasoning.ReasoningResult:
    if reasoner == "hermit" and not reasoners.java_available():
        from conftest import skip_or_fail

        skip_or_fail("HermiT needs Java (default-jre-headless)")
    parted = reasoning.reason(quads=quads, reasoner=reasoner, **options)  # type: ignore[arg-type]
    whole = reasoning.reason(quads=quads, reasoner=reasoner, modular=False, **options)  # type: ignore[arg-type]
    first, second = parted.as_dict(), whole.as_dict()
    note = first.pop("note")
    second.pop("note")
    assert first == second
    assert parted.entailed == whole.entailed and parted.new == whole.new
    fell_back = "reasoned over the whole store (" in str(note) and any(reason in str(note) for reason in doubt.split("|"))
    assert fell_back == bool(doubt), note
    return parted


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of a few parts each, so that the small fixtures are reasoned over in several runs."""
    monkeypatch.setattr(reasoning, "BATCH_TRIPLES", {"hermit": 12, "owlrl": 12})


def test_shared_individuals_join_cases_into_one_part():
    triples = reasoners.declare_individuals(list(dict.fromkeys(t for t, _ in _quads(SHARED))))
    plan = modules.split(_quads(SHARED), triples)
    assert plan.doubt == ""
    subjects = [{s.value.rsplit("/", 1)[-1] for s, _, _ in part if isinstance(s, ox.NamedNode)} for part in plan.parts]
    assert sorted(sorted(x for x in s if x.startswith("t-")) for s in subjects) == [
        ["t-a", "t-b", "t-region", "t-soft"], ["t-c", "t-soft2"], ["t-d", "t-soft3"]]
    assert len(plan.batches(1)) == 3 and len(plan.batches(10**6)) == 1 and all(batch[:len(plan.core)] == plan.core for batch in plan.batches(1))


@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_parts_sharing_individuals_give_the_whole_answer(reasoner):
    result = _same(_quads(SHARED), reasoner)
    types = {(s.value.rsplit("/", 1)[-1], o.value.rsplit("#", 1)[-1]) for s, _, o in result.new_types}
    assert {("t-a", "HighTechCluster"), ("t-b", "BioCluster"), ("t-c", "BioCluster")} <= types


@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
@pytest.mark.parametrize("name", sorted(BREAKING))
def test_a_broken_condition_reasons_over_the_whole(reasoner, name):
    text, doubt = BREAKING[name]
    _same(_quads({**SHARED, "t-e": text}), reasoner, doubt)


@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_explanations_are_the_same(reasoner):
    result = _same(_quads(SHARED), reasoner, explain=True, explain_limit=2)
    assert len(result.explanations) == 2


@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_an_inconsistent_part_makes_the_whole_inconsistent_with_the_same_clashes(reasoner):
    bad = "cki:t-e a ckg:Myth ; ckg:counters cki:myth-clusters-are-high-tech ."
    result = _same(_quads({**SHARED, "t-e": bad}), reasoner, explain=True)
    assert not result.consistent and result.clashes and result.explanations


@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_the_paper_alone_is_one_run_without_a_note(reasoner):
    result = _same(_quads({}), reasoner)
    assert "whole store" not in result.note


@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_generated_cases_added_to_a_store_give_the_whole_answer(reasoner, store_dir: Path, tmp_path: Path, monkeypatch):
    from reasoning import valid_cases  # bench/reasoning.py

    cases = tmp_path / "cases.yaml"
    cases.write_text(valid_cases(160), encoding="utf-8")
    added = CliRunner().invoke(cli, ["--store", str(store_dir), "add", str(cases)])
    assert added.exit_code == 0, added.output
    with open_embedded(store_dir) as store:
        quads = reasoning.stated_quads(store)
    triples = reasoners.declare_individuals(list(dict.fromkeys(t for t, _ in quads)))
    plan = modules.split(quads, triples)
    assert plan.doubt == "" and len(plan.parts) > 100  # cases meet in shared regions only: 150 regions, 160 cases
    monkeypatch.setattr(reasoning, "BATCH_TRIPLES", {"hermit": 1500, "owlrl": 1500})
    result = _same(quads, reasoner)
    assert any("synthetic" in s.value for s, _, _ in result.new_links)


def test_progress_names_the_batch():
    said: list[str] = []
    reasoning.reason(quads=_quads(SHARED), reasoner="owlrl", progress=said.append)
    assert any(m.startswith("running the OWL-RL rules on batch 1 of 2 (") and m.endswith("; 3 independent parts in all)") for m in said), said
