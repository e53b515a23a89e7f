"""Wall time of reasoning, the quality report and the docs build, as whole processes.

Prints the median of several runs of each command on the paper's knowledge
base (a fresh store, built once before timing), beside references measured
in the same run: ``python -c pass`` and ``clusterkg info``. With ``--cases N`` the store first
gets N synthetic cases (``validate_bench.synthetic_yaml`` without its deliberate mistakes, added with
``clusterkg add``) and only ``reason`` is timed, once with each reasoner.

    python bench/reasoning.py [--runs N]
    python bench/reasoning.py --cases 1000,10000 --runs 1
    python bench/reasoning.py --cases 1000,10000 --baseline /path/to/main --cap 1800

With ``--baseline`` each ``reason`` runs once with this checkout's code and once with the baseline
checkout's (``PYTHONPATH``, the same store, the same Python), in turn, and prints wall and CPU time
(user+sys of the process tree, Java included) side by side; a run is stopped after ``--cap`` seconds.
Run it from a directory outside both checkouts (``cd /tmp``), or the working directory shadows
``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from validate_bench import COUNTRIES, synthetic_yaml  # noqa: E402


def clusterkg(*args: str) -> list[str]:
    return [shutil.which("clusterkg") or "clusterkg", *args]


def median_seconds(command: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def valid_cases(n: int) -> str:
    """n synthetic cases, leaving out those with the bad country that ``synthetic_yaml`` gives one case in six."""
    bad = f"  country: {COUNTRIES[-1]}\n"
    entries = [entry for entry in synthetic_yaml(n * 6 // 5 + 6).split("- id: ")[1:] if bad not in entry]
    return "".join("- id: " + entry for entry in entries[:n])


def with_cases(counts: list[int], runs: int) -> None:
    print(f"median of {runs} whole-process runs, seconds (cases added with clusterkg add first)")
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "CLUSTERKG_STORE": str(Path(tmp) / "store")}
            cases = Path(tmp) / "cases.yaml"
            cases.write_text(valid_cases(n), encoding="utf-8")
            start = time.perf_counter()
            subprocess.run(clusterkg("add", str(cases)), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)
            print(f"{time.perf_counter() - start:8.2f}  clusterkg add ({n} cases)", flush=True)
            for reasoner in ("hermit", "owlrl"):
                seconds = median_seconds(clusterkg("reason", "-q", "--reasoner", reasoner), runs, env)
                print(f"{seconds:8.2f}  clusterkg reason --reasoner {reasoner} ({n} cases)", flush=True)


def timed(command: list[str], env: dict[str, str], cap: float) -> tuple[float, float, bool]:
    """Wall and CPU seconds (user+sys of the process and the children it waited for) of one run, and whether it finished."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        process.wait(timeout=cap)
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the run's own process group: Python and its Java
        process.wait()
        finished = False
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, finished


def against_baseline(counts: list[int], baseline: str, cap: float, reasoners: list[str]) -> None:
    here = str(Path(__file__).resolve().parents[1])
    print(f"one run each, in turn; wall / CPU seconds (user+sys, Java included); capped at {cap:.0f} s")
    print(f"{'cases':>6}  {'reasoner':<8}  {'baseline wall':>13}  {'cpu':>7}  {'this wall':>10}  {'cpu':>7}")
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "CLUSTERKG_STORE": str(Path(tmp) / "store"), "PYTHONPATH": here}
            cases = Path(tmp) / "cases.yaml"
            cases.write_text(valid_cases(n), encoding="utf-8")
            subprocess.run([sys.executable, "-m", "clusterkg", "add", str(cases)], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            for reasoner in reasoners:
                command = [sys.executable, "-m", "clusterkg", "reason", "-q", "--reasoner", reasoner]
                cells = []
                for path in (baseline, here):
                    wall, cpu, finished = timed(command, {**env, "PYTHONPATH": path}, cap)
                    cells.append((f"{wall:.1f}" if finished else f">{wall:.0f}", f"{cpu:.1f}"))
                (bw, bc), (tw, tc) = cells
                print(f"{n:>6}  {reasoner:<8}  {bw:>13}  {bc:>7}  {tw:>10}  {tc:>7}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", help="numbers of added cases, comma-separated: time reason only")
    parser.add_argument("--baseline", help="a checkout to compare with (its code on PYTHONPATH), with --cases")
    parser.add_argument("--reasoners", default="hermit,owlrl", help="the reasoners to time (--baseline)")
    parser.add_argument("--cap", type=float, default=1800, help="stop a run after this many seconds (--baseline)")
    args = parser.parse_args()
    if args.cases and args.baseline:
        against_baseline([int(n) for n in args.cases.split(",")], args.baseline, args.cap, args.reasoners.split(","))
        return
    if args.cases:
        with_cases([int(n) for n in args.cases.split(",")], args.runs)
        return
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
