"""Named queries: the catalogue, every query on the shipped knowledge base, parameters, errors."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg import queries
from clusterkg.errors import InputError, NotFoundError, QueryError
from clusterkg.namespaces import CKG, CKI
from clusterkg.resources import ontology_files
from clusterkg.sparql import values
from clusterkg.stores import open_embedded
from clusterkg.stores.files import open_files

SVV = CKI + "cluster-seoul-venture-valley"
EXPECTED_QUERIES = {
    "myths-and-findings",
    "policies-by-stage",
    "clusters",
    "compare",
    "cases-illustrating-finding",
    "provenance",
    "external-ids",
    "claims",
    "interpretations",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with open_embedded(tmp_path_factory.mktemp("kb")) as opened:
        yield opened


def rows(store, name: str, **params: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """A named query's answer as a list of {variable: term} (unbound variables left out)."""
    result = queries.run_named(store, name, params)
    return [{v: t for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def value(row: dict, name: str) -> str:
    return row[name].value


def test_catalogue_has_the_questions_of_the_issue_with_titles_in_both_languages() -> None:
    catalogue = queries.catalogue()
    assert EXPECTED_QUERIES <= {q.name for q in catalogue}
    for query in catalogue:
        assert query.title.get("en") and query.title.get("ko"), query.name
        assert query.description.get("en"), query.name
        assert query.text.lstrip().startswith("# title:"), query.name
        for param in query.params:
            assert param.type in queries.PARAM_TYPES


def test_every_declared_parameter_can_be_bound(store) -> None:
    """pyoxigraph binds only selected variables: every parameter is selected and comes back bound."""
    samples = {"iri": "cki:cluster-bucheon", "lang": "ko", "string": "x", "integer": "1"}
    special = {
        "clusters": {"type": "ckg:MatureIndustrialCluster"},
        "claims": {"kind": "ckg:Finding"},
        "cases-illustrating-finding": {"finding": "cki:observation-bucheon-leadership"},
        "compare": {"b": "cki:cluster-seoul-venture-valley"},
    }
    empty_until_linking = {"external-ids", "clusters-with-coordinates"}
    for query in [q for q in queries.catalogue() if not q.service]:  # SERVICE needs the network
        values = {p.name: samples[p.type] for p in query.params} | special.get(query.name, {})
        bound = queries.named_bindings(query, values)
        answer = rows(store, query.name, **values)
        if query.name in empty_until_linking:
            assert answer == [], query.name  # no links in the shipped knowledge base
            continue
        assert answer, query.name
        for row in answer:
            assert {name: row[name] for name in bound} == bound, query.name


def test_myths_and_findings(store, source_text: str) -> None:
    answer = rows(store, "myths-and-findings", lang="ko")
    myths = {value(r, "myth") for r in answer}
    assert myths == {CKI + "myth-spontaneous-vs-government-led", CKI + "myth-incentives-are-the-main-strategy",
                     CKI + "myth-clusters-are-high-tech"}
    findings = [r for r in answer if value(r, "role") == CKG + "Finding"]
    assert len({value(r, "claim") for r in findings}) == 9
    assert [value(r, "mythSection") for r in answer] == sorted(value(r, "mythSection") for r in answer)
    for row in answer:  # each row comes from the myth's own section, and its excerpt is verbatim
        assert value(row, "section") == value(row, "mythSection")
        assert value(row, "excerpt") in source_text
    for myth in myths:  # what the paper says of a myth comes before the findings that counter it
        roles = [value(r, "role") for r in answer if value(r, "myth") == myth]
        assert roles[-1] == CKG + "Finding" and roles == sorted(roles, key=lambda role: role == CKG + "Finding")
    stereotypes = [(value(r, "example"), value(r, "claim")) for r in answer if value(r, "role") == CKG + "FormationStereotype"]
    assert stereotypes == [(CKI + "cluster-silicon-valley", CKI + "stereotype-spontaneous"),
                           (CKI + "cluster-msc", CKI + "stereotype-government-led")]
    diagnosis = [value(r, "claim") for r in answer if value(r, "role") == CKG + "Observation"]
    assert diagnosis == [CKI + "observation-policy-so-far", CKI + "observation-policy-did-not-help-formation"]
    english = rows(store, "myths-and-findings")
    assert all(value(r, "excerpt") not in source_text for r in english)  # glosses, not the Korean text
    assert all(r["mythLabel"].language == "en" for r in english)


def test_a_myth_without_provenance_is_still_listed(tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/myth> a ckg:Myth ; rdfs:label \"Myth: clusters can be planned overnight\"@en .\n"
    )
    answer = rows(open_files([*ontology_files(), extra]), "myths-and-findings")
    added = [r for r in answer if value(r, "myth") == "https://example.org/myth"]
    assert len(added) == 1 and "mythSection" not in added[0] and "claim" not in added[0] and "role" not in added[0]


def test_policies_by_stage_put_the_initial_stage_first_and_order_no_others(store, source_text: str) -> None:
    answer = rows(store, "policies-by-stage", lang="ko")
    before = [int(value(r, "stagesBefore")) for r in answer]
    assert before == sorted(before) and set(before) == {0, 1}  # the paper orders no stage but the initial one
    assert {value(r, "stage") for r in answer if value(r, "stagesBefore") == "0"} == {CKI + "stage-initial"}
    by_stage: dict[str, set[str]] = {}
    for row in answer:
        if "instrument" in row:
            by_stage.setdefault(value(row, "stage"), set()).add(value(row, "instrument"))
            assert value(row, "section") == "1.2" and value(row, "excerpt") in source_text
    assert by_stage[CKI + "stage-initial"] == {CKI + "instrument-resource-investment",
                                               CKI + "instrument-financial-support", CKI + "instrument-tax-incentive"}
    assert len(by_stage[CKI + "stage-growth"]) == 4
    assert CKI + "stage-take-off" not in by_stage  # listed, but no instrument serves it


def test_clusters_by_type_with_their_facts(store) -> None:
    everything = {value(r, "cluster"): r for r in rows(store, "clusters")}
    assert len(everything) == 11
    bucheon = everything[CKI + "cluster-bucheon"]
    assert value(bucheon, "clusterType") == CKG + "MatureIndustrialCluster"
    # issue 11: approximate values are shown as approximate; one row per cluster, its places listed
    assert value(bucheon, "firms") == "about 7000" and value(bucheon, "places") == "Bucheon"
    assert value(bucheon, "anchors") == "Anam Semiconductor; Fairchild semiconductor plant"  # sorted
    assert bucheon["anchors"].datatype.value.endswith("#string")  # a plain string whatever the engine
    assert "*metal processing" in value(bucheon, "industries").split("; ")
    assert "semiconductor industry" in value(bucheon, "industries").split("; ")  # not a main industry
    assert value(everything[SVV], "anchors") == ""  # no anchors: an empty list
    valley = everything[CKI + "cluster-seoul-venture-valley"]
    assert value(valley, "historyYears") == "about 20" and "stage" not in valley  # the paper gives it no stage
    assert value(everything[CKI + "cluster-teheran-valley"], "stage") == CKI + "stage-take-off"
    bio = rows(store, "clusters", type="ckg:BioCluster", lang="ko")
    assert len(bio) == 5 and all(value(r, "clusterType") == CKG + "BioCluster" for r in bio)
    assert {r["clusterLabel"].language for r in bio} == {"ko"}
    assert len(rows(store, "clusters", type="ckg:IndustrialCluster")) == 11  # subclasses count


def test_compare_gives_the_table_of_section_3_1(store, source_text: str) -> None:
    answer = rows(store, "compare", lang="ko")
    dimensions = [value(r, "dimensionLabel") for r in answer]
    assert list(dict.fromkeys(dimensions)) == ["장소", "사회경제적 기제", "문화경제적 기제", "수행력"]
    cultural = [r for r in answer if value(r, "dimension") == CKI + "dimension-cultural-economic"]
    assert [int(value(r, "part")) for r in cultural] == [1, 2, 3]
    assert "featureA" not in cultural[2] and "featureB" in cultural[2]  # the second cell has a third part
    place = answer[0]
    assert value(place, "featureBLabel") in source_text  # a cell of the table, verbatim
    swapped = rows(store, "compare", a="cki:cluster-dongdaemun-apparel", b="cki:cluster-seoul-venture-valley")
    assert value(swapped[0], "featureA") == value(rows(store, "compare")[0], "featureB")


def test_compare_lists_the_dimensions_for_clusters_without_features(store) -> None:
    answer = rows(store, "compare", a="cki:cluster-bucheon", b="cki:cluster-daejeon-bio")
    assert len(answer) == 4 and not any("featureA" in r or "featureB" in r for r in answer)


def test_cases_illustrating_a_finding(store, source_text: str) -> None:
    answer = rows(store, "cases-illustrating-finding", finding="cki:finding-korea-stalled-at-take-off", lang="ko")
    assert [value(r, "cluster") for r in answer] == [CKI + "cluster-teheran-valley"]
    assert value(answer[0], "section") == "1.2" and value(answer[0], "excerpt") in source_text
    myth = rows(store, "cases-illustrating-finding", finding="cki:myth-spontaneous-vs-government-led")
    assert {value(r, "cluster") for r in myth} == {CKI + "cluster-silicon-valley", CKI + "cluster-msc"}


def test_provenance_of_every_statement_about_an_entity(store, source_text: str) -> None:
    answer = rows(store, "provenance", entity="cki:cluster-bucheon", lang="ko")
    firms = [r for r in answer if value(r, "property") == CKG + "approximateNumberOfFirms"]
    assert len(firms) == 1 and value(firms[0], "object") == "7000"
    assert value(firms[0], "section") == "3.3" and value(firms[0], "excerpt") in source_text
    assert value(firms[0], "source") == CKI + "excerpt-bucheon-firms"
    whole = [r for r in answer if value(r, "property") == CKG + "attestedBy"]
    assert [value(r, "source") for r in whole] == [CKI + "excerpt-bucheon-heading"]
    labels = [r for r in answer if value(r, "property") == "http://www.w3.org/2000/01/rdf-schema#label"]
    assert [r["object"].language for r in labels] == ["ko"]  # literals in the language asked for
    claim = rows(store, "provenance", entity="cki:finding-deregulation-matters-most")
    derived = [r for r in claim if value(r, "property") == "http://www.w3.org/ns/prov#wasDerivedFrom"]
    assert [value(r, "section") for r in derived] == ["1.1"]
    place = rows(store, "provenance", entity="cki:place-seoul")
    assert any(value(r, "subject") == CKI + "cluster-seoul-venture-valley" for r in place)  # as an object


def test_claims_in_the_order_of_the_paper(store, source_text: str) -> None:
    every = rows(store, "claims", lang="ko")
    assert len({value(r, "claim") for r in every}) == 24
    sections = [value(r, "section") for r in every]
    assert sections == sorted(sections) and sections[0] == "1.1" and sections[-1] == "3.3"
    assert all(value(r, "excerpt") in source_text for r in every)
    # where each row's excerpt stands in the source: rows come in that order, so in section 1.1 the
    # myth (its heading and its stereotypes) comes before the findings that follow 'rather' (오히려)
    positions = []
    for row in every:
        assert source_text.count(value(row, "excerpt")) == 1, value(row, "excerpt")
        positions.append(source_text.index(value(row, "excerpt")))
    assert positions == sorted(positions)
    assert value(every[0], "claim") == CKI + "myth-spontaneous-vs-government-led"
    first_finding = next(i for i, r in enumerate(every) if value(r, "claimType") == CKG + "Finding")
    assert {value(r, "claim") for r in every[:first_finding]} == {CKI + "myth-spontaneous-vs-government-led"}
    observations = rows(store, "claims", kind="ckg:Observation")
    assert len({value(r, "claim") for r in observations}) == 11
    assert {value(r, "claimType") for r in observations} == {CKG + "Observation"}
    assert len(rows(store, "claims", kind="ckg:Claim")) == len(every)  # the superclass keeps all


def test_external_ids_are_empty_until_linking_then_found(store, tmp_path: Path) -> None:
    assert rows(store, "external-ids") == []
    links = tmp_path / "links.ttl"
    # Bucheon's Wikidata and GeoNames identifiers, from shared/open-data/verified-ids.md
    links.write_text(
        "<https://w3id.org/clusterkg/id/place-bucheon> <http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://www.wikidata.org/entity/Q42099> , <https://sws.geonames.org/1838716/> .\n"
    )
    files = open_files([*ontology_files(), links])
    answer = rows(files, "external-ids", entity="cki:place-bucheon")
    assert {(value(r, "authority"), value(r, "external")) for r in answer} == {
        ("Wikidata", "http://www.wikidata.org/entity/Q42099"),
        ("GeoNames", "https://sws.geonames.org/1838716/"),
    }
    assert rows(files, "external-ids", entity="cki:place-seoul") == []


# --------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------


def test_parameters_are_typed() -> None:
    query = queries.get("clusters")
    assert queries.named_bindings(query, {"type": "ckg:BioCluster"})["type"] == ox.NamedNode(CKG + "BioCluster")
    assert queries.named_bindings(query, {"type": f"<{CKG}BioCluster>"})["type"] == ox.NamedNode(CKG + "BioCluster")
    assert "entity" not in queries.named_bindings(queries.get("external-ids"), {})  # optional: left unbound
    assert queries.named_bindings(query, {})["lang"] == ox.Literal("en")  # the default
    assert queries.named_bindings(query, {})["type"] == ox.NamedNode(CKG + "IndustrialCluster")
    integer = queries.Param("n", "integer")
    assert queries.bind_value(integer, "42") == ox.Literal("42", datatype=ox.NamedNode(queries.XSD + "integer"))
    assert queries.bind_value(queries.Param("b", "boolean"), "true").value == "true"
    assert queries.bind_value(queries.Param("d", "date"), "2024-01-31").datatype.value.endswith("#date")


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        (queries.Param("n", "integer"), "4x", "expects an integer"),
        (queries.Param("n", "decimal"), "1.2.3", "expects a decimal"),
        (queries.Param("b", "boolean"), "maybe", "expects true or false"),
        (queries.Param("d", "date"), "31/01/2024", "expects a date"),
        (queries.Param("l", "lang"), "e n", "language tag"),
        (queries.Param("c", "iri"), "not an iri", "expects an IRI"),
        (queries.Param("c", "iri"), "nope:thing", "unknown prefix"),
        (queries.Param("c", "iri"), "<relative>", "not an absolute IRI"),
        (queries.Param("c", "iri"), "<http://x/a b>", "expects an IRI"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(param, value, message) -> None:
    with pytest.raises(InputError, match=message):
        queries.bind_value(param, value)


def test_unknown_and_missing_parameters_are_clear_errors(store) -> None:
    with pytest.raises(NotFoundError, match="has no parameter 'cluster'.*its parameters: type, lang"):
        queries.run_named(store, "clusters", {"cluster": "x"})
    with pytest.raises(InputError, match="needs finding: give --param finding="):
        queries.run_named(store, "cases-illustrating-finding", {})
    with pytest.raises(NotFoundError, match="no named query 'nope'; known queries: .*myths-and-findings"):
        queries.run_named(store, "nope", {})


def test_adhoc_values_are_literals_unless_written_as_iris(store) -> None:
    assert values.parse_term("<https://example.org/x>") == ox.NamedNode("https://example.org/x")
    assert values.parse_term("Bucheon") == ox.Literal("Bucheon")
    assert values.parse_term('"부천시"@ko') == ox.Literal("부천시", language="ko")
    typed = values.parse_term('"7000"^^<http://www.w3.org/2001/XMLSchema#integer>')
    assert typed.datatype.value.endswith("#integer")
    found = queries.run_text(
        store, "SELECT ?label ?c WHERE { ?c rdfs:label ?label }", {"label": '"부천 성숙산업 클러스터"@ko'},
        default_prefixes=True,
    )
    assert [row[1].value for row in found.rows] == [CKI + "cluster-bucheon"]


@pytest.mark.parametrize(
    "hostile",
    [
        'x" } UNION { ?c ?p ?label } #',
        "x' } ; DROP ALL ; SELECT * { '",
        "?label",
        "}",
    ],
)
def test_no_value_can_change_the_shape_of_a_query(store, hostile: str) -> None:
    result = queries.run_text(store, "SELECT ?label ?c WHERE { ?c rdfs:label ?label }", {"label": hostile},
                              default_prefixes=True)
    answer = list(result.rows)
    assert answer == []  # bound as one literal, which no label equals
    still = queries.run_text(store, "ASK { ?c rdfs:label ?l }", default_prefixes=True)
    assert still.boolean is True


def test_a_hostile_iri_is_refused_not_spliced() -> None:
    with pytest.raises(InputError, match="invalid IRI"):
        values.parse_term("<http://x> } UNION { ?s <p> ?o>")
    # not written as <...>: one plain literal
    assert values.parse_term("<http://x> } UNION { ?s ?p ?o") == ox.Literal("<http://x> } UNION { ?s ?p ?o")


def test_parse_assignments() -> None:
    assert queries.parse_assignments(["a=1", "?b=<x=y>", "c="]) == {"a": "1", "b": "<x=y>", "c": ""}
    with pytest.raises(InputError, match="NAME=VALUE"):
        queries.parse_assignments(["novalue"])
    with pytest.raises(InputError, match="given twice"):
        queries.parse_assignments(["a=1", "a=2"])


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------


def write_query(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_list_cells_are_sorted_whatever_the_engine_gave(tmp_path: Path) -> None:
    write_query(tmp_path, "q", "# title: t\n# lists: names\nSELECT ?names ?other WHERE {}\n")
    query = queries.get("q", tmp_path)
    assert query.lists == ["names"]
    row = (ox.Literal("b; a; c"), ox.Literal("z; y"))
    assert queries._sort_lists(row, [0]) == (ox.Literal("a; b; c"), ox.Literal("z; y"))
    tagged = queries._sort_lists((ox.Literal("나; 가", language="ko"),), [0])
    assert tagged == (ox.Literal("가; 나", language="ko"),)


def test_header_fields_continuations_and_params(tmp_path: Path) -> None:
    write_query(
        tmp_path, "q",
        "# title: A question\n# title@ko: 질문\n# description: first line\n#   second line\n"
        "# param: n (integer) = 3 -- how many\n#   of them\n# param: who (iri)\n# an ordinary comment\n"
        "SELECT ?n ?who WHERE {}\n",
    )
    query = queries.get("q", tmp_path)
    assert query.title == {"en": "A question", "ko": "질문"}
    assert query.description == {"en": "first line second line"}
    assert query.params == (
        queries.Param("n", "integer", "3", False, "how many of them"),
        queries.Param("who", "iri", None, False, ""),
    )
    assert query.params[1].required and not query.params[0].required


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * {}\n", "no '# title:' line"),
        ("# title: t\n# param: n integer\nSELECT * {}\n", "cannot read parameter"),
        ("# title: t\n# param: n (number)\nSELECT * {}\n", "unknown parameter type 'number'"),
        ("# title: t\n# param: n (integer) = many\nSELECT * {}\n", "expects an integer"),
        ("# title: t\n# titel@ko: x\nSELECT * {}\n", "unknown header field 'titel@ko'"),
    ],
)
def test_bad_headers_are_reported(tmp_path: Path, text: str, message: str) -> None:
    write_query(tmp_path, "bad", text)
    with pytest.raises(InputError, match=message):
        queries.catalogue(tmp_path)


# --------------------------------------------------------------------------
# Query forms, updates, syntax errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <http://a> <http://b> <http://c> }", "PREFIX : <http://a/>\nDELETE WHERE { ?s ?p ?o }",
     "CLEAR ALL", "LOAD <http://example.org/x.ttl>", "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"],
)
def test_updates_are_refused_and_change_nothing(store, update: str) -> None:
    before = next(iter(queries.run_text(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").rows))[0]
    with pytest.raises(QueryError, match="refused: this is a SPARQL Update"):
        queries.run_text(store, update)
    after = next(iter(queries.run_text(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").rows))[0]
    assert before == after


def test_syntax_errors_name_line_column_and_token(store) -> None:
    with pytest.raises(QueryError, match=r"line 1, column 36, at 'x'"):
        queries.run_text(store, "SELECT ?x WHERE { ?x ?p ?o } LIMIT x")
    with pytest.raises(QueryError, match=r"line 1, column 36, at 'x'"):  # predeclared prefixes do not shift it
        queries.run_text(store, "SELECT ?x WHERE { ?x ?p ?o } LIMIT x", default_prefixes=True)
    with pytest.raises(QueryError, match=r"^SPARQL syntax error at line 3, column \d+"):
        queries.run_text(store, "SELECT ?x WHERE {\n  ?x ?p ?o .\n  FILTER(?o = ) }")
    with pytest.raises(QueryError, match="line 1, column 28, after '\\?o'"):
        queries.run_text(store, "SELECT ?x WHERE { ?x ?p ?o ")


def test_a_parameter_need_not_be_selected(store) -> None:
    """Issue 13: any variable can be bound, as Jena's ParameterizedSparqlString and rdflib's initBindings do."""
    result = queries.run_text(store, "SELECT ?x WHERE { BIND(?v AS ?x) }", {"v": "<https://w3id.org/clusterkg/id/x>"})
    assert [tuple(row) for row in result.rows] == [(ox.NamedNode("https://w3id.org/clusterkg/id/x"),)]
    found = queries.run_text(store, "SELECT ?s WHERE { ?s rdfs:label ?o }", {"o": '"부천 성숙산업 클러스터"@ko'},
                             default_prefixes=True)
    assert [row[0].value for row in found.rows] == ["https://w3id.org/clusterkg/id/cluster-bucheon"]


def test_a_value_bound_where_an_iri_is_needed_is_explained(store) -> None:
    with pytest.raises(QueryError, match=r"with \?p = \"x\" bound is not valid SPARQL"):
        queries.run_text(store, "SELECT ?s WHERE { ?s ?p ?o }", {"p": "x"})


class RefusingEndpoint:
    """A store that answers every query as an endpoint refusing it (HTTP 400)."""

    def query(self, sparql, *, bindings=None, base_iri=None):
        from clusterkg.errors import EndpointError

        raise EndpointError("http://127.0.0.1:1/sparql answered HTTP 400 Bad Request: SP030: syntax error")


def test_an_endpoint_syntax_error_is_explained_like_the_embedded_one() -> None:
    from clusterkg.errors import EndpointError

    with pytest.raises(QueryError, match=r"line 1, column 26, .*the endpoint refused it too"):
        queries.run_text(RefusingEndpoint(), "SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(EndpointError, match="HTTP 400"):  # valid for us: the endpoint's own message stands
        queries.run_text(RefusingEndpoint(), "SELECT ?x WHERE { ?x ?p ?o }")
