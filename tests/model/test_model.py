"""Model construction, presets, TOML configs and input validation."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import multigap as mg


def test_presets_solve_the_barrier_height():
    a, b = mg.preset("A"), mg.preset("B")
    for model, width, w0 in ((a, 274.0, 330.0), (b, 145.0, 225.0)):
        lo, hi = model.lattice.band_edges(3)
        assert hi[2] - lo[2] == pytest.approx(width, rel=1e-9)
        assert model.omega0 == w0
        assert (model.lattice.well, model.lattice.barrier) == (0.85, 0.55)
        assert model.n_bands == 3 and model.resonant_band == 3
        assert model.interband == "geometric" and model.background_coupling == 0.1
    assert b.lattice.height > a.lattice.height


def test_migdal_cutoff():
    model = mg.preset("A")
    np.testing.assert_allclose(model.omega(0.3), 330.0 * math.sqrt(0.4))
    assert model.with_(cutoff="fixed").omega(0.3)[0] == 330.0
    with pytest.raises(ValueError, match=r"g must lie in \[0, 0.5\)"):
        model.omega(0.5)


def test_config_round_trip(tmp_path):
    model = mg.preset("B")
    cfg = model.to_dict()
    again = mg.Model.from_dict(cfg)
    assert again == model
    text = (
        'name = "mine"\n[lattice]\nwell = 0.85\nbarrier = 0.55\nheight = 2000.0\n'
        "[pairing]\nomega0 = 100.0\n[numerics]\nn_modes = 6\n"
    )
    path = tmp_path / "mine.toml"
    path.write_text(text)
    mine = mg.load_model(path)
    assert mine.lattice.height == 2000.0 and mine.numerics.n_modes == 6 and mine.name == "mine"


def test_model_pickles_with_its_config():
    model = mg.preset("A")
    again = pickle.loads(pickle.dumps(model))
    assert again == model


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"well": -0.85}, r"well must lie in \[1e-09, 10000\] nm, got -0.85"),
        ({"barrier": 0.0}, r"barrier must lie in \[1e-09, 10000\] nm, got 0.0"),
        ({"height": -1.0}, r"height must lie in \[0, 1e\+06\] meV, got -1.0"),
        ({"mass_x": 0.0}, r"mass_x must lie in \[0.001, 1000\] m_e, got 0.0"),
        ({"mass_z": float("nan")}, "mass_z must be a finite number"),
        ({"height": float("nan")}, "height must be a finite number"),
    ],
)
def test_bad_lattice(kwargs, match):
    args = {"well": 0.85, "barrier": 0.55, "height": 1000.0} | kwargs
    with pytest.raises(ValueError, match=match):
        mg.Superlattice(**args)


def test_width_no_barrier_can_give():
    with pytest.raises(ValueError, match=r"width must lie in \(0, 959.26"):
        mg.Superlattice.from_width(0.85, 0.55, 2000.0, band=3)
    with pytest.raises(ValueError, match=r"width must lie in \(0, 959.26.*got -5.0"):
        mg.Superlattice.from_width(0.85, 0.55, -5.0, band=3)


def test_bad_model():
    lat = mg.Superlattice(0.85, 0.55, 2000.0)
    with pytest.raises(ValueError, match="resonant_band must lie in"):
        mg.Model(lat, omega0=100.0, n_bands=2, resonant_band=3)
    with pytest.raises(ValueError, match="omega0 must be > 0"):
        mg.Model(lat, omega0=-1.0)
    with pytest.raises(ValueError, match="interband must be one of"):
        mg.Model(lat, omega0=100.0, interband="geometrical")
    with pytest.raises(ValueError, match="symmetric"):
        mg.Model(
            lat,
            omega0=100.0,
            interband="matrix",
            coupling_matrix=((0.1, 0.2, 0.0), (0.0, 0.1, 0.0), (0.0, 0.0, 0.3)),
        )
    with pytest.raises(ValueError, match="n_modes must lie in"):
        mg.Numerics(n_kz=5, n_modes=9)


def test_unknown_and_misspelt_config_keys():
    cfg = mg.preset("A").to_dict()
    cfg["pairing"]["omega_0"] = cfg["pairing"].pop("omega0")
    with pytest.raises(ValueError, match=r"unknown key 'omega_0'.*did you mean 'omega0'"):
        mg.Model.from_dict(cfg)
    cfg = mg.preset("A").to_dict()
    cfg["numerics"]["nkz"] = 9
    with pytest.raises(ValueError, match="unknown key 'nkz'"):
        mg.Model.from_dict(cfg)
    cfg = mg.preset("A").to_dict()
    cfg["lattice"]["width"] = 274.0
    with pytest.raises(ValueError, match="exactly one of height"):
        mg.Model.from_dict(cfg)


def test_unknown_preset_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="preset must be one of"):
        mg.preset("C")
    with pytest.raises(ValueError, match="does not exist"):
        mg.load_model(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[lattice\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        mg.load_model(bad)


def test_bad_subband_requests():
    lat = mg.Superlattice(0.85, 0.55, 2000.0)
    with pytest.raises(ValueError, match=r"n_bands must be an integer in \[1, 64\], got 0"):
        lat.subbands(0)
    sb = lat.subbands(3, n_kz=5)
    with pytest.raises(ValueError, match=r"band must lie in \[1, 3\]"):
        sb.edge(4)
