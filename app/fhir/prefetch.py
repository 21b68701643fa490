"""Resolve every prefetch key of a service: prefetched, known-empty, failed, or fetched by us.

Per key (CDS Hooks 2.0 §Prefetch):
- absent → we run the same search against ``fhirServer`` with the request's bearer token;
- ``null`` → the client found nothing: known empty, not fetched again;
- an OperationOutcome → the client's query failed: recorded as unavailable data (a data gap), not repeated;
- a Bundle with a ``next`` link → the remaining pages are fetched (same origin as ``fhirServer`` only).
Missing searches run concurrently on the application's shared ``httpx.AsyncClient`` within one call deadline;
what is not back in time is unavailable data, not an error. A required key that is absent while there is no
``fhirServer`` raises :class:`~app.errors.PrefetchUnavailableError` (HTTP 412).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app import metrics
from app.errors import (
    FhirError,
    FhirServerNotAllowedError,
    InvalidHookRequestError,
    PrefetchUnavailableError,
    RequestTooLargeError,
)
from app.fhir.client import DEFAULT_MAX_CALL_BYTES, DEFAULT_MAX_RESPONSE_BYTES, FhirClient, SearchResult
from app.fhir.queries import FhirQuery
from app.fhir.record import ParsedJson, PatientRecord, UnavailableData

__all__ = ["GatherLimits", "GatherStats", "gather_patient_record", "is_allowed_fhir_server"]

_MISSING = object()


@dataclass(frozen=True, slots=True)
class GatherLimits:
    """Bounds on what one hook call may fetch."""

    query_timeout_seconds: float
    call_deadline_seconds: float
    max_pages: int
    max_resources: int
    max_prefetch_entries: int = 5000
    """Bundle entries accepted in the request (all prefetch values plus ``draftOrders``); more → 413."""
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    """Decompressed bytes of one FHIR answer; more → that search is unavailable data."""
    max_call_bytes: int = DEFAULT_MAX_CALL_BYTES
    """Decompressed bytes of all FHIR answers of the call together; more → unavailable data."""


@dataclass(slots=True)
class GatherStats:
    """What gathering cost: for the structured log line and the benchmark."""

    fetched_keys: int = 0
    fhir_requests: int = 0


def _check_entry_count(
    prefetch: Mapping[str, Mapping[str, Any] | None] | None, draft_orders: Mapping[str, Any] | None, limit: int
) -> None:
    bundles = [value for value in (prefetch or {}).values() if isinstance(value, Mapping)]
    if draft_orders is not None:
        bundles.append(draft_orders)
    count = sum(len(entries) for bundle in bundles if isinstance(entries := bundle.get("entry"), list))
    if count > limit:
        raise RequestTooLargeError(
            f"the request carries {count} Bundle entries (prefetch and draftOrders); at most {limit} are accepted",
            expression="prefetch",
        )


def is_allowed_fhir_server(url: str, allowlist: Sequence[str]) -> bool:
    """True when ``url`` matches an allowlist entry by scheme, host, port (if the entry names one) and path prefix.

    ``https://ehr.example.org`` does not match ``https://ehr.example.org.evil.test``: hosts compare exactly; the
    path prefix ``/fhir`` matches ``/fhir`` and ``/fhir/r4`` but not ``/fhir-other``. URLs are parsed by httpx,
    the parser that sends the requests, and URLs with credentials, dot segments, a query or a fragment (even an
    empty one: our search paths would be appended after it) never match.
    """
    if "?" in url or "#" in url:
        return False
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    if target.userinfo or any(segment in (".", "..") for segment in target.path.split("/")):
        return False
    for entry in allowlist:
        try:
            allowed = httpx.URL(entry)
        except httpx.InvalidURL:
            continue
        if (target.scheme, target.host) != (allowed.scheme, allowed.host) or not target.host:
            continue
        if allowed.port is not None and allowed.port != target.port:
            continue
        prefix = allowed.path.rstrip("/")
        if target.path == prefix or target.path.startswith(prefix + "/"):
            return True
    return False


async def gather_patient_record(
    *,
    queries: Sequence[FhirQuery],
    patient_id: str,
    prefetch: Mapping[str, Mapping[str, Any] | None] | None,
    fhir_server: str | None,
    access_token: str | None,
    draft_orders: Mapping[str, Any] | None,
    selections: Sequence[str],
    http: httpx.AsyncClient,
    allowlist: Sequence[str],
    limits: GatherLimits,
) -> tuple[PatientRecord, GatherStats]:
    """Everything the snapshot builder needs, from prefetch and, for what is missing, from ``fhirServer``."""
    _check_entry_count(prefetch, draft_orders, limits.max_prefetch_entries)
    client: FhirClient | None = None
    if fhir_server is not None:
        if not is_allowed_fhir_server(fhir_server, allowlist):
            raise FhirServerNotAllowedError(
                "fhirServer is not on this service's allowlist; no request was sent", expression="fhirServer"
            )
        client = FhirClient(
            http,
            base_url=fhir_server,
            token=access_token,
            timeout_seconds=limits.query_timeout_seconds,
            max_pages=limits.max_pages,
            max_response_bytes=limits.max_response_bytes,
            max_call_bytes=limits.max_call_bytes,
        )

    given = prefetch or {}
    patient: ParsedJson | None = None
    resources: list[ParsedJson] = []
    unavailable: list[UnavailableData] = []
    to_fetch: list[FhirQuery] = []
    to_page: list[tuple[FhirQuery, ParsedJson]] = []

    for query in queries:
        value = given.get(query.key, _MISSING)
        if value is _MISSING:
            to_fetch.append(query)
            continue
        if value is None:
            continue  # known empty
        if not isinstance(value, dict):  # parsed JSON: an object is a dict
            raise InvalidHookRequestError(f"prefetch.{query.key} is not a FHIR resource", expression="prefetch")
        kind = value.get("resourceType")
        if kind == "OperationOutcome":
            unavailable.append(UnavailableData(query.key, query.resource_type, "the EHR reported an error"))
        elif query.read:
            if kind != query.resource_type:
                raise InvalidHookRequestError(
                    f"prefetch.{query.key} must be a {query.resource_type}, not {kind}", expression="prefetch"
                )
            patient = value
        elif kind != "Bundle":
            raise InvalidHookRequestError(
                f"prefetch.{query.key} must be a searchset Bundle, not {kind}", expression="prefetch"
            )
        else:
            _check_prefetched_bundle(query.key, value)
            to_page.append((query, value))

    missing_required = [query.key for query in to_fetch if query.required]
    if client is None and missing_required:
        raise PrefetchUnavailableError(
            "required prefetch is missing and no fhirServer was given: " + ", ".join(missing_required),
            expression="prefetch",
        )
    if client is None:
        unavailable.extend(
            UnavailableData(q.key, q.resource_type, "not prefetched and no fhirServer", failed=False) for q in to_fetch
        )
        for query, bundle in to_page:
            entries = _entry_resources(bundle)
            resources.extend(entries)
            if _has_next(bundle):
                unavailable.append(
                    UnavailableData(query.key, query.resource_type, "further pages need fhirServer access")
                )
        return _record(patient, resources, draft_orders, selections, unavailable), GatherStats()

    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.call_deadline_seconds
    stats = GatherStats(fetched_keys=len(to_fetch))
    jobs: dict[asyncio.Task[SearchResult | dict[str, Any]], FhirQuery] = {}
    for query in to_fetch:
        jobs[asyncio.ensure_future(_fetch(client, query, patient_id))] = query
    for query, bundle in to_page:
        jobs[asyncio.ensure_future(client.collect(bundle, query.resource_type))] = query

    done: set[asyncio.Task[SearchResult | dict[str, Any]]] = set()
    pending: set[asyncio.Task[SearchResult | dict[str, Any]]] = set()
    if jobs:
        done, pending = await asyncio.wait(jobs, timeout=limits.call_deadline_seconds)
    for task in pending:
        task.cancel()
        query = jobs[task]
        unavailable.append(UnavailableData(query.key, query.resource_type, "the FHIR server did not answer in time"))
    if pending:
        await asyncio.wait(pending)

    total = 0
    for task in done:
        query = jobs[task]
        error = task.exception()
        if isinstance(error, FhirError):
            unavailable.append(UnavailableData(query.key, query.resource_type, error.message))
            continue
        if error is not None:
            raise error
        result = task.result()
        if isinstance(result, dict):
            patient = result
            continue
        if not result.complete:
            unavailable.append(UnavailableData(query.key, query.resource_type, "more pages than the page limit"))
        room = max(limits.max_resources - total, 0)
        if len(result.resources) > room:
            unavailable.append(UnavailableData(query.key, query.resource_type, "more resources than the limit"))
        resources.extend(result.resources[:room])
        total += min(len(result.resources), room)

    try:
        # The whole call has one deadline: the medication look-up gets only what is left of it.
        async with asyncio.timeout(max(deadline - loop.time(), 0.0)):
            resources.extend(await _missing_medications(client, resources, draft_orders, unavailable))
    except TimeoutError:
        unavailable.append(UnavailableData("medications", "Medication", "the FHIR server did not answer in time"))
    stats.fhir_requests = client.requests_sent
    return _record(patient, resources, draft_orders, selections, unavailable), stats


async def _fetch(client: FhirClient, query: FhirQuery, patient_id: str) -> SearchResult | dict[str, Any]:
    if query.read:
        return await client.read(query.resource_type, patient_id)
    return await client.search(query.resource_type, query.search_params(patient_id))


def _check_prefetched_bundle(key: str, bundle: ParsedJson) -> None:
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InvalidHookRequestError(f"prefetch.{key}: Bundle.entry must be a list", expression="prefetch")
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise InvalidHookRequestError(
                f"prefetch.{key}: every Bundle entry must hold a FHIR resource", expression="prefetch"
            )


def _entry_resources(bundle: ParsedJson) -> list[ParsedJson]:
    """The resources of a prefetched Bundle (:func:`_check_prefetched_bundle`: every entry holds one), but for
    OperationOutcomes."""
    resources: list[ParsedJson] = []
    for entry in bundle.get("entry", []):
        resource: ParsedJson = entry["resource"]
        if resource.get("resourceType") != "OperationOutcome":
            resources.append(resource)
    return resources


def _has_next(bundle: ParsedJson) -> bool:
    links = bundle.get("link")
    return isinstance(links, list) and any(isinstance(link, dict) and link.get("relation") == "next" for link in links)


def _medication_reference(resource: ParsedJson) -> str | None:
    reference = resource.get("medicationReference")
    if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
        value = str(reference["reference"])
        if value.startswith("Medication/") and value.count("/") == 1:
            return value.removeprefix("Medication/")
    return None


async def _missing_medications(
    client: FhirClient,
    resources: Sequence[ParsedJson],
    draft_orders: Mapping[str, Any] | None,
    unavailable: list[UnavailableData],
) -> list[ParsedJson]:
    """Medication resources referenced by medication records but not supplied: fetched in one search."""
    have = {str(r.get("id")) for r in resources if r.get("resourceType") == "Medication"}
    drafts = [entry["resource"] for entry in (draft_orders or {}).get("entry", [])]
    wanted = sorted(
        {ref for r in [*resources, *drafts] if (ref := _medication_reference(r)) is not None and ref not in have}
    )
    if not wanted:
        return []
    try:
        result = await client.search("Medication", {"_id": ",".join(wanted), "_count": str(len(wanted))})
    except FhirError as error:
        unavailable.append(UnavailableData("medications", "Medication", error.message))
        return []
    return list(result.resources)


def _record(
    patient: ParsedJson | None,
    resources: Sequence[ParsedJson],
    draft_orders: Mapping[str, Any] | None,
    selections: Sequence[str],
    unavailable: Sequence[UnavailableData],
) -> PatientRecord:
    for gap in unavailable:  # the gaps a data-unavailable card names (not an optional key simply absent)
        if gap.failed:
            metrics.DATA_UNAVAILABLE.labels(metrics.code_label(gap.key)).inc()
    unique: dict[str, ParsedJson] = {}
    anonymous: list[ParsedJson] = []
    for resource in resources:
        rid = resource.get("id")
        if isinstance(rid, str):
            unique.setdefault(f"{resource['resourceType']}/{rid}", resource)
        else:
            anonymous.append(resource)
    drafts = tuple(entry["resource"] for entry in (draft_orders or {}).get("entry", []))
    return PatientRecord(
        patient=patient,
        resources=(*unique.values(), *anonymous),
        draft_orders=drafts,
        selections=tuple(selections),
        unavailable=tuple(unavailable),
    )
