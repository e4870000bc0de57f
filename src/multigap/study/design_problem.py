"""An inverse-design problem (:mod:`multigap.study.design`): its keys, checks and TOML file."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from multigap import validation as check
from multigap.model import load_model, preset
from multigap.study.design_result import UNITS

#: Structure parameters a design may vary (nm, nm, meV, meV, m_e, m_e).
STRUCTURE_KEYS = ("well", "barrier", "width", "height", "mass_x", "mass_z")
#: Keys of ``[bounds]``: the structure parameters and eta.
BOUND_KEYS = (*STRUCTURE_KEYS, "eta")
#: Keys of ``[fixed]``.
FIXED_KEYS = ("g", "omega0", *STRUCTURE_KEYS)
#: Keys of ``[search]``.
SEARCH_KEYS = ("maxiter", "popsize", "seed", "n_eta", "n_scan", "n_polish")
#: Top-level keys of a design TOML file.
TOML_KEYS = ("base", "material", "bounds", "fixed", "search")
#: Design modes: any structure parameter searched, or a given spacer material held.
MATERIAL_MODES = ("free", "fixed")
#: What a given spacer material fixes: the barrier height and the effective masses.
MATERIAL_KEYS = ("height", "mass_x", "mass_z")


# ---------------------------------------------------------------------------------- validation
def _check_value(name: str, value: Any) -> float:
    if name in ("well", "barrier", "width", "mass_x", "mass_z", "omega0"):
        return check.positive(name, value, UNITS[name])
    if name == "height":
        return check.non_negative(name, value, UNITS[name])
    if name == "g":
        return check.in_range("g", value, 0.0, 0.5, high_open=True)
    return check.finite(name, value)


def validate_problem(
    bounds: Mapping[str, Sequence[float]], fixed: Mapping[str, float] | None = None
) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Check a design problem and return ``(bounds, fixed)`` as plain float dicts.

    Raises ValueError naming the field for: an unknown key (with the closest valid one), a bound
    that is not a pair of finite numbers, an inverted bound (low > high), a value outside its
    physical range (widths > 0, height >= 0, masses > 0, 0 <= g < 0.5, omega0 > 0), a parameter
    both bounded and fixed, width and height together, or no eta bounds.
    """
    check.known_keys("[bounds]", bounds, BOUND_KEYS)
    fixed = dict(fixed or {})
    check.known_keys("[fixed]", fixed, FIXED_KEYS)
    out: dict[str, tuple[float, float]] = {}
    for k, b in bounds.items():
        if isinstance(b, str | bytes) or not isinstance(b, Sequence) or len(b) != 2:
            raise ValueError(f"[bounds] {k} must be a pair [low, high], got {b!r}")
        lo = _check_value(f"{k}", b[0]) if k != "eta" else check.finite("eta low", b[0])
        hi = _check_value(f"{k}", b[1]) if k != "eta" else check.finite("eta high", b[1])
        if lo > hi:
            raise ValueError(
                f"[bounds] {k} is inverted: low = {lo:g} > high = {hi:g} {UNITS[k]}".rstrip()
            )
        out[k] = (lo, hi)
    fix = {k: _check_value(k, v) for k, v in fixed.items()}
    both = sorted(set(out) & set(fix))
    if both:
        raise ValueError(f"{both[0]!r} is both in [bounds] and in [fixed]; give it once")
    given = set(out) | set(fix)
    if {"width", "height"} <= given:
        raise ValueError(
            "give either width (Delta_E of the resonant subband, meV; the barrier height is "
            "solved) or height (barrier height V, meV), not both"
        )
    if "eta" not in out:
        raise ValueError("[bounds] needs eta = [low, high] (the Lifshitz parameter range)")
    return out, fix


# ---------------------------------------------------------------------------------- TOML
def load_design_toml(path: str | Path) -> dict[str, Any]:
    """Read and validate a design TOML file; return the keyword arguments of :func:`optimise`.

    Layout::

        base = "A"                    # preset name or a model TOML path (relative to this file)
        material = "fixed"            # optional: "fixed" holds V and the masses (default "free")
        [bounds]
        well = [0.6, 1.2]             # nm
        barrier = [0.3, 0.8]          # nm
        width = [100.0, 400.0]        # Delta_E, meV (or height = [...], barrier height, meV)
        eta = [0.0, 2.0]
        # mass_x = [...], mass_z = [...] optional (m_e)
        [fixed]
        g = 0.3
        omega0 = 330.0                # meV; any structure value may be fixed here too
        [search]                      # optional
        maxiter = 6
        popsize = 5
        seed = 0
        n_eta = 41
        n_scan = 9
        n_polish = 20

    Raises ValueError naming the field for unknown sections or keys, inverted bounds, values
    outside their physical range, a missing ``g`` or ``eta``.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"design file {str(p)!r} does not exist")
    try:
        cfg = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"design file {str(p)!r} is not valid TOML: {exc}") from None
    check.known_keys(f"design file {p}", cfg, TOML_KEYS)
    if "bounds" not in cfg:
        raise ValueError(f"design file {p} lacks the [bounds] section")
    fixed = dict(cfg.get("fixed", {}))
    if "g" not in fixed:
        raise ValueError(f"design file {p} [fixed] lacks g (the resonant coupling, 0 <= g < 0.5)")
    bounds, fix = validate_problem(dict(cfg["bounds"]), fixed)
    search = dict(cfg.get("search", {}))
    check.known_keys(f"design file {p} [search]", search, SEARCH_KEYS)
    base_spec = cfg.get("base", "A")
    if not isinstance(base_spec, str):
        raise ValueError(
            f"design file {p}: base must be a preset name or a path, got {base_spec!r}"
        )
    if base_spec.upper() in ("A", "B"):
        base = preset(base_spec)
    else:
        mp = Path(base_spec)
        base = load_model(mp if mp.is_absolute() else p.parent / mp)
    g = fix.pop("g")
    omega0 = fix.pop("omega0", None)
    material = check.choice(
        f"design file {p}: material", cfg.get("material", "free"), MATERIAL_MODES
    )
    return {
        "bounds": bounds, "g": g, "omega0": omega0, "base": base, "fixed": fix,
        "material": material, **search,
    }  # fmt: skip
