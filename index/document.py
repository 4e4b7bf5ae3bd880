"""The article record that ingest produces and the store keeps."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, Field


class Article(BaseModel):
    """One news article: its original text, unchanged, plus metadata."""

    doc_id: str = Field(description="Stable id: the one given, or derived from path and content")
    text: str = Field(description="The article text exactly as ingested; offsets point into it")
    title: str = ""
    url: str | None = None
    published: str | None = Field(default=None, description="ISO date (YYYY-MM-DD) when known")
    source: str | None = Field(default=None, description="Publisher, host or file it came from")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
