"""The article record that ingest produces and the store keeps."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field

# How deep the JSON of an article's record may nest (the record itself is level 1). Feeds
# nest a few levels ("source": {"id": …, "name": …}); hundreds of levels cannot be stored
# and served back (JSON encoders and pydantic give up past a few hundred).
MAX_NESTING = 32


def nesting_problem(value: Any, limit: int = MAX_NESTING) -> str | None:
    """Why JSON-like data nests too deeply to be kept; None if it does not. Walked without
    recursion, so any depth is measured."""
    level = [value]
    for depth in range(1, limit + 2):
        inner = [
            item
            for each in level
            if isinstance(each, dict | list | tuple)
            for item in (each.values() if isinstance(each, dict) else each)
        ]
        if not inner:
            return None
        if depth == limit:
            return f"it nests more than {limit} levels deep"
        level = inner
    return None


# The longest id, title, source and link an article may have: far past any real one, and
# short enough that every answer citing the article, the article list and a link to it
# stay small (a 480 kB title rode along with every answer quoting its article).
# The text's limit is about 80 times the longest news article of BBC or Reuters-21578 (25 kB).
# An article is embedded as one piece, all its sentences' vectors at once: a 5 MB text took
# 1.3 GB of memory and 146 s, and the API takes 20 MB uploads.
MAX_CHARS = {
    "doc_id": 4096,
    "title": 1000,
    "source": 1000,
    "url": 8192,
    "text": 2_000_000,
}


def length_problem(fields: dict[str, Any]) -> str | None:
    """Why one of these fields is too long to keep (MAX_CHARS); None if none is."""
    for name, limit in MAX_CHARS.items():
        value = fields.get(name)
        if isinstance(value, str) and len(value) > limit:
            what = "id" if name == "doc_id" else name
            split = "; split it into several articles" if name == "text" else ""
            return f"its {what} is {len(value):,} characters long; the limit is {limit:,}{split}"
    return None


def shown_id(doc_id: str, limit: int = 80) -> str:
    """An id as an error message quotes it: whole, or its start when it is long."""
    return repr(doc_id) if len(doc_id) <= limit else f"{doc_id[:limit]!r}…"


def storage_problem(value: Any) -> str | None:
    """Why a record cannot be stored and served back as JSON (too deep, or not valid
    Unicode); None if it can."""
    return nesting_problem(value) or unicode_problem(value)


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

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def article_problem(article: Article) -> str | None:
    """Why an article cannot be indexed (a field too long, metadata nested too deeply, text
    that is not valid Unicode); None if it can. The indexer checks every article it is
    given; an article read back from an index is not checked again."""
    problem = (
        length_problem(article.__dict__)
        or nesting_problem(article.metadata)
        or unicode_problem(article.model_dump())
    )
    return (
        None
        if problem is None
        else f"article {shown_id(article.doc_id)} cannot be stored: {problem}"
    )
