"""Fractures (rules.md D-FX, D-FX-RECENT, DX-MOF-1, D-VF) and conditions (terminology.md §4)."""

from __future__ import annotations

import pytest

from app.rules.osteoporosis.predicates import is_recent_fracture, recent_major_osteoporotic_fractures
from app.rules.parameters import GuidelineParameters
from app.snapshot import ConditionKind, ConditionStatus, FractureSite, GapConcept, GapKind
from tests.builders.fhir import ICD10, ICD10_CM, condition, fracture, patient
from tests.snapshot.conftest import SnapshotOf

ICPC = "http://hl7.org/fhir/sid/icpc-1-nl"


class TestFractureSites:
    @pytest.mark.parametrize(
        ("site", "expected"),
        [
            pytest.param("hip", FractureSite.HIP, id="synthea-closed-hip"),
            pytest.param("vertebral", FractureSite.VERTEBRAL, id="osteoporotic-vertebra"),
            pytest.param("forearm", FractureSite.FOREARM, id="synthea-forearm"),
            pytest.param("humerus", FractureSite.HUMERUS, id="humerus"),
            pytest.param("pelvis", FractureSite.PELVIS, id="pelvis"),
            pytest.param("rib", FractureSite.RIB, id="rib"),
            pytest.param("femur", FractureSite.FEMUR, id="femur"),
            pytest.param("osteoporotic", FractureSite.OTHER, id="osteoporotic-unspecified"),
        ],
    )
    def test_snomed_fracture_codes_map_to_their_site(
        self, snapshot_of: SnapshotOf, site: str, expected: FractureSite
    ) -> None:
        (found,) = snapshot_of(fracture(site=site)).fractures
        assert found.site is expected

    def test_an_icd10_only_hip_fracture_is_recognised_with_or_without_dot(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            condition(code="S72.0", system=ICD10, onset="2024-03-02"),
            condition(code="S720", system=ICD10, onset="2024-04-02"),
            condition(code="S72.001A", system=ICD10_CM, onset="2024-05-02"),
        )
        assert [f.site for f in snapshot.fractures] == [FractureSite.HIP] * 3

    def test_an_icd10_m80_code_is_an_osteoporotic_fracture_and_osteoporosis(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(condition(code="M80.0", system=ICD10, onset="2024-03-02"))
        (found,) = snapshot.fractures
        assert found.is_fragility_coded
        assert snapshot.has_condition(ConditionKind.OSTEOPOROSIS)

    def test_a_pathological_fracture_is_kept_apart(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(fracture(site="pathological"))
        assert snapshot.fractures == ()
        assert len(snapshot.pathological_fractures) == 1

    def test_a_refuted_fracture_is_excluded_and_counted(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(fracture(site="hip", verification_status="refuted", id="fx"))
        assert snapshot.fractures == ()
        assert [e.source.reference() for e in snapshot.excluded] == ["Condition/fx"]

    def test_a_fracture_without_onset_is_kept_with_a_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(fracture(site="hip", on=None, recorded="2015-01-01"))
        (found,) = snapshot.fractures
        assert found.date is None
        # recorded long before the window: the onset cannot be recent
        assert is_recent_fracture(found, snapshot.as_of, GuidelineParameters()) is False
        assert [g.kind for g in snapshot.gaps_for(GapConcept.FRACTURE)] == [GapKind.MISSING]

    def test_vertebral_grade_is_read_when_stated(self, snapshot_of: SnapshotOf) -> None:
        (graded,) = snapshot_of(fracture(site="vertebral", stage="Genant grade 2")).fractures
        (ungraded,) = snapshot_of(fracture(site="vertebral")).fractures
        assert graded.vertebral_grade == 2
        assert ungraded.vertebral_grade is None


class TestMajorOsteoporoticFracture:
    def test_forearm_fracture_counts_as_mof_at_age_75_at_fracture(self, snapshot_of: SnapshotOf) -> None:
        born = patient(birth_date="1949-03-02")
        (at_75,) = snapshot_of(fracture(site="forearm", on="2024-03-02"), patient=born).fractures
        (at_74,) = snapshot_of(fracture(site="forearm", on="2024-03-01"), patient=born).fractures
        assert at_75.age_at_fracture == 75 and at_75.is_major_osteoporotic is True
        assert at_74.age_at_fracture == 74 and at_74.is_major_osteoporotic is False

    def test_forearm_fracture_with_unknown_age_is_undetermined(self, snapshot_of: SnapshotOf) -> None:
        (found,) = snapshot_of(fracture(site="forearm"), patient=patient(birth_date=None)).fractures
        assert found.is_major_osteoporotic is None

    def test_hip_and_vertebra_are_always_mof_rib_never(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(fracture(site="hip"), fracture(site="vertebral"), fracture(site="rib"))
        assert [f.is_major_osteoporotic for f in snapshot.fractures] == [True, True, False]


class TestFractureRecency:
    @pytest.mark.parametrize(
        ("onset", "recent"),
        [
            pytest.param("2023-06-01", True, id="exactly-2-years-inclusive"),
            pytest.param("2023-05-31", False, id="2-years-and-a-day"),
            pytest.param("2023", None, id="year-only-straddles"),
            pytest.param("2023-07", True, id="month-after-the-edge"),
        ],
    )
    def test_recent_means_within_2_years_inclusive(
        self, snapshot_of: SnapshotOf, onset: str, recent: bool | None
    ) -> None:
        snapshot = snapshot_of(fracture(site="hip", on=onset))
        assert is_recent_fracture(snapshot.fractures[0], snapshot.as_of, GuidelineParameters()) is recent
        certain, uncertain = recent_major_osteoporotic_fractures(snapshot, GuidelineParameters())
        assert (True if certain else None if uncertain else False) is recent


class TestConditions:
    @pytest.mark.parametrize(
        ("code", "system", "kind"),
        [
            pytest.param("22298006", "http://snomed.info/sct", ConditionKind.MYOCARDIAL_INFARCTION, id="mi-snomed"),
            pytest.param("I21.9", ICD10, ConditionKind.MYOCARDIAL_INFARCTION, id="mi-icd10-only"),
            pytest.param("I63.9", ICD10, ConditionKind.STROKE, id="stroke-icd10"),
            pytest.param("K90", ICPC, ConditionKind.STROKE, id="stroke-icpc"),
            pytest.param("G45.9", ICD10, ConditionKind.TIA, id="tia"),
            pytest.param("I26.9", ICD10, ConditionKind.VENOUS_THROMBOEMBOLISM, id="pe"),
            pytest.param("N18.4", ICD10, ConditionKind.CHRONIC_KIDNEY_DISEASE, id="ckd4"),
            pytest.param("E55.9", ICD10, ConditionKind.VITAMIN_D_DEFICIENCY, id="vitd-deficiency"),
            pytest.param("E83.51", ICD10_CM, ConditionKind.HYPOCALCAEMIA, id="hypocalcaemia-cm"),
        ],
    )
    def test_conditions_are_mapped_from_any_coding_system(
        self, snapshot_of: SnapshotOf, code: str, system: str, kind: ConditionKind
    ) -> None:
        assert snapshot_of(condition(code=code, system=system)).has_condition(kind)

    def test_a_resolved_mi_is_still_a_history_of_mi_but_not_active(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(condition(code="22298006", clinical_status="resolved", onset="2010-01-01"))
        assert snapshot.has_condition(ConditionKind.MYOCARDIAL_INFARCTION)
        assert not snapshot.has_active_condition(ConditionKind.MYOCARDIAL_INFARCTION)
        assert snapshot.conditions[0].clinical_status is ConditionStatus.RESOLVED

    @pytest.mark.parametrize("status", ["refuted", "entered-in-error"])
    def test_refuted_or_erroneous_conditions_do_not_count(self, snapshot_of: SnapshotOf, status: str) -> None:
        snapshot = snapshot_of(condition(code="22298006", verification_status=status))
        assert not snapshot.has_condition(ConditionKind.MYOCARDIAL_INFARCTION)
        assert len(snapshot.excluded) == 1

    def test_an_unrelated_coded_condition_is_ignored_without_a_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(condition(code="38341003"))  # hypertension
        assert snapshot.conditions == () and snapshot.gaps_for(GapConcept.CONDITION) == ()

    def test_a_text_only_condition_is_an_unmappable_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(condition(code="x", text_only="hartinfarct 2019"))
        assert [g.kind for g in snapshot.gaps_for(GapConcept.CONDITION)] == [GapKind.UNMAPPABLE]
