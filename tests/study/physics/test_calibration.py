"""coupling_scale (SPEC §12): where it enters, what the Migdal cut-off sees, the calibration fit.

The scale multiplies every g_nn'. With the geometric rule a model of scale s at resonant
coupling g is, in its couplings, the unscaled model at g' = s g with background s g_bg; the
cut-off sees the bare g, so the unscaled twin gets the bare phonon energy
w0' = w0 sqrt(1 - 2 g) / sqrt(1 - 2 s g) to keep the same cut-off. Both must then give the same
Tc and gaps (an exact identity of the equations).
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources

import numpy as np
import pytest

import multigap as mg
from multigap.model import Model
from multigap.pairing.couplings import coupling_matrices
from multigap.pairing.gaps import zero_temperature_gaps
from multigap.pairing.tc import critical_temperatures
from multigap.study.calibration import calibrate, tc_maximum

S, G, ETA = 1.2, 0.3, 0.9


def twin(model: Model, s: float, g: float) -> Model:
    """The unscaled model whose couplings at s g equal those of ``model`` (scale s) at g."""
    w0 = model.omega0 * math.sqrt(1.0 - 2.0 * g) / math.sqrt(1.0 - 2.0 * s * g)
    other = model.with_(background_coupling=s * model.background_coupling, omega0=w0)
    # the same geometry tables (a larger w0 would only extend their energy grid): the identity
    # is then exact up to the solvers' tolerances
    other.__dict__["geometry"] = model.geometry
    return other


def test_matrices_are_scaled_exactly() -> None:
    g = np.array([0.1, 0.3, 0.45])
    base = coupling_matrices(3, 3, g)
    np.testing.assert_array_equal(coupling_matrices(3, 3, g, coupling_scale=1.0), base)
    np.testing.assert_allclose(coupling_matrices(3, 3, g, coupling_scale=S), S * base, rtol=1e-15)
    with pytest.raises(ValueError, match="coupling_scale"):
        coupling_matrices(3, 3, g, coupling_scale=0.0)


def test_migdal_cutoff_sees_the_bare_g() -> None:
    a = mg.preset("A")
    np.testing.assert_array_equal(a.with_(coupling_scale=S).omega(G), a.omega(G))


def test_tc_with_scale_equals_the_unscaled_twin() -> None:
    a = mg.preset("A")
    scaled = float(critical_temperatures(a.with_(coupling_scale=S), ETA, G))
    same = float(critical_temperatures(twin(a, S, G), ETA, S * G))
    assert scaled > 1.05 * float(critical_temperatures(a, ETA, G))  # the scale matters
    assert scaled == pytest.approx(same, rel=1e-9)


def test_gaps_with_scale_equal_the_unscaled_twin() -> None:
    a = mg.preset("A")
    scaled = zero_temperature_gaps(a.with_(coupling_scale=S), ETA, G).fermi_gap
    same = zero_temperature_gaps(twin(a, S, G), ETA, S * G).fermi_gap
    np.testing.assert_allclose(scaled, same, rtol=1e-8)


def test_config_round_trip_and_default_unchanged() -> None:
    a = mg.preset("A")
    assert "coupling_scale" not in a.to_dict()["pairing"]  # default configurations unchanged
    b = a.with_(coupling_scale=1.0625)
    assert Model.from_dict(b.to_dict()) == b
    cfg = tomllib.loads(resources.files("multigap.presets").joinpath("A.toml").read_text())
    cfg["pairing"]["coupling_scale"] = 1.0625
    assert Model.from_dict(cfg).coupling_scale == 1.0625
    with pytest.raises(ValueError, match="coupling_scale must lie in \\(0, 10\\]"):
        a.with_(coupling_scale=-1.0)


def test_tc_maximum_is_a_local_maximum() -> None:
    a = mg.preset("A")
    m = tc_maximum(a)
    de = np.linspace(-0.01, 0.01, 9)
    tc = critical_temperatures(a, m.eta_at_max + de[:, None], m.g_at_max + de[None, :])
    assert float(np.max(tc)) <= m.tc_max * (1.0 + 1e-6)


def test_calibration_recovers_a_known_scale() -> None:
    a = mg.preset("A")
    grid = {"n_eta": 21, "n_g": 8}
    known = 1.0437
    target = tc_maximum(a.with_(coupling_scale=known), **grid).tc_max
    res = calibrate(a, target, **grid)
    assert res.coupling_scale == pytest.approx(known, abs=1e-4)
    assert res.maximum.tc_max == pytest.approx(target, rel=1e-6)
    d = res.to_dict()
    assert {"coupling_scale", "tc_max_K", "eta_at_max", "g_at_max", "predicted"} <= set(d)


def test_unreachable_target_is_reported() -> None:
    with pytest.raises(ValueError, match="target_tc_max"):
        calibrate(mg.preset("A"), -3.0)


def test_parabolic_minimum_is_exact_for_a_parabola() -> None:
    from multigap.study.figures import _parabolic_min

    x = np.linspace(-1.0, 0.0, 11)
    y = 3.0 * (x + 0.337) ** 2 + 0.25
    xm, ym = _parabolic_min(x, y)
    assert xm == pytest.approx(-0.337, abs=1e-12) and ym == pytest.approx(0.25, abs=1e-12)
    assert all(math.isnan(v) for v in _parabolic_min(x, x))  # minimum at an end: none


def test_antiresonance_of_tc_g_matches_a_fine_scan() -> None:
    """The Tc(g) figure's anti-resonance (51 points + parabola) against a 2001-point scan."""
    from multigap.study.figures import tc_g_data

    a = mg.preset("A")
    ds = tc_g_data(a, eta=[0.0], g=[0.25])
    eta = np.linspace(-1.0, 0.0, 2001)
    tc = critical_temperatures(a, eta, 0.25)
    k = int(np.argmin(tc))
    assert float(ds["antiresonance_eta"][0]) == pytest.approx(eta[k], abs=2e-3)
    assert float(ds["antiresonance_tc"][0]) == pytest.approx(tc[k], rel=1e-3)
