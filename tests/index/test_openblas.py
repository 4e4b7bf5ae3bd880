"""FAISS's own OpenBLAS runs on kernels for this CPU (index.openblas)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from index.openblas import VARIABLE, cpu_features, kernels_for
from tests.conftest import ROOT

# What a process that imports the package finds: the kernels of each OpenBLAS it loaded,
# by file, and whether the variable was left behind.
PROBE = """
import json, os
import index.vectors
from threadpoolctl import threadpool_info
found = {i["filepath"]: i.get("architecture") for i in threadpool_info()
         if i["internal_api"] == "openblas"}
print(json.dumps({"found": found, "left": os.environ.get("OPENBLAS_CORETYPE")}))
"""

SKYLAKE_X = {"SSE3": True, "AVX2": True, "FMA3": True, "AVX512F": True, "AVX512CD": True}


def test_kernels_follow_the_cpu_features() -> None:
    assert kernels_for({**SKYLAKE_X, "AVX512_SKX": True}) == "SkylakeX"
    assert kernels_for(SKYLAKE_X) == "Haswell"  # AVX-512 without the Skylake-X set
    assert kernels_for({"AVX2": True, "FMA3": True}) == "Haswell"
    assert kernels_for({"AVX2": True, "FMA3": False}) is None
    assert kernels_for({"SSE3": True, "AVX": True}) is None
    assert kernels_for({}) is None


def _probe(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _faiss_kernels(found: object) -> str:
    assert isinstance(found, dict)
    theirs = [arch for path, arch in found.items() if "faiss" in path]
    if not theirs:
        pytest.skip("this FAISS build brings no OpenBLAS of its own")
    assert len(theirs) == 1
    return str(theirs[0])


def test_faiss_runs_on_the_kernels_for_this_cpu() -> None:
    wanted = kernels_for(cpu_features())
    if wanted is None:
        pytest.skip("a CPU without AVX2: OpenBLAS chooses alone")
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    result = _probe(env)
    assert _faiss_kernels(result["found"]) == wanted
    assert result["left"] is None  # put back as it was: not passed on to child processes


def test_a_kernel_choice_the_user_made_is_kept() -> None:
    result = _probe({**os.environ, VARIABLE: "Prescott"})
    assert _faiss_kernels(result["found"]) == "Prescott"
    assert result["left"] == "Prescott"
