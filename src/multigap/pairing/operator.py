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

with M' built from the derivative moments dX/d ln T (:func:`kernel._moments_slopes_flat`):
one more weight row in the same pass over the window, no extra eigenproblem.

References
----------
H. Suhl, B. T. Matthias, L. R. Walker, Phys. Rev. Lett. 3, 552 (1959) (multiband Tc as the
largest eigenvalue); A. Perali, A. Bianconi, A. Lanzara, N. L. Saini, Solid State Commun.
100, 181 (1996) (shape resonance in superlattices of quantum wires).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.pairing.kernel import _moments_flat
from multigap.pairing.window import Window

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
    tables: KernelTables, mu: FloatArray, T_meV: FloatArray, wc: FloatArray, slopes: bool
) -> tuple[FloatArray, FloatArray | None]:
    """X (B, nb, S) and, with ``slopes``, dX/d ln T; wc (B,) or (B, n_bands)."""
    if slopes:
        return Windows(tables, mu, wc).moments(T_meV)
    B = mu.size
    nb, S = tables.n_bands, tables.n_moments
    if wc.ndim == 1:
        return _moments_flat(tables.energy, tables.table, mu, T_meV, wc).reshape(B, nb, S), None
    parts = [
        _moments_flat(tables.energy, tables.band_tables[n], mu, T_meV, wc[:, n]) for n in range(nb)
    ]
    return np.stack(parts, axis=1), None


class Windows:
    """The T-independent window geometry of a batch at fixed (mu, wc) (:class:`Window`).

    One window over all band tables when wc is one per point; one per band when wc is
    (B, n_bands). Points are processed in mu order (short node spans per table product).
    """

    def __init__(self, tables: KernelTables, mu: FloatArray, wc: FloatArray) -> None:
        self.tables = tables
        self.order = np.argsort(mu, kind="stable")
        self.inverse = np.argsort(self.order)
        m = mu[self.order]
        w = wc[self.order]
        if wc.ndim == 1:
            self.parts = [(Window(tables.energy, m, w), tables.table)]
        else:
            self.parts = [
                (Window(tables.energy, m, w[:, n]), tables.band_tables[n])
                for n in range(tables.n_bands)
            ]

    def take(self, idx: NDArray[np.intp]) -> Windows:
        """The windows of a sub-batch (indices into the batch as given)."""
        out = object.__new__(Windows)
        pos = self.inverse[idx]  # positions of the sub-batch's points in mu order
        o = np.argsort(pos, kind="stable")
        out.tables, out.order, out.inverse = self.tables, o, np.argsort(o)
        out.parts = [(win.take(pos[o]), tab) for win, tab in self.parts]
        return out

    def moments(self, T_meV: FloatArray) -> tuple[FloatArray, FloatArray]:
        """X (B, nb, S) and dX/d ln T at k_B T (B,) (in the batch's own order)."""
        t = self.tables
        B = self.order.size
        T_sorted = T_meV[self.order]
        res = [win.moments(tab, T_sorted) for win, tab in self.parts]
        if len(res) == 1:
            X, dX = res[0]
        else:
            X = np.concatenate([r[0] for r in res], axis=1)
            dX = np.concatenate([r[1] for r in res], axis=1)
        X = X[self.inverse].reshape(B, t.n_bands, t.n_moments)
        dX = dX[self.inverse].reshape(B, t.n_bands, t.n_moments)
        return X, dX


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


_FACTORS: dict[bytes, tuple[FloatArray, FloatArray]] = {}
_FACTORS_MAX = 256


def _factor(A: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(F (nbQ, K), S (K,)) of one symmetric A = F diag(S) F^T, remembered for repeated A
    (successive isolated points at the same couplings factor once)."""
    key = A.tobytes()  # F and S depend on A alone
    hit = _FACTORS.get(key)
    if hit is not None:
        return hit
    w, V = np.linalg.eigh(A)
    order = np.argsort(-np.abs(w), kind="stable")
    w, V = w[order], V[:, order]
    scale = max(float(abs(w[0])), 1e-300)
    k = max(1, int(np.count_nonzero(np.abs(w) > _RANK_TOL * scale)))
    F = np.ascontiguousarray(V[:, :k] * np.sqrt(np.abs(w[:k])))
    S = np.where(w[:k] < 0.0, -1.0, 1.0)
    if len(_FACTORS) >= _FACTORS_MAX:
        _FACTORS.clear()
    _FACTORS[key] = (F, S)
    return F, S


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
        nb, Q = tables.n_bands, tables.n_modes
        if A.shape[0] == 1:
            F1, S1 = _factor(A[0])
            self.F, self.S = F1[None], S1[None]
            self.psd = np.all(self.S > 0.0, axis=1)
            self.all_psd = bool(self.psd[0])
            self.nb, self.Q = nb, Q
            return
        # factor each distinct matrix once (a Tc(eta) curve at fixed g has a single one)
        first, inverse = _distinct(A)
        w_u, V_u = np.linalg.eigh(A[first])
        order = np.argsort(-np.abs(w_u), axis=1, kind="stable")
        w_u = np.take_along_axis(w_u, order, axis=1)
        V_u = np.take_along_axis(V_u, order[:, None, :], axis=2)
        scale = np.maximum(np.abs(w_u[:, 0]), 1e-300)
        keep = np.abs(w_u) > _RANK_TOL * scale[:, None]
        k = max(1, int(keep.sum(axis=1).max()))
        root = np.sqrt(np.where(keep, np.abs(w_u), 0.0))[:, :k]
        F_u = V_u[:, :, :k] * root[:, None, :]
        S_u = np.where(keep[:, :k] & (w_u[:, :k] < 0.0), -1.0, 1.0)
        self.F = np.ascontiguousarray(F_u[inverse])  # (B, nbQ, K)
        self.S = np.ascontiguousarray(S_u[inverse])  # (B, K)
        self.psd = np.all(self.S > 0.0, axis=1)
        self.all_psd = bool(np.all(self.psd))
        self.nb, self.Q = nb, Q

    def take(self, idx: NDArray[np.intp]) -> PairOperator:
        """The operator of a sub-batch."""
        out = object.__new__(PairOperator)
        out.tables, out.nb, out.Q = self.tables, self.nb, self.Q
        out.F, out.S, out.psd = self.F[idx], self.S[idx], self.psd[idx]
        out.all_psd = bool(np.all(out.psd))
        return out

    def _project(self, F: FloatArray, X: FloatArray) -> FloatArray:
        """F^T blockdiag(M(X)) F for F (B, nbQ, K) and moments X (B, nb, S)."""
        t = self.tables
        M = 0.5 * (X[..., t.index_sum] + X[..., t.index_diff])  # (B, nb, Q, Q)
        B, nbq, k = F.shape
        MF = M @ F.reshape(B, self.nb, self.Q, k)
        res: FloatArray = np.swapaxes(F, -1, -2) @ MF.reshape(B, nbq, k)
        return 0.5 * (res + np.swapaxes(res, -1, -2))

    def evaluate(
        self,
        mu: FloatArray,
        T_meV: FloatArray,
        wc: FloatArray,
        *,
        slope: bool = False,
        vectors: bool = False,
        windows: Windows | None = None,
    ) -> Leading:
        """Lambda (B,) at (mu, T, wc), optionally dLambda/d ln T and the gap vectors.

        Parameters
        ----------
        mu, T_meV : ndarray (B,)
            Chemical potential and k_B T, meV (unchecked: T > 0, finite).
        wc : ndarray (B,) or (B, n_bands)
            Cut-off, meV.
        windows : Windows, optional
            The prepared windows of these (mu, wc) (with ``slope``: saves their geometry).
        """
        dX: FloatArray | None
        if slope and windows is not None:
            X, dX = windows.moments(T_meV)
        else:
            X, dX = _chi_moments(self.tables, mu, T_meV, wc, slope)
        P = self._project(self.F, X)
        if self.all_psd:
            H, R = P, None
        else:
            w, U = np.linalg.eigh(P)
            R = (U * np.sqrt(np.maximum(w, 0.0))[:, None, :]) @ np.swapaxes(U, -1, -2)
            R[self.psd] = 0.0  # unused there
            H = np.where(self.psd[:, None, None], P, R * self.S[:, None, :] @ R)
        if not (slope or vectors):
            return Leading(np.asarray(np.linalg.eigvalsh(H)[:, -1], dtype=float), None, None)
        w, U = np.linalg.eigh(H)
        lam = np.ascontiguousarray(w[:, -1])
        x = U[:, :, -1]
        if R is not None:
            sx = np.einsum("bij,bj->bi", R, x) * self.S
            x = np.where(self.psd[:, None], x, sx)
        ds = None
        if slope:
            assert dX is not None
            dP = self._project(self.F, dX)
            num = np.einsum("bi,bij,bj->b", x, dP, x)
            den = np.einsum("bi,bij,bj->b", x, P, x)
            ds = lam * num / np.where(den != 0.0, den, 1.0)
        vec = None
        if vectors:
            a = np.einsum("bij,bj->bi", self.F, x)
            norm = np.linalg.norm(a, axis=1)
            a = a / np.where(norm > 0.0, norm, 1.0)[:, None]
            big = np.take_along_axis(a, np.argmax(np.abs(a), axis=1)[:, None], axis=1)
            vec = a * np.where(big < 0.0, -1.0, 1.0)
        return Leading(lam, ds, vec)
