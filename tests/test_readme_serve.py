"""The examples of the README's "Web page and SPARQL endpoint" section, run against a live server."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess

import pytest
from readme_examples import console_steps, section
from serve_helpers import clusterkg_server

pytestmark = pytest.mark.server



@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with clusterkg_server(tmp_path_factory.mktemp("readme-store")) as srv:
        yield srv


def shell_examples() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the section's console block, with the lines it shows as output."""
    block = re.search(r"```\n(\$ curl.*?)```", section("Web page and SPARQL endpoint"), re.S).group(1)
    return console_steps(block)


def test_curl_examples(server) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    examples = shell_examples()
    assert len(examples) == 4  # the last names an entity by its Korean label
    for command, shown in examples:
        command = command.replace("http://127.0.0.1:8000", server.url)
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, command
        output = result.stdout.splitlines()
        assert output, command
        if shown:
            assert output == shown, command


def test_sparqlwrapper_example(server) -> None:
    code = re.search(r"```python\n(.*?)```", section("Web page and SPARQL endpoint"), re.S).group(1)
    printed = re.search(r"prints (`[^\n]*`)", section("Web page and SPARQL endpoint")).group(1)
    expected = re.findall(r"`([^`]+)`", printed)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code.replace("http://127.0.0.1:8000", server.url), {})  # noqa: S102 - the README's own example
    assert sorted(out.getvalue().splitlines()) == sorted(expected)
