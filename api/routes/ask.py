"""Questions and plain retrieval."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query

from api.deps import AnswererDep, AskTurns
from qa.types import AskResult, Passage, Question

router = APIRouter(tags=["questions"])


@router.post("/ask", response_model=AskResult)
async def ask(body: Question, answerer: AnswererDep, turns: AskTurns) -> AskResult:
    """Answer a question with verbatim quotes from the articles, or say there is none."""
    return await to_thread.run_sync(
        answerer.ask, body.question, body.history, body.top_k, body.filters, limiter=turns
    )


@router.get("/search", response_model=list[Passage])
async def search(
    answerer: AnswererDep,
    turns: AskTurns,
    q: Annotated[str, Query(description="What to look for", examples=["forward bases"])],
    top_k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[Passage]:
    """Ranked passages with scores and citations, without answer extraction."""
    return await to_thread.run_sync(answerer.retriever.search, q, top_k, limiter=turns)
