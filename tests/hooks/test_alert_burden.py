"""Alert burden (rules.md §0.3 item 9): one short card per clinical problem, no card when there is nothing to do.

The decided set, as a prescriber meets it:
- patient-view: a critical finding stands alone; every other finding is folded into one bone-health card led by the
  most urgent finding that may lead; context reminders (falls, calcium intake, lifestyle, the risk class as such)
  never make a card appear;
- order-select: at most two cards, the critical findings about the order together, the rest in a second card;
- every card lists its findings (``org.osteo-cds.findings``), main first; its detail is at most 60 words;
- per site, a rule can be shown, folded or silent (recorded, never shown).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.deps import get_as_of
from app.devtools.patients import hook_request, library_queries, load_library, prefetch_for
from app.feedback.store import FeedbackStore, issued_finding
from app.main import ROOT, create_app
from app.presentation import DETAIL_MAX_WORDS, word_count
from app.render import load_card_catalog, render_findings, word_in_full
from app.rules.model import CannotAssess
from tests.builders.cds import PatientRecordBuilder, call_hook, finding_rules, findings, indicators, rule_ids
from tests.builders.fhir import (
    DENOSUMAB_60MG,
    denosumab_injection,
    dxa_t_score,
    medication_request,
)
from tests.conftest import AS_OF

LIBRARY = load_library()
QUERIES = library_queries()
WELL_CARED_FOR = [patient for patient in LIBRARY if "-well-" in patient.name]


def post(client: TestClient, patient: Any, hook: str, language: str = "en") -> list[dict[str, Any]]:
    body = hook_request(
        hook=hook,
        patient_id=patient.patient_id,
        prefetch=prefetch_for(patient.resources, QUERIES),
        draft_orders=[patient.draft_order] if hook != "patient-view" and patient.draft_order else [],
        language=language,
    )
    response = client.post(f"/cds-services/osteoporosis-{hook}", json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


@pytest.fixture(scope="module")
def library_cards(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """The cards of every library patient at patient-view (and order-select, with its draft order), per language:
    one application for the whole module (its lifespan is what costs)."""
    database = tmp_path_factory.mktemp("library") / "feedback.db"
    application = create_app(Settings(database_url=f"sqlite:///{database}", auth_disabled_for_development=True))
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    answers = {}
    with TestClient(application) as client:
        for patient in LIBRARY:
            hooks = ["patient-view"] + (["order-select"] if patient.draft_order else [])
            for hook in hooks:
                for language in ("nl", "en"):
                    answers[(patient.name, hook, language)] = post(client, patient, hook, language)
    return answers


def osteoporosis_untreated_with_low_vitamin_d() -> PatientRecordBuilder:
    """Woman of 75 with T −2.9 and no osteoporosis drug: treatment indicated; falls and calcium are not recorded."""
    record = PatientRecordBuilder(birth_date="1950-01-10", gender="female")
    return record.add(dxa_t_score(site="lumbar-spine", value=-2.9, on="2025-03-01"))


def denosumab_overdue_by_more_than_a_month() -> PatientRecordBuilder:
    record = PatientRecordBuilder(birth_date="1948-05-01", gender="female")
    record.add(medication_request(medication=DENOSUMAB_60MG, authored_on="2022-10-01"))
    for day in ("2023-10-20", "2024-04-20", "2024-10-20"):
        record.add(denosumab_injection(on=day))
    return record


class TestNothingToDoNoCard:
    def test_a_well_cared_for_patient_gets_no_card(self, library_cards: dict[Any, list[Any]]) -> None:
        assert len(WELL_CARED_FOR) >= 5
        for patient in WELL_CARED_FOR:
            assert library_cards[(patient.name, "patient-view", "en")] == [], patient.name

    def test_reminders_the_record_cannot_carry_never_make_a_card_appear(self, client: TestClient) -> None:
        healthy = PatientRecordBuilder(birth_date="1970-03-12", gender="female")
        healthy.add(dxa_t_score(site="lumbar-spine", value=-0.6, on="2025-02-10"))

        assert call_hook(client, "patient-view", healthy) == []


class TestOneCardPerClinicalProblem:
    def test_the_treatment_gap_leads_one_card_and_the_reminders_are_folded_into_it(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", osteoporosis_untreated_with_low_vitamin_d(), language="en")

        [card] = cards
        assert rule_ids(cards) == ["TX-IND-1"]
        assert card["indicator"] == "warning"
        held = findings(cards)
        assert held[0] == {
            "rule": "TX-IND-1",
            "variant": "high",
            "indicator": "warning",
            "summary": card["summary"],
        }
        assert {"CALC-1", "LIFE-1", "FALL-1", "RISK-BBC-1"} <= set(finding_rules(cards))
        assert "**Also check:**" in card["detail"]
        assert "falls in the past year" in card["detail"]
        assert len(card["suggestions"]) <= 2

    def test_a_critical_finding_stands_on_its_own_card_first(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", denosumab_overdue_by_more_than_a_month(), language="en")

        assert cards[0]["source"]["topic"]["code"] == "DMAB-INTERVAL-1"
        assert cards[0]["indicator"] == "critical"
        assert [f["rule"] for f in cards[0]["extension"]["org.osteo-cds.findings"]] == ["DMAB-INTERVAL-1"]
        assert len(cards) <= 3

    def test_every_rule_id_is_traceable_in_the_findings_of_some_card(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", osteoporosis_untreated_with_low_vitamin_d())

        for card in cards:
            listed = card["extension"]["org.osteo-cds.findings"]
            assert listed[0]["rule"] == card["source"]["topic"]["code"]
            assert all(set(entry) == {"rule", "variant", "indicator", "summary"} for entry in listed)


class TestOrderHooks:
    def test_a_contraindicated_order_gets_at_most_two_cards_critical_first(
        self, library_cards: dict[Any, list[Any]]
    ) -> None:
        cards = library_cards[("21-romosozumab-70f-after-mi", "order-select", "en")]

        assert 1 <= len(cards) <= 2
        assert cards[0]["indicator"] == "critical"
        assert indicators(cards, "CI-ROMO-1") == ["critical"]


class TestShortCards:
    def test_every_card_detail_is_at_most_60_words_in_either_language(
        self, library_cards: dict[Any, list[Any]]
    ) -> None:
        for call, cards in library_cards.items():
            for card in cards:
                assert len(card["summary"]) < 140, call
                assert word_count(card.get("detail") or "") <= DETAIL_MAX_WORDS, (call, card["detail"])

    def test_the_library_stays_within_the_alert_targets(self, library_cards: dict[Any, list[Any]]) -> None:
        view = [len(cards) for (_, hook, language), cards in library_cards.items() if hook == "patient-view"]
        orders = [len(cards) for (_, hook, _), cards in library_cards.items() if hook == "order-select"]

        assert sorted(view)[len(view) // 2] <= 1
        assert max(view) <= 3
        assert max(orders) <= 2

    def test_every_card_links_to_its_full_assessment(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", osteoporosis_untreated_with_low_vitamin_d(), language="nl")

        [link] = cards[0]["links"]
        assert link["label"] == "Volledige beoordeling"
        assert link["type"] == "absolute"
        assert re.fullmatch(r"http://testserver/assessment/[A-Za-z0-9_-]{22}", link["url"])


class TestCardTextDefects:
    def test_treatment_card_names_denosumab_when_every_bisphosphonate_is_contraindicated(
        self, library_cards: dict[Any, list[Any]]
    ) -> None:
        cards = library_cards[("19-renal-78f-crcl-28", "patient-view", "en")]

        [card] = [c for c in cards if c["source"]["topic"]["code"] == "TX-IND-1"]

        assert "denosumab" in card["summary"]
        assert "alendronate" not in card["summary"]
        assert all("alendron" not in s["label"] and "risedron" not in s["label"] for s in card["suggestions"])

    @pytest.mark.parametrize("language", ["nl", "en"])
    def test_no_card_variant_leaves_an_empty_placeholder(self, language: str) -> None:
        catalog = load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")
        empty = re.compile(r"\(\s*[,)]|\s,|:\s*[,.;)]|\(\s*\)|\bT\s+[,)]")
        for rule_id, template in catalog.templates.items():
            if rule_id == "DATA-UNAVAILABLE":
                continue
            facts = dict.fromkeys(template.placeholders(), "")
            for variant in template.variants:
                outcome = CannotAssess(rule_id, (), variant=variant, facts=facts)
                [finding] = render_findings([outcome], catalog=catalog, language=language, patient_id="p1")
                detail = word_in_full(
                    outcome, offered=finding.offered, withheld=finding.withheld, catalog=catalog, language=language
                ).detail
                for text in (finding.summary, detail):
                    assert "{" not in text, (rule_id, variant)
                    assert not empty.search(finding.summary), (rule_id, variant, finding.summary)


class TestDisplayPolicy:
    def settings_with(self, settings: Settings, policy: dict[str, str]) -> Settings:
        return settings.model_copy(update={"display_policy": policy})

    def test_fold_keeps_a_rule_inside_the_card_but_never_leading_it(self, settings: Settings) -> None:
        application = create_app(self.settings_with(settings, {"TX-IND-1": "fold"}))
        application.dependency_overrides[get_as_of] = lambda: AS_OF
        record = osteoporosis_untreated_with_low_vitamin_d()
        with TestClient(application) as client:
            cards = call_hook(client, "patient-view", record)

        assert "TX-IND-1" not in rule_ids(cards)

    def test_silent_findings_are_recorded_but_never_shown(self, settings: Settings) -> None:
        application = create_app(self.settings_with(settings, {"TX-IND-1": "silent"}))
        application.dependency_overrides[get_as_of] = lambda: AS_OF
        with TestClient(application) as client:
            cards = call_hook(client, "patient-view", osteoporosis_untreated_with_low_vitamin_d())
        store = FeedbackStore(settings.database_url)
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(issued_finding.c.rule_id, issued_finding.c.display).where(issued_finding.c.rule_id == "TX-IND-1")
            ).all()
        store.close()

        assert "TX-IND-1" not in finding_rules(cards)
        assert [tuple(row) for row in rows] == [("TX-IND-1", "silent")]

    def test_an_unknown_rule_in_the_policy_stops_start_up(self, database_url: str) -> None:
        with pytest.raises(ValueError, match="NOT-A-RULE"):
            Settings(database_url=database_url, display_policy={"NOT-A-RULE": "silent"})
