"""The one HTTP transport: a total deadline per request, however slowly the server answers (issue 12, item 7).

The server of these tests sends its answer one byte at a time, each byte well within the deadline of a
single read: a deadline per read would never expire, the total one does.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from stub_http import Reply, stub_server

from clusterkg.cli import cli
from clusterkg.sparql.http import HttpError, post_form

#: Enough to keep a trickling server busy for minutes.
SLOW_BODY = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}' + b" " * 200


def test_a_trickled_answer_stops_at_the_deadline() -> None:
    with stub_server([Reply(body=SLOW_BODY, trickle=0.2)]) as stub:
        started = time.monotonic()
        with pytest.raises(HttpError, match=r"did not answer within 1 s"):
            post_form(stub.url, [("query", "ASK {}")], accept="application/sparql-results+json", timeout=1)
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.5


def test_the_command_line_stops_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERKG_ENDPOINT_TIMEOUT", "1")
    with stub_server([Reply(body=SLOW_BODY, trickle=0.2)]) as stub:
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["--endpoint", stub.url, "info"])
        elapsed = time.monotonic() - started
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {stub.url} did not answer within 1 s"
    assert elapsed < 3.5


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["--endpoint", "{url}", "info"],
        ["push", "--endpoint", "{url}", "--timeout", "5"],
        ["link", "--wikidata", "{url}", "--timeout", "5", "--no-cache", "--retries", "0", "--dry-run"],
    ],
    ids=["info", "push", "link"],
)
def test_a_byte_every_two_seconds_against_a_five_second_deadline(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """The probe of the issue: ``CLUSTERKG_ENDPOINT_TIMEOUT=5``, a byte every 2 s; it ran past 75 s."""
    monkeypatch.setenv("CLUSTERKG_ENDPOINT_TIMEOUT", "5")
    with stub_server([Reply(status=503)]) as stub:  # the command's imports and set-up, once, untimed
        CliRunner().invoke(cli, [arg.format(url=stub.url) for arg in args])
    with stub_server([Reply(body=SLOW_BODY, trickle=2.0)]) as stub:
        started = time.monotonic()
        result = CliRunner().invoke(cli, [arg.format(url=stub.url) for arg in args])
        elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "did not answer within 5 s" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert elapsed < 8
