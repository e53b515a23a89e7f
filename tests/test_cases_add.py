"""Adding and removing cases: all or nothing, refusals, locks, and a process killed mid-add."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clusterkg.cases import add as cases
from clusterkg.cases.model import CASE_PREFIX
from clusterkg.cases.validation import validate_files
from clusterkg.errors import CheckFailed, InputError, NotFoundError, StoreError
from clusterkg.namespaces import case_graph
from clusterkg.stores import base as store_mod
from clusterkg.stores import open_embedded

FIXTURES = Path(__file__).parent / "fixtures" / "cases"
CASE_GRAPHS = case_graph("")


def add_files(store_dir: Path, *paths: Path, replace: bool = False) -> cases.AddResult:
    report, files = validate_files(list(paths))
    with open_embedded(store_dir, writable=True) as store:
        return cases.add(store, files, report, replace=replace)


def case_graph_sizes(store_dir: Path) -> dict[str, int]:
    """Each added case's graph and its number of triples."""
    with open_embedded(store_dir) as store:
        rows = store.query(
            f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?g), "{CASE_GRAPHS}") }} '
            "GROUP BY ?g"
        ).rows
        return {g.value: int(n.value) for g, n in rows}


def dump(store_dir: Path) -> set[str]:
    with open_embedded(store_dir) as store:
        return {str(q) for q in store.oxigraph.quads_for_pattern(None, None, None, None)}


def test_add_puts_each_case_in_its_own_graph(store_dir: Path) -> None:
    result = add_files(store_dir, FIXTURES / "valid.yaml", FIXTURES / "valid.ttl")
    assert result.added == [CASE_PREFIX + "pangyo-techno-valley", CASE_PREFIX + "prato-textile-district",
                            CASE_PREFIX + "gumi-electronics"]
    sizes = case_graph_sizes(store_dir)
    assert set(sizes) == {case_graph("cluster-pangyo-techno-valley"), case_graph("cluster-prato-textile-district"),
                          case_graph("cluster-gumi-electronics")}
    assert sum(sizes.values()) == result.triples
    with open_embedded(store_dir) as store:
        ask = store.query(f"ASK {{ <{CASE_PREFIX}pangyo-techno-valley> <http://www.w3.org/2000/01/rdf-schema#label> "
                          f"\"Pangyo Techno Valley\"@en }}")
        assert ask.boolean is True


def test_an_existing_case_is_refused_unless_replace(store_dir: Path, tmp_path: Path) -> None:
    add_files(store_dir, FIXTURES / "valid.yaml")
    before = dump(store_dir)
    with pytest.raises(InputError, match=r"valid\.yaml:3: the case <.*pangyo-techno-valley> is already in the store; use --replace"):
        add_files(store_dir, FIXTURES / "valid.yaml")
    assert dump(store_dir) == before
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text((FIXTURES / "valid.yaml").read_text(encoding="utf-8").replace("Pangyo Techno Valley", "Pangyo TV"),
                       encoding="utf-8")
    result = add_files(store_dir, renamed, replace=True)
    assert result.replaced == [CASE_PREFIX + "pangyo-techno-valley", CASE_PREFIX + "prato-textile-district"]
    assert result.added == []
    with open_embedded(store_dir) as store:
        labels = {r[0].value for r in store.query(
            f"SELECT ?l WHERE {{ <{CASE_PREFIX}pangyo-techno-valley> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}").rows}
    assert labels == {"판교테크노밸리", "Pangyo TV"}  # replaced, not merged


def test_a_violation_adds_nothing(store_dir: Path) -> None:
    add_files(store_dir, FIXTURES / "valid.csv")
    before = dump(store_dir)
    with pytest.raises(CheckFailed, match="1 violation"):
        add_files(store_dir, FIXTURES / "valid.yaml", FIXTURES / "invalid" / "future-year.yaml")
    assert dump(store_dir) == before


def test_warnings_do_not_block(store_dir: Path) -> None:
    result = add_files(store_dir, FIXTURES / "advice-growth-finance-tax.yaml")
    assert result.added == [CASE_PREFIX + "growth-on-incentives"]


def test_a_case_of_the_knowledge_base_cannot_be_overwritten(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bucheon.yaml"
    path.write_text("- id: bucheon\n  name_ko: 부천\n  name_en: Bucheon\n  country: KR\n  source: A report on Bucheon, 2020\n",
                    encoding="utf-8")
    report, _ = validate_files([path])  # validate already says so, as add refuses it
    assert [i.message_en for i in report.issues if i.severity == "violation"] == [
        "<https://w3id.org/clusterkg/id/cluster-bucheon> is a case of the shipped knowledge base; choose another id"]
    for replace in (False, True):
        with pytest.raises(CheckFailed, match="1 violation"):
            add_files(store_dir, path, replace=replace)


def test_triples_outside_any_case_are_refused(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "place.ttl"
    path.write_text("@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
                    "<https://w3id.org/clusterkg/id/place-x> a ckg:City ;\n"
                    "    <http://www.w3.org/2000/01/rdf-schema#label> \"X\"@en .\n")
    with pytest.raises(InputError, match=r"place\.ttl:2: triples about .*place-x are not linked from any case"):
        add_files(store_dir, FIXTURES / "valid.ttl", path)
    assert case_graph_sizes(store_dir) == {}


def test_a_failed_write_leaves_the_store_as_it_was(store_dir: Path, monkeypatch) -> None:
    """The add is one update request: when it fails, nothing of it is applied."""
    add_files(store_dir, FIXTURES / "valid.csv")
    before = dump(store_dir)
    original = store_mod.replace_graphs_update
    monkeypatch.setattr(store_mod, "replace_graphs_update",
                        lambda graphs, drop=(): original(graphs, drop) + " ;\nINSERT DATA { <urn:x> <urn:y> }")
    with pytest.raises(StoreError, match="could not write"):
        add_files(store_dir, FIXTURES / "valid.yaml", FIXTURES / "valid.csv", replace=True)
    monkeypatch.undo()
    assert dump(store_dir) == before


@pytest.mark.parametrize("given", [
    CASE_PREFIX + "pangyo-techno-valley", "cki:cluster-pangyo-techno-valley", "pangyo-techno-valley",
    "cluster-pangyo-techno-valley", "Pangyo Techno Valley", "판교테크노밸리", "pangyo techno valley",
])
def test_remove_by_iri_curie_id_or_name(store_dir: Path, given: str) -> None:
    add_files(store_dir, FIXTURES / "valid.yaml")
    with open_embedded(store_dir, writable=True) as store:
        assert cases.remove(store, given) == CASE_PREFIX + "pangyo-techno-valley"
    assert set(case_graph_sizes(store_dir)) == {case_graph("cluster-prato-textile-district")}
    with open_embedded(store_dir) as store:
        ask = store.query(f"ASK {{ <{CASE_PREFIX}pangyo-techno-valley> ?p ?o }}")
        assert ask.boolean is False


def test_remove_refuses_what_is_not_an_added_case(store_dir: Path) -> None:
    with open_embedded(store_dir, writable=True) as store:
        with pytest.raises(InputError, match="part of the shipped knowledge base"):
            cases.remove(store, "cluster-bucheon")
        with pytest.raises(NotFoundError, match="no added case 'nothing'"):
            cases.remove(store, "nothing")


def test_remove_an_ambiguous_name(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "twins.yaml"
    path.write_text("- id: twin-a\n  name_ko: 쌍둥이\n  name_en: Twin\n  country: KR\n  source: Report A, 2020\n"
                    "- id: twin-b\n  name_ko: 쌍둥이\n  name_en: Twin B\n  country: KR\n  source: Report B, 2020\n",
                    encoding="utf-8")
    add_files(store_dir, path)
    with open_embedded(store_dir, writable=True) as store:
        with pytest.raises(InputError, match="names 2 cases"):
            cases.remove(store, "쌍둥이")
        assert cases.remove(store, "Twin B") == CASE_PREFIX + "twin-b"


# --------------------------------------------------------------------------
# Real processes: locks and SIGKILL
# --------------------------------------------------------------------------


def big_file(path: Path, n: int, prefix: str) -> Path:
    path.write_text("".join(
        f"- id: {prefix}-{i}\n  name_ko: 사례 {i}\n  name_en: Case {i}\n  country: KR\n  stage: growth\n"
        f"  instruments: [ict-infrastructure]\n  source: Report {i}, 2020\n" for i in range(n)), encoding="utf-8")
    return path


def run_add(store_dir: Path, *files: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "clusterkg", "--store", str(store_dir), "add", *map(str, files)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
    )


def lock_is_held(store_dir: Path) -> bool:
    with open(store_dir / "lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


@pytest.mark.slow
def test_a_process_killed_during_an_add_leaves_old_or_new_content_whole(store_dir: Path, tmp_path: Path) -> None:
    n = 600
    add_files(store_dir, FIXTURES / "valid.csv")  # the old content
    old = case_graph_sizes(store_dir)
    path = big_file(tmp_path / "big.yaml", n, "big")
    per_case = None
    outcomes = []
    for delay in (0.0, 0.02, 0.06, 0.1, 0.15, 0.3, None):
        process = run_add(store_dir, path, env={"CLUSTERKG_WORKERS": "1"})
        if delay is not None:
            deadline = time.monotonic() + 120
            while not lock_is_held(store_dir) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=300)
        sizes = case_graph_sizes(store_dir)  # the store opens after the kill
        new = {g: c for g, c in sizes.items() if g not in old}
        assert {g: sizes[g] for g in old} == old  # the old content is intact
        assert len(new) in (0, n), f"{len(new)} of {n} cases after a kill at {delay}"
        if new:
            per_case = per_case or set(new.values())
            assert set(new.values()) == per_case  # each case whole
            outcomes.append("new")
            if delay is not None:  # the add committed before the kill; take it out to try again
                with open_embedded(store_dir, writable=True) as store:
                    store.replace_graphs({}, drop=list(new))
        else:
            outcomes.append("old")
    assert outcomes[-1] == "new"  # the add that was not killed went through
    assert len(per_case) == 1


@pytest.mark.slow
def test_two_adds_at_once_both_succeed(store_dir: Path, tmp_path: Path) -> None:
    add_files(store_dir, FIXTURES / "valid.csv")
    first = run_add(store_dir, big_file(tmp_path / "a.yaml", 300, "a"), env={"CLUSTERKG_WORKERS": "1"})
    second = run_add(store_dir, big_file(tmp_path / "b.yaml", 300, "b"), env={"CLUSTERKG_WORKERS": "1"})
    for process in (first, second):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert out.strip().endswith("300 case(s), " + out.strip().split(", ")[-1])
    sizes = case_graph_sizes(store_dir)
    assert sum(1 for g in sizes if "/case/cluster-a-" in g) == 300
    assert sum(1 for g in sizes if "/case/cluster-b-" in g) == 300


@pytest.mark.slow  # waits for the lock timeout
def test_a_busy_store_fails_cleanly(store_dir: Path, tmp_path: Path) -> None:
    add_files(store_dir, FIXTURES / "valid.csv")
    before = dump(store_dir)
    with open_embedded(store_dir, writable=True):
        process = run_add(store_dir, FIXTURES / "valid.yaml", env={"CLUSTERKG_LOCK_TIMEOUT": "0.5"})
        out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err.strip().splitlines()[-1].startswith("Error: the store") and "busy" in err
    assert "Traceback" not in err
    assert dump(store_dir) == before


def test_a_case_named_in_one_language_is_shown_by_that_name_in_the_other(store_dir: Path) -> None:
    """Issue 11: one name is enough. compare, query clusters, the web page's tables and entity pages show
    a Korean-only case by its Korean name on an English page, an English-only case by its English name on a
    Korean one (names.py's and tables.lookup_labels' fallback)."""
    from clusterkg import queries
    from clusterkg.entity_views import entity_page
    from clusterkg.names import resolve_cluster
    from clusterkg.paper_views import compare
    from clusterkg.server.webapi import run_table

    add_files(store_dir, FIXTURES / "korean-name-only.yaml", FIXTURES / "english-name-only.csv")
    korean, english = CASE_PREFIX + "x-cluster", CASE_PREFIX + "y-cluster"
    with open_embedded(store_dir) as store:
        for lang in ("en", "ko"):
            comparison = compare(store, "엑스 클러스터", "Y cluster", lang)
            assert (comparison.a_label, comparison.b_label) == ("엑스 클러스터", "Y cluster")
            rows = queries.run_named(store, "clusters", {"lang": lang})
            column = rows.variables.index("clusterLabel"), rows.variables.index("cluster")
            listed = {row[column[1]].value: row[column[0]].value for row in rows.rows if row[column[0]] is not None}
            assert (listed[korean], listed[english]) == ("엑스 클러스터", "Y cluster"), lang
            table = run_table(store, "clusters", None, {}, lang, None)
            assert (table["labels"][korean], table["labels"][english]) == ("엑스 클러스터", "Y cluster")
            assert entity_page(store, korean, lang).label == "엑스 클러스터"
            assert entity_page(store, english, lang).label == "Y cluster"
        assert resolve_cluster(store, "x-cluster").label("en") == "엑스 클러스터"
