"""URL allowlist matching shared by the JWKS and ``jku`` checks.

URLs are parsed with :class:`httpx.URL`, the parser that also sends the request, so a URL that passes the check is
exactly the URL that is fetched (no parser differential between the check and the request).
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

__all__ = ["is_allowed_url", "normalized_url"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_url(url: str) -> httpx.URL | None:
    """``url`` parsed, or ``None`` when it is not an absolute http(s) URL without credentials or fragment."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host or parsed.userinfo or parsed.fragment:
        return None
    if any(segment in (".", "..") for segment in parsed.path.split("/")):
        return None  # percent-encoded dot segments (``%2e%2e``) that a server might still resolve
    return parsed


def _port(url: httpx.URL) -> int:
    return url.port or _DEFAULT_PORTS[url.scheme]


def is_allowed_url(url: str, allowlist: Iterable[str]) -> bool:
    """True when ``url`` has the scheme, host and port of an allowlist entry and lies under its path.

    The path prefix is matched on segment boundaries: ``https://ehr.example.org/keys`` allows
    ``https://ehr.example.org/keys/2024.json`` but not ``https://ehr.example.org/keys-evil.json``. An entry that
    is a full URL with a query matches only that exact URL.
    """
    target = normalized_url(url)
    if target is None:
        return False
    for entry in allowlist:
        allowed = normalized_url(entry)
        if allowed is None:
            continue
        if (target.scheme, target.host, _port(target)) != (allowed.scheme, allowed.host, _port(allowed)):
            continue
        if allowed.query:
            if target.raw_path == allowed.raw_path:
                return True
            continue
        prefix = allowed.path.rstrip("/")
        if target.path == prefix or target.path.startswith(prefix + "/"):
            return True
    return False
