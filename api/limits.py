"""Refuse request bodies over a size limit before they are read into memory."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: 413 for bodies over `max_bytes` (`max_upload` for multipart)."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload: int) -> None:
        self.app, self.max_bytes, self.max_upload = app, max_bytes, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        # Multipart framing adds a little; the file itself is checked against the upload limit.
        limit = self.max_upload + 64 * 1024 if multipart else self.max_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge(limit)
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:  # read outside a route, which would have answered it
            await _too_large(send, limit)


class _TooLarge(HTTPException):
    """Raised from reading the body. An HTTPException, because FastAPI reads the body
    inside a handler that turns any other error into a 400 "There was an error parsing the
    body", which is how a chunked body (no Content-Length) over the limit was answered."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


def _message(limit: int) -> str:
    return f"request body is larger than the limit of {limit} bytes"


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": _message(limit)})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
