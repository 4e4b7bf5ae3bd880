"""Run a sentence-transformers model under ONNX Runtime: same vectors, a fraction of the time.

The model is exported once with torch (`export`) into a cache directory: the ONNX graph of
the transformer, its fast tokenizer and a small JSON file with the pooling. After that,
`OnnxEncoder` needs neither torch nor transformers, so a server starts faster and uses
less memory. Pooling (mean or CLS) and L2 normalisation are done here in numpy, exactly
as sentence-transformers does them; a test checks the vectors against the torch path.

Models this cannot reproduce (other pooling modes, extra modules such as a Dense layer, no
fast tokenizer) raise `UnsupportedModel`, and the caller falls back to torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

CONFIG = "encoder.json"
GRAPH = "model.onnx"
TOKENIZER = "tokenizer.json"
FORMAT = 2  # bump when the exported files change meaning (2: eager attention)
SHORT_TOKENS = 96  # a text alone runs on one thread up to this many tokens (OnnxEncoder)


class UnsupportedModel(Exception):
    """The model has parts this encoder does not reproduce; use the torch backend."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsqa" / "onnx"


STAGING_MAX_AGE = 3600  # seconds before an unfinished export counts as abandoned


def cache_key(source: str) -> str:
    """A directory name for one model source (a name, or a resolved path with its mtime)."""
    path = Path(source)
    digest = hashlib.sha1(f"{FORMAT}:{_stamp(source)}".encode()).hexdigest()[:12]
    slug = "".join(c if c.isalnum() else "-" for c in path.name or source)[-40:]
    return f"{slug}-{digest}"


def _stamp(source: str) -> str:
    origin = _origin(source)
    return f"{origin['path']}:{origin['mtime_ns']}" if origin else source


def _origin(source: str) -> dict[str, Any] | None:
    """The model directory an export is made from, and its modification time; None for a
    model given by name."""
    path = Path(source)
    if not path.exists():
        return None
    return {"path": str(path.resolve()), "mtime_ns": path.stat().st_mtime_ns}


def prune(cache_dir: Path, keep: Path) -> list[Path]:
    """Remove the exports in `cache_dir` that nothing can use any more; returns them.

    An export is stale when this code reads a newer format, or when the model directory it
    was made from is gone or has changed since (a reinstalled or upgraded model package
    keeps its path and gets a new modification time, and so a new export). Each export
    holds about 87 MB and each int8 copy 23 MB: without this the cache grows by that much
    at every reinstall. Exports of models given by name are kept, and so are exports made
    before they recorded their model directory, unless their format is old. Half-written
    exports that a crash left behind go once they are an hour old.
    """
    removed = []
    entries = sorted(cache_dir.iterdir()) if cache_dir.is_dir() else []
    for entry in entries:
        if not entry.is_dir() or entry == keep or entry.name.startswith(keep.name + "-"):
            continue
        if entry.name.startswith((".export-", ".quantize-")):
            stale = time.time() - entry.stat().st_mtime > STAGING_MAX_AGE
        else:
            stale = _stale(entry)
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _stale(entry: Path) -> bool:
    try:
        config = json.loads((entry / CONFIG).read_text())
    except (OSError, ValueError):
        return False  # not an export of ours, or one being written: leave it
    if not isinstance(config, dict):
        return False
    made = config.get("format")
    if isinstance(made, int) and made < FORMAT:
        return True
    origin = config.get("origin")
    if made != FORMAT or not isinstance(origin, dict):
        return False
    return _origin(str(origin.get("path"))) != origin  # gone, or changed since


def export(model: Any, target: Path, source: str | None = None) -> Path:
    """Export a loaded SentenceTransformer into `target` (atomically); returns `target`.

    `source` is where the model was loaded from; when it is a directory the export records
    it, so that `prune` can tell when the model has changed or gone."""
    import torch

    modules = list(model)
    if len(modules) not in (2, 3) or type(modules[0]).__name__ != "Transformer":
        raise UnsupportedModel(f"modules {[type(m).__name__ for m in modules]}")
    pooling = getattr(modules[1], "pooling_mode", None)
    if pooling not in ("mean", "cls"):
        raise UnsupportedModel(f"pooling mode {pooling!r}")
    if len(modules) == 3 and type(modules[2]).__name__ != "Normalize":
        raise UnsupportedModel(f"module {type(modules[2]).__name__}")
    tokenizer = model.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        raise UnsupportedModel("no fast tokenizer")
    inputs = [
        n
        for n in ("input_ids", "attention_mask", "token_type_ids")
        if n in tokenizer.model_input_names
    ]
    transformer = modules[0].auto_model.eval()

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            out = self.transformer(**dict(zip(inputs, args, strict=True)))
            return out.last_hidden_state  # type: ignore[no-any-return]

    sample = tokenizer(
        ["an example", "a longer example sentence"], padding=True, return_tensors="pt"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    # Traced from the plain ("eager") attention, ONNX Runtime runs the graph faster than from
    # torch's fused kernel (SDPA): 136 against 125 Reuters sentences/s, the same vectors.
    previous = getattr(transformer.config, "_attn_implementation", None)
    switch = previous not in (None, "eager") and hasattr(transformer, "set_attn_implementation")
    try:
        if switch:
            transformer.set_attn_implementation("eager")
        axes = {name: {0: "batch", 1: "tokens"} for name in [*inputs, "last_hidden_state"]}
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes about Python control flow
            torch.onnx.export(
                Graph(),
                tuple(sample[n] for n in inputs),
                str(staging / GRAPH),
                input_names=inputs,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        tokenizer.backend_tokenizer.save(str(staging / TOKENIZER))
        config = {
            "format": FORMAT,
            "inputs": inputs,
            "pooling": pooling,
            "max_tokens": int(model.max_seq_length),
            "pad_id": int(tokenizer.pad_token_id or 0),
            "pad_token": str(tokenizer.pad_token or "[PAD]"),
            "dim": int(transformer.config.hidden_size),
        }
        origin = _origin(source) if source is not None else None
        if origin is not None:
            config["origin"] = origin
        (staging / CONFIG).write_text(json.dumps(config, indent=2))
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if switch:
            transformer.set_attn_implementation(previous)
    return target


def quantize(source: Path, target: Path, per_channel: bool = True) -> Path:
    """An int8 copy of an exported model (dynamic quantisation of the weights).

    With a scale per output channel, the vectors keep a mean cosine of 0.991 to the float
    model's on 1,500 Reuters sentences (0.978 at worst), at the same speed; one scale per
    matrix, as before, gave 0.958 (0.870 at worst).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".quantize-", dir=target.parent))
    try:
        for name in (CONFIG, TOKENIZER):
            shutil.copy(source / name, staging / name)
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # its advice to pre-process the graph is noise here
        try:
            quantize_dynamic(
                str(source / GRAPH),
                str(staging / GRAPH),
                weight_type=QuantType.QInt8,
                per_channel=per_channel,
            )
        finally:
            root.setLevel(level)
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _publish(staging: Path, target: Path) -> None:
    """Move a finished export into place; if another process was first, keep theirs."""
    staging.chmod(0o755)
    try:
        os.replace(staging, target)
    except OSError:
        if not (target / CONFIG).exists():
            raise


class OnnxEncoder:
    """Encodes texts with an exported model directory; thread-safe.

    Every text runs through the model alone, so its vector never depends on the texts it is
    encoded with. Under int8 it would: the activations of a run are quantised as a whole, and
    on 400 Reuters sentences, each encoded in batches of 8 twice in different orders, a
    sentence came out at cosine 0.983 to itself at worst (mean 0.997). Many texts run
    `threads` at a time, each on a session of one thread. On this 2-core machine, 1,000
    Reuters sentences with their token vectors encoded at 195-211 a second in float and 505
    in int8 that way, against 158-177 and 387 in batches of 8 on two threads, in the same run.

    One text alone runs on one thread too when it is short (up to `SHORT_TOKENS` tokens, as
    questions are), and on all of them only when it is longer. Waking a second thread costs
    more than it saves on a short text: in int8, 17 tokens took 1.5-1.7 ms on one thread
    and 2.4 ms on two; 32 tokens 2.7 and 3.5, 64 tokens 5.1 and 6.0, 128 tokens 9.7 and 9.4,
    256 tokens 20.6 and 16.5. A server also answers several questions at once, each of which
    would otherwise wake threads for cores the others are using.
    """

    def __init__(self, directory: Path, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        config = json.loads((directory / CONFIG).read_text())
        if config.get("format") != FORMAT:
            raise UnsupportedModel(f"{directory} holds export format {config.get('format')}")
        self.directory = directory
        self.inputs: list[str] = config["inputs"]
        self.pooling: str = config["pooling"]
        self.dim = int(config["dim"])
        self.threads = threads or (os.cpu_count() or 1)
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER))
        self._tokenizer.enable_truncation(max_length=int(config["max_tokens"]))
        # Sessions by thread count, made on first use: a server that encodes short questions
        # only loads the model once, into the one-thread session that many texts at once
        # also run on (`threads` workers, each running one).
        self._sessions: dict[int, Any] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _open(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle worker threads sleep instead of spinning. A server runs several questions at
        # once, and spinning threads took the cores from each other: side by side on
        # Reuters over HTTP, 8 connections went from 28.1 and 28.0 questions/s to 32.6 and
        # 35.9, and 1 connection from 27 to 30-31, while in-process `ask` (78 ms p50) and
        # batch encoding (132 sentences/s) stayed where they were.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(
            str(self.directory / GRAPH), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, in the order of `texts`."""
        return self.encode_with_tokens(texts, tokens=False)[0]

    def encode_with_tokens(
        self, texts: Sequence[str], tokens: bool = True
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors, and each text's unit-length contextual token vectors (special tokens left
        out) from the same run when `tokens` is set."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        token_vectors: list[np.ndarray] = [np.zeros((0, self.dim), np.float32)] * len(texts)
        if len(texts) > 1 and self.threads > 1:
            session, pool = self.session(1), self._workers()
            runs = pool.map(lambda text: self._one(session, text, tokens), texts)
        else:
            runs = (self._one(None, text, tokens) for text in texts)
        for i, (vector, kept) in enumerate(runs):
            out[i] = vector
            if kept is not None:
                token_vectors[i] = kept
        return out, token_vectors

    def encode_soon(
        self, text: str, pool: Executor
    ) -> Future[tuple[np.ndarray, np.ndarray | None]]:
        """One text's vector and token vectors, encoded on one of `pool`'s threads. Returns
        once the model has begun to run there, so that the caller can go on with its own
        Python work meanwhile.

        Without that wait, the pool's thread would only start once the caller let go of
        Python's interpreter lock, which spaCy, parsing the question, rarely does: on
        Reuters, the model's run began 0.7 ms after the question came in (p50).
        """
        running = threading.Event()
        future = pool.submit(self._one, None, text, True, running)
        future.add_done_callback(lambda _: running.set())  # failed before running
        running.wait()
        return future

    def session(self, threads: int) -> Any:
        """The ONNX Runtime session that runs one text on `threads` threads (1 or `threads`),
        opened on first use. Sessions are safe to run from several threads at once."""
        with self._lock:
            found = self._sessions.get(threads)
            if found is None:
                found = self._sessions[threads] = self._open(threads)
            return found

    def _workers(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx-encode")
            return self._pool

    def _one(
        self, session: Any, text: str, tokens: bool, running: threading.Event | None = None
    ) -> tuple[np.ndarray, Any]:
        """One text's vector, and its token vectors if asked for; with no session given, on
        one thread if the text is short, else on all of them. `running` is set as the model
        begins, which lets go of the interpreter lock."""
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        if session is None:
            short = len(encoding.ids) <= SHORT_TOKENS
            session = self.session(1 if short else self.threads)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
        }
        feeds = {k: feeds[k] for k in self.inputs}
        if running is not None:
            running.set()
        hidden = np.asarray(session.run(None, feeds)[0])[0]
        pooled = hidden[0] if self.pooling == "cls" else hidden.mean(axis=0)
        vector = _unit(pooled[None, :])[0]
        if not tokens:
            return vector, None
        return vector, _unit(hidden[np.array(encoding.special_tokens_mask) == 0])


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.clip(norms, 1e-12, None), dtype=np.float32)
