"""The synthetic patient library (examples/patients/) is well formed, uses only our value sets, and means what its
README says: each patient's snapshot holds the facts its scenario is about.

No FHIR server is needed (these tests are not marked ``integration``); the same Bundles are loaded into a real
server by ``test_hooks_against_fhir_server.py``. Dates are evaluated as of the library's reference date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from app.devtools.patients import LIBRARY_DIR, REFERENCE_DATE, SyntheticPatient, load_library
from app.fhir.record import PatientRecord
from app.rules.osteoporosis.predicates import (
    has_recent_fracture,
    is_recent_fracture,
    recent_major_osteoporotic_fractures,
)
from app.rules.parameters import GuidelineParameters
from app.snapshot import (
    ClinicalSnapshot,
    ConditionKind,
    DraftAction,
    Drug,
    DxaStatus,
    FractureSite,
    GapConcept,
    RenalKind,
    SnapshotParameters,
    build_snapshot,
)
from app.terminology import ATC, CodeSetCatalog, load_catalog

LIBRARY = load_library()
BY_NAME = {patient.name: patient for patient in LIBRARY}
REPO = Path(__file__).resolve().parents[2]

G_STANDAARD_PRODUCT_SYSTEMS = frozenset(
    {
        "urn:oid:2.16.840.1.113883.2.4.4.1",  # GPK
        "urn:oid:2.16.840.1.113883.2.4.4.7",  # HPK
        "urn:oid:2.16.840.1.113883.2.4.4.10",  # PRK
        "urn:oid:2.16.840.1.113883.2.4.4.8",  # ZI-nummer
    }
)
"""Dutch national product identifiers (terminology.md §0, §5.3): no value set holds them; the product is
identified by the ATC coding next to them, which the tests require."""

FHIR_INFRASTRUCTURE_SYSTEMS = frozenset(
    {
        "http://terminology.hl7.org/CodeSystem/observation-category",
        "http://terminology.hl7.org/CodeSystem/condition-clinical",
        "http://terminology.hl7.org/CodeSystem/condition-ver-status",
        "http://terminology.hl7.org/CodeSystem/condition-category",
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
        "http://terminology.hl7.org/CodeSystem/v3-ActReason",  # meta.tag HTEST: synthetic test data
    }
)
"""FHIR's own code systems for statuses, categories and tags: not clinical content, no value set needed."""


@pytest.fixture(scope="module")
def catalog() -> CodeSetCatalog:
    return load_catalog(REPO / "fhir_mappings")


def _codings(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("system"), str) and isinstance(node.get("code"), str):
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _codings(item)


def _clinical_concepts(resource: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The clinical CodeableConcepts of a resource: what the snapshot maps through the value sets."""
    kind = resource["resourceType"]
    if kind in ("Observation", "Condition", "Medication", "AllergyIntolerance"):
        yield f"{kind}.code", resource["code"]
    if "medicationCodeableConcept" in resource:
        yield f"{kind}.medicationCodeableConcept", resource["medicationCodeableConcept"]
    for ingredient in resource.get("ingredient", []):
        yield f"{kind}.ingredient.itemCodeableConcept", ingredient["itemCodeableConcept"]
    for contained in resource.get("contained", []):
        yield from _clinical_concepts(contained)


def _all_resources(patient: SyntheticPatient) -> list[dict[str, Any]]:
    return [*patient.resources, *([dict(patient.draft_order)] if patient.draft_order else [])]


def _snapshot(patient: SyntheticPatient, catalog: CodeSetCatalog) -> ClinicalSnapshot:
    resources = patient.resources
    record = PatientRecord(
        patient=next(r for r in resources if r["resourceType"] == "Patient"),
        resources=tuple(r for r in resources if r["resourceType"] != "Patient"),
        draft_orders=(dict(patient.draft_order),) if patient.draft_order else (),
        selections=(),
        unavailable=(),
    )
    return build_snapshot(record, catalog=catalog, as_of=REFERENCE_DATE, parameters=SnapshotParameters())


class TestTheLibraryIsWellFormed:
    def test_it_holds_at_least_twenty_patients(self) -> None:
        assert len(LIBRARY) >= 20

    @pytest.mark.parametrize("patient", LIBRARY, ids=lambda p: p.name)
    def test_each_patient_is_a_transaction_of_puts_with_stable_ids(self, patient: SyntheticPatient) -> None:
        assert patient.bundle["type"] == "transaction"
        for entry in patient.bundle["entry"]:
            resource = entry["resource"]
            assert entry["request"] == {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
            assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", resource["id"]), resource["id"]

    @pytest.mark.parametrize("patient", LIBRARY, ids=lambda p: p.name)
    def test_every_record_and_draft_order_belongs_to_the_one_patient(self, patient: SyntheticPatient) -> None:
        subjects = {r["subject"]["reference"] for r in _all_resources(patient) if "subject" in r}
        assert subjects == {f"Patient/{patient.patient_id}"}

    def test_resource_ids_are_unique_across_the_library_so_all_patients_share_one_server(self) -> None:
        ids = Counter(f"{r['resourceType']}/{r['id']}" for p in LIBRARY for r in p.resources)
        assert [key for key, count in ids.items() if count > 1] == []

    def test_every_draft_order_file_belongs_to_a_patient_file(self) -> None:
        orders = {path.stem for path in (LIBRARY_DIR / "draft-orders").glob("*.json")}
        assert orders == {p.name for p in LIBRARY if p.draft_order is not None}
        assert len(orders) >= 4

    def test_the_readme_describes_every_patient_once(self) -> None:
        readme = (LIBRARY_DIR / "README.md").read_text(encoding="utf-8")
        rows = Counter(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
        assert rows == Counter(p.name for p in LIBRARY)
        assert REFERENCE_DATE.isoformat() in readme


class TestCodesComeFromOurValueSets:
    @pytest.mark.parametrize("patient", LIBRARY, ids=lambda p: p.name)
    def test_every_clinical_code_is_in_a_value_set_and_none_is_unverified(
        self, patient: SyntheticPatient, catalog: CodeSetCatalog
    ) -> None:
        for resource in _all_resources(patient):
            for where, concept in _clinical_concepts(resource):
                codings = concept["coding"]
                mapped = [c for c in codings if c["system"] not in G_STANDAARD_PRODUCT_SYSTEMS]
                assert mapped, f"{resource['id']} {where}: no coding a value set can match"
                for coding in mapped:
                    system, code = coding["system"], coding["code"]
                    assert catalog.value_sets_for(system, code), f"{resource['id']} {where}: {system}|{code}"
                    provenance = catalog.provenance(system, code)
                    assert provenance is not None and not provenance.unverified, f"{system}|{code} is unverified"
                    assert coding.get("display") == catalog.display(system, code)
                if len(mapped) < len(codings):
                    assert any(c["system"] == ATC for c in mapped), f"{resource['id']}: G-Standaard code without ATC"

    @pytest.mark.parametrize("patient", LIBRARY, ids=lambda p: p.name)
    def test_other_codes_are_fhir_infrastructure_codes_only(self, patient: SyntheticPatient) -> None:
        clinical = {
            (c["system"], c["code"])
            for r in _all_resources(patient)
            for _, concept in _clinical_concepts(r)
            for c in concept["coding"]
        }
        units = {"http://unitsofmeasure.org"}
        others = {
            (c["system"], c["code"])
            for r in _all_resources(patient)
            for c in _codings(r)
            if (c["system"], c["code"]) not in clinical and c["system"] not in units
        }
        assert {system for system, _ in others} <= FHIR_INFRASTRUCTURE_SYSTEMS


def _gc(snapshot: ClinicalSnapshot) -> tuple[Drug | None, float | None]:
    gc = snapshot.current_glucocorticoid()
    return (gc.drug, gc.prednisone_eq_mg_per_day) if gc is not None else (None, None)


def _last_injection(snapshot: ClinicalSnapshot, drug: Drug) -> tuple[str | None, int]:
    history = snapshot.therapy(drug)
    if history is None or history.last_administration is None:
        return None, 0
    return history.last_administration.on.earliest.isoformat(), history.administration_count


def _fracture(snapshot: ClinicalSnapshot, site: FractureSite) -> Any:
    return next(f for f in snapshot.fractures if f.site is site)


def _lowest_t(snapshot: ClinicalSnapshot) -> float | None:
    lowest = snapshot.lowest_t_score
    return lowest.value if lowest is not None else None


SCENARIOS: dict[str, Callable[[ClinicalSnapshot], object]] = {
    # name → the facts that make the scenario (compared with the expected value in EXPECTED)
    "01-gc-62f-prednisolone-10mg": lambda s: (s.age, _gc(s), s.is_on_bone_protection()),
    "02-gc-78f-prednisone-10mg": lambda s: (s.age, _gc(s), _lowest_t(s)),
    "03-gc-55f-prednisone-order": lambda s: (
        s.age,
        _gc(s),
        [g.from_draft_order for g in s.glucocorticoids],
        [c.kind.value for c in s.renal_results],
    ),
    "04-gc-45f-methylprednisolone-fracture": lambda s: (
        s.age,
        _gc(s),
        is_recent_fracture(_fracture(s, FractureSite.FOREARM), s.as_of, GuidelineParameters()),
    ),
    "05-gc-45m-prednisone-dxa": lambda s: (s.age, _gc(s), _lowest_t(s), s.dxa_status),
    "06-gc-62f-prednisone-5mg": lambda s: (s.age, _gc(s), _lowest_t(s)),
    "07-gc-35m-prednisone-30mg": lambda s: (s.age, _gc(s)),
    "08-gc-70f-prednisone-2mg": lambda s: (s.age, _gc(s)),
    "09-gc-58m-prednisone-without-dosage": lambda s: (
        _gc(s),
        len(s.gaps_for(GapConcept.GLUCOCORTICOID_DOSE)),
    ),
    "10-gc-66f-synthea-unitless-dose": lambda s: (_gc(s), round(s.vitamin_d.ng_per_ml) if s.vitamin_d else None),
    "11-gc-71f-g-standaard-prednisolone": lambda s: _gc(s),
    "12-gc-no-birth-date": lambda s: (s.age, _gc(s)),
    "13-alendronate-70f-5-years": lambda s: (
        s.is_on(Drug.ALENDRONATE),
        [e.start.isoformat() for e in s.episodes_of(Drug.ALENDRONATE)],
        _lowest_t(s),
    ),
    "14-zoledronate-74f-3-infusions": lambda s: [e.administration_count for e in s.episodes_of(Drug.ZOLEDRONATE)],
    "15-denosumab-72f-on-time": lambda s: (_last_injection(s, Drug.DENOSUMAB), s.is_on_bone_protection()),
    "16-denosumab-76f-overdue-6-months": lambda s: (_last_injection(s, Drug.DENOSUMAB), s.is_on_bone_protection()),
    "17-denosumab-80f-overdue-7-months": lambda s: (_last_injection(s, Drug.DENOSUMAB), s.is_on_bone_protection()),
    "18-denosumab-69f-stopped": lambda s: (
        _last_injection(s, Drug.DENOSUMAB),
        [(d.action, d.drug) for d in s.draft_orders],
    ),
    "19-renal-78f-crcl-28": lambda s: (
        s.renal_function and (s.renal_function.kind, s.renal_function.ml_per_min),
        [(d.action, d.drug) for d in s.draft_orders],
    ),
    "20-renal-81m-egfr-33": lambda s: (
        s.renal_function and (s.renal_function.kind, s.renal_function.ml_per_min),
        s.has_condition(ConditionKind.CHRONIC_KIDNEY_DISEASE),
    ),
    "21-romosozumab-70f-after-mi": lambda s: (
        s.has_condition(ConditionKind.MYOCARDIAL_INFARCTION),
        _fracture(s, FractureSite.VERTEBRAL).vertebral_grade,
        [(d.action, d.drug) for d in s.draft_orders],
    ),
    "22-vitamin-d-68f-nmol": lambda s: (
        s.vitamin_d and (s.vitamin_d.nmol_per_l, round(s.vitamin_d.ng_per_ml, 1)),
        s.is_on(Drug.ALENDRONATE),
    ),
    "23-vitamin-d-74f-ngml": lambda s: (
        s.vitamin_d and s.vitamin_d.ng_per_ml,
        s.has_condition(ConditionKind.OSTEOPENIA),
    ),
    "24-hip-fracture-79f": lambda s: (
        is_recent_fracture(_fracture(s, FractureSite.HIP), s.as_of, GuidelineParameters()),
        bool(recent_major_osteoporotic_fractures(s, GuidelineParameters())[0]),
        s.dxa_status,
    ),
    "25-vertebral-fracture-66f-grade-3": lambda s: (_fracture(s, FractureSite.VERTEBRAL).vertebral_grade, _lowest_t(s)),
    "26-forearm-fracture-62f": lambda s: (
        _fracture(s, FractureSite.FOREARM).age_at_fracture,
        _fracture(s, FractureSite.FOREARM).is_major_osteoporotic,
        has_recent_fracture(s, GuidelineParameters()),
    ),
    "27-forearm-fracture-77f": lambda s: (
        _fracture(s, FractureSite.FOREARM).age_at_fracture,
        bool(recent_major_osteoporotic_fractures(s, GuidelineParameters())[0]),
    ),
    "28-osteoporosis-67f-treatment-naive": lambda s: (_lowest_t(s), s.is_on_bone_protection(), s.fractures),
    "29-osteoporosis-73f-very-high-risk": lambda s: (_lowest_t(s), s.is_on_bone_protection()),
    "30-osteoporosis-71f-no-dxa": lambda s: (s.dxa_status, s.has_condition(ConditionKind.OSTEOPOROSIS)),
    "31-osteoporosis-69f-stale-dxa": lambda s: (s.dxa_status, _lowest_t(s)),
    # well cared for (issue "Alert burden"): nothing to act on, so no card
    "33-well-55f-normal-dxa": lambda s: (s.age, _lowest_t(s), s.is_on_bone_protection()),
    "34-well-72f-alendronate-evaluated": lambda s: (
        s.age,
        s.is_on(Drug.ALENDRONATE),
        s.is_on(Drug.VITAMIN_D_SUPPLEMENT),
        _lowest_t(s),
    ),
    "35-well-70f-denosumab-on-schedule": lambda s: (
        _last_injection(s, Drug.DENOSUMAB),
        s.is_on_bone_protection(),
        s.is_on(Drug.CALCIUM_SUPPLEMENT),
    ),
    "36-well-64f-prednisone-protected": lambda s: (
        _gc(s),
        s.is_on(Drug.ALENDRONATE),
        s.is_on(Drug.VITAMIN_D_SUPPLEMENT),
    ),
    "37-well-74f-drug-holiday-on-time": lambda s: (
        s.is_on(Drug.ALENDRONATE),
        s.is_on_bone_protection(),
        s.has_ever_taken(Drug.ALENDRONATE),
        _lowest_t(s),
    ),
    "32-gi-intolerance-68f-alendronate": lambda s: (
        s.age,
        s.is_on(Drug.ALENDRONATE),
        [(i.drug, str(i.date), i.manifestation) for i in s.oral_bisphosphonate_intolerances],
    ),
}

EXPECTED: dict[str, object] = {
    "01-gc-62f-prednisolone-10mg": (62, (Drug.PREDNISOLONE, 10), False),
    "02-gc-78f-prednisone-10mg": (78, (Drug.PREDNISONE, 10), -1.9),
    "03-gc-55f-prednisone-order": (55, (Drug.PREDNISONE, 10), [True], ["crcl"]),
    "04-gc-45f-methylprednisolone-fracture": (45, (Drug.METHYLPREDNISOLONE, 10), True),
    "05-gc-45m-prednisone-dxa": (45, (Drug.PREDNISONE, 10), -2.1, DxaStatus.DECISION_OK),
    "06-gc-62f-prednisone-5mg": (62, (Drug.PREDNISONE, 5), -2.3),
    "07-gc-35m-prednisone-30mg": (35, (Drug.PREDNISONE, 30)),
    "08-gc-70f-prednisone-2mg": (70, (Drug.PREDNISONE, 2)),
    "09-gc-58m-prednisone-without-dosage": ((Drug.PREDNISONE, None), 1),
    "10-gc-66f-synthea-unitless-dose": ((Drug.PREDNISONE, 20), 28),
    "11-gc-71f-g-standaard-prednisolone": (Drug.PREDNISOLONE, 10),
    "12-gc-no-birth-date": (None, (Drug.PREDNISOLONE, 10)),
    "13-alendronate-70f-5-years": (True, ["2020-06-01"], -2.3),
    "14-zoledronate-74f-3-infusions": [3],
    "15-denosumab-72f-on-time": (("2025-01-15", 4), True),
    "16-denosumab-76f-overdue-6-months": (("2024-11-10", 4), True),  # the active order: still "on" denosumab
    "17-denosumab-80f-overdue-7-months": (("2024-10-20", 5), True),
    "18-denosumab-69f-stopped": (("2024-12-15", 4), [(DraftAction.STOP, Drug.DENOSUMAB)]),
    "19-renal-78f-crcl-28": ((RenalKind.CRCL, 28), [(DraftAction.NEW, Drug.ZOLEDRONATE)]),
    "20-renal-81m-egfr-33": ((RenalKind.EGFR, 33), True),
    "21-romosozumab-70f-after-mi": (True, 2, [(DraftAction.NEW, Drug.ROMOSOZUMAB)]),
    "22-vitamin-d-68f-nmol": ((32, 12.8), True),
    "23-vitamin-d-74f-ngml": (14, True),
    "24-hip-fracture-79f": (True, True, DxaStatus.NONE),
    "25-vertebral-fracture-66f-grade-3": (3, -1.5),
    "26-forearm-fracture-62f": (62, False, True),
    "27-forearm-fracture-77f": (77, True),
    "28-osteoporosis-67f-treatment-naive": (-2.7, False, ()),
    "29-osteoporosis-73f-very-high-risk": (-3.8, False),
    "30-osteoporosis-71f-no-dxa": (DxaStatus.NONE, True),
    "31-osteoporosis-69f-stale-dxa": (DxaStatus.STALE, -2.6),
    "32-gi-intolerance-68f-alendronate": (
        68,
        True,
        [(Drug.ALENDRONATE, "2025-04-10", "Bovenbuikklachten (dyspepsie) na inname")],
    ),
    "33-well-55f-normal-dxa": (55, -0.9, False),
    "34-well-72f-alendronate-evaluated": (72, True, True, -2.5),
    "35-well-70f-denosumab-on-schedule": (("2025-04-02", 5), True, True),
    "36-well-64f-prednisone-protected": ((Drug.PREDNISONE, 10), True, True),
    "37-well-74f-drug-holiday-on-time": (False, False, True, -2.3),
}


class TestEachPatientMeansWhatTheReadmeSays:
    def test_every_patient_has_a_scenario_check(self) -> None:
        assert set(SCENARIOS) == set(BY_NAME) == set(EXPECTED)

    @pytest.mark.parametrize("name", sorted(SCENARIOS))
    def test_the_snapshot_holds_the_scenario_facts(self, name: str, catalog: CodeSetCatalog) -> None:
        snapshot = _snapshot(BY_NAME[name], catalog)

        assert SCENARIOS[name](snapshot) == EXPECTED[name]
