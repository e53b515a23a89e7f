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
        ("테헤란밸리", "cluster-teheran-valley"),  # a cluster of its own: the paper never equates the two
        ("teheran valley", "cluster-teheran-valley"),
        ("서울벤처밸리", "cluster-seoul-venture-valley"),
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
    # "Silicon Valley" is a label; "Valley" is part of three ("Seoul Venture Valley", "Silicon Valley",
    # "Teheran Valley")
    assert names.resolve_cluster(store, "Silicon Valley").iri == CKI + "cluster-silicon-valley"
    with pytest.raises(NotFoundError, match="'Valley' is ambiguous; it matches 3 clusters"):
        names.resolve_cluster(store, "Valley")


def test_the_comparison_follows_the_table(store) -> None:
    comparison = views.compare(store, "Seoul Venture Valley", "동대문", "ko")
    assert (comparison.a_label, comparison.b_label) == ("서울벤처밸리", "동대문 의류산업 집적지")
    assert [title for title, _, _ in comparison.rows] == ["장소", "사회경제적 기제", "문화경제적 기제", "수행력"]
    assert [len(a) for _, a, _ in comparison.rows] == [1, 1, 2, 3]
    assert [len(b) for _, _, b in comparison.rows] == [1, 1, 3, 3]


def test_myths_group_their_findings(store) -> None:
    myths = views.myths(store, "en")
    assert [m.section for m in myths] == ["1.1", "1.2", "1.3"]
    assert [len(m.findings) for m in myths] == [4, 3, 2]


def test_myths_carry_what_the_paper_says_of_them(store, source_text: str) -> None:
    """Myth 1 with its stereotype pair (Silicon Valley, MSC), myth 2 with its two diagnosis bullets."""
    first, second, third = views.myths(store, "ko")
    assert [(s.example, s.label) for s in first.statements] == [("실리콘 벨리", "자연발생형"), ("MSC", "정부주도형")]
    assert [s.role for s in second.statements] == [views.CKG + "Observation"] * 2
    assert [s.excerpt for s in second.statements] == [
        "이제까지의 정책은 물리적 환경조성, 금융지원, 세제인센티브 등 기업형성과 자금지원의 성격",
        "실질적인 창의적 혁신과 학습의 확산에 기여하고 지역산업군집의 형성에 큰 도움이 못됨.",
    ]
    assert [s.role for s in third.statements] == [views.CKG + "Myth"]  # its own words beyond the heading
    assert all(s.excerpt in source_text for m in (first, second, third) for s in m.statements)
    korean = views.format_myths([first, second], width=200, lang="ko")
    assert korean.index("  고정관념:") < korean.index("  - 실리콘 벨리: 자연발생형 (§1.1)") < korean.index("  반론:")
    assert korean.index("  진단:") < korean.index("  - 이제까지의 정책은 기업형성과 자금지원의 성격이었다 (§1.2)")
    english = views.format_myths(views.myths(store, "en"), width=200)
    block = english.split("Myth 2")[0]
    assert block.index("The stereotype:") < block.index("- Silicon Valley: spontaneous") < block.index("- MSC: government-led")
    assert block.index("- MSC: government-led") < block.index("Countered by:")
