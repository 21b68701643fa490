"""Vignettes of the diagnosis and risk family end to end (vignettes.md H: V35; DX parts of others): hook request
with complete prefetch in, cards out, asserted per rule ID (other families' cards may appear too)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.deps import get_as_of
from app.main import create_app
from tests.builders.cds import PatientRecordBuilder, call_hook, cards_for, findings, indicators, rule_ids
from tests.builders.fhir import dxa_t_score, fracture, vitamin_d
from tests.conftest import AS_OF


@pytest.fixture
def be_client(settings: Settings) -> Iterator[TestClient]:
    application = create_app(settings.model_copy(update={"profile": "be"}))
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    with TestClient(application) as test_client:
        yield test_client


def woman_of_60(*, t_ls: float) -> PatientRecordBuilder:
    record = PatientRecordBuilder(birth_date="1965-01-15", gender="female")
    return record.add(dxa_t_score(site="lumbar-spine", value=t_ls, on="2025-05-01"))


def variant(cards: list[dict[str, Any]], rule_id: str) -> object:
    """The variant of ``rule_id``'s finding on the cards (main or folded)."""
    [finding] = [finding for finding in findings(cards) if finding["rule"] == rule_id]
    return finding["variant"]


class TestV35VeryHighRiskByTScoreAlone:
    def test_v35a_t_minus_3_6_is_bbc_very_high_risk(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", woman_of_60(t_ls=-3.6), language="en")

        assert indicators(cards, "RISK-BBC-1") == ["info"]
        (card,) = cards_for(cards, "RISK-BBC-1")  # folded into the treatment card: the risk class as such is context
        assert variant(cards, "RISK-BBC-1") == "very-high-t-score"
        assert "VERY HIGH" in card["summary"] and "-3.6" in card["summary"]

    def test_v35a_in_dutch_the_t_score_has_a_decimal_comma(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", woman_of_60(t_ls=-3.6), language="nl")

        (card,) = cards_for(cards, "RISK-BBC-1")
        assert "ZEER HOOG" in card["summary"] and "-3,6" in card["summary"]

    def test_v35a_in_the_be_profile_too(self, be_client: TestClient) -> None:
        cards = call_hook(be_client, "patient-view", woman_of_60(t_ls=-3.6))

        assert indicators(cards, "RISK-BBC-1") == ["info"]

    def test_v35b_t_exactly_minus_3_5_is_very_high(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", woman_of_60(t_ls=-3.5))

        assert variant(cards, "RISK-BBC-1") == "very-high-t-score"

    def test_v35c_t_exactly_minus_2_5_without_fracture_is_high(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", woman_of_60(t_ls=-2.5))

        assert variant(cards, "RISK-BBC-1") == "high-t-score"

    def test_v35_no_clinical_osteoporosis_card_when_the_dxa_already_shows_osteoporosis(
        self, client: TestClient
    ) -> None:
        cards = call_hook(client, "patient-view", woman_of_60(t_ls=-3.6))

        assert indicators(cards, "DX-CLIN-1") == []


class TestClinicalOsteoporosisAndOsteomalacia:
    def test_a_wrist_fracture_with_osteopenia_gets_the_treatment_card_not_a_second_diagnosis_card(
        self, client: TestClient
    ) -> None:
        record = woman_of_60(t_ls=-1.8).add(fracture(site="forearm", on="2024-11-01"))

        cards = call_hook(client, "patient-view", record)

        # rules.md DX-CLIN-1 fires only when "TX-IND-1 card not already shown (avoid duplicate)".
        assert indicators(cards, "TX-IND-1") == ["warning"]
        assert indicators(cards, "DX-CLIN-1") == []
        assert indicators(cards, "RISK-BBC-1") == ["info"]

    def test_low_vitamin_d_with_osteoporotic_bmd_raises_the_osteomalacia_question(self, client: TestClient) -> None:
        record = woman_of_60(t_ls=-2.9).add(vitamin_d(value=12, on="2025-05-01"))

        cards = call_hook(client, "patient-view", record)

        assert indicators(cards, "DX-OSTEOMAL-1") == ["info"]

    def test_a_normal_dxa_gives_no_osteomalacia_finding_and_the_provisional_low_class_is_folded(
        self, client: TestClient
    ) -> None:
        """The low vitamin D leads a card (VITD-1); the provisional low risk class is context inside it."""
        cards = call_hook(client, "patient-view", woman_of_60(t_ls=-0.5).add(vitamin_d(value=12, on="2025-05-01")))

        assert indicators(cards, "DX-OSTEOMAL-1") == []
        assert rule_ids(cards) == ["VITD-1"]
        assert variant(cards, "RISK-BBC-1") == "low-provisional"
