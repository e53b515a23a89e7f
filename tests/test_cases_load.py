"""Case entry files -> RDF: the field mapping, line and row numbers, unusable input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from clusterkg.cases import model as entries
from clusterkg.cases.load import load, load_all
from clusterkg.cases.model import CKG, CKI, FIELDS, Location
from clusterkg.cases.templates import field_table, template
from clusterkg.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "cases"
ROOT = Path(__file__).resolve().parent.parent
PANGYO = URIRef(CKI["cluster-pangyo-techno-valley"])


def triples_of(entry_file, subject=None):
    return {t for e in entry_file.entries for t in e.triples if subject is None or t[0] == subject}


def test_yaml_fields_become_the_documented_rdf() -> None:
    converted = load(FIXTURES / "valid.yaml")  # read against the knowledge base: 경기도 is its place
    assert [e.iri for e in converted.entries] == [str(PANGYO), str(CKI["cluster-prato-textile-district"])]
    got = triples_of(converted, PANGYO)
    expected = {
        (PANGYO, RDF.type, CKG.IndustrialCluster),
        (PANGYO, RDF.type, CKG.HighTechCluster),
        (PANGYO, RDFS.label, Literal("판교테크노밸리", lang="ko")),
        (PANGYO, RDFS.label, Literal("Pangyo Techno Valley", lang="en")),
        (PANGYO, CKG.countryCode, Literal("KR")),
        (PANGYO, CKG.locatedIn, URIRef(CKI["place-gyeonggi"])),  # a known place is linked, not copied
        (PANGYO, CKG.locatedIn, URIRef(CKI["place-kr-경기도-성남시"])),  # scoped by country and region
        (PANGYO, CKG.hasIndustry, URIRef(CKI["industry-it"])),
        (PANGYO, CKG.hasIndustry, URIRef(CKI["industry-semiconductor"])),
        (PANGYO, CKG.hasMainIndustry, URIRef(CKI["industry-it"])),
        (PANGYO, CKG.lifeCycleStage, URIRef(CKI["stage-growth"])),
        (PANGYO, CKG.startYear, Literal("2005", datatype=XSD.integer)),
        (PANGYO, CKG.numberOfFirms, Literal("1300", datatype=XSD.nonNegativeInteger)),
        (PANGYO, CKG.anchorOrganisation, URIRef(CKI["org-kr-gyeonggi-technopark"])),
        (PANGYO, CKG.appliesInstrument, URIRef(CKI["instrument-ict-infrastructure"])),
        (PANGYO, CKG.appliesInstrument, URIRef(CKI["instrument-human-resource-support"])),
        (PANGYO, DCTERMS.source, URIRef(str(PANGYO) + "/source-1")),
    }
    assert got == expected
    source = URIRef(str(PANGYO) + "/source-1")
    assert triples_of(converted, source) == {
        (source, RDF.type, DCTERMS.BibliographicResource),
        (source, DCTERMS.bibliographicCitation, Literal("Gyeonggi Province, Pangyo Techno Valley annual survey, 2020")),
        (source, URIRef("https://schema.org/url"), URIRef("https://example.org/pangyo-survey")),
        (source, URIRef("https://schema.org/pagination"), Literal("12-14")),
    }
    city = URIRef(CKI["place-kr-경기도-성남시"])
    described = triples_of(converted, city)
    assert {(city, RDF.type, CKG.City), (city, RDFS.label, Literal("성남시", lang="ko")),
            (city, CKG.countryCode, Literal("KR")), (city, CKG.locatedIn, URIRef(CKI["place-gyeonggi"])),
            (city, RDFS.label, Literal("Seongnam-si", lang="en")),  # GeoNames' name, looked up offline
            (city, SKOS.exactMatch, URIRef("https://sws.geonames.org/1897000/"))} <= described


def test_yaml_lines_are_recorded_per_field_and_value() -> None:
    converted = load(FIXTURES / "valid.yaml")
    pangyo = converted.entries[0]
    assert pangyo.location == Location(str(FIXTURES / "valid.yaml"), line=3)
    assert converted.locate(PANGYO, CKG.startYear) == Location(str(FIXTURES / "valid.yaml"), line=13, field="start_year")
    semiconductor = URIRef(CKI["industry-semiconductor"])
    assert converted.locate(PANGYO, CKG.hasIndustry, semiconductor).line == 10
    assert converted.locate(URIRef(str(PANGYO) + "/source-1"), URIRef("https://schema.org/url")).field == "source.url"
    prato = converted.entries[1]
    assert prato.location.line == 21


def test_a_plain_string_source_is_a_citation() -> None:
    converted = load(FIXTURES / "valid.yaml")
    prato_source = URIRef(CKI["cluster-prato-textile-district/source-1"])
    citations = [o for s, p, o in triples_of(converted, prato_source) if p == DCTERMS.bibliographicCitation]
    assert citations == [Literal("Becattini, G., The Marshallian industrial district as a socio-economic notion, 1990")]


def test_csv_rows_and_multi_valued_cells() -> None:
    converted = load(FIXTURES / "valid.csv")
    daedeok = URIRef(CKI["cluster-daedeok-bio"])
    got = triples_of(converted, daedeok)
    assert (daedeok, CKG.hasIndustry, URIRef(CKI["industry-bio"])) in got
    assert (daedeok, CKG.hasIndustry, URIRef(CKI["industry-it"])) in got
    assert (daedeok, CKG.appliesInstrument, URIRef(CKI["instrument-technology-transfer"])) in got
    assert (daedeok, RDFS.comment, Literal("illustrative")) in got
    assert converted.entries[0].location.row == 2
    assert converted.entries[1].location.row == 3
    assert converted.locate(daedeok, CKG.lifeCycleStage).field == "stage"
    seoul = URIRef(CKI["cluster-seoul-digital"])
    # empty cells are absent values, not empty strings
    assert not [t for t in triples_of(converted, URIRef(str(seoul) + "/source-1")) if str(t[1]).endswith("url")]


def test_turtle_and_jsonld_cases_keep_their_nodes() -> None:
    ttl = load(FIXTURES / "valid.ttl")
    assert [e.iri for e in ttl.entries] == [str(CKI["cluster-gumi-electronics"])]
    subjects = {t[0] for t in ttl.entries[0].triples}
    assert URIRef(CKI["source-gumi"]) in subjects  # the citation the case links to belongs to it
    assert ttl.entries[0].location.line == 8
    assert not ttl.loose
    jsonld = load(FIXTURES / "valid.jsonld")
    assert [e.iri for e in jsonld.entries] == [str(CKI["cluster-ochang-bio"])]
    assert jsonld.entries[0].location.line == 11


@pytest.mark.parametrize(
    "name,pattern",
    [
        ("unknown-field.yaml", r"unknown-field\.yaml:12: unknown field 'industires' \(did you mean 'industries'\?\)"),
        ("unknown-column.csv", r"row 1: unknown field 'contry' \(did you mean 'country'\?\)"),
        ("malformed.yaml", r"malformed\.yaml:3:10: YAML syntax error: did not find expected ',' or ']'"),
        ("malformed.ttl", r"malformed\.ttl:9:5: Turtle syntax error: A dot is expected"),
        ("malformed.jsonld", r"malformed\.jsonld:4:1: JSON-LD syntax error"),
        ("malformed.csv", r"malformed\.csv: row 2: CSV error: unexpected end of data"),
        ("empty.yaml", r"empty\.yaml: the file is empty"),
        ("comments-only.yaml", r"comments-only\.yaml: the file holds no case"),
        ("header-only.csv", r"header-only\.csv: the file has a header but no case rows"),
        ("empty.ttl", r"empty\.ttl: the file is empty"),
        ("duplicate-id.yaml", r"duplicate-id\.yaml:16: the id 'x-cluster' is already used at .*duplicate-id\.yaml:1"),
        ("bad-id.yaml", r"bad-id\.yaml:1: id 'X Cluster!' must be lower-case letters"),
        ("mapping-for-name.yaml", r"mapping-for-name\.yaml:3: field 'name_en' expects a single value, not a mapping"),
        ("not-a-list.yaml", r"not-a-list\.yaml:1: a case must be a mapping of fields"),
    ],
)
def test_unusable_input_is_one_clear_error(name: str, pattern: str) -> None:
    with pytest.raises(InputError) as caught:
        load(FIXTURES / "unusable" / name)
    message = str(caught.value)
    assert re.search(pattern, message), message
    assert "\n" not in message


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "nothere.yaml")
    odd = tmp_path / "cases.txt"
    odd.write_text("id: x\n")
    with pytest.raises(InputError, match="cannot tell the format"):
        load(odd)
    assert load(odd, fmt="yaml").entries[0].iri == str(CKI["cluster-x"])


def test_the_same_case_in_two_files_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "again.yaml"
    copy.write_text((FIXTURES / "valid.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="cluster-pangyo-techno-valley> is already given at .*valid.yaml:3"):
        load_all([FIXTURES / "valid.yaml", copy])


def test_wrong_types_are_kept_for_the_shapes_to_report(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text("- id: t\n  start_year: nineteen\n  firms: -3\n  country: 82\n  name_en: 2002\n")
    got = triples_of(load(path))
    t = URIRef(CKI["cluster-t"])
    assert (t, CKG.startYear, Literal("nineteen", datatype=XSD.integer)) in got
    assert (t, CKG.numberOfFirms, Literal("-3", datatype=XSD.nonNegativeInteger)) in got
    assert (t, CKG.countryCode, Literal("82")) in got
    assert (t, RDFS.label, Literal("2002", lang="en")) in got


def test_ids_default_to_the_english_name(tmp_path: Path) -> None:
    path = tmp_path / "noid.yaml"
    path.write_text("- name_en: Sophia Antipolis\n  name_ko: 소피아 앙티폴리스\n")
    assert load(path).entries[0].iri == str(CKI["cluster-sophia-antipolis"])


@pytest.mark.parametrize("value,iri", [
    ("Q42", "http://www.wikidata.org/entity/Q42"),
    ("wd:Q42", "http://www.wikidata.org/entity/Q42"),
    ("https://www.wikidata.org/wiki/Q42", "http://www.wikidata.org/entity/Q42"),
    ("X12", "http://www.wikidata.org/entity/X12"),
])
def test_wikidata_ids(value: str, iri: str) -> None:
    assert entries.wikidata_iri(value) == iri


@pytest.mark.parametrize("value,iri", [
    ("1835848", "https://sws.geonames.org/1835848/"),
    ("https://www.geonames.org/1835848/seoul.html", "https://sws.geonames.org/1835848/"),
    ("Seoul", "https://sws.geonames.org/Seoul/"),
])
def test_geonames_ids(value: str, iri: str) -> None:
    assert entries.geonames_iri(value) == iri


def test_identifiers_become_exact_matches(tmp_path: Path) -> None:
    path = tmp_path / "ids.yaml"
    path.write_text("- id: i\n  wikidata: Q8684\n  geonames: 1835848\n")
    got = triples_of(load(path))
    i = URIRef(CKI["cluster-i"])
    assert (i, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q8684")) in got
    assert (i, SKOS.exactMatch, URIRef("https://sws.geonames.org/1835848/")) in got


def test_yaml_template_is_a_valid_entry_in_every_field() -> None:
    concepts = {"industry": ["it", "semiconductor"], "stage": ["initial", "growth"], "instrument": ["ict-infrastructure"]}
    text = template("yaml", concepts)
    data = yaml.safe_load(text)
    assert isinstance(data, list) and len(data) == 1
    required = {f.name for f in FIELDS if f.required} - {"source"}
    assert required <= set(data[0])
    assert all(str(data[0][name]).startswith("<") for name in required)  # placeholders, not an example
    assert "# " in text and "(required)" in text
    for name in {f.name for f in FIELDS} - set(data[0]) - {"source"}:
        assert f"# {name}:" in text  # every other field is named in a comment


def test_csv_template_has_every_column() -> None:
    text = template("csv", {"industry": ["it"], "instrument": ["ict-infrastructure"]})
    header, row = text.splitlines()
    assert header.split(",") == entries.CSV_COLUMNS
    assert row.startswith("# example: pangyo-techno-valley,")  # a comment row: the template adds no case


def test_the_field_table_is_documented() -> None:
    """docs/entry-format.md holds the table generated from FIELDS, with one row per field."""
    doc = (ROOT / "docs" / "entry-format.md").read_text(encoding="utf-8")
    assert field_table() in doc
    rows = re.findall(r"^\| `([a-z_.]+)` \|", doc, re.M)
    expected = [f.name for f in FIELDS if f.name != "source"] + [f"source.{k}" for k in entries.SOURCE_FIELDS]
    assert rows == expected


def test_case_slugs() -> None:
    assert entries.case_slug(CKI + "cluster-x") == "cluster-x"
    other = entries.case_slug("http://example.org/cluster/x")
    assert other.startswith("iri-") and other == entries.case_slug("http://example.org/cluster/x")


def test_yaml_layouts(tmp_path: Path) -> None:
    """A list, a single mapping, a 'cases:' key, or several YAML documents."""
    one = "id: a\nname_en: A\n"
    layouts = {
        "mapping.yaml": one,
        "keyed.yaml": "cases:\n  - id: a\n    name_en: A\n  - id: b\n    name_en: B\n",
        "documents.yaml": "---\n" + one + "---\nid: b\nname_en: B\n",
    }
    for name, text in layouts.items():
        path = tmp_path / name
        path.write_text(text)
        ids = [e.iri.rsplit("-", 1)[-1] for e in load(path).entries]
        assert ids == (["a"] if name == "mapping.yaml" else ["a", "b"]), name
    path = tmp_path / "extra.yaml"
    path.write_text("cases: []\nauthor: me\n")
    with pytest.raises(InputError, match=r"unknown top-level key\(s\) \['author'\]"):
        load(path)
