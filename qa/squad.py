"""Reading a SQuAD v1.1 or v2.0 file: one article per paragraph, and its questions.

The file's shape is checked before anything is indexed, and so is every gold answer: its
text must stand at its `answer_start` in the paragraph, since answers are judged by offsets.
A file that fails says where, in the file's own terms (`data[0].paragraphs[2].context`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from index.document import Article
from index.errors import IngestError
from index.ingest import loads_json

_SHOWN = 3  # problems named in one error


@dataclass(frozen=True)
class Gold:
    qid: str
    question: str
    doc_id: str
    answers: list[tuple[str, int]]  # (text, start) in the paragraph
    impossible: bool


class _Answer(BaseModel):
    text: str
    answer_start: int


class _Question(BaseModel):
    id: Any
    question: str
    answers: list[_Answer] = []
    is_impossible: bool = False


class _Paragraph(BaseModel):
    context: str
    qas: list[_Question]


class _Entry(BaseModel):
    title: Any = None
    paragraphs: list[_Paragraph]


class _File(BaseModel):
    version: Any = "1.1"
    data: list[_Entry]


def load_squad(path: Path) -> tuple[str, list[Article], list[Gold]]:
    """Articles (one per paragraph) and questions from a SQuAD-format file."""
    try:
        parsed = _File.model_validate(loads_json(Path(path).read_text(encoding="utf-8")))
    except ValidationError as exc:
        shown = "; ".join(_problem(e) for e in exc.errors(include_url=False)[:_SHOWN])
        raise IngestError(f"{path}: not a readable SQuAD-format file ({shown})") from None
    except (OSError, ValueError) as exc:
        raise IngestError(f"{path}: not a readable SQuAD-format file ({exc})") from exc
    articles, golds, misplaced = [], [], []
    for a, entry in enumerate(parsed.data):
        for p, paragraph in enumerate(entry.paragraphs):
            doc_id = f"{a:03d}-{p:03d}"
            title = doc_id if entry.title is None else str(entry.title).replace("_", " ")
            articles.append(Article(doc_id=doc_id, title=title, text=paragraph.context))
            for qa in paragraph.qas:
                answers = [(x.text, x.answer_start) for x in qa.answers]
                misplaced += [
                    f"question {str(qa.id)!r}: {text!r} is not at {start}"
                    for text, start in answers
                    if start < 0 or paragraph.context[start : start + len(text)] != text
                ]
                impossible = qa.is_impossible or not answers
                golds.append(Gold(str(qa.id), qa.question, doc_id, answers, impossible))
    if misplaced:
        count = f"{len(misplaced)} gold answers are" if len(misplaced) > 1 else "a gold answer is"
        raise IngestError(
            f"{path}: {count} not where answer_start says in the paragraph's context, "
            f"counted in characters ({'; '.join(misplaced[:_SHOWN])})"
        )
    return str(parsed.version or "1.1"), articles, golds


def _problem(error: Any) -> str:
    """One of pydantic's errors in the file's terms: `data[0].paragraphs[2]`."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    where = where.lstrip(".")
    if error["type"] == "missing":
        parent, _, field = where.rpartition(".")
        return f"it lacks a {field!r} field" + (f" at {parent}" if parent else "")
    if error["type"] == "model_type":  # pydantic would name the class
        return f"{where or 'the file'}: should be a JSON object"
    return f"{where or 'the file'}: {error['msg']}"
