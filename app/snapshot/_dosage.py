"""Daily-dose arithmetic from FHIR ``Dosage`` (terminology.md §6.2 algorithm, §6.3 pitfalls; rules.md §1.3).

``doses_per_day`` × ``mg_per_dose``, summed over concurrent Dosage entries (same or no ``sequence``); a schedule
of consecutive ``sequence`` groups (taper) uses the average daily dose over the expected course when every group
has a ``boundsDuration`` (rules.md §1.3), else the group whose ``boundsPeriod`` covers the snapshot date.
As-needed dosages are not chronic exposure (pitfall 9). Non-systemic routes are reported (pitfall 11).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.snapshot._dates import period_bounds
from app.snapshot._json import Json, concept_texts, get_bool, get_dict, get_dicts, get_number, get_str, get_strs
from app.snapshot._units import (
    duration_days,
    is_count_unit,
    mass_mg,
    normalised_unit,
    quantity_value,
    unit_days,
    volume_ml,
)
from app.snapshot.model import ClinicalDate, CodedStrength, DoseEstimate, shift_days

__all__ = [
    "CodeStrength",
    "DoseLimits",
    "DosageSummary",
    "Strength",
    "daily_dose",
    "ingredient_strength",
    "non_systemic_route",
    "parse_strength",
    "product_strength",
    "strength_of",
    "supply_end",
]

# terminology.md §6.2: timing.code lookup (v3-GTSAbbreviation), administrations per day.
_TIMING_CODES = {"QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0, "QOD": 0.5, "AM": 1.0, "PM": 1.0}

# A site's own timing code (no GTS coding, no timing.repeat) is read from its text / display (issue 17): common
# frequency words and abbreviations in English and Dutch, administrations per day. The whole label must be one of
# these (after lower-casing, dropping dots and folding spaces); any other text leaves the frequency unknown.
_TIMING_WORDS = {
    **{code.lower(): per_day for code, per_day in _TIMING_CODES.items()},
    "daily": 1.0,
    "once daily": 1.0,
    "once a day": 1.0,
    "once per day": 1.0,
    "every day": 1.0,
    "q24h": 1.0,
    "every morning": 1.0,
    "every evening": 1.0,
    "at bedtime": 1.0,
    "twice daily": 2.0,
    "twice a day": 2.0,
    "q12h": 2.0,
    "three times daily": 3.0,
    "three times a day": 3.0,
    "q8h": 3.0,
    "four times daily": 4.0,
    "four times a day": 4.0,
    "q6h": 4.0,
    "every other day": 0.5,
    "every 2 days": 0.5,
    "weekly": 1 / 7,
    "once weekly": 1 / 7,
    "once a week": 1 / 7,
    "dagelijks": 1.0,
    "elke dag": 1.0,
    "iedere dag": 1.0,
    "eenmaal daags": 1.0,
    "eenmaal per dag": 1.0,
    "tweemaal daags": 2.0,
    "tweemaal per dag": 2.0,
    "driemaal daags": 3.0,
    "driemaal per dag": 3.0,
    "viermaal daags": 4.0,
    "viermaal per dag": 4.0,
    "om de dag": 0.5,
    "om de andere dag": 0.5,
    "wekelijks": 1 / 7,
    "eenmaal per week": 1 / 7,
}
# "1 dd", "2 d.d.", "3 x daags", "2 maal per dag", "2x per dag", "2 times daily", "3x a day".
_TIMES_PER_DAY = re.compile(
    r"([1-9]\d*)\s*(?:dd|x\s*daags|x\s*per\s*dag|maal\s*daags|maal\s*per\s*dag|"
    r"(?:x|times)\s*(?:daily|a\s*day|per\s*day))"
)

# terminology.md §6.3 pitfall 11: inhaled, nasal, topical, ophthalmic, otic, rectal-local, intra-articular are not
# systemic. Routes are matched on their text/display (EN / NL / FR words), because no route code list is verified.
_NON_SYSTEMIC_ROUTE = re.compile(
    r"\b(inhal\w*|nasal\w*|nas\b|neus\w*|topic\w*|topisch\w*|cutan\w*|cutaan\w*|dermal\w*|huid\w*|skin|"
    r"ophthalm\w*|ocular\w*|oog\w*|oculair\w*|eye|otic|auricular\w*|oor\w*|ear|rectal\w*|rectaal\w*|"
    r"intra-?articul\w*|intra-?articulair\w*|vaginal\w*|vaginaal\w*|cutane\w*|respirat\w*|pulmonal\w*)",
    re.IGNORECASE,
)

# terminology.md §6.2 strength from names: r'(\d+(?:\.\d+)?)\s*MG(?!/)' for tablets, 'X MG/ML' for liquids;
# decimal comma accepted for Dutch names ("PREDNISOLON TABLET 2,5MG").
# re.ASCII: only ASCII digits are numbers (a name written with other digits gives no strength).
_MG_PER_ML = re.compile(r"(\d+(?:[.,]\d+)?)\s*mg\s*/\s*ml\b", re.IGNORECASE | re.ASCII)
_MG_PER_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*mg\b(?!\s*/)", re.IGNORECASE | re.ASCII)

# terminology.md §6.3 pitfall 10: Dutch shorthand "1dd1", "2 x daags 1", "1 maal per dag 1 tablet".
_DUTCH_SHORTHAND = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:dd|d\.d\.|x\s*daags|x\s*per\s*dag|maal\s*daags|maal\s*per\s*dag)\s*(\d+(?:[.,]\d+)?)?",
    re.IGNORECASE | re.ASCII,
)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


@dataclass(frozen=True, slots=True)
class Strength:
    """mg per dose unit (tablet, capsule, "stuk") and/or mg per mL of the product."""

    mg_per_unit: float | None = None
    mg_per_ml: float | None = None
    coded: CodedStrength | None = None
    """Set when this strength is the code's and the product name said another (:func:`strength_of`)."""

    @property
    def is_known(self) -> bool:
        return self.mg_per_unit is not None or self.mg_per_ml is not None


@dataclass(frozen=True, slots=True)
class CodeStrength:
    """The strength an RxNorm clinical-drug code names (its display in our value sets, e.g. 312617
    "prednisone 5 MG Oral Tablet")."""

    system: str
    code: str
    strength: Strength


def parse_strength(names: Sequence[str]) -> Strength:
    """Strength from product names: "prednisone 5 MG Oral Tablet", "{21 (prednisone 5 MG Oral Tablet) } Pack",
    "prednisolone 1 MG/ML Oral Solution", "PREDNISOLON TABLET 5MG"."""
    return _parse_strength(tuple(names))


@functools.lru_cache(maxsize=4096)
def _parse_strength(names: tuple[str, ...]) -> Strength:
    """Cached: the same product names come back call after call (the result is immutable)."""
    for name in names:
        per_ml = _MG_PER_ML.search(name)
        if per_ml:
            return Strength(mg_per_ml=_number(per_ml.group(1)))
        per_unit = _MG_PER_UNIT.search(name)
        if per_unit:
            return Strength(mg_per_unit=_number(per_unit.group(1)))
    return Strength()


def strength_of(medication: Json | None, names: Sequence[str], code: CodeStrength | None = None) -> Strength:
    """``Medication.ingredient.strength`` (numerator mass / denominator count or mL), else the strength the
    product's code names, else parsed names. When the code and the name disagree the code wins, and the result
    says so (``coded``)."""
    ingredient = ingredient_strength(medication)
    if ingredient is not None:
        return ingredient
    return product_strength(parse_strength(names), code)


def product_strength(named: Strength, code: CodeStrength | None) -> Strength:
    """The strength of a product whose names say ``named`` and whose code says ``code``: the code's when it knows
    one, and then ``coded`` says so when the name said another."""
    if code is None or not code.strength.is_known:
        return named
    if not named.is_known or (named.mg_per_unit, named.mg_per_ml) == (
        code.strength.mg_per_unit,
        code.strength.mg_per_ml,
    ):
        return code.strength
    coded = CodedStrength(
        system=code.system,
        code=code.code,
        mg_per_unit=code.strength.mg_per_unit,
        mg_per_ml=code.strength.mg_per_ml,
        name_mg_per_unit=named.mg_per_unit,
        name_mg_per_ml=named.mg_per_ml,
    )
    return replace(code.strength, coded=coded)


def ingredient_strength(medication: Json | None) -> Strength | None:
    """``Medication.ingredient.strength`` of the first active ingredient that states a usable one."""
    for ingredient in get_dicts(medication, "ingredient"):
        if get_bool(ingredient, "isActive") is False:
            continue
        ratio = get_dict(ingredient, "strength")
        numerator = mass_mg(get_dict(ratio, "numerator"))
        denominator = get_dict(ratio, "denominator")
        if numerator is None:
            continue
        if denominator is None:
            return Strength(mg_per_unit=numerator)
        amount = quantity_value(denominator)
        if amount is None or amount <= 0:
            continue
        ml = volume_ml(denominator)
        if ml is not None and ml > 0:
            return Strength(mg_per_ml=numerator / ml)
        if is_count_unit(denominator):
            return Strength(mg_per_unit=numerator / amount)
    return None


def non_systemic_route(dosages: Sequence[Json]) -> str | None:
    """The first non-systemic route named in the dosages (pitfall 11), else ``None``."""
    for dosage in dosages:
        for text in concept_texts(get_dict(dosage, "route")):
            match = _NON_SYSTEMIC_ROUTE.search(text)
            if match:
                return text
    return None


@dataclass(frozen=True, slots=True)
class DosageSummary:
    """Daily dose and planned duration of one medication record."""

    estimate: DoseEstimate
    bounds_start: ClinicalDate | None = None
    bounds_end: ClinicalDate | None = None
    planned_days: float | None = None
    """Length of the schedule from its start (sum of consecutive ``boundsDuration``), when stated."""


@dataclass(slots=True)
class _Frequency:
    low: float
    high: float
    from_text: bool = False
    units_from_text: float | None = None


def _is_as_needed(dosage: Json) -> bool:
    return get_bool(dosage, "asNeededBoolean") is True or get_dict(dosage, "asNeededCodeableConcept") is not None


_Instruction = tuple[Json, Json | None, Json | None]
"""One Dosage with its ``timing`` and ``timing.repeat``, read once: the bounds, the frequency and the duration of
the schedule all read ``timing.repeat``."""


def _instruction(dosage: Json) -> _Instruction:
    timing = get_dict(dosage, "timing")
    return dosage, timing, get_dict(timing, "repeat")


def _days_of_week(repeat: Json | None) -> int:
    """How many different days of the week ``timing.repeat.dayOfWeek`` names (0: every day)."""
    return len(set(get_strs(repeat, "dayOfWeek")))


def _frequency(instruction: _Instruction, limits: DoseLimits) -> _Frequency | str:
    dosage, timing, repeat = instruction
    if repeat is not None:
        frequency_of_repeat = _repeat_frequency(repeat, limits)
        if frequency_of_repeat is not None:
            return frequency_of_repeat
    timing_code = get_dict(timing, "code")
    labels = [get_str(timing_code, "text") or ""] + [get_str(c, "code") or "" for c in get_dicts(timing_code, "coding")]
    for label in labels:
        per_day = _TIMING_CODES.get(label.upper())
        if per_day is not None:
            return _Frequency(per_day, per_day)
    for label in concept_texts(timing_code):
        per_day = _timing_words(label)
        if per_day is not None:
            return _Frequency(per_day, per_day)
    text = get_str(dosage, "text")
    if text:
        match = _DUTCH_SHORTHAND.search(text)
        if match:
            times_per_day = _number(match.group(1))
            units = _number(match.group(2)) if match.group(2) else None
            if times_per_day <= 0 or (units is not None and units <= 0):
                return "frequency or dose of zero in the dosage text (invalid)"
            if times_per_day > limits.max_doses_per_day:
                return f"implausible schedule ({times_per_day:g} administrations a day)"
            return _Frequency(times_per_day, times_per_day, from_text=True, units_from_text=units)
    return "no frequency (timing missing or not understood)"


def _repeat_frequency(repeat: Json, limits: DoseLimits) -> _Frequency | str | None:
    """The frequency ``timing.repeat`` states (period, times of day) or the problem with it; ``None`` when it
    states neither (the timing code and the dosage text are read next)."""
    period = get_number(repeat, "period")
    if period is not None:
        unit = get_str(repeat, "periodUnit")
        per = unit_days(unit, days_per_month=limits.days_per_month, days_per_year=limits.days_per_year)
        if per is None or period <= 0:
            return f"timing period unit {unit!r} not understood"
        frequency = get_number(repeat, "frequency")
        frequency = 1.0 if frequency is None else frequency
        frequency_max = get_number(repeat, "frequencyMax") or frequency
        period_max = get_number(repeat, "periodMax") or period
        if frequency <= 0 or frequency_max <= 0 or period_max <= 0:
            return "timing frequency or period of zero or below (invalid)"
        longest_period = max(period, period_max)
        if longest_period * per > limits.max_period_days:
            return f"implausible timing period ({longest_period:g} {unit})"
        low = frequency / (longest_period * per)
        high = max(frequency, frequency_max) / (period * per)
        if per == 1.0 and (days_of_week := _days_of_week(repeat)):
            # frequency per day on some days of the week only (terminology.md §6.2)
            low, high = low * days_of_week / 7, high * days_of_week / 7
        if high > limits.max_doses_per_day:
            return f"implausible schedule ({high:g} administrations a day)"
        return _Frequency(low, high)
    times = len(get_strs(repeat, "timeOfDay")) or len(get_strs(repeat, "when"))
    if times:
        days_of_week = _days_of_week(repeat)
        factor = days_of_week / 7 if days_of_week else 1.0
        return _Frequency(times * factor, times * factor)
    if get_number(repeat, "count") is not None:
        return "single or limited course (timing.repeat.count without period)"
    return None


def _timing_words(label: str) -> float | None:
    """Administrations per day named by a timing code's text or display ("Daily", "BID", "2 dd"), else ``None``."""
    words = " ".join(label.lower().replace(".", "").split())
    per_day = _TIMING_WORDS.get(words)
    if per_day is not None:
        return per_day
    match = _TIMES_PER_DAY.fullmatch(words)
    return float(match.group(1)) if match else None


@dataclass(slots=True)
class _Dose:
    low_mg: float
    high_mg: float
    units: float | None


def _mg(quantity: Json, strength: Strength) -> tuple[float | None, float | None, str | None]:
    """``(mg, units, problem)`` of one dose quantity."""
    mass = mass_mg(quantity)
    if mass is not None:
        return mass, None, None
    value = quantity_value(quantity)
    if value is None:
        return None, None, "dose has no numeric value"
    ml = volume_ml(quantity)
    if ml is not None:
        if strength.mg_per_ml is None:
            return None, None, "dose in mL but product concentration (mg/mL) unknown"
        return ml * strength.mg_per_ml, None, None
    if is_count_unit(quantity):
        if strength.mg_per_unit is None:
            return None, value, "dose is a number of units but the product strength is unknown"
        return value * strength.mg_per_unit, value, None
    return None, None, f"dose unit {normalised_unit(quantity)!r} not convertible to mg"


def _dose_entries(dosage: Json) -> list[Json]:
    """The objects that hold ``doseQuantity`` / ``doseRange``: R4 ``doseAndRate`` (a list; written as one object in
    the HL7 order-select example), or the STU3 ``Dosage`` itself (``dosage.doseQuantity``, as the CDS Hooks Sandbox
    sends it against an STU3 server)."""
    single = get_dict(dosage, "doseAndRate")
    if single is not None:
        return [single]
    entries = get_dicts(dosage, "doseAndRate")
    if not entries and (get_dict(dosage, "doseQuantity") is not None or get_dict(dosage, "doseRange") is not None):
        return [dosage]
    return entries


def _dose(dosage: Json, strength: Strength, frequency: _Frequency | str) -> _Dose | str:
    for entry in _dose_entries(dosage):
        quantity = get_dict(entry, "doseQuantity")
        if quantity is not None:
            mg, units, problem = _mg(quantity, strength)
            if mg is None:
                return problem or "dose not understood"
            if mg <= 0:
                return "dose of zero or below (invalid)"
            return _Dose(mg, mg, units)
        dose_range = get_dict(entry, "doseRange")
        if dose_range is not None:
            low_q, high_q = get_dict(dose_range, "low"), get_dict(dose_range, "high")
            low = _mg(low_q, strength) if low_q is not None else (None, None, None)
            high = _mg(high_q, strength) if high_q is not None else (None, None, None)
            low_mg = low[0] if low[0] is not None else high[0]
            high_mg = high[0] if high[0] is not None else low[0]
            if low_mg is None or high_mg is None:
                return low[2] or high[2] or "dose range not understood"
            if low_mg <= 0 or high_mg <= 0:
                return "dose of zero or below (invalid)"
            return _Dose(low_mg, high_mg, high[1] if high[1] is not None else low[1])
    if isinstance(frequency, _Frequency) and frequency.units_from_text is not None:
        if strength.mg_per_unit is None:
            return "dose from text is a number of units but the product strength is unknown"
        mg = frequency.units_from_text * strength.mg_per_unit
        return _Dose(mg, mg, frequency.units_from_text)
    return "no dose quantity"


@dataclass(slots=True)
class _Daily:
    low: float
    high: float
    mg_per_dose: float
    per_day: float
    units_per_day: float | None
    from_text: bool


def _one(instruction: _Instruction, strength: Strength, limits: DoseLimits) -> _Daily | str:
    frequency = _frequency(instruction, limits)
    dose = _dose(instruction[0], strength, frequency)
    if isinstance(dose, str):
        return dose
    if isinstance(frequency, str):
        return frequency
    units = None if dose.units is None else dose.units * frequency.high
    return _Daily(
        dose.low_mg * frequency.low,
        dose.high_mg * frequency.high,
        dose.high_mg,
        frequency.high,
        units,
        frequency.from_text,
    )


def _bounds_duration_days(repeat: Json | None, *, days_per_month: float, days_per_year: float) -> float | None:
    """``timing.repeat.boundsDuration`` in days."""
    return duration_days(get_dict(repeat, "boundsDuration"), days_per_month=days_per_month, days_per_year=days_per_year)


def _bounds_period(repeat: Json | None) -> tuple[ClinicalDate | None, ClinicalDate | None]:
    """``(start, end)`` of ``timing.repeat.boundsPeriod``."""
    return period_bounds(get_dict(repeat, "boundsPeriod"))


@dataclass(frozen=True, slots=True)
class DoseLimits:
    """Calendar units and the data-validity bounds of a schedule (``SnapshotParameters``): a schedule outside them
    is invalid, so the dose is unknown, never a dose band (issue 16)."""

    days_per_month: float
    days_per_year: float
    max_doses_per_day: float
    max_period_days: float


def daily_dose(
    dosages: Sequence[Json],
    *,
    strength: Strength,
    as_of: date,
    limits: DoseLimits,
) -> DosageSummary:
    """The daily dose of a record's ``dosage`` / ``dosageInstruction`` list (terminology.md §6.2).

    When the strength is the code's over a different one in the name (``strength.coded``) and the dose would
    differ with the name's, the estimate carries ``strength_from_code`` so the card can say so.
    """
    summary = _daily_dose(dosages, strength=strength, as_of=as_of, limits=limits)
    coded = strength.coded
    if coded is None or summary.estimate.mg_per_day is None:
        return summary
    by_name = _daily_dose(
        dosages, strength=Strength(coded.name_mg_per_unit, coded.name_mg_per_ml), as_of=as_of, limits=limits
    )
    if (by_name.estimate.mg_per_day, by_name.estimate.mg_per_day_min) == (
        summary.estimate.mg_per_day,
        summary.estimate.mg_per_day_min,
    ):
        return summary
    return replace(summary, estimate=replace(summary.estimate, strength_from_code=coded))


def _daily_dose(dosages: Sequence[Json], *, strength: Strength, as_of: date, limits: DoseLimits) -> DosageSummary:
    instructions = [_instruction(dosage) for dosage in dosages]
    bounds_start: ClinicalDate | None = None
    bounds_end: ClinicalDate | None = None
    for _, _, repeat in instructions:
        start, end = _bounds_period(repeat)
        if start is not None and (bounds_start is None or start.earliest < bounds_start.earliest):
            bounds_start = start
        if end is not None and (bounds_end is None or end.latest > bounds_end.latest):
            bounds_end = end
    if not dosages:
        return DosageSummary(DoseEstimate(None, None, problem="no dosage instruction"), bounds_start, bounds_end)
    if len(instructions) == 1 and not _is_as_needed(dosages[0]):
        # The common case, one Dosage: one group, whose duration is the schedule's (as the general case below).
        result = _one(instructions[0], strength, limits)
        planned = _group_duration_days(instructions, limits)
        estimate = DoseEstimate(None, None, problem=result) if isinstance(result, str) else _estimate(result)
        return DosageSummary(estimate, bounds_start, bounds_end, planned)
    groups: dict[float | None, list[_Instruction]] = {}
    for instruction in instructions:
        dosage = instruction[0]
        if not _is_as_needed(dosage):
            groups.setdefault(get_number(dosage, "sequence"), []).append(instruction)
    if not groups:
        return DosageSummary(
            DoseEstimate(None, None, problem="as-needed only (not chronic exposure)"), bounds_start, bounds_end
        )

    summed = [(members, _group_daily(members, strength, limits)) for members in groups.values()]
    durations = [_group_duration_days(members, limits) for members in groups.values()]
    planned = None if None in durations else sum(v for v in durations if v is not None)

    if len(summed) == 1:
        result = summed[0][1]
        if isinstance(result, str):
            return DosageSummary(DoseEstimate(None, None, problem=result), bounds_start, bounds_end, planned)
        return DosageSummary(_estimate(result), bounds_start, bounds_end, planned)

    # Consecutive sequences (taper): average over the expected course (rules.md §1.3) when all durations are known.
    problems = [r for _, r in summed if isinstance(r, str)]
    if not problems and planned is not None and planned > 0:
        dailies = [r for _, r in summed if isinstance(r, _Daily)]
        low = sum(d.low * w for d, w in zip(dailies, durations, strict=True) if w is not None) / planned
        high = sum(d.high * w for d, w in zip(dailies, durations, strict=True) if w is not None) / planned
        if not (math.isfinite(low) and math.isfinite(high)):
            return DosageSummary(DoseEstimate(None, None, problem="dose or duration out of range"), bounds_start)
        return DosageSummary(DoseEstimate(high, low), bounds_start, bounds_end, planned)
    for members, result in summed:
        if isinstance(result, _Daily):
            for _, _, repeat in members:
                start, end = _bounds_period(repeat)
                if start and start.earliest <= as_of and (end is None or end.latest >= as_of):
                    return DosageSummary(_estimate(result), bounds_start, bounds_end, planned)
    problem = problems[0] if problems else "variable schedule (several sequences) without durations"
    return DosageSummary(DoseEstimate(None, None, problem=problem), bounds_start, bounds_end, planned)


def _group_daily(members: list[_Instruction], strength: Strength, limits: DoseLimits) -> _Daily | str:
    """The daily dose of concurrent Dosage entries (one ``sequence``): their sum; the first problem otherwise."""
    if len(members) == 1:  # the common case: one Dosage per sequence
        return _one(members[0], strength, limits)
    parts = [_one(d, strength, limits) for d in members]
    problem = next((p for p in parts if isinstance(p, str)), None)
    if problem is not None:
        return problem
    dailies = [p for p in parts if isinstance(p, _Daily)]
    if len(dailies) == 1:
        return dailies[0]
    units = [d.units_per_day for d in dailies]
    return _Daily(
        sum(d.low for d in dailies),
        sum(d.high for d in dailies),
        sum(d.mg_per_dose for d in dailies),
        sum(d.per_day for d in dailies),
        None if any(u is None for u in units) else sum(u for u in units if u is not None),
        any(d.from_text for d in dailies),
    )


def _group_duration_days(members: list[_Instruction], limits: DoseLimits) -> float | None:
    """The longest ``boundsDuration`` of a group's Dosage entries, in days; ``None`` when none states one."""
    longest: float | None = None
    for _, _, repeat in members:
        days = _bounds_duration_days(repeat, days_per_month=limits.days_per_month, days_per_year=limits.days_per_year)
        if days is not None and (longest is None or days > longest):
            longest = days
    return longest


def _estimate(daily: _Daily) -> DoseEstimate:
    isfinite = math.isfinite
    if not (isfinite(daily.low) and isfinite(daily.high) and isfinite(daily.mg_per_dose) and isfinite(daily.per_day)):
        return DoseEstimate(None, None, problem="dose or frequency out of range")
    return DoseEstimate(
        mg_per_day=daily.high,
        mg_per_day_min=daily.low,
        mg_per_dose=daily.mg_per_dose,
        doses_per_day=daily.per_day,
        units_per_day=daily.units_per_day,
        from_text=daily.from_text,
    )


def supply_end(start: date, days: float) -> date:
    """Last day covered by ``days`` of supply from ``start`` (at least the start day itself)."""
    if not math.isfinite(days):
        return shift_days(start, days)
    whole = max(round(days) - 1, 0)
    try:
        return start + timedelta(days=whole)  # the common case: a supply that ends before date.max
    except OverflowError:
        return shift_days(start, whole)  # saturates at date.max
