"""The comparison table and the myths, as data."""

from __future__ import annotations

import pytest

from clusterkg import names
from clusterkg import paper_views as views
from clusterkg.errors import NotFoundError
from clusterkg.namespaces import CKI
from clusterkg.stores import open_embedded


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with open_embedded(tmp_path_factory.mktemp("kb")) as opened:
        yield opened


@pytest.mark.parametrize(
    ("name", "cluster"),
    [
        ("테헤란밸리", "cluster-seoul-venture-valley"),
        ("teheran valley", "cluster-seoul-venture-valley"),
        ("Seoul-Venture-Valley", "cluster-seoul-venture-valley"),
        ("동대문", "cluster-dongdaemun-apparel"),
        ("bucheon", "cluster-bucheon"),
        ("Daejeon", "cluster-daejeon-bio"),  # part of one label only
        ("<https://w3id.org/clusterkg/id/cluster-msc>", "cluster-msc"),
        ("cki:cluster-silicon-valley", "cluster-silicon-valley"),
    ],
)
def test_clusters_are_found_by_label_local_name_or_iri(store, name: str, cluster: str) -> None:
    assert names.resolve_cluster(store, name).iri == CKI + cluster


def test_an_exact_label_wins_over_partial_matches(store) -> None:
    # "Silicon Valley" is a label; "Valley" is part of two ("Seoul Venture Valley", "Silicon Valley")
    assert names.resolve_cluster(store, "Silicon Valley").iri == CKI + "cluster-silicon-valley"
    with pytest.raises(NotFoundError, match="'Valley' is ambiguous; it matches 2 clusters"):
        names.resolve_cluster(store, "Valley")


def test_the_comparison_follows_the_table(store) -> None:
    comparison = views.compare(store, "Teheran Valley", "동대문", "ko")
    assert (comparison.a_label, comparison.b_label) == ("서울벤처밸리", "동대문 의류산업 집적지")
    assert [title for title, _, _ in comparison.rows] == ["장소", "사회경제적 기제", "문화경제적 기제", "수행력"]
    assert [len(a) for _, a, _ in comparison.rows] == [1, 1, 2, 3]
    assert [len(b) for _, _, b in comparison.rows] == [1, 1, 3, 3]


def test_myths_group_their_findings(store) -> None:
    myths = views.myths(store, "en")
    assert [m.section for m in myths] == ["1.1", "1.2", "1.3"]
    assert [len(m.findings) for m in myths] == [4, 3, 2]
