"""The vignette helpers build complete prefetch and read cards by rule."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders.cds import PatientRecordBuilder, call_hook, indicators, rule_ids
from tests.builders.fhir import prednisone_statement


def test_a_long_term_prednisone_user_gets_the_gc_card_through_the_helpers(client: TestClient) -> None:
    record = PatientRecordBuilder(birth_date="1960-01-01").add(prednisone_statement(mg_per_day=10, start="2025-01-01"))

    cards = call_hook(client, "patient-view", record, language="en")

    assert "GC-START-1" in rule_ids(cards)
    assert indicators(cards, "GC-START-1") == ["warning"]
    assert record.prefetch()["conditions"]["entry"] == []
