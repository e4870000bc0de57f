"""Speed of the T = 0 gap solver against the baseline commit c3cbf63 (issue 13: >= 3x).

Each round runs one subprocess per tree -- this checkout and the baseline worktree
(:func:`benchmarks.baseline.baseline_src`: ``.benchmarks/baseline``, made with ``git worktree``
when missing, or ``MULTIGAP_BASELINE``) -- alternating, each
timing ``zero_temperature_gaps`` (fixed density, default grids) on the same points of presets A
and B after one warm-up solve per point (the geometry is built before timing). The figure per
point is the median over rounds of each round's median; the ratio is baseline / current. Also
the accuracy: the largest relative difference between the two trees' Fermi gaps per point. For a
one-core figure run with ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.baseline import baseline_src

POINTS = {"A": [(1.0, 0.4), (0.5, 0.3), (0.0, 0.4), (2.0, 0.25)], "B": [(1.0, 0.4), (0.3, 0.3)]}

_SNIPPET = r"""
import json, statistics, sys, time
import multigap as mg
points = json.loads(sys.argv[1]); repeats = int(sys.argv[2])
out = {}
for name, pts in points.items():
    model = mg.preset(name)
    _ = model.geometry
    for eta, g in pts:
        res = mg.zero_temperature_gaps(model, eta, g)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            mg.zero_temperature_gaps(model, eta, g)
            times.append(time.perf_counter() - t)
        out[f"{name} eta={eta} g={g}"] = {
            "s": statistics.median(times), "gap": [float(x) for x in res.fermi_gap],
        }
print(json.dumps(out))
"""


def _tree_run(src: Path, repeats: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run(
        [sys.executable, "-c", _SNIPPET, json.dumps(POINTS), str(repeats)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(rounds: int = 5, repeats: int = 3) -> dict[str, Any]:
    """Alternate baseline and current runs; return and print medians and ratios."""
    here = Path(__file__).resolve().parent.parent / "src"
    trees = {"current": here, "baseline": baseline_src()}
    samples: dict[str, list[dict[str, Any]]] = {k: [] for k in trees}
    for _ in range(rounds):
        for key, src in trees.items():
            samples[key].append(_tree_run(src, repeats))
    out: dict[str, Any] = {"threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    ratios = []
    for point in samples["current"][0]:
        cur = statistics.median(s[point]["s"] for s in samples["current"])
        row: dict[str, Any] = {"current_ms": 1e3 * cur}
        if "baseline" in samples:
            old = statistics.median(s[point]["s"] for s in samples["baseline"])
            g_new = samples["current"][0][point]["gap"]
            g_old = samples["baseline"][0][point]["gap"]
            row["baseline_ms"] = 1e3 * old
            row["ratio"] = old / cur
            row["max_rel_gap_change"] = max(
                abs(a / b - 1.0) for a, b in zip(g_new, g_old, strict=True)
            )
            ratios.append(old / cur)
        out[point] = row
    if ratios:
        out["median_ratio"] = statistics.median(ratios)
        out["min_ratio"] = min(ratios)
    for key, value in out.items():
        print(f"{key:28s} {value}")
    return out


if __name__ == "__main__":
    run()
