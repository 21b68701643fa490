"""FHIR date, dateTime, instant and Period parsing into :class:`ClinicalDate` (part of the snapshot builder).

Partial dates stay partial (``"2019"`` → the whole of 2019). A dateTime is taken as the calendar date it is
written in (``2019-05-03T23:30:00+02:00`` → 2019-05-03): clinical dates are local dates, and shifting to UTC
would move late-evening results to another day. Anything else reads as ``None``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from app.snapshot._json import Json, get_dict, get_str
from app.snapshot.model import ClinicalDate

__all__ = ["choice_date", "effective_date", "parse_date", "period_bounds"]

# re.ASCII: a date written with other digits (Arabic-Indic "٢٠٢٤", full-width "２０２４") is invalid, not parsed.
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T[0-9:.+\-Z]*)?)?)?$", re.ASCII)


def parse_date(value: str | None) -> ClinicalDate | None:
    """A FHIR ``date`` / ``dateTime`` / ``instant`` string as a :class:`ClinicalDate`; ``None`` when invalid."""
    if value is None:
        return None
    return _parse_date(value)


@lru_cache(maxsize=16384)
def _parse_date(value: str) -> ClinicalDate | None:
    """:func:`parse_date` of a string, memoised: a record repeats the same dates many times, and the result (frozen)
    depends on the text alone. The cache is bounded, so memory stays flat."""
    match = _DATE.match(value.strip())
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year < 1:
        return None
    try:
        if month is None:
            return ClinicalDate.in_year(year)
        if day is None:
            return ClinicalDate.in_month(year, month)
        return ClinicalDate.on(date(year, month, day))
    except ValueError:
        return None


def period_bounds(period: Json | None) -> tuple[ClinicalDate | None, ClinicalDate | None]:
    """``(start, end)`` of a FHIR Period."""
    if period is None:
        return None, None
    return parse_date(get_str(period, "start")), parse_date(get_str(period, "end"))


@lru_cache(maxsize=64)
def _choice_keys(prefix: str) -> tuple[tuple[str, ...], str]:
    """The keys of a ``<prefix>[x]`` choice: the single-date ones in the order they are read, and the Period."""
    return (prefix + "DateTime", prefix + "Instant", prefix + "Date"), prefix + "Period"


def choice_date(resource: Json, prefix: str) -> tuple[ClinicalDate | None, ClinicalDate | None]:
    """``(start, end)`` of a ``<prefix>[x]`` choice: DateTime / Instant / Date give ``(d, None)``; Period gives
    its bounds."""
    single_keys, period_key = _choice_keys(prefix)
    for key in single_keys:
        text = get_str(resource, key)
        if text is not None:
            return parse_date(text), None
    period = get_dict(resource, period_key)
    if period is not None:
        return period_bounds(period)
    return None, None


def effective_date(observation: Json) -> ClinicalDate | None:
    """The date an Observation's ``effective[x]`` states: the dateTime (the common case, read first), else the
    start of :func:`choice_date`."""
    text = observation.get("effectiveDateTime")
    if isinstance(text, str) and (text := text.strip()):  # get_str, inlined: this runs for every Observation
        return _parse_date(text)
    return choice_date(observation, "effective")[0]
