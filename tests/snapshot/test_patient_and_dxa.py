"""Patient facts and DXA (rules.md D-AGE, D-T, D-DXA-STATUS, D-BMD-CHG; terminology.md §1)."""

from __future__ import annotations

from datetime import date

import pytest

from app.snapshot import BoneSite, DxaStatus, GapConcept, GapKind, Sex, SnapshotParameters
from tests.builders.fhir import dxa_bmd, dxa_t_score, patient, quantity
from tests.snapshot.conftest import SnapshotOf


class TestPatientFacts:
    def test_age_is_completed_years_on_the_snapshot_date(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(patient=patient(birth_date="1975-06-01", gender="male"))
        assert snapshot.age == 50
        assert snapshot.patient.sex is Sex.MALE

    def test_the_day_before_the_birthday_the_patient_is_still_49(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(patient=patient(birth_date="1975-06-02"))
        assert snapshot.age == 49

    def test_a_year_only_birth_date_that_straddles_the_birthday_gives_no_age_and_a_gap(
        self, snapshot_of: SnapshotOf
    ) -> None:
        snapshot = snapshot_of(patient=patient(birth_date="1975"))
        assert snapshot.age is None
        assert snapshot.patient.age_range_on(date(2025, 6, 1)) == (49, 50)
        assert [g.kind for g in snapshot.gaps_for(GapConcept.BIRTH_DATE)] == [GapKind.MISSING]

    def test_a_year_only_birth_date_gives_an_age_when_it_cannot_straddle(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(patient=patient(birth_date="1975"), as_of=date(2025, 12, 31))
        assert snapshot.age == 50

    def test_no_patient_resource_is_a_gap_for_age_and_sex(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(no_patient=True)
        assert snapshot.age is None
        assert snapshot.patient.sex is Sex.UNKNOWN
        assert snapshot.gaps_for(GapConcept.BIRTH_DATE) and snapshot.gaps_for(GapConcept.SEX)

    def test_a_woman_of_50_without_menopause_data_is_assumed_postmenopausal(self, snapshot_of: SnapshotOf) -> None:
        assert snapshot_of(patient=patient(birth_date="1975-06-01")).is_postmenopausal is True
        assert snapshot_of(patient=patient(birth_date="1975-06-02")).is_postmenopausal is None
        assert snapshot_of(patient=patient(gender="male")).is_postmenopausal is False


class TestDxaTScores:
    def test_t_scores_per_site_of_the_latest_study_and_the_lowest(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            dxa_t_score(site="lumbar-spine", value=-2.7, on="2025-03-01"),
            dxa_t_score(site="femoral-neck", value=-2.1, on="2025-03-01"),
            dxa_t_score(site="total-hip", value=-1.8, on="2025-03-01"),
            dxa_t_score(site="lumbar-spine", value=-3.0, on="2020-03-01"),
        )
        study = snapshot.latest_dxa
        assert study is not None
        assert study.t_lumbar_spine is not None and study.t_lumbar_spine.value == -2.7
        assert study.t_hip is not None and study.t_hip.value == -2.1
        assert snapshot.lowest_t_score is not None and snapshot.lowest_t_score.value == -2.7
        assert len(snapshot.dxa_studies) == 2

    def test_left_and_right_hip_give_the_lowest_total_hip(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            dxa_t_score(site="hip-left", value=-1.2, on="2025-03-01"),
            dxa_t_score(site="hip-right", value=-2.6, on="2025-03-01"),
        )
        study = snapshot.latest_dxa
        assert study is not None and study.t_total_hip is not None
        assert study.t_total_hip.value == -2.6

    def test_forearm_does_not_count_for_the_lowest_t_score_unless_configured(self, snapshot_of: SnapshotOf) -> None:
        resources = (
            dxa_t_score(site="forearm", value=-3.1, on="2025-03-01"),
            dxa_t_score(site="lumbar-spine", value=-1.5, on="2025-03-01"),
        )
        default = snapshot_of(*resources)
        synthea = snapshot_of(*resources, parameters=SnapshotParameters(forearm_t_score_in_lowest=True))
        assert default.lowest_t_score is not None and default.lowest_t_score.value == -1.5
        assert synthea.lowest_t_score is not None and synthea.lowest_t_score.site is BoneSite.FOREARM

    @pytest.mark.parametrize(
        "unit",
        [
            pytest.param("{T-score}", id="loinc-style"),
            pytest.param("{T-Score}", id="us-core-style"),
            pytest.param(None, id="no-unit"),
            pytest.param("1", id="ucum-one"),
        ],
    )
    def test_t_score_units_seen_in_practice_are_accepted(self, snapshot_of: SnapshotOf, unit: str | None) -> None:
        snapshot = snapshot_of(dxa_t_score(value=-2.5, unit=unit))
        assert snapshot.lowest_t_score is not None and snapshot.lowest_t_score.value == -2.5

    def test_a_t_score_in_grams_is_unmappable_not_silently_used(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(dxa_t_score(value=-2.5, unit="g/cm2"))
        assert snapshot.latest_dxa is None
        assert GapKind.UNMAPPABLE in [g.kind for g in snapshot.gaps_for(GapConcept.DXA)]

    def test_an_entered_in_error_t_score_is_excluded_and_counted(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(dxa_t_score(value=-3.0, status="entered-in-error", id="bad"))
        assert snapshot.latest_dxa is None
        assert [e.source.reference() for e in snapshot.excluded] == ["Observation/bad"]

    def test_a_preliminary_t_score_is_an_unconfirmed_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(dxa_t_score(value=-3.0, status="preliminary"))
        assert snapshot.latest_dxa is None
        assert GapKind.UNCONFIRMED in [g.kind for g in snapshot.gaps_for(GapConcept.DXA)]

    def test_a_t_score_with_data_absent_reason_is_a_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            dxa_t_score(value=-1.0, extra={"dataAbsentReason": {"text": "not performed"}}, value_quantity=None)
            | {"valueQuantity": None}
        )
        assert GapKind.UNPARSEABLE in [g.kind for g in snapshot.gaps_for(GapConcept.DXA)]


class TestDxaStatus:
    @pytest.mark.parametrize(
        ("taken", "status"),
        [
            pytest.param("2024-06-01", DxaStatus.DECISION_OK, id="exactly-12-months"),
            pytest.param("2024-05-31", DxaStatus.USABLE_FOR_CONTEXT, id="12-months-and-a-day"),
            pytest.param("2020-06-01", DxaStatus.USABLE_FOR_CONTEXT, id="exactly-5-years"),
            pytest.param("2020-05-31", DxaStatus.STALE, id="5-years-and-a-day"),
        ],
    )
    def test_dxa_age_boundaries_use_calendar_arithmetic(
        self, snapshot_of: SnapshotOf, taken: str, status: DxaStatus
    ) -> None:
        assert snapshot_of(dxa_t_score(on=taken)).dxa_status is status

    def test_no_dxa_is_a_missing_gap_and_status_none(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of()
        assert snapshot.dxa_status is DxaStatus.NONE
        assert [g.kind for g in snapshot.gaps_for(GapConcept.DXA)] == [GapKind.MISSING]

    def test_a_stale_dxa_is_a_stale_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(dxa_t_score(on="2019-01-01"))
        assert [g.kind for g in snapshot.gaps_for(GapConcept.DXA)] == [GapKind.STALE]

    def test_a_month_precision_dxa_is_judged_on_its_earliest_possible_day(self, snapshot_of: SnapshotOf) -> None:
        # 2024-06 may be 2024-06-01 (exactly 12 months) ... 2024-06-30: decision-grade either way
        assert snapshot_of(dxa_t_score(on="2024-06")).dxa_status is DxaStatus.DECISION_OK
        # 2024-05 may be 2024-05-01: older than 12 months
        assert snapshot_of(dxa_t_score(on="2024-05")).dxa_status is DxaStatus.USABLE_FOR_CONTEXT


class TestBmdChange:
    def test_percent_change_per_site_between_two_studies(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            dxa_bmd(site="lumbar-spine", g_per_cm2=1.000, on="2020-01-10"),
            dxa_t_score(site="lumbar-spine", value=-2.6, on="2020-01-10"),
            dxa_bmd(site="lumbar-spine", g_per_cm2=0.940, on="2025-01-10"),
            dxa_bmd(site="total-hip", g_per_cm2=0.800, on="2025-01-10"),
            dxa_t_score(site="lumbar-spine", value=-2.9, on="2025-01-10"),
        )
        baseline = snapshot.dxa_on_or_before(date(2020, 12, 31))
        assert baseline is not None
        changes = snapshot.bmd_changes(baseline)
        assert [c.site for c in changes] == [BoneSite.LUMBAR_SPINE]
        assert changes[0].percent == pytest.approx(-6.0)

    def test_bmd_written_as_g_per_cm_caret_2_is_normalised(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            dxa_bmd(g_per_cm2=0.9, unit="g/cm^2"), dxa_t_score(value=-1.0), dxa_bmd(g_per_cm2=0.8, on="2020-01-01")
        )
        study = snapshot.latest_dxa
        assert study is not None and study.bmd(BoneSite.LUMBAR_SPINE) is not None

    def test_quantity_builder_defaults_to_ucum(self) -> None:
        assert quantity(value=1, unit="mg")["system"] == "http://unitsofmeasure.org"
