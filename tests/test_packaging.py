"""The built wheel carries the data files and works without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and installs a wheel

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("clusterkg-*.whl")
    return built


def test_wheel_contains_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        assert f"clusterkg/data/ontology/{path.name}" in names
    for kind in ("shapes", "queries", "mappings"):
        for path in sorted((ROOT / kind).glob("*.*")):
            assert f"clusterkg/data/{kind}/{path.name}" in names


def test_installed_wheel_runs_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "CLUSTERKG_STORE": str(tmp_path / "store")}
    code = "import clusterkg.resources as r; print(r.data_dir('ontology'))"
    where = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(target))
    info = subprocess.run(
        [sys.executable, "-m", "clusterkg", "info", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert info.returncode == 0, info.stderr
    assert '"clusters": 11' in info.stdout
