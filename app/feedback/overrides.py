"""A card overridden at order-select is not shown again at order-sign (rules.md §0.3 item 6).

rules.md §0.3 item 6: "a rule that fired at ``order-select`` is re-evaluated at ``order-sign`` and shown again only if
still applicable and not overridden". *Still applicable* needs no state: order-sign evaluates every rule again on
the drafts as they are then. *Not overridden* does: Epic honours overrides itself through ``source.topic.code``,
other EHRs (HiX, HAPI-based rigs) show the card again. So the service remembers, as implemented here:

- At ``order-select`` every issued card is linked to its patient with the same keyed hash as the info-card snooze
  (:func:`app.feedback.snooze.patient_key`; never the patient id).
- At ``order-sign`` a finding is left out when, for the same patient, a card holding a finding of the **same rule
  and variant** (as its main finding or folded into it) issued at ``order-select`` received feedback ``overridden``
  on the same local day as ``as_of`` (the ordering session; CDS
  Hooks gives the two calls no shared id). A different variant means the situation changed (e.g. a draft that now
  makes the order contraindicated), so that card is shown. ``accepted`` is not an override: advice the prescriber
  accepted but that still applies at signing (the order was not actually added) is shown again.
- ``OSTEO_ORDER_SIGN_HIDES_OVERRIDDEN=false`` turns it off (every still-applicable card is shown at order-sign).

Cost: at most one indexed query (``finding_acknowledgement.patient_key``) per order-sign call that has findings.
"""

from __future__ import annotations

import logging
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from app.config import Settings
from app.feedback.snooze import local_day, patient_link_key, request_patient_key
from app.feedback.store import FeedbackStore, PreparedRead, finding_acknowledgement
from app.hooks.schemas import HookRequest
from app.rules.model import Hook

if TYPE_CHECKING:
    from app.hooks.pipeline import HookResult

__all__ = ["OrderSignOverrides"]

_log = logging.getLogger("osteo_cds.feedback")


_ack = finding_acknowledgement.c
_OVERRIDDEN = select(_ack.service_id, _ack.rule_id, _ack.variant, _ack.outcome_timestamp, _ack.received_at).where(
    _ack.patient_key == bindparam("key"),
    _ack.outcome == "overridden",
    _ack.outcome_timestamp >= bindparam("since"),
)
"""A patient's overrides since a moment (services and rules filtered by the caller; built once, like the
snooze's)."""


@dataclass(frozen=True, slots=True)
class OrderSignOverrides:
    """Open once in the lifespan (:meth:`open`); :meth:`apply` to every hook result before it is returned."""

    store: FeedbackStore
    enabled: bool
    select_services: frozenset[str]
    """The ids of the services answering ``order-select`` (whose overridden cards count)."""
    timezone: ZoneInfo
    _key: bytes = field(repr=False)
    _query: PreparedRead = field(repr=False)

    @classmethod
    def open(cls, store: FeedbackStore, settings: Settings, select_services: Set[str]) -> OrderSignOverrides:
        enabled = settings.order_sign_hides_overridden
        key, origin = patient_link_key(store, settings) if enabled else (b"", "off")
        _log.info("order-sign overrides", extra={"setting": f"order_sign_hides_overridden={enabled}; key {origin}"})
        return cls(
            store=store,
            enabled=enabled,
            select_services=frozenset(select_services),
            timezone=ZoneInfo(settings.timezone),
            _key=key,
            _query=store.prepare(_OVERRIDDEN),
        )

    async def apply(self, hook: Hook, request: HookRequest, result: HookResult, *, as_of: date) -> HookResult:
        """At order-select: ``result`` linked to its patient. At order-sign: ``result`` without the findings
        overridden at order-select today (same rule and variant, on any card that held them). Other hooks:
        unchanged."""
        if not self.enabled or not result.findings or hook is Hook.PATIENT_VIEW:
            return result
        key = request_patient_key(self._key, request)
        if hook is Hook.ORDER_SELECT:
            return result.linked_to_patient(key)
        shown = {(finding.rule_id, finding.variant) for finding in result.findings}
        overridden = await self.store.read(self.overridden_today, key, frozenset(shown), as_of)
        if not overridden:
            return result
        _log.info(
            "cards overridden at order-select not repeated",
            extra={"hook_instance": request.hook_instance, "reason": sorted(rule for rule, _ in overridden)},
        )
        return result.without(lambda f: (f.rule_id, f.variant) in overridden)

    def overridden_today(self, key: str, shown: Set[tuple[str, str]], as_of: date) -> frozenset[tuple[str, str]]:
        """Of ``shown`` (rule, variant) pairs, those whose order-select card this patient overrode on ``as_of``."""
        since = datetime.combine(as_of - timedelta(days=1), time.min, tzinfo=self.timezone).astimezone(UTC)
        rows = self._query.rows({"key": key, "since": since})
        return frozenset(
            (rule_id, variant)
            for service_id, rule_id, variant, outcome_at, received_at in rows
            if service_id in self.select_services
            and (rule_id, variant) in shown
            and local_day(outcome_at, received_at, self.timezone) == as_of
        )
