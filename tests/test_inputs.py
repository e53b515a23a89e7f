"""Reading the user's files with bounded cost (clusterkg/inputs.py; issue 12, item 2): sizes, RDF/XML
entities and depth, special files. The fixtures are those of the corpus (tests/fixtures/hostile/)."""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

import hostile
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clusterkg.cli import cli
from clusterkg.errors import InputError
from clusterkg.inputs import MAX_XML_EXPANSION, check_rdf_file, check_xml, parse_rdf, read_text
from clusterkg.stores.files import open_files

RDF = hostile.CORPUS / "rdf"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_the_entity_bomb_of_the_issue_is_refused_before_it_grows() -> None:
    """``query --data`` of this file aborted the process ("memory allocation of 3000000000 bytes failed")."""
    before = _peak_mb()
    result = CliRunner().invoke(cli, ["query", "--data", str(RDF / "billion-laughs.rdf"), "-e", "ASK {}"])
    assert result.exit_code == 2
    assert result.output == (f"Error: {RDF / 'billion-laughs.rdf'}: the entity 'i' would expand to 1,000,000,000 "
                             f"characters, more than the {MAX_XML_EXPANSION:,} allowed (an entity expansion attack?)\n")
    assert _peak_mb() - before < 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion-laughs-in-attribute.rdf", "the entity 'i' would expand to 1,000,000,000 characters"),
        ("entity-cycle.rdf", "the entity 'a' refers to itself"),
        ("entity-in-entity-markup.rdf", "the entity 'd' refers to itself"),
        ("undefined-entity.rdf", "3:57: RDF/XML syntax error: undefined entity"),
        ("not-well-formed.rdf", "3:60: RDF/XML syntax error: mismatched tag"),
    ],
)
def test_rdf_xml_is_read_by_expat_first(name: str, message: str) -> None:
    path = RDF / name
    for read in (lambda: parse_rdf(path, ox.RdfFormat.RDF_XML), lambda: open_files([path])):
        with pytest.raises(InputError, match=message):
            read()


def test_many_references_to_a_big_entity_are_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "quadratic.rdf"
    content = hostile.GENERATED["rdf/quadratic-blowup.rdf"]()
    assert isinstance(content, str)
    path.write_text(content)
    with pytest.raises(InputError, match="its entity references would expand to about 100,000,000 characters"):
        check_rdf_file(path, ox.RdfFormat.RDF_XML)


def test_entities_in_ordinary_use_are_kept(tmp_path: Path) -> None:
    """Protégé writes RDF/XML with an entity per namespace: thousands of references, each short."""
    body = "".join(f'<rdf:Description rdf:about="&ex;s{i}"><ex:p rdf:resource="&ex;o{i}"/></rdf:Description>'
                   for i in range(5000))
    path = tmp_path / "protege.rdf"
    path.write_text('<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">'
                    '<!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">]>'
                    f'<rdf:RDF xmlns:rdf="&rdf;" xmlns:ex="&ex;">{body}</rdf:RDF>')
    assert len(parse_rdf(path, ox.RdfFormat.RDF_XML)) == 5000
    store = open_files([path])
    assert len(store.oxigraph) == 5000


def test_elements_nested_past_the_limit_are_refused(tmp_path: Path) -> None:
    """The engine's RDF/XML parser takes time growing with the square of the depth (100,000: minutes)."""
    path = tmp_path / "deep.rdf"
    content = hostile.GENERATED["rdf/deep-elements-5000.rdf"]()
    assert isinstance(content, str)
    path.write_text(content)
    started = time.monotonic()
    with pytest.raises(InputError, match="elements nest more than 1000 deep"):
        open_files([path])
    assert time.monotonic() - started < 5


def test_no_external_entity_or_document_is_fetched() -> None:
    for name in ("external-entity-file.rdf", "external-entity-http.rdf", "parameter-entity.rdf"):
        with pytest.raises(InputError):
            open_files([RDF / name])
    store = open_files([RDF / "external-dtd.rdf"])  # a DOCTYPE naming a DTD: read without it
    assert len(store.oxigraph) == 1
    with pytest.raises(InputError, match="remote contexts"):
        open_files([RDF / "remote-context.jsonld"])


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.nt"
    with open(big, "wb") as handle:
        handle.truncate(300 * 2**20)  # sparse: no disk used, and nothing to read
    with pytest.raises(InputError, match=r"big.nt: the file is over 256 MB, the limit for this input"):
        open_files([big])
    text = tmp_path / "big.yaml"
    with open(text, "wb") as handle:
        handle.truncate(17 * 2**20)
    with pytest.raises(InputError, match=r"the file is over 16 MB, .*CLUSTERKG_MAX_INPUT_MB"):
        read_text(text)
    monkeypatch.setenv("CLUSTERKG_MAX_INPUT_MB", "0.001")
    small = tmp_path / "small.ttl"
    small.write_text("<urn:a> <urn:b> " + '"x" ' * 1000 + ".\n")
    with pytest.raises(InputError, match="over 0.001 MB"):
        read_text(small)


def test_special_files_neither_hang_nor_grow(tmp_path: Path) -> None:
    """A named pipe with no writer reads as empty at once; /dev/zero is read up to the limit only."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    done: list[object] = []
    reader = threading.Thread(target=lambda: done.append(read_text(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert done == [""]
    with pytest.raises(InputError, match="not a regular file"):
        check_rdf_file(tmp_path / "pipe.yaml", ox.RdfFormat.TURTLE)
    with pytest.raises(InputError, match="over 16 MB"):
        read_text(Path("/dev/zero"))


def test_a_term_longer_than_the_parser_takes_is_one_line(tmp_path: Path) -> None:
    """pyoxigraph raised MemoryError ("Reached the buffer maximal size") through ``query --data``."""
    path = tmp_path / "long.nt"
    content = hostile.GENERATED["rdf/literal-20mb.nt"]()
    assert isinstance(content, str)
    path.write_text(content)
    with pytest.raises(InputError, match="a term of the file is longer than the RDF parser takes"):
        open_files([path])


def test_check_xml_bounds_what_expat_expands(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound holds for the parser that does expand: expat's character data never passes it."""
    import xml.parsers.expat as expat

    import clusterkg.inputs

    limit = 50_000
    monkeypatch.setattr(clusterkg.inputs, "MAX_XML_EXPANSION", limit)
    refused = 0
    for references in (1, 10, 12, 13, 100, 1000):
        doc = (b'<!DOCTYPE r [<!ENTITY a "' + b"x" * 1000 + b'"><!ENTITY b "&a;&a;&a;&a;">]><r>'
               + b"&b;" * references + b"</r>")
        try:
            check_xml("doc.xml", lambda doc=doc: [doc])
        except InputError:
            assert 4000 * references > limit
            refused += 1
            continue
        parser, seen = expat.ParserCreate(), []
        parser.CharacterDataHandler = lambda data, seen=seen: seen.append(len(data))
        parser.Parse(doc, True)
        assert sum(seen) <= limit
    assert refused == 3


def test_the_bulk_loader_bounds_rdf_xml_entities_too(store_dir: Path) -> None:
    """``EmbeddedStore.load_file`` streams a file of any size into the store: its entities are bounded all the same."""
    from clusterkg.stores import open_embedded

    with open_embedded(store_dir, writable=True) as store, pytest.raises(InputError, match="would expand"):
        store.load_file(RDF / "billion-laughs.rdf", "urn:x:g")
    with open_embedded(store_dir) as store:
        assert "urn:x:g" not in store.graph_names()
