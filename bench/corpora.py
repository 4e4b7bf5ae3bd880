"""The bench's corpora, read the way users' files are read, and its fixed question lists."""

from __future__ import annotations

from pathlib import Path

from bench.server import ROOT
from index.document import Article
from index.ingest import Failure, read_path

FILES = {
    "bbc": "bbc-news.jsonl.gz",
    "reuters": "reuters-21578.jsonl.gz",
}
COPIES = 5  # "reuters5": Reuters and four copies of it under new ids


def load(name: str, corpora: Path, limit: int | None = None) -> list[Article]:
    """Articles of one corpus: seeds, bbc, reuters or reuters5; the first `limit` only."""
    if name == "seeds":
        articles = _read(ROOT / "seeds")
    elif name in FILES:
        articles = _read(corpora / FILES[name])
    elif name == "reuters5":
        base = load("reuters", corpora, limit)
        # Copies need new text as well as new ids: the indexer skips exact duplicates.
        return base + [
            a.model_copy(update={"doc_id": f"{a.doc_id}~{n}", "text": f"{a.text}\n\n(Copy {n}.)"})
            for n in range(2, COPIES + 1)
            for a in base
        ]
    else:
        raise SystemExit(f"unknown corpus {name!r}: seeds, {', '.join(FILES)} or reuters5")
    return articles[:limit] if limit else articles


def _read(path: Path) -> list[Article]:
    if not path.exists():
        raise SystemExit(f"{path} does not exist; pass --corpora DIR")
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    root = path if path.is_dir() else path.parent
    return [item for f in files for item in read_path(f, root) if not isinstance(item, Failure)]


def questions_from_titles(articles: list[Article], count: int = 50) -> list[str]:
    """A fixed list: the titles of `count` evenly spaced articles, asked as questions."""
    if not articles:
        return []
    step = max(1, len(articles) // count)
    titles = [a.title.strip() for a in articles[::step] if a.title.strip()][:count]
    return [f"What happened: {t.rstrip('.?!')}?" for t in titles]


def fresh_questions(articles: list[Article], count: int, asked: list[str]) -> list[str]:
    """Up to `count` title questions that are not in `asked`: for a load run in which no
    question comes twice, so that no memo of an earlier answer helps."""
    seen = set(asked)
    return [q for q in questions_from_titles(articles, count + len(asked)) if q not in seen][:count]
