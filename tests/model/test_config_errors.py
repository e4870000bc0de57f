"""Bad model configs and numerics (issue 10): one-line refusals naming the TOML key, its value
and the allowed range, before any geometry is computed."""

from __future__ import annotations

import copy
import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import multigap as mg
from multigap import validation as check

BASE = tomllib.loads(resources.files("multigap.presets").joinpath("A.toml").read_text())


def _cfg(section: str | None, key: str, value: Any, **pairing: Any) -> dict[str, Any]:
    cfg = copy.deepcopy(BASE)
    if section is None:
        cfg[key] = value
    else:
        cfg.setdefault(section, {})[key] = value
    cfg["pairing"].update(pairing)
    return cfg


def _height(cfg: dict[str, Any]) -> dict[str, Any]:
    cfg["lattice"].pop("width")
    cfg["lattice"]["height"] = 2000.0
    return cfg


CASES = [
    (_cfg("pairing", "band_omega0", 330.0), r"pairing\.band_omega0 must be an array of 3 values"),
    (_cfg(None, "lattice", 3), r"lattice must be a table"),
    (_cfg(None, "lattice", [1, 2]), r"lattice must be a table"),
    (_cfg(None, "numerics", 5), r"numerics must be a table"),
    (
        _cfg(None, "lattice", {"layers": "abc"}),
        r"lattice\.layers must be an array, got 'abc'",
    ),
    (
        _cfg(None, "lattice", {"layers": [[0.85, 0.0], [0.55]]}),
        r"lattice\.layers\[1\] must be a pair \[thickness_nm, potential_meV\], got \[0\.55\]",
    ),
    (
        _height(_cfg("lattice", "extra_layers", [[0.3]])),
        r"lattice\.extra_layers\[0\] must be a pair \[thickness_nm, potential_meV\], got \[0\.3\]",
    ),
    (
        _cfg(
            "pairing", "coupling_matrix", [[0.1, 0, 0], [0, 0.1], [0, 0, 0.3]], interband="matrix"
        ),
        r"pairing\.coupling_matrix\[1\] must hold 3 values, got 2",
    ),
    (_cfg("lattice", "well", "thin"), r"lattice\.well must be a real number, got 'thin'"),
    (_cfg("lattice", "well", math.inf), r"lattice\.well must be finite, got inf"),
    (_cfg("pairing", "omega0", 10**400), r"pairing\.omega0 must be finite, got an integer of"),
    (_cfg("pairing", "n_bands", 10**30), r"pairing\.n_bands must be an integer in \[1, 16\]"),
    (
        _cfg("numerics", "n_kz", math.inf),
        r"numerics\.n_kz must be an integer in \[3, 4097\], got inf",
    ),
    (_cfg("lattice", "band", 3.5), r"lattice\.band must be an integer in \[1, 16\], got 3\.5"),
    (_cfg("numerics", "energy_step", "1"), r"numerics\.energy_step must be a real number, got '1'"),
    (
        _cfg("numerics", "energy_step", 1e-6),
        r"numerics\.energy_step must lie in \[0\.0001, 100\] meV, got 1e-06",
    ),
    (
        _cfg("numerics", "energy_step", 1e-3),
        r"numerics\.energy_step = 0\.001 needs an estimated [\d.]+ GiB for the projected-DOS",
    ),
    (
        _cfg("numerics", "n_kz", 100000),
        r"numerics\.n_kz must be an integer in \[3, 4097\], got 100000",
    ),
    (
        _cfg("numerics", "n_kz", 4097),
        r"numerics\.n_kz = 4097 needs an estimated [\d.]+ GiB for the superposition integrals",
    ),
    (_cfg("numerics", "eta_max", -5), r"numerics\.eta_max must lie in \[1, 100\], got -5"),
    (
        _cfg("pairing", "interband_value", -2.0, interband="constant"),
        r"pairing\.interband_value must lie in \(-0\.5, 0\.5\), got -2\.0",
    ),
    (_cfg("pairing", "resonant_band", 0), r"pairing\.resonant_band must be an integer >= 1, got 0"),
    (
        _cfg("pairing", "resonant_band", "x"),
        r"pairing\.resonant_band must be an integer >= 1, got 'x'",
    ),
    (_cfg("pairing", "omegaa", 1.0), r"unknown key 'omegaa' in \[pairing\].*did you mean 'omega0'"),
    (_cfg(None, "name", 3), r"name must be a string, got 3"),
    (_cfg("numerics", "n_z", True), r"numerics\.n_z must be an integer in \[4, 1024\], got True"),
    (_cfg("numerics", "t_ceiling", 1e6), r"numerics\.t_ceiling must lie in \[1e-09, 100000\] K"),
    (_cfg("pairing", "cutoff", 1), r"pairing\.cutoff must be a string, got 1"),
    (
        _cfg("pairing", "band_omega0", [330.0, -1.0, 250.0]),
        r"pairing\.band_omega0\[1\] must be > 0 and <= 2000 meV, got -1\.0",
    ),
]


@pytest.mark.parametrize(("cfg", "match"), CASES)
def test_bad_config_is_refused_in_one_line_naming_the_key(cfg: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        mg.Model.from_dict(cfg)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("config: ")


def test_constant_interband_within_its_range_still_computes() -> None:
    cfg = _cfg("pairing", "interband_value", 0.05, interband="constant")
    cfg["numerics"] = {"n_kz": 9, "n_modes": 4, "n_z": 8, "energy_step": 5.0}
    tc = mg.critical_temperature(mg.Model.from_dict(cfg), eta=0.5, g=0.3)
    assert math.isfinite(tc) and tc > 0.0


def test_load_model_names_the_file_and_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a directory, not a TOML file"):
        mg.load_model(tmp_path)
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match=r"b\.toml' is not a UTF-8 text \(TOML\) file"):
        mg.load_model(binary)
    bad = tmp_path / "n.toml"
    bad.write_text(
        '[lattice]\nwell = "thin"\nbarrier = 0.55\nheight = 2000.0\n[pairing]\nomega0 = 100.0\n'
    )
    with pytest.raises(ValueError, match=r"n\.toml: lattice\.well must be a real number"):
        mg.load_model(bad)


def test_numerics_api_normalises_and_refuses() -> None:
    assert mg.Numerics(n_kz=33.0).n_kz == 33 and isinstance(mg.Numerics(n_kz=33.0).n_kz, int)
    with pytest.raises(ValueError, match=r"n_kz must be an integer in \[3, 4097\], got 3\.5"):
        mg.Numerics(n_kz=3.5)
    with pytest.raises(ValueError, match="energy_step must be a real number, got '1'"):
        mg.Numerics(energy_step="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"t_ceiling must be > t_floor = 10 K"):
        mg.Numerics(t_floor=10.0, t_ceiling=5.0)


def test_preset_rejects_an_empty_name() -> None:
    with pytest.raises(ValueError, match="preset must be one of 'A', 'B', got ''"):
        mg.preset("")


def test_memory_estimate_is_an_upper_bound_of_the_tables() -> None:
    model = mg.preset("A")
    est = model.memory_estimate()
    nodes = model.geometry.pdos.energy.size
    assert nodes <= est["energy_nodes"] <= 4 * nodes
    assert est["pdos"] >= model.geometry.pdos.values.nbytes


def test_memory_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULTIGAP_MEMORY_LIMIT_GIB", "0.001")
    with pytest.raises(ValueError, match=r"numerics\.energy_step = 1\.0 needs an estimated"):
        mg.preset("A")
    monkeypatch.setenv("MULTIGAP_MEMORY_LIMIT_GIB", "nonsense")
    assert check.memory_limit() == check.MEMORY_LIMIT_GIB * 2.0**30


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m: mg.critical_temperatures(m, [], 0.3), "eta must hold at least one value"),
        (lambda m: mg.critical_temperatures(m, 1.0, []), "g must hold at least one value"),
        (
            lambda m: mg.critical_temperatures(m, [1.0, 2.0], [0.1, 0.2, 0.3]),
            r"eta, g must broadcast together, got shapes eta \(2,\), g \(3,\)",
        ),
        (lambda m: mg.critical_temperatures(m, ["a"], 0.3), "eta must hold real numbers"),
        (
            lambda m: mg.critical_temperature(m, 1.0, 0.3, tol=10),
            r"tol must lie in \[1e-15, 0\.001\], got 10",
        ),
        (lambda m: mg.zero_temperature_gaps(m, 1.0, []), r"g must be one real number, got \[\]"),
        (lambda m: mg.zero_temperature_gaps(m, [], 0.3), r"eta must be one real number, got \[\]"),
    ],
)
def test_public_solvers_refuse_empty_and_bad_points(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call(mg.preset("A"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "x must be a real number, got '1'"),
        (True, "x must be a real number, got True"),
        (10**400, "x must be finite, got an integer of 401 digits"),
        (math.nan, "x must be finite, got nan"),
    ],
)
def test_finite_is_strict(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        check.finite("x", value)


def test_integer_is_strict() -> None:
    assert check.integer("n", 3.0, 1, 5) == 3
    for bad in (3.5, "3", True, math.inf, math.nan, 6, 0):
        with pytest.raises(ValueError, match=r"n must be an integer in \[1, 5\]"):
            check.integer("n", bad, 1, 5)
