"""Informational patient-view cards are snoozed after acknowledgement (rules.md §0.3 item 6, ``INFO_SNOOZE_DAYS``).

A chart shows 5–9 cards; an ``info`` card the prescriber has already acknowledged for this patient should not
come back every time the chart opens. The rule, as implemented here:

- *Acknowledged* = CDS Hooks feedback with outcome ``accepted`` or ``overridden`` (an ignored card sends no
  feedback) on a card that this service issued on ``patient-view`` for the same patient; it acknowledges every
  finding the card held, its main finding and the ones folded into it (app/presentation.py).
- *Snoozed* = on ``patient-view``, an ``info`` finding of a rule is left out (of every card) when a finding of that
  rule was acknowledged
  for the same patient on a day ``D`` with ``as_of − INFO_SNOOZE_DAYS ≤ D ≤ as_of`` (inclusive at both ends, as
  rules.md §0.3 item 2 reads "within N": ``event_date >= today − N``). Acknowledged on 1 June with 30 days: still
  snoozed on 1 July (30 days later), back on 2 July (31 days later). ``INFO_SNOOZE_DAYS = 0`` disables snoozing.
- ``D`` is the date, in the service time zone (``OSTEO_TIMEZONE``, the zone of ``as_of``), of the feedback's
  ``outcomeTimestamp`` — when the clinician acted, which stays right when an EHR sends feedback late or in
  batches — but never later than when we received it, so a client clock running ahead cannot stretch a snooze.
- Snoozing is per rule, not per card variant; ``warning`` and ``critical`` findings, the data-unavailable card
  and the order hooks are never snoozed. A card whose leading findings are all snoozed is not shown.

Patients are linked to issued cards without storing their identifiers: the link is HMAC-SHA256 over
``fhirServer`` and the patient id (ids are unique only within one FHIR server), keyed with
``OSTEO_INFO_SNOOZE_SECRET``. When that setting is unset, a random key is generated on first start and kept in
the database (table ``service_secret``), so restarts and several workers agree. Trade-off: with the key in the
same database, whoever can read the database can recompute the hash of a patient id they already know (patient
ids are guessable), so the hash then only keeps ids out of the data, not away from a database reader; configure
the secret (kept outside the database) for real pseudonymisation. Changing the key ends every snooze (the cards
come back; nothing else is lost). The key is never logged.

Cost: at most one indexed query per patient-view call, on ``finding_acknowledgement.patient_key`` (one row per
acknowledged finding of this patient, however often the chart was opened), and none when the call has no info
finding.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from app.config import Settings
from app.feedback.store import (
    ACKNOWLEDGED_OUTCOMES,
    FeedbackStore,
    PreparedRead,
    finding_acknowledgement,
    stored_secret,
)
from app.hooks.schemas import HookRequest, Indicator
from app.rules.model import Hook

if TYPE_CHECKING:
    from app.hooks.pipeline import HookResult

__all__ = ["ACKNOWLEDGED_OUTCOMES", "InfoSnooze", "local_day", "patient_key", "patient_link_key", "request_patient_key"]

_SECRET_NAME = "info-snooze-hmac-key"

_log = logging.getLogger("osteo_cds.feedback")


def patient_key(key: bytes, fhir_server: str | None, patient_id: str) -> str:
    """HMAC-SHA256 (hex) of the FHIR server base URL and the patient id; a NUL byte separates the two (it cannot
    occur in either), so no two (server, id) pairs share a message."""
    message = (fhir_server or "").rstrip("/").encode() + b"\x00" + patient_id.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def request_patient_key(key: bytes, request: HookRequest) -> str:
    """The keyed hash of this request's patient (``fhirServer`` + ``context.patientId``)."""
    fhir_server = str(request.fhir_server) if request.fhir_server else None
    return patient_key(key, fhir_server, str(request.context["patientId"]))


def patient_link_key(store: FeedbackStore, settings: Settings) -> tuple[bytes, str]:
    """The HMAC key that links issued cards to a patient (see the module docstring), and where it comes from:
    ``OSTEO_INFO_SNOOZE_SECRET`` when configured, else the key generated once into the database."""
    configured = settings.info_snooze_secret
    if configured is not None:
        return configured.get_secret_value().encode(), "configured"
    return stored_secret(store.engine, _SECRET_NAME).encode(), "generated, stored in the database"


_ack = finding_acknowledgement.c
_ACKNOWLEDGED = select(_ack.service_id, _ack.rule_id, _ack.outcome_timestamp, _ack.received_at).where(
    _ack.patient_key == bindparam("key"), _ack.outcome_timestamp >= bindparam("since")
)
"""A patient's acknowledgements since a moment (a few rows: services and rules are filtered by the caller). Without
IN lists, so that it compiles once (:class:`~app.feedback.store.PreparedRead`)."""


@dataclass(frozen=True, slots=True)
class InfoSnooze:
    """Open once in the lifespan (:meth:`open`); :meth:`apply` to every hook result before it is returned."""

    store: FeedbackStore
    days: int
    view_services: frozenset[str]
    """The ids of the services answering ``patient-view``: only their cards' acknowledgements snooze (order-select
    cards carry the same patient link, for app/feedback/overrides.py)."""
    timezone: ZoneInfo
    _key: bytes = field(repr=False)
    _query: PreparedRead = field(repr=False)

    @classmethod
    def open(cls, store: FeedbackStore, settings: Settings, view_services: Set[str]) -> InfoSnooze:
        days = settings.guideline.info_snooze_days
        key, origin = patient_link_key(store, settings) if days else (b"", "off")
        _log.info("info-card snooze", extra={"setting": f"info_snooze_days={days}; key {origin}"})
        return cls(
            store=store,
            days=days,
            view_services=frozenset(view_services),
            timezone=ZoneInfo(settings.timezone),
            _key=key,
            _query=store.prepare(_ACKNOWLEDGED),
        )

    async def apply(self, hook: Hook, request: HookRequest, result: HookResult, *, as_of: date) -> HookResult:
        """``result`` without the info findings this patient acknowledged within the snooze window (on any card
        that held them); the result is linked to the patient, so that feedback on its cards can snooze them."""
        if hook is not Hook.PATIENT_VIEW or self.days == 0:
            return result
        info = {finding.rule_id for finding in result.findings if finding.indicator is Indicator.INFO}
        if not info:
            return result
        key = request_patient_key(self._key, request)
        snoozed = await self.store.read(self.acknowledged_rules, key, frozenset(info), as_of)
        if snoozed:
            _log.info(
                "info cards snoozed",
                extra={"hook_instance": request.hook_instance, "snoozed": sorted(snoozed)},
            )
            result = result.without(lambda f: f.indicator is Indicator.INFO and f.rule_id in snoozed)
        return result.linked_to_patient(key)

    def acknowledged_rules(self, key: str, rule_ids: Set[str], as_of: date) -> frozenset[str]:
        """Of ``rule_ids``, those whose info card this patient acknowledged within the window (one query)."""
        first_day = as_of - timedelta(days=self.days)
        since = datetime.combine(first_day, time.min, tzinfo=self.timezone).astimezone(UTC)
        rows = self._query.rows({"key": key, "since": since})
        return frozenset(
            rule_id
            for service_id, rule_id, outcome_at, received_at in rows
            if service_id in self.view_services
            and rule_id in rule_ids
            and first_day <= self._acknowledged_on(outcome_at, received_at) <= as_of
        )

    def _acknowledged_on(self, outcome_at: datetime, received_at: datetime) -> date:
        return local_day(outcome_at, received_at, self.timezone)


def local_day(outcome_at: datetime, received_at: datetime, timezone: ZoneInfo) -> date:
    """The local date of a feedback outcome: the outcome time, capped at the time of receipt (a client clock
    running ahead cannot move it later)."""
    moment = min(_utc(outcome_at), _utc(received_at))
    return moment.astimezone(timezone).date()


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite returns them without a zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
