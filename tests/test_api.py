"""The Python API: clusterkg.open() and what a notebook asks of it."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import clusterkg
from clusterkg.errors import InputError, NotFoundError
from clusterkg.namespaces import CKI

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cases"
README = Path(__file__).resolve().parent.parent / "README.md"


def test_open_is_lazy_and_documented() -> None:
    kb = clusterkg.open()
    assert isinstance(kb, clusterkg.KnowledgeBase)
    assert "clusterkg.open" in (clusterkg.__doc__ or "")
    assert kb.info()["clusters"] == 11


def test_a_named_query_with_parameters_and_its_dataframe() -> None:
    kb = clusterkg.open()
    result = kb.query("clusters", type="ckg:BioCluster")
    assert result.kind == "select" and len(result) == 5
    frame = result.to_pandas(labels=True)
    assert "type" not in frame.columns and "cluster" not in frame.columns  # a bound parameter, an IRI twin
    assert "Daejeon bio cluster" in set(frame["clusterLabel"])
    raw = result.to_pandas()
    assert "cki:cluster-daejeon-bio" in set(raw["cluster"])


def test_a_query_text_with_the_project_prefixes_and_python_values() -> None:
    result = clusterkg.open().query("SELECT ?c ?n WHERE { ?c ckg:approximateNumberOfFirms ?n }")
    assert result.rows and all(isinstance(n, int) for _, n in result.rows)
    assert all(isinstance(c, ox.NamedNode) for c, _ in result.terms)


def test_ask_and_construct() -> None:
    kb = clusterkg.open()
    assert kb.query("ASK { ?s a ckg:Myth }").boolean is True
    graph = kb.query(f"CONSTRUCT {{ <{CKI}cluster-bucheon> ?p ?o }} WHERE {{ <{CKI}cluster-bucheon> ?p ?o }}")
    assert graph.kind == "graph" and len(graph) > 3
    assert list(graph.to_pandas().columns) == ["subject", "predicate", "object"]


def test_results_show_as_html_and_text() -> None:
    result = clusterkg.open().query("clusters", lang="ko")
    page = result._repr_html_()
    assert page.startswith("<table>") and "대전" in page and "<script" not in page
    assert re.search(r"\(11 rows\)$", repr(result)) and "대전" in repr(result)


def test_compare_myths_and_errors() -> None:
    kb = clusterkg.open()
    comparison = kb.compare("서울벤처밸리", "Dongdaemun")
    assert comparison.to_pandas().shape[1] == 2 and "<table>" in comparison._repr_html_()
    myths = kb.myths()
    assert len(myths) == 3 and "<h4>1." in myths._repr_html_()
    with pytest.raises(NotFoundError):
        kb.compare("no such cluster", "Bucheon")
    with pytest.raises(InputError):
        kb.query("   ")


@pytest.mark.slow
def test_validate_add_and_remove(store_dir: Path) -> None:
    kb = clusterkg.open(store=store_dir)
    report = kb.validate(FIXTURES / "valid.yaml")
    assert report.ok and report.cases == 2
    added = kb.add(FIXTURES / "valid.yaml")
    assert len(added.added) == 2 and kb.info()["clusters"] == 13
    assert kb.remove("Pangyo Techno Valley").endswith("cluster-pangyo-techno-valley")
    assert kb.info()["clusters"] == 12


def test_the_readme_notebook_section_runs(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    section = README.read_text(encoding="utf-8").split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    code = "\n".join(re.findall(r"```python\n(.*?)```", section, re.S))
    assert "clusterkg.open(" in code
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 -- the README's own example
    shown = capsys.readouterr().out
    assert "Daejeon bio cluster" in shown
