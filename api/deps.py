"""Request dependencies: the loaded service, a ready answerer, and the write token."""

from __future__ import annotations

import secrets
from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.state import Service
from index.indexer import Indexer
from qa.answer import Answerer

_bearer = HTTPBearer(auto_error=False)


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def get_answerer(service: ServiceDep) -> Answerer:
    service.ensure()
    if service.answerer is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"index not loaded: {service.problem}"
        )
    return service.answerer


def get_writer(
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Indexer:
    token = service.settings.api_token
    if not token:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "the service is read-only: set QA_API_TOKEN to enable writes"
        )
    given = credentials.credentials if credentials else ""
    if not secrets.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    service.ensure()
    if service.indexer is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"index not loaded: {service.problem}"
        )
    return service.indexer


def get_ask_turns(request: Request) -> CapacityLimiter:
    """How many questions run at once. Answering is CPU work under Python's interpreter lock;
    more threads than cores only share the cores, so every question takes longer. On
    Reuters-21578 at 8 connections, side by side twice: 111/111 questions/s with p99 150/145
    ms when each request had its own thread, 141/136 and p99 86/83 ms two at a time."""
    turns: CapacityLimiter = request.app.state.ask_turns
    return turns


AnswererDep = Annotated[Answerer, Depends(get_answerer)]
AskTurns = Annotated[CapacityLimiter, Depends(get_ask_turns)]
WriterDep = Annotated[Indexer, Depends(get_writer)]
