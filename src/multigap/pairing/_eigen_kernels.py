"""Compiled (numba) leading eigenpairs of a batch of small symmetric matrices.

The Tc search needs, per point and evaluation, the largest eigenvalue of the K x K projected
kernel P (K = rank of G o C, 6-7 for the presets) and its Hellmann-Feynman slope. numpy's
batched ``eigh`` costs ~15 us of call overhead for one such matrix; this loop calls LAPACK
(``syevd``, through numba) directly.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def leading(
    P: np.ndarray, dP: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Largest eigenvalue lam (B,), lam x^T dP x / x^T P x (B,) and the eigenvector x (B, K)
    of each symmetric P[b] (K, K)."""
    B, K = P.shape[0], P.shape[1]
    lam = np.empty(B)
    slope = np.empty(B)
    vec = np.empty((B, K))
    for b in range(B):
        w, U = np.linalg.eigh(np.ascontiguousarray(P[b]))
        top = w[K - 1]
        num = 0.0
        den = 0.0
        for i in range(K):
            xi = U[i, K - 1]
            vec[b, i] = xi
            for j in range(K):
                xj = U[j, K - 1]
                num += xi * dP[b, i, j] * xj
                den += xi * P[b, i, j] * xj
        lam[b] = top
        slope[b] = top * num / (den if den != 0.0 else 1.0)
    return lam, slope, vec
