"""The HTTP face of the server (FastAPI): the endpoints of docs/sync-protocol.md, base ``/v1``.

Every endpoint but ``GET /v1/server`` and ``POST /v1/kiosks/register`` first authenticates the
request (``central.registry``), before its parameters are even looked at, so an unsigned caller
learns nothing but 401. Errors are ``{"code", "detail"}`` whatever raised them, and every
response carries ``Date`` (the kiosk measures its clock offset with it). Database work runs in
the thread pool, never on the event loop.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from email.utils import format_datetime
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.errors import ProtocolError
from central.registry import Caller
from central.service import Central

_log = logging.getLogger(__name__)

MAX_BODY = 32 * 1024 * 1024
JOSE = "application/jose"
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


class Registration(BaseModel):
    """The body of ``POST /v1/kiosks/register``."""

    code: str = Field(max_length=200)
    public_key: dict[str, str]
    kiosk_version: str = Field(max_length=64)
    name: str = Field(max_length=200)


async def signed_kiosk(request: Request) -> str:
    """The kid of the kiosk that signed this request, its nonce and contact recorded."""
    caller: Caller = await _signed(request, request.app.state.central.registry.authenticate)
    return caller.kid


async def checked_kiosk(request: Request) -> Caller:
    """The kiosk that signed this request, checked; the endpoint records its nonce."""
    caller: Caller = await _signed(request, request.app.state.central.registry.check)
    return caller


async def _signed(request: Request, check: Callable[..., Caller]) -> Caller:
    """``check`` run on this request (the body is kept in ``request.state``)."""
    body = await _body(request)
    request.state.body = body
    return await run_in_threadpool(
        check,
        request.method,
        request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        request.scope.get("query_string", b"").decode("latin-1"),
        request.headers,
        body,
    )


Kiosk = Annotated[str, Depends(signed_kiosk)]
"""An endpoint parameter that authenticates the request first."""

CheckedKiosk = Annotated[Caller, Depends(checked_kiosk)]
"""An endpoint parameter that checks the request first; the endpoint remembers its nonce."""


def create_app(central: Central) -> FastAPI:
    """The application serving ``central``."""
    app = FastAPI(
        title="kiosk central server",
        version=version("dinhdanh-kiosk"),
        docs_url=None,
        redoc_url=None,
        openapi_url="/v1/openapi.json",
    )
    app.state.central = central
    _install_handlers(app)

    @app.get("/v1/server")
    async def server() -> dict[str, Any]:
        """The server's identity: keys, TLS pins and time (unsigned)."""
        return central.server_info()

    @app.post("/v1/kiosks/register", status_code=201)
    async def register(registration: Registration) -> dict[str, Any]:
        """Register a kiosk key with a one-time invitation code."""
        row = await run_in_threadpool(
            central.registry.register,
            registration.code,
            registration.public_key,
            registration.name,
        )
        latest = await run_in_threadpool(central.bundles.newer_than, 0)
        return {
            "kiosk_id": row.kid,
            "unit": row.unit,
            "counter": row.counter,
            "server": central.server_info(),
            "configuration": latest,
        }

    @app.post(
        "/v1/packets",
        response_class=Response,
        responses={200: {"content": {JOSE: {}}}, 201: {"content": {JOSE: {}}}},
        openapi_extra={
            "requestBody": {"required": True, "content": {JOSE: {"schema": {"type": "string"}}}}
        },
    )
    async def packets(
        request: Request,
        caller: CheckedKiosk,
        idempotency_key: Annotated[str, Header(min_length=1, max_length=64)],
    ) -> Response:
        """Deliver one packet (a compact JWE); the answer is the signed acknowledgement.

        The request's nonce is stored with the packet, in the commit that precedes the answer.
        """
        if request.headers.get("content-type", "").split(";")[0].strip() != JOSE:
            raise ProtocolError(400, "request_invalid", f"Content-Type must be {JOSE}")
        receipt = await run_in_threadpool(
            central.intake.receive,
            caller,
            idempotency_key,
            request.state.body,
            central.registry.remember,
        )
        return Response(receipt.acknowledgement, status_code=receipt.status, media_type=JOSE)

    @app.get("/v1/verdicts")
    async def verdicts(
        kid: Kiosk,
        after: Annotated[int, Query(ge=0, le=2**53)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        """The server verdicts of this kiosk's packets after a cursor."""
        return await run_in_threadpool(central.intake.verdicts, kid, after, limit)

    @app.get(
        "/v1/config",
        response_class=Response,
        responses={200: {"content": {JOSE: {}}}, 204: {"description": "nothing newer"}},
    )
    async def config(kid: Kiosk, after: Annotated[int, Query(ge=0, le=2**53)] = 0) -> Response:
        """The newest signed configuration bundle, when newer than ``after``."""
        bundle = await run_in_threadpool(central.bundles.newer_than, after)
        if bundle is None:
            return Response(status_code=204)
        return Response(bundle, media_type=JOSE)

    @app.get("/v1/ping")
    async def ping(kid: Kiosk) -> dict[str, str]:
        """A signed round trip: who the server thinks is asking, and its time."""
        return {"kiosk_id": kid, "time": central.clock().isoformat()}

    app.add_middleware(_DateHeader, clock=central.clock)
    return app


class _DateHeader:
    """Puts ``Date`` from the server's clock on every response.

    Plain ASGI, not ``BaseHTTPMiddleware``: that one relays every body through a stream and a
    task group of its own, a cost paid on each 550 KB packet.
    """

    def __init__(self, app: ASGIApp, clock: Callable[[], dt.datetime]) -> None:
        self._app = app
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Date"] = format_datetime(self._clock(), usegmt=True)
            await send(message)

        await self._app(scope, receive, dated)


async def _body(request: Request) -> bytes:
    """The request body, refused past ``MAX_BODY`` before it is all in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ProtocolError(413, "packet_too_large", "the body is over 32 MiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ProtocolError(413, "packet_too_large", "the body is over 32 MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _install_handlers(app: FastAPI) -> None:
    """Every error in the protocol's shape: ``{"code", "detail"}``."""

    @app.exception_handler(ProtocolError)
    async def protocol_error(_request: Request, error: ProtocolError) -> JSONResponse:
        _log.info("refused: %s", error)
        body = {"code": error.code, "detail": error.detail}
        return JSONResponse(body, status_code=error.status, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        detail = f"{where}: {first.get('type', 'invalid')}"
        _log.info("refused: 400 request_invalid: %s", detail)
        return JSONResponse({"code": "request_invalid", "detail": detail}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        body = {"code": code, "detail": str(error.detail)}
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)
