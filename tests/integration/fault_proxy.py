"""A fault-injecting reverse proxy in front of a real FHIR server, and a recording "attacker" listener.

``FaultProxy`` listens on a free port of 127.0.0.1 (uvicorn in a background thread) and forwards every
request to the upstream FHIR server, rewriting the upstream base URL to its own in response bodies and
``Location`` headers (as a reverse proxy does), so paging links keep going through the proxy. A test
installs one ``Fault`` at a time:

* ``Fault.delay(s)``: answer ``s`` seconds late (forwarded normally);
* ``Fault.status(500)`` / ``Fault.status(401)``: answer that status with an OperationOutcome, not forwarded;
* ``Fault.not_json()``: 200 with a FHIR JSON content type and a body that is not JSON, not forwarded;
* ``Fault.not_a_bundle()``: 200 with valid FHIR JSON that is not a Bundle (a Patient), not forwarded;
* ``Fault.cross_origin_next(origin)``: forwarded, then every Bundle ``link[next]`` URL is moved to ``origin``
  (path and query kept), e.g. the origin of a ``RecordingListener`` on 127.0.0.2.

``skip_first`` lets that many matching requests through untouched first, ``times`` limits how many
requests the fault hits (``None``: all), so "the second page fails" is ``Fault.status(500, skip_first=1)``.

The proxy records every request (method, path, query, whether an ``Authorization`` header was present,
whether it was forwarded, the status returned). It never stores header values. ``RecordingListener``
stores only the ``Authorization`` scheme and a SHA-256 fingerprint, enough to prove which token leaked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlsplit, urlunsplit

import httpx
import uvicorn

__all__ = [
    "Fault",
    "FaultKind",
    "FaultProxy",
    "ListenerRequest",
    "ProxiedRequest",
    "RecordingListener",
]

_Scope = MutableMapping[str, Any]
_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]

_FHIR_JSON: Final = "application/fhir+json"
# Hop-by-hop headers (RFC 9110 §7.6.1) plus the ones httpx recomputes or has already decoded.
_DROPPED_REQUEST_HEADERS: Final = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
     "content-length", "accept-encoding"}
)  # fmt: skip
_DROPPED_RESPONSE_HEADERS: Final = frozenset(
    {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "content-length",
     "content-encoding", "date", "server"}
)  # fmt: skip


class FaultKind(StrEnum):
    """What the proxy does to a request the fault applies to."""

    FORWARD = "forward"
    STATUS = "status"
    NOT_JSON = "not-json"
    NOT_A_BUNDLE = "not-a-bundle"
    CROSS_ORIGIN_NEXT = "cross-origin-next"


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One configured misbehaviour; build it with the class methods."""

    kind: FaultKind = FaultKind.FORWARD
    delay_s: float = 0.0
    status_code: int = 500
    next_origin: str | None = None
    skip_first: int = 0
    times: int | None = None

    @classmethod
    def delay(cls, seconds: float, *, skip_first: int = 0, times: int | None = None) -> Fault:
        return cls(delay_s=seconds, skip_first=skip_first, times=times)

    @classmethod
    def status(cls, status_code: int, *, skip_first: int = 0, times: int | None = None) -> Fault:
        return cls(kind=FaultKind.STATUS, status_code=status_code, skip_first=skip_first, times=times)

    @classmethod
    def not_json(cls, *, skip_first: int = 0, times: int | None = None) -> Fault:
        return cls(kind=FaultKind.NOT_JSON, skip_first=skip_first, times=times)

    @classmethod
    def not_a_bundle(cls, *, skip_first: int = 0, times: int | None = None) -> Fault:
        return cls(kind=FaultKind.NOT_A_BUNDLE, skip_first=skip_first, times=times)

    @classmethod
    def cross_origin_next(cls, origin: str, *, skip_first: int = 0, times: int | None = None) -> Fault:
        return cls(
            kind=FaultKind.CROSS_ORIGIN_NEXT,
            next_origin=origin.rstrip("/"),
            skip_first=skip_first,
            times=times,
        )


@dataclass(frozen=True, kw_only=True)
class ProxiedRequest:
    """One request the proxy received (no header values, no body)."""

    method: str
    path: str
    query: str
    had_authorization: bool
    forwarded: bool
    fault: FaultKind | None
    status_code: int


@dataclass(frozen=True, kw_only=True)
class ListenerRequest:
    """One request that reached a ``RecordingListener``; the token itself is never kept."""

    method: str
    path: str
    query: str
    authorization_scheme: str | None
    authorization_sha256: str | None

    def carried_bearer_token(self, token: str) -> bool:
        """True if this request presented ``Authorization: Bearer <token>``."""
        return self.authorization_sha256 == _fingerprint(f"Bearer {token}")


class _BackgroundServer:
    """uvicorn serving an ASGI app on a pre-bound loopback socket in a daemon thread."""

    def __init__(self, app: Callable[[_Scope, _Receive, _Send], Awaitable[None]], *, host: str, name: str) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.bind((host, 0))
        except OSError:
            self._socket.close()
            raise
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            interface="asgi3",
            lifespan="on",
            log_level="warning",
            access_log=False,
            ws="none",
            http="h11",
            loop="asyncio",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, name=name)
        self._thread.daemon = True

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, *, timeout_s: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"{self._thread.name} did not start on {self.origin}")

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()


class FaultProxy:
    """A reverse proxy to ``upstream_base_url`` with one configurable ``Fault`` (see the module docstring)."""

    def __init__(self, upstream_base_url: str, *, host: str = "127.0.0.1") -> None:
        upstream = urlsplit(upstream_base_url.rstrip("/"))
        self._upstream_origin = f"{upstream.scheme}://{upstream.netloc}"
        self._base_path = upstream.path
        self._lock = threading.Lock()
        self._fault = Fault()
        self._seen = 0  # requests counted against the current fault's skip_first / times
        self._requests: list[ProxiedRequest] = []
        self._http: httpx.AsyncClient | None = None
        self._server = _BackgroundServer(self._app, host=host, name="fault-proxy")

    @property
    def origin(self) -> str:
        return self._server.origin

    @property
    def base_url(self) -> str:
        """The FHIR base as seen through the proxy (same path as upstream, proxy origin)."""
        return f"{self.origin}{self._base_path}"

    @property
    def upstream_base_url(self) -> str:
        return f"{self._upstream_origin}{self._base_path}"

    @property
    def requests(self) -> tuple[ProxiedRequest, ...]:
        with self._lock:
            return tuple(self._requests)

    def inject(self, fault: Fault) -> None:
        """Replace the current fault (and restart its ``skip_first`` / ``times`` count)."""
        with self._lock:
            self._fault = replace(fault)
            self._seen = 0

    def clear(self) -> None:
        """Back to plain forwarding, and forget the recorded requests."""
        with self._lock:
            self._fault = Fault()
            self._seen = 0
            self._requests.clear()

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- ASGI ----------------------------------------------------------------------------------------

    async def _app(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._handle(scope, receive, send)

    async def _lifespan(self, receive: _Receive, send: _Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._http = httpx.AsyncClient(timeout=30.0, follow_redirects=False)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._http is not None:
                    await self._http.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _take_fault(self) -> Fault | None:
        with self._lock:
            fault = self._fault
            index = self._seen
            self._seen += 1
        if fault == Fault():
            return None
        if index < fault.skip_first:
            return None
        if fault.times is not None and index >= fault.skip_first + fault.times:
            return None
        return fault

    async def _handle(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        body = await _read_body(receive)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        query = scope.get("query_string", b"").decode("latin-1")
        fault = self._take_fault()
        kind = fault.kind if fault is not None else None
        if fault is not None and fault.delay_s > 0:
            await asyncio.sleep(fault.delay_s)

        forwarded = kind in (None, FaultKind.FORWARD, FaultKind.CROSS_ORIGIN_NEXT)
        if forwarded:
            status, out_headers, out_body = await self._forward(scope["method"], scope["path"], query, headers, body)
            if fault is not None and fault.kind is FaultKind.CROSS_ORIGIN_NEXT and fault.next_origin:
                out_body = _move_next_links(out_body, fault.next_origin)
        else:
            status, out_headers, out_body = _synthesised(fault)

        with self._lock:
            self._requests.append(
                ProxiedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=query,
                    had_authorization=any(name.lower() == "authorization" for name, _ in headers),
                    forwarded=forwarded,
                    fault=kind,
                    status_code=status,
                )
            )
        await _respond(send, status, out_headers, out_body)

    async def _forward(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if self._http is None:
            raise RuntimeError("the fault proxy's HTTP client is not open (lifespan did not start)")
        url = urlunsplit(("", "", path, query, ""))
        request_headers = [(k, v) for k, v in headers if k.lower() not in _DROPPED_REQUEST_HEADERS]
        request_headers.append(("accept-encoding", "identity"))
        try:
            upstream = await self._http.request(
                method, f"{self._upstream_origin}{url}", headers=request_headers, content=body
            )
        except httpx.TransportError as exc:
            return (
                502,
                [("content-type", _FHIR_JSON)],
                _outcome(f"upstream unreachable: {type(exc).__name__}"),
            )
        out_headers = [
            (
                k,
                v.replace(self._upstream_origin, self.origin) if k.lower() in ("location", "content-location") else v,
            )
            for k, v in upstream.headers.multi_items()
            if k.lower() not in _DROPPED_RESPONSE_HEADERS
        ]
        out_body = upstream.content.replace(self._upstream_origin.encode(), self.origin.encode())
        return upstream.status_code, out_headers, out_body


class RecordingListener:
    """A tiny HTTP server that answers every request with an empty searchset Bundle and records it.

    Stands in for a foreign origin a malicious or misconfigured ``link[next]`` points at. Binds to
    127.0.0.2 by default (a different host than the FHIR server), falling back to 127.0.0.1 (a different
    port is a different origin too) where 127.0.0.2 is not available.
    """

    def __init__(self, *, host: str = "127.0.0.2", answer: tuple[list[tuple[str, str]], bytes] | None = None) -> None:
        self._lock = threading.Lock()
        self._requests: list[ListenerRequest] = []
        self._answer = answer
        """Headers and body of every answer instead of the empty Bundle (e.g. a gzip bomb)."""
        try:
            self._server = _BackgroundServer(self._app, host=host, name="recording-listener")
        except OSError:
            self._server = _BackgroundServer(self._app, host="127.0.0.1", name="recording-listener")

    @property
    def origin(self) -> str:
        return self._server.origin

    @property
    def requests(self) -> tuple[ListenerRequest, ...]:
        with self._lock:
            return tuple(self._requests)

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def _app(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] == "lifespan":
            await _plain_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        await _read_body(receive)
        authorization = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"authorization"), None)
        with self._lock:
            self._requests.append(
                ListenerRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    authorization_scheme=authorization.partition(" ")[0] if authorization else None,
                    authorization_sha256=_fingerprint(authorization) if authorization else None,
                )
            )
        if self._answer is not None:
            await _respond(send, 200, self._answer[0], self._answer[1])
            return
        empty = {"resourceType": "Bundle", "type": "searchset", "total": 0, "link": [], "entry": []}
        await _respond(send, 200, [("content-type", _FHIR_JSON)], json.dumps(empty).encode())


def _synthesised(fault: Fault | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """The response of a fault that does not forward the request."""
    kind = fault.kind if fault is not None else FaultKind.FORWARD
    fhir_json = [("content-type", f"{_FHIR_JSON}; charset=utf-8")]
    if fault is not None and kind is FaultKind.STATUS:
        headers = [*fhir_json]
        if fault.status_code == 401:
            headers.append(("www-authenticate", 'Bearer realm="fault-proxy"'))
        return fault.status_code, headers, _outcome(f"HTTP {fault.status_code} injected by the fault proxy")
    if kind is FaultKind.NOT_JSON:
        return 200, fhir_json, b"<html><body>502 Bad Gateway (injected: not JSON)</body></html>"
    if kind is FaultKind.NOT_A_BUNDLE:
        return 200, fhir_json, json.dumps({"resourceType": "Patient", "id": "injected-not-a-bundle"}).encode()
    raise ValueError(f"fault {kind} is forwarded, not synthesised")


def _outcome(diagnostics: str) -> bytes:
    issue = {"severity": "error", "code": "exception", "diagnostics": diagnostics}
    return json.dumps({"resourceType": "OperationOutcome", "issue": [issue]}).encode()


def _move_next_links(body: bytes, origin: str) -> bytes:
    """Point every ``link[relation=next]`` of a JSON Bundle at ``origin``; other bodies pass unchanged."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        return body
    target = urlsplit(origin)
    for link in document.get("link", []):
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            parts = urlsplit(link["url"])
            link["url"] = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))
    return json.dumps(document).encode()


async def _plain_lifespan(receive: _Receive, send: _Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: _Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(send: _Send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
