"""Snapshot additions for the diagnosis/screening rules: DXA Z-scores, other lab results (phosphate, ALP, PTH,
bone-turnover markers, FRAX) and DXA draft orders."""

from __future__ import annotations

import pytest

from app.snapshot import GapKind
from app.snapshot.model import BoneSite, Interpretation, LabTest
from tests.builders.fhir import draft_medication_request, loinc_dxa_order, observation, rxnorm, service_request
from tests.snapshot.conftest import SnapshotOf


class TestZScores:
    def test_a_lumbar_spine_z_score_is_read_with_its_site(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(observation(code="85394-5", value=-2.1, unit="{Z-score}", on="2025-05-01"))

        assert [(z.site, z.value) for z in snap.latest_z_scores] == [(BoneSite.LUMBAR_SPINE, -2.1)]

    def test_only_the_latest_day_counts_as_latest(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(
            observation(code="85394-5", value=-2.5, unit="{Z-score}", on="2020-05-01"),
            observation(code="80933-5", value=-1.0, unit="{Z-score}", on="2025-05-01"),
        )

        assert [z.value for z in snap.latest_z_scores] == [-1.0]

    def test_a_z_score_in_g_per_cm2_is_unmappable(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(observation(code="85394-5", value=0.9, unit="g/cm2", on="2025-05-01"))

        assert snap.z_scores == ()
        assert [g.kind for g in snap.gaps if g.kind is not GapKind.MISSING] == [GapKind.UNMAPPABLE]

    def test_an_entered_in_error_z_score_is_excluded(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(observation(code="85394-5", value=-3.0, unit="{Z-score}", status="entered-in-error"))

        assert snap.z_scores == ()
        assert len(snap.excluded) == 1


class TestOtherLabs:
    def test_alkaline_phosphatase_above_its_range_is_high(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(
            observation(code="6768-6", value=180, unit="U/L", on="2025-05-01", reference_range=(40, 120))
        )

        result = snap.latest_lab(LabTest.ALKALINE_PHOSPHATASE)

        assert result is not None
        assert result.interpretation is Interpretation.HIGH
        assert not result.is_stale

    @pytest.mark.parametrize(
        ("value", "reference_range", "expected"),
        [
            pytest.param(120, (40, 120), Interpretation.NORMAL, id="at-the-upper-limit-normal"),
            pytest.param(40, (40, 120), Interpretation.NORMAL, id="at-the-lower-limit-normal"),
            pytest.param(120.5, (40, 120), Interpretation.HIGH, id="above-high"),
            pytest.param(39.5, (40, 120), Interpretation.LOW, id="below-low"),
            pytest.param(80, (None, 120), None, id="under-a-lone-upper-limit-unknown"),
            pytest.param(130, (None, 120), Interpretation.HIGH, id="over-a-lone-upper-limit-high"),
            pytest.param(80, (40, None), None, id="over-a-lone-lower-limit-unknown"),
            pytest.param(30, (40, None), Interpretation.LOW, id="under-a-lone-lower-limit-low"),
        ],
    )
    def test_normal_only_within_a_range_known_on_both_sides(
        self,
        snapshot_of: SnapshotOf,
        value: float,
        reference_range: tuple[float | None, float | None],
        expected: Interpretation | None,
    ) -> None:
        """Behaviour change: a value under a lone upper limit (or over a lone lower limit) used to read "normal"
        here, while the calcium reader already said "unknown"; both now use the same reading."""
        snap = snapshot_of(
            observation(code="6768-6", value=value, unit="U/L", on="2025-05-01", reference_range=reference_range)
        )

        result = snap.latest_lab(LabTest.ALKALINE_PHOSPHATASE)

        assert result is not None and result.interpretation is expected

    def test_an_interpretation_code_wins_over_the_range(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(observation(code="2777-1", value=2.0, unit="mg/dL", interpretation="L"))

        result = snap.latest_lab(LabTest.PHOSPHATE)

        assert result is not None and result.interpretation is Interpretation.LOW

    def test_without_range_or_code_the_position_is_unknown(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(observation(code="2731-8", value=40, unit="pg/mL")).latest_lab(LabTest.PARATHYROID_HORMONE)

        assert result is not None and result.interpretation is None

    def test_a_result_older_than_90_days_is_stale(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(observation(code="41171-0", value=400, unit="pg/mL", on="2025-03-02")).latest_lab(
            LabTest.CTX
        )

        assert result is not None and result.is_stale

    def test_a_frax_probability_is_read_in_percent(self, snapshot_of: SnapshotOf) -> None:
        result = snapshot_of(observation(code="90265-0", value=23.5, unit="%")).latest_lab(
            LabTest.FRAX_MAJOR_OSTEOPOROTIC
        )

        assert result is not None and result.value == 23.5

    def test_a_frax_above_100_percent_is_unmappable(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(observation(code="90265-0", value=230, unit="%"))

        assert snap.lab_results == ()
        assert [g.kind for g in snap.gaps if g.kind is not GapKind.MISSING] == [GapKind.UNMAPPABLE]


class TestDxaDraftOrders:
    def test_a_dxa_service_request_is_marked_as_a_dxa_order(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(drafts=[service_request(code=loinc_dxa_order(), id="sr-1")])

        assert [o.is_dxa for o in snap.new_orders] == [True]

    def test_a_medication_order_is_not(self, snapshot_of: SnapshotOf) -> None:
        snap = snapshot_of(drafts=[draft_medication_request(id="d1", medication=rxnorm("904431"))])

        assert [o.is_dxa for o in snap.new_orders] == [False]
