"""One Tc workload in a fresh process, for :mod:`benchmarks.bench_tc` (run as a script).

Usage: ``python benchmarks/_tc_worker.py TASK`` with ``PYTHONPATH`` pointing at the ``src`` of
the tree to measure (today's or the baseline commit's); prints one JSON line with the CPU and
wall seconds of the task (geometry built beforehand, not counted) and its results, so that
the caller can compare the two trees' numbers. Only public names are used (``mg.preset``,
``mg.critical_temperature``, ``mg.critical_temperatures``, ``mg.isotope_coefficient``), which
both layouts export.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import multigap as mg

#: isolated points per preset: the anti-resonance (eta < 0), pocket, dome top, 1D tail
POINTS = [
    (-0.3, 0.3),
    (-0.1, 0.45),
    (0.2, 0.3),
    (0.5, 0.25),
    (1.0, 0.3),
    (1.0, 0.4),
    (1.5, 0.3),
    (2.0, 0.2),
]
CURVE_ETA = np.linspace(-1.0, 2.0, 301)
MAP_ETA = np.linspace(-0.5, 2.0, 101)
MAP_G = np.linspace(0.1, 0.45, 101)
ISOTOPE_POINTS = [(-0.2, 0.3), (0.5, 0.3), (1.0, 0.3), (1.5, 0.25)]


def _solve_model() -> Any:
    try:
        from multigap.pairing.tc import _solve_model as fn
    except ImportError:  # the flat layout of the baseline commit
        from multigap.tc import _solve_model as fn
    return fn


def _evaluations(model: Any, eta: Any, g: Any) -> list[int]:
    """Evaluations of Lambda per point of one critical_temperatures call (from its history)."""
    batch = _solve_model()(model, eta, g)[-1]
    count = np.zeros(batch.tc.size, dtype=int)
    for idx, _, _ in batch.history:
        np.add.at(count, idx, 1)
    return count.tolist()


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def isolated(repeats: int = 5) -> dict[str, Any]:
    """Median CPU time of mg.critical_temperature per point, presets A and B."""
    cpu: list[float] = []
    wall: list[float] = []
    tc: list[float] = []
    evals: list[int] = []
    for name in ("A", "B"):
        model = mg.preset(name)
        mg.critical_temperature(model, 1.0, 0.3)  # geometry and kernel tables
        for eta, g in POINTS:
            runs = [
                _timed(lambda m=model, e=eta, x=g: mg.critical_temperature(m, e, x))
                for _ in range(repeats)
            ]
            cpu.append(statistics.median(r[0] for r in runs))
            wall.append(statistics.median(r[1] for r in runs))
            tc.append(float(runs[0][2]))
            evals.extend(_evaluations(model, eta, g))
    return {"cpu_per_point": float(np.mean(cpu)), "wall_per_point": float(np.mean(wall)),
            "tc": tc, "evaluations": evals}  # fmt: skip


def curve(repeats: int = 3) -> dict[str, Any]:
    """301-point Tc(eta) curve at g = 0.3, preset A: CPU time per point."""
    model = mg.preset("A")
    mg.critical_temperature(model, 1.0, 0.3)
    runs = [_timed(lambda: mg.critical_temperatures(model, CURVE_ETA, 0.3)) for _ in range(repeats)]
    n = CURVE_ETA.size
    return {
        "cpu_per_point": statistics.median(r[0] for r in runs) / n,
        "wall_per_point": statistics.median(r[1] for r in runs) / n,
        "tc": np.asarray(runs[0][2]).tolist(),
        "evaluations": _evaluations(model, CURVE_ETA, 0.3),
    }


def tc_map() -> dict[str, Any]:
    """101 x 101 (eta, g) map of preset A in one process (one call): CPU time per point."""
    model = mg.preset("A")
    mg.critical_temperature(model, 1.0, 0.3)
    eta, g = np.meshgrid(MAP_ETA, MAP_G, indexing="ij")
    cpu, wall, T = _timed(lambda: mg.critical_temperatures(model, eta, g))
    n = eta.size
    return {"cpu_per_point": cpu / n, "wall_per_point": wall / n, "tc": np.ravel(T).tolist()}


def isotope(repeats: int = 3) -> dict[str, Any]:
    """mg.isotope_coefficient at four points of preset A: median CPU time per coefficient."""
    model = mg.preset("A")
    mg.critical_temperature(model, 1.0, 0.3)
    cpu: list[float] = []
    wall: list[float] = []
    alpha: list[float] = []
    for eta, g in ISOTOPE_POINTS:
        runs = [
            _timed(lambda e=eta, x=g: mg.isotope_coefficient(model, e, x)) for _ in range(repeats)
        ]
        cpu.append(statistics.median(r[0] for r in runs))
        wall.append(statistics.median(r[1] for r in runs))
        alpha.append(float(runs[0][2]))
    return {"cpu_per_point": float(np.mean(cpu)), "wall_per_point": float(np.mean(wall)),
            "alpha": alpha}  # fmt: skip


TASKS: dict[str, Callable[[], dict[str, Any]]] = {
    "isolated": isolated,
    "curve": curve,
    "map": tc_map,
    "isotope": isotope,
}


if __name__ == "__main__":
    print(json.dumps(TASKS[sys.argv[1]]()))
