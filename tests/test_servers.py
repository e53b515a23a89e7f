"""The server fixtures themselves work: a real Oxigraph server answers queries."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path


def test_oxigraph_server_loads_and_answers(oxigraph, tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<urn:a> <urn:p> 42 .\n")
    oxigraph.load(data)
    query = urllib.parse.quote("SELECT ?o WHERE { <urn:a> <urn:p> ?o }")
    request = urllib.request.Request(
        f"{oxigraph.query_url}?query={query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        bindings = json.load(response)["results"]["bindings"]
    assert [b["o"]["value"] for b in bindings] == ["42"]
