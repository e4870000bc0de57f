"""Tc along a pressure path, and the path fit recovering a known path from synthetic points.

The synthetic data come from the real Tc solver on preset A along a known linear path, with
Gaussian noise of known sigma (seeded); the fit must recover the path within its own quoted
uncertainties (3 sigma).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import multigap as mg
from multigap.study.pressure import (
    PARAMS,
    PressurePath,
    eta_limits,
    fit_path,
    fit_path_from_csv,
    fit_path_to_summary,
    tc_along,
)

TRUE = PressurePath(eta0=0.8, eta1=0.015, g0=0.38, g1=-0.0005)
PRESSURES = np.linspace(110.0, 230.0, 16)
SIGMA = 4.0


@pytest.fixture(scope="module")
def model() -> mg.Model:
    return mg.preset("A")


@pytest.fixture(scope="module")
def clean(model: mg.Model) -> np.ndarray:
    return tc_along(model, TRUE, PRESSURES)


def test_tc_along_is_tc_at_eta_g_of_p(model: mg.Model, clean: np.ndarray) -> None:
    direct = mg.critical_temperatures(model, TRUE.eta(PRESSURES), TRUE.g(PRESSURES))
    np.testing.assert_allclose(clean, direct, rtol=1e-12)
    # a dome: rises, peaks inside, falls
    i = int(np.argmax(clean))
    assert 0 < i < clean.size - 1 and clean[i] > 150.0


def test_callable_path_matches_linear(model: mg.Model, clean: np.ndarray) -> None:
    path = PressurePath(eta_of_p=TRUE.eta, g_of_p=lambda p: 0.38 - 0.0005 * (p - 150.0))
    assert not path.is_linear
    np.testing.assert_allclose(tc_along(model, path, PRESSURES), clean, rtol=1e-12)


def test_g_leaving_its_range_names_p_and_g(model: mg.Model) -> None:
    path = PressurePath(eta0=1.0, eta1=0.0, g0=0.45, g1=0.001)
    with pytest.raises(ValueError, match=r"g = 0\.5 at P = 200 GPa"):
        tc_along(model, path, [150.0, 200.0])
    with pytest.raises(ValueError, match=r"g = -0\.05 at P = 100 GPa"):
        tc_along(model, PressurePath(g0=0.0, g1=0.001), [100.0])
    with pytest.raises(ValueError, match="pressure must be >= 0"):
        tc_along(model, TRUE, [-1.0])


def test_fit_recovers_known_path_within_uncertainties(model: mg.Model, clean: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    y = np.maximum(clean + rng.normal(0.0, SIGMA, clean.size), 0.0)
    err = np.full_like(y, SIGMA)
    res = fit_path(model, PRESSURES, y, err)
    assert res.success and res.weighted and res.dof == PRESSURES.size - 4
    for k in PARAMS:
        assert res.errors[k] > 0.0
        assert abs(res.params[k] - getattr(TRUE, k)) < 3.0 * res.errors[k], k
    # chi^2 consistent with the noise (dof = 12: the 99.9 % quantile is 32.9)
    assert 1.0 < res.chi2 < 32.9
    # the covariance is symmetric positive definite and its diagonal gives the errors
    cov = res.covariance
    np.testing.assert_allclose(cov, cov.T, rtol=1e-10, atol=0)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), [res.errors[k] for k in PARAMS])
    json.dumps(res.summary())


def test_noiseless_fit_is_exact_and_unweighted(model: mg.Model, clean: np.ndarray) -> None:
    start = {"eta0": 0.9, "eta1": 0.012, "g0": 0.36, "g1": 0.0}
    res = fit_path(model, PRESSURES, clean, p0=start)
    assert not res.weighted
    for k in PARAMS:
        assert res.params[k] == pytest.approx(getattr(TRUE, k), rel=1e-4, abs=1e-6), k
    assert res.chi2 < 1e-6
    np.testing.assert_allclose(res.tc_model, clean, atol=1e-3)


def test_fixed_parameter_and_csv_entry_point(
    model: mg.Model, clean: np.ndarray, tmp_path: Path
) -> None:
    csv = tmp_path / "dome.csv"
    rows = "\n".join(f"{p},{t},2.0" for p, t in zip(PRESSURES, clean, strict=True))
    csv.write_text("pressure_GPa,tc_K,tc_err_K\n" + rows + "\n")
    res = fit_path_from_csv(model, csv, fixed={"g1": TRUE.g1})
    assert res.free == ("eta0", "eta1", "g0")
    assert res.params["g1"] == TRUE.g1 and res.errors["g1"] == 0.0
    assert res.params["eta0"] == pytest.approx(TRUE.eta0, abs=1e-4)
    assert res.source == str(csv)
    s = res.summary()
    json.dumps(s)
    assert s["free"] == ["eta0", "eta1", "g0"] and len(s["curve"]["tc_K"]) == 121


def test_fit_input_errors(model: mg.Model) -> None:
    with pytest.raises(ValueError, match="2 points cannot determine 4 free parameters"):
        fit_path(model, [150.0, 160.0], [100.0, 120.0])
    with pytest.raises(ValueError, match="unknown key 'eta2' in bounds"):
        fit_path(model, PRESSURES, PRESSURES, bounds={"eta2": (0, 1)})
    with pytest.raises(ValueError, match=r"bounds\[g0\] must have low < high"):
        fit_path(model, PRESSURES, PRESSURES, bounds={"g0": (0.4, 0.2)})
    with pytest.raises(ValueError, match="pressure_GPa must be >= 0"):
        fit_path(model, [-1.0, 1, 2, 3], [1.0, 1, 1, 1])
    with pytest.raises(ValueError, match="tc_K must be finite"):
        fit_path(model, [1.0, 1, 2, 3], [1.0, np.nan, 1, 1])


def test_eta_limits(model: mg.Model) -> None:
    low, high = eta_limits(model, np.array([0.1, 0.3, 0.45]))
    assert low < -1.0  # mu reaches the lowest subband far below E_L
    assert np.all(np.diff(high) > 0)  # the Migdal window shrinks with g
    mg.critical_temperatures(model, high, np.array([0.1, 0.3, 0.45]))  # accepted
    with pytest.raises(ValueError):
        mg.critical_temperature(model, float(high[1]) + 1e-3, 0.3)


def test_csh_fit_carries_the_retraction(model: mg.Model) -> None:
    res = fit_path_to_summary(model, "csh", n=6, max_nfev=2)
    assert res.data_kind == "summary"
    assert res.retraction is not None and "Retracted" in res.retraction
    assert res.summary()["retraction"] == res.retraction
    h3s = fit_path_to_summary(model, "h3s", n=6, max_nfev=2)
    assert h3s.retraction is None and "retraction" not in h3s.summary()


def test_batched_jacobian_is_the_column_by_column_forward_difference(
    model: mg.Model, clean: np.ndarray
) -> None:
    """The fit's Jacobian (all columns in one batch of Tc solves, warm-started) equals forward
    differences taken one column at a time with separate residual calls, at a point inside the
    box and at one on its upper g0 bound (the step turns backwards there)."""
    from multigap.study.pressure import _DIFF_STEP, DEFAULT_BOUNDS, _Problem

    free = tuple(PARAMS)
    lower = np.array([DEFAULT_BOUNDS[k][0] for k in free])
    upper = np.array([DEFAULT_BOUNDS[k][1] for k in free])
    lo_eta = eta_limits(model, 0.0)[0]
    for x in (np.array([0.85, 0.014, 0.37, -0.0004]), np.array([0.85, 0.014, upper[2], 0.0])):
        prob = _Problem(model, PRESSURES, clean, np.full(PRESSURES.size, SIGMA), 150.0, {}, free,
                        lo_eta)  # fmt: skip
        J = prob.jacobian(x, lower, upper)
        fresh = _Problem(model, PRESSURES, clean, np.full(PRESSURES.size, SIGMA), 150.0, {}, free,
                         lo_eta)  # fmt: skip
        f0 = fresh.residuals(x)
        for j in range(x.size):
            h = _DIFF_STEP * abs(x[j]) if x[j] != 0.0 else np.sqrt(np.finfo(float).eps)
            if x[j] + h > upper[j]:
                h = -h
            xj = x.copy()
            xj[j] += h
            fresh.last.clear()  # no warm start: an independent solve
            col = (fresh.residuals(xj) - f0) / (xj[j] - x[j])
            scale = np.abs(col).max()
            assert np.max(np.abs(J[:, j] - col)) < 1e-4 * scale, j
