"""``build_snapshot``: the only code that reads FHIR fields (with its private ``_*.py`` helpers).

It reads the raw JSON of a :class:`~app.fhir.record.PatientRecord` with small typed accessors (fast, and never
raising on odd shapes), maps codes through the value sets of ``fhir_mappings/``, normalises units, partial dates
and statuses, and returns one immutable :class:`~app.snapshot.model.ClinicalSnapshot`. Everything that cannot
be used becomes a :class:`~app.snapshot.model.DataGap`; nothing raises out of :func:`build_snapshot` for any
input shape (property-tested).

Sources: terminology.md (codes, units, dose arithmetic, pitfalls) and rules.md §1 (inputs, derived variables).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from app.fhir.record import PatientRecord
from app.snapshot._conditions import read_conditions
from app.snapshot._context import BuildContext, source_of, value_sets_of
from app.snapshot._dates import parse_date
from app.snapshot._intolerances import read_intolerances
from app.snapshot._json import CodingKey, Json, codings, get_dict, get_str
from app.snapshot._observations import Coded, lab_concept, read_observations
from app.snapshot._results import read_results, result_kind
from app.snapshot._therapy import read_draft_orders, read_medications
from app.snapshot.model import (
    ClinicalSnapshot,
    DxaStatus,
    GapConcept,
    GapKind,
    PatientFacts,
    RenalFunction,
    RenalKind,
    Sex,
)
from app.snapshot.parameters import SnapshotParameters

if TYPE_CHECKING:
    from app.terminology import CodeSetCatalog

__all__ = ["build_snapshot"]

_MEDICATION_TYPES = frozenset(
    {"MedicationStatement", "MedicationRequest", "MedicationAdministration", "MedicationDispense"}
)
_SEX = {s.value: s for s in Sex}


def build_snapshot(
    record: PatientRecord,
    *,
    catalog: CodeSetCatalog,
    as_of: date,
    parameters: SnapshotParameters,
) -> ClinicalSnapshot:
    """Map one patient's FHIR resources to a :class:`ClinicalSnapshot` on ``as_of``.

    Resources that are not JSON objects are ignored with an UNPARSEABLE gap; unknown resource types are ignored
    silently (the prefetch asks only for what the rules read).
    """
    context = BuildContext(catalog=catalog, as_of=as_of, parameters=parameters)
    for item in record.unavailable:
        context.gap(GapKind.UNAVAILABLE, GapConcept.RESOURCE, f"{item.key} ({item.resource_type}): {item.reason}")

    resources = _objects(record.resources, context)
    observations: list[Json] = []
    conditions: list[Json] = []
    medications: list[Json] = []
    allergies: list[Json] = []
    context.resources = resources
    for resource in resources:
        rtype = resource["resourceType"].strip()  # a string: _objects kept only resources with one
        if rtype == "Observation":
            observations.append(resource)
        elif rtype == "Condition":
            conditions.append(resource)
        elif rtype in _MEDICATION_TYPES:
            medications.append(resource)
        elif rtype == "AllergyIntolerance":
            allergies.append(resource)

    patient = _patient(record.patient, context)

    lab_observations, result_observations = _by_reader(observations, context)
    labs = read_observations(lab_observations, context)
    results = read_results(result_observations, context)
    found = read_conditions(conditions, patient, context)
    meds = read_medications(medications, context)
    intolerances = read_intolerances(allergies, context)
    drafts = _objects(record.draft_orders, context)
    draft_orders, draft_gcs = read_draft_orders(drafts, tuple(record.selections), meds.gc_episodes, context)

    renal = _choose_renal(labs.renal)
    snapshot = ClinicalSnapshot(
        as_of=as_of,
        patient=patient,
        dxa_studies=labs.dxa_studies(forearm_counts=parameters.forearm_t_score_in_lowest),
        vitamin_d_results=tuple(labs.vitamin_d),
        renal_results=tuple(labs.renal),
        renal_function=renal,
        creatinine_results=tuple(labs.creatinine),
        calcium_results=tuple(labs.calcium),
        fractures=tuple(found.fractures),
        pathological_fractures=tuple(found.pathological),
        conditions=tuple(found.conditions),
        therapies=tuple(meds.therapies),
        glucocorticoids=tuple(meds.glucocorticoids) + tuple(draft_gcs),
        draft_orders=tuple(draft_orders),
        z_scores=tuple(results.z_scores),
        lab_results=tuple(results.lab_results),
        intolerances=tuple(intolerances),
        dxa_stale_years=parameters.dxa_stale_years,
        dxa_decision_max_age_months=parameters.dxa_decision_max_age_months,
        lab_max_age_days=parameters.lab_max_age_days,
        vitamin_d_max_age_days=parameters.vitamin_d_max_age_days,
        renal_max_age_days=parameters.renal_max_age_days,
        assume_postmenopausal_age=parameters.assume_postmenopausal_age,
        mof_forearm_min_age=parameters.mof_forearm_min_age,
        therapy_gap_days=parameters.therapy_gap_days,
        days_per_month=parameters.days_per_month,
        days_per_year=parameters.days_per_year,
    )
    _freshness_gaps(snapshot, context)
    # ClinicalSnapshot is frozen: the builder completes it, before anyone else sees it, with the gaps and exclusions
    # collected (the freshness gaps need the snapshot's derived facts), instead of constructing it a second time.
    object.__setattr__(snapshot, "gaps", tuple(context.gaps))
    object.__setattr__(snapshot, "excluded", tuple(context.excluded))
    return snapshot


def _by_reader(observations: list[Json], context: BuildContext) -> tuple[list[Coded], list[Coded]]:
    """Each Observation's code read once, and the Observation handed to the reader(s) of its kind of code: the lab
    and DXA reader (which also reports an Observation without a code), the reader of other results. Observations
    with other codes are not relevant. Both lists keep the record's order."""
    labs: list[Coded] = []
    results: list[Coded] = []
    for observation in observations:
        codes = codings(get_dict(observation, "code"))
        sets, for_labs, for_results = _readers_of(context.catalog, tuple(codes))
        if for_labs:
            labs.append((observation, sets))
        if for_results:
            results.append((observation, sets))
    return labs, results


@functools.lru_cache(maxsize=4096)
def _readers_of(catalog: CodeSetCatalog, codes: tuple[CodingKey, ...]) -> tuple[frozenset[str], bool, bool]:
    """``(value sets, for the lab and DXA reader, for the reader of other results)`` of an Observation code: the
    table from code to reader, filled as codes come (cached for the process: the catalog is immutable)."""
    sets = value_sets_of(catalog, codes)
    return sets, not codes or lab_concept(sets) is not None, result_kind(sets) != (None, None)


def _objects(items: Iterable[object], context: BuildContext) -> list[Json]:
    kept: list[Json] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("resourceType"), str):
            kept.append(item)
        else:
            context.gap(GapKind.UNPARSEABLE, GapConcept.RESOURCE, "item is not a FHIR resource")
    return kept


def _patient(resource: object, context: BuildContext) -> PatientFacts:
    if not isinstance(resource, dict) or get_str(resource, "resourceType") != "Patient":
        context.gap(GapKind.MISSING, GapConcept.PATIENT, "no Patient resource")
        context.gap(GapKind.MISSING, GapConcept.BIRTH_DATE, "no Patient resource")
        context.gap(GapKind.MISSING, GapConcept.SEX, "no Patient resource")
        return PatientFacts(as_of=context.as_of, sex=Sex.UNKNOWN, birth_date=None, source=None)
    source = source_of(resource)
    gender = get_str(resource, "gender")
    sex = _SEX.get(gender or "", Sex.UNKNOWN)
    if gender is None:
        context.gap(GapKind.MISSING, GapConcept.SEX, "Patient.gender absent", source)
    elif gender not in _SEX:
        context.gap(GapKind.UNPARSEABLE, GapConcept.SEX, "Patient.gender not a FHIR code", source)
    raw_birth = get_str(resource, "birthDate")
    birth = parse_date(raw_birth)
    if raw_birth is None:
        context.gap(GapKind.MISSING, GapConcept.BIRTH_DATE, "Patient.birthDate absent", source)
    elif birth is None:
        context.gap(GapKind.UNPARSEABLE, GapConcept.BIRTH_DATE, "Patient.birthDate not a date", source)
    elif birth.earliest > context.as_of:
        context.gap(GapKind.UNPARSEABLE, GapConcept.BIRTH_DATE, "Patient.birthDate after the snapshot date", source)
        birth = None
    elif not birth.is_exact:
        context.gap(GapKind.MISSING, GapConcept.BIRTH_DATE, f"Patient.birthDate partial ({birth.precision})", source)
    return PatientFacts(as_of=context.as_of, sex=sex, birth_date=birth, source=source)


def _choose_renal(results: list[RenalFunction]) -> RenalFunction | None:
    """rules.md D-RENAL: CrCl (Cockcroft–Gault) preferred, eGFR accepted; fresher data wins over the kind."""
    for kind in (RenalKind.CRCL, RenalKind.EGFR):
        fresh = [r for r in results if r.kind is kind and not r.is_stale]
        if fresh:
            return fresh[-1]
    return results[-1] if results else None


def _freshness_gaps(snapshot: ClinicalSnapshot, context: BuildContext) -> None:
    """MISSING / STALE gaps for the inputs most rules need (rules.md §2 freshness parameters)."""
    status = snapshot.dxa_status
    study = snapshot.latest_dxa
    if status is DxaStatus.NONE:
        context.gap(GapKind.MISSING, GapConcept.DXA, "no DXA T-score")
    elif status is DxaStatus.STALE and study is not None:
        context.gap(GapKind.STALE, GapConcept.DXA, f"latest DXA {study.observed} older than the stale limit")
    vitamin_d = snapshot.vitamin_d
    if vitamin_d is None:
        context.gap(GapKind.MISSING, GapConcept.VITAMIN_D, "no 25-OH vitamin D result")
    elif vitamin_d.is_stale:
        context.gap(
            GapKind.STALE, GapConcept.VITAMIN_D, f"latest 25-OH vitamin D {vitamin_d.observed}", vitamin_d.source
        )
    renal = snapshot.renal_function
    if renal is None:
        context.gap(GapKind.MISSING, GapConcept.RENAL_FUNCTION, "no creatinine clearance or eGFR")
    elif renal.is_stale:
        context.gap(GapKind.STALE, GapConcept.RENAL_FUNCTION, f"latest renal function {renal.observed}", renal.source)
    calcium = snapshot.calcium
    if calcium is None:
        context.gap(GapKind.MISSING, GapConcept.CALCIUM, "no calcium result")
    elif calcium.is_stale:
        context.gap(GapKind.STALE, GapConcept.CALCIUM, f"latest calcium {calcium.observed}", calcium.source)
