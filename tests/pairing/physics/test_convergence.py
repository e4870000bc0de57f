"""Every grid default is converged: Tc at the defaults is within 0.5 % of much finer grids.

SPEC §10: "the defaults are converged to better than 0.5 % in Tc". Each grid parameter is
refined on its own (so that a regression in any one of them is caught), and all together.
Points cover the anti-resonance (eta < 0), both Lifshitz points (eta = 0, 1), the dome and
its high-eta tail, at weak and strong coupling, for both presets.
"""

from __future__ import annotations

import numpy as np
import pytest

import multigap as mg

ETA = np.array([-0.6, -0.2, 0.0, 0.3, 0.7, 1.0, 1.3, 2.0])
G = np.array([0.15, 0.45])
FINER = {
    "n_kz": 65,
    "n_modes": 20,
    "n_z": 64,
    "energy_step": 0.25,
    "grading_ratio": 1.08,
    "min_spacing": 1e-10,
}
TOL = 5e-3  # SPEC §10


def _tc(model: mg.Model) -> np.ndarray:
    eta, g = np.meshgrid(ETA, G, indexing="ij")
    return np.asarray(mg.critical_temperatures(model, eta, g), dtype=float)


@pytest.fixture(scope="module", params=["A", "B"])
def reference(request):
    return request.param, _tc(mg.preset(request.param))


@pytest.mark.parametrize("field", [*FINER, "all"])
def test_defaults_converged(reference, field):
    name, base = reference
    changes = FINER if field == "all" else {field: FINER[field]}
    fine = _tc(mg.preset(name, **changes))
    assert np.all(base > 0) and np.all(fine > 0)
    rel = np.abs(base / fine - 1.0)
    assert rel.max() < TOL, f"{field}: worst relative change {rel.max():.2e}"


def test_refinement_changes_are_far_below_tolerance_at_the_dome_top():
    """Not a tolerance check but a sanity check that the refinement really moves things."""
    base = mg.critical_temperature(mg.preset("A"), eta=1.0, g=0.4)
    coarse = mg.critical_temperature(mg.preset("A", n_modes=2, energy_step=20.0), eta=1.0, g=0.4)
    assert abs(coarse / base - 1.0) > 1e-6  # a coarse grid is visibly different
