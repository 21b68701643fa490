"""A small async FHIR R4 client bound to one ``fhirServer`` and one bearer token.

It shares the application's single ``httpx.AsyncClient`` (connection pooling), sends the token only to the
bound origin, follows Bundle ``next`` links only when they stay on that origin and under its base path, and
maps every HTTP or payload failure to a typed :class:`~app.errors.FhirError`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from app import metrics
from app.errors import (
    CrossOriginLinkError,
    FhirAuthorizationError,
    FhirError,
    FhirOperationOutcomeError,
    FhirResponseError,
    FhirResponseTooLargeError,
    FhirServerUnavailableError,
)
from app.fhir.body import ACCEPT_ENCODING, BodyTooLargeError, ByteBudget, UnsupportedEncodingError, read_capped

__all__ = [
    "DEFAULT_MAX_CALL_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "FhirClient",
    "SearchResult",
    "is_same_origin",
    "next_link",
]

FHIR_JSON = "application/fhir+json"
DEFAULT_MAX_RESPONSE_BYTES = 5_000_000
"""Decompressed bytes accepted in one FHIR answer (``OSTEO_FHIR_MAX_RESPONSE_BYTES``)."""
DEFAULT_MAX_CALL_BYTES = 25_000_000
"""Decompressed bytes accepted over all FHIR answers of one hook call (``OSTEO_FHIR_MAX_CALL_BYTES``)."""


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def is_same_origin(url: str, base_url: str) -> bool:
    """True when ``url`` has the scheme, host and port of ``base_url`` and lies under its path.

    Both are parsed by httpx, the parser that sends the request (no differential between check and request);
    URLs with credentials or dot segments are refused.
    """
    try:
        target, base = httpx.URL(url), httpx.URL(base_url)
    except httpx.InvalidURL:
        return False
    if target.userinfo or not target.host or any(part in (".", "..") for part in target.path.split("/")):
        return False
    if _origin(target) != _origin(base):
        return False
    base_path = base.path.rstrip("/")
    return target.path == base_path or target.path.startswith(base_path + "/")


def next_link(bundle: Mapping[str, Any]) -> str | None:
    """The Bundle's ``link[relation=next].url``, if any."""
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None


def _outcome_summary(outcome: Mapping[str, Any]) -> str:
    """The issue codes of an OperationOutcome (never its free text, which may contain patient data)."""
    issues = outcome.get("issue")
    codes = sorted(
        {str(issue.get("code")) for issue in issues if isinstance(issue, dict) and issue.get("code")}
        if isinstance(issues, list)
        else set()
    )
    return ", ".join(codes) or "unspecified"


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The resources of a (possibly paged) searchset; ``complete`` is False when paging stopped early."""

    resources: tuple[dict[str, Any], ...]
    complete: bool
    pages: int


class FhirClient:
    """Reads and searches one FHIR server with the EHR's bearer token (never logged, never sent elsewhere)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: str | None,
        timeout_seconds: float,
        max_pages: int,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_call_bytes: int = DEFAULT_MAX_CALL_BYTES,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout_seconds = timeout_seconds
        self._timeout = httpx.Timeout(timeout_seconds)
        self._max_pages = max_pages
        self._max_response_bytes = max_response_bytes
        self._budget = ByteBudget(max_call_bytes)
        """Decompressed bytes all requests of this client (one hook call) may still read together."""
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"FhirClient(base_url={self.base_url!r})"

    async def read(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        """``GET [base]/{resource_type}/{id}``."""
        resource = await self._get_json(f"{self.base_url}/{resource_type}/{resource_id}", resource_type)
        if resource.get("resourceType") != resource_type:
            raise FhirResponseError(f"expected a {resource_type}", resource_type=resource_type)
        return resource

    async def search(self, resource_type: str, params: Mapping[str, str]) -> SearchResult:
        """``GET [base]/{resource_type}?params``, following ``next`` links up to the page limit."""
        url = str(httpx.URL(f"{self.base_url}/{resource_type}", params=dict(params)))
        bundle = await self._get_json(url, resource_type)
        return await self.collect(bundle, resource_type)

    async def collect(self, bundle: Mapping[str, Any], resource_type: str) -> SearchResult:
        """The resources of ``bundle`` and of its following pages (same origin only)."""
        resources: list[dict[str, Any]] = list(_bundle_resources(bundle, resource_type))
        pages = 1
        link = next_link(bundle)
        while link is not None:
            if not is_same_origin(link, self.base_url):
                raise CrossOriginLinkError(
                    "a Bundle next link points outside fhirServer; not followed", resource_type=resource_type
                )
            if pages >= self._max_pages:
                return SearchResult(tuple(resources), complete=False, pages=pages)
            page = await self._get_json(link, resource_type)
            resources.extend(_bundle_resources(page, resource_type))
            pages += 1
            link = next_link(page)
        return SearchResult(tuple(resources), complete=True, pages=pages)

    async def _get_json(self, url: str, resource_type: str) -> dict[str, Any]:
        """:meth:`_get_json_measured`, counted and timed per resource type (app/metrics.py)."""
        started = time.perf_counter()
        try:
            return await self._get_json_measured(url, resource_type)
        except FhirError as error:
            metrics.FHIR_FAILURES.labels(resource_type, type(error).__name__).inc()
            raise
        finally:
            metrics.FHIR_SECONDS.labels(resource_type).observe(time.perf_counter() - started)

    async def _get_json_measured(self, url: str, resource_type: str) -> dict[str, Any]:
        if not is_same_origin(url, self.base_url):
            raise CrossOriginLinkError("request outside fhirServer refused", resource_type=resource_type)
        headers = {"Accept": FHIR_JSON, "Accept-Encoding": ACCEPT_ENCODING}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        self.requests_sent += 1
        metrics.FHIR_REQUESTS.labels(resource_type).inc()
        try:
            # httpx's timeout applies per phase (a slowly dripping answer never trips it): also bound the whole
            # request by the same number of seconds.
            async with (
                asyncio.timeout(self._timeout_seconds),
                self._http.stream(
                    "GET", url, headers=headers, timeout=self._timeout, follow_redirects=False
                ) as response,
            ):
                status = response.status_code
                if status in (401, 403):
                    raise FhirAuthorizationError(
                        f"the FHIR server refused our token ({status})", resource_type=resource_type, status=status
                    )
                if status >= 500:
                    raise FhirServerUnavailableError(
                        f"the FHIR server failed ({status})", resource_type=resource_type, status=status
                    )
                # Decompressed at most up to the caps (a small gzip answer can unpack to gigabytes).
                content = await read_capped(response, max_bytes=self._max_response_bytes, budget=self._budget)
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise FhirServerUnavailableError("the FHIR server timed out", resource_type=resource_type) from exc
        except httpx.TransportError as exc:
            raise FhirServerUnavailableError(
                "the FHIR server could not be reached", resource_type=resource_type
            ) from exc
        except BodyTooLargeError as exc:
            raise FhirResponseTooLargeError(
                "the FHIR server's answer is larger than allowed", resource_type=resource_type
            ) from exc
        except UnsupportedEncodingError as exc:
            raise FhirResponseError(
                "the FHIR server answered in an unsupported or corrupt encoding", resource_type=resource_type
            ) from exc
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            raise FhirResponseError(
                f"the FHIR server answered {status} with a body that is not JSON",
                resource_type=resource_type,
                status=status,
            ) from exc
        if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
            raise FhirResponseError(
                "the FHIR server answered with something that is not a FHIR resource",
                resource_type=resource_type,
                status=status,
            )
        if body["resourceType"] == "OperationOutcome":
            raise FhirOperationOutcomeError(
                f"the FHIR server answered {status} with an OperationOutcome ({_outcome_summary(body)})",
                resource_type=resource_type,
                status=status,
            )
        if status >= 300:
            raise FhirResponseError(f"the FHIR server answered {status}", resource_type=resource_type, status=status)
        return body


def _bundle_resources(bundle: Mapping[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """The entry resources of a searchset Bundle (matches and ``_include``\\ d resources)."""
    if bundle.get("resourceType") == "OperationOutcome":
        raise FhirOperationOutcomeError(
            f"an OperationOutcome instead of a Bundle ({_outcome_summary(bundle)})",
            resource_type=resource_type,
        )
    if bundle.get("resourceType") != "Bundle":
        raise FhirResponseError("expected a searchset Bundle", resource_type=resource_type)
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise FhirResponseError("Bundle.entry is not a list", resource_type=resource_type)
    resources: list[dict[str, Any]] = []
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise FhirResponseError("a Bundle entry holds no FHIR resource", resource_type=resource_type)
        if resource["resourceType"] == "OperationOutcome":
            continue  # search warnings (mode "outcome") carry no patient data
        resources.append(resource)
    return resources
