"""The result of an inverse design (:mod:`multigap.study.design`): optimum, sharpness, bounds.

Plain frozen records with JSON-ready summaries; no search here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from multigap.model import Model, Numerics

FloatArray = NDArray[np.float64]

#: Units of each parameter (for messages and summaries).
UNITS = {
    "well": "nm",
    "barrier": "nm",
    "width": "meV",
    "height": "meV",
    "mass_x": "m_e",
    "mass_z": "m_e",
    "eta": "",
    "g": "",
    "omega0": "meV",
}
#: Fraction of the maximum Tc that defines the sharpness interval.
SHARPNESS_LEVEL = 0.9


@dataclass(frozen=True)
class BoundNote:
    """A parameter whose optimum lies on a search bound.

    Attributes
    ----------
    name : str
        The parameter.
    side : {"low", "high"}
        Which bound.
    bound : float
        Its value.
    slope : float
        dTc/dx at the bound from the sharpness scan (K per unit of the parameter; one-sided,
        inside the box), NaN without a scan. Tc still increases beyond the bound when it is
        negative at a low bound or positive at a high one.
    """

    name: str
    side: str
    bound: float
    slope: float

    @property
    def direction(self) -> str:
        """'decrease' or 'increase': the way to move the parameter, beyond the bound."""
        return "decrease" if self.side == "low" else "increase"

    def text(self) -> str:
        """One line: parameter, bound, and the way Tc still increases."""
        u = UNITS.get(self.name, "")
        rate = (
            f" (Tc changes by {self.slope:+.3g} K per {u or 'unit'})"
            if np.isfinite(self.slope)
            else ""
        )
        return (
            f"{self.name} at its {self.side} bound {self.bound:g} {u}".rstrip()
            + f": Tc still increases as {self.name} would {self.direction} beyond it{rate}"
        )

    def summary(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "side": self.side,
            "bound": float(self.bound),
            "direction": self.direction,
            "slope_K_per_unit": float(self.slope) if np.isfinite(self.slope) else None,
            "unit": UNITS.get(self.name, ""),
        }


@dataclass(frozen=True)
class Sharpness:
    """How sharp the optimum is along one parameter (the others at their optimum).

    Attributes
    ----------
    name : str
        The parameter.
    low, high : float
        Interval around the optimum where Tc >= 0.9 Tc_max (linear interpolation between scan
        points; resolution: the scan spacing).
    low_at_bound, high_at_bound : bool
        True when Tc is still within 10 % at that search bound (the interval may go further).
    values, tc : ndarray
        The 1D scan: parameter values and Tc (K, search grids).
    """

    name: str
    low: float
    high: float
    low_at_bound: bool
    high_at_bound: bool
    values: FloatArray
    tc: FloatArray

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "low": float(self.low),
            "high": float(self.high),
            "low_at_bound": self.low_at_bound,
            "high_at_bound": self.high_at_bound,
            "unit": UNITS.get(self.name, ""),
            "scan": {"values": self.values.tolist(), "tc_K": self.tc.tolist()},
        }


@dataclass(frozen=True)
class DesignResult:
    """The optimum heterostructure of :func:`optimise`.

    Attributes
    ----------
    params : dict
        The optimum: well, barrier (nm), width = Delta_E and height = V (meV; one of them was
        searched or fixed, the other derived), mass_x, mass_z (m_e), eta.
    free : tuple of str
        The parameters that were searched.
    tc : float
        Tc at the optimum on the base model's grids, K.
    tc_search : float
        Tc at the optimum on the search grids, K.
    g, omega0 : float
        Resonant coupling and bare phonon energy (meV) held fixed.
    sharpness : dict of Sharpness
        Per free parameter, the interval where Tc stays within 10 % of its maximum.
    at_bound : tuple of str
        Free parameters whose optimum lies on a search bound (within 1 % of its span): the
        maximum may lie beyond the bounds.
    material : {"free", "fixed"}
        The design mode (``"fixed"``: barrier height and masses held).
    bound_notes : dict of BoundNote
        Per parameter in ``at_bound``: which bound and the way Tc still increases.
    bounds, fixed : dict
        The problem as given.
    n_structures : int
        Structures (geometries) evaluated in the search.
    search : dict
        The search settings (maxiter, popsize, seed, n_eta, n_scan, n_polish).
    search_numerics, final_numerics : Numerics
        Grids of the search and of the final recomputation.
    model : Model
        The optimum structure as a model (final grids); use it with any solver.
    message : str
        Notes (e.g. structures that do not exist).
    """

    params: dict[str, float]
    free: tuple[str, ...]
    tc: float
    tc_search: float
    g: float
    omega0: float
    sharpness: dict[str, Sharpness]
    at_bound: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    fixed: dict[str, float]
    n_structures: int
    search: dict[str, Any]
    search_numerics: Numerics
    final_numerics: Numerics
    model: Model = field(repr=False)
    message: str = ""
    material: str = "free"
    bound_notes: dict[str, BoundNote] = field(default_factory=dict)

    @property
    def fermi_energy(self) -> float:
        """Fermi energy of the resonant subband at the optimum, mu - E_L = eta Delta_E, meV."""
        return float(self.params["eta"] * self.params["width"])

    @property
    def migdal_ratio(self) -> float:
        """E_F of the resonant subband over its cut-off wc (< 1: the adiabatic BCS picture
        of the model weakens, the pairing window is wider than the band's Fermi sea)."""
        r = self.model.resonant_band - 1
        return self.fermi_energy / float(self.model.omega(self.g)[r])

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable dict of the optimum, its sharpness and the problem."""
        return {
            "tc_K": float(self.tc),
            "tc_search_K": float(self.tc_search),
            "params": {k: float(v) for k, v in self.params.items()},
            "units": {k: UNITS.get(k, "") for k in self.params},
            "free": list(self.free),
            "g": float(self.g),
            "lambda": float(self.g / (1.0 - self.g)),
            "omega0_meV": float(self.omega0),
            "cutoff_meV": [float(x) for x in self.model.omega(self.g)],
            "sharpness": {k: s.summary() for k, s in self.sharpness.items()},
            "sharpness_level": SHARPNESS_LEVEL,
            "at_bound": list(self.at_bound),
            "bound_notes": {k: n.summary() for k, n in self.bound_notes.items()},
            "material": self.material,
            "fermi_energy_resonant_meV": self.fermi_energy,
            "migdal_ratio": self.migdal_ratio,
            "bounds": {k: [float(lo), float(hi)] for k, (lo, hi) in self.bounds.items()},
            "fixed": {k: float(v) for k, v in self.fixed.items()},
            "n_structures": int(self.n_structures),
            "search": dict(self.search),
            "search_numerics": _numerics_dict(self.search_numerics),
            "final_numerics": _numerics_dict(self.final_numerics),
            "base_model": self.model.name,
            "message": self.message,
        }


def _numerics_dict(num: Numerics) -> dict[str, Any]:
    return {f.name: getattr(num, f.name) for f in fields(Numerics)}
