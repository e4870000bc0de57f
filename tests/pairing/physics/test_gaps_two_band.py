"""Two-band BCS (Suhl-Matthias-Walker / Moskalenko) through the public API, interband="matrix".

Two folded free bands of the empty lattice (V = 0, period d = 0.5 nm, E1 = C (pi/d)^2): at
energies E1 < E < 4 E1 subband 1 (kz in the first zone) and subband 2 (the second zone folded
back) both have Fermi surfaces, with the exact densities of states

    N_1(E) / N0 = (2/pi) arcsin(sqrt(E1/E)),   N_2(E) / N0 = 1 - N_1(E) / N0,

(total N0: the free 2D gas). With plane waves I^{nn'} = 1 (only the q = q' = 0 cosine mode,
which the model reproduces exactly at V = 0: checked to 1e-12 before each use) the gaps are
constants Delta_n and the SMW / Moskalenko equations are

    Tc:   largest eigenvalue of chi^{1/2} G chi^{1/2} = 1,
          chi_n(T) = (1/N0) int_{-wc}^{wc} dxi N_n(mu + xi) tanh(xi / 2T) / (2 xi),
    T=0:  Delta_n = sum_m g_nm Delta_m (1/N0) int_{-wc}^{wc} dxi N_m(mu + xi) / (2 E_m),
    n:    n / 2 = N0 (mu - wc) + sum_m int_{-wc}^{wc} dxi N_m(mu + xi) (1 - xi / E_m) / 2
          = N0 mu0   (fixed density; the total DOS N0 is constant from 0 to 4 E1),

E_m = sqrt(xi^2 + Delta_m^2). They are solved here with scipy (adaptive quadrature, Brent,
Powell's hybrid method) -- no multigap code -- for a positive-definite, an indefinite
(repulsive intraband channel) and a purely interband repulsive (s+-) coupling matrix.
At the Tc scale the constant total DOS keeps the fixed-density mu(T) at mu0 (to e^-(mu/k_B T)),
so one Tc serves both rules. The Tc part needs the indefinite-matrix eigenvector fix in
``multigap.pairing.tc._PairOperator.leading``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize

import multigap as mg
from multigap.constants import KB

WC = 10.0  # meV
LATTICE = mg.Superlattice(0.25, 0.25, height=0.0)

MATRICES = {
    "positive": ((0.25, 0.12), (0.12, 0.3)),
    "repulsive": ((-0.1, 0.3), (0.3, 0.25)),
    "interband": ((0.0, -0.4), (-0.4, 0.0)),
}


def model_for(kind: str) -> Any:
    mat = MATRICES[kind]
    model = mg.Model(
        LATTICE,
        omega0=WC,
        n_bands=2,
        resonant_band=2,
        interband="matrix",
        coupling_matrix=mat,
        cutoff="fixed",
    )
    C = np.asarray(model.geometry.overlaps.modes)  # exact at V = 0: I = 1, only C_00
    exact = np.zeros_like(C)
    exact[:, :, 0, 0] = 1.0
    assert np.max(np.abs(C - exact)) < 1e-12
    return model


def e1() -> float:
    return float(LATTICE.band_edges(1)[1][0])


def dos(m: int, energy: float) -> float:
    """N_m(E) / N0 for E1 < E < 4 E1."""
    f1 = 2.0 / math.pi * math.asin(math.sqrt(e1() / energy))
    return f1 if m == 0 else 1.0 - f1


def _quad(fn: Any, mu: float) -> float:
    return float(
        integrate.quad(fn, -WC, WC, points=[0.0], epsabs=1e-15, epsrel=1e-13, limit=400)[0]
    )


def chi(m: int, mu: float, t_mev: float) -> float:
    def f(x: float) -> float:
        return dos(m, mu + x) * (
            math.tanh(x / (2 * t_mev)) / (2 * x) if x != 0 else 1 / (4 * t_mev)
        )

    return _quad(f, mu)


def lam(G: np.ndarray, mu: float, t_mev: float) -> float:
    s = np.sqrt([chi(0, mu, t_mev), chi(1, mu, t_mev)])
    return float(np.linalg.eigvalsh(s[:, None] * G * s[None, :])[-1])


def ref_tc(G: np.ndarray, mu: float) -> float:
    """Tc, K: Lambda(Tc) = 1 on ln T."""
    t = optimize.brentq(
        lambda lt: lam(G, mu, math.exp(lt)) - 1.0, math.log(1e-4), math.log(5.0), xtol=1e-14
    )
    return math.exp(t) / KB


def ref_gaps(G: np.ndarray, mu0: float, fixed_density: bool, start: np.ndarray) -> np.ndarray:
    """(Delta_1, Delta_2, mu) at T = 0."""

    def kern(m: int, d: float, mu: float) -> float:
        return _quad(lambda x: dos(m, mu + x) / (2.0 * math.hypot(x, d)), mu)

    def occ(m: int, d: float, mu: float) -> float:
        return _quad(lambda x: dos(m, mu + x) * 0.5 * (1.0 - x / math.hypot(x, d)), mu)

    def eqs(y: np.ndarray) -> np.ndarray:
        d = y[:2]
        mu = mu0 + y[2] if fixed_density else mu0
        k = np.array([kern(0, d[0], mu), kern(1, d[1], mu)])
        gap = d - G @ (d * k)
        dens = (mu - WC) + occ(0, d[0], mu) + occ(1, d[1], mu) - mu0
        return np.append(gap, dens if fixed_density else y[2])

    sol = optimize.root(eqs, np.append(start, 0.0), method="hybr", options={"xtol": 1e-14})
    assert np.max(np.abs(eqs(sol.x))) < 1e-12  # (hybr may stop at "xtol too small")
    return np.array([sol.x[0], sol.x[1], mu0 + sol.x[2]])


@pytest.fixture(scope="module", params=sorted(MATRICES))
def case(request: Any) -> tuple[str, Any]:
    return request.param, model_for(request.param)


ETA = 1.0 / 3.0  # mu0 = E1 + (4 E1 - E1) / 3 = 2 E1: N_1 = N_2 = N0 / 2 at mu0


def test_two_band_tc(case: tuple[str, Any]) -> None:
    kind, model = case
    G = np.asarray(MATRICES[kind], dtype=float)
    mu0 = float(model.mu(ETA))
    assert mu0 == pytest.approx(2.0 * e1(), rel=1e-9)
    tc = ref_tc(G, mu0)
    for rule in ("fixed_mu", "fixed_density"):
        assert mg.critical_temperature(model, ETA, G[1, 1], chemical_potential=rule) == (
            pytest.approx(tc, rel=1e-5)
        )


@pytest.mark.parametrize("fixed_density", [True, False])
def test_two_band_zero_temperature_gaps(case: tuple[str, Any], fixed_density: bool) -> None:
    kind, model = case
    G = np.asarray(MATRICES[kind], dtype=float)
    mu0 = float(model.mu(ETA))
    res = mg.zero_temperature_gaps(model, ETA, G[1, 1], fixed_density=fixed_density)
    # start of the reference: the BCS size in the sign structure of the leading eigenvector
    _, v = np.linalg.eigh(G)
    start = 1.764 * KB * ref_tc(G, mu0) * v[:, -1] / np.max(np.abs(v[:, -1]))
    ref = ref_gaps(G, mu0, fixed_density, start)
    sign = np.sign(res.fermi_gap[np.argmax(np.abs(ref[:2]))] * ref[np.argmax(np.abs(ref[:2]))])
    assert res.fermi_gap * sign == pytest.approx(ref[:2], rel=1e-5)
    assert res.mu == pytest.approx(ref[2], abs=1e-5 * float(np.max(np.abs(ref[:2]))))
    assert np.allclose(res.spectral_gap, np.abs(ref[:2]), rtol=1e-5)
    if kind == "interband":  # s+-: opposite signs, equal magnitudes at equal DOS
        assert res.fermi_gap[0] * res.fermi_gap[1] < 0.0
    else:
        assert res.fermi_gap[0] * res.fermi_gap[1] > 0.0


def ref_gaps_at(G: np.ndarray, mu: float, t_mev: float, start: np.ndarray) -> np.ndarray:
    """(Delta_1, Delta_2) at temperature T (k_B T = t_mev), mu fixed."""

    def kern(m: int, d: float) -> float:
        def f(x: float) -> float:
            e = math.hypot(x, d)
            return dos(m, mu + x) * math.tanh(e / (2.0 * t_mev)) / (2.0 * e)

        return _quad(f, mu)

    def eqs(d: np.ndarray) -> np.ndarray:
        return d - G @ (d * np.array([kern(0, d[0]), kern(1, d[1])]))

    sol = optimize.root(eqs, start, method="hybr", options={"xtol": 1e-14})
    assert np.max(np.abs(eqs(sol.x))) < 1e-12
    return np.asarray(sol.x)


@pytest.mark.parametrize("kind", ["repulsive", "interband"])
def test_two_band_gaps_at_half_tc(kind: str) -> None:
    """Indefinite couplings at T = Tc/2 (fixed mu) against the finite-T SMW equations."""
    model = model_for(kind)
    G = np.asarray(MATRICES[kind], dtype=float)
    mu0 = float(model.mu(ETA))
    tc = ref_tc(G, mu0)
    res = mg.gaps_at_temperature(model, ETA, G[1, 1], 0.5 * tc, fixed_density=False)
    _, v = np.linalg.eigh(G)
    ref = ref_gaps_at(G, mu0, 0.5 * KB * tc, 1.5 * KB * tc * v[:, -1] / np.max(np.abs(v[:, -1])))
    sign = np.sign(res.fermi_gap[0] * ref[0])
    assert res.superconducting and res.tc == pytest.approx(tc, rel=1e-5)
    assert res.fermi_gap * sign == pytest.approx(ref, rel=1e-5)


def test_two_band_sweep_with_indefinite_couplings() -> None:
    """The sweep's gaps quantity runs on an indefinite (s+-) coupling matrix."""
    from multigap.runs.sweep import sweep

    model = model_for("interband")
    ds = sweep(model, [ETA], [0.0], quantities=("gaps",), progress=False)
    gap = ds["fermi_gap"].values[0, 0]
    assert bool(ds["gap_converged"].values[0, 0]) and gap[0] * gap[1] < 0.0
    assert np.all(np.isfinite(ds["gap_ratio"].values[0, 0]))
