"""Case entries in CSV: a header of field names, a case a row; lists separated by ``;``."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..errors import InputError
from .convert import Converter
from .model import CSV_COLUMNS, FIELD_BY_NAME, EntryFile


def read_csv(converter: Converter, text: str) -> EntryFile:
    """Convert the case rows of a CSV document."""
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"{converter.path}: row 1: CSV error: {exc}") from None
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"{converter.path}: row 1: {converter._unknown_message(unknown[0], CSV_COLUMNS)}")
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
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise InputError(f"{converter.path}: row {row}: {len(cells)} cells but the header has {len(header)} columns")
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
