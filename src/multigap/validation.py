"""Input checks shared by every public entry point.

Each check raises :class:`ValueError` naming the parameter, the value it received and the
range that is allowed, so that bad input fails before any heavy work starts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any


def finite(name: str, value: float) -> float:
    """Return ``float(value)`` or raise if it is not a finite real number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def positive(name: str, value: float, unit: str = "") -> float:
    """Return ``value`` if it is finite and > 0."""
    x = finite(name, value)
    if x <= 0.0:
        raise ValueError(f"{name} must be > 0{_u(unit)}, got {value!r}")
    return x


def non_negative(name: str, value: float, unit: str = "") -> float:
    """Return ``value`` if it is finite and >= 0."""
    x = finite(name, value)
    if x < 0.0:
        raise ValueError(f"{name} must be >= 0{_u(unit)}, got {value!r}")
    return x


def in_range(
    name: str,
    value: float,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    unit: str = "",
) -> float:
    """Return ``value`` if it lies in the interval given by ``low``, ``high`` and openness."""
    x = finite(name, value)
    bad_low = x <= low if low_open else x < low
    bad_high = x >= high if high_open else x > high
    if bad_low or bad_high:
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lb}{low:g}, {high:g}{hb}{_u(unit)}, got {value!r}")
    return x


def integer(name: str, value: Any, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def choice(name: str, value: str, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    options = tuple(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def known_keys(where: str, mapping: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise if ``mapping`` has keys outside ``allowed``, suggesting the closest valid key."""
    import difflib

    options = sorted(allowed)
    for key in mapping:
        if key not in options:
            near = difflib.get_close_matches(key, options, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ValueError(
                f"unknown key {key!r} in {where}{hint}; allowed keys: {', '.join(options)}"
            )


def _u(unit: str) -> str:
    return f" {unit}" if unit else ""
