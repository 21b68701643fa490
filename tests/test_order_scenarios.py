"""The issue-5 order scenarios in examples/order-scenarios/, sent end to end (today is 2025-06-01, vignettes.md).

Each request carries its complete prefetch. Per file: the expected rule and indicator, every suggested resource a
valid R4 resource with the right ATC codes and dates, delete actions naming the draft, and no GC start card when
the draft already holds the bisphosphonate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from app.deps import get_as_of
from app.hooks.schemas import Card, CdsResponse, Suggestion

SCENARIOS = Path(__file__).resolve().parent.parent / "examples" / "order-scenarios"
VIGNETTE_DAY = date(2025, 6, 1)
ATC = "http://www.whocc.no/atc"
DENOSUMAB = "M05BX04"
ALENDRONATE = "M05BA04"
RISEDRONATE = "M05BA07"
ZOLEDRONATE = "M05BA08"


@pytest.fixture
def hooks(app: FastAPI) -> Iterator[TestClient]:
    app.dependency_overrides[get_as_of] = lambda: VIGNETTE_DAY
    with TestClient(app) as client:
        yield client


def send(client: TestClient, name: str) -> list[Card]:
    body = json.loads((SCENARIOS / name).read_text(encoding="utf-8"))
    response = client.post(f"/cds-services/osteoporosis-{body['hook']}", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.text
    return CdsResponse.model_validate(response.json()).cards


def card_of(cards: list[Card], rule_id: str) -> Card:
    found = [card for card in cards if card.source.topic and card.source.topic.code == rule_id]
    assert len(found) == 1, [card.source.topic.code for card in cards if card.source.topic]
    return found[0]


def resources(suggestion: Suggestion) -> list[dict[str, Any]]:
    """The created resources, each validated as FHIR R4 (fhir.resources.R4B)."""
    created = []
    for action in suggestion.actions or []:
        if action.type != "create":
            continue
        resource = action.resource or {}
        if resource["resourceType"] == "MedicationRequest":
            MedicationRequest.model_validate(resource)
        else:
            ServiceRequest.model_validate(resource)
        created.append(resource)
    return created


def atc_codes(suggestion: Suggestion) -> list[str]:
    return [
        coding["code"]
        for resource in resources(suggestion)
        if resource["resourceType"] == "MedicationRequest"
        for coding in resource["medicationCodeableConcept"]["coding"]
        if coding["system"] == ATC
    ]


def all_atc_codes(card: Card) -> list[str]:
    return [code for suggestion in card.suggestions or [] for code in atc_codes(suggestion)]


def deletes(card: Card) -> list[str]:
    return [
        action.resource_id
        for suggestion in card.suggestions or []
        for action in suggestion.actions or []
        if action.type == "delete" and action.resource_id is not None
    ]


class TestGlucocorticoidOrderNeedingPrevention:
    @pytest.mark.parametrize("name", ["gc-prednisone-order-select.json", "gc-prednisone-order-sign.json"])
    def test_prednisone_10_mg_at_55_offers_a_weekly_bisphosphonate_with_vitamin_d_calcium_and_dxa(
        self, hooks: TestClient, name: str
    ) -> None:
        card = card_of(send(hooks, name), "GC-START-1")

        assert card.indicator == "warning"
        codes = [atc_codes(suggestion) for suggestion in card.suggestions or []]
        assert [ALENDRONATE, "A11CC05"] in codes and [RISEDRONATE, "A11CC05"] in codes
        assert ["A12AA04"] in codes  # calcium carbonate, its own suggestion (diet first: only if the diet falls short)
        services = [r for s in card.suggestions or [] for r in resources(s) if r["resourceType"] == "ServiceRequest"]
        assert services, "DXA + VFA order expected"

    def test_with_alendronate_already_in_the_draft_there_is_no_start_card(self, hooks: TestClient) -> None:
        cards = send(hooks, "gc-prednisone-with-alendronate-order-sign.json")

        held = [f["rule"] for card in cards for f in (card.extension or {})["org.osteo-cds.findings"]]
        assert "GC-START-1" not in held
        assert "GC-GEN-1" in held  # the glucocorticoid order itself was read (folded: general measures)


class TestDenosumabStopWithoutTransition:
    def test_zoledronate_is_dated_six_months_after_the_last_injection(self, hooks: TestClient) -> None:
        card = card_of(send(hooks, "denosumab-stop-order-sign.json"), "DMAB-STOP-1")

        assert card.indicator == "critical"
        [zoledronate] = [s for s in card.suggestions or [] if atc_codes(s) == [ZOLEDRONATE]]
        [medication] = [r for r in resources(zoledronate) if r["resourceType"] == "MedicationRequest"]
        bounds = medication["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]
        assert bounds == {"start": "2025-07-15"}  # last injection 2025-01-15 + 6 months
        lab_dates = {r["occurrenceDateTime"] for r in resources(zoledronate) if r["resourceType"] == "ServiceRequest"}
        assert "2026-01-15" in lab_dates

    def test_keeping_denosumab_deletes_the_stop_order(self, hooks: TestClient) -> None:
        card = card_of(send(hooks, "denosumab-stop-order-sign.json"), "DMAB-STOP-1")

        assert deletes(card) == ["MedicationRequest/draft-denosumab-stop"]


class TestContraindicatedOrders:
    @pytest.mark.parametrize(
        ("name", "rule_id", "draft", "alternatives"),
        [
            pytest.param(
                "ci-zoledronate-crcl-32-order-sign.json",
                "CI-EGFR-1",
                "MedicationRequest/draft-zoledronate",
                [ALENDRONATE, DENOSUMAB],
                id="zoledronate-crcl-32",
            ),
            pytest.param(
                "ci-alendronate-crcl-25-order-sign.json",
                "CI-EGFR-2",
                "MedicationRequest/draft-alendronate",
                [DENOSUMAB],
                id="alendronate-crcl-25",
            ),
            pytest.param(
                "ci-teriparatide-on-denosumab-order-sign.json",
                "CI-TPTD-1",
                "MedicationRequest/draft-teriparatide",
                [DENOSUMAB],
                id="teriparatide-on-denosumab",
            ),
            pytest.param(
                "ci-romosozumab-after-mi-order-sign.json",
                "CI-ROMO-1",
                "MedicationRequest/draft-romosozumab",
                [ALENDRONATE, DENOSUMAB],
                id="romosozumab-after-mi",
            ),
            pytest.param(
                "ci-raloxifene-vte-order-sign.json",
                "CI-SERM-1",
                "MedicationRequest/draft-raloxifene",
                [ALENDRONATE, DENOSUMAB],
                id="raloxifene-with-vte",
            ),
        ],
    )
    def test_the_draft_is_removed_and_the_catalog_alternative_offered(
        self, hooks: TestClient, name: str, rule_id: str, draft: str, alternatives: list[str]
    ) -> None:
        card = card_of(send(hooks, name), rule_id)

        assert card.indicator == "critical"
        assert deletes(card) == [draft]
        assert all_atc_codes(card) == alternatives
        labels = [suggestion.label for suggestion in card.suggestions or []]
        assert labels[0] == "Remove this order"
