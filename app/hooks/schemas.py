"""CDS Hooks 2.0 wire models (https://cds-hooks.hl7.org/2.0/).

Python attributes are snake_case; JSON keeps the spec's camelCase. Responses are serialized by alias with
``exclude_none`` and never carry empty lists or strings (spec: "JSON elements SHALL NOT be empty"), except the
top-level ``cards: []`` that means "no guidance".
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

__all__ = [
    "AcceptedSuggestion",
    "Action",
    "Card",
    "CdsResponse",
    "CdsServiceDescriptor",
    "Coding",
    "DiscoveryResponse",
    "FeedbackItem",
    "FeedbackOutcome",
    "FeedbackRequest",
    "FhirAuthorization",
    "HookRequest",
    "Indicator",
    "Link",
    "OrderSelectContext",
    "OrderSignContext",
    "OverrideReason",
    "PatientViewContext",
    "SelectionBehavior",
    "Source",
    "Suggestion",
    "SUMMARY_MAX_CHARS",
]

SUMMARY_MAX_CHARS = 140
"""Spec: "<140-character summary"; we therefore allow at most 139 characters."""


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


NonEmptyStr = Field(min_length=1)


# ---------------------------------------------------------------- requests


class FhirAuthorization(_Wire):
    """``fhirAuthorization``: the OAuth 2.0 bearer token the service may use against ``fhirServer``.

    The token is never logged and never sent anywhere but the request's (allowlisted) ``fhirServer``.
    """

    model_config = ConfigDict(alias_generator=None, populate_by_name=True, frozen=True, hide_input_in_errors=True)

    access_token: str = Field(min_length=1, repr=False)
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=0)
    scope: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    patient: str | None = None


class HookRequest(_Wire):
    """The body of ``POST /cds-services/{id}``.

    ``context`` and ``prefetch`` are checked against the service's hook by :mod:`app.hooks.pipeline`:
    here they only need to be JSON objects, and every prefetch value a FHIR resource or ``null``.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, hide_input_in_errors=True, extra="allow"
    )

    hook: str = Field(min_length=1)
    hook_instance: str = Field(min_length=1, max_length=256)
    fhir_server: AnyHttpUrl | None = None
    fhir_authorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, dict[str, Any] | None] | None = None
    extension: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _authorization_needs_server(self) -> HookRequest:
        # Invariant cds-r-1: fhirServer is required when fhirAuthorization is present.
        if self.fhir_authorization is not None and self.fhir_server is None:
            raise ValueError("fhirServer is required when fhirAuthorization is present")
        return self

    @field_validator("prefetch")
    @classmethod
    def _prefetch_values_are_fhir(
        cls, value: dict[str, dict[str, Any] | None] | None
    ) -> dict[str, dict[str, Any] | None] | None:
        for key, resource in (value or {}).items():
            if resource is not None and not isinstance(resource.get("resourceType"), str):
                raise ValueError(f"prefetch.{key} is not a FHIR resource (no resourceType)")
        return value


class _HookContext(_Wire):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="allow")

    user_id: str | None = Field(default=None, repr=False)
    """Who is at the keyboard. The spec says ``Type/id`` (``Practitioner/123``), but EHRs send other forms (an
    absolute URL, a bare login) and no rule uses it: any string is accepted, and it is never logged."""
    patient_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-\.]{1,64}$")
    encounter_id: str | None = None


class PatientViewContext(_HookContext):
    """Context of the ``patient-view`` hook (1.0)."""


class OrderSignContext(_HookContext):
    """Context of the ``order-sign`` hook (1.0): ``draftOrders`` is a FHIR Bundle of unsigned orders."""

    draft_orders: dict[str, Any]

    @field_validator("draft_orders")
    @classmethod
    def _is_bundle(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("resourceType") != "Bundle":
            raise ValueError("draftOrders must be a FHIR Bundle")
        entries = value.get("entry", [])
        if not isinstance(entries, list) or not all(
            isinstance(entry, dict)
            and isinstance(entry.get("resource"), dict)
            and isinstance(entry["resource"].get("resourceType"), str)
            for entry in entries
        ):
            raise ValueError("every draftOrders entry must hold a FHIR resource")
        return value


class OrderSelectContext(OrderSignContext):
    """Context of the ``order-select`` hook (1.0): ``selections`` names the orders just selected."""

    selections: list[str] = Field(min_length=1)


# ---------------------------------------------------------------- responses


class Indicator(StrEnum):
    """Card urgency, in increasing order: info, warning, critical."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class SelectionBehavior(StrEnum):
    """How many suggestions the user may accept. Epic supports only ``any``."""

    ANY = "any"
    AT_MOST_ONE = "at-most-one"


class Coding(_Wire):
    """The CDS Hooks Coding type (not FHIR's): ``display`` is required for override reasons."""

    system: str = Field(min_length=1)
    code: str = Field(min_length=1)
    display: str | None = Field(default=None, min_length=1)


class Source(_Wire):
    """Where the guidance comes from: a human-readable label, optional url, and the rule as ``topic``."""

    label: str = Field(min_length=1)
    url: AnyHttpUrl | None = None
    topic: Coding | None = None


class Action(_Wire):
    """One change a suggestion makes in the EHR: create / update a resource, or delete by ``resourceId``.

    ``resourceId`` is one relative reference as a string (CDS Hooks 2.0: e.g. ``"MedicationRequest/abc"``).
    """

    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)
    resource: dict[str, Any] | None = None
    resource_id: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _resource_matches_type(self) -> Action:
        if self.type in ("create", "update") and self.resource is None:
            raise ValueError(f"a {self.type} action carries a full resource")
        if self.type == "delete" and not self.resource_id:
            raise ValueError("a delete action names the resource with resourceId")
        return self


class Suggestion(_Wire):
    """An actionable suggestion; its ``uuid`` is echoed in feedback as ``acceptedSuggestions[].id``."""

    label: str = Field(min_length=1)
    uuid: str = Field(min_length=1)
    is_recommended: bool | None = None
    actions: list[Action] | None = Field(default=None, min_length=1)


class Link(_Wire):
    """A link to more information (``absolute``) or to a SMART app (``smart``)."""

    label: str = Field(min_length=1)
    url: AnyHttpUrl
    type: Literal["absolute", "smart"]
    app_context: str | None = None


class Card(_Wire):
    """One card. ``summary`` is one sentence under 140 characters; ``detail`` is GitHub-flavoured Markdown."""

    uuid: str = Field(min_length=1)
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX_CHARS - 1)
    detail: str | None = Field(default=None, min_length=1)
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = Field(default=None, min_length=1)
    selection_behavior: SelectionBehavior | None = None
    override_reasons: list[Coding] | None = Field(default=None, min_length=1)
    links: list[Link] | None = Field(
        default=None,
        min_length=1,
        description='Our cards carry one link, "Full assessment" / "Volledige beoordeling" (type absolute): the '
        "assessment page of this hook call (GET /assessment/{token}), with every finding in full.",
    )
    extension: dict[str, Any] | None = Field(
        default=None,
        description='"org.osteo-cds.findings": the findings this card holds, the main one first (its rule is '
        "source.topic.code), then each folded one: a list of objects {rule: rule ID, variant: card variant, "
        'indicator: info | warning | critical, summary: the finding\'s own summary}. "org.osteo-cds.trace": the '
        "main finding's rule ID, variant, the FHIR references it used (evidence) and the data it missed (missing).",
    )

    @model_validator(mode="after")
    def _spec_invariants(self) -> Card:
        # cds-resp-6: selectionBehavior iff suggestions.
        if (self.suggestions is None) != (self.selection_behavior is None):
            raise ValueError("selectionBehavior is present exactly when suggestions are")
        # cds-resp-4: every override reason has a display.
        if any(reason.display is None for reason in self.override_reasons or ()):
            raise ValueError("every overrideReason needs a display")
        return self


class CdsResponse(_Wire):
    """The service response: ``{"cards": [...]}`` (``[]`` means no guidance)."""

    cards: list[Card]


class CdsServiceDescriptor(_Wire):
    """One entry of the discovery response."""

    hook: str
    title: str
    description: str
    id: str
    prefetch: dict[str, str] | None = None
    usage_requirements: str | None = None


class DiscoveryResponse(_Wire):
    """``GET /cds-services``."""

    services: list[CdsServiceDescriptor]


# ---------------------------------------------------------------- feedback


class FeedbackOutcome(StrEnum):
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"


class AcceptedSuggestion(_Wire):
    id: str = Field(min_length=1)


class OverrideReason(_Wire):
    """Why a card was overridden: a reason Coding and/or a free-text user comment (at least one)."""

    reason: Coding | None = None
    user_comment: str | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_of(self) -> OverrideReason:
        if self.reason is None and self.user_comment is None:
            raise ValueError("overrideReason needs a reason or a userComment")
        return self


class FeedbackItem(_Wire):
    """One feedback entry for one card (``card`` is the card's uuid)."""

    card: str = Field(min_length=1, max_length=256)
    outcome: FeedbackOutcome
    accepted_suggestions: list[AcceptedSuggestion] | None = None
    override_reason: OverrideReason | None = None
    outcome_timestamp: datetime

    @model_validator(mode="after")
    def _spec_invariants(self) -> FeedbackItem:
        if self.outcome is FeedbackOutcome.ACCEPTED and not self.accepted_suggestions:
            raise ValueError("an accepted outcome needs acceptedSuggestions")
        if self.outcome is FeedbackOutcome.ACCEPTED and self.override_reason is not None:
            raise ValueError("overrideReason belongs to an overridden outcome")
        if self.outcome_timestamp.tzinfo is None:
            raise ValueError("outcomeTimestamp must carry a time zone (RFC 3339, UTC)")
        try:
            self.outcome_timestamp.astimezone(UTC)  # stored in UTC
        except OverflowError:
            raise ValueError("outcomeTimestamp lies outside the years 1 to 9999 in UTC") from None
        return self


class FeedbackRequest(_Wire):
    """``POST /cds-services/{id}/feedback``."""

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=1000)
