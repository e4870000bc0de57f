"""multigap: multigap superconductivity in superlattices of quantum wires near a Lifshitz point.

The Bianconi-Perali-Valletta shape-resonance theory: subbands of a superlattice of quantum
wires, their densities of states and superposition integrals, the critical temperature
Tc(eta, g) of the multiband BCS gap equation, zero-temperature gaps with the chemical potential
renormalised at fixed density, gap ratios and isotope coefficients.

Units: meV, nm, 1/nm, K, masses in m_e. Quick start::

    import multigap as mg
    model = mg.preset("A")
    mg.critical_temperature(model, eta=1.0, g=0.4)     # kelvin
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .bands import Subbands
from .lattice import Layer, Superlattice
from .model import Model, Numerics, load_model, preset

try:
    __version__ = version("multigap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

# public names provided by the solver modules, imported on first use
_LAZY = {
    "overlaps": "overlap",
    "Overlaps": "overlap",
    "dos": "pdos",
    "density": "pdos",
    "fermi_contours": "pdos",
    "ProjectedDOS": "pdos",
    "density_at_temperature": "pdos",
    "chemical_potential_at_temperature": "pdos",
    "critical_temperature": "tc",
    "critical_temperatures": "tc",
    "tc_result": "tc",
    "TcResult": "tc",
    "pairing_eigenvalue": "tc",
    "isotope_coefficient": "tc",
    "zero_temperature_gaps": "gaps",
    "gaps_at_temperature": "gaps",
    "GapResult": "gaps",
    "sweep": "sweep",
    "isotope_coefficients": "tc",
    "lambda_of_T": "tc",
}

__all__ = [
    "Layer",
    "Model",
    "Numerics",
    "Subbands",
    "Superlattice",
    "__version__",
    "load_model",
    "preset",
    *_LAZY,
]


# submodules reachable as attributes (mg.pressure.fit_path, mg.design.optimise, ...)
_SUBMODULES = ("pressure", "design", "data", "plot", "figures", "pairing", "kernel", "store")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'multigap' has no attribute {name!r}")
