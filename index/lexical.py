"""BM25 over passages from an inverted index held in memory and saved per generation.

FTS5's bm25() reads every row that holds any of the question's words through its
auxiliary-function API, one row at a time: 9 ms a question on Reuters-21578 (38,797
passages), growing with the collection. This index keeps, for each stem, the passages that
hold it and how often, and scores them with numpy: FTS5's own formula with the title
weighted 0.5 and the body 1.0 (k1 1.2, b 0.75, idf log((N - n + 0.5) / (n + 0.5)) floored
at 1e-6, the length counting title and body words), over the stems of index.tokens.

A `Lexicon` is immutable, so readers share it between threads; a writer collects its
changes in `LexiconChanges` and merges them at commit.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.schema import save_atomically
from index.tokens import stem_list

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 0.5
MIN_IDF = 1e-6
FLOOR_SAMPLE = 4  # postings read for the floor, per passage wanted (Lexicon._floor)
# Postings find their passage's row through a table by id while the highest id is below
# this many times the passages (ids are never reused: deletions leave gaps), else by search.
DENSE_IDS = 8
_ARRAYS = ("vocab", "term", "pid", "freq", "pids", "lengths")

Ids = npt.NDArray[np.int64]


def passage_terms(title: str, body: str) -> tuple[dict[str, float], int]:
    """Each stem's weighted frequency in a passage (a title word counts TITLE_WEIGHT) and
    the passage's length in words, title and body."""
    title_stems, body_stems = stem_list(title), stem_list(body)
    freq: dict[str, float] = {}
    for s in title_stems:
        freq[s] = freq.get(s, 0.0) + TITLE_WEIGHT
    for s in body_stems:
        freq[s] = freq.get(s, 0.0) + 1.0
    return freq, len(title_stems) + len(body_stems)


class Lexicon:
    """Postings by term, each a passage and the stem's weighted frequency in it, with the
    saturated term frequency BM25 needs precomputed; built from postings sorted by (term,
    passage id)."""

    def __init__(
        self,
        vocab: list[str],
        starts: Ids,
        doc: npt.NDArray[np.int32],
        freq: npt.NDArray[np.float32],
        pids: Ids,
        lengths: npt.NDArray[np.int32],
    ) -> None:
        """`starts`: where each term's postings start (and where the last ends); `doc`:
        each posting's passage row in `pids` (lexicon() makes them of (term, passage id)
        postings)."""
        self.vocab = vocab
        self.pids, self.lengths = pids, lengths  # every passage, sorted by id
        self.freq = freq
        self._rows = {t: i for i, t in enumerate(self.vocab)}
        self._starts = starts
        # Postings point at passage rows, not ids: int32 and ready to index the scores.
        self._doc = doc
        avgdl = max(float(lengths.mean()), 1e-9) if len(lengths) else 1.0
        # K1 * (1 - B + B * length / avgdl) per passage, then per posting: float32 throughout,
        # since a temporary per posting costs memory the allocator may keep.
        norm = (K1 * (1 - B + B * lengths.astype(np.float32) / avgdl)).astype(np.float32)
        saturated = norm[self._doc]
        saturated += freq
        np.divide(freq * np.float32(K1 + 1), saturated, out=saturated)
        self._saturated = saturated

    @property
    def term(self) -> npt.NDArray[np.int32]:
        """Each posting's row in the vocabulary."""
        counts = np.diff(self._starts)
        return np.repeat(np.arange(len(self.vocab), dtype=np.int32), counts)

    @property
    def pid(self) -> Ids:
        """Each posting's passage id."""
        return self.pids[self._doc]

    @classmethod
    def empty(cls) -> Lexicon:
        no_ids, none = np.zeros(0, np.int64), np.zeros(0, np.int32)
        return cls([], np.zeros(1, np.int64), none, np.zeros(0, np.float32), no_ids, none)

    def __len__(self) -> int:
        return len(self.pids)

    def document_frequency(self, term: str) -> int:
        """How many passages hold the stem."""
        row = self._rows.get(term)
        return 0 if row is None else int(self._starts[row + 1] - self._starts[row])

    def search(
        self, terms: Iterable[str], k: int, allowed: Ids | None = None
    ) -> list[tuple[int, float]]:
        """The top-k passages by BM25 for any of the stems, best first; ties go to the lower
        id. `allowed` restricts them to those passage ids."""
        if k <= 0:
            return []
        n = len(self.pids)
        spans = self._spans(terms)
        scores = np.zeros(n, dtype=np.float64)
        for lo, hi in spans:
            idf = max(math.log((n - (hi - lo) + 0.5) / ((hi - lo) + 0.5)), MIN_IDF)
            scores[self._doc[lo:hi]] += idf * self._saturated[lo:hi]
        # Every posting adds more than nothing (idf >= MIN_IDF, frequency > 0), so the
        # passages that match are the positive scores. Common words match most passages,
        # so a floor is set first: the k-th best score among the passages of the rarest
        # words, which the k-th best of all cannot be below. Only the passages at or above
        # it are ranked (4x faster on 190,000 passages).
        floor = self._floor(scores, spans, k) if allowed is None else 0.0
        rows = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores > 0)
        if allowed is not None:
            rows = rows[np.isin(self.pids[rows], allowed)]
        if len(rows) > k:  # the best k and every passage tied with the k-th, for the ids
            kth = np.partition(scores[rows], len(rows) - k)[len(rows) - k]
            rows = rows[scores[rows] >= kth]
        best = rows[np.lexsort((rows, -scores[rows]))][:k]
        return [(int(self.pids[r]), float(scores[r])) for r in best]

    def _spans(self, terms: Iterable[str]) -> list[tuple[int, int]]:
        """Where each distinct stem's postings start and end; stems no passage holds are
        left out."""
        rows = (self._rows.get(term) for term in dict.fromkeys(terms))
        return [(int(self._starts[r]), int(self._starts[r + 1])) for r in rows if r is not None]

    def _floor(
        self, scores: npt.NDArray[np.float64], spans: list[tuple[int, int]], k: int
    ) -> float:
        """A score the k-th best passage reaches: the k-th best among the passages of the
        rarest terms (a few times k postings), or 0 when they hold fewer than k passages."""
        some, count = [], 0
        for lo, hi in sorted(spans, key=lambda span: span[1] - span[0]):
            some.append(self._doc[lo:hi])
            count += hi - lo
            if count >= FLOOR_SAMPLE * k:
                break
        if not some:
            return 0.0
        rows = some[0] if len(some) == 1 else np.unique(np.concatenate(some))
        if len(rows) < k:
            return 0.0
        return float(np.partition(scores[rows], len(rows) - k)[len(rows) - k])

    def save(self, path: Path) -> None:
        """Write atomically (schema.save_atomically)."""
        save_atomically(path, self._write)

    def _write(self, path: Path) -> None:
        with open(path, "wb") as handle:  # a handle: given a name, numpy would add ".npz"
            np.savez(
                handle,
                # Stems are words, so a newline separates them; fixed-width strings would
                # pad every stem to the longest.
                vocab=np.frombuffer("\n".join(self.vocab).encode("utf-8"), dtype=np.uint8),
                term=self.term,
                pid=self.pid,
                freq=self.freq,
                pids=self.pids,
                lengths=self.lengths,
            )


def lexicon(
    vocab: Sequence[str],
    term: npt.NDArray[np.int32],
    pid: Ids,
    freq: npt.NDArray[np.float32],
    pids: Ids,
    lengths: npt.NDArray[np.int32],
) -> Lexicon:
    """A lexicon of postings sorted by (term, passage id): each one's row in the vocabulary
    and passage id, with every passage's id (sorted) and length."""
    starts = np.searchsorted(term, np.arange(len(vocab) + 1)).astype(np.int64)
    return Lexicon(list(vocab), starts, _rows(pids, pid), freq, pids, lengths)


def _rows(pids: Ids, pid: Ids) -> npt.NDArray[np.int32]:
    """Where each posting's passage id is in `pids` (sorted). Through a table by id where
    the ids are dense enough: on Reuters' 2.2 million postings 0.004 s against 0.09-0.19 s
    for a binary search each, and a lexicon is made at each open, write and refresh."""
    top = int(pids[-1]) if len(pids) else -1
    if len(pid) and 0 <= int(pid.min()) and int(pid.max()) <= top < DENSE_IDS * len(pids):
        where = np.zeros(top + 1, dtype=np.int32)
        where[pids] = np.arange(len(pids), dtype=np.int32)
        return where[pid]
    return np.searchsorted(pids, pid).astype(np.int32)


def load(path: Path) -> Lexicon:
    """Read a saved lexicon; raises OSError or ValueError when the file is unusable."""
    if not path.exists():
        raise OSError(f"missing BM25 file {path.name}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
        text = arrays["vocab"].astype(np.uint8).tobytes().decode("utf-8")
    except (KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path.name} is not a BM25 file: {exc}") from exc
    vocab = text.split("\n") if text else []
    if not len(arrays["term"]) == len(arrays["pid"]) == len(arrays["freq"]):
        raise ValueError(f"{path.name} has postings of unequal lengths")
    if len(arrays["term"]) and int(arrays["term"].max()) >= len(vocab):
        raise ValueError(f"{path.name} has postings for terms it does not list")
    if len(arrays["pids"]) != len(arrays["lengths"]):
        raise ValueError(f"{path.name} has passages of unequal lengths")
    return lexicon(
        vocab,
        np.asarray(arrays["term"], dtype=np.int32),
        np.asarray(arrays["pid"], dtype=np.int64),
        np.asarray(arrays["freq"], dtype=np.float32),
        np.asarray(arrays["pids"], dtype=np.int64),
        np.asarray(arrays["lengths"], dtype=np.int32),
    )


@dataclass
class LexiconChanges:
    """Passages added and removed since a lexicon, merged into a new one by `apply`."""

    terms: list[str] = field(default_factory=list)
    pid: list[int] = field(default_factory=list)
    freq: list[float] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    removed: set[int] = field(default_factory=set)

    def add(self, pid: int, title: str, body: str) -> None:
        freq, length = passage_terms(title, body)
        self.terms.extend(freq)
        self.pid.extend([pid] * len(freq))
        self.freq.extend(freq.values())
        self.pids.append(pid)
        self.lengths.append(length)

    def remove(self, pids: Iterable[int]) -> None:
        self.removed.update(int(p) for p in pids)

    def __bool__(self) -> bool:
        return bool(self.pids or self.removed)

    def apply(self, base: Lexicon) -> Lexicon:
        """`base` with these passages removed and added: a new lexicon.

        The base's postings are sorted already and the new ones are few, so they are merged
        in place rather than all sorted again (a passage added to Reuters' 2.2 million
        postings: 0.39-0.43 s sorting, against 0.15 s merging)."""
        removed = np.fromiter(self.removed, dtype=np.int64, count=len(self.removed))
        if not self.pids or min(self.pids) > int(base.pids.max(initial=-1)):
            return self._appended(base, removed)
        base_term, base_pid = base.term, base.pid
        keep = ~np.isin(base_pid, removed) if len(removed) else np.ones(len(base_pid), bool)
        new_pid = np.array(self.pid, dtype=np.int64)
        keep_new = ~np.isin(new_pid, removed)
        vocab, new_term = self._vocabulary(base)
        old_term, old_pid, old_freq = base_term[keep], base_pid[keep], base.freq[keep]
        new_term, new_pid = new_term[keep_new], new_pid[keep_new]
        new_freq = np.array(self.freq, np.float32)[keep_new]
        # Terms no passage holds any more are dropped, so the vocabulary does not grow; the
        # others keep their order, so the kept postings stay sorted by (term, passage).
        held = np.zeros(len(vocab), dtype=bool)
        held[old_term] = True
        held[new_term] = True
        row_of = np.cumsum(held, dtype=np.int64) - 1
        vocab = [t for t, h in zip(vocab, held.tolist(), strict=True) if h]
        term, pid, freq = _merged(
            (row_of[old_term], old_pid, old_freq), (row_of[new_term], new_pid, new_freq)
        )
        added = np.array(self.pids, dtype=np.int64)
        pids = np.concatenate([base.pids, added])
        lengths = np.concatenate([base.lengths, np.array(self.lengths, np.int32)])
        live = ~np.isin(pids, removed)
        by_id = np.argsort(pids[live], kind="stable")
        return lexicon(vocab, term, pid, freq, pids[live][by_id], lengths[live][by_id])

    def _vocabulary(self, base: Lexicon) -> tuple[list[str], Ids]:
        """The base's vocabulary with the new terms after it, and each added posting's row."""
        vocab, rows = list(base.vocab), dict(base._rows)
        new_term = np.empty(len(self.terms), dtype=np.int64)
        for i, t in enumerate(self.terms):
            row = rows.get(t)
            if row is None:
                row = rows[t] = len(vocab)
                vocab.append(t)
            new_term[i] = row
        return vocab, new_term

    def _appended(self, base: Lexicon, removed: Ids) -> Lexicon:
        """`apply` where every added passage has a higher id than the base's (a writer's
        ids only grow): each new posting goes at the end of its term's postings, so the
        base's arrays are copied once, never keyed, sorted or searched. Reuters x5, 11
        million postings, one passage added: 5.6 s for the general merge, whose many
        temporaries of that size are what cost."""
        vocab, new_term = self._vocabulary(base)
        new_pid, new_freq = np.array(self.pid, np.int64), np.array(self.freq, np.float32)
        added, added_lengths = np.array(self.pids, np.int64), np.array(self.lengths, np.int32)
        counts = np.zeros(len(vocab), dtype=np.int64)
        counts[: len(base.vocab)] = np.diff(base._starts)
        doc, freq, pids, lengths = base._doc, base.freq, base.pids, base.lengths
        if len(removed):
            dead = np.isin(pids, removed)
            if dead.any():
                gone = dead[doc]  # the postings of removed passages
                where = np.flatnonzero(gone)
                counts -= np.bincount(
                    np.searchsorted(base._starts, where, side="right") - 1, minlength=len(vocab)
                )
                row_of = (np.cumsum(~dead) - 1).astype(np.int32)
                doc, freq = row_of[doc[~gone]], freq[~gone]
                pids, lengths = pids[~dead], lengths[~dead]
            fresh = ~np.isin(new_pid, removed)
            new_term, new_pid, new_freq = new_term[fresh], new_pid[fresh], new_freq[fresh]
            live = ~np.isin(added, removed)
            added, added_lengths = added[live], added_lengths[live]
        by_id = np.argsort(added, kind="stable")
        added, added_lengths = added[by_id], added_lengths[by_id]
        order = np.lexsort((new_pid, new_term))
        new_term, new_pid, new_freq = new_term[order], new_pid[order], new_freq[order]
        ends = np.cumsum(counts)  # where each term's kept postings end
        new_doc = (len(pids) + np.searchsorted(added, new_pid)).astype(np.int32)
        doc = np.insert(doc, ends[new_term], new_doc)
        freq = np.insert(freq, ends[new_term], new_freq)
        counts += np.bincount(new_term, minlength=len(vocab))
        # Terms no passage holds any more are dropped; the others keep their order.
        held = counts > 0
        vocab = [t for t, h in zip(vocab, held.tolist(), strict=True) if h]
        starts = np.concatenate([[0], np.cumsum(counts[held])]).astype(np.int64)
        return Lexicon(
            vocab,
            starts,
            doc,
            freq,
            np.concatenate([pids, added]),
            np.concatenate([lengths, added_lengths]),
        )


Postings = tuple[npt.NDArray[np.int64], Ids, npt.NDArray[np.float32]]  # term, passage, freq


def _merged(
    old: Postings, new: Postings
) -> tuple[npt.NDArray[np.int32], Ids, npt.NDArray[np.float32]]:
    """Postings sorted by (term, passage id): `old` is sorted already and `new` is merged
    into it. Added passages have new ids, so no new posting ties with an old one."""
    top_pid = max(int(old[1].max(initial=0)), int(new[1].max(initial=0)))
    top_term = max(int(old[0].max(initial=0)), int(new[0].max(initial=0)))
    shift = max(1, top_pid.bit_length())
    if shift + max(1, top_term.bit_length()) > 62:  # one int64 key cannot hold both
        term, pid = np.concatenate([old[0], new[0]]), np.concatenate([old[1], new[1]])
        order = np.lexsort((pid, term))
        freq = np.concatenate([old[2], new[2]])
        return term[order].astype(np.int32), pid[order], freq[order]
    old_key = old[0] << shift | old[1]
    new_key = new[0] << shift | new[1]
    order = np.argsort(new_key, kind="stable")
    at = np.searchsorted(old_key, new_key[order])
    key = np.insert(old_key, at, new_key[order])
    freq = np.insert(old[2], at, new[2][order])
    return (key >> shift).astype(np.int32), key & ((1 << shift) - 1), freq


def build(passages: Iterable[tuple[int, str, str]]) -> Lexicon:
    """A lexicon of (passage id, title, body) triples."""
    changes = LexiconChanges()
    for pid, title, body in passages:
        changes.add(pid, title, body)
    return changes.apply(Lexicon.empty())
