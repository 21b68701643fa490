"""The assessment page behind every card's "Full assessment" link: everything the short card leaves out.

A woman of 75 with T −2.9 and no osteoporosis drug gets one treatment card; the page behind its link shows every
finding of that call, also the context reminders and the silent-policy ones, and is safe to open: a capability
URL that is never cached, framed or referred, sealed at rest, gone after its time to live.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from fastapi.testclient import TestClient

from app.assessment import (
    AssessmentBook,
    PendingAssessment,
    assessment_payload,
    new_token,
    render_page,
    worded_findings,
)
from app.config import Settings
from app.deps import get_as_of
from app.feedback import FeedbackStore
from app.main import ROOT, create_app
from app.render import load_card_catalog, render_findings
from app.rules.model import Recommendation
from tests.builders.cds import PatientRecordBuilder, call_hook, full_assessment
from tests.builders.fhir import dxa_t_score, vitamin_d
from tests.conftest import AS_OF
from tests.vignettes.test_denosumab import continuing_denosumab


def untreated_osteoporosis() -> PatientRecordBuilder:
    record = PatientRecordBuilder(birth_date="1950-01-10", gender="female")
    return record.add(dxa_t_score(site="lumbar-spine", value=-2.9, on="2025-03-01"))


def page_path(card: dict[str, Any]) -> str:
    [link] = card["links"]
    return str(urlsplit(link["url"]).path)


def client_for(settings: Settings, **changes: Any) -> TestClient:
    application = create_app(settings.model_copy(update=changes))
    application.dependency_overrides[get_as_of] = lambda: AS_OF
    return TestClient(application)


class TestWhatThePageShows:
    def test_every_finding_of_the_call_with_its_full_explanation(self, client: TestClient) -> None:
        [card] = call_hook(client, "patient-view", untreated_osteoporosis(), language="en")

        page = full_assessment(client, card)

        assert "Full bone-health assessment" in page
        assert card["summary"] in page
        assert "Data used" in page and "«Naast deze niet-farmacologische maatregelen" in page  # quote, translated
        assert "In the high-risk group starting antiresorptive therapy is recommended" in page
        assert "Start risedronic acid 35 mg weekly" in page  # every suggestion, also those the card leaves out
        for rule in ("TX-IND-1", "LIFE-1", "CALC-1", "RISK-BBC-1"):
            assert rule in page

    def test_in_the_cards_language(self, client: TestClient) -> None:
        [card] = call_hook(client, "patient-view", untreated_osteoporosis(), language="nl")

        page = full_assessment(client, card)

        assert "Volledige beoordeling botgezondheid" in page and "Gebruikte gegevens" in page

    def test_silent_findings_are_on_the_page_but_on_no_card(self, settings: Settings) -> None:
        with client_for(settings, display_policy={"LIFE-1": "silent"}) as client:
            [card] = call_hook(client, "patient-view", untreated_osteoporosis(), language="en")
            page = full_assessment(client, card)

        assert "LIFE-1" not in [f["rule"] for f in card["extension"]["org.osteo-cds.findings"]]
        assert "LIFE-1 · Lifestyle, exercise and diet · info · silent (recorded only)" in page


class TestSafeByDefault:
    def test_the_page_is_never_cached_framed_or_referred_and_loads_nothing_else(self, client: TestClient) -> None:
        [card] = call_hook(client, "patient-view", untreated_osteoporosis())

        response = client.get(page_path(card))

        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "<script" not in response.text and "http" not in response.text.split("<body>")[1]

    def test_the_ehr_can_be_allowed_to_frame_it(self, settings: Settings) -> None:
        with client_for(settings, assessment_frame_ancestors=["https://ehr.example.org"]) as client:
            [card] = call_hook(client, "patient-view", untreated_osteoporosis())
            response = client.get(page_path(card))

        assert "frame-ancestors https://ehr.example.org" in response.headers["content-security-policy"]
        assert "x-frame-options" not in response.headers

    def test_an_unknown_link_gets_a_clear_page_in_the_readers_language(self, client: TestClient) -> None:
        response = client.get(f"/assessment/{new_token()}", headers={"Accept-Language": "nl"})

        assert response.status_code == 404
        assert "Beoordeling niet beschikbaar" in response.text
        assert response.headers["cache-control"] == "no-store"

    def test_the_database_holds_neither_the_token_nor_the_text(self, client: TestClient, database_url: str) -> None:
        [card] = call_hook(client, "patient-view", untreated_osteoporosis(), language="en")
        token = page_path(card).rsplit("/", 1)[1]
        full_assessment(client, card)  # written by now

        stored = b"".join(file.read_bytes() for file in Path(database_url.removeprefix("sqlite:///")).parent.glob("*"))

        assert token.encode() not in stored
        assert b"Lifestyle for fracture prevention" not in stored
        assert b"antiresorptive" not in stored

    def test_a_call_stores_the_outcomes_not_their_words_nor_the_order_it_would_delete(self) -> None:
        catalog = load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")
        stop = Recommendation(
            "DMAB-STOP-1",
            "short",
            facts=dict.fromkeys(catalog.templates["DMAB-STOP-1"].placeholders(), "2025-06-01")
            | {"stop_order": "MedicationRequest/draft-stop-1"},
            suggestions=("keep-denosumab",),
        )
        [finding] = render_findings([stop], catalog=catalog, language="en", patient_id="p1")

        payload = assessment_payload(
            [finding], shown={}, hook="order-select", language="en", as_of="2025-06-01", catalog=catalog
        )
        [page] = worded_findings(payload, catalog)

        stored = orjson.dumps(payload)
        assert b"draft-stop-1" not in stored and finding.summary.encode() not in stored
        assert page["summary"] == finding.summary and page["suggestions"] == ["Keep denosumab: remove the stop order"]
        assert "**Source:**" in page["detail"]

    def test_a_finding_whose_rule_was_removed_since_the_call_is_left_out_not_an_error(self) -> None:
        catalog = load_card_catalog(ROOT / "cards", ROOT / "fhir_mappings" / "orders")
        stored = {"rule": "RETIRED-1", "variant": "x", "display": "main", "facts": {}, "evidence": [], "offered": []}

        assert worded_findings({"language": "en", "findings": [stored]}, catalog) == []

    def test_a_page_past_its_time_to_live_is_gone(self, database_url: str, settings: Settings) -> None:
        store = FeedbackStore(database_url)
        book = AssessmentBook.open(store, settings)
        token = new_token()
        issued = datetime.now(UTC)  # expired rows are deleted by the wall clock when new ones are written
        book.record([PendingAssessment(token=token, payload={"findings": []}, issued_at=issued)])

        assert book.read(token, issued + timedelta(hours=11, minutes=59)) == {"findings": []}
        assert book.read(token, issued + timedelta(hours=12)) is None
        store.close()

    def test_turned_off_there_is_no_link_and_no_page(self, settings: Settings) -> None:
        with client_for(settings, assessment_page=False) as client:
            [card] = call_hook(client, "patient-view", untreated_osteoporosis())
            response = client.get(f"/assessment/{new_token()}")

        assert "links" not in card
        assert response.status_code == 404


def test_rule_id_wildcards_in_an_explanation_are_not_read_as_italics() -> None:
    finding = {
        "rule": "TX-IND-1",
        "variant": "very-high",
        "indicator": "warning",
        "role": "action",
        "display": "main",
        "title": "Treatment indicated",
        "summary": "Very high fracture risk, untreated.",
        "detail": "See the contraindications CI-ROMO-*, CI-TPTD-*.\n\n*The translation, in italics.*",
    }

    page = render_page({"language": "en", "as_of": "2025-06-01", "findings": [finding]})

    assert "CI-ROMO-*, CI-TPTD-*." in page
    assert "<em>The translation, in italics.</em>" in page


class TestThePictureAtAGlance:
    def test_the_t_score_chart_has_one_point_per_site_and_dxa(self, client: TestClient) -> None:
        record = untreated_osteoporosis().add(
            dxa_t_score(site="total-hip", value=-2.1, on="2025-03-01"),
            dxa_t_score(site="lumbar-spine", value=-2.6, on="2023-02-01"),
            dxa_t_score(site="total-hip", value=-1.9, on="2023-02-01"),
        )
        [card] = call_hook(client, "patient-view", record, language="en")

        page = client.get(page_path(card)).text

        assert page.count('class="point"') == 4
        assert page.count('data-site="lumbar-spine"') == 2
        assert "T -2.5" in page and "T -1" in page  # the cut-off lines

    def test_the_chart_leaves_the_forearm_out_and_lists_its_sites_in_order(self, client: TestClient) -> None:
        record = untreated_osteoporosis().add(
            dxa_t_score(site="total-hip", value=-2.1, on="2025-03-01"),
            dxa_t_score(site="forearm", value=-3.1, on="2025-03-01"),
            dxa_t_score(site="femoral-neck", value=-2.3, on="2025-03-01"),
        )
        [card] = call_hook(client, "patient-view", record, language="en")

        page = client.get(page_path(card)).text

        assert page.count('class="point"') == 3 and "forearm" not in page
        sites = [page.index(f'data-site="{site}"') for site in ("femoral-neck", "lumbar-spine", "total-hip")]
        assert sites == sorted(sites)

    def test_an_overdue_denosumab_injection_shows_its_due_date_as_overdue(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", continuing_denosumab("2024-10-20"), language="en")

        page = full_assessment(client, cards[0])

        assert "next denosumab 2025-04-20 (overdue)" in page

    def test_an_injection_on_schedule_shows_its_next_date_without_alarm(self, client: TestClient) -> None:
        record = continuing_denosumab("2025-03-01").add(vitamin_d(value=40, unit="nmol/L", on="2025-03-01"))
        cards = call_hook(client, "patient-view", record, language="en")

        page = full_assessment(client, cards[0])

        assert "next denosumab 2025-09-01" in page and "(overdue)" not in page
        assert "25-OH vitamin D 40 nmol/L 2025-03-01 current" in page


def test_each_finding_shows_the_parameters_that_decided_it_with_their_values(client: TestClient) -> None:
    cards = call_hook(client, "patient-view", continuing_denosumab("2024-10-20"), language="en")

    page = full_assessment(client, cards[0])

    assert "Parameters that decided it" in page
    assert "DMAB_CRITICAL_M = 7 months since the last injection" in page  # the critical card's threshold and value
