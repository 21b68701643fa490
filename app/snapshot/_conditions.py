"""Conditions: fractures (site, date, vertebral grade, BBC MOF, recency) and the conditions the rules need.

Status (house-style anti-pattern 8): ``verificationStatus`` refuted / entered-in-error → excluded. Every other
condition is kept with its clinical and verification status (a resolved MI is still a history of MI).
A condition coded only in text (no coding) is an UNMAPPABLE gap; a coded condition outside our value sets is
simply not relevant.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from app import valuesets as vs
from app.snapshot._context import BuildContext, source_of
from app.snapshot._dates import choice_date, parse_date
from app.snapshot._json import Json, concept_texts, get_dict, get_dicts, get_number, get_str, status_code
from app.snapshot._units import normalised_unit
from app.snapshot.model import (
    ClinicalDate,
    ConditionFact,
    ConditionKind,
    ConditionStatus,
    DatePrecision,
    Fracture,
    FractureSite,
    GapConcept,
    GapKind,
    PatientFacts,
    VerificationStatus,
    add_years,
    shift_days,
)

__all__ = ["NOT_DATA_VERIFICATION", "ConditionResults", "read_conditions"]

# Checked in order: hip before femur (a "fracture of femur" parent must not hide a hip code).
_SITE_SETS = (
    (vs.FRACTURE_VERTEBRAL, FractureSite.VERTEBRAL),
    (vs.FRACTURE_HIP, FractureSite.HIP),
    (vs.FRACTURE_FEMUR, FractureSite.FEMUR),
    (vs.FRACTURE_PELVIS, FractureSite.PELVIS),
    (vs.FRACTURE_HUMERUS, FractureSite.HUMERUS),
    (vs.FRACTURE_FOREARM, FractureSite.FOREARM),
    (vs.FRACTURE_RIB, FractureSite.RIB),
    (vs.FRACTURE_TIBIA_FIBULA, FractureSite.TIBIA_FIBULA),
    (vs.FRACTURE_OTHER, FractureSite.OTHER),
)
_MOF_SITES = frozenset(
    {FractureSite.VERTEBRAL, FractureSite.PELVIS, FractureSite.HIP, FractureSite.FEMUR, FractureSite.HUMERUS}
)


def _condition_sets() -> tuple[tuple[str, ConditionKind], ...]:
    """The value sets of the conditions the rules read; optional sets are used only when A1's catalog has them."""
    pairs: list[tuple[str, ConditionKind]] = [
        (vs.OSTEOPOROSIS, ConditionKind.OSTEOPOROSIS),
        (vs.MYOCARDIAL_INFARCTION, ConditionKind.MYOCARDIAL_INFARCTION),
        (vs.STROKE, ConditionKind.STROKE),
        (vs.TIA, ConditionKind.TIA),
        (vs.VENOUS_THROMBOEMBOLISM, ConditionKind.VENOUS_THROMBOEMBOLISM),
        (vs.CHRONIC_KIDNEY_DISEASE, ConditionKind.CHRONIC_KIDNEY_DISEASE),
        (vs.HYPOCALCAEMIA, ConditionKind.HYPOCALCAEMIA),
        (vs.VITAMIN_D_DEFICIENCY, ConditionKind.VITAMIN_D_DEFICIENCY),
    ]
    for name, kind in (
        ("RHEUMATOID_ARTHRITIS", ConditionKind.RHEUMATOID_ARTHRITIS),
        ("OSTEONECROSIS_OF_JAW", ConditionKind.OSTEONECROSIS_OF_JAW),
        ("ATYPICAL_FEMORAL_FRACTURE", ConditionKind.ATYPICAL_FEMORAL_FRACTURE),
        ("HYPERPARATHYROIDISM", ConditionKind.HYPERPARATHYROIDISM),
        ("CHRONIC_KIDNEY_DISEASE_STAGE_4_5", ConditionKind.CHRONIC_KIDNEY_DISEASE_STAGE_4_5),
        ("OSTEOPENIA", ConditionKind.OSTEOPENIA),
        ("CALCIUM_METABOLISM_DISORDER", ConditionKind.CALCIUM_METABOLISM_DISORDER),
        ("GLUCOCORTICOID_EXPOSURE_CODED", ConditionKind.LONG_TERM_GLUCOCORTICOID_USE),
        ("LONG_TERM_BISPHOSPHONATE_USE", ConditionKind.LONG_TERM_BISPHOSPHONATE_USE),
    ):
        url = getattr(vs, name, None)
        if isinstance(url, str):
            pairs.append((url, kind))
    return tuple(pairs)


_CONDITION_SETS = _condition_sets()

_CLINICAL = {s.value: s for s in ConditionStatus}
_VERIFICATION = {s.value: s for s in VerificationStatus}
NOT_DATA_VERIFICATION = frozenset({"refuted", "entered-in-error"})
"""``verificationStatus`` codes saying a record is not data: the same codes for Condition and AllergyIntolerance."""

# Genant grade stated in stage/severity text (rules.md D-VF). No grade code list is verified (terminology.md §7),
# so only an explicit "grade/graad/Genant N" in text or display is read.
_GRADE = re.compile(r"\b(?:genant\s*)?(?:grade|graad|gr\.?)\s*([123])\b|\bgenant\s*([123])\b", re.IGNORECASE)


@dataclass
class ConditionResults:
    """Facts from the Condition resources."""

    fractures: list[Fracture] = field(default_factory=list)
    pathological: list[Fracture] = field(default_factory=list)
    conditions: list[ConditionFact] = field(default_factory=list)


def _onset(condition: Json, patient: PatientFacts) -> ClinicalDate | None:
    start, end = choice_date(condition, "onset")
    if start is not None:
        return start
    if end is not None:
        return end
    onset_age = get_dict(condition, "onsetAge")
    years = get_number(onset_age, "value")
    if years is not None and patient.birth_date is not None and normalised_unit(onset_age) in ("a", "year", "years"):
        whole = int(years)
        if whole != years or not 0 <= whole <= 150:
            return None
        born = patient.birth_date
        earliest = add_years(born.earliest, whole)
        latest = shift_days(add_years(born.latest, whole + 1), -1)
        return ClinicalDate(earliest, latest, DatePrecision.YEAR)
    return parse_date(get_str(condition, "onsetString"))


def _grade(condition: Json) -> int | None:
    texts: list[str] = []
    for stage in get_dicts(condition, "stage"):
        texts += concept_texts(get_dict(stage, "summary"))
    texts += concept_texts(get_dict(condition, "severity"))
    for text in texts:
        match = _GRADE.search(text)
        if match:
            return int(match.group(1) or match.group(2))
    return None


def _age_at(patient: PatientFacts, when: ClinicalDate | None) -> int | None:
    if when is None:
        return None
    youngest = patient.age_on(when.earliest)
    oldest = patient.age_on(when.latest)
    return youngest if youngest is not None and youngest == oldest else None


_Meaning = tuple[FractureSite | None, bool, bool, tuple[ConditionKind, ...], bool]


@functools.lru_cache(maxsize=1024)
def _meaning(sets: frozenset[str]) -> _Meaning:
    """``(fracture site, osteoporotic, pathological, condition kinds, is a fracture)`` of a Condition code, from the
    value sets its codings are in (cached: the sets of value sets are few, one per kind of code, and immutable)."""
    site = next((s for url, s in _SITE_SETS if url in sets), None)
    # fragility-fractures is the union of every site set and osteoporosis-with-fracture; the latter codes are
    # explicitly osteoporotic (terminology.md §4.2: "M80/osteoporotic SNOMED codes are fragility fractures").
    osteoporotic = vs.OSTEOPOROSIS_WITH_FRACTURE in sets
    pathological = vs.FRACTURE_PATHOLOGICAL in sets and not osteoporotic
    kinds = tuple(kind for url, kind in _CONDITION_SETS if url in sets)
    is_fracture = site is not None or pathological or vs.FRAGILITY_FRACTURES in sets
    return site, osteoporotic, pathological, kinds, is_fracture


def read_conditions(conditions: list[Json], patient: PatientFacts, context: BuildContext) -> ConditionResults:
    """Turn Conditions into fractures and condition facts."""
    results = ConditionResults()
    p = context.parameters
    for condition in conditions:
        codes, sets = context.coded(get_dict(condition, "code"))
        if not codes:
            source = source_of(condition)
            if concept_texts(get_dict(condition, "code")):
                context.gap(GapKind.UNMAPPABLE, GapConcept.CONDITION, "condition coded in text only", source)
            else:
                context.gap(GapKind.UNPARSEABLE, GapConcept.CONDITION, "condition without a code", source)
            continue
        site, osteoporotic, pathological, kinds, is_fracture = _meaning(sets)
        if not is_fracture and not kinds:
            continue
        source = source_of(condition)
        verification_code = status_code(get_dict(condition, "verificationStatus"))
        if verification_code in NOT_DATA_VERIFICATION:
            context.exclude(condition, f"verification status {verification_code}")
            continue
        clinical_code = status_code(get_dict(condition, "clinicalStatus")) or "unknown"
        clinical = _CLINICAL.get(clinical_code, ConditionStatus.UNKNOWN)
        verification = _VERIFICATION.get(verification_code or "unknown", VerificationStatus.UNKNOWN)
        onset = _onset(condition, patient)
        recorded = parse_date(get_str(condition, "recordedDate"))
        for kind in kinds:
            results.conditions.append(ConditionFact(kind, onset, source, clinical, verification, recorded))
        if not is_fracture:
            continue
        if onset is None:
            detail = "fracture without onset date" + (f" (recorded {recorded})" if recorded else "")
            context.gap(GapKind.MISSING, GapConcept.FRACTURE, detail, source)
        site = site or FractureSite.OTHER
        age = _age_at(patient, onset)
        if site in _MOF_SITES:
            mof: bool | None = True
        elif site is FractureSite.FOREARM:
            mof = None if age is None else age >= p.mof_forearm_min_age
        else:
            mof = False
        fracture = Fracture(
            site=site,
            date=onset,
            source=source,
            age_at_fracture=age,
            is_major_osteoporotic=mof,
            vertebral_grade=_grade(condition) if site is FractureSite.VERTEBRAL else None,
            is_fragility_coded=osteoporotic,
            recorded=recorded,
            clinical_status=clinical,
            verification=verification,
        )
        (results.pathological if pathological else results.fractures).append(fracture)
    key = _date_key
    results.fractures.sort(key=key)
    results.pathological.sort(key=key)
    return results


def _date_key(fracture: Fracture) -> tuple[date, date]:
    when = fracture.date or fracture.recorded
    if when is None:
        return (date.min, date.min)
    return (when.earliest, when.latest)
