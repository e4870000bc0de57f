"""The near-edge shortcut of the projected DOS against evaluating f at every Gauss node.

Near a band edge 1 - f^2 is integrated from the edge (3-point Gauss-Legendre of 2 |f f'|); with
many such points per side, 2 |f f'| at their nodes comes from a Chebyshev fit instead
(``closed_forms._edge_interpolant``). The tables must be the same to the rounding of f, and a
closed gap (V = 0 between the bands), where the fit does not apply, must be refused.
"""

from __future__ import annotations

import numpy as np
import pytest

import multigap as mg
from multigap.structure.pdos import closed_forms, projected_dos

LATTICES = {
    "A": mg.preset("A").lattice,
    "B": mg.preset("B").lattice,
    "corner": mg.Superlattice(1.0, 0.65, 2707.195136135102),
    "flat": mg.Superlattice(0.9, 0.6, 0.0),
}


def _table(lat: mg.Superlattice) -> tuple[np.ndarray, np.ndarray]:
    _, tops = lat.band_edges(3)
    t = projected_dos(lat, 3, 9, float(tops[-1]) + 400.0, step=8.0, ratio=1.25)
    return t.energy, t.values


@pytest.mark.parametrize("name", sorted(LATTICES))
def test_edge_fit_gives_the_node_by_node_tables(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lat = LATTICES[name]
    calls: list[bool] = []
    real = closed_forms._edge_interpolant

    def spy(*args: object) -> object:
        out = real(*args)  # type: ignore[arg-type]
        calls.append(out is not None)
        return out

    monkeypatch.setattr(closed_forms, "_edge_interpolant", spy)
    e_fit, v_fit = _table(lat)
    monkeypatch.setattr(closed_forms, "_EDGE_INTERP_MIN", 10**9)
    e_ref, v_ref = _table(lat)
    np.testing.assert_array_equal(e_fit, e_ref)
    scale = np.max(np.abs(v_ref), axis=2, keepdims=True)
    assert np.max(np.abs(v_fit - v_ref) / scale) <= 1e-13
    assert any(calls)
    if name == "flat":  # the closed gaps between the bands are refused (band 1's bottom is open)
        assert not all(calls)
