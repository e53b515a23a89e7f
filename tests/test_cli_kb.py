"""``clusterkg info`` and ``clusterkg export`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg.cli import cli


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_info_counts(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    assert lines["clusters"] == "11"
    assert lines["myths"] == "3"
    assert lines["findings"] == "9"
    assert lines["observations"] == "11"
    assert lines["conclusions"] == "1"
    assert lines["claims"] == "24"
    assert int(lines["interpretations"]) >= 19
    assert int(lines["triples"]) > 2000
    assert "남기범" in lines["source"]


def test_info_in_korean(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["info", "--lang", "ko"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    english = dict(line.split(None, 1) for line in runner.invoke(cli, ["info"]).output.splitlines())
    titles = {"클러스터": "clusters", "오해": "myths", "반론": "findings", "서술": "observations", "결론": "conclusions",
              "주장": "claims", "발췌문": "excerpts", "해석": "interpretations", "트리플": "triples", "그래프": "graphs",
              "원전": "source"}
    assert {titles[k]: v for k, v in lines.items()} == english
    assert runner.invoke(cli, ["info", "--lang", "fr"]).exit_code == 2


def test_info_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["info", "--json"])
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["excerpts"] == 66
    assert summary["sources"][0]["title"] == "첨단 산업 클러스터와 성숙 산업 클러스터의 특성 비교"


@pytest.mark.parametrize("fmt,parse_format", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)])
def test_export_round_trips(runner: CliRunner, tmp_path: Path, fmt: str, parse_format) -> None:
    out = tmp_path / f"kb.{fmt}"
    result = runner.invoke(cli, ["export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    triples = {q.triple for q in ox.parse(path=str(out), format=parse_format)}
    info = json.loads(runner.invoke(cli, ["info", "--json"]).output)
    assert len(triples) == info["triples"]
    assert ox.Triple(
        ox.NamedNode("https://w3id.org/clusterkg/id/cluster-bucheon"),
        ox.NamedNode("https://w3id.org/clusterkg/ontology#approximateNumberOfFirms"),
        ox.Literal("7000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ) in triples


def test_export_trig_keeps_graphs(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", "--format", "trig"])
    assert result.exit_code == 0
    quads = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {f"https://w3id.org/clusterkg/graph/kb/{s}" for s in ("cases", "clusterkg", "concepts", "industry-isic", "paper")}


def test_export_to_unwritable_path_is_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", "-o", str(tmp_path / "missing" / "kb.ttl")])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: cannot write {tmp_path / 'missing' / 'kb.ttl'}: No such file or directory"


def test_unknown_export_format(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_store_that_is_a_file_is_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "not-a-dir"
    path.write_text("x")
    result = runner.invoke(cli, ["--store", str(path), "info"])
    assert result.exit_code == 2
    assert "Error:" in result.output and "Traceback" not in result.output


def test_export_through_a_symbolic_link_writes_its_target_and_keeps_the_link(runner: CliRunner, tmp_path: Path) -> None:
    target, link = tmp_path / "kb.nt", tmp_path / "link.nt"
    target.write_text("old\n", encoding="utf-8")
    link.symlink_to(target)
    result = runner.invoke(cli, ["export", "--format", "nt", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("<")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb.nt", "link.nt"]  # no temporary file left


def test_export_of_a_failed_write_leaves_no_half_file(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    from clusterkg import kb

    def failing(store, fmt, stream):
        stream.write(b"<urn:a> <urn:b> ")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kb, "write_export", failing)
    result = runner.invoke(cli, ["export", "--format", "nt", "-o", str(tmp_path / "kb.nt")])
    assert result.exit_code == 2 and "cannot write" in result.output and "No space left on device" in result.output
    assert list(tmp_path.iterdir()) == []
