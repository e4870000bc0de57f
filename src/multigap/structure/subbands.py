"""Subbands of the superlattice: E_n(kz) and the Bloch densities |psi_{n,kz}(z)|^2.

The energies solve f(E) = cos(kz d) inside each band (f: half trace of the transfer matrix,
:meth:`multigap.Superlattice.characteristic`). The Bloch function is the eigenvector of the
one-period transfer matrix M of (psi, dpsi/dz) with eigenvalue exp(i kz d), propagated through
each layer analytically and sampled at Gauss-Legendre nodes of every layer, where every z
integral of products of densities is then spectrally accurate (the densities are analytic
inside each layer).

At a degenerate point, where two bands touch at kz = 0 or pi/d (a closed gap; every zone end of
the empty lattice V = 0) and M = +-1 to rounding, every vector is an eigenvector of M. The state
taken there is the one that continues the band: the limit of the Bloch eigenvector as kz tends to
the zone end, the eigenvector of dM/dE with an imaginary eigenvalue (both such eigenvectors are
complex conjugates, i.e. time-reversed running waves, with the same density). At V = 0 that is
the running wave exp(+-i pi z/d) with the uniform density 1/d, so I^{nn'} = 1 exactly; a standing
wave would give I = 3/2 at the zone end instead.

Everything is even in kz, so only the half zone [0, pi/d] is stored.

This module needs only the transfer matrix of a lattice (:class:`BandStructure`) and imports no
other structure module: :class:`multigap.Superlattice` builds on it, not the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]

#: Allowed ranges of the grid sizes.
N_KZ_RANGE = (2, 16385)
N_Z_RANGE = (2, 1024)
N_BANDS_RANGE = (1, 64)
#: Bytes per (band, kz, z) element that :func:`compute_subbands` holds at its peak.
_BYTES_PER_SAMPLE = 48
#: Imaginary step of the complex-step derivative dM/dE (meV).
_COMPLEX_STEP = 1e-30
_EPS = float(np.finfo(float).eps)


class BandStructure(Protocol):
    """What the subband solver needs from a lattice (:class:`multigap.Superlattice` has it)."""

    @property
    def period(self) -> float: ...

    @property
    def layers(self) -> tuple[Any, ...]: ...

    def band_edges(self, n_bands: int, /) -> tuple[FloatArray, FloatArray]: ...

    def energy_in_band(self, band: int, cos_kd: ArrayLike, /) -> FloatArray: ...

    def layer_matrices(
        self, energy: ArrayLike, offsets: ArrayLike | None = None, layer: int | None = None
    ) -> tuple[ComplexArray, ...]: ...


@dataclass(frozen=True, eq=False)
class Subbands:
    """Subband energies and normalised Bloch densities on a kz grid of the half zone.

    Attributes
    ----------
    lattice : Superlattice
        The superlattice they belong to (any :class:`BandStructure`).
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

    lattice: BandStructure
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
    lat: BandStructure, n_bands: int = 3, n_kz: int = 33, n_z: int = 32
) -> Subbands:
    """Solve the subbands of ``lat``; see :meth:`Superlattice.subbands` for the parameters."""
    n_bands = check.count("n_bands", n_bands, *N_BANDS_RANGE)
    n_kz = check.count("n_kz", n_kz, *N_KZ_RANGE)
    n_z = check.count("n_z", n_z, *N_Z_RANGE)
    samples = n_bands * n_kz * n_z * len(lat.layers)
    check.allocation(
        f"subbands with n_bands = {n_bands}, n_kz = {n_kz}, n_z = {n_z}",
        _BYTES_PER_SAMPLE * samples,
        hint="use fewer kz points, z nodes or bands",
    )
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


def gauss_legendre_cell(lat: BandStructure, n_z: int) -> tuple[FloatArray, FloatArray, list[slice]]:
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
    lat: BandStructure, energy: FloatArray, kz: FloatArray, n_z: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normalised |psi_{n,kz}(z)|^2 at Gauss-Legendre nodes of each layer.

    Parameters
    ----------
    lat : BandStructure
        The lattice (its transfer matrix).
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
    u1, u2 = _eigenvector(m11, m12, m21, m22, lam, 1.0 / lat.period)
    degenerate = _degenerate(lat, e, (m11, m12, m21, m22), lam)
    if np.any(degenerate):
        d11, d12, d21, d22 = (
            x.imag / _COMPLEX_STEP for x in lat.layer_matrices(e[degenerate] + 1j * _COMPLEX_STEP)
        )
        tr, det = d11 + d22, d11 * d22 - d12 * d21
        mu = 0.5 * (tr + 1j * np.sqrt(4.0 * det - tr**2 + 0j))  # Im mu >= 0: a running wave
        u1[degenerate], u2[degenerate] = _eigenvector(d11, d12, d21, d22, mu, 1.0 / lat.period)
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


def _eigenvector(
    m11: Any, m12: Any, m21: Any, m22: Any, lam: Any, k_ref: float
) -> tuple[ComplexArray, ComplexArray]:
    """Unit eigenvector (u1, u2) of [[m11, m12], [m21, m22]] for eigenvalue ``lam``.

    Two equivalent forms of (psi, psi'), (m12, lam - m11) and (lam - m22, m21); the larger one
    in the dimensionless form (psi, psi' / k_ref) is taken (the other may vanish).
    """
    v1a, v2a = m12 + 0j, lam - m11
    v1b, v2b = lam - m22, m21 + 0j
    na = np.abs(v1a * k_ref) ** 2 + np.abs(v2a) ** 2
    nb = np.abs(v1b) ** 2 + np.abs(v2b / k_ref) ** 2
    use_a = na >= nb
    u1 = np.where(use_a, v1a, v1b)
    u2 = np.where(use_a, v2a, v2b)
    scale = np.sqrt(np.abs(u1) ** 2 + np.abs(u2) ** 2)
    return np.asarray(u1 / scale), np.asarray(u2 / scale)


def _degenerate(
    lat: BandStructure, e: FloatArray, m: tuple[FloatArray, ...], lam: ComplexArray
) -> NDArray[np.bool_]:
    """Where M = lam * identity to rounding: two touching bands (both vectors eigenvectors).

    Compares |M - lam 1| with 64 eps (|M| + |E| |dM/dE|), all in units where psi' is measured
    in 1/d; an open gap (a Jordan block at the zone end) has an off-diagonal entry of order 1.
    """
    m11, m12, m21, m22 = m
    k = np.pi / lat.period
    resid = np.maximum.reduce(
        [np.abs(m11 - lam), np.abs(m22 - lam), np.abs(m12) * k, np.abs(m21) / k]
    )
    near = resid <= 1e-6  # only these can be degenerate: evaluate dM/dE there alone
    out = np.zeros(e.shape, dtype=bool)
    if not np.any(near):
        return out
    dm = [x.imag / _COMPLEX_STEP for x in lat.layer_matrices(e[near] + 1j * _COMPLEX_STEP)]
    size_m = np.maximum.reduce([np.abs(m11[near]), np.abs(m22[near]), resid[near] + 1.0])
    size_dm = np.maximum.reduce(
        [np.abs(dm[0]), np.abs(dm[3]), np.abs(dm[1]) * k, np.abs(dm[2]) / k]
    )
    noise = 64.0 * _EPS * (size_m + np.abs(e[near]) * size_dm)
    out[near] = resid[near] <= noise
    return out
