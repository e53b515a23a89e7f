"""The examples of the README's "Web page and SPARQL endpoint" section, run against a live server."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from serve_helpers import clusterkg_server

pytestmark = pytest.mark.server

README = Path(__file__).resolve().parent.parent / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Web page and SPARQL endpoint")
    return text[start : text.index("\n## ", start + 1)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with clusterkg_server(tmp_path_factory.mktemp("readme-store")) as srv:
        yield srv


def shell_examples() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the section's console block, with the lines it shows as output."""
    block = re.search(r"```\n(\$ curl.*?)```", section(), re.S).group(1)
    examples: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            examples.append((line[2:], []))
        elif examples and examples[-1][0].endswith("\\"):
            examples[-1] = (examples[-1][0][:-1] + " " + line.strip(), examples[-1][1])
        elif examples and "'" in examples[-1][0] and examples[-1][0].count("'") % 2:
            examples[-1] = (examples[-1][0] + "\n" + line, examples[-1][1])
        elif examples:
            examples[-1][1].append(line)
    return examples


def test_curl_examples(server) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    examples = shell_examples()
    assert len(examples) == 3
    for command, shown in examples:
        command = command.replace("http://127.0.0.1:8000", server.url)
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, command
        output = result.stdout.splitlines()
        assert output, command
        if shown:
            assert output == shown, command


def test_sparqlwrapper_example(server) -> None:
    code = re.search(r"```python\n(.*?)```", section(), re.S).group(1)
    printed = re.search(r"prints (`[^\n]*`)", section()).group(1)
    expected = re.findall(r"`([^`]+)`", printed)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code.replace("http://127.0.0.1:8000", server.url), {})  # noqa: S102 - the README's own example
    assert sorted(out.getvalue().splitlines()) == sorted(expected)
