"""Configuration values: their allowed ranges, their checks, and the [lattice] section reader.

The pure, class-free half of :mod:`multigap.model`: each function takes plain values (a mapping
read from TOML, or a model's fields) and returns them normalised, or raises a one-line
ValueError naming the parameter (by its TOML path when a prefix is given), its value and the
allowed range. :class:`multigap.model.Numerics` and :class:`multigap.model.Model` call these
checks when they are built, and :meth:`multigap.model.Model.from_dict` reads a configuration
with them.

May import: :mod:`multigap.validation`, :mod:`multigap.structure` and below (never
:mod:`multigap.model`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from multigap import validation as check
from multigap.structure.lattice import Layer, Superlattice

INTERBAND_RULES = ("geometric", "constant", "matrix")
CUTOFF_RULES = ("migdal", "fixed")
MU_RULES = ("fixed_mu", "fixed_density")


#: Allowed ranges of the numerical grids (closed unless said otherwise; see
#: :class:`multigap.model.Numerics`).
NUMERICS_RANGES: Mapping[str, tuple[float, float]] = {
    "n_kz": (3, 4097),
    "n_modes": (1, 128),
    "n_z": (4, 1024),
    "energy_step": (1e-4, 100.0),
    "grading_ratio": (1.0, 10.0),
    "min_spacing": (1e-12, 1.0),
    "eta_max": (1.0, 100.0),
    "t_floor": (1e-9, 1e3),
    "t_ceiling": (1e-9, 1e5),
}
_NUMERICS_INTEGERS = ("n_kz", "n_modes", "n_z")
_NUMERICS_UNITS = {"energy_step": "meV", "min_spacing": "meV", "t_floor": "K", "t_ceiling": "K"}


def _check_numerics(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Normalised numerics values; raises ValueError naming ``prefix + key``."""
    out: dict[str, Any] = {}
    for key, (lo, hi) in NUMERICS_RANGES.items():
        name = prefix + key
        if key in _NUMERICS_INTEGERS:
            out[key] = check.integer(name, values[key], int(lo), int(hi))
        else:
            out[key] = check.in_range(
                name,
                values[key],
                lo,
                hi,
                low_open=key == "grading_ratio",
                unit=_NUMERICS_UNITS.get(key, ""),
            )
    if out["n_modes"] > out["n_kz"]:
        raise ValueError(
            f"{prefix}n_modes must lie in [1, n_kz = {out['n_kz']}], got {out['n_modes']}"
        )
    if out["t_ceiling"] <= out["t_floor"]:
        raise ValueError(
            f"{prefix}t_ceiling must be > t_floor = {out['t_floor']:g} K (and <= 1e+05 K), got "
            f"{out['t_ceiling']:g}"
        )
    return out


_PAIRING_KEYS = (
    "omega0",
    "n_bands",
    "resonant_band",
    "background_coupling",
    "interband",
    "interband_value",
    "coupling_matrix",
    "cutoff",
    "band_omega0",
    "chemical_potential",
    "coupling_scale",
)
_PAIRING_DEFAULTS: dict[str, Any] = {
    "n_bands": 3,
    "resonant_band": 3,
    "background_coupling": 0.1,
    "interband": "geometric",
    "interband_value": None,
    "coupling_matrix": None,
    "cutoff": "migdal",
    "band_omega0": None,
    "chemical_potential": "fixed_mu",
    "coupling_scale": 1.0,
}
#: Allowed ranges of the pairing parameters (see :class:`multigap.model.Model`).
OMEGA0_MAX = 2000.0  # meV
N_BANDS_MAX = 16
COUPLING_SCALE_MAX = 10.0  # coupling_scale in (0, COUPLING_SCALE_MAX]
COUPLING_RANGE = (-0.5, 0.5)  # interband_value, coupling_matrix entries: open interval

_LATTICE_KEYS = (
    "well",
    "barrier",
    "height",
    "width",
    "band",
    "mass_x",
    "mass_z",
    "extra_layers",
    "layers",
)


def _check_pairing(v: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Normalised pairing values; raises ValueError naming ``prefix + key``."""
    out = dict(v)
    out["omega0"] = _phonon(prefix + "omega0", v["omega0"])
    nb = out["n_bands"] = check.integer(prefix + "n_bands", v["n_bands"], 1, N_BANDS_MAX)
    rb = out["resonant_band"] = check.integer(prefix + "resonant_band", v["resonant_band"], 1)
    if rb > nb:
        raise ValueError(
            f"{prefix}resonant_band must lie in [1, n_bands = {nb}], got {rb} (that subband "
            "would not be computed)"
        )
    out["background_coupling"] = check.in_range(
        prefix + "background_coupling", v["background_coupling"], 0.0, 0.5, high_open=True
    )
    for key, rules in (
        ("interband", INTERBAND_RULES),
        ("cutoff", CUTOFF_RULES),
        ("chemical_potential", MU_RULES),
    ):
        check.choice(prefix + key, check.text(prefix + key, v[key]), rules)
    lo, hi = COUPLING_RANGE
    if v["interband_value"] is not None or out["interband"] == "constant":
        if v["interband_value"] is None:
            raise ValueError(f'{prefix}interband = "constant" needs {prefix}interband_value')
        out["interband_value"] = check.in_range(
            prefix + "interband_value", v["interband_value"], lo, hi, low_open=True, high_open=True
        )
    if v["coupling_matrix"] is not None or out["interband"] == "matrix":
        if v["coupling_matrix"] is None:
            raise ValueError(
                f'{prefix}interband = "matrix" needs {prefix}coupling_matrix ({nb} x {nb})'
            )
        out["coupling_matrix"] = _matrix(prefix + "coupling_matrix", v["coupling_matrix"], nb)
    out["coupling_scale"] = check.in_range(
        prefix + "coupling_scale", v["coupling_scale"], 0.0, COUPLING_SCALE_MAX, low_open=True
    )
    if v["band_omega0"] is not None:
        name = prefix + "band_omega0"
        out["band_omega0"] = tuple(
            _phonon(f"{name}[{i}]", w)
            for i, w in enumerate(check.array(name, v["band_omega0"], nb))
        )
    return out


def _phonon(name: str, value: Any) -> float:
    """A phonon energy in (0, OMEGA0_MAX] meV."""
    x = check.finite(name, value)
    if not 0.0 < x <= OMEGA0_MAX:
        raise ValueError(f"{name} must be > 0 and <= {OMEGA0_MAX:g} meV, got {value!r}")
    return x


def _matrix(name: str, value: Any, nb: int) -> tuple[tuple[float, ...], ...]:
    lo, hi = COUPLING_RANGE
    rows = check.array(name, value, nb)
    mat = tuple(
        tuple(
            check.in_range(f"{name}[{i}][{j}]", x, lo, hi, low_open=True, high_open=True)
            for j, x in enumerate(check.array(f"{name}[{i}]", row, nb))
        )
        for i, row in enumerate(rows)
    )
    arr = np.array(mat)
    if not np.allclose(arr, arr.T, rtol=0, atol=1e-12):
        i, j = np.unravel_index(int(np.argmax(np.abs(arr - arr.T))), arr.shape)
        raise ValueError(
            f"{name} must be symmetric, got [{i}][{j}] = {arr[i, j]:g} but [{j}][{i}] = "
            f"{arr[j, i]:g}"
        )
    return mat


def _pairs(name: str, value: Any) -> list[tuple[float, float]]:
    """A TOML array of [thickness_nm, potential_meV] pairs."""
    items = check.array(name, value)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(
                f"{name}[{i}] must be a pair [thickness_nm, potential_meV], got {item!r}"
            )
        out.append(
            (check.finite(f"{name}[{i}][0]", item[0]), check.finite(f"{name}[{i}][1]", item[1]))
        )
    return out


def _lattice_from(cfg: Mapping[str, Any], resonant_band: int) -> Superlattice:
    check.known_keys("[lattice]", cfg, _LATTICE_KEYS)

    def num(key: str) -> float:
        return check.finite(f"lattice.{key}", cfg[key])

    masses = {k: num(k) for k in ("mass_x", "mass_z") if k in cfg}
    if "layers" in cfg:
        clash = [
            k for k in ("well", "barrier", "height", "width", "band", "extra_layers") if k in cfg
        ]
        if clash:
            raise ValueError(
                f"lattice.layers describes the whole cell; drop lattice.{clash[0]} (give either "
                "layers or well, barrier and height/width)"
            )
        layers = _pairs("lattice.layers", cfg["layers"])
        return _build(lambda: Superlattice.from_layers(layers, **masses))
    for key in ("well", "barrier"):
        if key not in cfg:
            raise ValueError(f"[lattice] lacks {key} (nm)")
    if ("height" in cfg) == ("width" in cfg):
        raise ValueError(
            "[lattice] needs exactly one of height (barrier height, meV) or width "
            "(transversal dispersion Delta_E of the resonant subband, meV)"
        )
    well, barrier = num("well"), num("barrier")
    extra = _pairs("lattice.extra_layers", cfg.get("extra_layers", []))
    if "width" in cfg:
        if extra:
            raise ValueError(
                "lattice.width with lattice.extra_layers is not supported; give height"
            )
        width = num("width")
        band = check.integer("lattice.band", cfg.get("band", resonant_band), 1, N_BANDS_MAX)
        return _build(lambda: Superlattice.from_width(well, barrier, width, band=band, **masses))
    height = num("height")
    return _build(
        lambda: Superlattice(
            well, barrier, height, extra_layers=tuple(Layer(t, v) for t, v in extra), **masses
        )
    )


def _build(make: Callable[[], Superlattice]) -> Superlattice:
    """Run a Superlattice constructor, naming the [lattice] section in its refusals."""
    try:
        return make()
    except ValueError as exc:
        raise ValueError(f"[lattice] {exc}") from None
