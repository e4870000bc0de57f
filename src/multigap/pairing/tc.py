"""Critical temperature from the linearised multiband gap equation (SPEC §5, §7).

With the gap written in the cosine basis of the superposition integrals,
Delta_n(kz) = sum_q a_{n,q} cos(q kz d) (``docs/internals.md`` §1), the linearised gap
equation at temperature T is the finite matrix problem

    a = (G o C) M(T) a,        M^n_{qp} = (X_{n,q+p} + X_{n,|q-p|}) / 2,

with (G o C)_{(n,q),(n',p)} = g_{nn'} C^{nn'}_{qp} the couplings times the cosine modes of I,
and X_{n,s}(mu, T, wc) the window moments of the projected densities of states
(:func:`multigap.kernel.chi_moments`). M is block diagonal over bands and positive
semidefinite (it is the Gram matrix of cos(q kz d) under the weight chi_n(kz) >= 0), so
(G o C) M is similar to the symmetric matrix

    H(T) = M^{1/2} (G o C) M^{1/2},

whose largest eigenvalue Lambda(T) is real and falls with T. Tc is the root of
Lambda(Tc) = 1 on ln T. The leading eigenvector b of H gives the gap structure at Tc as
a = (G o C) M^{1/2} b / Lambda (no inverse of M is needed; bands with M = 0 are allowed).

Everything that does not depend on (mu, T, g) -- the projected-DOS tables scaled by 1/N0, the
cosine modes, the index maps -- is prepared once per geometry (:class:`KernelTables`); each
evaluation of Lambda for a batch of points costs one weight vector and one matrix product per
point plus a batch of small symmetric eigenproblems. The root search is vectorised over all
points of a batch (safeguarded Anderson-Bjorck regula falsi on ln T).

References
----------
H. Suhl, B. T. Matthias, L. R. Walker, Phys. Rev. Lett. 3, 552 (1959) (multiband Tc as the
largest eigenvalue); A. Perali, A. Bianconi, A. Lanzara, N. L. Saini, Solid State Commun.
100, 181 (1996) and A. Bianconi, Solid State Commun. 89, 933 (1994) (shape resonance in
superlattices of quantum wires); N. Anderson, A. Bjorck, BIT 13, 253 (1973) (root finder).
"""

from __future__ import annotations

import contextlib
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap._threads import single_threaded_blas
from multigap.constants import BCS_PREFACTOR, KB
from multigap.pairing import couplings
from multigap.pairing.kernel import _moments_flat, _n0_of

__all__ = [
    "KernelTables",
    "TcBatch",
    "TcResult",
    "critical_temperature",
    "critical_temperatures",
    "isotope_coefficient",
    "isotope_coefficients",
    "lambda_of_T",
    "pair_matrices",
    "pairing_eigenvalue",
    "solve_tc",
    "tc_result",
]

FloatArray = NDArray[np.float64]

#: default convergence of the root search, |d ln Tc|
DEFAULT_TOL = 1e-9
#: default relative step of the isotope central difference in ln w0
ISOTOPE_STEP = 1e-3
#: eigen-directions of G o C below this fraction of its largest eigenvalue are dropped
_RANK_TOL = 1e-14


# ============================================================================ precomputed data
@dataclass(frozen=True, eq=False)
class KernelTables:
    """Everything of the kernel that does not depend on (mu, T, g): built once per geometry.

    Attributes
    ----------
    energy : ndarray, shape (N,)
        Energy nodes of the projected-DOS tables, meV.
    table : ndarray, shape (N, n_bands * S)
        rho_{n,s}(eps_i) / N0 (node-major), 1/meV.
    modes : ndarray, shape (n_bands, n_bands, Q, Q)
        Cosine coefficients C^{nn'}_{qp} of the superposition integrals (symmetrised).
    n_bands, n_modes, n_moments : int
        n_bands, Q, and S >= 2Q - 1.
    """

    energy: FloatArray
    table: FloatArray
    modes: FloatArray
    n_bands: int
    n_modes: int
    n_moments: int
    index_sum: NDArray[np.intp] = field(repr=False)
    index_diff: NDArray[np.intp] = field(repr=False)
    band_tables: tuple[FloatArray, ...] = field(repr=False)

    @classmethod
    def from_arrays(
        cls, energy: ArrayLike, values: ArrayLike, modes: ArrayLike, n0: float
    ) -> KernelTables:
        """Build from plain arrays.

        Parameters
        ----------
        energy : array_like, shape (N,)
            Non-decreasing energy nodes, meV (a repeated node is a jump).
        values : array_like, shape (n_bands, S, N)
            Projected DOS rho_{n,s}, 1/(meV nm^2), piecewise linear between nodes.
        modes : array_like, shape (n_bands, n_bands, Q, Q)
            Cosine coefficients of I^{nn'}(kz, kz'); S must be >= 2Q - 1.
        n0 : float
            N0 = m_x / (2 pi hbar^2), 1/(meV nm^2).
        """
        e = np.ascontiguousarray(energy, dtype=float)
        v = np.asarray(values, dtype=float)
        c = np.asarray(modes, dtype=float)
        n0 = check.positive("n0", n0, "1/(meV nm^2)")
        if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)) or np.any(np.diff(e) < 0):
            raise ValueError("energy must be a finite non-decreasing 1-D array of >= 2 nodes")
        if v.ndim != 3 or v.shape[2] != e.size:
            raise ValueError(f"values must have shape (n_bands, S, N = {e.size}), got {v.shape}")
        nb, S, _ = v.shape
        if c.ndim != 4 or c.shape[:2] != (nb, nb) or c.shape[2] != c.shape[3]:
            raise ValueError(f"modes must have shape ({nb}, {nb}, Q, Q), got {c.shape}")
        Q = c.shape[2]
        if S < 2 * Q - 1:
            raise ValueError(
                f"the projected DOS has S = {S} cosine moments; Q = {Q} modes need 2Q - 1 = "
                f"{2 * Q - 1}"
            )
        if not (np.all(np.isfinite(v)) and np.all(np.isfinite(c))):
            raise ValueError("values and modes must be finite")
        c_sym = 0.5 * (c + c.transpose(1, 0, 3, 2))
        table = np.ascontiguousarray(v.reshape(nb * S, e.size).T / n0)
        q = np.arange(Q)
        isum = q[:, None] + q[None, :]
        idiff = np.abs(q[:, None] - q[None, :])
        bands = tuple(np.ascontiguousarray(table[:, n * S : (n + 1) * S]) for n in range(nb))
        for arr in (e, table, c_sym, isum, idiff, *bands):
            arr.setflags(write=False)
        return cls(e, table, c_sym, nb, Q, S, isum, idiff, bands)


def pair_matrices(tables: KernelTables, G: ArrayLike) -> FloatArray:
    """(G o C): block matrices g_{nn'} C^{nn'}_{qp}, shape (..., n_bands Q, n_bands Q).

    Parameters
    ----------
    tables : KernelTables
        Supplies the cosine modes C.
    G : array_like, shape (..., n_bands, n_bands)
        Symmetric coupling matrices (dimensionless).
    """
    g = np.asarray(G, dtype=float)
    nb, Q = tables.n_bands, tables.n_modes
    if g.shape[-2:] != (nb, nb):
        raise ValueError(f"G must end in ({nb}, {nb}), got {g.shape}")
    A = g[..., :, :, None, None] * tables.modes  # (..., n, m, q, p)
    A = np.swapaxes(A, -3, -2).reshape((*g.shape[:-2], nb * Q, nb * Q))
    res: FloatArray = 0.5 * (A + np.swapaxes(A, -1, -2))
    return res


# ============================================================================ Lambda(T)
def _chi_matrices(
    tables: KernelTables, mu: FloatArray, T_meV: FloatArray, wc: FloatArray
) -> FloatArray:
    """M^n_{qp} for flat batches: mu, T_meV (B,), wc (B,) or (B, n_bands) -> (B, nb, Q, Q)."""
    B = mu.size
    nb, S = tables.n_bands, tables.n_moments
    if wc.ndim == 1:
        X = _moments_flat(tables.energy, tables.table, mu, T_meV, wc).reshape(B, nb, S)
    else:
        X = np.stack(
            [
                _moments_flat(tables.energy, tables.band_tables[n], mu, T_meV, wc[:, n])
                for n in range(nb)
            ],
            axis=1,
        )
    res: FloatArray = 0.5 * (X[..., tables.index_sum] + X[..., tables.index_diff])
    return res


def _sqrt_psd(M: FloatArray) -> FloatArray:
    """Symmetric square root of stacks of positive semidefinite matrices (eigenvalues < 0 from
    rounding or interpolation are set to 0)."""
    w, U = np.linalg.eigh(M)
    root = np.sqrt(np.maximum(w, 0.0))
    res: FloatArray = (U * root[..., None, :]) @ np.swapaxes(U, -1, -2)
    return res


def _block_diag(blocks: FloatArray) -> FloatArray:
    """(B, nb, Q, Q) -> (B, nb Q, nb Q) block-diagonal."""
    B, nb, Q, _ = blocks.shape
    out = np.zeros((B, nb * Q, nb * Q))
    for n in range(nb):
        out[:, n * Q : (n + 1) * Q, n * Q : (n + 1) * Q] = blocks[:, n]
    return out


def _distinct(A: FloatArray) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Indices of the first copy of each distinct matrix in the stack A, and for every matrix
    the position of its copy among those (exact equality)."""
    B = A.shape[0]
    if B == 0 or np.array_equal(A, np.broadcast_to(A[0], A.shape)):
        return np.zeros(min(B, 1), dtype=np.intp), np.zeros(B, dtype=np.intp)
    seen: dict[bytes, int] = {}
    first: list[int] = []
    inverse = np.empty(B, dtype=np.intp)
    for i in range(B):
        j = seen.setdefault(A[i].tobytes(), len(first))
        if j == len(first):
            first.append(i)
        inverse[i] = j
    return np.asarray(first, dtype=np.intp), inverse


class _PairOperator:
    """(G o C) of a batch, factored once: the T-independent half of every Lambda evaluation.

    Where A = G o C is positive semidefinite (the default geometric rule: Schur product of two
    positive semidefinite matrices), A = F F^T with F = V diag(sqrt w) (numerical rank only:
    eigenvalues below 1e-14 of the largest are rounding noise and are dropped) and
    Lambda = lambda_max(F^T M F) -- the same nonzero spectrum as M^{1/2} A M^{1/2}, both being
    similar to A M, without a square root of M per temperature; the gap vector is a = F y.
    Elsewhere (repulsive or indefinite couplings) the symmetric square root of M is used:
    Lambda = lambda_max(M^{1/2} A M^{1/2}), a = A M^{1/2} b / Lambda.
    """

    def __init__(self, A: FloatArray, n_bands: int, n_modes: int) -> None:
        self.A = A
        self.nb = n_bands
        self.Q = n_modes
        # factor each distinct matrix once (a Tc(eta) curve at fixed g has a single one)
        first, inverse = _distinct(A)
        w_u, V_u = np.linalg.eigh(A[first])  # ascending
        w, V = w_u[inverse], V_u[inverse]
        scale = np.maximum(np.abs(w).max(axis=1), 1e-300)
        self.psd = w[:, 0] >= -1e-12 * scale
        # numerical rank: directions with w < 1e-14 max(w) are rounding noise (they change
        # Lambda by < 1e-14 relative); dropping them shrinks the eigenproblem (nb Q -> ~7)
        keep = w > _RANK_TOL * scale[:, None]
        k = max(1, int(keep.sum(axis=1).max()))
        root = np.sqrt(np.where(keep, w, 0.0))[:, -k:]
        self.F = np.ascontiguousarray(V[:, :, -k:] * root[:, None, :])

    def take(self, idx: NDArray[np.intp]) -> _PairOperator:
        """The operator of a sub-batch."""
        out = object.__new__(_PairOperator)
        out.A, out.nb, out.Q = self.A[idx], self.nb, self.Q
        out.psd, out.F = self.psd[idx], self.F[idx]
        return out

    def _fmf(self, F: FloatArray, M: FloatArray) -> FloatArray:
        """F^T blockdiag(M) F for F (B, nbQ, K) and M (B, nb, Q, Q)."""
        B, nbq, k = F.shape
        MF = M @ F.reshape(B, self.nb, self.Q, k)
        res: FloatArray = np.swapaxes(F, -1, -2) @ MF.reshape(B, nbq, k)
        return res

    def leading(self, M: FloatArray, vectors: bool) -> tuple[FloatArray, FloatArray | None]:
        """Largest eigenvalue (B,) of the kernel for chi matrices M (B, nb, Q, Q); with
        ``vectors`` also the gap vectors a (B, nb Q): unit norm, largest component > 0."""
        R: FloatArray | None = None
        if np.all(self.psd):
            H = self._fmf(self.F, M)
        else:
            R = _block_diag(_sqrt_psd(M))
            H = R @ self.A @ R
            if np.any(self.psd):
                ip = np.flatnonzero(self.psd)
                H[ip] = self._fmf(self.F[ip], M[ip])
        H = 0.5 * (H + np.swapaxes(H, -1, -2))
        if not vectors:
            return np.asarray(np.linalg.eigvalsh(H)[:, -1], dtype=float), None
        w, U = np.linalg.eigh(H)
        lam = np.asarray(w[:, -1], dtype=float)
        y = U[:, :, -1]
        a = np.einsum("bij,bj->bi", self.F, y)
        if R is not None:
            ind = np.flatnonzero(~self.psd)
            Rb = np.einsum("bij,bj->bi", R[ind], y[ind])
            a_ind = np.einsum("bij,bj->bi", self.A[ind], Rb)
            a[ind] = a_ind / np.where(lam[ind] != 0.0, lam[ind], 1.0)[:, None]
        norm = np.linalg.norm(a, axis=1)
        a = a / np.where(norm > 0.0, norm, 1.0)[:, None]
        big = np.take_along_axis(a, np.argmax(np.abs(a), axis=1)[:, None], axis=1)
        vec: FloatArray = np.asarray(a * np.where(big < 0.0, -1.0, 1.0), dtype=float)
        return lam, vec


def _leading(
    tables: KernelTables,
    op: _PairOperator,
    mu: FloatArray,
    T_meV: FloatArray,
    wc: FloatArray,
    vectors: bool = False,
) -> tuple[FloatArray, FloatArray | None]:
    """Largest eigenvalue Lambda (B,) of M^{1/2} A M^{1/2} at (mu, T, wc), and optionally the
    gap vectors (see :meth:`_PairOperator.leading`)."""
    M = _chi_matrices(tables, mu, T_meV, wc)
    return op.leading(M, vectors)


# ============================================================================ root search
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


MuOfT = Callable[[FloatArray, NDArray[np.intp]], FloatArray]


def _describe(labels: dict[str, FloatArray] | None, idx: NDArray[np.intp], limit: int = 3) -> str:
    if not labels:
        return f"points {idx[:limit].tolist()}"
    parts = []
    for i in idx[:limit]:
        parts.append(", ".join(f"{k}={float(v[i]):.6g}" for k, v in labels.items()))
    more = f" (and {idx.size - limit} more)" if idx.size > limit else ""
    return "; ".join(parts) + more


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
) -> TcBatch:
    """Vectorised root search of Lambda(Tc) = 1 on ln T for a batch of points.

    Parameters
    ----------
    tables : KernelTables
        Geometry-dependent data.
    A : array_like, shape (B, n_bands Q, n_bands Q)
        (G o C) per point (:func:`pair_matrices`).
    mu : array_like, shape (B,)
        Chemical potential, meV (with ``mu_of_T`` it is only used at T_floor/T_ceiling
        bookkeeping and may be anything finite).
    wc : array_like, shape (B,) or (B, n_bands)
        Cut-off per point (or per point and band), meV.
    t_floor, t_ceiling : float
        Search bracket, K (0 < t_floor < t_ceiling).
    tol : float
        Convergence: the bracket of ln Tc is narrower than ``tol``.
    max_iter : int
        Largest number of batch evaluations after the two bracket ends.
    vectors : bool
        Also return the leading gap vector a_{n,q} at Tc (one more evaluation).
    mu_of_T : callable, optional
        ``mu_of_T(T_meV, indices) -> mu`` for a temperature-dependent chemical potential
        (fixed density); default: mu fixed.
    labels : dict of arrays, optional
        Parameter values per point (e.g. eta, g) quoted in error messages.

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
    A_ = np.asarray(A, dtype=float)
    mu_ = np.asarray(mu, dtype=float).reshape(-1)
    wc_ = np.asarray(wc, dtype=float)
    B = mu_.size
    if A_.shape != (B, tables.n_bands * tables.n_modes, tables.n_bands * tables.n_modes):
        raise ValueError(f"A must have shape (B = {B}, nbQ, nbQ), got {A_.shape}")
    if wc_.shape not in ((B,), (B, tables.n_bands)):
        raise ValueError(f"wc must have shape ({B},) or ({B}, {tables.n_bands}), got {wc_.shape}")
    for name, arr in (("mu", mu_), ("wc", wc_), ("A", A_)):
        if not np.all(np.isfinite(arr)):
            bad = np.flatnonzero(~np.isfinite(arr.reshape(B, -1)).all(axis=1))
            raise ValueError(f"{name} is not finite at {_describe(labels, bad)}")
    if np.any(wc_ < 0.0):
        raise ValueError("wc must be >= 0")

    history: list[tuple[NDArray[np.intp], FloatArray, FloatArray]] = []
    n_eval = 0
    op = _PairOperator(A_, tables.n_bands, tables.n_modes)

    def lam_at(idx: NDArray[np.intp], u: FloatArray) -> FloatArray:
        nonlocal n_eval
        n_eval += 1
        T_meV = KB * np.exp(u)
        m = mu_[idx] if mu_of_T is None else np.asarray(mu_of_T(T_meV, idx), dtype=float)
        lam, _ = _leading(tables, op.take(idx), m, T_meV, wc_[idx])
        history.append((idx, np.exp(u), lam))
        return lam

    every = np.arange(B)
    u_lo = np.full(B, math.log(t_floor))
    u_hi = np.full(B, math.log(t_ceiling))
    f_lo = lam_at(every, u_lo) - 1.0
    below = ~(f_lo >= 0.0)  # NaN counts as below: reported, never a number
    if np.any(np.isnan(f_lo)):
        bad = np.flatnonzero(np.isnan(f_lo))
        raise ValueError(f"Lambda is NaN at {_describe(labels, bad)}")
    active = np.flatnonzero(~below)
    tc_u = np.full(B, -np.inf)
    if active.size:
        # first interior point: weak-coupling (BCS-like) estimate from Lambda(T_floor),
        # Lambda(T) ~ lambda_eff ln(1.134 wc / T)  =>  ln Tc ~ ln(1.134 wc) - 1/lambda_eff
        wmax = (wc_ if wc_.ndim == 1 else wc_.max(axis=1))[active]
        log_top = np.log(np.maximum(BCS_PREFACTOR * wmax / KB, t_floor * math.e))
        lam_eff = (f_lo[active] + 1.0) / (log_top - u_lo[active])
        u_g = log_top - 1.0 / lam_eff
        span = u_hi[active] - u_lo[active]
        u_g = np.clip(u_g, u_lo[active] + 1e-3 * span, u_hi[active] - 1e-3 * span)
        f_g = lam_at(active, u_g) - 1.0
        # bracket [a, b] in ln T with f(a) >= 0 >= f(b)
        a, fa = u_lo[active].copy(), f_lo[active].copy()
        b, fb = u_g.copy(), f_g.copy()
        up = f_g > 0.0  # root above the estimate: the ceiling closes the bracket
        if np.any(up):
            iu = np.flatnonzero(up)
            f_hi = lam_at(active[iu], u_hi[active[iu]]) - 1.0
            hot = f_hi > 0.0
            if np.any(hot):
                idx = active[iu[hot]]
                raise ValueError(
                    f"Lambda(T_ceiling = {t_ceiling:g} K) = {f_hi[hot][0] + 1.0:.6g} > 1 at "
                    f"{_describe(labels, idx)}: Tc lies above the search ceiling (raise "
                    f"t_ceiling or check the couplings)"
                )
            a[iu], fa[iu] = u_g[iu], f_g[iu]
            b[iu], fb[iu] = u_hi[active[iu]], f_hi
        side = np.zeros(active.size, dtype=np.int8)  # +1: a replaced last, -1: b replaced last
        # bracket widths after the last three steps (safeguard against stagnation)
        w1 = np.full(active.size, np.inf)
        w2 = w1.copy()
        w3 = w1.copy()
        pending = np.ones(active.size, dtype=bool)
        root = np.full(active.size, np.nan)
        exact = fa == 0.0
        root[exact] = a[exact]
        pending[exact] = False
        exact = (fb == 0.0) & pending
        root[exact] = b[exact]
        pending[exact] = False
        for _ in range(max_iter):
            p = np.flatnonzero(pending)
            if p.size == 0:
                break
            ap, bp, fap, fbp = a[p], b[p], fa[p], fb[p]
            with np.errstate(divide="ignore", invalid="ignore"):
                c = bp - fbp * (bp - ap) / (fbp - fap)
            # a secant point within tol/2 of an end (or on it: that end's f is ~0) is moved
            # tol/2 inside, so that the next step closes the bracket to < tol
            half_tol = 0.5 * tol
            wide = bp - ap > tol
            near_a = wide & (c - ap < half_tol)
            near_b = wide & (bp - c < half_tol) & ~near_a
            c = np.where(near_a, ap + half_tol, np.where(near_b, bp - half_tol, c))
            # safeguard: bisect when the point is not strictly inside (NaN included) or the
            # bracket did not halve in the last three steps
            slow = ((bp - ap) > 0.5 * w3[p]) & ~(near_a | near_b)
            bad = ~((c > ap) & (c < bp)) | slow
            c = np.where(bad, 0.5 * (ap + bp), c)
            fc = lam_at(active[p], c) - 1.0
            if np.any(np.isnan(fc)):
                bad_idx = active[p[np.isnan(fc)]]
                raise ValueError(f"Lambda is NaN at {_describe(labels, bad_idx)}")
            pos = fc > 0.0
            neg = fc < 0.0
            zero = fc == 0.0
            # Anderson-Bjorck: the end kept twice in a row has its f scaled by m
            keep_b = pos & (side[p] == 1)  # a replaced again: scale fb
            keep_a = neg & (side[p] == -1)
            m_b = np.where(fap != 0.0, 1.0 - fc / np.where(fap != 0.0, fap, 1.0), 0.5)
            m_a = np.where(fbp != 0.0, 1.0 - fc / np.where(fbp != 0.0, fbp, 1.0), 0.5)
            m_b = np.where(m_b > 0.0, m_b, 0.5)
            m_a = np.where(m_a > 0.0, m_a, 0.5)
            fb[p] = np.where(keep_b, fbp * m_b, fbp)
            fa[p] = np.where(keep_a, fap * m_a, fap)
            a[p] = np.where(pos, c, ap)
            fa[p] = np.where(pos, fc, fa[p])
            b[p] = np.where(neg, c, bp)
            fb[p] = np.where(neg, fc, fb[p])
            side[p] = np.where(pos, 1, np.where(neg, -1, side[p]))
            w3[p] = w2[p]
            w2[p] = w1[p]
            w1[p] = b[p] - a[p]
            done = zero | (b[p] - a[p] < tol)
            root[p] = np.where(zero, c, root[p])
            pending[p[done & ~zero]] = False
            pending[p[zero]] = False
        if np.any(pending):
            idx = active[pending]
            raise ValueError(
                f"Tc search did not converge to |d ln Tc| < {tol:g} in {max_iter} steps at "
                f"{_describe(labels, idx)}"
            )
        fin = np.isnan(root)
        # final estimate: secant inside the last bracket (error < bracket width < tol)
        denom = fb - fa
        sec = np.where(denom != 0.0, b - fb * (b - a) / np.where(denom != 0.0, denom, 1.0), a)
        sec = np.clip(sec, a, b)
        root[fin] = sec[fin]
        tc_u[active] = root

    tc = np.where(below, 0.0, np.exp(tc_u))
    T_at = np.where(below, t_floor, tc)
    mu_at = mu_.copy() if mu_of_T is None else np.asarray(mu_of_T(KB * T_at, every), dtype=float)
    vec: FloatArray | None = None
    if vectors:
        vec = np.full((B, tables.n_bands, tables.n_modes), np.nan)
        if active.size:
            _, v = _leading(
                tables,
                op.take(active),
                mu_at[active],
                KB * T_at[active],
                wc_[active],
                vectors=True,
            )
            assert v is not None
            vec[active] = v.reshape(active.size, tables.n_bands, tables.n_modes)
    return TcBatch(tc, below, mu_at, vec, history, n_eval)


def lambda_of_T(
    tables: KernelTables, A: ArrayLike, mu: ArrayLike, T_K: ArrayLike, wc: ArrayLike
) -> FloatArray:
    """Lambda(T) for a batch: A (B, nbQ, nbQ), mu (B,), T_K (B,) kelvin, wc (B,) or (B, nb)."""
    A_ = np.asarray(A, dtype=float)
    mu_ = np.asarray(mu, dtype=float).reshape(-1)
    T_ = np.broadcast_to(np.asarray(T_K, dtype=float), mu_.shape)
    if np.any(~np.isfinite(T_) | (T_ <= 0.0)):
        raise ValueError(f"T must be finite and > 0 K, got {T_K!r}")
    op = _PairOperator(A_, tables.n_bands, tables.n_modes)
    lam, _ = _leading(tables, op, mu_, KB * T_, np.asarray(wc, dtype=float))
    return lam


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
    tables = KernelTables.from_arrays(
        pd.energy, pd.values, geo.overlaps.modes, _n0_of(pd, getattr(pd, "n0", None))
    )
    with contextlib.suppress(TypeError):  # geometry not weak-referenceable: no cache
        _TABLES[geo] = tables
    return tables


_OPTS = ("t_floor", "t_ceiling", "tol", "max_iter", "chemical_potential")


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
    return out


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


def _fixed_density(table: Any, mu0: FloatArray, xtol: float = 1e-10) -> MuOfT:
    """mu(T) holding the electron density at its T = 0 value at mu0 (SPEC §5 "fixed_density").

    The density comes from the same projected-DOS table as the kernel
    (``pdos.density_at_temperature``, exact for the piecewise-linear table), so that
    mu(T -> 0) = mu0 exactly. The density rises monotonically with mu; each call solves all
    requested points at once (bracket, then Anderson-Bjorck regula falsi to ``xtol`` meV).
    """
    from multigap.structure.pdos import density_at_temperature

    e_end = float(table.energy[-1])
    target = np.asarray(density_at_temperature(table, mu0, 0.0), dtype=float).reshape(-1)
    if np.any(target <= 0.0):
        i = int(np.argmin(target))
        raise ValueError(
            f'chemical_potential="fixed_density" needs electrons at T = 0; mu0 = {mu0[i]:.6g} '
            "meV lies below every subband"
        )
    dos0 = 2.0 * np.interp(mu0, table.energy, table.total)  # both spins, 1/(meV nm^2)
    slope0 = np.maximum(dos0, 1e-3 * 2.0 * float(table.n0))

    def mu_of_T(T_meV: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
        T_K = np.broadcast_to(np.asarray(T_meV, dtype=float) / KB, idx.shape).copy()
        tgt, m0, sl = target[idx], mu0[idx], slope0[idx]

        def f(m: FloatArray, sel: NDArray[np.intp]) -> FloatArray:
            return np.asarray(density_at_temperature(table, m, T_K[sel]), dtype=float) - tgt[sel]

        every = np.arange(idx.size)
        f0 = f(m0, every)
        lo, hi = m0.copy(), m0.copy()
        flo, fhi = f0.copy(), f0.copy()
        step = np.maximum(np.abs(f0) / sl, 1e-9) * 1.5 + 1e-6
        for _ in range(200):
            need = np.flatnonzero(~((flo <= 0.0) & (fhi >= 0.0)))
            if need.size == 0:
                break
            up = fhi[need] < 0.0  # density too low: move the upper end up
            trial = np.where(up, hi[need] + step[need], lo[need] - step[need])
            trial = np.minimum(trial, e_end)
            ft = f(trial, need)
            lo[need] = np.where(up, hi[need], trial)
            flo[need] = np.where(up, fhi[need], ft)
            hi[need] = np.where(up, trial, hi[need])
            fhi[need] = np.where(up, ft, fhi[need])
            step[need] *= 2.0
        else:
            raise ValueError("fixed_density: could not bracket mu(T) (table too short?)")
        side = np.zeros(idx.size, dtype=np.int8)
        for _ in range(200):
            p = np.flatnonzero((hi - lo > xtol) & (flo != 0.0) & (fhi != 0.0))
            if p.size == 0:
                break
            a, b, fa, fb = lo[p], hi[p], flo[p], fhi[p]
            with np.errstate(divide="ignore", invalid="ignore"):
                c = a - fa * (b - a) / (fb - fa)
            c = np.where((c > a) & (c < b), c, 0.5 * (a + b))
            c = np.where(c - a < 0.25 * xtol, a + 0.5 * xtol, c)
            c = np.where(b - c < 0.25 * xtol, b - 0.5 * xtol, c)
            fc = f(c, p)
            neg = fc < 0.0
            # Anderson-Bjorck scaling of the end kept twice
            m_hi = np.where(fa != 0.0, 1.0 - fc / np.where(fa != 0.0, fa, 1.0), 0.5)
            m_lo = np.where(fb != 0.0, 1.0 - fc / np.where(fb != 0.0, fb, 1.0), 0.5)
            fhi[p] = np.where(neg & (side[p] == -1), fb * np.where(m_hi > 0, m_hi, 0.5), fb)
            flo[p] = np.where(~neg & (side[p] == 1), fa * np.where(m_lo > 0, m_lo, 0.5), fa)
            lo[p] = np.where(neg, c, a)
            flo[p] = np.where(neg, fc, flo[p])
            hi[p] = np.where(neg, hi[p], c)
            fhi[p] = np.where(neg, fhi[p], fc)
            side[p] = np.where(neg, -1, 1)
        res: FloatArray = np.where(flo == 0.0, lo, np.where(fhi == 0.0, hi, 0.5 * (lo + hi)))
        return res

    return mu_of_T


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
        mu_of_T = _fixed_density(model.geometry.pdos, mu)
    with single_threaded_blas():
        A = pair_matrices(tables, G)
        batch = solve_tc(
            tables,
            A,
            mu,
            wc,
            t_floor=o["t_floor"],
            t_ceiling=o["t_ceiling"],
            tol=o["tol"],
            max_iter=o["max_iter"],
            vectors=vectors,
            mu_of_T=mu_of_T,
            labels={"eta": eta_f, "g": g_f},
        )
    return shape, eta_f, g_f, wc, batch


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
        (|d ln Tc|, default 1e-9), ``max_iter``, ``chemical_potential``.

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
    """Tc in kelvin of one point (0.0 below the floor; see :func:`tc_result` for the flag).

    Parameters
    ----------
    model : multigap.Model
    eta : float
        Lifshitz parameter (mu = E_L + eta Delta_E of the resonant subband).
    g : float
        Reduced resonant coupling, 0 <= g < 1/2.
    **opts
        As in :func:`critical_temperatures`.
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


def isotope_coefficients(
    model: Any, eta: ArrayLike, g: ArrayLike, *, step: float = ISOTOPE_STEP, **opts: Any
) -> FloatArray:
    """Vectorised :func:`isotope_coefficient`; NaN where either shifted Tc is below the floor."""
    check.points(eta=eta, g=g)
    step = check.in_range("step", step, 0.0, 0.5, low_open=True)
    opts.setdefault("tol", 1e-12)
    eta_b, g_b = np.broadcast_arrays(np.asarray(eta, dtype=float), np.asarray(g, dtype=float))
    scale = np.exp(np.array([step, -step]))
    shp = (2, *eta_b.shape)
    sc = scale.reshape((2,) + (1,) * eta_b.ndim)
    shape, _, _, _, batch = _solve_model(
        model, np.broadcast_to(eta_b, shp), np.broadcast_to(g_b, shp), sc, **opts
    )
    tc = batch.tc.reshape(shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = (np.log(tc[0]) - np.log(tc[1])) / (4.0 * step)
    res: FloatArray = np.where((tc[0] > 0.0) & (tc[1] > 0.0), alpha, np.nan)
    return res


def isotope_coefficient(
    model: Any, eta: float, g: float, *, step: float = ISOTOPE_STEP, **opts: Any
) -> float:
    """Isotope coefficient alpha = -d ln Tc / d ln M = (1/2) d ln Tc / d ln w0 (SPEC §7).

    Central difference in ln w0 at fixed couplings: every phonon energy (``omega0`` and
    ``band_omega0``) is multiplied by exp(+-step), and with it the cut-off (Migdal or fixed),
    alpha = [ln Tc(w0 e^h) - ln Tc(w0 e^-h)] / (4 h), both shifted points in one batch with
    Tc converged to |d ln Tc| < 1e-12. Default h = 1e-3: the rounding part of the error is
    < 1e-9 and the truncation part O(h^2); on preset A (g = 0.25, eta = -0.2 .. 1.5) alpha at
    h = 1e-3 and h = 2.5e-4 agree to < 1e-6 (tests/physics/test_tc_limits.py checks the
    h-independence on a structured DOS).
    Single-band BCS gives exactly 1/2.

    Returns
    -------
    float
        alpha; NaN when Tc is below the floor (no superconductivity: alpha undefined).
    """
    eta = check.finite("eta", eta)
    g = check.finite("g", g)
    return float(isotope_coefficients(model, eta, g, step=step, **opts))
