"""Reading the README's worked examples, so that tests can run them and compare the output shown."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def section(heading: str) -> str:
    """The text of the README section ``## heading``, up to the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    return text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]


def console_steps(block: str) -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of a console block with the lines shown as its output.

    A command continues on the next line after a trailing backslash, or while a
    single quote is left open.
    """
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and steps[-1][0].endswith("\\"):
            steps[-1] = (steps[-1][0][:-1] + " " + line.strip(), steps[-1][1])
        elif steps and steps[-1][0].count("'") % 2:
            steps[-1] = (steps[-1][0] + "\n" + line, steps[-1][1])
        elif steps:
            steps[-1][1].append(line)
    return steps
