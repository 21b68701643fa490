"""FHIR R4 resource builders for tests: keyword-only arguments, sensible defaults, plain JSON dicts out.

State only what matters to the test::

    patient(birth_date="1950-06-01", gender="female")
    dxa_t_score(site="lumbar-spine", value=-2.7, on="2023-04-01")
    vitamin_d(value=50, unit="nmol/L", on="2025-01-10")
    fracture(site="hip", on="2024-03-02")
    prednisone_statement(mg_per_day=10, start="2025-01-01")
    medication_request(medication=rxnorm("904431", "alendronic acid 70 MG Oral Tablet"),
                       dosage=[dosage(dose=1, unit="tablet", frequency=1, period=1, period_unit="wk")])
    search_bundle(*resources)

Codes used as defaults are the verified ones of terminology.md (LOINC, SNOMED CT, RxNorm, ATC). Every builder
takes ``id=`` (a fresh id is generated otherwise) and returns a new dict each call.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ATC",
    "DENOSUMAB_60MG",
    "PREDNISONE_5MG",
    "ZOLEDRONATE_5MG",
    "GSTD_GPK",
    "ICD10",
    "ICD10_CM",
    "LOINC",
    "RXNORM",
    "SNOMED",
    "UCUM",
    "albumin",
    "allergy_intolerance",
    "atc",
    "calcium",
    "coding",
    "concept",
    "condition",
    "contained_reference",
    "creatinine",
    "creatinine_clearance",
    "denosumab_injection",
    "dosage",
    "draft_medication_request",
    "dxa_bmd",
    "dxa_t_score",
    "loinc_dxa_order",
    "egfr",
    "fracture",
    "medication",
    "medication_administration",
    "medication_dispense",
    "medication_request",
    "medication_statement",
    "observation",
    "oral_bisphosphonate_intolerance",
    "patient",
    "prednisone_statement",
    "quantity",
    "reference",
    "rxnorm",
    "search_bundle",
    "service_request",
    "snomed",
    "vitamin_d",
    "zoledronate_infusion",
]

Json = dict[str, Any]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
GSTD_GPK = "urn:oid:2.16.840.1.113883.2.4.4.1"

_ids = itertools.count(1)


def _id(prefix: str, given: str | None) -> str:
    return given if given is not None else f"{prefix}-{next(_ids)}"


def _drop_none(resource: Mapping[str, Any]) -> Json:
    return {key: value for key, value in resource.items() if value is not None}


# --- datatypes ----------------------------------------------------------------------------------------------------


def coding(*, system: str | None, code: str, display: str | None = None) -> Json:
    """A Coding."""
    return _drop_none({"system": system, "code": code, "display": display})


def concept(*codings: Json, text: str | None = None) -> Json:
    """A CodeableConcept of the given codings (and optional text)."""
    return _drop_none({"coding": list(codings) or None, "text": text})


def snomed(code: str, display: str | None = None) -> Json:
    """A SNOMED CT CodeableConcept."""
    return concept(coding(system=SNOMED, code=code, display=display))


def rxnorm(code: str, display: str | None = None) -> Json:
    """An RxNorm CodeableConcept."""
    return concept(coding(system=RXNORM, code=code, display=display))


def atc(code: str, display: str | None = None) -> Json:
    """An ATC CodeableConcept."""
    return concept(coding(system=ATC, code=code, display=display))


def quantity(
    *, value: float | None, unit: str | None = None, code: str | None = None, system: str | None = None
) -> Json:
    """A Quantity. ``code`` defaults to ``unit`` with the UCUM system when a unit is given; pass ``unit=None``
    for Synthea's bare ``{"value": n}``."""
    if unit is not None and code is None:
        code = unit
    if code is not None and system is None:
        system = UCUM
    return _drop_none({"value": value, "unit": unit, "system": system, "code": code})


def reference(target: Mapping[str, Any]) -> Json:
    """A Reference ``Type/id`` to a built resource."""
    return {"reference": f"{target['resourceType']}/{target['id']}"}


def contained_reference(target: Mapping[str, Any]) -> Json:
    """A Reference ``#id`` to a contained resource."""
    return {"reference": f"#{target['id']}"}


# --- Patient --------------------------------------------------------------------------------------------------------


def patient(
    *, id: str | None = "patient-1", birth_date: str | None = "1950-06-01", gender: str | None = "female"
) -> Json:
    """A Patient (``birth_date`` may be partial: ``"1950"``, ``"1950-06"``)."""
    return _drop_none({"resourceType": "Patient", "id": id, "birthDate": birth_date, "gender": gender})


# --- Observations ---------------------------------------------------------------------------------------------------


def observation(
    *,
    code: str,
    system: str | None = LOINC,
    display: str | None = None,
    value: float | None = None,
    unit: str | None = None,
    ucum: str | None = None,
    on: str | None = "2025-01-15",
    status: str | None = "final",
    id: str | None = None,
    patient_id: str = "patient-1",
    interpretation: str | None = None,
    reference_range: tuple[float | None, float | None] | None = None,
    value_quantity: Json | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Json:
    """An Observation with a ``valueQuantity`` (``value=None`` and no ``value_quantity`` gives no value)."""
    resource: Json = {
        "resourceType": "Observation",
        "id": _id("obs", id),
        "status": status,
        "code": concept(coding(system=system, code=code, display=display)),
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": on,
    }
    if value_quantity is not None:
        resource["valueQuantity"] = value_quantity
    elif value is not None:
        resource["valueQuantity"] = quantity(value=value, unit=unit, code=ucum)
    if interpretation is not None:
        resource["interpretation"] = [
            concept(
                coding(system="http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code=interpretation)
            )
        ]
    if reference_range is not None:
        low, high = reference_range
        resource["referenceRange"] = [
            _drop_none(
                {
                    "low": None if low is None else quantity(value=low, unit=unit, code=ucum),
                    "high": None if high is None else quantity(value=high, unit=unit, code=ucum),
                }
            )
        ]
    resource.update(extra or {})
    return _drop_none(resource)


_T_SCORE_CODES = {
    "lumbar-spine": "38267-1",
    "femoral-neck": "38263-0",
    "femur": "38263-0",
    "total-hip": "38264-8",
    "hip-left": "80946-7",
    "hip-right": "80945-9",
    "forearm": "38265-5",
}
_BMD_CODES = {"lumbar-spine": "24966-4", "femoral-neck": "24701-5", "total-hip": "38261-4"}


def dxa_t_score(
    *,
    site: str = "lumbar-spine",
    value: float = -2.7,
    on: str | None = "2025-01-15",
    unit: str | None = "{T-score}",
    **kw: Any,
) -> Json:
    """A DXA T-score Observation (terminology.md §1.1: lumbar spine 38267-1, femur 38263-0, hip 38264-8,
    forearm 38265-5; ``site`` may also be ``hip-left`` / ``hip-right``)."""
    return observation(code=_T_SCORE_CODES[site], value=value, unit=unit, on=on, **kw)


def dxa_bmd(
    *,
    site: str = "lumbar-spine",
    g_per_cm2: float = 0.85,
    on: str | None = "2025-01-15",
    unit: str = "g/cm2",
    **kw: Any,
) -> Json:
    """A DXA BMD Observation in g/cm² (terminology.md §1.3)."""
    return observation(code=_BMD_CODES[site], value=g_per_cm2, unit=unit, on=on, **kw)


def vitamin_d(
    *, value: float = 30, unit: str | None = "ng/mL", on: str | None = "2025-01-15", code: str = "62292-8", **kw: Any
) -> Json:
    """A 25-OH vitamin D Observation (terminology.md §2; default total 25(OH)D 62292-8)."""
    return observation(code=code, value=value, unit=unit, on=on, **kw)


def egfr(
    *,
    value: float = 60,
    on: str | None = "2025-01-15",
    code: str = "98979-8",
    unit: str = "mL/min/{1.73_m2}",
    **kw: Any,
) -> Json:
    """An eGFR Observation (terminology.md §3.1, CKD-EPI 2021 by default)."""
    return observation(code=code, value=value, unit=unit, on=on, **kw)


def creatinine_clearance(*, value: float = 60, on: str | None = "2025-01-15", unit: str = "mL/min", **kw: Any) -> Json:
    """A creatinine clearance Observation (LOINC 2164-2, terminology.md §3.2)."""
    return observation(code="2164-2", value=value, unit=unit, on=on, **kw)


def creatinine(*, value: float = 80, unit: str = "umol/L", on: str | None = "2025-01-15", **kw: Any) -> Json:
    """A serum creatinine Observation: 14682-9 for µmol/L, 2160-0 for mg/dL (terminology.md §3.2)."""
    code = "2160-0" if unit.lower() == "mg/dl" else "14682-9"
    return observation(code=code, value=value, unit=unit, on=on, **kw)


_CALCIUM_CODES = {
    ("total", "mmol/l"): "2000-8",
    ("total", "mg/dl"): "17861-6",
    ("corrected", "mmol/l"): "29265-6",
    ("ionized", "mmol/l"): "1995-0",
}


def calcium(
    *,
    value: float = 2.35,
    unit: str = "mmol/L",
    kind: str = "total",
    on: str | None = "2025-01-15",
    reference_range: tuple[float | None, float | None] | None = None,
    interpretation: str | None = None,
    **kw: Any,
) -> Json:
    """A calcium Observation (``kind`` total / corrected / ionized; terminology.md §3.3)."""
    code = _CALCIUM_CODES[(kind, unit.lower())]
    return observation(
        code=code, value=value, unit=unit, on=on, reference_range=reference_range, interpretation=interpretation, **kw
    )


def albumin(*, value: float = 40, unit: str = "g/L", on: str | None = "2025-01-15", **kw: Any) -> Json:
    """An albumin Observation (LOINC 1751-7)."""
    return observation(code="1751-7", value=value, unit=unit, on=on, **kw)


# --- Conditions -----------------------------------------------------------------------------------------------------


def condition(
    *,
    code: str,
    system: str = SNOMED,
    display: str | None = None,
    onset: str | None = None,
    recorded: str | None = None,
    clinical_status: str | None = "active",
    verification_status: str | None = "confirmed",
    id: str | None = None,
    patient_id: str = "patient-1",
    stage: str | None = None,
    text_only: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Json:
    """A Condition. ``text_only`` gives a code with text and no coding."""
    code_concept = {"text": text_only} if text_only else concept(coding(system=system, code=code, display=display))
    resource: Json = {
        "resourceType": "Condition",
        "id": _id("cond", id),
        "code": code_concept,
        "subject": {"reference": f"Patient/{patient_id}"},
        "onsetDateTime": onset,
        "recordedDate": recorded,
    }
    if clinical_status is not None:
        resource["clinicalStatus"] = concept(
            coding(system="http://terminology.hl7.org/CodeSystem/condition-clinical", code=clinical_status)
        )
    if verification_status is not None:
        resource["verificationStatus"] = concept(
            coding(system="http://terminology.hl7.org/CodeSystem/condition-ver-status", code=verification_status)
        )
    if stage is not None:
        resource["stage"] = [{"summary": {"text": stage}}]
    resource.update(extra or {})
    return _drop_none(resource)


_FRACTURE_CODES = {
    "hip": ("359817006", "Closed fracture of hip"),
    "vertebral": ("11311601000119109", "Osteoporotic fracture of vertebra"),
    "forearm": ("65966004", "Fracture of forearm"),
    "humerus": ("704335006", "Osteoporotic fracture of humerus"),
    "pelvis": ("77493009", "Fracture of pelvis"),
    "rib": ("33737001", "Fracture of rib"),
    "femur": ("71620000", "Fracture of femur"),
    "pathological": ("268029009", "Pathological fracture"),
    "osteoporotic": ("443165006", "Osteoporotic fracture of bone"),
}


def fracture(*, site: str = "hip", on: str | None = "2024-03-02", **kw: Any) -> Json:
    """A fracture Condition coded in SNOMED CT for ``site`` (hip, vertebral, forearm, humerus, pelvis, rib, femur,
    pathological, osteoporotic)."""
    code, display = _FRACTURE_CODES[site]
    return condition(code=code, display=display, onset=on, **kw)


# --- Medications ----------------------------------------------------------------------------------------------------


def dosage(
    *,
    dose: float | None = None,
    unit: str | None = "mg",
    ucum: str | None = None,
    dose_range: tuple[float, float] | None = None,
    frequency: float | None = 1,
    period: float | None = 1,
    period_unit: str | None = "d",
    frequency_max: float | None = None,
    period_max: float | None = None,
    time_of_day: Sequence[str] | None = None,
    when: Sequence[str] | None = None,
    day_of_week: Sequence[str] | None = None,
    count: int | None = None,
    timing_code: str | None = None,
    text: str | None = None,
    as_needed: bool | None = None,
    sequence: int | None = None,
    bounds_duration: tuple[float, str] | None = None,
    bounds_period: tuple[str | None, str | None] | None = None,
    route: str | None = None,
    no_timing: bool = False,
) -> Json:
    """A Dosage. ``unit=None`` gives Synthea's unitless ``doseQuantity``; ``no_timing`` drops the timing."""
    result: Json = {}
    if text is not None:
        result["text"] = text
    if sequence is not None:
        result["sequence"] = sequence
    if as_needed is not None:
        result["asNeededBoolean"] = as_needed
    if route is not None:
        result["route"] = {"text": route}
    if dose is not None:
        result["doseAndRate"] = [{"doseQuantity": quantity(value=dose, unit=unit, code=ucum)}]
    elif dose_range is not None:
        result["doseAndRate"] = [
            {
                "doseRange": {
                    "low": quantity(value=dose_range[0], unit=unit, code=ucum),
                    "high": quantity(value=dose_range[1], unit=unit, code=ucum),
                }
            }
        ]
    if not no_timing:
        repeat = _drop_none(
            {
                "frequency": frequency,
                "frequencyMax": frequency_max,
                "period": period,
                "periodMax": period_max,
                "periodUnit": period_unit if period is not None else None,
                "timeOfDay": list(time_of_day) if time_of_day else None,
                "when": list(when) if when else None,
                "dayOfWeek": list(day_of_week) if day_of_week else None,
                "count": count,
            }
        )
        if bounds_duration is not None:
            repeat["boundsDuration"] = quantity(value=bounds_duration[0], unit=bounds_duration[1])
        if bounds_period is not None:
            repeat["boundsPeriod"] = _drop_none({"start": bounds_period[0], "end": bounds_period[1]})
        timing: Json = {}
        if repeat:
            timing["repeat"] = repeat
        if timing_code is not None:
            timing["code"] = {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation", "code": timing_code}]
            }
        if timing:
            result["timing"] = timing
    return result


def medication(
    *,
    code: Json,
    id: str | None = None,
    strength_mg: float | None = None,
    per: str = "tablet",
    per_value: float = 1,
) -> Json:
    """A Medication with ``code`` and, optionally, one ingredient strength (``strength_mg`` per ``per_value``
    ``per``; ``per="mL"`` for liquids)."""
    resource: Json = {"resourceType": "Medication", "id": _id("med", id), "code": code}
    if strength_mg is not None:
        resource["ingredient"] = [
            {
                "itemCodeableConcept": code,
                "isActive": True,
                "strength": {
                    "numerator": quantity(value=strength_mg, unit="mg"),
                    "denominator": quantity(value=per_value, unit=per, code="mL" if per == "mL" else "1"),
                },
            }
        ]
    return resource


def _medication_choice(resource: Json, medication: Json | None, medication_ref: Json | None) -> None:
    if medication_ref is not None:
        resource["medicationReference"] = medication_ref
    elif medication is not None:
        resource["medicationCodeableConcept"] = medication


def medication_statement(
    *,
    medication: Json | None = None,
    medication_ref: Json | None = None,
    status: str = "active",
    start: str | None = "2024-01-01",
    end: str | None = None,
    effective_date: str | None = None,
    dosages: Sequence[Json] = (),
    id: str | None = None,
    contained: Sequence[Json] = (),
    patient_id: str = "patient-1",
) -> Json:
    """A MedicationStatement: ``effectivePeriod`` from ``start``/``end``, or ``effectiveDateTime`` when
    ``effective_date`` is given."""
    resource: Json = {
        "resourceType": "MedicationStatement",
        "id": _id("ms", id),
        "status": status,
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    _medication_choice(resource, medication, medication_ref)
    if effective_date is not None:
        resource["effectiveDateTime"] = effective_date
    elif start is not None or end is not None:
        resource["effectivePeriod"] = _drop_none({"start": start, "end": end})
    if dosages:
        resource["dosage"] = list(dosages)
    if contained:
        resource["contained"] = list(contained)
    return resource


def medication_request(
    *,
    medication: Json | None = None,
    medication_ref: Json | None = None,
    status: str = "active",
    intent: str = "order",
    authored_on: str | None = "2025-01-01",
    dosages: Sequence[Json] = (),
    expected_supply_days: float | None = None,
    repeats: int | None = None,
    dispense_quantity: tuple[float, str | None] | None = None,
    do_not_perform: bool | None = None,
    id: str | None = None,
    contained: Sequence[Json] = (),
    patient_id: str = "patient-1",
) -> Json:
    """A MedicationRequest (``dosageInstruction`` from ``dosages``; dispenseRequest from the supply arguments)."""
    resource: Json = {
        "resourceType": "MedicationRequest",
        "id": _id("mr", id),
        "status": status,
        "intent": intent,
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    _medication_choice(resource, medication, medication_ref)
    if authored_on is not None:
        resource["authoredOn"] = authored_on
    if dosages:
        resource["dosageInstruction"] = list(dosages)
    dispense: Json = {}
    if expected_supply_days is not None:
        dispense["expectedSupplyDuration"] = quantity(value=expected_supply_days, unit="d")
    if repeats is not None:
        dispense["numberOfRepeatsAllowed"] = repeats
    if dispense_quantity is not None:
        dispense["quantity"] = quantity(value=dispense_quantity[0], unit=dispense_quantity[1])
    if dispense:
        resource["dispenseRequest"] = dispense
    if do_not_perform is not None:
        resource["doNotPerform"] = do_not_perform
    if contained:
        resource["contained"] = list(contained)
    return resource


def draft_medication_request(**kw: Any) -> Json:
    """A MedicationRequest as found in ``context.draftOrders`` (status ``draft`` unless given)."""
    kw.setdefault("status", "draft")
    kw.setdefault("authored_on", None)
    return medication_request(**kw)


def draft_prednisone_order(*, mg_per_day: float = 10, supply_days: float | None = 180, **kw: Any) -> Json:
    """The draft order of the glucocorticoid vignettes: prednisone ``mg_per_day`` (5 mg tablets) for ``supply_days``."""
    return draft_medication_request(
        id="draft-pred",
        medication=PREDNISONE_5MG,
        dosages=[dosage(dose=mg_per_day, unit="mg", ucum="mg")],
        expected_supply_days=supply_days,
        **kw,
    )


def medication_administration(
    *,
    medication: Json | None = None,
    medication_ref: Json | None = None,
    on: str | None = "2025-01-15",
    status: str = "completed",
    id: str | None = None,
    patient_id: str = "patient-1",
) -> Json:
    """A MedicationAdministration on one date."""
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "id": _id("ma", id),
        "status": status,
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    _medication_choice(resource, medication, medication_ref)
    if on is not None:
        resource["effectiveDateTime"] = on
    return resource


def medication_dispense(
    *,
    medication: Json | None = None,
    medication_ref: Json | None = None,
    handed_over: str | None = "2025-01-15",
    days_supply: float | None = None,
    dispense_quantity: tuple[float, str | None] | None = None,
    dosages: Sequence[Json] = (),
    status: str = "completed",
    id: str | None = None,
    patient_id: str = "patient-1",
) -> Json:
    """A MedicationDispense."""
    resource: Json = {
        "resourceType": "MedicationDispense",
        "id": _id("md", id),
        "status": status,
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    _medication_choice(resource, medication, medication_ref)
    if handed_over is not None:
        resource["whenHandedOver"] = handed_over
    if days_supply is not None:
        resource["daysSupply"] = quantity(value=days_supply, unit="d")
    if dispense_quantity is not None:
        resource["quantity"] = quantity(value=dispense_quantity[0], unit=dispense_quantity[1])
    if dosages:
        resource["dosageInstruction"] = list(dosages)
    return resource


# --- AllergyIntolerance ---------------------------------------------------------------------------------------------


def allergy_intolerance(
    *,
    code: Json | None = None,
    substance: Json | None = None,
    type: str | None = "intolerance",
    onset: str | None = None,
    recorded: str | None = "2025-01-15",
    manifestation: str | None = "Upper abdominal pain",
    clinical_status: str | None = "active",
    verification_status: str | None = "confirmed",
    id: str | None = None,
    patient_id: str = "patient-1",
) -> Json:
    """An AllergyIntolerance for ``code`` (a CodeableConcept, e.g. ``atc("M05BA04")``), optionally with a
    ``reaction.substance``. ``manifestation`` is a text-only reaction manifestation (terminology.md has no
    manifestation codes)."""
    resource: Json = {
        "resourceType": "AllergyIntolerance",
        "id": _id("ai", id),
        "patient": {"reference": f"Patient/{patient_id}"},
        "type": type,
        "category": ["medication"],
        "code": code,
        "onsetDateTime": onset,
        "recordedDate": recorded,
    }
    if clinical_status is not None:
        resource["clinicalStatus"] = concept(
            coding(system="http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code=clinical_status)
        )
    if verification_status is not None:
        resource["verificationStatus"] = concept(
            coding(
                system="http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                code=verification_status,
            )
        )
    reaction: Json = {}
    if substance is not None:
        reaction["substance"] = substance
    if manifestation is not None:
        reaction["manifestation"] = [{"text": manifestation}]
    if reaction:
        resource["reaction"] = [reaction]
    return _drop_none(resource)


def oral_bisphosphonate_intolerance(*, drug: str = "alendronate", **kw: Any) -> Json:
    """An intolerance to alendronic acid (ATC M05BA04) or risedronic acid (M05BA07), coded in ATC."""
    codes = {"alendronate": ("M05BA04", "alendronic acid"), "risedronate": ("M05BA07", "risedronic acid")}
    return allergy_intolerance(code=atc(*codes[drug]), **kw)


def service_request(*, code: Json, status: str = "draft", id: str | None = None, patient_id: str = "patient-1") -> Json:
    """A ServiceRequest (e.g. a DXA order in draftOrders)."""
    return {
        "resourceType": "ServiceRequest",
        "id": _id("sr", id),
        "status": status,
        "intent": "order",
        "code": code,
        "subject": {"reference": f"Patient/{patient_id}"},
    }


# --- Convenience therapy builders -------------------------------------------------------------------------------------

PREDNISONE_5MG = rxnorm("312617", "prednisone 5 MG Oral Tablet")
DENOSUMAB_60MG = rxnorm("993452", "1 ML denosumab 60 MG/ML Prefilled Syringe")
ZOLEDRONATE_5MG = rxnorm("705824", "zoledronic acid 5 MG per 100 ML Injection")


def prednisone_statement(
    *,
    mg_per_day: float = 10,
    start: str | None = "2025-01-01",
    end: str | None = None,
    status: str = "active",
    **kw: Any,
) -> Json:
    """A MedicationStatement for prednisone ``mg_per_day`` mg once daily (dose in mg)."""
    return medication_statement(
        medication=PREDNISONE_5MG,
        status=status,
        start=start,
        end=end,
        dosages=[dosage(dose=mg_per_day, unit="mg")],
        **kw,
    )


def denosumab_injection(*, on: str = "2025-01-15", **kw: Any) -> Json:
    """A completed MedicationAdministration of denosumab 60 mg."""
    return medication_administration(medication=DENOSUMAB_60MG, on=on, **kw)


def zoledronate_infusion(*, on: str = "2025-01-15", **kw: Any) -> Json:
    """A completed MedicationAdministration of zoledronic acid 5 mg."""
    return medication_administration(medication=ZOLEDRONATE_5MG, on=on, **kw)


def loinc_dxa_order() -> Json:
    """The DXA study / order code (LOINC 38268-9, terminology.md §1.4)."""
    return concept(coding(system=LOINC, code="38268-9", display="DXA Skeletal system Views for bone density"))


# --- Bundles --------------------------------------------------------------------------------------------------------


def search_bundle(*resources: Mapping[str, Any], base: str = "http://ehr.example/fhir") -> Json:
    """A ``searchset`` Bundle of ``resources`` (``fullUrl`` = base/Type/id)."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r.get('id', '')}",
                "resource": dict(r),
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


def transaction_of_posts(*entries: tuple[str, Json]) -> Json:
    """A transaction Bundle that creates each ``(fullUrl, resource)`` with a POST: resources that reference each other
    by ``urn:uuid:`` full URLs before the server has given them ids."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}
            for url, resource in entries
        ],
    }
