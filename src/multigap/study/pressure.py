"""Tc versus pressure: a path through the (eta, g) plane, and its fit to measured (P, Tc) points.

Pressure changes the inter-wire hopping and the carrier density of the superlattice, so a
compressed sample moves along a path (eta(P), g(P)) through the Tc(eta, g) map of a model. The
reference study (T. Mazziotti et al., 2021; SPEC §9 item 1) maps the H3S dome onto a straight
path. Here a :class:`PressurePath` is linear by default,

    eta(P) = eta0 + eta1 (P - p_ref),      g(P) = g0 + g1 (P - p_ref)

(P in GPa, ``p_ref`` a fixed reference pressure, default 150 GPa, so that eta0 and g0 are the
values at p_ref and eta1, g1 are slopes per GPa), or any pair of user callables.
:func:`tc_along` gives Tc(P) along a path (one batched Tc solve), and :func:`fit_path` fits the
four linear parameters to measured points with :func:`scipy.optimize.least_squares`, weighted
by the uncertainties when they are given.

The shipped H3S dome is a *summary* (:func:`multigap.data.dome_summary`); fitting to its drawn
curve (:func:`fit_path_to_summary`) gives a path for the figure, with a chi^2 that is not a
statistical measure. The CSH numbers were retracted (Nature, 2022): any result built on them
carries the retraction note in its ``retraction`` field.

The data types (:class:`PressurePath`, :class:`FitResult`, :data:`PARAMS`, :data:`P_REF`) live
in :mod:`multigap.study.pressure_path` and are re-exported here.

Units: pressure GPa, Tc K, eta and g dimensionless (g is the reduced coupling lambda/(1+lambda)
of the resonant subband, 0 <= g < 1/2).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from multigap import validation as check
from multigap.study.data import (
    PRESSURE_MAX_GPA,
    DomeSummary,
    dome_summary,
    load_tc_csv,
    validate_points,
)
from multigap.study.pressure_path import P_REF as P_REF
from multigap.study.pressure_path import PARAMS as PARAMS
from multigap.study.pressure_path import FitResult as FitResult
from multigap.study.pressure_path import FloatArray as FloatArray
from multigap.study.pressure_path import PathFunction as PathFunction
from multigap.study.pressure_path import PressurePath as PressurePath

#: Largest g a fitted path may take (the Migdal cut-off w0 sqrt(1 - 2g) vanishes at 1/2).
G_MAX = 0.499
#: Default box bounds of the fit (eta1, g1 per GPa).
DEFAULT_BOUNDS: Mapping[str, tuple[float, float]] = {
    "eta0": (-1.0, 3.0),
    "eta1": (-0.2, 0.2),
    "g0": (0.0, G_MAX),
    "g1": (-0.02, 0.02),
}
#: Weight of the penalty that keeps a fitted path inside g in [0, G_MAX] and inside the
#: eta range of the model's tables (residual units per unit of violation).
_PENALTY = 1e4
#: Tc tolerance ``|d ln Tc|`` used inside fits (finite-difference Jacobians need a quiet Tc).
_FIT_TOL = 1e-11
#: Relative step of the finite-difference Jacobian (see scipy.optimize.least_squares).
_DIFF_STEP = 1e-6


def eta_limits(model: Any, g: ArrayLike) -> tuple[float, FloatArray]:
    """Range of eta the Tc solver accepts for a model at coupling(s) g.

    Below ``low`` the chemical potential lies under every subband (no electrons); above
    ``high`` the pairing window mu + wc reaches subband n_bands + 1, which the model leaves
    out, or the end of the projected-DOS tables (``Numerics.eta_max``).

    Parameters
    ----------
    model : multigap.Model
    g : array_like
        Resonant coupling(s), 0 <= g < 1/2 (the Migdal cut-off w0 sqrt(1 - 2g) shrinks with g).

    Returns
    -------
    low : float
    high : ndarray
        The shape of ``g``.
    """
    sb = model.subbands
    r = int(model.resonant_band)
    e_l, width = float(sb.edge(r)), float(sb.width(r))
    g_a = np.asarray(g, dtype=float)
    w0 = float(max(model.band_omega0 or (model.omega0,)))
    wc = w0 * np.sqrt(np.clip(1.0 - 2.0 * g_a, 0.0, None)) if model.cutoff == "migdal" else w0
    nxt = float(getattr(model.geometry, "next_bottom", np.inf))
    high = np.minimum(float(model.numerics.eta_max), (nxt - e_l - wc) / width)
    low = (float(sb.edge(1)) - e_l) / width
    margin = 1e-9 * max(1.0, abs(low))
    return low + margin, np.asarray(high - 1e-9 * np.maximum(1.0, np.abs(high)), dtype=float)


def _check_pressures(pressure: ArrayLike) -> FloatArray:
    p = np.asarray(pressure, dtype=float)
    bad = np.flatnonzero(~np.isfinite(p.ravel()))
    if bad.size:
        raise ValueError(f"pressure must be finite (GPa), got {p.ravel()[bad[0]]}")
    neg = np.flatnonzero(p.ravel() < 0.0)
    if neg.size:
        raise ValueError(f"pressure must be >= 0 GPa, got {p.ravel()[neg[0]]}")
    return p


def _check_path_values(p: FloatArray, eta: FloatArray, g: FloatArray) -> None:
    bad = np.flatnonzero(~np.isfinite(eta.ravel()))
    if bad.size:
        i = bad[0]
        raise ValueError(
            f"eta(P) must be finite; got eta = {eta.ravel()[i]} at P = {p.ravel()[i]:g} GPa"
        )
    out = np.flatnonzero(~(np.isfinite(g.ravel()) & (g.ravel() >= 0.0) & (g.ravel() < 0.5)))
    if out.size:
        i = out[0]
        raise ValueError(
            f"the path leaves 0 <= g < 0.5: g = {g.ravel()[i]:.6g} at P = {p.ravel()[i]:g} GPa "
            f"(the Migdal cut-off w0 sqrt(1 - 2g) needs g < 1/2); shorten the pressure range or "
            f"change g0, g1"
        )


def tc_along(model: Any, path: PressurePath, pressures: ArrayLike, **opts: Any) -> FloatArray:
    """Tc (K) along a pressure path, in one batched Tc solve.

    Parameters
    ----------
    model : multigap.Model
        The heterostructure (e.g. ``multigap.preset("A")``).
    path : PressurePath
        eta(P) and g(P).
    pressures : array_like
        Pressures, GPa (finite, >= 0).
    **opts
        Options of :func:`multigap.critical_temperatures` (``tol``, ``t_floor``, ...).

    Returns
    -------
    ndarray
        Tc(P) in kelvin, the shape of ``pressures``; 0.0 where no superconductivity exists above
        the temperature floor.

    Raises
    ------
    ValueError
        A pressure that is not finite or negative, or a pressure at which g(P) leaves [0, 0.5)
        (the message names P and g) or eta(P) is not finite.
    """
    from multigap.pairing.tc import critical_temperatures

    p = _check_pressures(pressures)
    eta = path.eta(p)
    g = path.g(p)
    _check_path_values(p, eta, g)
    return np.asarray(critical_temperatures(model, eta, g, **opts), dtype=float).reshape(p.shape)


def _initial_guess(model: Any, p: FloatArray, tc: FloatArray, p_ref: float) -> dict[str, float]:
    """Data-driven start: eta = 1 (the neck opening) at the highest point, eta spans ~1.5 over
    the data, g from a scan of Tc(eta = 1, g) against the highest measured Tc, g1 = 0."""
    from multigap.pairing.tc import critical_temperatures

    span = float(np.ptp(p))
    eta1 = 1.5 / span if span > 0 else 0.01
    p_peak = float(p[int(np.argmax(tc))])
    eta0 = 1.0 + eta1 * (p_ref - p_peak)
    g_grid = np.linspace(0.12, 0.48, 19)
    tc_grid = np.asarray(critical_temperatures(model, 1.0, g_grid), dtype=float)
    g0 = float(g_grid[int(np.argmin(np.abs(tc_grid - float(np.max(tc)))))])
    return {"eta0": eta0, "eta1": eta1, "g0": g0, "g1": 0.0}


def check_fixed(
    fixed: Mapping[str, float] | None,
    box: Mapping[str, tuple[float, float]] = DEFAULT_BOUNDS,
    name: str = "fixed",
) -> dict[str, float]:
    """Held path parameters, each a finite number inside its box (default :data:`DEFAULT_BOUNDS`:
    eta0 in [-1, 3], eta1 in [-0.2, 0.2] 1/GPa, g0 in [0, 0.499], g1 in [-0.02, 0.02] 1/GPa)."""
    if fixed is None:
        return {}
    check.known_keys(name, fixed, PARAMS)
    out = {}
    for k, v in fixed.items():
        lo, hi = box[k]
        out[k] = check.in_range(f"{name}[{k}]", v, lo, hi)
    return out


def _start_and_bounds(
    p0: Mapping[str, float] | PressurePath | None,
    bounds: Mapping[str, Sequence[float]] | None,
    fixed: Mapping[str, float] | None,
    guess: Callable[[], dict[str, float]],
) -> tuple[dict[str, float], dict[str, tuple[float, float]], dict[str, float]]:
    start: dict[str, float]
    if p0 is None:
        start = guess()
    elif isinstance(p0, PressurePath):
        start = p0.params
    else:
        check.known_keys("p0", p0, PARAMS)
        start = guess() if set(p0) != set(PARAMS) else {}
        start.update({k: check.finite(f"p0[{k}]", v) for k, v in p0.items()})
    box = {k: (float(lo), float(hi)) for k, (lo, hi) in DEFAULT_BOUNDS.items()}
    if bounds is not None:
        check.known_keys("bounds", bounds, PARAMS)
        for k, b in bounds.items():
            if len(b) != 2:
                raise ValueError(f"bounds[{k}] must be (low, high), got {b!r}")
            lo = check.finite(f"bounds[{k}] low", b[0])
            hi = check.finite(f"bounds[{k}] high", b[1])
            if not lo < hi:
                raise ValueError(f"bounds[{k}] must have low < high, got ({lo:g}, {hi:g})")
            box[k] = (lo, hi)
    fix = check_fixed(fixed, box)
    for k in PARAMS:
        if k in fix:
            continue
        lo, hi = box[k]
        start[k] = min(max(start[k], lo), hi)
    return start, box, fix


@dataclass(frozen=True)
class _Problem:
    """The least-squares problem of :func:`fit_path`: points, held parameters and the model's
    valid (eta, g) range; its :meth:`residuals` are weighted Tc misfits plus one penalty."""

    model: Any
    p: FloatArray
    t: FloatArray
    sigma: FloatArray
    p_ref: float
    fix: dict[str, float]
    free: tuple[str, ...]
    eta_lo: float
    #: the parameters and residuals of the last evaluation: the next one (the Jacobian's
    #: columns, a step of the fit) starts its root searches at those Tc
    last: list[FloatArray] = field(default_factory=list, compare=False)

    def eta_hi(self, g: FloatArray) -> FloatArray:
        return eta_limits(self.model, np.clip(g, 0.0, G_MAX))[1]

    def full(self, x: FloatArray) -> dict[str, float]:
        vals = dict(self.fix)
        vals.update(zip(self.free, (float(v) for v in x), strict=True))
        return vals

    def path_of(self, vals: Mapping[str, float]) -> tuple[FloatArray, FloatArray]:
        dp = self.p - self.p_ref
        return vals["eta0"] + vals["eta1"] * dp, vals["g0"] + vals["g1"] * dp

    def violation(self, eta: FloatArray, g: FloatArray) -> float:
        v = np.maximum(0.0, -g) + np.maximum(0.0, g - G_MAX)
        v += np.maximum(0.0, eta - self.eta_hi(g)) + np.maximum(0.0, self.eta_lo - eta)
        return float(np.sum(v))

    def residuals(self, x: FloatArray) -> FloatArray:
        """Weighted misfits (Tc_model - Tc) / sigma at the data pressures, and the penalty."""
        r = self._residuals_many(np.asarray(x, dtype=float)[None, :])[0]
        self.last[:] = [np.asarray(x, dtype=float).copy(), r]  # the next call starts from here
        return r

    def jacobian(self, x: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
        """Forward differences of :meth:`residuals`, every column in one batch of Tc solves.

        Steps as least_squares takes them with ``diff_step`` (h = _DIFF_STEP |x_j|, or
        sqrt(eps) max(1, |x_j|) where that vanishes; backwards where x_j + h leaves the box);
        the shifted points start their root search at the unshifted Tc.
        """
        x = np.asarray(x, dtype=float)
        if not self.last or not np.array_equal(self.last[0], x):
            self.residuals(x)
        f0 = self.last[1]
        sign = np.where(x >= 0.0, 1.0, -1.0)
        h = _DIFF_STEP * sign * np.abs(x)
        h = np.where(
            (x + h) - x == 0.0, np.sqrt(np.finfo(float).eps) * sign * np.maximum(1.0, np.abs(x)), h
        )
        out = (x + h < lower) | (x + h > upper)
        h = np.where(out & (np.abs(h) <= np.maximum(x - lower, upper - x)), -h, h)
        shifted = x[None, :] + np.diag(h)
        dx = np.diagonal(shifted) - x
        cols = self._residuals_many(shifted, start=self._tc_of(f0))
        return np.asarray((cols - f0[None, :]) / dx[:, None]).T

    def _tc_of(self, r: FloatArray) -> FloatArray:
        """Model Tc from a residual vector (its first entries are (Tc - t) / sigma)."""
        return r[: self.t.size] * self.sigma + self.t

    def _residuals_many(self, xs: FloatArray, start: FloatArray | None = None) -> FloatArray:
        """Residual vectors (k, n + 1) of k parameter vectors, their Tc in one batch."""
        from multigap.pairing.tc import critical_temperatures

        paths = [self.path_of(self.full(x)) for x in xs]
        eta = np.concatenate([e for e, _ in paths])
        g = np.concatenate([gg for _, gg in paths])
        if start is None and self.last:
            start = self._tc_of(self.last[1])
        tc_m = critical_temperatures(
            self.model,
            np.clip(eta, self.eta_lo, self.eta_hi(g)),
            np.clip(g, 0.0, G_MAX),
            tol=_FIT_TOL,
            start=None if start is None else np.tile(start, len(paths)),
        )
        r = (np.asarray(tc_m, dtype=float).reshape(len(paths), -1) - self.t) / self.sigma
        pen = [_PENALTY * self.violation(e, gg) for e, gg in paths]
        return np.concatenate([r, np.asarray(pen)[:, None]], axis=1)


def _free_parameters(fix: Mapping[str, float], n_points: int) -> tuple[str, ...]:
    """The parameters left to fit; refuses none, or more than the points can determine."""
    free = tuple(k for k in PARAMS if k not in fix)
    if not free:
        raise ValueError("fit_path: every parameter is fixed; nothing to fit")
    if n_points < len(free):
        raise ValueError(
            f"fit_path: {n_points} points cannot determine {len(free)} free parameters "
            f"({', '.join(free)}); fix some with fixed={{...}}"
        )
    return free


def _covariance(
    J: FloatArray, free: tuple[str, ...], chi2: float, dof: int, weighted: bool
) -> tuple[FloatArray, dict[str, float]]:
    """(4, 4) covariance in :data:`PARAMS` order and one-sigma errors from the Jacobian.

    (J^T J)^-1 by SVD, dropping directions the data do not constrain (as curve_fit does; then
    the free block is infinite); scaled by chi^2 / dof when the fit is unweighted.
    """
    _, s, vt = np.linalg.svd(J, full_matrices=False)
    keep = s > np.finfo(float).eps * max(J.shape) * (s[0] if s.size else 0.0)
    cov_free = (vt[keep].T / s[keep] ** 2) @ vt[keep]
    if not np.all(keep):
        cov_free = np.full_like(cov_free, np.inf)
    if not weighted:
        cov_free = cov_free * (chi2 / dof if dof > 0 else np.inf)
    cov = np.zeros((len(PARAMS), len(PARAMS)))
    idx = [PARAMS.index(k) for k in free]
    cov[np.ix_(idx, idx)] = cov_free
    errors = {
        k: float(math.sqrt(cov[i, i])) if cov[i, i] >= 0 else math.nan for i, k in enumerate(PARAMS)
    }
    return cov, errors


def _fitted_curve(
    prob: _Problem, path: PressurePath, n_curve: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Pressure, Tc, eta and g of the fitted path on ``n_curve`` points over the data's range.

    The path is clipped into the valid eta, g range before the Tc solve (a no-op when the fit
    succeeded, except where eta_limits dips between data points).
    """
    from multigap.pairing.tc import critical_temperatures

    curve_p = np.linspace(float(prob.p.min()), float(prob.p.max()), n_curve)
    curve_eta, curve_g = path.eta(curve_p), path.g(curve_p)
    curve_tc = np.asarray(
        critical_temperatures(
            prob.model,
            np.clip(curve_eta, prob.eta_lo, prob.eta_hi(curve_g)),
            np.clip(curve_g, 0.0, G_MAX),
        ),
        dtype=float,
    )
    return curve_p, curve_tc, curve_eta, curve_g


def _fit_result(
    prob: _Problem,
    sol: Any,
    tc_err: FloatArray | None,
    *,
    n_curve: int,
    data_kind: str,
    source: str,
    retraction: str | None,
) -> FitResult:
    """The :class:`FitResult` of a finished least-squares run ``sol`` of ``prob``: chi^2,
    covariance, constraint check and the fitted curve."""
    p, t, p_ref, free = prob.p, prob.t, prob.p_ref, prob.free
    weighted = tc_err is not None
    vals = prob.full(sol.x)
    viol = prob.violation(*prob.path_of(vals))
    r = sol.fun[:-1]
    chi2 = float(r @ r)
    dof = int(p.size - len(free))
    cov, errors = _covariance(np.asarray(sol.jac, dtype=float)[:-1], free, chi2, dof, weighted)
    path = PressurePath(vals["eta0"], vals["eta1"], vals["g0"], vals["g1"], p_ref=p_ref)
    message = str(sol.message)
    if viol > 0.0:
        message += (
            "; the best path leaves 0 <= g <= 0.499 or the eta range of eta_limits at some "
            "data pressure (fix g1, narrow the bounds or change the model)"
        )
    curve_p, curve_tc, curve_eta, curve_g = _fitted_curve(prob, path, n_curve)
    return FitResult(
        path=path,
        params=path.params,
        errors=errors,
        covariance=cov,
        free=free,
        chi2=chi2,
        dof=dof,
        weighted=weighted,
        pressure=p,
        tc=t,
        tc_err=tc_err,
        tc_model=np.asarray(t + r * prob.sigma, dtype=float),
        curve_pressure=curve_p,
        curve_tc=curve_tc,
        curve_eta=curve_eta,
        curve_g=curve_g,
        success=bool(sol.success) and viol == 0.0,
        message=message,
        nfev=int(sol.nfev),
        data_kind=data_kind,
        source=source,
        retraction=retraction,
        model_name=str(getattr(prob.model, "name", "")),
    )


def fit_path(
    model: Any,
    pressures: ArrayLike,
    tc: ArrayLike,
    tc_err: ArrayLike | None = None,
    *,
    p0: Mapping[str, float] | PressurePath | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    fixed: Mapping[str, float] | None = None,
    p_ref: float = P_REF,
    n_curve: int = 121,
    max_nfev: int = 200,
    source: str = "",
    data_kind: str = "measured",
    retraction: str | None = None,
) -> FitResult:
    """Fit a linear pressure path (eta0, eta1, g0, g1) to (P, Tc) points.

    Minimises sum_i ((Tc_model(P_i) - Tc_i) / sigma_i)^2 with
    :func:`scipy.optimize.least_squares` (trust-region reflective, box bounds,
    forward-difference Jacobian with relative step 1e-6, its columns solved in one batch of Tc
    searches started at the unshifted Tc, to ``|d ln Tc| < 1e-11``);
    sigma_i = ``tc_err`` when given, else 1 K. The constraint 0 <= g(P) <= 0.499 at every
    data pressure (and eta(P) inside the model's tables) is kept by a penalty residual; a fit
    that ends outside it is returned with ``success = False``.

    Parameters
    ----------
    model : multigap.Model
        The heterostructure (e.g. ``multigap.preset("A")``).
    pressures, tc : array_like
        Measured points: P (GPa, >= 0) and Tc (K, >= 0).
    tc_err : array_like, optional
        One-sigma uncertainties of Tc (K, > 0). Without them the parameter covariance is
        scaled by chi^2 / dof.
    p0 : dict or PressurePath, optional
        Start values. Default: eta = 1 at the highest point, eta spanning ~1.5 over the data,
        g0 from Tc(eta = 1, g) matched to the highest Tc, g1 = 0.
    bounds : dict, optional
        ``{name: (low, high)}`` replacing entries of :data:`DEFAULT_BOUNDS`.
    fixed : dict, optional
        Parameters held at given values (e.g. ``{"g1": 0.0}``), each inside its box (the
        default bounds, or ``bounds``): a held g0 of 0.7 is refused.
    p_ref : float
        Reference pressure of the path, GPa, in [0, 1000].
    n_curve : int
        Points of the fitted curve over the data's pressure range.
    max_nfev : int
        Most residual evaluations.
    source, data_kind, retraction : str
        Carried into the result (:func:`fit_path_to_summary` sets them).

    Returns
    -------
    FitResult

    References
    ----------
    T. Mazziotti, R. Raimondi, A. Valletta, G. Campi, A. Bianconi, "Resonant multi-gap
    superconductivity at room temperature near a Lifshitz topological transition in sulfur
    hydrides", J. Appl. Phys. 130, 173904 (2021) (the straight path through (eta, g)).
    """
    p, t, e = validate_points(pressures, tc, tc_err, where="fit_path")
    p_ref = check.in_range("p_ref", p_ref, 0.0, PRESSURE_MAX_GPA, unit="GPa")
    n_curve = check.integer("n_curve", n_curve, 2)
    max_nfev = check.integer("max_nfev", max_nfev, 1)
    start, box, fix = _start_and_bounds(
        p0, bounds, fixed, lambda: _initial_guess(model, p, t, p_ref)
    )
    free = _free_parameters(fix, p.size)
    sigma = e if e is not None else np.ones_like(t)
    prob = _Problem(model, p, t, sigma, p_ref, fix, free, eta_limits(model, 0.0)[0])
    lower = np.array([box[k][0] for k in free])
    upper = np.array([box[k][1] for k in free])
    sol = least_squares(
        prob.residuals,
        np.array([start[k] for k in free]),
        jac=lambda x: prob.jacobian(x, lower, upper),
        bounds=(lower, upper),
        x_scale="jac",
        max_nfev=max_nfev,
        method="trf",
    )
    return _fit_result(
        prob,
        sol,
        e,
        n_curve=n_curve,
        data_kind=data_kind,
        source=source,
        retraction=retraction,
    )


def fit_path_from_csv(model: Any, path: str | Path, **kwargs: Any) -> FitResult:
    """Fit a pressure path to the points of a CSV file (entry point of ``multigap pressure fit``).

    Parameters
    ----------
    model : multigap.Model
    path : str or Path
        CSV with columns ``pressure_GPa``, ``tc_K`` and optionally ``tc_err_K``
        (:func:`multigap.data.load_tc_csv`).
    **kwargs
        Passed to :func:`fit_path` (``p0``, ``bounds``, ``fixed``, ``p_ref``, ...).
    """
    data = load_tc_csv(path)
    kwargs.setdefault("source", data.source)
    return fit_path(model, data.pressure, data.tc, data.tc_err, **kwargs)


def fit_path_to_summary(
    model: Any, name: str | DomeSummary = "h3s", n: int = 25, **kwargs: Any
) -> FitResult:
    """Fit a pressure path to the drawn summary dome of a shipped material (unweighted).

    The points are ``n`` samples of :meth:`multigap.data.DomeSummary.curve` across the dome
    (p_opt +- half_width). They are a drawing of three quoted numbers, not data: the result
    has ``data_kind = "summary"`` and its chi^2 is a distance to the drawing, not a statistic.
    For a retracted source (CSH) the result carries the retraction note.
    """
    s = dome_summary(name) if isinstance(name, str) else name
    n = check.integer("n", n, 4)
    pts = np.linspace(s.p_opt - s.half_width, s.p_opt + s.half_width, n)
    pts = pts[pts >= 0.0]
    curve = s.curve(pts)
    kwargs.setdefault("source", f"summary of {s.name}: {s.source}")
    return fit_path(
        model,
        curve.pressure,
        curve.tc,
        None,
        data_kind="summary",
        retraction=s.retraction if s.retracted else None,
        **kwargs,
    )
