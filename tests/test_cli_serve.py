"""``clusterkg serve`` on the command line: help and the errors raised before serving."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from clusterkg.cli import cli


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ["--host", "--port", "--timeout", "--max-results", "--allow-service", "--workers", "--reload-interval"]:
        assert option in result.output
    assert "127.0.0.1" in result.output


def test_busy_port_is_a_one_line_error(store_dir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        result = CliRunner().invoke(cli, ["--store", str(store_dir), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"Error: cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_bad_options_are_refused(store_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "serve", "--timeout", "0"])
    assert result.exit_code == 2 and "Error: --timeout must be positive" in result.output
    result = CliRunner().invoke(cli, ["--endpoint", "http://127.0.0.1:9/sparql", "serve"])
    assert result.exit_code == 2 and "embedded store" in result.output
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "serve", "--max-results", "0"])
    assert result.exit_code == 2


def test_unusable_store_is_a_one_line_error(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "oxigraph").write_text("not a database")
    result = CliRunner().invoke(cli, ["--store", str(store), "serve", "--port", "0"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "store" in result.output
    assert "Traceback" not in result.output
