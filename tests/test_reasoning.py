"""Reasoning: the shipped graph is consistent, cases are classified, clashes are explained, inferences kept apart."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg.cli import cli
from clusterkg.errors import ReasonerError
from clusterkg.namespaces import CKG, CKI, INFERRED_GRAPH, case_graph
from clusterkg.reasoning import inferences as reasoning
from clusterkg.reasoning import reasoners
from clusterkg.resources import ontology_files
from clusterkg.stores import open_embedded

pytestmark = pytest.mark.slow  # HermiT needs Java; the OWL-RL runs take seconds each

FIXTURES = Path(__file__).parent / "fixtures" / "reasoning"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _need_java() -> None:
    if not reasoners.java_available():
        from conftest import skip_or_fail

        skip_or_fail("HermiT needs Java (default-jre-headless)")


def _quads(*names: str) -> list:
    return reasoning.quads_from_files([*ontology_files(), *(FIXTURES / f"{n}.ttl" for n in names)])


def _facts(triples) -> set[tuple[str, str, str]]:
    return {(s.value, p.value, o.value) for s, p, o in triples}


@pytest.fixture(scope="module")
def shipped_hermit() -> reasoning.ReasoningResult:
    _need_java()
    return reasoning.reason(quads=_quads(), reasoner="hermit")


@pytest.fixture(scope="module")
def cases_hermit() -> reasoning.ReasoningResult:
    _need_java()
    return reasoning.reason(quads=_quads("hightech-case", "bio-case", "finding-stage"), reasoner="hermit")


@pytest.fixture(scope="module")
def inconsistent_hermit() -> reasoning.ReasoningResult:
    _need_java()
    return reasoning.reason(quads=_quads("inconsistent-case", "two-claim-types"), reasoner="hermit", explain=True)


def test_shipped_graph_is_consistent_with_no_unsatisfiable_class(shipped_hermit):
    assert shipped_hermit.reasoner == "hermit"
    assert shipped_hermit.consistent
    assert shipped_hermit.unsatisfiable == []
    assert shipped_hermit.clashes == []


def test_shipped_graph_yields_new_facts(shipped_hermit):
    """Defined classes classify the comparison table's cells; every new fact is entailed, none was stated."""
    types = _facts(shipped_hermit.new_types)
    assert (CKI + "feature-ddm-place", TYPE, CKG + "PlaceCharacter") in types
    links = _facts(shipped_hermit.new_links)
    assert any(p == CKG + "concernsStage" for _, p, _ in links)
    stated = {t for t, _ in _quads()}
    assert not set(shipped_hermit.new) & stated
    assert set(shipped_hermit.new) <= set(shipped_hermit.entailed)


def test_cases_are_classified(cases_hermit):
    assert cases_hermit.consistent
    types = _facts(cases_hermit.new_types)
    assert (CKI + "test-cluster-alpha", TYPE, CKG + "HighTechCluster") in types
    assert (CKI + "test-cluster-beta", TYPE, CKG + "BioCluster") in types
    assert (CKI + "test-cluster-beta", TYPE, CKG + "HighTechCluster") not in types
    links = _facts(cases_hermit.new_links)
    assert (CKI + "test-finding", CKG + "concernsStage", CKI + "test-stage-early") in links
    assert (CKI + "test-cluster-alpha", CKG + "locatedIn", CKI + "test-city") in links


def test_sub_property_facts_are_entailed_but_not_new(cases_hermit):
    stalled = (CKI + "test-cluster-alpha", CKG + "lifeCycleStage", CKI + "test-stage-takeoff")
    assert stalled in _facts(cases_hermit.entailed)
    assert stalled not in _facts(cases_hermit.new_links)
    # an inverse of a stated link is not news either
    assert (CKI + "test-myth", CKG + "counteredBy", CKI + "test-finding") not in _facts(cases_hermit.new_links)


def test_inconsistent_case_is_detected_with_the_axioms_involved(inconsistent_hermit):
    assert not inconsistent_hermit.consistent
    assert inconsistent_hermit.new == [] and inconsistent_hermit.entailed == []
    by_conclusion = {e.conclusion: e for e in inconsistent_hermit.explanations}
    gamma = next(e for c, e in by_conclusion.items() if "test-claim-gamma" in c)
    lines = " | ".join(gamma.lines())
    assert "ckg:counters rdfs:domain ckg:Finding   [kb/clusterkg]" not in lines  # graph of files
    rendered = [line.split("   [")[0] for line in gamma.lines()]
    assert sorted(rendered) == sorted([
        "cki:test-claim-gamma rdf:type ckg:Myth",
        "cki:test-claim-gamma ckg:counters cki:myth-clusters-are-high-tech",
        "ckg:counters rdfs:domain ckg:Finding",
        "owl:AllDisjointClasses(ckg:Myth, ckg:Finding, ckg:Observation, ckg:Conclusion)",
    ])  # minimal: nothing else is needed
    both = next(e for c, e in by_conclusion.items() if "test-claim-both" in c)
    assert [line.split("   [")[0] for line in both.lines()] == [
        "cki:test-claim-both rdf:type ckg:Myth",
        "cki:test-claim-both rdf:type ckg:Finding",
        "owl:AllDisjointClasses(ckg:Myth, ckg:Finding, ckg:Observation, ckg:Conclusion)",
    ]


def test_explanations_of_new_facts():
    tbox = [path for path in ontology_files() if path.name == "clusterkg.ttl"]
    quads = reasoning.quads_from_files([*tbox, FIXTURES / "hightech-case.ttl"])  # the TBox alone: few new facts
    result = reasoning.reason(quads=quads, reasoner="owlrl", explain=True, explain_limit=20)
    assert len(result.explanations) == len(result.new) <= 20
    why = {e.conclusion: [line.split("   [")[0] for line in e.lines()] for e in result.explanations}
    assert sorted(why["cki:test-cluster-alpha rdf:type ckg:HighTechCluster"]) == sorted([
        "cki:test-cluster-alpha rdf:type ckg:IndustrialCluster",
        "cki:test-cluster-alpha ckg:hasMainIndustry cki:test-industry-software",
        "cki:test-industry-software rdf:type ckg:HighTechIndustry",
        "ckg:HighTechCluster owl:equivalentClass (ckg:IndustrialCluster and (ckg:hasMainIndustry some ckg:HighTechIndustry))",
    ])


def test_owlrl_agrees_on_the_cases(cases_hermit):
    result = reasoning.reason(quads=_quads("hightech-case", "bio-case", "finding-stage"), reasoner="owlrl")
    assert result.reasoner == "owlrl" and result.consistent
    assert _facts(result.new_types) == _facts(cases_hermit.new_types)
    assert _facts(result.new_links) == _facts(cases_hermit.new_links)


def test_owlrl_detects_the_inconsistent_case():
    result = reasoning.reason(quads=_quads("two-claim-types"), reasoner="owlrl")
    assert not result.consistent
    assert any("test-claim-both" in clash for clash in result.clashes)


@pytest.fixture()
def no_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which no java is found."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_owlrl_fallback_without_java(no_java):
    assert not reasoners.java_available()
    assert reasoners.choose_reasoner("auto")[0] == "owlrl"
    with pytest.raises(ReasonerError, match="HermiT needs Java"):
        reasoners.choose_reasoner("hermit")
    result = reasoning.reason(quads=_quads("bio-case"), reasoner="auto")
    assert result.reasoner == "owlrl" and "Java was not found" in result.note
    assert (CKI + "test-cluster-beta", TYPE, CKG + "BioCluster") in _facts(result.new_types)


def test_cli_without_java(no_java, store_dir: Path):
    runner = CliRunner()
    refused = runner.invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "hermit"])
    assert refused.exit_code == 2
    assert refused.output.startswith("Error: HermiT needs Java")
    fallback = runner.invoke(cli, ["--store", str(store_dir), "reason", "-q"])
    assert fallback.exit_code == 0, fallback.output
    assert "reasoner      OWL-RL" in fallback.output and "Java was not found" in fallback.output


def _add_case(store_dir: Path, name: str) -> list[ox.Triple]:
    triples = [q.triple for q in ox.parse(path=str(FIXTURES / f"{name}.ttl"), format=ox.RdfFormat.TURTLE)]
    with open_embedded(store_dir, writable=True) as store:
        store.replace_graphs({case_graph(name): triples})
    return triples


def _graph(store_dir: Path, name: str) -> set:
    with open_embedded(store_dir) as store:
        return set(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").triples)


def test_write_puts_inferences_in_their_own_graph_only(store_dir: Path):
    _add_case(store_dir, "hightech-case")
    with open_embedded(store_dir) as store:
        names = store.graph_names()
    before = {name: _graph(store_dir, name) for name in names}
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "owlrl", "--write", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    inferred = _graph(store_dir, INFERRED_GRAPH)
    assert data["written"] == len(inferred) > 0
    alpha = ox.Triple(ox.NamedNode(CKI + "test-cluster-alpha"), ox.NamedNode(TYPE), ox.NamedNode(CKG + "HighTechCluster"))
    assert alpha in inferred
    for name, triples in before.items():  # the stated graphs are untouched
        assert _graph(store_dir, name) == triples
        assert not (inferred & triples)
    # a second run reads the stated facts only and writes the same graph again
    again = json.loads(runner.invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "owlrl", "--write", "--json"]).output)
    assert again["stated_triples"] == data["stated_triples"]
    assert _graph(store_dir, INFERRED_GRAPH) == inferred


def test_cli_inconsistent_case_exits_1_and_writes_nothing(store_dir: Path):
    _add_case(store_dir, "inconsistent-case")
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "owlrl", "--explain", "--write", "-q"])
    assert result.exit_code == 1
    assert "consistent    NO" in result.output
    assert "ckg:counters rdfs:domain ckg:Finding   [kb/clusterkg]" in result.output
    assert "cki:test-claim-gamma rdf:type ckg:Myth   [case/inconsistent-case]" in result.output
    assert "Error: the knowledge base is inconsistent" in result.output
    assert _graph(store_dir, INFERRED_GRAPH) == set()


def test_unknown_reasoner_is_refused():
    with pytest.raises(Exception, match="unknown reasoner"):
        reasoners.choose_reasoner("pellet")
    assert os.environ.get("PATH")  # the environment is left as it was


def test_unsatisfiable_class_is_found():
    _need_java()
    result = reasoning.reason(quads=_quads("unsatisfiable-class"), reasoner="hermit")
    assert result.consistent
    assert result.unsatisfiable == [CKG + "TestImpossibleClaim"]


def test_cli_unsatisfiable_class_exits_1(store_dir: Path):
    _need_java()
    _add_case(store_dir, "unsatisfiable-class")
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "hermit", "-q"])
    assert result.exit_code == 1
    assert "unsatisfiable 1 class(es)\n  ckg:TestImpossibleClaim" in result.output
    assert "Error: 1 unsatisfiable class(es)" in result.output


def test_hermit_leaves_out_values_outside_the_owl2_datatype_map():
    """Enriched coordinates (geo:wktLiteral) must not make HermiT fail; they are named in the note."""
    result = reasoning.reason(reasoner="hermit", quads=_quads("enriched-place"))
    assert result.consistent
    assert "2 value(s) with datatypes outside OWL 2" in result.note
    assert "wktLiteral" in result.note and "date" in result.note


@pytest.mark.parametrize("names", [(), ("hightech-case", "bio-case", "finding-stage"), ("enriched-place",)])
def test_completing_hermit_gives_what_the_owlrl_closure_of_its_answer_gave(names) -> None:
    """The hierarchy closure of HermiT's answer entails the same facts as the OWL 2 RL closure it replaced."""
    from clusterkg.reasoning.closure import complete

    _need_java()
    triples = reasoners.declare_individuals(list(dict.fromkeys(t for t, _ in _quads(*names))))
    answer = reasoners.run_hermit(reasoners.split_by_datatype(triples)[0])
    assert answer.consistent
    rules, clashes = reasoners.run_owlrl(triples + sorted(answer.additions, key=str))
    assert clashes == []
    stated = set(triples)
    by_rules = reasoning.select_inferences(stated, rules)
    by_hierarchy = reasoning.select_inferences(stated, complete(triples, answer.additions))
    assert set(by_hierarchy.entailed) == set(by_rules.entailed) and len(by_rules.entailed) > 100
    for part in ("types", "links", "subclasses"):
        assert set(getattr(by_hierarchy, part)) == set(getattr(by_rules, part)), part


def test_write_drop_removes_the_graph_of_inferences(store_dir: Path):
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", str(store_dir), "reason", "--reasoner", "owlrl", "--write", "-q"]).exit_code == 0
    assert _graph(store_dir, INFERRED_GRAPH)
    dropped = runner.invoke(cli, ["--store", str(store_dir), "reason", "--write", "--drop"])
    assert dropped.exit_code == 0 and dropped.output == "graph of inferences dropped\n"
    with open_embedded(store_dir) as store:
        assert INFERRED_GRAPH not in store.graph_names()
    again = runner.invoke(cli, ["--store", str(store_dir), "reason", "--write", "--drop"])
    assert again.output == "no graph of inferences to drop\n"
    alone = runner.invoke(cli, ["--store", str(store_dir), "reason", "--drop"])
    assert alone.exit_code == 2 and "--drop goes with --write" in alone.output
