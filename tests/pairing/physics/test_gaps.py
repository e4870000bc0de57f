"""Physics checks of the gap equation below Tc (multigap.gaps, SPEC §6, §10).

Every expected number is a closed form or an independent calculation, never a value read off
the code: the weak-coupling BCS gap wc / sinh(1/g) of a free 2D band whose window lies inside
the band (constant DOS, I = 1), the ratio 2 pi / e^gamma, the BCS temperature dependence from
an independent solution of ln(Delta0/Delta) = 2 int f(E)/E dxi, the vanishing of the gap at the
linearised Tc of multigap.tc, the exact normal-state density of multigap.pdos, and a brute-force
adaptive quadrature (scipy.integrate) of the gap equation and of the density at a solution.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize, special

import multigap as mg
from multigap.constants import EULER_GAMMA, KB, kinetic_coefficient
from multigap.pairing import couplings, gaps
from multigap.structure import pdos

BCS_RATIO = 2.0 * math.pi / math.exp(EULER_GAMMA)  # 2 Delta0 / k_B Tc = 3.5276


# ----------------------------------------------------------------------------- models
def free_model(omega0: float = 10.0) -> Any:
    """V = 0, one band: the folded free 2D band; below C (pi/d)^2 its DOS is exactly N0 and
    I = 1 (to 1e-4: at the zone boundary the V = 0 Bloch states are standing waves). With
    eta = 0.5 (mu = 96 meV) and wc = 10 meV (fixed cut-off) the window lies inside the band:
    constant DOS, particle-hole symmetric window, so BCS holds exactly (no E_F/wc terms)."""
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=0.0)
    return mg.Model(lat, omega0=omega0, n_bands=1, resonant_band=1, cutoff="fixed")


@pytest.fixture(scope="module")
def free() -> Any:
    return free_model()


@pytest.fixture(scope="module")
def preset_a() -> Any:
    return mg.preset("A")


def bcs_ratio_of_t(t: float) -> float:
    """Delta(T)/Delta(0) of weak-coupling BCS at t = T/Tc, solved independently:
    ln(Delta0/Delta) = 2 int_0^inf dxi f(E)/E, Delta0 = pi e^-gamma Tc (units of Tc)."""
    d0 = math.pi * math.exp(-EULER_GAMMA)

    def eq(d: float) -> float:
        val = integrate.quad(
            lambda x: 2.0 * special.expit(-math.hypot(x, d) / t) / math.hypot(x, d),
            0.0,
            200.0 * t,
            epsabs=1e-14,
            limit=200,
        )[0]
        return math.log(d0 / d) - val

    return float(optimize.brentq(eq, 1e-9, d0, xtol=1e-15)) / d0


# ----------------------------------------------------------------------------- BCS limit
@pytest.mark.parametrize("g", [0.2, 0.25])
def test_single_free_band_is_bcs(free: Any, g: float) -> None:
    wc = 10.0
    res = gaps.zero_temperature_gaps(free, 0.5, g)
    exact = wc / math.sinh(1.0 / g)  # 1 = g asinh(wc/Delta), constant DOS
    # 1e-3: C_00 = 1 + 1e-4 and the higher cosine modes of I are ~2e-4 at V = 0
    assert res.fermi_gap[0] == pytest.approx(exact, rel=1e-3)
    assert res.coefficients[0, 0] == pytest.approx(exact, rel=1e-3)
    assert np.allclose(res.gap, exact, rtol=2e-3)
    tc = mg.critical_temperature(free, 0.5, g)
    ratio = 2.0 * res.fermi_gap[0] / (KB * tc)
    assert ratio == pytest.approx(3.528, rel=1e-2)
    # exact for this model: Delta0 = wc/sinh(1/g), Tc = (2e^gamma/pi) wc e^-1/g
    assert ratio == pytest.approx(BCS_RATIO / (1.0 - math.exp(-2.0 / g)), rel=1e-3)
    # constant DOS and a symmetric window: the density equation leaves mu where it was
    assert res.mu == pytest.approx(res.mu0, abs=1e-5)
    assert res.superconducting and res.converged and res.residual <= 1e-10
    assert res.fermi_surface.all()


def test_gap_ratios_single_band(free: Any) -> None:
    r = gaps.gap_ratios(free, 0.5, 0.25)
    assert r.ratio[0] == pytest.approx(3.528, rel=1e-2)
    assert math.isnan(r.anisotropy)  # the resonant band is the lowest


@pytest.mark.parametrize("t", [0.5, 0.9])
def test_bcs_temperature_dependence(free: Any, t: float) -> None:
    g = 0.25
    d0 = gaps.zero_temperature_gaps(free, 0.5, g).fermi_gap[0]
    tc = mg.critical_temperature(free, 0.5, g)
    dt = gaps.gaps_at_temperature(free, 0.5, g, t * tc).fermi_gap[0]
    # wc / k_B Tc ~ 48: corrections e^(-wc/T) negligible
    assert dt / d0 == pytest.approx(bcs_ratio_of_t(t), abs=2e-3)


def test_independent_bcs_reference() -> None:
    """The reference solver itself: Delta(T)/Delta(0) -> 1.74 sqrt(1 - t) at Tc (BCS)."""
    t = 0.999
    assert bcs_ratio_of_t(t) / math.sqrt(1.0 - t) == pytest.approx(1.7367, rel=2e-3)


def _vanishing_temperature(model: Any, eta: float, g: float, tc: float) -> float:
    temps = tc * np.array([0.97, 0.98, 0.99, 0.995])
    curve = gaps.gap_curve(model, eta, g, temps)
    d2 = curve.fermi_gap[:, model.resonant_band - 1] ** 2
    slope, icpt = np.polyfit(temps, d2, 1)  # Delta^2 ~ (Tc - T) near Tc
    return float(-icpt / slope)


def test_gap_closes_at_linearised_tc_single_band(free: Any) -> None:
    g = 0.25
    tc = mg.critical_temperature(free, 0.5, g)
    assert _vanishing_temperature(free, 0.5, g, tc) == pytest.approx(tc, rel=5e-3)
    above = gaps.gaps_at_temperature(free, 0.5, g, 1.001 * tc)
    assert not above.superconducting
    assert np.all(above.fermi_gap == 0.0)


def test_gap_closes_at_linearised_tc_preset(preset_a: Any) -> None:
    """Fixed density: the gaps close at the Tc of the linearised equation with mu(T) at the
    same density (tc_result with chemical_potential="fixed_density")."""
    eta, g = 1.0, 0.4
    tc = mg.tc_result(preset_a, eta, g, chemical_potential="fixed_density").tc
    assert _vanishing_temperature(preset_a, eta, g, tc) == pytest.approx(tc, rel=5e-3)
    near = gaps.gaps_at_temperature(preset_a, eta, g, 0.9 * tc)
    assert near.superconducting and np.all(near.fermi_gap > 0.0)
    assert not gaps.gaps_at_temperature(preset_a, eta, g, 1.01 * tc).superconducting


def test_gap_curve_is_monotone(free: Any) -> None:
    tc = mg.critical_temperature(free, 0.5, 0.25)
    temps = tc * np.array([0.9, 0.2, 0.6, 1.2, 0.0])  # any order
    c = gaps.gap_curve(free, 0.5, 0.25, temps)
    order = np.argsort(temps)
    d = c.fermi_gap[order, 0]
    assert np.all(np.diff(d) <= 0.0)
    assert d[-1] == 0.0 and d[0] > 0.0
    assert c.temperature.tolist() == temps.tolist()


# ----------------------------------------------------------------------------- density
@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
def test_density_is_conserved(preset_a: Any, eta: float) -> None:
    res = gaps.zero_temperature_gaps(preset_a, eta, 0.4)
    n0 = float(pdos.density(preset_a.lattice, 3, np.array([preset_a.mu(eta)]))[0])
    # the target is the gap quadrature's own normal density (so that mu = mu0 exactly when
    # Delta -> 0); it equals the closed form to the quadrature's accuracy (measured 1.6e-12)
    assert res.target_density == pytest.approx(n0, rel=1e-11)
    assert res.density == pytest.approx(n0, rel=1e-8)
    assert res.mu0 == pytest.approx(float(preset_a.mu(eta)), abs=1e-12)


def test_density_equation_only_moves_mu(preset_a: Any) -> None:
    """With the density equation off, the gap equation at the renormalised mu gives the same
    gaps as the joint solution (the density equation only fixes mu)."""
    joint = gaps.zero_temperature_gaps(preset_a, 1.0, 0.4)
    assert abs(joint.mu - joint.mu0) > 0.1  # a real shift (meV)
    eta_star = float(preset_a.geometry.subbands.eta_from_mu(joint.mu, 3))
    fixed = gaps.zero_temperature_gaps(preset_a, eta_star, 0.4, fixed_density=False)
    assert fixed.mu == pytest.approx(joint.mu, abs=1e-9)
    assert np.allclose(fixed.coefficients, joint.coefficients, rtol=0, atol=1e-8)
    # and the free band (no shift at all): both modes agree
    free = free_model()
    a = gaps.zero_temperature_gaps(free, 0.5, 0.25)
    b = gaps.zero_temperature_gaps(free, 0.5, 0.25, fixed_density=False)
    assert b.mu == a.mu0
    assert np.allclose(a.coefficients, b.coefficients, rtol=1e-6, atol=1e-12)


# ----------------------------------------------------------------------------- brute force
def _brute_force(model: Any, res: Any, g: float) -> tuple[np.ndarray, float]:
    """A Y(a, mu) and delta n at the solution by nested adaptive quadrature (scipy)."""
    lat = model.lattice
    d = lat.period
    c_x = kinetic_coefficient(lat.mass_x)
    n0 = 1.0 / (4.0 * math.pi * c_x)
    nb, Q = res.coefficients.shape
    q = np.arange(Q)
    wc = np.asarray(model.omega(g))
    mu = res.mu
    Y = np.zeros((nb, Q))
    dn = 0.0
    for n in range(nb):
        a_n = res.coefficients[n]

        def energy(kz: float, n: int = n) -> float:
            return float(pdos.band_energy(lat, nb, np.array([kz]))[n, 0])

        def inner(kz: float, n: int = n, a_n: np.ndarray = a_n) -> np.ndarray:
            e = energy(kz) - mu
            w = wc[n]
            if e >= w:
                return np.zeros(Q + 1)
            delta = float(a_n @ np.cos(q * kz * d))
            lo = math.sqrt(max(-w - e, 0.0) / c_x)
            hi = math.sqrt((w - e) / c_x)
            kf = math.sqrt(max(-e, 0.0) / c_x)

            def big_e(kx: float) -> float:
                return math.hypot(c_x * kx * kx + e, delta)

            pts = [kf] if lo < kf < hi else None
            f = integrate.quad(
                lambda kx: delta / (2.0 * big_e(kx)), lo, hi, points=pts, epsrel=1e-12, limit=200
            )[0]
            occ = integrate.quad(
                lambda kx: (
                    0.5 * (1.0 - (c_x * kx * kx + e) / big_e(kx))
                    - (1.0 if c_x * kx * kx + e < 0.0 else 0.0)
                ),
                lo,
                hi,
                points=pts,
                epsabs=1e-14,
                limit=200,
            )[0]
            return np.append(np.cos(q * kz * d) * f, occ)

        # kz break points: E_n(kz) = mu, mu +- wc
        brk = []
        for level in (mu - wc[n], mu, mu + wc[n]):
            lo_e, hi_e = res_bounds(lat, nb, n)
            if lo_e < level < hi_e:
                f_level, _ = lat.characteristic(np.array([level]))
                brk.append(float(np.arccos(np.clip(f_level[0], -1.0, 1.0))) / d)
        val = integrate.quad_vec(
            inner, 0.0, math.pi / d, points=sorted(brk), epsrel=1e-10, epsabs=1e-13, limit=400
        )[0]
        Y[n] = val[:Q] / (math.pi**2 * n0)
        dn += 2.0 / math.pi**2 * val[Q]
    return Y, dn


def res_bounds(lat: Any, nb: int, n: int) -> tuple[float, float]:
    bottoms, tops = lat.band_edges(nb)
    return float(bottoms[n]), float(tops[n])


@pytest.mark.slow
def test_solution_satisfies_brute_force_equations(preset_a: Any) -> None:
    g = 0.4
    res = gaps.zero_temperature_gaps(preset_a, 0.5, g)
    Y, dn = _brute_force(preset_a, res, g)
    G = couplings.coupling_matrix(3, 3, g)
    C = preset_a.geometry.overlaps.modes
    rhs = np.einsum("nm,nmqr,mr->nq", G, C, Y)
    assert np.max(np.abs(rhs - res.coefficients)) <= 1e-6 * np.max(np.abs(res.coefficients))
    n_exact = float(pdos.density(preset_a.lattice, 3, np.array([res.mu]))[0])
    assert n_exact + dn == pytest.approx(res.target_density, rel=1e-9)


# ----------------------------------------------------------------------------- crossover
def test_bcs_bec_crossover_mu_below_band_edge() -> None:
    """Low density, strong coupling (preset B, g = 0.45): the renormalised mu falls below the
    band edge E_L of the resonant subband continuously and monotonically as the normal-state
    mu0 = E_L + eta Delta_E moves down through it; at eta = 0 (mu0 = E_L) mu < E_L, and the
    resonant subband keeps a finite gap with no Fermi surface (its electrons are paired)."""
    model = mg.preset("B")
    e_l = model.geometry.subbands.edge(3)
    etas = np.linspace(0.1, -0.025, 11)
    results = [gaps.zero_temperature_gaps(model, float(e), 0.45) for e in etas]
    rel = np.array([r.mu - e_l for r in results])
    shift = np.array([r.mu - r.mu0 for r in results])
    assert rel[0] > 0.0 and rel[-1] < 0.0
    assert np.all(np.diff(rel) < 0.0)  # falls as eta falls
    assert np.all(shift <= 0.0)  # pairing lowers mu at fixed density
    # continuous: refining the steepest step spreads its change over the sub-steps (a jump
    # would stay in one of them)
    k = int(np.argmax(np.abs(np.diff(shift))))
    fine_eta = np.linspace(etas[k], etas[k + 1], 5)
    fine = np.array([gaps.zero_temperature_gaps(model, float(e), 0.45).mu for e in fine_eta])
    fine_shift = fine - np.array([float(model.mu(e)) for e in fine_eta])
    assert np.max(np.abs(np.diff(fine_shift))) <= 0.5 * abs(shift[k + 1] - shift[k])
    assert np.all(np.diff(fine - e_l) < 0.0)
    at_edge = results[int(np.argmin(np.abs(etas)))]
    assert at_edge.mu < e_l
    assert not at_edge.fermi_surface[2]
    assert at_edge.fermi_gap[2] > 1.0  # meV, paired below the band edge


# ----------------------------------------------------------------------------- presets
def test_preset_a_quadrature_converged(preset_a: Any) -> None:
    """Default quadrature vs doubled orders: gaps and mu agree to far better than 0.1 %."""
    base = gaps.zero_temperature_gaps(preset_a, 1.0, 0.4)
    fine = gaps.zero_temperature_gaps(
        preset_a,
        1.0,
        0.4,
        kz_order=2 * gaps.DEFAULT_KZ_ORDER,
        kx_order=2 * gaps.DEFAULT_KX_ORDER,
    )
    assert base.converged and base.superconducting
    assert np.allclose(base.fermi_gap, fine.fermi_gap, rtol=1e-3, atol=0)
    assert np.allclose(base.fermi_gap, fine.fermi_gap, rtol=1e-6, atol=0)  # measured ~1e-9
    assert base.mu == pytest.approx(fine.mu, abs=1e-5)


def test_preset_a_gap_structure(preset_a: Any) -> None:
    """The resonant subband has the largest gap, the two background subbands nearly equal
    ones (they share g = 0.1 and the geometric interband couplings)."""
    r = gaps.zero_temperature_gaps(preset_a, 1.0, 0.4)
    assert r.fermi_gap[2] > r.fermi_gap[1] > 0.0
    assert r.fermi_gap[0] == pytest.approx(r.fermi_gap[1], rel=5e-2)
