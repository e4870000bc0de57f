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
    """Report ValueError (bad input the library rejects) as 'Error: ...' with exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, FileNotFoundError) as exc:
            raise _fail(str(exc)) from None
        except ImportError as exc:
            raise _fail(
                f"this command needs a multigap module that is not available: {exc}"
            ) from None

    return wrapper  # type: ignore[return-value]


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
    name = (preset or "A").upper()
    if name not in PRESETS:
        raise typer.BadParameter(
            f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}", param_hint="--preset"
        )
    return make_preset(name)


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
            arr = np.linspace(start, stop, n)
        else:
            arr = np.array([float(x) for x in t.split(",") if x.strip()], dtype=float)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a range START:STOP:N, a list a,b,c or a number", param_hint=name
        ) from None
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise typer.BadParameter(f"{text!r} must give finite numbers", param_hint=name)
    return arr


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
    from multigap.study.reproduce import ENGINE

    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine=ENGINE)
