"""Root search of Lambda(Tc) = 1 on ln T for a batch of points (vectorised Newton).

Lambda(T) -- the largest eigenvalue of the linearised gap equation
(:mod:`multigap.pairing.operator`) -- falls monotonically with T wherever it is positive,
and is nearly linear in ln T (exactly so for one BCS band with T << wc:
Lambda = lambda ln(1.134 wc / T)). Each evaluation returns Lambda and its exact slope
dLambda/d ln T (Hellmann-Feynman, one more weight row in the same window pass), so Newton's
method on u = ln T converges quadratically from a BCS-like start: two to four evaluations to
|d ln Tc| < 1e-9 where a bracketing regula falsi needs six to ten.

Safeguards (all vectorised over the points still searching): a bracket [lo, hi] with
Lambda(lo) > 1 > Lambda(hi) is kept from every evaluation; a Newton step that leaves it, or a
slope that is not negative, falls back to bisection (or to a bounded step while one side is
open); steps below the floor probe the floor (Lambda(T_floor) < 1: no superconductivity above
it, flagged), steps above the ceiling probe the ceiling (Lambda > 1 there raises). A point is
done when the predicted error of the next Newton iterate, |f''/(2 f')| step^2 with f''
estimated from the last two slopes (at least 0.5 step^2 / |step_prev|), is below tol / 10,
or when the step itself is below tol; the accepted root is that next iterate.
With ``mu_of_T`` (fixed density) the slope leaves out d mu/d ln T: a quasi-Newton step that
still converges fast, inside the same bracket.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.constants import BCS_PREFACTOR, KB
from multigap.pairing import _eigen_kernels as _ek
from multigap.pairing.operator import KernelTables, PairOperator

__all__ = ["DEFAULT_TOL", "TcBatch", "TcCeilingError", "lambda_of_T", "solve_tc"]

FloatArray = NDArray[np.float64]
MuOfT = Callable[[FloatArray, NDArray[np.intp]], FloatArray]

#: default convergence of the root search, |d ln Tc|
DEFAULT_TOL = 1e-9
#: largest Newton step in ln T while the bracket is open on that side
_MAX_STEP = 4.0
#: batches up to this size are searched point by point (scalar Newton, no array overhead)
_FEW_POINTS = 4
#: points per block of the vectorised search (one block's arrays are held at once)
_BLOCK = 128


@dataclass(frozen=True)
class TcBatch:
    """Raw result of :func:`solve_tc` for a batch of B points.

    Attributes
    ----------
    tc : ndarray (B,)
        Critical temperatures, K (0.0 where ``below_floor``).
    below_floor : ndarray of bool (B,)
        Lambda(T_floor) < 1: no superconductivity above the floor.
    mu : ndarray (B,)
        Chemical potential at Tc (at T_floor where below the floor), meV.
    vectors : ndarray (B, n_bands, Q) or None
        Gap structure a_{n,q} at Tc (NaN below the floor), if requested.
    history : list of (indices, T_K, Lambda) arrays, one entry per batch evaluation.
    iterations : int
        Batch evaluations of Lambda used.
    """

    tc: FloatArray
    below_floor: NDArray[np.bool_]
    mu: FloatArray
    vectors: FloatArray | None
    history: list[tuple[NDArray[np.intp], FloatArray, FloatArray]]
    iterations: int

    def history_of(self, i: int) -> tuple[tuple[float, float], ...]:
        """(T in K, Lambda) pairs evaluated for point i, in order of evaluation."""
        out: list[tuple[float, float]] = []
        for idx, T, lam in self.history:
            hit = np.flatnonzero(idx == i)
            out.extend((float(T[j]), float(lam[j])) for j in hit)
        return tuple(out)

    def evaluations(self) -> NDArray[np.intp]:
        """Evaluations of Lambda per point (B,)."""
        count = np.zeros(self.tc.size, dtype=np.intp)
        for idx, _, _ in self.history:
            np.add.at(count, idx, 1)
        return count


class TcCeilingError(ValueError):
    """Lambda(T_ceiling) > 1: Tc lies above the search ceiling (the message names the point)."""


def _above_ceiling(t_ceiling: float, lam: float, where: str) -> TcCeilingError:
    return TcCeilingError(
        f"Lambda(T_ceiling = {t_ceiling:g} K) = {lam:.6g} > 1 at {where}: Tc lies above the "
        "search ceiling (raise t_ceiling or check the couplings)"
    )


def _describe(labels: dict[str, FloatArray] | None, idx: NDArray[np.intp], limit: int = 3) -> str:
    if not labels:
        return f"points {idx[:limit].tolist()}"
    parts = []
    for i in idx[:limit]:
        parts.append(", ".join(f"{k}={float(v[i]):.6g}" for k, v in labels.items()))
    more = f" (and {idx.size - limit} more)" if idx.size > limit else ""
    return "; ".join(parts) + more


def _check_batch(
    tables: KernelTables,
    A: ArrayLike,
    mu: ArrayLike,
    wc: ArrayLike,
    labels: dict[str, FloatArray] | None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    A_ = np.asarray(A, dtype=float)
    mu_ = np.asarray(mu, dtype=float).reshape(-1)
    wc_ = np.asarray(wc, dtype=float)
    B = mu_.size
    nbq = tables.n_bands * tables.n_modes
    if A_.shape != (B, nbq, nbq):
        raise ValueError(f"A must have shape (B = {B}, nbQ, nbQ), got {A_.shape}")
    if wc_.shape not in ((B,), (B, tables.n_bands)):
        raise ValueError(f"wc must have shape ({B},) or ({B}, {tables.n_bands}), got {wc_.shape}")
    for name, arr in (("mu", mu_), ("wc", wc_), ("A", A_)):
        if not np.all(np.isfinite(arr)):
            bad = np.flatnonzero(~np.isfinite(arr.reshape(B, -1)).all(axis=1))
            raise ValueError(f"{name} is not finite at {_describe(labels, bad)}")
    if np.any(wc_ < 0.0):
        raise ValueError("wc must be >= 0")
    return A_, mu_, wc_


def bcs_guess(tables: KernelTables, A: FloatArray, mu: FloatArray, wc: FloatArray) -> FloatArray:
    """ln Tc (K) of the weak-coupling estimate with the DOS at mu (no evaluation of Lambda).

    lambda_eff is the largest eigenvalue of the s = 0 couplings g_{nn'} C^{nn'}_{00} times the
    partial DOS rho_{n,0}(mu)/N0 (Suhl-Matthias-Walker with a constant DOS), and
    ln Tc = ln(1.134 wc_max / k_B) - 1 / lambda_eff; NaN where lambda_eff <= 0.
    """
    nb, Q, S = tables.n_bands, tables.n_modes, tables.n_moments
    j = np.clip(np.searchsorted(tables.energy, mu, side="right") - 1, 0, tables.energy.size - 2)
    e0, e1 = tables.energy[j], tables.energy[j + 1]
    h = e1 - e0
    t = np.divide(mu - e0, h, out=np.zeros_like(mu), where=h > 0.0)
    cols = np.arange(nb) * S
    rho = (1.0 - t)[:, None] * tables.table[j][:, cols] + t[:, None] * tables.table[j + 1][:, cols]
    root = np.sqrt(np.maximum(rho, 0.0))
    a00 = A[:, ::Q, ::Q]  # (B, nb, nb): g_{nn'} C^{nn'}_{00}
    sym = np.ascontiguousarray(root[:, :, None] * a00 * root[:, None, :])
    lam = _ek.leading(sym, sym)[0]  # compiled: no batched-LAPACK call overhead for a 3 x 3
    wmax = wc if wc.ndim == 1 else wc.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.log(BCS_PREFACTOR * np.maximum(wmax, 1e-300) / KB) - 1.0 / lam
    return np.where(lam > 0.0, u, np.nan)


@dataclass
class _State:
    """Per-point state of the Newton search (arrays over the batch)."""

    u: FloatArray  # next ln T to evaluate
    lo: FloatArray  # largest ln T with Lambda > 1 (or -inf)
    hi: FloatArray  # smallest ln T with Lambda < 1 (or +inf)
    u_prev: FloatArray
    s_prev: FloatArray
    step_prev: FloatArray
    root: FloatArray
    pending: NDArray[np.bool_]
    below: NDArray[np.bool_]


def _newton_update(
    st: _State,
    p: NDArray[np.intp],
    f: FloatArray,
    s: FloatArray,
    u_floor: float,
    u_ceil: float,
    tol: float,
) -> NDArray[np.intp]:
    """Update points p after an evaluation f = Lambda - 1, s = dLambda/d ln T at st.u[p].

    Returns the indices (within p) whose evaluation was at the ceiling with f > 0.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _newton_core(st, p, f, s, u_floor, u_ceil, tol)


def _newton_core(
    st: _State,
    p: NDArray[np.intp],
    f: FloatArray,
    s: FloatArray,
    u_floor: float,
    u_ceil: float,
    tol: float,
) -> NDArray[np.intp]:
    u = st.u[p]
    lo = np.where(f > 0.0, u, st.lo[p])
    hi = np.where(f < 0.0, u, st.hi[p])
    st.lo[p], st.hi[p] = lo, hi
    at_floor = (u <= u_floor) & (f < 0.0)
    st.below[p[at_floor]] = True
    hot = np.flatnonzero((u >= u_ceil) & (f > 0.0))
    ok_slope = np.isfinite(s) & (s < 0.0)
    step = np.where(ok_slope, -f / np.where(ok_slope, s, -1.0), np.nan)
    # curvature from the last two slopes; never trusted below 0.5 step^2/|step_prev|
    curv = np.abs((s - st.s_prev[p]) / (u - st.u_prev[p])) / (2.0 * np.abs(s))
    curv = np.maximum(np.where(np.isfinite(curv), curv, np.inf), 0.5 / np.abs(st.step_prev[p]))
    cand = u + step
    # closed bracket: a Newton step below half an ulp of u leaves cand == u == lo (or hi)
    inside = np.isfinite(cand) & (cand >= lo) & (cand <= hi)
    both = np.isfinite(lo) & np.isfinite(hi)
    bounded = np.clip(
        np.where(np.isfinite(step), step, np.where(f > 0.0, _MAX_STEP, -_MAX_STEP)),
        -_MAX_STEP,
        _MAX_STEP,
    )
    cand = np.where(inside, cand, np.where(both, 0.5 * (lo + hi), u + bounded))
    if np.any(~both):  # keep an open-sided step inside the known side of the bracket
        cand = np.where(
            both, cand, np.clip(cand, np.nextafter(lo, np.inf), np.nextafter(hi, -np.inf))
        )
    done = inside & ((np.abs(step) < tol) | (curv * step * step < 0.1 * tol)) | (f == 0.0)
    done |= both & (hi - lo < tol)
    finish = np.where(f == 0.0, u, np.where(inside, cand, 0.5 * (lo + hi)))
    done &= (finish >= u_floor) & (finish <= u_ceil)  # else the end is probed first
    st.root[p] = np.where(done, finish, st.root[p])
    # outside [floor, ceiling]: probe the end once (it decides below-floor / too hot)
    cand = np.clip(cand, u_floor, u_ceil)
    stop = done | at_floor
    st.pending[p[stop]] = False
    st.u_prev[p], st.s_prev[p] = u, s
    st.step_prev[p] = np.where(np.isfinite(step) & (step != 0.0), step, np.inf)
    st.u[p] = cand
    return hot


@dataclass
class _Point:
    """The Newton search of one point in Python floats (same rules as :func:`_newton_core`;
    an isolated point pays no array overhead per step)."""

    u: float
    lo: float = -math.inf
    hi: float = math.inf
    u_prev: float = math.nan
    s_prev: float = math.nan
    step_prev: float = math.inf
    root: float = math.nan
    below: bool = False
    done: bool = False

    def update(self, f: float, s: float, u_floor: float, u_ceil: float, tol: float) -> bool:
        """Take the evaluation f = Lambda - 1, s = slope at self.u; True if at the ceiling
        with f > 0 (Tc above the ceiling)."""
        u = self.u
        if f > 0.0:
            self.lo = u
        elif f < 0.0:
            self.hi = u
        lo, hi = self.lo, self.hi
        if u <= u_floor and f < 0.0:
            self.below = self.done = True
            return False
        hot = u >= u_ceil and f > 0.0
        step = -f / s if (math.isfinite(s) and s < 0.0) else math.nan
        try:
            curv = abs((s - self.s_prev) / (u - self.u_prev)) / (2.0 * abs(s))
        except ZeroDivisionError:
            curv = math.inf
        curv = max(curv if math.isfinite(curv) else math.inf, 0.5 / abs(self.step_prev))
        cand = u + step
        inside = math.isfinite(cand) and lo <= cand <= hi  # closed: see _newton_core
        both = math.isfinite(lo) and math.isfinite(hi)
        if not inside:
            if both:
                cand = 0.5 * (lo + hi)
            else:
                bounded = step if math.isfinite(step) else (_MAX_STEP if f > 0.0 else -_MAX_STEP)
                cand = u + min(max(bounded, -_MAX_STEP), _MAX_STEP)
                cand = min(max(cand, math.nextafter(lo, math.inf)), math.nextafter(hi, -math.inf))
        done = (inside and (abs(step) < tol or curv * step * step < 0.1 * tol)) or f == 0.0
        done = done or (both and hi - lo < tol)
        finish = u if f == 0.0 else (cand if inside else 0.5 * (lo + hi))
        if done and u_floor <= finish <= u_ceil:
            self.root, self.done = finish, True
        self.u_prev, self.s_prev = u, s
        self.step_prev = step if (math.isfinite(step) and step != 0.0) else math.inf
        self.u = min(max(cand, u_floor), u_ceil)
        return hot


def solve_tc(
    tables: KernelTables,
    A: ArrayLike,
    mu: ArrayLike,
    wc: ArrayLike,
    *,
    t_floor: float = 1e-5,
    t_ceiling: float = 5000.0,
    tol: float = DEFAULT_TOL,
    max_iter: int = 100,
    vectors: bool = False,
    mu_of_T: MuOfT | None = None,
    labels: dict[str, FloatArray] | None = None,
    start: ArrayLike | None = None,
) -> TcBatch:
    """Vectorised Newton search of Lambda(Tc) = 1 on ln T for a batch of points.

    Parameters
    ----------
    tables : KernelTables
        Geometry-dependent data.
    A : array_like, shape (B, n_bands Q, n_bands Q)
        (G o C) per point (:func:`multigap.pairing.operator.pair_matrices`), any signs.
    mu : array_like, shape (B,)
        Chemical potential, meV (with ``mu_of_T`` it is the T = 0 value and only used for the
        starting estimate).
    wc : array_like, shape (B,) or (B, n_bands)
        Cut-off per point (or per point and band), meV.
    t_floor, t_ceiling : float
        Search range, K (0 < t_floor < t_ceiling).
    tol : float
        Convergence: |d ln Tc| < ``tol`` (predicted error of the accepted Newton iterate).
    max_iter : int
        Largest number of batch evaluations.
    vectors : bool
        Also return the leading gap vector a_{n,q} at Tc (one more evaluation).
    mu_of_T : callable, optional
        ``mu_of_T(T_meV, indices) -> mu`` for a temperature-dependent chemical potential
        (fixed density); default: mu fixed.
    labels : dict of arrays, optional
        Parameter values per point (e.g. eta, g) quoted in error messages.
    start : array_like (B,), optional
        Starting ln Tc (K) per point (NaN: use the weak-coupling estimate
        :func:`bcs_guess`), e.g. from neighbours of a sweep.

    Returns
    -------
    TcBatch

    Raises
    ------
    ValueError
        If Lambda(t_ceiling) > 1 for a point (Tc above the ceiling), on non-convergence, or on
        invalid input; the message names the points' parameters.
    """
    t_floor = check.positive("t_floor", t_floor, "K")
    t_ceiling = check.positive("t_ceiling", t_ceiling, "K")
    if t_ceiling <= t_floor:
        raise ValueError(f"t_ceiling must be > t_floor = {t_floor} K, got {t_ceiling}")
    tol = check.in_range("tol", tol, 1e-15, 1e-3)
    max_iter = check.integer("max_iter", max_iter, 1)
    A_, mu_, wc_ = _check_batch(tables, A, mu, wc, labels)
    B = mu_.size
    op = PairOperator(tables, A_)
    u_floor, u_ceil = math.log(t_floor), math.log(t_ceiling)
    u0 = bcs_guess(tables, A_, mu_, wc_)
    if start is not None:
        s0 = np.asarray(start, dtype=float).reshape(B)
        u0 = np.where(np.isfinite(s0), s0, u0)
    u0 = np.clip(np.where(np.isfinite(u0), u0, u_floor), u_floor, u_ceil)
    inf = np.full(B, np.inf)
    st = _State(
        u0, -inf, inf.copy(), np.full(B, np.nan), np.full(B, np.nan), inf.copy(),
        np.full(B, np.nan), np.ones(B, dtype=bool), np.zeros(B, dtype=bool),
    )  # fmt: skip
    history: list[tuple[NDArray[np.intp], FloatArray, FloatArray]] = []
    n_eval = 0
    bounds = (u_floor, u_ceil, t_ceiling)
    blocks: list[NDArray[np.intp]] = []
    if B <= _FEW_POINTS:
        n_eval += _search_few(
            st, op, A_, mu_, wc_, start is None, mu_of_T, history, labels, bounds, max_iter, tol
        )
    else:
        # blocks of points in mu order (bounded memory per block)
        blocks = np.array_split(np.argsort(mu_, kind="stable"), max(1, -(-B // _BLOCK)))
    for block in blocks:
        n_eval += _search_block(
            st, op, block, mu_, wc_, mu_of_T, history, labels, bounds, max_iter, tol,
        )  # fmt: skip
    if np.any(st.pending):
        idx = np.flatnonzero(st.pending)
        raise ValueError(
            f"Tc search did not converge to |d ln Tc| < {tol:g} in {max_iter} steps at "
            f"{_describe(labels, idx)}"
        )
    below = st.below
    tc = np.where(below, 0.0, np.exp(np.where(below, 0.0, st.root)))
    T_at = np.where(below, t_floor, tc)
    every = np.arange(B)
    mu_at = mu_.copy() if mu_of_T is None else np.asarray(mu_of_T(KB * T_at, every), dtype=float)
    vec = _gap_vectors(tables, op, below, mu_at, KB * T_at, wc_) if vectors else None
    return TcBatch(tc, below, mu_at, vec, history, n_eval)


def _gap_vectors(
    tables: KernelTables,
    op: PairOperator,
    below: NDArray[np.bool_],
    mu: FloatArray,
    T_meV: FloatArray,
    wc: FloatArray,
) -> FloatArray:
    """Leading gap vectors a_{n,q} at Tc, shape (B, n_bands, n_modes); NaN below the floor."""
    vec = np.full((below.size, tables.n_bands, tables.n_modes), np.nan)
    act = np.flatnonzero(~below)
    if act.size:
        lead = op.take(act).evaluate(mu[act], T_meV[act], wc[act], vectors=True)
        assert lead.vectors is not None
        vec[act] = lead.vectors.reshape(act.size, tables.n_bands, tables.n_modes)
    return vec


def _search_few(
    st: _State,
    op: PairOperator,
    A: FloatArray,
    mu: FloatArray,
    wc: FloatArray,
    chain: bool,
    mu_of_T: MuOfT | None,
    history: list[tuple[NDArray[np.intp], FloatArray, FloatArray]],
    labels: dict[str, FloatArray] | None,
    bounds: tuple[float, float, float],
    max_iter: int,
    tol: float,
) -> int:
    """A few points (an isolated Tc, an isotope pair): one scalar search each.

    With ``chain``, a point with the mu and couplings of the previous one starts from its Tc
    (isotope shifts). Updates ``st`` in place; returns the number of evaluations.
    """
    u_floor, u_ceil = bounds[0], bounds[1]
    n_eval = 0
    B = mu.size
    for i in range(B):
        one = np.array([i])
        sub = _State(*(getattr(st, f)[one].copy() for f in _State.__dataclass_fields__))
        if (
            i > 0
            and chain
            and mu[i] == mu[i - 1]
            and np.isfinite(st.root[i - 1])
            and np.array_equal(A[i], A[i - 1])
        ):
            sub.u[0] = min(max(float(st.root[i - 1]), u_floor), u_ceil)
        n_eval += _search_one(
            sub, op.take(one) if B > 1 else op, mu[one], wc[one],
            None if mu_of_T is None else _shifted(mu_of_T, i), history, labels, bounds,
            max_iter, tol, index=i,
        )  # fmt: skip
        st.pending[i], st.below[i], st.root[i] = sub.pending[0], sub.below[0], sub.root[0]
    return n_eval


def _shifted(mu_of_T: MuOfT, i: int) -> MuOfT:
    """mu_of_T of batch point i for a one-point search (its index 0 is the batch's i)."""

    def one(T_meV: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
        return mu_of_T(T_meV, idx + i)

    return one


def _search_block(
    st: _State,
    op: PairOperator,
    block: NDArray[np.intp],
    mu_: FloatArray,
    wc_: FloatArray,
    mu_of_T: MuOfT | None,
    history: list[tuple[NDArray[np.intp], FloatArray, FloatArray]],
    labels: dict[str, FloatArray] | None,
    bounds: tuple[float, float, float],
    max_iter: int,
    tol: float,
) -> int:
    """Vectorised Newton search of the points ``block`` (indices into the batch, mu order);
    fills ``st``, returns the number of batch evaluations. ``bounds`` as in
    :func:`_search_one`."""
    u_floor, u_ceil, t_ceiling = bounds
    B = mu_.size
    n_eval = 0
    ident = block.size == B and bool(np.all(block == np.arange(B)))
    sub_op = op if ident else op.take(block)
    for _ in range(max_iter):
        q = np.flatnonzero(st.pending[block])
        if q.size == 0:
            break
        p = block[q]
        n_eval += 1
        T_meV = KB * np.exp(st.u[p])
        m = mu_[p] if mu_of_T is None else np.asarray(mu_of_T(T_meV, p), dtype=float)
        o_q = sub_op if q.size == block.size else sub_op.take(q)
        res = o_q.evaluate(m, T_meV, wc_[p], slope=True)
        assert res.slope is not None
        history.append((p, T_meV / KB, res.lam))
        if np.any(np.isnan(res.lam)):
            raise ValueError(f"Lambda is NaN at {_describe(labels, p[np.isnan(res.lam)])}")
        hot = _newton_update(st, p, res.lam - 1.0, res.slope, u_floor, u_ceil, tol)
        if hot.size:
            raise _above_ceiling(t_ceiling, float(res.lam[hot[0]]), _describe(labels, p[hot]))
    return n_eval


def _search_one(
    st: _State,
    op: PairOperator,
    mu: FloatArray,
    wc: FloatArray,
    mu_of_T: MuOfT | None,
    history: list[tuple[NDArray[np.intp], FloatArray, FloatArray]],
    labels: dict[str, FloatArray] | None,
    bounds: tuple[float, float, float],
    max_iter: int,
    tol: float,
    index: int = 0,
) -> int:
    """The search of a batch of one point (:class:`_Point`); fills ``st``, returns the
    number of evaluations. ``bounds`` = (ln t_floor, ln t_ceiling, t_ceiling)."""
    u_floor, u_ceil, t_ceiling = bounds
    pt = _Point(float(st.u[0]))
    idx = np.zeros(1, dtype=np.intp)
    where = np.array([index], dtype=np.intp)  # the point's index in the caller's batch
    n_eval = 0
    while not pt.done:
        if n_eval >= max_iter:
            return n_eval
        n_eval += 1
        T_meV = np.array([KB * math.exp(pt.u)])
        m = mu if mu_of_T is None else np.asarray(mu_of_T(T_meV, idx), dtype=float)
        res = op.evaluate(m, T_meV, wc, slope=True)
        assert res.slope is not None
        lam = float(res.lam[0])
        history.append((where, T_meV / KB, res.lam))
        if math.isnan(lam):
            raise ValueError(f"Lambda is NaN at {_describe(labels, where)}")
        if pt.update(lam - 1.0, float(res.slope[0]), u_floor, u_ceil, tol):
            raise _above_ceiling(t_ceiling, lam, _describe(labels, where))
    st.pending[0] = False
    st.below[0] = pt.below
    st.root[0] = pt.root
    return n_eval


def lambda_of_T(
    tables: KernelTables, A: ArrayLike, mu: ArrayLike, T_K: ArrayLike, wc: ArrayLike
) -> FloatArray:
    """Lambda(T) for a batch: A (B, nbQ, nbQ), mu (B,), T_K (B,) kelvin, wc (B,) or (B, nb)."""
    A_ = np.asarray(A, dtype=float)
    mu_ = np.asarray(mu, dtype=float).reshape(-1)
    T_ = np.broadcast_to(np.asarray(T_K, dtype=float), mu_.shape)
    if np.any(~np.isfinite(T_) | (T_ <= 0.0)):
        raise ValueError(f"T must be finite and > 0 K, got {T_K!r}")
    op = PairOperator(tables, A_)
    return op.evaluate(mu_, KB * np.ascontiguousarray(T_), np.asarray(wc, dtype=float)).lam
