"""A store that cannot be used is one line naming the directory and what to do (issue 12, item 6): damaged,
read-only, held by another program, a lock path that is a directory, no permission, a full disk."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg import kb
from clusterkg.cli import cli
from clusterkg.stores import open_embedded

ROOT = Path(__file__).resolve().parent.parent
ELSEWHERE = "or choose another directory with --store DIR or $CLUSTERKG_STORE"


def run(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--store", str(store), *args])
    return result.exit_code, result.output


def nq(store: Path) -> list[str]:
    """The store's sorted ``export --format nq``."""
    with open_embedded(store) as opened:
        data = kb.export(opened, "nq")
    return sorted((data.decode() if isinstance(data, bytes) else data).splitlines())


def test_a_damaged_store_says_so_and_what_to_do(store_dir: Path) -> None:
    """RocksDB's ``RuntimeError: Corruption`` was a traceback (only OSError was caught)."""
    for table in (store_dir / "oxigraph").glob("*.sst"):
        data = bytearray(table.read_bytes())
        for index in range(0, len(data), 97):
            data[index] ^= 0xFF
        table.write_bytes(bytes(data))
    code, output = run(store_dir, "info")
    assert code == 2
    assert output.startswith(f"Error: the store {store_dir} is damaged (Corruption: ")
    assert output.endswith("move the directory aside and run the command again to build a new store (cases, links "
                           "and inferences you added must then be added again)\n")
    assert output.count("\n") == 1


def test_a_store_whose_current_file_is_garbage(store_dir: Path) -> None:
    (store_dir / "oxigraph" / "CURRENT").write_text("garbage\n")
    code, output = run(store_dir, "query", "-e", "ASK {}")
    assert code == 2
    assert output.startswith(f"Error: the store {store_dir} is damaged (Corruption: CURRENT file corrupted)")


def test_a_lock_path_that_is_a_directory(store_dir: Path) -> None:
    (store_dir / "lock").unlink()
    (store_dir / "lock").mkdir()
    for args in (["info"], ["remove", "cki:cluster-x"]):
        code, output = run(store_dir, *args)
        assert (code, output) == (2, f"Error: the lock file of the store {store_dir} is a directory "
                                     f"({store_dir / 'lock'}): remove it and run the command again\n")


HOLD = "import pyoxigraph, sys; store = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()"


@pytest.mark.parametrize("where", ["another process", "this process"])
def test_a_store_held_open_by_another_program_can_be_read_not_written(store_dir: Path, where: str) -> None:
    """An oxigraph server or a Python session on DIR/oxigraph holds RocksDB's own lock."""
    if where == "this process":
        holder: object = ox.Store(str(store_dir / "oxigraph"))
    else:
        holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store_dir / "oxigraph")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
    try:
        code, output = run(store_dir, "info")
        assert code == 0 and re.search(r"^triples +\d+$", output, re.M)
        code, output = run(store_dir, "remove", "cki:cluster-x")
        assert (code, output) == (2, f"Error: the store {store_dir} is open in another program (its database lock "
                                     "is held, by an oxigraph server or a Python session using the directory, for "
                                     "example): close that program and run the command again\n")
    finally:
        if isinstance(holder, subprocess.Popen):
            holder.communicate("", timeout=30)
        del holder


def test_a_store_path_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.write_text("not a store")
    code, output = run(path, "info")
    assert code == 2
    assert "is a file" in output  # click's own check of --store, before the store is opened


# --- permissions: root passes them all, so the command runs without the capabilities that let it ---------
def _as_user(*args: str) -> subprocess.CompletedProcess[str]:
    """``clusterkg ARGS`` as a process that file permissions apply to (root without CAP_DAC_*)."""
    command = [sys.executable, "-m", "clusterkg", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("as root, permission checks need setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CLUSTERKG_LOCK_TIMEOUT": "5"})


@contextmanager
def _mode(path: Path, mode: int, recursive: bool = False) -> Iterator[None]:
    paths = [path, *path.rglob("*")] if recursive else [path]
    before = {p: p.stat().st_mode for p in paths}
    try:
        for p in paths:
            p.chmod(mode if p.is_dir() or not recursive else mode & 0o666)
        yield
    finally:
        for p, old in before.items():
            p.chmod(old)


@pytest.mark.slow
def test_a_read_only_store_can_be_queried_but_not_changed(store_dir: Path) -> None:
    """Even ``info`` failed on a read-only store: the lock file was opened for appending."""
    with _mode(store_dir, 0o555, recursive=True):
        info = _as_user("--store", str(store_dir), "info")
        assert info.returncode == 0, info.stderr
        assert re.search(r"^triples +\d+$", info.stdout, re.M)
        ask = _as_user("--store", str(store_dir), "query", "-e", "ASK { ?s ?p ?o }", "--format", "json")
        assert ask.returncode == 0, ask.stderr
        assert ask.stdout == '{"head":{},"boolean":true}\n'
        remove = _as_user("--store", str(store_dir), "remove", "cki:cluster-x")
    assert remove.returncode == 2
    assert remove.stderr == (f"Error: cannot change the store {store_dir}: permission denied (it can still be "
                             f"queried); give your user write access to it, {ELSEWHERE}\n")


@pytest.mark.slow
def test_a_read_only_store_without_a_lock_file_can_be_queried(store_dir: Path) -> None:
    (store_dir / "lock").unlink()
    with _mode(store_dir, 0o555, recursive=True):
        info = _as_user("--store", str(store_dir), "info")
    assert info.returncode == 0, info.stderr


@pytest.mark.slow
def test_a_store_directory_without_permission(store_dir: Path, tmp_path: Path) -> None:
    with _mode(store_dir, 0o000):
        done = _as_user("--store", str(store_dir), "info")
    assert done.returncode == 2
    assert done.stderr == (f"Error: cannot read the store {store_dir}: permission denied; give your user read and "
                           f"write access to it, {ELSEWHERE}\n")
    parent = tmp_path / "locked"
    parent.mkdir()
    with _mode(parent, 0o555):
        done = _as_user("--store", str(parent / "new"), "info")
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: cannot change the store {parent / 'new'}: permission denied")


# --- a full disk ---------------------------------------------------------------------------------------------
def _cases(path: Path, count: int) -> Path:
    path.write_text("".join(
        f"- id: full-disk-{i}\n  name_ko: 시험 클러스터 {i}\n  name_en: Test cluster {i} with a name long enough\n"
        f"  type: high-tech\n  country: KR\n  city: 성남시\n  industries: [it, semiconductor]\n  stage: growth\n"
        f"  start_year: 2005\n  firms: 1300\n  source: \"A citation for test cluster {i}, 2020\"\n"
        for i in range(count)), encoding="utf-8")
    return path


@contextmanager
def _small_disk(where: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` mounted at ``where`` (needs root: CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is made with a small tmpfs, which only root can mount (CI runs as root)")
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs as root: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    filler = disk / "filler"
    stat = os.statvfs(disk)
    filler.write_bytes(b"\0" * max(stat.f_bavail * stat.f_frsize - leave, 0))
    return filler


@pytest.mark.slow
@pytest.mark.parametrize("leave_kb", [256, 96], ids=["writing", "opening"])
def test_a_full_disk_during_add_is_exit_2_and_the_store_unchanged(
    tmp_path: Path, built_store_template: Path, leave_kb: int
) -> None:
    """With 256 kB left, the store opens and the write fails (exit 1 and a traceback before); with 96 kB, the
    store cannot even be opened for writing."""
    cases = _cases(tmp_path / "cases.yaml", 300)
    with _small_disk(tmp_path / "disk", 8) as disk:
        store = disk / "store"
        shutil.copytree(built_store_template, store)
        before = nq(store)
        filler = _fill(disk, leave_kb * 1024)
        done = subprocess.run([sys.executable, "-m", "clusterkg", "--store", str(store), "add", str(cases)],
                              capture_output=True, text=True, timeout=300)
        filler.unlink()
        after = nq(store)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (f"Error: the disk holding the store {store} is full: free some space "
                                            "and run the command again")
    assert after == before
