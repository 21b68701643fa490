"""The snooze and override lookups run on the driver (PreparedRead): same rows, same errors as through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError

from app.feedback.store import FeedbackStore, finding_acknowledgement

_ack = finding_acknowledgement.c
OVERRIDES_SINCE = select(_ack.rule_id, _ack.variant, _ack.outcome_timestamp, _ack.received_at).where(
    _ack.patient_key == bindparam("key"),
    _ack.outcome == "overridden",  # a value the statement gives itself
    _ack.outcome_timestamp >= bindparam("since"),
)


@pytest.fixture
def store(database_url: str) -> Iterator[FeedbackStore]:
    store = FeedbackStore(database_url)
    rows = [
        (1, "LIFE-1", "patient-a", "overridden", datetime(2026, 5, 31, 23, 59, tzinfo=UTC)),
        (2, "LIFE-1", "patient-a", "overridden", datetime(2026, 6, 1, 0, 0, tzinfo=UTC)),
        (3, "VITD-1", "patient-a", "accepted", datetime(2026, 6, 2, 8, 30, 15, 250, tzinfo=UTC)),
        (4, "CALC-1", "patient-a", "overridden", datetime(2026, 6, 3, 8, 30, tzinfo=UTC)),
        (5, "CALC-1", "patient-b", "overridden", datetime(2026, 6, 3, 8, 30, tzinfo=UTC)),
    ]
    with store.engine.begin() as connection:
        connection.execute(
            insert(finding_acknowledgement),
            [
                {
                    "feedback_id": feedback_id,
                    "rule_id": rule_id,
                    "patient_key": key,
                    "service_id": "osteoporosis-order-select",
                    "variant": "default",
                    "outcome": outcome,
                    "outcome_timestamp": moment,
                    "received_at": moment,
                }
                for feedback_id, rule_id, key, outcome, moment in rows
            ],
        )
    yield store
    store.close()


def test_the_prepared_read_gives_the_rows_sqlalchemy_gives(store: FeedbackStore) -> None:
    parameters = {"key": "patient-a", "since": datetime(2026, 6, 1, tzinfo=UTC)}
    with store.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(OVERRIDES_SINCE, parameters)]

    rows = store.prepare(OVERRIDES_SINCE).rows(parameters)

    assert sorted(rows) == sorted(expected)
    assert sorted(rule for rule, *_ in rows) == ["CALC-1", "LIFE-1"]  # from midnight on, overrides only, patient a
    assert all(
        isinstance(outcome_at, datetime) and isinstance(received_at, datetime) for *_, outcome_at, received_at in rows
    )


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it_without_the_parameters(store: FeedbackStore) -> None:
    """A missing table: the error SQLAlchemy raises for the same query (an OperationalError on SQLite, a
    ProgrammingError on PostgreSQL), so the store's outage handling (DATABASE_FAILURES) sees what it always saw.
    The outage itself (a database that is down) is in test_database_outage.py."""
    query = store.prepare(OVERRIDES_SINCE)
    parameters = {"key": "patient-a", "since": datetime(2026, 6, 1, tzinfo=UTC)}
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE finding_acknowledgement"))
    with pytest.raises(DBAPIError) as through_sqlalchemy, store.engine.connect() as connection:
        connection.execute(OVERRIDES_SINCE, parameters)

    with pytest.raises(DBAPIError) as raised:
        query.rows(parameters)

    assert type(raised.value) is type(through_sqlalchemy.value)
    assert type(raised.value.orig) is type(through_sqlalchemy.value.orig)
    assert "patient-a" not in str(raised.value)
