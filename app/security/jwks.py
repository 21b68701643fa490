"""Public keys of the trusted CDS clients: JWKS from files (read at start-up) and URLs (fetched and cached).

Fetched key sets are kept for ``cache_seconds``. A token naming a ``kid`` the cached set lacks triggers one
re-fetch (key rotation), at most once per ``min_refresh_seconds`` per URL, so random ``kid`` values cannot make
us hammer the EHR. Fetching uses the application's shared ``httpx.AsyncClient``, never follows redirects, reads at
most ``MAX_JWKS_BYTES`` and is only ever asked for URLs the caller has checked against the configuration.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.errors import SecurityConfigurationError
from app.fhir.body import ACCEPT_ENCODING, BodyTooLargeError, UnsupportedEncodingError, read_capped

__all__ = ["MAX_JWKS_BYTES", "JwksCache", "JwksUnavailableError", "KeySet", "load_jwks_file", "parse_jwks"]

MAX_JWKS_BYTES = 256 * 1024
"""Largest JWKS document we read (a JWKS with a handful of RSA keys is a few KiB)."""

_MAX_CACHED_URLS = 64
_FETCH_TIMEOUT_SECONDS = 2.0
_log = logging.getLogger("osteo_cds.security")


class JwksUnavailableError(Exception):
    """Raised when a JWKS URL cannot be fetched or does not hold a JWKS (the token is then refused)."""


@dataclass(frozen=True, slots=True)
class KeySet:
    """The keys of one JWKS by ``kid`` (raw JWK objects; turned into verification keys per token)."""

    keys: Mapping[str, Mapping[str, Any]]


def parse_jwks(document: object) -> KeySet:
    """The keys of a JWKS document that have a ``kid``; raises ``ValueError`` when it is not a JWKS."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError('a JWKS is a JSON object with a "keys" array')
    keys: dict[str, Mapping[str, Any]] = {}
    for key in document["keys"]:
        if isinstance(key, dict) and isinstance(key.get("kid"), str) and key["kid"]:
            keys.setdefault(key["kid"], key)
    return KeySet(keys)


def load_jwks_file(path: Path) -> KeySet:
    """A JWKS read from disk at start-up; a missing or malformed file stops the service."""
    try:
        return parse_jwks(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise SecurityConfigurationError(f"JWKS file {path} is unreadable or not a JWKS: {exc}") from exc


@dataclass(slots=True)
class _Entry:
    keys: KeySet
    fetched_at: float


class JwksCache:
    """JWKS fetched from URLs, cached, refreshed on rotation (see the module docstring)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        cache_seconds: float,
        min_refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._cache_seconds = cache_seconds
        self._min_refresh_seconds = min_refresh_seconds
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._attempts: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0

    async def key(self, url: str, kid: str) -> Mapping[str, Any] | None:
        """The JWK with ``kid`` published at ``url``, or ``None`` when the (refreshed) set has no such key."""
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            now = self._clock()
            entry = self._entries.get(url)
            fresh = entry is not None and now - entry.fetched_at < self._cache_seconds
            if entry is not None and fresh and kid in entry.keys.keys:
                return entry.keys.keys[kid]
            last_attempt = self._attempts.get(url)
            may_fetch = last_attempt is None or now - last_attempt >= self._min_refresh_seconds
            if may_fetch:
                self._attempts[url] = now
                try:
                    entry = _Entry(await self._fetch(url), fetched_at=now)
                except JwksUnavailableError as exc:
                    if entry is None:
                        raise
                    _log.warning("JWKS refresh failed; using the cached set", extra={"error": str(exc)})
                else:
                    self._remember(url, entry)
            elif entry is None:
                raise JwksUnavailableError("the JWKS could not be fetched recently; not retried yet")
            return entry.keys.keys.get(kid)

    def _remember(self, url: str, entry: _Entry) -> None:
        self._entries[url] = entry
        self._entries.move_to_end(url)
        while len(self._entries) > _MAX_CACHED_URLS:
            evicted, _ = self._entries.popitem(last=False)
            self._attempts.pop(evicted, None)
            self._locks.pop(evicted, None)

    async def _fetch(self, url: str) -> KeySet:
        self.fetches += 1
        try:
            async with self._http.stream(
                "GET",
                url,
                headers={"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
                timeout=_FETCH_TIMEOUT_SECONDS,
                follow_redirects=False,
            ) as response:
                if response.status_code != 200:
                    raise JwksUnavailableError(f"the JWKS URL answered {response.status_code}")
                body = await read_capped(response, max_bytes=MAX_JWKS_BYTES)  # inflated only up to the cap
        except BodyTooLargeError as exc:
            raise JwksUnavailableError("the JWKS document is too large") from exc
        except UnsupportedEncodingError as exc:
            raise JwksUnavailableError("the JWKS document is in an unsupported or corrupt encoding") from exc
        except httpx.HTTPError as exc:
            raise JwksUnavailableError(f"the JWKS URL could not be reached ({type(exc).__name__})") from exc
        try:
            return parse_jwks(json.loads(body))
        except ValueError as exc:
            raise JwksUnavailableError("the JWKS URL did not answer with a JWKS") from exc
