"""An optional extractive-QA model for answer spans (`QA_READER_MODEL`).

Where a user has a Hugging Face extractive-QA model (for example a SQuAD 2.0 fine-tune),
it picks the span inside the chosen sentence instead of the rule-based finder. The span
is decoded from the model's start/end logits over the sentence's tokens and mapped back
to character offsets, so answers stay verbatim.
"""

from __future__ import annotations

from typing import Any, Protocol

from index.embed import quiet_model_loading
from index.errors import ModelLoadError

MAX_ANSWER_TOKENS = 30


class SpanReader(Protocol):
    """Finds the answer span inside a sentence: (start, end) offsets, or None."""

    def read(self, question: str, sentence: str) -> tuple[int, int] | None: ...


class TransformersReader:
    """A transformers `AutoModelForQuestionAnswering`, run on the CPU."""

    def __init__(self, model: str) -> None:
        quiet_model_loading()
        try:
            import torch
            from transformers import AutoModelForQuestionAnswering, AutoTokenizer

            self._torch: Any = torch
            self._tokenizer: Any = AutoTokenizer.from_pretrained(model)
            self._model: Any = AutoModelForQuestionAnswering.from_pretrained(model).eval()
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load reader model {model!r}: {exc}") from exc
        self.name = model

    def read(self, question: str, sentence: str) -> tuple[int, int] | None:
        encoded = self._tokenizer(
            question,
            sentence,
            truncation="only_second",
            max_length=384,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping")[0].tolist()
        context = [i for i, s in enumerate(encoded.sequence_ids(0)) if s == 1]
        if not context:
            return None
        with self._torch.no_grad():
            output = self._model(**encoded)
        starts = output.start_logits[0].tolist()
        ends = output.end_logits[0].tolist()
        best: tuple[float, int, int] | None = None
        for i in context:
            for j in context:
                if i <= j < i + MAX_ANSWER_TOKENS:
                    score = starts[i] + ends[j]
                    if best is None or score > best[0]:
                        best = (score, i, j)
        if best is None:
            return None
        start, end = offsets[best[1]][0], offsets[best[2]][1]
        return (start, end) if end > start and sentence[start:end].strip() else None
