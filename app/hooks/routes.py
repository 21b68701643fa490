"""HTTP routes: discovery, the three services, feedback and health. Thin: validate → pipeline → response."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import HTMLResponse

from app.assessment import (
    ASSESSMENT_PATH,
    PendingAssessment,
    assessment_payload,
    bone_health_picture,
    new_token,
    render_gone,
    render_page,
    security_headers,
    worded_findings,
)
from app.deps import (
    AsOfDep,
    AssessmentsDep,
    FeedbackStoreDep,
    HookCallDep,
    IssuedCardsDep,
    ResourcesDep,
    ServicesDep,
)
from app.errors import UnknownServiceError
from app.hooks.hook_route import HookRoute
from app.hooks.pipeline import choose_language, run_hook
from app.hooks.schemas import CdsResponse, DiscoveryResponse, FeedbackRequest, HookRequest, Link
from app.hooks.services import CdsService, descriptors
from app.json_body import JsonBodyRoute
from app.render import label
from app.rules_page import rule_parameters
from app.security import require_cds_client

__all__ = ["router"]

_log = logging.getLogger("osteo_cds.hooks")

router = APIRouter(route_class=JsonBodyRoute)

_OUTCOME = {"model": dict[str, object], "description": "A FHIR OperationOutcome saying what is wrong."}
_UNAUTHORIZED: dict[int | str, dict[str, object]] = {
    401: {**_OUTCOME, "description": "The CDS client JWT is missing or invalid (no further detail is given)."},
}
_AUTHENTICATED = [Depends(require_cds_client)]
"""Every CDS Hooks endpoint (not ``/healthz``) verifies the CDS client's JWT (app/security)."""
_ERRORS: dict[int | str, dict[str, object]] = {
    **_UNAUTHORIZED,
    400: {**_OUTCOME, "description": "Malformed request (FHIR OperationOutcome)."},
    404: {**_OUTCOME, "description": "No CDS service with that id (FHIR OperationOutcome)."},
    412: {
        **_OUTCOME,
        "description": "Required data is neither prefetched nor fetchable (FHIR OperationOutcome).",
    },
}

ServiceId = Annotated[str, Path(description="The CDS service id from discovery.", max_length=128)]


def _service(services: dict[str, CdsService], service_id: str) -> CdsService:
    try:
        return services[service_id]
    except KeyError:
        raise UnknownServiceError.for_id(service_id) from None


@router.get(
    "/cds-services",
    response_model=DiscoveryResponse,
    response_model_exclude_none=True,
    responses=_UNAUTHORIZED,
    dependencies=_AUTHENTICATED,
    tags=["cds-hooks"],
    operation_id="discovery",
)
async def discovery(resources: ResourcesDep, services: ServicesDep) -> DiscoveryResponse:
    """CDS Hooks discovery: the services, their hooks and prefetch templates."""
    prefetch = {query.key: query.template() for query in resources.queries}
    return DiscoveryResponse(services=descriptors(services, prefetch))


async def call_service(
    service_id: ServiceId,
    body: HookRequest,
    call: HookCallDep,
    as_of: AsOfDep,
    request: Request,
    accept_language: Annotated[str | None, Header()] = None,
) -> CdsResponse:
    """Call a CDS service with a hook request; returns cards (``[]`` when there is nothing to say)."""
    resources, assessments, issued_cards = call.resources, call.assessments, call.issued_cards
    service = _service(call.services, service_id)
    language = choose_language(body.extension, accept_language, resources.settings.default_language)
    result = await run_hook(service, body, resources=resources, language=language, as_of=as_of)
    result = await call.snooze.apply(service.hook, body, result, as_of=as_of)  # rules.md §0.3 item 6
    result = await call.overrides.apply(service.hook, body, result, as_of=as_of)  # rules.md §0.3 item 6, order hooks
    token = new_token() if assessments is not None else None
    links: tuple[Link, ...] = ()
    if token is not None:
        base = resources.settings.public_base_url or str(request.base_url).rstrip("/")
        text = label(resources.cards, "card", "full-assessment", language)
        links = (Link(label=text, url=f"{base}{ASSESSMENT_PATH}/{token}", type="absolute"),)
    response, issued = result.answer(resources, links)  # rules.md §0.3 item 9: one short card per clinical problem
    now = datetime.now(UTC)
    pending = None
    if token is not None and any(card.links for card in response.cards):
        shown = {(f.rule_id, f.variant): f.display for card in issued for f in card.findings}
        payload = assessment_payload(
            result.findings,
            shown=shown,
            hook=service.hook.value,
            language=language,
            as_of=as_of.isoformat(),
            catalog=resources.cards,
            picture=bone_health_picture(result.snapshot) if result.snapshot is not None else None,
        )
        pending = PendingAssessment(token=token, payload=payload, issued_at=now)
    issued_cards.submit(issued, issued_at=now, assessment=pending)  # written in batches, off the request path
    return response


router.add_api_route(
    "/cds-services/{service_id}",
    call_service,
    methods=["POST"],
    response_model=CdsResponse,
    response_model_exclude_none=True,
    responses=_ERRORS,
    dependencies=_AUTHENTICATED,
    tags=["cds-hooks"],
    operation_id="call_service",
    route_class_override=HookRoute,  # its handler supplies call_service's arguments: app/hooks/hook_route.py
)


@router.post(
    "/cds-services/{service_id}/feedback",
    responses={**_ERRORS, 503: {**_OUTCOME, "description": "The feedback database is unavailable; send it again."}},
    dependencies=_AUTHENTICATED,
    tags=["cds-hooks"],
    operation_id="feedback",
)
async def feedback(
    service_id: ServiceId,
    body: FeedbackRequest,
    services: ServicesDep,
    store: FeedbackStoreDep,
    issued_cards: IssuedCardsDep,
) -> dict[str, int]:
    """Store feedback on cards (accepted suggestions, override reasons). Idempotent: re-sent items count once."""
    service = _service(services, service_id)
    await issued_cards.flush()  # the cards this feedback names are recorded before it
    received_at = datetime.now(UTC)  # in a thread with a deadline (503 past it): the event loop never waits
    stored = await store.write(lambda: store.store_feedback(service.id, body.feedback, received_at=received_at))
    _log.info("feedback stored", extra={"service": service.id, "received": len(body.feedback), "stored": stored})
    return {"received": len(body.feedback), "stored": stored}


@router.get(
    f"{ASSESSMENT_PATH}/{{token}}",
    response_class=HTMLResponse,
    tags=["assessment"],
    operation_id="assessment_page",
    responses={404: {"content": {"text/html": {}}, "description": "Unknown or expired link (an HTML page)."}},
)
async def assessment_page(
    token: Annotated[str, Path(max_length=64)],
    resources: ResourcesDep,
    assessments: AssessmentsDep,
    issued_cards: IssuedCardsDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """The full assessment behind a card's "Full assessment" link (a capability URL; HTML, never cached)."""
    headers = security_headers(resources.settings.assessment_frame_ancestors)
    payload = None
    if assessments is not None:
        await issued_cards.flush()  # a link clicked right after the call: its page may still be queued here
        payload = await asyncio.to_thread(assessments.read, token, datetime.now(UTC))
    if payload is None:
        language = choose_language(None, accept_language, resources.settings.default_language)
        return HTMLResponse(render_gone(language), status_code=404, headers=headers)
    settings = resources.settings
    parameters = await asyncio.to_thread(rule_parameters, settings.profile, resources.guideline)  # once per process
    page = render_page({**payload, "findings": worded_findings(payload, resources.cards)}, parameters)
    return HTMLResponse(page, headers=headers)


@router.get("/healthz", tags=["operations"], operation_id="health")
async def health(store: FeedbackStoreDep) -> dict[str, str]:
    """Liveness and readiness: the value sets and card templates are loaded and the database answers."""
    return {"status": "ok", "database": "ok" if await store.available() else "unavailable"}
