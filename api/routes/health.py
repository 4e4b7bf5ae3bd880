"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServiceDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(service: ServiceDep) -> dict[str, object] | JSONResponse:
    """The index is loaded: article and passage counts and the model name."""
    service.ensure()
    if service.answerer is None:
        return JSONResponse({"status": "unavailable", "detail": service.problem}, status_code=503)
    store = service.answerer.retriever.store
    store.refresh()
    return {"status": "ready", "model": store.model, **store.stats(), "warnings": store.warnings}
