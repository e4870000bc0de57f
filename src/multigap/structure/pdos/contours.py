"""Public densities of states at arbitrary energies, and the Fermi contours.

Part of :mod:`multigap.structure.pdos`: :func:`dos` (total and partial DOS, exact, from a
lattice, subbands or model) and :func:`fermi_contours` (eps_n(kx, kz) = mu over the zone).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.constants import kinetic_coefficient
from multigap.structure.pdos.closed_forms import (
    DEFAULT_QUADRATURE,
    LatticeLike,
    _edges,
    _finite_array,
    _values,
)

FloatArray = NDArray[np.float64]

__all__ = ["DensityOfStates", "FermiContour", "dos", "fermi_contours"]


# ============================================================================ public DOS
@dataclass(frozen=True, eq=False)
class DensityOfStates:
    """Total and partial densities of states at given energies (per spin, per area).

    Attributes
    ----------
    energy : ndarray
        Energies, meV (the shape given).
    partial : ndarray, shape (n_bands, *energy.shape)
        N_n(eps) = rho_{n,0}(eps) of every subband, 1/(meV nm^2).
    total : ndarray, shape energy.shape
        N(eps) = sum_n N_n(eps), 1/(meV nm^2).
    bottoms, tops : ndarray, shape (n_bands,)
        Band edges, meV (E_L and E_T of each subband), polished to rounding by Newton steps on
        f(E) = +-1 (open gaps).
    n0 : float
        Free 2D DOS per spin m_x/(2 pi hbar^2), 1/(meV nm^2), for normalised plots.
    """

    energy: FloatArray
    partial: FloatArray
    total: FloatArray
    bottoms: FloatArray
    tops: FloatArray
    n0: float


def _resolve_source(source: Any, n_bands: int | None) -> tuple[LatticeLike, int]:
    """(lattice, n_bands) from a lattice, a Subbands-like or a Model-like object."""
    if hasattr(source, "characteristic") and hasattr(source, "band_edges"):
        if n_bands is None:
            raise ValueError("n_bands must be given (an integer >= 1) when passing a lattice")
        return source, check.integer("n_bands", n_bands, 1)
    lattice = getattr(source, "lattice", None)
    if lattice is None or not hasattr(lattice, "characteristic"):
        raise ValueError(
            "source must be a Superlattice, Subbands or Model (something with a lattice), "
            f"got {type(source).__name__}"
        )
    own = getattr(source, "n_bands", None)
    if own is None:
        own = np.size(getattr(source, "bottoms", ()))
    count = check.integer("n_bands", own if n_bands is None else n_bands, 1)
    return lattice, count


def dos(
    source: Any,
    energy: ArrayLike,
    n_bands: int | None = None,
    *,
    quadrature_order: int = DEFAULT_QUADRATURE,
) -> DensityOfStates:
    """Total and partial densities of states at arbitrary energies (exact, not interpolated).

        N_n(eps) = int_BZ dkz/(2 pi) 1/(2 pi sqrt(C_x (eps - E_n(kz)))) theta(eps - E_n(kz))

    per spin and per area (SPEC §2), with the step at each band bottom and the logarithm at
    each band top exact (method: module docstring).

    Parameters
    ----------
    source : Superlattice, Subbands or Model
        Where the subbands come from (Subbands and Model bring their own ``n_bands``).
    energy : array_like
        Energies, meV (finite).
    n_bands : int, optional
        Number of subbands; required for a lattice, overrides the source's otherwise.
    quadrature_order : int
        Gauss-Legendre order of the regular remainder (default 64).

    Returns
    -------
    DensityOfStates
        ``total`` and ``partial`` in 1/(meV nm^2) per spin. At a band bottom the value is the
        left limit (0 for that band); exactly at a band top with an open gap, +inf.
    """
    lattice, count = _resolve_source(source, n_bands)
    eps = _finite_array("energy", energy)
    order = check.integer("quadrature_order", quadrature_order, 4)
    edges = _edges(lattice, count)
    vals = _values(lattice, edges, eps.ravel(), 1, order).reshape(count, 1, *eps.shape)
    partial = vals[:, 0]
    return DensityOfStates(
        energy=eps,
        partial=partial,
        total=partial.sum(axis=0),
        bottoms=edges.bottom,
        tops=edges.top,
        n0=1.0 / (4.0 * math.pi * kinetic_coefficient(float(lattice.mass_x))),
    )


# ============================================================================ Fermi contours
@dataclass(frozen=True, eq=False)
class FermiContour:
    """The Fermi contour eps_n(kx, kz) = mu of one subband in the (kx, kz) plane.

    Attributes
    ----------
    band : int
        Subband index, 1-based.
    mu : float
        Chemical potential, meV.
    topology : {"empty", "closed", "open"}
        ``"empty"``: mu <= E_L (no Fermi surface, eta < 0); ``"closed"``: E_L < mu < E_T, a
        2D pocket (0 < eta < 1); ``"open"``: mu >= E_T, two open sheets crossing the zone
        (1D-like, eta >= 1; at eta = 1 they touch at the neck).
    curves : tuple of ndarray
        Each of shape (M, 2), columns (kx, kz) in 1/nm, kz in [-pi/d, pi/d]; a closed pocket
        centred at kz = 0 is one closed curve (first point = last), a pocket centred at the zone
        boundary is two halves, open sheets are two curves kx > 0 and kx < 0 ordered in kz.
    """

    band: int
    mu: float
    topology: str
    curves: tuple[FloatArray, ...]


def fermi_contours(
    source: Any, mu: float, n_bands: int | None = None, *, n_points: int = 256
) -> tuple[FermiContour, ...]:
    """Fermi contours eps_n(kx, kz) = mu of every subband over the full zone.

    kx = +-sqrt((mu - E_n(kz)) / C_x) where E_n(kz) <= mu. The curves are parametrised by
    theta with E_n = bottom + (upper - bottom) sin^2(theta) and kz from f(E) = cos(kz d), so
    they are smooth where kx -> 0 (pocket ends) and at the pocket centre.

    Parameters
    ----------
    source : Superlattice, Subbands or Model
    mu : float
        Chemical potential, meV.
    n_bands : int, optional
        Required for a lattice (see :func:`dos`).
    n_points : int
        Points per curve (>= 8, default 256).

    Returns
    -------
    tuple of FermiContour
        One per subband, lowest first.
    """
    lattice, count = _resolve_source(source, n_bands)
    mu = check.finite("mu", mu)
    n_points = check.integer("n_points", n_points, 8)
    edges = _edges(lattice, count)
    d = edges.period
    out = []
    for n in range(count):
        a, b = float(edges.bottom[n]), float(edges.top[n])
        at_zero = edges.sign_bottom[n] > 0  # bottom at kz = 0 (odd bands)
        if mu <= a:
            out.append(FermiContour(n + 1, mu, "empty", ()))
            continue
        upper = min(mu, b)
        if mu < b:
            theta = np.linspace(0.0, 2.0 * math.pi, n_points)
        else:  # half a sheet; mirrored below (kz -> -kz)
            theta = np.linspace(0.0, 0.5 * math.pi, (n_points + 1) // 2 + 1)
        sin2 = np.sin(theta) ** 2
        u = a + (upper - a) * sin2
        f, _ = lattice.characteristic(u)
        k_half = np.arccos(np.clip(np.asarray(f, dtype=float), -1.0, 1.0)) / d  # in [0, pi/d]
        q = k_half if at_zero else math.pi / d - k_half  # distance from the bottom point
        kx_abs = np.sqrt(np.maximum(mu - u, 0.0) / edges.c_x)
        if mu < b:
            kx = np.where(np.cos(theta) >= 0.0, kx_abs, -kx_abs)
            sgn = np.where(np.sin(theta) >= 0.0, 1.0, -1.0)
            if at_zero:
                ring = np.column_stack((kx, sgn * q))
                ring[-1] = ring[0]  # closed exactly (theta = 2 pi is theta = 0)
                curves: tuple[FloatArray, ...] = (ring,)
            else:
                upper_half = np.sin(theta) >= 0.0
                kz = np.where(upper_half, math.pi / d - q, -math.pi / d + q)
                curves = tuple(
                    np.column_stack((kx[mask], kz[mask])) for mask in (upper_half, ~upper_half)
                )
            out.append(FermiContour(n + 1, mu, "closed", curves))
        else:
            kz_all = np.concatenate((-k_half, k_half))
            kz, first = np.unique(kz_all, return_index=True)  # sorted; the kz = 0 copy once
            kxs = np.concatenate((kx_abs, kx_abs))[first]
            curves = (np.column_stack((kxs, kz)), np.column_stack((-kxs, kz)))
            out.append(FermiContour(n + 1, mu, "open", curves))
    return tuple(out)
