"""Reading the user's input files: text, and RDF in any syntax, with one-line errors and bounded cost.

Every command that reads a file the user names (case entries, shapes,
``query -f``, ``query --data``, ``report --source``) reads it through here,
so that a missing file, a file that is not UTF-8 and a syntax error are all
reported the same way: the file, the line and column, and what is wrong.

What a file may cost is bounded before it is parsed:

* its size: :data:`MAX_TEXT_MB` for files read as text (case entries,
  shapes, queries, the source text), :data:`MAX_DATA_MB` for RDF data files
  (``query --data``/``--graph``); ``$CLUSTERKG_MAX_INPUT_MB`` sets another
  limit for both. Special files (``/dev/zero``) are read up to the limit, no
  further;
* RDF/XML: entity references (``<!ENTITY a "&b;&b;...">``, the "billion
  laughs") may add at most :data:`MAX_XML_EXPANSION` characters, and elements
  nest at most :data:`MAX_XML_DEPTH` deep. The file is first read by expat
  (the standard library's XML parser), the engine's parser only after.
"""

from __future__ import annotations

import csv
import os
import re
import xml.parsers.expat as expat
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, one_line

#: File extensions read as RDF, beyond those pyoxigraph knows itself.
EXTRA_EXTENSIONS = {"owl": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML, "json": ox.RdfFormat.JSON_LD,
                    "turtle": ox.RdfFormat.TURTLE}

LIMIT_ENV = "CLUSTERKG_MAX_INPUT_MB"
#: Largest file read into memory as text, in MB (2**20 bytes).
MAX_TEXT_MB = 16
#: Largest RDF data file, in MB.
MAX_DATA_MB = 256
#: Characters that entity references may add to an RDF/XML file.
MAX_XML_EXPANSION = 16 * 2**20
#: Deepest nesting of elements in an RDF/XML file (the engine's time grows with its square).
MAX_XML_DEPTH = 1000

_CHUNK = 1 << 20
_PREDEFINED = {"amp": 1, "lt": 1, "gt": 1, "quot": 1, "apos": 1}
_REFERENCE = re.compile(r"&([^\s&;#]+);")


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, from its extension."""
    extension = path.suffix.lstrip(".").lower()
    found = ox.RdfFormat.from_extension(extension) or EXTRA_EXTENSIONS.get(extension)
    if found is None:
        raise InputError(f"{path}: unknown RDF file extension {path.suffix!r} (use .ttl, .nt, .nq, .trig, .rdf, .jsonld, .n3)")
    return found


def limit_mb(default: int) -> float:
    """The size limit in MB: ``$CLUSTERKG_MAX_INPUT_MB`` if set (and a positive number), else ``default``."""
    try:
        value = float(os.environ.get(LIMIT_ENV, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _too_big(path: Path, limit: float) -> InputError:
    return InputError(f"{path}: the file is over {limit:g} MB, the limit for this input (set ${LIMIT_ENV} to "
                      "allow bigger files)")


def read_bytes(path: Path, limit: int = MAX_TEXT_MB) -> bytes:
    """The bytes of a file of at most ``limit`` MB (or ``$CLUSTERKG_MAX_INPUT_MB``), refused by its size before
    it is read where it has one."""
    allowed = limit_mb(limit)
    most = int(allowed * 2**20)
    try:
        # opened without waiting (a named pipe with no writer would block), read as usual once open
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(descriptor, True)
        with open(descriptor, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > most:
                raise _too_big(path, allowed)
            data = handle.read(most + 1)  # a device or a pipe has no size: read one byte past the limit at most
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > most:
        raise _too_big(path, allowed)
    return data


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV table whose lines starting with ``#`` are comments (the shipped mapping tables)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(row for row in handle if not row.startswith("#")))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def read_text(path: Path, limit: int = MAX_TEXT_MB) -> str:
    """A UTF-8 text file (a byte order mark dropped) of at most ``limit`` MB."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def check_rdf_file(path: Path, rdf_format: ox.RdfFormat, limit: int | None = MAX_DATA_MB) -> None:
    """Refuse an RDF file over the size limit (``None``: no limit, for a loader that streams), or an RDF/XML
    one past the entity and depth limits, unparsed."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    most = limit_mb(limit) if limit is not None else None
    if most is not None and size > most * 2**20:
        raise _too_big(path, most)
    if rdf_format == ox.RdfFormat.RDF_XML:
        check_xml(path, _file_chunks(path))


def _file_chunks(path: Path) -> Callable[[], Iterable[bytes]]:
    def chunks() -> Iterable[bytes]:
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(_CHUNK):
                    yield chunk
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from None

    return chunks


def check_xml(name: Path | str, chunks: Callable[[], Iterable[bytes]]) -> None:
    """Read an XML document with expat: refuse it if its entities could add more than
    :data:`MAX_XML_EXPANSION` characters, if its elements nest deeper than :data:`MAX_XML_DEPTH`, or if it
    is not well-formed.

    The bound on entities is taken from the declarations, before the document's
    body is read: the longest entity, fully expanded, times the number of ``&``
    in the body (each reference starts with one).

    >>> doc = b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'
    >>> check_xml("ok.rdf", lambda: [doc])
    >>> check_xml("bomb.rdf", lambda: [doc.replace(b"<r>&b;</r>", b"<r>" + b"&b;" * 200000 + b"</r>")])
    Traceback (most recent call last):
    ...
    clusterkg.errors.InputError: bomb.rdf: its entity references would expand to about 20,000,000 characters, ...
    """
    parser = expat.ParserCreate()
    entities: dict[str, str] = {}
    depth = 0

    def declare(entity: str, is_parameter: int, value: str | None, *_: object) -> None:
        if not is_parameter and value is not None:
            entities.setdefault(entity, value)

    def end_of_declarations() -> None:
        lengths = _expanded_lengths(name, entities)
        entity, worst = max(((e, n) for e, n in lengths.items() if e in entities), key=lambda item: item[1],
                            default=("", 0))
        if worst > MAX_XML_EXPANSION:
            raise InputError(f"{name}: the entity {entity!r} would expand to {worst:,} characters, more than the "
                             f"{MAX_XML_EXPANSION:,} allowed (an entity expansion attack?)")
        offset, references = parser.CurrentByteIndex, 0
        for chunk in chunks():
            references += chunk.count(b"&", max(offset, 0))
            offset -= len(chunk)
        if worst * references > MAX_XML_EXPANSION:
            raise InputError(f"{name}: its entity references would expand to about {worst * references:,} "
                             f"characters, more than the {MAX_XML_EXPANSION:,} allowed (an entity expansion "
                             "attack, or a file to write out without entities)")

    def start(*_: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise InputError(f"{name}:{parser.CurrentLineNumber}:{parser.CurrentColumnNumber + 1}: elements nest "
                             f"more than {MAX_XML_DEPTH} deep")

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.EntityDeclHandler = declare
    parser.EndDoctypeDeclHandler = end_of_declarations
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for chunk in chunks():
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.offset + 1}: {ox.RdfFormat.RDF_XML.name} syntax error: "
                         f"{expat.ErrorString(exc.code)}") from None


def _expanded_lengths(name: Path | str, entities: dict[str, str]) -> dict[str, int]:
    """The length of each entity with every reference in it expanded (without expanding anything)."""
    lengths = dict(_PREDEFINED)
    for root in entities:
        stack = [(root, False)]
        visiting: set[str] = set()
        while stack:
            entity, done = stack.pop()
            if entity in lengths or entity not in entities:
                continue
            refs = _REFERENCE.findall(entities[entity])
            if done:
                visiting.discard(entity)
                text = _REFERENCE.sub("", entities[entity])
                lengths[entity] = len(text) + sum(lengths.get(ref, 0) for ref in refs)
                continue
            if entity in visiting:
                raise InputError(f"{name}: the entity {entity!r} refers to itself")
            visiting.add(entity)
            stack.append((entity, True))
            stack.extend((ref, False) for ref in refs if ref not in lengths)
    return lengths


def syntax_error(path: Path, rdf_format: ox.RdfFormat, exc: SyntaxError) -> InputError:
    """The engine's syntax error in an RDF file as one line: the file, line and column, what is wrong."""
    where = f":{exc.lineno}:{exc.offset}" if exc.lineno else ""
    message = re.sub(r"^Parser error [^:]*: ", "", exc.msg or str(exc))
    return InputError(f"{path}{where}: {rdf_format.name} syntax error: {' '.join(message.split())}")


def parse_rdf(path: Path, rdf_format: ox.RdfFormat, text: str | None = None, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> list[ox.Quad]:
    """Parse an RDF file (or its ``text``) into quads; a syntax error names the file, line and column.

    ``prefixes``, if given, receives the prefixes the file declares.
    """
    data = (text if text is not None else read_text(path)).encode()
    if rdf_format == ox.RdfFormat.RDF_XML:
        check_xml(path, lambda: [data])
    base = base_iri or path.resolve().as_uri()
    try:
        parser = ox.parse(data, format=rdf_format, base_iri=base)
        quads = list(parser)
        if prefixes is not None:
            prefixes.update(parser.prefixes)
        return quads
    except SyntaxError as exc:
        raise syntax_error(path, rdf_format, exc) from None
    except MemoryError as exc:  # the parser's buffer: "Reached the buffer maximal size of 16777216"
        raise too_long_term(path, exc) from None


def base_for(source: str | Path | None) -> str:
    """The base IRI of a query or update read from ``source``: the file's URI; for ``-`` (standard input),
    an inline text or nothing, the current directory's (``file:///home/you/``), as Jena's ``arq`` has it.
    """
    if source is None or str(source) == "-":
        return Path.cwd().resolve().as_uri() + "/"
    return Path(source).resolve().as_uri()


def too_long_term(path: Path, exc: MemoryError) -> InputError:
    """The engine's parser refusing a term (a literal, an IRI) longer than its buffer."""
    return InputError(f"{path}: a term of the file is longer than the RDF parser takes ({one_line(exc)})")
