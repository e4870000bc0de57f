"""multigap: multigap superconductivity in superlattices of quantum wires near a Lifshitz point.

The Bianconi-Perali-Valletta shape-resonance theory: subbands of a superlattice of quantum
wires, their densities of states and superposition integrals, the critical temperature
Tc(eta, g) of the multiband BCS gap equation, zero-temperature gaps with the chemical potential
renormalised at fixed density, gap ratios and isotope coefficients.

Units: meV, nm, 1/nm, K, masses in m_e. Quick start::

    import multigap as mg
    model = mg.preset("A")
    mg.critical_temperature(model, eta=1.0, g=0.4)     # kelvin

The package is layered, each layer importing only those before it: ``structure`` (geometry),
``model`` (where a heterostructure, its pairing rules and its grids meet), ``pairing`` (Tc,
gaps, isotope), ``runs`` (sweeps, executors, stores), ``study`` (figures, reproduction,
pressure, design), then ``plot`` and ``cli``. This module is an explicit list of the public
names; nothing is looked up lazily, so no submodule can shadow a function.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("multigap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from multigap.model import Model, Numerics, load_model, preset
from multigap.pairing import couplings, kernel
from multigap.pairing.gaps import GapResult, gaps_at_temperature, zero_temperature_gaps
from multigap.pairing.isotope import isotope_coefficient, isotope_coefficients
from multigap.pairing.response import (
    bkt_result,
    bkt_temperature,
    condensate_fraction,
    london_penetration_depth,
    pair_size,
    specific_heat,
    specific_heat_jump,
    superfluid_stiffness,
    tunneling_dos,
)
from multigap.pairing.tc import (
    TcResult,
    critical_temperature,
    critical_temperatures,
    lambda_of_T,
    pairing_eigenvalue,
    tc_result,
)
from multigap.runs import executors, store
from multigap.runs.sweep import sweep
from multigap.structure.lattice import Layer, Superlattice
from multigap.structure.overlaps import Overlaps, overlaps
from multigap.structure.pdos import (
    ProjectedDOS,
    chemical_potential_at_temperature,
    density,
    density_at_temperature,
    dos,
    fermi_contours,
)
from multigap.structure.subbands import Subbands
from multigap.study import data, design, figures, pressure


def __getattr__(name: str) -> object:
    """``mg.plot``, imported on first use: it is the one module that needs matplotlib, and
    worker processes that only compute should not pay for it. It is the submodule itself, so
    nothing can shadow it."""
    if name == "plot":
        return import_module("multigap.plot")
    raise AttributeError(f"module 'multigap' has no attribute {name!r}")


__all__ = [
    "GapResult",
    "Layer",
    "Model",
    "Numerics",
    "Overlaps",
    "ProjectedDOS",
    "Subbands",
    "Superlattice",
    "TcResult",
    "__version__",
    "bkt_result",
    "bkt_temperature",
    "chemical_potential_at_temperature",
    "condensate_fraction",
    "couplings",
    "critical_temperature",
    "critical_temperatures",
    "data",
    "density",
    "density_at_temperature",
    "design",
    "dos",
    "executors",
    "fermi_contours",
    "figures",
    "gaps_at_temperature",
    "isotope_coefficient",
    "isotope_coefficients",
    "kernel",
    "lambda_of_T",
    "load_model",
    "london_penetration_depth",
    "overlaps",
    "pair_size",
    "pairing_eigenvalue",
    "plot",
    "preset",
    "pressure",
    "specific_heat",
    "specific_heat_jump",
    "store",
    "superfluid_stiffness",
    "sweep",
    "tc_result",
    "tunneling_dos",
    "zero_temperature_gaps",
]
