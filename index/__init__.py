"""The indexer: ingest, chunk, embed and store articles."""

from index.openblas import import_faiss

import_faiss()  # before any module here imports FAISS (index.openblas says why)
