"""Question answering over news articles with verbatim, cited quotes.

import qa
answerer = qa.Answerer.open("qa-index")
result = answerer.ask("where are the forward operating bases?")
"""

from index.document import Article
from index.embed import DEFAULT_MODEL, Embedder, SentenceTransformerEmbedder
from index.errors import (
    DocumentNotFoundError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexWriteError,
    IngestError,
    InvalidQueryError,
    ModelLoadError,
    ModelMismatchError,
    QAError,
)
from index.indexer import Indexer, IndexReport
from index.store import Store
from qa.answer import Answerer
from qa.blas import one_blas_thread
from qa.collector import freeze_loaded
from qa.retrieve import Retriever
from qa.types import Answer, AskResult, Citation, Passage, SearchFilters, Turn

__all__ = [
    "Answer",
    "Answerer",
    "Article",
    "AskResult",
    "Citation",
    "DEFAULT_MODEL",
    "DocumentNotFoundError",
    "Embedder",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexWriteError",
    "Indexer",
    "IngestError",
    "InvalidQueryError",
    "ModelLoadError",
    "ModelMismatchError",
    "Passage",
    "QAError",
    "Retriever",
    "SearchFilters",
    "SentenceTransformerEmbedder",
    "Store",
    "Turn",
    "freeze_loaded",
    "one_blas_thread",
]
