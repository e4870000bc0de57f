"""Speed of the critical temperature: one isolated Tc point, and a 301-point Tc(eta) curve.

Target (DESIGN, issue "Tc"): median <= 1 ms per Tc point in a 301-point curve on one core.
For a one-core figure run with ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``.

Uses ``multigap.preset("A")`` when the package can build it; otherwise a synthetic model of
the same size (3 bands, 12 cosine modes, ~4000 energy nodes).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from typing import Any

import numpy as np

from multigap.pairing import tc
from multigap.pairing.kernel import free_2d_dos

ETA = np.linspace(-1.0, 2.0, 301)
G = 0.3


class _Sub:
    def edge(self, n: int) -> float:
        return 500.0

    def width(self, n: int) -> float:
        return 270.0


class _Obj:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


def _synthetic_model() -> Any:
    """3 bands with step-like partial DOS and kz structure, Q = 12 modes, ~4000 nodes."""
    rng = np.random.default_rng(1)
    n0 = free_2d_dos(1.0)
    nb, Q, n_kz = 3, 12, 9
    S = 2 * Q - 1
    base = np.arange(0.0, 2400.0, 1.0)
    edges = np.array([20.0, 230.0, 500.0, 770.0])
    extra = np.concatenate([e + s * 1e-8 * 1.25 ** np.arange(80) for e in edges for s in (-1, 1)])
    e = np.sort(np.concatenate([base, extra, edges, edges]))
    kzd = np.linspace(0.0, math.pi, n_kz)
    bottoms = np.array([20.0, 230.0, 500.0])
    w = np.zeros((nb, n_kz, e.size))
    for n in range(nb):
        onset = bottoms[n] + 270.0 * (1 - np.cos(kzd)) / 2
        w[n] = (e[None, :] > onset[:, None]) * n0 / n_kz
    values = np.einsum("sj,njk->nsk", np.cos(np.arange(S)[:, None] * kzd[None, :]), w)
    Bm = np.eye(nb * Q) + 0.05 * rng.normal(size=(nb * Q, nb * Q))
    modes = (Bm @ Bm.T).reshape(nb, Q, nb, Q).transpose(0, 2, 1, 3) / (nb * Q) * 3
    geo = _Obj(
        subbands=_Sub(),
        overlaps=_Obj(modes=modes),
        pdos=_Obj(energy=e, values=values, n0=n0),
    )
    return _Obj(
        geometry=geo,
        omega0=330.0,
        n_bands=3,
        resonant_band=3,
        background_coupling=0.1,
        interband="geometric",
        interband_value=None,
        coupling_matrix=None,
        cutoff="migdal",
        band_omega0=None,
        chemical_potential="fixed_mu",
        numerics=_Obj(t_floor=1e-5, t_ceiling=5000.0),
    )


def _model() -> tuple[Any, str]:
    try:
        import multigap as mg

        model = mg.preset("A")
        _ = model.geometry
        return model, "preset A"
    except Exception as exc:  # pragma: no cover - fallback while the geometry is not built
        return _synthetic_model(), f"synthetic ({type(exc).__name__})"


def run(repeats: int = 5) -> dict[str, Any]:
    """Time an isolated Tc point and a 301-point curve; return and print the figures."""
    model, source = _model()
    t0 = time.perf_counter()
    tc.critical_temperature(model, 1.0, G)  # builds the kernel tables once
    setup = time.perf_counter() - t0

    single: list[float] = []
    for eta in (0.2, 1.0, 1.5):
        for _ in range(repeats * 3):
            t = time.perf_counter()
            tc.critical_temperature(model, eta, G)
            single.append(time.perf_counter() - t)

    curve: list[float] = []
    for _ in range(repeats):
        t = time.perf_counter()
        T = tc.critical_temperatures(model, ETA, G)
        curve.append(time.perf_counter() - t)
    _, _, _, _, batch = tc._solve_model(model, ETA, G)
    per_point = np.zeros(ETA.size, dtype=int)
    for idx, _, _ in batch.history:
        per_point[idx] += 1

    out = {
        "model": source,
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "setup_first_point_ms": 1e3 * setup,
        "single_point_median_ms": 1e3 * statistics.median(single),
        "curve_301_median_s": statistics.median(curve),
        "curve_ms_per_point": 1e3 * statistics.median(curve) / ETA.size,
        "curve_batch_evaluations": batch.iterations,
        "curve_mean_evaluations_per_point": float(per_point.mean()),
        "curve_tc_max_K": float(np.max(T)),
        "curve_points_below_floor": int(np.sum(batch.below_floor)),
    }
    for key, value in out.items():
        print(f"{key:36s} {value}")
    return out


if __name__ == "__main__":
    run()
