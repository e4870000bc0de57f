"""Small intersphinx inventories for numpy, scipy, xarray and Python, written at build time.

The build never downloads anything (CI and offline users have no network), so instead of
fetching each project's ``objects.inv`` we write one with the names these docs refer to. Each
name is checked against the *installed* package (a name that no longer exists fails the build
instead of leaving a dead link), and each URL points at the project's real page for it.
"""

from __future__ import annotations

import builtins
import importlib
import sys
import zlib
from importlib.metadata import version
from pathlib import Path

#: project -> (base URL, {name: (role, page relative to the base, "$" standing for the name)})
ENTRIES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "python": (
        "https://docs.python.org/3/",
        {
            "None": ("py:data", "library/constants.html#$"),
            "bool": ("py:class", "library/functions.html#$"),
            "int": ("py:class", "library/functions.html#$"),
            "float": ("py:class", "library/functions.html#$"),
            "str": ("py:class", "library/stdtypes.html#$"),
            "tuple": ("py:class", "library/stdtypes.html#$"),
            "list": ("py:class", "library/stdtypes.html#$"),
            "dict": ("py:class", "library/stdtypes.html#$"),
            "callable": ("py:function", "library/functions.html#$"),
            "bltin-boolean-values": ("std:label", "library/stdtypes.html#$"),
            "sequence": ("std:term", "glossary.html#term-$"),
            "iterable": ("std:term", "glossary.html#term-$"),
        },
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        {
            "array_like": ("std:term", "glossary.html#term-$"),
            "numpy.ndarray": ("py:class", "reference/generated/$.html"),
            "numpy.linspace": ("py:function", "reference/generated/$.html"),
            "numpy.einsum": ("py:function", "reference/generated/$.html"),
            "numpy.errstate": ("py:class", "reference/generated/$.html"),
            "numpy.linalg.eigh": ("py:function", "reference/generated/$.html"),
            "numpy.polynomial.legendre.leggauss": ("py:function", "reference/generated/$.html"),
            "numpy.float64": ("py:attribute", "reference/arrays.scalars.html#$"),
            "numpy.nan": ("py:data", "reference/constants.html#$"),
            "numpy.typing.ArrayLike": ("py:data", "reference/typing.html#$"),
            "numpy.typing.NDArray": ("py:data", "reference/typing.html#$"),
            "numpy.random.Generator": ("py:class", "reference/random/generator.html#$"),
        },
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        {
            "scipy.constants": ("py:module", "reference/constants.html#module-$"),
            "scipy.optimize": ("py:module", "reference/optimize.html#module-$"),
            "scipy.optimize.brentq": ("py:function", "reference/generated/$.html"),
            "scipy.optimize.least_squares": ("py:function", "reference/generated/$.html"),
            "scipy.optimize.differential_evolution": ("py:function", "reference/generated/$.html"),
            "scipy.optimize.minimize": ("py:function", "reference/generated/$.html"),
            "scipy.optimize.root": ("py:function", "reference/generated/$.html"),
            "scipy.special.ellipk": ("py:data", "reference/generated/$.html"),
            "scipy.linalg.eigh": ("py:function", "reference/generated/$.html"),
        },
    ),
    "xarray": (
        "https://docs.xarray.dev/en/stable/",
        {
            "xarray.Dataset": ("py:class", "generated/$.html"),
            "xarray.DataArray": ("py:class", "generated/$.html"),
            "xarray.Variable": ("py:class", "generated/$.html"),
            "xarray.open_dataset": ("py:function", "generated/$.html"),
            "xarray.load_dataset": ("py:function", "generated/$.html"),
            "xarray.Dataset.to_netcdf": ("py:method", "generated/$.html"),
        },
    ),
}


def _resolve(name: str) -> object:
    """The installed object called ``name`` (module, or attribute path under one)."""
    parts = name.split(".")
    if len(parts) == 1 and hasattr(builtins, name):
        return getattr(builtins, name)
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def inventory_bytes(project: str) -> bytes:
    """An ``objects.inv`` (version 2) for ``project``, from :data:`ENTRIES`."""
    _, names = ENTRIES[project]
    lines = []
    for name, (role, page) in sorted(names.items()):
        if role.startswith("py:"):
            try:
                _resolve(name)
            except (ImportError, AttributeError) as exc:
                raise RuntimeError(f"{name} is not in the installed {project}: {exc}") from exc
        display = {"bltin-boolean-values": "Boolean type"}.get(name, "-")
        priority = -1 if role.startswith("std:") else 1
        lines.append(f"{name} {role} {priority} {page.replace('$', name)} {display}\n")
    head = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {sys.version.split()[0] if project == 'python' else version(project)}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    return head.encode() + zlib.compress("".join(lines).encode())


def write_inventories(folder: Path) -> dict[str, tuple[str, str]]:
    """Write one inventory per project into ``folder``; return ``intersphinx_mapping``."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for project, (base, _) in ENTRIES.items():
        path = folder / f"{project}.inv"
        path.write_bytes(inventory_bytes(project))
        mapping[project] = (base, str(path))
    return mapping
