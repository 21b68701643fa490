"""Typed errors of the service, and the one place that maps them to HTTP statuses.

Our exception hierarchy::

    CdsServiceError                       base; carries ``status_code`` and an OperationOutcome issue code
      * InvalidHookRequestError           400  the hook request is malformed (bad JSON, missing field, wrong hook)
      * InvalidFeedbackError              400  the feedback body does not follow the spec
      * UnknownServiceError               404  no CDS service with that id
      * AuthenticationError               401  the client JWT is missing or invalid (no detail is returned)
      * RequestTooLargeError              413  the request carries more prefetch/draftOrders entries than allowed
      * PrefetchUnavailableError          412  required data is neither prefetched nor fetchable
      * FhirServerNotAllowedError         412  ``fhirServer`` is not on the configured allowlist
      * FhirError                         (never rendered directly: the pipeline turns it into a data gap)
          - FhirServerUnavailableError      connect failure, timeout or 5xx from the FHIR server
          - FhirAuthorizationError          401/403 from the FHIR server
          - FhirResponseError               the FHIR server answered something that is not a usable resource
              - FhirResponseTooLargeError     the answer, decompressed, passes the per-response or per-call cap
          - FhirOperationOutcomeError       the FHIR server answered with an OperationOutcome
          - CrossOriginLinkError            a Bundle ``next`` link points at another origin (not followed)
      * DatabaseUnavailableError          503  the feedback database failed or did not answer in time (feedback only;
                                               hook calls never wait for the database)
      * TerminologyError                  a value set in ``fhir_mappings/`` is invalid (start-up fails)
      * CardTemplateError                 a card template in ``cards/`` is invalid (start-up fails)
      * SecurityConfigurationError        the client-authentication settings are unusable (start-up fails)
      * TracingConfigurationError         tracing is configured but its exporter is not installed (start-up fails)

Handlers are registered on the base class only: Starlette looks handlers up by MRO.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "AuthenticationError",
    "CardTemplateError",
    "CdsServiceError",
    "CrossOriginLinkError",
    "DatabaseUnavailableError",
    "FhirAuthorizationError",
    "FhirError",
    "FhirOperationOutcomeError",
    "FhirResponseError",
    "FhirResponseTooLargeError",
    "FhirServerNotAllowedError",
    "FhirServerUnavailableError",
    "InvalidFeedbackError",
    "InvalidHookRequestError",
    "PrefetchUnavailableError",
    "RequestTooLargeError",
    "SecurityConfigurationError",
    "TracingConfigurationError",
    "TerminologyError",
    "UnknownServiceError",
    "operation_outcome",
    "register_error_handlers",
]

_log = logging.getLogger("osteo_cds.errors")

FHIR_JSON = "application/fhir+json"


class CdsServiceError(Exception):
    """Base of every error this service raises on purpose."""

    status_code: int = status.HTTP_500_INTERNAL_SERVER_ERROR
    issue_code: str = "exception"

    def __init__(self, message: str, *, expression: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, expression={self.expression!r})"


class InvalidHookRequestError(CdsServiceError):
    """Raised when a hook request body is not valid JSON or does not follow the CDS Hooks 2.0 request model."""

    status_code = status.HTTP_400_BAD_REQUEST
    issue_code = "invalid"


class InvalidFeedbackError(CdsServiceError):
    """Raised when a feedback body does not follow the CDS Hooks 2.0 feedback model."""

    status_code = status.HTTP_400_BAD_REQUEST
    issue_code = "invalid"


class UnknownServiceError(CdsServiceError):
    """Raised when the path names a CDS service this deployment does not offer."""

    status_code = status.HTTP_404_NOT_FOUND
    issue_code = "not-found"

    @classmethod
    def for_id(cls, service_id: str) -> UnknownServiceError:
        """The error for the path's ``service_id`` (the OperationOutcome names it, at the expression ``id``)."""
        return cls(f"no CDS service with id {service_id!r}", expression="id")


class AuthenticationError(CdsServiceError):
    """Raised when the CDS client's JWT is missing or fails verification (rendered without detail)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    issue_code = "login"


class RequestTooLargeError(CdsServiceError):
    """Raised when a hook request carries more FHIR entries (prefetch, draftOrders) than the configured limit."""

    status_code = status.HTTP_413_CONTENT_TOO_LARGE
    issue_code = "too-costly"


class PrefetchUnavailableError(CdsServiceError):
    """Raised when required prefetch data is absent and there is no ``fhirServer`` to fetch it from."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    issue_code = "incomplete"


class FhirServerNotAllowedError(CdsServiceError):
    """Raised when the request's ``fhirServer`` is not on the allowlist; no request is sent to it."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    issue_code = "security"


class FhirError(CdsServiceError):
    """Base of failures talking to the EHR's FHIR server; the pipeline records them as data gaps."""

    status_code = status.HTTP_502_BAD_GATEWAY
    issue_code = "transient"

    def __init__(self, message: str, *, resource_type: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.resource_type = resource_type
        self.http_status = status


class FhirServerUnavailableError(FhirError):
    """Raised on a connection failure, a timeout or a 5xx answer from the FHIR server."""


class FhirAuthorizationError(FhirError):
    """Raised when the FHIR server answers 401 or 403 to our bearer token."""


class FhirResponseError(FhirError):
    """Raised when the FHIR server answers with something that is not a usable FHIR resource."""


class FhirResponseTooLargeError(FhirResponseError):
    """Raised when a FHIR answer, decompressed, passes the per-response or per-call byte cap (read no further)."""


class FhirOperationOutcomeError(FhirError):
    """Raised when the FHIR server answers a search with an OperationOutcome instead of a Bundle."""


class CrossOriginLinkError(FhirError):
    """Raised when a Bundle ``next`` link points at an origin other than ``fhirServer`` (never followed)."""


class DatabaseUnavailableError(CdsServiceError):
    """Raised when a feedback write fails or passes its deadline (the client may send the feedback again)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    issue_code = "transient"


class TerminologyError(CdsServiceError):
    """Raised at start-up when a ValueSet in ``fhir_mappings/`` is missing, invalid or inconsistent."""


class CardTemplateError(CdsServiceError):
    """Raised at start-up when a card template in ``cards/`` is missing fields or has bad placeholders."""


class SecurityConfigurationError(CdsServiceError):
    """Raised at start-up when client authentication is on but its issuers or key sets are missing or invalid."""


class TracingConfigurationError(CdsServiceError):
    """Raised at start-up when ``OSTEO_TRACING_OTLP_ENDPOINT`` is set but the OTLP exporter is not installed."""


def operation_outcome(
    diagnostics: str, *, code: str = "invalid", severity: str = "error", expression: str | None = None
) -> dict[str, Any]:
    """A minimal FHIR R4 OperationOutcome with one issue."""
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def _outcome_response(status_code: int, outcome: dict[str, Any]) -> JSONResponse:
    return JSONResponse(outcome, status_code=status_code, media_type=FHIR_JSON)


async def _cds_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, CdsServiceError):  # registered for this class only
        raise TypeError(type(exc).__name__)
    if isinstance(exc, AuthenticationError):
        # CDS Hooks best practice: 401 without any further information.
        return _outcome_response(exc.status_code, operation_outcome("Unauthorized", code=exc.issue_code))
    if exc.status_code >= 500:
        _log.error("service error", extra={"error": type(exc).__name__})
    return _outcome_response(
        exc.status_code, operation_outcome(exc.message, code=exc.issue_code, expression=exc.expression)
    )


def _unknown_service(request: Request) -> UnknownServiceError | None:
    """The path's CDS service when the application does not offer it: an unknown service is 404 whatever the body
    (FastAPI parses and validates the body before the route can look the service up)."""
    service_id = request.path_params.get("service_id")
    services = getattr(request.state, "services", None)
    if not isinstance(service_id, str) or services is None or service_id in services:
        return None
    return UnknownServiceError.for_id(service_id)


async def _validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise TypeError(type(exc).__name__)
    unknown = _unknown_service(request)
    if unknown is not None:
        return await _cds_error_handler(request, unknown)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":  # where and why, not the location FastAPI gives (body, character)
        context = first.get("ctx")
        position, reason = first["loc"][-1], context.get("error") if isinstance(context, dict) else "malformed"
        return _outcome_response(
            status.HTTP_400_BAD_REQUEST, operation_outcome(f"body is not valid JSON: {reason} (character {position})")
        )
    location = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return _outcome_response(
        status.HTTP_400_BAD_REQUEST,
        operation_outcome(f"{location or 'request'}: {first.get('msg', 'invalid')}", expression=location or None),
    )


async def _http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise TypeError(type(exc).__name__)
    code = "not-found" if exc.status_code == status.HTTP_404_NOT_FOUND else "processing"
    return _outcome_response(exc.status_code, operation_outcome(str(exc.detail), code=code))


def register_error_handlers(app: FastAPI) -> None:
    """Map every typed error to its HTTP status with a FHIR OperationOutcome body."""
    app.add_exception_handler(CdsServiceError, _cds_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
