"""Read files and folders of news articles into Article records.

Supported: .txt, .md, .html/.htm, .json (an object or a list of objects), .jsonl, and any
of these gzipped (.gz). A bad file or line becomes a Failure that names it; the rest of
the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import trafilatura
from dateutil import parser as dateparser

from index.clean import headline
from index.decode import decode_text, gunzip
from index.document import Article, storage_problem
from index.errors import IngestError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES

ID_KEYS = ("id", "doc_id", "newid", "guid")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link")
DATE_KEYS = ("published", "date", "published_at", "publishedAt", "pubDate")

# The most a file may hold, or unpack to when gzipped: 1 GiB, about 40 times Reuters-21578
# as JSON lines. A file is read whole before its articles are indexed.
MAX_FILE_BYTES = 1 << 30


@dataclass(frozen=True)
class Failure:
    """An input that could not be ingested, with where it came from."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


def format_of(path: PurePath) -> str:
    """The inner suffix that decides the parser: 'a.jsonl.gz' -> '.jsonl'."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every supported file under the given paths, sorted."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if format_of(file) in SUPPORTED and not file.name.startswith("."):
                    yield file, path
        else:
            yield path, path.parent


def read_path(
    file: Path, root: Path, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[Article | Failure]:
    """Parse one file into articles, or a Failure for the file or for each bad line. A file
    over `max_bytes` (or unpacking to more), or one that is not a regular file, is a
    Failure."""
    name = str(file)
    try:
        data = read_file(file, max_bytes)
        if file.suffix.lower() == ".gz":
            data = gunzip(data, max_bytes=max_bytes)
        kind = format_of(file)
        if kind and kind not in SUPPORTED:
            raise IngestError(
                f"unsupported file type {kind or '(none)'!r}; "
                f"use one of {', '.join(sorted(SUPPORTED))} (optionally .gz)"
            )
    except OSError as exc:
        yield Failure(name, f"cannot read file ({exc.strerror or exc})")
        return
    except IngestError as exc:
        yield Failure(name, str(exc))
        return
    yield from read_bytes(
        data, kind, doc_id=_path_id(file, root), source=readable_name(file.name), name=name
    )


def read_file(file: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`. A device, FIFO or socket is
    refused before it is read: /dev/zero and /dev/urandom never end, and a FIFO waits for
    a writer. It is opened without blocking, so even a FIFO's open returns at once."""
    handle = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as f:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise IngestError(f"not a regular file but {_file_kind(mode)}")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IngestError(
            f"file is larger than the limit of {_size(max_bytes)}; split it into smaller files"
        )
    return data


def _file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((text for test, text in kinds if test(mode)), "a special file")


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def read_bytes(
    data: bytes, kind: str, doc_id: str, source: str, name: str
) -> Iterator[Article | Failure]:
    """Parse the content of one file of a kind ('.txt', '.html', '.jsonl', ...) into articles.
    A file whose name has no suffix (kind '') is of the kind its content shows (`sniff_kind`)."""
    try:
        text = decode_text(data)
        kind = kind or sniff_kind(text)
        if kind in TEXT_SUFFIXES:
            yield _text_article(text, doc_id, source)
        elif kind in HTML_SUFFIXES:
            yield _html_article(text, doc_id, source)
        elif kind == ".json":
            yield from _json_articles(text, doc_id, source)
        elif kind in JSON_SUFFIXES:
            yield from _jsonl_articles(text, doc_id, source, name)
        else:
            raise IngestError(f"unsupported kind {kind!r}")
    except IngestError as exc:
        yield Failure(name, str(exc))


def read_unnamed(data: bytes, name: str = "stdin") -> Iterator[Article | Failure]:
    """Articles from bytes without a file name (standard input): gzip, JSON, JSON lines,
    HTML or text, told apart by their content (`sniff_kind`). An article without an id of
    its own gets `name` and the first 12 hex digits of the content's SHA-256, so the same
    text sent twice is one article, and two texts are two."""
    try:
        if data[:2] == b"\x1f\x8b":
            data = gunzip(data, max_bytes=MAX_FILE_BYTES)
    except IngestError as exc:
        yield Failure(name, str(exc))
        return
    doc_id = f"{name}-{hashlib.sha256(data).hexdigest()[:12]}"
    yield from read_bytes(data, "", doc_id=doc_id, source=name, name=name)


_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|article|p|div)\b", re.IGNORECASE)


_LEADING_SPACE = re.compile("[\ufeff \t\r\n]*")
_NON_BLANK = re.compile(r"\S")
_SPACE = re.compile(r"\s*")


def sniff_kind(text: str) -> str:
    """The kind of a text without a file name: '.jsonl' when its first line is a JSON
    object and more follows, '.json' for another object or a list of them, '.html' for a
    page, else '.txt' ("[Reuters] Police arrived …" too). Only the first line is parsed
    here, and nothing is copied but it (the input may be 1 GiB); the reader parses the
    rest, and names where it is malformed."""
    at = _LEADING_SPACE.match(text).end()  # type: ignore[union-attr]  # matches "" at least
    opening = text[at : at + 1]
    if opening == "{":
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        try:
            loads_json(text[at:line_end])
        except json.JSONDecodeError:
            return ".json"  # an object over several lines, or a malformed one
        return ".jsonl" if _NON_BLANK.search(text, line_end) else ".json"
    if opening == "[":
        after = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
        if text[after : after + 1] in ("{", "]"):
            return ".json"
    if opening == "<" and _HTML_START.match(text, at):
        return ".html"
    return ".txt"


def _path_id(file: Path, root: Path) -> str:
    try:
        relative = file.relative_to(root)
    except ValueError:
        relative = Path(file.name)
    stem = relative.as_posix()
    for suffix in reversed(relative.suffixes):
        stem = stem.removesuffix(suffix)
    return readable_name(stem or file.name)


def readable_name(name: str) -> str:
    """A file name as one line of text. The bytes of a name that is not UTF-8 ("caf\xe9.txt"
    written in Latin-1), which Python keeps as lone surrogates that no text field may hold,
    and control characters (a newline, a tab), become %XX escapes ("caf%E9", "new%0Aline"),
    so that each name still gives an id of its own."""
    return _ESCAPED.sub(lambda m: f"%{_byte(m.group()):02X}", name)


def _byte(char: str) -> int:
    code = ord(char)
    return code - 0xDC00 if code >= 0xDC00 else code


_ESCAPED = re.compile("[\udc80-\udcff\x00-\x1f\x7f]")


def _title_from_id(doc_id: str) -> str:
    """A title from the file's name: no separators, control characters or runs of space."""
    name = doc_id.rsplit("/", 1)[-1].replace("_", " ").replace("-", " ")
    return " ".join(_CONTROL.sub(" ", name).split())


# Control characters, and the escapes readable_name writes for them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]|%(?:[01][0-9A-F]|7F)")


def _text_article(text: str, doc_id: str, source: str) -> Article:
    if not text.strip():
        raise IngestError("file has no text")
    title = headline(text) or _title_from_id(doc_id)
    if title.startswith("#"):
        title = title.lstrip("#").strip()
    return Article(doc_id=doc_id, text=text, title=title, source=source)


def _html_article(html: str, doc_id: str, source: str) -> Article:
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise IngestError("no article text could be extracted from the HTML")
    return Article(
        doc_id=doc_id,
        text=doc.text,
        title=doc.title or headline(doc.text) or _title_from_id(doc_id),
        url=doc.url,
        published=normalise_date(doc.date),
        source=doc.sitename or source,
    )


def loads_json(text: str) -> Any:
    """json.loads as JSON itself reads: NaN, Infinity and numbers past a float's range
    (which Python's json writes and reads, and no JSON response can carry) are null.
    JSON nested past Python's recursion limit, or with an integer longer than Python
    converts (4,300 digits), is a JSONDecodeError."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_or_none)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # int() refusing a huge literal
        raise json.JSONDecodeError("a number has too many digits", text, 0) from None


def _no_constant(_: str) -> None:
    return None


def _finite_or_none(literal: str) -> float | None:
    value = float(literal)
    return value if math.isfinite(value) else None


def _json_articles(text: str, doc_id: str, source: str) -> Iterator[Article]:
    try:
        value = loads_json(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"malformed JSON at line {exc.lineno}: {exc.msg}") from exc
    records = value if isinstance(value, list) else [value]
    if len(records) == 1:
        yield article_from_record(records[0], default_id=doc_id, source=source)
        return
    for number, record in enumerate(records, start=1):
        yield article_from_record(record, default_id=f"{doc_id}-{number}", source=source)


def _jsonl_articles(text: str, doc_id: str, source: str, name: str) -> Iterator[Article | Failure]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = loads_json(line)
        except json.JSONDecodeError as exc:
            yield Failure(name, f"malformed JSON: {exc.msg}", number)
            continue
        try:
            yield article_from_record(record, default_id=None, source=source, id_prefix=doc_id)
        except IngestError as exc:
            yield Failure(name, str(exc), number)


def read_records(records: Iterable[Any], source: str) -> list[Article | Failure]:
    """Articles from JSON-like records (an API body, a library caller's dicts), each record
    that is not a usable article a Failure at its index; Articles pass through as they are."""
    items: list[Article | Failure] = []
    for n, record in enumerate(records):
        if isinstance(record, Article):
            items.append(record)
            continue
        try:
            items.append(article_from_record(record, default_id=None, source=source))
        except IngestError as exc:
            items.append(Failure("articles", str(exc), n))
    return items


def article_from_record(
    record: Any, default_id: str | None, source: str, id_prefix: str = ""
) -> Article:
    """Build an Article from a JSON object; `text` is required, unknown keys become metadata."""
    if not isinstance(record, dict):
        raise IngestError(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError("object has no 'text' (a non-empty string is required)")
    problem = storage_problem(record)
    if problem is not None:
        raise IngestError(f"the object cannot be stored: {problem}")
    record = _finite(record)  # NaN from a JSON body as loads_json reads it: null
    used: set[str] = {"text"}
    given_id = _first(record, ID_KEYS, used)
    if isinstance(given_id, bool) or not isinstance(given_id, str | int | float | None):
        raise IngestError(f"its id must be a string or a number, got {given_id!r}")
    if given_id is not None and str(given_id).strip():
        doc_id = str(given_id).strip()
    elif default_id is not None:
        doc_id = default_id
    else:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        doc_id = f"{id_prefix}-{digest}" if id_prefix else digest
    raw_date = _first(record, DATE_KEYS, used)
    title = _first(record, TITLE_KEYS, used)
    url = _first(record, URL_KEYS, used)
    given_source = _first(record, ("source", "publisher"), used)
    metadata = {k: v for k, v in record.items() if k not in used}
    published = normalise_date(raw_date)
    if raw_date is not None and published is None:
        metadata["date"] = raw_date
    return Article(
        doc_id=doc_id,
        text=text,
        title=str(title).strip() if title else (headline(text) or _title_from_id(doc_id)),
        url=str(url) if url else None,
        published=published,
        source=str(given_source) if given_source else source,
        metadata=metadata,
    )


def _finite(value: Any) -> Any:
    """The value with every NaN or infinite float inside it as None (nesting is bounded by
    storage_problem, checked first)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _first(record: dict[str, Any], keys: tuple[str, ...], used: set[str]) -> Any:
    for key in keys:
        if key in record:
            used.add(key)  # a known key left null or empty is not kept as metadata
            if record[key] not in (None, ""):
                return record[key]
    return None


def normalise_date(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) from whatever date string a feed carries, or None."""
    if value is None:
        return None
    try:
        return str(dateparser.parse(str(value), fuzzy=False).date().isoformat())
    except (ValueError, OverflowError, TypeError):
        return None
