"""Calibration: the one coupling scale that makes preset A's Tc max the study's (SPEC §12).

The study does not state its DOS normalisation N0, its interband rule or its cut-off rule; with
multigap's principled choices (SPEC §4) its Tc maxima are lower than the study's. The model
option ``coupling_scale`` multiplies every g_nn' (a reference DOS N0 / coupling_scale). This
module fits that one number so that the Tc max of one model over the study's (eta, g) plane is
a target, then predicts other models with the same scale.

Method and accuracy
-------------------
* :func:`tc_maximum`: Tc on a coarse grid (``n_eta`` x ``n_g`` points on the study's ranges
  0 <= eta <= 2, 0.10 <= g <= 0.49, one batched solve), then a bounded Nelder-Mead search in
  (eta, g) from the best grid point (tolerances 1e-6 in eta and g, 1e-6 K in Tc). The Tc max
  is stationary at an interior maximum, so it is reached to ~1e-6 relative (measured against
  a dense local grid in tests/study/physics/test_calibration.py); eta and g to ~1e-3.
* :func:`calibrate`: Tc max rises monotonically with the scale; a bracket is grown from
  scale 1 by factors of 1.25 and Brent's method finds the scale to ``xtol`` (default 1e-7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize

from multigap import validation as check
from multigap.model import Model

FloatArray = NDArray[np.float64]

#: The study's (eta, g) plane of the Tc maps: 0 < eta < 2, 0.1 <= g <= 0.49.
ETA_RANGE = (0.0, 2.0)
G_RANGE = (0.10, 0.49)
#: Allowed coupling scales of the search.
SCALE_RANGE = (0.2, 5.0)


@dataclass(frozen=True)
class TcMaximum:
    """Maximum of Tc over the (eta, g) plane: value (K) and location."""

    tc_max: float  # K
    eta_at_max: float
    g_at_max: float

    def to_dict(self) -> dict[str, float]:
        """JSON-ready mapping with the keys of ``multigap calibrate --json``."""
        return {"tc_max_K": self.tc_max, "eta_at_max": self.eta_at_max, "g_at_max": self.g_at_max}


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`.

    Attributes
    ----------
    coupling_scale : float
        The fitted scale (multiplies every g_nn').
    target_tc_max : float
        The target, K.
    reference : str
        Name of the model fitted.
    maximum : TcMaximum
        Tc max of the fitted model at the fitted scale.
    predicted : dict
        Per other model name: its Tc max with the same scale.
    """

    coupling_scale: float
    target_tc_max: float
    reference: str
    maximum: TcMaximum
    predicted: dict[str, TcMaximum] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Keys ``coupling_scale``, ``tc_max_K``, ``eta_at_max``, ``g_at_max``, ``predicted``."""
        return {
            "coupling_scale": self.coupling_scale,
            "reference": self.reference,
            "target_tc_max_K": self.target_tc_max,
            **self.maximum.to_dict(),
            "predicted": {k: v.to_dict() for k, v in self.predicted.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        """Read back :meth:`to_dict`."""

        def tm(x: dict[str, Any]) -> TcMaximum:
            return TcMaximum(float(x["tc_max_K"]), float(x["eta_at_max"]), float(x["g_at_max"]))

        return cls(
            float(d["coupling_scale"]),
            float(d["target_tc_max_K"]),
            str(d["reference"]),
            tm(d),
            {k: tm(v) for k, v in d.get("predicted", {}).items()},
        )


def tc_maximum(
    model: Model,
    *,
    eta_range: tuple[float, float] = ETA_RANGE,
    g_range: tuple[float, float] = G_RANGE,
    n_eta: int = 41,
    n_g: int = 14,
) -> TcMaximum:
    """Tc max of ``model`` over a rectangle of the (eta, g) plane (coarse grid, then local).

    Parameters
    ----------
    model : Model
        The model (its ``coupling_scale`` applies).
    eta_range, g_range : (float, float)
        The rectangle (default the study's: 0 <= eta <= 2, 0.10 <= g <= 0.49).
    n_eta, n_g : int
        Coarse grid (>= 3 each).

    Returns
    -------
    TcMaximum
        Tc max in K (0 with the grid's first point if Tc is below the floor everywhere).
    """
    from multigap.pairing.tc import critical_temperatures

    check.integer("n_eta", n_eta, 3)
    check.integer("n_g", n_g, 3)
    lo = np.array([eta_range[0], g_range[0]], dtype=float)
    hi = np.array([eta_range[1], g_range[1]], dtype=float)
    if not np.all(hi > lo):
        raise ValueError(f"eta_range {eta_range} and g_range {g_range} must be increasing pairs")
    eta = np.linspace(lo[0], hi[0], n_eta)
    g = np.linspace(lo[1], hi[1], n_g)
    tc = np.asarray(critical_temperatures(model, eta[:, None], g[None, :]), dtype=float)
    i, j = np.unravel_index(int(np.argmax(tc)), tc.shape)
    if tc[i, j] <= 0.0:
        return TcMaximum(0.0, float(eta[i]), float(g[j]))

    def neg_tc(x: FloatArray) -> float:
        x = np.clip(x, lo, hi)
        return -float(critical_temperatures(model, x[0], x[1]))

    res = minimize(
        neg_tc,
        np.array([eta[i], g[j]]),
        method="Nelder-Mead",
        bounds=list(zip(lo, hi, strict=True)),
        options={
            "xatol": 1e-6,
            "fatol": 1e-6,
            "maxfev": 400,
            "initial_simplex": _simplex(eta[i], g[j], eta[1] - eta[0], g[1] - g[0], lo, hi),
        },
    )
    x = np.clip(res.x, lo, hi)
    best = -float(res.fun)
    if best < tc[i, j]:
        return TcMaximum(float(tc[i, j]), float(eta[i]), float(g[j]))
    return TcMaximum(best, float(x[0]), float(x[1]))


def _simplex(
    e: float, g: float, de: float, dg: float, lo: FloatArray, hi: FloatArray
) -> FloatArray:
    """A start simplex of half a grid step, pointing inwards at the bounds."""
    e2 = e + 0.5 * de if e + 0.5 * de <= hi[0] else e - 0.5 * de
    g2 = g + 0.5 * dg if g + 0.5 * dg <= hi[1] else g - 0.5 * dg
    return np.clip(np.array([[e, g], [e2, g], [e, g2]]), lo, hi)


def calibrate(
    model: Model,
    target_tc_max: float,
    *,
    predict: Sequence[Model] = (),
    xtol: float = 1e-7,
    **grid: Any,
) -> Calibration:
    """Fit ``coupling_scale`` so that the Tc max of ``model`` is ``target_tc_max``.

    Parameters
    ----------
    model : Model
        The reference model (its own ``coupling_scale`` is replaced).
    target_tc_max : float
        Target Tc max over the (eta, g) plane, K (> 0).
    predict : sequence of Model
        Models predicted with the fitted scale.
    xtol : float
        Absolute tolerance of the scale (Brent).
    **grid
        ``eta_range``, ``g_range``, ``n_eta``, ``n_g`` of :func:`tc_maximum`.

    Returns
    -------
    Calibration

    Raises
    ------
    ValueError
        If no scale in :data:`SCALE_RANGE` reaches the target.
    """
    target = check.positive("target_tc_max", target_tc_max, "K")

    def at(scale: float) -> TcMaximum:
        return tc_maximum(model.with_(coupling_scale=scale), **grid)

    def f(scale: float) -> float:
        return at(scale).tc_max - target

    a, b = 1.0, 1.0
    fa = fb = f(1.0)
    while fa > 0.0 and a > SCALE_RANGE[0]:
        b, fb = a, fa
        a = max(a / 1.25, SCALE_RANGE[0])
        fa = f(a)
    while fb < 0.0 and b < SCALE_RANGE[1]:
        a, fa = b, fb
        b = min(b * 1.25, SCALE_RANGE[1])
        fb = f(b)
    if fa > 0.0 or fb < 0.0:
        raise ValueError(
            f"target_tc_max = {target!r} K is not reached by model {model.name} for any "
            f"coupling_scale in {SCALE_RANGE} (Tc max there: {fa + target:.4g} ... "
            f"{fb + target:.4g} K)"
        )
    scale = a if fa == 0.0 else b if fb == 0.0 else float(brentq(f, a, b, xtol=xtol))
    predicted = {m.name: tc_maximum(m.with_(coupling_scale=scale), **grid) for m in predict}
    return Calibration(scale, target, model.name, at(scale), predicted)
