"""Configuration read from the environment (QA_ prefix) or a .env file; only the edges use it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.backend import URL_SCHEMES, Location, ReadStore, open_store, recorded_model
from index.embed import (
    BATCH_SIZE,
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
    auto_backend,
    indexed_name,
)
from qa.answer import DEFAULT_THRESHOLD, LATE, Answerer
from qa.reader import TransformersReader
from qa.retrieve import Retriever
from qa.span_ranker import load_weights


class Settings(BaseSettings):
    """Every setting of the CLI and the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=".env", extra="ignore")

    index_dir: Path = Field(default=Path("qa-index"), description="Index directory")
    store_url: str | None = Field(
        default=None,
        pattern="^(" + "|".join(re.escape(scheme) for scheme in URL_SCHEMES) + ")",
        description="PostgreSQL (with pgvector) URL of the primary; set, it holds the index"
        " instead of the index directory",
    )
    store_replicas: str = Field(
        default="",
        description="Comma-separated PostgreSQL URLs of read replicas; empty = read from the"
        " primary",
    )
    model: str = Field(
        default=DEFAULT_MODEL, description="sentence-transformers model name or path"
    )
    threshold: float = Field(
        default=DEFAULT_THRESHOLD,
        ge=0.0,
        le=1.0,
        description="Minimum answer score; below it the answer is no_answer",
    )
    top_k: int = Field(default=3, ge=1, le=50, description="Answers returned per question")
    batch_size: int = Field(
        default=BATCH_SIZE, ge=1, description="Sentences per embedding batch (torch only)"
    )
    backend: Literal["auto", "onnx", "onnx-int8", "torch"] = Field(
        default="auto",
        description="How the embedding model runs: auto (an index's own way; a new index of"
        " the bundled model int8), onnx, onnx-int8 (faster, vectors close to the model's own)"
        " or torch",
    )
    cache_dir: Path | None = Field(
        default=None, description="Where ONNX exports are kept; unset = ~/.cache/newsqa/onnx"
    )
    commit_every: int = Field(default=2000, ge=1, description="Articles between index commits")
    reader_model: str | None = Field(
        default=None, description="Optional extractive-QA model (name or path) for answer spans"
    )
    analyses: bool = Field(
        default=True,
        description="Keep each sentence's parse and entities in the index when indexing:"
        " indexing takes about 1.7x as long, new questions about a third less; false ="
        " spaCy runs on the answer sentences at question time",
    )
    span_model: bool = Field(
        default=True,
        description="Pick answer spans with the fitted span model (a parse per answer);"
        " false = the rules alone, faster",
    )
    late_sentences: int = Field(
        default=LATE,
        ge=0,
        le=50,
        description="Candidate sentences matched with the question token by token (from the"
        " token vectors the index keeps, else a model run each); 0 = off, faster",
    )
    span_weights: Path | None = Field(
        default=None,
        description="Span model weights fitted by bench/fit_spans.py; unset = the shipped ones",
    )
    api_token: str | None = Field(
        default=None, description="Bearer token for write endpoints; unset = read-only"
    )
    host: str = Field(default="127.0.0.1", description="Address `qa serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `qa serve` listens on")
    workers: int = Field(
        default=1, ge=1, le=64, description="Server processes of `qa serve`, each with the model"
    )
    model_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Threads of one model run; unset = the cores shared out among the"
        " server processes (QA_WORKERS), at least one each",
    )
    ask_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Questions a server process answers at once; the rest wait their turn,"
        " in order. One question already uses every core for its model run, and two at a"
        " time only contend for Python's interpreter lock: on Reuters, 8 connections of new"
        " questions got 60 questions/s with one and 42 with two",
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest JSON request body accepted"
    )
    max_upload_articles: int = Field(
        default=10_000, ge=1, description="Most articles one upload or JSON body may hold"
    )
    cors_origins: str = Field(
        default="", description="Comma-separated origins allowed by CORS; empty = CORS closed"
    )
    max_upload_bytes: int = Field(
        default=20_000_000, ge=1024, description="Largest uploaded file accepted"
    )

    def embedder(
        self, model: str | None = None, new_index: bool = False
    ) -> SentenceTransformerEmbedder:
        """The embedding model these settings describe (or `model` instead of theirs), run as
        the index at `location` was built, or for a new index when `new_index` is set."""
        name, backend = self._resolved(model or self.model, new_index)
        return SentenceTransformerEmbedder(
            name, self.batch_size, backend=backend, cache_dir=self.cache_dir, threads=self.threads
        )

    def _resolved(self, model: str, new_index: bool) -> tuple[str, str]:
        """The model name and backend to run: the setting's, or with `auto` what the index
        records (index.embed.auto_backend)."""
        if self.backend != "auto":
            return model, self.backend
        return auto_backend(model, None if new_index else recorded_model(self.location))

    @property
    def threads(self) -> int:
        """Threads of one model run: `model_threads`, else each server process's share of
        the cores. Two processes of two threads each on two cores ran 14 new questions/s at
        8 connections on Reuters; of one thread each, 69."""
        if self.model_threads is not None:
            return self.model_threads
        return max(1, (os.cpu_count() or 1) // self.workers)

    @property
    def location(self) -> Location:
        """Where the index is: the PostgreSQL URL if one is set, else the directory."""
        return self.store_url or self.index_dir

    @property
    def replicas(self) -> list[str]:
        return [u.strip() for u in self.store_replicas.split(",") if u.strip()]

    def store(self, model: str | None = None) -> ReadStore:
        """The index, read from the replicas if there are any (checked against `model`)."""
        return open_store(self.location, model=model, replicas=self.replicas)

    def retriever(self) -> Retriever:
        """The index with the embedding model (and backend) these settings name."""
        # The index first: if it is missing or its database is down, no model loads in vain.
        model, backend = self._resolved(self.model, new_index=False)
        store = self.store(indexed_name(model, backend))
        try:
            return Retriever(store, self.embedder(model))
        except BaseException:
            store.close()
            raise

    def answerer(self) -> Answerer:
        reader = TransformersReader(self.reader_model) if self.reader_model else None
        return Answerer(
            self.retriever(),
            threshold=self.threshold,
            reader=reader,
            spans=self.spans(),
            late=self.late_sentences,
        )

    def spans(self) -> bool | dict[str, float]:
        """The span model's weights: the shipped ones (True) unless a file is named; False
        when the span model is off."""
        if not self.span_model:
            return False
        return load_weights(self.span_weights) if self.span_weights else True
