"""Scoring of Wikidata candidates for an entity of the graph: the matching rules of ``clusterkg link``.

Each candidate gets a score in [0, 1] with its reasons:

* name: label in the same language 0.5, alias or other language 0.4, name
  variant (a Korean administrative suffix such as 시/도 dropped) 0.35; +0.05
  when both Korean and English names agree;
* type (P31, and P279 one level up): the class labels fit the entity's class
  +0.2, fit its kind (place, organisation, cluster) +0.1, unrelated -0.3;
* country (P17): same ISO 3166-1 code +0.25, another country -0.6;
* located in (P131, two levels): the entity's region or city among them
  +0.1, none of them -0.4;
* coordinates (P625) where the entity's are known (the store, or the
  GeoNames city it names): near +0.1, far -0.3;
* inception (P571) against ``ckg:startYear``: within 2 years +0.05, more than
  10 years apart -0.2.

Type and country are compared through labels (class labels; the country's
English label resolved to an ISO code with pycountry), so the code holds no
Wikidata class identifiers. The best candidate is chosen when it reaches the
threshold and leads the runner-up by at least :data:`MARGIN`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..namespaces import CKG

DEFAULT_THRESHOLD = 0.7
MARGIN = 0.1
LANGS = ("ko", "en")

# Words that a fitting class label contains (English and Korean), by ontology class.
_CITY = ("city", "municipality", "town", "metropolis", "도시", "시", "광역시", "특별시", "대도시")
_REGION = ("province", "state", "region", "area", "territory", "도", "주", "지역", "대도시권")
_DISTRICT = ("district", "dong", "neighbourhood", "neighborhood", "ward", "구", "동", "자치구")
_COUNTRY = ("country", "sovereign state", "국가")
_ORG = (
    "organization", "organisation", "company", "business", "enterprise", "corporation", "manufacturer",
    "institute", "university", "agency", "government", "orchestra", "museum", "festival",
    "기업", "회사", "기관", "대학", "정부", "오케스트라", "박물관", "축제",
)
_CLUSTER = ("cluster", "industrial district", "technology park", "region", "area", "valley", "클러스터", "지역")
_PLANT = ("factory", "plant", "facility", "공장")
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    CKG + "Country": _COUNTRY,
    CKG + "City": _CITY,
    CKG + "Region": _REGION,
    CKG + "IndustrialRegion": ("industrial", *_REGION),
    CKG + "MatureIndustrialArea": ("industrial", *_REGION),
    CKG + "District": _DISTRICT,
    CKG + "PlannedDistrict": _DISTRICT,
    CKG + "IndustrialCluster": _CLUSTER,
    CKG + "Plant": _PLANT,
}
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "place": (*_COUNTRY, *_CITY, *_REGION, *_DISTRICT),
    "organization": (*_ORG, *_PLANT),
    "cluster": (*_CLUSTER, *_REGION),
}
_KO_SUFFIXES = ("특별시", "광역시", "시", "도", "군", "구")


@dataclass
class Entity:
    """An entity of the store to link, with what is known about it."""

    iri: str
    kind: str
    classes: set[str] = field(default_factory=set)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)  # ISO 3166-1 alpha-2
    country_items: set[str] = field(default_factory=set)  # Wikidata IRIs of linked countries
    ancestors: set[str] = field(default_factory=set)  # normalised labels of regions/cities it lies in
    point: tuple[float, float] | None = None  # (longitude, latitude)
    start_year: int | None = None

    @property
    def label(self) -> str:
        """A display label: English, else Korean, else the IRI's last segment."""
        for lang in ("en", "ko", ""):
            for text, tag in self.labels:
                if tag == lang:
                    return text
        return self.labels[0][0] if self.labels else self.iri.rsplit("/", 1)[-1]

    def names(self) -> list[tuple[str, str]]:
        """All labels and aliases, Korean and English."""
        return [*self.labels, *self.aliases]


@dataclass
class Candidate:
    """A Wikidata item proposed for an entity, with its score and why."""

    iri: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # language -> labels
    aliases: dict[str, list[str]] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)
    supertypes: list[str] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)  # IRIs
    country_labels: list[str] = field(default_factory=list)
    admin: set[str] = field(default_factory=set)  # normalised labels of P131 (two levels)
    point: tuple[float, float] | None = None
    inception: int | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        for lang in ("en", "ko"):
            if self.labels.get(lang):
                return self.labels[lang][0]
        return self.id


@dataclass
class Match:
    """The outcome for one entity: ranked candidates and the one chosen, if any."""

    entity: Entity
    candidates: list[Candidate]
    chosen: Candidate | None = None
    status: str = "no candidate"  # linked | ambiguous | below threshold | no candidate

    def to_json(self) -> dict:
        return {
            "entity": self.entity.iri,
            "label": self.entity.label,
            "kind": self.entity.kind,
            "status": self.status,
            "candidates": [
                {"id": c.id, "iri": c.iri, "label": c.label, "score": c.score, "reasons": c.reasons}
                for c in self.candidates
            ],
        }


# --------------------------------------------------------------------------- text helpers
def normalise(text: str) -> str:
    """A name folded for comparison: case, spaces, hyphens and punctuation removed.

    >>> normalise("Seoul Venture-Valley"), variants("부천시", "ko")
    ('seoulventurevalley', ['부천시', '부천'])
    """
    return re.sub(r"[\s\-‐‑·.,'’()]+", "", text.casefold())


def variants(text: str, lang: str) -> list[str]:
    """The name itself, and for Korean names without their administrative suffix."""
    out = [text]
    if lang == "ko":
        for suffix in _KO_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                out.append(text[: -len(suffix)])
                break
    return out


_country_cache: dict[str, str | None] = {}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country name or code (pycountry), or None."""
    key = name.strip()
    if key not in _country_cache:
        import pycountry

        try:
            _country_cache[key] = pycountry.countries.lookup(key).alpha_2
        except LookupError:
            _country_cache[key] = None
    return _country_cache[key]


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(longitude, latitude) of a WKT point, with or without a CRS IRI in front."""
    found = re.search(r"point\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", wkt, re.IGNORECASE)
    if not found:
        return None
    return float(found.group(1)), float(found.group(2))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (longitude, latitude) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", text.casefold()) if w]


def _mentions(labels: Iterable[str], words: Iterable[str]) -> str | None:
    """The first label containing one of ``words`` as whole words."""
    for label in labels:
        tokens = _words(label)
        joined = " " + " ".join(tokens) + " "
        for word in words:
            if " " + " ".join(_words(word)) + " " in joined:
                return label
    return None


# --------------------------------------------------------------------------- scoring
def score(entity: Entity, candidate: Candidate) -> Candidate:
    """Score ``candidate`` for ``entity`` (in place) and return it."""
    total, reasons = 0.0, []

    def add(points: float, why: str) -> None:
        nonlocal total
        total += points
        reasons.append(f"{why} ({points:+.2f})")

    points, why = _name_points(entity, candidate)
    add(points, why)

    type_labels = [*candidate.types, *candidate.supertypes]
    specific = [w for cls in entity.classes for w in CLASS_WORDS.get(cls, ())]
    hit = _mentions(type_labels, specific) if specific else None
    if hit:
        add(0.2, f"type fits: {hit}")
    elif (hit := _mentions(type_labels, KIND_WORDS[entity.kind])):
        add(0.1, f"type fits a {entity.kind}: {hit}")
    elif type_labels:
        shown = next((t for t in candidate.types if re.search(r"[a-z]", t)), type_labels[0])
        add(-0.3, f"type unrelated: {shown}")

    theirs = {code for label in candidate.country_labels if (code := country_code(label))}
    if entity.country_items & candidate.countries or (entity.countries and entity.countries & theirs):
        add(0.25, f"country: {', '.join(sorted(entity.countries & theirs) or sorted(candidate.country_labels))}")
    elif entity.countries and theirs:
        add(-0.6, f"country: {', '.join(sorted(theirs))}, not {', '.join(sorted(entity.countries))}")

    if entity.ancestors and candidate.admin:
        if entity.ancestors & candidate.admin:
            add(0.1, "located in the same region")
        else:
            add(-0.4, "located in another region")

    if entity.point and candidate.point:
        km = distance_km(entity.point, candidate.point)
        near, far = (50, 300) if entity.classes & {CKG + "City", CKG + "District"} else (200, 800)
        if km <= near:
            add(0.1, f"coordinates {km:.0f} km apart")
        elif km > far:
            add(-0.3, f"coordinates {km:.0f} km apart")

    if entity.start_year is not None and candidate.inception is not None:
        gap = abs(entity.start_year - candidate.inception)
        if gap <= 2:
            add(0.05, f"inception {candidate.inception}")
        elif gap > 10:
            add(-0.2, f"inception {candidate.inception}, not {entity.start_year}")

    candidate.score = round(min(1.0, max(0.0, total)), 3)
    candidate.reasons = reasons
    return candidate


def _name_points(entity: Entity, candidate: Candidate) -> tuple[float, str]:
    theirs_label = {(normalise(t), lang) for lang, ts in candidate.labels.items() for t in ts}
    theirs_any = {n for n, _ in theirs_label} | {normalise(t) for ts in candidate.aliases.values() for t in ts}
    best, why, langs = 0.0, "name: no exact match", set[str]()
    for text, lang in entity.names():
        n = normalise(text)
        tags = (lang,) if lang else LANGS
        if any((n, tag) in theirs_label for tag in tags):
            points, reason = 0.5, f"label {text!r}"
        elif n in theirs_any:
            points, reason = 0.4, f"alias {text!r}"
        elif any(normalise(v) in theirs_any for tag in tags for v in variants(text, tag)[1:]):
            points, reason = 0.35, f"name variant of {text!r}"
        else:
            continue
        langs.update(tags if lang else ())
        if points > best:
            best, why = points, reason
    if best and {"ko", "en"} <= langs:
        best, why = best + 0.05, why + ", ko and en"
    return best, why


def rank(entity: Entity, candidates: Iterable[Candidate], threshold: float) -> Match:
    """Score and order the candidates; choose the best if it passes ``threshold`` and the margin."""
    ranked = sorted(
        (score(entity, _copy(c)) for c in candidates), key=lambda c: (-c.score, c.iri)
    )
    match = Match(entity, ranked)
    if not ranked:
        return match
    best = ranked[0]
    if best.score < threshold:
        match.status = "below threshold"
    elif len(ranked) > 1 and best.score - ranked[1].score < MARGIN:
        match.status = "ambiguous"
    else:
        match.status, match.chosen = "linked", best
    return match


def _copy(c: Candidate) -> Candidate:
    return Candidate(
        c.iri, c.labels, c.aliases, c.types, c.supertypes, c.countries, c.country_labels,
        c.admin, c.point, c.inception,
    )
