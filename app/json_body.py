"""Request bodies parsed with orjson: the hook request (tens of kB of prefetched FHIR) is parsed once, about twice
as fast as with the standard library.

Only the parser changes. A body orjson refuses is parsed again with :func:`json.loads`, so exactly the bodies the
standard library accepted are still accepted (``NaN``, ``1e400``, lone surrogates) with the same values, and a body
neither accepts fails with the standard library's error (position and message unchanged). orjson reads integers
beyond 64 bits as floats where the standard library keeps them exact: a body with a run of 19 or more digits
goes to the standard library directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["OrjsonRoute", "loads"]

_DIGITS_AS_ONES = bytes(0x31 if 0x30 <= byte <= 0x39 else 0x30 for byte in range(256))
"""``bytes.translate`` table: every ASCII digit becomes ``1``, every other byte ``0`` (a C-speed scan)."""
_LONG_RUN = b"1" * 19


def loads(body: bytes) -> Any:
    """Parse a JSON body: orjson, falling back to :func:`json.loads` for what orjson refuses."""
    if _LONG_RUN in body.translate(_DIGITS_AS_ONES):
        return json.loads(body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


class _OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class OrjsonRoute(APIRoute):
    """An :class:`APIRoute` whose JSON body is parsed by :func:`loads`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def orjson_handler(request: Request) -> Response:
            return await handler(_OrjsonRequest(request.scope, request.receive))

        return orjson_handler
