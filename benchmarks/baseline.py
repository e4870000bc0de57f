"""Side-by-side timing of this tree against a baseline commit, in one benchmark run.

The baseline is a checkout of ``BASELINE_COMMIT``: the ``git worktree`` at
``$MULTIGAP_BASELINE`` or ``.benchmarks/baseline`` in this repository, created with
``git worktree add --detach`` when missing. Each workload runs in a fresh subprocess whose
``PYTHONPATH`` points at one tree's ``src``; the two trees alternate, round after round, and
the medians over rounds are compared. CPU seconds (``time.process_time`` inside the worker,
or the children's user + system time for a whole CLI run) are the primary figure -- they are
what a busy shared machine disturbs least -- with wall seconds reported beside them.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "c3cbf63"
WORKER = Path(__file__).resolve().parent / "_tc_worker.py"


def baseline_src() -> Path:
    """``src`` of the baseline checkout (created as a detached git worktree if missing)."""
    where = Path(os.environ.get("MULTIGAP_BASELINE", ROOT / ".benchmarks" / "baseline"))
    if not (where / "src" / "multigap").is_dir():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), BASELINE_COMMIT],
            check=True,
            capture_output=True,
        )
    return where / "src"


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run_worker(src: Path, task: str) -> dict[str, Any]:
    """One in-process workload of ``_tc_worker.py`` against the tree at ``src``."""
    out = subprocess.run(
        [sys.executable, str(WORKER), task],
        env=_env(src),
        capture_output=True,
        text=True,
        check=True,
        cwd=str(ROOT),
    )
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def run_cli(src: Path, args: Sequence[str]) -> dict[str, Any]:
    """A whole ``multigap ARGS`` process (import, geometry, work): CPU and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", "from multigap.cli import app; app()", *args],
        env=_env(src),
        capture_output=True,
        text=True,
        check=True,
        cwd=str(ROOT),
    )
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": cpu, "wall": wall, "stdout": out.stdout}


def alternate(job: Any, rounds: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run ``job(src)`` for the baseline and this tree alternately; ``rounds`` results each."""
    base_src, new_src = baseline_src(), ROOT / "src"
    base: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    for r in range(rounds):
        order = (
            ((base_src, base), (new_src, new)) if r % 2 == 0 else ((new_src, new), (base_src, base))
        )
        for src, into in order:
            into.append(job(src))
    return base, new


def ratio(base: list[dict[str, Any]], new: list[dict[str, Any]], key: str) -> dict[str, float]:
    """Medians of ``key`` over rounds and their ratio baseline / new (> 1: faster now)."""
    b = statistics.median(x[key] for x in base)
    n = statistics.median(x[key] for x in new)
    return {"baseline": b, "new": n, "speedup": b / n if n > 0 else float("inf")}
