"""Therapy episodes per drug (rules.md D-OPDRUG, D-BP, D-DMAB; terminology.md §5.1, §6.3 pitfalls 3 and 14)."""

from __future__ import annotations

from datetime import date

import pytest

from app.snapshot import Drug, GapConcept, GapKind, RecordKind
from tests.builders.fhir import (
    ATC,
    DENOSUMAB_60MG,
    GSTD_GPK,
    atc,
    coding,
    concept,
    denosumab_injection,
    dosage,
    medication_administration,
    medication_dispense,
    medication_request,
    medication_statement,
    rxnorm,
    zoledronate_infusion,
)
from tests.snapshot.conftest import SnapshotOf

ALENDRONATE_70 = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")
WEEKLY = dosage(dose=1, unit="tablet", frequency=1, period=1, period_unit="wk")


class TestOralBisphosphonateEpisodes:
    def test_an_active_statement_covers_up_to_the_snapshot_date(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(medication_statement(medication=ALENDRONATE_70, start="2020-06-01", dosages=[WEEKLY]))
        history = snapshot.therapy(Drug.ALENDRONATE)
        assert history is not None and history.is_current and history.has_active_order
        episode = history.current_episode
        assert episode is not None and episode.is_ongoing
        assert episode.start == date(2020, 6, 1)
        assert snapshot.is_on_bone_protection()

    @pytest.mark.parametrize(
        ("as_of", "reached"),
        [pytest.param(date(2025, 5, 31), False, id="4y-11m-30d"), pytest.param(date(2025, 6, 1), True, id="5y-0m")],
    )
    def test_five_years_is_reached_by_calendar_arithmetic(
        self, snapshot_of: SnapshotOf, as_of: date, reached: bool
    ) -> None:
        # rules.md D-BP: continuous use from 2020-06-01 reaches 5 years on 2025-06-01
        snapshot = snapshot_of(medication_statement(medication=ALENDRONATE_70, start="2020-06-01"), as_of=as_of)
        (episode,) = snapshot.episodes_of(Drug.ALENDRONATE, Drug.RISEDRONATE)
        assert episode.covered_years_reached(5) is reached

    def test_a_gap_up_to_180_days_keeps_the_episode_and_is_not_counted(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            medication_statement(medication=ALENDRONATE_70, status="completed", start="2020-01-01", end="2020-12-31"),
            medication_statement(medication=ALENDRONATE_70, status="active", start="2021-06-30"),  # 180-day gap
        )
        (episode,) = snapshot.episodes_of(Drug.ALENDRONATE)
        assert episode.gap_days == 180
        assert episode.covered_days == 366 + (date(2025, 6, 1) - date(2021, 6, 30)).days + 1

    def test_a_gap_over_180_days_starts_a_new_episode(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            medication_statement(medication=ALENDRONATE_70, status="completed", start="2020-01-01", end="2020-12-31"),
            medication_statement(medication=ALENDRONATE_70, status="active", start="2021-07-01"),  # 181-day gap
        )
        episodes = snapshot.episodes_of(Drug.ALENDRONATE)
        assert len(episodes) == 2
        assert episodes[-1].start == date(2021, 7, 1)

    def test_alendronate_and_risedronate_count_together(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            medication_statement(medication=ALENDRONATE_70, status="completed", start="2020-01-01", end="2021-12-31"),
            medication_statement(medication=atc("M05BA07", "risedronic acid"), status="active", start="2022-01-01"),
        )
        (episode,) = snapshot.episodes_of(Drug.ALENDRONATE, Drug.RISEDRONATE)
        assert episode.start == date(2020, 1, 1) and episode.gap_days == 0

    def test_a_request_covers_its_supply_with_repeats(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            medication_request(
                medication=ALENDRONATE_70,
                status="completed",
                authored_on="2024-01-01",
                expected_supply_days=84,
                repeats=3,
                dosages=[WEEKLY],
            )
        )
        history = snapshot.therapy(Drug.ALENDRONATE)
        assert history is not None
        assert history.records[0].coverage is not None
        assert history.records[0].coverage.days == 84 * 4
        assert not history.is_current

    def test_a_completed_statement_without_end_counts_one_day_and_says_so(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(medication_statement(medication=ALENDRONATE_70, status="completed", start="2020-01-01"))
        assert GapKind.MISSING in [g.kind for g in snapshot.gaps_for(GapConcept.MEDICATION)]

    @pytest.mark.parametrize("status", ["entered-in-error", "not-taken", "intended"])
    def test_statements_that_are_not_real_exposure_are_excluded(self, snapshot_of: SnapshotOf, status: str) -> None:
        snapshot = snapshot_of(medication_statement(medication=ALENDRONATE_70, status=status))
        assert snapshot.therapy(Drug.ALENDRONATE) is None
        assert len(snapshot.excluded) == 1

    def test_a_dutch_g_standaard_medication_with_atc_is_recognised(self, snapshot_of: SnapshotOf) -> None:
        medication = concept(
            coding(system=GSTD_GPK, code="12345", display="ALENDRONINEZUUR TABLET 70MG"),
            coding(system=ATC, code="M05BA04"),
        )
        snapshot = snapshot_of(medication_statement(medication=medication))
        history = snapshot.therapy(Drug.ALENDRONATE)
        assert history is not None and not history.records[0].identified_by_text

    def test_a_g_standaard_only_medication_is_recognised_by_its_dutch_name(self, snapshot_of: SnapshotOf) -> None:
        medication = concept(coding(system=GSTD_GPK, code="12345", display="ALENDRONINEZUUR TABLET 70MG"))
        history = snapshot_of(medication_statement(medication=medication)).therapy(Drug.ALENDRONATE)
        assert history is not None and history.records[0].identified_by_text

    def test_a_g_standaard_only_medication_with_an_unknown_name_is_an_unmappable_gap(
        self, snapshot_of: SnapshotOf
    ) -> None:
        medication = concept(coding(system=GSTD_GPK, code="99999", display="XYZ TABLET 10MG"))
        snapshot = snapshot_of(medication_statement(medication=medication))
        assert [g.kind for g in snapshot.gaps_for(GapConcept.MEDICATION)] == [GapKind.UNMAPPABLE]

    def test_an_unrelated_rxnorm_medication_is_ignored_without_a_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(medication_statement(medication=rxnorm("197361", "amlodipine 5 MG Oral Tablet")))
        assert snapshot.therapies == () and snapshot.gaps_for(GapConcept.MEDICATION) == ()


class TestInjectablesAndInfusions:
    def test_last_denosumab_injection_and_count(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            denosumab_injection(on="2024-06-01"),
            denosumab_injection(on="2024-12-01"),
            denosumab_injection(on="2023-12-01"),
        )
        history = snapshot.therapy(Drug.DENOSUMAB)
        assert history is not None
        assert history.administration_count == 3
        last = history.last_administration
        assert last is not None and last.on.earliest == date(2024, 12, 1)

    @pytest.mark.parametrize(
        ("last", "protected"),
        [
            pytest.param("2024-12-01", True, id="exactly-6-months-the-next-dose-is-due-today"),
            pytest.param("2024-11-30", False, id="6-months-and-a-day"),
        ],
    )
    def test_denosumab_protects_for_6_months(self, snapshot_of: SnapshotOf, last: str, protected: bool) -> None:
        # rules.md D-OPDRUG "injection within the last 6 months", inclusive like DMAB-INTERVAL-1 ("exactly 6 months
        # -> due today"): on the day the next dose is due the patient is on denosumab, not untreated (issue 16).
        snapshot = snapshot_of(denosumab_injection(on=last))
        assert snapshot.is_on_bone_protection() is protected

    def test_an_active_denosumab_order_counts_as_on_treatment(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(medication_request(medication=DENOSUMAB_60MG, authored_on="2023-01-01"))
        assert snapshot.is_on_bone_protection()
        history = snapshot.therapy(Drug.DENOSUMAB)
        assert history is not None and history.last_administration is None  # an order is not an injection

    def test_one_injection_recorded_as_dispense_and_administration_counts_once(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            medication_dispense(medication=DENOSUMAB_60MG, handed_over="2024-12-01"),
            denosumab_injection(on="2024-12-05"),
        )
        history = snapshot.therapy(Drug.DENOSUMAB)
        assert history is not None and history.administration_count == 1
        assert len(history.administrations[0].sources) == 2

    def test_zoledronate_infusions_are_counted_per_episode(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            zoledronate_infusion(on="2022-07-01"),
            zoledronate_infusion(on="2023-07-01"),
            zoledronate_infusion(on="2024-07-01"),
        )
        (episode,) = snapshot.episodes_of(Drug.ZOLEDRONATE)
        assert episode.administration_count == 3
        assert snapshot.is_on_bone_protection()

    def test_zoledronate_4mg_oncology_is_not_osteoporosis_treatment(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            medication_administration(medication=rxnorm("351114", "zoledronic acid 4 MG per 5 ML"), on="2025-03-01")
        )
        assert snapshot.therapy(Drug.ZOLEDRONATE) is None
        assert snapshot.therapy(Drug.ZOLEDRONATE_ONCOLOGY) is not None
        assert not snapshot.is_on_bone_protection()

    def test_not_done_administrations_are_excluded(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(denosumab_injection(on="2025-03-01", status="not-done"))
        assert snapshot.therapy(Drug.DENOSUMAB) is None

    def test_a_dispense_covers_its_days_supply(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(medication_dispense(medication=ALENDRONATE_70, handed_over="2025-04-01", days_supply=84))
        history = snapshot.therapy(Drug.ALENDRONATE)
        assert history is not None and history.is_current
        assert history.records[0].kind is RecordKind.DISPENSE
