"""FastAPI dependencies as ``Annotated`` aliases: the lifespan's shared resources and today's date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from app.feedback import FeedbackStore
from app.feedback.snooze import InfoSnooze
from app.hooks.pipeline import Resources
from app.hooks.services import CdsService

__all__ = ["AsOfDep", "FeedbackStoreDep", "InfoSnoozeDep", "ResourcesDep", "ServicesDep", "get_as_of"]


def get_resources(request: Request) -> Resources:
    resources: Resources = request.state.resources
    return resources


def get_feedback_store(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.state.feedback_store
    return store


def get_info_snooze(request: Request) -> InfoSnooze:
    snooze: InfoSnooze = request.state.info_snooze
    return snooze


def get_services(request: Request) -> dict[str, CdsService]:
    services: dict[str, CdsService] = request.state.services
    return services


def get_as_of(resources: Annotated[Resources, Depends(get_resources)]) -> date:
    """The date of the hook invocation in the service's time zone: the only clock read of a hook call.

    Tests override this dependency to pin the date.
    """
    return datetime.now(ZoneInfo(resources.settings.timezone)).date()


ResourcesDep = Annotated[Resources, Depends(get_resources)]
FeedbackStoreDep = Annotated[FeedbackStore, Depends(get_feedback_store)]
InfoSnoozeDep = Annotated[InfoSnooze, Depends(get_info_snooze)]
ServicesDep = Annotated[dict[str, CdsService], Depends(get_services)]
AsOfDep = Annotated[date, Depends(get_as_of)]
