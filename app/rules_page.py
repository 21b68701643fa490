"""``GET /rules``: the rule reference (:mod:`app.rules_reference`) as a server-rendered HTML page, with this
deployment's profile and guideline parameters. No script, no request to any other origin, never framed."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from functools import lru_cache
from typing import Final

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import ResourcesDep
from app.rules.parameters import GuidelineParameters
from app.rules_reference import STYLE, render_html, rule_reference, threshold_text

__all__ = ["rule_parameters", "RULES_PAGE_HEADERS", "router"]

router = APIRouter(tags=["rules"])

_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
RULES_PAGE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=4)
def _page(profile: str, parameters: GuidelineParameters) -> str:
    return render_html(rule_reference(profile, parameters), profile, parameters)


@lru_cache(maxsize=4)
def rule_parameters(profile: str, parameters: GuidelineParameters) -> dict[str, tuple[str, ...]]:
    """Per rule ID, the parameters and thresholds its code uses, as ``name = value (source)`` lines in this
    deployment's profile (for the assessment page's "parameters that decided it"); built once per process."""
    return {
        entry.id: tuple(f"{use.name} = {use.value} ({use.source})" for use in entry.parameters)
        + tuple(
            f"{threshold.name} = {threshold_text(threshold)} ({threshold.citation})" for threshold in entry.thresholds
        )
        for entry in rule_reference(profile, parameters)
    }


@router.get("/rules", response_class=HTMLResponse, operation_id="rule_reference")
async def rules_page(resources: ResourcesDep) -> HTMLResponse:
    """The rule reference: every rule with its family, hooks, profiles, logic, the guideline parameters (this
    deployment's values) and thresholds it uses with their sources, its card text in Dutch and English and the
    tests that cover it (HTML; the same content as docs/rules.md)."""
    settings = resources.settings
    page = await asyncio.to_thread(_page, settings.profile, settings.guideline)
    return HTMLResponse(page, headers=RULES_PAGE_HEADERS)
