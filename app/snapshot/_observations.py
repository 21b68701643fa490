"""Observations: DXA T-scores and BMD, 25-OH vitamin D, renal function, creatinine, calcium, albumin.

Status (terminology.md §6.3 pitfall 12; house-style anti-pattern 8): ``final``, ``amended``, ``corrected`` and a
missing status are kept; ``preliminary`` and ``unknown`` are dropped with an UNCONFIRMED gap; ``registered``
(no result yet), ``cancelled`` and ``entered-in-error`` are excluded (not data). Other codes: UNPARSEABLE gap.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from app import valuesets as vs
from app.snapshot._context import BuildContext, source_of
from app.snapshot._dates import effective_date
from app.snapshot._json import Json, codings, get_dict, get_dicts, get_str
from app.snapshot._units import (
    ALBUMIN_REFERENCE_G_PER_L,
    CORRECTION_MMOL_PER_G,
    albumin_g_per_l,
    bmd_g_per_cm2,
    calcium_mmol_per_l,
    creatinine_umol_per_l,
    normalised_unit,
    quantity_value,
    renal_ml_per_min,
    t_score_value,
    vitamin_d_ng_per_ml,
)
from app.snapshot.model import (
    BmdMeasurement,
    BoneSite,
    CalciumKind,
    CalciumResult,
    ClinicalDate,
    Creatinine,
    DxaStudy,
    GapConcept,
    GapKind,
    Interpretation,
    RenalFunction,
    RenalKind,
    SourceRef,
    TScore,
    VitaminD,
)

__all__ = [
    "INTERPRETATION_HIGH",
    "INTERPRETATION_LOW",
    "INTERPRETATION_NORMAL",
    "Coded",
    "ObservationFacts",
    "admitted_by_status",
    "against_range",
    "interpret",
    "lab_concept",
    "read_observations",
]

_KEPT = frozenset({"final", "amended", "corrected"})
_UNCONFIRMED = frozenset({"preliminary", "unknown"})
_NOT_DATA = frozenset({"registered", "cancelled", "entered-in-error"})

_T_SCORE_SETS = (
    (vs.DXA_T_SCORE_LUMBAR_SPINE, BoneSite.LUMBAR_SPINE),
    (vs.DXA_T_SCORE_FEMORAL_NECK, BoneSite.FEMORAL_NECK),
    (vs.DXA_T_SCORE_TOTAL_HIP, BoneSite.TOTAL_HIP),
    (vs.DXA_T_SCORE_FOREARM, BoneSite.FOREARM),
)
_BMD_SETS = (
    (vs.DXA_BMD_LUMBAR_SPINE, BoneSite.LUMBAR_SPINE),
    (vs.DXA_BMD_FEMORAL_NECK, BoneSite.FEMORAL_NECK),
    (vs.DXA_BMD_TOTAL_HIP, BoneSite.TOTAL_HIP),
)
_OLDEST_FIRST = operator.attrgetter("observed.earliest", "observed.latest")
"""Sort key of dated results: oldest first (a partial date by its earliest, then latest possible day)."""
# v3-ObservationInterpretation codes (FHIR R4 core value set).
INTERPRETATION_LOW = frozenset({"L", "LL", "LU", "<"})
INTERPRETATION_HIGH = frozenset({"H", "HH", "HU", ">"})
INTERPRETATION_NORMAL = frozenset({"N"})


@dataclass
class ObservationFacts:
    """What the observations yielded (sorted oldest first by :func:`read_observations`)."""

    t_scores: list[TScore] = field(default_factory=list)
    bmds: list[BmdMeasurement] = field(default_factory=list)
    vitamin_d: list[VitaminD] = field(default_factory=list)
    renal: list[RenalFunction] = field(default_factory=list)
    creatinine: list[Creatinine] = field(default_factory=list)
    calcium: list[CalciumResult] = field(default_factory=list)
    albumin: list[tuple[float, ClinicalDate, SourceRef]] = field(default_factory=list)

    def dxa_studies(self, *, forearm_counts: bool) -> tuple[DxaStudy, ...]:
        """Results grouped by day into studies, oldest first."""
        # Keyed by the day's bounds, which identify a ClinicalDate (and hash without the Python-level hash of the
        # dataclass and its precision enum).
        days: dict[tuple[date, date], tuple[ClinicalDate, list[TScore], list[BmdMeasurement]]] = {}
        for t in self.t_scores:
            days.setdefault((t.observed.earliest, t.observed.latest), (t.observed, [], []))[1].append(t)
        for b in self.bmds:
            days.setdefault((b.observed.earliest, b.observed.latest), (b.observed, [], []))[2].append(b)
        return tuple(DxaStudy(day, tuple(ts), tuple(bs), forearm_counts) for _, (day, ts, bs) in sorted(days.items()))


def interpret(
    observation: Json, value: float, bound: Callable[[Json | None], float | None]
) -> tuple[Interpretation | None, float | None, float | None]:
    """The one reading of an Observation's interpretation, for every Observation reader: the lab's own
    v3-ObservationInterpretation code first; otherwise the value against the first ``referenceRange``
    (:func:`against_range`). ``bound`` reads a range bound in the unit of ``value`` (``None`` when it cannot).
    Returns the interpretation and the two bounds as read."""
    codes = {code for _, code in codings_of_list(get_dicts(observation, "interpretation")) if code}
    low = high = None
    ranges = get_dicts(observation, "referenceRange")
    if ranges:
        low = bound(get_dict(ranges[0], "low"))
        high = bound(get_dict(ranges[0], "high"))
    if codes & INTERPRETATION_LOW:
        return Interpretation.LOW, low, high
    if codes & INTERPRETATION_HIGH:
        return Interpretation.HIGH, low, high
    if codes & INTERPRETATION_NORMAL:
        return Interpretation.NORMAL, low, high
    return against_range(value, low, high), low, high


def against_range(value: float, low: float | None, high: float | None) -> Interpretation | None:
    """A value against a reference range, read safely: beyond a known bound it is LOW / HIGH; it is NORMAL only
    when it is known to lie within the range, i.e. both bounds are known; otherwise unknown (``None``). A
    one-sided range (or a bound we could not read) says nothing about the other side, so "below the upper limit"
    is not "normal": a calcium under a lone upper limit may still be low."""
    if low is not None and value < low:
        return Interpretation.LOW
    if high is not None and value > high:
        return Interpretation.HIGH
    if low is not None and high is not None:
        return Interpretation.NORMAL
    return None


def codings_of_list(concepts: list[Json]) -> list[tuple[str | None, str | None]]:
    """All codings of a list of CodeableConcepts."""
    return [c for concept in concepts for c in codings(concept)]


def admitted_by_status(observation: Json, concept: str, source: SourceRef, context: BuildContext) -> bool:
    """Whether an Observation's status lets it count as a result (final, amended, corrected or no status).

    Statuses that say it is not data (registered, cancelled, entered-in-error) are excluded; preliminary or unknown
    results are an UNCONFIRMED gap; any other status is an UNPARSEABLE gap. Shared by every Observation reader.
    """
    status = get_str(observation, "status")
    if status is None or status in _KEPT:
        return True
    if status in _NOT_DATA:
        context.exclude(observation, f"status {status}")
        return False
    if status in _UNCONFIRMED:
        context.gap(GapKind.UNCONFIRMED, concept, f"observation status {status}", source)
        return False
    context.gap(GapKind.UNPARSEABLE, concept, "unknown observation status", source)
    return False


Coded = tuple[Json, frozenset[str]]
"""An Observation with the value sets its code is in (its code read once, by ``build.py``, for both readers)."""


def read_observations(observations: list[Coded], context: BuildContext) -> ObservationFacts:
    """Turn Observations into lab and DXA facts; everything dropped becomes a gap or an exclusion.

    ``observations`` are those whose code is of a lab or DXA concept (:func:`lab_concept`) or that have no code."""
    facts = ObservationFacts()
    for observation, sets in observations:
        source = source_of(observation)
        concept = lab_concept(sets)
        if concept is None:
            context.gap(GapKind.UNMAPPABLE, GapConcept.OBSERVATION, "observation without a code", source)
            continue
        # The usual status, "final" as written, is admitted without the full reading of the status.
        if observation.get("status") != "final" and not admitted_by_status(observation, concept, source, context):
            continue
        observed = effective_date(observation)
        if observed is None:
            context.gap(GapKind.UNPARSEABLE, concept, "observation without a usable effective date", source)
            continue
        quantity = get_dict(observation, "valueQuantity")
        if quantity is None:
            reason = "data absent" if get_dict(observation, "dataAbsentReason") else "no valueQuantity"
            context.gap(GapKind.UNPARSEABLE, concept, f"observation has {reason}", source)
            continue
        value = quantity_value(quantity)
        unit = normalised_unit(quantity)
        if value is None or not _read_value(concept, sets, value, unit, observed, source, observation, facts, context):
            context.gap(GapKind.UNMAPPABLE, concept, f"value or unit {unit or '(none)'!r} not usable", source)
    for results in (facts.t_scores, facts.bmds, facts.vitamin_d, facts.renal, facts.creatinine, facts.calcium):
        results.sort(key=_OLDEST_FIRST)
    facts.albumin.sort(key=lambda a: (a[1].earliest, a[1].latest))
    _add_computed_corrected_calcium(facts, context)
    return facts


@functools.lru_cache(maxsize=1024)
def lab_concept(sets: frozenset[str]) -> str | None:
    """The lab or DXA concept of an Observation code, from the value sets its codings are in; ``None`` for any
    other code (cached: the sets of value sets are few, one per kind of code, and immutable)."""
    if any(url in sets for url, _ in _T_SCORE_SETS):
        return GapConcept.DXA
    if any(url in sets for url, _ in _BMD_SETS):
        return GapConcept.BMD
    if vs.VITAMIN_D_25OH in sets:
        return GapConcept.VITAMIN_D
    if vs.CREATININE_CLEARANCE in sets or vs.EGFR in sets:
        return GapConcept.RENAL_FUNCTION
    if vs.SERUM_CREATININE in sets:
        return GapConcept.CREATININE
    if vs.CALCIUM_TOTAL in sets or vs.CALCIUM_ALBUMIN_CORRECTED in sets or vs.CALCIUM_IONIZED in sets:
        return GapConcept.CALCIUM
    if vs.ALBUMIN in sets:
        return GapConcept.ALBUMIN
    return None


@functools.lru_cache(maxsize=1024)
def _site(sets: frozenset[str], site_sets: tuple[tuple[str, BoneSite], ...]) -> BoneSite:
    """The site of the first of ``site_sets`` in ``sets`` (cached like :func:`lab_concept`)."""
    return next(site for url, site in site_sets if url in sets)


# The concepts of lab_concept, read once: on Python 3.11 reading an enum member through its class costs more than
# the comparison, and _read_value compares an Observation's concept with up to seven of them.
_DXA, _BMD, _VITAMIN_D, _RENAL_FUNCTION, _CREATININE, _CALCIUM, _ALBUMIN = (
    GapConcept.DXA,
    GapConcept.BMD,
    GapConcept.VITAMIN_D,
    GapConcept.RENAL_FUNCTION,
    GapConcept.CREATININE,
    GapConcept.CALCIUM,
    GapConcept.ALBUMIN,
)


@functools.lru_cache(maxsize=1024)
def _calcium_kind(sets: frozenset[str]) -> CalciumKind:
    """Which calcium a calcium code measures, by its value sets (cached like :func:`lab_concept`)."""
    if vs.CALCIUM_ALBUMIN_CORRECTED in sets:
        return CalciumKind.ALBUMIN_CORRECTED
    if vs.CALCIUM_IONIZED in sets:
        return CalciumKind.IONIZED
    return CalciumKind.TOTAL


def _calcium_bound_mmol(quantity: Json | None, mmol_per_mg: float) -> float | None:
    """A reference-range bound of a calcium result in mmol/L (``None`` when it cannot be read). A module function
    bound with :func:`functools.partial`, not a closure: compiled (mypyc), a closure and its environment refer to each
    other, a reference cycle per calcium result that only the garbage collector frees
    (``tests/feedback/test_reference_cycles.py``)."""
    bound = quantity_value(quantity)
    if bound is None:
        return None
    return calcium_mmol_per_l(bound, normalised_unit(quantity), mmol_per_mg=mmol_per_mg)


def _read_value(
    concept: str,
    sets: frozenset[str],
    value: float,
    unit: str,
    observed: ClinicalDate,
    source: SourceRef,
    observation: Json,
    facts: ObservationFacts,
    context: BuildContext,
) -> bool:
    """Add the result ``value`` (in ``unit``, normalised) to ``facts``; ``False`` when the unit or value is not
    usable for ``concept``."""
    p = context.parameters
    as_of = context.as_of
    if concept == _DXA:
        t_score = t_score_value(value, unit)
        if t_score is None:
            return False
        facts.t_scores.append(TScore(_site(sets, _T_SCORE_SETS), t_score, observed, source))
        return True
    if concept == _BMD:
        bmd = bmd_g_per_cm2(value, unit)
        if bmd is None or bmd <= 0:
            return False
        facts.bmds.append(BmdMeasurement(_site(sets, _BMD_SETS), bmd, observed, source))
        return True
    if concept == _VITAMIN_D:
        ng = vitamin_d_ng_per_ml(value, unit, nmol_per_ng=p.vitamin_d_nmol_per_ng)
        if ng is None or ng < 0:
            return False
        stale = observed.days_elapsed(as_of) > p.vitamin_d_max_age_days
        facts.vitamin_d.append(VitaminD(ng, ng * p.vitamin_d_nmol_per_ng, observed, source, stale))
        return True
    if concept == _RENAL_FUNCTION:
        ml = renal_ml_per_min(value, unit)
        if ml is None or ml < 0:
            return False
        renal_kind = RenalKind.CRCL if vs.CREATININE_CLEARANCE in sets else RenalKind.EGFR
        stale = observed.days_elapsed(as_of) > p.renal_max_age_days
        facts.renal.append(RenalFunction(renal_kind, ml, observed, source, stale))
        return True
    if concept == _CREATININE:
        umol = creatinine_umol_per_l(value, unit, umol_per_mg=p.creatinine_umol_per_mg)
        if umol is None or umol <= 0:
            return False
        facts.creatinine.append(Creatinine(umol, umol / p.creatinine_umol_per_mg, observed, source))
        return True
    if concept == _CALCIUM:
        mmol = calcium_mmol_per_l(value, unit, mmol_per_mg=p.calcium_mmol_per_mg)
        if mmol is None or mmol <= 0:
            return False
        to_mmol = functools.partial(_calcium_bound_mmol, mmol_per_mg=p.calcium_mmol_per_mg)
        interpretation, low, high = interpret(observation, mmol, to_mmol)
        stale = observed.days_elapsed(as_of) > p.lab_max_age_days
        facts.calcium.append(
            CalciumResult(
                _calcium_kind(sets),
                mmol,
                mmol / p.calcium_mmol_per_mg,
                observed,
                source,
                interpretation,
                low,
                high,
                is_stale=stale,
            )
        )
        return True
    if concept == _ALBUMIN:
        grams = albumin_g_per_l(value, unit)
        if grams is None or grams <= 0:
            return False
        facts.albumin.append((grams, observed, source))
        return True
    return False


def _add_computed_corrected_calcium(facts: ObservationFacts, context: BuildContext) -> None:
    """terminology.md §3.3: only when the lab did not report a corrected calcium that day, and only with an
    albumin of the same (exact) day: corrected = Ca + 0.02 × (40 − albumin g/L)."""
    p = context.parameters
    albumin_by_day = {day: (grams, source) for grams, day, source in facts.albumin if day.is_exact}
    if not albumin_by_day:
        return
    reported = {c.observed for c in facts.calcium if c.kind is CalciumKind.ALBUMIN_CORRECTED}
    computed: list[CalciumResult] = []
    for total in facts.calcium:
        if total.kind is not CalciumKind.TOTAL or total.observed in reported:
            continue
        albumin = albumin_by_day.get(total.observed)
        if albumin is None:
            continue
        grams, albumin_source = albumin
        corrected = total.mmol_per_l + CORRECTION_MMOL_PER_G * (ALBUMIN_REFERENCE_G_PER_L - grams)
        computed.append(
            CalciumResult(
                CalciumKind.ALBUMIN_CORRECTED,
                corrected,
                corrected / p.calcium_mmol_per_mg,
                total.observed,
                total.source,
                against_range(corrected, total.reference_low_mmol_per_l, total.reference_high_mmol_per_l),
                total.reference_low_mmol_per_l,
                total.reference_high_mmol_per_l,
                computed_from_albumin=True,
                albumin_source=albumin_source,
                is_stale=total.is_stale,
            )
        )
    if computed:
        facts.calcium.extend(computed)
        facts.calcium.sort(key=_OLDEST_FIRST)
