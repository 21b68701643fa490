"""A contraindicated draft order gets one-click actions (rules.md §6 "Suggestions: remove draft; <alternative>").

Today is 2025-06-01. Each vignette orders a drug the patient may not get (zoledronate at CrCl < 35, an oral
bisphosphonate at CrCl < 30, teriparatide on denosumab, romosozumab after MI/stroke, raloxifene after VTE) and
checks the rendered card: a delete action naming the draft, and the catalog's alternative as valid R4 resources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from app.fhir.record import PatientRecord
from app.hooks.schemas import Suggestion
from app.render import CardCatalog, Finding, load_card_catalog, render_findings
from app.rules.model import Hook, Outcome, Recommendation, Rule
from app.rules.osteoporosis.safety import CI_EGFR_1, CI_EGFR_2, CI_ROMO_1, CI_SERM_1, CI_TPTD_1
from app.snapshot import SnapshotParameters, build_snapshot
from tests.builders.fhir import (
    atc,
    condition,
    creatinine_clearance,
    denosumab_injection,
    draft_medication_request,
    patient,
)
from tests.rules._support import AS_OF, evaluate, snapshot
from tests.rules._support import catalog as code_catalog

ROOT = Path(__file__).resolve().parents[2]
ATC = "http://www.whocc.no/atc"

ZOLEDRONATE = atc("M05BA08", "zoledronic acid")
ALENDRONATE = atc("M05BA04", "alendronic acid")
ROMOSOZUMAB = atc("M05BX06", "romosozumab")
TERIPARATIDE = atc("H05AA02", "teriparatide")
RALOXIFENE = atc("G03XC01", "raloxifene")
MI: dict[str, Any] = {"code": "22298006", "display": "Myocardial infarction"}
DVT: dict[str, Any] = {"code": "128053003", "display": "Deep venous thrombosis"}
RECENT = "2025-05-20"


@pytest.fixture(scope="module")
def catalog() -> CardCatalog:
    return load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")


def ordered(medication: dict[str, Any], *, id: str | None = "draft-1") -> dict[str, Any]:
    order = draft_medication_request(id=id or "x", medication=medication)
    if id is None:
        del order["id"]
    return order


def run(rule: Rule, *resources: dict[str, Any], draft: dict[str, Any], hook: Hook = Hook.ORDER_SIGN) -> Outcome:
    return evaluate(rule, snapshot(*resources, born="1950-01-15", drafts=(draft,)), hook=hook)


def run_without_selection(rule: Rule, *resources: dict[str, Any], draft: dict[str, Any]) -> Outcome:
    """A draft order without id: it cannot be named in ``selections`` nor in a delete action."""
    record = PatientRecord(
        patient=patient(birth_date="1950-01-15", gender="female"),
        resources=tuple(resources),
        draft_orders=(draft,),
        selections=(),
        unavailable=(),
    )
    snap = build_snapshot(record, catalog=code_catalog(), as_of=AS_OF, parameters=SnapshotParameters())
    return evaluate(rule, snap, hook=Hook.ORDER_SIGN)


def render(catalog: CardCatalog, outcome: Outcome, language: str = "en") -> Finding:
    assert isinstance(outcome, Recommendation), outcome
    [card] = render_findings([outcome], catalog=catalog, language=language, patient_id="p1")
    return card


def by_label(card: Finding) -> dict[str, Suggestion]:
    return {suggestion.label: suggestion for suggestion in card.suggestions or []}


def atc_codes(suggestion: Suggestion) -> list[str]:
    """ATC codes of the created MedicationRequests; each resource must parse as R4."""
    codes = []
    for action in suggestion.actions or []:
        resource = action.resource or {}
        if resource.get("resourceType") == "MedicationRequest":
            MedicationRequest.model_validate(resource)
            codings = resource["medicationCodeableConcept"]["coding"]
            codes += [coding["code"] for coding in codings if coding["system"] == ATC]
        elif resource.get("resourceType") == "ServiceRequest":
            ServiceRequest.model_validate(resource)
    return codes


def removal(card: Finding) -> str | None:
    for suggestion in card.suggestions or []:
        for action in suggestion.actions or []:
            if action.type == "delete":
                return action.resource_id
    return None


class TestZoledronateOrderedAtLowRenalFunction:
    def test_crcl_32_removes_the_draft_and_offers_alendronate_and_denosumab(self, catalog: CardCatalog) -> None:
        card = render(catalog, run(CI_EGFR_1, creatinine_clearance(value=32, on=RECENT), draft=ordered(ZOLEDRONATE)))

        suggestions = by_label(card)
        assert card.indicator == "critical"
        assert removal(card) == "MedicationRequest/draft-1"
        assert atc_codes(suggestions["Start alendronic acid 70 mg once weekly (clearance ≥ 30 mL/min)"]) == ["M05BA04"]
        assert "M05BX04" in atc_codes(
            suggestions["Start denosumab 60 mg SC every 6 months, with calcium and 25-OH vitamin D check"]
        )

    def test_crcl_29_offers_no_bisphosphonate_at_all(self, catalog: CardCatalog) -> None:
        card = render(catalog, run(CI_EGFR_1, creatinine_clearance(value=29, on=RECENT), draft=ordered(ZOLEDRONATE)))

        codes = [code for suggestion in card.suggestions or [] for code in atc_codes(suggestion)]
        assert codes == ["M05BX04"]

    def test_the_denosumab_alternative_brings_the_calcium_and_vitamin_d_check(self, catalog: CardCatalog) -> None:
        card = render(catalog, run(CI_EGFR_1, creatinine_clearance(value=29, on=RECENT), draft=ordered(ZOLEDRONATE)))

        [denosumab] = [s for s in card.suggestions or [] if atc_codes(s)]
        loinc = [
            coding["code"]
            for action in denosumab.actions or []
            if (action.resource or {}).get("resourceType") == "ServiceRequest"
            for coding in (action.resource or {})["code"]["coding"]
        ]
        assert loinc == ["2000-8", "62292-8"]

    def test_the_labels_read_as_actions_in_dutch(self, catalog: CardCatalog) -> None:
        outcome = run(CI_EGFR_1, creatinine_clearance(value=32, on=RECENT), draft=ordered(ZOLEDRONATE))

        labels = list(by_label(render(catalog, outcome, language="nl")))
        assert labels[0] == "Verwijder deze order"
        assert all(label.startswith(("Verwijder", "Start")) for label in labels)


class TestOralBisphosphonateOrderedBelow30:
    def test_crcl_29_9_removes_alendronate_and_offers_denosumab(self, catalog: CardCatalog) -> None:
        card = render(catalog, run(CI_EGFR_2, creatinine_clearance(value=29.9, on=RECENT), draft=ordered(ALENDRONATE)))

        assert removal(card) == "MedicationRequest/draft-1"
        assert [code for s in card.suggestions or [] for code in atc_codes(s)] == ["M05BX04"]

    def test_a_draft_without_id_gets_no_remove_action_but_keeps_the_alternative(self, catalog: CardCatalog) -> None:
        outcome = run_without_selection(
            CI_EGFR_2, creatinine_clearance(value=25, on=RECENT), draft=ordered(ALENDRONATE, id=None)
        )

        assert isinstance(outcome, Recommendation) and outcome.suggestions == ("denosumab",)
        assert removal(render(catalog, outcome)) is None

    def test_patient_view_of_a_current_user_has_nothing_to_remove(self) -> None:
        outcome = run(
            CI_EGFR_2, creatinine_clearance(value=25, on=RECENT), draft=ordered(ALENDRONATE), hook=Hook.PATIENT_VIEW
        )

        assert not (isinstance(outcome, Recommendation) and "remove-order" in outcome.suggestions)


class TestTeriparatideOrderedOnDenosumab:
    def test_removes_teriparatide_and_keeps_denosumab(self, catalog: CardCatalog) -> None:
        outcome = run(CI_TPTD_1, denosumab_injection(on="2025-04-01"), draft=ordered(TERIPARATIDE, id="draft-tptd"))

        card = render(catalog, outcome)
        assert card.indicator == "critical"
        assert removal(card) == "MedicationRequest/draft-tptd"
        assert [code for s in card.suggestions or [] for code in atc_codes(s)] == ["M05BX04"]


class TestRomosozumabOrderedAfterMyocardialInfarction:
    def test_removes_romosozumab_and_offers_an_antiresorptive(self, catalog: CardCatalog) -> None:
        card = render(catalog, run(CI_ROMO_1, condition(**MI), draft=ordered(ROMOSOZUMAB)))

        assert card.indicator == "critical"
        assert removal(card) == "MedicationRequest/draft-1"
        assert [code for s in card.suggestions or [] for code in atc_codes(s)] == ["M05BA04", "M05BX04"]

    def test_at_crcl_below_30_only_denosumab_remains(self, catalog: CardCatalog) -> None:
        outcome = run(CI_ROMO_1, condition(**MI), creatinine_clearance(value=25, on=RECENT), draft=ordered(ROMOSOZUMAB))

        assert [code for s in render(catalog, outcome).suggestions or [] for code in atc_codes(s)] == ["M05BX04"]


class TestRaloxifeneOrderedAfterVenousThromboembolism:
    def test_removes_raloxifene_and_offers_a_bisphosphonate_or_denosumab(self, catalog: CardCatalog) -> None:
        card = render(catalog, run(CI_SERM_1, condition(**DVT), draft=ordered(RALOXIFENE, id="draft-ral")))

        assert card.indicator == "critical"
        assert removal(card) == "MedicationRequest/draft-ral"
        assert [code for s in card.suggestions or [] for code in atc_codes(s)] == ["M05BA04", "M05BX04"]

    def test_without_vte_there_is_no_remove_action(self) -> None:
        outcome = run(CI_SERM_1, draft=ordered(RALOXIFENE))

        assert not (isinstance(outcome, Recommendation) and "remove-order" in outcome.suggestions)
