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

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from multigap import validation as check
from multigap.constants import kinetic_coefficient
from multigap.structure import edges, transfer
from multigap.structure.edges import ResolutionError
from multigap.structure.subbands import Subbands, compute_subbands

__all__ = ["MAX_BANDS", "Layer", "ResolutionError", "Superlattice"]

FloatArray = NDArray[np.float64]

#: Imaginary step of the complex-step derivative of the characteristic function (meV).
_COMPLEX_STEP = 1e-30

#: Allowed ranges of the inputs (documented in :class:`Superlattice`).
THICKNESS_RANGE = (1e-9, 1e4)  # nm
POTENTIAL_RANGE = (-1e6, 1e6)  # meV
HEIGHT_RANGE = (0.0, 1e6)  # meV
MASS_RANGE = (1e-3, 1e3)  # m_e
MAX_LAYERS = 64
#: Most subbands any call may ask for.
MAX_BANDS = 64
#: energy_in_band by the numpy loop instead of the compiled one (the same iteration; tests).
_NUMPY_BISECTION = False


@dataclass(frozen=True)
class Layer:
    """One layer of the superlattice cell.

    Parameters
    ----------
    thickness : float
        Layer thickness in nm, in [1e-9, 1e4].
    potential : float
        Potential energy in the layer in meV, in [-1e6, 1e6] (0 in the wells by convention).
    """

    thickness: float
    potential: float

    def __post_init__(self) -> None:
        t = check.real("layer thickness", self.thickness, *THICKNESS_RANGE, unit="nm")
        v = check.real("layer potential", self.potential, *POTENTIAL_RANGE, unit="meV")
        object.__setattr__(self, "thickness", t)
        object.__setattr__(self, "potential", v)

    @classmethod
    def coerce(cls, item: Any, name: str) -> Layer:
        """A :class:`Layer` from a Layer or a (thickness nm, potential meV) pair, or refuse."""
        if isinstance(item, Layer):
            return item
        if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 2:
            raise ValueError(
                f"{name} must be a Layer or a (thickness nm, potential meV) pair, got {item!r}"
            )
        return cls(
            check.real(f"{name} thickness", item[0], *THICKNESS_RANGE, unit="nm"),
            check.real(f"{name} potential", item[1], *POTENTIAL_RANGE, unit="meV"),
        )


@dataclass(frozen=True)
class Superlattice:
    """A superlattice of quantum wires (stripes) along x, periodic along z.

    Parameters
    ----------
    well : float
        Width L of the metallic wire (potential 0), nm, in [1e-9, 1e4].
    barrier : float
        Width W of the spacer, nm, in [1e-9, 1e4].
    height : float
        Barrier height V, meV, in [0, 1e6].
    mass_x, mass_z : float
        Effective masses along the wire (x) and across the wires (z), in units of m_e, each in
        [1e-3, 1e3].
    extra_layers : tuple of Layer
        Optional further layers appended to the cell after the barrier (general layered
        cell, at most 62 of them); (thickness, potential) pairs are accepted too. Use
        :meth:`from_layers` to build one.

    Notes
    -----
    Immutable and hashable. The band structure is obtained from :meth:`characteristic`, the
    half trace of the one-period transfer matrix of (psi, dpsi/dz). A subband narrower than
    double precision resolves (tall or thick barriers; :mod:`multigap.structure.edges`) is
    refused with :class:`ResolutionError` by every method that needs it.
    Every input is checked on construction (one-line ValueError naming it and its range).
    """

    well: float
    barrier: float
    height: float
    mass_x: float = 1.0
    mass_z: float = 1.0
    extra_layers: tuple[Layer, ...] = field(default=())

    def __post_init__(self) -> None:
        values = {
            "well": check.real("well", self.well, *THICKNESS_RANGE, unit="nm"),
            "barrier": check.real("barrier", self.barrier, *THICKNESS_RANGE, unit="nm"),
            "height": check.real("height", self.height, *HEIGHT_RANGE, unit="meV"),
            "mass_x": check.real("mass_x", self.mass_x, *MASS_RANGE, unit="m_e"),
            "mass_z": check.real("mass_z", self.mass_z, *MASS_RANGE, unit="m_e"),
        }
        extra = self.extra_layers
        if isinstance(extra, str | bytes) or not isinstance(extra, Sequence):
            raise ValueError(
                f"extra_layers must be a sequence of Layer or (thickness nm, potential meV) "
                f"pairs, got {extra!r}"
            )
        if len(extra) > MAX_LAYERS - 2:
            raise ValueError(
                f"extra_layers must hold at most {MAX_LAYERS - 2} layers, got {len(extra)}"
            )
        layers = tuple(Layer.coerce(x, f"extra_layers[{i}]") for i, x in enumerate(extra))
        for key, value in values.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "extra_layers", layers)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_layers(
        cls,
        layers: Sequence[tuple[float, float] | Layer],
        mass_x: float = 1.0,
        mass_z: float = 1.0,
    ) -> Superlattice:
        """A general cell from ``[(thickness_nm, potential_meV), ...]`` (2 to 64 layers).

        The first layer is stored as the ``well`` (its potential must be 0, the energy zero)
        and the second as the ``barrier`` (its potential, the ``height``, must be >= 0);
        further layers follow in order.
        """
        if isinstance(layers, str | bytes) or not isinstance(layers, Sequence):
            raise ValueError(
                f"layers must be a list of (thickness nm, potential meV) pairs, got {layers!r}"
            )
        if not 2 <= len(layers) <= MAX_LAYERS:
            raise ValueError(f"layers must hold 2 to {MAX_LAYERS} layers, got {len(layers)}")
        items = [Layer.coerce(lay, f"layers[{i}]") for i, lay in enumerate(layers)]
        if items[0].potential != 0.0:
            raise ValueError(
                f"layers[0] is the well and sets the energy zero: its potential must be 0, "
                f"got {items[0].potential!r}"
            )
        if items[1].potential < 0.0:
            raise ValueError(
                f"layers[1] is the barrier: its potential (the height) must lie in [0, 1e6] meV, "
                f"got {items[1].potential!r}"
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
            Widths in nm, each in [1e-9, 1e4].
        width : float
            Transversal dispersion Delta_E = E_T - E_L of subband ``band``, meV. It must be
            smaller than the free-electron (V = 0) width of that subband,
            hbar^2/(2 m_z) (pi/d)^2 (2 band - 1), and reachable by a height in [0, 1e6] meV
            without any subband up to ``band`` falling below the resolution limit.
        band : int
            Subband index, 1-based, in [1, 64].
        mass_x, mass_z : float
            Effective masses (m_e), each in [1e-3, 1e3].

        Returns
        -------
        Superlattice
            With ``height`` such that the width matches to 1e-9 relative.
        """
        band = check.count("band", band, 1, MAX_BANDS)
        trial = cls(well=well, barrier=barrier, height=0.0, mass_x=mass_x, mass_z=mass_z)
        free = kinetic_coefficient(trial.mass_z) * (np.pi / trial.period) ** 2 * (2 * band - 1)
        width = check.real("width", width, 0.0, free, low_open=True, high_open=True, unit="meV")

        def residual(log_v: float) -> float:
            lat = cls(trial.well, trial.barrier, float(np.exp(log_v)), mass_x, mass_z)
            bottoms, tops = lat.band_edges(band)
            return float(np.log((tops[-1] - bottoms[-1]) / width))

        def refuse(why: str) -> ValueError:
            return ValueError(
                f"width must be a width that a barrier height in [0, 1e6] meV gives subband "
                f"{band} of well = {trial.well:g} nm, barrier = {trial.barrier:g} nm, got "
                f"{width!r} meV: {why}"
            )

        log_v_max = float(np.log(HEIGHT_RANGE[1]))
        lo, hi = np.log(1e-3), np.log(1e3)
        while residual(lo) < 0.0:
            lo -= 4.0
            if lo < np.log(1e-12):
                raise refuse("it lies within 1e-12 of the free-electron width")
        good = lo  # residual > 0 here: the band is still wider than asked
        while True:
            try:
                if residual(hi) <= 0.0:
                    break
            except ResolutionError as exc:
                hi = _last_resolved(residual, good, hi, exc, refuse)
                break
            if hi >= log_v_max:
                raise refuse(f"the width at the highest barrier {HEIGHT_RANGE[1]:g} meV is larger")
            good, hi = hi, min(hi + 2.0, log_v_max)
        log_v = brentq(residual, lo, hi, xtol=1e-13, rtol=1e-13)
        return cls(trial.well, trial.barrier, float(np.exp(log_v)), mass_x, mass_z)

    # ------------------------------------------------------------------ geometry
    # (cached: the instance is immutable; the band-edge search asks for these thousands of times)
    @cached_property
    def period(self) -> float:
        """Period d of the superlattice, nm."""
        return self.well + self.barrier + sum(lay.thickness for lay in self.extra_layers)

    @cached_property
    def layers(self) -> tuple[Layer, ...]:
        """All layers of one period in order along z, the well first (starting at z = 0)."""
        return (Layer(self.well, 0.0), Layer(self.barrier, self.height), *self.extra_layers)

    @cached_property
    def kernel_cell(self) -> tuple[FloatArray, FloatArray, float]:
        """Read-only layer thicknesses (nm), potentials (meV) and hbar^2/(2 m_z) (meV nm^2).

        The cell as the compiled kernels (:mod:`multigap.structure.transfer`) take it.
        """
        thick = np.array([lay.thickness for lay in self.layers], dtype=float)
        pot = np.array([lay.potential for lay in self.layers], dtype=float)
        thick.setflags(write=False)
        pot.setflags(write=False)
        return thick, pot, kinetic_coefficient(self.mass_z)

    def layer_profile(self) -> tuple[tuple[float, float], ...]:
        """(thickness nm, potential meV) of every layer of the cell, in order."""
        return tuple((lay.thickness, lay.potential) for lay in self.layers)

    @cached_property
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
            df/dE in 1/meV, exact to rounding (real arithmetic and the product rule, compiled:
            :mod:`multigap.structure.transfer`; without numba the complex step of
            :meth:`characteristic_complex_step`, the same function to rounding).
        """
        if not transfer.COMPILED:  # pragma: no cover - numba is a dependency
            return self.characteristic_complex_step(energy)
        thick, pot, cz = self.kernel_cell
        return transfer.half_trace(thick, pot, cz, energy)

    def characteristic_complex_step(self, energy: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """:meth:`characteristic` by the numpy transfer matrix and a complex-step derivative.

        The pure-numpy reference path (``layer_matrices`` at E + i h, h = 1e-30 meV: the real
        part is f, the imaginary part / h is df/dE exactly to rounding).
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
        """Bottoms and tops of the lowest ``n_bands`` subbands, meV (``n_bands`` in [1, 64]).

        Band n spans [bottoms[n-1], tops[n-1]]; its bottom is at kz = 0 for odd n and at
        kz = pi/d for even n (f = (-1)^(n-1) there), its top at the other end of the half zone.
        Touching bands (a closed gap, e.g. V = 0) share the touching energy. Each width
        tops - bottoms is right to 1e-6 relative; a band too narrow for that is refused with
        :class:`ResolutionError` (see :mod:`multigap.structure.edges`).
        """
        n_bands = check.count("n_bands", n_bands, 1, MAX_BANDS)
        bottoms, tops = edges.band_edges(self, n_bands)
        return bottoms.copy(), tops.copy()

    def subbands(self, n_bands: int = 3, n_kz: int = 33, n_z: int = 32) -> Subbands:
        """Subband energies and Bloch densities on a kz grid; see :class:`multigap.Subbands`.

        Parameters
        ----------
        n_bands : int
            Number of subbands (lowest first), in [1, 64].
        n_kz : int
            Points on the half zone [0, pi/d] (both ends included), in [2, 16385].
        n_z : int
            Gauss-Legendre nodes per layer for the z integrals, in [2, 1024].

        The arrays are estimated before they are allocated (refused above
        :func:`multigap.validation.memory_limit`).
        """
        return compute_subbands(self, n_bands=n_bands, n_kz=n_kz, n_z=n_z)

    def energy_in_band(self, band: int, cos_kd: ArrayLike) -> FloatArray:
        """Exact E_n (meV) at finite values of cos(kz d), clipped to [-1, 1], by bisection."""
        band = check.count("band", band, 1, MAX_BANDS)
        target = np.asarray(cos_kd, dtype=float)
        if not np.all(np.isfinite(target)):
            raise ValueError(f"cos_kd must be finite, got {cos_kd!r}")
        bottoms, tops = edges.band_edges(self, band)
        lo_e, hi_e = float(bottoms[-1]), float(tops[-1])
        target = np.clip(target, -1.0, 1.0)
        sign_bottom = 1.0 if band % 2 == 1 else -1.0
        if transfer.COMPILED and not _NUMPY_BISECTION:
            thick, pot, cz = self.kernel_cell
            return transfer.bisect_level(thick, pot, cz, (lo_e, hi_e, sign_bottom), target)
        lo = np.full(target.shape, lo_e)
        hi = np.full(target.shape, hi_e)
        # g(E) = sign_bottom * (f(E) - target) decreases from >= 0 at the bottom to <= 0 at top.
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            f_mid, _ = self.characteristic(mid)
            above = sign_bottom * (f_mid - target) > 0.0
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
            if np.all(hi - lo <= 2.3e-16 * (np.abs(lo) + np.abs(hi))):
                break
        return 0.5 * (lo + hi)


def _last_resolved(
    residual: Any, good: float, bad: float, exc: ResolutionError, refuse: Any
) -> float:
    """Between ``good`` (resolved, residual > 0) and ``bad`` (unresolved), a resolved log V with
    residual <= 0 (the root then lies in [good, that]); refuse if the resolved range ends first.
    """
    for _ in range(40):
        mid = 0.5 * (good + bad)
        try:
            if residual(mid) <= 0.0:
                return mid
            good = mid
        except ResolutionError as err:
            bad, exc = mid, err
        if bad - good < 1e-6:  # the resolved range ends within 1e-6 relative of this height
            break
    raise refuse(f"narrower than double precision resolves ({exc})")


def _layer_entries(
    e: NDArray[np.complex128], potential: float, t: ArrayLike, cz: float
) -> tuple[NDArray[np.complex128], ...]:
    q2 = (e - potential) / cz
    q = np.sqrt(q2)
    qt = q * t
    c: NDArray[np.complex128] = np.cos(qt)
    s_over_q: NDArray[np.complex128] = np.asarray(t) * np.sinc(qt / np.pi) + 0j
    return c, s_over_q, -q2 * s_over_q, c
