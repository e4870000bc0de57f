"""Densities of states of the superlattice subbands, projected on cos(s kz d) (SPEC §2).

rho_{n,s}(eps) = int_BZ dkz/(2 pi) cos(s kz d) / (2 pi sqrt(C_x (eps - E_n(kz)))) theta(...),
the partial DOS (s = 0) and the moments the finite-rank pairing kernel needs
(``docs/internals.md`` §2-3). A package by inner seam; every name of the former module is
re-exported here, so ``from multigap.structure.pdos import X`` keeps working:

* :mod:`~multigap.structure.pdos.closed_forms`: band-edge data and the exact values at any
  energy (elliptic integrals for the steps and logarithms, Gauss-Legendre remainder);
* :mod:`~multigap.structure.pdos.tables`: the energy grid and the piecewise-linear
  :class:`ProjectedDOS` table that the kernel integrates exactly;
* :mod:`~multigap.structure.pdos.densities`: band energies E_n(kz), electron densities at
  T = 0 (independent of the tables) and at T > 0 (from a table), mu at fixed density;
* :mod:`~multigap.structure.pdos.contours`: the public :func:`dos` and the Fermi contours.

May import: numpy, scipy, :mod:`multigap.validation`, :mod:`multigap.constants` (geometry
only; nothing of the pairing problem).
"""

from __future__ import annotations

from multigap.structure.pdos.closed_forms import (
    _BLOCK,
    _CLOSED_GAP,
    _EDGE_LEVEL,
    _SHORT_SEGMENT,
    DEFAULT_QUADRATURE,
    LatticeLike,
    _amplitude,
    _band_values,
    _chebyshev_stack,
    _closed_top_limit,
    _Edges,
    _edges,
    _finite_array,
    _legendre,
    _open_slope,
    _polish_edge,
    _step_values,
    _theta_rule,
    _times,
    _top_slope,
    _values,
    projected_dos_values,
)
from multigap.structure.pdos.contours import (
    DensityOfStates,
    FermiContour,
    _resolve_source,
    dos,
    fermi_contours,
)
from multigap.structure.pdos.densities import (
    _band_energy,
    _fermi_antiderivatives,
    _one_band,
    band_energy,
    chemical_potential_at_temperature,
    density,
    density_at_temperature,
)
from multigap.structure.pdos.tables import ProjectedDOS, energy_grid, projected_dos

__all__ = [
    "DEFAULT_QUADRATURE",
    "DensityOfStates",
    "FermiContour",
    "LatticeLike",
    "ProjectedDOS",
    "band_energy",
    "chemical_potential_at_temperature",
    "density",
    "density_at_temperature",
    "dos",
    "energy_grid",
    "fermi_contours",
    "projected_dos",
    "projected_dos_values",
]

# private names of the former single module, kept importable for the other subpackages
_PRIVATE = (
    _BLOCK, _CLOSED_GAP, _EDGE_LEVEL, _SHORT_SEGMENT, _amplitude, _band_values,
    _chebyshev_stack, _closed_top_limit, _edges, _Edges, _finite_array, _legendre, _open_slope,
    _polish_edge, _step_values, _theta_rule, _times, _top_slope, _values, _resolve_source,
    _band_energy, _fermi_antiderivatives, _one_band,
)  # fmt: skip
