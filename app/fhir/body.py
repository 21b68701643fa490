"""Read an HTTP response body with a cap on its *decompressed* size.

httpx decompresses ``gzip`` / ``deflate`` bodies whole (``response.content``) or a network chunk at a time
(``aiter_bytes``), so a 1 MB gzip answer of zeros becomes 1 GB in memory, and even one 64 KiB chunk can become
64 MB. Callers ask for ``gzip`` or ``deflate`` only (:data:`ACCEPT_ENCODING`); :func:`read_capped` reads the raw
bytes and inflates them itself with ``zlib``'s ``max_length``: at no point does it hold more than the cap (plus one
network chunk). Past the cap it raises :class:`BodyTooLargeError`; the caller decides what that means. Used by the
FHIR client (app/fhir/client.py) and the JWKS fetch (app/security/jwks.py).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import httpx

__all__ = ["ACCEPT_ENCODING", "BodyTooLargeError", "ByteBudget", "UnsupportedEncodingError", "read_capped"]

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings :func:`read_capped` inflates (send it as ``Accept-Encoding``; httpx would also offer ``br`` and
``zstd`` when their packages are installed)."""


class BodyTooLargeError(Exception):
    """The decompressed body passed the per-response cap or the shared budget."""


class UnsupportedEncodingError(Exception):
    """The body is in a ``Content-Encoding`` other than identity, gzip or deflate, or is not valid in it."""


@dataclass(slots=True)
class ByteBudget:
    """Decompressed bytes several responses may still use together (e.g. every FHIR request of one hook call)."""

    remaining: int

    def take(self, count: int) -> None:
        self.remaining -= count
        if self.remaining < 0:
            raise BodyTooLargeError("the answers together are larger than allowed")


class _Inflater:
    """zlib inflation that never produces more than asked for; ``deflate`` may be zlib-wrapped or raw."""

    def __init__(self, encoding: str) -> None:
        self._raw_fallback = encoding == "deflate"
        wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes, room: int) -> tuple[bytes, bytes]:
        """At most ``room + 1`` bytes inflated from ``data``, and what of ``data`` is left for the next call."""
        try:
            out = self._inflater.decompress(data, room + 1)
        except zlib.error:
            if not (self._raw_fallback and not self._started):
                raise
            self._raw_fallback = False
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, room + 1)
        self._started = True
        return out, self._inflater.unconsumed_tail

    def flush(self) -> bytes:
        return self._inflater.flush()


async def read_capped(response: httpx.Response, *, max_bytes: int, budget: ByteBudget | None = None) -> bytes:
    """The body of a streamed ``response`` (``client.stream(...)``), decompressed, at most ``max_bytes`` long.

    Raises :class:`BodyTooLargeError` past ``max_bytes`` or the ``budget`` (which is charged what was read), and
    :class:`UnsupportedEncodingError` for an encoding other than identity, gzip and deflate, or a corrupt body.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "deflate"):
        raise UnsupportedEncodingError(f"Content-Encoding {encoding!r} is not accepted")
    inflater = None if encoding == "identity" else _Inflater(encoding)
    body = bytearray()

    def add(piece: bytes) -> None:
        if budget is not None:
            budget.take(len(piece))
        body.extend(piece)
        if len(body) > max_bytes:
            raise BodyTooLargeError(f"the answer is larger than {max_bytes} bytes")

    try:
        async for chunk in response.aiter_raw():
            if inflater is None:
                add(chunk)
                continue
            data = chunk
            while data:
                piece, data = inflater.feed(data, max_bytes - len(body))
                add(piece)
                if not piece:
                    break
        if inflater is not None:
            add(inflater.flush())
    except zlib.error as exc:
        raise UnsupportedEncodingError(f"the {encoding} body is corrupt") from exc
    return bytes(body)
