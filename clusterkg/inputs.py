"""Reading the user's input files: text, and RDF in any syntax, with one-line errors.

Every command that reads a file the user names (case entries, shapes,
``query --data``, ``reason --data``) reads it through here, so that a missing
file, a file that is not UTF-8 and a syntax error are all reported the same
way: the file, the line and column, and what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError

#: File extensions read as RDF, beyond those pyoxigraph knows itself.
EXTRA_EXTENSIONS = {"owl": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML, "json": ox.RdfFormat.JSON_LD,
                    "turtle": ox.RdfFormat.TURTLE}


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, from its extension."""
    extension = path.suffix.lstrip(".").lower()
    found = ox.RdfFormat.from_extension(extension) or EXTRA_EXTENSIONS.get(extension)
    if found is None:
        raise InputError(f"{path}: unknown RDF file extension {path.suffix!r} (use .ttl, .nt, .nq, .trig, .rdf, .jsonld, .n3)")
    return found


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


def parse_rdf(path: Path, rdf_format: ox.RdfFormat, text: str | None = None, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> list[ox.Quad]:
    """Parse an RDF file (or its ``text``) into quads; a syntax error names the file, line and column.

    ``prefixes``, if given, receives the prefixes the file declares.
    """
    data = (text if text is not None else read_text(path)).encode()
    base = base_iri or path.resolve().as_uri()
    try:
        parser = ox.parse(data, format=rdf_format, base_iri=base)
        quads = list(parser)
        if prefixes is not None:
            prefixes.update(parser.prefixes)
        return quads
    except SyntaxError as exc:
        where = f":{exc.lineno}:{exc.offset}" if exc.lineno else ""
        message = re.sub(r"^Parser error [^:]*: ", "", exc.msg or str(exc))
        raise InputError(f"{path}{where}: {rdf_format.name} syntax error: {' '.join(message.split())}") from None


def base_for(source: str | Path | None) -> str:
    """The base IRI of a query or update read from ``source``: the file's URI; for ``-`` (standard input),
    an inline text or nothing, the current directory's (``file:///home/you/``), as Jena's ``arq`` has it.
    """
    if source is None or str(source) == "-":
        return Path.cwd().resolve().as_uri() + "/"
    return Path(source).resolve().as_uri()
