"""Projected-DOS tables: the energy grid and the piecewise-linear table the kernel integrates.

Part of :mod:`multigap.structure.pdos`. The grid is uniform with refined band windows and
geometric clusters at every band edge; the values at its nodes are the exact ones of
:mod:`multigap.structure.pdos.closed_forms`, each band bottom a jump node (left and right
limits). Units: energies meV, DOS 1/(meV nm^2) per spin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.constants import kinetic_coefficient
from multigap.structure.pdos.closed_forms import (
    DEFAULT_QUADRATURE,
    LatticeLike,
    _edges,
    _finite_array,
    _step_values,
    _values,
)

FloatArray = NDArray[np.float64]

__all__ = ["ProjectedDOS", "energy_grid", "projected_dos"]


# ============================================================================ the table
@dataclass(frozen=True, eq=False)
class ProjectedDOS:
    """Projected densities of states tabulated on an energy grid (piecewise linear).

    Attributes
    ----------
    energy : ndarray, shape (N,)
        Non-decreasing nodes, meV. A node repeated twice is a jump: the first copy carries the
        left limit, the second the right limit (every band bottom is such a node).
    values : ndarray, shape (n_bands, S, N)
        rho_{n,s} at the nodes, 1/(meV nm^2) per spin (s = 0 .. S-1).
    bottoms, tops : ndarray, shape (n_bands,)
        Band edges, meV.
    mass_x : float
        Mass along the wires (m_e); ``n0`` = m_x/(2 pi hbar^2) follows from it.

    Notes
    -----
    Between nodes rho is the linear interpolant; this is the representation that the kernel
    integrates exactly (``docs/internals.md`` §3). Below ``energy[0]`` (the lowest band bottom)
    rho = 0; above ``energy[-1]`` the table is not defined.
    """

    energy: FloatArray
    values: FloatArray
    bottoms: FloatArray
    tops: FloatArray
    mass_x: float

    def __post_init__(self) -> None:
        e = np.asarray(self.energy, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if e.ndim != 1 or e.size < 2 or np.any(np.diff(e) < 0.0):
            raise ValueError("energy must be a non-decreasing 1D array of at least 2 nodes")
        if v.ndim != 3 or v.shape[2] != e.size:
            raise ValueError(f"values must have shape (n_bands, S, {e.size}), got {v.shape}")
        for arr in (e, v):
            arr.setflags(write=False)
        object.__setattr__(self, "energy", e)
        object.__setattr__(self, "values", v)

    @property
    def n_bands(self) -> int:
        """Number of subbands."""
        return int(self.values.shape[0])

    @property
    def n_harmonics(self) -> int:
        """Number of harmonics S (s = 0 .. S-1)."""
        return int(self.values.shape[1])

    @property
    def n0(self) -> float:
        """N0 = m_x / (2 pi hbar^2) = 1 / (4 pi C_x), 1/(meV nm^2): free 2D DOS per spin."""
        return 1.0 / (4.0 * math.pi * kinetic_coefficient(self.mass_x))

    @property
    def partial(self) -> FloatArray:
        """Partial DOS rho_{n,0} at the nodes, shape (n_bands, N)."""
        return self.values[:, 0, :]

    @property
    def total(self) -> FloatArray:
        """Total DOS sum_n rho_{n,0} at the nodes, shape (N,)."""
        return self.values[:, 0, :].sum(axis=0)

    def interpolate(self, eps: ArrayLike) -> FloatArray:
        """Piecewise-linear rho_{n,s}(eps), shape ``(n_bands, S, *eps.shape)``, 1/(meV nm^2).

        At a jump node the right limit is returned; below the table 0. Energies above the
        last node raise ValueError.
        """
        x = _finite_array("eps", eps)
        flat = x.ravel()
        e = self.energy
        if np.any(flat > e[-1]):
            raise ValueError(
                f"eps must be <= {e[-1]:.6g} meV (the end of the table), got {flat.max()!r}"
            )
        j = np.searchsorted(e, flat, side="right") - 1  # last node <= eps
        below = j < 0
        j = np.clip(j, 0, e.size - 2)
        e0, e1 = e[j], e[j + 1]
        h = e1 - e0
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(h > 0.0, (flat - e0) / h, 0.0)
        t = np.clip(t, 0.0, 1.0)
        v = self.values
        out = (1.0 - t) * v[:, :, j] + t * v[:, :, j + 1]
        out[:, :, below] = 0.0
        return out.reshape(self.n_bands, self.n_harmonics, *x.shape)


def energy_grid(
    bottoms: FloatArray,
    tops: FloatArray,
    e_max: float,
    step: float,
    ratio: float,
    min_spacing: float,
    band_spacing: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Nodes of the table: uniform grid, refined band windows, geometric edge clusters.

    Parameters
    ----------
    bottoms, tops : ndarray, shape (n_bands,)
        Band edges, meV.
    e_max, step, ratio, min_spacing : float
        See :func:`projected_dos`.
    band_spacing : ndarray, shape (n_bands,), optional
        Spacing (meV) of a sub-grid over [bottom_n, top_n + width_n], where the higher
        harmonics oscillate (about s/2 periods across the band): uniform in phi inside the band
        (eps = bottom + width sin^2 phi, spacing ``band_spacing`` at mid-band), uniform above.

    Returns
    -------
    nodes : ndarray
        Sorted unique nodes in [lowest bottom, e_max], band bottoms excluded.
    jumps : ndarray
        The band bottoms inside the range (each becomes a repeated node).

    Notes
    -----
    Clusters: offsets min_spacing * ratio^k up to step / (ratio - 1), where the geometric
    spacing reaches the uniform one, on both sides of every top and above every bottom.
    """
    lo = float(np.min(bottoms))
    n_uniform = max(math.ceil((e_max - lo) / step), 1)
    nodes = [np.linspace(lo, e_max, n_uniform + 1)]
    reach = step / (ratio - 1.0)
    n_geo = max(math.ceil(math.log(max(reach / min_spacing, 1.0)) / math.log(ratio)), 0) + 1
    offsets = min_spacing * ratio ** np.arange(n_geo)
    for b in tops:
        nodes += [b - offsets, b + offsets]
    for a in bottoms:
        nodes.append(a + offsets)
    if band_spacing is not None:
        for a, b, h in zip(bottoms, tops, band_spacing, strict=True):
            if h < step:
                width = b - a
                # inside: eps = a + width sin^2(phi), phi uniform (the phase s kz d of the
                # harmonics grows like sqrt(eps - a) and sqrt(b - eps) at the edges)
                n_in = math.ceil(0.5 * math.pi * width / h) + 1
                phi = np.linspace(0.0, 0.5 * math.pi, n_in)
                nodes.append(a + width * np.sin(phi) ** 2)
                nodes.append(b + np.linspace(0.0, width, math.ceil(width / h) + 1))
    grid = np.concatenate(nodes)
    grid = grid[(grid > lo) & (grid <= e_max)]
    inside = bottoms[(bottoms >= lo) & (bottoms <= e_max)]
    grid = np.unique(np.concatenate(([lo], grid)))
    grid = grid[~np.isin(grid, inside)]
    # never on a band top (rho = +-inf there): keep only the cluster's own nodes near it
    near_top = np.min(np.abs(grid[:, None] - tops[None, :]), axis=1) < 0.5 * min_spacing
    return grid[~near_top], np.sort(inside)


def projected_dos(
    lattice: LatticeLike,
    n_bands: int,
    n_harmonics: int,
    e_max: float,
    *,
    step: float = 1.0,
    ratio: float = 1.05,
    min_spacing: float = 1e-8,
    nodes_per_harmonic: int = 32,
    quadrature_order: int = DEFAULT_QUADRATURE,
) -> ProjectedDOS:
    """Tabulate rho_{n,s}(eps) for eps from the lowest band bottom to ``e_max``.

    Parameters
    ----------
    lattice : LatticeLike
        The superlattice.
    n_bands : int
        Subbands (>= 1).
    n_harmonics : int
        Harmonics S (>= 1): s = 0 .. S-1 (the kernel with Q cosine modes needs S = 2Q - 1).
    e_max : float
        Upper end of the table, meV (> the lowest band bottom).
    step : float
        Spacing of the uniform part of the grid, meV (default 1.0); the error of the linear
        interpolation of smooth parts is ~ step^2 rho''/8.
    ratio : float
        Ratio of the geometric clusters at the band edges (> 1, default 1.05): the error of the
        linear interpolation of the logarithm at a band top is ~ C (ln ratio)^2 / 8 with C the
        coefficient of the logarithm (3e-4 C at 1.05, 6e-3 C at 1.25).
    min_spacing : float
        Offset of the clusters' innermost nodes from the edge, meV (default 1e-8 meV, far below
        k_B T_floor = 8.6e-7 meV).
    nodes_per_harmonic : int
        Refinement of narrow bands: over [bottom_n, top_n + width_n] the spacing is at most
        width_n / (nodes_per_harmonic * n_harmonics) (default 32), since rho_{n,s} oscillates
        about s/2 times across the band.
    quadrature_order : int
        Gauss-Legendre order of the exact evaluation at the nodes (default 64).

    Notes
    -----
    Measured with the defaults for preset A (3 bands, 19 harmonics, e_max = 3500 meV; 11 800
    nodes, ~0.04 s): piecewise-linear vs exact values at random energies (band interiors, edge
    clusters down to 1e-8 meV) |error| <= 3.6e-4 N0 for s = 0 (1.6e-4 relative) and <= 7e-4 N0
    up to s = 18; the T = 0 density from the table is within 1.2e-5 of :func:`density`.
    With ratio = 1.25: 6.8e-3 N0 (1e-3 relative) and 2.4e-5. (tests/physics/test_pdos.py)

    Returns
    -------
    ProjectedDOS
        Nodes and values; each band bottom is a jump node (left limit 0, right limit the
        exact step P pi T_s(f(a)) sqrt(|f'(a)|/2)).
    """
    n_bands = check.integer("n_bands", n_bands, 1)
    n_harmonics = check.integer("n_harmonics", n_harmonics, 1)
    step = check.positive("step", step, "meV")
    ratio = check.in_range("ratio", ratio, 1.0, 100.0, low_open=True)
    min_spacing = check.positive("min_spacing", min_spacing, "meV")
    nodes_per_harmonic = check.integer("nodes_per_harmonic", nodes_per_harmonic, 1)
    quadrature_order = check.integer("quadrature_order", quadrature_order, 4)
    e_max = check.finite("e_max", e_max)
    edges = _edges(lattice, n_bands)
    lowest = float(edges.bottom.min())
    if e_max <= lowest:
        raise ValueError(f"e_max must be > the lowest band bottom {lowest:.6g} meV, got {e_max!r}")
    band_spacing = (edges.top - edges.bottom) / (nodes_per_harmonic * n_harmonics)
    grid, jumps = energy_grid(
        edges.bottom, edges.top, e_max, step, ratio, min_spacing, band_spacing
    )
    base = _values(lattice, edges, grid, n_harmonics, quadrature_order)
    # insert each bottom twice: left limit (value at a: 0 for its own band), right limit
    at = _values(lattice, edges, jumps, n_harmonics, quadrature_order)
    steps = _step_values(edges, n_harmonics)
    right = at.copy()
    for k, a in enumerate(jumps):
        n = int(np.argmin(np.abs(edges.bottom - a)))
        right[n, :, k] += steps[n]
    energy = np.concatenate((grid, jumps, jumps))
    values = np.concatenate((base, at, right), axis=2)
    # stable sort: the left copy precedes the right copy
    order = np.argsort(energy, kind="stable")
    return ProjectedDOS(
        energy=energy[order],
        values=values[:, :, order],
        bottoms=edges.bottom,
        tops=edges.top,
        mass_x=float(lattice.mass_x),
    )
