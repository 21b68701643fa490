"""Issued-card records written off the request path, in batches.

Every card we return is recorded (``issued_card``) so that feedback, which names only the card uuid, ties back to
its rule. Writing those rows after every response cost a transaction and, on SQLite with ``synchronous=FULL``, an
fsync per hook call. :class:`IssuedCardWriter` queues them instead; a task of the application's lifespan inserts
everything queued in one transaction every :data:`FLUSH_SECONDS` (sooner when :data:`FLUSH_AT_CARDS` cards wait),
in a worker thread, and the lifespan flushes the rest at shutdown. Feedback itself is still written synchronously,
one durable transaction per request; the feedback route first flushes this worker's queue, so the cards it names
are on disk before it (another worker's queue is at most one interval behind).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from app.feedback.store import FeedbackStore, IssuedCard

if TYPE_CHECKING:
    from app.assessment import AssessmentBook, PendingAssessment

__all__ = ["FLUSH_AT_CARDS", "FLUSH_SECONDS", "IssuedCardWriter"]

FLUSH_SECONDS = 0.2
"""Longest time an issued card waits in the queue."""
FLUSH_AT_CARDS = 500
"""Queue size that triggers a write before the interval is over."""
_MAX_QUEUED_CARDS = 100_000
"""While the database refuses writes the queue is kept up to this size; beyond it the oldest records are dropped
(and the loss is logged): issued-card records serve the feedback statistics, never a clinical decision."""

_log = logging.getLogger("osteo_cds.feedback")

Batch = tuple[tuple[IssuedCard, ...], datetime]


class IssuedCardWriter:
    """Queue of issued-card records, written by :meth:`run` (a lifespan task) and by :meth:`flush`."""

    def __init__(self, store: FeedbackStore, assessments: AssessmentBook | None = None) -> None:
        self._store = store
        self._assessments = assessments
        self._pending: list[PendingAssessment] = []
        """Assessment pages waiting to be sealed and stored (app/assessment.py), with the same interval."""
        self._queue: list[Batch] = []
        self._queued_cards = 0
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def submit(
        self, cards: Sequence[IssuedCard], *, issued_at: datetime, assessment: PendingAssessment | None = None
    ) -> None:
        """Queue the cards of one response and its assessment page (never blocks, never touches the database)."""
        if assessment is not None and self._assessments is not None:
            self._pending.append(assessment)
        if not cards:
            return
        self._queue.append((tuple(cards), issued_at))
        self._queued_cards += len(cards)
        if self._queued_cards >= FLUSH_AT_CARDS:
            self._wake.set()

    @property
    def queued(self) -> int:
        """Cards waiting to be written."""
        return self._queued_cards

    async def flush(self) -> None:
        """Write everything queued now, in one transaction in a worker thread."""
        async with self._lock:
            if self._pending and self._assessments is not None:
                pending, self._pending = self._pending, []
                try:
                    await asyncio.to_thread(self._assessments.record, pending)
                except SQLAlchemyError as error:
                    # The page is a convenience; the card already went out with everything that decides.
                    _log.error("assessment pages not stored", extra={"error": type(error).__name__})
            if not self._queue:
                return
            batches, self._queue, self._queued_cards = self._queue, [], 0
            try:
                await asyncio.to_thread(self._store.record_issued_batches, batches)
            except SQLAlchemyError as error:
                self._requeue(batches, error)

    async def run(self) -> None:
        """Flush every :data:`FLUSH_SECONDS`, or as soon as :data:`FLUSH_AT_CARDS` cards wait; runs until cancelled."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=FLUSH_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.flush()

    def _requeue(self, batches: list[Batch], error: SQLAlchemyError) -> None:
        kept = batches + self._queue
        count = sum(len(cards) for cards, _ in kept)
        dropped = 0
        while kept and count > _MAX_QUEUED_CARDS:
            cards, _ = kept.pop(0)
            count -= len(cards)
            dropped += len(cards)
        self._queue, self._queued_cards = kept, count
        _log.error(
            "issued cards not recorded yet",
            extra={"error": type(error).__name__, "cards": count, "reason": f"dropped {dropped}" if dropped else None},
        )
