"""How soon ``clusterkg serve`` answers after it starts, and serves a change, beside another source tree.

Usage::

    git archive COMMIT | tar -x -C /tmp/before
    python bench/serve_start.py --before /tmp/before --store 100k=/tmp/s100k --store 1m=/tmp/s1m [--rounds 3]

Each store must be a copy that may be written: every round loads one triple into it. In each round,
for each store, ``clusterkg serve`` of ``--before`` (run with this environment's Python and libraries) and
of this tree start in turn on the same store (``--cache-mb 0 --reload-interval 0.2``), and each is
measured for:

- *first answer*: seconds from the start of the process until ``POINT_QUERY`` (the myths and their labels,
  a few index lookups at any size) is answered on ``/sparql``, and the CPU seconds (user + system) of the
  whole process tree by then (server, its workers and their helpers, those gone included);
- *info*: seconds from the start until ``/api/info`` has answered (it gives the store's size);
- *PSS / RSS*: the memory of the whole process tree after 20 queries, in MiB;
- *change served*: seconds from the end of a ``clusterkg load`` of one triple until a query sees it.

Printed: each round, then the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402
from serve_bench import POINT_QUERY, http_post, served_change  # noqa: E402
from serve_helpers import clusterkg_command  # noqa: E402
from servers import free_port, stop_process  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process tree: the live processes, and the children its root has reaped."""
    total = 0.0
    for number, member in enumerate(measure.tree(pid)):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if number == 0 else 0)) / TICKS
    return total


def answers(url: str, body: bytes | None = None) -> bool:
    try:
        if body is None:
            with urllib.request.urlopen(url, timeout=600) as response:
                response.read()
        else:
            http_post(url, body)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def one(checkout: Path | None, store: Path, work: Path) -> dict[str, float]:
    """Start a server of ``checkout`` (None: this tree) on ``store``; its first answer, info and change figures."""
    port = free_port()
    program = clusterkg_command()
    env = dict(os.environ)
    if checkout is not None:
        program = [sys.executable, "-P", "-c", "from clusterkg.cli import main; main()"]
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])])
    command = [*program, "--store", str(store), "serve", "--port", str(port), "--cache-mb", "0",
               "--reload-interval", "0.2", "--max-results", "100000000"]
    url = f"http://127.0.0.1:{port}"
    query = urllib.parse.urlencode({"query": POINT_QUERY}).encode()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while not answers(url + "/sparql", query):
            if process.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError(f"{command} did not answer")
            time.sleep(0.02)
        first, cpu = time.perf_counter() - started, cpu_seconds(process.pid)
        answers(url + "/api/info")
        info = time.perf_counter() - started
        for _ in range(20):
            http_post(url + "/sparql", query)
        pss, rss = measure.memory_kib(measure.tree(process.pid))
        change = served_change(url, store, work)
    finally:
        stop_process(process, 15)
    return {"first": first, "cpu": cpu, "info": info, "pss": pss / 1024, "rss": rss / 1024, "change": change}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the source tree to compare with")
    parser.add_argument("--store", action="append", required=True, metavar="NAME=DIR",
                        help="a store that may be written (a copy), with its name")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    stores = [(name, Path(directory)) for name, _, directory in (entry.partition("=") for entry in options.store)]
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"serve-start-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at the start: {measure.load_average()}")
    figures: dict[tuple[str, str], list[dict[str, float]]] = {}
    for number in range(options.rounds):
        for name, store in stores:
            for side, checkout in (("before", options.before), ("after", None)):
                result = one(checkout, store, work)
                figures.setdefault((name, side), []).append(result)
                print(f"round {number + 1} {name:>5} {side:6} first answer {result['first']:6.2f} s "
                      f"(CPU {result['cpu']:5.2f} s)  info {result['info']:6.2f} s  PSS/RSS {result['pss']:.0f}/{result['rss']:.0f} MiB  "
                      "change served "
                      f"{result['change']:5.2f} s", flush=True)
    print(f"load average at the end: {measure.load_average()}\n")
    print("| store | server | first answer s | CPU s by then | /api/info s | PSS / RSS MiB | change served s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (name, side), results in figures.items():
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(f"| {name} | {side} | {median['first']:.2f} | {median['cpu']:.2f} | {median['info']:.2f} | "
              f"{median['pss']:.0f} / {median['rss']:.0f} | {median['change']:.2f} |")


if __name__ == "__main__":
    main()
