"""Indefinite coupling matrices (issue 9 item 2): repulsive and purely interband (s+-) Tc.

Two bands with constant DOS N_n = r_n N0, I = 1 and a common cut-off: the linearised gap
equation is Suhl-Matthias-Walker, Tc = 1.134 wc exp(-1/lambda_max) with lambda_max the largest
*algebraic* eigenvalue of diag(sqrt r) G diag(sqrt r) (H. Suhl, B. T. Matthias, L. R. Walker,
Phys. Rev. Lett. 3, 552 (1959)); wc / 2Tc > 8 makes the window integral ln(1.134 wc / T) up
to 2 E1(wc/Tc) < 1e-11, so the closed form holds to ~1e-10. Through the public model API with
``interband="matrix"``, and through the kernel-level search started far from the root.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_tc_limits import bcs_tc, fake_model, flat_tables

from multigap.pairing import tc
from multigap.pairing.tc import pair_matrices, solve_tc

RATIOS = [1.0, 2.0]
CASES = {
    # (coupling matrix with the resonant (2, 2) entry given as g below, g)
    "repulsive interband": ([[0.12, -0.08], [-0.08, 0.0]], 0.05),
    "purely interband, attractive": ([[0.0, 0.22], [0.22, 0.0]], 0.0),
    "purely interband, repulsive (s+-)": ([[0.0, -0.22], [-0.22, 0.0]], 0.0),
    "repulsive intraband, attractive interband": ([[-0.05, 0.2], [0.2, 0.0]], 0.05),
}


def _lambda_max(G: np.ndarray) -> tuple[float, np.ndarray]:
    root = np.sqrt(np.asarray(RATIOS))
    w, U = np.linalg.eigh(root[:, None] * G * root[None, :])
    return float(w[-1]), U[:, -1]


def _matrix(case: str) -> tuple[np.ndarray, float]:
    mat, g = CASES[case]
    G = np.array(mat, dtype=float)
    G[1, 1] = g
    return G, g


@pytest.mark.parametrize("case", list(CASES))
def test_public_api_is_smw_and_consistent(case: str) -> None:
    G, g = _matrix(case)
    assert np.linalg.eigvalsh(G)[0] < 0.0  # indefinite: the case that used to crash
    lam, vec = _lambda_max(G)
    expect = bcs_tc(20.0, lam)
    model = fake_model(RATIOS, omega0=20.0, interband="matrix", coupling_matrix=G.tolist())
    one = tc.critical_temperature(model, 1.0, g)
    res = tc.tc_result(model, 1.0, g)
    batch = tc.critical_temperatures(model, np.full(40, 1.0), g)  # the two-pass batch path
    assert one == pytest.approx(expect, rel=1e-8)
    assert res.tc == pytest.approx(one, rel=1e-12) and not res.below_floor
    assert np.allclose(batch, one, rtol=1e-12, atol=0.0)
    # the relative sign of the two bands' gaps is that of the SMW eigenvector (s+- if opposite)
    assert res.leading_eigenvector is not None
    a = res.leading_eigenvector[:, 0]
    assert np.sign(a[0] * a[1]) == np.sign(vec[0] * vec[1])


def test_s_pm_sign_structure() -> None:
    """Purely repulsive interband coupling: the same Tc as the attractive one, opposite signs."""
    G_att, _ = _matrix("purely interband, attractive")
    G_rep, _ = _matrix("purely interband, repulsive (s+-)")
    lam = 0.22 * math.sqrt(RATIOS[0] * RATIOS[1])
    for G, sign in ((G_att, 1.0), (G_rep, -1.0)):
        model = fake_model(RATIOS, omega0=20.0, interband="matrix", coupling_matrix=G.tolist())
        r = tc.tc_result(model, 1.0, 0.0)
        assert r.tc == pytest.approx(bcs_tc(20.0, lam), rel=1e-8)
        assert r.leading_eigenvector is not None
        assert np.sign(r.leading_eigenvector[0, 0] * r.leading_eigenvector[1, 0]) == sign


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("start_K", [1e-4, 3.0, 2000.0])
def test_search_from_far_starts(case: str, start_K: float) -> None:
    """The Newton search finds the SMW Tc from starts far below and far above it."""
    G, _ = _matrix(case)
    lam, _ = _lambda_max(G)
    t = flat_tables(RATIOS)
    b = solve_tc(t, pair_matrices(t, G[None]), [1000.0], [20.0], start=[math.log(start_K)])
    assert b.tc[0] == pytest.approx(bcs_tc(20.0, lam), rel=1e-8)
    assert b.iterations <= 12


def test_no_attraction_anywhere_is_below_floor() -> None:
    """A negative semidefinite coupling matrix has Lambda <= 0: below the floor, flagged."""
    t = flat_tables(RATIOS)
    G = np.array([[-0.1, -0.05], [-0.05, -0.025]])  # rank 1, eigenvalues -0.125 and 0
    b = solve_tc(t, pair_matrices(t, G[None]), [1000.0], [20.0], vectors=True)
    assert b.below_floor[0] and b.tc[0] == 0.0
