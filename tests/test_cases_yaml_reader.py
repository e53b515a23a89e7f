"""YAML case files with bounded cost (clusterkg/cases/yaml_reader.py; issue 12, items 2 and 8): aliases,
cycles, depth and tags. The fixtures are those of the corpus (tests/fixtures/hostile/entries/)."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import hostile
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterkg.cases.load import MAX_CASES, load
from clusterkg.cases.model import CASE_PREFIX
from clusterkg.errors import InputError

ENTRIES = hostile.CORPUS / "entries"


def test_the_alias_bomb_of_the_issue_is_refused_at_once() -> None:
    """342 bytes that grew at 270 MB/s until the kernel killed the process (24 GiB seen)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(InputError, match=r"its YAML aliases \(\*name\) would add 1,797,873,156 values and characters"):
        load(ENTRIES / "alias-bomb.yaml")
    assert time.monotonic() - started < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # kB


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("alias-bomb-mappings.yaml", "would add 3,268,860,048 values"),
        ("alias-bomb-in-known-field.yaml", "would add 65,678,971 values"),
        ("recursive-alias.yaml", "2:15: a YAML alias refers to the list or mapping that holds it"),
        ("recursive-alias-mapping.yaml", "1:3: a YAML alias refers to the list or mapping that holds it"),
        ("alias-bomb-merge-keys.yaml", r"merge keys \(<<: \*name\) are not read"),
        ("deep-flow-150.yaml", "lists and mappings nest more than 100 deep"),
        ("deep-block-150.yaml", "lists and mappings nest more than 100 deep"),
        ("nul.yaml", "YAML error: unacceptable character #x0000"),
        ("timestamp-invalid.yaml", r"field 'start_year': '2024-13-45' cannot be read \(month must be in 1..12\)"),
        ("huge-integer.yaml", "field 'firms': '99999.* cannot be read"),
        ("complex-key.yaml", "a field name must be plain text"),
    ],
)
def test_hostile_yaml_is_one_line(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load(ENTRIES / name)


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("python-object-tag.yaml", "!!python/object:os.system"),
        ("python-apply-tag.yaml", "!!python/object/apply:os.system"),
        ("python-name-tag.yaml", "!!python/name:os.system"),
        ("python-tuple-tag.yaml", "!!python/tuple"),
        ("local-tag.yaml", "!vault"),
        ("verbatim-tag.yaml", "tag:example.org,2024:secret"),
    ],
)
def test_an_unknown_tag_is_refused_not_dropped(name: str, tag: str) -> None:
    """Item 8: a mapping tagged !!python/object was read as if the tag were not there."""
    with pytest.raises(InputError, match=f"the YAML tag {tag} is not allowed"):
        load(ENTRIES / name)


def test_aliases_in_ordinary_use_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(
        "- id: first-cluster\n  name_ko: 첫째\n  name_en: First\n  type: high-tech\n  country: KR\n"
        "  industries: &shared [it, semiconductor]\n  source: &source \"A survey, 2020\"\n"
        "- id: second-cluster\n  name_ko: 둘째\n  name_en: Second\n  type: high-tech\n  country: KR\n"
        "  industries: *shared\n  source: *source\n", encoding="utf-8")
    converted = load(path)
    assert [entry.iri for entry in converted.entries] == [CASE_PREFIX + "first-cluster", CASE_PREFIX + "second-cluster"]
    first, second = converted.entries
    assert len(first.triples) == len(second.triples)  # the aliased industries and source, read in full


@pytest.mark.slow
def test_more_cases_than_one_command_reads_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("".join(f"- {{id: c{i}}}\n" for i in range(MAX_CASES + 1)))
    with pytest.raises(InputError, match="10,001 cases, more than the 10,000 cases one command reads"):
        load(path)


# --- fuzzing the reader -------------------------------------------------------
scalars = st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4), max_leaves=20)
FIELDS = ["id", "name_ko", "name_en", "type", "country", "industries", "stage", "firms", "start_year", "source",
          "unknown"]
cases = st.lists(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8), min_size=1, max_size=4)
_MUTATIONS = ["&a ", "*a", "!!python/object:os.system ", "!x ", "<<: ", "[", "]", "{", "}", ": ", "- ", "\t",
              "---\n", "\x00", "\ufeff", "&b [*a, *a, *a, *a, *a, *a, *a, *a]", "? "]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
@given(cases, st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(_MUTATIONS)), max_size=4))
@pytest.mark.slow
def test_any_yaml_is_read_or_refused_in_one_line(tmp_path_factory: pytest.TempPathFactory, documents: list,
                                                 mutations: list[tuple[int, str]]) -> None:
    """Generated case files, valid YAML or mangled: a converted file or an InputError, nothing else, at once."""
    text = yaml.safe_dump(documents, allow_unicode=True, sort_keys=False)
    for where, insert in mutations:
        where %= len(text) + 1
        text = text[:where] + insert + text[where:]
    path = tmp_path_factory.mktemp("fuzz") / "case.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    try:
        load(path)
    except InputError as exc:
        assert "\n" not in str(exc).strip()
    assert time.monotonic() - started < 5
