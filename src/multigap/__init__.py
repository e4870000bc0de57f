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
names. The names of the ``runs`` and ``study`` layers (``sweep``, ``executors``, ``store``,
``data``, ``design``, ``figures``, ``pressure``) and ``plot`` are imported on first use, from an
explicit table (:data:`_LAZY`): they pull in xarray, pandas and matplotlib, which a Tc
calculation, a fit or a worker process does not need (0.3 s of every start-up). None of them is
a direct submodule of ``multigap``, so no submodule import can shadow them.
"""

from __future__ import annotations

from importlib import import_module

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

#: public names imported on first use: name -> (module, attribute or None for the module)
_LAZY: dict[str, tuple[str, str | None]] = {
    "sweep": ("multigap.runs.sweep", "sweep"),
    "executors": ("multigap.runs.executors", None),
    "store": ("multigap.runs.store", None),
    "data": ("multigap.study.data", None),
    "design": ("multigap.study.design", None),
    "figures": ("multigap.study.figures", None),
    "pressure": ("multigap.study.pressure", None),
    "plot": ("multigap.plot", None),
}


def _version() -> str:
    """The installed distribution's version (importlib.metadata scans every distribution:
    ~50 ms, so it is looked up on first use of ``__version__``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("multigap")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+unknown"


def __getattr__(name: str) -> object:
    """The names of :data:`_LAZY` (and ``__version__``), imported on first use and then kept
    in the namespace."""
    if name == "__version__":
        globals()[name] = found = _version()
        return found
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'multigap' has no attribute {name!r}") from None
    value = import_module(module) if attr is None else getattr(import_module(module), attr)
    if name != "plot":  # `multigap.plot` is a submodule: the import system binds it itself
        globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
