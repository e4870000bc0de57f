"""Crossover diagnostics of each subband: condensate fraction and pair size (T = 0).

Condensate density (SPEC §11; Salasnich, Manini, Parola, Phys. Rev. A 72, 023621 (2005) for
the BCS-BEC crossover; Leggett's mean-field state)

    n_0,n = 2 int d^2k/(2pi)^2 u^2 v^2 = int d^2k/(2pi)^2 Delta_n^2 / (2 E_n^2),

inside the window (Delta = 0 outside), over the subband's density n_n = 2 int d^2k/(2pi)^2 v^2.
For a free 2D band in multigap's window convention (|xi| < wc around the renormalised mu, cut by
the band bottom at xi = -mu):

    n_0 / n = Delta [atan(wc/Delta) + atan(min(mu, wc)/Delta)] / (4 E_F),   E_F = n / (2 N0),

-> 1 deep in the BEC limit (mu -> -infinity relative to Delta), -> pi Delta / (4 E_F) in BCS.

Pair size. The pair wavefunction phi_k = Delta_k / (2 E_k) has a jump at the window edges, so
its rms size int |grad_k phi|^2 / int |phi|^2 (Pistolesi, Strinati, Phys. Rev. B 49, 6356
(1994)) diverges with a hard cut-off. multigap defines the pair size of subband n with the pair
amplitude continued beyond the window with the same gap,

    phi_n(k) = Delta_n(kz) / (2 sqrt(xi_n(k)^2 + Delta_n(kz)^2))   on the whole subband,
    xi_pair,n^2 = int d^2k |grad_k phi_n|^2 / int d^2k |phi_n|^2,

grad_k = (d_kx, d_kz) with d_kz acting on E_n(kz) and Delta_n(kz). It is finite, does not depend
on the cut-off, and reaches the textbook limits: hbar v_F / (2 sqrt(2) Delta) in the BCS limit
(Delta << E_F) and sqrt(2 hbar^2 / (3 m E_b)) in the 2D BEC limit (mu = -E_b/2 below the band
bottom, Delta << E_b). The kx integral runs to xi = 1e8 max(Delta, |mu - E_n|) (the tails of
|phi|^2 fall as kx^-4: truncation < 1e-12).

k_F of a subband is sqrt(2 pi n_n) (the 2D Fermi wavevector of its density, both spins), so
k_F xi_pair >> 1 is BCS, ~1 crossover, << 1 BEC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from multigap import validation as check
from multigap.pairing.response import quadrature as qd
from multigap.pairing.response.common import MU_CONVENTION, check_gaps, solve_gaps

__all__ = [
    "CondensateFraction",
    "PairSize",
    "band_densities",
    "condensate_fraction",
    "condensate_of",
    "pair_size",
    "pair_size_of",
]

FloatArray = NDArray[np.float64]

#: Reach of the pair-size integrals in units of the band's energy scale.
_REACH = 1e8


def _window_nodes(model: Any, gaps: Any, kz_order: int, kx_order: int) -> tuple[Any, Any, Any]:
    st = qd.state_of(model, gaps, temperature=0.0)
    nb, wc = st.n_bands, st.wc
    s = np.maximum(st.gap_scale(), 1e-9 * wc)
    levels = np.concatenate([-wc[:, None], qd.graded_levels(s, wc), wc[:, None]], axis=1)
    kz = qd.kz_nodes(st, levels, st.mu + wc, kz_order)
    breaks = np.stack([-wc, np.zeros(nb), wc], axis=1)[:, None, :]
    kx = qd.kx_nodes(st.c_x, kz.e, s[:, None], breaks, kx_order)
    return st, kz, kx


def band_densities(
    model: Any, gaps: Any, *, kz_order: int = qd.KZ_ORDER, kx_order: int = qd.KX_ORDER
) -> tuple[FloatArray, FloatArray]:
    """(n_n, n_0,n) per subband at T = 0, 1/nm^2 (both spins)."""
    st, kz, kx = _window_nodes(model, gaps, kz_order, kx_order)
    d = kz.delta[..., None, None]
    E2 = np.maximum(kx.xi**2 + d * d, 1e-300)
    v2 = 0.5 * (1.0 - kx.xi / np.sqrt(E2))
    step = (kx.xi < 0.0).astype(float)
    dn = np.sum(kx.w * (v2 - step), axis=(-2, -1))
    kf = np.sqrt(np.maximum(-kz.e, 0.0) / st.c_x)  # int_0^inf dkx theta(-xi)
    n = 2.0 * qd.MEASURE * np.sum(kz.w * (kf + dn), axis=1)
    n0 = qd.MEASURE * np.sum(kz.w * np.sum(kx.w * d * d / (2.0 * E2), axis=(-2, -1)), axis=1)
    return n, n0


@dataclass(frozen=True, eq=False)
class CondensateFraction:
    """Condensate fraction of the T = 0 state.

    Attributes
    ----------
    bands : ndarray (n_bands,)
        n_0,n / n_n per subband (dimensionless; NaN for an empty subband).
    total : float
        sum n_0,n / sum n_n.
    condensate_density, density : ndarray (n_bands,)
        n_0,n and n_n, 1/nm^2 (both spins).
    mu : float
        Renormalised chemical potential, meV.
    gaps : ndarray (n_bands,)
        Fermi-surface gaps, meV.
    mu_convention : str
        "fixed_density".
    """

    bands: FloatArray
    total: float
    condensate_density: FloatArray
    density: FloatArray
    mu: float
    gaps: FloatArray
    mu_convention: str = MU_CONVENTION


def condensate_of(model: Any, gaps: Any) -> CondensateFraction:
    """:class:`CondensateFraction` of a T = 0 GapResult."""
    n, n0 = band_densities(model, gaps)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(n > 0.0, n0 / np.where(n > 0.0, n, 1.0), math.nan)
    return CondensateFraction(
        bands=frac,
        total=float(n0.sum() / n.sum()),
        condensate_density=n0,
        density=n,
        mu=float(gaps.mu),
        gaps=np.asarray(gaps.fermi_gap, dtype=float),
    )


def condensate_fraction(
    model: Any, eta: float, g: float, *, gaps: Any = None
) -> CondensateFraction:
    """Condensate fraction n_0/n of every subband at T = 0 (module docstring).

    ``gaps``: the fixed-density :func:`multigap.zero_temperature_gaps` result, to skip the solve.
    """
    eta = check.finite("eta", eta)
    if gaps is None:
        gaps = solve_gaps(model, eta, g, 0.0)
    else:
        check_gaps(gaps, eta, float(g), 0.0)
    return condensate_of(model, gaps)


@dataclass(frozen=True, eq=False)
class PairSize:
    """Pair size of every subband at T = 0.

    Attributes
    ----------
    bands : ndarray (n_bands,)
        xi_pair,n, nm (NaN where the gap vanishes).
    bands_x, bands_z : ndarray (n_bands,)
        Its components sqrt(<x^2>), sqrt(<z^2>), nm (bands^2 = bands_x^2 + bands_z^2).
    kf : ndarray (n_bands,)
        sqrt(2 pi n_n), 1/nm.
    kf_xi : ndarray (n_bands,)
        k_F xi_pair (dimensionless).
    mu : float
        Renormalised chemical potential, meV.
    gaps : ndarray (n_bands,)
        Fermi-surface gaps, meV.
    mu_convention : str
        "fixed_density".
    """

    bands: FloatArray
    bands_x: FloatArray
    bands_z: FloatArray
    kf: FloatArray
    kf_xi: FloatArray
    mu: float
    gaps: FloatArray
    mu_convention: str = MU_CONVENTION


def pair_size_of(
    model: Any, gaps: Any, *, kz_order: int = qd.KZ_ORDER, kx_order: int = qd.KX_ORDER
) -> PairSize:
    """:class:`PairSize` of a T = 0 GapResult (definition: module docstring)."""
    st = qd.state_of(model, gaps, temperature=0.0)
    nb = st.n_bands
    gap = np.maximum(st.gap_scale(), 1e-300)
    span = np.maximum(np.abs(st.mu - st.bottoms), st.tops - st.bottoms)
    reach = _REACH * np.maximum(gap, span)
    levels = qd.graded_levels(gap, np.maximum(span, gap))
    kz = qd.kz_nodes(st, levels, st.tops + 1.0, kz_order)
    breaks = np.stack([np.full(nb, -1e300), np.zeros(nb), reach], axis=1)[:, None, :]
    kx = qd.kx_nodes(st.c_x, kz.e, gap[:, None], breaks, kx_order)
    xi = kx.xi
    d = kz.delta[..., None, None]
    E2 = xi**2 + d * d
    E = np.sqrt(np.maximum(E2, 1e-300))
    phi2 = d * d / (4.0 * E2)
    # grad phi: d phi/d xi = -Delta xi/(2 E^3), d phi/d Delta = xi^2/(2 E^3)
    dphi_dxi = -d * xi / (2.0 * E**3)
    gx = dphi_dxi * 2.0 * st.c_x * kx.kx
    gz2 = (dphi_dxi**2) * kz.de2[..., None, None] + (xi**2 / (2.0 * E**3)) ** 2 * (
        kz.ddelta[..., None, None] ** 2
    )
    # cross term 2 (dphi/dxi dE/dkz)(dphi/dDelta dDelta/dkz): sign of dE/dkz is that of -f'
    norm = np.sum(kz.w * np.sum(kx.w * phi2, axis=(-2, -1)), axis=1)
    xx = np.sum(kz.w * np.sum(kx.w * gx**2, axis=(-2, -1)), axis=1)
    zz = np.sum(kz.w * np.sum(kx.w * gz2, axis=(-2, -1)), axis=1)
    zz = zz + _cross_term(st, kz, kx, dphi_dxi, xi, E)
    with np.errstate(divide="ignore", invalid="ignore"):
        sx = np.where(norm > 0.0, np.sqrt(xx / norm), math.nan)
        sz = np.where(norm > 0.0, np.sqrt(np.maximum(zz, 0.0) / norm), math.nan)
    n, _ = band_densities(model, gaps)
    kf = np.sqrt(2.0 * math.pi * np.maximum(n, 0.0))
    size = np.sqrt(sx**2 + sz**2)
    return PairSize(
        bands=size,
        bands_x=sx,
        bands_z=sz,
        kf=kf,
        kf_xi=kf * size,
        mu=float(gaps.mu),
        gaps=np.asarray(gaps.fermi_gap, dtype=float),
    )


def _cross_term(
    st: qd.State, kz: Any, kx: Any, dphi_dxi: FloatArray, xi: FloatArray, E: FloatArray
) -> FloatArray:
    """int 2 (dphi/dxi)(dE/dkz)(dphi/dDelta)(dDelta/dkz): needs the sign of dE/dkz."""
    f, fp = st.lattice.characteristic(kz.e + st.mu)
    c = np.clip(np.asarray(f, dtype=float), -1.0, 1.0)
    sin_ph = np.sqrt(np.maximum((1.0 - c) * (1.0 + c), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        de = np.where(np.asarray(fp) != 0.0, -st.period * sin_ph / np.asarray(fp), 0.0)
    dphi_dd = xi**2 / (2.0 * E**3)
    cross = 2.0 * dphi_dxi * dphi_dd * (de * kz.ddelta)[..., None, None]
    res: FloatArray = np.sum(kz.w * np.sum(kx.w * cross, axis=(-2, -1)), axis=1)
    return res


def pair_size(model: Any, eta: float, g: float, *, gaps: Any = None) -> PairSize:
    """Pair size xi_pair of every subband at T = 0, nm (definition: module docstring).

    ``gaps``: the fixed-density :func:`multigap.zero_temperature_gaps` result, to skip the solve.
    """
    eta = check.finite("eta", eta)
    if gaps is None:
        gaps = solve_gaps(model, eta, g, 0.0)
    else:
        check_gaps(gaps, eta, float(g), 0.0)
    return pair_size_of(model, gaps)
