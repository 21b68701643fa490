"""Liveness and readiness for the orchestrator: ``/livez`` and ``/readyz`` (``/healthz`` stays, in app/hooks/routes.py).

- ``/livez``: the process answers HTTP (the application has started). Never touches the database: a database
  outage must not make the orchestrator restart a service that still delivers cards.
- ``/readyz``: the service is ready for hook calls, which it is whenever it has started, since cards never wait
  for the database. It answers 200 in every case, with ``"status": "degraded"`` while the database does not answer
  within the read deadline (snooze and order-sign override memory off, feedback refused with 503, issued-card
  records queued), plus the counts operations watches: reads that failed open, failed writes, the issued-card
  queue and its drops since start-up.
- ``/metrics``: Prometheus text exposition (app/metrics.py), every worker's values added up.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from app import metrics
from app.deps import FeedbackStoreDep, IssuedCardsDep

__all__ = ["Liveness", "Readiness", "router"]

router = APIRouter(tags=["operations"])


class Liveness(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    status: Literal["ready", "degraded"]
    """``degraded``: the database does not answer; cards are still delivered (fail open)."""
    database: Literal["ok", "unavailable"]
    reads_failed_open: int = Field(alias="readsFailedOpen", description="Database reads that failed open.")
    writes_failed: int = Field(alias="writesFailed", description="Database writes that failed or were late.")
    issued_cards_queued: int = Field(alias="issuedCardsQueued", description="Issued-card records waiting.")
    issued_cards_dropped: int = Field(alias="issuedCardsDropped", description="Records dropped, queue full.")


@router.get("/livez", operation_id="liveness")
async def liveness() -> Liveness:
    """Liveness: the process answers. Never touches the database."""
    return Liveness()


@router.get("/readyz", operation_id="readiness", response_model_by_alias=True)
async def readiness(store: FeedbackStoreDep, issued_cards: IssuedCardsDep) -> Readiness:
    """Readiness: always 200 once started (cards never wait for the database); ``degraded`` while the database
    does not answer within the read deadline."""
    database_ok = await store.available()
    return Readiness(
        status="ready" if database_ok else "degraded",
        database="ok" if database_ok else "unavailable",
        reads_failed_open=store.reads_failed_open,
        writes_failed=store.writes_failed,
        issued_cards_queued=issued_cards.queued,
        issued_cards_dropped=issued_cards.dropped,
    )


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {metrics.CONTENT_TYPE: {"schema": {"type": "string"}}}, "description": "Metrics."}},
)
async def prometheus_metrics() -> Response:
    """Prometheus metrics in the text exposition format, added up over every worker process. No patient data in
    any label. Unauthenticated, like the probes: expose it to the monitoring network only."""
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)
