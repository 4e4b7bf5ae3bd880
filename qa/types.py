"""The typed results of the library; the HTTP API returns these same models."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from index.document import unicode_problem


def _text(value: str) -> str:
    problem = unicode_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _iso_date(value: str | None) -> str | None:
    """An ISO date as the index keeps them (YYYY-MM-DD): the filters compare them as text."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


_Text = Annotated[str, AfterValidator(_text)]
_IsoDate = Annotated[str | None, AfterValidator(_iso_date)]


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

    model_config = ConfigDict(extra="forbid")

    question: _Text
    answer: _Text | None = None


class SearchFilters(BaseModel):
    """Restrict retrieval to one source and/or a published date range (ISO dates)."""

    # A misspelt filter is an error, not a search of everything.
    model_config = ConfigDict(extra="forbid")

    source: _Text | None = None
    published_from: _IsoDate = Field(default=None, examples=["2025-08-01"])
    published_to: _IsoDate = Field(default=None, examples=["2025-08-31"])

    @model_validator(mode="after")
    def _in_order(self) -> SearchFilters:
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError(
                f"published_from ({self.published_from}) is after published_to "
                f"({self.published_to})"
            )
        return self


class AskResult(BaseModel):
    """The answer shape shared by the library, the CLI's --json and the HTTP API."""

    question: str
    no_answer: bool
    answers: list[Answer] = Field(default_factory=list)
    related: list[Passage] = Field(default_factory=list)


class Question(BaseModel):
    """A question, with the conversation so far for follow-ups."""

    model_config = {
        "extra": "forbid",  # a misspelt "top_k" is an error, not the default
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
        },
    }

    question: _Text = Field(examples=["where are the forward operating bases?"])
    history: list[Turn] = Field(default_factory=list, max_length=50)
    top_k: int = Field(default=3, ge=1, le=50)
    filters: SearchFilters | None = None
