"""Lambda(T) of a preset against a brute-force solution of the linearised gap equation.

An independent route through SPEC §3-§5 sharing only the transfer-matrix subbands (tested on
their own against Kronig-Penney and finite differences): a fine uniform kz grid with the
trapezoidal rule, I^{nn'}(kz, kz') as the direct z sum of the Bloch densities on that grid (no
cosine modes), chi_n(kz) by adaptive quadrature of the kx integral (no projected-DOS tables, no
window weights), and the largest eigenvalue of the dense symmetrised kernel. multigap's
finite-rank kernel with exact energy integrals must give the same eigenvalue.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import multigap as mg
from multigap.constants import KB, kinetic_coefficient
from multigap.pairing import couplings

pytestmark = pytest.mark.slow


def _chi(xi_min: float, wc: float, t: float, cx: float) -> float:
    """(1/N0) int dkx/(2 pi) theta(wc - |xi|) tanh(xi/2t)/(2 xi), xi = cx kx^2 + xi_min.

    In u = sqrt(cx) kx (both signs of kx: a factor 2), with a break point at the Fermi point.
    """
    if xi_min >= wc:
        return 0.0
    ua = math.sqrt(max(-wc - xi_min, 0.0))
    ub = math.sqrt(wc - xi_min)

    def kernel(u: float) -> float:
        xi = xi_min + u * u
        return 1.0 / (4.0 * t) if abs(xi) < 1e-12 else math.tanh(xi / (2.0 * t)) / (2.0 * xi)

    uf = math.sqrt(-xi_min) if xi_min < 0.0 else -1.0
    pts = [uf] if ua < uf < ub else None
    val, _ = integrate.quad(kernel, ua, ub, points=pts, limit=400, epsabs=0.0, epsrel=1e-11)
    n0 = 1.0 / (4.0 * math.pi * cx)
    return 2.0 * val / (2.0 * math.pi * math.sqrt(cx)) / n0


def brute_force_lambda(model: mg.Model, eta: float, g: float, T: float, n_kz: int = 201) -> float:
    """Largest eigenvalue of the discretised linearised gap equation (SPEC §5), directly."""
    lat = model.lattice
    nb, r = model.n_bands, model.resonant_band
    sb = lat.subbands(nb, n_kz=n_kz, n_z=48)
    d = lat.period
    mu = sb.edge(r) + eta * sb.width(r)
    wc = float(couplings.cutoff_energies(model.omega0, np.array([g]), rule=model.cutoff)[0])
    G = couplings.coupling_matrices(
        nb, r, np.array([g]), background_coupling=model.background_coupling
    )[0]
    cx = kinetic_coefficient(lat.mass_x)
    chi = np.array([[_chi(float(e) - mu, wc, KB * T, cx) for e in sb.energy[n]] for n in range(nb)])
    # trapezoid on [0, pi/d], doubled for the full (even) zone, with the 1/(2 pi) of the measure
    w = np.full(n_kz, math.pi / d / (n_kz - 1))
    w[[0, -1]] /= 2.0
    w *= 2.0 / (2.0 * math.pi)
    overlap = d * np.einsum("z,niz,mjz->nimj", sb.z_weights, sb.density, sb.density)
    root = np.sqrt(chi * w).reshape(-1)
    kernel = (G[:, None, :, None] * overlap).reshape(nb * n_kz, nb * n_kz)
    return float(np.linalg.eigvalsh(root[:, None] * kernel * root[None, :]).max())


@pytest.mark.parametrize(
    ("eta", "g", "T"),
    [
        (1.0, 0.3, 120.0),  # dome top, neck opening
        (0.4, 0.2, 30.0),  # closed 2D pocket
        (1.6, 0.45, 60.0),  # open 1D sheets, strong coupling
        (-0.3, 0.25, 0.5),  # mu below the resonant subband (anti-resonance side)
    ],
)
def test_lambda_matches_brute_force(eta: float, g: float, T: float) -> None:
    model = mg.preset("A")
    lam = mg.pairing_eigenvalue(model, eta, g, T)
    ref = brute_force_lambda(model, eta, g, T)
    # measured: 1e-7 to 4e-6 relative (the brute force's own kz-grid error at 201 points)
    assert lam == pytest.approx(ref, rel=2e-5)


@pytest.mark.parametrize(
    ("eta", "g"),
    [
        (1.0, 0.3),  # dome top
        (-0.3, 0.25),  # anti-resonance, Tc of a few mK
    ],
)
def test_fast_tc_search_lands_where_brute_force_lambda_is_one(eta: float, g: float) -> None:
    """The fast Tc path (prepared windows, Newton on ln T with the Hellmann-Feynman slope,
    scalar search of an isolated point, warm-started batch) gives a Tc at which the
    independent brute-force Lambda is 1 to its own accuracy (2e-5), and batch and isolated
    points agree."""
    model = mg.preset("A")
    tc = mg.critical_temperature(model, eta, g)
    assert tc > 1e-3
    lam = brute_force_lambda(model, eta, g, tc)
    assert lam == pytest.approx(1.0, rel=2e-5)
    batch = mg.critical_temperatures(model, np.full(20, eta), g)
    assert np.allclose(batch, tc, rtol=1e-9, atol=0.0)
