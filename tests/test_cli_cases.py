"""`clusterkg new-case`, `convert`, `validate`, `add`, `remove` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
import yaml
from click.testing import CliRunner

from clusterkg.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "cases"
CKI = "https://w3id.org/clusterkg/id/"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help(runner: CliRunner) -> None:
    for command in ("new-case", "convert", "validate", "add", "remove"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage: " in result.output and len(result.output.splitlines()) > 4


def test_new_case_template_fails_until_filled(runner: CliRunner, tmp_path: Path) -> None:
    """Issue 11: `new-case > x.yaml && add x.yaml` adds nothing; the placeholders are reported, line by line."""
    result = runner.invoke(cli, ["new-case"])
    assert result.exit_code == 0
    assert "# A new cluster case for clusterkg" in result.output
    assert "semiconductor" in result.output and "KSIC10:26" in result.output  # concepts and codes
    path = tmp_path / "mine.yaml"
    path.write_text(result.output, encoding="utf-8")
    assert isinstance(yaml.safe_load(result.output), list)
    store = ["--store", str(tmp_path / "store")]
    checked = runner.invoke(cli, [*store, "validate", str(path)])
    assert checked.exit_code == 1, checked.output
    for field in ("name_ko", "name_en", "type", "country", "industries", "source.citation"):
        assert f"{field} still holds the template's placeholder" in checked.output
    assert runner.invoke(cli, [*store, "add", str(path)]).exit_code == 1
    filled = (result.output.replace('"<name in Korean>"', "판교테크노밸리").replace('"<name in English>"', "Pangyo")
              .replace('"<industrial, high-tech, mature or bio>"', "high-tech")
              .replace('"<two-letter ISO code, e.g. KR>"', "KR").replace("[<an industry or SCHEME:CODE>]", "[IT]")
              .replace('"<author, title, publisher, year>"', "Wikipedia, Pangyo Techno Valley"))
    path.write_text(filled, encoding="utf-8")
    checked = runner.invoke(cli, [*store, "validate", str(path)])
    assert checked.exit_code == 0, checked.output


def test_new_case_csv_template(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new-case", "--format", "csv", "-o", str(tmp_path / "mine.csv")])
    assert result.exit_code == 0 and result.output == ""
    checked = runner.invoke(cli, ["--store", str(tmp_path / "s"), "validate", str(tmp_path / "mine.csv")])
    assert checked.exit_code == 2 and "has a header but no case rows" in checked.output  # the example is a comment
    text = (tmp_path / "mine.csv").read_text(encoding="utf-8").replace("# example: ", "")
    (tmp_path / "mine.csv").write_text(text, encoding="utf-8")
    checked = runner.invoke(cli, ["--store", str(tmp_path / "s"), "validate", str(tmp_path / "mine.csv")])
    assert checked.exit_code == 0, checked.output  # uncommented, the documented example validates


def test_convert_shows_the_rdf(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["convert", str(FIXTURES / "valid.yaml"), "--format", "ttl"])
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.output, format="turtle")
    pangyo = rdflib.URIRef(CKI + "cluster-pangyo-techno-valley")
    assert (pangyo, rdflib.RDFS.label, rdflib.Literal("Pangyo Techno Valley", lang="en")) in graph
    jsonld = runner.invoke(cli, ["convert", str(FIXTURES / "valid.csv"), "--format", "jsonld"])
    assert jsonld.exit_code == 0
    assert len(rdflib.Graph().parse(data=jsonld.output, format="json-ld")) > 20
    nt = runner.invoke(cli, ["convert", str(FIXTURES / "valid.ttl"), "--format", "nt"])
    assert nt.exit_code == 0 and nt.output.count(" .\n") == len(nt.output.splitlines())


def test_validate_exit_0_with_warnings(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(FIXTURES / "advice-growth-finance-tax.yaml")])
    assert result.exit_code == 0
    assert ": warning in cki:cluster-growth-on-incentives, field instruments" in result.output
    assert "0 violation(s), 1 warning(s)" in result.output


def test_validate_exit_1_with_the_report(runner: CliRunner) -> None:
    path = FIXTURES / "invalid" / "bad-country.yaml"
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"{path}:6: violation in cki:cluster-x-cluster, field country = 'Korea'"
    assert "국가는 KR, US, IT처럼" in result.stdout
    assert result.stderr.strip() == "Error: 1 violation(s) in 1 file(s)"


@pytest.mark.parametrize("name,message", [
    ("malformed.yaml", "malformed.yaml:3:10: YAML syntax error"),
    ("malformed.ttl", "malformed.ttl:9:5: Turtle syntax error"),
    ("unknown-field.yaml", "unknown field 'industires' (did you mean 'industries'?)"),
    ("empty.yaml", "the file is empty"),
])
def test_validate_exit_2_for_unusable_input(runner: CliRunner, name: str, message: str) -> None:
    result = runner.invoke(cli, ["validate", str(FIXTURES / "unusable" / name)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nothere.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'nothere.yaml'}: no such file"


def test_validate_json_and_ttl(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", "--format", "json", str(FIXTURES / "invalid" / "future-year.yaml")])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["violations"] == 1 and data["results"][0]["field"] == "start_year"
    result = runner.invoke(cli, ["validate", "--format", "ttl", str(FIXTURES / "valid.yaml")])
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    report = next(graph.subjects(rdflib.RDF.type, sh.ValidationReport))
    assert graph.value(report, sh.conforms).toPython() is True


def test_validate_with_other_shapes(runner: CliRunner, tmp_path: Path) -> None:
    """Plain SHACL: no ontology mixed in, so the superclass is not a target; the asserted class is."""
    shapes = tmp_path / "shapes.ttl"
    text = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
            "<urn:s> a sh:NodeShape ; sh:targetClass ckg:CLASS ; "
            "sh:property [ sh:path ckg:numberOfFirms ; sh:minCount 1 ] .\n")
    shapes.write_text(text.replace("CLASS", "IndustrialCluster"))
    result = runner.invoke(cli, ["validate", str(FIXTURES / "valid.ttl"), "--shapes", str(shapes)])
    assert result.exit_code == 0
    shapes.write_text(text.replace("CLASS", "MatureIndustrialCluster"))
    result = runner.invoke(cli, ["validate", str(FIXTURES / "valid.ttl"), "--shapes", str(shapes)])
    assert result.exit_code == 1
    assert f"{FIXTURES / 'valid.ttl'}:8: violation in cki:cluster-gumi-electronics, field ckg:numberOfFirms" in result.stdout


def test_add_and_remove(runner: CliRunner, tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    result = runner.invoke(cli, [*store, "add", str(FIXTURES / "valid.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"added    {CKI}cluster-pangyo-techno-valley",
        f"added    {CKI}cluster-prato-textile-district",
        f"2 case(s), {result.stdout.split(', ')[-1].split()[0]} triples",
    ]
    info = runner.invoke(cli, [*store, "info", "--json"])
    assert json.loads(info.stdout)["clusters"] == 13
    again = runner.invoke(cli, [*store, "add", str(FIXTURES / "valid.yaml")])
    assert again.exit_code == 2
    assert "use --replace" in again.stderr
    replaced = runner.invoke(cli, [*store, "add", "--replace", str(FIXTURES / "valid.yaml")])
    assert replaced.exit_code == 0 and "replaced " in replaced.stdout
    removed = runner.invoke(cli, [*store, "remove", "Prato textile district"])
    assert removed.exit_code == 0
    assert removed.stdout == f"removed  {CKI}cluster-prato-textile-district\n"
    assert json.loads(runner.invoke(cli, [*store, "info", "--json"]).stdout)["clusters"] == 12
    missing = runner.invoke(cli, [*store, "remove", "Prato textile district"])
    assert missing.exit_code == 2 and missing.stderr.startswith("Error: no added case")


def test_add_refuses_violations_and_prints_why(runner: CliRunner, tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    result = runner.invoke(cli, [*store, "add", str(FIXTURES / "valid.yaml"), str(FIXTURES / "invalid" / "negative-firms.yaml")])
    assert result.exit_code == 1
    assert "field firms = '-3'" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Error: 1 violation(s): nothing was added (run clusterkg validate for details)"
    assert json.loads(runner.invoke(cli, [*store, "info", "--json"]).stdout)["clusters"] == 11


def test_add_prints_advice_and_adds(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--store", str(tmp_path / "store"), "add", str(FIXTURES / "advice-growth-finance-tax.yaml")])
    assert result.exit_code == 0
    assert "warning in cki:cluster-growth-on-incentives" in result.stderr
    assert result.stdout.startswith(f"added    {CKI}cluster-growth-on-incentives")


def test_n_triples_case_files_are_read_and_rdf_xml_is_explained(runner: CliRunner, tmp_path: Path) -> None:
    graph = rdflib.Graph().parse(FIXTURES / "valid.ttl")
    ntriples = tmp_path / "valid.nt"
    ntriples.write_text(graph.serialize(format="nt"))
    assert runner.invoke(cli, ["validate", str(ntriples)]).exit_code == 0
    rdfxml = tmp_path / "valid.rdf"
    rdfxml.write_text(graph.serialize(format="xml"))
    refused = runner.invoke(cli, ["validate", str(rdfxml)])
    assert refused.exit_code == 2 and "whose lines the report can point to" in refused.output
    assert refused.output.count("\n") == 1
    # plain SHACL reads any RDF syntax
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
                      "<urn:s> a sh:NodeShape ; sh:targetClass ckg:MatureIndustrialCluster ; "
                      "sh:property [ sh:path ckg:numberOfFirms ; sh:minCount 1 ] .\n")
    for path in (ntriples, rdfxml):
        result = runner.invoke(cli, ["validate", str(path), "--shapes", str(shapes)])
        assert result.exit_code == 1 and "1 violation(s)" in result.stdout, result.output


def test_validate_shapes_exit_code_follows_sh_conforms(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("<urn:a> a <urn:C> .\n")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; "
                      "sh:property [ sh:path <urn:p> ; sh:minCount 1 ; sh:severity sh:Warning ] .\n")
    warned = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert warned.exit_code == 1 and "-- does not conform" in warned.stdout
    assert "Error: the data does not conform to the shapes: 0 violation(s), 1 warning(s)" in warned.stderr
    assert runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes), "--allow-warnings"]).exit_code == 0
    assert runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes), "--allow-infos"]).exit_code == 1
    cases_only = runner.invoke(cli, ["validate", str(FIXTURES / "valid.yaml"), "--allow-warnings"])
    assert cases_only.exit_code == 2 and "warnings never fail the validation of case files" in cases_only.output
    advice = runner.invoke(cli, ["validate", str(FIXTURES / "advice-growth-finance-tax.yaml")])
    assert advice.exit_code == 0 and "warning" in advice.stdout  # case validation: advice never fails
