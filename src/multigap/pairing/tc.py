"""Critical temperature of a model from the linearised multiband gap equation (SPEC §5, §7).

Tc is the temperature where the largest eigenvalue Lambda(T) of the linearised gap equation
-- a finite matrix problem in the cosine basis of the superposition integrals -- crosses 1.
The pieces live in their own modules:

* :mod:`multigap.pairing.operator`: the kernel tables of a geometry, the coupling matrices
  G o C factored once per batch, and Lambda(T) with its exact slope dLambda/d ln T;
* :mod:`multigap.pairing.tc_search`: the vectorised Newton search on ln T;
* :mod:`multigap.pairing.chemical_potential`: mu(T) at fixed density;
* :mod:`multigap.pairing.isotope`: the isotope coefficient.

This module is the model-level interface (:func:`critical_temperature`,
:func:`critical_temperatures`, :func:`tc_result`, :func:`pairing_eigenvalue`); it re-exports
the names of the pieces above, so ``from multigap.pairing.tc import X`` keeps working.

Everything that does not depend on (mu, T, g) -- the projected-DOS tables scaled by 1/N0, the
cosine modes, the index maps -- is prepared once per geometry (:class:`KernelTables`). A batch
of more than ``_ANCHOR_EVERY`` points is solved in two passes: every ``_ANCHOR_EVERY``-th point
first, then the others starting from the ln Tc interpolated between those anchors (warm
starts; a neighbour's Tc is a far better start than the weak-coupling estimate).

References
----------
H. Suhl, B. T. Matthias, L. R. Walker, Phys. Rev. Lett. 3, 552 (1959) (multiband Tc as the
largest eigenvalue); A. Perali, A. Bianconi, A. Lanzara, N. L. Saini, Solid State Commun.
100, 181 (1996) and A. Bianconi, Solid State Commun. 89, 933 (1994) (shape resonance in
superlattices of quantum wires).
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap._threads import single_threaded_blas
from multigap.constants import KB
from multigap.pairing import couplings
from multigap.pairing.chemical_potential import fixed_density
from multigap.pairing.kernel import _n0_of
from multigap.pairing.operator import KernelTables, PairOperator, pair_matrices
from multigap.pairing.tc_search import _FEW_POINTS, DEFAULT_TOL, TcBatch, lambda_of_T, solve_tc

__all__ = [
    "DEFAULT_TOL",
    "KernelTables",
    "PairOperator",
    "TcBatch",
    "TcResult",
    "critical_temperature",
    "critical_temperatures",
    "lambda_of_T",
    "pair_matrices",
    "pairing_eigenvalue",
    "solve_tc",
    "tc_result",
]

FloatArray = NDArray[np.float64]

#: batches larger than _ONE_PASS points are solved at every _ANCHOR_EVERY-th point first
#: (warm starts for the others)
_ANCHOR_EVERY = 8
_ONE_PASS = 64


# ============================================================================ model interface
@dataclass(frozen=True)
class TcResult:
    """Critical temperature of one (eta, g) point with its diagnostics.

    Attributes
    ----------
    tc : float
        Critical temperature, K; 0.0 when ``below_floor``.
    below_floor : bool
        Lambda(T_floor) < 1: no superconductivity above ``t_floor`` (Tc is *not* a number
        then; 0.0 is a flag value).
    mu : float
        Chemical potential at Tc, meV (at T_floor when below the floor).
    eta, g : float
        The point: Lifshitz parameter and reduced resonant coupling.
    lambda_coupling : float
        lambda = g / (1 - g).
    wc : tuple of float
        Cut-off per band, meV.
    leading_eigenvector : ndarray (n_bands, Q) or None
        Gap structure at Tc: Delta_n(kz) ∝ sum_q a_{n,q} cos(q kz d), unit Euclidean norm of
        the coefficients, sign such that the largest coefficient is positive; None below the
        floor.
    lambda_history : tuple of (T in K, Lambda)
        Every evaluation of the root search, in order.
    t_floor : float
        The floor used, K.
    """

    tc: float
    below_floor: bool
    mu: float
    eta: float
    g: float
    lambda_coupling: float
    wc: tuple[float, ...]
    leading_eigenvector: FloatArray | None
    lambda_history: tuple[tuple[float, float], ...]
    t_floor: float


_TABLES: weakref.WeakKeyDictionary[Any, KernelTables] = weakref.WeakKeyDictionary()


def _tables_of(model: Any) -> KernelTables:
    """KernelTables of a model, built once per geometry (cached weakly on the geometry)."""
    geo = model.geometry
    try:
        return _TABLES[geo]
    except (KeyError, TypeError):
        pass
    pd = geo.pdos
    with single_threaded_blas():  # small matrices (the mode subspace's SVDs)
        tables = KernelTables.from_arrays(
            pd.energy, pd.values, geo.overlaps.modes, _n0_of(pd, getattr(pd, "n0", None))
        )
    with contextlib.suppress(TypeError):  # geometry not weak-referenceable: no cache
        _TABLES[geo] = tables
    return tables


_OPTS = ("t_floor", "t_ceiling", "tol", "max_iter", "chemical_potential", "start")


def _options(model: Any, opts: dict[str, Any]) -> dict[str, Any]:
    check.known_keys("Tc options", opts, _OPTS)
    num = getattr(model, "numerics", None)
    out: dict[str, Any] = {
        "t_floor": float(opts.get("t_floor", getattr(num, "t_floor", 1e-5))),
        "t_ceiling": float(opts.get("t_ceiling", getattr(num, "t_ceiling", 5000.0))),
        "tol": float(opts.get("tol", DEFAULT_TOL)),
        "max_iter": int(opts.get("max_iter", 100)),
        "chemical_potential": str(
            opts.get("chemical_potential", getattr(model, "chemical_potential", "fixed_mu"))
        ),
    }
    check.choice("chemical_potential", out["chemical_potential"], ("fixed_mu", "fixed_density"))
    out["start"] = opts.get("start")
    return out


def _start_of(start: Any, shape: tuple[int, ...]) -> FloatArray | None:
    """ln of the starting Tc guesses (K) broadcast to the points; NaN or 0: own estimate."""
    if start is None:
        return None
    s = np.asarray(start, dtype=float)
    try:
        s = np.broadcast_to(s, shape).reshape(-1)
    except ValueError:
        raise ValueError(
            f"start must broadcast to the points' shape {shape}, got shape {s.shape}"
        ) from None
    if np.any(np.isinf(s) | (s < 0.0)):
        raise ValueError("start must hold Tc guesses in K, finite and >= 0 (NaN or 0: none)")
    with np.errstate(divide="ignore"):
        return np.where(s > 0.0, np.log(np.where(s > 0.0, s, 1.0)), np.nan)


def _points(
    model: Any, eta: ArrayLike, g: ArrayLike, scale: ArrayLike = 1.0
) -> tuple[tuple[int, ...], FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Broadcast (eta, g, w0 scale) and return shape, flat eta, g, mu (meV), G, wc."""
    eta_a = np.asarray(eta, dtype=float)
    g_a = np.asarray(g, dtype=float)
    s_a = np.asarray(scale, dtype=float)
    if np.any(~np.isfinite(eta_a)):
        raise ValueError(f"eta must be finite, got {eta!r}")
    couplings.validate_g(g_a)
    eta_b, g_b, s_b = np.broadcast_arrays(eta_a, g_a, s_a)
    shape = eta_b.shape
    eta_f, g_f, s_f = (np.ascontiguousarray(v, dtype=float).reshape(-1) for v in (eta_b, g_b, s_b))
    sb = model.geometry.subbands
    r = int(model.resonant_band)
    mu = sb.edge(r) + eta_f * sb.width(r)
    G = couplings.coupling_matrices(
        model.n_bands,
        r,
        g_f,
        background_coupling=model.background_coupling,
        interband=model.interband,
        interband_value=model.interband_value,
        coupling_matrix=model.coupling_matrix,
        coupling_scale=model.coupling_scale,
    )
    wc = couplings.cutoff_energies(
        model.omega0,
        g_f,
        rule=model.cutoff,
        band_omega0=model.band_omega0,
        scale=s_f,
    )
    return shape, eta_f, g_f, mu, G, wc


def _check_coverage(
    model: Any, tables: KernelTables, mu: FloatArray, wc: FloatArray, eta: FloatArray
) -> None:
    top = mu + (wc if wc.ndim == 1 else wc.max(axis=1))
    lowest = float(tables.energy[0])  # the tables start at the lowest subband bottom
    if np.any(mu < lowest):
        i = int(np.argmin(mu))
        raise ValueError(
            f"eta = {eta[i]:.6g} puts mu = {mu[i]:.6g} meV below every subband (the lowest "
            f"bottom is {lowest:.6g} meV): there are no electrons"
        )
    nxt = float(getattr(model.geometry, "next_bottom", np.inf))
    if np.any(top > nxt):
        i = int(np.argmax(top))
        raise ValueError(
            f"eta = {eta[i]:.6g} puts the pairing window up to {top[i]:.6g} meV, into subband "
            f"{model.n_bands + 1} (bottom {nxt:.6g} meV) that the model leaves out; lower eta "
            f"or raise n_bands"
        )
    e_max = float(tables.energy[-1])
    if np.any(top > e_max):
        i = int(np.argmax(top))
        raise ValueError(
            f"eta = {eta[i]:.6g} puts the pairing window up to {top[i]:.6g} meV, beyond the "
            f"projected-DOS table (up to {e_max:.6g} meV); raise Numerics.eta_max"
        )


def _warm_starts(tc: FloatArray, anchors: NDArray[np.intp], B: int) -> FloatArray:
    """ln Tc interpolated (in the flat index) between anchors with Tc > 0; NaN elsewhere."""
    ok = tc[anchors] > 0.0
    start = np.full(B, np.nan)
    if np.count_nonzero(ok) >= 1:
        pos, val = anchors[ok], np.log(tc[anchors[ok]])
        start = np.interp(np.arange(B), pos, val)
        # between an anchor below the floor and one above, keep the own estimate
        nxt = np.searchsorted(anchors, np.arange(B))
        prv = np.clip(nxt - 1, 0, anchors.size - 1)
        nxt = np.clip(nxt, 0, anchors.size - 1)
        both = (tc[anchors[prv]] > 0.0) & (tc[anchors[nxt]] > 0.0)
        start = np.where(both, start, np.nan)
    return start


def _solve_model(
    model: Any,
    eta: ArrayLike,
    g: ArrayLike,
    scale: ArrayLike = 1.0,
    *,
    vectors: bool = False,
    **opts: Any,
) -> tuple[tuple[int, ...], FloatArray, FloatArray, FloatArray, TcBatch]:
    o = _options(model, opts)
    tables = _tables_of(model)
    shape, eta_f, g_f, mu, G, wc = _points(model, eta, g, scale)
    _check_coverage(model, tables, mu, wc, eta_f)
    mu_of_T = None
    if o["chemical_potential"] == "fixed_density":
        mu_of_T = fixed_density(model.geometry.pdos, mu)
    search = {k: o[k] for k in ("t_floor", "t_ceiling", "tol", "max_iter")}
    labels = {"eta": eta_f, "g": g_f}
    B = mu.size
    start = _start_of(o["start"], shape)
    # a few points make no BLAS call large enough to thread: skip the limit's ~15 us there
    limit = single_threaded_blas() if B > _FEW_POINTS else contextlib.nullcontext()
    with limit:
        A = pair_matrices(tables, G)
        if B <= _ONE_PASS or mu_of_T is not None or start is not None:
            batch = solve_tc(
                tables, A, mu, wc, vectors=vectors, mu_of_T=mu_of_T, labels=labels,
                start=start, **search,
            )  # fmt: skip
        else:
            batch = _two_pass(tables, A, mu, wc, vectors, labels, search)
    return shape, eta_f, g_f, wc, batch


def _two_pass(
    tables: KernelTables,
    A: FloatArray,
    mu: FloatArray,
    wc: FloatArray,
    vectors: bool,
    labels: dict[str, FloatArray],
    search: dict[str, Any],
) -> TcBatch:
    """Anchors (every _ANCHOR_EVERY-th point, and the last) first, then the rest warm-started."""
    B = mu.size
    anchors = np.unique(np.append(np.arange(0, B, _ANCHOR_EVERY), B - 1))
    rest = np.setdiff1d(np.arange(B), anchors)
    lab_a = {k: v[anchors] for k, v in labels.items()}
    first = solve_tc(tables, A[anchors], mu[anchors], wc[anchors], labels=lab_a, **search)
    tc = np.zeros(B)
    tc[anchors] = first.tc
    start = _warm_starts(tc, anchors, B)[rest]
    lab_r = {k: v[rest] for k, v in labels.items()}
    second = solve_tc(tables, A[rest], mu[rest], wc[rest], labels=lab_r, start=start, **search)
    below = np.zeros(B, dtype=bool)
    tc[rest] = second.tc
    below[anchors], below[rest] = first.below_floor, second.below_floor
    mu_at = mu.copy()
    history = [(anchors[i], T, lam) for i, T, lam in first.history]
    history += [(rest[i], T, lam) for i, T, lam in second.history]
    vec: FloatArray | None = None
    if vectors:
        vec = np.full((B, tables.n_bands, tables.n_modes), np.nan)
        act = np.flatnonzero(~below)
        if act.size:
            op = PairOperator(tables, A[act])
            lead = op.evaluate(mu[act], KB * tc[act], wc[act], vectors=True)
            assert lead.vectors is not None
            vec[act] = lead.vectors.reshape(act.size, tables.n_bands, tables.n_modes)
    return TcBatch(tc, below, mu_at, vec, history, first.iterations + second.iterations)


def critical_temperatures(model: Any, eta: ArrayLike, g: ArrayLike, **opts: Any) -> FloatArray:
    """Tc (K) for arrays of (eta, g), broadcast together, in one vectorised root search.

    Parameters
    ----------
    model : multigap.Model
        The heterostructure and its pairing rules.
    eta : array_like
        Lifshitz parameter of the resonant subband: mu = E_L + eta Delta_E.
    g : array_like
        Reduced coupling of the resonant subband, 0 <= g < 1/2.
    **opts
        ``t_floor``, ``t_ceiling`` (K; defaults from ``model.numerics``), ``tol``
        (``|d ln Tc|``, default 1e-9), ``max_iter``, ``chemical_potential``, ``start``
        (Tc guesses in K broadcast to the points, e.g. the result of a nearby call; NaN or 0
        where there is none: it changes where the root search starts, not the root).

    Returns
    -------
    ndarray
        Tc in kelvin, shape of the broadcast (eta, g); 0.0 where Lambda(t_floor) < 1 (no
        superconductivity above the floor; :func:`tc_result` carries the explicit flag).
    """
    check.points(eta=eta, g=g)
    shape, _, _, _, batch = _solve_model(model, eta, g, **opts)
    return batch.tc.reshape(shape)


def tc_result(model: Any, eta: float, g: float, **opts: Any) -> TcResult:
    """Tc of one point with the below-floor flag, mu, gap structure and the search history.

    Parameters are those of :func:`critical_temperatures` (scalars). Returns
    :class:`TcResult`.
    """
    eta = check.finite("eta", eta)
    g = check.finite("g", g)
    _, _, _, wc, batch = _solve_model(model, eta, g, vectors=True, **opts)
    o = _options(model, opts)
    vec = None if batch.below_floor[0] or batch.vectors is None else batch.vectors[0]
    wc_row = np.atleast_1d(wc[0]) if wc.ndim == 2 else np.atleast_1d(wc)
    return TcResult(
        tc=float(batch.tc[0]),
        below_floor=bool(batch.below_floor[0]),
        mu=float(batch.mu[0]),
        eta=eta,
        g=g,
        lambda_coupling=float(couplings.lambda_from_g(g)),
        wc=tuple(float(x) for x in np.broadcast_to(wc_row, (model.n_bands,))),
        leading_eigenvector=vec,
        lambda_history=batch.history_of(0),
        t_floor=o["t_floor"],
    )


def critical_temperature(model: Any, eta: float, g: float, **opts: Any) -> float:
    r"""Tc in kelvin of one point (0.0 below the floor; see :func:`tc_result` for the flag).

    Parameters
    ----------
    model : multigap.Model
    eta : float
        Lifshitz parameter (mu = E_L + eta Delta_E of the resonant subband).
    g : float
        Reduced resonant coupling, 0 <= g < 1/2.
    **opts
        As in :func:`critical_temperatures`.

    Notes
    -----
    Tc is the root of :math:`\Lambda(T_c) = 1`, with :math:`\Lambda(T)` the largest eigenvalue
    of the linearised multiband gap equation (SPEC §5), searched on log T; where
    :math:`\Lambda(T_\mathrm{floor}) < 1` there is no superconductivity above the floor and the
    result is 0.0.
    """
    eta = check.finite("eta", eta)
    g = check.finite("g", g)
    return float(critical_temperatures(model, eta, g, **opts))


def pairing_eigenvalue(model: Any, eta: ArrayLike, g: ArrayLike, T: ArrayLike) -> Any:
    """Lambda(T): largest eigenvalue of the linearised gap equation at temperature T (K).

    Broadcasts (eta, g, T); returns a float for scalar input, else an array. Tc is where it
    crosses 1; it falls monotonically with T (for positive couplings).
    """
    check.points(eta=eta, g=g, T=T)
    T_a = np.asarray(T, dtype=float)
    if np.any(~np.isfinite(T_a) | (T_a <= 0.0)):
        raise ValueError(f"T must be finite and > 0 K, got {T!r}")
    eta_b, g_b, T_b = np.broadcast_arrays(
        np.asarray(eta, dtype=float), np.asarray(g, dtype=float), T_a
    )
    tables = _tables_of(model)
    shape, eta_f, _, mu, G, wc = _points(model, eta_b, g_b)
    _check_coverage(model, tables, mu, wc, eta_f)
    lam = lambda_of_T(tables, pair_matrices(tables, G), mu, T_b.reshape(-1), wc)
    return float(lam[0]) if shape == () else lam.reshape(shape)
