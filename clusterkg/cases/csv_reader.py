"""Case entries in CSV (RFC 4180): a header of field names, a case a row; lists separated by ``;``.

The standard dialect, with nothing guessed: fields separated by ``delimiter`` (``,`` unless told, ``;``
or a tab for other spreadsheets), quoted with ``"``, a quote inside a quoted field doubled (``""``).
A row whose first cell begins with ``#`` is a comment (the template's example row). A row with more or
fewer cells than the header is an error naming its row.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..errors import InputError
from .convert import Converter
from .model import CSV_COLUMNS, FIELD_BY_NAME, EntryFile


def read_csv(converter: Converter, text: str, delimiter: str = ",") -> EntryFile:
    """Convert the case rows of a CSV document."""
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise InputError(f"the CSV delimiter must be one character other than a quote or a line break, not {delimiter!r}")
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"{converter.path}: row 1: CSV error: {exc}") from None
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        hint = next((f" (the header holds {d!r}: use --delimiter '{d}')" for d in ";\t,|" if d != delimiter
                     and d in unknown[0]), "")
        raise InputError(f"{converter.path}: row 1: {converter._unknown_message(unknown[0], CSV_COLUMNS)}{hint}")
    duplicates = {h for h in header if header.count(h) > 1}
    if duplicates:
        raise InputError(f"{converter.path}: row 1: the column {sorted(duplicates)[0]!r} is given twice")
    start = reader.line_num + 1
    rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"{converter.path}: row {start}: CSV error: {exc}") from None
        row, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if len(cells) != len(header):
            what = "more" if len(cells) > len(header) else "fewer"
            raise InputError(f"{converter.path}: row {row}: {len(cells)} cells but the header has {len(header)} "
                             f"columns ({what} cells than columns; is the delimiter {delimiter!r} right?)")
        values = {h: c.strip() for h, c in zip(header, cells) if c.strip()}
        fields: dict[str, tuple[Any, int]] = {}
        source: dict[str, tuple[Any, int]] = {}
        for name, value in values.items():
            if name.startswith("source_"):
                source[name[len("source_"):]] = (value, row)
            elif FIELD_BY_NAME[name].many:
                fields[name] = ([(v.strip(), row) for v in value.split(";") if v.strip()], row)
            else:
                fields[name] = (value, row)
        if source:
            fields["source"] = (source, row)
        converter.convert(fields, row)
        rows += 1
    if not rows:
        raise InputError(f"{converter.path}: the file has a header but no case rows")
    return converter.result
