"""Glucocorticoid exposure in prednisone-equivalent mg/day (rules.md D-GC, §1.3; terminology.md §5.2, §6.2, §6.3)."""

from __future__ import annotations

from datetime import date

import pytest

from app.snapshot import Drug, GapConcept, GapKind, PrednisoneFactors, SnapshotParameters
from tests.builders.fhir import (
    ATC,
    GSTD_GPK,
    PREDNISONE_5MG,
    atc,
    coding,
    concept,
    contained_reference,
    dosage,
    medication,
    medication_request,
    medication_statement,
    prednisone_statement,
    reference,
    rxnorm,
)
from tests.snapshot.conftest import SnapshotOf

PREDNISONE_20MG = rxnorm("312615", "prednisone 20 MG Oral Tablet")


class TestDailyDose:
    def test_a_dose_in_mg_once_daily(self, snapshot_of: SnapshotOf) -> None:
        gc = snapshot_of(prednisone_statement(mg_per_day=10)).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == 10 and gc.prednisone_eq_mg_per_day == 10

    def test_synthea_unitless_dose_is_tablets_times_strength_from_the_rxnorm_name(
        self, snapshot_of: SnapshotOf
    ) -> None:
        # terminology.md §6.3 pitfall 1: doseQuantity {value: 1}, strength from "prednisone 20 MG Oral Tablet"
        statement = medication_request(medication=PREDNISONE_20MG, dosages=[dosage(dose=1, unit=None)])
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == 20

    def test_synthea_prednisone_without_dosage_is_exposure_with_unknown_dose_and_a_gap(
        self, snapshot_of: SnapshotOf
    ) -> None:
        snapshot = snapshot_of(medication_request(medication=PREDNISONE_20MG, id="rx"))
        gc = snapshot.current_glucocorticoid()
        assert gc is not None and gc.is_current and gc.mg_per_day is None and not gc.is_dose_known
        (gap,) = snapshot.gaps_for(GapConcept.GLUCOCORTICOID_DOSE)
        assert (
            gap.kind is GapKind.MISSING and gap.source is not None and gap.source.reference() == "MedicationRequest/rx"
        )

    @pytest.mark.parametrize(
        ("kwargs", "mg_per_day"),
        [
            pytest.param({"frequency": 2, "period": 1, "period_unit": "d"}, 10.0, id="twice-daily"),
            pytest.param({"frequency": 1, "period": 8, "period_unit": "h"}, 15.0, id="every-8-hours"),
            pytest.param({"frequency": 1, "period": 2, "period_unit": "d"}, 2.5, id="alternate-days"),
            pytest.param({"frequency": 1, "period": 1, "period_unit": "wk"}, 5 / 7, id="weekly"),
            pytest.param({"frequency": 1, "period": 1, "period_unit": "mo"}, 5 / 30.4375, id="monthly-30.4375-days"),
            pytest.param({"frequency": 1, "period": 1, "period_unit": "a"}, 5 / 365.25, id="yearly"),
            pytest.param(
                {"frequency": None, "period": None, "time_of_day": ["08:00:00", "20:00:00"]}, 10.0, id="time-of-day"
            ),
            pytest.param({"frequency": None, "period": None, "when": ["MORN", "EVE", "NIGHT"]}, 15.0, id="when"),
            pytest.param({"frequency": None, "period": None, "timing_code": "BID"}, 10.0, id="timing-code-bid"),
            pytest.param(
                {"frequency": 1, "period": 1, "period_unit": "d", "day_of_week": ["mon", "wed", "fri"]},
                5 * 3 / 7,
                id="three-days-a-week",
            ),
        ],
    )
    def test_timing_repeat_frequency_and_period_units(
        self, snapshot_of: SnapshotOf, kwargs: dict[str, object], mg_per_day: float
    ) -> None:
        statement = medication_statement(medication=PREDNISONE_5MG, dosages=[dosage(dose=5, unit="mg", **kwargs)])  # type: ignore[arg-type]
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == pytest.approx(mg_per_day)

    def test_concurrent_dosages_with_the_same_sequence_are_summed(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(
            medication=PREDNISONE_5MG,
            dosages=[
                dosage(dose=10, sequence=1, when=["MORN"], frequency=None, period=None),
                dosage(dose=5, sequence=1, when=["EVE"], frequency=None, period=None),
            ],
        )
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == 15

    def test_a_taper_uses_the_average_daily_dose_over_the_expected_course(self, snapshot_of: SnapshotOf) -> None:
        # rules.md §1.3: 30 mg for 10 days, then 10 mg for 20 days → (300 + 200) / 30
        statement = medication_statement(
            medication=PREDNISONE_5MG,
            dosages=[
                dosage(dose=30, sequence=1, bounds_duration=(10, "d")),
                dosage(dose=10, sequence=2, bounds_duration=(20, "d")),
            ],
        )
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == pytest.approx(500 / 30)

    def test_a_dose_range_reports_the_maximum_for_safety_and_keeps_the_minimum(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(
            medication=PREDNISONE_5MG, dosages=[dosage(dose_range=(1, 2), unit="tablet", frequency=1, frequency_max=3)]
        )
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None
        assert gc.mg_per_day == pytest.approx(2 * 5 * 3)
        assert gc.prednisone_eq_mg_per_day_min == pytest.approx(1 * 5 * 1)

    def test_as_needed_only_is_not_chronic_exposure(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(medication=PREDNISONE_5MG, dosages=[dosage(dose=5, as_needed=True)])
        snapshot = snapshot_of(statement)
        gc = snapshot.current_glucocorticoid()
        assert gc is not None and gc.mg_per_day is None
        assert "as-needed" in snapshot.gaps_for(GapConcept.GLUCOCORTICOID_DOSE)[0].detail

    def test_a_single_course_with_count_has_no_daily_dose(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(
            medication=PREDNISONE_5MG, dosages=[dosage(dose=40, frequency=None, period=None, count=1)]
        )
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day is None


class TestStrengthAndUnits:
    def test_dutch_stuk_with_strength_from_a_contained_medication(self, snapshot_of: SnapshotOf) -> None:
        med = medication(
            id="m1",
            code=concept(
                coding(system=GSTD_GPK, code="2895", display="PREDNISOLON TABLET 5MG"),
                coding(system=ATC, code="H02AB06"),
            ),
            strength_mg=5,
        )
        statement = medication_statement(
            medication_ref=contained_reference(med),
            contained=[med],
            dosages=[dosage(dose=2, unit="stuk", ucum="1", frequency=1, period=1, period_unit="d")],
        )
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.drug is Drug.PREDNISOLONE and gc.mg_per_day == 10

    def test_strength_from_a_separate_medication_resource(self, snapshot_of: SnapshotOf) -> None:
        med = medication(id="m2", code=atc("H02AB04", "methylprednisolone"), strength_mg=4)
        request = medication_request(medication_ref=reference(med), dosages=[dosage(dose=2, unit="tablet")])
        gc = snapshot_of(med, request).current_glucocorticoid()
        assert gc is not None and gc.drug is Drug.METHYLPREDNISOLONE
        assert gc.mg_per_day == 8 and gc.prednisone_eq_mg_per_day == pytest.approx(10)

    def test_dutch_name_only_with_decimal_comma_strength(self, snapshot_of: SnapshotOf) -> None:
        med_concept = concept(coding(system=GSTD_GPK, code="1", display="PREDNISOLON TABLET 2,5MG"))
        statement = medication_statement(medication=med_concept, dosages=[dosage(dose=3, unit="stuk")])
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == 7.5

    def test_dutch_shorthand_text_1dd1_gives_the_frequency_and_tablets(self, snapshot_of: SnapshotOf) -> None:
        med_concept = concept(coding(system=ATC, code="H02AB06"), text="prednisolon 5 mg tablet")
        statement = medication_statement(medication=med_concept, dosages=[dosage(text="2dd1", no_timing=True)])
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == 10 and gc.dose is not None and gc.dose.from_text

    def test_a_liquid_in_ml_uses_the_concentration(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(
            medication=rxnorm("312614", "prednisolone 1 MG/ML Oral Solution"), dosages=[dosage(dose=15, unit="mL")]
        )
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.mg_per_day == 15

    def test_tablets_without_a_known_strength_are_a_dose_gap(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(medication=atc("H02AB07"), dosages=[dosage(dose=2, unit="tablet")])
        snapshot = snapshot_of(statement)
        assert snapshot.current_glucocorticoid() is not None
        assert "strength" in snapshot.gaps_for(GapConcept.GLUCOCORTICOID_DOSE)[0].detail


class TestPrednisoneEquivalence:
    @pytest.mark.parametrize(
        ("atc_code", "mg", "equivalent"),
        [
            pytest.param("H02AB06", 5, 5.0, id="prednisolone-x1"),
            pytest.param("H02AB04", 4, 5.0, id="methylprednisolone-x1.25"),
            pytest.param("H02AB09", 20, 5.0, id="hydrocortisone-x0.25"),
            pytest.param("H02AB10", 25, 5.0, id="cortisone-x0.2"),
            pytest.param("H02AB02", 0.75, 0.75 * 6.67, id="dexamethasone-x6.67"),
            pytest.param("H02AB01", 0.6, 0.6 * 8.33, id="betamethasone-x8.33"),
            pytest.param("H02AB13", 6, 6 * 0.83, id="deflazacort-x0.83"),
        ],
    )
    def test_factors_of_rules_1_3(self, snapshot_of: SnapshotOf, atc_code: str, mg: float, equivalent: float) -> None:
        statement = medication_statement(medication=atc(atc_code), dosages=[dosage(dose=mg, unit="mg")])
        gc = snapshot_of(statement).current_glucocorticoid()
        assert gc is not None and gc.prednisone_eq_mg_per_day == pytest.approx(equivalent)

    def test_betamethasone_factor_is_configurable(self, snapshot_of: SnapshotOf) -> None:
        parameters = SnapshotParameters(prednisone_factors=PrednisoneFactors(betamethasone=6.67))
        statement = medication_statement(medication=atc("H02AB01"), dosages=[dosage(dose=0.75, unit="mg")])
        gc = snapshot_of(statement, parameters=parameters).current_glucocorticoid()
        assert gc is not None and gc.prednisone_eq_mg_per_day == pytest.approx(5.0, abs=0.01)

    def test_oral_budesonide_has_no_prednisone_equivalent_and_a_gap(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(medication=atc("A07EA06"), dosages=[dosage(dose=9, unit="mg")])
        snapshot = snapshot_of(statement)
        gc = snapshot.current_glucocorticoid()
        assert gc is not None and gc.drug is Drug.BUDESONIDE_ORAL and gc.mg_per_day == 9
        assert gc.prednisone_eq_mg_per_day is None
        assert [g.kind for g in snapshot.gaps_for(GapConcept.GLUCOCORTICOID_DOSE)] == [GapKind.UNMAPPABLE]

    def test_inhaled_budesonide_is_not_a_systemic_glucocorticoid(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(medication_statement(medication=atc("R03BA02"), dosages=[dosage(dose=0.4)]))
        assert snapshot.glucocorticoids == () and len(snapshot.excluded) == 1

    def test_a_topical_route_excludes_a_systemic_agent(self, snapshot_of: SnapshotOf) -> None:
        statement = medication_statement(medication=atc("H02AB09"), dosages=[dosage(dose=10, route="Cutaneous use")])
        snapshot = snapshot_of(statement)
        assert snapshot.glucocorticoids == () and len(snapshot.excluded) == 1

    def test_the_highest_current_exposure_is_the_current_glucocorticoid(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            prednisone_statement(mg_per_day=5, id="low"),
            prednisone_statement(mg_per_day=20, id="high"),
            prednisone_statement(mg_per_day=60, status="completed", start="2020-01-01", end="2020-02-01", id="past"),
        )
        gc = snapshot.current_glucocorticoid()
        assert gc is not None and gc.source.reference() == "MedicationStatement/high"


class TestDuration:
    def test_elapsed_months_from_the_start_of_continuous_use(self, snapshot_of: SnapshotOf) -> None:
        gc = snapshot_of(prednisone_statement(start="2025-03-01")).current_glucocorticoid()
        assert gc is not None and gc.elapsed_months == pytest.approx(92 / 30.4375)

    def test_adjacent_renewals_are_one_continuous_course(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            prednisone_statement(status="completed", start="2024-12-01", end="2025-02-28"),
            prednisone_statement(start="2025-03-01", id="now"),
        )
        gc = snapshot.current_glucocorticoid()
        assert gc is not None and gc.elapsed_months == pytest.approx(
            (date(2025, 6, 1) - date(2024, 12, 1)).days / 30.4375
        )

    def test_expected_total_from_supply_with_repeats(self, snapshot_of: SnapshotOf) -> None:
        request = medication_request(
            medication=PREDNISONE_5MG,
            authored_on="2025-05-01",
            dosages=[dosage(dose=10, unit="mg")],
            expected_supply_days=30,
            repeats=2,
        )
        gc = snapshot_of(request).current_glucocorticoid()
        assert gc is not None
        assert gc.elapsed_months == pytest.approx(31 / 30.4375)
        assert gc.expected_total_months == pytest.approx(90 / 30.4375)

    def test_expected_total_from_dispensed_tablets(self, snapshot_of: SnapshotOf) -> None:
        request = medication_request(
            medication=PREDNISONE_5MG,
            authored_on="2025-05-01",
            dosages=[dosage(dose=2, unit="tablet")],
            dispense_quantity=(120, "tablet"),
        )
        gc = snapshot_of(request).current_glucocorticoid()
        assert gc is not None and gc.expected_total_months == pytest.approx(60 / 30.4375)

    def test_unknown_remaining_duration_is_none_not_zero(self, snapshot_of: SnapshotOf) -> None:
        gc = snapshot_of(prednisone_statement(start="2025-05-01")).current_glucocorticoid()
        assert gc is not None and gc.expected_total_months is None and gc.known_duration_months is not None
