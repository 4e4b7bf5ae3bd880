"""Drive `POST /ask` with wrk (a C load generator) and read its figures as JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# wrk runs this Lua in each of its threads: it cycles through the questions, counts
# responses by status class, and prints one JSON line of totals when the run ends.
_LUA = """
local questions = {%(questions)s}
local headers = {["Content-Type"] = "application/json"}
local threads = {}
local n = 0
ok, client_errors, server_errors = 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = math.random(#questions)
end

function request()
  n = n %% #questions + 1
  return wrk.format("POST", "/ask", headers, questions[n])
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1
  elseif status >= 400 then client_errors = client_errors + 1
  else ok = ok + 1 end
end

function done(summary, latency, requests)
  local ok_, c4, c5 = 0, 0, 0
  for _, t in ipairs(threads) do
    ok_ = ok_ + t:get("ok"); c4 = c4 + t:get("client_errors"); c5 = c5 + t:get("server_errors")
  end
  local e = summary.errors
  io.write(string.format(
    '\\nWRK-JSON {"requests":%%d,"seconds":%%.3f,"ok":%%d,"status_4xx":%%d,"status_5xx":%%d,' ..
    '"connect_errors":%%d,"read_errors":%%d,"write_errors":%%d,"timeouts":%%d,' ..
    '"p50_ms":%%.2f,"p95_ms":%%.2f,"p99_ms":%%.2f,"max_ms":%%.2f}\\n',
    summary.requests, summary.duration / 1e6, ok_, c4, c5, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    ok: int
    status_4xx: int
    status_5xx: int
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def errors(self) -> int:
        """Every request that did not get a 2xx answer, and every socket error."""
        return (
            self.status_4xx
            + self.status_5xx
            + self.connect_errors
            + self.read_errors
            + self.write_errors
            + self.timeouts
        )

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    return path


def write_script(questions: list[str], path: Path) -> Path:
    bodies = ", ".join(json.dumps(json.dumps({"question": q, "top_k": 1})) for q in questions)
    path.write_text(_LUA % {"questions": bodies}, encoding="utf-8")
    return path


def run(url: str, script: Path, seconds: float, connections: int, threads: int = 2) -> LoadResult:
    """One wrk run of `seconds` at `connections` open connections."""
    command = [
        require_wrk(),
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    return LoadResult(**json.loads(line.removeprefix("WRK-JSON ")))
