"""The example notebook (docs/notebook.ipynb) runs in a real Jupyter kernel and shows what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"

pytestmark = pytest.mark.slow  # starts a Jupyter kernel


def test_the_example_notebook_runs_and_draws_its_chart() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "commit it without outputs"
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert errors == []

    def data(cell) -> dict:
        merged: dict = {}
        for output in cell.outputs:
            merged.update(output.get("data", {}))
        return merged

    assert "'clusters': 11" in data(code[0])["text/plain"]
    myths = data(code[1])["text/html"]
    assert myths.count("<h4>") == 3 and "<blockquote>" in myths  # each myth, its findings and their excerpts
    assert data(code[2])["text/html"].count("</tr>") == 12  # header and eleven clusters
    assert "image/png" in data(code[-1])  # the chart
