"""Wall time of reasoning, the quality report and the docs build, as whole processes.

Prints the median of several runs of each command on the paper's knowledge
base (a fresh store, built once before timing), beside references measured
in the same run: ``python -c pass`` and ``clusterkg info``.

    python bench/reasoning.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def clusterkg(*args: str) -> list[str]:
    return [shutil.which("clusterkg") or "clusterkg", *args]


def median_seconds(command: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLUSTERKG_STORE": str(Path(tmp) / "store")}
        subprocess.run(clusterkg("info"), env=env, stdout=subprocess.DEVNULL, check=True)  # build the store
        commands = {
            "python -c pass (reference)": [sys.executable, "-c", "pass"],
            "clusterkg info (reference)": clusterkg("info"),
            "clusterkg reason --reasoner hermit": clusterkg("reason", "-q", "--reasoner", "hermit"),
            "clusterkg reason --reasoner owlrl": clusterkg("reason", "-q", "--reasoner", "owlrl"),
            "clusterkg reason --explain (10 facts)": clusterkg("reason", "-q", "--explain"),
            "clusterkg report": clusterkg("report"),
            "clusterkg docs": clusterkg("docs", "-q", "-o", str(Path(tmp) / "docs")),
        }
        print(f"median of {args.runs} whole-process runs, seconds")
        for name, command in commands.items():
            print(f"{median_seconds(command, args.runs, env):8.2f}  {name}")


if __name__ == "__main__":
    main()
