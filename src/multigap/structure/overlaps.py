"""Pair superposition (exchange) integrals I^{nn'}(kz, kz') and their cosine modes.

    I^{nn'}(kz, kz') = d * int_cell |psi_{n,kz}(z)|^2 |psi_{n',kz'}(z)|^2 dz

(A. Bianconi, A. Valletta, A. Perali and N. L. Saini, Solid State Commun. 102, 369 (1997);
A. Perali et al., Solid State Commun. 100, 181 (1996)). Dimensionless; 1 for plane waves.
On the Gauss-Legendre z grid it is one Gram product d * A^T diag(w) A of the sampled densities.

Because I is even and 2 pi/d periodic in kz and kz', it has a cosine expansion

    I^{nn'}(kz, kz') = sum_{q, q'} C^{nn'}_{q q'} cos(q kz d) cos(q' kz' d),

obtained by a type-I discrete cosine transform of the samples on the half-zone grid. Its
coefficients fall exponentially (the Bloch functions are analytic in kz), and truncating it to
Q modes makes the pairing kernel of finite rank: the gap is then exactly a cosine polynomial
Delta_n(kz) = sum_{q<Q} a_{n,q} cos(q kz d). This truncation is the only approximation of the
kz structure of the pairing (``Numerics.n_modes``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.fft import dct

from multigap import validation as check
from multigap.structure.subbands import Subbands

FloatArray = NDArray[np.float64]

#: Bytes per (n kz, n' kz') pair held at the peak (Gram product, its transpose, two DCT passes).
_BYTES_PER_PAIR = 32


@dataclass(frozen=True, eq=False)
class Overlaps:
    """Superposition integrals of a set of subbands.

    Attributes
    ----------
    kz : ndarray, shape (n_kz,)
        The half-zone grid of the subbands, 1/nm.
    values : ndarray, shape (n_bands, n_bands, n_kz, n_kz)
        I^{nn'}(kz_i, kz_j), dimensionless.
    modes : ndarray, shape (n_bands, n_bands, Q, Q)
        Cosine coefficients C^{nn'}_{qq'} (see the module docstring).
    period : float
        Superlattice period d, nm.
    """

    kz: FloatArray
    values: FloatArray
    modes: FloatArray
    period: float

    @property
    def n_modes(self) -> int:
        """Number Q of cosine modes kept per variable."""
        return int(self.modes.shape[-1])

    def evaluate(self, kz: NDArray[np.float64], kz_prime: NDArray[np.float64]) -> FloatArray:
        """I^{nn'}(kz, kz') from the cosine modes at 1D arrays of wavevectors (1/nm).

        Returns shape (n_bands, n_bands, kz.size, kz_prime.size).
        """
        q = np.arange(self.n_modes)
        a = np.cos(np.outer(np.ravel(kz), q) * self.period)
        b = np.cos(np.outer(np.ravel(kz_prime), q) * self.period)
        return np.asarray(np.einsum("nmqr,iq,jr->nmij", self.modes, a, b))


def overlaps(subbands: Subbands, n_modes: int | None = None) -> Overlaps:
    """Superposition integrals of ``subbands`` and their first ``n_modes`` cosine modes.

    Parameters
    ----------
    subbands : Subbands
        Bloch densities on the half-zone grid kz_j = j pi / (d (n_kz - 1)).
    n_modes : int, optional
        Cosine modes Q kept per variable, an integer in [1, n_kz]; default (n_kz + 1) // 2
        (keeps the DCT free of aliasing for coefficients that have decayed by mode Q). The
        arrays are estimated before they are allocated (refused above
        :func:`multigap.validation.memory_limit`).

    Returns
    -------
    Overlaps
    """
    n_kz = subbands.kz.size
    if n_modes is None:
        n_modes = (n_kz + 1) // 2
    n_modes = check.count("n_modes", n_modes, 1, n_kz)
    nb = subbands.n_bands
    check.allocation(
        f"overlaps of {nb} bands on n_kz = {n_kz} points",
        _BYTES_PER_PAIR * (nb * n_kz) ** 2,
        hint="use fewer kz points or bands",
    )
    dens = subbands.density.reshape(nb * n_kz, -1)  # (n kz, z)
    gram = subbands.period * (dens * subbands.z_weights) @ dens.T
    values = gram.reshape(nb, n_kz, nb, n_kz).transpose(0, 2, 1, 3)
    coeff = _dct1_coefficients(_dct1_coefficients(values, axis=-1), axis=-2)
    return Overlaps(subbands.kz, values, coeff[..., :n_modes, :n_modes].copy(), subbands.period)


def _dct1_coefficients(samples: FloatArray, axis: int) -> FloatArray:
    """Coefficients a_q of f(kz) = sum_q a_q cos(q kz d) from samples at kz_j = j pi/(d K)."""
    k = samples.shape[axis] - 1
    y = dct(samples, type=1, axis=axis) / k
    ends = np.ones(k + 1)
    ends[[0, k]] = 0.5
    shape = [1] * samples.ndim
    shape[axis] = k + 1
    y = y * ends.reshape(shape)
    return np.asarray(y)
