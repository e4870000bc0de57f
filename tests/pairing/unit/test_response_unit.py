"""Machinery of the response functions: input checks, result objects, conventions."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

import multigap as mg
from multigap.pairing.response import quadrature


@pytest.fixture(scope="module")
def free() -> Any:
    lat = mg.Superlattice(well=0.25, barrier=0.25, height=0.0)
    return mg.Model(lat, omega0=10.0, n_bands=1, resonant_band=1, cutoff="fixed")


def test_public_names() -> None:
    for name in (
        "superfluid_stiffness",
        "bkt_temperature",
        "bkt_result",
        "london_penetration_depth",
        "specific_heat",
        "specific_heat_jump",
        "tunneling_dos",
        "condensate_fraction",
        "pair_size",
    ):
        assert name in mg.__all__ and callable(getattr(mg, name))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m: mg.superfluid_stiffness(m, 0.05, 0.3, T=-1.0), "T must be >= 0"),
        (lambda m: mg.superfluid_stiffness(m, float("nan"), 0.3), "eta must be finite"),
        (lambda m: mg.specific_heat(m, 0.05, 0.3, [0.0]), "T must be finite and > 0"),
        (lambda m: mg.tunneling_dos(m, 0.05, 0.3, [0.0], broadening=-1.0), "broadening"),
        (lambda m: mg.tunneling_dos(m, 0.05, 0.3, [[0.0]]), "energy must be"),
        (lambda m: mg.london_penetration_depth(m, 0.05, 0.3, stacking_period=-1), "stacking"),
        (lambda m: mg.bkt_result(m, 0.05, 0.3, rtol=0.5), "rtol"),
        (lambda m: mg.pair_size(m, 0.05, 0.6), "g"),
    ],
)
def test_bad_input_one_line(free: Any, call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match) as err:
        call(free)
    assert "\n" not in str(err.value)


def test_gaps_of_another_point_are_refused(free: Any) -> None:
    gaps = mg.zero_temperature_gaps(free, 0.05, 0.3)
    with pytest.raises(ValueError, match="not at eta"):
        mg.superfluid_stiffness(free, 0.06, 0.3, gaps=gaps)
    fixed_mu = mg.zero_temperature_gaps(free, 0.05, 0.3, fixed_density=False)
    with pytest.raises(ValueError, match="fixed_density"):
        mg.pair_size(free, 0.05, 0.3, gaps=fixed_mu)
    with pytest.raises(ValueError, match="not at T"):
        mg.tunneling_dos(free, 0.05, 0.3, [1.0], T=1.0, gaps=gaps)


def test_results_are_frozen_and_state_convention(free: Any) -> None:
    gaps = mg.zero_temperature_gaps(free, 0.05, 0.3)
    results = [
        mg.superfluid_stiffness(free, 0.05, 0.3, gaps=gaps),
        mg.condensate_fraction(free, 0.05, 0.3, gaps=gaps),
        mg.pair_size(free, 0.05, 0.3, gaps=gaps),
        mg.tunneling_dos(free, 0.05, 0.3, [0.0, 1.0], gaps=gaps),
    ]
    for r in results:
        assert r.mu_convention == "fixed_density"
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.mu_convention = "x"  # type: ignore[misc]


def test_graded_levels_cover_window() -> None:
    lv = quadrature.graded_levels(np.array([1e-3, 1.0]), np.array([10.0, 10.0]))
    assert lv.shape[0] == 2
    assert np.all(np.diff(lv, axis=1) >= 0.0)
    # from the scale up to (not including) the top, which callers add: at most a factor 4 short
    assert np.all(lv[:, -1] < 10.0) and np.all(lv[:, -1] >= 10.0 / 4.0)
    assert np.all(lv[:, 0] == -lv[:, -1])
    assert np.min(np.abs(lv[0][lv[0] != 0])) == pytest.approx(1e-3)
    ratios = lv[0, lv.shape[1] // 2 + 2 :] / lv[0, lv.shape[1] // 2 + 1 : -1]
    assert np.all(ratios <= 4.0 + 1e-12)


def test_kx_nodes_integrate_a_window() -> None:
    """int_0^inf dkx over |xi| < wc of 1 = k_hi - k_lo, for a band bottom inside and outside."""
    c = 38.0
    e = np.array([[-50.0, -3.0, 4.0]])
    nodes = quadrature.kx_nodes(c, e, np.full(e.shape, 0.1), np.array([-10.0, 0.0, 10.0]), 32)
    got = np.sum(nodes.w, axis=(-2, -1))
    expect = np.sqrt(np.maximum(10.0 - e, 0) / c) - np.sqrt(np.maximum(-10.0 - e, 0) / c)
    assert got == pytest.approx(expect, rel=1e-13)
    assert np.all(np.abs(nodes.xi) <= 10.0 + 1e-9)


def test_fermi_derivative_normalised() -> None:
    x = np.linspace(-50, 50, 200001)
    f = quadrature.fermi_derivative(x, 1.0)
    assert np.trapezoid(f, x) == pytest.approx(1.0, rel=1e-8)
    assert np.all(np.isfinite(quadrature.fermi_derivative(np.array([1e6, -1e6]), 1e-3)))
