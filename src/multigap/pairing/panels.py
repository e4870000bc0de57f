"""Fast window moments of the Tc search: panels with precomputed product-integration weights.

The window moments of the linearised gap equation (SPEC §5,
:mod:`multigap.pairing.kernel`) are

    X_c(mu, T, wc) = int_{mu-wc}^{mu+wc} d eps  K(eps - mu)  rho_c(eps),
    K(xi) = tanh(xi / 2T) / (2 xi),

for the M = n_bands x S columns c of the projected-DOS table, with their slopes
dX/d ln T = -int D rho, D = sech^2(xi/2T) / (4T). The table is piecewise linear on ~10^4
nodes (a 1 meV grid plus geometric clusters, spacing down to 1e-8 meV, at every singularity of
the DOS), and a window covers 1000-2000 of them; :mod:`multigap.pairing.kernel` integrates
every segment exactly, which costs a few transcendental functions per segment and evaluation.

Here the *table* is integrated exactly once, and the smooth kernel is approximated instead
(product integration). The energy axis is cut into aligned dyadic panels of widths
L0 2^l (l = 0 .. n_levels-1) starting at the table's first node. For each panel the weights

    Y_{p,m,c} = int_{panel} rho_c(eps) l_m(eps) d eps

are precomputed (l_m: the Lagrange basis on the panel's n_q Gauss-Legendre nodes x_m; the
finest panels from the table by Gauss quadrature, exact for the piecewise-linear rho; every
coarser panel from its two halves by exact re-interpolation), so that

    int_{panel} K rho_c = sum_m K(x_m - mu) Y_{p,m,c} + (interpolation error of K).

K is analytic in a strip around the real axis, with its nearest poles at xi = +- i pi T; on a
panel of half-width h whose centre lies at distance |z| h from them, the error of the n_q-point
interpolant falls like rho_B^{-2 n_q}, rho_B = |z| + sqrt(|z|^2 - 1) the Bernstein ellipse
through the poles (the product rule integrates the interpolant exactly, so the error is that of
interpolation, ~rho_B^{-n_q}, not Gauss's rho_B^{-2 n_q}). A panel is used when |z| >= ``r0``
(``_R0`` = 4, n_q = ``_NQ`` = 12: 7.9^{-12} ~ 2e-11 per panel at the bound, far less for most
panels); near the Fermi level at low T, and at the window's two ends, the table segments are
integrated exactly as before (:mod:`multigap.pairing._panel_kernels`). A window then costs
~20 panels (~220 kernel values) and a few exact segments instead of ~1500 exact segments.

Measured accuracy (tests/pairing/unit/test_panels.py): the moments agree with the exact
segment-by-segment integrals of :func:`multigap.pairing.kernel.window_moments` to < 1e-12 of
the largest moment (of int K |rho| for columns of either sign) and their slopes to < 1e-11 of
the largest slope, for T from 1e-9 meV (the
default floor) to 60 meV, windows meeting band edges, clusters and the table's ends, on random
tables and the shipped presets'; a constant DOS gives F(wc/2T) to 1e-13. End to end, the Tc of
the fast search is where the slow exact Lambda equals 1 to 2e-14
(tests/pairing/physics/test_lambda_presets.py).

Memory: n_q M doubles per panel, ~2 (E_max - E_min) / L0 panels: 21 MB for a preset (69
columns, 3.2 eV of table, L0 = 2 meV); building them costs ~11 ms per geometry (on the first
Tc of that geometry).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from multigap.pairing import _panel_kernels as _pk

__all__ = ["PanelTables"]

FloatArray = NDArray[np.float64]

#: width of the finest panels, meV
_L0 = 2.0
#: Gauss-Legendre nodes per panel
_NQ = 12
#: a panel is used when its centre is >= _R0 half-widths from the poles mu +- i pi T
_R0 = 4.0
#: the panel weights of one table take at most this many bytes (wider panels beyond)
_MAX_BYTES = 64 * 2**20
#: coarsest level: panels of _L0 2^(_LEVELS-1) = 1024 meV
_LEVELS = 10


@lru_cache(maxsize=4)
def _children_maps(nq: int) -> tuple[FloatArray, FloatArray]:
    """(A_L, A_R): parent weights from the children's, Y_parent = A_L Y_left + A_R Y_right.

    The parent's Lagrange polynomial l_m is of degree n_q - 1, so on each half it equals its
    interpolant at that half's nodes: l_m = sum_k l_m(x_k^child) l_k^child, hence
    Y^parent_m = sum_k l_m(x_k^child) Y^child_k (exact).
    """
    nodes = np.polynomial.legendre.leggauss(nq)[0]

    def lagrange(s: FloatArray) -> FloatArray:  # (len(s), nq): l_m(s_i)
        out = np.ones((s.size, nq))
        for m in range(nq):
            for k in range(nq):
                if k != m:
                    out[:, m] *= (s - nodes[k]) / (nodes[m] - nodes[k])
        return out

    left = lagrange(0.5 * (nodes - 1.0))  # children's nodes in parent coordinates
    right = lagrange(0.5 * (nodes + 1.0))
    return np.ascontiguousarray(left.T), np.ascontiguousarray(right.T)


class PanelTables:
    """Panel weights of one projected-DOS table (built once per geometry).

    Parameters
    ----------
    energy : ndarray (N,)
        Table nodes, meV, non-decreasing (a repeated node is a jump).
    table : ndarray (N, M)
        The M columns rho_c / N0 at the nodes (node-major), 1/meV.
    width : float
        Finest panel width L0, meV (widened so that the weights stay below 64 MiB).
    """

    def __init__(
        self,
        energy: FloatArray,
        table: FloatArray,
        width: float = _L0,
        n_nodes: int = _NQ,
        r0: float = _R0,
    ) -> None:
        self.energy = np.ascontiguousarray(energy, dtype=float)
        self.table = np.ascontiguousarray(table, dtype=float)
        self.width = float(width)
        self.r0 = float(r0)
        nq = int(n_nodes)
        self.origin = float(self.energy[0])
        self.nodes, _ = np.polynomial.legendre.leggauss(nq)
        span = float(self.energy[-1]) - self.origin
        # wider finest panels for very long tables: the weights stay below _MAX_BYTES (near
        # the Fermi level more segments are then done exactly; the accuracy is the same)
        most = max(1, int(_MAX_BYTES // (2 * nq * self.table.shape[1] * 8)))
        self.width = max(self.width, span / most)
        n0 = max(1, math.ceil(span / self.width))
        counts = [n0]
        while len(counts) < _LEVELS:
            counts.append(-(-counts[-1] // 2))
        self.offsets = np.cumsum([0, *counts]).astype(np.int64)
        M = self.table.shape[1]
        self.Y = np.zeros((int(self.offsets[-1]), nq, M))
        # a rule exact for degree nq on every piece: nq // 2 + 1 Gauss points
        s_int, w_int = np.polynomial.legendre.leggauss(nq // 2 + 1)
        _pk.level0_panels(
            self.energy, self.table, self.origin, self.width, self.nodes, s_int, w_int,
            self.Y[: counts[0]],
        )  # fmt: skip
        A_L, A_R = _children_maps(nq)
        for lv in range(1, _LEVELS):
            o0, o1 = int(self.offsets[lv - 1]), int(self.offsets[lv])
            n = counts[lv]
            left = self.Y[o0 : o0 + 2 * n : 2]
            right = self.Y[o0 + 1 : o0 + 2 * n : 2] if counts[lv - 1] % 2 == 0 else None
            coarse = self.Y[o1 : o1 + n]
            np.matmul(A_L, left, out=coarse)
            if right is None:  # odd count: the last parent has no right child
                right = self.Y[o0 + 1 : o0 + 2 * n - 1 : 2]
                coarse[: right.shape[0]] += np.matmul(A_R, right)
            else:
                coarse += np.matmul(A_R, right)
        for arr in (self.Y, self.offsets):  # the caller's energy and table are left as given
            arr.setflags(write=False)

    def moments(
        self, mu: FloatArray, T_meV: FloatArray, wc: FloatArray, cols: NDArray[np.int64]
    ) -> tuple[FloatArray, FloatArray]:
        """X (P, M) and dX/d ln T (P, M) at flat (P,) mu, k_B T (meV, > 0) and cut-offs.

        Parameters
        ----------
        mu, T_meV : ndarray (P,)
            Chemical potential and k_B T, meV (unchecked: finite, T > 0).
        wc : ndarray (P, G)
            Cut-off of each column group, meV (>= 0).
        cols : ndarray (G, 2)
            Column groups [start, stop) sharing a cut-off (one group: every column).
        """
        P, M = mu.size, self.table.shape[1]
        X = np.zeros((P, M))
        dX = np.zeros((P, M))
        if P:
            _pk.batch_moments(
                (self.energy, self.table, self.Y, self.offsets, self.nodes),
                (self.origin, self.width, self.r0),
                np.ascontiguousarray(mu, dtype=float),
                np.ascontiguousarray(T_meV, dtype=float),
                np.ascontiguousarray(wc, dtype=float),
                cols,
                X,
                dX,
            )
        return X, dX
