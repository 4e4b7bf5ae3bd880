"""Soak: `POST /ask` at saturation for a long time, counting errors and watching memory.

    python -m bench.soak [--index-dir DIR] [--minutes 10] [--connections 8] [--out DIR]

Without --index-dir it indexes seeds/ into a temporary directory first. wrk drives a real
uvicorn server on loopback in back-to-back slices; after each slice the server's resident
memory is read from /proc. The report (markdown and JSON) has the error count, the
throughput and latency per slice, and the memory curve. Memory "stops growing" when the
last third of the run grows by less than 2% over its own start.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import wrk
from bench.server import ROOT, Server, questions, serve

WARM_UP_FRACTION = 1 / 3  # the share of slices before memory is judged
FLAT = 0.02  # growth allowed over the judged part, as a fraction


@dataclass
class Slice:
    at_s: float
    requests: int
    errors: int
    per_second: float
    p50_ms: float
    p99_ms: float
    rss_mb: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, help="index to serve (default: seeds/)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--slice-seconds", type=float, default=30.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--questions", type=Path, default=ROOT / "bench/questions/seeds.txt")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results")
    args = parser.parse_args(argv)
    wrk.require_wrk()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qa-soak-") as tmp:
        index_dir = args.index_dir or _index_seeds(Path(tmp) / "index")
        script = wrk.write_script(questions(args.questions), Path(tmp) / "ask.lua")
        with serve(index_dir, args.out / "soak-server.log") as server:
            slices = _soak(server, script, args)
            peak = server.peak_rss_mb()
    report = _report(slices, args, peak)
    (args.out / "soak.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "soak.md").write_text(_markdown(report))
    print(_markdown(report))
    return 0 if report["errors"] == 0 and report["memory_flat"] else 1


def _index_seeds(index_dir: Path) -> Path:
    qa = [sys.executable, "-m", "qa", "index", str(ROOT / "seeds"), "--index-dir", str(index_dir)]
    subprocess.run(qa, check=True, cwd=ROOT)
    return index_dir


def _soak(server: Server, script: Path, args: argparse.Namespace) -> list[Slice]:
    count = max(1, round(args.minutes * 60 / args.slice_seconds))
    started = time.monotonic()
    slices = []
    for n in range(count):
        result = wrk.run(server.url, script, args.slice_seconds, args.connections)
        slices.append(
            Slice(
                at_s=round(time.monotonic() - started, 1),
                requests=result.requests,
                errors=result.errors,
                per_second=round(result.per_second, 1),
                p50_ms=round(result.p50_ms, 1),
                p99_ms=round(result.p99_ms, 1),
                rss_mb=round(server.rss_mb(), 1),
            )
        )
        s = slices[-1]
        print(
            f"[{n + 1}/{count}] {s.at_s:7.1f}s  {s.per_second:7.1f} q/s  p99 {s.p99_ms:6.1f} ms  "
            f"errors {s.errors}  rss {s.rss_mb:.1f} MB",
            flush=True,
        )
    return slices


def _report(slices: list[Slice], args: argparse.Namespace, peak_mb: float) -> dict[str, object]:
    judged = slices[int(len(slices) * WARM_UP_FRACTION) :] or slices
    first, last = judged[0].rss_mb, judged[-1].rss_mb
    growth = (last - first) / first if first else 0.0
    return {
        "minutes": args.minutes,
        "connections": args.connections,
        "requests": sum(s.requests for s in slices),
        "errors": sum(s.errors for s in slices),
        "mean_per_second": round(sum(s.per_second for s in slices) / len(slices), 1),
        "rss_after_warm_up_mb": first,
        "rss_end_mb": last,
        "rss_peak_mb": round(peak_mb, 1),
        "growth_after_warm_up": round(growth, 4),
        "memory_flat": growth < FLAT,
        "slices": [asdict(s) for s in slices],
    }


def _markdown(report: dict[str, object]) -> str:
    slices = report["slices"]
    assert isinstance(slices, list)
    lines = [
        f"# Soak: {report['minutes']} min at {report['connections']} connections",
        "",
        f"- requests: {report['requests']}, errors: {report['errors']}",
        f"- mean throughput: {report['mean_per_second']} questions/s",
        f"- RSS after warm-up {report['rss_after_warm_up_mb']} MB, at the end "
        f"{report['rss_end_mb']} MB ({float(str(report['growth_after_warm_up'])):+.1%}), "
        f"peak {report['rss_peak_mb']} MB; flat: {report['memory_flat']}",
        "",
        "| t (s) | requests | errors | q/s | p50 ms | p99 ms | RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in slices:
        lines.append(
            f"| {s['at_s']} | {s['requests']} | {s['errors']} | {s['per_second']} | "
            f"{s['p50_ms']} | {s['p99_ms']} | {s['rss_mb']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
