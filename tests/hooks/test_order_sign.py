"""order-select vs order-sign: advice is re-evaluated on the drafts as they are at signing.

A card shown at order-select is shown again at order-sign only while it still applies: when the prescriber has
added the advised co-prescription to the draft orders, the advice is resolved and the card is gone.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.cds import PatientRecordBuilder, call_hook, indicators
from tests.builders.fhir import atc, dosage, draft_medication_request, draft_prednisone_order


def alendronate_order() -> dict[str, Any]:
    return draft_medication_request(
        id="draft-alendronate",
        medication=atc("M05BA04", "alendronic acid"),
        dosages=[dosage(dose=70, unit="mg", ucum="mg", period_unit="wk")],
    )


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_prednisone_alone_gets_the_start_bone_protection_card(client: TestClient, hook: str) -> None:
    record = PatientRecordBuilder(birth_date="1970-01-15")

    cards = call_hook(client, hook, record, draft_orders=[draft_prednisone_order()])

    assert indicators(cards, "GC-START-1") == ["warning"]


def test_prednisone_signed_together_with_alendronate_gets_no_start_card(client: TestClient) -> None:
    record = PatientRecordBuilder(birth_date="1970-01-15")

    cards = call_hook(client, "order-sign", record, draft_orders=[draft_prednisone_order(), alendronate_order()])

    assert indicators(cards, "GC-START-1") == []
