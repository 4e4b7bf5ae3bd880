"""Map the library's errors to HTTP statuses, in one place; every error body is {"detail"}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from index import errors

STATUS: list[tuple[type[errors.QAError], int]] = [
    (errors.InvalidQueryError, 422),
    (errors.DocumentNotFoundError, 404),
    (errors.IngestError, 422),
    (errors.IndexLockedError, 409),
    (errors.ModelMismatchError, 503),
    (errors.ModelLoadError, 503),
    (errors.IndexError_, 503),
    (errors.QAError, 400),
]


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.QAError)
    async def qa_error(_: Request, exc: errors.QAError) -> JSONResponse:
        code = next(code for kind, code in STATUS if isinstance(exc, kind))
        return JSONResponse({"detail": str(exc)}, status_code=code)
