"""Result formats: W3C formats parsed back, RDF for graphs, the table for people."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from clusterkg import queries
from clusterkg import tables as results
from clusterkg.errors import InputError
from clusterkg.namespaces import CKG, CKI
from clusterkg.stores import open_embedded

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"

TRICKY = [
    ox.Literal('say "hi"\n\tand <b>&amp;</b>'),
    ox.Literal("부천시", language="ko"),
    ox.Literal("7000", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("a,b;c", datatype=ox.NamedNode(EX + "custom")),
    ox.NamedNode(EX + "x?a=1&b=<2>".replace("<", "%3C").replace(">", "%3E")),
    ox.BlankNode("b0"),
    None,
]


def tricky_answer() -> results.Answer:
    rows = [(term, ox.NamedNode(EX + f"row{index}")) for index, term in enumerate(TRICKY)]
    return results.Answer("select", ["value", "row"], rows, None, [])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with open_embedded(tmp_path_factory.mktemp("kb")) as opened:
        yield opened


def parsed(data: bytes, fmt: ox.QueryResultsFormat) -> list[tuple]:
    solutions = ox.parse_query_results(data, format=fmt)
    names = [v.value for v in solutions.variables]
    return [tuple(solution[name] for name in names) for solution in solutions]


@pytest.mark.parametrize(
    ("fmt", "oxfmt"),
    [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML), ("tsv", ox.QueryResultsFormat.TSV)],
)
def test_w3c_formats_read_back_to_the_same_terms(fmt: str, oxfmt: ox.QueryResultsFormat) -> None:
    answer = tricky_answer()
    assert parsed(results.serialize(answer, fmt), oxfmt) == answer.rows


def test_json_is_the_w3c_shape() -> None:
    document = json.loads(results.serialize(tricky_answer(), "json"))
    assert document["head"]["vars"] == ["value", "row"]
    first, korean, number = (b["value"] for b in document["results"]["bindings"][:3])
    assert first == {"type": "literal", "value": 'say "hi"\n\tand <b>&amp;</b>'}
    assert korean == {"type": "literal", "value": "부천시", "xml:lang": "ko"}
    assert number == {"type": "literal", "value": "7000", "datatype": XSD + "integer"}
    assert "value" not in document["results"]["bindings"][-1]  # unbound is left out


def test_csv_holds_lexical_values_with_crlf() -> None:
    data = results.serialize(tricky_answer(), "csv").decode()
    assert data.startswith("value,row\r\n")
    table = list(csv.reader(io.StringIO(data, newline="")))
    expected = ["" if t is None else f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value for t in TRICKY]
    assert [row[0] for row in table[1:]] == expected


def test_results_of_the_knowledge_base_round_trip(store) -> None:
    answer = results.materialize(queries.run_named(store, "clusters", {"lang": "ko"}))
    assert answer.rows
    for fmt, oxfmt in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML)):
        assert parsed(results.serialize(answer, fmt), oxfmt) == answer.rows


def test_ask_in_json_and_xml(store) -> None:
    answer = results.materialize(queries.run_text(store, "ASK { ?c a ckg:BioCluster }", default_prefixes=True))
    for fmt, oxfmt in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML)):
        assert bool(ox.parse_query_results(results.serialize(answer, fmt), format=oxfmt)) is True
    assert results.serialize(answer, "table") == b"yes\n"
    with pytest.raises(InputError, match="no form for ASK"):
        results.serialize(answer, "csv")


@pytest.mark.parametrize(("fmt", "oxfmt"), [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                            ("jsonld", ox.RdfFormat.JSON_LD)])
def test_construct_and_describe_give_rdf(store, fmt: str, oxfmt: ox.RdfFormat) -> None:
    for text in (f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ BIND(<{CKI}cluster-bucheon> AS ?c) ?c ?p ?o }}",
                 f"DESCRIBE <{CKI}cluster-bucheon>"):
        answer = results.materialize(queries.run_text(store, text))
        assert len(answer.triples) > 20
        back = {q.triple for q in ox.parse(results.serialize(answer, fmt), format=oxfmt)}
        assert back == set(answer.triples)


def test_formats_that_do_not_fit_the_query_form_are_refused(store) -> None:
    select = results.materialize(queries.run_text(store, "SELECT ?s { ?s a ckg:Myth }", default_prefixes=True))
    with pytest.raises(InputError, match="--format ttl is for CONSTRUCT and DESCRIBE"):
        results.serialize(select, "ttl")
    graph = results.materialize(queries.run_text(store, "CONSTRUCT WHERE { ?s a ckg:Myth }", default_prefixes=True))
    with pytest.raises(InputError, match="gives RDF"):
        results.serialize(graph, "csv")
    with pytest.raises(InputError, match="unknown format"):
        results.serialize(select, "yaml")


def test_labels_are_looked_up_in_the_language_asked_for(store) -> None:
    iris = [CKI + "cluster-bucheon", CKG + "BioCluster", CKI + "no-such-thing"]
    assert results.lookup_labels(store, iris, "ko") == {
        CKI + "cluster-bucheon": "부천 성숙산업 클러스터",
        CKG + "BioCluster": "바이오 클러스터",
    }
    assert results.lookup_labels(store, iris, "en")[CKI + "cluster-bucheon"] == "Bucheon mature industrial cluster"
    assert results.lookup_labels(store, iris, "fr")[CKI + "cluster-bucheon"] == "Bucheon mature industrial cluster"


def test_the_table_shows_labels_not_iris(store) -> None:
    answer = results.materialize(queries.run_named(store, "clusters", {"lang": "ko"}))
    labels = results.lookup_labels(store, results.result_iris(answer), "ko")
    hide = results.table_hidden(answer.variables, {"lang"})
    table = results.serialize(answer, "table", labels=labels, width=600, hide=hide).decode()
    assert "부천 성숙산업 클러스터" in table and "훼어차일드 반도체공장" in table
    assert "https://" not in table and "cluster-bucheon" not in table
    header = table.splitlines()[0]
    assert "clusterLabel" in header and "lang" not in header.split(" | ")[0]
    assert " cluster " not in f" {header} ".replace("|", " ")  # ?cluster is shown by ?clusterLabel
    assert table.rstrip().endswith("(11 rows)")
    assert max(results.text_width(line) for line in table.splitlines()) <= 600
    narrow = results.serialize(answer, "table", labels=labels, width=130, hide=hide).decode()
    assert max(results.text_width(line) for line in narrow.splitlines()) <= 130


def test_an_iri_without_label_is_a_prefixed_name() -> None:
    assert results.display(ox.NamedNode(CKI + "x-1"), {}) == "cki:x-1"
    assert results.display(ox.NamedNode(EX + "y"), {}) == f"<{EX}y>"
    assert results.display(ox.NamedNode(EX + "y"), {EX + "y": "Why"}) == "Why"


def test_wrapping_counts_korean_characters_twice() -> None:
    assert results.text_width("부천") == 4 and results.text_width("ab") == 2
    text = "지역의 사회적 자본, 국지적 네트워크형성, 신뢰의 형성"
    lines = results.wrap(text, 12)
    assert all(results.text_width(line) <= 12 for line in lines)
    assert lines[:2] == ["지역의", "사회적 자본,"]
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # a long word is cut, nothing lost
    assert results.wrap("abcdefghijkl", 5) == ["abcde", "fghij", "kl"]
    assert results.wrap("- one two three", 8) == ["- one", "  two", "  three"]


def test_grid_columns_are_aligned() -> None:
    grid = results.format_grid(["a", "b"], [["부천", "x"], ["Bucheon", "y"]], width=40)
    lines = grid.splitlines()
    assert [results.text_width(line.split("|")[0]) for line in lines if "|" in line] == [8, 8, 8]
    assert lines[1] == "--------+--"


def test_table_hidden() -> None:
    assert results.table_hidden(["lang", "c", "cLabel", "x"], {"lang"}) == {"lang", "c"}
    assert results.table_hidden(["lang"], {"lang"}) == set()  # never hide every column


def test_labels_prefer_the_language_then_skos_pref_label_across_batches(tmp_path, monkeypatch) -> None:
    from clusterkg.stores.files import open_files

    data = tmp_path / "labels.ttl"
    data.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<urn:a> rdfs:label 'a-rdfs'@en ; skos:prefLabel 'a-skos'@en , 'a-ko'@ko .\n"
        "<urn:b> rdfs:label 'b-rdfs'@en , 'b-plain' .\n"
        "<urn:c> rdfs:label 'c-plain' .\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(results, "LABEL_BATCH", 2)  # three IRIs: two queries
    store = open_files([data])
    try:
        iris = ["urn:a", "urn:b", "urn:c", "urn:none"]
        assert results.lookup_labels(store, iris, "en") == {"urn:a": "a-skos", "urn:b": "b-rdfs", "urn:c": "c-plain"}
        assert results.lookup_labels(store, iris, "ko")["urn:a"] == "a-ko"
    finally:
        store.close()


def test_grid_rows_are_spaced_only_when_a_cell_takes_several_lines() -> None:
    # "aa    bb" is wider than its column of 6 but fits once its white space is made single: no cell wraps
    fits = results.format_grid(["x", "y"], [["aa    bb", "1"], ["c", "2"]], 9, separator="  ")
    assert fits.splitlines() == ["x       y", "------  -", "aa bb   1", "c       2"]
    wraps = results.format_grid(["x", "y"], [["aa bb cc", "1"], ["e", "2"]], 9, separator="  ")
    assert wraps.splitlines() == ["x       y", "------  -", "aa bb   1", "cc", "", "e       2"]
    assert "".join(results.grid_lines(["x", "y"], [["aa bb cc", "1"], ["e", "2"]], 9, separator="  ")) == wraps


def test_a_table_too_wide_for_the_terminal_is_written_as_records() -> None:
    headers = ["type", "cluster", "country", "industries", "start", "firms"]
    rows = [["mature industrial cluster", "Bucheon mature industrial cluster", "", "*metal processing; "
             "*chemical products manufacturing", "", "about 7000"]]
    records = results.format_grid(headers, rows, width=40)
    assert records.splitlines()[0] == "-[ 1 ]" + "-" * 34
    assert "type        mature industrial cluster" in records
    assert "country" not in records  # an empty field is left out of its record
    assert "industries  *metal processing; *chemical" in records
    assert "            products manufacturing" in records  # a long value wraps under itself
    assert all(len(line) <= 40 for line in records.splitlines())
    wide = results.format_grid(headers, rows, width=200)
    assert wide.splitlines()[0].startswith("type ") and " | cluster " in wide.splitlines()[0]


def test_narrow_columns_that_hold_their_cells_stay_a_table() -> None:
    grid = results.format_grid(["a", "b", "c"], [["1", "2", "3"]], width=20)
    assert grid.splitlines() == ["a | b | c", "--+---+--", "1 | 2 | 3"]
