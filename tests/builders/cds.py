"""End-to-end helpers for vignette tests: a patient's record as complete prefetch, one hook call, cards by rule.

Usage (a vignette reads as the case it tests)::

    record = PatientRecordBuilder(birth_date="1970-01-15", gender="female")
    record.add(prednisone_statement(mg_per_day=10, start="2025-01-01"))
    cards = call_hook(client, "order-select", record, draft_orders=[prednisone_order], language="en")
    assert indicators(cards, "GC-START-1") == ["warning"]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.builders.fhir import patient, search_bundle
from tests.builders.hooks import draft_orders_bundle, hook_request

__all__ = [
    "PatientRecordBuilder",
    "call_hook",
    "card_holding",
    "cards_for",
    "finding_rules",
    "findings",
    "full_assessment",
    "indicators",
    "rule_ids",
]

SERVICES = {
    "patient-view": "osteoporosis-patient-view",
    "order-select": "osteoporosis-order-select",
    "order-sign": "osteoporosis-order-sign",
}
_KEY_BY_TYPE = {
    "Observation": "observations",
    "Condition": "conditions",
    "MedicationStatement": "medicationStatements",
    "MedicationRequest": "medicationRequests",
    "MedicationAdministration": "medicationAdministrations",
    "MedicationDispense": "medicationDispenses",
    "AllergyIntolerance": "allergyIntolerances",
    "Medication": "medicationRequests",  # included resources travel in the searchset that references them
}


@dataclass
class PatientRecordBuilder:
    """A patient and their resources, rendered as complete prefetch (every key present; empty searches = [])."""

    birth_date: str | None = "1950-06-01"
    gender: str | None = "female"
    patient_id: str = "patient-1"
    resources: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *resources: dict[str, Any]) -> PatientRecordBuilder:
        self.resources.extend(resources)
        return self

    def prefetch(self) -> dict[str, Any]:
        grouped: dict[str, list[dict[str, Any]]] = {key: [] for key in set(_KEY_BY_TYPE.values())}
        for resource in self.resources:
            grouped[_KEY_BY_TYPE[resource["resourceType"]]].append(resource)
        prefetch: dict[str, Any] = {key: search_bundle(*items) for key, items in grouped.items()}
        prefetch["patient"] = patient(id=self.patient_id, birth_date=self.birth_date, gender=self.gender)
        return prefetch


def call_hook(
    client: TestClient,
    hook: str,
    record: PatientRecordBuilder,
    *,
    draft_orders: list[dict[str, Any]] | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """POST one hook call with complete prefetch; asserts 200 and returns the cards."""
    drafts = draft_orders or []
    body = hook_request(
        hook=hook,
        patient_id=record.patient_id,
        prefetch=record.prefetch(),
        draft_orders=draft_orders_bundle(*drafts) if hook != "patient-view" else None,
        selections=[f"{d['resourceType']}/{d['id']}" for d in drafts[:1]]
        if hook == "order-select" and drafts
        else None,
        extension={"org.osteo-cds.language": language} if language else None,
    )
    response = client.post(f"/cds-services/{SERVICES[hook]}", json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def rule_ids(cards: list[dict[str, Any]]) -> list[str]:
    """The ``source.topic.code`` of each card (its main finding's rule), in response order."""
    return [card["source"]["topic"]["code"] for card in cards]


def findings(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every finding the cards hold (``org.osteo-cds.findings``: each card's main finding, then its folded ones)."""
    return [finding for card in cards for finding in (card.get("extension") or {}).get("org.osteo-cds.findings", [])]


def finding_rules(cards: list[dict[str, Any]]) -> list[str]:
    """The rule of every finding the cards hold, in response order."""
    return [finding["rule"] for finding in findings(cards)]


def cards_for(cards: list[dict[str, Any]], rule_id: str) -> list[dict[str, Any]]:
    """What the cards show of ``rule_id``: the card itself where it is the main finding (``source.topic.code``);
    where it is folded into another card, what that card shows of it (the entry of ``org.osteo-cds.findings``:
    rule, variant, indicator, summary; no detail or suggestions of its own: those are the main finding's)."""
    shown = []
    for card in cards:
        if card["source"]["topic"]["code"] == rule_id:
            shown.append(card)
            continue
        listed = (card.get("extension") or {}).get("org.osteo-cds.findings", [])
        shown.extend(finding for finding in listed[1:] if finding["rule"] == rule_id)
    return shown


def indicators(cards: list[dict[str, Any]], rule_id: str) -> list[str]:
    """The indicators of the findings of ``rule_id`` on the cards, main or folded (``[]`` when none is shown)."""
    return [finding["indicator"] for finding in findings(cards) if finding["rule"] == rule_id]


def card_holding(cards: list[dict[str, Any]], rule_id: str) -> dict[str, Any]:
    """The one card that holds ``rule_id``'s finding, as its main finding or folded into it."""
    [card] = [card for card in cards if rule_id in finding_rules([card])]
    return card


def full_assessment(client: TestClient, card: dict[str, Any]) -> str:
    """The text a prescriber reads behind the card's "Full assessment" link (the page, tags removed, whitespace
    folded): every finding of the call with its explanation, data, missing data, quote and suggestions."""
    [link] = card["links"]
    response = client.get(urlsplit(link["url"]).path)
    assert response.status_code == 200, response.text
    body = re.sub(r"<style>.*?</style>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
