"""The linearised gap operator of a batch of points: tables, factored couplings, Lambda(T).

With the gap written in the cosine basis of the superposition integrals,
Delta_n(kz) = sum_q a_{n,q} cos(q kz d) (``docs/internals.md`` §1), the linearised gap
equation at temperature T is the finite matrix problem

    a = A M(T) a,        A = G o C,        M^n_{qp} = (X_{n,q+p} + X_{n,|q-p|}) / 2,

with (G o C)_{(n,q),(n',p)} = g_{nn'} C^{nn'}_{qp} the couplings times the cosine modes of I,
and X_{n,s}(mu, T, wc) the window moments of the projected densities of states
(:func:`multigap.pairing.kernel.chi_moments`). M is block diagonal over bands and positive
semidefinite (the Gram matrix of cos(q kz d) under the weight chi_n(kz) >= 0), so A M is
similar to the symmetric M^{1/2} A M^{1/2}, the cosine-basis form of the symmetrised kernel
diag(sqrt chi) (G o I) diag(sqrt chi): its eigenvalues are real, and Lambda(T) is the largest
*algebraic* one (for any sign pattern of G: repulsive channels and s+- coupling included).

Factorisation, once per batch (T-independent): A = F S F^T with F = V |w|^{1/2} and
S = sign(w) over the numerical rank of A (|w| > 1e-14 max|w|). Then A M has the nonzero
spectrum of S P, P = F^T M F (K x K, K = rank), which is similar to the symmetric
P^{1/2} S P^{1/2} (S = 1, the default geometric rule: just P). The right eigenvector of S P
is x = S P^{1/2} z and the gap vector is a = F x.

Derivative (Hellmann-Feynman for the non-symmetric A M, left eigenvector M a):

    dLambda/d ln T = Lambda (a^T M' a) / (a^T M a) = Lambda (x^T P' x) / (x^T P x),

with M' built from the derivative moments dX/d ln T, computed in the same pass over the window
as X (:mod:`multigap.pairing.panels`): no extra eigenproblem.

The moments come from the panel form of the window integrals (:class:`PanelTables`, within
1e-12 of the exact :func:`multigap.pairing.kernel.window_moments`). The factorisation is done
in the fixed subspace of :func:`_mode_subspace` (every G o C has its range there), and P is
X . W for a matrix the batch shares (W: the projection as a linear map of the moments).

References
----------
H. Suhl, B. T. Matthias, L. R. Walker, Phys. Rev. Lett. 3, 552 (1959) (multiband Tc as the
largest eigenvalue); A. Perali, A. Bianconi, A. Lanzara, N. L. Saini, Solid State Commun.
100, 181 (1996) (shape resonance in superlattices of quantum wires).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.pairing import _eigen_kernels as _ek
from multigap.pairing.panels import PanelTables

__all__ = ["KernelTables", "PairOperator", "pair_matrices"]

FloatArray = NDArray[np.float64]

#: eigen-directions of G o C below this fraction of its largest |eigenvalue| are dropped
_RANK_TOL = 1e-14


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
    mode_map: FloatArray = field(repr=False)
    subspace: FloatArray = field(repr=False)

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
        # E_{s,q,p} = (delta_{s,q+p} + delta_{s,|q-p|}) / 2: M^n_{qp} = sum_s X_{n,s} E_{s,q,p}
        emap = np.zeros((S, Q, Q))
        np.add.at(emap, (isum, q[:, None], q[None, :]), 0.5)
        np.add.at(emap, (idiff, q[:, None], q[None, :]), 0.5)
        sub = _mode_subspace(c_sym)
        for arr in (e, table, c_sym, isum, idiff, emap, sub):
            arr.setflags(write=False)
        return cls(e, table, c_sym, nb, Q, S, isum, idiff, emap, sub)

    @cached_property
    def panels(self) -> PanelTables:
        """Panel weights of the table (:mod:`multigap.pairing.panels`), built on first use."""
        return PanelTables(self.energy, self.table)


def _mode_subspace(modes: FloatArray) -> FloatArray:
    """Orthonormal basis V (nbQ, d) of a subspace holding the range of every G o C.

    Column (n', p) of G o C has band-n part g_{nn'} C^{nn'}_{:, p}: it lies in the column space
    of the row block [C^{n1} ... C^{n nb}] of band n, whatever G is. V is block diagonal, the
    left singular vectors of each row block above _RANK_TOL of its largest singular value
    (d = 15 of 36 for preset A), so G o C = V (V^T (G o C) V) V^T and the factorisation of a
    coupling matrix is a d x d eigenproblem.
    """
    nb, Q = modes.shape[0], modes.shape[2]
    rows = np.swapaxes(modes, 1, 2).reshape(nb, Q, nb * Q)  # row block n: (Q, nb Q)
    blocks = []
    for n in range(nb):
        U, s, _ = np.linalg.svd(rows[n], full_matrices=False)
        keep = s > _RANK_TOL * max(float(s[0]), 1e-300)
        V = np.zeros((nb * Q, int(max(1, keep.sum()))))
        V[n * Q : (n + 1) * Q] = U[:, : V.shape[1]]
        blocks.append(V)
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))


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


def _chi_moments(
    tables: KernelTables, mu: FloatArray, T_meV: FloatArray, wc: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """X (B, nb, S) and dX/d ln T at (mu, T, wc); wc (B,) or (B, n_bands) (panel moments)."""
    B = mu.size
    nb, S = tables.n_bands, tables.n_moments
    if wc.ndim == 1:
        cols = np.array([[0, nb * S]], dtype=np.int64)
        w = wc[:, None]
    else:
        cols = np.stack([np.arange(nb) * S, np.arange(1, nb + 1) * S], axis=1).astype(np.int64)
        w = wc
    X, dX = tables.panels.moments(mu, T_meV, w, cols)
    return X.reshape(B, nb, S), dX.reshape(B, nb, S)


@dataclass(frozen=True)
class Leading:
    """Largest eigenvalue of the kernel for a batch, with its slope and gap vectors.

    Attributes
    ----------
    lam : ndarray (B,)
        Lambda.
    slope : ndarray (B,) or None
        dLambda/d ln T at fixed mu (Hellmann-Feynman), if requested.
    vectors : ndarray (B, n_bands Q) or None
        Gap vectors a: unit norm, largest component > 0, if requested.
    """

    lam: FloatArray
    slope: FloatArray | None
    vectors: FloatArray | None


class _Factors(NamedTuple):
    """Distinct factored matrices of a batch: A_u = F_u diag(S_u) F_u^T, and the weights W_u
    of the projection P = F^T M(X) F as a linear map of the moments X (flat over bands)."""

    F: FloatArray  # (U, nbQ, K)
    S: FloatArray  # (U, K)
    W: FloatArray  # (U, n_bands S, K K)


_FACTORS: dict[bytes, _Factors] = {}
_FACTORS_MAX = 256


def _factorise(tables: KernelTables, A: FloatArray) -> _Factors:
    """F, S and (for one matrix) W of the stack A (U, nbQ, nbQ) of distinct symmetric matrices.

    Directions with |eigenvalue| <= _RANK_TOL max|eigenvalue| are dropped (zero columns where
    the ranks differ). W[u, (n, s), (a, b)] = sum_{q,p} E_{s,q,p} F_u[(n,q), a] F_u[(n,p), b]
    with E_{s,q,p} = (delta_{s,q+p} + delta_{s,|q-p|}) / 2, so that P_ab = sum_{n,s} X_{n,s} W:
    worth its ~0.1 ms only when many points share the matrix; with several distinct matrices
    the projection goes through M(X) instead (W is then empty).
    """
    nb, Q, S = tables.n_bands, tables.n_modes, tables.n_moments
    V = tables.subspace
    w_u, Z_u = np.linalg.eigh(V.T @ A @ V)  # the nonzero spectrum of A, in its subspace
    V_u = V @ Z_u
    order = np.argsort(-np.abs(w_u), axis=1, kind="stable")
    w_u = np.take_along_axis(w_u, order, axis=1)
    V_u = np.take_along_axis(V_u, order[:, None, :], axis=2)
    scale = np.maximum(np.abs(w_u[:, 0]), 1e-300)
    keep = np.abs(w_u) > _RANK_TOL * scale[:, None]
    k = max(1, int(keep.sum(axis=1).max()))
    root = np.sqrt(np.where(keep, np.abs(w_u), 0.0))[:, :k]
    F_u = np.ascontiguousarray(V_u[:, :, :k] * root[:, None, :])
    S_u = np.where(keep[:, :k] & (w_u[:, :k] < 0.0), -1.0, 1.0)
    if A.shape[0] > 1:
        return _Factors(F_u, S_u, np.zeros((0, nb * S, k * k)))
    Fb = F_u.reshape(nb, Q, k)
    outer = (Fb[:, :, None, :, None] * Fb[:, None, :, None, :]).reshape(nb, Q * Q, k * k)
    W = tables.mode_map.reshape(1, S, Q * Q) @ outer  # (nb, S, K K)
    return _Factors(F_u, S_u, np.ascontiguousarray(W.reshape(1, nb * S, k * k)))


def _factor_one(tables: KernelTables, A: FloatArray) -> _Factors:
    """:func:`_factorise` of one matrix, remembered (successive isolated points at the same
    couplings factor once)."""
    key = A.tobytes() + bytes(repr((A.shape, tables.n_moments)), "ascii")  # W needs only S
    hit = _FACTORS.get(key)
    if hit is not None:
        return hit
    out = _factorise(tables, A[None])
    if len(_FACTORS) >= _FACTORS_MAX:
        _FACTORS.clear()
    _FACTORS[key] = out
    return out


class PairOperator:
    """(G o C) of a batch, factored once as F S F^T: the T-independent half of every Lambda.

    Parameters
    ----------
    tables : KernelTables
        The geometry's tables (cosine modes, projected DOS).
    A : ndarray, shape (B, n_bands Q, n_bands Q)
        Symmetric (G o C) per point (:func:`pair_matrices`), any sign pattern.
    """

    def __init__(self, tables: KernelTables, A: FloatArray) -> None:
        self.tables = tables
        if A.shape[0] == 1:
            first, self.inverse = np.zeros(1, dtype=np.intp), np.zeros(1, dtype=np.intp)
        else:
            # factor each distinct matrix once (a Tc(eta) curve at fixed g has a single one)
            first, self.inverse = _distinct(A)
        one = first.size == 1  # remembered: repeated isolated points, isotope pairs
        self.factors = _factor_one(tables, A[first[0]]) if one else _factorise(tables, A[first])
        self._finish()

    def _finish(self) -> None:
        psd_u = np.all(self.factors.S > 0.0, axis=1)
        self.psd = psd_u[self.inverse]
        self.all_psd = bool(np.all(self.psd))
        self.shared = self.factors.F.shape[0] == 1

    def take(self, idx: NDArray[np.intp]) -> PairOperator:
        """The operator of a sub-batch."""
        out = object.__new__(PairOperator)
        out.tables, out.factors, out.inverse = self.tables, self.factors, self.inverse[idx]
        out._finish()
        return out

    @property
    def F(self) -> FloatArray:
        """F per point (B, nbQ, K)."""
        return self.factors.F[self.inverse]

    @property
    def S(self) -> FloatArray:
        """Signs per point (B, K)."""
        return self.factors.S[self.inverse]

    def _project(self, X: FloatArray) -> FloatArray:
        """P = F^T blockdiag(M(X)) F (B, K, K) for moments X (B, nb, S): X . W for a shared
        matrix, else through M^n_{qp} = (X_{n,q+p} + X_{n,|q-p|}) / 2."""
        B = X.shape[0]
        k = self.factors.F.shape[2]
        if self.shared:
            P = (X.reshape(B, -1) @ self.factors.W[0]).reshape(B, k, k)
        else:
            t = self.tables
            M = 0.5 * (X[..., t.index_sum] + X[..., t.index_diff])  # (B, nb, Q, Q)
            F = self.F
            MF = M @ F.reshape(B, t.n_bands, t.n_modes, k)
            P = np.swapaxes(F, -1, -2) @ MF.reshape(B, -1, k)
        return 0.5 * (P + np.swapaxes(P, -1, -2))

    def evaluate(
        self,
        mu: FloatArray,
        T_meV: FloatArray,
        wc: FloatArray,
        *,
        slope: bool = False,
        vectors: bool = False,
    ) -> Leading:
        """Lambda (B,) at (mu, T, wc), optionally dLambda/d ln T and the gap vectors.

        Parameters
        ----------
        mu, T_meV : ndarray (B,)
            Chemical potential and k_B T, meV (unchecked: T > 0, finite).
        wc : ndarray (B,) or (B, n_bands)
            Cut-off, meV.
        """
        X, dX = _chi_moments(self.tables, mu, T_meV, wc)
        P = self._project(X)
        dP = self._project(dX) if slope else P
        if self.all_psd:
            lam, ds, x = _ek.leading(P, dP)
        else:
            lam, ds, x = self._leading_indefinite(P, dP)
        vec = None
        if vectors:
            a = np.einsum("bij,bj->bi", self.F, x)
            norm = np.linalg.norm(a, axis=1)
            a = a / np.where(norm > 0.0, norm, 1.0)[:, None]
            big = np.take_along_axis(a, np.argmax(np.abs(a), axis=1)[:, None], axis=1)
            vec = a * np.where(big < 0.0, -1.0, 1.0)
        return Leading(lam, ds if slope else None, vec)

    def _leading_indefinite(
        self, P: FloatArray, dP: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Lambda, slope and x for signs S not all positive: the spectrum of S P is that of
        the symmetric R S R, R = P^{1/2}; x = S R z for its leading eigenvector z."""
        S = self.S
        w, U = np.linalg.eigh(P)
        R = (U * np.sqrt(np.maximum(w, 0.0))[:, None, :]) @ np.swapaxes(U, -1, -2)
        H = np.where(self.psd[:, None, None], P, R * S[:, None, :] @ R)
        w, U = np.linalg.eigh(H)
        lam = np.ascontiguousarray(w[:, -1])
        x = U[:, :, -1]
        sx = np.einsum("bij,bj->bi", R, x) * S
        x = np.where(self.psd[:, None], x, sx)
        num = np.einsum("bi,bij,bj->b", x, dP, x)
        den = np.einsum("bi,bij,bj->b", x, P, x)
        return lam, lam * num / np.where(den != 0.0, den, 1.0), x
