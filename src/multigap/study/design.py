"""Inverse design: the heterostructure and chemical potential of maximum Tc within bounds.

The reference study's stated aim is a road map to room-temperature heterostructures
(M. V. Mazziotti et al., J. Appl. Phys. 130, 173904 (2021); A. Bianconi, Solid State Commun. 89,
933 (1994)). :func:`optimise` searches the superlattice (well width L, barrier width W, the
transversal dispersion Delta_E of the resonant subband or the barrier height V, the masses)
together with the Lifshitz parameter eta for the largest Tc at a given resonant coupling g and
bare phonon energy w0; everything else (number of subbands, background couplings, interband
rule, cut-off rule) comes from a base model (default preset A).

Method (each candidate structure needs its own geometry, ~0.3 s on the search grids):

1. Inside one structure, eta is optimised by one batched Tc solve on an eta grid (``n_eta``
   points over the eta bounds) and a bounded Brent refinement around the best grid point.
2. The structure parameters are searched globally with
   :func:`scipy.optimize.differential_evolution` (small population, seeded, no built-in
   polish), then polished with a bounded Nelder-Mead of at most ``n_polish`` structures.
3. The sharpness of the optimum: for each free parameter a 1D scan through the optimum (the
   other parameters, eta included, held at their optimum values) gives the interval over which
   Tc stays within 10 % of its maximum.
4. The optimum is recomputed on the base model's (converged) grids.

The search runs on the coarse grids :data:`SEARCH_NUMERICS` (13 kz points, 5 cosine modes,
12 z nodes per layer, 8 meV energy step); measured against the default grids they move the
Tc of the maximum by < 1 % from 20 K to 650 K. Structures that do not exist (a Delta_E larger
than the free-electron width of the subband) count as Tc = 0.

Units: lengths nm, energies meV, Tc K, masses m_e.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import differential_evolution, minimize, minimize_scalar

from multigap import validation as check
from multigap.model import Model, Numerics, load_model, preset
from multigap.structure.lattice import Superlattice
from multigap.study.pressure import eta_limits

FloatArray = NDArray[np.float64]

#: Structure parameters a design may vary (nm, nm, meV, meV, m_e, m_e).
STRUCTURE_KEYS = ("well", "barrier", "width", "height", "mass_x", "mass_z")
#: Keys of ``[bounds]``: the structure parameters and eta.
BOUND_KEYS = (*STRUCTURE_KEYS, "eta")
#: Keys of ``[fixed]``.
FIXED_KEYS = ("g", "omega0", *STRUCTURE_KEYS)
#: Keys of ``[search]``.
SEARCH_KEYS = ("maxiter", "popsize", "seed", "n_eta", "n_scan", "n_polish")
#: Top-level keys of a design TOML file.
TOML_KEYS = ("base", "material", "bounds", "fixed", "search")
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
#: Coarse grids of the search (the optimum is recomputed on the base model's grids).
SEARCH_NUMERICS = Numerics(n_kz=13, n_modes=5, n_z=12, energy_step=8.0)
#: The default design problem of ``multigap design`` (preset A's structure, g = 0.3).
DEFAULT_DESIGN = Path(__file__).parents[1] / "presets" / "design.toml"
#: Fraction of the maximum Tc that defines the sharpness interval.
SHARPNESS_LEVEL = 0.9
#: Design modes: any structure parameter searched, or a given spacer material held.
MATERIAL_MODES = ("free", "fixed")
#: What a given spacer material fixes: the barrier height and the effective masses.
MATERIAL_KEYS = ("height", "mass_x", "mass_z")


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


# ---------------------------------------------------------------------------------- validation
def _check_value(name: str, value: Any) -> float:
    if name in ("well", "barrier", "width", "mass_x", "mass_z", "omega0"):
        return check.positive(name, value, UNITS[name])
    if name == "height":
        return check.non_negative(name, value, UNITS[name])
    if name == "g":
        return check.in_range("g", value, 0.0, 0.5, high_open=True)
    return check.finite(name, value)


def validate_problem(
    bounds: Mapping[str, Sequence[float]], fixed: Mapping[str, float] | None = None
) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Check a design problem and return ``(bounds, fixed)`` as plain float dicts.

    Raises ValueError naming the field for: an unknown key (with the closest valid one), a bound
    that is not a pair of finite numbers, an inverted bound (low > high), a value outside its
    physical range (widths > 0, height >= 0, masses > 0, 0 <= g < 0.5, omega0 > 0), a parameter
    both bounded and fixed, width and height together, or no eta bounds.
    """
    check.known_keys("[bounds]", bounds, BOUND_KEYS)
    fixed = dict(fixed or {})
    check.known_keys("[fixed]", fixed, FIXED_KEYS)
    out: dict[str, tuple[float, float]] = {}
    for k, b in bounds.items():
        if isinstance(b, str | bytes) or not isinstance(b, Sequence) or len(b) != 2:
            raise ValueError(f"[bounds] {k} must be a pair [low, high], got {b!r}")
        lo = _check_value(f"{k}", b[0]) if k != "eta" else check.finite("eta low", b[0])
        hi = _check_value(f"{k}", b[1]) if k != "eta" else check.finite("eta high", b[1])
        if lo > hi:
            raise ValueError(
                f"[bounds] {k} is inverted: low = {lo:g} > high = {hi:g} {UNITS[k]}".rstrip()
            )
        out[k] = (lo, hi)
    fix = {k: _check_value(k, v) for k, v in fixed.items()}
    both = sorted(set(out) & set(fix))
    if both:
        raise ValueError(f"{both[0]!r} is both in [bounds] and in [fixed]; give it once")
    given = set(out) | set(fix)
    if {"width", "height"} <= given:
        raise ValueError(
            "give either width (Delta_E of the resonant subband, meV; the barrier height is "
            "solved) or height (barrier height V, meV), not both"
        )
    if "eta" not in out:
        raise ValueError("[bounds] needs eta = [low, high] (the Lifshitz parameter range)")
    return out, fix


# ---------------------------------------------------------------------------------- evaluation
class _Problem:
    """One design problem: builds structures and evaluates their best Tc over eta (cached)."""

    def __init__(
        self,
        base: Model,
        bounds: dict[str, tuple[float, float]],
        fixed: dict[str, float],
        g: float,
        omega0: float,
        n_eta: int,
        numerics: Numerics,
    ) -> None:
        self.base = base
        self.g = g
        self.omega0 = omega0
        self.n_eta = n_eta
        self.mode = "height" if ("height" in bounds or "height" in fixed) else "width"
        self.eta_bounds = bounds["eta"]
        self.free = tuple(k for k in STRUCTURE_KEYS if k in bounds and k != "eta")
        self.bounds = bounds
        lat = base.lattice
        r = base.resonant_band
        start: dict[str, float] = {
            "well": lat.well,
            "barrier": lat.barrier,
            "height": lat.height,
            "mass_x": lat.mass_x,
            "mass_z": lat.mass_z,
        }
        if self.mode == "width":
            bottoms, tops = lat.band_edges(r)
            start["width"] = float(tops[-1] - bottoms[-1])
            del start["height"]
        start.update(fixed)
        self.constants = {k: v for k, v in start.items() if k not in self.free}
        eta_max = max(numerics.eta_max, self.eta_bounds[1] + 0.01)
        self.numerics = replace(numerics, eta_max=eta_max)
        self.cache: dict[tuple[float, ...], tuple[float, float]] = {}
        self.infeasible = 0

    def values(self, x: Sequence[float] | FloatArray) -> dict[str, float]:
        vals = dict(self.constants)
        vals.update({k: float(v) for k, v in zip(self.free, x, strict=True)})
        return vals

    def lattice(self, vals: Mapping[str, float]) -> Superlattice:
        masses = {"mass_x": vals["mass_x"], "mass_z": vals["mass_z"]}
        if self.mode == "width":
            return Superlattice.from_width(
                vals["well"], vals["barrier"], vals["width"], self.base.resonant_band, **masses
            )
        return Superlattice(
            vals["well"], vals["barrier"], vals["height"], vals["mass_x"], vals["mass_z"]
        )

    def model(self, vals: Mapping[str, float], numerics: Numerics) -> Model:
        return self.base.with_(
            lattice=self.lattice(vals),
            omega0=self.omega0,
            numerics=numerics,
            name=f"design ({self.base.name})",
        )

    def best_eta(self, model: Model, lo: float, hi: float, n: int) -> tuple[float, float]:
        """Largest Tc over eta in [lo, hi]: batched grid, then bounded Brent around its best."""
        from multigap.pairing.tc import critical_temperatures

        lo, hi = self.eta_range(model, lo, hi)
        grid = np.linspace(lo, hi, n) if hi > lo else np.array([lo])
        tc = np.asarray(critical_temperatures(model, grid, self.g), dtype=float)
        i = int(np.argmax(tc))
        best = (float(grid[i]), float(tc[i]))
        if grid.size < 3 or tc[i] <= 0.0:
            return best
        a, b = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, grid.size - 1)])
        res = minimize_scalar(
            lambda e: -float(critical_temperatures(model, e, self.g)),
            bounds=(a, b),
            method="bounded",
            options={"xatol": 1e-4 * (hi - lo)},
        )
        if -res.fun > best[1]:
            best = (float(res.x), float(-res.fun))
        return best

    def eta_range(self, model: Model, lo: float, hi: float) -> tuple[float, float]:
        """[lo, hi] cut to the eta range where the model is valid (:func:`eta_limits`)."""
        low, high = eta_limits(model, self.g)
        a, b = max(lo, low), min(hi, float(high))
        if a > b:
            raise ValueError(
                f"no valid eta in [{lo:g}, {hi:g}] for this structure (valid: "
                f"[{low:.4g}, {float(high):.4g}]: the pairing window reaches the omitted subband)"
            )
        return a, b

    def evaluate(self, x: Sequence[float] | FloatArray) -> tuple[float, float]:
        """(eta*, Tc*) of the structure x on the search grids; Tc = 0 if it does not exist."""
        key = tuple(round(float(v), 12) for v in x)
        if key in self.cache:
            return self.cache[key]
        try:
            model = self.model(self.values(x), self.numerics)
            out = self.best_eta(model, *self.eta_bounds, self.n_eta)
        except ValueError:
            self.infeasible += 1
            out = (float("nan"), 0.0)
        self.cache[key] = out
        return out

    def tc_at(self, vals: Mapping[str, float], eta: float) -> float:
        from multigap.pairing.tc import critical_temperature

        try:
            return critical_temperature(self.model(vals, self.numerics), eta, self.g)
        except ValueError:
            return 0.0


def _interval(
    values: FloatArray, tc: FloatArray, i0: int, level: float
) -> tuple[float, float, bool, bool]:
    """Contiguous interval around values[i0] where tc >= level (linear interpolation)."""

    def edge(step: int) -> tuple[float, bool]:
        i = i0
        while 0 <= i + step < values.size and tc[i + step] >= level:
            i += step
        j = i + step
        if not 0 <= j < values.size:
            return float(values[i]), True
        f = (tc[i] - level) / (tc[i] - tc[j]) if tc[i] != tc[j] else 0.0
        return float(values[i] + f * (values[j] - values[i])), False

    lo, lo_b = edge(-1)
    hi, hi_b = edge(+1)
    return lo, hi, lo_b, hi_b


def _scan_points(lo: float, hi: float, x: float, n: int) -> tuple[FloatArray, int]:
    pts = np.unique(np.append(np.linspace(lo, hi, n), x))
    return pts, int(np.argmin(np.abs(pts - x)))


# ---------------------------------------------------------------------------------- optimise
@dataclass(frozen=True)
class _Search:
    """The problem after validation: the evaluator, free parameters and their box."""

    prob: _Problem
    free: tuple[str, ...]
    lo: FloatArray
    hi: FloatArray
    bounds: dict[str, tuple[float, float]]
    fixed: dict[str, float]


def _prepare(
    bounds: Mapping[str, Sequence[float]],
    fixed: Mapping[str, float] | None,
    base: Model,
    g: float,
    omega0: float,
    n_eta: int,
    numerics: Numerics,
    material: str,
) -> _Search:
    """Validate the problem (fixed-material rules included) and build its evaluator."""
    check.choice("material", material, MATERIAL_MODES)
    b, fix = validate_problem(bounds, fixed)
    if material == "fixed":
        held = sorted(set(b) & set(MATERIAL_KEYS))
        if held or "width" in fix:
            name = held[0] if held else "width"
            raise ValueError(
                f"material = 'fixed' holds the barrier height and the masses (a given spacer "
                f"material); {name!r} cannot be searched or fixed there (search only well, "
                f"barrier and eta; give height, mass_x, mass_z in [fixed] to change the material)"
            )
        lat = base.lattice
        for k in MATERIAL_KEYS:
            fix.setdefault(k, float(getattr(lat, k)))
    prob = _Problem(base, b, fix, g, omega0, n_eta, numerics)
    free = tuple(k for k in prob.free if b[k][0] < b[k][1])
    for k in prob.free:  # parameters with low == high are constants
        if k not in free:
            prob.constants[k] = b[k][0]
    prob.free = free
    lo = np.array([b[k][0] for k in free])
    hi = np.array([b[k][1] for k in free])
    return _Search(prob, free, lo, hi, b, fix)


def _search(s: _Search, maxiter: int, popsize: int, seed: int | None, n_polish: int) -> FloatArray:
    """Global differential evolution, then a bounded Nelder-Mead polish; the best structure."""
    prob, lo, hi = s.prob, s.lo, s.hi

    def objective(x: FloatArray) -> float:
        return -prob.evaluate(np.clip(x, lo, hi))[1]

    if not s.free:
        return np.zeros(0)
    box = list(zip(lo, hi, strict=True))
    de = differential_evolution(
        objective, box, maxiter=maxiter, popsize=popsize, seed=seed, polish=False,
        init="latinhypercube", tol=1e-3,
    )  # fmt: skip
    x_best = np.asarray(de.x, dtype=float)
    if n_polish > 0:
        pol = minimize(
            objective, x_best, method="Nelder-Mead", bounds=box,
            options={"maxfev": n_polish, "xatol": 1e-4, "fatol": 1e-3},
        )  # fmt: skip
        if pol.fun < objective(x_best):
            x_best = np.clip(np.asarray(pol.x, dtype=float), lo, hi)
    return x_best


def _sharpness(
    s: _Search, vals: dict[str, float], eta_best: float, tc_search: float, n_eta: int, n_scan: int
) -> dict[str, Sharpness]:
    """1D scans through the optimum (the others, eta included, at their optimum)."""
    from multigap.pairing.tc import critical_temperatures

    prob, b = s.prob, s.bounds
    sharp: dict[str, Sharpness] = {}
    level = SHARPNESS_LEVEL * tc_search
    e_lo, e_hi = b["eta"]
    if e_hi > e_lo:
        opt_search = prob.model(vals, prob.numerics)
        s_lo, s_hi = prob.eta_range(opt_search, e_lo, e_hi)
        pts, i0 = _scan_points(s_lo, s_hi, eta_best, max(n_eta, n_scan))
        tcs = np.asarray(critical_temperatures(opt_search, pts, prob.g), dtype=float)
        sharp["eta"] = Sharpness("eta", *_interval(pts, tcs, i0, level), pts, tcs)
    for k in s.free:
        pts, i0 = _scan_points(b[k][0], b[k][1], vals[k], n_scan)
        tcs = np.array(
            [
                tc_search if i == i0 else prob.tc_at({**vals, k: v}, eta_best)
                for i, v in enumerate(pts)
            ]
        )
        sharp[k] = Sharpness(k, *_interval(pts, tcs, i0, level), pts, tcs)
    return sharp


def _on_bounds(
    params: Mapping[str, float],
    names: Sequence[str],
    b: Mapping[str, tuple[float, float]],
    sharp: Mapping[str, Sharpness],
) -> dict[str, BoundNote]:
    """Parameters within 1 % of the span from a bound, with the way Tc still rises."""
    out: dict[str, BoundNote] = {}
    for k in names:
        lo, hi = b[k]
        tol = 1e-2 * (hi - lo)
        side = "low" if abs(params[k] - lo) <= tol else "high" if abs(params[k] - hi) <= tol else ""
        if not side:
            continue
        slope = math.nan
        sh = sharp.get(k)
        if sh is not None and sh.values.size >= 2:  # one-sided slope at the bound, K per unit
            i, j = (0, 1) if side == "low" else (-1, -2)
            dx = float(sh.values[i] - sh.values[j])
            slope = float(sh.tc[i] - sh.tc[j]) / dx if dx else math.nan
        out[k] = BoundNote(k, side, lo if side == "low" else hi, slope)
    return out


def optimise(
    bounds: Mapping[str, Sequence[float]],
    *,
    g: float,
    omega0: float | None = None,
    base: Model | None = None,
    fixed: Mapping[str, float] | None = None,
    material: str = "free",
    maxiter: int = 6,
    popsize: int = 5,
    seed: int | None = 0,
    n_eta: int = 41,
    n_scan: int = 9,
    n_polish: int = 20,
    search_numerics: Numerics = SEARCH_NUMERICS,
) -> DesignResult:
    """Search the heterostructure and eta of maximum Tc within bounds.

    Parameters
    ----------
    bounds : dict
        ``{name: (low, high)}`` for the searched parameters: ``eta`` (required) and any of
        ``well``, ``barrier`` (nm), ``width`` (Delta_E of the resonant subband, meV; the
        barrier height is solved) or ``height`` (barrier height V, meV), ``mass_x``,
        ``mass_z`` (m_e). low == high holds a parameter fixed. Parameters not given keep the
        base model's values (with Delta_E held fixed unless ``height`` is given).
    g : float
        Reduced coupling of the resonant subband, 0 <= g < 1/2.
    omega0 : float, optional
        Bare phonon energy, meV (default: the base model's).
    base : Model, optional
        Subband count, background couplings, interband and cut-off rules, and the final grids
        (default ``preset("A")``).
    fixed : dict, optional
        Structure values replacing the base model's (e.g. ``{"mass_z": 0.8}``).
    material : {"free", "fixed"}
        ``"fixed"``: a given spacer material — the barrier height V and the masses are held
        (the base model's, or those in ``fixed``); only ``well``, ``barrier`` and ``eta`` may
        be searched. ``"free"`` (default): any structure parameter may be searched.
    maxiter, popsize : int
        Differential evolution generations and population multiplier (population =
        popsize x number of free structure parameters).
    seed : int or None
        Seed of the differential evolution (the search is reproducible for a given seed).
    n_eta : int
        eta grid points per structure before the Brent refinement.
    n_scan : int
        Points of each 1D sharpness scan (plus the optimum itself).
    n_polish : int
        Most structures of the Nelder-Mead polish (0: none).
    search_numerics : Numerics
        Grids of the search (default :data:`SEARCH_NUMERICS`; eta_max raised to the eta bound).

    Returns
    -------
    DesignResult

    Notes
    -----
    Cost: about (maxiter + 1) x popsize x d + n_polish + d x n_scan structure geometries
    (~0.3 s each on the search grids) for d free structure parameters, plus one geometry on the
    final grids. With only eta free a single structure is evaluated. Measured (one core):
    3 free structure parameters with the defaults, 124 structures, ~45-55 s.

    Inside each structure eta is limited to the range where the model is valid
    (:func:`multigap.pressure.eta_limits`: mu above the lowest subband, the pairing window
    below the omitted subband n_bands + 1). A structure that does not exist, or has no valid
    eta in the bounds, counts as Tc = 0; so does a sharpness-scan point where the optimum eta
    is not valid.
    """
    g = check.in_range("g", g, 0.0, 0.5, high_open=True)
    base = base if base is not None else preset("A")
    omega0 = check.positive("omega0", omega0 if omega0 is not None else base.omega0, "meV")
    maxiter = check.integer("maxiter", maxiter, 0)
    popsize = check.integer("popsize", popsize, 1)
    n_eta = check.integer("n_eta", n_eta, 3)
    n_scan = check.integer("n_scan", n_scan, 3)
    n_polish = check.integer("n_polish", n_polish, 0)
    if seed is not None:
        seed = check.integer("seed", seed, 0)
    s = _prepare(bounds, fixed, base, g, omega0, n_eta, search_numerics, material)
    x_best = _search(s, maxiter, popsize, seed, n_polish)
    prob, b = s.prob, s.bounds
    eta_best, tc_search = prob.evaluate(x_best)
    if not tc_search > 0.0:
        raise ValueError(
            f"no superconductivity above the floor anywhere in the search (g = {g}, "
            f"omega0 = {omega0} meV, bounds {b}); widen the bounds"
        )
    vals = prob.values(x_best)
    n_structures = len(prob.cache)
    sharp = _sharpness(s, vals, eta_best, tc_search, n_eta, n_scan)
    return _finalise(s, vals, eta_best, tc_search, sharp, n_structures, base, material, {
        "method": "differential_evolution + Nelder-Mead polish" if s.free else "eta only",
        "maxiter": maxiter, "popsize": popsize, "seed": seed, "n_eta": n_eta,
        "n_scan": n_scan, "n_polish": n_polish,
    })  # fmt: skip


def _finalise(
    s: _Search,
    vals: dict[str, float],
    eta_best: float,
    tc_search: float,
    sharp: dict[str, Sharpness],
    n_structures: int,
    base: Model,
    material: str,
    search: dict[str, Any],
) -> DesignResult:
    """Recompute the optimum on the base model's grids; flag bounds; assemble the result."""
    prob, b = s.prob, s.bounds
    e_lo, e_hi = b["eta"]
    final_num = base.numerics
    if final_num.eta_max < e_hi + 0.01:
        final_num = replace(final_num, eta_max=e_hi + 0.01)
    final = prob.model(vals, final_num)
    step = (e_hi - e_lo) / (search["n_eta"] - 1) if e_hi > e_lo else 0.0
    eta_final, tc_final = prob.best_eta(
        final, max(e_lo, eta_best - step), min(e_hi, eta_best + step), 5
    )
    params = dict(vals)
    params["height"] = float(final.lattice.height)
    params["width"] = float(final.subbands.width(final.resonant_band))
    params["eta"] = eta_final
    all_free = (*s.free, "eta") if e_hi > e_lo else s.free
    notes_b = _on_bounds(params, all_free, b, sharp)
    notes = []
    if prob.infeasible:
        notes.append(
            f"{prob.infeasible} candidate structures do not exist (Delta_E above the "
            f"free-electron width of the subband) and counted as Tc = 0"
        )
    if notes_b:
        notes.append("optimum on a bound: " + "; ".join(n.text() for n in notes_b.values()))
    return DesignResult(
        params=params,
        free=all_free,
        tc=float(tc_final),
        tc_search=float(tc_search),
        g=prob.g,
        omega0=prob.omega0,
        sharpness=sharp,
        at_bound=tuple(notes_b),
        bounds=b,
        fixed=s.fixed,
        n_structures=n_structures,
        search=search,
        search_numerics=prob.numerics,
        final_numerics=final_num,
        model=final,
        message="; ".join(notes),
        material=material,
        bound_notes=notes_b,
    )


# ---------------------------------------------------------------------------------- TOML
def load_design_toml(path: str | Path) -> dict[str, Any]:
    """Read and validate a design TOML file; return the keyword arguments of :func:`optimise`.

    Layout::

        base = "A"                    # preset name or a model TOML path (relative to this file)
        material = "fixed"            # optional: "fixed" holds V and the masses (default "free")
        [bounds]
        well = [0.6, 1.2]             # nm
        barrier = [0.3, 0.8]          # nm
        width = [100.0, 400.0]        # Delta_E, meV (or height = [...], barrier height, meV)
        eta = [0.0, 2.0]
        # mass_x = [...], mass_z = [...] optional (m_e)
        [fixed]
        g = 0.3
        omega0 = 330.0                # meV; any structure value may be fixed here too
        [search]                      # optional
        maxiter = 6
        popsize = 5
        seed = 0
        n_eta = 41
        n_scan = 9
        n_polish = 20

    Raises ValueError naming the field for unknown sections or keys, inverted bounds, values
    outside their physical range, a missing ``g`` or ``eta``.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"design file {str(p)!r} does not exist")
    try:
        cfg = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"design file {str(p)!r} is not valid TOML: {exc}") from None
    check.known_keys(f"design file {p}", cfg, TOML_KEYS)
    if "bounds" not in cfg:
        raise ValueError(f"design file {p} lacks the [bounds] section")
    fixed = dict(cfg.get("fixed", {}))
    if "g" not in fixed:
        raise ValueError(f"design file {p} [fixed] lacks g (the resonant coupling, 0 <= g < 0.5)")
    bounds, fix = validate_problem(dict(cfg["bounds"]), fixed)
    search = dict(cfg.get("search", {}))
    check.known_keys(f"design file {p} [search]", search, SEARCH_KEYS)
    base_spec = cfg.get("base", "A")
    if not isinstance(base_spec, str):
        raise ValueError(
            f"design file {p}: base must be a preset name or a path, got {base_spec!r}"
        )
    if base_spec.upper() in ("A", "B"):
        base = preset(base_spec)
    else:
        mp = Path(base_spec)
        base = load_model(mp if mp.is_absolute() else p.parent / mp)
    g = fix.pop("g")
    omega0 = fix.pop("omega0", None)
    material = check.choice(
        f"design file {p}: material", cfg.get("material", "free"), MATERIAL_MODES
    )
    return {
        "bounds": bounds, "g": g, "omega0": omega0, "base": base, "fixed": fix,
        "material": material, **search,
    }  # fmt: skip


def optimise_from_toml(path: str | Path, **overrides: Any) -> DesignResult:
    """Run :func:`optimise` on a design TOML file (entry point of ``multigap design``).

    ``overrides`` replace keyword arguments read from the file (e.g. ``maxiter``, ``seed``).
    """
    kwargs = load_design_toml(path)
    kwargs.update(overrides)
    return optimise(**kwargs)
