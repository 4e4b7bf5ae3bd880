"""The typed results of the library; the HTTP API returns these same models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from index.document import unicode_problem
from index.errors import InvalidQueryError


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


def as_filters(value: SearchFilters | Mapping[str, Any] | None) -> SearchFilters | None:
    """A library caller's filters, given as SearchFilters or as a dict of its fields."""
    if value is None or isinstance(value, SearchFilters):
        return value
    if not isinstance(value, Mapping):
        raise InvalidQueryError(
            f"filters must be SearchFilters or a dict of its fields, not {type(value).__name__}"
        )
    try:
        return SearchFilters.model_validate(dict(value))
    except ValidationError as exc:
        raise InvalidQueryError(f"bad filters: {brief_errors(exc)}") from None


def as_history(value: Sequence[Turn | Mapping[str, Any]]) -> list[Turn]:
    """A library caller's earlier turns, each a Turn or a dict of its fields."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise InvalidQueryError(
            f"history must be a list of turns (Turn or dict), not {type(value).__name__}"
        )
    turns = []
    for n, turn in enumerate(value):
        if isinstance(turn, Turn):
            turns.append(turn)
            continue
        if not isinstance(turn, Mapping):
            kind = type(turn).__name__
            raise InvalidQueryError(f"history[{n}] must be a Turn or a dict, not {kind}")
        try:
            turns.append(Turn.model_validate(dict(turn)))
        except ValidationError as exc:
            raise InvalidQueryError(f"bad history[{n}]: {brief_errors(exc)}") from None
    return turns


def brief_errors(exc: ValidationError, whole: str = "value") -> str:
    """pydantic's errors as `where: what`, without the input they quote or a link; `whole`
    names the place of an error about the whole value."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or whole}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors(include_url=False, include_input=False)[:5]
    )


class AskResult(BaseModel):
    """The answer shape shared by the library, the CLI's --json and the HTTP API."""

    question: str
    no_answer: bool
    answers: list[Answer] = Field(default_factory=list)
    related: list[Passage] = Field(default_factory=list)
    resolved_question: str | None = Field(
        default=None,
        description="A follow-up as it was answered, its pronouns replaced by what they"
        " refer to in the conversation ('who set them up?' after 'where are the forward"
        " operating bases?': 'who set the forward operating bases up?'); null when the"
        " question was answered as asked",
    )


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
