"""The superlattice of quantum wires: a periodic, piecewise-constant potential along z.

Metallic wires (wells) of width ``well`` alternate along z with spacers (barriers) of width
``barrier`` and height ``height``; the period is ``d = well + barrier``. A general cell of several
layers is allowed (:meth:`Superlattice.from_layers`). The one-electron problem along z is solved
by the transfer matrix of the cell; for two layers its half trace is the Kronig-Penney closed form

    cos(kz d) = cos(a L) cosh(b W) + (b^2 - a^2) / (2 a b) sin(a L) sinh(b W)

(R. de L. Kronig and W. G. Penney, Proc. R. Soc. A 130, 499 (1931)).

Units: energies in meV, lengths in nm, masses in units of the free-electron mass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from multigap import validation as check
from multigap.constants import kinetic_coefficient

if TYPE_CHECKING:
    from multigap.structure.subbands import Subbands

FloatArray = NDArray[np.float64]

#: Imaginary step of the complex-step derivative of the characteristic function (meV).
_COMPLEX_STEP = 1e-30
#: Scan spacing of the characteristic function, as a fraction of the zone-boundary kinetic energy.
_SCAN_FRACTION = 1.0 / 600.0


@dataclass(frozen=True)
class Layer:
    """One layer of the superlattice cell.

    Parameters
    ----------
    thickness : float
        Layer thickness in nm (> 0).
    potential : float
        Potential energy in the layer in meV (finite; 0 in the wells by convention).
    """

    thickness: float
    potential: float

    def __post_init__(self) -> None:
        check.positive("layer thickness", self.thickness, "nm")
        check.finite("layer potential", self.potential)


@dataclass(frozen=True)
class Superlattice:
    """A superlattice of quantum wires (stripes) along x, periodic along z.

    Parameters
    ----------
    well : float
        Width L of the metallic wire (potential 0), nm.
    barrier : float
        Width W of the spacer, nm.
    height : float
        Barrier height V, meV (>= 0).
    mass_x, mass_z : float
        Effective masses along the wire (x) and across the wires (z), in units of m_e.
    extra_layers : tuple of Layer
        Optional further layers appended to the cell after the barrier (general layered
        cell); use :meth:`from_layers` to build one.

    Notes
    -----
    Immutable and hashable. The band structure is obtained from :meth:`characteristic`, the
    half trace of the one-period transfer matrix of (psi, dpsi/dz).
    """

    well: float
    barrier: float
    height: float
    mass_x: float = 1.0
    mass_z: float = 1.0
    extra_layers: tuple[Layer, ...] = field(default=())

    def __post_init__(self) -> None:
        check.positive("well", self.well, "nm")
        check.positive("barrier", self.barrier, "nm")
        check.non_negative("height", self.height, "meV")
        check.positive("mass_x", self.mass_x, "m_e")
        check.positive("mass_z", self.mass_z, "m_e")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_layers(
        cls,
        layers: list[tuple[float, float]] | tuple[Layer, ...],
        mass_x: float = 1.0,
        mass_z: float = 1.0,
    ) -> Superlattice:
        """A general cell from ``[(thickness_nm, potential_meV), ...]`` (at least two layers).

        The first layer is stored as the ``well`` (its potential must be 0, the energy zero)
        and the second as the ``barrier``; further layers follow in order.
        """
        items = [lay if isinstance(lay, Layer) else Layer(*lay) for lay in layers]
        if len(items) < 2:
            raise ValueError(f"layers must hold at least two layers, got {len(items)}")
        if items[0].potential != 0.0:
            raise ValueError(
                f"the first layer is the well and sets the energy zero: its potential must be 0, "
                f"got {items[0].potential!r}"
            )
        return cls(
            well=items[0].thickness,
            barrier=items[1].thickness,
            height=items[1].potential,
            mass_x=mass_x,
            mass_z=mass_z,
            extra_layers=tuple(items[2:]),
        )

    @classmethod
    def from_width(
        cls,
        well: float,
        barrier: float,
        width: float,
        band: int = 3,
        mass_x: float = 1.0,
        mass_z: float = 1.0,
    ) -> Superlattice:
        """Solve the barrier height that gives subband ``band`` the dispersion ``width``.

        Parameters
        ----------
        well, barrier : float
            Widths in nm.
        width : float
            Transversal dispersion Delta_E = E_T - E_L of subband ``band``, meV. It must be
            smaller than the free-electron (V = 0) width of that subband,
            hbar^2/(2 m_z) (pi/d)^2 (2 band - 1).
        band : int
            Subband index, 1-based.

        Returns
        -------
        Superlattice
            With ``height`` such that the width matches to 1e-9 relative.
        """
        check.positive("width", width, "meV")
        band = check.integer("band", band, 1)
        trial = cls(well=well, barrier=barrier, height=0.0, mass_x=mass_x, mass_z=mass_z)
        free = kinetic_coefficient(mass_z) * (np.pi / trial.period) ** 2 * (2 * band - 1)
        if width >= free:
            raise ValueError(
                f"width must lie in (0, {free:.6g}) meV for band {band} of this geometry "
                f"(the free-electron width at V = 0), got {width!r}"
            )

        def residual(log_v: float) -> float:
            lat = cls(well, barrier, float(np.exp(log_v)), mass_x, mass_z)
            bottoms, tops = lat.band_edges(band)
            return float(np.log((tops[-1] - bottoms[-1]) / width))

        lo, hi = np.log(1e-3), np.log(1e3)
        while residual(lo) < 0.0:
            lo -= 4.0
            if lo < np.log(1e-12):
                raise ValueError(f"no barrier height gives width {width!r} meV for band {band}")
        while residual(hi) > 0.0:
            hi += 2.0
            if hi > np.log(1e9):
                raise ValueError(f"no barrier height gives width {width!r} meV for band {band}")
        log_v = brentq(residual, lo, hi, xtol=1e-13, rtol=1e-13)
        return cls(well, barrier, float(np.exp(log_v)), mass_x, mass_z)

    # ------------------------------------------------------------------ geometry
    @property
    def period(self) -> float:
        """Period d of the superlattice, nm."""
        return self.well + self.barrier + sum(lay.thickness for lay in self.extra_layers)

    @property
    def layers(self) -> tuple[Layer, ...]:
        """All layers of one period in order along z, the well first (starting at z = 0)."""
        return (Layer(self.well, 0.0), Layer(self.barrier, self.height), *self.extra_layers)

    @property
    def potential_range(self) -> tuple[float, float]:
        """Lowest and highest potential in the cell, meV."""
        v = [lay.potential for lay in self.layers]
        return min(v), max(v)

    def potential(self, z: ArrayLike) -> FloatArray:
        """The potential V(z) in meV at positions ``z`` (nm), periodic with the period."""
        zz = np.mod(np.asarray(z, dtype=float), self.period)
        bounds = np.cumsum([lay.thickness for lay in self.layers])
        idx = np.searchsorted(bounds, zz, side="right")
        idx = np.minimum(idx, len(self.layers) - 1)
        return np.asarray([lay.potential for lay in self.layers])[idx]

    def to_dict(self) -> dict[str, object]:
        """Plain-data description (JSON-serialisable)."""
        out: dict[str, object] = {
            "well": self.well,
            "barrier": self.barrier,
            "height": self.height,
            "mass_x": self.mass_x,
            "mass_z": self.mass_z,
        }
        if self.extra_layers:
            out["extra_layers"] = [[lay.thickness, lay.potential] for lay in self.extra_layers]
        return out

    # ------------------------------------------------------------------ transfer matrix
    def layer_matrices(
        self, energy: ArrayLike, offsets: ArrayLike | None = None, layer: int | None = None
    ) -> tuple[NDArray[np.complex128], ...]:
        """Transfer-matrix entries (m11, m12, m21, m22) propagating (psi, dpsi/dz).

        With ``layer`` and ``offsets`` given, the matrix of layer ``layer`` over a distance
        ``offsets`` (broadcast against ``energy``); otherwise the full period.
        Complex input energies are allowed (analytic continuation; used for the exact
        complex-step derivative). The entries are even functions of the local wavevector q,
        hence entire in E: cos(q t), t sinc(q t), -q^2 t sinc(q t).
        """
        e = np.asarray(energy, dtype=complex)
        cz = kinetic_coefficient(self.mass_z)
        if layer is not None:
            lay = self.layers[layer]
            t = np.asarray(offsets, dtype=float)
            return _layer_entries(e, lay.potential, t, cz)
        m11 = np.ones_like(e)
        m12 = np.zeros_like(e)
        m21 = np.zeros_like(e)
        m22 = np.ones_like(e)
        for lay in self.layers:
            a11, a12, a21, a22 = _layer_entries(e, lay.potential, lay.thickness, cz)
            m11, m12, m21, m22 = (
                a11 * m11 + a12 * m21,
                a11 * m12 + a12 * m22,
                a21 * m11 + a22 * m21,
                a21 * m12 + a22 * m22,
            )
        return m11, m12, m21, m22

    def characteristic(self, energy: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Half trace f(E) of the one-period transfer matrix and its derivative.

        Parameters
        ----------
        energy : array_like
            Energies, meV.

        Returns
        -------
        f : ndarray
            (M11 + M22)/2; inside a band f = cos(kz d).
        dfdE : ndarray
            df/dE in 1/meV, exact to rounding (complex-step derivative).
        """
        e = np.asarray(energy, dtype=float)
        m11, _, _, m22 = self.layer_matrices(e + 1j * _COMPLEX_STEP)
        half = 0.5 * (m11 + m22)
        return half.real, half.imag / _COMPLEX_STEP

    def kronig_penney(self, energy: ArrayLike) -> FloatArray:
        """The Kronig-Penney closed form of the half trace (two-layer cells only), for checks."""
        if self.extra_layers:
            raise ValueError("kronig_penney applies to the two-layer cell only")
        e = np.asarray(energy, dtype=complex)
        cz = kinetic_coefficient(self.mass_z)
        a = np.sqrt(e / cz)
        b = np.sqrt((self.height - e) / cz)
        lw, bw = self.well, self.barrier
        with np.errstate(invalid="ignore", divide="ignore"):
            val = np.cos(a * lw) * np.cosh(b * bw) + (b**2 - a**2) / (2 * a * b) * np.sin(
                a * lw
            ) * np.sinh(b * bw)
        return np.asarray(val.real, dtype=float)

    # ------------------------------------------------------------------ bands
    def band_edges(self, n_bands: int) -> tuple[FloatArray, FloatArray]:
        """Bottoms and tops of the lowest ``n_bands`` subbands, meV.

        Band n spans [bottoms[n-1], tops[n-1]]; its bottom is at kz = 0 for odd n and at
        kz = pi/d for even n (f = (-1)^(n-1) there), its top at the other end of the half zone.
        Touching bands (a closed gap, e.g. V = 0) share the touching energy.
        """
        n_bands = check.integer("n_bands", n_bands, 1)
        bottoms, tops = _band_edges_cached(self, n_bands)
        return bottoms.copy(), tops.copy()

    def subbands(self, n_bands: int = 3, n_kz: int = 33, n_z: int = 32) -> Subbands:
        """Subband energies and Bloch densities on a kz grid; see :class:`multigap.Subbands`.

        Parameters
        ----------
        n_bands : int
            Number of subbands (lowest first).
        n_kz : int
            Points on the half zone [0, pi/d] (both ends included).
        n_z : int
            Gauss-Legendre nodes per layer for the z integrals.
        """
        from multigap.structure.subbands import compute_subbands

        return compute_subbands(self, n_bands=n_bands, n_kz=n_kz, n_z=n_z)

    def energy_in_band(self, band: int, cos_kd: ArrayLike) -> FloatArray:
        """Exact E_n at given values of cos(kz d), by bisection on the monotone f (meV)."""
        band = check.integer("band", band, 1)
        bottoms, tops = self.band_edges(band)
        lo_e, hi_e = float(bottoms[-1]), float(tops[-1])
        target = np.clip(np.asarray(cos_kd, dtype=float), -1.0, 1.0)
        sign_bottom = 1.0 if band % 2 == 1 else -1.0
        lo = np.full(target.shape, lo_e)
        hi = np.full(target.shape, hi_e)
        # g(E) = sign_bottom * (f(E) - target) decreases from >= 0 at the bottom to <= 0 at top.
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            f_mid, _ = self.characteristic(mid)
            above = sign_bottom * (f_mid - target) > 0.0
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
            if np.all(hi - lo <= 4e-16 * np.maximum(1.0, np.abs(hi))):
                break
        return 0.5 * (lo + hi)


def _layer_entries(
    e: NDArray[np.complex128], potential: float, t: ArrayLike, cz: float
) -> tuple[NDArray[np.complex128], ...]:
    q2 = (e - potential) / cz
    q = np.sqrt(q2)
    qt = q * t
    c: NDArray[np.complex128] = np.cos(qt)
    s_over_q: NDArray[np.complex128] = np.asarray(t) * np.sinc(qt / np.pi) + 0j
    return c, s_over_q, -q2 * s_over_q, c


@lru_cache(maxsize=256)
def _band_edges_cached(lat: Superlattice, n_bands: int) -> tuple[FloatArray, FloatArray]:
    bottoms, tops = _find_band_edges(lat, n_bands)
    bottoms.setflags(write=False)
    tops.setflags(write=False)
    return bottoms, tops


def _find_band_edges(lat: Superlattice, n_bands: int) -> tuple[FloatArray, FloatArray]:
    """Locate the extrema of f by a scan of f', then the edges by Brent's method."""
    vmin, vmax = lat.potential_range
    scale = kinetic_coefficient(lat.mass_z) * (np.pi / lat.period) ** 2
    step = scale * _SCAN_FRACTION

    def f_only(x: float) -> float:
        return float(lat.characteristic(np.asarray(x))[0])

    def df_only(x: float) -> float:
        return float(lat.characteristic(np.asarray(x))[1])

    extrema: list[float] = []
    start = vmin
    span = scale * (n_bands + 2) ** 2 + (vmax - vmin)
    while len(extrema) < n_bands:
        # irrational offset: a scan node never sits exactly on an extremum (V = 0 has them
        # at exact multiples of the scale)
        grid = start + step * (np.arange(int(np.ceil(span / step)) + 1) + 0.3819660112501051)
        _, df = lat.characteristic(grid)
        flips = np.nonzero(np.sign(df[:-1]) * np.sign(df[1:]) <= 0)[0]
        flips = flips[np.diff(np.concatenate(([-2], flips))) > 1]  # one per extremum
        for i in flips:
            extrema.append(brentq(df_only, grid[i], grid[i + 1], xtol=1e-13, rtol=1e-15))
        start = float(grid[-1]) - 0.3819660112501051 * step  # next scan starts at grid[-1]
        span *= 2.0
        if start > vmax + scale * 1e4 * n_bands**2:  # pragma: no cover - defensive
            raise RuntimeError(f"band edges not found for {lat!r}")
    bottoms = np.empty(n_bands)
    tops = np.empty(n_bands)
    left = vmin
    for n in range(1, n_bands + 1):
        s_bottom = 1.0 if n % 2 == 1 else -1.0  # f at the band bottom
        ext = extrema[n - 1]
        if n == 1:
            bottoms[0] = _root_or_end(lambda x: f_only(x) - 1.0, left, ext)
        # the top of band n and the bottom of band n+1 sit on either side of extremum n
        f_ext = f_only(ext)
        if abs(f_ext) <= 1.0 + 1e-12:  # closed gap: the bands touch
            tops[n - 1] = ext
            if n < n_bands:
                bottoms[n] = ext
        else:
            target = -s_bottom

            def shifted(x: float, t: float = target) -> float:
                return f_only(x) - t

            tops[n - 1] = _root_or_end(shifted, bottoms[n - 1], ext)
            if n < n_bands:
                bottoms[n] = _root_or_end(shifted, ext, extrema[n])
    return bottoms, tops


def _root_or_end(fun: Callable[[float], float], a: float, b: float) -> float:
    fa = fun(a)
    fb = fun(b)
    if fa == 0.0:
        return a
    if fb == 0.0 or fa * fb > 0.0:
        return b
    return float(brentq(fun, a, b, xtol=1e-13, rtol=1e-15))
