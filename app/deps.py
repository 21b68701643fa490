"""FastAPI dependencies as ``Annotated`` aliases: the lifespan's shared resources and today's date.

They are ``async def`` although they never await: FastAPI runs a plain ``def`` dependency in the thread pool,
which costs a thread hand-off per dependency per call. A hook call takes what it needs from the lifespan as one
:class:`HookCall` (each dependency FastAPI resolves costs some 25 µs of CPU per request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from app.assessment import AssessmentBook
from app.feedback import FeedbackStore, IssuedCardWriter
from app.feedback.overrides import OrderSignOverrides
from app.feedback.snooze import InfoSnooze
from app.hooks.pipeline import Resources
from app.hooks.services import CdsService

__all__ = [
    "AsOfDep",
    "HookCall",
    "HookCallDep",
    "AssessmentsDep",
    "FeedbackStoreDep",
    "IssuedCardsDep",
    "ResourcesDep",
    "ServicesDep",
    "get_as_of",
]


async def get_resources(request: Request) -> Resources:
    resources: Resources = request.state.resources
    return resources


async def get_feedback_store(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.state.feedback_store
    return store


async def get_issued_cards(request: Request) -> IssuedCardWriter:
    writer: IssuedCardWriter = request.state.issued_cards
    return writer


async def get_assessments(request: Request) -> AssessmentBook | None:
    """The assessment-page store, or None when ``OSTEO_ASSESSMENT_PAGE=false``."""
    book: AssessmentBook | None = request.state.assessments
    return book


async def get_services(request: Request) -> dict[str, CdsService]:
    services: dict[str, CdsService] = request.state.services
    return services


@dataclass(frozen=True, slots=True)
class HookCall:
    """What answering a hook call needs from the lifespan (``request.state.hook_call``)."""

    resources: Resources
    services: dict[str, CdsService]
    issued_cards: IssuedCardWriter
    snooze: InfoSnooze
    overrides: OrderSignOverrides
    assessments: AssessmentBook | None
    """None when ``OSTEO_ASSESSMENT_PAGE=false``."""


async def get_hook_call(request: Request) -> HookCall:
    call: HookCall = request.state.hook_call
    return call


async def get_as_of(request: Request) -> date:
    """The date of the hook invocation in the service's time zone: the only clock read of a hook call.

    A development run may pin it (``OSTEO_DEVELOPMENT_TODAY``, only with client authentication off); tests override
    this dependency to pin the date.
    """
    resources: Resources = request.state.resources
    settings = resources.settings
    if settings.development_today is not None:
        return settings.development_today
    return datetime.now(ZoneInfo(settings.timezone)).date()


ResourcesDep = Annotated[Resources, Depends(get_resources)]
FeedbackStoreDep = Annotated[FeedbackStore, Depends(get_feedback_store)]
IssuedCardsDep = Annotated[IssuedCardWriter, Depends(get_issued_cards)]
ServicesDep = Annotated[dict[str, CdsService], Depends(get_services)]
AsOfDep = Annotated[date, Depends(get_as_of)]
HookCallDep = Annotated[HookCall, Depends(get_hook_call)]
AssessmentsDep = Annotated[AssessmentBook | None, Depends(get_assessments)]
