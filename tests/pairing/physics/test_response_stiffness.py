"""Phase stiffness, BKT temperature and London depth against closed forms (SPEC §11).

Expected numbers are closed forms or independent calculations: hbar^2 n/(4 m_x) with n the
exact normal-state density of the fixed-density state, the stiffness of a free 2D band from the
Yosida function of an independently solved BCS gap Delta(T) (scipy quad and brentq), the
near-Tc limit T_BKT/Tc = 1/(1 + 4 k_B Tc/E_F), and the London depth sqrt(m s/(mu_0 e^2 n)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import constants as sc
from scipy import integrate, optimize, special

import multigap as mg
from multigap.constants import KB, kinetic_coefficient
from multigap.pairing.response import stiffness

CX = kinetic_coefficient(1.0)
WC = 10.0


def free_band(omega0: float = WC) -> Any:
    """The empty lattice (V = 0) of period 0.5 nm with one subband: E = C kz^2 up to 1504 meV,
    a free 2D band with DOS N0 and I = 1 (to 1e-4) below the zone-boundary energy."""
    lat = mg.Superlattice(well=0.25, barrier=0.25, height=0.0)
    return mg.Model(lat, omega0=omega0, n_bands=1, resonant_band=1, cutoff="fixed")


@pytest.fixture(scope="module")
def free() -> Any:
    return free_band()


def eta_of_fermi(model: Any, e_f: float) -> float:
    sb = model.subbands
    return (e_f - sb.edge(1)) / sb.width(1)


# ------------------------------------------------------------------------ J_xx(0) = hbar^2 n/4m
@pytest.mark.parametrize(
    ("name", "eta", "g"),
    [("A", 0.2, 0.41), ("A", 0.95, 0.41), ("A", 1.5, 0.3), ("A", -0.1, 0.45), ("B", 0.95, 0.41)],
)
def test_xx_stiffness_at_zero_temperature_is_the_density(name: str, eta: float, g: float) -> None:
    model = mg.preset(name)
    J = mg.superfluid_stiffness(model, eta, g)
    gaps = mg.zero_temperature_gaps(model, eta, g)
    assert gaps.superconducting and J.superconducting
    n = float(mg.density(model.lattice, model.n_bands, gaps.mu0))  # exact normal-state density
    assert J.xx == pytest.approx(CX * n / 2.0, rel=1e-8)  # hbar^2/(4 m) = C_x/2
    assert J.bands_xx.sum() == pytest.approx(J.xx, rel=1e-14)
    assert J.zz > 0.0 and np.all(J.bands_zz > 0.0)
    assert J.mu_convention == "fixed_density"


@pytest.mark.parametrize(("eta", "g"), [(0.05, 0.3), (0.001, 0.4)])
def test_free_band_is_isotropic_at_zero_temperature(free: Any, eta: float, g: float) -> None:
    J = mg.superfluid_stiffness(free, eta, g)
    n = float(mg.density(free.lattice, 1, free.mu(eta)))
    e_f = 2.0 * math.pi * CX * n  # n = 2 N0 E_F, N0 = 1/(4 pi C)
    assert J.xx == pytest.approx(e_f / (4.0 * math.pi), rel=1e-8)
    # J_zz: the kz curvature of the folded band is 2 C; Delta(kz) is constant to 1e-4
    assert J.zz == pytest.approx(J.xx, rel=1e-6)


# ------------------------------------------------------------------------ J(Tc) = 0
@pytest.mark.parametrize("which", ["free", "A"])
def test_stiffness_vanishes_linearly_at_tc(free: Any, which: str) -> None:
    model, eta, g = (free, 0.05, 0.3) if which == "free" else (mg.preset("A"), 0.95, 0.41)
    tc = mg.tc_result(model, eta, g, chemical_potential="fixed_density").tc
    above = mg.superfluid_stiffness(model, eta, g, tc * 1.0001)
    assert above.xx == 0.0 and above.zz == 0.0 and not above.superconducting
    ts = tc * np.array([0.99, 0.995])
    jx = [mg.superfluid_stiffness(model, eta, g, t).xx for t in ts]
    jz = [mg.superfluid_stiffness(model, eta, g, t).zz for t in ts]
    for j in (jx, jz):  # J ∝ Delta^2 ∝ Tc - T: the line through both points hits 0 at Tc
        slope = (j[1] - j[0]) / (ts[1] - ts[0])
        assert ts[0] - j[0] / slope == pytest.approx(tc, rel=5e-4)


# ------------------------------------------------------------------------ BKT, free band
def bcs_gap(T: float, g: float, wc: float) -> float:
    """Delta(T) of 1/g = int_0^wc tanh(E/2T)/E dxi (meV; T in meV), independent of multigap."""

    def eq(d: float) -> float:
        return (
            integrate.quad(
                lambda x: math.tanh(math.hypot(x, d) / (2 * T)) / math.hypot(x, d),
                0.0,
                wc,
                limit=400,
                epsabs=1e-14,
                points=[T, 10 * T],
            )[0]
            - 1.0 / g
        )

    if eq(1e-12) < 0.0:
        return 0.0
    return float(optimize.brentq(eq, 1e-12, wc, xtol=1e-15))


def stiffness_ratio(T: float, g: float, wc: float) -> float:
    """J(T)/J(0) of a constant-DOS band with a symmetric window: (1 - 2 f(wc)) - Y(T), Y the
    Yosida function int_{-wc}^{wc} (-df/dE) dxi of the BCS gap (T in meV)."""
    d = bcs_gap(T, g, wc)
    y = (
        2.0
        * integrate.quad(
            lambda x: (
                float(special.expit(math.hypot(x, d) / T) * special.expit(-math.hypot(x, d) / T))
                / T
            ),
            0.0,
            wc,
            limit=400,
            epsabs=1e-15,
            points=[T, 10 * T],
        )[0]
    )
    return 1.0 - 2.0 * float(special.expit(-wc / T)) - y


@pytest.mark.parametrize("e_f", [12.0, 75.0])
def test_free_band_bkt_is_the_yosida_criterion(free: Any, e_f: float) -> None:
    g = 0.3
    eta = eta_of_fermi(free, e_f)
    res = mg.bkt_result(free, eta, g)
    n = float(mg.density(free.lattice, 1, free.mu(eta)))
    ef = 2.0 * math.pi * CX * n
    assert ef == pytest.approx(e_f, rel=1e-9)
    # the lattice's I = 1 + O(1e-4) shifts the coupling slightly: the reference BCS band takes
    # the effective g with the model's own Tc, 1/g = int_0^wc tanh(xi/2Tc)/xi
    t_c = KB * res.tc
    g_eff = (
        1.0
        / integrate.quad(
            lambda x: math.tanh(x / (2 * t_c)) / x, 0.0, WC, limit=400, points=[t_c, 10 * t_c]
        )[0]
    )
    assert g_eff == pytest.approx(g, rel=1e-3)
    t_ref = optimize.brentq(
        lambda t: t - ef / 8.0 * stiffness_ratio(t, g_eff, WC), 1e-3 * ef, ef / 8.0, xtol=1e-13
    )
    assert KB * res.tbkt == pytest.approx(t_ref, rel=2e-6)
    # near Tc (1 - Y ~ 2(1 - T/Tc)): T_BKT/Tc = 1/(1 + 4 k_B Tc/E_F)
    near = 1.0 / (1.0 + 4.0 * KB * res.tc / ef)
    assert res.ratio == pytest.approx(near, rel=0.02 if e_f < 20 else 2e-3)
    assert KB * res.tbkt <= ef / 8.0
    assert res.xx == pytest.approx(
        ef / (4 * math.pi) * stiffness_ratio(KB * res.tbkt, g_eff, WC), rel=1e-4
    )


def test_bkt_below_fermi_energy_over_eight(free: Any) -> None:
    """Where Tc > E_F/8 (towards BEC) T_BKT is capped by E_F/8 and approaches it as the
    Yosida function at T_BKT falls (Delta/T_BKT grows)."""
    fractions = []
    for eta, g in [(0.005, 0.3), (0.001, 0.4), (0.0005, 0.45)]:
        res = mg.bkt_result(free, eta, g)
        ef = 2.0 * math.pi * CX * float(mg.density(free.lattice, 1, free.mu(eta)))
        assert KB * res.tbkt <= ef / 8.0
        fractions.append(KB * res.tbkt / (ef / 8.0))
    assert fractions[1] < fractions[2] < 1.0
    assert mg.bkt_temperature(free, 0.0005, 0.45) == pytest.approx(res.tbkt, rel=1e-12)


def test_bkt_presets_below_tc() -> None:
    model = mg.preset("A")
    res = mg.bkt_result(model, 0.95, 0.41)
    assert 0.0 < res.tbkt < res.tc
    # the criterion holds at the root
    assert KB * res.tbkt == pytest.approx(0.5 * math.pi * math.sqrt(res.xx * res.zz), rel=1e-6)


def test_bkt_below_floor_is_zero(free: Any) -> None:
    res = mg.bkt_result(free, 0.05, 0.05)  # Tc = 1.134 wc e^-20 = 3e-7 K < the 1e-5 K floor
    assert res.below_floor and res.tbkt == 0.0 and math.isnan(res.ratio)


# ------------------------------------------------------------------------ London depth
def test_london_depth_of_free_band(free: Any) -> None:
    eta, s = 0.05, 1.2
    lam = mg.london_penetration_depth(free, eta, 0.3, stacking_period=s)
    n = float(mg.density(free.lattice, 1, free.mu(eta))) * 1e18  # 1/m^2
    ref = math.sqrt(sc.m_e * s * 1e-9 / (sc.mu_0 * sc.e**2 * n)) * 1e9
    assert lam.xx == pytest.approx(ref, rel=1e-8)
    assert lam.zz == pytest.approx(ref, rel=1e-6)
    assert lam.stacking_period == s
    hot = mg.london_penetration_depth(free, eta, 0.3, T=100.0, stacking_period=s)
    assert math.isinf(hot.xx)
    with pytest.raises(ValueError, match="stacking_period"):
        mg.london_penetration_depth(free, eta, 0.3, stacking_period=0.0)


def test_stiffness_of_normal_state_is_zero(free: Any) -> None:
    gaps = mg.gaps_at_temperature(free, 0.05, 0.3, 50.0)
    jx, jz = stiffness.stiffness_of(free, gaps)
    assert np.all(jx == 0.0) and np.all(jz == 0.0)
