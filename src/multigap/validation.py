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


# ---------------------------------------------------------------------------------------------
# Strict checks for numeric inputs of the structure layer (issue 10): a real number is an int or
# a float (numpy scalars included), never a bool, a string or a sequence; every quantity has a
# finite documented range; array sizes are estimated before anything is allocated.

#: Largest single allocation a call may plan, bytes (2 GiB).
MEMORY_LIMIT = 2 * 1024**3


def _is_real(value: Any) -> bool:
    import numbers

    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and (type(value).__name__ != "bool_")
    )


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an int beyond the float range
        return math.inf if value > 0 else -math.inf


def real(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    unit: str = "",
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``float(value)`` if it is a real number (not bool/str/sequence) in the interval.

    The interval is [low, high] with either end open on request. One-line ValueError naming
    ``name``, the value and the interval otherwise.
    """
    lb = "(" if low_open else "["
    hb = ")" if high_open else "]"
    span = f"{lb}{low:g}, {high:g}{hb}{_u(unit)}"
    if not _is_real(value):
        raise ValueError(f"{name} must be a real number in {span}, got {value!r}")
    x = _as_float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number in {span}, got {value!r}")
    bad_low = x <= low if low_open else x < low
    bad_high = x >= high if high_open else x > high
    if bad_low or bad_high:
        raise ValueError(f"{name} must lie in {span}, got {value!r}")
    return x


def count(name: str, value: Any, low: int, high: int) -> int:
    """Return ``value`` as an int if it is an integer (not bool, not 3.5, not "3") in [low, high].

    Integral floats (3.0) are accepted; anything else is refused in one line naming ``name``.
    """
    span = f"an integer in [{low}, {high}]"
    x = _as_float(value) if _is_real(value) else math.nan
    if not math.isfinite(x) or not x.is_integer():
        raise ValueError(f"{name} must be {span}, got {value!r}")
    n = int(value)
    if not low <= n <= high:
        raise ValueError(f"{name} must be {span}, got {value!r}")
    return n


def memory(what: str, n_bytes: float, limit: float | None = None, hint: str = "") -> None:
    """Refuse a planned allocation of ``n_bytes`` above ``limit`` (default :data:`MEMORY_LIMIT`)."""
    limit = MEMORY_LIMIT if limit is None else limit
    if n_bytes > limit:
        extra = f"; {hint}" if hint else ""
        raise ValueError(
            f"{what} would need {n_bytes / 1024**3:.3g} GiB, above the limit "
            f"{limit / 1024**3:.3g} GiB{extra}"
        )
