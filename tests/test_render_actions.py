"""Suggestion actions built by ``app/render.py``: dated orders (``dates``) and deletes (``delete``).

A suggestion template may date each of its orders with a fact of the outcome (ISO date → ``boundsPeriod.start`` of a
MedicationRequest, ``occurrenceDateTime`` of a ServiceRequest), delete a resource named by a fact (e.g. the draft
stop order of DMAB-STOP-1), and use the card's placeholders in its label.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.errors import CardTemplateError
from app.hooks.schemas import Action, Suggestion
from app.render import CardCatalog, Finding, load_card_catalog, render_findings
from app.rules.model import Recommendation

ROOT = Path(__file__).resolve().parent.parent

STOP_FACTS = {
    "stop_order": "MedicationRequest/draft-stop",
    "start": "2025-06-15",
    "lab": "2025-12-15",
    "dxa": "2026-06-15",
    "years": "2.5",
}


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")


def actions(suggestion: Suggestion) -> list[Action]:
    return suggestion.actions or []


def render_one(catalog: CardCatalog, outcome: Recommendation, language: str = "en") -> Finding:
    [card] = render_findings([outcome], catalog=catalog, language=language, patient_id="p1")
    return card


class TestDatedOrders:
    def test_the_transition_drug_is_dated_on_its_fact(self, catalog: CardCatalog) -> None:
        outcome = Recommendation("DMAB-STOP-1", variant="short", facts=STOP_FACTS, suggestions=("zoledronate",))

        [suggestion] = render_one(catalog, outcome).suggestions or []

        medication = actions(suggestion)[0].resource or {}
        assert medication["resourceType"] == "MedicationRequest"
        assert medication["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"] == {"start": "2025-06-15"}

    def test_service_requests_get_their_own_dates(self, catalog: CardCatalog) -> None:
        outcome = Recommendation("DMAB-STOP-1", variant="short", facts=STOP_FACTS, suggestions=("zoledronate",))

        [suggestion] = render_one(catalog, outcome).suggestions or []

        occurrences = {
            (a.resource or {}).get("code", {}).get("coding", [{}])[0].get("code"): (a.resource or {}).get(
                "occurrenceDateTime"
            )
            for a in actions(suggestion)
            if (a.resource or {}).get("resourceType") == "ServiceRequest"
        }
        assert occurrences == {
            "2000-8": "2025-12-15",
            "14682-9": "2025-12-15",
            "41171-0": "2025-12-15",
            "312681000": "2026-06-15",
        }

    def test_orders_without_a_date_mapping_stay_undated(self, catalog: CardCatalog) -> None:
        outcome = Recommendation(
            "DMAB-INTERVAL-1",
            variant="due",
            facts={"due": "2025-06-01", "last": "2024-12-01"},
            suggestions=("give-denosumab",),
        )

        [suggestion] = render_one(catalog, outcome).suggestions or []

        repeat = (actions(suggestion)[0].resource or {})["dosageInstruction"][0]["timing"]["repeat"]
        assert "boundsPeriod" not in repeat

    def test_the_label_is_filled_with_the_facts_in_the_cards_language(self, catalog: CardCatalog) -> None:
        outcome = Recommendation("DMAB-STOP-1", variant="short", facts=STOP_FACTS, suggestions=("zoledronate",))

        [suggestion] = render_one(catalog, outcome, language="nl").suggestions or []

        assert suggestion.label == "Zoledroninezuur 5 mg iv op 2025-06-15, lab op 2025-12-15, DXA + VFA op 2026-06-15"


class TestDeleteActions:
    def test_keep_denosumab_deletes_the_draft_stop_order(self, catalog: CardCatalog) -> None:
        outcome = Recommendation("DMAB-STOP-1", variant="short", facts=STOP_FACTS, suggestions=("keep-denosumab",))

        [suggestion] = render_one(catalog, outcome).suggestions or []

        [action] = actions(suggestion)
        assert action.type == "delete"
        assert action.resource_id == "MedicationRequest/draft-stop"
        assert action.description == "Keep denosumab: remove the stop order"

    def test_a_client_reading_the_spec_gets_resource_id_as_one_relative_reference_string(
        self, catalog: CardCatalog
    ) -> None:
        """CDS Hooks 2.0 Action.resourceId is a string ("MedicationRequest/abc"); a client that reads a string
        drops a suggestion whose resourceId is an array."""
        outcome = Recommendation("DMAB-STOP-1", variant="short", facts=STOP_FACTS, suggestions=("keep-denosumab",))

        [suggestion] = render_one(catalog, outcome).suggestions or []

        [wire] = suggestion.model_dump(mode="json", by_alias=True, exclude_none=True)["actions"]
        assert wire == {
            "type": "delete",
            "description": "Keep denosumab: remove the stop order",
            "resourceId": "MedicationRequest/draft-stop",
        }
        assert Action.model_validate(wire).resource_id == "MedicationRequest/draft-stop"

    def test_a_missing_delete_target_is_a_template_error_not_a_silent_card(self, catalog: CardCatalog) -> None:
        facts = {k: v for k, v in STOP_FACTS.items() if k != "stop_order"}
        outcome = Recommendation("DMAB-STOP-1", variant="short", facts=facts, suggestions=("keep-denosumab",))

        with pytest.raises(CardTemplateError, match="stop_order"):
            render_one(catalog, outcome)


def catalog_with(tmp_path: Path, suggestion: str) -> None:
    """Copy the real cards and add one template whose suggestion is ``suggestion`` (TOML)."""
    cards = tmp_path / "cards"
    shutil.copytree(ROOT / "cards", cards)
    (cards / "BP-FU-1.toml").write_text(
        (ROOT / "cards" / "BP-FU-1.toml").read_text(encoding="utf-8").split("[suggestions.follow-up]")[0]
        + suggestion
        + '\n[samples]\nsince = "2023-05-15"\ndue = "2025-05-15"\nyears = "3"\n',
        encoding="utf-8",
    )
    load_card_catalog(cards, ROOT / "fhir_mappings" / "orders")


class TestTemplateValidation:
    def test_dates_may_only_name_orders_of_the_suggestion(self, tmp_path: Path) -> None:
        bad = (
            '[suggestions.x]\nlabel.nl = "x"\nlabel.en = "x"\norders = ["dxa-vfa"]\ndates = { "lab-calcium" = "due" }\n'
        )

        with pytest.raises(CardTemplateError, match="dates"):
            catalog_with(tmp_path, bad)

    def test_delete_must_name_a_fact(self, tmp_path: Path) -> None:
        bad = '[suggestions.x]\nlabel.nl = "x"\nlabel.en = "x"\ndelete = true\n'

        with pytest.raises(CardTemplateError, match="delete"):
            catalog_with(tmp_path, bad)

    def test_a_suggestion_needs_orders_or_a_delete(self, tmp_path: Path) -> None:
        bad = '[suggestions.x]\nlabel.nl = "x"\nlabel.en = "x"\n'

        with pytest.raises(CardTemplateError, match="orders"):
            catalog_with(tmp_path, bad)

    def test_a_delete_only_suggestion_loads(self, tmp_path: Path) -> None:
        catalog_with(tmp_path, '[suggestions.x]\nlabel.nl = "x {due}"\nlabel.en = "x {due}"\ndelete = "due"\n')

    def test_label_placeholders_count_as_template_placeholders(self, catalog: CardCatalog) -> None:
        assert {"start", "lab", "dxa"} <= catalog.templates["DMAB-STOP-1"].placeholders()
