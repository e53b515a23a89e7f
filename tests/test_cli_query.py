"""``clusterkg queries``, ``query``, ``compare`` and ``myths``: output and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg import queries
from clusterkg.cli import cli
from clusterkg.namespaces import CKI

SVV = CKI + "cluster-seoul-venture-valley"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def ok(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(*args: str) -> str:
    """Run a command that must fail with a one-line error and exit code 2; return the message."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("command", ["queries", "query", "compare", "myths"])
def test_every_command_has_help(command: str) -> None:
    output = ok(command, "--help")
    assert "Usage: " in output and len(output.splitlines()) > 4


def test_queries_lists_names_titles_and_parameters() -> None:
    output = ok("queries")
    for query in queries.catalogue():
        assert f"{query.name}: {query.title['en']}" in output
    assert "--param finding=<name or iri>  (required)" in output
    assert "--param lang=<lang>  (default en)" in output
    assert "--param entity=<name or iri>  (optional)" in output
    assert "--param type=<name or iri>  (default ckg:IndustrialCluster)" in output
    assert "오해와 그 내용, 그리고 그에 대한 반론" in ok("queries", "--lang", "ko")


def test_queries_shows_one_query_in_full_and_as_json() -> None:
    output = ok("queries", "compare")
    assert "SELECT DISTINCT" in output and "--param a=<name or iri>" in output
    document = json.loads(ok("queries", "--json"))
    assert {q["name"] for q in document} >= {"compare", "provenance"}
    provenance = json.loads(ok("queries", "provenance", "--json"))
    assert provenance["params"][0] == {"name": "entity", "type": "iri", "default": None, "required": True,
                                       "description": "the entity, e.g. Bucheon mature industrial cluster",
                                       "descriptions": {"en": "the entity, e.g. Bucheon mature industrial cluster",
                                                        "ko": "개체 (예: 부천 성숙산업 클러스터)"},
                                       "class": None, "subclasses": False}
    finding = json.loads(ok("queries", "cases-illustrating-finding", "--json"))["params"][0]
    assert (finding["class"], finding["subclasses"]) == ("https://w3id.org/clusterkg/ontology#Claim", False)
    assert "no named query 'nope'" in fails("queries", "nope")


def test_a_named_query_in_csv(source_text: str) -> None:
    table = csv_rows(ok("query", "myths-and-findings", "--format", "csv", "--lang", "ko"))
    assert len(table) == 14  # 9 findings, 2 stereotypes, 2 diagnoses, the third myth's own words
    assert {row["lang"] for row in table} == {"ko"}  # --lang fills the query's lang parameter
    assert all(row["excerpt"] in source_text for row in table)
    english = csv_rows(ok("query", "myths-and-findings", "--format", "csv", "--param", "lang=en"))
    assert all(row["excerpt"] not in source_text for row in english)


def test_named_query_parameters_on_the_command_line() -> None:
    document = json.loads(ok("query", "clusters", "--param", "type=ckg:BioCluster", "--format", "json"))
    assert len(document["results"]["bindings"]) == 5
    rows = csv_rows(ok("query", "cases-illustrating-finding", "-p", "finding=cki:finding-korea-stalled-at-take-off",
                       "--format", "csv"))
    assert [row["cluster"] for row in rows] == [CKI + "cluster-teheran-valley"]


def test_the_table_is_for_people() -> None:
    output = ok("query", "clusters", "--width", "400")  # issue 11: every column a case has
    assert "Seoul Venture Valley" in output and "https://" not in output
    assert output.rstrip().endswith("(11 rows)")
    assert all(len(line) <= 400 for line in output.splitlines())
    korean = ok("query", "compare", "--lang", "ko", "--width", "200")
    assert "문화경제적 기제" in korean and "신뢰, 협력, 상호의존의 공동체" in korean


def test_an_inline_query_with_predeclared_prefixes_and_a_parameter() -> None:
    output = ok("query", "-e", "SELECT ?kind ?c WHERE { ?c a ?kind }", "-p",
                "kind=<https://w3id.org/clusterkg/ontology#MatureIndustrialCluster>", "--format", "csv")
    assert sorted(row["c"] for row in csv_rows(output)) == [CKI + "cluster-bucheon", CKI + "cluster-dongdaemun-apparel"]
    assert ok("query", "-e", "ASK { cki:cluster-bucheon a ckg:MatureIndustrialCluster }") == "yes\n"


def test_construct_and_describe_in_rdf_formats() -> None:
    data = ok("query", "-e", "DESCRIBE cki:cluster-bucheon", "--format", "nt").encode()
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    assert any(t.predicate.value.endswith("#approximateNumberOfFirms") and t.object.value == "7000" for t in triples)
    turtle = ok("query", "-e", "CONSTRUCT WHERE { ?m a ckg:Myth }", "--format", "ttl")
    assert len(list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))) == 3
    table = ok("query", "-e", "CONSTRUCT WHERE { ?m a ckg:Myth }")
    assert table.rstrip().endswith("(3 triples)")


def test_a_query_file_from_disk_and_standard_input(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\nSELECT (COUNT(?m) AS ?n) { ?m a ckg:Myth }\n")
    assert csv_rows(ok("query", "-f", str(path), "--format", "csv")) == [{"n": "3"}]
    assert csv_rows(ok("query", "-f", "-", "--format", "csv", input=path.read_text())) == [{"n": "3"}]


def test_data_graph_and_base_query_files_instead_of_the_store(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("@prefix : <http://example.org/> . :a :p 1 . :b :p 2 .\n")
    graph = tmp_path / "g.nt"
    graph.write_text("<http://example.org/a> <http://example.org/q> \"in g\" .\n")
    output = ok("query", "-e", "SELECT ?s ?o { ?s <http://example.org/p> ?o } ORDER BY ?o", "--data", str(data),
                "--format", "csv")
    assert csv_rows(output) == [{"s": "http://example.org/a", "o": "1"}, {"s": "http://example.org/b", "o": "2"}]
    # the default graph is the --data files only; named graphs are reached with GRAPH
    rows = csv_rows(ok("query", "-e", "SELECT ?g ?o { GRAPH ?g { ?s ?p ?o } }", "--data", str(data),
                       "--graph", f"http://example.org/g={graph}", "--format", "csv"))
    assert rows == [{"g": "http://example.org/g", "o": "in g"}]
    assert ok("query", "-e", "ASK { ?s <http://example.org/q> ?o }", "--graph", f"<http://example.org/g>={graph}") == "no\n"
    based = csv_rows(ok("query", "-e", "SELECT ?o { <a> <p> ?o }", "--data", str(data), "--base", "http://example.org/",
                        "--format", "csv"))
    assert based == [{"o": "1"}]
    assert "ckg" not in ok("query", "-e", "SELECT ?c { ?c a ckg:BioCluster }", "--data", str(data))  # not the KB


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "nope"], "no named query 'nope'; known queries:"),
        (["query", "clusters", "--param", "cluster=x"], "has no parameter 'cluster'"),
        (["query", "provenance"], "needs entity: give --param entity=..."),
        (["query", "provenance", "--param", "entity=not an iri"], "parameter 'entity' expects an IRI"),
        (["query", "myths-and-findings", "--param", "lang=e n"], "expects a language tag"),
        (["query", "clusters", "--param", "novalue"], "--param expects NAME=VALUE"),
        (["query", "-e", "SELECT ?s WHERE { BIND(1 AS ?o) }", "-p", "o=x"], "cannot bind ?o: the query gives it a value"),
        (["query", "-e", "SELECT ?x WHERE {\n  ?x ?p ?o .\n  ?x ?p2 }"], "SPARQL syntax error at line 3, column"),
        (["query", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT x"], "line 1, column 35, at 'x'"),
        (["query", "-e", "INSERT DATA { cki:a cki:b cki:c }"], "refused: this is a SPARQL Update (INSERT)"),
        (["query", "-e", "SELECT ?s { ?s ?p ?o }", "--format", "ttl"], "--format ttl is for CONSTRUCT and DESCRIBE"),
        (["query", "-f", "/nonexistent/q.rq"], "cannot read the query file /nonexistent/q.rq"),
        # issue 12, item 6: a traceback (ValueError) before
        (["query", "--base", "not an iri", "-e", "SELECT * { <a> ?p ?o }"], "Invalid base IRI 'not an iri'"),
        (["query", "-e", "ASK {}", "--data", "/nonexistent/d.ttl"], "/nonexistent/d.ttl: no such file"),
        (["query", "-e", "ASK {}", "--graph", "just-a-file.ttl"], "--graph expects IRI=FILE"),
        (["--endpoint", "http://127.0.0.1:9/sparql", "query", "-e", "ASK {}", "--data", "x.ttl"], "cannot be combined"),
        (["compare", "bio", "bucheon"], "'bio' is ambiguous; it matches 5 clusters: cki:cluster-boston-bio"),
        (["compare", "atlantis", "bucheon"], "no cluster named 'atlantis'; clusters: cki:cluster-boston-bio"),
        (["compare", "cki:place-seoul", "bucheon"], "cki:place-seoul is not a cluster"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(args: list[str], message: str) -> None:
    assert message in fails(*args)


def test_bad_data_file_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://a> <http://b> .\n")
    assert "broken.ttl" in fails("query", "-e", "ASK {}", "--data", str(broken))
    unknown = tmp_path / "data.xyz"
    unknown.write_text("")
    assert "unknown RDF file extension" in fails("query", "-e", "ASK {}", "--data", str(unknown))


def test_an_update_leaves_the_store_as_it_was() -> None:
    before = ok("info", "--json")
    fails("query", "-e", "DELETE WHERE { ?s ?p ?o }")
    fails("query", "-e", "# a comment first\nDROP ALL")
    assert ok("info", "--json") == before


def test_usage_errors() -> None:
    for args in (["query"], ["query", "clusters", "-e", "ASK {}"]):
        result = run(*args)
        assert result.exit_code == 2 and "give exactly one of" in result.output


def test_compare_prints_the_table_side_by_side() -> None:
    output = ok("compare", "Seoul Venture Valley", "동대문", "--width", "120")
    header = output.splitlines()[0]
    assert "Seoul Venture Valley" in header and "Dongdaemun apparel cluster" in header
    for dimension in ("place", "socio-economic mechanism", "cultural-economic mechanism", "performance capacity"):
        assert dimension in output
    assert "- a self-contained local network" in output
    korean = ok("compare", "서울벤처밸리", "cki:cluster-dongdaemun-apparel", "--lang", "ko", "--width", "120")
    assert korean.splitlines()[0].split("|")[0].strip() == "항목"
    assert "신뢰, 협력, 상호의존의 파트너십" in korean
    same = ok("compare", "seoul-venture-valley", "Dongdaemun apparel cluster", "--width", "120")
    assert same == output


def test_myths_reads_well_in_a_terminal(source_text: str) -> None:
    output = ok("myths", "--width", "100")
    assert output.startswith("Myth 1 (§1.1): knowledge-based clusters are either spontaneous")
    assert output.count("Countered by:") == 3
    assert "Deregulation matters more than more support (§1.1)" in output
    assert all(len(line) <= 100 for line in output.splitlines())
    korean = ok("myths", "--lang", "ko", "--width", "400")
    assert "오해 3 (§1.3): 클러스터는 첨단 지식기반산업 이라는 오해" in korean
    quoted = [line.strip()[1:-1] for line in korean.splitlines() if line.strip().startswith("“")]
    assert len(quoted) == 13 and all(text in source_text for text in quoted)  # 9 findings, 2 stereotypes, 2 diagnoses
    # under myth 1, the stereotype pair with the cluster each holds up as its model
    first = output.split("Myth 2")[0]
    assert first.index("The stereotype:") < first.index("- Silicon Valley: spontaneous (§1.1)") < first.index(
        "- MSC: government-led (§1.1)") < first.index("Countered by:")
    second = output.split("Myth 2")[1].split("Myth 3")[0]
    assert second.index("The diagnosis:") < second.index("Policy so far has been about forming and funding firms") < (
        second.index("Such policy has not been of much help")) < second.index("Countered by:")
    assert "  - 실리콘 벨리: 자연발생형 (§1.1)" in korean and "  진단:" in korean


def test_a_named_query_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    """Cold start: rdflib, pySHACL and owlready2 stay off the query path."""
    script = (
        "import sys\n"
        "from clusterkg.cli import cli\n"
        "cli.main(['query', 'myths-and-findings', '--format', 'csv'], standalone_mode=False)\n"
        "heavy = sorted(m for m in ('rdflib', 'pyshacl', 'owlready2', 'owlrl', 'SPARQLWrapper') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr
    assert "myth-clusters-are-high-tech" in done.stdout


def readme_examples() -> list[tuple[list[str], list[str]]]:
    """The commands of the README's "Querying" section, each with the output it shows."""
    import shlex

    from readme_examples import console_steps, section

    block = section("Querying").split("```", 2)[1]
    return [
        (shlex.split(command[len("clusterkg "):]), shown)
        for command, shown in console_steps(block)
        if command.startswith("clusterkg ")
    ]


def test_the_readme_examples_give_the_output_shown() -> None:
    examples = readme_examples()
    assert len(examples) >= 4
    for args, shown in examples:
        actual = ok(*args).splitlines()
        shown = shown[: shown.index("...")] if "..." in shown else shown
        assert actual[: len(shown)] == shown, args


def test_output_to_a_file_and_xml_results(tmp_path: Path) -> None:
    target = tmp_path / "out.srx"
    assert ok("query", "policies-by-stage", "--format", "xml", "-o", str(target)) == ""
    solutions = list(ox.parse_query_results(path=str(target), format=ox.QueryResultsFormat.XML))
    assert len(solutions) == 9 and {s["stagesBefore"].value for s in solutions} == {"0", "1"}


def test_myths_without_sections_read_cleanly() -> None:
    from clusterkg.paper_views import Finding, Myth, format_myths

    text = format_myths([Myth("Myth: added by a user", "", [Finding("a finding", "", "")])], width=80)
    assert text == "Myth 1: added by a user\n  Countered by:\n  - a finding\n"


# --- issue 13: datasets, base IRIs, bindings, columns, formats, options -------------------------


def _count(*args: str) -> int:
    return int(list(csv.reader(io.StringIO(ok(*args, "--format", "csv"))))[1][0])


def test_from_names_the_dataset() -> None:
    everything = _count("query", "-e", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    cases = _count("query", "-e", "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/clusterkg/graph/kb/cases> { ?s ?p ?o }")
    assert 0 < cases < everything


def test_from_on_files(tmp_path: Path) -> None:
    """--data is the default graph, --graph named graphs; FROM picks among them (as Jena's arq)."""
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text("<urn:a> <urn:p> 1 .\n")
    two.write_text("<urn:b> <urn:p> 2 . <urn:c> <urn:p> 3 .\n")
    files = ["--data", str(one), "--graph", f"urn:g={two}"]
    assert _count("query", "-e", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", *files) == 1
    assert _count("query", "-e", "SELECT (COUNT(*) AS ?n) FROM <urn:g> { ?s ?p ?o }", *files) == 2


def test_select_star_columns_in_order_of_appearance() -> None:
    header = ok("query", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "csv").splitlines()[0]
    assert header == "s,p,o"
    data = json.loads(ok("query", "-e", "SELECT * WHERE { ?zebra ?apple ?mango } LIMIT 1", "--format", "json"))
    assert data["head"]["vars"] == ["zebra", "apple", "mango"]


def test_any_variable_can_be_bound() -> None:
    output = ok("query", "-e", "SELECT ?x WHERE { BIND(?v AS ?x) }", "--param", "v=<https://w3id.org/clusterkg/id/a>",
                "--format", "csv")
    assert output.splitlines() == ["x", "https://w3id.org/clusterkg/id/a"]
    labels = ok("query", "-e", "SELECT ?c WHERE { ?c rdfs:label ?name }", "-p", 'name="동대문 의류산업 집적지"@ko',
                "--format", "csv")
    assert labels.splitlines()[1] == f"{CKI}cluster-dongdaemun-apparel"


def test_relative_iris_resolve_against_the_base(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?x WHERE { BIND(<thing> AS ?x) }")
    assert ok("query", "-f", str(query), "--format", "csv").splitlines()[1] == (tmp_path / "thing").as_uri()
    given = ok("query", "-e", "SELECT ?x WHERE { BIND(<thing> AS ?x) }", "--base", "http://example.org/", "--format", "csv")
    assert given.splitlines()[1] == "http://example.org/thing"
    constructed = ok("query", "-e", "CONSTRUCT { <s> <p> 1 } WHERE {}", "--base", "http://example.org/", "--format", "nt")
    assert constructed.startswith("<http://example.org/s> <http://example.org/p> ")


def test_json_for_a_graph_is_json_ld_and_xml_is_rdf_xml() -> None:
    query = f"CONSTRUCT {{ <{CKI}cluster-bucheon> ?p ?o }} WHERE {{ <{CKI}cluster-bucheon> ?p ?o }}"
    triples = list(ox.parse(ok("query", "-e", query, "--format", "json").encode(), format=ox.RdfFormat.JSON_LD))
    assert len(triples) > 5
    assert len(list(ox.parse(ok("query", "-e", query, "--format", "xml").encode(), format=ox.RdfFormat.RDF_XML))) == len(triples)


def test_data_from_standard_input() -> None:
    output = ok("query", "-e", "SELECT ?o { ?s ?p ?o }", "--data", "-", "--format", "csv", input="<urn:a> <urn:p> 'piped' .\n")
    assert output.splitlines() == ["o", "piped"]
    typed = ok("query", "-e", "ASK { ?s ?p 1 }", "--data", "-", "--data-format", "nt", "--format", "json",
               input='<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    assert json.loads(typed)["boolean"] is True


def test_an_incomplete_triple_pattern_is_explained() -> None:
    message = fails("query", "-e", "SELECT * WHERE { ?s ?p }")
    assert "a triple pattern needs a subject, a predicate and an object, and '?s ?p' has 2 of them" in message


def test_store_options_before_or_after_the_command_name(tmp_path: Path) -> None:
    store = tmp_path / "elsewhere"
    before = run("--store", str(store), "info", "--json")
    assert before.exit_code == 0
    assert before.stderr.startswith(f"Note: building a new store at {store}")
    after = run("info", "--json", "--store", str(store))
    assert after.exit_code == 0 and after.stderr == ""  # built already: nothing to say
    assert json.loads(after.stdout) == json.loads(before.stdout)
    for command in (["query", "-e", "ASK {}"], ["info"], ["graphs"], ["myths"], ["export"], ["update", "-e", "CLEAR ALL"]):
        down = run(*command, "--endpoint", "http://127.0.0.1:9/sparql")
        assert down.exit_code == 2 and "http://127.0.0.1:9/sparql" in down.output, (command, down.output)
    mixed = run("--endpoint", "http://127.0.0.1:9/sparql", "query", "-e", "ASK {}", "--store", str(store), "--endpoint", "")
    assert mixed.exit_code == 0, mixed.output  # after the name wins: no endpoint, the store given
