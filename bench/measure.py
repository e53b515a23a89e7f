"""Measuring whole processes: wall time and the peak memory of the process tree, interleaved A/B runs.

Every figure of the benchmark is a whole process (start-up included) measured here:

* :func:`run` starts a command and samples the memory of its whole process tree (the
  process and all its descendants, from ``/proc``) every 20 ms until it ends: the peak of
  the summed PSS (proportional set size: a page shared by forked workers counts once in
  total) and of the summed RSS;
* :func:`interleaved` runs two or more commands in turn, round after round (A B A B ...),
  so that each sees the same machine load, and gives the median of each;
* :func:`exponent` is the growth exponent of a scaling series (the slope of log time
  against log size between its first and last point: 1 is linear, 2 quadratic).
"""

from __future__ import annotations

import math
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_S = 0.02


def tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return pids


def memory_kib(pids: Sequence[int]) -> tuple[int, int]:
    """(PSS, RSS) of processes, summed, in KiB."""
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


@dataclass
class Run:
    """One whole-process run."""

    seconds: float
    peak_pss_mib: float
    peak_rss_mib: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    cpu: float = float("nan")  # user + system seconds of the process and the descendants it waited for


def run(command: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 1800.0,
        stdin: bytes | None = None, cwd: str | Path | None = None, check: bool = True, keep_stopped: bool = False) -> Run:
    """Run a command to its end, sampling its process tree's memory; raises on failure when ``check``
    (a run stopped at ``timeout`` too, unless ``keep_stopped``)."""
    started = time.perf_counter()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the output goes to files, not pipes: a command never waits for the sampler to read what it writes
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            list(command), stdout=out, stderr=err, stdin=subprocess.PIPE if stdin else None,
            env=dict(env) if env is not None else None, cwd=cwd,
        )
        if stdin:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        peak_pss = peak_rss = 0
        timed_out = False
        while process.poll() is None:
            pss, rss = memory_kib(tree(process.pid))
            peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
            if time.perf_counter() - started > timeout:
                for pid in reversed(tree(process.pid)):
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
                process.wait()
                timed_out = True
                break
            time.sleep(SAMPLE_S)
        seconds = time.perf_counter() - started
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime
        texts = []
        for stream in (out, err):
            stream.seek(0)
            texts.append(stream.read().decode(errors="replace"))
    result = Run(seconds, peak_pss / 1024, peak_rss / 1024, process.returncode, texts[0], texts[1], timed_out, cpu)
    if check and (process.returncode != 0 if not timed_out else not keep_stopped):
        what = "timed out" if timed_out else f"exit {process.returncode}"
        raise RuntimeError(f"{' '.join(map(str, command))[:200]}: {what}: {result.stderr.strip()[-800:]}")
    return result


@dataclass
class Series:
    """The runs of one command."""

    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def pss(self) -> float:
        return max(r.peak_pss_mib for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.peak_rss_mib for r in self.runs)


@dataclass
class Cell:
    """One figure of the benchmark's table: its value and unit, the peak memory of its process tree, and
    whether it was stopped at its time limit (its value is then that limit)."""

    value: float
    unit: str = "s"
    pss: float = float("nan")
    rss: float = float("nan")
    stopped: bool = False
    cpu: float = float("nan")

    @classmethod
    def of(cls, series: Series) -> Cell:
        return cls(series.seconds, "s", series.pss, series.rss, any(r.timed_out for r in series.runs), series.cpu)

    def text(self) -> str:
        if self.stopped:
            return f"> {self.value:.0f} (stopped)"
        return f"{self.value:.0f} {self.unit}" if self.unit != "s" else f"{self.value:.2f}"


def interleaved(commands: Mapping[str, Sequence[str]], rounds: int, *, env: Mapping[str, str] | None = None,
                timeout: float = 1800.0, warm: bool = False, keep_stopped: bool = False) -> dict[str, Series]:
    """Run each command once per round, in turn (A B C, A B C, ...); ``warm``: one unmeasured round first.

    With ``keep_stopped`` a run stopped at ``timeout`` is kept (``Run.timed_out``) instead of raising; a
    run that fails still raises."""
    series = {name: Series() for name in commands}
    for number in range(rounds + (1 if warm else 0)):
        for name, command in commands.items():
            done = run(command, env=env, timeout=timeout, keep_stopped=keep_stopped)
            if warm and number == 0:
                continue
            series[name].runs.append(done)
    return series


def exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Growth exponent of a series: d log(time) / d log(size) between its first and last point."""
    if len(sizes) < 2 or min(seconds[0], seconds[-1]) <= 0:
        return float("nan")
    return math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0])


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes, and its CPUs."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} CPUs"
