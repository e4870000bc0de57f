"""Inverse design: the optimiser finds what a brute-force grid finds; bounds are validated.

The one-structure-parameter problem (well width at a fixed barrier height 2707 meV, preset A
otherwise, g = 0.3, w0 = 330 meV) has an interior maximum near L = 1.1 nm, eta = 1.15 (Tc about
223 K), so it checks the search, not just the bounds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import multigap as mg
from multigap.structure.lattice import Superlattice
from multigap.study.design import (
    SEARCH_NUMERICS,
    DesignResult,
    load_design_toml,
    optimise,
    optimise_from_toml,
    validate_problem,
)
from multigap.study.pressure import eta_limits

HEIGHT = 2707.0
G = 0.3


def brute_force_tc(well: float, etas: np.ndarray) -> float:
    """Max Tc over an eta grid of one structure, on the search grids (valid etas only)."""
    model = mg.preset("A").with_(lattice=Superlattice(well, 0.55, HEIGHT), numerics=SEARCH_NUMERICS)
    low, high = eta_limits(model, G)
    etas = etas[(etas >= low) & (etas <= high)]
    return float(np.max(mg.critical_temperatures(model, etas, G)))


def test_optimiser_finds_the_brute_force_maximum() -> None:
    wells = np.linspace(0.9, 1.4, 11)  # spacing 0.05 nm
    etas = np.linspace(0.0, 2.0, 201)  # spacing 0.01
    grid = np.array([brute_force_tc(w, etas) for w in wells])
    i = int(np.argmax(grid))
    assert 0 < i < wells.size - 1  # interior maximum
    res = optimise(
        {"well": (0.9, 1.4), "eta": (0.0, 2.0)},
        g=G,
        fixed={"height": HEIGHT},
        maxiter=3,
        popsize=4,
        n_polish=8,
        n_scan=5,
        seed=1,
    )
    assert res.free == ("well", "eta")
    assert res.tc_search >= grid[i] * (1.0 - 1e-4)
    assert abs(res.params["well"] - wells[i]) <= wells[1] - wells[0]
    assert res.params["height"] == HEIGHT and res.params["barrier"] == 0.55
    assert res.at_bound == ()
    # final Tc on the default grids agrees with the search grids to 1 %
    assert res.tc == pytest.approx(res.tc_search, rel=0.01)
    assert res.model.numerics == mg.Numerics()
    # sharpness intervals bracket the optimum, inside the bounds
    for k in ("well", "eta"):
        s = res.sharpness[k]
        assert s.low < res.params[k] < s.high
        lo, hi = res.bounds[k]
        assert lo <= s.low and s.high <= hi
        assert np.all(
            s.tc[(s.values > s.low + 1e-9) & (s.values < s.high - 1e-9)] >= 0.9 * res.tc_search
        )
    json.dumps(res.summary())


def test_eta_only_matches_a_dense_scan_on_default_grids() -> None:
    model = mg.preset("A")
    res = optimise({"eta": (0.0, 2.0)}, g=G, base=model)
    assert res.free == ("eta",) and res.n_structures == 1
    etas = np.linspace(0.0, 2.0, 401)
    tc = mg.critical_temperatures(model, etas, G)
    i = int(np.argmax(tc))
    assert res.tc >= tc[i] * (1.0 - 1e-6)
    assert abs(res.params["eta"] - etas[i]) <= etas[1] - etas[0]
    assert res.params["width"] == pytest.approx(274.0, rel=1e-6)


def test_seeded_search_is_reproducible() -> None:
    kw = {
        "g": G,
        "fixed": {"height": HEIGHT},
        "maxiter": 1,
        "popsize": 3,
        "n_polish": 0,
        "n_scan": 3,
        "n_eta": 11,
        "seed": 3,
    }
    a = optimise({"well": (0.9, 1.4), "eta": (0.5, 1.5)}, **kw)
    b = optimise({"well": (0.9, 1.4), "eta": (0.5, 1.5)}, **kw)
    assert a.params == b.params and a.tc == b.tc


@pytest.mark.parametrize(
    ("bounds", "fixed", "match"),
    [
        ({"eta": (0, 2), "wel": (0.6, 1)}, None, r"unknown key 'wel' in \[bounds\].*'well'"),
        ({"eta": (0, 2)}, {"omega": 300}, r"unknown key 'omega' in \[fixed\]"),
        ({"eta": (0, 2), "well": (1.2, 0.6)}, None, r"well is inverted: low = 1.2 > high = 0.6"),
        ({"eta": (2, 0)}, None, "eta is inverted"),
        ({"eta": (0, 2), "barrier": (-0.1, 0.5)}, None, "barrier must be > 0 nm"),
        ({"eta": (0, 2), "height": (-1, 5)}, None, "height must be >= 0 meV"),
        ({"eta": (0, 2), "mass_z": (0.0, 1.0)}, None, "mass_z must be > 0"),
        ({"eta": (0, 2), "well": (0.6,)}, None, r"well must be a pair \[low, high\]"),
        ({"eta": (0, 2), "well": (0.6, float("nan"))}, None, "well must be finite"),
        ({"eta": (0, 2), "width": (100, 200)}, {"height": 10}, "either width .* or height"),
        ({"eta": (0, 2), "well": (0.6, 1)}, {"well": 0.8}, "'well' is both in"),
        ({"well": (0.6, 1.0)}, None, r"\[bounds\] needs eta"),
        ({"eta": (0, 2)}, {"g": 0.5}, r"g must lie in \[0, 0.5\)"),
        ({"eta": (0, 2)}, {"omega0": -3}, "omega0 must be > 0 meV"),
    ],
)
def test_bad_problems_name_the_field(bounds: dict, fixed: dict | None, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        validate_problem(bounds, fixed)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "design.toml"
    p.write_text(text)
    return p


def test_toml_entry_point(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        'base = "B"\n[bounds]\neta = [0.5, 1.5]\n[fixed]\ng = 0.3\nomega0 = 225.0\n'
        "[search]\nn_eta = 21\n",
    )
    kw = load_design_toml(p)
    assert kw["g"] == 0.3 and kw["omega0"] == 225.0 and kw["n_eta"] == 21
    assert kw["base"].name == "B"
    res = optimise_from_toml(p)
    s = res.summary()
    json.dumps(s)
    assert s["free"] == ["eta"] and s["tc_K"] > 0 and s["base_model"] == "design (B)"
    assert s["params"]["width"] == pytest.approx(145.0, rel=1e-6)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[bounds]\neta = [0, 2]\n", r"\[fixed\] lacks g"),
        ("[fixed]\ng = 0.3\n", r"lacks the \[bounds\] section"),
        ("[bounds]\neta = [0, 2]\n[fixed]\ng = 0.3\n[serch]\n", "unknown key 'serch'"),
        ("[bounds]\neta = [0, 2]\n[fixed]\ng = 0.3\n[search]\nmax_iter = 3\n", "'max_iter'"),
        ("[bounds]\neta = [2, 0]\n[fixed]\ng = 0.3\n", "eta is inverted"),
        ("[bounds\n", "not valid TOML"),
        ('base = "missing.toml"\n[bounds]\neta = [0, 2]\n[fixed]\ng = 0.3\n', "does not exist"),
    ],
)
def test_bad_toml_names_the_field(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        load_design_toml(write(tmp_path, text))


def test_shipped_default_problem_loads() -> None:
    from multigap.study.design import DEFAULT_DESIGN, load_design_toml

    kw = load_design_toml(DEFAULT_DESIGN)
    assert kw["g"] == 0.3 and kw["omega0"] == 330.0 and kw["base"].name == "A"
    # issue 11: the shipped problem is a fixed-material one (V and masses held) around A
    assert kw["material"] == "fixed"
    assert set(kw["bounds"]) == {"well", "barrier", "eta"}
    assert kw["bounds"]["eta"] == (0.0, 2.0)
    assert kw["seed"] == 0
    a = mg.preset("A").lattice
    for k, v in (("well", a.well), ("barrier", a.barrier)):
        lo, hi = kw["bounds"][k]
        assert lo < v < hi


def _fixed_material() -> DesignResult:
    a = mg.preset("A")
    return optimise(
        {"well": (0.6, 0.7), "eta": (0.5, 1.5)},
        g=G,
        base=a,
        material="fixed",
        maxiter=3,
        popsize=3,
        n_polish=15,
        n_scan=3,
        n_eta=11,
    )


def test_fixed_material_keeps_barrier_height_and_masses() -> None:
    a = mg.preset("A")
    res = _fixed_material()
    lat = res.model.lattice
    assert (lat.height, lat.mass_x, lat.mass_z) == (
        a.lattice.height,
        a.lattice.mass_x,
        a.lattice.mass_z,
    )
    assert res.params["height"] == a.lattice.height
    assert res.material == "fixed" and set(res.free) == {"well", "eta"}
    # the resonant band's Fermi energy, by another route: mu(eta) - E_L of the final model
    r = res.model.resonant_band
    ef = float(res.model.mu(res.params["eta"])) - res.model.subbands.edge(r)
    assert res.fermi_energy == pytest.approx(ef, rel=1e-9)
    assert res.migdal_ratio == pytest.approx(ef / res.model.omega(G)[r - 1], rel=1e-9)


def test_optimum_on_a_bound_is_flagged_with_its_direction() -> None:
    # at fixed V = A's, Tc rises with the well width up to ~1.1 nm (module docstring): on
    # [0.6, 0.7] nm the optimum is the upper bound and Tc still increases beyond it
    res = _fixed_material()
    assert "well" in res.at_bound
    note = res.bound_notes["well"]
    assert (note.side, note.direction, note.bound) == ("high", "increase", 0.7)
    assert note.slope > 0.0
    assert "well at its high bound 0.7 nm" in res.message
    assert res.summary()["bound_notes"]["well"]["direction"] == "increase"


def test_fixed_material_refuses_to_search_the_material() -> None:
    with pytest.raises(ValueError, match="material = 'fixed' holds"):
        optimise({"height": (2000.0, 3000.0), "eta": (0.5, 1.5)}, g=G, material="fixed")
    with pytest.raises(ValueError, match="material must be one of"):
        optimise({"eta": (0.5, 1.5)}, g=G, material="glass")
