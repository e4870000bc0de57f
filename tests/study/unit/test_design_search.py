"""The fast eta search of one design structure against the slow path it replaces.

:func:`grid_tc` (coarse-to-fine grid) must find the best point of the full grid whenever the
values are unimodal, and fall back to the full grid otherwise; :func:`refine_max` (parabolic
refinement) must reach the tolerance of the bounded Brent search it replaces. On a real model,
:meth:`_Problem.best_eta` is checked against the full grid + Brent path.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import multigap as mg
from multigap.pairing.tc import critical_temperatures
from multigap.study.design import SEARCH_NUMERICS, _prepare
from multigap.study.design_eta import COARSE_STRIDE, grid_tc, refine_max


class Counted:
    """A vectorised function that records how many points it was asked for."""

    def __init__(self, fun: Callable[[np.ndarray], np.ndarray]) -> None:
        self.fun = fun
        self.points = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        self.points += x.size
        return self.fun(x)


GRID = np.linspace(0.0, 2.0, 41)


@pytest.mark.parametrize("peak", [-0.3, 0.0, 0.01, 0.37, 0.98, 1.0, 1.03, 1.61, 1.99, 2.0, 2.4])
@pytest.mark.parametrize("shape", ["parabola", "skewed", "flat_top"])
def test_coarse_to_fine_grid_finds_the_full_grid_maximum(peak: float, shape: str) -> None:
    funs = {
        "parabola": lambda x: 200.0 - 50.0 * (x - peak) ** 2,
        "skewed": lambda x: np.where(x < peak, 150.0 + 60.0 * (x - peak), 150.0 - 5.0 * (x - peak)),
        "flat_top": lambda x: 100.0 * np.exp(-(((x - peak) / 0.6) ** 4)),
    }
    fun = Counted(funs[shape])
    tc = grid_tc(fun, GRID)
    full = funs[shape](GRID)
    assert int(np.nanargmax(tc)) == int(np.argmax(full))
    assert np.nanmax(tc) == np.max(full)
    solved = ~np.isnan(tc)
    np.testing.assert_array_equal(tc[solved], full[solved])
    assert fun.points == solved.sum() <= GRID.size // COARSE_STRIDE + 1 + 2 * (COARSE_STRIDE - 1)


def test_coarse_to_fine_grid_solves_every_point_unless_unimodal() -> None:
    # two domes: the coarse values are not unimodal, every point is solved
    two = Counted(
        lambda x: (
            100.0 * np.exp(-(((x - 0.4) / 0.2) ** 2)) + 120.0 * np.exp(-(((x - 1.5) / 0.2) ** 2))
        )
    )
    tc = grid_tc(two, GRID)
    assert not np.any(np.isnan(tc)) and two.points == GRID.size
    # Tc = 0 on every coarse point, a narrow dome between two of them: found
    narrow = Counted(lambda x: np.where(np.abs(x - 1.05) < 0.01, 50.0, 0.0))
    tc = grid_tc(narrow, GRID)
    assert not np.any(np.isnan(tc)) and np.nanmax(tc) == 50.0
    # short grids are solved whole
    short = Counted(lambda x: -((x - 0.5) ** 2))
    assert not np.any(np.isnan(grid_tc(short, np.linspace(0.0, 1.0, 3 * COARSE_STRIDE))))


def _peak(name: str, x0: float) -> Callable[[np.ndarray], np.ndarray]:
    return {
        "gaussian": lambda x: 223.0 * np.exp(-(((x - x0) / 0.4) ** 2)),
        "asymmetric": lambda x: 100.0 * np.exp(-(((x - x0) / 0.3) ** 2)) * (1.0 + 0.5 * (x - x0)),
        "kink": lambda x: 150.0 - 90.0 * np.abs(x - x0),
    }[name]


@pytest.mark.parametrize("name", ["gaussian", "asymmetric", "kink"])
@pytest.mark.parametrize("x0", [0.3113, 1.1553, 1.7771])
def test_parabolic_refinement_reaches_the_brent_tolerance(name: str, x0: float) -> None:
    fun = _peak(name, x0)
    grid = np.linspace(0.0, 2.0, 41)
    vals = fun(grid)
    i = int(np.argmax(vals))
    assert 0 < i < grid.size - 1
    x_true = float(minimize_scalar(lambda x: -fun(x), bounds=(grid[i - 1], grid[i + 1]),
                                   method="bounded", options={"xatol": 1e-12}).x)  # fmt: skip
    xatol = 1e-4 * 2.0
    calls = []

    def f(x: float) -> float:
        calls.append(x)
        return float(fun(x))

    x, fx = refine_max(f, grid[i - 1 : i + 2], vals[i - 1 : i + 2], xatol)
    brent = minimize_scalar(
        lambda x: -float(fun(x)), bounds=(grid[i - 1], grid[i + 1]), method="bounded",
        options={"xatol": xatol},
    )  # fmt: skip
    assert fx == float(fun(x)) and fx >= vals[i]
    assert abs(x - x_true) <= xatol
    assert abs(x - brent.x) <= 2.0 * xatol
    if name != "kink":  # a smooth maximum: as high as Brent's, with fewer evaluations
        assert fx >= -brent.fun - 1e-6 * abs(brent.fun)
        assert len(calls) < brent.nfev


def test_best_eta_of_a_structure_matches_the_full_grid_and_brent() -> None:
    """The fast path against the slow one on a real structure (search grids)."""
    s = _prepare(
        {"well": (0.7, 1.0), "barrier": (0.45, 0.65), "eta": (0.0, 2.0)},
        {"height": 2707.195136135102},
        mg.preset("A"),
        0.3,
        330.0,
        41,
        SEARCH_NUMERICS,
        "free",
    )
    prob = s.prob
    for x in ([0.93, 0.61], [0.72, 0.47], [1.0, 0.65]):
        model = prob.model(prob.values(x), prob.numerics)
        eta, tc = prob.best_eta(model, 0.0, 2.0, 41)
        lo, hi = prob.eta_range(model, 0.0, 2.0)
        grid = np.linspace(lo, hi, 41)
        full = np.asarray(critical_temperatures(model, grid, 0.3))
        j = int(np.argmax(full))
        slow = minimize_scalar(
            lambda e, m=model: -float(critical_temperatures(m, e, 0.3)),
            bounds=(grid[max(j - 1, 0)], grid[min(j + 1, 40)]), method="bounded",
            options={"xatol": 1e-4 * (hi - lo)},
        )  # fmt: skip
        assert abs(eta - slow.x) <= 2e-4 * (hi - lo)
        assert tc == pytest.approx(-slow.fun, rel=1e-7)
        assert tc >= full[j]
