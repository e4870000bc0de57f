"""Shared pieces of the commands: options, input parsing, error reporting, output."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    import numpy as np

    from multigap.model import Model

F = TypeVar("F", bound=Callable[..., Any])

PresetOpt = Annotated[
    str | None,
    typer.Option("--preset", "-p", help="Preset heterostructure: A (H3S-like) or B (CSH-like)."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Model TOML file (same layout as the presets)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
EtaOpt = Annotated[
    float, typer.Option("--eta", help="Lifshitz parameter eta = (mu - E_L)/Delta_E.")
]
GOpt = Annotated[
    float,
    typer.Option("--g", help="Reduced resonant coupling g = lambda/(1+lambda), 0 <= g < 0.5."),
]


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def user_errors(func: F) -> F:
    """Report ValueError (bad input the library rejects) and OS errors (unwritable or missing
    paths, unreachable services) as one line 'Error: ...' with exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, FileNotFoundError) as exc:
            raise _fail(_one_line(str(exc))) from None
        except OSError as exc:
            raise _fail(_os_message(exc)) from None
        except ImportError as exc:
            raise _fail(
                f"this command needs a multigap module that is not available: {exc}"
            ) from None

    return wrapper  # type: ignore[return-value]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _os_message(exc: OSError) -> str:
    where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    return _one_line(f"{where}{what}")


def load(preset: str | None, config: Path | None) -> Model:
    """The model of ``--preset`` or ``--config`` (default preset A)."""
    from multigap.model import PRESETS, load_model
    from multigap.model import preset as make_preset

    if preset is not None and config is not None:
        raise typer.BadParameter(
            "give either --preset or --config, not both", param_hint="--config"
        )
    if config is not None:
        try:
            return load_model(config)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--config") from None
    name = "A" if preset is None else preset.strip().upper()
    if name not in PRESETS:
        raise typer.BadParameter(
            f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}", param_hint="--preset"
        )
    return make_preset(name)


#: Most values one START:STOP:N range or a,b,c list may hold.
MAX_RANGE_POINTS = 100_000


def values(text: str, name: str) -> np.ndarray:
    """Parse ``START:STOP:N``, ``a,b,c`` or a single number into an array of floats."""
    import numpy as np

    t = text.strip()
    try:
        if ":" in t:
            parts = t.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop = float(parts[0]), float(parts[1])
            n = int(parts[2])
            if n < 1 or (n == 1 and start != stop):
                raise typer.BadParameter(
                    f"{text!r}: N must be >= 2 (or 1 with START == STOP)", param_hint=name
                )
            if n > MAX_RANGE_POINTS:
                raise typer.BadParameter(
                    f"{text!r}: N = {n} is more than the {MAX_RANGE_POINTS} points a range may "
                    f"hold (N in [1, {MAX_RANGE_POINTS}])",
                    param_hint=name,
                )
            arr = np.linspace(start, stop, n)
        else:
            arr = np.array([float(x) for x in t.split(",") if x.strip()], dtype=float)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a range START:STOP:N, a list a,b,c or a number", param_hint=name
        ) from None
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise typer.BadParameter(f"{text!r} must give finite numbers", param_hint=name)
    if arr.size > MAX_RANGE_POINTS:
        raise typer.BadParameter(
            f"{arr.size} values, more than the {MAX_RANGE_POINTS} a list may hold", param_hint=name
        )
    return arr


def check_memory(n_points: int, bytes_per_point: float, name: str, what: str) -> None:
    """Refuse a grid whose estimated memory exceeds the limit of :mod:`multigap.validation`."""
    from multigap import validation as check

    try:
        check.memory(f"{name} ({n_points} points)", n_points, n_points * bytes_per_point, what)
    except ValueError as exc:
        raise typer.BadParameter(str(exc).replace(f" = {n_points}", ""), param_hint=name) from None


def tc_point_bytes(model: Model) -> float:
    """Estimated bytes per (eta, g) point of one batched Tc solve (the kernel matrices)."""
    nbq = model.n_bands * model.numerics.n_modes
    return 4 * 8.0 * nbq * nbq + 256.0


def check_eta(model: Model, eta: Any, g: Any, name: str) -> None:
    """Refuse eta values outside the range the model's Tc solver covers at couplings g.

    Computes the model's geometry (needed next anyway), never a Tc.
    """
    import numpy as np

    from multigap.study.pressure import eta_limits

    ga = np.atleast_1d(np.asarray(g, dtype=float))
    low, high = eta_limits(model, ga)
    top = float(np.min(high))
    ea = np.atleast_1d(np.asarray(eta, dtype=float))
    bad = ea[(ea < low) | (ea > top)]
    if bad.size:
        raise typer.BadParameter(
            f"eta = {bad[0]:g} lies outside [{low:.4g}, {top:.4g}], the range model "
            f"{model.name} covers for g in [{ga.min():g}, {ga.max():g}] (below: no electrons; "
            "above: the pairing window reaches an omitted subband or Numerics.eta_max)",
            param_hint=name,
        )


def writable(path: Path, name: str, *, directory: bool = False) -> Path:
    """Check, before any computing, that ``path`` (a file, or a folder with ``directory``) can
    be written: creates the missing folders and writes and removes a probe file there."""
    import tempfile

    folder = path if directory else path.parent
    if not directory and path.is_dir():
        raise typer.BadParameter(f"{path} is a directory; give a file name", param_hint=name)
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(
            f"{folder} exists and is not a directory, cannot write into it", param_hint=name
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write to {folder}: {_os_message(exc)}", param_hint=name
        ) from None
    return path


_NETCDF_MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")


def open_dataset(file: Path, name: str = "FILE") -> Any:
    """Load a netCDF file written by multigap, refusing anything else in one line.

    A directory, a file that is not netCDF/HDF5 (by its signature) and a corrupt store are
    refused without tracebacks (h5netcdf's complaint from the half-opened file is swallowed).
    """
    import gc
    import sys

    import xarray as xr

    from multigap.study.steps import ENGINE

    if file.is_dir():
        raise typer.BadParameter(f"{file} is a directory, not a netCDF file", param_hint=name)
    if not file.exists():
        raise typer.BadParameter(f"{file} does not exist", param_hint=name)
    try:
        with file.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise typer.BadParameter(f"{file}: {_os_message(exc)}", param_hint=name) from None
    if not any(head.startswith(m) for m in _NETCDF_MAGIC):
        raise typer.BadParameter(
            f"{file} is not a netCDF file (it lacks the netCDF/HDF5 signature); give a .nc "
            "file written by `multigap map` or `multigap figures`",
            param_hint=name,
        )
    message = ""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        try:
            return xr.load_dataset(file, engine=ENGINE)
        except Exception as exc:  # h5py/h5netcdf raise OSError, KeyError, ValueError, ...
            message = _one_line(str(exc)) or type(exc).__name__
        gc.collect()  # the half-opened h5netcdf file complains when collected: silently here
    finally:
        sys.unraisablehook = hook
    raise typer.BadParameter(f"{file} is not a readable netCDF file ({message})", param_hint=name)


def check_g(g: Any, name: str = "--g") -> Any:
    """Raise BadParameter unless every g lies in [0, 0.5)."""
    import numpy as np

    arr = np.asarray(g, dtype=float)
    bad = ~np.isfinite(arr) | (arr < 0.0) | (arr >= 0.5)
    if np.any(bad):
        raise typer.BadParameter(
            f"g must lie in [0, 0.5) (the Migdal cut-off w0 sqrt(1 - 2g) needs g < 1/2), got "
            f"{arr[bad].flat[0]:g}",
            param_hint=name,
        )
    return g


def check_finite(x: float, name: str) -> float:
    """Raise BadParameter unless x is finite."""
    if not math.isfinite(x):
        raise typer.BadParameter(f"must be finite, got {x}", param_hint=name)
    return x


def load_point(eta: float, g: float, preset: str | None, config: Path | None) -> Model:
    """Check ``--eta`` and ``--g``, then load the model: bad input is refused before geometry."""
    check_finite(eta, "--eta")
    check_g(g)
    return load(preset, config)


def emit(data: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    """Print JSON or human-readable lines."""
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=_jsonable))
    else:
        for line in lines:
            typer.echo(line)


def _jsonable(x: Any) -> Any:
    import numpy as np

    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return str(x)


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def _figure_out(out: Path) -> tuple[Path, Path]:
    """(figure path, netCDF path) from --out: a .png/.pdf figure and the .nc beside it."""
    suffix = out.suffix.lower()
    if suffix in (".png", ".pdf", ".svg"):
        return out, out.with_suffix(".nc")
    if suffix == ".nc":
        return out.with_suffix(".png"), out
    raise typer.BadParameter(
        f"{out}: give a .png, .pdf or .svg figure name (the data go beside it as .nc)",
        param_hint="--out",
    )


def _write(ds: Any, path: Path) -> None:
    from multigap.study.steps import ENGINE

    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine=ENGINE)
