"""Subbands of the superlattice: E_n(kz) and the Bloch densities |psi_{n,kz}(z)|^2.

The energies solve f(E) = cos(kz d) inside each band (f: half trace of the transfer matrix,
:meth:`multigap.Superlattice.characteristic`). The Bloch function is the eigenvector of the
one-period transfer matrix M of (psi, dpsi/dz) with eigenvalue exp(i kz d), propagated through
each layer analytically and sampled at Gauss-Legendre nodes of every layer, where every z
integral of products of densities is then spectrally accurate (the densities are analytic
inside each layer).

Everything is even in kz, so only the half zone [0, pi/d] is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.structure.lattice import Superlattice

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Subbands:
    """Subband energies and normalised Bloch densities on a kz grid of the half zone.

    Attributes
    ----------
    lattice : Superlattice
        The superlattice they belong to.
    kz : ndarray, shape (n_kz,)
        kz_j = j pi / (d (n_kz - 1)), 1/nm, j = 0 .. n_kz - 1 (half zone; all even in kz).
    energy : ndarray, shape (n_bands, n_kz)
        E_n(kz_j), meV.
    bottoms, tops : ndarray, shape (n_bands,)
        Band minima (E_L for the resonant band) and maxima (E_T), meV.
    z, z_weights : ndarray, shape (n_z_total,)
        Gauss-Legendre nodes in [0, d) (nm) and weights (nm) of each layer; sum(z_weights) = d.
    density : ndarray, shape (n_bands, n_kz, n_z_total)
        ``|psi_{n,kz}(z)|^2`` in 1/nm, normalised so that sum(z_weights * density) = 1.
    """

    lattice: Superlattice
    kz: FloatArray
    energy: FloatArray
    bottoms: FloatArray
    tops: FloatArray
    z: FloatArray
    z_weights: FloatArray
    density: FloatArray

    @property
    def n_bands(self) -> int:
        """Number of subbands."""
        return int(self.energy.shape[0])

    @property
    def period(self) -> float:
        """Superlattice period d, nm."""
        return self.lattice.period

    def _index(self, n: int) -> int:
        n = check.integer("band", n, 1)
        if n > self.n_bands:
            raise ValueError(f"band must lie in [1, {self.n_bands}] (subbands computed), got {n}")
        return n - 1

    def edge(self, n: int) -> float:
        """Band edge E_L of subband ``n`` (1-based): its minimum over kz, meV."""
        return float(self.bottoms[self._index(n)])

    def top(self, n: int) -> float:
        """Band top E_T of subband ``n``: its maximum over kz, meV."""
        return float(self.tops[self._index(n)])

    def width(self, n: int) -> float:
        """Transversal dispersion Delta_E = E_T - E_L of subband ``n``, meV."""
        i = self._index(n)
        return float(self.tops[i] - self.bottoms[i])

    def mu_from_eta(self, eta: ArrayLike, band: int) -> FloatArray:
        """Chemical potential mu = E_L + eta Delta_E (meV) of Lifshitz parameter ``eta``."""
        return np.asarray(self.edge(band) + np.asarray(eta, dtype=float) * self.width(band))

    def eta_from_mu(self, mu: ArrayLike, band: int) -> FloatArray:
        """Lifshitz parameter eta = (mu - E_L) / Delta_E of chemical potential ``mu`` (meV)."""
        return np.asarray((np.asarray(mu, dtype=float) - self.edge(band)) / self.width(band))

    def energy_at(self, kz: ArrayLike) -> FloatArray:
        """Exact E_n(kz) of every band at any ``kz`` (1/nm), shape ``(n_bands, *kz.shape)``."""
        c = np.cos(np.asarray(kz, dtype=float) * self.period)
        return np.stack([self.lattice.energy_in_band(n, c) for n in range(1, self.n_bands + 1)])


def compute_subbands(
    lat: Superlattice, n_bands: int = 3, n_kz: int = 33, n_z: int = 32
) -> Subbands:
    """Solve the subbands of ``lat``; see :meth:`Superlattice.subbands` for the parameters."""
    n_bands = check.integer("n_bands", n_bands, 1)
    n_kz = check.integer("n_kz", n_kz, 2)
    n_z = check.integer("n_z", n_z, 2)
    d = lat.period
    kz = np.linspace(0.0, np.pi / d, n_kz)
    c = np.cos(kz * d)
    c[0], c[-1] = 1.0, -1.0
    bottoms, tops = lat.band_edges(n_bands)
    energy = np.stack([lat.energy_in_band(n, c) for n in range(1, n_bands + 1)])
    # exact edges at the ends of the half zone
    for n in range(n_bands):
        at_zero = 0 if n % 2 == 0 else -1
        energy[n, at_zero] = bottoms[n]
        energy[n, -1 - at_zero if at_zero == 0 else 0] = tops[n]
    z, w, density = bloch_densities(lat, energy, kz, n_z)
    return Subbands(lat, kz, energy, bottoms, tops, z, w, density)


def gauss_legendre_cell(lat: Superlattice, n_z: int) -> tuple[FloatArray, FloatArray, list[slice]]:
    """Gauss-Legendre nodes and weights on every layer of the cell (nm), and each layer's slice."""
    x, wx = np.polynomial.legendre.leggauss(n_z)
    zs, ws, slices = [], [], []
    start = 0.0
    for i, lay in enumerate(lat.layers):
        zs.append(start + 0.5 * lay.thickness * (x + 1.0))
        ws.append(0.5 * lay.thickness * wx)
        slices.append(slice(i * n_z, (i + 1) * n_z))
        start += lay.thickness
    return np.concatenate(zs), np.concatenate(ws), slices


def bloch_densities(
    lat: Superlattice, energy: FloatArray, kz: FloatArray, n_z: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normalised |psi_{n,kz}(z)|^2 at Gauss-Legendre nodes of each layer.

    Parameters
    ----------
    lat : Superlattice
    energy : ndarray, shape (n_bands, n_kz)
        E_n(kz), meV (must lie in the bands).
    kz : ndarray, shape (n_kz,)
        Wavevectors, 1/nm.
    n_z : int
        Nodes per layer.

    Returns
    -------
    z, weights : ndarray, shape (n_layers * n_z,)
    density : ndarray, shape (n_bands, n_kz, n_layers * n_z)
        Normalised to sum(weights * density) = 1 (1/nm).
    """
    z, w, slices = gauss_legendre_cell(lat, n_z)
    e = np.asarray(energy, dtype=float)
    m11, m12, m21, m22 = (x.real for x in lat.layer_matrices(e))
    lam = np.exp(1j * np.asarray(kz) * lat.period) * np.ones_like(e)
    # eigenvector of M for exp(i kz d): two equivalent forms; take the better conditioned one
    v1a, v2a = m12 + 0j, lam - m11
    v1b, v2b = lam - m22, m21 + 0j
    use_a = (np.abs(v1a) ** 2 + np.abs(v2a) ** 2) >= (np.abs(v1b) ** 2 + np.abs(v2b) ** 2)
    u1 = np.where(use_a, v1a, v1b)
    u2 = np.where(use_a, v2a, v2b)
    scale = np.sqrt(np.abs(u1) ** 2 + np.abs(u2) ** 2)
    u1, u2 = u1 / scale, u2 / scale
    psi = np.empty((*e.shape, z.size), dtype=complex)
    start = 0.0
    for i, lay in enumerate(lat.layers):
        offs = z[slices[i]] - start
        a11, a12, _, _ = lat.layer_matrices(e[..., None], offs, layer=i)
        psi[..., slices[i]] = a11.real * u1[..., None] + a12.real * u2[..., None]
        b11, b12, b21, b22 = (x.real for x in lat.layer_matrices(e, lay.thickness, layer=i))
        u1, u2 = b11 * u1 + b12 * u2, b21 * u1 + b22 * u2
        start += lay.thickness
    dens = np.abs(psi) ** 2
    norm = dens @ w
    return z, w, dens / norm[..., None]
