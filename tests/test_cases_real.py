"""Issue 11: seven real clusters written as a researcher would; CSV quoting; validate predicts add.

The clusters' facts in ``fixtures/cases/real`` are test inputs written from general knowledge (countries,
cities, industries, when they began), not checked against the sources they cite; they never enter the
shipped knowledge base.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg.cases.load import load
from clusterkg.cli import cli
from clusterkg.errors import InputError

REAL = Path(__file__).parent / "fixtures" / "cases" / "real"
SEVEN = ["Pangyo Techno Valley", "Changwon National Industrial Complex", "Gumi National Industrial Complex",
         "Hsinchu Science Park", "Prato textile district", "Sophia Antipolis", "Cambridge cluster (Silicon Fen)"]


def run(runner: CliRunner, store: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["--store", str(store), *args])
    return result.exit_code, result.output


@pytest.mark.slow  # adds seven cases and compares them pairwise
def test_seven_real_clusters_validate_add_compare_list_and_remove(tmp_path: Path) -> None:
    runner, store = CliRunner(), tmp_path / "store"
    files = [str(REAL / "korea.yaml"), str(REAL / "hsinchu.ttl")]
    assert run(runner, store, "validate", *files)[0] == 0
    assert run(runner, store, "validate", "--delimiter", ";", str(REAL / "europe.csv"))[0] == 0
    assert run(runner, store, "add", *files)[0] == 0
    code, out = run(runner, store, "add", "--delimiter", ";", str(REAL / "europe.csv"))
    assert code == 0, out
    code, out = run(runner, store, "query", "clusters", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    labels = [r["clusterLabel"] for r in rows]
    assert all(labels.count(name) == 1 for name in SEVEN) and len(rows) == 11 + len(SEVEN)  # each once, beside the paper's eleven
    by_label = {r["clusterLabel"]: r for r in rows}
    assert by_label["Pangyo Techno Valley"]["start"] == "about 2011"
    assert by_label["Gumi National Industrial Complex"]["start"] == "1970s"
    assert by_label["Prato textile district"]["historyYears"] == "over 200"
    assert "13 Manufacture of textiles" in by_label["Prato textile district"]["isicDivisions"]
    assert "26 Manufacture of computer, electronic and optical products" in by_label["Hsinchu Science Park"]["isicDivisions"]
    assert by_label["Cambridge cluster (Silicon Fen)"]["country"] == "GB"
    for name in SEVEN:
        for other in ["bucheon", *[o for o in SEVEN if o != name][:2]]:
            code, out = run(runner, store, "compare", name, other, "--width", "200")
            assert code == 0, out
            start = [line for line in out.splitlines() if line.startswith(("type ", "country and location",
                                                                           "industries", "source "))]
            cells = [cell.strip() for line in start for cell in line.split("|")[1:]]
            assert len(start) == 4 and "-" not in cells, out  # filled for both clusters
    code, out = run(runner, store, "compare", "Prato textile district", "bucheon", "--width", "200")
    assert "about 7000" in out and "over 200" in out and "Becattini" in out
    assert run(runner, store, "remove", "sophia-antipolis")[0] == 0
    code, out = run(runner, store, "query", "clusters", "--format", "csv")
    left = [r["clusterLabel"] for r in csv.DictReader(io.StringIO(out))]
    assert "Sophia Antipolis" not in left and all(name in left for name in SEVEN if name != "Sophia Antipolis")
    code, out = run(runner, store, "query", "-e", "SELECT ?c WHERE { GRAPH <https://w3id.org/clusterkg/graph/concepts> "
                    "{ <https://w3id.org/clusterkg/code/naf2/62.01Z> ?p ?o } }", "--format", "csv")
    assert out.strip() == "c"  # the removed case's codes left the concepts graph


@pytest.mark.slow  # a store of its own
def test_validate_reports_what_add_refuses(tmp_path: Path) -> None:
    runner, store = CliRunner(), tmp_path / "store"
    path = str(REAL / "korea.yaml")
    assert run(runner, store, "add", path)[0] == 0
    code, out = run(runner, store, "validate", path)
    assert code == 1 and "is already in the store; use --replace" in out
    assert run(runner, store, "add", path)[0] != 0
    assert run(runner, store, "validate", "--replace", path)[0] == 0
    assert run(runner, store, "add", "--replace", path)[0] == 0
    code, out = run(runner, store, "remove", "bucheon")
    assert code != 0 and "part of the shipped knowledge base" in out


def test_csv_follows_rfc_4180(tmp_path: Path) -> None:
    header = "id,name_ko,name_en,country,comment,source_citation\n"
    path = tmp_path / "quotes.csv"
    path.write_text(header + 'q,큐,Q,KR,"He said ""hi"", then left","A report, 2020"\n', encoding="utf-8")
    comments = [str(o) for e in load(path).entries for s, p, o in e.triples if str(p).endswith("#comment")]
    assert comments == ['He said "hi", then left']  # a doubled quote is one quote
    path.write_text(header + "q,큐,Q,KR\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2: 4 cells but the header has 6 columns \(fewer"):
        load(path)
    path.write_text(header + "q,큐,Q,KR,x,y,z\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2: 7 cells but the header has 6 columns \(more"):
        load(path)
    path.write_text(header.replace(",", ";") + "q;큐;Q;KR;x;A report, 2020\n", encoding="utf-8")
    with pytest.raises(InputError, match="use --delimiter ';'"):
        load(path)
    assert load(path, delimiter=";").entries[0].iri.endswith("cluster-q")
