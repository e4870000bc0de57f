"""Lambda(T) falls monotonically with T on both presets at random (eta, g) (SPEC §5)."""

from __future__ import annotations

import functools

import numpy as np
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
