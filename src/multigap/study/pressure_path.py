"""The pressure path and the result of its fit: the data types of :mod:`multigap.study.pressure`.

A :class:`PressurePath` is a path (eta(P), g(P)) through the (eta, g) plane of a model, linear by
default,

    eta(P) = eta0 + eta1 (P - p_ref),      g(P) = g0 + g1 (P - p_ref)

(P in GPa, ``p_ref`` a fixed reference pressure, default 150 GPa), or any pair of user
callables. A :class:`FitResult` holds a path fitted to (P, Tc) points, its uncertainties and
its curve (T. Mazziotti et al., J. Appl. Phys. 130, 173904 (2021); SPEC §9 item 1).

Every name here is re-exported by :mod:`multigap.study.pressure`; this module imports only
:mod:`multigap.validation`.

Units: pressure GPa, Tc K, eta and g dimensionless.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check

FloatArray = NDArray[np.float64]

#: Names of the linear path parameters, in the order of covariance matrices.
PARAMS = ("eta0", "eta1", "g0", "g1")
#: Default reference pressure of a linear path, GPa.
P_REF = 150.0

PathFunction = Callable[[FloatArray], ArrayLike]


@dataclass(frozen=True)
class PressurePath:
    """A path (eta(P), g(P)) through the (eta, g) plane, P in GPa.

    Parameters
    ----------
    eta0, eta1 : float
        eta(P) = eta0 + eta1 (P - p_ref); eta1 in 1/GPa.
    g0, g1 : float
        g(P) = g0 + g1 (P - p_ref); g1 in 1/GPa.
    p_ref : float
        Reference pressure, GPa (default 150).
    eta_of_p, g_of_p : callable, optional
        User functions P (GPa, ndarray) -> eta or g replacing the linear forms (then the
        linear parameters are not used for that quantity and cannot be fitted).
    """

    eta0: float = 1.0
    eta1: float = 0.02
    g0: float = 0.35
    g1: float = 0.0
    p_ref: float = P_REF
    eta_of_p: PathFunction | None = field(default=None, compare=False)
    g_of_p: PathFunction | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in (*PARAMS, "p_ref"):
            check.finite(name, getattr(self, name))

    @property
    def is_linear(self) -> bool:
        """True when both eta(P) and g(P) are the linear forms."""
        return self.eta_of_p is None and self.g_of_p is None

    @property
    def params(self) -> dict[str, float]:
        """The linear parameters ``{"eta0", "eta1", "g0", "g1"}``."""
        return {k: float(getattr(self, k)) for k in PARAMS}

    def with_params(self, **values: float) -> PressurePath:
        """A copy with some linear parameters changed."""
        check.known_keys("path parameters", values, (*PARAMS, "p_ref"))
        changes: dict[str, Any] = {k: float(v) for k, v in values.items()}
        return replace(self, **changes)

    def eta(self, pressure: ArrayLike) -> FloatArray:
        """eta(P) (dimensionless) at pressures P (GPa)."""
        p = np.asarray(pressure, dtype=float)
        if self.eta_of_p is not None:
            return np.broadcast_to(np.asarray(self.eta_of_p(p), dtype=float), p.shape).copy()
        return self.eta0 + self.eta1 * (p - self.p_ref)

    def g(self, pressure: ArrayLike) -> FloatArray:
        """g(P) (dimensionless) at pressures P (GPa)."""
        p = np.asarray(pressure, dtype=float)
        if self.g_of_p is not None:
            return np.broadcast_to(np.asarray(self.g_of_p(p), dtype=float), p.shape).copy()
        return self.g0 + self.g1 * (p - self.p_ref)


@dataclass(frozen=True)
class FitResult:
    """A pressure path fitted to (P, Tc) points.

    Attributes
    ----------
    path : PressurePath
        The fitted linear path.
    params, errors : dict
        Fitted eta0, eta1 (1/GPa), g0, g1 (1/GPa) and their one-sigma uncertainties (0 for
        fixed parameters).
    covariance : ndarray
        (4, 4) covariance in the order of :data:`PARAMS` (zero rows and columns for fixed ones).
        With ``tc_err`` it is (J^T J)^-1 of the weighted residuals (absolute sigma); without it
        that matrix is scaled by chi^2 / dof (the scatter estimates the error).
    free : tuple of str
        Fitted parameter names.
    chi2 : float
        Sum of squared (weighted) residuals, K^2 when unweighted.
    dof : int
        Points minus free parameters.
    weighted : bool
        True when ``tc_err`` was given.
    pressure, tc, tc_err : ndarray
        The points (GPa, K, K or None).
    tc_model : ndarray
        Tc of the fitted path at the points, K.
    curve_pressure, curve_tc, curve_eta, curve_g : ndarray
        The fitted curve on a fine grid over the pressure range of the points.
    success : bool
        The least-squares fit converged and the path stays in 0 <= g < 0.5, inside eta_limits.
    message : str
        Solver message (and any constraint violation).
    nfev : int
        Residual evaluations (one batched Tc solve each, plus the Jacobian's).
    data_kind : str
        ``"measured"`` or ``"summary"`` (fit to a drawn summary dome: chi^2 is not a statistic).
    source : str
        Where the points came from.
    retraction : str or None
        The retraction note when the points are CSH numbers (retracted, Nature 2022).
    model_name : str
        Name of the model.
    """

    path: PressurePath
    params: dict[str, float]
    errors: dict[str, float]
    covariance: FloatArray
    free: tuple[str, ...]
    chi2: float
    dof: int
    weighted: bool
    pressure: FloatArray
    tc: FloatArray
    tc_err: FloatArray | None
    tc_model: FloatArray
    curve_pressure: FloatArray
    curve_tc: FloatArray
    curve_eta: FloatArray
    curve_g: FloatArray
    success: bool
    message: str
    nfev: int
    data_kind: str = "measured"
    source: str = ""
    retraction: str | None = None
    model_name: str = ""

    @property
    def reduced_chi2(self) -> float:
        """chi^2 / dof (NaN when dof = 0)."""
        return self.chi2 / self.dof if self.dof > 0 else math.nan

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable dict of the fit (parameters, uncertainties, chi^2, curve)."""

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        out: dict[str, Any] = {
            "model": self.model_name,
            "data_kind": self.data_kind,
            "source": self.source,
            "path": "eta = eta0 + eta1 (P - p_ref), g = g0 + g1 (P - p_ref); P in GPa",
            "p_ref_GPa": self.path.p_ref,
            "params": {k: float(v) for k, v in self.params.items()},
            "errors": {k: num(v) for k, v in self.errors.items()},
            "free": list(self.free),
            "covariance": [[num(x) for x in row] for row in self.covariance],
            "chi2": num(self.chi2),
            "dof": int(self.dof),
            "reduced_chi2": num(self.reduced_chi2),
            "weighted": self.weighted,
            "n_points": int(self.pressure.size),
            "success": self.success,
            "message": self.message,
            "nfev": int(self.nfev),
            "points": {
                "pressure_GPa": self.pressure.tolist(),
                "tc_K": self.tc.tolist(),
                "tc_err_K": None if self.tc_err is None else self.tc_err.tolist(),
                "tc_model_K": self.tc_model.tolist(),
            },
            "curve": {
                "pressure_GPa": self.curve_pressure.tolist(),
                "tc_K": self.curve_tc.tolist(),
                "eta": self.curve_eta.tolist(),
                "g": self.curve_g.tolist(),
            },
        }
        if self.retraction is not None:
            out["retraction"] = self.retraction
        return out
