"""Read, add, replace and delete articles."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from api.deps import AnswererDep, ServiceDep, WriterDep
from index.document import Article
from index.errors import IngestError
from index.indexer import Indexer
from index.ingest import (
    SUPPORTED,
    Failure,
    format_of,
    read_bytes,
    read_records,
    readable_name,
)
from qa.types import brief_errors

router = APIRouter(prefix="/documents", tags=["documents"])


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None


class DocumentPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[DocumentSummary]


class WriteReport(BaseModel):
    added: int
    updated: int
    skipped: int
    failed: int
    failures: list[str]
    doc_ids: list[str]


class NewArticles(BaseModel):
    articles: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        examples=[[{"id": "bases", "title": "Bases", "text": "Bases were set up in Pont Sondé."}]],
    )


@router.get("", response_model=DocumentPage)
def list_documents(
    answerer: AnswererDep,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DocumentPage:
    """Articles in the index, newest first, a page at a time."""
    store = answerer.retriever.store
    items = [
        DocumentSummary(
            doc_id=i.doc_id, title=i.title, url=i.url, published=i.published, source=i.source
        )
        for i in store.list_articles(offset, limit)
    ]
    return DocumentPage(total=store.stats()["articles"], offset=offset, limit=limit, items=items)


@router.get("/{doc_id:path}", response_model=Article)
def get_document(doc_id: str, answerer: AnswererDep) -> Article:
    """One article's full text and metadata, so any citation can be opened."""
    return answerer.retriever.store.article(doc_id)


@router.post(
    "",
    response_model=WriteReport,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": NewArticles.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def add_documents(
    request: Request,
    indexer: WriterDep,
    service: ServiceDep,
) -> WriteReport:
    """Add or replace articles: a JSON body {"articles": [...]} or an uploaded file."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        items = await _from_upload(request, service.settings.max_upload_bytes)
    else:
        try:
            body = NewArticles.model_validate_json(await request.body())
        except ValidationError as exc:
            raise HTTPException(
                400, f'body must be JSON like {{"articles": [...]}}: {brief_errors(exc, "body")}'
            ) from None
        items = read_records(body.articles, source="api")
    if len(items) > service.settings.max_upload_articles:
        raise HTTPException(
            413,
            f"{len(items)} articles in one request; the limit is "
            f"{service.settings.max_upload_articles}",
        )
    return await run_in_threadpool(_write, indexer, service.write_lock, items)


@router.delete("/{doc_id:path}")
async def delete_document(doc_id: str, indexer: WriterDep, service: ServiceDep) -> dict[str, str]:
    """Remove one article and its passages."""

    def run() -> bool:
        with service.write_lock:
            return indexer.delete(doc_id)

    if not await run_in_threadpool(run):
        raise HTTPException(404, f"no article with id {doc_id!r}")
    return {"deleted": doc_id}


async def _from_upload(request: Request, limit: int) -> list[Article | Failure]:
    form = await request.form(max_files=1)
    upload = form.get("file")
    if isinstance(upload, str):  # a part without filename="…" (filename* alone is not read)
        raise HTTPException(
            400,
            "the form field 'file' came without a file name: send it as a file, with"
            ' filename="…" in its Content-Disposition (curl -F file=@story.txt)',
        )
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "upload the articles as a form field named 'file'")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"upload is larger than the limit of {limit} bytes")
    # Never a server path; a control character is escaped as in a file name on disk.
    name = readable_name(PurePath(upload.filename.replace("\\", "/")).name)
    kind = format_of(PurePath(name))
    if kind and kind not in SUPPORTED:
        raise HTTPException(
            415,
            f"unsupported file type {kind or name!r}; use one of "
            f"{', '.join(sorted(SUPPORTED))} (optionally .gz)",
        )
    if name.lower().endswith(".gz"):
        from index.decode import gunzip

        try:
            data = gunzip(data, max_bytes=10 * limit)
        except IngestError as exc:
            raise HTTPException(400, f"{name}: {exc}") from None
    stem = name.split(".", 1)[0] or "upload"
    items = list(read_bytes(data, kind, doc_id=stem, source=name, name=name))
    if items and all(isinstance(i, Failure) for i in items) and len(items) == 1:
        raise HTTPException(400, str(items[0]))
    return items


def _write(indexer: Indexer, lock: Any, items: list[Article | Failure]) -> WriteReport:
    with lock:
        report = indexer.index_items(items)
    return WriteReport(
        added=report.added,
        updated=report.updated,
        skipped=report.skipped,
        failed=report.failed,
        failures=report.failures,
        doc_ids=report.doc_ids,
    )
