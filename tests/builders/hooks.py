"""Builders for CDS Hooks requests (keyword-only; state only what the test is about)."""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["draft_orders_bundle", "hook_request", "prefetch_bundle"]


def prefetch_bundle(*resources: dict[str, Any], next_url: str | None = None) -> dict[str, Any]:
    """A searchset Bundle as an EHR prefetches it."""
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": resource} for resource in resources],
    }
    if next_url:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


def draft_orders_bundle(*orders: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": order} for order in orders],
    }


def hook_request(
    *,
    hook: str = "patient-view",
    patient_id: str = "p1",
    prefetch: dict[str, Any] | None = None,
    fhir_server: str | None = None,
    token: str | None = None,
    draft_orders: dict[str, Any] | None = None,
    selections: list[str] | None = None,
    extension: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A CDS Hooks 2.0 request body; order hooks get an empty draftOrders Bundle unless one is given."""
    context: dict[str, Any] = {"userId": "Practitioner/dr-1", "patientId": patient_id}
    if hook in ("order-select", "order-sign"):
        context["draftOrders"] = draft_orders or draft_orders_bundle()
    if hook == "order-select":
        first = [
            f"{entry['resource']['resourceType']}/{entry['resource'].get('id', 'x')}"
            for entry in context["draftOrders"]["entry"][:1]
        ]
        context["selections"] = selections or first or ["MedicationRequest/none"]
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir_server:
        body["fhirServer"] = fhir_server
    if token:
        body["fhirAuthorization"] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "osteo-cds",
        }
    if extension:
        body["extension"] = extension
    return body
