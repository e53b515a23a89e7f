"""``clusterkg load``, ``graphs``, ``drop`` and ``update`` on the embedded store, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg.cli import cli
from clusterkg.namespaces import USER_DEFAULT_GRAPH, kb_graph, user_graph
from clusterkg.stores import open_embedded

EX = "http://example.org/"
TURTLE = f"@prefix ex: <{EX}> .\nex:a ex:p 1 .\nex:b ex:p 2 .\n"
#: The same two triples in every syntax `clusterkg load` reads.
SYNTAXES = {
    "ttl": TURTLE,
    "nt": f"<{EX}a> <{EX}p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
          f"<{EX}b> <{EX}p> \"2\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
    "rdf": f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}a"><ex:p rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">1</ex:p></rdf:Description>
  <rdf:Description rdf:about="{EX}b"><ex:p rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">2</ex:p></rdf:Description>
</rdf:RDF>
""",
    "jsonld": json.dumps({"@context": {"ex": EX}, "@graph": [{"@id": "ex:a", "ex:p": 1}, {"@id": "ex:b", "ex:p": 2}]}),
}


@pytest.fixture()
def run(store_dir: Path):
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None):
        return runner.invoke(cli, ["--store", str(store_dir), *args], input=stdin)

    return invoke


def sizes(run) -> dict[str, int]:
    result = run("graphs", "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["graph"]: row["triples"] for row in json.loads(result.output)}


def graph_triples(store_dir: Path, graph: str) -> set[str]:
    with open_embedded(store_dir) as store:
        return {str(q.triple) for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


@pytest.mark.parametrize("suffix", sorted(SYNTAXES))
def test_load_reads_every_syntax_into_a_user_graph(run, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data.{suffix}"
    path.write_text(SYNTAXES[suffix])
    result = run("load", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Loaded 2 triples from 1 file(s):")
    assert sizes(run)[user_graph(f"data.{suffix}")] == 2


def test_load_quads_keep_their_graphs_and_stdin_is_read(run, tmp_path: Path, store_dir: Path) -> None:
    nquads = tmp_path / "d.nq"
    nquads.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .\n<{EX}a> <{EX}p> <{EX}c> .\n")
    trig = tmp_path / "d.trig"
    trig.write_text(f"@prefix ex: <{EX}> .\nex:g2 {{ ex:a ex:p ex:d }}\n")
    assert run("load", str(nquads), str(trig)).exit_code == 0
    found = sizes(run)
    assert found[f"{EX}g1"] == 1 and found[f"{EX}g2"] == 1 and found[user_graph("d.nq")] == 1
    piped = run("load", "-", "--format", "nt", "--graph", "piped", stdin=SYNTAXES["nt"])
    assert piped.exit_code == 0, piped.output
    assert sizes(run)[user_graph("piped")] == 2
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    assert graph_triples(store_dir, user_graph("piped")) == {
        f'<{EX}a> <{EX}p> "1"^^<{integer}>', f'<{EX}b> <{EX}p> "2"^^<{integer}>'}


def test_load_adds_unless_replace(run, tmp_path: Path) -> None:
    first, second = tmp_path / "one.ttl", tmp_path / "two.ttl"
    first.write_text(TURTLE)
    second.write_text(f"<{EX}c> <{EX}p> 3 .\n")
    assert run("load", str(first), "--graph", f"{EX}g").exit_code == 0
    assert run("load", str(second), "--graph", f"{EX}g").exit_code == 0
    assert sizes(run)[f"{EX}g"] == 3
    replaced = run("load", str(second), "--graph", f"{EX}g", "--replace")
    assert replaced.exit_code == 0 and replaced.output.startswith("Replaced 1 triples")
    assert sizes(run)[f"{EX}g"] == 1


def test_a_bad_file_is_one_line_with_line_and_column_and_nothing_is_written(run, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_text(TURTLE)
    bad.write_text(f"@prefix ex: <{EX}> .\nex:a ex:p 1 .\nex:b ex:p .\n")
    before = sizes(run)
    result = run("load", str(good), str(bad))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {bad}:3:") and "Turtle syntax error" in result.output
    assert result.output.count("\n") == 1
    assert sizes(run) == before  # the good file was not written either


@pytest.mark.parametrize("target", [kb_graph("cases"), "https://w3id.org/clusterkg/graph/inferred"])
def test_clusterkg_graphs_are_never_loaded(run, tmp_path: Path, target: str) -> None:
    path = tmp_path / "x.ttl"
    path.write_text(TURTLE)
    before = sizes(run)
    result = run("load", str(path), "--graph", target)
    assert result.exit_code == 2 and result.output.startswith(f"Error: refused: <{target}> is one of clusterkg's own graphs")
    nquads = tmp_path / "x.nq"
    nquads.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{target}> .\n")
    assert run("load", str(nquads)).exit_code == 2
    assert sizes(run) == before


def test_load_usage_errors(run, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "same.ttl").write_text(TURTLE)
    twice = run("load", str(tmp_path / "a" / "same.ttl"), str(tmp_path / "b" / "same.ttl"))
    assert twice.exit_code == 2 and "give --graph" in twice.output
    assert run("load", str(tmp_path / "missing.ttl")).output == f"Error: {tmp_path / 'missing.ttl'}: no such file\n"
    unknown = run("load", str(tmp_path / "a" / "same.ttl"), "--format", "xyz")
    assert unknown.exit_code == 2 and "unknown RDF format 'xyz'" in unknown.output


def test_graphs_lists_sizes_and_origin(run, tmp_path: Path) -> None:
    path = tmp_path / "mine.ttl"
    path.write_text(TURTLE)
    run("load", str(path))
    result = run("graphs")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["graph", "triples", "origin"]
    row = next(line for line in lines if user_graph("mine.ttl") in line)
    assert row.split()[1:] == ["2", "yours"]
    assert any(kb_graph("cases") in line and "shipped: ontology/cases.ttl" in line for line in lines)
    assert lines[-1].startswith("6 graph(s), ")  # five shipped (industry-isic.ttl among them) and yours


def test_drop_removes_user_graphs_only(run, tmp_path: Path) -> None:
    path = tmp_path / "mine.ttl"
    path.write_text(TURTLE)
    run("load", str(path))
    refused = run("drop", kb_graph("cases"))
    assert refused.exit_code == 2 and "refused" in refused.output and "'clusterkg remove'" not in refused.output
    assert kb_graph("cases") in sizes(run)
    missing = run("drop", "nothing-here")
    assert missing.exit_code == 2 and f"your graphs: <{user_graph('mine.ttl')}>" in missing.output
    dropped = run("drop", "mine.ttl")
    assert dropped.exit_code == 0 and dropped.output == f"dropped  <{user_graph('mine.ttl')}>\n"
    assert user_graph("mine.ttl") not in sizes(run)


def test_update_writes_the_user_default_graph(run, store_dir: Path) -> None:
    result = run("update", "-e", f'INSERT DATA {{ <{EX}a> rdfs:label "A"@en . GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}')
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Update applied:"
    assert f"<{USER_DEFAULT_GRAPH}> (default)" in result.output
    assert graph_triples(store_dir, USER_DEFAULT_GRAPH) == {f'<{EX}a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@en'}
    found = sizes(run)
    assert found[f"{EX}g"] == 1
    # the query command sees the user's graphs in its default graph, and never runs an update
    query = run("query", "-e", f"ASK {{ <{EX}a> rdfs:label ?l }}", "--format", "json")
    assert json.loads(query.output)["boolean"] is True
    refused = run("query", "-e", "CLEAR ALL")
    assert refused.exit_code == 2 and "refused: this is a SPARQL Update" in refused.output


def test_default_named_and_all_mean_the_user_s_graphs(run) -> None:
    run("update", "-e", f"INSERT DATA {{ <{EX}a> <{EX}p> 1 . GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 2 }} }}")
    kb = {g: n for g, n in sizes(run).items() if g.startswith(kb_graph(""))}
    assert run("update", "-e", "CLEAR NAMED").exit_code == 0
    assert sizes(run)[f"{EX}g"] == 0 and sizes(run)[USER_DEFAULT_GRAPH] == 1
    assert run("update", "-e", "DROP ALL").exit_code == 0
    after = sizes(run)
    assert USER_DEFAULT_GRAPH not in after and f"{EX}g" not in after
    assert {g: n for g, n in after.items() if g.startswith(kb_graph(""))} == kb


def test_an_update_reads_the_knowledge_base_with_using(run, store_dir: Path) -> None:
    cases = kb_graph("cases")
    plain = run("update", "-e", f"INSERT {{ ?c <{EX}seen> true }} WHERE {{ ?c a ckg:MatureIndustrialCluster }}")
    assert plain.exit_code == 0 and plain.output.startswith("Update applied; the sizes of your graphs are unchanged")  # the default is yours
    using = run("update", "-e", f"INSERT {{ ?c <{EX}seen> true }} USING <{cases}> WHERE {{ ?c a ckg:MatureIndustrialCluster }}")
    assert using.exit_code == 0, using.output
    assert len(graph_triples(store_dir, USER_DEFAULT_GRAPH)) == 2  # Bucheon and Dongdaemun
    named = run("update", "-e", f"INSERT {{ GRAPH <{EX}copy> {{ ?c a ?t }} }} USING NAMED <{cases}> "
                                f"WHERE {{ GRAPH <{cases}> {{ ?c a ckg:MatureIndustrialCluster, ?t }} }}")
    assert named.exit_code == 0 and sizes(run)[f"{EX}copy"] >= 2


@pytest.mark.parametrize("update", [
    f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }} ; DROP GRAPH <{kb_graph('cases')}>",
    f"INSERT DATA {{ GRAPH <{kb_graph('paper')}> {{ <{EX}x> <{EX}p> 1 }} }}",
    f"WITH <{kb_graph('cases')}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"MOVE <{kb_graph('cases')}> TO <{EX}stolen>",
    "PREFIX g: <https://w3id.org/clusterkg/graph/> CLEAR GRAPH g:inferred",
    f"BASE <https://w3id.org/clusterkg/graph/kb/> DELETE DATA {{ GRAPH <cases> {{ <{EX}x> <{EX}p> 1 }} }}",
])
def test_an_update_naming_a_clusterkg_graph_is_refused_and_nothing_applied(run, update: str) -> None:
    before = sizes(run)
    result = run("update", "-e", update)
    assert result.exit_code == 2
    assert result.output.startswith("Error: refused: the update would change <https://w3id.org/clusterkg/graph/")
    assert result.output.rstrip().endswith("Nothing was applied") and result.output.count("\n") == 1
    assert sizes(run) == before


def test_a_template_graph_variable_never_reaches_the_knowledge_base(run, store_dir: Path) -> None:
    cases = kb_graph("cases")
    before = graph_triples(store_dir, cases)
    copied = run("update", "-e", f"INSERT {{ ?s ?p ?o }} USING <{cases}> WHERE {{ ?s ?p ?o }}")
    assert copied.exit_code == 0  # the user default graph now holds a copy of the cases
    result = run("update", "-e", f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o BIND(<{cases}> AS ?g) }}")
    assert result.exit_code == 0, result.output
    assert graph_triples(store_dir, cases) == before


def test_update_errors(run, tmp_path: Path) -> None:
    query = run("update", "-e", "SELECT * { ?s ?p ?o }")
    assert query.exit_code == 2 and "this is a SELECT query, not an update" in query.output
    syntax = run("update", "-e", "INSERT DATA {\n  <urn:a> <urn:b> }")
    assert syntax.exit_code == 2 and syntax.output.startswith("Error: SPARQL Update syntax error at line 2, column")
    both = run("update", "-e", "CLEAR ALL", "-f", "x.ru")
    assert both.exit_code == 2 and "exactly one of" in both.output
    piped = run("update", "-f", "-", stdin="INSERT DATA { <urn:a> <urn:b> <c> }")
    assert piped.exit_code == 0, piped.output
    relative = run("query", "-e", "SELECT ?o WHERE { <urn:a> <urn:b> ?o }", "--format", "csv")
    assert relative.output.splitlines()[1] == Path.cwd().resolve().as_uri() + "/c"  # the default base: the directory


def test_load_graphs_update_and_drop_on_an_endpoint(oxigraph, tmp_path: Path) -> None:
    """The same commands with --endpoint (given after the command name) work on a live Oxigraph server."""
    runner = CliRunner()
    at = ["--endpoint", oxigraph.query_url, "--update-endpoint", oxigraph.update_url]
    push = runner.invoke(cli, ["push", *at])
    assert push.exit_code == 0, push.output
    data = tmp_path / "mine.ttl"
    data.write_text(TURTLE)
    loaded = runner.invoke(cli, ["load", str(data), *at])
    assert loaded.exit_code == 0 and loaded.output.startswith("Loaded 2 triples"), loaded.output
    listed = json.loads(runner.invoke(cli, ["graphs", "--format", "json", *at]).output)
    assert {r["graph"]: r["triples"] for r in listed}[user_graph("mine.ttl")] == 2
    updated = runner.invoke(cli, ["update", "-e", f"INSERT {{ ?s <{EX}q> ?o }} USING <{user_graph('mine.ttl')}> "
                                                  f"WHERE {{ ?s <{EX}p> ?o }}", *at])
    assert updated.exit_code == 0 and f"<{USER_DEFAULT_GRAPH}> (default)" in updated.output, updated.output
    refused = runner.invoke(cli, ["update", "-e", f"CLEAR GRAPH <{kb_graph('cases')}>", *at])
    assert refused.exit_code == 2 and "refused" in refused.output
    counted = runner.invoke(cli, ["query", "-e", f"SELECT (COUNT(*) AS ?n) {{ ?s <{EX}q> ?o }}", "--format", "csv", *at])
    assert counted.output.splitlines()[1] == "2"
    dropped = runner.invoke(cli, ["drop", "mine.ttl", "default", *at])
    assert dropped.exit_code == 0, dropped.output
    after = {r["graph"] for r in json.loads(runner.invoke(cli, ["graphs", "--format", "json", *at]).output)}
    assert user_graph("mine.ttl") not in after and kb_graph("cases") in after


@pytest.mark.parametrize("update", ["WITH", "INSERT DATA { GRAPH", "DELETE WHERE {", "MOVE DEFAULT TO", "LOAD",
                                    "CLEAR", "INSERT { GRAPH ?g { ?s ?p ?o } } WHERE", "ADD GRAPH <urn:a> TO"])
def test_a_truncated_update_is_a_one_line_syntax_error(run, update: str) -> None:
    result = run("update", "-e", update)
    assert result.exit_code == 2 and result.output.startswith("Error: SPARQL Update syntax error at line 1")
    assert result.output.count("\n") == 1
