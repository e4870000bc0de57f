"""The compiled half trace f(E), df/dE against the numpy complex-step path and a 60-digit series.

The reference: the layer entries c = cos(sqrt(k2) t), s = sin(sqrt(k2) t) / sqrt(k2) and their
k2-derivatives summed as power series in k2 t^2 in 60-digit decimal arithmetic (entire functions:
the series hold at every energy, the turning points E = V_l included), multiplied as dual
numbers (M, dM/dE) through the cell.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest

import multigap as mg
from multigap.constants import kinetic_coefficient
from multigap.structure import transfer

EPS = float(np.finfo(float).eps)
V_A = 2707.195136135102  # the barrier height of preset A (meV)


def _series(k2: Decimal, t: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """c, s and dc/dk2, ds/dk2 of one layer by their power series in y = k2 t^2."""
    y = k2 * t * t
    c = s = dc = ds = Decimal(0)
    prev = Decimal(0)  # y^(n-1)
    power = Decimal(1)  # y^n
    fact_even, fact_odd = Decimal(1), Decimal(1)  # (2n)!, (2n+1)!
    for n in range(200):
        sign = -1 if n % 2 else 1
        c += sign * power / fact_even
        s += sign * power / fact_odd
        dc += sign * n * prev / fact_even
        ds += sign * n * prev / fact_odd
        if n > 4 and abs(power / fact_even) < Decimal(10) ** -58 * (1 + abs(c)):
            break
        prev = power if n > 0 else Decimal(1)
        power *= y
        fact_even *= (2 * n + 1) * (2 * n + 2)
        fact_odd *= (2 * n + 2) * (2 * n + 3)
    return c, t * s, t * t * dc, t * t * t * ds


def half_trace_decimal(lat: mg.Superlattice, energy: float) -> tuple[float, float]:
    """60-digit (f, df/dE) of the cell at ``energy`` (meV)."""
    with localcontext() as ctx:
        ctx.prec = 60
        cz = Decimal(kinetic_coefficient(lat.mass_z))
        e = Decimal(energy)
        m = [Decimal(1), Decimal(0), Decimal(0), Decimal(1)]
        dm = [Decimal(0)] * 4
        for lay in lat.layers:
            t = Decimal(lay.thickness)
            k2 = (e - Decimal(lay.potential)) / cz
            c, s, dc, ds = _series(k2, t)
            a = [c, s, -k2 * s, c]
            da = [dc / cz, ds / cz, (-s - k2 * ds) / cz, dc / cz]
            prod = lambda x, y: [  # noqa: E731 - 2x2 product x @ y as flat lists
                x[0] * y[0] + x[1] * y[2],
                x[0] * y[1] + x[1] * y[3],
                x[2] * y[0] + x[3] * y[2],
                x[2] * y[1] + x[3] * y[3],
            ]
            dm = [p + q for p, q in zip(prod(da, m), prod(a, dm), strict=True)]
            m = prod(a, m)
        return float((m[0] + m[3]) / 2), float((dm[0] + dm[3]) / 2)


LATTICES = {
    "A": mg.Superlattice(0.85, 0.55, V_A),
    "corner": mg.Superlattice(1.0, 0.65, V_A),
    "flat": mg.Superlattice(0.9, 0.6, 0.0),
    "cell": mg.Superlattice.from_layers([(0.7, 0.0), (0.3, 900.0), (0.4, 150.0), (0.25, 2000.0)]),
}


def _energies(lat: mg.Superlattice) -> np.ndarray:
    """Bands, gaps, above the barriers, and the turning points E = V_l (exactly and nearby)."""
    grid = np.linspace(-200.0, 4000.0, 60)
    turning = []
    for v in {lay.potential for lay in lat.layers}:
        turning += [v, v + 1e-9, v - 1e-9, v + 1e-4, v - 1e-4, v + 0.5, v - 0.5]
    # either side of the switch between the series and the closed form (|k2 t^2| = 0.1)
    cz = kinetic_coefficient(lat.mass_z)
    for lay in lat.layers:
        e_switch = 0.1 * cz / lay.thickness**2
        for side in (1.0 - 1e-12, 1.0 + 1e-12):
            turning += [lay.potential + side * e_switch, lay.potential - side * e_switch]
    return np.concatenate((grid, turning))


@pytest.mark.skipif(not transfer.COMPILED, reason="numba is not installed")
@pytest.mark.parametrize("name", sorted(LATTICES))
def test_compiled_half_trace_equals_the_60_digit_series(name: str) -> None:
    lat = LATTICES[name]
    e = _energies(lat)
    f, df = lat.characteristic(e)
    ref = np.array([half_trace_decimal(lat, float(x)) for x in e])
    # the size of the terms that cancel in f: the product of the layer matrices' norms
    size = np.abs(ref[:, 0]) + 1.0
    np.testing.assert_array_less(np.abs(f - ref[:, 0]), 1e3 * EPS * size)
    # df/dE: the same, times the energy scale of the phases, sum_l t_l^2 / (2 C_z) (1/meV)
    scale = sum(lay.thickness**2 for lay in lat.layers) / (2.0 * kinetic_coefficient(lat.mass_z))
    dsize = np.abs(ref[:, 1]) + size * scale
    np.testing.assert_array_less(np.abs(df - ref[:, 1]), 1e3 * EPS * dsize)


@pytest.mark.parametrize("name", sorted(LATTICES))
def test_compiled_half_trace_equals_the_complex_step_path(name: str) -> None:
    """Away from the turning points (where the complex step loses digits) the two agree."""
    lat = LATTICES[name]
    e = np.random.default_rng(7).uniform(-100.0, 4000.0, 20000)
    cz = kinetic_coefficient(lat.mass_z)
    y = np.stack([(e - lay.potential) / cz * lay.thickness**2 for lay in lat.layers])
    e = e[np.all(np.abs(y) > 1e-2, axis=0)]
    f, df = lat.characteristic(e)
    f0, df0 = lat.characteristic_complex_step(e)
    np.testing.assert_array_less(np.abs(f - f0), 1e3 * EPS * (1.0 + np.abs(f0)))
    np.testing.assert_array_less(np.abs(df - df0), 1e-10 * (np.abs(df0) + np.abs(f0) + 1.0))


def test_half_trace_keeps_the_shape_and_flags_overflow() -> None:
    lat = LATTICES["A"]
    e = np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]])
    f, df = lat.characteristic(e)
    assert f.shape == df.shape == (2, 3)
    f0, df0 = lat.characteristic_complex_step(e)
    np.testing.assert_allclose(f, f0, rtol=1e-12)
    np.testing.assert_allclose(df, df0, rtol=1e-10)
    assert lat.characteristic(5.0)[0].shape == ()
    opaque = mg.Superlattice(0.85, 500.0, 1e5)  # kappa W ~ 2.6e4: the matrix overflows
    f_big, df_big = opaque.characteristic(np.array([10.0]))
    assert not np.isfinite(df_big[0]) or not np.isfinite(f_big[0])


@pytest.mark.skipif(not transfer.COMPILED, reason="numba is not installed")
@pytest.mark.parametrize("name", sorted(LATTICES))
def test_compiled_bisection_equals_the_numpy_loop(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """energy_in_band: the compiled bisection runs the numpy iteration, bit for bit."""
    from multigap.structure import lattice as lattice_module

    lat = LATTICES[name]
    c = np.concatenate((np.cos(np.linspace(0.0, np.pi, 33)), [1.0, -1.0, 0.0, 0.999999999999]))
    fast = [lat.energy_in_band(n, c) for n in (1, 2, 3)]
    monkeypatch.setattr(lattice_module, "_NUMPY_BISECTION", True)
    slow = [lat.energy_in_band(n, c) for n in (1, 2, 3)]
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
    f, _ = lat.characteristic(fast[2])
    np.testing.assert_allclose(f, c, atol=1e-9)
