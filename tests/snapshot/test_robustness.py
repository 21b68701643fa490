"""Malformed input of any shape never raises out of ``build_snapshot`` (property tests with hypothesis)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.fhir.record import PatientRecord
from app.snapshot import ClinicalSnapshot, SnapshotParameters, build_snapshot
from app.terminology import CodeSetCatalog
from tests.builders import fhir

_KEYS = [
    "resourceType",
    "id",
    "status",
    "code",
    "coding",
    "system",
    "display",
    "text",
    "value",
    "unit",
    "valueQuantity",
    "effectiveDateTime",
    "effectivePeriod",
    "start",
    "end",
    "birthDate",
    "gender",
    "onsetDateTime",
    "onsetAge",
    "recordedDate",
    "clinicalStatus",
    "verificationStatus",
    "stage",
    "summary",
    "medicationCodeableConcept",
    "medicationReference",
    "reference",
    "contained",
    "dosage",
    "dosageInstruction",
    "doseAndRate",
    "doseQuantity",
    "doseRange",
    "low",
    "high",
    "timing",
    "repeat",
    "frequency",
    "period",
    "periodUnit",
    "frequencyMax",
    "periodMax",
    "timeOfDay",
    "when",
    "dayOfWeek",
    "count",
    "boundsDuration",
    "boundsPeriod",
    "sequence",
    "asNeededBoolean",
    "route",
    "authoredOn",
    "dispenseRequest",
    "expectedSupplyDuration",
    "numberOfRepeatsAllowed",
    "quantity",
    "whenHandedOver",
    "daysSupply",
    "ingredient",
    "strength",
    "numerator",
    "denominator",
    "itemCodeableConcept",
    "isActive",
    "doNotPerform",
    "referenceRange",
    "interpretation",
    "dataAbsentReason",
    "severity",
]
_TYPES = [
    "Patient",
    "Observation",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "MedicationAdministration",
    "MedicationDispense",
    "Medication",
    "ServiceRequest",
    "Bundle",
]
_STRINGS = st.sampled_from(
    [
        "",
        "2020",
        "2020-13",
        "2020-02-30",
        "0000-01-01",
        "9999-12-31",
        "2024-02-29T10:00:00Z",
        "active",
        "final",
        "completed",
        "stopped",
        "entered-in-error",
        "mg",
        "tablet",
        "nmol/L",
        "ng/mL",
        "{T-score}",
        "mo",
        "a",
        "d",
        "wk",
        "h",
        "BID",
        "#m1",
        "Medication/m1",
        "38267-1",
        "http://loinc.org",
        "H02AB06",
        "http://www.whocc.no/atc",
        "2dd1",
        "prednisolon 5 mg",
        "-1",
        "1e309",
    ]
) | st.text(max_size=12)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats()
    | st.sampled_from([1e300, -1e300, 1e-300, 5e-324, 0, -1, 0.5])
    | _STRINGS
)

_JSON: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), children, max_size=6),
    max_leaves=40,
)
_RESOURCE = st.builds(
    lambda rtype, body: {**body, "resourceType": rtype},
    st.sampled_from(_TYPES),
    st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=8),
)

_VALID = [
    fhir.dxa_t_score(),
    fhir.dxa_bmd(),
    fhir.vitamin_d(),
    fhir.egfr(),
    fhir.creatinine(),
    fhir.calcium(),
    fhir.albumin(),
    fhir.fracture(),
    fhir.condition(code="22298006"),
    fhir.prednisone_statement(),
    fhir.denosumab_injection(),
    fhir.zoledronate_infusion(),
    fhir.medication_request(medication=fhir.PREDNISONE_5MG, dosages=[fhir.dosage(dose=1, unit=None)]),
    fhir.medication_dispense(medication=fhir.DENOSUMAB_60MG, days_supply=1),
]


@st.composite
def _mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid resource with some fields replaced by random JSON (closer to real-world breakage)."""
    resource = dict(draw(st.sampled_from(_VALID)))
    for key in draw(st.lists(st.sampled_from(sorted(resource)), max_size=3)):
        if key != "resourceType":
            resource[key] = draw(_JSON)
    return resource


def _build(catalog: CodeSetCatalog, record: PatientRecord) -> ClinicalSnapshot:
    return build_snapshot(record, catalog=catalog, as_of=date(2025, 6, 1), parameters=SnapshotParameters())


_EXTREME = [
    fhir.denosumab_injection(on="9999-12-31"),
    fhir.medication_dispense(medication=fhir.DENOSUMAB_60MG, handed_over="9999-12-31", days_supply=1e300),
    fhir.medication_request(
        medication=fhir.PREDNISONE_5MG,
        authored_on="9999-12-31",
        expected_supply_days=1e300,
        dosages=[fhir.dosage(dose=1e308, unit="mg", period=1e-300)],
    ),
    fhir.medication_statement(
        medication=fhir.PREDNISONE_5MG,
        start="0001-01-01",
        dosages=[
            fhir.dosage(dose=1e308, sequence=1, bounds_duration=(1e308, "a")),
            fhir.dosage(dose=1e308, sequence=2, bounds_duration=(1e308, "a")),
        ],
    ),
    fhir.fracture(site="hip", on="0001-01-01"),
    fhir.condition(code="22298006", extra={"onsetAge": {"value": 150, "code": "a"}}),
    fhir.dxa_t_score(on="9999-12-31"),
    fhir.dxa_bmd(on="0001-01-01", g_per_cm2=5e-324),
]


class TestNeverRaises:
    @settings(max_examples=len(_EXTREME) * 3, deadline=None)
    @given(
        resource=st.sampled_from(_EXTREME),
        as_of=st.sampled_from([date(1, 1, 1), date(2025, 6, 1), date(9999, 12, 31)]),
    )
    def test_dates_and_numbers_at_the_edges_of_their_range(
        self, catalog: CodeSetCatalog, resource: dict[str, Any], as_of: date
    ) -> None:
        record = PatientRecord(
            patient=fhir.patient(birth_date="0001-01-01"), resources=(resource,), draft_orders=(resource,)
        )
        snapshot = build_snapshot(record, catalog=catalog, as_of=as_of, parameters=SnapshotParameters())
        snapshot.dxa_status  # noqa: B018
        snapshot.current_glucocorticoid()
        snapshot.is_on_bone_protection()
        for history in snapshot.therapies:
            for episode in history.episodes:
                episode.covered_years_reached(5)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        patient=_JSON | _RESOURCE,
        resources=st.lists(_RESOURCE | _JSON, max_size=6),
        drafts=st.lists(_RESOURCE | _JSON, max_size=3),
    )
    def test_random_json_shapes(
        self, catalog: CodeSetCatalog, patient: Any, resources: list[Any], drafts: list[Any]
    ) -> None:
        record = PatientRecord(patient=patient, resources=tuple(resources), draft_orders=tuple(drafts))
        assert isinstance(_build(catalog, record), ClinicalSnapshot)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(resources=st.lists(_mutated(), max_size=6), drafts=st.lists(_mutated(), max_size=2))
    def test_valid_resources_with_broken_fields(
        self, catalog: CodeSetCatalog, resources: list[dict[str, Any]], drafts: list[dict[str, Any]]
    ) -> None:
        record = PatientRecord(patient=fhir.patient(), resources=tuple(resources), draft_orders=tuple(drafts))
        snapshot = _build(catalog, record)
        snapshot.current_glucocorticoid()
        snapshot.is_on_bone_protection()
        snapshot.dxa_status  # noqa: B018
