"""One convention per number (issue 9, item 3): every gap ratio divides by the Tc of the gaps'
own rule for mu, and every result says which rule and which gap it reports."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import multigap as mg
from multigap.constants import KB
from multigap.pairing import gaps


@pytest.fixture(scope="module")
def preset_a() -> Any:
    return mg.preset("A")


@pytest.mark.parametrize("fixed_density", [True, False])
def test_ratio_tc_is_the_tc_of_the_gaps_rule(preset_a: Any, fixed_density: bool) -> None:
    """At eta = 0 the two Tc differ by ~20 %: a ratio that mixed them would be caught."""
    eta, g = 0.0, 0.45
    r = gaps.gap_ratios(preset_a, eta, g, fixed_density=fixed_density)
    rule = "fixed_density" if fixed_density else "fixed_mu"
    other = "fixed_mu" if fixed_density else "fixed_density"
    own = mg.critical_temperature(preset_a, eta, g, chemical_potential=rule)
    mixed = mg.critical_temperature(preset_a, eta, g, chemical_potential=other)
    assert abs(own / mixed - 1.0) > 0.05  # the test can tell them apart
    assert r.mu_rule == r.gaps.mu_rule == rule
    assert r.tc == pytest.approx(own, rel=1e-12)
    assert np.allclose(r.ratio, 2.0 * r.gap / (KB * own), rtol=1e-13)


def test_ratio_ignores_the_models_own_tc_rule(preset_a: Any) -> None:
    model = preset_a.with_(chemical_potential="fixed_density")
    r = gaps.gap_ratios(model, 0.0, 0.45, fixed_density=False)
    assert r.tc == pytest.approx(
        mg.critical_temperature(preset_a, 0.0, 0.45, chemical_potential="fixed_mu"), rel=1e-12
    )


def test_ratio_uses_the_spectral_gap_below_the_band(preset_a: Any) -> None:
    """Below the resonant band bottom the ratio's gap is the spectral gap, which exceeds the
    order parameter at the band bottom: sqrt((E_L - mu)^2 + Delta^2) > |Delta|."""
    r = gaps.gap_ratios(mg.preset("B"), -0.05, 0.45)
    res = r.gaps
    assert not res.fermi_surface[2] and res.fermi_surface[:2].all()
    assert r.gap[2] == res.spectral_gap[2]
    assert np.array_equal(r.gap[:2], np.abs(res.fermi_gap[:2]))
    e_l = float(mg.preset("B").lattice.band_edges(3)[0][2])
    edge = math.hypot(e_l - res.mu, res.fermi_gap[2])  # the gap at the band-bottom kz
    assert res.spectral_gap[2] <= edge * (1.0 + 1e-12)
    assert res.spectral_gap[2] > abs(res.fermi_gap[2])
    assert r.spectral_ratio[2] == pytest.approx(r.ratio[2], rel=1e-14)
    assert r.fermi_ratio[2] < r.ratio[2]


def test_gap_curve_tc_is_its_own_rule(preset_a: Any) -> None:
    eta, g = 1.0, 0.3
    tc_n = mg.critical_temperature(preset_a, eta, g, chemical_potential="fixed_density")
    curve = gaps.gap_curve(preset_a, eta, g, [0.0, 0.5 * tc_n])
    assert curve.mu_rule == "fixed_density"
    assert curve.tc == pytest.approx(tc_n, rel=1e-9)
    assert curve.spectral_gap.shape == curve.fermi_gap.shape
    fixed_mu = gaps.gap_curve(preset_a, eta, g, [0.0], fixed_density=False)
    assert fixed_mu.mu_rule == "fixed_mu"
    assert fixed_mu.tc == pytest.approx(mg.critical_temperature(preset_a, eta, g), rel=1e-12)


def test_results_state_their_rule(preset_a: Any) -> None:
    a = gaps.zero_temperature_gaps(preset_a, 1.0, 0.3)
    b = gaps.zero_temperature_gaps(preset_a, 1.0, 0.3, fixed_density=False)
    assert (a.mu_rule, b.mu_rule) == ("fixed_density", "fixed_mu")
    assert a.tc_mu_rule == "fixed_mu"  # at T = 0 the Tc only supplies the start
    t = gaps.gaps_at_temperature(preset_a, 1.0, 0.3, 50.0)
    assert t.tc_mu_rule == t.mu_rule == "fixed_density"
    assert t.tc == pytest.approx(
        mg.critical_temperature(preset_a, 1.0, 0.3, chemical_potential="fixed_density"),
        rel=1e-12,
    )
