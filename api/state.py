"""What the app loads once at start-up and shares between requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from index.indexer import Indexer
from qa.answer import Answerer
from qa.settings import Settings


@dataclass
class Service:
    settings: Settings
    answerer: Answerer | None = None
    indexer: Indexer | None = None
    problem: str | None = None
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, settings: Settings) -> Service:
        """Load the model and the index; on failure keep the reason for /readyz."""
        from index.errors import QAError

        service = cls(settings)
        try:
            service.answerer = settings.answerer()
            service.indexer = Indexer(
                settings.location,
                service.answerer.retriever.embedder,
                commit_every=settings.commit_every,
            )
        except QAError as exc:
            service.problem = str(exc)
        return service
