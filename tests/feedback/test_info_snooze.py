"""Informational patient-view cards are snoozed after acknowledgement (rules.md §0.3 item 6, INFO_SNOOZE_DAYS = 30).

The vignette: a woman continuing denosumab, her last injection 6 months and 3 weeks ago. Opening her chart shows
seven cards: the overdue-injection warning and six info cards (vitamin D, calcium, lifestyle, risk class, DXA).
Once the prescriber has acknowledged an info card (feedback accepted or overridden) it stays away from her chart
for 30 days, inclusive: acknowledged on 1 June, still away on 1 July, back on 2 July.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, select

from app.config import Settings
from app.deps import get_as_of
from app.feedback.store import FeedbackStore, IssuedCard, IssuedFinding, PreparedRead, finding_acknowledgement
from app.hooks.schemas import FeedbackItem
from app.logging import JsonFormatter
from app.main import create_app
from app.rules.parameters import GuidelineParameters
from tests.builders.cds import PatientRecordBuilder, call_hook, card_holding, finding_rules, indicators
from tests.builders.fhir import DENOSUMAB_60MG, draft_medication_request
from tests.conftest import AS_OF
from tests.vignettes.test_denosumab import continuing_denosumab

PATIENT_VIEW_FEEDBACK = "/cds-services/osteoporosis-patient-view/feedback"
ACKNOWLEDGED_AT = "2025-06-01T09:00:00Z"
"""11:00 in Amsterdam on 1 June 2025 (= AS_OF, the day of the first chart opening)."""
SECRET_PATIENT_ID = "pt-Zq81-snooze"
INFO_FINDINGS = ["VITD-1", "VITD-2", "CALC-1", "LIFE-1", "RISK-BBC-1", "MON-DXA-1"]
"""The info findings folded into the overdue-denosumab card (its main finding is the DMAB-INTERVAL-1 warning)."""


def overdue_denosumab_patient(patient_id: str = "patient-1") -> PatientRecordBuilder:
    record = continuing_denosumab("2024-11-10")
    record.patient_id = patient_id
    return record


def on_day(app: FastAPI, day: date) -> None:
    app.dependency_overrides[get_as_of] = lambda: day


def override(client: TestClient, card: dict[str, Any], *, at: str = ACKNOWLEDGED_AT) -> None:
    """The prescriber dismisses the card with a reason ("overridden")."""
    item = {
        "card": card["uuid"],
        "outcome": "overridden",
        "overrideReason": {"userComment": "discussed with the patient"},
        "outcomeTimestamp": at,
    }
    response = client.post(PATIENT_VIEW_FEEDBACK, json={"feedback": [item]})
    assert response.status_code == 200, response.text


def accept(client: TestClient, card: dict[str, Any], *, at: str = ACKNOWLEDGED_AT) -> None:
    """The prescriber takes the card's first suggestion ("accepted")."""
    item = {
        "card": card["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": at,
    }
    response = client.post(PATIENT_VIEW_FEEDBACK, json={"feedback": [item]})
    assert response.status_code == 200, response.text


class TestAcknowledgedInfoCardsAreSnoozed:
    def test_the_chart_opens_with_one_card_a_warning_and_six_info_findings(self, client: TestClient) -> None:
        cards = call_hook(client, "patient-view", overdue_denosumab_patient())

        assert len(cards) == 1
        assert indicators(cards, "DMAB-INTERVAL-1") == ["warning"]
        assert sorted(finding_rules(cards)) == sorted(["DMAB-INTERVAL-1", *INFO_FINDINGS])

    @pytest.mark.parametrize("acknowledge", [override, accept], ids=["overridden", "accepted"])
    def test_an_acknowledged_card_snoozes_every_info_finding_it_held(
        self, client: TestClient, acknowledge: Any
    ) -> None:
        record = overdue_denosumab_patient()
        acknowledge(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))

        again = call_hook(client, "patient-view", record)

        assert finding_rules(again) == ["DMAB-INTERVAL-1"]

    def test_a_card_shown_but_not_acknowledged_keeps_coming_back(self, client: TestClient) -> None:
        record = overdue_denosumab_patient()
        call_hook(client, "patient-view", record)

        again = call_hook(client, "patient-view", record)

        assert sorted(finding_rules(again)) == sorted(["DMAB-INTERVAL-1", *INFO_FINDINGS])

    @pytest.mark.parametrize(
        ("days_later", "shown"),
        [
            pytest.param(1, False, id="next-day-snoozed"),
            pytest.param(29, False, id="29-days-snoozed"),
            pytest.param(30, False, id="30-days-still-snoozed-inclusive"),
            pytest.param(31, True, id="31-days-back"),
        ],
    )
    def test_the_snooze_lasts_30_days_inclusive(
        self, app: FastAPI, client: TestClient, days_later: int, shown: bool
    ) -> None:
        record = overdue_denosumab_patient()
        override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))

        on_day(app, AS_OF + timedelta(days=days_later))
        later = call_hook(client, "patient-view", record)

        assert ("LIFE-1" in finding_rules(later)) is shown

    def test_the_acknowledgement_day_is_the_local_day_of_the_outcome(self, app: FastAPI, client: TestClient) -> None:
        """23:30 UTC on 31 May is 01:30 on 1 June in Amsterdam: 31 days later (2 July) the card is back."""
        record = overdue_denosumab_patient()
        override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"), at="2025-05-31T23:30:00Z")

        on_day(app, date(2025, 7, 1))
        assert "LIFE-1" not in finding_rules(call_hook(client, "patient-view", record))
        on_day(app, date(2025, 7, 2))
        assert "LIFE-1" in finding_rules(call_hook(client, "patient-view", record))

    def test_an_acknowledgement_after_the_evaluation_date_does_not_snooze(
        self, app: FastAPI, client: TestClient
    ) -> None:
        """Replaying an earlier day (as_of before the feedback) shows the chart as it was then."""
        record = overdue_denosumab_patient()
        override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))

        on_day(app, AS_OF - timedelta(days=1))

        assert "LIFE-1" in finding_rules(call_hook(client, "patient-view", record))

    def test_another_patient_still_sees_card_holding(self, client: TestClient) -> None:
        first = call_hook(client, "patient-view", overdue_denosumab_patient("patient-1"))
        override(client, card_holding(first, "LIFE-1"))

        other = call_hook(client, "patient-view", overdue_denosumab_patient("patient-2"))

        assert "LIFE-1" in finding_rules(other)

    def test_a_warning_is_never_snoozed(self, client: TestClient) -> None:
        record = overdue_denosumab_patient()
        override(client, card_holding(call_hook(client, "patient-view", record), "DMAB-INTERVAL-1"))

        again = call_hook(client, "patient-view", record)

        assert indicators(again, "DMAB-INTERVAL-1") == ["warning"]

    def test_order_hooks_still_show_an_info_card_snoozed_on_the_chart(self, client: TestClient) -> None:
        record = overdue_denosumab_patient()
        override(client, card_holding(call_hook(client, "patient-view", record), "CALC-1"))
        denosumab_order = draft_medication_request(medication=DENOSUMAB_60MG, id="dmab-draft")

        on_chart = call_hook(client, "patient-view", record)
        on_order = call_hook(client, "order-select", record, draft_orders=[denosumab_order])

        assert "CALC-1" not in finding_rules(on_chart)
        assert indicators(on_order, "CALC-1") == ["info"]

    def test_an_info_card_acknowledged_at_order_select_does_not_snooze_the_chart(self, client: TestClient) -> None:
        record = overdue_denosumab_patient()
        denosumab_order = draft_medication_request(medication=DENOSUMAB_60MG, id="dmab-draft")
        on_order = call_hook(client, "order-select", record, draft_orders=[denosumab_order])
        item = {
            "card": card_holding(on_order, "CALC-1")["uuid"],
            "outcome": "overridden",
            "outcomeTimestamp": ACKNOWLEDGED_AT,
        }
        assert client.post("/cds-services/osteoporosis-order-select/feedback", json={"feedback": [item]}).is_success

        assert indicators(call_hook(client, "patient-view", record), "CALC-1") == ["info"]

    def test_the_snooze_survives_a_restart(self, settings: Settings) -> None:
        record = overdue_denosumab_patient()
        before = create_app(settings)
        on_day(before, AS_OF)
        with TestClient(before) as client:
            override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))

        after = create_app(settings)
        on_day(after, AS_OF + timedelta(days=3))
        with TestClient(after) as client:
            assert "LIFE-1" not in finding_rules(call_hook(client, "patient-view", record))

    def test_info_snooze_days_0_disables_the_snooze(self, settings: Settings) -> None:
        record = overdue_denosumab_patient()
        no_snooze = settings.model_copy(update={"guideline": GuidelineParameters(info_snooze_days=0)})
        application = create_app(no_snooze)
        on_day(application, AS_OF)
        with TestClient(application) as client:
            override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))

            assert "LIFE-1" in finding_rules(call_hook(client, "patient-view", record))


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.formatter_ = JsonFormatter()
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self.lines.append(self.formatter_.format(record))
            self.lines.append(f"{record.getMessage()} {record.args!r} {record.__dict__!r}")


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    capture = LogLines()
    loggers = [logging.getLogger(name) for name in ("osteo_cds", "")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    yield capture
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(capture)
        logger.setLevel(level)


class TestNoPatientIdentifierIsStored:
    def test_the_patient_id_is_in_neither_the_database_nor_the_logs(
        self, settings: Settings, database_bytes: Callable[[], bytes], log_lines: LogLines
    ) -> None:
        record = overdue_denosumab_patient(SECRET_PATIENT_ID)
        application = create_app(settings)
        on_day(application, AS_OF)
        with TestClient(application) as client:
            logging.getLogger("osteo_cds").addHandler(log_lines)  # create_app replaced the handlers
            override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))
            again = call_hook(client, "patient-view", record)
        assert "LIFE-1" not in finding_rules(again)  # the snooze worked, so the link was stored

        stored = database_bytes()
        assert b"issued_card_patient" in stored
        assert SECRET_PATIENT_ID.encode() not in stored
        assert SECRET_PATIENT_ID.encode("utf-16-le") not in stored
        assert log_lines.lines
        assert not [line for line in log_lines.lines if SECRET_PATIENT_ID in line]

    def test_a_configured_secret_is_neither_stored_nor_logged(
        self, settings: Settings, database_bytes: Callable[[], bytes], log_lines: LogLines
    ) -> None:
        secret = "configured-snooze-secret-0123456789abcdef"
        configured = Settings.model_validate({**settings.model_dump(), "info_snooze_secret": secret})
        application = create_app(configured)
        on_day(application, AS_OF)
        with TestClient(application) as client:
            logging.getLogger("osteo_cds").addHandler(log_lines)
            record = overdue_denosumab_patient()
            override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))
            assert "LIFE-1" not in finding_rules(call_hook(client, "patient-view", record))

        assert secret.encode() not in database_bytes()
        assert not [line for line in log_lines.lines if secret in line]
        assert secret not in repr(configured)

    def test_a_short_secret_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 32 characters"):
            Settings(info_snooze_secret="too-short")


class TestCost:
    @pytest.fixture
    def snooze_queries(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
        """The SELECTs on the acknowledgements: through SQLAlchemy (its cursor event) or on the driver (the
        snooze's prepared read, which SQLAlchemy's events do not see)."""
        seen: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "finding_acknowledgement" in statement:
                seen.append(statement)

        prepared_rows = PreparedRead.rows

        def counted_rows(query: PreparedRead, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
            record(None, None, query.sql)
            return prepared_rows(query, parameters)

        monkeypatch.setattr(PreparedRead, "rows", counted_rows)
        event.listen(Engine, "before_cursor_execute", record)
        yield seen
        event.remove(Engine, "before_cursor_execute", record)

    def test_one_query_per_chart_opening_with_info_findings(
        self, client: TestClient, snooze_queries: list[str]
    ) -> None:
        call_hook(client, "patient-view", overdue_denosumab_patient())

        assert len(snooze_queries) == 1

    def test_the_lookup_reads_acknowledgements_not_chart_openings(self, client: TestClient, database_url: str) -> None:
        """Opening the chart 20 times adds issued cards, not rows the snooze query reads: it reads one row per
        acknowledgement, so its cost does not grow with how often the chart is opened."""
        for _ in range(20):
            cards = call_hook(client, "patient-view", overdue_denosumab_patient())
        override(client, card_holding(cards, "LIFE-1"))
        engine = create_engine(database_url)

        with engine.connect() as connection:
            acknowledgements = connection.execute(select(finding_acknowledgement.c.rule_id)).scalars().all()
        engine.dispose()

        assert sorted(acknowledgements) == sorted(finding_rules([card_holding(cards, "LIFE-1")]))

    def test_no_query_without_info_findings_nor_on_order_hooks(
        self, client: TestClient, snooze_queries: list[str]
    ) -> None:
        nothing_to_say = PatientRecordBuilder(birth_date="1980-01-01", gender="male")
        denosumab_order = draft_medication_request(medication=DENOSUMAB_60MG, id="dmab-draft")

        assert call_hook(client, "patient-view", nothing_to_say) == []
        call_hook(client, "order-select", overdue_denosumab_patient(), draft_orders=[denosumab_order])

        assert snooze_queries == []


class TestEitherOrderOfArrival:
    """With two workers, feedback can reach the database before the other worker's batch has recorded the card
    and its patient link (written up to 0.2 s after the response). The acknowledgement is recorded either way."""

    def test_feedback_first_then_card_holding(self, database_url: str) -> None:
        store = FeedbackStore(database_url)
        item = FeedbackItem.model_validate(
            {"card": "card-1", "outcome": "overridden", "outcomeTimestamp": ACKNOWLEDGED_AT}
        )
        card = IssuedCard(
            "card-1",
            "LIFE-1",
            "osteoporosis-patient-view",
            "advice",
            {},
            patient_key="k" * 64,
            findings=(IssuedFinding("LIFE-1", "advice", "info", "main"),),
        )

        store.store_feedback("osteoporosis-patient-view", [item], received_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC))
        store.record_issued([card], issued_at=datetime(2025, 6, 1, 8, 59, tzinfo=UTC))

        with store.engine.connect() as connection:
            rows = connection.execute(select(finding_acknowledgement.c.rule_id, finding_acknowledgement.c.outcome))
            assert [tuple(row) for row in rows] == [("LIFE-1", "overridden")]
        store.close()
