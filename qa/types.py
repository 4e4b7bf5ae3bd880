"""The typed results of the library; the HTTP API returns these same models."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """Where a quote comes from: the article and exact character offsets into its text."""

    doc_id: str
    title: str
    url: str | None = None
    published: str | None = None
    start: int = Field(description="Start of the quoted text in the article text")
    end: int = Field(description="End (exclusive) of the quoted text in the article text")
    sentence_start: int = Field(
        description="Start of the enclosing sentence (of an earlier one, when the answer is "
        "the person or company it names and the answering sentence calls he, she or it)"
    )
    sentence_end: int = Field(description="End (exclusive) of the enclosing sentence")


class Answer(BaseModel):
    """A verbatim answer: `text` is article[start:end], `sentence` is the sentence around it
    (from an earlier one, when that names the "he" or "it" who answers the question)."""

    text: str
    sentence: str
    score: float = Field(ge=0.0, le=1.0)
    citation: Citation


class Passage(BaseModel):
    """A retrieved passage: `text` is article[start:end]; the sentence offsets mark its best
    matching sentence."""

    text: str
    score: float = Field(ge=0.0, le=1.0)
    citation: Citation


class Turn(BaseModel):
    """One earlier exchange of a conversation, used to resolve follow-up questions."""

    question: str
    answer: str | None = None


class SearchFilters(BaseModel):
    """Restrict retrieval to one source and/or a published date range (ISO dates)."""

    source: str | None = None
    published_from: str | None = Field(default=None, examples=["2025-08-01"])
    published_to: str | None = Field(default=None, examples=["2025-08-31"])


class AskResult(BaseModel):
    """The answer shape shared by the library, the CLI's --json and the HTTP API."""

    question: str
    no_answer: bool
    answers: list[Answer] = Field(default_factory=list)
    related: list[Passage] = Field(default_factory=list)


class Question(BaseModel):
    """A question, with the conversation so far for follow-ups."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"question": "where are the forward operating bases?", "top_k": 3},
                {
                    "question": "what are they improving?",
                    "history": [{"question": "where are the forward operating bases?"}],
                },
                {
                    "question": "who is the spokesperson?",
                    "filters": {"published_from": "2025-08-01", "published_to": "2025-08-31"},
                },
            ]
        }
    }

    question: str = Field(examples=["where are the forward operating bases?"])
    history: list[Turn] = Field(default_factory=list, max_length=50)
    top_k: int = Field(default=3, ge=1, le=50)
    filters: SearchFilters | None = None
