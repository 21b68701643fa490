"""A realistic patient for the benchmark: ~60 Observations, 10 Conditions, 15 medication records.

Codes come from the shipped value sets (DXA T-scores and BMD, vitamin D, eGFR, creatinine, calcium; fractures and
comorbidities; glucocorticoid, bisphosphonate, vitamin D and unrelated drugs), so the snapshot builder does its
full work on every resource. Dates are relative to ``AS_OF``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

AS_OF = date(2025, 6, 1)
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"

_OBSERVATION_KINDS = (
    ("38267-1", "DXA Lumbar spine [T-score] Bone density", -2.6, "{T-score}"),
    ("38263-0", "DXA Femur [T-score] Bone density", -2.2, "{T-score}"),
    ("38264-8", "DXA Hip [T-score] Bone density", -2.0, "{T-score}"),
    ("62292-8", "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma", 24.0, "ng/mL"),
    (
        "62238-1",
        "Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI)",
        68.0,
        "mL/min/{1.73_m2}",
    ),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 0.9, "mg/dL"),
    ("17861-6", "Calcium [Mass/volume] in Serum or Plasma", 9.4, "mg/dL"),
)


def _id() -> str:
    return str(uuid.uuid4())


def _day(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


def observations(count: int = 60) -> list[dict[str, Any]]:
    """``count`` Observations cycling through DXA, vitamin D, renal function and calcium over ten years."""
    result = []
    for index in range(count):
        code, display, value, unit = _OBSERVATION_KINDS[index % len(_OBSERVATION_KINDS)]
        result.append(
            {
                "resourceType": "Observation",
                "id": _id(),
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "subject": {"reference": "Patient/bench-1"},
                "effectiveDateTime": _day(30 + 61 * (index // len(_OBSERVATION_KINDS))),
                "valueQuantity": {"value": round(value - 0.01 * index, 2), "unit": unit, "system": UCUM, "code": unit},
            }
        )
    return result


_CONDITIONS = (
    (SNOMED, "5913000", "Fracture of neck of femur"),
    (SNOMED, "64859006", "Osteoporosis"),
    (SNOMED, "22298006", "Myocardial infarction"),
    (SNOMED, "44054006", "Diabetes mellitus type 2"),
    (SNOMED, "38341003", "Hypertensive disorder"),
    (SNOMED, "69896004", "Rheumatoid arthritis"),
    (SNOMED, "195967001", "Asthma"),
    (SNOMED, "13645005", "Chronic obstructive lung disease"),
    (SNOMED, "40055000", "Chronic sinusitis"),
    (SNOMED, "271737000", "Anemia"),
)


def conditions(count: int = len(_CONDITIONS)) -> list[dict[str, Any]]:
    """``count`` Conditions cycling through ten kinds (each new cycle a day later)."""
    return [
        {
            "resourceType": "Condition",
            "id": _id(),
            "clinicalStatus": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]
            },
            "verificationStatus": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}
                ]
            },
            "code": {"coding": [{"system": system, "code": code, "display": display}]},
            "subject": {"reference": "Patient/bench-1"},
            "onsetDateTime": _day(200 + 300 * (index % len(_CONDITIONS)) + index // len(_CONDITIONS)),
        }
        for index, (system, code, display) in ((i, _CONDITIONS[i % len(_CONDITIONS)]) for i in range(count))
    ]


_MEDICATIONS = (
    ("MedicationStatement", RXNORM, "312617", "prednisone 5 MG Oral Tablet", 10, "d"),
    ("MedicationRequest", RXNORM, "312617", "prednisone 5 MG Oral Tablet", 10, "d"),
    ("MedicationStatement", ATC, "M05BA04", "alendronic acid", 70, "wk"),
    ("MedicationRequest", ATC, "M05BA04", "alendronic acid", 70, "wk"),
    ("MedicationStatement", ATC, "A11CC05", "colecalciferol", 800, "d"),
    ("MedicationRequest", ATC, "A12AX", "calcium, combinations with vitamin D", 1, "d"),
    ("MedicationStatement", ATC, "C09AA02", "enalapril", 10, "d"),
    ("MedicationStatement", ATC, "A10BA02", "metformin", 500, "d"),
    ("MedicationRequest", ATC, "A10BA02", "metformin", 500, "d"),
    ("MedicationStatement", ATC, "C10AA05", "atorvastatin", 40, "d"),
    ("MedicationRequest", ATC, "R03BA02", "budesonide", 0.2, "d"),
    ("MedicationStatement", ATC, "A02BC01", "omeprazole", 20, "d"),
    ("MedicationRequest", ATC, "N02BE01", "paracetamol", 1000, "d"),
    ("MedicationStatement", ATC, "B01AC06", "acetylsalicylic acid", 80, "d"),
    ("MedicationRequest", ATC, "C07AB02", "metoprolol", 50, "d"),
)


def medications(count: int = len(_MEDICATIONS)) -> list[dict[str, Any]]:
    """``count`` MedicationStatements and MedicationRequests cycling through fifteen (each new cycle a day
    earlier)."""
    result = []
    for number in range(count):
        index, cycle = number % len(_MEDICATIONS), number // len(_MEDICATIONS)
        kind, system, code, display, dose, period = _MEDICATIONS[index]
        resource: dict[str, Any] = {
            "resourceType": kind,
            "id": _id(),
            "status": "active",
            "subject": {"reference": "Patient/bench-1"},
            "medicationCodeableConcept": {"coding": [{"system": system, "code": code, "display": display}]},
        }
        dosage = {
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": period}},
            "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg", "system": UCUM, "code": "mg"}}],
        }
        if kind == "MedicationStatement":
            resource["effectivePeriod"] = {"start": _day(400 + 30 * index + cycle)}
            resource["dosage"] = [dosage]
        else:
            resource["intent"] = "order"
            resource["authoredOn"] = _day(60 + 10 * index + cycle)
            resource["dosageInstruction"] = [dosage]
            resource["dispenseRequest"] = {
                "expectedSupplyDuration": {"value": 90, "unit": "d", "system": UCUM, "code": "d"}
            }
        result.append(resource)
    return result


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def patient_resource() -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "bench-1", "birthDate": "1955-03-14", "gender": "female"}


def record_sizes(resources: int) -> tuple[int, int, int]:
    """(observations, conditions, medications) for a record of ``resources`` resources besides the Patient, in the
    benchmark patient's proportions (60 : 10 : 15)."""
    conditions_count = max(1, round(resources * 10 / 85))
    medications_count = max(1, round(resources * 15 / 85))
    return max(0, resources - conditions_count - medications_count), conditions_count, medications_count


def patient_view_request(
    *, prefetch: bool = True, fhir_server: str | None = None, token: str | None = None, resources: int = 85
) -> dict[str, Any]:
    """A patient-view hook request: complete prefetch, or none (the service fetches from ``fhir_server``).
    ``resources``: how many resources the record holds besides the Patient (85 is the benchmark patient: 60
    Observations, 10 Conditions, 15 medication statements and orders)."""
    observation_count, condition_count, medication_count = record_sizes(resources)
    meds = medications(medication_count)
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": _id(),
        "context": {"userId": "Practitioner/bench", "patientId": "bench-1"},
    }
    if prefetch:
        body["prefetch"] = {
            "patient": patient_resource(),
            "observations": searchset(observations(observation_count)),
            "conditions": searchset(conditions(condition_count)),
            "medicationStatements": searchset([m for m in meds if m["resourceType"] == "MedicationStatement"]),
            "medicationRequests": searchset([m for m in meds if m["resourceType"] == "MedicationRequest"]),
            "medicationAdministrations": None,
            "medicationDispenses": None,
            "allergyIntolerances": None,
        }
    if fhir_server:
        body["fhirServer"] = fhir_server
        body["fhirAuthorization"] = {
            "access_token": token or "bench-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "osteo-cds",
        }
    return body


def transaction_bundle() -> dict[str, Any]:
    """The same patient as a transaction Bundle (PUT with stable ids) to load into a FHIR server."""
    resources = [patient_resource(), *observations(), *conditions(), *medications()]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": resource,
                "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"},
            }
            for resource in resources
        ],
    }
