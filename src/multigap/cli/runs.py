"""Commands that run and draw maps: map, plot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from multigap.cli.app import app
from multigap.cli.common import (
    ConfigOpt,
    PresetOpt,
    _fail,
    _os_message,
    check_eta,
    check_g,
    check_memory,
    load,
    open_dataset,
    user_errors,
    values,
    writable,
)

#: Seconds to wait for a Dask scheduler before giving up.
SCHEDULER_TIMEOUT_S = 10


def _executor(workers: int | None, scheduler: str | None) -> Any:
    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give either --workers or --scheduler", param_hint="--scheduler")
    if scheduler is not None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise _fail(
                "--scheduler needs dask[distributed]: pip install 'multigap[dask]'"
            ) from None
        try:
            return Client(scheduler, timeout=SCHEDULER_TIMEOUT_S, set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:
            raise typer.BadParameter(
                f"cannot reach the Dask scheduler {scheduler!r} within {SCHEDULER_TIMEOUT_S} s: "
                f"{_os_message(exc) if isinstance(exc, OSError) else exc}",
                param_hint="--scheduler",
            ) from None
    if workers is not None:
        if workers < 1:
            raise typer.BadParameter(f"must be >= 1, got {workers}", param_hint="--workers")
        if workers == 1:
            return None
        from multigap.runs.executors import process_executor

        return process_executor(workers)
    return None


def _close(ex: Any, interrupted: bool) -> None:
    """Shut the executor down; after an interruption end local workers at once."""
    if ex is None:
        return
    stop = getattr(ex, "terminate", None) if interrupted else None
    closer = stop or getattr(ex, "shutdown", None) or getattr(ex, "close", None)
    if closer is not None:
        closer()


def _saved(out: Path) -> str:
    """What an interrupted map left in its store, in words."""
    from multigap.runs.store import missing_points

    try:
        import xarray as xr

        with xr.open_dataset(out, engine="h5netcdf") as ds:
            missing, total = missing_points(ds)
    except Exception:  # no store yet (interrupted before the first write), or not a store
        return f"nothing saved in {out}"
    return (
        f"{total - missing} of {total} points are saved in {out}; run the same command again "
        f"to compute the other {missing}"
    )


def _refuse_replacing_a_grid_map(out: Path) -> None:
    """--adaptive writes a new file: never over a grid map (finished or not) or another file."""
    if not out.exists():
        return
    import xarray as xr

    try:
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            is_adaptive = "adaptive" in ds.attrs
    except Exception:
        is_adaptive = False
    if not is_adaptive:
        raise typer.BadParameter(
            f"{out} exists and is not an adaptive map (a grid map or another file); --adaptive "
            f"would replace it: choose another --out, or move the file away",
            param_hint="--out",
        )


def _adaptive(
    m: Any, ev: Any, gv: Any, quantity: str, npoints: int, ex: Any, out: Path, quiet: bool
) -> Any:
    """``map --adaptive``: sample, then write ``out`` atomically while holding its lock."""
    from multigap.runs.store import atomic_write, lock_store
    from multigap.runs.sweep import adaptive_map

    with lock_store(out):
        ds = adaptive_map(
            m,
            (float(ev.min()), float(ev.max())),
            (float(gv.min()), float(gv.max())),
            quantity,
            npoints,
            ex,
            grid=(ev.size, gv.size),
            progress=not quiet,
        )
        _refuse_replacing_a_grid_map(out)  # again: a grid map may have appeared meanwhile
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(ds, out)
    return ds


@app.command("map")
@user_errors
def map_(
    out: Annotated[Path, typer.Option("--out", "-o", help="netCDF store (re-running resumes).")],
    eta: Annotated[str, typer.Option(help="eta range START:STOP:N.")] = "-1:2:301",
    g: Annotated[str, typer.Option(help="g range START:STOP:N.")] = "0.1:0.49:40",
    quantities: Annotated[
        str, typer.Option(help="Comma-separated quantities (e.g. tc,isotope).")
    ] = "tc",
    workers: Annotated[int | None, typer.Option(help="Worker processes on this machine.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address tcp://HOST:PORT.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    adaptive: Annotated[
        int | None,
        typer.Option(
            "--adaptive",
            help="Sample this many points adaptively (python-adaptive, where the quantity "
            "changes fastest) and interpolate them on the --eta x --g grid (one quantity; "
            "not resumable).",
        ),
    ] = None,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Sweep Tc (and other quantities) over an (eta, g) grid into a resumable netCDF file."""
    ev = values(eta, "--eta")
    gv = check_g(values(g, "--g"))
    qs = tuple(q.strip() for q in quantities.split(",") if q.strip())
    if not qs:
        raise typer.BadParameter("give at least one quantity", param_hint="--quantities")
    if out.suffix.lower() != ".nc":
        raise typer.BadParameter(f"{out}: the store must be a .nc file", param_hint="--out")
    if adaptive is not None and (adaptive < 4 or len(qs) != 1):
        raise typer.BadParameter(
            f"needs >= 4 points and one quantity, got {adaptive} points for {','.join(qs)}",
            param_hint="--adaptive",
        )
    if adaptive is not None:
        _refuse_replacing_a_grid_map(out)
    m = load(preset, config)
    writable(out, "--out")
    # the (eta, g) grid, its coordinates and one float per output and point (the store)
    check_memory(ev.size * gv.size, 16.0 + 8.0 * 8 * len(qs), "--eta x --g", "the map")
    if out.exists():
        open_dataset(out, "--out").close()  # a corrupt store is refused in one line
    check_eta(m, ev, gv, "--eta")
    from multigap.runs.signals import Terminated, sigterm_interrupts
    from multigap.runs.sweep import sweep

    with sigterm_interrupts():  # SIGTERM: the store is flushed as on Ctrl-C
        ex = _executor(workers, scheduler)
        try:
            if adaptive is None:
                ds = sweep(
                    m, eta=ev, g=gv, quantities=qs, executor=ex, store=out, progress=not quiet
                )
            else:
                ds = _adaptive(m, ev, gv, qs[0], adaptive, ex, out, quiet)
                ev, gv = ds["eta"].values, ds["g"].values
        except BaseException as exc:
            _close(ex, interrupted=True)
            if not isinstance(exc, KeyboardInterrupt):
                raise
            how = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
            typer.secho(f"{how}: {_saved(out)}", err=True, fg=typer.colors.YELLOW)
            raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
        _close(ex, interrupted=False)
    if not quiet:
        typer.echo(f"wrote {out}")
    if "tc" in ds and ds["tc"].notnull().any():
        import numpy as np

        tcv = ds["tc"].transpose("eta", "g").values
        i, j = np.unravel_index(int(np.nanargmax(tcv)), tcv.shape)
        typer.echo(f"Tc max on the grid: {tcv[i, j]:.6g} K at eta = {ev[i]:.4g}, g = {gv[j]:.4g}")


@app.command("plot")
@user_errors
def plot_(
    file: Annotated[Path, typer.Argument(help="netCDF file from `multigap map`.")],
    var: Annotated[
        str | None, typer.Option("--var", help="Variables to draw (default: every (eta, g) one).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output stem (default: beside FILE).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="png, pdf or svg.")] = "png",
    log: Annotated[bool, typer.Option("--log", help="Logarithmic colour scale.")] = False,
) -> None:
    """Colour maps of an (eta, g) dataset with the maximum marked."""
    from multigap import plot

    if fmt not in ("png", "pdf", "svg"):
        raise typer.BadParameter(
            f"unknown format {fmt!r}; choose png, pdf or svg", param_hint="--format"
        )
    stem = out if out is not None else file.with_suffix("")
    ds = open_dataset(file, "FILE")
    writable(stem.parent / f"{stem.name}.{fmt}", "--out")
    from multigap.runs.store import missing_points, verify_checksums

    verify_checksums(ds, str(file))
    missing, total = missing_points(ds)
    if missing:
        typer.secho(
            f"warning: {file} is an unfinished map: {missing} of {total} points are missing "
            f"(blank on the figure; the maximum is that of the computed points); run the same "
            f"`multigap map` command again to finish it",
            err=True,
            fg=typer.colors.YELLOW,
        )
    names = [v.strip() for v in var.split(",")] if var else None
    for name, fig in plot.maps(ds, names, log=log):
        path = stem.parent / f"{stem.name}_{name}.{fmt}"
        plot.save(fig, path)
        typer.echo(f"wrote {path}")
