"""A card overridden at order-select is not shown again at order-sign (rules.md §0.3 item 6).

The vignette (V06): a woman of 55 is prescribed prednisone 10 mg/day for 6 months. At order-select the service
advises starting fracture prevention (GC-START-1, warning) next to the general measures (GC-GEN-1). The prescriber
overrides the start advice with a reason; when she signs the same order a minute later, that card does not come
back, while the advice she did not override still does. The next day, or when the situation changed, it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.main import create_app
from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, cards_for, finding_rules, rule_ids
from tests.builders.fhir import (
    creatinine_clearance,
    draft_prednisone_order,
    prednisone_statement,
)
from tests.conftest import AS_OF

SELECT_FEEDBACK = "/cds-services/osteoporosis-order-select/feedback"
VIEW_FEEDBACK = "/cds-services/osteoporosis-patient-view/feedback"
OVERRIDDEN_AT = "2025-06-01T09:00:00Z"
"""11:00 in Amsterdam on 1 June 2025 (= AS_OF)."""


def woman_of_55(patient_id: str = "patient-1") -> PatientRecordBuilder:
    return PatientRecordBuilder(birth_date="1970-01-15", patient_id=patient_id)


def feedback(client: TestClient, card: dict[str, Any], outcome: str) -> None:
    item: dict[str, Any] = {"card": card["uuid"], "outcome": outcome, "outcomeTimestamp": OVERRIDDEN_AT}
    if outcome == "overridden":
        item["overrideReason"] = {"userComment": "specialist decides after the rheumatology visit"}
    else:
        item["acceptedSuggestions"] = [{"id": card["suggestions"][0]["uuid"]}]
    response = client.post(SELECT_FEEDBACK, json={"feedback": [item]})
    assert response.status_code == 200, response.text


def select_and_override(client: TestClient, record: PatientRecordBuilder, outcome: str = "overridden") -> None:
    cards = call_hook(client, "order-select", record, draft_orders=[draft_prednisone_order()])
    [start] = cards_for(cards, "GC-START-1")
    feedback(client, start, outcome)


def on_day(app: FastAPI, day: date) -> None:
    app.dependency_overrides[get_as_of] = lambda: day


class TestAnOverrideAtSelectHoldsAtSign:
    def test_the_overridden_card_is_not_repeated_with_any_finding_it_held(self, client: TestClient) -> None:
        """The order-select card led by GC-START-1 held GC-PARENT-1 and GC-GEN-1 too: overriding it overrides them."""
        select_and_override(client, woman_of_55())

        cards = call_hook(client, "order-sign", woman_of_55(), draft_orders=[draft_prednisone_order()])

        assert cards == []

    def test_without_the_override_the_card_is_shown_at_sign(self, client: TestClient) -> None:
        call_hook(client, "order-select", woman_of_55(), draft_orders=[draft_prednisone_order()])

        cards = call_hook(client, "order-sign", woman_of_55(), draft_orders=[draft_prednisone_order()])

        assert "GC-START-1" in rule_ids(cards)

    def test_accepted_advice_that_still_applies_is_shown_again(self, client: TestClient) -> None:
        """She clicked "start alendronate" but the alendronate order is not in the signed drafts."""
        select_and_override(client, woman_of_55(), outcome="accepted")

        cards = call_hook(client, "order-sign", woman_of_55(), draft_orders=[draft_prednisone_order()])

        assert "GC-START-1" in rule_ids(cards)

    def test_another_patient_still_gets_the_card(self, client: TestClient) -> None:
        select_and_override(client, woman_of_55("patient-1"))

        cards = call_hook(client, "order-sign", woman_of_55("patient-2"), draft_orders=[draft_prednisone_order()])

        assert "GC-START-1" in rule_ids(cards)

    def test_a_changed_situation_shows_the_card_again(self, client: TestClient) -> None:
        """A renal value of 25 mL/min arrives before signing: the advice becomes the second choice (another
        variant: no oral bisphosphonate), which she has not seen."""
        select_and_override(client, woman_of_55())
        changed = woman_of_55().add(creatinine_clearance(value=25, on="2025-06-01"))

        cards = call_hook(client, "order-sign", changed, draft_orders=[draft_prednisone_order()])

        [card] = cards_for(cards, "GC-START-1")
        assert card["extension"]["org.osteo-cds.trace"]["variant"] == "start-second-choice"

    @pytest.mark.parametrize(("day", "shown"), [(AS_OF, False), (date(2025, 6, 2), True)])
    def test_the_override_holds_for_the_ordering_day(self, app: FastAPI, day: date, shown: bool) -> None:
        with TestClient(app) as client:
            select_and_override(client, woman_of_55())
            on_day(app, day)

            cards = call_hook(client, "order-sign", woman_of_55(), draft_orders=[draft_prednisone_order()])

        assert ("GC-START-1" in rule_ids(cards)) is shown

    def test_an_override_in_the_chart_does_not_hide_the_card_at_sign(self, client: TestClient) -> None:
        """Only overrides at order-select count: the general-measures card overridden at patient-view (an info
        card, linked to the patient for the snooze) is still shown when she signs the order."""
        chart = woman_of_55().add(prednisone_statement(mg_per_day=10, start="2025-01-01"))
        on_chart = call_hook(client, "patient-view", chart)
        card = card_holding(on_chart, "GC-GEN-1")
        item = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": OVERRIDDEN_AT}
        response = client.post(VIEW_FEEDBACK, json={"feedback": [item]})
        assert response.status_code == 200, response.text

        cards = call_hook(client, "order-sign", woman_of_55(), draft_orders=[draft_prednisone_order()])

        assert "GC-START-1" in rule_ids(cards)
        assert "GC-GEN-1" in finding_rules(cards)

    def test_patient_view_is_not_affected(self, client: TestClient) -> None:
        select_and_override(client, woman_of_55())
        record = woman_of_55().add(prednisone_statement(mg_per_day=10, start="2025-01-01"))

        cards = call_hook(client, "patient-view", record)

        assert "GC-START-1" in rule_ids(cards)


@pytest.fixture
def repeating(settings: Settings) -> Iterator[TestClient]:
    application = create_app(settings.model_copy(update={"order_sign_hides_overridden": False}))
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    with TestClient(application) as test_client:
        yield test_client


def test_the_site_can_choose_to_repeat_overridden_cards(repeating: TestClient) -> None:
    select_and_override(repeating, woman_of_55())

    cards = call_hook(repeating, "order-sign", woman_of_55(), draft_orders=[draft_prednisone_order()])

    assert "GC-START-1" in rule_ids(cards)
