"""Lambda(T) on both presets (SPEC §5): it falls monotonically with T at random (eta, g), and
the fast Tc search lands where the slow exact Lambda is one."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import multigap as mg

T = np.geomspace(1e-5, 1e3, 90)  # K, from the default floor to far above every Tc


@functools.cache
def _model(name: str) -> mg.Model:
    return mg.preset(name)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["A", "B"]),
    st.floats(-1.0, 2.0, allow_nan=False),
    st.floats(0.10, 0.49, allow_nan=False),
)
def test_lambda_falls_with_temperature_on_the_presets(name: str, eta: float, g: float) -> None:
    lam = np.asarray(mg.pairing_eigenvalue(_model(name), eta, g, T), dtype=float)
    assert np.all(np.isfinite(lam)) and np.all(lam > 0.0)
    assert np.all(np.diff(lam) <= 1e-12 * lam[:-1]), (name, eta, g, lam)
    # and strictly somewhere: T matters (it is not a constant)
    assert lam[0] > lam[-1]


def _lambda_slow(model: mg.Model, eta: float, g: float, T_K: float) -> float:
    """Lambda from the exact segment-by-segment moments (kernel.chi_moments, no panels) and
    the dense symmetric kernel M^{1/2} (G o C) M^{1/2} (no factorisation, no subspace, no
    compiled eigen-solver)."""
    from multigap.constants import KB
    from multigap.pairing import tc
    from multigap.pairing.kernel import chi_moments

    tables = tc._tables_of(model)
    _, _, _, mu, G, wc = tc._points(model, eta, g)
    pd = model.geometry.pdos
    per_band = wc.ndim == 2
    X = chi_moments(pd, mu[0], KB * T_K, wc[0], per_band=per_band)  # (nb, S)
    Q = tables.n_modes
    q = np.arange(Q)
    blocks = [0.5 * (X[n][q[:, None] + q[None, :]] + X[n][np.abs(q[:, None] - q[None, :])])
              for n in range(tables.n_bands)]  # fmt: skip
    M = np.zeros((tables.n_bands * Q,) * 2)
    for n, b in enumerate(blocks):
        M[n * Q : (n + 1) * Q, n * Q : (n + 1) * Q] = b
    w, U = np.linalg.eigh(M)
    root = (U * np.sqrt(np.maximum(w, 0.0))) @ U.T
    A = tc.pair_matrices(tables, G)[0]
    return float(np.linalg.eigvalsh(root @ A @ root)[-1])


@pytest.mark.parametrize("name", ["A", "B"])
@pytest.mark.parametrize(
    ("eta", "g"), [(-0.3, 0.3), (0.0, 0.4), (0.2, 0.3), (0.97, 0.42), (1.5, 0.25), (2.0, 0.15)]
)
def test_fast_tc_is_where_the_exact_lambda_is_one(name: str, eta: float, g: float) -> None:
    """The whole fast chain of the Tc search (panel moments, the fixed mode subspace, the
    factored projection, the compiled eigenpairs, Newton on ln T) lands where the slow exact
    chain gives Lambda = 1: |Lambda_slow(Tc) - 1| < 1e-10 (the moments' 1e-12 times the
    condition of the eigenproblem, and the search's |d ln Tc| < 1e-9 times |dLambda/d ln T|
    < 1 would allow 1e-9; measured 1.7e-14 at tol = 1e-12)."""
    model = _model(name)
    tc_k = mg.critical_temperature(model, eta, g, tol=1e-12)
    assert tc_k > 0.0
    assert abs(_lambda_slow(model, eta, g, tc_k) - 1.0) < 1e-10
