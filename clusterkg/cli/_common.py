"""Helpers shared by the command modules."""

from __future__ import annotations

import sys

from ..errors import InputError


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
