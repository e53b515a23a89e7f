"""What every command writes: data to a file or standard output, tables, progress bars on standard error."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import click

from ..errors import InputError, one_line
from ..tables import format_grid

#: Called with the number of items done since the last call.
Update = Callable[[int], None]


def write_output(data: bytes | str, output: str | None) -> None:
    """Write to a file, or to standard output when ``output`` is None or '-'."""
    raw = data.encode() if isinstance(data, str) else data
    if not output or output == "-":
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    try:
        with open(output, "wb") as handle:
            handle.write(raw)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from None


@contextmanager
def open_output(output: str | None) -> Iterator[BinaryIO]:
    """A binary stream to write to as data is produced: standard output (None or '-'), or a file.

    A new or regular file is written beside its final name and renamed into place only when the
    block ends without an error, so a failed export never leaves half a file; anything else (a
    device such as /dev/null, a pipe, a symbolic link) is written in place, never replaced.
    """
    if not output or output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    handle = None
    if not target.is_symlink() and (target.is_file() or not target.exists()):
        try:
            handle = tempfile.NamedTemporaryFile("wb", dir=target.parent or ".", prefix=f".{target.name}.",
                                                 delete=False)
        except OSError as exc:
            if not target.exists():
                raise InputError(f"cannot write {output}: {exc.strerror}") from None
            # a directory that holds no new files (/proc): the existing file is written in place
    if handle is None:
        with _mapped(output):
            with open(target, "wb") as stream:
                yield stream
        return
    try:
        with _mapped(output):
            with handle:
                yield cast(BinaryIO, handle)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(handle.name, 0o666 & ~mask)  # as open() would have made it, not the temporary file's 0600
            os.replace(handle.name, target)
    finally:
        Path(handle.name).unlink(missing_ok=True)


@contextmanager
def _mapped(output: str) -> Iterator[None]:
    """An OSError in the block as the one-line InputError 'cannot write FILE: reason'."""
    try:
        yield
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or one_line(exc)}") from None


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain table (columns two spaces apart, never wrapped) on standard output."""
    click.echo(format_grid(headers, rows, 1 << 16, separator="  "), nl=False)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int], Update]]:
    """A progress bar on standard error, on a terminal only, started once the total is known.

    Yields ``start(total)``, which returns the function to call with each
    batch's size; the bar is closed when the block ends, however it ends.
    """
    with ExitStack() as bars:

        def start(total: int) -> Update:
            if not sys.stderr.isatty():
                return lambda done: None
            bar = bars.enter_context(click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True))
            return bar.update

        yield start
