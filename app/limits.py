"""ASGI middleware that refuses request bodies over the configured size with a 413 OperationOutcome.

A declared ``Content-Length`` over the limit is refused before the body is read. A body without one (chunked)
is counted as it streams: at the first byte over the limit the middleware answers 413 itself, tells the
application the client has gone (``http.disconnect``) and drops whatever the application still tries to send.
It does not raise into the application, because FastAPI would turn an error while reading the body into a 400.
"""

from __future__ import annotations

import json

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import operation_outcome

__all__ = ["BodySizeLimitMiddleware"]

_DISCONNECT: Message = {"type": "http.disconnect"}


class BodySizeLimitMiddleware:
    """Checks ``Content-Length`` up front and counts streamed bytes for chunked bodies."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return _DISCONNECT
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    rejected = True
                    if not response_started:
                        await self._reject(send)
                    return _DISCONNECT
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return  # our 413 went out instead
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except ClientDisconnect:
            if not rejected:
                raise

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            operation_outcome(f"request body larger than {self.max_bytes} bytes", code="too-costly")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/fhir+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
