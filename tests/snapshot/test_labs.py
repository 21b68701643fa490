"""Laboratory facts: 25-OH vitamin D, renal function, creatinine, calcium (rules.md D-VITD, D-RENAL, D-CA;
terminology.md §2, §3)."""

from __future__ import annotations

import pytest

from app.fhir.record import UnavailableData
from app.snapshot import CalciumKind, GapConcept, GapKind, Interpretation, RenalKind
from tests.builders.fhir import albumin, calcium, creatinine, creatinine_clearance, egfr, vitamin_d
from tests.snapshot.conftest import SnapshotOf


class TestVitaminD:
    def test_nmol_per_litre_is_converted_to_ng_per_ml(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(vitamin_d(value=49.92, unit="nmol/L")).vitamin_d
        assert result is not None
        assert result.ng_per_ml == pytest.approx(20.0)
        assert result.nmol_per_l == pytest.approx(49.92)

    def test_50_nmol_per_litre_is_just_above_20_ng_per_ml(self, snapshot_of: SnapshotOf) -> None:
        # conflicts.md C-35: 50 nmol/L ≈ 20.0 ng/mL → not deficient (the rule compares < 20 unrounded)
        result = snapshot_of(vitamin_d(value=50, unit="nmol/L")).vitamin_d
        assert result is not None and result.ng_per_ml > 20.0

    @pytest.mark.parametrize("unit", ["ng/mL", "ug/L"])
    def test_mass_units_are_ng_per_ml(self, snapshot_of: SnapshotOf, unit: str) -> None:
        result = snapshot_of(vitamin_d(value=18, unit=unit)).vitamin_d
        assert result is not None
        assert result.ng_per_ml == 18
        assert result.nmol_per_l == pytest.approx(18 * 2.496)

    def test_an_unknown_unit_is_a_gap_not_a_value(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(vitamin_d(value=18, unit="mg/dL"))
        assert snapshot.vitamin_d is None
        assert GapKind.UNMAPPABLE in [g.kind for g in snapshot.gaps_for(GapConcept.VITAMIN_D)]

    def test_the_most_recent_result_is_used_and_staleness_is_365_days(self, snapshot_of: SnapshotOf) -> None:
        fresh = snapshot_of(vitamin_d(value=10, on="2020-01-01"), vitamin_d(value=30, on="2024-06-01")).vitamin_d
        stale = snapshot_of(vitamin_d(value=30, on="2024-05-31"))
        assert fresh is not None and fresh.ng_per_ml == 30 and not fresh.is_stale
        assert stale.vitamin_d is not None and stale.vitamin_d.is_stale
        assert [g.kind for g in stale.gaps_for(GapConcept.VITAMIN_D)] == [GapKind.STALE]


class TestRenalFunction:
    def test_creatinine_clearance_is_preferred_over_a_more_recent_egfr(self, snapshot_of: SnapshotOf) -> None:
        renal = snapshot_of(
            creatinine_clearance(value=33, on="2025-01-01"), egfr(value=40, on="2025-05-01")
        ).renal_function
        assert renal is not None
        assert renal.kind is RenalKind.CRCL
        assert renal.ml_per_min == 33

    def test_egfr_is_used_when_there_is_no_fresh_clearance(self, snapshot_of: SnapshotOf) -> None:
        renal = snapshot_of(
            creatinine_clearance(value=33, on="2023-01-01"), egfr(value=40, on="2025-05-01")
        ).renal_function
        assert renal is not None and renal.kind is RenalKind.EGFR

    @pytest.mark.parametrize("unit", ["mL/min/{1.73_m2}", "mL/min/1.73m2", "ml/min/1,73m²", "mL/min"])
    def test_renal_units_are_normalised_by_the_numbers(self, snapshot_of: SnapshotOf, unit: str) -> None:
        renal = snapshot_of(egfr(value=28, unit=unit)).renal_function
        assert renal is not None and renal.ml_per_min == 28

    def test_no_renal_function_is_a_missing_gap(self, snapshot_of: SnapshotOf) -> None:
        assert [g.kind for g in snapshot_of().gaps_for(GapConcept.RENAL_FUNCTION)] == [GapKind.MISSING]

    def test_only_a_stale_value_is_kept_but_flagged(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(egfr(value=50, on="2024-01-01"))
        assert snapshot.renal_function is not None and snapshot.renal_function.is_stale
        assert [g.kind for g in snapshot.gaps_for(GapConcept.RENAL_FUNCTION)] == [GapKind.STALE]


class TestCreatinine:
    def test_mg_per_dl_creatinine_is_converted_to_umol_per_l(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(creatinine(value=1.0, unit="mg/dL")).serum_creatinine
        assert result is not None
        assert result.umol_per_l == pytest.approx(88.4)
        assert result.mg_per_dl == pytest.approx(1.0)

    def test_umol_per_l_is_kept(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(creatinine(value=120, unit="umol/L")).serum_creatinine
        assert result is not None and result.umol_per_l == 120


class TestCalcium:
    def test_mg_per_dl_calcium_is_converted_to_mmol_per_l(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(calcium(value=9.0, unit="mg/dL", on="2025-05-01")).calcium
        assert result is not None
        assert result.kind is CalciumKind.TOTAL
        assert result.mmol_per_l == pytest.approx(9.0 * 0.2495)

    def test_corrected_calcium_is_computed_from_same_day_albumin(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(
            calcium(value=2.10, on="2025-05-01", reference_range=(2.20, 2.60), id="ca"),
            albumin(value=30, on="2025-05-01", id="alb"),
        ).calcium
        assert result is not None
        assert result.kind is CalciumKind.ALBUMIN_CORRECTED
        assert result.computed_from_albumin
        assert result.mmol_per_l == pytest.approx(2.30)  # 2.10 + 0.02 × (40 − 30)
        assert result.interpretation is Interpretation.NORMAL
        assert result.albumin_source is not None and result.albumin_source.reference() == "Observation/alb"

    def test_albumin_in_g_per_dl_is_converted(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(
            calcium(value=2.10, on="2025-05-01"), albumin(value=3.0, unit="g/dL", on="2025-05-01")
        ).calcium
        assert result is not None and result.mmol_per_l == pytest.approx(2.30)

    def test_a_lab_reported_corrected_calcium_is_preferred_and_not_recomputed(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            calcium(value=2.10, on="2025-05-01"),
            albumin(value=30, on="2025-05-01"),
            calcium(value=2.05, kind="corrected", on="2025-05-01", interpretation="L"),
        )
        result = snapshot.calcium
        assert result is not None and not result.computed_from_albumin
        assert result.is_low is True

    def test_low_against_the_labs_own_reference_range(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(calcium(value=2.0, on="2025-05-01", reference_range=(2.2, 2.6))).calcium
        assert result is not None and result.is_low is True and result.is_high is False

    @pytest.mark.parametrize(
        ("value", "reference_range", "is_low", "is_high"),
        [
            pytest.param(2.2, (2.2, 2.6), False, False, id="at-the-lower-limit-normal"),
            pytest.param(2.3, (None, 2.6), None, False, id="under-a-lone-upper-limit-low-unknown"),
            pytest.param(2.7, (None, 2.6), False, True, id="over-a-lone-upper-limit-high"),
        ],
    )
    def test_normal_only_within_a_range_known_on_both_sides(
        self,
        snapshot_of: SnapshotOf,
        value: float,
        reference_range: tuple[float | None, float | None],
        is_low: bool | None,
        is_high: bool | None,
    ) -> None:
        result = snapshot_of(calcium(value=value, on="2025-05-01", reference_range=reference_range)).calcium
        assert result is not None
        if is_low is None:
            assert result.interpretation is None and result.is_low is None
        else:
            assert result.is_low is is_low and result.is_high is is_high

    def test_without_range_or_interpretation_hypocalcaemia_is_unknown(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(calcium(value=2.0, on="2025-05-01")).calcium
        assert result is not None and result.is_low is None


class TestUnavailableData:
    def test_an_unavailable_prefetch_key_is_recorded(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(unavailable=[UnavailableData("observations", "Observation", "FHIR server timeout")])
        gaps = snapshot.gaps_for(GapConcept.RESOURCE)
        assert [g.kind for g in gaps] == [GapKind.UNAVAILABLE]
        assert "observations" in gaps[0].detail
