"""Recorded drug intolerances (AllergyIntolerance), bone-turnover markers in comparable units, and the proportion of
days covered by dispenses (rules.md §1.1 "Intolerance / adverse reactions"; SWITCH-GI-1, SWITCH-ADH-1)."""

from __future__ import annotations

from datetime import date

import pytest

from app.snapshot import (
    ClinicalDate,
    DispenseCoverage,
    Drug,
    GapConcept,
    GapKind,
    IntoleranceStatus,
    IntoleranceType,
)
from app.snapshot.model import LabTest
from tests.builders.fhir import (
    GSTD_GPK,
    allergy_intolerance,
    atc,
    coding,
    concept,
    draft_medication_request,
    medication_dispense,
    observation,
    oral_bisphosphonate_intolerance,
    rxnorm,
    snomed,
)
from tests.snapshot.conftest import SnapshotOf

ALENDRONATE_70 = rxnorm("904431", "alendronic acid 70 MG Oral Tablet")


class TestOralBisphosphonateIntolerance:
    def test_an_atc_coded_alendronate_intolerance_is_a_dated_cited_fact(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            oral_bisphosphonate_intolerance(
                id="ai-1", onset="2025-02-10", recorded="2025-02-12", manifestation="Oesophagitis"
            )
        )

        (fact,) = snapshot.oral_bisphosphonate_intolerances
        assert fact.drug is Drug.ALENDRONATE
        assert fact.type is IntoleranceType.INTOLERANCE
        assert fact.date == ClinicalDate.on(date(2025, 2, 10))  # the onset, not the recorded date
        assert fact.recorded == ClinicalDate.on(date(2025, 2, 12))
        assert fact.manifestation == "Oesophagitis"
        assert fact.source.reference() == "AllergyIntolerance/ai-1"
        assert fact.verification == "confirmed"

    def test_without_onset_the_recorded_date_dates_it(self, snapshot_of: SnapshotOf) -> None:
        (fact,) = snapshot_of(oral_bisphosphonate_intolerance(recorded="2025-03-01")).intolerances
        assert fact.date == ClinicalDate.on(date(2025, 3, 1))

    def test_a_reaction_substance_in_our_value_sets_identifies_the_drug(self, snapshot_of: SnapshotOf) -> None:
        record = allergy_intolerance(code=concept(text="Bisfosfonaat"), substance=atc("M05BA07", "risedronic acid"))
        (fact,) = snapshot_of(record).oral_bisphosphonate_intolerances
        assert fact.drug is Drug.RISEDRONATE

    def test_an_rxnorm_product_code_is_read_too(self, snapshot_of: SnapshotOf) -> None:
        (fact,) = snapshot_of(allergy_intolerance(code=ALENDRONATE_70, type=None)).oral_bisphosphonate_intolerances
        assert fact.type is IntoleranceType.UNKNOWN

    @pytest.mark.parametrize("status", ["inactive", "resolved"])
    def test_an_inactive_or_resolved_intolerance_is_history_not_current(
        self, snapshot_of: SnapshotOf, status: str
    ) -> None:
        snapshot = snapshot_of(oral_bisphosphonate_intolerance(clinical_status=status))
        (fact,) = snapshot.intolerances
        assert fact.clinical_status is IntoleranceStatus(status)
        assert snapshot.oral_bisphosphonate_intolerances == ()

    def test_a_missing_clinical_status_is_taken_as_current(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(oral_bisphosphonate_intolerance(clinical_status=None))
        assert len(snapshot.oral_bisphosphonate_intolerances) == 1

    @pytest.mark.parametrize("status", ["refuted", "entered-in-error"])
    def test_refuted_or_entered_in_error_records_are_excluded(self, snapshot_of: SnapshotOf, status: str) -> None:
        snapshot = snapshot_of(oral_bisphosphonate_intolerance(id="ai-x", verification_status=status))
        assert snapshot.intolerances == ()
        assert [e.source.reference() for e in snapshot.excluded] == ["AllergyIntolerance/ai-x"]

    def test_an_unconfirmed_intolerance_is_kept_with_its_verification(self, snapshot_of: SnapshotOf) -> None:
        (fact,) = snapshot_of(oral_bisphosphonate_intolerance(verification_status="unconfirmed")).intolerances
        assert fact.verification == "unconfirmed"

    def test_an_undated_intolerance_is_kept_with_a_missing_gap(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(oral_bisphosphonate_intolerance(onset=None, recorded=None))
        (fact,) = snapshot.intolerances
        assert fact.date is None
        assert [g.kind for g in snapshot.gaps_for(GapConcept.INTOLERANCE)] == [GapKind.MISSING]

    def test_an_allergy_to_something_else_is_not_relevant(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(allergy_intolerance(code=snomed("764146007", "Penicillin"), type="allergy"))
        assert snapshot.intolerances == ()
        assert snapshot.gaps_for(GapConcept.INTOLERANCE) == ()

    def test_free_text_naming_an_oral_bisphosphonate_is_a_gap_not_a_fact(self, snapshot_of: SnapshotOf) -> None:
        # rules.md SWITCH-GI-1: "intolerance only in free text → not auto-detected (documented limitation)"
        snapshot = snapshot_of(allergy_intolerance(code=concept(text="alendroninezuur: maagklachten")))
        assert snapshot.intolerances == ()
        assert [g.kind for g in snapshot.gaps_for(GapConcept.INTOLERANCE)] == [GapKind.UNMAPPABLE]

    def test_free_text_about_anything_else_is_ignored(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(allergy_intolerance(code=concept(text="pollen")))
        assert snapshot.gaps_for(GapConcept.INTOLERANCE) == ()

    def test_a_code_only_in_a_system_we_cannot_read_is_unmappable(self, snapshot_of: SnapshotOf) -> None:
        record = allergy_intolerance(code=concept(coding(system=GSTD_GPK, code="12345")))
        snapshot = snapshot_of(record)
        assert [g.kind for g in snapshot.gaps_for(GapConcept.INTOLERANCE)] == [GapKind.UNMAPPABLE]


class TestBoneTurnoverMarkerUnits:
    @pytest.mark.parametrize(
        ("value", "unit", "ng_per_l"), [(400, "pg/mL", 400), (0.4, "ug/L", 400), (400, "ng/L", 400)]
    )
    def test_s_ctx_is_compared_in_ng_per_litre(
        self, snapshot_of: SnapshotOf, value: float, unit: str, ng_per_l: float
    ) -> None:
        result = snapshot_of(observation(code="41171-0", value=value, unit=unit, on="2025-03-02")).latest_lab(
            LabTest.CTX
        )
        assert result is not None and result.ng_per_l == pytest.approx(ng_per_l)

    def test_p1np_in_micrograms_per_litre(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(observation(code="77370-5", value=45, unit="ug/L", on="2025-03-02")).latest_lab(
            LabTest.P1NP
        )
        assert result is not None and result.ng_per_l == pytest.approx(45_000)

    def test_a_unit_that_is_no_mass_concentration_gives_no_comparable_value(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(observation(code="41171-0", value=3, unit="nmol/L", on="2025-03-02")).latest_lab(
            LabTest.CTX
        )
        assert result is not None and result.ng_per_l is None


def _coverage(snapshot_of: SnapshotOf, *dispenses: dict[str, object], since: date) -> DispenseCoverage | str:
    snapshot = snapshot_of(*dispenses)
    return snapshot.dispense_coverage((Drug.ALENDRONATE, Drug.RISEDRONATE), since=since)


class TestProportionOfDaysCovered:
    def test_refills_on_time_cover_every_day(self, snapshot_of: SnapshotOf) -> None:
        coverage = _coverage(
            snapshot_of,
            *(
                medication_dispense(medication=ALENDRONATE_70, handed_over=day, days_supply=84)
                for day in ("2024-12-01", "2025-02-23", "2025-05-18")
            ),
            since=date(2024, 12, 1),
        )
        assert isinstance(coverage, DispenseCoverage)
        assert coverage.window_days == 183  # 2024-12-01 .. 2025-06-01
        assert coverage.covered_days == 183
        assert coverage.percent == 100

    def test_an_early_refill_is_carried_forward_not_double_counted(self, snapshot_of: SnapshotOf) -> None:
        coverage = _coverage(
            snapshot_of,
            medication_dispense(medication=ALENDRONATE_70, handed_over="2025-03-04", days_supply=28),
            medication_dispense(medication=ALENDRONATE_70, handed_over="2025-03-20", days_supply=28),
            since=date(2025, 3, 1),
        )
        assert isinstance(coverage, DispenseCoverage)
        assert coverage.covered_days == 56  # 2025-03-04 .. 2025-04-28
        assert coverage.window_days == 90  # 2025-03-04 .. 2025-06-01

    def test_a_dispense_without_a_supply_cannot_be_counted(self, snapshot_of: SnapshotOf) -> None:
        coverage = _coverage(
            snapshot_of,
            medication_dispense(medication=ALENDRONATE_70, handed_over="2025-03-04"),
            since=date(2025, 1, 1),
        )
        assert coverage == "a dispense without an exact date or a known supply"

    def test_no_dispense_no_coverage(self, snapshot_of: SnapshotOf) -> None:
        assert _coverage(snapshot_of, since=date(2025, 1, 1)) == "no dispenses recorded"


class TestOralSolutionForm:
    def test_the_rxnorm_oral_solution_is_recognised_by_its_name(self, snapshot_of: SnapshotOf) -> None:
        solution = rxnorm("904447", "alendronic acid 70 MG per 75 ML Oral Solution")
        history = snapshot_of(
            medication_dispense(medication=solution, handed_over="2025-05-01", days_supply=28)
        ).therapy(Drug.ALENDRONATE)
        assert history is not None and [r.is_oral_solution for r in history.records] == [True]

    def test_a_dutch_drank_order_is_an_oral_solution_and_tablets_are_not(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            drafts=[
                draft_medication_request(id="d1", medication=atc("M05BA04", "alendroninezuur drank 70 mg/75 ml")),
                draft_medication_request(id="d2", medication=ALENDRONATE_70),
            ]
        )
        assert [o.is_oral_solution for o in snapshot.draft_orders] == [True, False]
