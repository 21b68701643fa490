"""Draft orders of order-select / order-sign (rules.md §0.4 "Detecting a stop denosumab order", D-GC)."""

from __future__ import annotations

import pytest

from app.snapshot import DraftAction, Drug, GapConcept
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    PREDNISONE_5MG,
    dosage,
    draft_medication_request,
    loinc_dxa_order,
    prednisone_statement,
    service_request,
)
from tests.snapshot.conftest import SnapshotOf


class TestDraftOrderClassification:
    def test_a_new_denosumab_order(self, snapshot_of: SnapshotOf) -> None:
        (order,) = snapshot_of(drafts=[draft_medication_request(medication=DENOSUMAB_60MG, id="d1")]).draft_orders
        assert order.action is DraftAction.NEW
        assert order.drug is Drug.DENOSUMAB
        assert order.draft_ref == "MedicationRequest/d1"

    @pytest.mark.parametrize(
        "kwargs",
        [
            pytest.param({"status": "stopped"}, id="stopped"),
            pytest.param({"status": "cancelled"}, id="cancelled"),
            pytest.param({"status": "completed"}, id="completed"),
            pytest.param({"status": "draft", "do_not_perform": True}, id="do-not-perform"),
        ],
    )
    def test_stop_denosumab_orders(self, snapshot_of: SnapshotOf, kwargs: dict[str, object]) -> None:
        snapshot = snapshot_of(drafts=[draft_medication_request(medication=DENOSUMAB_60MG, **kwargs)])
        (order,) = snapshot.stop_orders
        assert order.drug is Drug.DENOSUMAB

    def test_selected_drafts_are_marked(self, snapshot_of: SnapshotOf) -> None:
        snapshot = snapshot_of(
            drafts=[draft_medication_request(medication=DENOSUMAB_60MG, id="d1")], selections=["MedicationRequest/d1"]
        )
        assert snapshot.draft_orders[0].is_selected

    def test_a_service_request_keeps_its_codes(self, snapshot_of: SnapshotOf) -> None:
        (order,) = snapshot_of(drafts=[service_request(code=loinc_dxa_order())]).draft_orders
        assert order.drug is None and order.resource_type == "ServiceRequest"
        assert order.codes[0].code == "38268-9"

    def test_the_dose_of_a_draft_is_classified(self, snapshot_of: SnapshotOf) -> None:
        draft = draft_medication_request(medication=PREDNISONE_5MG, dosages=[dosage(dose=2, unit="tablet")])
        (order,) = snapshot_of(drafts=[draft]).draft_orders
        assert order.dose is not None and order.dose.mg_per_day == 10


class TestDraftGlucocorticoid:
    def test_a_new_glucocorticoid_draft_is_an_exposure_with_its_expected_duration(
        self, snapshot_of: SnapshotOf
    ) -> None:
        draft = draft_medication_request(
            medication=PREDNISONE_5MG, dosages=[dosage(dose=10, unit="mg")], expected_supply_days=180
        )
        gc = snapshot_of(drafts=[draft]).current_glucocorticoid()
        assert gc is not None and gc.from_draft_order and not gc.is_current
        assert gc.prednisone_eq_mg_per_day == 10
        assert gc.elapsed_months == 0
        assert gc.expected_total_months == pytest.approx(180 / 30.4375)

    def test_a_renewal_draft_adds_the_elapsed_use_of_the_ongoing_course(self, snapshot_of: SnapshotOf) -> None:
        draft = draft_medication_request(
            medication=PREDNISONE_5MG, dosages=[dosage(dose=10, unit="mg")], expected_supply_days=30
        )
        gc = next(
            g
            for g in snapshot_of(prednisone_statement(start="2025-03-01"), drafts=[draft]).glucocorticoids
            if g.from_draft_order
        )
        assert gc.elapsed_months == pytest.approx(92 / 30.4375)
        assert gc.expected_total_months == pytest.approx(122 / 30.4375)

    def test_a_draft_without_duration_records_a_duration_gap(self, snapshot_of: SnapshotOf) -> None:
        draft = draft_medication_request(medication=PREDNISONE_5MG, dosages=[dosage(dose=10, unit="mg")])
        snapshot = snapshot_of(drafts=[draft])
        assert snapshot.gaps_for(GapConcept.GLUCOCORTICOID_DURATION)

    def test_a_stop_glucocorticoid_draft_is_not_an_exposure(self, snapshot_of: SnapshotOf) -> None:
        draft = draft_medication_request(medication=PREDNISONE_5MG, status="stopped")
        snapshot = snapshot_of(drafts=[draft])
        assert snapshot.current_glucocorticoid() is None
        assert snapshot.stop_orders[0].drug is Drug.PREDNISONE
