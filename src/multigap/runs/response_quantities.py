"""Sweep quantities of the response functions (:mod:`multigap.pairing.response`).

Registered on import (``multigap.runs`` imports this module): ``bkt`` (T_BKT, T_BKT/Tc),
``stiffness`` (J_xx, J_zz at T = 0 per band), ``jump`` (Delta C/(gamma Tc)) and ``crossover``
(pair size, k_F xi and condensate fraction per band). Every value is at fixed density (the
convention of the response functions). Points where the gap solver does not converge are NaN;
nothing here is physics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap.pairing import gaps as gap_solver
from multigap.pairing import response
from multigap.pairing.response import crossover, stiffness
from multigap.runs.sweep import Output, Quantity, register_quantity

__all__ = ["BAND_COORDS"]

FloatArray = NDArray[np.float64]
_FAILURES = (gap_solver.GapConvergenceError, RuntimeError, ValueError)


def BAND_COORDS(model: Any) -> dict[str, tuple[ArrayLike, Mapping[str, str]]]:
    """The ``band`` coordinate (1-based subband index)."""
    return {
        "band": (
            np.arange(1, int(model.n_bands) + 1),
            {"units": "1", "long_name": "subband index (1-based)"},
        )
    }


def _points(
    model: Any,
    eta: FloatArray,
    g: FloatArray,
    shapes: Mapping[str, tuple[int, ...]],
    one: Callable[[Any, float, float], dict[str, Any]],
) -> dict[str, ArrayLike]:
    n = eta.size
    out = {k: np.full((n, *s), np.nan) for k, s in shapes.items()}
    for i in range(n):
        try:
            vals = one(model, float(eta[i]), float(g[i]))
        except _FAILURES:
            continue
        for k, v in vals.items():
            out[k][i] = v
    return dict(out)


def _bkt_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    def one(m: Any, e: float, gg: float) -> dict[str, Any]:
        r = response.bkt_result(m, e, gg)
        return {"tbkt": r.tbkt, "tbkt_ratio": r.ratio, "tc_fixed_density": r.tc}

    return _points(model, eta, g, {"tbkt": (), "tbkt_ratio": (), "tc_fixed_density": ()}, one)


def _stiffness_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    nb = (int(model.n_bands),)

    def one(m: Any, e: float, gg: float) -> dict[str, Any]:
        r = stiffness.superfluid_stiffness(m, e, gg)
        return {"stiffness_xx": r.bands_xx, "stiffness_zz": r.bands_zz}

    return _points(model, eta, g, {"stiffness_xx": nb, "stiffness_zz": nb}, one)


def _jump_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    def one(m: Any, e: float, gg: float) -> dict[str, Any]:
        return {"heat_jump": response.specific_heat_jump(m, e, gg).ratio}

    return _points(model, eta, g, {"heat_jump": ()}, one)


def _crossover_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    nb = (int(model.n_bands),)

    def one(m: Any, e: float, gg: float) -> dict[str, Any]:
        gaps = gap_solver.zero_temperature_gaps(m, e, gg)
        p = crossover.pair_size_of(m, gaps)
        c = crossover.condensate_of(m, gaps)
        return {"pair_size": p.bands, "kf_xi": p.kf_xi, "condensate_fraction": c.bands}

    shapes = {"pair_size": nb, "kf_xi": nb, "condensate_fraction": nb}
    return _points(model, eta, g, shapes, one)


register_quantity(
    Quantity(
        "bkt",
        (
            Output("tbkt", "K", "BKT temperature (Nelson-Kosterlitz, fixed density)"),
            Output("tbkt_ratio", "1", "T_BKT / Tc (fixed-density Tc)"),
            Output("tc_fixed_density", "K", "mean-field Tc at fixed density"),
        ),
        _bkt_fn,
        description="BKT temperature from the phase stiffness (multigap.pairing.response)",
    )
)
register_quantity(
    Quantity(
        "stiffness",
        (
            Output("stiffness_xx", "meV", "phase stiffness J_xx at T = 0", dims=("band",)),
            Output("stiffness_zz", "meV", "phase stiffness J_zz at T = 0", dims=("band",)),
        ),
        _stiffness_fn,
        coords=BAND_COORDS,
        description="T = 0 phase stiffness per subband (multigap.pairing.response)",
    )
)
register_quantity(
    Quantity(
        "jump",
        (Output("heat_jump", "1", "specific-heat jump Delta C / (gamma Tc)"),),
        _jump_fn,
        description="specific-heat jump at Tc (multigap.pairing.response)",
    )
)
register_quantity(
    Quantity(
        "crossover",
        (
            Output("pair_size", "nm", "pair size xi_pair at T = 0", dims=("band",)),
            Output("kf_xi", "1", "k_F xi_pair, k_F = sqrt(2 pi n_n)", dims=("band",)),
            Output("condensate_fraction", "1", "condensate fraction n_0/n", dims=("band",)),
        ),
        _crossover_fn,
        coords=BAND_COORDS,
        description="BCS-BEC crossover diagnostics per subband (multigap.pairing.response)",
    )
)
