"""Superposition integrals: plane-wave limit, symmetry, parity and the cosine modes."""

from __future__ import annotations

import numpy as np
import pytest

import multigap as mg
from multigap.structure.subbands import bloch_densities


@pytest.fixture(scope="module")
def lattice_a() -> mg.Superlattice:
    return mg.Superlattice.from_width(0.85, 0.55, 274.0, band=3)


def test_plane_waves_give_one():
    sb = mg.Superlattice(0.85, 0.55, 0.0).subbands(3, n_kz=9)
    ov = mg.overlaps(sb)
    # interior kz: the free states are single plane waves (the zone ends are degenerate)
    np.testing.assert_allclose(ov.values[:, :, 1:-1, 1:-1], 1.0, atol=1e-12)


def test_symmetric_under_exchange(lattice_a):
    ov = mg.overlaps(lattice_a.subbands(3, n_kz=9))
    np.testing.assert_allclose(ov.values, ov.values.transpose(1, 0, 3, 2), rtol=1e-13)
    assert not np.allclose(ov.values, 1.0)  # a real barrier makes the overlaps nontrivial


def test_cosine_modes_reproduce_direct_integrals_off_grid(lattice_a):
    num = mg.Numerics()
    sb = lattice_a.subbands(3, n_kz=num.n_kz)
    ov = mg.overlaps(sb, n_modes=num.n_modes)
    d = lattice_a.period
    rng = np.random.default_rng(1)
    kz = rng.uniform(-np.pi / d, np.pi / d, 5)  # negative kz too: I is even
    kzp = rng.uniform(-np.pi / d, np.pi / d, 4)
    dens_a = bloch_densities(lattice_a, sb.energy_at(kz), kz, 32)
    dens_b = bloch_densities(lattice_a, sb.energy_at(kzp), kzp, 32)
    w = dens_a[1]
    direct = d * np.einsum("niz,mjz,z->nmij", dens_a[2], dens_b[2], w)
    np.testing.assert_allclose(ov.evaluate(kz, kzp), direct, rtol=1e-6)


def test_modes_decay(lattice_a):
    """The cosine modes dropped by the default grid are small (< 3e-7) and fall exponentially."""
    q = mg.Numerics().n_modes
    ov = mg.overlaps(lattice_a.subbands(3, n_kz=65), n_modes=33)
    assert np.abs(ov.modes[..., q:, :]).max() < 3e-7
    assert np.abs(ov.modes[..., :, q:]).max() < 3e-7
    assert np.abs(ov.modes[..., q + 8 :, :]).max() < 1e-3 * np.abs(ov.modes[..., q:, :]).max()


def test_bad_mode_count(lattice_a):
    sb = lattice_a.subbands(3, n_kz=5)
    with pytest.raises(ValueError, match="n_modes"):
        mg.overlaps(sb, n_modes=6)
