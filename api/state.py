"""What the app loads once at start-up and shares between requests."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from index.backend import open_store
from index.errors import IndexNotFoundError, QAError, StoreUnavailableError
from index.indexer import Indexer
from qa.answer import Answerer
from qa.collector import freeze_loaded
from qa.settings import Settings

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0  # how often a service without its index tries loading it again
# How long the old index stays open after a rebuilt one replaced it, for the questions in
# flight; then its files are closed, and the disk space of the old one is given back.
RETIRE_SECONDS = 60.0


@dataclass
class Service:
    settings: Settings
    answerer: Answerer | None = None
    indexer: Indexer | None = None
    problem: str | None = None
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    retry: bool = False  # the problem may pass (a database that was down)
    _tried: float = 0.0
    _loading: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, settings: Settings) -> Service:
        """Load the model and the index; on failure keep the reason for /readyz."""
        service = cls(settings)
        service._load()
        return service

    def _load(self) -> None:
        self._tried = time.monotonic()
        try:
            answerer = self.answerer or self.settings.answerer()
            if self.answerer is None:
                for warning in answerer.retriever.store.warnings:
                    log.warning("%s", warning)
            self.answerer = answerer
            self.indexer = Indexer(
                self.settings.location,
                answerer.retriever.embedder,
                commit_every=self.settings.commit_every,
                analyses=self.settings.analyses,
            )
            self.problem, self.retry = None, False
            freeze_loaded()  # what loading made stays for good (qa.collector)
        except (StoreUnavailableError, IndexNotFoundError) as exc:
            # Both may pass: a database comes back, an index gets built.
            self.problem, self.retry = str(exc), True
        except QAError as exc:
            self.problem, self.retry = str(exc), False

    def _reopen(self, answerer: Answerer) -> None:
        """The rebuilt index in place of the old one, whose answerer goes on serving the
        questions in flight, from the old files, whole. Until the new one opens, the old
        one answers (tried again every RETRY_SECONDS)."""
        self._tried = time.monotonic()
        location = self.settings.location
        try:
            store = open_store(location)
        except QAError as exc:
            log.warning("the index at %s was replaced, and cannot be opened: %s", location, exc)
            return
        if store.model != answerer.retriever.store.model:  # rebuilt with another model
            store.close()
            try:  # loaded before the old one is let go: no question finds none
                fresh = self.settings.answerer()
            except QAError as exc:
                self.answerer, self.problem, self.retry = None, str(exc), False
            else:
                self.answerer = fresh
                self._load()  # the indexer, with the new model
            _retire(answerer)
            return
        self.answerer = answerer.reopened(store)
        _retire(answerer)
        log.info("the index at %s was rebuilt: answering from the new one", location)
        for warning in store.warnings:
            log.warning("%s", warning)

    def ensure(self) -> None:
        """Try loading again when the index was missing or its database down, at most every
        RETRY_SECONDS, so the service recovers without a restart; open the index again
        when `qa index --rebuild` replaced it."""
        answerer = self.answerer
        if answerer is not None and answerer.retriever.store.replaced():
            if time.monotonic() - self._tried >= RETRY_SECONDS:
                with self._loading:
                    if self.answerer is answerer:
                        self._reopen(answerer)
            return
        if not self.retry or time.monotonic() - self._tried < RETRY_SECONDS:
            return
        with self._loading:
            if self.retry and time.monotonic() - self._tried >= RETRY_SECONDS:
                self._load()


def _retire(answerer: Answerer) -> None:
    """Close the store of an answerer that was replaced, once the questions in flight on it
    are done: its SQLite connections and token file would otherwise stay open, and the
    replaced index's files would keep their disk space (gc.freeze, qa.collector, keeps the
    store from ever being collected)."""
    closing = threading.Timer(RETIRE_SECONDS, answerer.retriever.store.close)
    closing.daemon = True
    closing.start()
