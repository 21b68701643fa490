"""Issued-card records written off the request path, in batches.

Every card we return is recorded (``issued_card``) so that feedback, which names only the card uuid, ties back to
its rule. Writing those rows after every response cost a transaction and, on SQLite with ``synchronous=FULL``, an
fsync per hook call. :class:`IssuedCardWriter` queues them instead; a task of the application's lifespan inserts
everything queued in one transaction every :data:`FLUSH_SECONDS` (sooner when :data:`FLUSH_AT_CARDS` cards wait),
in a write thread of the store (:meth:`FeedbackStore.write`, with its deadline), and the lifespan flushes the rest
at shutdown. Feedback itself is written durably before its call answers; the feedback route first flushes this
worker's queue, so the cards it names are on disk before it (another worker's queue is at most one interval
behind; and an acknowledgement is recorded whichever of card and feedback arrives second).

**Database outage.** A batch the database refuses, or does not take within the write deadline, goes back to the
front of the queue and is tried again at the next interval (inserts are idempotent, so a batch that did commit
after its deadline is harmless to repeat). The queue is bounded (:data:`MAX_QUEUED_CARDS`): past it the oldest
records are dropped, counted (:attr:`IssuedCardWriter.dropped`) and logged. Hook calls never wait for any of this.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from app import metrics
from app.errors import DatabaseUnavailableError
from app.feedback.store import FeedbackStore, IssuedCard

if TYPE_CHECKING:
    from prometheus_client import Counter
    from sqlalchemy import Connection

if TYPE_CHECKING:
    from app.assessment import AssessmentBook, PendingAssessment

__all__ = ["FLUSH_AT_CARDS", "FLUSH_SECONDS", "MAX_QUEUED_CARDS", "IssuedCardWriter"]

FLUSH_SECONDS = 0.2
"""Longest time an issued card waits in the queue."""
FLUSH_AT_CARDS = 500
"""Queue size that triggers a write before the interval is over."""
MAX_QUEUED_CARDS = 100_000
"""While the database refuses writes the queue is kept up to this size (some 30 MB); beyond it the oldest records
are dropped (counted and logged): issued-card records serve the feedback statistics and the snooze, never a
clinical decision (a card whose record is lost is shown again)."""

_DROP_LOG_SECONDS = 10.0
"""Drops are logged at most once per this interval (the count since start-up says how many in all)."""

_log = logging.getLogger("osteo_cds.feedback")

Batch = tuple[tuple[IssuedCard, ...], datetime]


class IssuedCardWriter:
    """Queue of issued-card records, written by :meth:`run` (a lifespan task) and by :meth:`flush`."""

    def __init__(
        self,
        store: FeedbackStore,
        assessments: AssessmentBook | None = None,
        *,
        max_queued_cards: int = MAX_QUEUED_CARDS,
    ) -> None:
        self._store = store
        self._max_queued_cards = max_queued_cards
        self._assessments = assessments
        self._pending: list[PendingAssessment] = []
        """Assessment pages waiting to be sealed and stored (app/assessment.py), with the same interval."""
        self._queue: list[Batch] = []
        self._queued_cards = 0
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.dropped = 0
        """Issued-card records dropped because the queue was full (since start-up)."""
        self._failing = False
        self._writing = 0
        self._drop_logged_at = -_DROP_LOG_SECONDS
        self._finding_counters: dict[tuple[str, str, str, str], Counter] = {}
        """The findings counter of each label set met so far (``labels()`` checks and locks on every call; a
        call counts some eight findings). Bounded: services × rules × indicators × displays."""

    def submit(
        self, cards: Sequence[IssuedCard], *, issued_at: datetime, assessment: PendingAssessment | None = None
    ) -> None:
        """Queue the cards of one response and its assessment page (never blocks, never touches the database)."""
        if assessment is not None and self._assessments is not None:
            self._pending.append(assessment)
        for card in cards:
            for finding in card.findings:
                labels = (card.service_id, finding.rule_id, finding.indicator, finding.display)
                counter = self._finding_counters.get(labels)
                if counter is None:
                    counter = self._finding_counters[labels] = metrics.FINDINGS.labels(*labels)
                counter.inc()
        if not cards:
            return
        self._queue.append((tuple(cards), issued_at))
        self._queued_cards += len(cards)
        self._bound()
        self._measure()
        if self._queued_cards >= FLUSH_AT_CARDS:
            self._wake.set()

    @property
    def queued(self) -> int:
        """Cards waiting to be written (queued, or in the batch being written now)."""
        return self._queued_cards + self._writing

    async def flush(self) -> bool:
        """Write everything queued now, in one transaction, within the store's write deadline. False when the
        database refused or was late: the records stay queued for the next attempt."""
        async with self._lock:
            pages, self._pending, book = self._pending, [], self._assessments
            if not self._queue:
                if pages and book is not None:
                    await self._store_pages_alone(book, pages)
                return True
            batches, self._writing = self._queue, self._queued_cards
            self._queue, self._queued_cards = [], 0

            def pages_too(connection: Connection) -> None:
                if pages and book is not None:
                    book.insert(connection, pages)

            try:
                # the pages of these responses in the same transaction: one commit, one disk flush for both
                await self._store.write(lambda: self._store.record_issued_batches(batches, also=pages_too))
            except DatabaseUnavailableError as error:
                self._requeue(batches, error)
                self._pages_lost(pages, error)
                return False
            except asyncio.CancelledError:
                self._requeue(batches, None)
                raise
            finally:
                self._writing = 0
                self._measure()
            if self._failing:
                self._failing = False
                _log.info("issued cards recorded again", extra={"cards": sum(len(c) for c, _ in batches)})
            return True

    async def _store_pages_alone(self, book: AssessmentBook, pages: list[PendingAssessment]) -> None:
        try:
            await self._store.write(lambda: book.record(pages))
        except DatabaseUnavailableError as error:
            self._pages_lost(pages, error)

    def _pages_lost(self, pages: list[PendingAssessment], error: DatabaseUnavailableError) -> None:
        # The page is a convenience; the card already went out with everything that decides. Not kept for a
        # retry: the queue of pages stays bounded by one flush interval.
        if pages:
            _log.error("assessment pages not stored", extra={"error": type(error).__name__, "pages": len(pages)})

    async def run(self) -> None:
        """Flush every :data:`FLUSH_SECONDS`, or as soon as :data:`FLUSH_AT_CARDS` cards wait; runs until cancelled."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=FLUSH_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.flush()

    def _requeue(self, batches: list[Batch], error: DatabaseUnavailableError | None) -> None:
        """Put ``batches`` back in front of what was queued meanwhile (the order of issue is kept)."""
        self._queue = batches + self._queue
        self._queued_cards = sum(len(cards) for cards, _ in self._queue)
        dropped = self._bound()
        if error is not None and not self._failing:
            self._failing = True
            _log.error(
                "issued cards not recorded yet; kept and retried",
                extra={
                    "error": type(error.__cause__ or error).__name__,
                    "cards": self._queued_cards,
                    "reason": f"dropped {dropped}" if dropped else None,
                },
            )

    def _measure(self) -> None:
        metrics.ISSUED_CARDS_QUEUED.set(self.queued)

    def _bound(self) -> int:
        """Drop the oldest records beyond :data:`MAX_QUEUED_CARDS`; returns how many were dropped."""
        dropped = 0
        while self._queue and self._queued_cards > self._max_queued_cards:
            cards, _ = self._queue.pop(0)
            self._queued_cards -= len(cards)
            dropped += len(cards)
        if dropped:
            self.dropped += dropped
            metrics.ISSUED_CARDS_DROPPED.inc(dropped)
            now = time.monotonic()
            if now - self._drop_logged_at < _DROP_LOG_SECONDS:
                return dropped
            self._drop_logged_at = now
            _log.error(
                "issued-card queue full; oldest records dropped",
                extra={"cards": dropped, "reason": f"dropped {self.dropped} since start-up"},
            )
        return dropped
