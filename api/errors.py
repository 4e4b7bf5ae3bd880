"""Map the library's errors to HTTP statuses, in one place; every error body is {"detail"}."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from index import errors

STATUS: list[tuple[type[errors.QAError], int]] = [
    (errors.InvalidQueryError, 400),
    (errors.DocumentNotFoundError, 404),
    (errors.IngestError, 400),
    (errors.IndexLockedError, 409),
    (errors.IndexWriteError, 507),
    (errors.ModelMismatchError, 503),
    (errors.ModelLoadError, 503),
    (errors.IndexError_, 503),
    (errors.QAError, 400),
]


class ErrorBody(BaseModel):
    """Every error the service sends itself: a message in `detail`."""

    detail: str


# Statuses any route may answer with {"detail": "..."}; FastAPI documents its own 422.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in [
        (400, "Bad input"),
        (401, "Missing or wrong bearer token"),
        (403, "Writes are off: no QA_API_TOKEN configured"),
        (404, "No such article"),
        (409, "Another writer holds the index"),
        (413, "Request body or upload too large"),
        (415, "Unsupported file type"),
        (503, "Index or model not loaded"),
        (507, "The index's disk is full (or read-only): nothing past the last commit was written"),
    ]
}


class EscapedJSON(JSONResponse):
    """JSON with every character past ASCII written as a \\u escape. An error body may
    quote the input, and JSON can carry a lone surrogate ("\\ud83d", half of an emoji's
    escape) that UTF-8 cannot encode: FastAPI's own 422 then failed as a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


# What FastAPI answers when the body is not JSON it can decode (bytes that are not UTF-8,
# a compressed body), saying no more.
_UNPARSED = "There was an error parsing the body"


def unparsed_body(request: Request, exc: Exception) -> str:
    """Why the body could not be read as JSON, said plainly."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return (
            f"the request body is sent with Content-Encoding {encoding!r}, which this service "
            "does not take: send the JSON uncompressed"
        )
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return (
            f"the request body is not UTF-8 (byte {cause.object[cause.start]:#04x} at "
            f"position {cause.start}): send the JSON as UTF-8"
        )
    return f"the request body could not be read as JSON ({type(cause).__name__})"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _kind_of(value: Any) -> str:
    kinds = (
        (str, "a string"),
        (bool, "a boolean"),
        (int | float, "a number"),
        (list, "a list"),
        (dict, "an object"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


# How much of a bad input an error quotes back: pydantic quotes it whole, and a list of
# 10,000 history turns came back as 400 KB of 422.
QUOTED_CHARS = 200


def _brief(value: Any) -> Any:
    """The input as an error quotes it: whole when short, else what it is and how it
    starts."""
    if isinstance(value, str):
        return value if len(value) <= QUOTED_CHARS else value[:QUOTED_CHARS] + "…"
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError:  # NaN or Infinity, which JSON cannot carry
        return value
    if len(text) <= QUOTED_CHARS:
        return value
    if isinstance(value, list | dict):
        size = f"{len(value)} items" if isinstance(value, list) else f"{len(value)} keys"
        return f"{_kind_of(value)} of {size}: {text[:QUOTED_CHARS]}…"
    return text[:QUOTED_CHARS] + "…"


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.QAError)
    async def qa_error(_: Request, exc: errors.QAError) -> JSONResponse:
        code = next(code for kind, code in STATUS if isinstance(exc, kind))
        return EscapedJSON({"detail": str(exc)}, status_code=code)

    @app.exception_handler(sqlite3.DatabaseError)
    async def unreadable_index(_: Request, exc: sqlite3.DatabaseError) -> JSONResponse:
        return EscapedJSON({"detail": errors.database_failure(exc)}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == _UNPARSED:
            return EscapedJSON({"detail": unparsed_body(request, exc)}, status_code=400)
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = jsonable_encoder(exc.errors())
        kind = request.headers.get("content-type", "")
        json_sent = _is_json(kind)
        for error in detail:
            if error.get("loc") == ["body"] and error.get("type") == "model_attributes_type":
                if json_sent:  # JSON, but not an object: a string, a list, a number
                    error["msg"] = (
                        "the body must be a JSON object, such as"
                        f' {{"question": "…"}}, not {_kind_of(error.get("input"))}'
                    )
                elif isinstance(error.get("input"), str):
                    # JSON sent under another content type reaches the route as one string.
                    error["msg"] = (
                        "the body must be a JSON object sent with Content-Type:"
                        f" application/json (it came as {kind or 'no content type'!r})"
                    )
            if "input" in error:
                error["input"] = _brief(error["input"])
        try:
            return EscapedJSON({"detail": detail}, status_code=422)
        except ValueError:  # the input held NaN or Infinity, which JSON cannot carry
            unquoted = [{k: v for k, v in e.items() if k not in ("input", "ctx")} for e in detail]
            return EscapedJSON({"detail": unquoted}, status_code=422)
