"""How long jobs tell how far they are: the library calls these, the CLI draws them (``cli/output.py``).

A job that knows its total is handed a :data:`ProgressStart`: it calls it once
with the total and gets the :data:`Progress` to call with the size of each
batch done. A job of a few named steps is handed a :data:`Say`.
"""

from __future__ import annotations

from collections.abc import Callable

#: Told how many more items (triples, entities, chunks) are done.
Progress = Callable[[int], None]
#: Told the total; returns the :data:`Progress` for the batches.
ProgressStart = Callable[[int], Progress]
#: Told the step a long job has come to ("reading the stated facts").
Say = Callable[[str], None]
