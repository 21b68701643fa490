"""The ASGI application: ``app.main:app`` (uvicorn app.main:app)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TypedDict

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from opentelemetry.trace import TracerProvider

from app.assessment import AssessmentBook
from app.catalogs import card_catalog, terminology_catalog
from app.config import Settings, get_settings
from app.deps import HookCall
from app.errors import register_error_handlers
from app.feedback import FeedbackStore, IssuedCardWriter
from app.feedback.overrides import OrderSignOverrides
from app.feedback.snooze import InfoSnooze
from app.feedback.store import DatabaseTimeouts
from app.fhir import patient_queries
from app.hooks.pipeline import Resources, identify_order_drugs
from app.hooks.routes import router
from app.hooks.services import CdsService, build_services
from app.limits import BodySizeLimitMiddleware
from app.logging import configure_logging
from app.metrics import HookMetricsMiddleware
from app.operations import router as operations_router
from app.presentation import DisplayPolicy
from app.render import CardCatalog
from app.rules.model import Hook
from app.rules.osteoporosis import OSTEOPOROSIS_RULES
from app.rules_page import router as rules_router
from app.security import ClientAuthenticator, open_client_authenticator
from app.snapshot.model import Drug
from app.snapshot.parameters import SnapshotParameters
from app.terminology import CodeSetCatalog
from app.tracing import open_tracer
from app.valuesets import OBSERVATION_VALUE_SETS

__all__ = ["app", "create_app"]

ROOT = Path(__file__).resolve().parent.parent
_log = logging.getLogger("osteo_cds.main")
_ORDER_CHECK_DATE = date(2025, 1, 1)
"""Any fixed date: identifying which drug an order template orders does not depend on the day."""


class State(TypedDict):
    resources: Resources
    feedback_store: FeedbackStore
    issued_cards: IssuedCardWriter
    services: dict[str, CdsService]
    client_auth: ClientAuthenticator
    assessments: AssessmentBook | None
    hook_call: HookCall


def _operation_id(route: APIRoute) -> str:
    return route.name


GC_GEN0_THRESHOLD = 100_000
"""Net allocations of tracked objects between young-generation collections (CPython's default is 700). A hook call
leaves nothing for the collector to find: what it allocates is freed by reference counting as the call ends
(``tests/feedback/test_reference_cycles.py``). So a collection only walks the objects of the calls in flight (the
parsed prefetch, the snapshot) and frees none of them, and walking them costs far more than their number suggests:
at 10,000, the two workers of ``python -m bench.run --only prefetch`` (the benchmark patient at concurrency 1, 8
and 32) spent 6–11 % of their CPU in young collections of about 17 ms each, and one call on a 5,000-resource record
8–10 ms (``python -m bench.inprocess --sizes``). At 100,000 neither collects at all; whatever reference cycles other
code leaves (an error path) wait for at most this many objects."""
_heap_settled = False


def _settle_heap() -> None:
    """Once per process, after start-up: move everything loaded so far (value sets, card templates, modules) out
    of the garbage collector's sight (:func:`gc.freeze`), since it lives as long as the process, and collect the
    young generation less often. Measured with ``./.ci/bench``: the collector's share of a hook call's CPU."""
    global _heap_settled
    if _heap_settled:
        return
    _heap_settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])


_order_drugs_seen: list[tuple[CardCatalog, CodeSetCatalog, SnapshotParameters, Mapping[str, Drug]]] = []


def _order_drugs(cards: CardCatalog, terminology: CodeSetCatalog, parameters: SnapshotParameters) -> Mapping[str, Drug]:
    """:func:`identify_order_drugs`, once per process for the same (shared) catalogs and parameters: it builds a
    snapshot per order template. The last few results are kept, with the catalogs they were computed from."""
    for seen_cards, seen_terminology, seen_parameters, found in _order_drugs_seen:
        if seen_cards is cards and seen_terminology is terminology and seen_parameters == parameters:
            return found
    found = MappingProxyType(
        dict(identify_order_drugs(cards, terminology=terminology, parameters=parameters, as_of=_ORDER_CHECK_DATE))
    )
    _order_drugs_seen[:] = [*_order_drugs_seen[-3:], (cards, terminology, parameters, found)]
    return found


@cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CA bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), made once per
    process: loading the CA bundle takes about 0.1 s, and a context is safe to share between clients."""
    return httpx.create_ssl_context()


def create_app(settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """Build the application; value sets, card templates and the database are opened in the lifespan.
    ``tracer_provider``: an OpenTelemetry provider for the hook-call traces (tests, an embedding application);
    otherwise ``OSTEO_TRACING_OTLP_ENDPOINT`` decides (app/tracing.py)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[State]:
        terminology = terminology_catalog()  # immutable: loaded once per process (app/catalogs.py)
        cards = card_catalog(order_codings_file=settings.order_codings_file)
        codes = [(system, code) for url in OBSERVATION_VALUE_SETS for system, code in terminology[url].codes()]
        queries = patient_queries(observation_codes=codes, page_size=settings.fhir_page_size)
        store = FeedbackStore(
            settings.database_url,
            DatabaseTimeouts(
                read_deadline_seconds=settings.database_read_deadline_seconds,
                write_deadline_seconds=settings.database_write_deadline_seconds,
                connect_timeout_seconds=settings.database_connect_timeout_seconds,
                statement_timeout_seconds=settings.database_statement_timeout_seconds,
            ),
        )
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        async with (
            httpx.AsyncClient(limits=limits, follow_redirects=False, verify=_tls_context()) as http,
            open_client_authenticator(settings, http) as client_auth,
        ):
            resources = Resources(
                settings=settings,
                http=http,
                terminology=terminology,
                cards=cards,
                queries=queries,
                guideline=settings.guideline.for_profile(settings.profile),
                order_drugs=_order_drugs(cards, terminology, settings.snapshot),
                display_policy={rule: DisplayPolicy(policy) for rule, policy in settings.display_policy.items()},
                tracer=open_tracer(settings, tracer_provider),
            )
            assessments = AssessmentBook.open(store, settings) if settings.assessment_page else None
            writer = IssuedCardWriter(store, assessments)
            writing = asyncio.create_task(writer.run())
            _log.info("service started", extra={"setting": f"profile={settings.profile}"})
            if settings.development_today is not None:
                _log.warning(
                    '"today" is pinned for this development run: every hook call is evaluated as of this date',
                    extra={"setting": f"development_today={settings.development_today.isoformat()}"},
                )
            services = dict(build_services(OSTEOPOROSIS_RULES))
            by_hook = {hook: {sid for sid, service in services.items() if service.hook is hook} for hook in Hook}
            snooze = InfoSnooze.open(store, settings, by_hook[Hook.PATIENT_VIEW])
            overrides = OrderSignOverrides.open(store, settings, by_hook[Hook.ORDER_SELECT])
            _settle_heap()
            try:
                yield {
                    "resources": resources,
                    "feedback_store": store,
                    "issued_cards": writer,
                    "services": services,
                    "client_auth": client_auth,
                    "assessments": assessments,
                    "hook_call": HookCall(resources, services, writer, snooze, overrides, assessments),
                }
            finally:
                writing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writing
                await writer.flush()
                store.close()

    application = FastAPI(
        title="osteo-cds",
        version="0.1.0",
        summary="CDS Hooks 2.0 service for the Dutch and Belgian osteoporosis guidelines.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    application.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept", "Accept-Language"],
        allow_credentials=False,
        max_age=600,
    )
    application.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    application.add_middleware(HookMetricsMiddleware)  # outermost: a refused body (413) is a hook call too
    register_error_handlers(application)
    application.include_router(router)
    application.include_router(operations_router)
    application.include_router(rules_router)
    return application


app = create_app()
