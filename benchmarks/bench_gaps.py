"""Speed of the gap equation: one T = 0 solve (with the density equation) and one isotope point.

Preset A at the default grids, eta = 1, g = 0.4 (the geometry is built before timing). Also a
finite-temperature solve at Tc/2 and the mean cost of a 24-point eta scan at g = 0.25. For a
one-core figure run with ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import numpy as np

import multigap as mg
from multigap.pairing import gaps

ETA, G = 1.0, 0.4


def _median_time(fn: Any, repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def run(repeats: int = 5) -> dict[str, Any]:
    """Time the solves; return and print the figures."""
    model = mg.preset("A")
    _ = model.geometry
    gaps.zero_temperature_gaps(model, ETA, G)  # warm caches (kernel tables, band edges)

    t_zero, res = _median_time(lambda: gaps.zero_temperature_gaps(model, ETA, G), repeats)
    t_fixed_mu, _ = _median_time(
        lambda: gaps.zero_temperature_gaps(model, ETA, G, fixed_density=False), repeats
    )
    tc = mg.tc_result(model, ETA, G, chemical_potential="fixed_density").tc
    t_warm, _ = _median_time(lambda: gaps.gaps_at_temperature(model, ETA, G, 0.5 * tc), repeats)
    t_iso, alpha = _median_time(lambda: mg.isotope_coefficient(model, ETA, G), repeats)

    etas = np.linspace(-0.3, 2.0, 24)
    t0 = time.perf_counter()
    iters = [gaps.zero_temperature_gaps(model, float(e), 0.25).iterations for e in etas]
    scan = time.perf_counter() - t0

    out = {
        "model": "preset A",
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "zero_T_fixed_density_median_ms": 1e3 * t_zero,
        "zero_T_fixed_mu_median_ms": 1e3 * t_fixed_mu,
        "half_tc_fixed_density_median_ms": 1e3 * t_warm,
        "zero_T_evaluations": res.iterations,
        "isotope_coefficient_median_ms": 1e3 * t_iso,
        "isotope_coefficient": alpha,
        "eta_scan_24_ms_per_point": 1e3 * scan / etas.size,
        "eta_scan_mean_evaluations": float(np.mean(iters)),
        "fermi_gap_meV": [float(x) for x in res.fermi_gap],
    }
    for key, value in out.items():
        print(f"{key:36s} {value}")
    return out


if __name__ == "__main__":
    run()
