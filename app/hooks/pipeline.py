"""One hook invocation, start to finish: gather → build snapshot → evaluate → render."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.trace import Tracer
from pydantic import ValidationError

from app.config import Settings
from app.errors import InvalidHookRequestError
from app.feedback import IssuedCard
from app.fhir import FhirQuery, GatherLimits, PatientRecord, gather_patient_record
from app.fhir.record import UnavailableData
from app.hooks.schemas import CdsResponse, HookRequest, Link, OrderSelectContext, OrderSignContext
from app.hooks.services import CdsService
from app.presentation import DisplayPolicy, present
from app.render import CardCatalog, Finding, render_findings, unavailable_card
from app.rules import GIVES_CARD, evaluate
from app.rules.osteoporosis.predicates import contraindicated_drugs
from app.rules.parameters import GuidelineParameters
from app.snapshot import build_snapshot
from app.snapshot.model import ClinicalSnapshot, Drug
from app.snapshot.parameters import SnapshotParameters
from app.terminology import CodeSetCatalog
from app.tracing import record_hook_call

__all__ = ["LANGUAGE_EXTENSION", "HookResult", "Resources", "choose_language", "identify_order_drugs", "run_hook"]

LANGUAGE_EXTENSION = "org.osteo-cds.language"
"""Request ``extension`` key naming the card language (``nl`` or ``en``); it wins over Accept-Language."""

_log = logging.getLogger("osteo_cds.hooks")


@dataclass(frozen=True, slots=True)
class Resources:
    """What the lifespan loads once and every call shares."""

    settings: Settings
    http: httpx.AsyncClient
    terminology: CodeSetCatalog
    cards: CardCatalog
    queries: tuple[FhirQuery, ...]
    guideline: GuidelineParameters
    order_drugs: Mapping[str, Drug]
    """Order-template key → the drug it orders (see :func:`identify_order_drugs`)."""
    display_policy: Mapping[str, DisplayPolicy]
    """Rule ID → how this site shows its findings (``OSTEO_DISPLAY_POLICY``; app/presentation.py)."""
    tracer: Tracer = field(default_factory=lambda: trace.NoOpTracerProvider().get_tracer("osteo_cds"))
    """OpenTelemetry tracer of the hook calls (app/tracing.py); the no-op tracer unless tracing is configured."""


@dataclass(frozen=True, slots=True)
class HookResult:
    """One call's findings before they become cards: the info-card snooze and the order-sign override memory
    remove findings (app/feedback), then :meth:`answer` lays out the cards (app/presentation.py)."""

    service: CdsService
    findings: tuple[Finding, ...]
    unavailable: tuple[UnavailableData, ...]
    language: str
    patient_key: str | None = None
    """The patient's keyed hash, once the snooze or the override memory linked this call to its patient."""
    snapshot: ClinicalSnapshot | None = None
    """The typed record the findings came from (drawn on the assessment page)."""

    def without(self, drop: Callable[[Finding], bool]) -> HookResult:
        """This result without the findings ``drop`` selects."""
        return replace(self, findings=tuple(finding for finding in self.findings if not drop(finding)))

    def linked_to_patient(self, key: str) -> HookResult:
        """The issued-card records of this answer will carry the patient's keyed hash (app/feedback/snooze.py)."""
        return replace(self, patient_key=key)

    def answer(self, resources: Resources, links: tuple[Link, ...] = ()) -> tuple[CdsResponse, tuple[IssuedCard, ...]]:
        """The response (cards most urgent first, the data-unavailable card last) and the records to keep."""
        presented = present(
            self.findings,
            hook=self.service.hook,
            service_id=self.service.id,
            catalog=resources.cards,
            language=self.language,
            policy=resources.display_policy,
            links=links,
            patient_key=self.patient_key,
        )
        cards = list(presented.cards)
        failed = [item for item in self.unavailable if item.failed]
        if failed:
            cards.append(unavailable_card(failed, resources.cards, self.language))
        return CdsResponse(cards=cards), presented.issued


def identify_order_drugs(
    cards: CardCatalog, *, terminology: CodeSetCatalog, parameters: SnapshotParameters, as_of: date
) -> Mapping[str, Drug]:
    """Which drug each medication order template orders, identified by the snapshot builder itself (the one place
    that maps codes to drugs), so that contraindicated orders can be withheld from every card (rules.md §14.4)."""
    found: dict[str, Drug] = {}
    for key in sorted(cards.orders.medications):
        order = cards.orders.build(key, patient_id="order-template", language="en")
        record = PatientRecord(patient=None, draft_orders=({**order, "id": key},))
        snapshot = build_snapshot(record, catalog=terminology, as_of=as_of, parameters=parameters)
        drugs = {draft.drug for draft in snapshot.draft_orders if draft.drug is not None}
        if len(drugs) == 1:
            found[key] = drugs.pop()
    return found


def choose_language(extension: Mapping[str, Any] | None, accept_language: str | None, default: str) -> str:
    """The card language: the request extension, else the first supported Accept-Language, else the default."""
    requested = (extension or {}).get(LANGUAGE_EXTENSION)
    if requested is not None:
        if requested not in ("nl", "en"):
            raise InvalidHookRequestError(
                f"extension.{LANGUAGE_EXTENSION} must be 'nl' or 'en'",
                expression=f"extension.{LANGUAGE_EXTENSION}",
            )
        return str(requested)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag[:2] in ("nl", "en"):
            return tag[:2]
    return default


def _validate_context(service: CdsService, request: HookRequest) -> OrderSignContext | Any:
    if request.hook != service.hook.value:
        raise InvalidHookRequestError(
            f"service {service.id} answers hook {service.hook.value!r}, not {request.hook!r}",
            expression="hook",
        )
    try:
        return service.context_model.model_validate(request.context)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(["context", *(str(part) for part in first["loc"])])
        raise InvalidHookRequestError(f"{where}: {first['msg']}", expression=where) from exc


async def run_hook(
    service: CdsService, request: HookRequest, *, resources: Resources, language: str, as_of: date
) -> HookResult:
    """Answer one hook call. Raises typed errors only (400 / 412); a bug propagates."""
    started = time.perf_counter()
    started_ns = time.time_ns()
    context = _validate_context(service, request)
    settings = resources.settings
    draft_orders = context.draft_orders if isinstance(context, OrderSignContext) else None
    selections = context.selections if isinstance(context, OrderSelectContext) else []
    record, stats = await gather_patient_record(
        queries=resources.queries,
        patient_id=context.patient_id,
        prefetch=request.prefetch,
        fhir_server=str(request.fhir_server).rstrip("/") if request.fhir_server else None,
        access_token=request.fhir_authorization.access_token if request.fhir_authorization else None,
        draft_orders=draft_orders,
        selections=selections,
        http=resources.http,
        allowlist=settings.fhir_server_allowlist,
        limits=GatherLimits(
            query_timeout_seconds=settings.fhir_query_timeout_seconds,
            call_deadline_seconds=settings.fhir_call_deadline_seconds,
            max_pages=settings.fhir_max_pages,
            max_resources=settings.fhir_max_resources,
            max_prefetch_entries=settings.max_prefetch_entries,
            max_response_bytes=settings.fhir_max_response_bytes,
            max_call_bytes=settings.fhir_max_call_bytes,
        ),
    )
    gathered = time.perf_counter()
    snapshot = build_snapshot(record, catalog=resources.terminology, as_of=as_of, parameters=settings.snapshot)
    built = time.perf_counter()
    outcomes = evaluate(
        service.rules, snapshot, hook=service.hook, profile=settings.profile, parameters=resources.guideline
    )
    forbidden = contraindicated_drugs(snapshot, resources.guideline)
    evaluated = time.perf_counter()
    findings = render_findings(
        outcomes,
        catalog=resources.cards,
        language=language,
        patient_id=context.patient_id,
        blocked_orders={key: forbidden[drug] for key, drug in resources.order_drugs.items() if drug in forbidden},
    )
    finished = time.perf_counter()
    fired = Counter(
        f"{outcome.rule_id}:{type(outcome).__name__}" for outcome in outcomes if isinstance(outcome, GIVES_CARD)
    )

    def epoch_ns(moment: float) -> int:
        return started_ns + int((moment - started) * 1e9)

    record_hook_call(
        resources.tracer,
        start_ns=started_ns,
        phase_ends_ns={
            "gather": epoch_ns(gathered),
            "snapshot": epoch_ns(built),
            "rules": epoch_ns(evaluated),
            "cards": epoch_ns(finished),
        },
        attributes={
            "cds.service": service.id,
            "cds.hook": service.hook.value,
            "cds.hook_instance": request.hook_instance,
            "cds.findings": len(findings),
            "cds.fhir_requests": stats.fhir_requests,
        },
    )
    _log.info(
        "hook answered",
        extra={
            "service": service.id,
            "hook": service.hook.value,
            "hook_instance": request.hook_instance,
            "findings": len(findings),
            "fired": dict(fired),
            "unavailable": sorted({item.key for item in record.unavailable}),
            "fhir_requests": stats.fhir_requests,
            "gather_ms": round((gathered - started) * 1000, 2),
            "snapshot_ms": round((built - gathered) * 1000, 2),
            "rules_ms": round((evaluated - built) * 1000, 2),
            "render_ms": round((finished - evaluated) * 1000, 2),
            "total_ms": round((finished - started) * 1000, 2),
        },
    )
    return HookResult(
        service=service,
        findings=tuple(findings),
        unavailable=tuple(record.unavailable),
        language=language,
        snapshot=snapshot,
    )
