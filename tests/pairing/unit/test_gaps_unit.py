"""Unit tests of multigap.gaps: input checks, error messages, result bookkeeping, quadrature."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate

import multigap as mg
from multigap.constants import KB
from multigap.pairing import gaps
from multigap.pairing.gaps import problem, quadrature
from multigap.structure import pdos


def free_model(**kw: Any) -> Any:
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=0.0)
    return mg.Model(lat, omega0=10.0, n_bands=1, resonant_band=1, cutoff="fixed", **kw)


@pytest.fixture(scope="module")
def free() -> Any:
    return free_model()


@pytest.fixture(scope="module")
def preset_a() -> Any:
    return mg.preset("A")


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("g", [0.5, 0.7, -0.1, math.nan])
def test_bad_g_is_named(free: Any, g: float) -> None:
    with pytest.raises(ValueError, match=r"g must lie in \[0, 0\.5\)"):
        gaps.zero_temperature_gaps(free, 0.5, g)


@pytest.mark.parametrize("eta", [math.nan, math.inf, "x"])
def test_bad_eta_is_named(free: Any, eta: Any) -> None:
    with pytest.raises(ValueError, match="eta must be a finite real number"):
        gaps.zero_temperature_gaps(free, eta, 0.25)


@pytest.mark.parametrize("T", [-1.0, math.nan])
def test_bad_temperature_is_named(free: Any, T: float) -> None:
    with pytest.raises(ValueError, match="T must"):
        gaps.gaps_at_temperature(free, 0.5, 0.25, T)


def test_bad_temperature_list(free: Any) -> None:
    with pytest.raises(ValueError, match="temperatures must be finite and >= 0 K"):
        gaps.gap_curve(free, 0.5, 0.25, [1.0, -2.0])


def test_no_electrons(preset_a: Any) -> None:
    with pytest.raises(ValueError, match=r"eta = -20 puts mu0 .* there are no electrons"):
        gaps.zero_temperature_gaps(preset_a, -20.0, 0.3)


def test_window_beyond_the_model(preset_a: Any) -> None:
    with pytest.raises(ValueError, match="into subband 4"):
        gaps.zero_temperature_gaps(preset_a, 2.9, 0.1)


@pytest.mark.parametrize(("key", "value"), [("tol", 0.0), ("maxiter", 0), ("kz_order", 2)])
def test_bad_options(free: Any, key: str, value: float) -> None:
    with pytest.raises(ValueError, match=key):
        gaps.zero_temperature_gaps(free, 0.5, 0.25, **{key: value})


# ----------------------------------------------------------------------------- convergence
def test_non_convergence_raises_naming_the_point(preset_a: Any) -> None:
    with pytest.raises(gaps.GapConvergenceError) as info:
        gaps.zero_temperature_gaps(preset_a, 1.0, 0.4, maxiter=1)
    msg = str(info.value)
    assert "eta = 1" in msg and "g = 0.4" in msg and "residual" in msg
    assert "maxiter = 1" in msg


def test_too_few_iterations_raise_and_sub_rounding_tol_is_refused(preset_a: Any) -> None:
    with pytest.raises(gaps.GapConvergenceError, match=r"did not converge at eta = 1, g = 0\.4"):
        gaps.zero_temperature_gaps(preset_a, 1.0, 0.4, maxiter=2)
    # a residual below ~1e-14 is rounding: such a tol is refused before any work, not "met"
    with pytest.raises(ValueError, match="tol"):
        gaps.zero_temperature_gaps(preset_a, 1.0, 0.4, tol=1e-30)


# ----------------------------------------------------------------------------- results
def test_result_bookkeeping(preset_a: Any) -> None:
    r = gaps.zero_temperature_gaps(preset_a, 0.5, 0.3)
    sb = preset_a.geometry.subbands
    assert r.gap.shape == (3, sb.kz.size)
    assert r.coefficients.shape == (3, preset_a.numerics.n_modes)
    assert np.allclose(r.gap_at(sb.kz), r.gap, rtol=0, atol=1e-12)
    assert r.mu0 == pytest.approx(sb.edge(3) + 0.5 * sb.width(3))
    assert r.converged and r.superconducting and not r.below_floor
    assert r.iterations >= 1 and r.residual <= gaps.DEFAULT_TOL
    assert r.wc == pytest.approx(tuple(preset_a.omega(0.3)))
    assert (r.eta, r.g, r.temperature) == (0.5, 0.3, 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.mu = 0.0  # type: ignore[misc]


def test_fermi_gap_definition(preset_a: Any) -> None:
    """<Delta>_FS = sum_q a_q rho_q(mu) / rho_0(mu); with no Fermi surface: the band-bottom gap."""
    r = gaps.zero_temperature_gaps(preset_a, 0.7, 0.3)
    Q = r.coefficients.shape[1]
    rho = pdos.projected_dos_values(preset_a.lattice, np.array([r.mu]), 3, Q)[:, :, 0]
    assert np.allclose(r.fermi_gap, (r.coefficients * rho).sum(1) / rho[:, 0], rtol=1e-12)
    below = gaps.zero_temperature_gaps(preset_a, -0.05, 0.45)
    assert not below.fermi_surface[2] and below.fermi_surface[:2].all()
    assert below.fermi_gap[2] == pytest.approx(below.gap_at(0.0)[2], rel=1e-12)  # band 3: kz=0


def test_gap_ratios_bookkeeping(preset_a: Any) -> None:
    r = gaps.gap_ratios(preset_a, 1.0, 0.3)
    # fixed-density gaps (the default) go with the fixed-density Tc
    tc = mg.critical_temperature(preset_a, 1.0, 0.3, chemical_potential="fixed_density")
    assert r.mu_rule == r.gaps.mu_rule == "fixed_density"
    assert r.tc == pytest.approx(tc, rel=1e-12)
    assert r.gaps.fermi_surface.all()  # every subband has a Fermi surface at eta = 1
    assert np.allclose(r.ratio, 2.0 * np.abs(r.fermi_gap) / (KB * tc), rtol=1e-13)
    assert np.allclose(r.fermi_ratio, r.ratio, rtol=1e-13)
    assert np.allclose(r.spectral_ratio, 2.0 * r.spectral_gap / (KB * tc), rtol=1e-13)
    assert r.anisotropy == pytest.approx(r.fermi_gap[2] / r.fermi_gap[1])
    assert r.anisotropy > 1.0


def test_below_floor_and_above_tc_are_normal(free: Any) -> None:
    none = free_model(background_coupling=0.0)
    r = gaps.zero_temperature_gaps(none, 0.5, 0.0)
    assert r.below_floor and not r.superconducting
    assert np.all(r.gap == 0.0) and r.mu == r.mu0
    tc = mg.critical_temperature(free, 0.5, 0.25)
    hot = gaps.gaps_at_temperature(free, 0.5, 0.25, 2.0 * tc)
    assert not hot.superconducting and np.all(hot.fermi_gap == 0.0)
    assert hot.density == pytest.approx(hot.target_density, rel=1e-9)


def test_initial_guess_is_used(free: Any) -> None:
    tc = mg.critical_temperature(free, 0.5, 0.25)
    cold = gaps.gaps_at_temperature(free, 0.5, 0.25, 0.5 * tc)
    warm = gaps.gaps_at_temperature(free, 0.5, 0.25, 0.5 * tc, initial=cold)
    assert warm.iterations < cold.iterations
    assert np.allclose(warm.coefficients, cold.coefficients, rtol=1e-9, atol=1e-14)


def test_zero_temperature_equals_t_zero(free: Any) -> None:
    a = gaps.zero_temperature_gaps(free, 0.5, 0.25)
    b = gaps.gaps_at_temperature(free, 0.5, 0.25, 0.0)
    assert np.array_equal(a.coefficients, b.coefficients)


# ----------------------------------------------------------------------------- quadrature
@pytest.mark.parametrize(("delta", "T"), [(0.3, 0.0), (1e-6, 0.0), (0.3, 1.0), (1e-4, 0.5)])
def test_window_integral_against_quad(free: Any, delta: float, T: float) -> None:
    """The 2D quadrature of a constant gap on the free band (DOS N0 in the window) gives
    Y_0 = int_{-wc}^{wc} dxi Delta tanh(E/2k_BT)/(2E) and delta_n = 0 (p-h symmetry)."""
    wc = 10.0
    setup = problem.make_setup(free, 0.25, T, gaps.DEFAULT_KZ_ORDER, gaps.DEFAULT_KX_ORDER)
    setup = dataclasses.replace(setup, A=np.eye(setup.A.shape[0]))
    plan = quadrature.make_plan(setup, np.array([delta]))
    a = np.zeros((1, setup.n_modes))
    a[0, 0] = delta
    mu = float(free.mu(0.5))
    ev = quadrature.evaluate(setup, plan, a, mu)
    Y = a.reshape(-1) - ev.residual_gap
    kt = KB * T

    def kern(x: float) -> float:
        e = math.hypot(x, delta)
        return delta * (math.tanh(e / (2 * kt)) if kt > 0 else 1.0) / (2 * e)

    if T == 0.0:
        ref = delta * math.asinh(wc / delta)  # closed form
    else:
        pts = sorted({delta, 10 * delta, kt, 10 * kt, 40 * kt})
        ref = 2 * integrate.quad(kern, 0.0, wc, points=pts, epsrel=1e-13, limit=400)[0]
    assert Y[0] == pytest.approx(ref, rel=1e-9)
    assert abs(ev.delta_n) <= 1e-10 * 2 * setup.n0 * mu


def test_jacobian_matches_finite_differences(preset_a: Any) -> None:
    r = gaps.zero_temperature_gaps(preset_a, 0.5, 0.3)
    setup = problem.make_setup(preset_a, 0.3, 0.0, gaps.DEFAULT_KZ_ORDER, gaps.DEFAULT_KX_ORDER)
    scale = np.max(np.abs(r.gap), axis=1)
    plan = quadrature.make_plan(setup, scale)
    ev = quadrature.evaluate(setup, plan, r.coefficients, r.mu, derivatives=True)
    assert ev.B is not None and ev.dn_da is not None
    nb, Q = r.coefficients.shape
    h = 1e-6
    for n, q in [(2, 0), (2, 1), (0, 0)]:
        da = np.zeros((nb, Q))
        da[n, q] = h
        up = quadrature.evaluate(setup, plan, r.coefficients + da, r.mu)
        dn = quadrature.evaluate(setup, plan, r.coefficients - da, r.mu)
        fd = (up.residual_gap - dn.residual_gap) / (2 * h)
        blocks = np.zeros((nb, Q, nb, Q))
        for m in range(nb):
            blocks[m, :, m, :] = ev.B[m]
        col = -(setup.A @ blocks.reshape(nb * Q, nb * Q))[:, n * Q + q]
        col[n * Q + q] += 1.0
        assert np.allclose(col, fd, rtol=1e-5, atol=1e-8)
        fd_n = (up.delta_n - dn.delta_n) / (2 * h)
        assert ev.dn_da[n, q] == pytest.approx(fd_n, rel=1e-5, abs=1e-12)
