"""The corpus of hostile inputs and its driver (issue 12): every input through every command that reads it.

The corpus is ``tests/fixtures/hostile/``: one folder per kind of input (``sparql/``, ``rdf/``,
``entries/``, ``text/``), the inputs too big or too repetitive to keep as files made at test time
(``GENERATED`` in ``tests/hostile_inputs.py``), and the expected outcomes in ``expected.tsv`` (per input: the commands, the exit
code and the start of the one-line message) and ``argv.tsv`` (hostile option values, one command line a
row). :data:`COMMANDS` says which commands read which kind of input: a command added later is one line
there, and the inputs of its kind go through it.

Each run is a process of its own, forked from a server that has imported clusterkg once
(``multiprocessing``'s forkserver), so that a crash is a signal, a hang a timeout, and memory is
capped (:data:`MEMORY_LIMIT`): the real command line (``clusterkg.cli.main``) with its standard streams
in files. After each run the store it used is compared with the original, sorted ``export --format nq``.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import queue
import re
import resource
import shlex
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hostile_inputs import CORPUS, GENERATED, all_inputs, materialize

__all__ = ["CORPUS", "GENERATED", "all_inputs", "materialize"]
#: Address space of each run: past it, an allocation fails (a Rust allocation aborts the process: a signal).
MEMORY_LIMIT = 3 * 2**30
#: Seconds a run may take: none of the corpus needs more than a few; past it the run is a hang.
RUN_TIMEOUT = 60.0
#: The exit code multiprocessing's forkserver reports when it lost a child's status (clusterkg never exits
#: with it): such a run is run again, once.
LOST = 255
#: Commands that change the store when they succeed (a case file that is odd but valid is added).
WRITERS = {"add", "load"}
#: The endpoint deadline the runs are given (``$CLUSTERKG_ENDPOINT_TIMEOUT``), and what a run that talks
#: to a slow server may take beyond it (start-up, and the machine shared with other tests).
ENDPOINT_TIMEOUT = 5
ENDPOINT_SLACK = 20.0


@dataclass(frozen=True)
class Via:
    """How a command reads one kind of input: its arguments, ``{file}`` standing for the input's path
    and ``{text}`` for its text; ``stdin`` gives the input on standard input instead."""

    kind: str
    argv: tuple[str, ...]
    stdin: bool = False


#: Every command that reads user input, by the kind of input it reads. A new command: one line here.
COMMANDS: dict[str, Via] = {
    "query -f": Via("sparql", ("query", "-f", "{file}")),
    "query -e": Via("sparql", ("query", "-e", "{text}")),
    "query -f -": Via("sparql", ("query", "-f", "-"), stdin=True),
    "query --data -f": Via("sparql", ("query", "--data", "{good_rdf}", "-f", "{file}")),
    "query --data": Via("rdf", ("query", "-e", "ASK {}", "--data", "{file}")),
    "query --graph": Via("rdf", ("query", "-e", "ASK {}", "--graph", "urn:x:g={file}")),
    "validate --shapes": Via("rdf", ("validate", "--shapes", "{file}", "{good_case}")),
    "load": Via("rdf", ("load", "{file}")),
    "validate": Via("entries", ("validate", "{file}")),
    "convert": Via("entries", ("convert", "{file}")),
    "add": Via("entries", ("add", "{file}")),
    "report --source": Via("text", ("report", "--source", "{file}")),
}


# --------------------------------------------------------------------------
# Expected outcomes
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Expected:
    #: an exit code; "signal" for a known crash kept as a reminder; "skip" for a command the input is not
    #: given to (it would test nothing more, at a cost)
    exit: int | str
    message: str  # the start of the one-line error after "Error: " ("" when the command succeeds)


@dataclass
class Job:
    """One command line to run and what it must give."""

    name: str  # "<input> via <command>", or the row's name in argv.tsv
    argv: list[str]
    expected: Expected
    stdin: str | None = None  # a file to give on standard input
    slow_server: bool = False  # talks to a server that answers slowly: bounded by the endpoint deadline


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``{name}`` of ``values`` replaced (other braces, as in SPARQL, left alone)."""
    return re.sub(r"\{(\w+)\}", lambda match: values.get(match[1], match[0]), text)


def _rows(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and not row[0].startswith("#"):
                yield row


def _expected(exit_text: str, message: str) -> Expected:
    return Expected(exit_text if exit_text in ("signal", "skip") else int(exit_text), message)


def file_expectations() -> dict[tuple[str, str], Expected]:
    """(input, command) -> expected outcome, from expected.tsv: a row for ``*`` covers every command of
    the input's kind that has no row of its own."""
    general: dict[str, Expected] = {}
    specific: dict[tuple[str, str], Expected] = {}
    for row in _rows(CORPUS / "expected.tsv"):
        name, via, exit_text, message = (row + [""])[:4]
        expected = _expected(exit_text, message)
        if via == "*":
            if name in general:
                raise AssertionError(f"expected.tsv: {name} has two rows for *")
            general[name] = expected
        else:
            for command in via.split(","):
                specific[(name, command.strip())] = expected
    table: dict[tuple[str, str], Expected] = {}
    for name in all_inputs():
        kind = name.split("/")[0]
        for command, via_ in COMMANDS.items():
            if via_.kind != kind:
                continue
            found = specific.get((name, command)) or general.get(name)
            if found is None:
                raise AssertionError(f"expected.tsv has no row for {name} (through {command})")
            table[(name, command)] = found
    unknown = {key for key in specific if key not in table}
    if unknown:
        raise AssertionError(f"expected.tsv: rows for no input or command: {sorted(unknown)}")
    missing = set(general) - set(all_inputs())
    if missing:
        raise AssertionError(f"expected.tsv: rows for inputs that do not exist: {sorted(missing)}")
    return table


def file_jobs(root: Path, places: dict[str, str]) -> list[Job]:
    """The jobs of every input through every command of its kind (an input a command line cannot carry,
    text with a NUL or over 100 kB for ``-e``, is left out of that command)."""
    jobs = []
    for (name, command), expected in sorted(file_expectations().items()):
        if expected.exit == "skip":
            continue
        via = COMMANDS[command]
        values = dict(places, file=name)
        if via.stdin and not (root / name).is_file():
            continue  # a shell gives no pipe or directory on standard input: it stops before the command
        if "{text}" in via.argv:
            path = root / name
            if not path.is_file() or path.stat().st_size > 100_000:
                continue
            data = path.read_bytes()
            if b"\0" in data:
                continue
            values["text"] = os.fsdecode(data)  # as the command line gets bytes that are not UTF-8
        argv = [fill(arg, values) for arg in via.argv]
        jobs.append(Job(f"{name} via {command}", argv, expected, stdin=name if via.stdin else None))
    return jobs


def argv_jobs(places: dict[str, str]) -> list[Job]:
    """The jobs of argv.tsv: hostile option values, one command line a row."""
    jobs = []
    for row in _rows(CORPUS / "argv.tsv"):
        name, line, exit_text, message = (row + [""])[:4]
        argv = [fill(arg, places) for arg in shlex.split(line)]
        jobs.append(Job(name, argv, _expected(exit_text, fill(message, places)),
                        slow_server="{trickle}" in line))
    return jobs


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------
@dataclass
class Outcome:
    job: Job
    exit: int | None  # None: killed at the timeout
    stdout: bytes
    stderr: str
    seconds: float
    store_changed: bool = False
    problems: list[str] = field(default_factory=list)


def _child(argv: list[str], env: dict[str, str], cwd: str, stdin: str, out: str, err: str) -> None:
    """A run, in the forked process: the real command line, standard streams in files."""
    os.setsid()  # a process group of its own: a run killed at the timeout takes its own workers with it
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for number, (path, flags) in enumerate([(stdin, os.O_RDONLY), (out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                            (err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)]):
        descriptor = os.open(path, flags, 0o600)
        os.dup2(descriptor, number)
        os.close(descriptor)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's own streams
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    code = 1
    try:
        from clusterkg.cli import main

        sys.argv = ["clusterkg", *argv]
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    except BaseException:  # what Python itself would do: the traceback, exit status 1
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


#: Imported once by the server the runs are forked from (start-up is not what the corpus tests).
PRELOAD = ["hostile_warm", "clusterkg.cli", "clusterkg.cli.query", "clusterkg.cli.cases", "clusterkg.cli.kb", "clusterkg.cli.link",
           "clusterkg.cli.reason", "clusterkg.cli.load", "clusterkg.queries", "clusterkg.cases.validation",
           "clusterkg.shacl", "rdflib", "pyshacl"]


def _files(store_dir: Path) -> list[tuple[str, int, int]]:
    """Name, size and modification time of each file of a store: unchanged, no write happened."""
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in store_dir.rglob("*") if p.is_file())


def store_digest(store_dir: Path) -> str:
    """sha256 of the store's sorted ``export --format nq``."""
    from clusterkg import kb
    from clusterkg.stores import open_embedded

    with open_embedded(store_dir) as store:
        data = kb.export(store, "nq")
    text = data.decode() if isinstance(data, bytes) else data
    return hashlib.sha256("\n".join(sorted(text.splitlines())).encode()).hexdigest()


def run_jobs(jobs: list[Job], root: Path, template: Path, workdir: Path, workers: int = 2) -> list[Outcome]:
    """Run the jobs, ``workers`` at a time, each worker with a store of its own (a copy of ``template``)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    original = store_digest(template)
    todo: queue.Queue[Job] = queue.Queue()
    for job in jobs:
        todo.put(job)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        home = workdir / f"worker-{number}"
        store = home / "store"
        shutil.copytree(template, store)
        known_files = _files(store)
        number = 0
        env = {key: value for key, value in os.environ.items() if not key.startswith("CLUSTERKG_")}
        env.update(HOME=str(home), CLUSTERKG_STORE=str(store), CLUSTERKG_CACHE=str(home / "cache"),
                   CLUSTERKG_LOCK_TIMEOUT="5", CLUSTERKG_ENDPOINT_TIMEOUT=str(ENDPOINT_TIMEOUT),
                   XDG_CACHE_HOME=str(home / "xdg-cache"), XDG_DATA_HOME=str(home / "xdg-data"), COLUMNS="100")
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            number += 1
            out, err = home / f"{number}.stdout", home / f"{number}.stderr"  # a file each: nothing left over
            stdin = str(root / job.stdin) if job.stdin else os.devnull
            for _attempt in range(2):
                process = context.Process(target=_child, args=(job.argv, env, str(root), stdin, str(out), str(err)))
                started = time.monotonic()
                process.start()
                process.join(ENDPOINT_TIMEOUT + ENDPOINT_SLACK if job.slow_server else RUN_TIMEOUT)
                seconds = time.monotonic() - started
                exit_code = process.exitcode
                if exit_code is None:
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    process.join()
                if exit_code != LOST:
                    break
            outcome = Outcome(job, exit_code, out.read_bytes(), err.read_text(encoding="utf-8", errors="replace"),
                              seconds)
            files = _files(store)
            if files != known_files and store_digest(store) != original:  # the files changed: compare the data
                outcome.store_changed = True
                shutil.rmtree(store)
                shutil.copytree(template, store)
                files = _files(store)
            known_files = files
            judge(outcome)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes, key=lambda o: o.job.name)


def judge(outcome: Outcome) -> None:
    """What is wrong with a run: a traceback, a signal, a hang, a changed store, another exit code or message."""
    job, problems = outcome.job, outcome.problems
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if outcome.exit is None:
        problems.append(f"hang: killed after {outcome.seconds:.0f} s")
    elif outcome.exit < 0 and job.expected.exit != "signal":
        problems.append(f"signal {-outcome.exit}")
    if "Traceback (most recent call last)" in outcome.stderr:
        problems.append("traceback")
    if outcome.store_changed and not (job.argv[0] in WRITERS and outcome.exit == 0 == job.expected.exit):
        problems.append("the store changed")
    if job.expected.exit == "signal":
        if outcome.exit is None or outcome.exit >= 0:
            problems.append(f"known crash no longer crashes (exit {outcome.exit}): update the table")
        return
    if outcome.exit is not None and outcome.exit >= 0 and outcome.exit != job.expected.exit:
        problems.append(f"exit {outcome.exit}, expected {job.expected.exit}")
    if job.expected.message and not last.startswith("Error: " + job.expected.message):
        problems.append(f"message {last[:300]!r}, expected it to start with {'Error: ' + job.expected.message!r}")
    if not job.expected.message and outcome.exit == 0 and any(line.startswith("Error:") for line in lines):
        problems.append(f"an error on success: {last[:200]!r}")
    if outcome.exit == 2 and last.startswith("Error:") and not job.expected.message.startswith("Invalid value"):
        if len(lines) != 1 and not any(line.startswith("Usage:") for line in lines):
            problems.append(f"{len(lines)} lines on standard error, not one")


def summary(outcomes: list[Outcome], inputs: int) -> str:
    """The totals, as the report gives them."""
    by_exit: dict[str, int] = {}
    outcomes = outcomes or [Outcome(Job("nothing", [], Expected(0, "")), 0, b"", "", 0.0)]
    for outcome in outcomes:
        key = "timeout" if outcome.exit is None else f"signal {-outcome.exit}" if outcome.exit < 0 else str(outcome.exit)
        by_exit[key] = by_exit.get(key, 0) + 1
    slowest = max(outcomes, key=lambda o: o.seconds)
    return "\n".join([
        f"inputs {inputs} files + {sum(1 for o in outcomes if ' via ' not in o.job.name)} command lines; "
        f"runs {len(outcomes)}",
        "exit codes " + ", ".join(f"{key}: {count}" for key, count in sorted(by_exit.items())),
        f"tracebacks {sum('traceback' in o.problems for o in outcomes)}, "
        f"signals {sum(any(p.startswith('signal') for p in o.problems) for o in outcomes)}, "
        f"hangs {sum(o.exit is None for o in outcomes)}, stores changed "
        f"{sum('the store changed' in o.problems for o in outcomes)} (and {sum(o.store_changed for o in outcomes)} "
        "by an add that was to succeed)",
        f"slowest run {slowest.seconds:.1f} s ({slowest.job.name}); "
        f"known crashes kept as reminders {sum(o.job.expected.exit == 'signal' for o in outcomes)}",
    ])


@contextmanager
def servers() -> Iterator[dict[str, str]]:
    """URLs of misbehaving servers for the command lines of argv.tsv: ``{closed}`` (nothing listens),
    ``{trickle}`` (a byte every 2 s), ``{garbage}`` (not SPARQL), ``{html500}`` (an HTML error page)."""
    from stub_http import Reply, stub_server

    with ExitStack() as stack:
        trickle = stack.enter_context(stub_server([Reply(body=b" " * 4096, trickle=2.0)]))
        garbage = stack.enter_context(stub_server([Reply(body=b"\x00\xffnot sparql at all",
                                                         headers={"Content-Type": "application/sparql-results+json"})]))
        html = stack.enter_context(stub_server([Reply(500, b"<html><body><h1>Internal error</h1>\n<p>stack trace</p>",
                                                      {"Content-Type": "text/html"})]))
        yield {"closed": "http://127.0.0.1:9/sparql", "trickle": trickle.url, "garbage": garbage.url,
               "html500": html.url}
