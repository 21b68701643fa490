"""Feedback: validated per spec, stored durably and idempotently, exported per rule."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import export_feedback_csv, main
from app.config import Settings
from app.feedback import FeedbackStore, IssuedCard
from app.main import create_app

FEEDBACK = "/cds-services/osteoporosis-order-select/feedback"


def accepted(card: str = "card-1", suggestion: str = "sugg-1") -> dict[str, Any]:
    return {
        "card": card,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": suggestion}],
        "outcomeTimestamp": "2025-06-01T10:00:00Z",
    }


def overridden(card: str = "card-2", code: str = "patient-refuses") -> dict[str, Any]:
    return {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {
            "reason": {
                "system": "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes",
                "code": code,
                "display": "Patient declines",
            },
            "userComment": "wants to discuss with rheumatologist",
        },
        "outcomeTimestamp": "2025-06-01T10:05:00Z",
    }


class TestFeedbackValidation:
    @pytest.mark.parametrize(
        "item",
        [
            pytest.param({**accepted(), "acceptedSuggestions": []}, id="accepted-without-suggestions"),
            pytest.param({k: v for k, v in accepted().items() if k != "acceptedSuggestions"}, id="accepted-no-key"),
            pytest.param({**overridden(), "overrideReason": {}}, id="override-reason-empty"),
            pytest.param({**accepted(), "outcome": "ignored"}, id="unknown-outcome"),
            pytest.param({k: v for k, v in accepted().items() if k != "outcomeTimestamp"}, id="no-timestamp"),
            pytest.param({**accepted(), "outcomeTimestamp": "2025-06-01T10:00:00"}, id="timestamp-without-zone"),
            pytest.param({k: v for k, v in accepted().items() if k != "card"}, id="no-card"),
            # Valid RFC 3339, but before 0001-01-01 or after 9999-12-31 once in UTC: not storable (was a 500).
            pytest.param({**accepted(), "outcomeTimestamp": "0001-01-01T00:00:00+14:00"}, id="before-year-1-in-utc"),
            pytest.param({**accepted(), "outcomeTimestamp": "9999-12-31T23:59:59-14:00"}, id="after-year-9999-in-utc"),
        ],
    )
    def test_invalid_feedback_is_a_400_operation_outcome(self, client: TestClient, item: dict[str, Any]) -> None:
        response = client.post(FEEDBACK, json={"feedback": [item]})

        assert response.status_code == 400
        assert response.json()["resourceType"] == "OperationOutcome"

    def test_an_override_without_reason_is_accepted(self, client: TestClient) -> None:
        item = {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2025-06-01T10:00:00Z"}

        assert client.post(FEEDBACK, json={"feedback": [item]}).status_code == 200


class TestFeedbackStorage:
    def test_feedback_is_stored_once_even_when_sent_twice(self, client: TestClient) -> None:
        body = {"feedback": [accepted(), overridden()]}

        first = client.post(FEEDBACK, json=body)
        again = client.post(FEEDBACK, json=body)

        assert first.status_code == again.status_code == 200
        assert first.json() == {"received": 2, "stored": 2}
        assert again.json() == {"received": 2, "stored": 0}

    def test_feedback_survives_a_restart_and_stays_idempotent(self, settings: Settings) -> None:
        body = {"feedback": [accepted()]}
        with TestClient(create_app(settings)) as before_restart:
            assert before_restart.post(FEEDBACK, json=body).json()["stored"] == 1

        with TestClient(create_app(settings)) as after_restart:
            assert after_restart.post(FEEDBACK, json=body).json()["stored"] == 0

        store = FeedbackStore(settings.database_url)
        try:
            assert store.feedback_count() == 1
        finally:
            store.close()


class TestFeedbackExport:
    def test_export_counts_accepted_and_overridden_per_rule_with_reasons(self, database_url: str) -> None:
        store = FeedbackStore(database_url)
        from datetime import UTC, datetime

        from app.hooks.schemas import FeedbackItem

        now = datetime(2025, 6, 1, tzinfo=UTC)
        store.record_issued(
            [
                IssuedCard("card-1", "GC-START-1", "osteoporosis-order-select", "start", {"sugg-1": "alendronate"}),
                IssuedCard("card-2", "GC-START-1", "osteoporosis-order-select", "start", {}),
                IssuedCard("card-3", "GC-START-1", "osteoporosis-order-select", "start", {}),
            ],
            issued_at=now,
        )
        items = [FeedbackItem.model_validate(item) for item in (accepted(), overridden())]
        store.store_feedback("osteoporosis-order-select", items, received_at=now)
        store.store_feedback(
            "osteoporosis-order-select",
            [FeedbackItem.model_validate({**overridden(card="stray"), "outcomeTimestamp": "2025-06-02T00:00:00Z"})],
            received_at=now,
        )
        out = io.StringIO()

        export_feedback_csv(store, out)
        store.close()

        rows = {row["rule_id"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
        assert rows["GC-START-1"] == {
            "rule_id": "GC-START-1",
            "cards_issued": "3",
            "accepted": "1",
            "overridden": "1",
            "override_reasons": "patient-refuses=1",
            "comments": "1",
        }
        assert rows["(unknown)"]["overridden"] == "1"

    def test_the_command_line_writes_the_csv_file(self, database_url: str, tmp_path: Any) -> None:
        target = tmp_path / "feedback.csv"

        assert main(["export-feedback", "--database-url", database_url, "--output", str(target)]) == 0
        assert target.read_text(encoding="utf-8").splitlines()[0] == (
            "rule_id,cards_issued,accepted,overridden,override_reasons,comments"
        )


class TestSeveralWorkers:
    def test_several_workers_can_open_a_fresh_sqlite_store_at_the_same_time(self, tmp_path: Any) -> None:
        """uvicorn --workers 2 starts both lifespans at once on the same new SQLite file."""
        import threading

        url = f"sqlite:///{tmp_path / 'shared.db'}"
        errors: list[BaseException] = []
        stores: list[FeedbackStore] = []

        def open_store() -> None:
            try:
                stores.append(FeedbackStore(url))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=open_store) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        assert len(stores) == 6
        for store in stores:
            store.close()


class TestIssuedCardRecords:
    """Issued cards are written off the request path, in batches, and none is lost at shutdown."""

    @staticmethod
    def _call_example(client: TestClient) -> list[str]:
        import json
        from pathlib import Path

        example = Path(__file__).resolve().parents[2] / "examples" / "patient-view-prednisolone.json"
        response = client.post("/cds-services/osteoporosis-patient-view", json=json.loads(example.read_text()))
        assert response.status_code == 200
        return [card["uuid"] for card in response.json()["cards"]]

    @staticmethod
    def _issued(settings: Settings) -> dict[str, int]:
        store = FeedbackStore(settings.database_url)
        try:
            return {summary.rule_id: summary.issued for summary in store.summary_per_rule()}
        finally:
            store.close()

    def test_cards_of_every_call_are_recorded_by_the_time_the_service_stops(self, settings: Settings) -> None:
        with TestClient(create_app(settings)) as client:
            cards = [uuid for _ in range(3) for uuid in self._call_example(client)]

        assert cards
        assert sum(self._issued(settings).values()) == len(cards)

    def test_feedback_on_a_card_just_issued_is_tied_to_its_rule(self, settings: Settings) -> None:
        with TestClient(create_app(settings)) as client:
            card = self._call_example(client)[0]
            item = {**overridden(card=card), "overrideReason": {"userComment": "discussed"}}
            assert client.post(FEEDBACK, json={"feedback": [item]}).json()["stored"] == 1
            store = FeedbackStore(settings.database_url)
            try:
                summaries = store.summary_per_rule()
            finally:
                store.close()

        assert "(unknown)" not in {summary.rule_id for summary in summaries}
        assert sum(summary.overridden for summary in summaries) == 1

    def test_a_refused_write_is_kept_and_retried(self, database_url: str) -> None:
        import asyncio
        from datetime import UTC, datetime

        from sqlalchemy.exc import OperationalError

        from app.feedback import IssuedCardWriter

        store = FeedbackStore(database_url)
        real = store.record_issued_batches
        calls: list[int] = []

        def refuse_once(batches: Any, also: Any = None) -> None:
            calls.append(len(batches))
            if len(calls) == 1:
                raise OperationalError("INSERT", {}, Exception("database is locked"))
            real(batches, also=also)

        store.record_issued_batches = refuse_once  # type: ignore[method-assign]
        writer = IssuedCardWriter(store)
        card = IssuedCard("card-9", "GC-START-1", "osteoporosis-patient-view", "start", {})

        async def scenario() -> None:
            writer.submit([card], issued_at=datetime(2025, 6, 1, tzinfo=UTC))
            await writer.flush()
            assert writer.queued == 1
            await writer.flush()
            assert writer.queued == 0

        try:
            asyncio.run(scenario())
            assert {s.rule_id: s.issued for s in store.summary_per_rule()} == {"GC-START-1": 1}
        finally:
            store.close()


class TestIssuedCardBatches:
    """The issued-card writer runs in a worker thread; on SQLite each batch is one statement per table, because a
    per-row executemany waits for the busy event loop's GIL at every row and fell behind under load."""

    def _cards(self, prefix: str, count: int) -> list[IssuedCard]:
        return [
            IssuedCard(
                f"{prefix}-{index}",
                "TX-IND-1",
                "osteoporosis-patient-view",
                "start",
                {f"{prefix}-s{index}": "alendronate"},
                patient_key="k1" if index % 2 else None,
            )
            for index in range(count)
        ]

    def test_a_batch_is_a_fixed_number_of_statements_whatever_its_size(self, sqlite_database_url: str) -> None:
        from datetime import UTC, datetime

        from sqlalchemy import event

        store = FeedbackStore(sqlite_database_url)
        statements: list[tuple[str, bool]] = []

        def count(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, executemany: bool) -> None:
            statements.append((statement, executemany))

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            store.record_issued_batches([(self._cards("a", 4), datetime(2025, 6, 1, tzinfo=UTC))])
            small = list(statements)
            statements.clear()
            store.record_issued_batches(
                [(self._cards(f"b{batch}", 8), datetime(2025, 6, 1, tzinfo=UTC)) for batch in range(60)]
            )
        finally:
            store.close()

        assert len(statements) == len(small) == 3  # cards, patient links, acknowledgements
        assert not any(executemany for _, executemany in small + statements)

    def test_rows_written_from_a_batch_read_back_as_given(self, database_url: str) -> None:
        from datetime import UTC, datetime, timedelta, timezone

        from sqlalchemy import select

        from app.feedback.store import issued_card, issued_card_patient

        store = FeedbackStore(database_url)
        moment = datetime(2025, 6, 1, 9, 30, 15, 123456, tzinfo=UTC)
        cards = self._cards("c", 3)
        try:
            # The same card twice (a re-sent batch) is stored once; an issue time in another zone is stored in UTC.
            store.record_issued_batches([(cards, moment), (cards[:1], moment.astimezone(timezone(timedelta(hours=2))))])
            with store.engine.connect() as connection:
                rows = connection.execute(select(issued_card).order_by(issued_card.c.card_uuid)).all()
                links = connection.execute(select(issued_card_patient)).all()
        finally:
            store.close()

        assert [(r.card_uuid, r.rule_id, r.variant, r.suggestions) for r in rows] == [
            ("c-0", "TX-IND-1", "start", '{"c-s0": "alendronate"}'),
            ("c-1", "TX-IND-1", "start", '{"c-s1": "alendronate"}'),
            ("c-2", "TX-IND-1", "start", '{"c-s2": "alendronate"}'),
        ]
        assert {r.issued_at.replace(tzinfo=UTC) for r in rows} == {moment}
        assert [(link.card_uuid, link.patient_key) for link in links] == [("c-1", "k1")]
