"""Hypothesis-generated malformed FHIR in ``prefetch`` and ``context.draftOrders``: the service answers 200 (with
whatever it could use, and data gaps for the rest) or a 4xx OperationOutcome, never a 500 or a traceback.

Resources are FHIR-shaped (real resource types, real element names, real codes from the value sets) with
every element free to hold the wrong JSON type, an impossible date, a broken reference or nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz._checks import assert_well_behaved

# Real codes so some resources get past code matching into dates, units and doses
# (shared/clinical/terminology.md: §1.1 DXA T-scores, §5.1 alendronic acid, glucocorticoid ATC prednisolone).
CODINGS = [
    {"system": "http://loinc.org", "code": "38267-1"},
    {"system": "http://loinc.org", "code": "38263-0"},
    {"system": "http://www.whocc.no/atc", "code": "M05BA04"},
    {"system": "http://www.whocc.no/atc", "code": "H02AB06"},
    {"system": "http://snomed.info/sct", "code": "64859006"},
]
RESOURCE_TYPES = [
    "Patient",
    "Observation",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "MedicationAdministration",
    "MedicationDispense",
    "Medication",
    "ServiceRequest",
    "OperationOutcome",
    "Bundle",
]
ELEMENTS = [
    "id", "status", "intent", "code", "subject", "effectiveDateTime", "effectivePeriod", "issued", "valueQuantity",
    "valueCodeableConcept", "component", "bodySite", "clinicalStatus", "verificationStatus", "onsetDateTime",
    "onsetAge", "recordedDate", "medicationCodeableConcept", "medicationReference", "dosage", "dosageInstruction",
    "dispenseRequest", "authoredOn", "whenHandedOver", "quantity", "daysSupply", "birthDate", "gender",
    "deceasedBoolean", "deceasedDateTime", "extension", "contained", "entry", "link",
]  # fmt: skip
PREFETCH_KEYS = [
    "patient",
    "observations",
    "conditions",
    "medicationStatements",
    "medicationRequests",
    "medicationAdministrations",
    "medicationDispenses",
    "allergyIntolerances",
]
SERVICES = {
    "patient-view": "osteoporosis-patient-view",
    "order-select": "osteoporosis-order-select",
    "order-sign": "osteoporosis-order-sign",
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "2024",
            "2024-02",
            "2024-02-30",
            "2024-13-01",
            "",
            "2024-01-01T25:00:00Z",
            "0000-01-01",
            "9999-12-31",
            "final",
            "active",
            "entered-in-error",
            "mg",
            "mg/d",
            "{T-score}",
            "Patient/p1",
            "Medication/m1",
            "Medication/",
            "#contained",
            "urn:uuid:x",
            "female",
        ]  # fmt: skip
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
fhir_shaped = st.recursive(
    st.sampled_from(CODINGS).map(lambda coding: {"coding": [coding]})
    | st.fixed_dictionaries({}, optional={"value": json_values, "unit": scalars, "code": scalars, "system": scalars})
    | st.fixed_dictionaries({}, optional={"start": scalars, "end": scalars})
    | st.fixed_dictionaries({"reference": scalars})
    | json_values,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(ELEMENTS), inner, max_size=3),
    max_leaves=10,
)


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": draw(st.sampled_from(RESOURCE_TYPES))}
    for element in draw(st.lists(st.sampled_from(ELEMENTS), max_size=6, unique=True)):
        resource[element] = draw(fhir_shaped)
    return resource


def bundles(*, type_: str = "searchset") -> st.SearchStrategy[dict[str, Any]]:
    entry = st.fixed_dictionaries({"resource": resources()}) | json_values
    return st.fixed_dictionaries(
        {"resourceType": st.just("Bundle")},
        optional={"type": st.just(type_) | scalars, "entry": st.lists(entry, max_size=4) | json_values},
    )


prefetch_values = st.none() | resources() | bundles() | json_values


@st.composite
def hook_bodies(draw: st.DrawFn, hook: str) -> dict[str, Any]:
    prefetch = {key: draw(prefetch_values) for key in draw(st.lists(st.sampled_from(PREFETCH_KEYS), unique=True))}
    context: dict[str, Any] = {"userId": "Practitioner/dr-1", "patientId": draw(st.sampled_from(["p1", "p-2", ""]))}
    if hook != "patient-view":
        context["draftOrders"] = draw(bundles(type_="collection") | json_values)
    if hook == "order-select":
        context["selections"] = draw(st.lists(st.sampled_from(["MedicationRequest/m1", "x"]), max_size=2) | json_values)
    return {
        "hook": hook,
        "hookInstance": "0f4a6d2e-8a51-4c8e-9d7e-1b2c3d4e5f60",
        "context": context,
        "prefetch": prefetch,
    }


FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("hook", sorted(SERVICES))
def test_malformed_fhir_never_crashes_the_service(client: TestClient, hook: str) -> None:
    @FUZZ
    @given(body=hook_bodies(hook))
    def run(body: dict[str, Any]) -> None:
        response = client.post(f"/cds-services/{SERVICES[hook]}", json=body)

        assert_well_behaved(response)
        assert response.status_code in (200, 400, 412, 413), response.text[:300]

    run()
