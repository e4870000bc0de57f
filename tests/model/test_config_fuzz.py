"""Property-based fuzz test of TOML model configs (issue 10).

Configs are the shipped presets' TOML with small grids, mutated: wrong types, NaN and
infinities, huge and negative values, unknown keys, missing keys, ragged arrays, rule changes.
Every config must give either a finite result (band edges and one Tc point) or a ValueError
whose message is one line and names a key; never another exception (a traceback from inside
numpy), never NaN. Refusals come before heavy work by construction: the config is checked
before any geometry is computed, which the test verifies by counting projected-DOS tables.

The budget is bounded for CI (``MULTIGAP_FUZZ_EXAMPLES``, default 200; derandomized, so every
run tries the same configs). ``MULTIGAP_FUZZ_REPORT=path`` writes the counts there.

Lattice values: tiny positive and moderately large geometry values (``well = 1e-300``,
``height = 1e9``) are the geometry layer's ranges (Superlattice, from_width) and are left out
of the pools here; huge values (1e300), zero, negative, non-finite and wrongly typed ones are in.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tomllib
from collections import Counter
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import multigap as mg
import multigap.structure.pdos as pdos_module

SMALL = {"n_kz": 9, "n_modes": 4, "n_z": 8, "energy_step": 5.0}
EXAMPLES = int(os.environ.get("MULTIGAP_FUZZ_EXAMPLES", "200"))
COUNTS: Counter[str] = Counter()


def _preset(name: str) -> dict[str, Any]:
    text = resources.files("multigap.presets").joinpath(f"{name}.toml").read_text()
    cfg = tomllib.loads(text)
    cfg["numerics"] = dict(SMALL)
    return cfg


BASES = {name: _preset(name) for name in ("A", "B")}

WRONG_TYPES = ["abc", "", True, [1, 2], [[0.3]], {"a": 1}, [], "1", "3.5"]
NON_FINITE = [math.nan, math.inf, -math.inf, 10**400, -(10**400)]
HUGE = [1e300, 10**30, 1e20, -1e300]
SMALLISH = [-5, -1, -0.5, 0, 0.0, 1, 2, 3, 3.5, 4, 0.3, 0.49, 0.5, 0.7, 1e-6]
GENERIC = WRONG_TYPES + NON_FINITE + HUGE + SMALLISH

POOLS: dict[tuple[str, str], list[Any]] = {
    ("pairing", "omega0"): [*GENERIC, 50.0, 330.0, 1999.0, 2500.0],
    ("pairing", "n_bands"): [*GENERIC, 2, 5, 16, 17, 3.0],
    ("pairing", "resonant_band"): [*GENERIC, 2, 1.0],
    ("pairing", "background_coupling"): [*GENERIC, 0.05, 0.2],
    ("pairing", "interband"): ["geometric", "constant", "matrix", "geometrical", 3, *WRONG_TYPES],
    ("pairing", "interband_value"): [*GENERIC, -0.2, 0.1],
    ("pairing", "coupling_matrix"): [
        [[0.1, 0.05, 0.0], [0.05, 0.1, 0.02], [0.0, 0.02, 0.3]],
        [[0.1, 0.1], [0.1]],
        [[0.1, 0.05, 0.0], [0.05, 0.1], [0.0, 0.02, 0.3]],
        [[0.1, 0.2, 0.0], [0.0, 0.1, 0.0], [0.0, 0.0, 0.3]],
        [[0.1, math.nan, 0.0], [math.nan, 0.1, 0.0], [0.0, 0.0, 0.3]],
        [[2.0, 0.0, 0.0], [0.0, 0.1, 0.0], [0.0, 0.0, 0.3]],
        [["a", 0.0, 0.0], [0.0, 0.1, 0.0], [0.0, 0.0, 0.3]],
        *WRONG_TYPES,
        0.3,
    ],
    ("pairing", "cutoff"): ["migdal", "fixed", "Migdal", 1, *WRONG_TYPES],
    ("pairing", "band_omega0"): [
        330.0,
        [330.0, 300.0, 250.0],
        [330.0, 300.0],
        [330.0, -1.0, 250.0],
        [330.0, "x", 250.0],
        [330.0, math.inf, 250.0],
        *WRONG_TYPES,
    ],
    ("pairing", "chemical_potential"): ["fixed_mu", "fixed_density", "fixed", *WRONG_TYPES],
    ("lattice", "well"): [*WRONG_TYPES, *NON_FINITE, 1e300, -1.0, 0.0, 0.8, 0.9],
    ("lattice", "barrier"): [*WRONG_TYPES, *NON_FINITE, 1e300, -1.0, 0.0, 0.5, 0.6],
    ("lattice", "width"): [*WRONG_TYPES, *NON_FINITE, 1e300, -274.0, 0.0, 200.0, 5000.0],
    ("lattice", "height"): [*WRONG_TYPES, *NON_FINITE, -1.0, 2000.0],
    ("lattice", "band"): [*WRONG_TYPES, *NON_FINITE, 0, -1, 3.5, 2, 3, 3.0],
    ("lattice", "mass_x"): [*WRONG_TYPES, *NON_FINITE, 1e300, -1.0, 0.0, 0.8, 1.2],
    ("lattice", "mass_z"): [*WRONG_TYPES, *NON_FINITE, 1e300, -1.0, 0.0, 0.9, 1.1],
    ("lattice", "extra_layers"): [[[0.3]], [[0.3, 100.0]], [[0.3, "x"]], "abc", [1, 2], []],
    ("lattice", "layers"): ["abc", [[0.85, 0.0], [0.55, 2000.0]], [[0.85]], [1, 2], []],
    ("numerics", "n_kz"): [*GENERIC, 5, 33, 4097, 5000, 100000, 9.0],
    ("numerics", "n_modes"): [*GENERIC, 2, 9, 10, 129],
    ("numerics", "n_z"): [*GENERIC, 4, 16, 2000],
    ("numerics", "energy_step"): [*GENERIC, 1e-4, 1e-6, 8.0, 100.0, 101.0],
    ("numerics", "grading_ratio"): [*GENERIC, 1.25, 10.0, 11.0],
    ("numerics", "min_spacing"): [*GENERIC, 1e-8, 1e-12, 1e-13],
    ("numerics", "eta_max"): [*GENERIC, 1.0, 2.5, 100.0, 101.0],
    ("numerics", "t_floor"): [*GENERIC, 1e-5, 1e-9, 1e-10, 1e3],
    ("numerics", "t_ceiling"): [*GENERIC, 5000.0, 1e5, 1e6, 1e-6],
    (".", "name"): ["mine", *WRONG_TYPES, 3],
    (".", "description"): ["text", 3, ["a"]],
    (".", "lattice"): [3, [1, 2], "abc", {}],
    (".", "pairing"): [3, [1, 2], {}],
    (".", "numerics"): [5, "abc", {}],
}
KEYS = sorted(POOLS)


def _key_names() -> set[str]:
    names = {k for _, k in KEYS} | {"lattice", "pairing", "numerics", "config"}
    return names | {"nope", "omegaa", "n_kzz"}


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, ...]]:
    n = draw(st.integers(1, 3))
    ops: list[tuple[str, ...]] = []
    for _ in range(n):
        kind = draw(st.sampled_from(["set", "set", "set", "set", "delete", "unknown"]))
        section, key = draw(st.sampled_from(KEYS))
        if kind == "set":
            ops.append(("set", section, key, draw(st.sampled_from(POOLS[(section, key)]))))
        elif kind == "delete":
            ops.append(("delete", section, key))
        else:
            unknown = draw(st.sampled_from(["nope", "omegaa", "n_kzz"]))
            ops.append(("set", section, unknown, draw(st.sampled_from(SMALLISH))))
    return ops


def _apply(cfg: dict[str, Any], ops: list[tuple[Any, ...]]) -> dict[str, Any]:
    cfg = copy.deepcopy(cfg)
    for op in ops:
        section, key = op[1], op[2]
        target = cfg if section == "." else cfg.get(section)
        if not isinstance(target, dict):
            continue
        if op[0] == "set":
            target[key] = copy.deepcopy(op[3])
        else:
            target.pop(key, None)
    return cfg


def _outcome(cfg: dict[str, Any]) -> str:
    """'finite' or 'refused'; raises AssertionError on anything else."""
    tables = {"n": 0}
    real = pdos_module.projected_dos

    def counting(*args: Any, **kwargs: Any) -> Any:
        tables["n"] += 1
        return real(*args, **kwargs)

    pdos_module.projected_dos = counting
    try:
        try:
            model = mg.Model.from_dict(cfg)
        except ValueError as exc:
            _check_message(str(exc))
            assert tables["n"] == 0, "a config was refused after the geometry was computed"
            return "refused"
        bottoms, tops = model.lattice.band_edges(model.n_bands)
        assert all(math.isfinite(x) for x in [*bottoms, *tops])
        try:
            tc = mg.critical_temperature(model, eta=0.5, g=0.3)
        except ValueError as exc:  # e.g. the pairing window reaches an omitted subband
            _check_message(str(exc))
            return "refused at Tc"
        assert math.isfinite(tc) and tc >= 0.0, f"Tc = {tc}"
        return "finite"
    finally:
        pdos_module.projected_dos = real


def _check_message(message: str) -> None:
    assert "\n" not in message, f"message is not one line: {message!r}"
    words = set(message.replace("[", " ").replace("]", " ").replace(".", " ").split())
    words |= {w.strip("'\"(),:;") for w in words}
    assert words & _key_names() or "eta" in words, f"message names no key: {message!r}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(base=st.sampled_from(sorted(BASES)), ops=mutations())
def test_every_config_gives_a_finite_result_or_a_one_line_refusal(
    base: str, ops: list[tuple[Any, ...]]
) -> None:
    COUNTS["tried"] += 1
    COUNTS[_outcome(_apply(BASES[base], ops))] += 1


@pytest.fixture(scope="module", autouse=True)
def _report() -> Any:
    yield
    path = os.environ.get("MULTIGAP_FUZZ_REPORT")
    if path:
        with open(path, "w") as fh:
            json.dump(dict(COUNTS), fh)


def test_unmutated_presets_give_finite_results() -> None:
    for cfg in BASES.values():
        assert _outcome(copy.deepcopy(cfg)) == "finite"


def test_a_bad_config_is_refused_before_any_geometry() -> None:
    cfg = copy.deepcopy(BASES["A"])
    cfg["numerics"]["energy_step"] = 1e-4  # 425 GiB of tables by the estimate
    assert _outcome(cfg) == "refused"
