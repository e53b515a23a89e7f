"""The limits a query is held to before any engine sees it (clusterkg/sparql/limits.py; issue 12, item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hostile
import pytest

from clusterkg.errors import QueryError
from clusterkg.sparql.limits import MAX_DEPTH, MAX_PATTERNS, MAX_QUERY_CHARS, MAX_TOKENS, check_limits

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT.parent / "shared" / "w3c-suites"


def _write(tmp_path: Path, name: str) -> Path:
    """The corpus input ``name`` (tests/hostile.py), written to a file."""
    path = tmp_path / Path(name).name
    content = hostile.GENERATED[name]()
    assert isinstance(content, str)
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_probe_of_the_issue_is_refused_with_one_line_not_a_signal(tmp_path: Path) -> None:
    """2,500 levels of { } killed ``clusterkg query`` with signal 11; now one line and exit 2, in a real process."""
    query = _write(tmp_path, "sparql/deep-braces-2500.rq")
    done = subprocess.run([sys.executable, "-m", "clusterkg", "query", "-f", str(query)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if not line.startswith("Note: ")]  # a store built first
    assert lines == ["Error: the query nests too deeply: more than 64 levels of brackets, at line 1, column 144"]


@pytest.mark.slow
def test_a_deeply_nested_update_is_refused_with_one_line_not_a_signal(tmp_path: Path) -> None:
    """The same 2,500 levels in an update's WHERE killed ``clusterkg update`` with signal 11."""
    request = tmp_path / "deep.ru"
    request.write_text("INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{ " * 2500 + "?s ?p ?o " + "} " * 2500)
    done = subprocess.run([sys.executable, "-m", "clusterkg", "update", "-f", str(request)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if not line.startswith("Note: ")]
    assert lines == ["Error: the request nests too deeply: more than 64 levels of brackets, at line 1, column 170"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sparql/deep-braces-2500.rq", "nests too deeply"),
        ("sparql/deep-parens-6000.rq", "nests too deeply"),
        ("sparql/not-chain-12000.rq", "nests too deeply"),
        ("sparql/deep-quoted-triples-3000.rq", "nests too deeply"),
        ("sparql/plus-chain-10000.rq", "too large: more than 10,000 tokens"),
        ("sparql/union-10000.rq", "too many patterns"),
        ("sparql/bgp-chain-200.rq", "too many patterns"),
        ("sparql/groups-of-chains.rq", "too many patterns"),
        ("sparql/collection-1000.rq", "too many patterns"),
        ("sparql/too-long-2mb.rq", "too long: 2,097,183 characters"),
    ],
)
def test_what_crashes_or_stalls_the_engine_is_refused(name: str, message: str) -> None:
    """Each of these segfaults Oxigraph or takes it minutes to plan (measured in the issue's probe)."""
    text = hostile.GENERATED[name]()
    assert isinstance(text, str)
    with pytest.raises(QueryError, match=message):
        check_limits(text)


def test_the_limits_refuse_only_past_them() -> None:
    chain = " ".join(f"?s{i} <urn:p> ?s{i + 1} ." for i in range(MAX_PATTERNS - 2))
    check_limits("SELECT * WHERE { " + chain + " }")
    with pytest.raises(QueryError, match="too many patterns"):
        check_limits("SELECT * WHERE { " + chain + " ?a ?b ?c . ?d ?e ?f . }")
    check_limits("SELECT * WHERE " + "{ " * (MAX_DEPTH - 1) + "}" * (MAX_DEPTH - 1))
    check_limits("SELECT * WHERE { FILTER(" + "+".join(["1"] * (MAX_TOKENS // 2 - 20)) + ") }")
    check_limits("SELECT * WHERE { ?s ?p ?o } # " + "x" * (MAX_QUERY_CHARS - 40))


@pytest.mark.parametrize(
    "text",
    [
        # VALUES data, the CONSTRUCT template and expressions are no patterns to plan
        "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(50_000)) + " } }",
        "CONSTRUCT { " + " ".join(f"?s <urn:p{i}> ?o ." for i in range(300)) + " } WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(str(i) for i in range(2000)) + ")) }",
        # brackets inside strings, IRIs and comments do not nest
        "SELECT * WHERE { ?s ?p \"" + "{" * 500 + "\" } # " + "(" * 500,
        "SELECT * WHERE { ?s <urn:" + "%7B" * 500 + "> ?o }",
    ],
)
def test_what_is_cheap_stays_allowed(text: str) -> None:
    check_limits(text)


def test_every_shipped_and_w3c_query_is_within_the_limits() -> None:
    files = sorted((ROOT / "queries").glob("*.rq")) + sorted(SUITE.glob("**/*.rq"))
    assert len(files) > 100
    refused = []
    for path in files:
        try:
            check_limits(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # a syntax test of the suite in another encoding
        except QueryError as exc:
            refused.append(f"{path.name}: {exc}")
    assert refused == []


def test_the_command_line_refuses_before_the_store_sees_the_query(tmp_path: Path) -> None:
    """Through -e, -f, standard input, --data and an endpoint that nothing listens on (not reached)."""
    from click.testing import CliRunner

    from clusterkg.cli import cli

    query = _write(tmp_path, "sparql/deep-braces-2500.rq")
    data = tmp_path / "d.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n")
    runner = CliRunner()
    for args, stdin in [
        (["query", "-f", str(query)], None),
        (["query", "-e", query.read_text()], None),
        (["query", "-f", "-"], query.read_text()),
        (["query", "--data", str(data), "-f", str(query)], None),
        (["--endpoint", "http://127.0.0.1:9/sparql", "query", "-f", str(query)], None),
    ]:
        result = runner.invoke(cli, args, input=stdin)
        assert result.exit_code == 2, args
        assert result.output.startswith("Error: the query nests too deeply"), args


def test_the_readme_examples_of_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    from click.testing import CliRunner
    from readme_examples import console_steps, section

    from clusterkg.cli import cli

    monkeypatch.chdir(ROOT)
    steps = console_steps(section("Limits on input").split("```", 2)[1])
    assert len(steps) == 4
    for command, shown in steps:
        args = shlex.split(command)
        assert args[0] == "clusterkg"
        result = CliRunner().invoke(cli, args[1:])
        assert result.exit_code == 2, command
        assert result.output.splitlines() == shown, command
