"""A database outage never stops card delivery (issue 18, defect 1).

Real faults, no mocks: PostgreSQL (the throwaway cluster of this session) **stopped** (``pg_ctl stop -m
immediate``: connections refused) and **frozen** (SIGSTOP on the server and every backend: connections stay open
and nothing answers), and on SQLite a **write lock** held by another connection (as another process would).
Each test asserts the answer (status, cards) and a bound on time:

- the snooze and order-sign override reads fail open: the card is shown (a card shown twice is safer than advice
  hidden), within the read deadline;
- feedback is refused with 503 in bounded time, and hook calls meanwhile do not wait for it;
- issued-card records wait in the writer's queue and are written when the database is back; past the queue's
  bound the oldest are dropped, counted and logged;
- ``/livez``, ``/readyz`` and ``/healthz`` answer JSON; readiness says ``degraded`` and still answers 200.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.devtools.postgres import PostgresCluster
from app.feedback import FeedbackStore, IssuedCard, IssuedCardWriter
from app.main import create_app
from tests.builders.cds import call_hook, card_holding, finding_rules, rule_ids
from tests.builders.fhir import draft_prednisone_order
from tests.conftest import AS_OF, EHR_FHIR
from tests.feedback.test_info_snooze import on_day, overdue_denosumab_patient, override
from tests.feedback.test_order_sign_overrides import select_and_override, woman_of_55

SQLITE_LOCKED = "sqlite-write-lock"
POSTGRES_STOPPED = "postgresql-stopped"
POSTGRES_FROZEN = "postgresql-frozen"
SERVER_DOWN = [POSTGRES_STOPPED, POSTGRES_FROZEN]
EVERY_OUTAGE = [SQLITE_LOCKED, *SERVER_DOWN]

READ_DEADLINE = 0.25
WRITE_DEADLINE = 0.5
HOOK_CALL_BOUND = 2.0
"""Seconds a hook call may take during an outage on this (shared, busy) machine; a normal one takes ~0.1 s."""
SAFETY_THAW_SECONDS = 15.0
"""A frozen server is thawed after this long whatever happens, so a service that waits for it fails a time bound
instead of hanging the test session."""

VIEW_FEEDBACK = "/cds-services/osteoporosis-patient-view/feedback"


class Outage:
    """One kind of database outage, started and ended by :meth:`during`."""

    def __init__(self, kind: str, database_url: str, cluster: PostgresCluster | None) -> None:
        self.kind, self.database_url, self.cluster = kind, database_url, cluster

    @contextmanager
    def during(self) -> Iterator[None]:
        if self.kind == SQLITE_LOCKED:
            lock = sqlite3.connect(self.database_url.removeprefix("sqlite:///"), isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")  # in WAL mode: every writer waits, readers do not
            try:
                yield
            finally:
                lock.execute("ROLLBACK")
                lock.close()
            return
        assert self.cluster is not None
        if self.kind == POSTGRES_STOPPED:
            self.cluster.stop()
            try:
                yield
            finally:
                self.cluster.start()
            return
        self.cluster.freeze()
        safety = threading.Timer(SAFETY_THAW_SECONDS, self.cluster.thaw)
        safety.start()
        try:
            yield
        finally:
            safety.cancel()
            self.cluster.thaw()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, outage_kind: str) -> str:
    if outage_kind == SQLITE_LOCKED:
        return f"sqlite:///{tmp_path / 'feedback.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


@pytest.fixture
def outage(request: pytest.FixtureRequest, outage_kind: str, database_url: str) -> Outage:
    cluster = None if outage_kind == SQLITE_LOCKED else request.getfixturevalue("postgres_cluster")
    return Outage(outage_kind, database_url, cluster)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        fhir_server_allowlist=[EHR_FHIR],
        auth_disabled_for_development=True,
        database_read_deadline_seconds=READ_DEADLINE,
        database_write_deadline_seconds=WRITE_DEADLINE,
        database_connect_timeout_seconds=1.0,
        database_statement_timeout_seconds=1.0,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    application = create_app(settings)
    on_day(application, AS_OF)
    with TestClient(application) as test_client:
        yield test_client


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.parametrize("outage_kind", SERVER_DOWN)
class TestReadsFailOpen:
    def test_an_acknowledged_info_card_is_shown_again_while_the_database_is_down(
        self, client: TestClient, outage: Outage
    ) -> None:
        record = overdue_denosumab_patient()
        override(client, card_holding(call_hook(client, "patient-view", record), "LIFE-1"))
        assert "LIFE-1" not in finding_rules(call_hook(client, "patient-view", record))  # snoozed, database up

        with outage.during():
            cards, seconds = timed(lambda: call_hook(client, "patient-view", record))

        assert "LIFE-1" in finding_rules(cards)
        assert seconds < HOOK_CALL_BOUND
        assert client.get("/readyz").json()["readsFailedOpen"] >= 1

    def test_a_card_overridden_at_order_select_is_shown_at_sign_while_the_database_is_down(
        self, client: TestClient, outage: Outage
    ) -> None:
        select_and_override(client, woman_of_55())
        sign = [draft_prednisone_order()]
        assert "GC-START-1" not in rule_ids(call_hook(client, "order-sign", woman_of_55(), draft_orders=sign))

        with outage.during():
            cards, seconds = timed(lambda: call_hook(client, "order-sign", woman_of_55(), draft_orders=sign))

        assert "GC-START-1" in rule_ids(cards)
        assert seconds < HOOK_CALL_BOUND


@pytest.mark.parametrize("outage_kind", EVERY_OUTAGE)
class TestWritesDoNotBlock:
    def test_feedback_is_refused_with_503_in_bounded_time(self, client: TestClient, outage: Outage) -> None:
        card = card_holding(call_hook(client, "patient-view", overdue_denosumab_patient()), "LIFE-1")
        item = {
            "card": card["uuid"],
            "outcome": "overridden",
            "overrideReason": {"userComment": "discussed"},
            "outcomeTimestamp": "2025-06-01T09:00:00Z",
        }

        with outage.during():
            response, seconds = timed(lambda: client.post(VIEW_FEEDBACK, json={"feedback": [item]}))

        assert response.status_code == 503
        assert response.json()["resourceType"] == "OperationOutcome"
        assert response.json()["issue"][0]["code"] == "transient"
        assert seconds < 2 * WRITE_DEADLINE + 1.0  # the issued-card flush first, then the write itself
        # Sent again once the database is back: stored (or found stored: a write past its deadline may still
        # have committed when the database came back; storing is idempotent).
        again = client.post(VIEW_FEEDBACK, json={"feedback": [item]})
        assert again.status_code == 200
        store = FeedbackStore(outage.database_url)
        try:
            assert store.feedback_count() == 1
        finally:
            store.close()

    def test_issued_cards_wait_in_the_queue_and_are_recorded_after_the_outage(
        self, client: TestClient, outage: Outage, database_url: str
    ) -> None:
        issued: list[str] = []
        with outage.during():
            for patient in (overdue_denosumab_patient(f"p-{number}") for number in range(3)):
                cards, seconds = timed(lambda: call_hook(client, "patient-view", patient))  # noqa: B023 - called at once
                issued.extend(card["uuid"] for card in cards)
                assert seconds < HOOK_CALL_BOUND
            time.sleep(2 * WRITE_DEADLINE)  # at least one flush has failed meanwhile
            assert client.get("/readyz").json()["issuedCardsQueued"] > 0

        deadline = time.monotonic() + 10
        while client.get("/readyz").json()["issuedCardsQueued"] and time.monotonic() < deadline:
            time.sleep(0.1)
        store = FeedbackStore(database_url)
        try:
            recorded = sum(summary.issued for summary in store.summary_per_rule())
        finally:
            store.close()

        assert issued
        assert recorded == len(issued)
        assert client.get("/readyz").json()["issuedCardsDropped"] == 0


@pytest.mark.parametrize("outage_kind", [SQLITE_LOCKED, POSTGRES_FROZEN])  # writes that wait, not fail at once
def test_hook_calls_do_not_wait_for_a_feedback_write_in_progress(settings: Settings, outage: Outage) -> None:
    patient_waits = settings.model_copy(update={"database_write_deadline_seconds": 4.0})
    application = create_app(patient_waits)
    on_day(application, AS_OF)
    with TestClient(application) as client:
        card = card_holding(call_hook(client, "patient-view", overdue_denosumab_patient()), "LIFE-1")
        item = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2025-06-01T09:00:00Z"}
        answers: list[httpx.Response] = []
        with outage.during():
            writer = threading.Thread(
                target=lambda: answers.append(client.post(VIEW_FEEDBACK, json={"feedback": [item]}))
            )
            writer.start()
            time.sleep(0.5)  # the feedback call is waiting for the database now
            cards, seconds = timed(lambda: call_hook(client, "patient-view", overdue_denosumab_patient("patient-2")))
            still_waiting = writer.is_alive()
            writer.join(timeout=30)

    assert cards
    assert still_waiting
    assert seconds < HOOK_CALL_BOUND
    assert [answer.status_code for answer in answers] == [503]


@pytest.mark.parametrize("outage_kind", EVERY_OUTAGE)
def test_health_endpoints_answer_json_during_the_outage(client: TestClient, outage: Outage) -> None:
    with outage.during():
        (live, ready, health), seconds = timed(lambda: tuple(client.get(p) for p in ("/livez", "/readyz", "/healthz")))

    assert [r.status_code for r in (live, ready, health)] == [200, 200, 200]
    assert live.json() == {"status": "ok"}
    if outage.kind == SQLITE_LOCKED:  # a write lock: reads, and so the snooze, still work
        assert ready.json()["status"] == "ready"
    else:
        assert ready.json()["status"] == "degraded"
        assert ready.json()["database"] == health.json()["database"] == "unavailable"
    assert seconds < 3 * HOOK_CALL_BOUND
    assert client.get("/readyz").json()["status"] == "ready"  # and back


@pytest.mark.parametrize("outage_kind", [SQLITE_LOCKED])
def test_past_its_bound_the_queue_drops_the_oldest_records_counts_and_logs_them(
    database_url: str, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    store = FeedbackStore(database_url)
    writer = IssuedCardWriter(store, max_queued_cards=4)
    issued_at = datetime(2025, 6, 1, tzinfo=UTC)

    def cards(prefix: str) -> list[IssuedCard]:
        return [IssuedCard(f"{prefix}-{n}", "LIFE-1", "osteoporosis-patient-view", "info", {}) for n in range(2)]

    async def scenario() -> None:
        with outage.during():
            for prefix in ("a", "b", "c"):
                writer.submit(cards(prefix), issued_at=issued_at)
            assert not await writer.flush()  # refused: kept
        assert await writer.flush()

    feedback_log = logging.getLogger("osteo_cds.feedback")
    feedback_log.addHandler(caplog.handler)
    try:
        asyncio.run(scenario())
        with store.engine.connect() as connection:
            from sqlalchemy import select

            from app.feedback.store import issued_card

            recorded = sorted(connection.execute(select(issued_card.c.card_uuid)).scalars())
    finally:
        feedback_log.removeHandler(caplog.handler)
        store.close()

    assert writer.dropped == 2
    assert recorded == ["b-0", "b-1", "c-0", "c-1"]
    assert any("dropped" in record.getMessage() for record in caplog.records)
