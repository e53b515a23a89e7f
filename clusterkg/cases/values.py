"""Exact and approximate values as researchers write them: years, decades, centuries, counts, history lengths.

Each parser returns the property and the literal a value becomes; the approximate forms are stored the way
the paper's own approximations are (``ckg:approximateNumberOfFirms 7000``, ``ckg:approximateHistoryYears
100``: plain integers on a property that says they are approximate).

>>> [str(p).rsplit("#", 1)[-1] for p, _ in map(parse_year, ["2005", "about 2011", "1970s", "13th century"])]
['startYear', 'approximateStartYear', 'startDecade', 'startCentury']
>>> [str(o) for _, o in map(parse_firms, ["1300", "about 1,300"])]
['1300', '1300']
>>> [(str(p).rsplit("#", 1)[-1], str(o)) for p, o in map(parse_history, ["about 100", "centuries"])]
[('approximateHistoryYears', '100'), ('minimumHistoryYears', '200')]
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .model import CKG

_ABOUT = r"(?:about|approx\.?|approximately|around|circa|ca\.?|c\.|~|약|대략)\s*"
#: "centuries old" and its kin -> the least number of years they say
_AT_LEAST = {"centuries": 200, "centuries old": 200, "several centuries": 200, "수백 년": 200, "수백년": 200,
             "a century": 100, "over a century": 100, "more than a century": 100, "century old": 100}


class ValueProblem(Exception):
    def __init__(self, message_en: str, message_ko: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_ko = message_ko


def _integer(text: str) -> str:
    return text.replace(",", "")


def parse_year(text: str) -> tuple[URIRef, Any]:
    """``2005`` (ckg:startYear), ``about 2011`` (approximateStartYear), ``1970s``/``1970년대`` (startDecade
    1970), ``13th century``/``13세기`` (startCentury 13). Anything else stays a ckg:startYear for the shapes
    to report as not a year."""
    value = " ".join(text.split()).casefold()
    if re.fullmatch(r"-?\d+", value):
        return CKG.startYear, Literal(value, datatype=XSD.integer)
    match = re.fullmatch(_ABOUT + r"(\d{3,4})\s*년?", value)
    if match:
        return CKG.approximateStartYear, Literal(match.group(1), datatype=XSD.integer)
    match = re.fullmatch(r"(?:the\s+)?(\d{2,3}0)\s*(?:'?s|년대)", value)
    if match:
        return CKG.startDecade, Literal(match.group(1), datatype=XSD.integer)
    match = re.fullmatch(r"(?:the\s+)?(\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:century|세기)", value)
    if match:
        return CKG.startCentury, Literal(match.group(1), datatype=XSD.integer)
    return CKG.startYear, Literal(text, datatype=XSD.integer)


def parse_firms(text: str) -> tuple[URIRef, Any]:
    """``1300`` (ckg:numberOfFirms) or ``about 1300`` (ckg:approximateNumberOfFirms, as the paper's 7000)."""
    value = " ".join(text.split()).casefold()
    match = re.fullmatch(_ABOUT + r"(\d[\d,]*)\s*(?:여?\s*개|firms)?", value)
    if match:
        return CKG.approximateNumberOfFirms, Literal(_integer(match.group(1)), datatype=XSD.integer)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", value):
        return CKG.numberOfFirms, Literal(_integer(value), datatype=XSD.nonNegativeInteger)
    return CKG.numberOfFirms, Literal(text, datatype=XSD.nonNegativeInteger)


def parse_history(text: str) -> tuple[URIRef, Any]:
    """``about 100`` or ``100`` (ckg:approximateHistoryYears, as the paper's 'about 100 years'), ``over 100``
    (ckg:minimumHistoryYears 100), ``centuries`` or ``centuries old`` (ckg:minimumHistoryYears 200)."""
    value = " ".join(text.split()).casefold()
    value = re.sub(r"\s*(?:years?|년)(?:\s*old)?$", "", value)
    if value in _AT_LEAST:
        return CKG.minimumHistoryYears, Literal(str(_AT_LEAST[value]), datatype=XSD.integer)
    match = re.fullmatch(r"(?:" + _ABOUT + r")?(\d[\d,]*)\s*여?", value)
    if match:
        return CKG.approximateHistoryYears, Literal(_integer(match.group(1)), datatype=XSD.integer)
    match = re.fullmatch(r"(?:over|more than|at least|\d+\s*이상)\s*(\d[\d,]*)", value)
    if match:
        return CKG.minimumHistoryYears, Literal(_integer(match.group(1)), datatype=XSD.integer)
    raise ValueProblem(
        f"history_years {text!r} is not a length of history: write about 100, over 100 or centuries",
        f"history_years {text!r}은(는) 역사의 길이가 아닙니다. about 100, over 100, centuries처럼 적으십시오")
