"""``osteo-cds evaluate``: run one patient Bundle through the service's pipeline, offline, and show the cards.

The Bundle becomes the complete prefetch of the service's keys (:func:`app.devtools.patients.prefetch_for`), and
the request goes through exactly what a hook call runs (:func:`app.hooks.pipeline.run_hook`: gather → snapshot →
rules → findings → cards) inside the application's own lifespan (value sets, card templates, rules). There is no
``fhirServer`` in the request, so nothing is fetched: no network is used. Feedback is not recorded (an in-memory
database is used).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from app.config import Language, Settings
from app.devtools.patients import SERVICE_BY_HOOK, SyntheticPatient, hook_request, prefetch_for
from app.hooks.pipeline import Resources, run_hook
from app.hooks.schemas import Card, CdsResponse, HookRequest
from app.hooks.services import CdsService
from app.main import create_app

__all__ = ["evaluate_patient", "format_card_lines", "format_cards", "offline_settings"]

_INDICATOR_LABEL: Final[Mapping[str, str]] = {"critical": "CRITICAL", "warning": "WARNING", "info": "INFO"}
_MARKDOWN_EMPHASIS: Final = re.compile(r"(\*\*|__)(.+?)\1")


def offline_settings(*, language: Language) -> Settings:
    """Settings for an in-process evaluation: no FHIR server allowed, in-memory feedback store, quiet logs.

    Client authentication is off because no HTTP endpoint is exposed: the request never leaves the process.
    """
    return Settings(
        database_url="sqlite://",
        fhir_server_allowlist=[],
        default_language=language,
        auth_disabled_for_development=True,
        log_level="ERROR",
    )


async def evaluate_patient(
    patient: SyntheticPatient,
    *,
    hook: str,
    as_of: date,
    language: Language,
    draft_orders: Sequence[Mapping[str, Any]] = (),
    settings: Settings | None = None,
) -> CdsResponse:
    """The cards the service gives for ``patient`` at ``hook`` on ``as_of`` (complete prefetch, no network).

    Raises the service's typed errors (:class:`app.errors.CdsServiceError`) for a request it would refuse.
    """
    application = create_app(settings or offline_settings(language=language))
    async with application.router.lifespan_context(application) as state:
        if state is None:  # create_app's lifespan always yields its state
            raise RuntimeError("the application's lifespan yielded no state")
        resources: Resources = state["resources"]
        services: Mapping[str, CdsService] = state["services"]
        body = hook_request(
            hook=hook,
            patient_id=patient.patient_id,
            prefetch=prefetch_for(patient.resources, resources.queries),
            draft_orders=draft_orders,
            language=language,
        )
        result = await run_hook(
            services[SERVICE_BY_HOOK[hook]],
            HookRequest.model_validate(body),
            resources=resources,
            language=language,
            as_of=as_of,
        )
        response, _ = result.answer(resources)
    return response


def _plain(markdown: str) -> str:
    return _MARKDOWN_EMPHASIS.sub(r"\2", markdown)


def _indented(text: str, prefix: str = "    ", width: int = 100) -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines():
        if not raw.strip():
            lines.append("")
            continue
        bullet = re.match(r"^(\s*(?:[-*]|\d+\.)\s+)", raw)
        hang = " " * len(bullet.group(1)) if bullet else ""
        lines.extend(
            textwrap.wrap(raw, width=width, initial_indent=prefix, subsequent_indent=prefix + hang)
            or [prefix + raw.strip()]
        )
    return lines


def _headline(card: Card) -> str:
    rule = card.source.topic.code if card.source.topic else "(no rule)"
    indicator = _INDICATOR_LABEL.get(card.indicator.value, card.indicator.value.upper())
    return f"[{indicator}] {rule}: {card.summary}"


def format_card_lines(cards: Sequence[Card], *, title: str, about: str | None = None) -> str:
    """Cards in brief: the title, ``about`` shortened to one line, then one line per card (indicator, rule ID,
    summary); what :func:`format_cards` prints in full."""
    lines = [title]
    if about:
        lines.append("  " + textwrap.shorten(_plain(about), width=100, placeholder=" …"))
    lines += [f"  {_headline(card)}" for card in cards] or ["  (no cards)"]
    return "\n".join(lines) + "\n"


def format_cards(cards: Sequence[Card], *, title: str | None = None, about: str | None = None) -> str:
    """Cards as readable text: indicator, rule ID, summary, detail (Markdown emphasis removed), suggestions.

    ``title`` is underlined; ``about`` (e.g. what the patient is) is wrapped below it."""
    lines: list[str] = []
    if title:
        lines += [title, "=" * min(len(title), 100)]
    if about:
        lines += [*textwrap.wrap(_plain(about), width=100), ""]
    if not cards:
        lines.append("(no cards)")
    for number, card in enumerate(cards, 1):
        lines.append(f"{number}. {_headline(card)}")
        if card.detail:
            lines += _indented(_plain(card.detail))
        for suggestion in card.suggestions or ():
            marker = " (recommended)" if suggestion.is_recommended else ""
            lines.append(f"    -> suggestion: {suggestion.label}{marker}")
        lines.append(f"    source: {card.source.label}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
