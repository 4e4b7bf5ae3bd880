"""The `qa` command: a thin layer over the library."""

from __future__ import annotations

import json
import sqlite3
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from index.backend import describe, is_url
from index.errors import InvalidQueryError, QAError, database_failure
from index.indexer import Indexer
from index.ingest import MAX_FILE_BYTES, read_unnamed
from qa.listen import check_listen
from qa.settings import Settings
from qa.types import AskResult, SearchFilters

if TYPE_CHECKING:
    from qa.answer import Answerer

app = typer.Typer(
    help="Question answering over news articles, with verbatim cited quotes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

IndexDir = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index directory (env QA_INDEX_DIR; default ./qa-index)"),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]
TopK = Annotated[int | None, typer.Option("--top-k", help="How many results", min=1, max=50)]


def _settings(index_dir: Path | None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:  # a bad QA_* variable: name it, no traceback
        problems = "; ".join(
            f"QA_{'_'.join(map(str, e['loc'])).upper()}={e.get('input')!r}: {e['msg']}"
            for e in exc.errors()
        )
        raise _fail(Exception(f"bad setting: {problems}")) from None
    if index_dir is not None:  # named on the command line: it wins over QA_STORE_URL
        settings.index_dir = index_dir
        settings.store_url = None
    return settings


def _problems(exc: ValidationError) -> str:
    """A validation error's messages, without pydantic's prefix."""
    return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())


def _warn(warnings: list[str]) -> None:
    """What is wrong with the index but does not stop it answering, on stderr."""
    for warning in warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False, soft_wrap=True)


def _fail(exc: Exception) -> typer.Exit:
    # soft_wrap: a long path in the message stays on one line, whole, for copying.
    err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


@app.command("index")
def index_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders of articles")] = None,
    index_dir: IndexDir = None,
    model: Annotated[
        str | None,
        typer.Option(help="Embedding model (env QA_MODEL; default the bundled all-MiniLM-L6-v2)"),
    ] = None,
    rebuild_: Annotated[
        bool,
        typer.Option("--rebuild", help="Re-embed every stored article into a fresh index"),
    ] = False,
) -> None:
    """Index articles (.txt .md .html .json .jsonl, optionally .gz); unchanged ones are skipped.

    A path of - reads one file from standard input, its kind told from its content."""
    if not paths and not rebuild_:
        raise _fail(Exception("give files or folders to index, - for standard input, or --rebuild"))
    stdin = _read_stdin() if paths and Path("-") in paths else None
    if stdin is not None and (len(paths or []) > 1 or rebuild_):
        raise _fail(Exception("- (standard input) is indexed alone: give no other paths"))
    settings = _settings(index_dir)
    try:
        embedder = settings.embedder(model)
        indexer = Indexer(
            settings.location,
            embedder,
            commit_every=settings.commit_every,
            analyses=settings.analyses,
        )
        with Progress(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("articles"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task("index", total=None)
            if rebuild_:
                from index.rebuild import rebuild

                advance = partial(_advance, bar, task)
                report = rebuild(settings.location, embedder, advance, settings.analyses)
            elif stdin is not None:
                items = list(read_unnamed(stdin))
                report = indexer.index_items(items, progress=partial(_advance, bar, task))
            else:
                report = indexer.index_paths(paths or [], progress=partial(_advance, bar, task))
    except QAError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        err.print(
            "interrupted: the index keeps everything up to its last commit; "
            "run the same command again to finish",
            highlight=False,
        )
        raise typer.Exit(130) from None
    for failure in report.failures:
        err.print(f"[yellow]skipped[/yellow] {failure}", highlight=False)
    out.print(report.summary(), highlight=False, soft_wrap=True)
    _warn(report.warnings)
    if report.failed and not (report.added or report.updated or report.skipped):
        raise typer.Exit(2)


@app.command()
def ask(
    question: Annotated[
        str, typer.Argument(help="The question, in plain language; - reads one a line from stdin")
    ],
    index_dir: IndexDir = None,
    top_k: TopK = None,
    as_json: AsJson = False,
    source: Annotated[str | None, typer.Option(help="Only articles from this source")] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="Published on or after (ISO date)")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Published on or before (ISO date)")
    ] = None,
) -> None:
    """Answer a question with verbatim quotes and citations.

    With - for the question, each line of standard input is a question, answered in turn
    by the one loaded model (with --json, a JSON object a line)."""
    settings = _settings(index_dir)
    try:
        filters = SearchFilters(source=source, published_from=since, published_to=until)
    except ValidationError as exc:
        raise _fail(Exception(f"bad filter: {_problems(exc)}")) from None
    try:
        answerer = settings.answerer()
        _warn(answerer.retriever.store.warnings)
        if question == "-":
            _ask_each_line(answerer, top_k or settings.top_k, filters, as_json)
            return
        result = answerer.ask(question, top_k=top_k or settings.top_k, filters=filters)
    except QAError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        _print_result(result)


def _ask_each_line(answerer: Answerer, top_k: int, filters: SearchFilters, as_json: bool) -> None:
    """Answer each non-blank line of standard input; a question the service refuses is
    named on stderr by its line number, and the rest are answered (exit status 2)."""
    if sys.stdin.isatty():
        err.print("reading questions from standard input, one a line; end with Ctrl-D")
    refused = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            result = answerer.ask(line.strip(), top_k=top_k, filters=filters)
        except InvalidQueryError as exc:
            refused += 1
            err.print(
                f"[yellow]skipped[/yellow] line {number}: {escape(str(exc))}", highlight=False
            )
            continue
        if as_json:
            sys.stdout.write(result.model_dump_json() + "\n")
        else:
            out.print(f"[bold]{escape(result.question)}[/bold]", highlight=False)
            _print_result(result)
            out.print()
        sys.stdout.flush()
    if refused:
        raise typer.Exit(2)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for")],
    index_dir: IndexDir = None,
    top_k: TopK = None,
    as_json: AsJson = False,
) -> None:
    """Ranked passages with scores and citations, without answer extraction."""
    settings = _settings(index_dir)
    try:
        retriever = settings.retriever()
        _warn(retriever.store.warnings)
        passages = retriever.search(query, top_k or 5)
    except QAError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps([p.model_dump() for p in passages], indent=2) + "\n")
        return
    for p in passages:
        c = p.citation
        out.print(
            f"[bold]{p.score:.2f}[/bold] {c.title} [dim]({c.doc_id} {c.start}-{c.end})[/dim]",
            highlight=False,
        )
        out.print(f"  {p.text}", highlight=False)


@app.command()
def doc(
    doc_id: Annotated[str, typer.Argument(help="Article id")],
    index_dir: IndexDir = None,
    as_json: AsJson = False,
) -> None:
    """Print a stored article with its metadata."""
    settings = _settings(index_dir)
    try:
        store = settings.store()
        article = store.article(doc_id)
        store.close()
    except QAError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(article.model_dump_json(indent=2) + "\n")
        return
    out.print(f"[bold]{article.title}[/bold]", highlight=False)
    for key in ("doc_id", "url", "published", "source"):
        if getattr(article, key):
            out.print(f"[dim]{key}:[/dim] {getattr(article, key)}", highlight=False)
    if article.metadata:
        out.print(f"[dim]metadata:[/dim] {json.dumps(article.metadata)}", highlight=False)
    out.print()
    out.print(article.text, highlight=False, markup=False)


@app.command()
def delete(
    doc_id: Annotated[str, typer.Argument(help="Article id")],
    index_dir: IndexDir = None,
) -> None:
    """Remove one article and its passages from the index."""
    from index.indexer import delete_article

    settings = _settings(index_dir)
    try:
        store = settings.store()  # no model load: deleting embeds nothing
        deleted = delete_article(settings.location, store.model, store.dim, doc_id)
        store.close()
    except QAError as exc:
        raise _fail(exc) from None
    if not deleted:
        raise _fail(Exception(f"no article with id {doc_id!r}"))
    out.print(f"deleted {doc_id}", highlight=False)


@app.command()
def serve(
    index_dir: IndexDir = None,
    host: Annotated[
        str | None, typer.Option(help="Address (env QA_HOST; default 127.0.0.1)")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (env QA_PORT; default 8000)", min=1, max=65535)
    ] = None,
) -> None:
    """Run the HTTP API and the chat page."""
    import os

    import uvicorn

    settings = _settings(index_dir)
    host, port = host or settings.host, port or settings.port
    try:  # before the models load, which takes seconds on a large index
        check_listen(host, port)
    except OSError as exc:
        raise _fail(exc) from None
    os.environ["QA_INDEX_DIR"] = str(settings.index_dir)  # the app reads its own settings
    if settings.store_url is None:
        os.environ.pop("QA_STORE_URL", None)
    err.print(f"serving {describe(settings.location)} on http://{host}:{port}", highlight=False)
    # The app is named by string, so this package never imports api/.
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=settings.workers,
        log_level="info",
    )


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="SQuAD v1.1 or v2.0 JSON file")],
    baseline: Annotated[
        list[str] | None,
        typer.Option(help="Also run a single-signal baseline, bm25 or dense (repeatable)"),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N questions", min=1)] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            help="Build the temporary index in a scratch schema of this PostgreSQL database"
            " (pgvector) instead of a temporary directory"
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Measure answer quality on a SQuAD-format file (in a temporary index)."""
    from rich.table import Table

    from qa.evaluate import evaluate

    for name in baseline or []:
        if name not in ("bm25", "dense"):
            raise _fail(Exception(f"--baseline must be bm25 or dense, got {name!r}"))
    settings = _settings(None)
    if store_url is not None and not is_url(store_url):
        raise _fail(Exception(f"--store-url must be a postgresql:// URL, got {store_url!r}"))
    modes = ["hybrid", *dict.fromkeys(baseline or [])]
    try:
        embedder, spans = settings.embedder(new_index=True), settings.spans()
        reports = []
        for mode in modes:
            with Progress(
                TextColumn(f"eval {mode}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as bar:
                task = bar.add_task(mode, total=None)
                reports.append(
                    evaluate(
                        file,
                        embedder,
                        mode=mode,
                        limit=limit,
                        threshold=settings.threshold,
                        progress=partial(_advance, bar, task),
                        spans=spans,
                        late=settings.late_sentences,
                        store_url=store_url,
                    )
                )
    except QAError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps([r.model_dump() for r in reports], indent=2) + "\n")
        return
    table = Table(
        title=f"{file.name}: {reports[0].questions} questions, "
        f"{reports[0].paragraphs} paragraphs in one index"
    )
    table.add_column("metric")
    for r in reports:
        table.add_column(r.mode, justify="right")
    for name, value in reports[0].model_dump().items():
        if name in ("file", "mode", "version") or value is None:
            continue
        table.add_row(name, *(str(getattr(r, name)) for r in reports))
    out.print(table)


def _read_stdin() -> bytes:
    """Standard input, whole, up to the limit of a file."""
    if sys.stdin.isatty():
        err.print("reading articles from standard input; end with Ctrl-D", highlight=False)
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _fail(Exception("standard input holds more than 1 GiB; split it into files"))
    return data


def _advance(bar: Progress, task: TaskID, done: int, total: int) -> None:
    bar.update(task, completed=done, total=total)


def _print_result(result: AskResult) -> None:
    if result.no_answer:
        out.print("[yellow]No answer in the articles.[/yellow] Closest passages:")
        for p in result.related:
            out.print(f"  [dim]{p.citation.title}:[/dim] {p.text[:200]}", highlight=False)
        return
    for a in result.answers:
        c = a.citation
        out.print(
            f"[bold green]{a.text}[/bold green]  [dim](score {a.score:.2f})[/dim]", highlight=False
        )
        out.print(f"  “{a.sentence}”", highlight=False)
        out.print(
            f"  [dim]{c.title} · {c.doc_id} · chars {c.start}-{c.end}"
            f"{' · ' + c.url if c.url else ''}[/dim]",
            highlight=False,
        )


def main() -> None:
    """The `qa` command. A database that breaks mid-command (a page of a damaged index's
    SQLite file that opening it did not read) ends it with a message, not a traceback."""
    try:
        app()
    except sqlite3.DatabaseError as exc:
        raise SystemExit(_fail(Exception(database_failure(exc))).exit_code) from None


if __name__ == "__main__":
    main()
