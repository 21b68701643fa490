"""The ``jti`` replay cache: a client JWT is accepted once (CDS Hooks 2.0 "Trusting CDS Clients").

Two backends behind one protocol: :class:`InMemoryReplayCache` (the default; per process, so per replica) and
:class:`RedisReplayCache` (``OSTEO_REDIS_URL``), which replicas share. Entries live until the token's ``exp``
(plus leeway): after that the token is refused as expired anyway, so it need not be remembered.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from app import metrics

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["InMemoryReplayCache", "RedisReplayCache", "ReplayCache", "replay_key"]

_log = logging.getLogger("osteo_cds.security")


def replay_key(issuer: str, jti: str) -> str:
    """A bounded-length key for (``iss``, ``jti``): two issuers may pick the same ``jti``."""
    return hashlib.sha256(f"{issuer}\x00{jti}".encode()).hexdigest()


class ReplayCache(Protocol):
    """Remembers token ids until they expire."""

    async def first_use(self, key: str, *, expires_at: float) -> bool:
        """Record ``key`` until ``expires_at`` (epoch seconds); False if it was already recorded and unexpired."""
        ...

    async def close(self) -> None:
        """Release connections (no-op for the in-process cache)."""
        ...


class InMemoryReplayCache:
    """A per-process replay cache with expiry; bounded: when full it refuses new tokens rather than forget old ones."""

    def __init__(self, *, max_entries: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._max_entries = max_entries
        self._clock = clock

    def __len__(self) -> int:
        return len(self._expiry)

    async def first_use(self, key: str, *, expires_at: float) -> bool:
        now = self._clock()
        self._purge(now)
        seen = self._expiry.get(key)
        if seen is not None and seen > now:
            return False
        if len(self._expiry) >= self._max_entries:
            return False  # fail closed: forgetting a live jti would let it be replayed
        self._expiry[key] = expires_at
        heapq.heappush(self._heap, (expires_at, key))
        return True

    async def close(self) -> None:
        return None

    def _purge(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires_at, key = heapq.heappop(self._heap)
            if self._expiry.get(key) == expires_at:
                del self._expiry[key]


class RedisReplayCache:
    """A replay cache in Redis (``SET key NX EXAT``), shared by every replica of the service."""

    def __init__(self, redis: Redis, *, prefix: str = "osteo-cds:jti:", clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._prefix = prefix
        self._clock = clock

    @classmethod
    def from_url(cls, url: str) -> RedisReplayCache:
        """A cache on the Redis server at ``url`` (needs the ``redis`` extra: ``pip install 'osteo-cds[redis]'``)."""
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0))

    async def first_use(self, key: str, *, expires_at: float) -> bool:
        from redis.exceptions import RedisError

        ttl_ms = max(int((expires_at - self._clock()) * 1000), 1)
        try:
            stored = await self._redis.set(self._prefix + key, b"1", nx=True, px=ttl_ms)
        except RedisError as exc:
            # Fail closed: without the shared cache a replay cannot be ruled out.
            _log.error("replay cache unavailable", extra={"error": type(exc).__name__})
            metrics.REPLAY_STORE_FAILURES.inc()
            return False
        return bool(stored)

    async def close(self) -> None:
        await self._redis.aclose()
