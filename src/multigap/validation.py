"""Input checks shared by every public entry point.

Each check raises :class:`ValueError` naming the parameter, the value it received and the
range that is allowed, in one line, so that bad input fails before any heavy work starts.
Numbers must be real numbers (``bool`` and strings are refused, never converted); integers
must be integral (``3.5`` is refused, not truncated).

Memory: :func:`memory` refuses a request whose estimated memory exceeds
:data:`MEMORY_LIMIT_GIB` GiB (default 4 GiB; the environment variable
``MULTIGAP_MEMORY_LIMIT_GIB`` overrides it), quoting the estimate.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

#: Default largest estimated memory of one allocation step, GiB (env MULTIGAP_MEMORY_LIMIT_GIB).
MEMORY_LIMIT_GIB = 4.0


def _is_real(value: Any) -> bool:
    if isinstance(value, bool | np.bool_ | str | bytes):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def finite(name: str, value: float) -> float:
    """Return ``float(value)`` or raise if it is not a finite real number.

    Refused: strings (``"1"``), booleans, non-numbers, NaN, infinities and integers too large
    for a float.
    """
    if not _is_real(value):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    except OverflowError:
        raise ValueError(f"{name} must be finite, got {_short(value)}") from None
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


def integer(name: str, value: Any, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer in [``minimum``, ``maximum``].

    Integral floats (``3.0``) are accepted; ``3.5``, strings, booleans, NaN and inf are not.
    """
    rng = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    bad = ValueError(f"{name} must be an integer {rng}, got {_short(value)}")
    if not _is_real(value):
        raise bad
    if not isinstance(value, numbers.Integral):
        x = float(value)
        if not math.isfinite(x) or x != math.floor(x):
            raise bad
    n = int(value)
    if n < minimum or (maximum is not None and n > maximum):
        raise bad
    return n


def choice(name: str, value: str, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    options = tuple(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def text(name: str, value: Any) -> str:
    """Return ``value`` if it is a string."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {_short(value)}")
    return value


def table(name: str, value: Any) -> Mapping[str, Any]:
    """Return ``value`` if it is a mapping (a TOML table)."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a table ([{name}] section), got {_short(value)}")
    return value


def array(name: str, value: Any, length: int | None = None) -> list[Any]:
    """Return ``value`` as a list if it is a list or tuple (of ``length`` items when given)."""
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        value = list(value)
    if not isinstance(value, list | tuple):
        what = "an array" if length is None else f"an array of {length} values"
        raise ValueError(f"{name} must be {what}, got {_short(value)}")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must hold {length} values, got {len(value)}: {_short(value)}")
    return list(value)


def points(**arrays: Any) -> None:
    """Check that each named array of swept values is non-empty, real and finite, and that
    they broadcast together; raise a one-line ValueError naming the first bad one."""
    shapes = []
    for name, value in arrays.items():
        try:
            a = np.asarray(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number or an array of numbers") from None
        if a.dtype.kind not in "iuf" or a.dtype == np.bool_:
            raise ValueError(f"{name} must hold real numbers, got {_short(value)}")
        if a.size == 0:
            raise ValueError(f"{name} must hold at least one value, got an empty array")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite, got {_short(value)}")
        shapes.append(a.shape)
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        names = ", ".join(arrays)
        got = ", ".join(f"{k} {s}" for k, s in zip(arrays, shapes, strict=True))
        raise ValueError(f"{names} must broadcast together, got shapes {got}") from None


def scalars(**values: Any) -> None:
    """Check that each named value is one value, not an array or a list (an empty one
    included); the solver's own checks then say what a valid value is."""
    for name, value in values.items():
        if isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim):
            raise ValueError(f"{name} must be one real number, got {_short(value)}")


def memory_limit() -> float:
    """The memory limit in bytes (:data:`MEMORY_LIMIT_GIB`, or env MULTIGAP_MEMORY_LIMIT_GIB)."""
    env = os.environ.get("MULTIGAP_MEMORY_LIMIT_GIB")
    try:
        gib = float(env) if env else MEMORY_LIMIT_GIB
    except ValueError:
        gib = MEMORY_LIMIT_GIB
    return (gib if math.isfinite(gib) and gib > 0 else MEMORY_LIMIT_GIB) * 2.0**30


def memory(name: str, value: Any, nbytes: float, what: str) -> None:
    """Raise if ``nbytes`` (an estimate) exceeds :func:`memory_limit`, quoting the estimate.

    ``name`` and ``value`` are the input responsible (e.g. ``numerics.n_kz``, 100000) and
    ``what`` says what would be allocated.
    """
    limit = memory_limit()
    if not nbytes <= limit:
        raise ValueError(
            f"{name} = {_short(value)} needs an estimated {gib(nbytes)} for {what}, more than "
            f"the limit of {gib(limit)} (set MULTIGAP_MEMORY_LIMIT_GIB to change it)"
        )


def gib(nbytes: float) -> str:
    """A byte count in GiB (or MiB below 1 GiB), e.g. ``'671 GiB'``."""
    if nbytes >= 2.0**30:
        return f"{nbytes / 2.0**30:.3g} GiB"
    return f"{nbytes / 2.0**20:.3g} MiB"


def _short(value: Any, limit: int = 60) -> str:
    """repr of a value cut to ``limit`` characters (huge integers and long lists stay short)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return (
            f"{float(value):.3e}"
            if abs(value) < 10**308
            else f"an integer of {len(str(abs(value)))} digits"
        )
    r = repr(value)
    return r if len(r) <= limit else r[: limit - 3] + "..."


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


def allocation(what: str, n_bytes: float, limit: float | None = None, hint: str = "") -> None:
    """Refuse a planned allocation of ``n_bytes`` above ``limit`` (default :func:`memory_limit`)."""
    limit = memory_limit() if limit is None else limit
    if n_bytes > limit:
        extra = f"; {hint}" if hint else ""
        raise ValueError(
            f"{what} would need {n_bytes / 1024**3:.3g} GiB, above the limit "
            f"{limit / 1024**3:.3g} GiB{extra}"
        )
