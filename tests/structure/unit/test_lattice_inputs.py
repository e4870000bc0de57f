"""Bad inputs of Layer, Superlattice, from_layers, from_width, subbands and overlaps: each is
refused in one line naming the parameter, its value and the allowed range, before heavy work."""

from __future__ import annotations

import math

import numpy as np
import pytest

import multigap as mg
from multigap import validation as check
from multigap.structure import edges
from multigap.structure.subbands import compute_subbands

S = mg.Superlattice
GOOD = {"well": 0.85, "barrier": 0.55, "height": 1000.0}


def _one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


BAD_NUMBERS = [
    ("0.85", "real number"),
    (True, "real number"),
    ([0.85], "real number"),
    (None, "real number"),
    (math.nan, "finite"),
    (math.inf, "finite"),
    (-math.inf, "finite"),
    (10**400, "finite"),
    (1e300, "must lie in"),
]


@pytest.mark.parametrize("key", ["well", "barrier", "height", "mass_x", "mass_z"])
@pytest.mark.parametrize("value, why", BAD_NUMBERS)
def test_superlattice_refuses_bad_numbers(key, value, why):
    kwargs = {**GOOD, key: value}
    with pytest.raises(ValueError, match=key) as exc:
        S(**kwargs)
    msg = _one_line(exc)
    assert why in msg and repr(value)[:20] in msg
    assert "[" in msg  # the allowed range is named


@pytest.mark.parametrize(
    "key, value",
    [
        ("well", 0.0),
        ("well", -1.0),
        ("barrier", 2e4),
        ("height", -1.0),
        ("height", 1e9),
        ("mass_z", 1e-30),
        ("mass_z", 1e30),
        ("mass_x", 0.0),
    ],
)
def test_superlattice_refuses_out_of_range(key, value):
    with pytest.raises(ValueError, match=rf"{key} must lie in \[") as exc:
        S(**{**GOOD, key: value})
    _one_line(exc)


def test_ranges_are_inclusive_and_values_stored_as_floats():
    lat = S(1e-9, 1e4, 0.0, mass_x=1e-3, mass_z=1e3)
    assert lat.height == 0.0 and isinstance(lat.well, float)
    lat = S(np.float32(0.85), np.int64(1), 1e6)
    assert type(lat.well) is float and lat.barrier == 1.0


@pytest.mark.parametrize(
    "args, match",
    [
        (("a", 0.0), "layer thickness must be a real number"),
        ((0.3, math.nan), "layer potential must be a finite number"),
        ((0.3, 2e6), r"layer potential must lie in \[-1e\+06, 1e\+06\] meV"),
        ((0.0, 0.0), r"layer thickness must lie in \[1e-09, 10000\] nm"),
        ((False, 1.0), "layer thickness must be a real number"),
    ],
)
def test_layer_refuses_bad_input(args, match):
    with pytest.raises(ValueError, match=match) as exc:
        mg.Layer(*args)
    _one_line(exc)


@pytest.mark.parametrize(
    "layers, match",
    [
        ([[0.3], (0.2, 1.0)], r"layers\[0\] must be a Layer or a \(thickness nm, potential meV\)"),
        ([(0.3, 0.0), (0.2, "x")], r"layers\[1\] potential must be a real number"),
        ([(0.3, 0.0)], "layers must hold 2 to 64 layers"),
        ([(0.3, 0.0)] * 65, "layers must hold 2 to 64 layers"),
        ("abc", "layers must be a list"),
        (3, "layers must be a list"),
        ([(0.3, 5.0), (0.2, 100.0)], r"layers\[0\] is the well .* must be 0"),
        ([(0.3, 0.0), (0.2, -100.0)], r"layers\[1\] is the barrier"),
        ([(0.3, 0.0), (0.2, 100.0), "ab"], r"layers\[2\] must be a Layer"),
    ],
)
def test_from_layers_refuses_bad_input(layers, match):
    with pytest.raises(ValueError, match=match) as exc:
        S.from_layers(layers)
    _one_line(exc)


@pytest.mark.parametrize(
    "extra, match",
    [
        ([[0.3]], r"extra_layers\[0\] must be a Layer or a"),
        ("abc", "extra_layers must be a sequence"),
        (5, "extra_layers must be a sequence"),
        ([(0.3, 1.0)] * 63, "extra_layers must hold at most 62 layers"),
    ],
)
def test_extra_layers_refused(extra, match):
    with pytest.raises(ValueError, match=match) as exc:
        S(**GOOD, extra_layers=extra)
    _one_line(exc)


def test_extra_layers_accept_pairs_and_lists():
    a = S(**GOOD, extra_layers=[(0.2, 50.0)])
    b = S(**GOOD, extra_layers=(mg.Layer(0.2, 50.0),))
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"band": 3.5}, r"band must be an integer in \[1, 64\], got 3.5"),
        ({"band": 0}, r"band must be an integer in \[1, 64\], got 0"),
        ({"band": "3"}, "band must be an integer"),
        ({"band": True}, "band must be an integer"),
        ({"band": 65}, r"band must be an integer in \[1, 64\]"),
        ({"width": "274"}, r"width must be a real number in \(0, "),
        ({"width": math.nan}, "width must be a finite number"),
        ({"width": -1.0}, r"width must lie in \(0, "),
        ({"width": 1e300}, r"width must lie in \(0, "),
        ({"well": "thin"}, "well must be a real number"),
        ({"mass_z": 0.0}, "mass_z must lie in"),
    ],
)
def test_from_width_refuses_bad_input(kwargs, match):
    args = {"well": 0.85, "barrier": 0.55, "width": 274.0, **kwargs}
    with pytest.raises(ValueError, match=match) as exc:
        S.from_width(**args)
    _one_line(exc)


def test_from_width_refuses_unreachable_widths_quickly():
    """A cell whose band barely depends on V (a tiny well) is refused at the height cap."""
    with pytest.raises(ValueError, match=r"width must .* highest barrier 1e\+06 meV") as exc:
        S.from_width(1e-6, 0.55, 100.0)
    _one_line(exc)


def test_extreme_heights_and_sizes_do_not_allocate():
    """Sizes that used to allocate 12-23 GiB: the scan is chunked and bounded."""
    with pytest.raises(ValueError, match="height must lie in"):
        S(0.85, 0.55, 1e9)
    lat = S.from_width(1e3, 0.55, 1e-4, band=3)  # a wide well: bands found in the first chunk
    bottoms, tops = lat.band_edges(3)
    assert tops[2] - bottoms[2] == pytest.approx(1e-4, rel=1e-9)


def test_scan_budget_refuses_with_the_ratio(monkeypatch):
    """When the bands lie far above the scan's reach the search stops with the ratio named."""
    monkeypatch.setattr(edges, "SCAN_BUDGET", edges.SCAN_CHUNK)
    lat = S(1e-6, 0.55, 1e6)  # all bands sit above the 1e6 meV barrier
    with pytest.raises(ValueError, match=r"times the zone-boundary energy") as exc:
        lat.band_edges(3)
    _one_line(exc)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_bands": 3.5}, r"n_bands must be an integer in \[1, 64\], got 3.5"),
        ({"n_bands": 0}, "n_bands must be an integer in"),
        ({"n_bands": 1000}, r"n_bands must be an integer in \[1, 64\]"),
        ({"n_kz": True}, "n_kz must be an integer"),
        ({"n_kz": 1}, r"n_kz must be an integer in \[2, 16385\]"),
        ({"n_kz": 100000}, r"n_kz must be an integer in \[2, 16385\]"),
        ({"n_z": 10**9}, r"n_z must be an integer in \[2, 1024\]"),
        ({"n_z": "32"}, "n_z must be an integer"),
        ({"n_kz": 16385, "n_z": 1024, "n_bands": 64}, r"subbands .* would need .* GiB"),
    ],
)
def test_subbands_refuse_bad_grids_before_work(kwargs, match):
    lat = S(**GOOD)
    with pytest.raises(ValueError, match=match) as exc:
        lat.subbands(**{"n_bands": 3, **kwargs})
    _one_line(exc)


def test_band_edges_and_energy_in_band_refuse_bad_input():
    lat = S(**GOOD)
    with pytest.raises(ValueError, match=r"n_bands must be an integer in \[1, 64\]"):
        lat.band_edges(1000)
    with pytest.raises(ValueError, match=r"band must be an integer in \[1, 64\]"):
        lat.energy_in_band(2.5, [0.0])
    with pytest.raises(ValueError, match="cos_kd must be finite"):
        lat.energy_in_band(1, [math.nan])


def test_overlaps_estimate_memory_before_allocating(monkeypatch):
    sb = S(**GOOD).subbands(3, n_kz=9)
    with pytest.raises(ValueError, match=r"n_modes must be an integer in \[1, 9\], got 10"):
        mg.overlaps(sb, 10)
    with pytest.raises(ValueError, match="n_modes must be an integer"):
        mg.overlaps(sb, 2.5)
    # the estimate: (3 * 9)^2 pairs at 32 bytes is refused under a limit just below it
    monkeypatch.setattr(check, "memory_limit", lambda: 32 * 27**2 - 1)
    with pytest.raises(ValueError, match=r"overlaps of 3 bands on n_kz = 9 points would need"):
        mg.overlaps(sb)


def test_memory_check_names_what_and_limit():
    with pytest.raises(ValueError, match=r"x would need 8 GiB, above the limit 4 GiB; smaller"):
        check.allocation("x", 8 * 1024**3, hint="smaller")
    check.allocation("x", 1024)


@pytest.mark.parametrize("value", [3, 3.0, np.int64(3), np.float64(3.0)])
def test_count_accepts_integral_numbers(value):
    assert check.count("n", value, 1, 5) == 3


def test_subbands_need_only_the_protocol():
    """subbands.py imports no lattice module (one-way: lattice -> subbands) and runs on any
    object with the transfer-matrix protocol."""
    import ast
    import inspect

    import multigap.structure.subbands as sub

    tree = ast.parse(inspect.getsource(sub))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    assert not any("lattice" in name for name in imported)
    sb = compute_subbands(S(**GOOD), n_bands=2, n_kz=3, n_z=4)
    assert sb.energy.shape == (2, 3)
