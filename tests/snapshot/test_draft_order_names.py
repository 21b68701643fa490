"""Draft medication orders keep the names of their medication (DraftOrder.medication_names), also when the drug is
none of ours: rules recognise magnesium or vitamin K by ingredient name (terminology.md §5.1 step 3)."""

from __future__ import annotations

from app.snapshot.model import DraftAction, Drug
from tests.builders.fhir import (
    atc,
    concept,
    draft_medication_request,
    loinc_dxa_order,
    medication,
    reference,
    rxnorm,
    service_request,
)
from tests.snapshot.conftest import SnapshotOf


class TestDraftOrderMedicationNames:
    def test_an_unknown_supplement_keeps_its_text(self, snapshot_of: SnapshotOf) -> None:
        order = draft_medication_request(id="mg", medication=concept(text="Magnesiumcitraat 500 mg"))

        [draft] = snapshot_of(drafts=[order]).draft_orders

        assert (draft.drug, draft.action) == (None, DraftAction.NEW)
        assert draft.medication_names == ("Magnesiumcitraat 500 mg",)

    def test_a_known_drug_keeps_text_and_coding_displays(self, snapshot_of: SnapshotOf) -> None:
        order = draft_medication_request(
            medication=concept(*atc("A12AA04", "calcium carbonate")["coding"], text="Calci-Chew")
        )

        [draft] = snapshot_of(drafts=[order]).draft_orders

        assert draft.drug is Drug.CALCIUM_SUPPLEMENT
        assert draft.medication_names == ("Calci-Chew", "calcium carbonate")

    def test_a_referenced_medication_contributes_its_code_display(self, snapshot_of: SnapshotOf) -> None:
        med = medication(id="med-k2", code=rxnorm("999999", "menaquinone-7 100 MCG Oral Capsule"))
        order = draft_medication_request(medication_ref=reference(med))

        [draft] = snapshot_of(med, drafts=[order]).draft_orders

        assert draft.medication_names == ("menaquinone-7 100 MCG Oral Capsule",)

    def test_a_service_request_has_no_medication_names(self, snapshot_of: SnapshotOf) -> None:
        [draft] = snapshot_of(drafts=[service_request(code=loinc_dxa_order())]).draft_orders

        assert draft.medication_names == ()
