"""Inverse design: the heterostructure and chemical potential of maximum Tc within bounds.

The reference study's stated aim is a road map to room-temperature heterostructures
(M. V. Mazziotti et al., J. Appl. Phys. 130, 173904 (2021); A. Bianconi, Solid State Commun. 89,
933 (1994)). :func:`optimise` searches the superlattice (well width L, barrier width W, the
transversal dispersion Delta_E of the resonant subband or the barrier height V, the masses)
together with the Lifshitz parameter eta for the largest Tc at a given resonant coupling g and
bare phonon energy w0; everything else (number of subbands, background couplings, interband
rule, cut-off rule) comes from a base model (default preset A).

Method (each candidate structure needs its own geometry, ~12 ms on the search grids):

1. Inside one structure, eta is optimised on an eta grid (``n_eta`` points over the eta
   bounds), then refined around the best grid point to 1e-4 of the eta range
   (:mod:`multigap.study.design_eta`). The grid is solved coarse to fine: every
   :data:`COARSE_STRIDE`-th point in one batched Tc solve, then the points between the coarse
   neighbours of its best point (17 instead of 41 Tc points at the default n_eta); that finds
   the grid's best point whenever Tc is unimodal on the grid, and every point is solved when
   the coarse values are not unimodal. The refinement is a safeguarded parabolic search from
   the three grid values around the best point (about 4 Tc evaluations; a bounded Brent
   search at a grid end), ending with the maximum bracketed within the tolerance.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import differential_evolution, minimize, minimize_scalar

from multigap import validation as check
from multigap._threads import single_threaded_blas
from multigap.model import Model, Numerics, preset
from multigap.structure.lattice import Superlattice
from multigap.study.design_eta import COARSE_STRIDE, grid_tc, refine_max
from multigap.study.design_problem import (
    MATERIAL_KEYS,
    MATERIAL_MODES,
    STRUCTURE_KEYS,
    load_design_toml,
    validate_problem,
)
from multigap.study.design_result import (
    SHARPNESS_LEVEL,
    BoundNote,
    DesignResult,
    Sharpness,
)
from multigap.study.pressure import eta_limits

FloatArray = NDArray[np.float64]

__all__ = [
    "COARSE_STRIDE",
    "DEFAULT_DESIGN",
    "SEARCH_NUMERICS",
    "BoundNote",
    "DesignResult",
    "Sharpness",
    "load_design_toml",
    "optimise",
    "optimise_from_toml",
    "validate_problem",
]

#: Coarse grids of the search (the optimum is recomputed on the base model's grids).
SEARCH_NUMERICS = Numerics(n_kz=13, n_modes=5, n_z=12, energy_step=8.0)
#: The default design problem of ``multigap design`` (a fixed spacer material around A).
DEFAULT_DESIGN = Path(__file__).parents[1] / "presets" / "design.toml"


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
        """Largest Tc over eta in [lo, hi]: grid (coarse to fine), then a refinement around its
        best point (parabolic from the grid's three points, or bounded Brent at a grid end)."""
        from multigap.pairing.tc import critical_temperatures

        lo, hi = self.eta_range(model, lo, hi)
        grid = np.linspace(lo, hi, n) if hi > lo else np.array([lo])
        solve = _WarmTc(lambda x, s: critical_temperatures(model, x, self.g, start=s))
        tc = grid_tc(solve, grid)
        i = int(np.nanargmax(tc))
        best = (float(grid[i]), float(tc[i]))
        if grid.size < 3 or tc[i] <= 0.0:
            return best

        def tc_of(e: float) -> float:
            return float(solve(np.array([e]))[0])

        xatol = 1e-4 * (hi - lo)
        if 0 < i < grid.size - 1:
            x, f = refine_max(tc_of, grid[i - 1 : i + 2], tc[i - 1 : i + 2], xatol)
        else:
            a, b = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, grid.size - 1)])
            res = minimize_scalar(
                lambda e: -tc_of(e), bounds=(a, b), method="bounded", options={"xatol": xatol}
            )
            x, f = float(res.x), float(-res.fun)
        return (x, f) if f > best[1] else best

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


class _WarmTc:
    """Tc(eta) of one structure, each call's root searches started from the ln Tc interpolated
    between the etas already solved (the start moves where a search begins, not its root)."""

    def __init__(self, solve: Callable[[FloatArray, FloatArray | None], Any]) -> None:
        self._solve = solve
        self._eta: list[float] = []
        self._tc: list[float] = []

    def __call__(self, eta: FloatArray) -> FloatArray:
        x = np.atleast_1d(np.asarray(eta, dtype=float))
        start = None
        known = np.asarray(self._tc) > 0.0
        if np.any(known):
            ex, et = np.asarray(self._eta)[known], np.log(np.asarray(self._tc)[known])
            order = np.argsort(ex)
            start = np.exp(np.interp(x, ex[order], et[order]))
        tc = np.atleast_1d(np.asarray(self._solve(x, start), dtype=float))
        self._eta.extend(x.tolist())
        self._tc.extend(tc.tolist())
        return tc


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
    (~12 ms each on the search grids, plus ~15 ms of Tc solves for the eta search of a
    searched structure) for d free structure parameters, plus one geometry on the final grids.
    With only eta free a single structure is evaluated. Measured (one core): the default
    problem of ``multigap design`` (2 free structure parameters, 75 searched and 16 scanned
    structures) ~2.5 s, the whole command ~3.3 s.

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
    with single_threaded_blas():  # small dense algebra: BLAS threads only add wake-ups
        return _optimise(s, maxiter, popsize, seed, n_eta, n_scan, n_polish, base, material)


def _optimise(
    s: _Search,
    maxiter: int,
    popsize: int,
    seed: int | None,
    n_eta: int,
    n_scan: int,
    n_polish: int,
    base: Model,
    material: str,
) -> DesignResult:
    """Search, sharpness scans and the final recomputation of a validated problem."""
    x_best = _search(s, maxiter, popsize, seed, n_polish)
    prob, b = s.prob, s.bounds
    eta_best, tc_search = prob.evaluate(x_best)
    if not tc_search > 0.0:
        raise ValueError(
            f"no superconductivity above the floor anywhere in the search (g = {prob.g}, "
            f"omega0 = {prob.omega0} meV, bounds {b}); widen the bounds"
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
def optimise_from_toml(path: str | Path, **overrides: Any) -> DesignResult:
    """Run :func:`optimise` on a design TOML file (entry point of ``multigap design``).

    ``overrides`` replace keyword arguments read from the file (e.g. ``maxiter``, ``seed``).
    """
    kwargs = load_design_toml(path)
    kwargs.update(overrides)
    return optimise(**kwargs)
