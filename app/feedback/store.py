"""Feedback storage (SQLAlchemy Core): SQLite file by default, PostgreSQL via ``DATABASE_URL``.

Tables:
- ``issued_card``: every card we returned (uuid → its main rule ID, service, and its suggestions' uuids), so
  feedback, which names only the card uuid, ties back to the rule;
- ``issued_finding``: every finding of every answer: the rules a card holds (its main finding and the findings
  folded into it, app/presentation.py), and the findings of silent-policy rules, evaluated but never shown
  (their record id is never sent), so a site can measure how often a rule would fire before showing it;
- ``issued_card_patient``: for info patient-view cards only, a keyed hash of the patient (the info-card snooze,
  app/feedback/snooze.py);
- ``card_feedback``: one row per distinct feedback item. The same item may arrive more than once (the spec
  allows re-sending and batching): rows are unique on (card uuid, outcome, outcome timestamp) and inserts
  ignore duplicates, so storing is idempotent, also across restarts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.schema import CreateIndex, CreateTable

from app import metrics
from app.errors import DatabaseUnavailableError
from app.hooks.schemas import FeedbackItem

_T = TypeVar("_T")
_K = TypeVar("_K")

__all__ = [
    "ACKNOWLEDGED_OUTCOMES",
    "DATABASE_FAILURES",
    "DatabaseTimeouts",
    "FeedbackStore",
    "PreparedRead",
    "IssuedCard",
    "IssuedFinding",
    "RuleFeedbackSummary",
    "RuleReportRow",
    "card_feedback",
    "issued_card",
    "issued_card_patient",
    "issued_finding",
    "finding_acknowledgement",
    "service_secret",
    "stored_secret",
]

_metadata = MetaData()

issued_card = Table(
    "issued_card",
    _metadata,
    Column("card_uuid", String(64), primary_key=True),
    Column("rule_id", String(64), nullable=False, index=True),
    Column("service_id", String(64), nullable=False),
    Column("variant", String(64), nullable=False),
    Column("suggestions", Text, nullable=False),  # JSON object: suggestion uuid -> suggestion key
    Column("issued_at", DateTime(timezone=True), nullable=False),
)

issued_card_patient = Table(
    "issued_card_patient",
    _metadata,
    Column("card_uuid", String(64), primary_key=True),
    Column("patient_key", String(64), nullable=False, index=True),
)
"""Which patient an issued card was for, as a keyed hash (never the patient id): info patient-view cards while the
info-card snooze is on (app/feedback/snooze.py) and order-select cards while order-sign honours overrides
(app/feedback/overrides.py). A table of its own, so the change is additive."""

issued_finding = Table(
    "issued_finding",
    _metadata,
    Column("card_uuid", String(64), primary_key=True),
    Column("rule_id", String(64), primary_key=True),
    Column("variant", String(64), nullable=False),
    Column("indicator", String(16), nullable=False),
    Column("display", String(16), nullable=False),  # main | folded | silent
    Column("service_id", String(64), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)
"""The findings of each answer: for a shown card (``issued_card``) its main and folded findings; for a
silent-policy finding a record id of its own that no card carries (``display = 'silent'``)."""

finding_acknowledgement = Table(
    "finding_acknowledgement",
    _metadata,
    Column("feedback_id", Integer, primary_key=True, autoincrement=False),
    Column("rule_id", String(64), primary_key=True),
    Column("patient_key", String(64), nullable=False, index=True),
    Column("service_id", String(64), nullable=False),
    Column("variant", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("outcome_timestamp", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
"""One row per feedback item ``accepted`` / ``overridden`` on a patient-linked card (``card_feedback.id``) and per
finding that card held (its main finding and each folded one), with what the snooze and the order-sign override
memory ask: who (keyed hash), which rule and variant, from which service, when. Written when the second of the two
arrives (the card's patient link or its feedback), so a lookup costs in proportion to the patient's
acknowledgements, not to how often the chart was opened. (It replaces ``patient_acknowledgement``, which held only
a card's main rule; a database that has that table keeps it, unused.)"""

service_secret = Table(
    "service_secret",
    MetaData(),
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)
"""Secrets the service generates for itself when none is configured (one row per purpose: the snooze's patient
link key, the assessment page's sealing key)."""

_GENERATED_SECRET_BYTES = 32


def stored_secret(engine: Engine, name: str) -> str:
    """The generated secret ``name`` (hex, 32 random bytes): created once (insert-if-absent, so concurrent workers
    agree on the first one)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    with engine.begin() as connection:
        connection.execute(CreateTable(service_secret, if_not_exists=True))
        connection.execute(
            dialect.insert(service_secret).on_conflict_do_nothing(),
            {"name": name, "value": secrets.token_hex(_GENERATED_SECRET_BYTES)},
        )
        value = connection.execute(select(service_secret.c.value).where(service_secret.c.name == name)).scalar_one()
    return str(value)


ACKNOWLEDGED_OUTCOMES = ("accepted", "overridden")
"""CDS Hooks 2.0 feedback outcomes; an ignored card produces no feedback (docs/cds-hooks.md §1.6)."""

card_feedback = Table(
    "card_feedback",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(64), nullable=False),
    Column("card_uuid", String(256), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("outcome_timestamp", DateTime(timezone=True), nullable=False),
    Column("accepted_suggestions", Text, nullable=True),  # JSON list of suggestion uuids
    Column("override_system", String(256), nullable=True),
    Column("override_code", String(128), nullable=True),
    Column("override_display", String(512), nullable=True),
    Column("user_comment", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("card_uuid", "outcome", "outcome_timestamp", name="uq_feedback_item"),
)


@dataclass(frozen=True, slots=True)
class IssuedCard:
    card_uuid: str
    rule_id: str
    service_id: str
    variant: str
    suggestions: dict[str, str]
    patient_key: str | None = None
    """Keyed hash of the card's patient (app/feedback/snooze.py); set while the snooze or the order-sign override
    memory is on."""
    findings: tuple[IssuedFinding, ...] = ()
    """The findings it holds, main first (for a silent record: the one silent finding)."""
    shown: bool = True
    """False for the record of a silent-policy finding: no card was sent (``issued_finding`` only)."""


@dataclass(frozen=True, slots=True)
class IssuedFinding:
    rule_id: str
    variant: str
    indicator: str
    display: str
    """``main``, ``folded`` or ``silent``."""


@dataclass(frozen=True, slots=True)
class RuleFeedbackSummary:
    """Per rule: how often cards were issued, accepted and overridden, and the override reasons given."""

    rule_id: str
    issued: int
    accepted: int
    overridden: int
    override_reasons: dict[str, int]
    comments: int


@dataclass(slots=True)
class RuleReportRow:
    """Per rule and service since a moment (``osteo-cds report``): findings recorded, how they were shown, and the
    feedback on the cards that held them (a card's feedback counts for each finding it held, main or folded)."""

    rule_id: str
    service_id: str
    fired: int = 0
    """Findings recorded (``issued_finding``), shown or silent."""
    shown_main: int = 0
    shown_folded: int = 0
    silent: int = 0
    accepted: int = 0
    overridden: int = 0
    override_reasons: dict[str, int] = field(default_factory=dict)
    """Override reason code → count (``(none)``: overridden without a coded reason)."""

    @property
    def shown(self) -> int:
        return self.shown_main + self.shown_folded


UNKNOWN_RULE = "(unknown)"
"""The rule of feedback on a card with no ``issued_finding`` record (lost in an outage, or issued before the
findings were recorded)."""

NO_REASON = "(none)"


def _insert(engine: Engine, table: Table):  # type: ignore[no-untyped-def]
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


_ISSUED_COLUMNS = tuple(c.name for c in issued_card.columns)
_LINK_COLUMNS = tuple(c.name for c in issued_card_patient.columns)
_FINDING_COLUMNS = tuple(c.name for c in issued_finding.columns)
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy's SQLite ``DateTime`` stores a value (UTC here): rows inserted from JSON read back the same."""


def _from_json_rows(table: Table, columns: Sequence[str]):  # type: ignore[no-untyped-def]
    """SQLite ``INSERT OR IGNORE``-style insert of every row of a JSON array of arrays (bound as ``rows``), in
    ``columns`` order: ``INSERT INTO t (...) SELECT json_extract(value, '$[i]'), ... FROM json_each(:rows)``."""
    each = func.json_each(bindparam("rows")).table_valued("value")
    values = [func.json_extract(each.c.value, f"$[{index}]").label(name) for index, name in enumerate(columns)]
    # "WHERE true": SQLite cannot otherwise tell an upsert's ON CONFLICT from a join constraint after SELECT.
    return sqlite.insert(table).from_select(list(columns), select(*values).where(true())).on_conflict_do_nothing()


_ISSUED_FROM_JSON = _from_json_rows(issued_card, _ISSUED_COLUMNS)
_LINKS_FROM_JSON = _from_json_rows(issued_card_patient, _LINK_COLUMNS)
_FINDINGS_FROM_JSON = _from_json_rows(issued_finding, _FINDING_COLUMNS)


def _json_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    texts: dict[datetime, str] = {}  # the rows of one response share its issue time: formatted once

    def value(item: object) -> object:
        if not isinstance(item, datetime):
            return item
        text = texts.get(item)
        if text is None:
            text = texts[item] = item.astimezone(UTC).strftime(_SQLITE_DATETIME)
        return text

    return orjson.dumps([[value(row[name]) for name in columns] for row in rows]).decode()


_ACKNOWLEDGEMENTS_OF_CARDS = (
    select(
        card_feedback.c.id,
        issued_finding.c.rule_id,
        issued_card_patient.c.patient_key,
        issued_card.c.service_id,
        issued_finding.c.variant,
        card_feedback.c.outcome,
        card_feedback.c.outcome_timestamp,
        card_feedback.c.received_at,
    )
    .select_from(
        card_feedback.join(issued_card_patient, issued_card_patient.c.card_uuid == card_feedback.c.card_uuid)
        .join(issued_card, issued_card.c.card_uuid == card_feedback.c.card_uuid)
        .join(issued_finding, issued_finding.c.card_uuid == card_feedback.c.card_uuid)
    )
    .where(
        card_feedback.c.card_uuid.in_(bindparam("card_uuids", expanding=True)),
        card_feedback.c.outcome.in_(ACKNOWLEDGED_OUTCOMES),
    )
)
"""The acknowledgement rows of the cards in ``card_uuids``: built once, not per write (a statement built per write
cost its construction each time and left reference cycles for the garbage collector)."""
_RECORD_ACKNOWLEDGEMENTS = {
    name: dialect.insert(finding_acknowledgement)
    .from_select([c.name for c in finding_acknowledgement.columns], _ACKNOWLEDGEMENTS_OF_CARDS)
    .on_conflict_do_nothing()
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
"""Per dialect name: the insert of :data:`_ACKNOWLEDGEMENTS_OF_CARDS` into :data:`finding_acknowledgement`."""


def _record_acknowledgements(connection: Connection, engine: Engine, card_uuids: Sequence[str]) -> None:
    """Copy the acknowledgements of ``card_uuids`` that have both a patient link and feedback into
    :data:`finding_acknowledgement`, one row per finding the card held (idempotent)."""
    if not card_uuids:
        return
    statement = _RECORD_ACKNOWLEDGEMENTS[engine.dialect.name]
    connection.execute(statement, {"card_uuids": sorted(set(card_uuids))})


DATABASE_FAILURES = (OperationalError, InterfaceError, PoolTimeoutError)
"""What an unreachable, stopped, locked or overloaded database raises (connection refused or lost, lock wait or
statement timeout, no pooled connection in time). Anything else is a bug and propagates."""


class PreparedRead:
    """A SELECT compiled once for the store's database and run on the driver itself: the snooze and override
    lookups run on every hook call with cards to check, and SQLAlchemy's per-execution work (compiled-cache
    lookup, parameter and result processing, result object) cost about 4× the query (110 µs against 24 µs on
    SQLite, ``python -m bench.inprocess``). The values are converted exactly as SQLAlchemy converts them (the
    columns' own bind and result processors, e.g. SQLite's text dates), the connection comes from the engine's
    pool (with its pre-ping), and a driver error is raised as SQLAlchemy's (:data:`DATABASE_FAILURES` holds)."""

    def __init__(self, engine: Engine, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self._engine = engine
        self._sql = compiled.string
        names = list(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        self._positional = names
        self._binds = {
            name: bind.type._cached_bind_processor(engine.dialect)  # noqa: SLF001 (SQLAlchemy's own conversion)
            for name, bind in compiled.binds.items()
        }
        self._literals = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        """The values the statement itself gives (``outcome == 'overridden'``)."""
        self._results = tuple(
            column.type._cached_result_processor(engine.dialect, None)  # noqa: SLF001
            for column in statement.selected_columns
        )

    def _wrapped(self, error: Exception, arguments: tuple[Any, ...] | dict[str, Any]) -> StatementError:
        """The driver's error as SQLAlchemy raises it (an :class:`OperationalError` for a database that is down or
        locked), without the parameters (a patient's keyed hash)."""
        return DBAPIError.instance(
            self._sql, arguments, error, self._engine.dialect.loaded_dbapi.Error, hide_parameters=True
        )

    @property
    def sql(self) -> str:
        """The statement as the driver receives it."""
        return self._sql

    def rows(self, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of the query for ``parameters`` (bind parameter name → value)."""
        values = {
            name: value if (convert := self._binds.get(name)) is None else convert(value)
            for name, value in {**self._literals, **parameters}.items()
        }
        arguments: tuple[Any, ...] | dict[str, Any] = (
            tuple(values[name] for name in self._positional) if self._positional is not None else values
        )
        driver_error = self._engine.dialect.loaded_dbapi.Error
        try:
            connection = self._engine.raw_connection()
        except driver_error as error:  # not connected: SQLAlchemy's engine.connect() raises this one wrapped too
            raise self._wrapped(error, arguments) from error
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self._sql, arguments)
                fetched = cursor.fetchall()
            finally:
                cursor.close()
        except driver_error as error:
            if self._engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
                connection.invalidate()  # as SQLAlchemy does: a lost connection is not given back to the pool
            raise self._wrapped(error, arguments) from error
        finally:
            connection.close()  # back to the pool (rolled back there)
        processors = self._results
        return [
            tuple(value if convert is None else convert(value) for convert, value in zip(processors, row, strict=True))
            for row in fetched
        ]


@dataclass(frozen=True, slots=True)
class DatabaseTimeouts:
    """How long the service waits for the database (``OSTEO_DATABASE_*`` settings; README "Operations")."""

    read_deadline_seconds: float = 0.25
    """A snooze or order-sign override read: past it the card is shown (fail open)."""
    write_deadline_seconds: float = 2.0
    """A feedback write or an issued-card batch: past it the feedback call answers 503 / the batch is kept."""
    connect_timeout_seconds: float = 2.0
    """Opening a connection to a database server (PostgreSQL ``connect_timeout``)."""
    statement_timeout_seconds: float = 5.0
    """One statement on a database server (PostgreSQL ``statement_timeout``); SQLite waits for a lock this long."""


_READ_THREADS = 4
_WRITE_THREADS = 2
"""Threads for reads and for writes, each set its own: a database that hangs holds at most these, and a hung write
never delays a read. Work that waits for a thread past its deadline is cancelled before it starts."""
_READ_PAUSE_SECONDS = 1.0
"""After a failed read, reads are skipped (fail open at once) for this long, so an outage costs each hook call
nothing rather than the read deadline, and is logged once per pause rather than once per call."""

_log = logging.getLogger("osteo_cds.feedback")


class FeedbackStore:
    """Thread-safe (one engine, short transactions); create it once in the application lifespan.

    From async code every database access goes through :meth:`read` (fail open) or :meth:`write` (typed error),
    in threads of the store's own, with a deadline: the event loop never waits for the database. This includes
    SQLite reads, which were read inline before (an inline call cannot be given a deadline); the hop to a thread
    costs about 1 ms of CPU per patient-view call with info cards (``python -m bench.inprocess``, noisy).
    """

    def __init__(self, database_url: str, timeouts: DatabaseTimeouts | None = None) -> None:
        self.timeouts = timeouts or DatabaseTimeouts()
        url = make_url(database_url)
        if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        sqlite_file = url.drivername.startswith("sqlite")
        connect_args: dict[str, Any]
        if sqlite_file:
            # Wait for another worker's lock instead of failing (several workers share one file), but not forever.
            connect_args = {"timeout": self.timeouts.statement_timeout_seconds}
        elif url.get_backend_name() == "postgresql":
            statement_ms = int(self.timeouts.statement_timeout_seconds * 1000)
            connect_args = {
                "connect_timeout": max(1, round(self.timeouts.connect_timeout_seconds)),
                "options": f"-c statement_timeout={statement_ms} -c lock_timeout={statement_ms}",
            }
        else:
            connect_args = {}
        # A local SQLite file cannot drop a pooled connection; a database server can, so that is checked first.
        # A database server: no pooled connection within the write deadline is an outage, not a wait.
        pool_options = {} if sqlite_file else {"pool_timeout": self.timeouts.write_deadline_seconds}
        self._engine = create_engine(url, pool_pre_ping=not sqlite_file, connect_args=connect_args, **pool_options)
        if sqlite_file:
            event.listen(
                self._engine,
                "connect",
                functools.partial(_sqlite_pragmas, busy_seconds=self.timeouts.statement_timeout_seconds),
            )
        _create_tables(self._engine)
        self._readers = ThreadPoolExecutor(_READ_THREADS, thread_name_prefix="osteo-db-read")
        self._writers = ThreadPoolExecutor(_WRITE_THREADS, thread_name_prefix="osteo-db-write")
        self._reads_paused_until = 0.0
        self._counts_lock = threading.Lock()
        self._running: set[concurrent.futures.Future[Any]] = set()
        self.reads_failed_open = 0
        """Reads that failed or were skipped during an outage, so their cards were shown (since start-up)."""
        self.writes_failed = 0
        """Writes that failed or passed their deadline (since start-up)."""

    def close(self) -> None:
        """Drop work not started, give work in progress up to the statement timeout (a hung database is not
        waited for longer), then close the connections."""
        self._readers.shutdown(wait=False, cancel_futures=True)
        self._writers.shutdown(wait=False, cancel_futures=True)
        with self._counts_lock:
            running = list(self._running)
        concurrent.futures.wait(running, timeout=self.timeouts.statement_timeout_seconds)
        self._engine.dispose()

    def ping(self) -> bool:
        with self._engine.connect() as connection:
            return bool(connection.execute(select(1)).scalar_one() == 1)

    async def available(self) -> bool:
        """Whether the database answers a trivial query within the read deadline (for health and readiness)."""
        try:
            return await self._within(self._readers, self.timeouts.read_deadline_seconds, self.ping)
        except (*DATABASE_FAILURES, TimeoutError):
            return False

    async def read(self, query: Callable[..., frozenset[_K]], *args: Any) -> frozenset[_K]:
        """``query(*args)``, a short read-only query whose empty answer means "nothing acknowledged", run in a thread
        of the store within :attr:`DatabaseTimeouts.read_deadline_seconds`.

        **Fails open:** when the database fails or is late, the answer is empty, so every card is shown (a card
        shown twice is safer than advice hidden); the failure is counted (:attr:`reads_failed_open`) and logged,
        and for :data:`_READ_PAUSE_SECONDS` after it reads are not tried at all.
        """
        if time.monotonic() < self._reads_paused_until:
            self._count_read_failure()
            return frozenset()
        try:
            return await self._within(self._readers, self.timeouts.read_deadline_seconds, query, *args)
        except (*DATABASE_FAILURES, TimeoutError) as error:
            self._reads_paused_until = time.monotonic() + _READ_PAUSE_SECONDS
            self._count_read_failure()
            _log.warning(
                "database read failed; cards shown without snooze or override memory",
                extra={"error": type(error).__name__, "reason": f"reads skipped for {_READ_PAUSE_SECONDS:g} s"},
            )
            return frozenset()

    async def write(self, command: Callable[[], _T]) -> _T:
        """``command()`` (a short write transaction) in a write thread of the store, within
        :attr:`DatabaseTimeouts.write_deadline_seconds`. Raises :class:`~app.errors.DatabaseUnavailableError`
        when the database fails or is late; the command may still complete later, so it must be idempotent."""
        try:
            return await self._within(self._writers, self.timeouts.write_deadline_seconds, command)
        except (*DATABASE_FAILURES, TimeoutError) as error:
            with self._counts_lock:
                self.writes_failed += 1
            metrics.DATABASE_FAILURES.labels("write").inc()
            raise DatabaseUnavailableError(
                "the feedback database is unavailable; nothing was stored, send it again later"
            ) from error

    async def _within(self, pool: ThreadPoolExecutor, seconds: float, call: Callable[..., _T], *args: Any) -> _T:
        future = pool.submit(call, *args)
        with self._counts_lock:
            self._running.add(future)
        future.add_done_callback(self._forget)
        async with asyncio.timeout(seconds):  # cheaper than wait_for (no extra task); cancels the wait only
            return await asyncio.wrap_future(future)

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._counts_lock:
            self._running.discard(future)

    def _count_read_failure(self) -> None:
        with self._counts_lock:
            self.reads_failed_open += 1
        metrics.DATABASE_FAILURES.labels("read").inc()

    def prepare(self, statement: Select[Any]) -> PreparedRead:
        """``statement`` compiled once for this database, to run in a read thread (:meth:`read`)."""
        return PreparedRead(self._engine, statement)

    @property
    def engine(self) -> Engine:
        """The engine, for the snooze and order-sign override queries (app/feedback/snooze.py, overrides.py), which
        read these tables."""
        return self._engine

    def record_issued(self, cards: Iterable[IssuedCard], *, issued_at: datetime) -> None:
        self.record_issued_batches([(cards, issued_at)])

    def record_issued_batches(
        self,
        batches: Iterable[tuple[Iterable[IssuedCard], datetime]],
        *,
        also: Callable[[Connection], None] | None = None,
    ) -> None:
        """Record the cards of several responses (each with its issue time) in one transaction, with the
        findings each holds, the records of silent findings, and the patient link of the cards that carry one
        (app/feedback/snooze.py). ``also`` writes more in the same transaction (the assessment pages of those
        responses: one commit, one disk flush, for both)."""
        batches = [(tuple(cards), issued_at) for cards, issued_at in batches]
        links = [
            {"card_uuid": card.card_uuid, "patient_key": card.patient_key}
            for cards, _ in batches
            for card in cards
            if card.patient_key and card.shown
        ]
        findings = [
            {
                "card_uuid": card.card_uuid,
                "rule_id": finding.rule_id,
                "variant": finding.variant,
                "indicator": finding.indicator,
                "display": finding.display,
                "service_id": card.service_id,
                "issued_at": issued_at,
            }
            for cards, issued_at in batches
            for card in cards
            for finding in card.findings
        ]
        rows = [
            {
                "card_uuid": card.card_uuid,
                "rule_id": card.rule_id,
                "service_id": card.service_id,
                "variant": card.variant,
                "suggestions": json.dumps(card.suggestions, sort_keys=True),
                "issued_at": issued_at,
            }
            for cards, issued_at in batches
            for card in cards
            if card.shown
        ]
        if not rows and not findings and also is None:
            return
        with self._engine.begin() as connection:
            if also is not None:
                also(connection)
            if self._engine.dialect.name == "sqlite":
                # One statement per table (json_each), not one per row: under load the executemany of a
                # worker thread waited for the event loop's GIL at every row (~5 ms each), fell behind and let the
                # queue grow. This way SQLite runs the whole insert without the GIL.
                if rows:
                    connection.execute(_ISSUED_FROM_JSON, {"rows": _json_rows(rows, _ISSUED_COLUMNS)})
                if findings:
                    connection.execute(_FINDINGS_FROM_JSON, {"rows": _json_rows(findings, _FINDING_COLUMNS)})
                if links:
                    connection.execute(_LINKS_FROM_JSON, {"rows": _json_rows(links, _LINK_COLUMNS)})
            else:
                if rows:
                    connection.execute(_insert(self._engine, issued_card).on_conflict_do_nothing(), rows)
                if findings:
                    connection.execute(_insert(self._engine, issued_finding).on_conflict_do_nothing(), findings)
                if links:
                    connection.execute(_insert(self._engine, issued_card_patient).on_conflict_do_nothing(), links)
            if links:
                _record_acknowledgements(connection, self._engine, [link["card_uuid"] for link in links])

    def store_feedback(self, service_id: str, items: Sequence[FeedbackItem], *, received_at: datetime) -> int:
        """Store feedback items; returns how many were new (duplicates are ignored)."""
        rows = [
            {
                "service_id": service_id,
                "card_uuid": item.card,
                "outcome": item.outcome.value,
                "outcome_timestamp": item.outcome_timestamp.astimezone(UTC),
                "accepted_suggestions": json.dumps([s.id for s in item.accepted_suggestions])
                if item.accepted_suggestions
                else None,
                "override_system": item.override_reason.reason.system
                if item.override_reason and item.override_reason.reason
                else None,
                "override_code": item.override_reason.reason.code
                if item.override_reason and item.override_reason.reason
                else None,
                "override_display": item.override_reason.reason.display
                if item.override_reason and item.override_reason.reason
                else None,
                "user_comment": item.override_reason.user_comment if item.override_reason else None,
                "received_at": received_at,
            }
            for item in items
        ]
        with self._engine.begin() as connection:
            # The ids of the rows actually inserted (duplicates are ignored and return none): exact on every
            # database. The driver's rowcount is not: psycopg reports -1 for a multi-row insert.
            inserted = connection.execute(
                _insert(self._engine, card_feedback)
                .on_conflict_do_nothing()
                .returning(card_feedback.c.card_uuid, card_feedback.c.outcome, card_feedback.c.override_code),
                rows,
            ).all()
            _record_acknowledgements(connection, self._engine, [item.card for item in items])
            held = _findings_held(connection, {row.card_uuid for row in inserted})
        for card_uuid, outcome, code in inserted:
            for rule_id in held.get(card_uuid, (UNKNOWN_RULE,)):
                metrics.FEEDBACK_OUTCOMES.labels(service_id, rule_id, outcome, metrics.code_label(code)).inc()
        return len(inserted)

    def feedback_count(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(card_feedback)).scalar_one())

    def summary_per_rule(self) -> list[RuleFeedbackSummary]:
        """Feedback joined to the issued cards; feedback on unknown cards is grouped under rule ``(unknown)``."""
        with self._engine.connect() as connection:
            issued: dict[str, int] = dict(
                connection.execute(select(issued_card.c.rule_id, func.count()).group_by(issued_card.c.rule_id)).all()
            )
            rows = connection.execute(
                select(
                    issued_card.c.rule_id,
                    card_feedback.c.outcome,
                    card_feedback.c.override_code,
                    card_feedback.c.user_comment,
                ).select_from(
                    card_feedback.outerjoin(issued_card, card_feedback.c.card_uuid == issued_card.c.card_uuid)
                )
            ).all()
        tallies = {rule_id: _Tally() for rule_id in issued}
        for rule_id, outcome, code, comment in rows:
            tally = tallies.setdefault(rule_id or "(unknown)", _Tally())
            if outcome == "accepted":
                tally.accepted += 1
            else:
                tally.overridden += 1
            if code:
                tally.reasons[code] = tally.reasons.get(code, 0) + 1
            if comment:
                tally.comments += 1
        return [
            RuleFeedbackSummary(
                rule_id=rule_id,
                issued=int(issued.get(rule_id, 0)),
                accepted=tally.accepted,
                overridden=tally.overridden,
                override_reasons=dict(sorted(tally.reasons.items())),
                comments=tally.comments,
            )
            for rule_id, tally in sorted(tallies.items())
        ]

    def report_per_rule(self, since: datetime) -> list[RuleReportRow]:
        """Per rule and service: the findings recorded since ``since`` (by display) and the feedback on the cards
        that held them; feedback received since ``since`` on a card with no recorded finding is reported under
        rule :data:`UNKNOWN_RULE`. Sorted by rule, then service."""
        since = since.astimezone(UTC)
        shown_finding = issued_finding.c.display.in_(("main", "folded"))
        with self._engine.connect() as connection:
            fired = connection.execute(
                select(issued_finding.c.rule_id, issued_finding.c.service_id, issued_finding.c.display, func.count())
                .where(issued_finding.c.issued_at >= since)
                .group_by(issued_finding.c.rule_id, issued_finding.c.service_id, issued_finding.c.display)
            ).all()
            feedback = connection.execute(
                select(
                    issued_finding.c.rule_id,
                    issued_finding.c.service_id,
                    card_feedback.c.outcome,
                    card_feedback.c.override_code,
                    func.count(),
                )
                .select_from(
                    card_feedback.join(issued_finding, card_feedback.c.card_uuid == issued_finding.c.card_uuid)
                )
                .where(issued_finding.c.issued_at >= since, shown_finding)
                .group_by(
                    issued_finding.c.rule_id,
                    issued_finding.c.service_id,
                    card_feedback.c.outcome,
                    card_feedback.c.override_code,
                )
            ).all()
            unknown = connection.execute(
                select(card_feedback.c.service_id, card_feedback.c.outcome, card_feedback.c.override_code, func.count())
                .where(
                    card_feedback.c.received_at >= since,
                    ~select(issued_finding.c.card_uuid)
                    .where(issued_finding.c.card_uuid == card_feedback.c.card_uuid)
                    .exists(),
                )
                .group_by(card_feedback.c.service_id, card_feedback.c.outcome, card_feedback.c.override_code)
            ).all()
        rows: dict[tuple[str, str], RuleReportRow] = {}

        def row(rule_id: str, service_id: str) -> RuleReportRow:
            return rows.setdefault((rule_id, service_id), RuleReportRow(rule_id, service_id))

        for rule_id, service_id, display, count in fired:
            entry = row(rule_id, service_id)
            entry.fired += count
            if display == "main":
                entry.shown_main += count
            elif display == "folded":
                entry.shown_folded += count
            else:
                entry.silent += count
        answers = [(r, s, o, c, n) for r, s, o, c, n in feedback]
        answers += [(UNKNOWN_RULE, s, o, c, n) for s, o, c, n in unknown]
        for rule_id, service_id, outcome, code, count in answers:
            entry = row(rule_id, service_id)
            if outcome == "accepted":
                entry.accepted += count
            else:
                entry.overridden += count
                reason = code or NO_REASON
                entry.override_reasons[reason] = entry.override_reasons.get(reason, 0) + count
        for entry in rows.values():
            entry.override_reasons = dict(sorted(entry.override_reasons.items()))
        return [rows[key] for key in sorted(rows)]


def _findings_held(connection: Connection, card_uuids: set[str]) -> dict[str, list[str]]:
    """The rules of the findings each card held (main and folded), for the feedback metrics."""
    if not card_uuids:
        return {}
    held: dict[str, list[str]] = {}
    for card_uuid, rule_id in connection.execute(
        select(issued_finding.c.card_uuid, issued_finding.c.rule_id).where(
            issued_finding.c.card_uuid.in_(sorted(card_uuids)),
            issued_finding.c.display.in_(("main", "folded")),
        )
    ):
        held.setdefault(card_uuid, []).append(rule_id)
    return held


@dataclass(slots=True)
class _Tally:
    accepted: int = 0
    overridden: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    comments: int = 0


def _create_tables(engine: Engine) -> None:
    """CREATE TABLE / INDEX IF NOT EXISTS in one transaction: safe when several workers start on a fresh database
    at the same moment (a check-then-create would race)."""
    with engine.begin() as connection:
        for table in _metadata.sorted_tables:
            connection.execute(CreateTable(table, if_not_exists=True))
            for index in sorted(table.indexes, key=lambda item: str(item.name)):
                connection.execute(CreateIndex(index, if_not_exists=True))


def _sqlite_pragmas(dbapi_connection, _record, *, busy_seconds: float) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")  # first: the next one may wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
