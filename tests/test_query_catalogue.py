"""The catalogue of named queries: column titles in English and Korean, read from each query's header."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg import query_catalogue, tables
from clusterkg.errors import InputError
from clusterkg.sparql.results import Answer
from clusterkg.sparql.syntax import tokens

#: Named queries whose headers another change owns (issue 11 reworks compare.rq and clusters.rq): their column
#: titles are to be added with that change. Strict: once they have titles, the mark must go.


def projected(text: str) -> list[str]:
    """The variables a SELECT query projects, read from its tokens: ``?x`` at the top level, ``(... AS ?x)``."""
    toks = [t.text for t in tokens(text)]
    start = next(i for i, t in enumerate(toks) if t.upper() == "SELECT") + 1
    names, depth = [], 0
    for index in range(start, len(toks)):
        token = toks[index]
        if token.upper() == "WHERE" or (token == "{" and depth == 0):
            break
        depth += token == "("
        depth -= token == ")"
        if token.startswith("?") and (depth == 0 or toks[index - 1].upper() == "AS"):
            names.append(token[1:])
    return names


@pytest.mark.parametrize("name", [q.name for q in query_catalogue.catalogue()])
def test_every_column_of_a_named_query_has_titles_in_both_languages(name: str) -> None:
    query = query_catalogue.get(name)
    columns = projected(query.text)
    assert columns and len(set(columns)) == len(columns)
    missing = {c: sorted({"en", "ko"} - set(query.columns.get(c, {}))) for c in columns}
    assert not {c: langs for c, langs in missing.items() if langs}
    assert set(query.columns) <= set(columns)  # no title for a column the query does not select
    korean = query.column_titles("ko")
    assert all(korean[c] != c for c in columns)  # a Korean title, not the variable's name


def test_the_projection_is_read_from_the_tokens() -> None:
    text = "SELECT ?a (COUNT(?b) AS ?n) ?c WHERE { ?a ?b ?c } # ?d\n"
    assert projected(text) == ["a", "n", "c"]


def test_columns_header_with_continuation(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title: t\n# columns: clusterLabel = cluster; excerpt = excerpt;\n#   section = section\n"
        "# columns@ko: clusterLabel = 클러스터; excerpt = 발췌문\nSELECT ?clusterLabel ?excerpt ?section WHERE {}\n",
        encoding="utf-8",
    )
    query = query_catalogue.load_query(path)
    assert query.columns == {"clusterLabel": {"en": "cluster", "ko": "클러스터"}, "excerpt": {"en": "excerpt", "ko": "발췌문"},
                             "section": {"en": "section"}}
    assert query.column_titles("ko") == {"clusterLabel": "클러스터", "excerpt": "발췌문", "section": "section"}
    assert query_catalogue.query_json(query)["columns"]["excerpt"] == {"en": "excerpt", "ko": "발췌문"}


@pytest.mark.parametrize("value", ["clusterLabel", "= cluster", "clusterLabel =", "not a name = x"])
def test_a_column_title_that_cannot_be_read_is_reported(tmp_path: Path, value: str) -> None:
    path = tmp_path / "q.rq"
    path.write_text(f"# title: t\n# columns: {value}\nSELECT ?x WHERE {{}}\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the column title"):
        query_catalogue.load_query(path)


def test_a_table_is_headed_by_the_titles_and_machine_formats_keep_the_names() -> None:
    import pyoxigraph as ox

    answer = Answer("select", ["clusterLabel", "section"], [(ox.Literal("부천"), ox.Literal("3.3"))], None, [])
    table = tables.serialize(answer, "table", titles={"clusterLabel": "클러스터", "section": "절"}).decode()
    assert table.splitlines()[0].split() == ["클러스터", "|", "절"]
    assert tables.serialize(answer, "csv", titles={"clusterLabel": "클러스터"}).decode().startswith("clusterLabel,section")


def test_named_queries_on_the_command_line_are_headed_in_the_language_asked_for() -> None:
    from click.testing import CliRunner

    from clusterkg.cli import cli

    runner = CliRunner()
    korean = runner.invoke(cli, ["query", "claims", "--lang", "ko", "--width", "200"])
    assert korean.exit_code == 0, korean.output
    assert [c.strip() for c in korean.stdout.splitlines()[0].split("|")] == ["절", "유형", "주장", "발췌문"]
    english = runner.invoke(cli, ["query", "claims", "--width", "200"])
    assert [c.strip() for c in english.stdout.splitlines()[0].split("|")] == ["section", "type", "claim", "excerpt"]
    adhoc = runner.invoke(cli, ["query", "-e", "SELECT ?clusterLabel WHERE { BIND(1 AS ?clusterLabel) }", "--lang", "ko"])
    assert adhoc.stdout.splitlines()[0].strip() == "clusterLabel"  # an inline query has no titles


def test_a_parameter_described_in_korean(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title: t\n# param: entity (iri ckg:Claim) -- the claim,\n#   e.g. cki:x\n"
        "# param@ko: entity -- 주장\n#   (목록에서 고르기)\n# param: lang (lang) = en -- language\n"
        "SELECT ?entity WHERE {}\n", encoding="utf-8")
    entity, lang = query_catalogue.load_query(path).params
    assert entity.description == "the claim, e.g. cki:x" and entity.described("ko") == "주장 (목록에서 고르기)"
    assert entity.descriptions() == {"en": "the claim, e.g. cki:x", "ko": "주장 (목록에서 고르기)"}
    assert lang.described("ko") == "language" and lang.descriptions() == {"en": "language"}  # English, when no other


@pytest.mark.parametrize("line", ["# param@ko: nope -- 없음", "# param@ko: entity 설명만"])
def test_a_translation_of_no_declared_parameter_is_reported(tmp_path: Path, line: str) -> None:
    path = tmp_path / "q.rq"
    path.write_text(f"# title: t\n# param: entity (iri) -- the entity\n{line}\nSELECT ?entity WHERE {{}}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"q, line 3: write '# param@ko: NAME -- text' after"):
        query_catalogue.load_query(path)


@pytest.mark.parametrize("name", [q.name for q in query_catalogue.catalogue()])
def test_every_parameter_is_described_in_both_languages(name: str) -> None:
    for param in query_catalogue.get(name).params:
        assert set(param.descriptions()) == {"en", "ko"}, param.name
        assert "cki:" not in param.described("ko") and "--param" not in param.described("ko")  # words for a form
