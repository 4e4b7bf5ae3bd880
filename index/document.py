"""The article record that ingest produces and the store keeps."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field, model_validator


def unicode_problem(value: Any) -> str | None:
    """Why a string, or JSON-like data holding strings, cannot be kept as text; None if it
    can. JSON can carry a lone surrogate ("\\ud83d" without its other half, from an emoji's
    escape cut in two), which Python keeps in a str but which no encoder, model or database
    takes."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError as exc:
        char = ord(exc.object[exc.start])
        return f"it holds a lone surrogate (\\u{char:04x}), which is not valid Unicode text"
    return None


class Article(BaseModel):
    """One news article: its original text, unchanged, plus metadata."""

    doc_id: str = Field(description="Stable id: the one given, or derived from path and content")
    text: str = Field(description="The article text exactly as ingested; offsets point into it")
    title: str = ""
    url: str | None = None
    published: str | None = Field(default=None, description="ISO date (YYYY-MM-DD) when known")
    source: str | None = Field(default=None, description="Publisher, host or file it came from")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unicode(self) -> Article:
        problem = unicode_problem(self.model_dump())
        if problem is not None:
            raise ValueError(f"article {self.doc_id!r} cannot be stored: {problem}")
        return self

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
