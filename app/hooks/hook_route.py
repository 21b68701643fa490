"""The request handling of ``POST /cds-services/{id}``: FastAPI's contract without its per-call machinery.

The hook endpoint is the one the EHR calls on every chart opening and order, so its envelope is written out here
instead of being solved per call by FastAPI (dependency resolution, the body's content-type parsing, re-validating
the returned model): about a tenth of a hook call's CPU. What stays FastAPI's: the route (its OpenAPI description
is generated from the endpoint's signature as before), the middleware, and the error handlers the errors raised
here go to (:mod:`app.errors`). The endpoint function is called with the same arguments FastAPI would pass:

- the client JWT is verified first (:func:`~app.security.require_cds_client`), so an unauthenticated caller learns
  nothing about its body;
- an unknown service is 404 whatever the body;
- the body is parsed by :func:`app.json_body.loads` when the content type is JSON (``application/json`` or
  ``+json``, as FastAPI decides) and validated by the route's own body field, so that a malformed body gets the
  same 400 OperationOutcome, with the same location and message, as through FastAPI;
- ``as_of`` comes from :func:`~app.deps.get_as_of`, or from its override in ``app.dependency_overrides`` (a
  function without parameters, as tests and the demo pin the date);
- the response is serialised by the route's response field (``by_alias``, ``exclude_none``), byte for byte what
  FastAPI writes.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.deps import HookCall, get_as_of
from app.errors import UnknownServiceError
from app.json_body import loads
from app.security import bearer_scheme, require_cds_client

__all__ = ["HookRoute"]

_PARAMETERS = ("service_id", "body", "call", "as_of", "request", "accept_language")
"""The endpoint's parameters, which this handler supplies (checked when the route is built)."""


def _is_json(content_type: str) -> bool:
    """FastAPI's reading of a JSON content type: ``application/json`` or ``application/*+json``, parameters aside."""
    media_type = content_type.partition(";")[0].strip().lower()
    maintype, _, subtype = media_type.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith("+json"))


async def _as_of(request: Request) -> date:
    override = request.app.dependency_overrides.get(get_as_of)
    if override is None:
        return await get_as_of(request)
    pinned = override()
    return await pinned if inspect.isawaitable(pinned) else pinned  # type: ignore[no-any-return]


class HookRoute(APIRoute):
    """The route class of the hook endpoint (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint
        parameters = tuple(inspect.signature(endpoint).parameters)
        if parameters != _PARAMETERS:
            raise TypeError(f"{endpoint.__name__}{parameters}: HookRoute supplies exactly {_PARAMETERS}")
        body_field, response_field = self.body_field, self.response_field
        if body_field is None or response_field is None:
            raise TypeError(f"{endpoint.__name__}: HookRoute needs a body and a response model")

        async def handle(request: Request) -> Response:
            credentials = await bearer_scheme(request)
            await require_cds_client(request, credentials)
            call: HookCall = request.state.hook_call
            service_id: str = request.path_params["service_id"]
            if service_id not in call.services:
                raise UnknownServiceError.for_id(service_id)
            raw = await request.body()
            if not raw:
                raise RequestValidationError(
                    [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
                )
            content_type = request.headers.get("content-type")
            document: Any = raw  # not JSON: refused by the body field, as by FastAPI
            if content_type and _is_json(content_type):
                try:
                    document = loads(raw)
                except json.JSONDecodeError as error:
                    raise RequestValidationError(
                        [
                            {
                                "type": "json_invalid",
                                "loc": ("body", error.pos),
                                "msg": "JSON decode error",
                                "input": {},
                                "ctx": {"error": error.msg},
                            }
                        ]
                    ) from error
            body, errors = body_field.validate(document, {}, loc=("body",))
            if errors:
                raise RequestValidationError(errors)
            response = await endpoint(
                service_id=service_id,
                body=body,
                call=call,
                as_of=await _as_of(request),
                request=request,
                accept_language=request.headers.get("accept-language"),
            )
            content = response_field.serialize_json(response, by_alias=True, exclude_none=True)
            return Response(content, media_type="application/json")

        return handle
