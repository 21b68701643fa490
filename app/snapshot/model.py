"""The clinical snapshot: typed, dated facts with provenance, and the data gaps met on the way.

Nothing here knows FHIR. ``app/snapshot/build.py`` reads the FHIR resources and produces one immutable
:class:`ClinicalSnapshot`; rules read only these facts.

Conventions:

- Every fact carries the :class:`SourceRef` of the resource it came from, and its date as a
  :class:`ClinicalDate` (partial dates keep their precision: ``"2019"`` is 2019-01-01..2019-12-31).
- Every number states its unit in its name (``ng_per_ml``, ``ml_per_min``, ``mg_per_day``, ``*_months``,
  ``*_days``). Months of elapsed time are days / 30.4375 (terminology.md §6.3 pitfall 4) unless a method says it
  uses calendar arithmetic.
- Anything missing, stale, unparseable or unmappable is a :class:`DataGap`; predicates that cannot be answered
  return ``None`` rather than guess.
- Resources whose status says they are not real (entered-in-error, refuted, not-taken, cancelled, draft
  statements...) are not facts and not gaps: they are listed in :attr:`ClinicalSnapshot.excluded` so that they
  are counted and traceable, but rules never see them as data.
"""

from __future__ import annotations

import calendar
import inspect
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from enum import StrEnum
from functools import wraps
from operator import itemgetter
from types import FunctionType, MappingProxyType
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, cast, overload

__all__ = [
    "any_of3",
    "store_fields_through_slots",
    "Administration",
    "BmdChange",
    "BmdMeasurement",
    "BoneSite",
    "CalciumKind",
    "CalciumResult",
    "ClinicalDate",
    "ClinicalSnapshot",
    "Code",
    "ConditionFact",
    "ConditionKind",
    "ConditionStatus",
    "Creatinine",
    "DataGap",
    "DatePrecision",
    "DateRange",
    "DispenseCoverage",
    "CodedStrength",
    "DoseEstimate",
    "DraftAction",
    "DraftOrder",
    "Drug",
    "DrugIntolerance",
    "DxaStatus",
    "DxaStudy",
    "ExcludedRecord",
    "Fracture",
    "FractureSite",
    "GapConcept",
    "GapKind",
    "GlucocorticoidExposure",
    "IntoleranceStatus",
    "IntoleranceType",
    "Interpretation",
    "LabResult",
    "LabTest",
    "MedicationRecord",
    "PatientFacts",
    "RecordKind",
    "RenalFunction",
    "RenalKind",
    "Sex",
    "SourceRef",
    "TScore",
    "TherapyEpisode",
    "TherapyHistory",
    "VerificationStatus",
    "VitaminD",
    "ZScore",
    "add_months",
    "add_years",
    "derived_fact",
    "derived_property",
    "shift_days",
    "episodes_from_ranges",
]


# ----------------------------------------------------------------------------------------------------------------
# Calendar arithmetic (rules.md §0.3.2: "N months after X" = X + N calendar months)
# ----------------------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month (Jan 31 + 1 → Feb 28/29).

    Saturates at ``date.min`` / ``date.max`` instead of raising, so that absurd input dates never break a build.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if year < 1:
        return date.min
    if year > 9999:
        return date.max
    if day.day <= 28:  # every month has this day
        return date(year, month0 + 1, day.day)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def shift_days(day: date, days: float) -> date:
    """``day`` plus a (possibly fractional, huge or non-finite) number of days, truncated toward zero and
    saturating at ``date.min`` / ``date.max``; NaN leaves ``day`` unchanged."""
    if math.isnan(days):
        return day
    limit = date.max.toordinal()
    whole = int(max(-limit, min(limit, days))) if math.isfinite(days) else (limit if days > 0 else -limit)
    return date.fromordinal(min(max(day.toordinal() + whole, 1), limit))


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` calendar years (Feb 29 → Feb 28 in a common year). rules.md D-BP."""
    return add_months(day, 12 * years)


def _completed_years(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


# ----------------------------------------------------------------------------------------------------------------
# Provenance, dates, gaps
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The FHIR resource a fact came from (for card evidence and logs: no content, only type and id)."""

    resource_type: str
    id: str | None

    def __init__(self, resource_type: str, id: str | None) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "resource_type", resource_type)
        object.__setattr__(self, "id", id)

    def reference(self) -> str:
        """``"Observation/abc"``; a resource without id gives just its type (``"Observation"``)."""
        return f"{self.resource_type}/{self.id}" if self.id else self.resource_type

    def __str__(self) -> str:
        return self.reference()


class DatePrecision(StrEnum):
    """How precisely the source stated a date."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class ClinicalDate:
    """A possibly partial date: the interval ``earliest..latest`` (inclusive) it may denote.

    ``"2019"`` → 2019-01-01..2019-12-31 (YEAR); ``"2019-05"`` → 2019-05-01..2019-05-31 (MONTH); a full date or a
    dateTime → that day (DAY; a dateTime is taken as its calendar date as written, without time-zone shifting).
    """

    earliest: date
    latest: date
    precision: DatePrecision

    def __init__(self, earliest: date, latest: date, precision: DatePrecision) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "earliest", earliest)
        object.__setattr__(self, "latest", latest)
        object.__setattr__(self, "precision", precision)

    @classmethod
    def on(cls, day: date) -> ClinicalDate:
        """An exact day."""
        return cls(day, day, DatePrecision.DAY)

    @classmethod
    def in_month(cls, year: int, month: int) -> ClinicalDate:
        """Some day in ``year-month``."""
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), DatePrecision.MONTH)

    @classmethod
    def in_year(cls, year: int) -> ClinicalDate:
        """Some day in ``year``."""
        return cls(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR)

    @property
    def value(self) -> date:
        """The earliest possible day (a convenient point value; check :attr:`is_exact` before relying on it)."""
        return self.earliest

    @property
    def is_exact(self) -> bool:
        """True when the source gave the day."""
        return self.precision is DatePrecision.DAY

    def is_on_or_after(self, day: date) -> bool | None:
        """True / False when certain, ``None`` when the partial date straddles ``day``."""
        if self.earliest >= day:
            return True
        if self.latest < day:
            return False
        return None

    def is_on_or_before(self, day: date) -> bool | None:
        """True / False when certain, ``None`` when the partial date straddles ``day``."""
        if self.latest <= day:
            return True
        if self.earliest > day:
            return False
        return None

    def days_elapsed(self, as_of: date) -> int:
        """Days from the **earliest** possible day to ``as_of`` (the longest possible age of the fact).

        Freshness checks use this, so that a partial date is never taken for fresher than it may be.
        """
        return (as_of - self.earliest).days

    def __str__(self) -> str:
        if self.precision is DatePrecision.YEAR:
            return f"{self.earliest.year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        return self.earliest.isoformat()


@dataclass(frozen=True, slots=True)
class DateRange:
    """A closed interval of days ``start..end`` (both inclusive)."""

    start: date
    end: date

    def __init__(self, start: date, end: date) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def days(self) -> int:
        """Number of days covered (inclusive)."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """True when ``start <= day <= end``."""
        return self.start <= day <= self.end


class GapKind(StrEnum):
    """Why a piece of data is not (usable) in the snapshot."""

    MISSING = "missing"
    """Nothing was found for a concept the rules need (no DXA, no birth date, no dose...)."""
    STALE = "stale"
    """The most recent value is older than its configured maximum age."""
    UNPARSEABLE = "unparseable"
    """A resource or field is malformed (no value, no date, not a number, unknown status code...)."""
    UNMAPPABLE = "unmappable"
    """A code, unit or dose could not be mapped (unknown unit, medication coded only in a system we cannot read,
    no prednisone equivalent...)."""
    UNCONFIRMED = "unconfirmed"
    """The source says the value is not final (preliminary observation, unknown status)."""
    UNAVAILABLE = "unavailable"
    """A whole prefetch/search could not be obtained (FHIR server error, OperationOutcome)."""


class GapConcept(StrEnum):
    """What a gap is about; rules ask ``snapshot.gaps_for(GapConcept.DXA)``."""

    PATIENT = "patient"
    BIRTH_DATE = "birth-date"
    SEX = "sex"
    DXA = "dxa"
    BMD = "bmd"
    VITAMIN_D = "vitamin-d"
    RENAL_FUNCTION = "renal-function"
    CREATININE = "creatinine"
    CALCIUM = "calcium"
    ALBUMIN = "albumin"
    FRACTURE = "fracture"
    CONDITION = "condition"
    MEDICATION = "medication"
    GLUCOCORTICOID_DOSE = "glucocorticoid-dose"
    GLUCOCORTICOID_DURATION = "glucocorticoid-duration"
    DRAFT_ORDER = "draft-order"
    INTOLERANCE = "intolerance"
    OBSERVATION = "observation"
    RESOURCE = "resource"


@dataclass(frozen=True, slots=True)
class DataGap:
    """One thing the snapshot could not know. ``detail`` is safe to log (codes and units, no patient data)."""

    kind: GapKind
    concept: str
    detail: str
    source: SourceRef | None = None

    def __init__(self, kind: GapKind, concept: str, detail: str, source: SourceRef | None = None) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "concept", concept)
        object.__setattr__(self, "detail", detail)
        object.__setattr__(self, "source", source)


@dataclass(frozen=True, slots=True)
class ExcludedRecord:
    """A resource left out because its own status says it is not real data (entered-in-error, refuted, ...)."""

    source: SourceRef
    reason: str

    def __init__(self, source: SourceRef, reason: str) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True, slots=True)
class Code:
    """A (system, code) pair with its display, e.g. the code of a ServiceRequest draft order."""

    system: str | None
    code: str | None
    display: str | None = None

    def __init__(self, system: str | None, code: str | None, display: str | None = None) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "system", system)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "display", display)


# ----------------------------------------------------------------------------------------------------------------
# Patient
# ----------------------------------------------------------------------------------------------------------------


class Sex(StrEnum):
    """Administrative gender (FHIR ``Patient.gender``)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """Age and sex on the snapshot date."""

    as_of: date
    sex: Sex
    birth_date: ClinicalDate | None
    source: SourceRef | None

    def __init__(self, as_of: date, sex: Sex, birth_date: ClinicalDate | None, source: SourceRef | None) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "as_of", as_of)
        object.__setattr__(self, "sex", sex)
        object.__setattr__(self, "birth_date", birth_date)
        object.__setattr__(self, "source", source)

    def age_on(self, day: date) -> int | None:
        """Completed years on ``day`` (rules.md §0.3.1); ``None`` when unknown or when a partial birth date makes
        it ambiguous (e.g. born "1950", asked on 2025-06-01: 74 or 75)."""
        if self.birth_date is None:
            return None
        youngest = _completed_years(self.birth_date.latest, day)
        oldest = _completed_years(self.birth_date.earliest, day)
        return oldest if oldest == youngest else None

    def age_range_on(self, day: date) -> tuple[int, int] | None:
        """``(youngest, oldest)`` possible completed years on ``day``; ``None`` without a birth date."""
        if self.birth_date is None:
            return None
        return (_completed_years(self.birth_date.latest, day), _completed_years(self.birth_date.earliest, day))

    @property
    def age(self) -> int | None:
        """Completed years on the snapshot date (see :meth:`age_on`)."""
        return self.age_on(self.as_of)

    @property
    def is_female(self) -> bool:
        """``Patient.gender`` is female."""
        return self.sex is Sex.FEMALE

    @property
    def is_male(self) -> bool:
        """``Patient.gender`` is male."""
        return self.sex is Sex.MALE


# ----------------------------------------------------------------------------------------------------------------
# Bone density
# ----------------------------------------------------------------------------------------------------------------


class BoneSite(StrEnum):
    """DXA measurement site (terminology.md §1.1, §1.3)."""

    LUMBAR_SPINE = "lumbar-spine"
    FEMORAL_NECK = "femoral-neck"
    TOTAL_HIP = "total-hip"
    FOREARM = "forearm"


@dataclass(frozen=True, slots=True)
class TScore:
    """One DXA T-score (dimensionless, standard deviations from the young-adult mean)."""

    site: BoneSite
    value: float
    observed: ClinicalDate
    source: SourceRef

    def __init__(self, site: BoneSite, value: float, observed: ClinicalDate, source: SourceRef) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "site", site)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)


@dataclass(frozen=True, slots=True)
class ZScore:
    """One DXA Z-score (dimensionless; terminology.md §1.2). rules.md SECONDARY-1 reads «z-score ≤ -2»."""

    site: BoneSite
    value: float
    observed: ClinicalDate
    source: SourceRef

    def __init__(self, site: BoneSite, value: float, observed: ClinicalDate, source: SourceRef) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "site", site)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)


@dataclass(frozen=True, slots=True)
class BmdMeasurement:
    """One areal bone mineral density in g/cm²."""

    site: BoneSite
    g_per_cm2: float
    observed: ClinicalDate
    source: SourceRef

    def __init__(self, site: BoneSite, g_per_cm2: float, observed: ClinicalDate, source: SourceRef) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "site", site)
        object.__setattr__(self, "g_per_cm2", g_per_cm2)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)


@dataclass(frozen=True, slots=True)
class BmdChange:
    """Change of BMD at one site between two DXA studies, in percent of the baseline (rules.md D-BMD-CHG)."""

    site: BoneSite
    baseline: BmdMeasurement
    current: BmdMeasurement

    @property
    def percent(self) -> float:
        """``100 × (current − baseline) / baseline`` (negative = bone loss)."""
        return 100.0 * (self.current.g_per_cm2 - self.baseline.g_per_cm2) / self.baseline.g_per_cm2


class DxaStatus(StrEnum):
    """rules.md D-DXA-STATUS."""

    NONE = "none"
    STALE = "stale"
    DECISION_OK = "decision-ok"
    USABLE_FOR_CONTEXT = "usable-for-context"


_DIAGNOSTIC_SITES = (BoneSite.LUMBAR_SPINE, BoneSite.FEMORAL_NECK, BoneSite.TOTAL_HIP)


@dataclass(frozen=True, slots=True)
class DxaStudy:
    """The T-scores and BMDs of one DXA examination (results observed on the same day).

    When a site was measured more than once (left and right hip), the lowest T-score / BMD of that site is used.
    """

    observed: ClinicalDate
    t_scores: tuple[TScore, ...]
    bmds: tuple[BmdMeasurement, ...] = ()
    forearm_counts_for_lowest: bool = False

    def __init__(
        self,
        observed: ClinicalDate,
        t_scores: tuple[TScore, ...],
        bmds: tuple[BmdMeasurement, ...] = (),
        forearm_counts_for_lowest: bool = False,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "t_scores", t_scores)
        object.__setattr__(self, "bmds", bmds)
        object.__setattr__(self, "forearm_counts_for_lowest", forearm_counts_for_lowest)

    def t_score(self, site: BoneSite) -> TScore | None:
        """Lowest T-score measured at ``site`` in this study."""
        found = [t for t in self.t_scores if t.site is site]
        return min(found, key=lambda t: t.value) if found else None

    def bmd(self, site: BoneSite) -> BmdMeasurement | None:
        """Lowest BMD (g/cm²) measured at ``site`` in this study."""
        found = [b for b in self.bmds if b.site is site]
        return min(found, key=lambda b: b.g_per_cm2) if found else None

    @property
    def t_lumbar_spine(self) -> TScore | None:
        """rules.md ``T_LS``."""
        return self.t_score(BoneSite.LUMBAR_SPINE)

    @property
    def t_femoral_neck(self) -> TScore | None:
        """rules.md ``T_FN``."""
        return self.t_score(BoneSite.FEMORAL_NECK)

    @property
    def t_total_hip(self) -> TScore | None:
        """rules.md ``T_TH``."""
        return self.t_score(BoneSite.TOTAL_HIP)

    @property
    def t_forearm(self) -> TScore | None:
        """Forearm (1/3 radius) T-score; not a WHO diagnostic site unless configured (terminology.md §1.1)."""
        return self.t_score(BoneSite.FOREARM)

    @property
    def t_hip(self) -> TScore | None:
        """rules.md ``T_HIP = min(T_FN, T_TH)``."""
        return _lowest(t for t in (self.t_femoral_neck, self.t_total_hip) if t is not None)

    @property
    def lowest_t_score(self) -> TScore | None:
        """rules.md ``T_MIN`` = lowest of lumbar spine, femoral neck, total hip (and forearm when configured)."""
        sites = _DIAGNOSTIC_SITES + ((BoneSite.FOREARM,) if self.forearm_counts_for_lowest else ())
        return _lowest(t for t in self.t_scores if t.site in sites)

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        """Every resource of the study."""
        return tuple(t.source for t in self.t_scores) + tuple(b.source for b in self.bmds)


def _lowest(scores: Iterable[TScore]) -> TScore | None:
    items = list(scores)
    return min(items, key=lambda t: t.value) if items else None


# ----------------------------------------------------------------------------------------------------------------
# Laboratory
# ----------------------------------------------------------------------------------------------------------------


class Interpretation(StrEnum):
    """Position of a lab value against the lab's own reference range or interpretation code."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class VitaminD:
    """25-hydroxyvitamin D, in both units (rules.md D-VITD; terminology.md §2: nmol/L = ng/mL × 2.496)."""

    ng_per_ml: float
    nmol_per_l: float
    observed: ClinicalDate
    source: SourceRef
    is_stale: bool
    """Older than ``vitamin_d_max_age_days`` on the snapshot date."""

    def __init__(
        self,
        ng_per_ml: float,
        nmol_per_l: float,
        observed: ClinicalDate,
        source: SourceRef,
        is_stale: bool,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "ng_per_ml", ng_per_ml)
        object.__setattr__(self, "nmol_per_l", nmol_per_l)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "is_stale", is_stale)


class RenalKind(StrEnum):
    """Which renal-function measure was used (rules.md D-RENAL: CrCl preferred, eGFR accepted)."""

    CRCL = "crcl"
    EGFR = "egfr"


@dataclass(frozen=True, slots=True)
class RenalFunction:
    """Creatinine clearance (mL/min) or eGFR (mL/min/1.73 m²); the number is in ``ml_per_min`` either way."""

    kind: RenalKind
    ml_per_min: float
    observed: ClinicalDate
    source: SourceRef
    is_stale: bool
    """Older than ``renal_max_age_days`` on the snapshot date."""

    def __init__(
        self,
        kind: RenalKind,
        ml_per_min: float,
        observed: ClinicalDate,
        source: SourceRef,
        is_stale: bool,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "ml_per_min", ml_per_min)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "is_stale", is_stale)


@dataclass(frozen=True, slots=True)
class Creatinine:
    """Serum creatinine in both units (terminology.md §3.2: µmol/L = mg/dL × 88.4)."""

    umol_per_l: float
    mg_per_dl: float
    observed: ClinicalDate
    source: SourceRef

    def __init__(self, umol_per_l: float, mg_per_dl: float, observed: ClinicalDate, source: SourceRef) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "umol_per_l", umol_per_l)
        object.__setattr__(self, "mg_per_dl", mg_per_dl)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)


class CalciumKind(StrEnum):
    """Which calcium a result is."""

    TOTAL = "total"
    ALBUMIN_CORRECTED = "albumin-corrected"
    IONIZED = "ionized"


@dataclass(frozen=True, slots=True)
class CalciumResult:
    """A calcium result in mmol/L (terminology.md §3.3: mmol/L = mg/dL × 0.2495).

    ``interpretation`` comes from the lab's interpretation code or reference range (rules.md D-CA: hypo-/hyper-
    calcaemia = outside the local reference range; the seeds give no numbers). For a corrected value the
    builder computed from total calcium and albumin (terminology.md §3.3 SI formula), ``computed_from_albumin``
    is true and the total calcium's reference range is used.
    """

    kind: CalciumKind
    mmol_per_l: float
    mg_per_dl: float
    observed: ClinicalDate
    source: SourceRef
    interpretation: Interpretation | None
    reference_low_mmol_per_l: float | None = None
    reference_high_mmol_per_l: float | None = None
    computed_from_albumin: bool = False
    albumin_source: SourceRef | None = None
    is_stale: bool = False
    """Older than ``lab_max_age_days`` on the snapshot date."""

    def __init__(
        self,
        kind: CalciumKind,
        mmol_per_l: float,
        mg_per_dl: float,
        observed: ClinicalDate,
        source: SourceRef,
        interpretation: Interpretation | None,
        reference_low_mmol_per_l: float | None = None,
        reference_high_mmol_per_l: float | None = None,
        computed_from_albumin: bool = False,
        albumin_source: SourceRef | None = None,
        is_stale: bool = False,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "mmol_per_l", mmol_per_l)
        object.__setattr__(self, "mg_per_dl", mg_per_dl)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "interpretation", interpretation)
        object.__setattr__(self, "reference_low_mmol_per_l", reference_low_mmol_per_l)
        object.__setattr__(self, "reference_high_mmol_per_l", reference_high_mmol_per_l)
        object.__setattr__(self, "computed_from_albumin", computed_from_albumin)
        object.__setattr__(self, "albumin_source", albumin_source)
        object.__setattr__(self, "is_stale", is_stale)

    @property
    def is_low(self) -> bool | None:
        """Below the lab's reference range; ``None`` when no range or interpretation was given."""
        return None if self.interpretation is None else self.interpretation is Interpretation.LOW

    @property
    def is_high(self) -> bool | None:
        """Above the lab's reference range; ``None`` when no range or interpretation was given."""
        return None if self.interpretation is None else self.interpretation is Interpretation.HIGH


class LabTest(StrEnum):
    """Other results the rules read, each from its value set in ``fhir_mappings/`` (terminology.md §1.4, §3.3, §3.4)."""

    PHOSPHATE = "phosphate"
    ALKALINE_PHOSPHATASE = "alkaline-phosphatase"
    PARATHYROID_HORMONE = "parathyroid-hormone"
    CTX = "ctx"
    P1NP = "p1np"
    FRAX_MAJOR_OSTEOPOROTIC = "frax-major-osteoporotic"
    """FRAX 10-year probability of a major osteoporotic fracture, in percent (LOINC 90265-0)."""
    FRAX_HIP = "frax-hip"
    """FRAX 10-year hip-fracture probability, in percent (LOINC 90264-3: status C in terminology.md §1.4)."""


@dataclass(frozen=True, slots=True)
class LabResult:
    """One result of a :class:`LabTest` as reported (value and unit as sent; no conversion is needed by the rules,
    which read the position against the lab's reference range, or the FRAX percentage).

    ``interpretation`` comes from the lab's interpretation code, else from its reference range (same unit as the
    value); ``None`` when neither was given. ``is_stale``: older than ``lab_max_age_days`` on the snapshot date.
    """

    test: LabTest
    value: float
    unit: str
    observed: ClinicalDate
    source: SourceRef
    interpretation: Interpretation | None = None
    is_stale: bool = False
    ng_per_l: float | None = None
    """Bone-turnover markers (s-CTX, P1NP): the value as a mass concentration in ng/L (pg/mL = ng/L, µg/L = ng/mL
    = 1000 ng/L; terminology.md §1.4 units), so that a baseline and a follow-up reported in different units
    compare; ``None`` for other tests or a unit that is not a mass concentration."""

    def __init__(
        self,
        test: LabTest,
        value: float,
        unit: str,
        observed: ClinicalDate,
        source: SourceRef,
        interpretation: Interpretation | None = None,
        is_stale: bool = False,
        ng_per_l: float | None = None,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "test", test)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "interpretation", interpretation)
        object.__setattr__(self, "is_stale", is_stale)
        object.__setattr__(self, "ng_per_l", ng_per_l)


# ----------------------------------------------------------------------------------------------------------------
# Fractures and conditions
# ----------------------------------------------------------------------------------------------------------------


class FractureSite(StrEnum):
    """rules.md D-FX site categories."""

    VERTEBRAL = "vertebral"
    HIP = "hip"
    FEMUR = "femur"
    PELVIS = "pelvis"
    HUMERUS = "humerus"
    FOREARM = "forearm"
    RIB = "rib"
    TIBIA_FIBULA = "tibia-fibula"
    OTHER = "other"


_MOF_SITES = frozenset(
    {FractureSite.VERTEBRAL, FractureSite.PELVIS, FractureSite.HIP, FractureSite.FEMUR, FractureSite.HUMERUS}
)


class ConditionStatus(StrEnum):
    """FHIR ``Condition.clinicalStatus`` (absent → UNKNOWN)."""

    ACTIVE = "active"
    RECURRENCE = "recurrence"
    RELAPSE = "relapse"
    INACTIVE = "inactive"
    REMISSION = "remission"
    RESOLVED = "resolved"
    UNKNOWN = "unknown"


class VerificationStatus(StrEnum):
    """FHIR ``Condition.verificationStatus`` of kept conditions (refuted / entered-in-error are excluded)."""

    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"
    PROVISIONAL = "provisional"
    DIFFERENTIAL = "differential"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Fracture:
    """One fracture (rules.md D-FX, DX-MOF-1, D-FX-RECENT).

    ``date`` is the onset; ``None`` when the source gave none (``recorded`` then bounds it from above).
    ``is_major_osteoporotic`` follows the BBC definition: vertebra, pelvis, hip, femur, humerus, or forearm at an
    age at fracture ≥ 75 (``None`` for a forearm fracture whose age at fracture is unknown).
    Whether it is recent is a guideline question (``RECENT_FX_YEARS``): ``predicates.is_recent_fracture``.
    """

    site: FractureSite
    date: ClinicalDate | None
    source: SourceRef
    age_at_fracture: int | None
    is_major_osteoporotic: bool | None
    vertebral_grade: int | None = None
    """Genant grade 1–3 when the source states it (rules.md D-VF; grade ≥ 2 = ≥ 25 % height loss)."""
    is_fragility_coded: bool = False
    """Coded as osteoporotic / fragility fracture (M80, 443165006, ...): explicitly low-energy (terminology §4.2)."""
    recorded: ClinicalDate | None = None
    clinical_status: ConditionStatus = ConditionStatus.UNKNOWN
    verification: VerificationStatus = VerificationStatus.UNKNOWN

    def __init__(
        self,
        site: FractureSite,
        date: ClinicalDate | None,
        source: SourceRef,
        age_at_fracture: int | None,
        is_major_osteoporotic: bool | None,
        vertebral_grade: int | None = None,
        is_fragility_coded: bool = False,
        recorded: ClinicalDate | None = None,
        clinical_status: ConditionStatus = ConditionStatus.UNKNOWN,
        verification: VerificationStatus = VerificationStatus.UNKNOWN,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "site", site)
        object.__setattr__(self, "date", date)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "age_at_fracture", age_at_fracture)
        object.__setattr__(self, "is_major_osteoporotic", is_major_osteoporotic)
        object.__setattr__(self, "vertebral_grade", vertebral_grade)
        object.__setattr__(self, "is_fragility_coded", is_fragility_coded)
        object.__setattr__(self, "recorded", recorded)
        object.__setattr__(self, "clinical_status", clinical_status)
        object.__setattr__(self, "verification", verification)


class ConditionKind(StrEnum):
    """Conditions the rules read (value sets in ``fhir_mappings/``; terminology.md §4)."""

    OSTEOPOROSIS = "osteoporosis"
    MYOCARDIAL_INFARCTION = "myocardial-infarction"
    STROKE = "stroke"
    TIA = "tia"
    VENOUS_THROMBOEMBOLISM = "venous-thromboembolism"
    CHRONIC_KIDNEY_DISEASE = "chronic-kidney-disease"
    """Any stage (1–5); see also CHRONIC_KIDNEY_DISEASE_STAGE_4_5."""
    CHRONIC_KIDNEY_DISEASE_STAGE_4_5 = "chronic-kidney-disease-stage-4-5"
    HYPOCALCAEMIA = "hypocalcaemia"
    VITAMIN_D_DEFICIENCY = "vitamin-d-deficiency"
    RHEUMATOID_ARTHRITIS = "rheumatoid-arthritis"
    OSTEONECROSIS_OF_JAW = "osteonecrosis-of-jaw"
    ATYPICAL_FEMORAL_FRACTURE = "atypical-femoral-fracture"
    HYPERPARATHYROIDISM = "hyperparathyroidism"
    OSTEOPENIA = "osteopenia"
    CALCIUM_METABOLISM_DISORDER = "calcium-metabolism-disorder"
    """WHO ICD-10 E83.5: no separate hypocalcaemia code there (terminology.md §4.3)."""
    LONG_TERM_GLUCOCORTICOID_USE = "long-term-glucocorticoid-use"
    """A coded fact (ICD-10-CM Z79.52 ...), not a dose: terminology.md §4.3."""
    LONG_TERM_BISPHOSPHONATE_USE = "long-term-bisphosphonate-use"


@dataclass(frozen=True, slots=True)
class ConditionFact:
    """A coded condition of one :class:`ConditionKind`."""

    kind: ConditionKind
    onset: ClinicalDate | None
    source: SourceRef
    clinical_status: ConditionStatus
    verification: VerificationStatus
    recorded: ClinicalDate | None = None

    def __init__(
        self,
        kind: ConditionKind,
        onset: ClinicalDate | None,
        source: SourceRef,
        clinical_status: ConditionStatus,
        verification: VerificationStatus,
        recorded: ClinicalDate | None = None,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "onset", onset)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "clinical_status", clinical_status)
        object.__setattr__(self, "verification", verification)
        object.__setattr__(self, "recorded", recorded)

    @property
    def is_active(self) -> bool:
        """Clinical status active, recurrence or relapse."""
        return self.clinical_status in (ConditionStatus.ACTIVE, ConditionStatus.RECURRENCE, ConditionStatus.RELAPSE)


# ----------------------------------------------------------------------------------------------------------------
# Medications
# ----------------------------------------------------------------------------------------------------------------


class Drug(StrEnum):
    """Agents the rules distinguish (terminology.md §5; rules.md §1.1 agent classes)."""

    ALENDRONATE = "alendronate"
    RISEDRONATE = "risedronate"
    IBANDRONATE = "ibandronate"
    ZOLEDRONATE = "zoledronate"
    ZOLEDRONATE_ONCOLOGY = "zoledronate-oncology"
    DENOSUMAB = "denosumab"
    DENOSUMAB_ONCOLOGY = "denosumab-oncology"
    TERIPARATIDE = "teriparatide"
    ABALOPARATIDE = "abaloparatide"
    ROMOSOZUMAB = "romosozumab"
    RALOXIFENE = "raloxifene"
    BAZEDOXIFENE = "bazedoxifene"
    STRONTIUM_RANELATE = "strontium-ranelate"
    HORMONE_REPLACEMENT_THERAPY = "hormone-replacement-therapy"
    CALCIUM_SUPPLEMENT = "calcium-supplement"
    VITAMIN_D_SUPPLEMENT = "vitamin-d-supplement"
    ACTIVE_VITAMIN_D = "active-vitamin-d"
    PREDNISONE = "prednisone"
    PREDNISOLONE = "prednisolone"
    METHYLPREDNISOLONE = "methylprednisolone"
    HYDROCORTISONE = "hydrocortisone"
    CORTISONE = "cortisone"
    DEXAMETHASONE = "dexamethasone"
    BETAMETHASONE = "betamethasone"
    TRIAMCINOLONE = "triamcinolone"
    DEFLAZACORT = "deflazacort"
    BUDESONIDE_ORAL = "budesonide-oral"

    @property
    def is_glucocorticoid(self) -> bool:
        """A systemic glucocorticoid (terminology.md §5.2; oral budesonide included, without prednisone factor)."""
        return self in _GLUCOCORTICOIDS

    @property
    def is_osteoporosis_drug(self) -> bool:
        """An osteoporosis drug of rules.md §1.1 (oncology-strength zoledronate/denosumab excluded)."""
        return self in _OSTEOPOROSIS_DRUGS

    @property
    def is_oral_bisphosphonate(self) -> bool:
        """rules.md §1.1: alendronic and risedronic acid (ibandronic acid: legacy, S0 only)."""
        return self in (Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE)

    @property
    def is_bisphosphonate(self) -> bool:
        """Oral bisphosphonates and zoledronic acid 5 mg."""
        return self.is_oral_bisphosphonate or self is Drug.ZOLEDRONATE

    @property
    def is_anabolic(self) -> bool:
        """rules.md §1.1 "botvormend": teriparatide, romosozumab (abaloparatide added [NIS])."""
        return self in (Drug.TERIPARATIDE, Drug.ROMOSOZUMAB, Drug.ABALOPARATIDE)

    @property
    def is_serm(self) -> bool:
        """rules.md §1.1 SERM: raloxifene (bazedoxifene [NIS])."""
        return self in (Drug.RALOXIFENE, Drug.BAZEDOXIFENE)

    @property
    def is_antiresorptive(self) -> bool:
        """rules.md §1.1: bisphosphonates, denosumab, SERM."""
        return self.is_bisphosphonate or self is Drug.DENOSUMAB or self.is_serm


_GLUCOCORTICOIDS = frozenset(
    {
        Drug.PREDNISONE,
        Drug.PREDNISOLONE,
        Drug.METHYLPREDNISOLONE,
        Drug.HYDROCORTISONE,
        Drug.CORTISONE,
        Drug.DEXAMETHASONE,
        Drug.BETAMETHASONE,
        Drug.TRIAMCINOLONE,
        Drug.DEFLAZACORT,
        Drug.BUDESONIDE_ORAL,
    }
)
_OSTEOPOROSIS_DRUGS = frozenset(
    {
        Drug.ALENDRONATE,
        Drug.RISEDRONATE,
        Drug.IBANDRONATE,
        Drug.ZOLEDRONATE,
        Drug.DENOSUMAB,
        Drug.TERIPARATIDE,
        Drug.ABALOPARATIDE,
        Drug.ROMOSOZUMAB,
        Drug.RALOXIFENE,
        Drug.BAZEDOXIFENE,
        Drug.STRONTIUM_RANELATE,
    }
)


class RecordKind(StrEnum):
    """Which FHIR resource type a medication record came from."""

    STATEMENT = "MedicationStatement"
    REQUEST = "MedicationRequest"
    ADMINISTRATION = "MedicationAdministration"
    DISPENSE = "MedicationDispense"


@dataclass(frozen=True, slots=True)
class CodedStrength:
    """A product strength read from a coded product (an RxNorm clinical drug in our value sets, whose display names
    the strength) that replaced a different strength in the product name: the code wins (issue 17)."""

    system: str
    code: str
    mg_per_unit: float | None
    mg_per_ml: float | None
    name_mg_per_unit: float | None
    name_mg_per_ml: float | None

    def __init__(
        self,
        system: str,
        code: str,
        mg_per_unit: float | None,
        mg_per_ml: float | None,
        name_mg_per_unit: float | None,
        name_mg_per_ml: float | None,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "system", system)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "mg_per_unit", mg_per_unit)
        object.__setattr__(self, "mg_per_ml", mg_per_ml)
        object.__setattr__(self, "name_mg_per_unit", name_mg_per_unit)
        object.__setattr__(self, "name_mg_per_ml", name_mg_per_ml)


@dataclass(frozen=True, slots=True)
class DoseEstimate:
    """The daily dose of one medication record (terminology.md §6.2).

    ``mg_per_day`` is the upper estimate (doseRange high, frequencyMax): terminology.md §6.2 "report the max for
    safety rules"; ``mg_per_day_min`` the lower one (equal when the instruction has no ranges). Both ``None``
    when the dose cannot be computed, with ``problem`` saying why. Values are unrounded (rules.md §1.3: compute
    to 0.1 mg, compare unrounded).
    """

    mg_per_day: float | None
    mg_per_day_min: float | None
    mg_per_dose: float | None = None
    doses_per_day: float | None = None
    problem: str | None = None
    units_per_day: float | None = None
    """Dose units (tablets, "stuk") per day when the dose is a count: used to turn a dispensed quantity into days."""
    from_text: bool = False
    """The frequency came from ``dosage.text`` (Dutch "1dd1" shorthand, terminology.md §6.3 pitfall 10)."""
    strength_from_code: CodedStrength | None = None
    """Set when the dose used the strength of the medication's code instead of a different one in its name (the
    dose would differ with the name's strength): the card says so."""

    def __init__(
        self,
        mg_per_day: float | None,
        mg_per_day_min: float | None,
        mg_per_dose: float | None = None,
        doses_per_day: float | None = None,
        problem: str | None = None,
        units_per_day: float | None = None,
        from_text: bool = False,
        strength_from_code: CodedStrength | None = None,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "mg_per_day", mg_per_day)
        object.__setattr__(self, "mg_per_day_min", mg_per_day_min)
        object.__setattr__(self, "mg_per_dose", mg_per_dose)
        object.__setattr__(self, "doses_per_day", doses_per_day)
        object.__setattr__(self, "problem", problem)
        object.__setattr__(self, "units_per_day", units_per_day)
        object.__setattr__(self, "from_text", from_text)
        object.__setattr__(self, "strength_from_code", strength_from_code)


@dataclass(frozen=True, slots=True)
class MedicationRecord:
    """One kept medication resource mapped to a :class:`Drug`.

    ``coverage`` is the period it documents exposure for (up to the snapshot date); ``None`` when no date
    could be read. ``is_current`` is exposure on the snapshot date (active order/statement or coverage).
    """

    drug: Drug
    kind: RecordKind
    status: str
    source: SourceRef
    start: ClinicalDate | None
    end: ClinicalDate | None
    coverage: DateRange | None
    is_current: bool
    is_active_order: bool
    """An active MedicationRequest or an active MedicationStatement on the snapshot date."""
    administered_on: ClinicalDate | None = None
    """The date of a single dose (MedicationAdministration, dispense or dated statement of an injectable)."""
    dose: DoseEstimate | None = None
    identified_by_text: bool = False
    """The drug was recognised from the medication's name only (terminology.md §5.1 matching order step 3)."""
    is_oral_solution: bool = False
    """The product name says oral solution ("drank"): rules.md TX-CHOICE-2 / SWITCH-GI-1 alendronic acid oral
    solution, the alternative for tablet side effects."""
    supply_days: float | None = None
    """Days of supply when the record states or implies them (a dispense's ``daysSupply``, else its quantity ÷
    daily use; a request's expected supply); ``None`` when unknown."""

    def __init__(
        self,
        drug: Drug,
        kind: RecordKind,
        status: str,
        source: SourceRef,
        start: ClinicalDate | None,
        end: ClinicalDate | None,
        coverage: DateRange | None,
        is_current: bool,
        is_active_order: bool,
        administered_on: ClinicalDate | None = None,
        dose: DoseEstimate | None = None,
        identified_by_text: bool = False,
        is_oral_solution: bool = False,
        supply_days: float | None = None,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "coverage", coverage)
        object.__setattr__(self, "is_current", is_current)
        object.__setattr__(self, "is_active_order", is_active_order)
        object.__setattr__(self, "administered_on", administered_on)
        object.__setattr__(self, "dose", dose)
        object.__setattr__(self, "identified_by_text", identified_by_text)
        object.__setattr__(self, "is_oral_solution", is_oral_solution)
        object.__setattr__(self, "supply_days", supply_days)


class IntoleranceType(StrEnum):
    """FHIR ``AllergyIntolerance.type`` (absent → UNKNOWN)."""

    ALLERGY = "allergy"
    INTOLERANCE = "intolerance"
    UNKNOWN = "unknown"


class IntoleranceStatus(StrEnum):
    """FHIR ``AllergyIntolerance.clinicalStatus`` (absent → UNKNOWN)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    RESOLVED = "resolved"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class DrugIntolerance:
    """A recorded allergy or intolerance to one of our drugs (rules.md §1.1 "Intolerance / adverse reactions",
    from ``AllergyIntolerance``), identified by its ``code`` or a ``reaction.substance`` code in the drug value sets
    of ``fhir_mappings/`` (codes only: a free-text record is a data gap, rules.md SWITCH-GI-1 "free text → not
    auto-detected").

    ``onset`` is ``onset[x]`` (else the first dated ``reaction.onset``), ``recorded`` the ``recordedDate``;
    ``manifestation`` the reaction texts for display only (no rule decides on it: terminology.md has no verified
    codes for intolerance manifestations). Refuted and entered-in-error records are excluded, not facts.
    """

    drug: Drug
    type: IntoleranceType
    onset: ClinicalDate | None
    recorded: ClinicalDate | None
    manifestation: str | None
    clinical_status: IntoleranceStatus
    verification: str
    """``confirmed``, ``unconfirmed``, ``presumed`` or ``unknown`` (absent)."""
    source: SourceRef

    def __init__(
        self,
        drug: Drug,
        type: IntoleranceType,
        onset: ClinicalDate | None,
        recorded: ClinicalDate | None,
        manifestation: str | None,
        clinical_status: IntoleranceStatus,
        verification: str,
        source: SourceRef,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "onset", onset)
        object.__setattr__(self, "recorded", recorded)
        object.__setattr__(self, "manifestation", manifestation)
        object.__setattr__(self, "clinical_status", clinical_status)
        object.__setattr__(self, "verification", verification)
        object.__setattr__(self, "source", source)

    @property
    def date(self) -> ClinicalDate | None:
        """When the intolerance arose: the onset, else the date it was recorded (the onset is on or before it)."""
        return self.onset or self.recorded

    @property
    def is_current(self) -> bool:
        """Clinical status active, or absent [NIS: a recorded intolerance without a status is taken as current,
        the protective reading]; inactive and resolved intolerances are history."""
        return self.clinical_status in (IntoleranceStatus.ACTIVE, IntoleranceStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class DispenseCoverage:
    """Proportion of days covered (PDC) by the dispenses of some drugs from ``start`` to the snapshot date.

    Days are counted PQA-style: a refill collected before the previous supply ran out starts when it does (early
    refills are carried forward, never double-counted); supply after the snapshot date is not counted. Only
    dispenses known to this record count: dispenses by a pharmacy that does not report to the EHR are invisible.
    """

    start: date
    end: date
    covered_days: int
    dispenses: tuple[MedicationRecord, ...]

    @property
    def window_days(self) -> int:
        """Days from the first counted dispense to the snapshot date, both included."""
        return (self.end - self.start).days + 1

    @property
    def percent(self) -> float:
        """``100 × covered days ÷ window days``."""
        return 100.0 * self.covered_days / self.window_days


@dataclass(frozen=True, slots=True)
class Administration:
    """One dated dose of an injectable or infusion (zoledronate, denosumab, romosozumab...)."""

    drug: Drug
    on: ClinicalDate
    sources: tuple[SourceRef, ...]

    def __init__(self, drug: Drug, on: ClinicalDate, sources: tuple[SourceRef, ...]) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "on", on)
        object.__setattr__(self, "sources", sources)


@dataclass(frozen=True, slots=True)
class TherapyEpisode:
    """A run of covered days of one or more drugs, ended by a gap longer than ``therapy_gap_days``.

    ``covered_days`` counts covered days only (gaps inside the episode are not counted); ``gap_days`` is the total
    of those inner gaps. ``end`` is the last covered day, never after the snapshot date.
    """

    drugs: frozenset[Drug]
    start: date
    end: date
    covered_days: int
    gap_days: int
    is_ongoing: bool
    """Covered on the snapshot date."""
    administration_count: int = 0
    """Dated doses inside the episode (zoledronate infusions for rules.md ``ZOL_COUNT``)."""
    start_is_exact: bool = True
    """False when the first covering record had a partial start date (earliest possible day used)."""

    def __init__(
        self,
        drugs: frozenset[Drug],
        start: date,
        end: date,
        covered_days: int,
        gap_days: int,
        is_ongoing: bool,
        administration_count: int = 0,
        start_is_exact: bool = True,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "drugs", drugs)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "covered_days", covered_days)
        object.__setattr__(self, "gap_days", gap_days)
        object.__setattr__(self, "is_ongoing", is_ongoing)
        object.__setattr__(self, "administration_count", administration_count)
        object.__setattr__(self, "start_is_exact", start_is_exact)

    def covered_years_reached(self, years: int) -> bool:
        """rules.md D-BP: an N-year threshold is reached when ``start + covered_days ≥ start + N calendar years``,
        with covered days counted as elapsed days (the first day is day 0), so that continuous use from 2020-06-01
        reaches 5 years on 2025-06-01 and not on 2025-05-31."""
        return shift_days(self.start, self.covered_days - 1) >= add_years(self.start, years)

    def covered_months(self, days_per_month: float = 30.4375) -> float:
        """Covered days in months of 30.4375 days."""
        return self.covered_days / days_per_month


def episodes_from_ranges(
    ranges: Iterable[DateRange],
    *,
    drugs: frozenset[Drug],
    as_of: date,
    gap_days: int,
    administrations: Iterable[date] = (),
    inexact_starts: Iterable[date] = (),
) -> tuple[TherapyEpisode, ...]:
    """Merge covered periods into episodes: overlapping or touching periods join; a gap of more than
    ``gap_days`` days starts a new episode (rules.md D-BP, ``BP_GAP_DAYS``)."""
    # (start, end) pairs clipped to the snapshot date, in order of start (stable: the order of equal starts is kept)
    clipped = sorted(((r.start, min(r.end, as_of)) for r in ranges if r.start <= as_of), key=itemgetter(0))
    inexact = set(inexact_starts)
    doses = sorted(administrations)
    episodes: list[TherapyEpisode] = []

    def close(start: date, end: date, covered: int, gaps: int) -> None:
        episodes.append(
            TherapyEpisode(
                drugs=drugs,
                start=start,
                end=end,
                covered_days=covered,
                gap_days=gaps,
                is_ongoing=end >= as_of,
                administration_count=max(bisect_right(doses, end) - bisect_left(doses, start), 0) if doses else 0,
                start_is_exact=start not in inexact,
            )
        )

    # The episode being built: its first day, its last covered day, and the covered days and inner gap days counted
    # up to ``cursor``, the end of the latest period that added days.
    first: date | None = None
    last = cursor = as_of
    covered = gaps = 0
    for start, end in clipped:
        if first is not None and (start - last).days - 1 > gap_days:
            close(first, last, covered, gaps)
            first = None
        if first is None:
            first, last, cursor = start, end, end
            covered, gaps = (end - start).days + 1, 0
            continue
        if start > cursor:
            gaps += (start - cursor).days - 1
            covered += (end - start).days + 1
            cursor = end
        elif end > cursor:
            covered += (end - cursor).days
            cursor = end
        last = max(last, end)
    if first is not None:
        close(first, last, covered, gaps)
    return tuple(episodes)


@dataclass(frozen=True, slots=True)
class TherapyHistory:
    """Everything known about one drug: records, dated doses and episodes (rules.md D-OPDRUG, D-BP, D-DMAB, D-ANAB)."""

    drug: Drug
    records: tuple[MedicationRecord, ...]
    administrations: tuple[Administration, ...]
    episodes: tuple[TherapyEpisode, ...]
    awaiting_evaluation: bool = False
    """rules.md D-OPDRUG [turn-2 correction]: a zoledronate course of ≥ 2 yearly infusions whose 12-month cover
    has ended but whose evaluation window has not (the course ended at most ``therapy_gap_days`` ago, the window
    in which BP-EVAL-1 evaluates it) and whose stop the record does not document. The 3-year evaluation falls
    exactly when the 12-month cover ends: the patient is still on zoledronate then, not untreated."""

    def __init__(
        self,
        drug: Drug,
        records: tuple[MedicationRecord, ...],
        administrations: tuple[Administration, ...],
        episodes: tuple[TherapyEpisode, ...],
        awaiting_evaluation: bool = False,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "records", records)
        object.__setattr__(self, "administrations", administrations)
        object.__setattr__(self, "episodes", episodes)
        object.__setattr__(self, "awaiting_evaluation", awaiting_evaluation)

    @property
    def has_active_order(self) -> bool:
        """An active MedicationRequest or MedicationStatement on the snapshot date."""
        return any(r.is_active_order for r in self.records)

    @property
    def is_current(self) -> bool:
        """Exposure on the snapshot date (active order/statement or covered period), or a zoledronate course
        awaiting its evaluation (``awaiting_evaluation``)."""
        return (
            any(r.is_current for r in self.records)
            or any(e.is_ongoing for e in self.episodes)
            or self.awaiting_evaluation
        )

    @property
    def current_episode(self) -> TherapyEpisode | None:
        """The most recent episode (ongoing or not)."""
        return self.episodes[-1] if self.episodes else None

    @property
    def first_start(self) -> date | None:
        """First covered day of any episode."""
        return self.episodes[0].start if self.episodes else None

    @property
    def last_administration(self) -> Administration | None:
        """The latest dated dose (e.g. rules.md ``DMAB_LAST``)."""
        return self.administrations[-1] if self.administrations else None

    @property
    def administration_count(self) -> int:
        """All dated doses ever (e.g. rules.md ``DMAB_COUNT``)."""
        return len(self.administrations)

    @property
    def cumulative_covered_days(self) -> int:
        """Covered days over all episodes (gaps not counted)."""
        return sum(e.covered_days for e in self.episodes)

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        """Every resource behind this history."""
        return tuple(r.source for r in self.records)


# ----------------------------------------------------------------------------------------------------------------
# Glucocorticoids and draft orders
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GlucocorticoidExposure:
    """One systemic glucocorticoid record (rules.md D-GC): dose in mg/day and prednisone-equivalent mg/day.

    ``mg_per_day`` / ``prednisone_eq_mg_per_day`` are ``None`` when the dose is unknown; a :class:`DataGap` with
    concept ``glucocorticoid-dose`` then names this source. ``elapsed_months`` is start → snapshot date (or end,
    if ended) in months of 30.4375 days; ``expected_total_months`` adds the remaining expected duration from the
    order (bounds, expected supply × repeats, quantity ÷ daily use), ``None`` when that is unknown.
    """

    drug: Drug
    source: SourceRef
    from_draft_order: bool
    is_current: bool
    mg_per_day: float | None
    prednisone_eq_mg_per_day: float | None
    start: ClinicalDate | None
    elapsed_months: float | None
    expected_total_months: float | None
    end: ClinicalDate | None = None
    dose: DoseEstimate | None = None
    prednisone_eq_mg_per_day_min: float | None = None

    def __init__(
        self,
        drug: Drug,
        source: SourceRef,
        from_draft_order: bool,
        is_current: bool,
        mg_per_day: float | None,
        prednisone_eq_mg_per_day: float | None,
        start: ClinicalDate | None,
        elapsed_months: float | None,
        expected_total_months: float | None,
        end: ClinicalDate | None = None,
        dose: DoseEstimate | None = None,
        prednisone_eq_mg_per_day_min: float | None = None,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "from_draft_order", from_draft_order)
        object.__setattr__(self, "is_current", is_current)
        object.__setattr__(self, "mg_per_day", mg_per_day)
        object.__setattr__(self, "prednisone_eq_mg_per_day", prednisone_eq_mg_per_day)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "elapsed_months", elapsed_months)
        object.__setattr__(self, "expected_total_months", expected_total_months)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "dose", dose)
        object.__setattr__(self, "prednisone_eq_mg_per_day_min", prednisone_eq_mg_per_day_min)

    @property
    def known_duration_months(self) -> float | None:
        """The longest duration the data support: max of elapsed and expected total (``None`` if neither)."""
        values = [v for v in (self.elapsed_months, self.expected_total_months) if v is not None]
        return max(values) if values else None

    @property
    def is_dose_known(self) -> bool:
        """A prednisone-equivalent daily dose could be computed."""
        return self.prednisone_eq_mg_per_day is not None


class DraftAction(StrEnum):
    """What an unsigned order does (rules.md §0.4 "Detecting a stop denosumab order")."""

    NEW = "new"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class DraftOrder:
    """One resource of ``context.draftOrders``, classified."""

    action: DraftAction
    drug: Drug | None
    draft_ref: str
    resource_type: str
    status: str | None
    source: SourceRef
    dose: DoseEstimate | None = None
    codes: tuple[Code, ...] = ()
    is_selected: bool = False
    """Named in ``context.selections`` (order-select)."""
    do_not_perform: bool = False
    start: ClinicalDate | None = None
    """Requested start (``dosageInstruction.timing.repeat.boundsPeriod.start``, else ``authoredOn``)."""
    is_dxa: bool = False
    """A DXA order (a ServiceRequest coded in the ``dxa-study`` value set, terminology.md §1.4): rules.md VFA-1."""
    medication_names: tuple[str, ...] = ()
    """The ``text`` and coding displays of a medication order's ``medication[x]`` (and of its Medication's code),
    also when the drug is none of ours: for rules that recognise an ingredient by name (terminology.md §5.1 step 3),
    e.g. magnesium or vitamin K supplements (rules.md SUPP-1) or the calcium salt (CALC-2)."""
    is_oral_solution: bool = False
    """The ordered product is an oral solution ("drank"), e.g. alendronic acid oral solution 70 mg/75 mL."""

    def __init__(
        self,
        action: DraftAction,
        drug: Drug | None,
        draft_ref: str,
        resource_type: str,
        status: str | None,
        source: SourceRef,
        dose: DoseEstimate | None = None,
        codes: tuple[Code, ...] = (),
        is_selected: bool = False,
        do_not_perform: bool = False,
        start: ClinicalDate | None = None,
        is_dxa: bool = False,
        medication_names: tuple[str, ...] = (),
        is_oral_solution: bool = False,
    ) -> None:
        # written out: native in the compiled build (store_fields_through_slots)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "draft_ref", draft_ref)
        object.__setattr__(self, "resource_type", resource_type)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "dose", dose)
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "is_selected", is_selected)
        object.__setattr__(self, "do_not_perform", do_not_perform)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "is_dxa", is_dxa)
        object.__setattr__(self, "medication_names", medication_names)
        object.__setattr__(self, "is_oral_solution", is_oral_solution)


# ----------------------------------------------------------------------------------------------------------------
# The snapshot
# ----------------------------------------------------------------------------------------------------------------

_P = ParamSpec("_P")
_T = TypeVar("_T")


def derived_fact(
    derive: Callable[Concatenate[ClinicalSnapshot, _P], _T],
) -> Callable[Concatenate[ClinicalSnapshot, _P], _T]:
    """A fact derived from one snapshot (and positional arguments, e.g. the guideline parameters) that several
    rules read: computed on first use, then remembered in that snapshot (``_derived_memo``). The snapshot is frozen
    and carries its date and settings, so the answer is fixed; another snapshot (another date, other settings, or a
    ``dataclasses.replace`` copy) starts with an empty memo. Remembered answers are shared between the readers:
    they must be immutable (tuples, frozen dataclasses, read-only mappings).

    Further arguments are told apart by identity, not by value (hashing the ~35 guideline parameters costs more
    than most facts): the memo keeps each argument it was given, so no other object can take its identity while
    the answer is remembered, and an equal but distinct argument is merely computed again."""
    if len(inspect.signature(derive).parameters) == 1:  # the snapshot alone: the function is the key

        @wraps(derive)
        def remembered_fact(snapshot: ClinicalSnapshot, /) -> _T:
            memo = snapshot._derived_memo
            try:
                value: _T = memo[derive]
            except KeyError:
                value = memo[derive] = derive(snapshot)  # type: ignore[call-arg]
            return value

        return cast("Callable[Concatenate[ClinicalSnapshot, _P], _T]", remembered_fact)

    @wraps(derive)
    def remembered(snapshot: ClinicalSnapshot, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        if kwargs:
            raise TypeError(f"{derive.__qualname__}: a derived fact takes its arguments by position")
        key = (derive, *map(id, args))
        memo = snapshot._derived_memo
        try:
            value: _T = memo[key][1]
        except KeyError:
            value = derive(snapshot, *args)  # type: ignore[call-arg]
            memo[key] = (args, value)
        return value

    return remembered


class derived_property(Generic[_T]):
    """A :func:`derived_fact` of the snapshot alone, read as a property (``snapshot.latest_dxa``): computed on first
    use, then remembered in the snapshot's memo under the same key as ``derived_fact(derive)``.

    One decorator instead of ``@property`` over ``@derived_fact``: mypyc (the optional compiled build, setup.py)
    compiles a ``@property`` of a native class itself and hands the decorator below it the compiled property, not
    the function."""

    def __init__(self, derive: Callable[[ClinicalSnapshot], _T]) -> None:
        self.derive = derive
        self.fget = derived_fact(derive)
        """The remembered function (``snapshot`` → fact), as ``property.fget``."""
        self.__doc__ = derive.__doc__

    @overload
    def __get__(self, snapshot: None, owner: type | None = None) -> derived_property[_T]: ...
    @overload
    def __get__(self, snapshot: ClinicalSnapshot, owner: type | None = None) -> _T: ...
    def __get__(self, snapshot: ClinicalSnapshot | None, owner: type | None = None) -> _T | derived_property[_T]:
        if snapshot is None:
            return self
        try:
            value: _T = snapshot._derived_memo[self.derive]
        except KeyError:
            value = self.fget(snapshot)
        return value


_EPISODES_OF = "episodes_of"
"""The key of :meth:`ClinicalSnapshot.episodes_of` answers in the snapshot's memo (beside the derived facts')."""


@dataclass(frozen=True, slots=True)
class ClinicalSnapshot:
    """Everything the rules know about one patient on ``as_of``."""

    as_of: date
    patient: PatientFacts
    gaps: tuple[DataGap, ...] = ()
    excluded: tuple[ExcludedRecord, ...] = ()
    dxa_studies: tuple[DxaStudy, ...] = ()
    """Oldest first."""
    vitamin_d_results: tuple[VitaminD, ...] = ()
    """Oldest first."""
    renal_results: tuple[RenalFunction, ...] = ()
    """Oldest first, both kinds."""
    renal_function: RenalFunction | None = None
    """rules.md D-RENAL: the most recent non-stale CrCl, else the most recent non-stale eGFR, else the most
    recent of either (then ``is_stale``)."""
    creatinine_results: tuple[Creatinine, ...] = ()
    calcium_results: tuple[CalciumResult, ...] = ()
    fractures: tuple[Fracture, ...] = ()
    """Non-pathological fractures, oldest first (rules.md D-FX excludes pathological fractures)."""
    pathological_fractures: tuple[Fracture, ...] = ()
    conditions: tuple[ConditionFact, ...] = ()
    therapies: tuple[TherapyHistory, ...] = ()
    glucocorticoids: tuple[GlucocorticoidExposure, ...] = ()
    draft_orders: tuple[DraftOrder, ...] = ()
    z_scores: tuple[ZScore, ...] = ()
    """DXA Z-scores, oldest first."""
    lab_results: tuple[LabResult, ...] = ()
    """Results of :class:`LabTest` (phosphate, ALP, PTH, bone-turnover markers, FRAX), oldest first."""
    intolerances: tuple[DrugIntolerance, ...] = ()
    """Recorded allergies / intolerances to our drugs (current and historical), oldest first."""
    dxa_stale_years: int = 5
    dxa_decision_max_age_months: int = 12
    lab_max_age_days: int = 90
    """``SnapshotParameters.lab_max_age_days`` (rules.md §2 ``LAB_MAX_AGE_D``): the age past which a lab value is
    stale; rules that judge a value's age read it here, so the number is defined once."""
    vitamin_d_max_age_days: int = 365
    """``SnapshotParameters.vitamin_d_max_age_days`` (rules.md §2 ``VITD_MAX_AGE_D``): the card text states it."""
    renal_max_age_days: int = 365
    """``SnapshotParameters.renal_max_age_days`` (rules.md §2 ``RENAL_MAX_AGE_D``): the card text states it."""
    assume_postmenopausal_age: int = 50
    mof_forearm_min_age: int = 75
    """``SnapshotParameters.mof_forearm_min_age`` (DX-MOF-1): the age from which the builder counted a forearm
    fracture as a major osteoporotic fracture; the card text states it (RISK-BBC-1)."""
    therapy_gap_days: int = 180
    days_per_month: float = 30.4375
    """``SnapshotParameters.days_per_month``: the month the builder counted covered and elapsed months in; rules
    that turn days into months read it here, so the unit is defined once (issue 16)."""
    days_per_year: float = 365.25
    """``SnapshotParameters.days_per_year``, likewise."""
    _derived_memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    """The answers of :func:`derived_fact` functions and properties, computed on first use (see there), and of
    :meth:`episodes_of` per drug set (a dozen rules ask)."""

    # --- gaps -------------------------------------------------------------------------------------------------

    def gaps_for(self, concept: str) -> tuple[DataGap, ...]:
        """Gaps about ``concept`` (a :class:`GapConcept` or any string used by the builder)."""
        return tuple(g for g in self.gaps if g.concept == concept)

    # --- patient ----------------------------------------------------------------------------------------------

    @property
    def age(self) -> int | None:
        """rules.md D-AGE: completed years on ``as_of``."""
        return self.patient.age

    @property
    def is_postmenopausal(self) -> bool | None:
        """rules.md §1.1: a woman aged ≥ ``ASSUME_PM_AGE`` is taken as postmenopausal [NIS]; men → False; younger
        women or unknown age → ``None`` (no menopause data is mapped)."""
        if self.patient.sex is Sex.MALE:
            return False
        if self.patient.sex is not Sex.FEMALE:
            return None
        age_range = self.patient.age_range_on(self.as_of)
        if age_range is None:
            return None
        return True if age_range[0] >= self.assume_postmenopausal_age else None

    # --- DXA --------------------------------------------------------------------------------------------------

    @derived_property
    def latest_dxa(self) -> DxaStudy | None:
        """The most recent DXA study with at least one T-score (rules.md D-T "most recent DXA study")."""
        with_t = [s for s in self.dxa_studies if s.t_scores]
        return with_t[-1] if with_t else None

    @derived_property
    def lowest_t_score(self) -> TScore | None:
        """rules.md ``T_MIN`` of the latest DXA study."""
        study = self.latest_dxa
        return study.lowest_t_score if study else None

    @derived_property
    def dxa_status(self) -> DxaStatus:
        """rules.md D-DXA-STATUS of the latest study, with calendar arithmetic on its earliest possible date."""
        study = self.latest_dxa
        if study is None:
            return DxaStatus.NONE
        taken = study.observed.earliest
        if self.as_of > add_years(taken, self.dxa_stale_years):
            return DxaStatus.STALE
        if self.as_of <= add_months(taken, self.dxa_decision_max_age_months):
            return DxaStatus.DECISION_OK
        return DxaStatus.USABLE_FOR_CONTEXT

    def dxa_on_or_before(self, day: date) -> DxaStudy | None:
        """The latest study certainly taken on or before ``day`` (e.g. the pre-treatment baseline)."""
        found = [s for s in self.dxa_studies if s.observed.latest <= day]
        return found[-1] if found else None

    def dxa_after(self, day: date) -> tuple[DxaStudy, ...]:
        """Studies certainly taken after ``day``."""
        return tuple(s for s in self.dxa_studies if s.observed.earliest > day)

    def bmd_changes(self, baseline: DxaStudy, current: DxaStudy | None = None) -> tuple[BmdChange, ...]:
        """rules.md D-BMD-CHG: per site measured in both studies, percent change of ``current`` (default: the
        latest study with BMDs) against ``baseline``. Same-device comparison cannot be checked [NIS]."""
        if current is None:
            with_bmd = [s for s in self.dxa_studies if s.bmds]
            current = with_bmd[-1] if with_bmd else None
        if current is None or current is baseline:
            return ()
        changes = []
        for site in BoneSite:
            before, after = baseline.bmd(site), current.bmd(site)
            if before is not None and after is not None and before.g_per_cm2 > 0:
                changes.append(BmdChange(site, before, after))
        return tuple(changes)

    # --- labs -------------------------------------------------------------------------------------------------

    @property
    def vitamin_d(self) -> VitaminD | None:
        """The most recent 25-OH vitamin D (check ``is_stale``)."""
        return self.vitamin_d_results[-1] if self.vitamin_d_results else None

    @property
    def serum_creatinine(self) -> Creatinine | None:
        """The most recent serum creatinine."""
        return self.creatinine_results[-1] if self.creatinine_results else None

    @derived_property
    def calcium(self) -> CalciumResult | None:
        """rules.md D-CA: the most recent albumin-corrected calcium (reported by the lab, else computed from total
        calcium and same-day albumin); else the most recent ionized; else the most recent total calcium."""
        for kind in (CalciumKind.ALBUMIN_CORRECTED, CalciumKind.IONIZED, CalciumKind.TOTAL):
            found = [c for c in self.calcium_results if c.kind is kind]
            if found:
                return found[-1]
        return None

    def latest_lab(self, test: LabTest) -> LabResult | None:
        """The most recent result of ``test`` (check ``is_stale``)."""
        found = [r for r in self.lab_results if r.test is test]
        return found[-1] if found else None

    @property
    def latest_z_scores(self) -> tuple[ZScore, ...]:
        """The Z-scores of the most recent day that has any (one DXA study), lowest first."""
        if not self.z_scores:
            return ()
        day = self.z_scores[-1].observed
        return tuple(sorted((z for z in self.z_scores if z.observed == day), key=lambda z: z.value))

    # --- fractures and conditions -----------------------------------------------------------------------------

    @derived_property
    def major_osteoporotic_fractures(self) -> tuple[Fracture, ...]:
        """rules.md D-MOF (BBC definition)."""
        return tuple(f for f in self.fractures if f.is_major_osteoporotic)

    def has_fracture_since(self, day: date) -> bool | None:
        """Any non-pathological fracture dated on or after ``day`` (``None`` when a date straddles it)."""
        return any_of3(f.date.is_on_or_after(day) if f.date else None for f in self.fractures)

    @derived_property
    def vertebral_fractures(self) -> tuple[Fracture, ...]:
        """Fractures with site VERTEBRAL."""
        return tuple(f for f in self.fractures if f.site is FractureSite.VERTEBRAL)

    def conditions_of(self, kind: ConditionKind) -> tuple[ConditionFact, ...]:
        """Kept conditions of one kind (any clinical status; history counts)."""
        return tuple(c for c in self.conditions if c.kind is kind)

    def has_condition(self, kind: ConditionKind) -> bool:
        """Any kept (not refuted, not entered-in-error) condition of this kind, active or historical."""
        return any(c.kind is kind for c in self.conditions)

    def has_active_condition(self, kind: ConditionKind) -> bool:
        """A condition of this kind with clinical status active / recurrence / relapse."""
        return any(c.kind is kind and c.is_active for c in self.conditions)

    # --- intolerances ----------------------------------------------------------------------------------------

    @derived_property
    def oral_bisphosphonate_intolerances(self) -> tuple[DrugIntolerance, ...]:
        """Current (active or status-less) intolerances to an oral bisphosphonate (alendronic, risedronic or
        ibandronic acid), oldest first. S4 «alendroninezuur en/of risedroninezuur niet verdragen» reads them as a
        class [INF]: an intolerance to one oral bisphosphonate counts for all."""
        return tuple(i for i in self.intolerances if i.drug.is_oral_bisphosphonate and i.is_current)

    # --- medications ------------------------------------------------------------------------------------------

    def therapy(self, drug: Drug) -> TherapyHistory | None:
        """Everything known about ``drug`` (``None`` when never recorded)."""
        return self._therapy_by_drug.get(drug)

    @derived_property
    def _therapy_by_drug(self) -> Mapping[Drug, TherapyHistory]:
        """:meth:`therapy` of every recorded drug (the first history of a drug, should there be more)."""
        return MappingProxyType({history.drug: history for history in reversed(self.therapies)})

    def is_on(self, drug: Drug) -> bool:
        """Exposure to ``drug`` on the snapshot date."""
        return drug in self._current_drugs

    @derived_property
    def _current_drugs(self) -> frozenset[Drug]:
        """The drugs :meth:`is_on` answers True for: their history is current on the snapshot date."""
        return frozenset(drug for drug, history in self._therapy_by_drug.items() if history.is_current)

    def has_ever_taken(self, drug: Drug) -> bool:
        """Any kept record of ``drug``."""
        return self.therapy(drug) is not None

    def episodes_of(self, *drugs: Drug) -> tuple[TherapyEpisode, ...]:
        """Episodes of several drugs taken together (rules.md D-BP: alendronate + risedronate covered days),
        with the snapshot's gap rule."""
        wanted = frozenset(drugs)
        key = (_EPISODES_OF, wanted)
        memo: tuple[TherapyEpisode, ...] | None = self._derived_memo.get(key)
        if memo is not None:
            return memo
        ranges: list[DateRange] = []
        doses: list[date] = []
        inexact: list[date] = []
        for history in self.therapies:
            if history.drug in wanted:
                for record in history.records:
                    if record.coverage is not None:
                        ranges.append(record.coverage)
                        if record.start is not None and not record.start.is_exact:
                            inexact.append(record.coverage.start)
                doses.extend(a.on.earliest for a in history.administrations)
        episodes = episodes_from_ranges(
            ranges,
            drugs=wanted,
            as_of=self.as_of,
            gap_days=self.therapy_gap_days,
            administrations=doses,
            inexact_starts=inexact,
        )
        self._derived_memo[key] = episodes
        return episodes

    def dispense_coverage(self, drugs: Iterable[Drug], *, since: date) -> DispenseCoverage | str:
        """rules.md SWITCH-ADH-1 "dispensing-based adherence (PDC)": the :class:`DispenseCoverage` of the dispenses of
        ``drugs`` handed over on or after ``since`` (e.g. the start of the current episode), up to the snapshot date.

        Returns the reason instead when it cannot be computed honestly: no such dispense, or a dispense without an
        exact hand-over date or without a known supply (it would have to be guessed).
        """
        wanted = frozenset(drugs)
        dispenses = [
            record
            for history in self.therapies
            if history.drug in wanted
            for record in history.records
            if record.kind is RecordKind.DISPENSE
            and record.start is not None
            and record.start.latest >= since
            and record.start.earliest <= self.as_of
        ]
        if not dispenses:
            return "no dispenses recorded"
        if any(not r.start or not r.start.is_exact or not r.supply_days or r.supply_days <= 0 for r in dispenses):
            return "a dispense without an exact date or a known supply"
        dispenses.sort(key=lambda r: r.start.earliest if r.start else date.min)
        first = dispenses[0].start
        start = first.earliest if first else since
        cursor = start
        covered = 0
        for record in dispenses:
            handed = record.start.earliest if record.start else cursor
            begin = max(handed, cursor)
            end = shift_days(begin, math.ceil(record.supply_days or 0) - 1)
            if begin <= self.as_of:
                covered += (min(end, self.as_of) - begin).days + 1
            cursor = shift_days(end, 1)
        return DispenseCoverage(start, self.as_of, covered, tuple(dispenses))

    @derived_fact
    def is_on_bone_protection(self) -> bool:
        """rules.md D-OPDRUG "on treatment" on the snapshot date: an oral bisphosphonate with an active order or
        supply; a zoledronate infusion within the last 12 months, or a course of ≥ 2 infusions awaiting its
        evaluation (``TherapyHistory.awaiting_evaluation``); a denosumab injection within the last 6 months
        or an active order; teriparatide / romosozumab (and, [NIS], abaloparatide, SERMs, strontium) active.
        Coverage windows come from the builder parameters (``*_cover_months``). A new draft order of an
        osteoporosis drug (order-select / order-sign) counts too: a drug being ordered is about to start, so advice
        to start bone protection is resolved by the draft itself."""
        if any(h.drug.is_osteoporosis_drug and h.is_current for h in self.therapies):
            return True
        return any(order.drug is not None and order.drug.is_osteoporosis_drug for order in self.new_orders)

    @derived_fact
    def current_glucocorticoid(self) -> GlucocorticoidExposure | None:
        """The current or draft-ordered systemic glucocorticoid with the highest prednisone-equivalent dose
        (rules.md D-GC). Exposures with an unknown dose are returned only when no dose is known at all (the
        caller must then read ``gaps_for(GapConcept.GLUCOCORTICOID_DOSE)``). Draft stop orders are not exposures.
        """
        candidates = [g for g in self.glucocorticoids if g.is_current or g.from_draft_order]
        if not candidates:
            return None
        known = [g for g in candidates if g.prednisone_eq_mg_per_day is not None]
        if known:
            return max(known, key=lambda g: (g.prednisone_eq_mg_per_day or 0.0, g.from_draft_order))
        drafts = [g for g in candidates if g.from_draft_order]
        return drafts[0] if drafts else candidates[0]

    @property
    def stop_orders(self) -> tuple[DraftOrder, ...]:
        """Draft orders that stop a medication (rules.md §0.4)."""
        return tuple(d for d in self.draft_orders if d.action is DraftAction.STOP)

    @property
    def new_orders(self) -> tuple[DraftOrder, ...]:
        """Draft orders that start or renew something."""
        return tuple(d for d in self.draft_orders if d.action is DraftAction.NEW)

    def draft_orders_for(self, drug: Drug) -> tuple[DraftOrder, ...]:
        """Draft orders of one drug (new and stop)."""
        return tuple(d for d in self.draft_orders if d.drug is drug)


def any_of3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True if any is True, else None (unknown) if any is None, else False."""
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


# ----------------------------------------------------------------------------------------------------------------
# Construction speed of the value classes (issue 20)
# ----------------------------------------------------------------------------------------------------------------


def store_fields_through_slots(cls: type) -> None:
    """Give a frozen, slotted dataclass an ``__init__`` that stores each field through its slot descriptor.

    The ``__init__`` that ``@dataclass(frozen=True)`` writes calls ``object.__setattr__`` once per field, which
    costs about twice as much; the builder creates about 900 field values per snapshot. Same parameters, defaults
    and field values, and the instances stay frozen (``__setattr__`` still raises). A class with a field that the
    generated ``__init__`` treats specially (``init=False``, ``default_factory``), a ``__post_init__`` or no slot
    for a field keeps its dataclass ``__init__``.

    The compiled build (mypyc) keeps instead the ``__init__`` a class writes itself, as the most created ones do
    (:class:`SourceRef`, :class:`TScore`, ...): compiled, its ``object.__setattr__`` per field is a store into the
    instance, about a seventh of the cost of this one, which the interpreter runs. In the pure build that
    ``__init__`` is replaced like the generated one, after checking that it takes exactly the fields, in order, with
    their defaults: a field added to the class but not to its ``__init__`` fails at import.
    """
    own = cls.__dict__.get("__init__")
    if own is not None and not isinstance(own, FunctionType):
        return  # compiled by mypyc: the class's own __init__, native
    namespace: dict[str, object] = {}
    parameters: list[str] = []
    lines: list[str] = []
    for spec in fields(cls):
        slot = cls.__dict__.get(spec.name)
        if not spec.init or spec.default_factory is not MISSING or slot is None or not hasattr(slot, "__set__"):
            return
        namespace[f"_set_{spec.name}"] = slot.__set__
        if spec.default is MISSING:
            parameters.append(spec.name)
        else:
            namespace[f"_default_{spec.name}"] = spec.default
            parameters.append(f"{spec.name}=_default_{spec.name}")
        lines.append(f"    _set_{spec.name}(self, {spec.name})")
    if hasattr(cls, "__post_init__") or not lines:
        return
    if own is not None:
        _check_init(cls, own)
    exec(f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(lines), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    init.__doc__ = cls.__init__.__doc__  # type: ignore[misc]
    cls.__init__ = init  # type: ignore[misc]


def _check_init(cls: type, init: Callable[..., None]) -> None:
    """``init`` (the class's own ``__init__``, or the one ``@dataclass`` wrote) takes exactly the dataclass fields of
    ``cls``, in order, each by position or keyword, with their defaults."""
    empty, either = inspect.Parameter.empty, inspect.Parameter.POSITIONAL_OR_KEYWORD
    expected = [(spec.name, either, empty if spec.default is MISSING else spec.default) for spec in fields(cls)]
    written = [(p.name, p.kind, p.default) for p in list(inspect.signature(init).parameters.values())[1:]]
    if written != expected:
        raise TypeError(f"{cls.__qualname__}.__init__ takes {written}, its fields are {expected}")


_SLOT_INIT_CLASSES = (
    SourceRef,
    ClinicalDate,
    DateRange,
    DataGap,
    ExcludedRecord,
    Code,
    PatientFacts,
    TScore,
    ZScore,
    BmdMeasurement,
    DxaStudy,
    VitaminD,
    RenalFunction,
    Creatinine,
    CalciumResult,
    LabResult,
    Fracture,
    ConditionFact,
    CodedStrength,
    DoseEstimate,
    MedicationRecord,
    DrugIntolerance,
    Administration,
    TherapyEpisode,
    TherapyHistory,
    GlucocorticoidExposure,
    DraftOrder,
)
"""The value classes the builder creates per resource (not :class:`ClinicalSnapshot`, one per call)."""
for _value_class in _SLOT_INIT_CLASSES:
    store_fields_through_slots(_value_class)
