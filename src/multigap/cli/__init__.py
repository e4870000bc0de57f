"""Command line of multigap (``multigap --help``).

Every command takes ``--preset A|B`` or ``--config FILE.toml``; ranges are written
``START:STOP:N`` (N evenly spaced values, both ends included), lists ``a,b,c``. Commands that
print one result take ``--json``. A bad value is reported as a usage error (exit code 2) and an
input the model rejects as ``Error: ...`` (exit code 1), without a traceback.

Solver modules are imported inside the commands, so a missing optional piece gives a clear
message for that command only.
"""

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

app = typer.Typer(
    name="multigap",
    help=(
        "Multigap superconductivity in superlattices of quantum wires near a Lifshitz "
        "transition (Bianconi-Perali-Valletta shape resonance). Units: meV, nm, K."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
pressure_app = typer.Typer(help="Tc versus pressure: fit a straight (eta, g) path to (P, Tc).")
app.add_typer(pressure_app, name="pressure")

F = TypeVar("F", bound=Callable[..., Any])

# ------------------------------------------------------------------------------ shared options
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


# ------------------------------------------------------------------------------ commands
def _version(value: bool) -> None:
    if value:
        from multigap import __version__

        typer.echo(f"multigap {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Multigap superconductivity near a Lifshitz transition (units: meV, nm, K)."""


@app.command()
@user_errors
def bands(preset: PresetOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Barrier height, subband edges and tops, E_L, E_T and Delta_E of the resonant subband."""
    m = load(preset, config)
    sb = m.subbands
    r = m.resonant_band
    lat = m.lattice
    sub = [
        {
            "band": n,
            "bottom_meV": float(sb.edge(n)),
            "top_meV": float(sb.top(n)),
            "width_meV": float(sb.width(n)),
        }
        for n in range(1, m.n_bands + 1)
    ]
    data = {
        "model": m.name,
        "well_nm": lat.well,
        "barrier_nm": lat.barrier,
        "period_nm": lat.period,
        "barrier_height_meV": float(lat.height),
        "mass_x": lat.mass_x,
        "mass_z": lat.mass_z,
        "resonant_band": r,
        "E_L_meV": float(sb.edge(r)),
        "E_T_meV": float(sb.top(r)),
        "Delta_E_meV": float(sb.width(r)),
        "omega0_meV": m.omega0,
        "next_band_bottom_meV": float(m.geometry.next_bottom),
        "subbands": sub,
    }
    lines = [
        f"model {m.name}: L = {lat.well} nm, W = {lat.barrier} nm, period {lat.period:.4g} nm",
        f"barrier height V = {lat.height:.4f} meV",
        f"resonant subband {r}: E_L = {sb.edge(r):.4f} meV, E_T = {sb.top(r):.4f} meV, "
        f"Delta_E = {sb.width(r):.4f} meV",
        "subband   bottom (meV)     top (meV)   width (meV)",
        *(
            f"{s['band']:7d} {s['bottom_meV']:14.4f} {s['top_meV']:13.4f} {s['width_meV']:13.4f}"
            for s in sub
        ),
        f"next subband ({m.n_bands + 1}) bottom: {m.geometry.next_bottom:.4f} meV",
    ]
    emit(data, as_json, lines)


@app.command()
@user_errors
def dos(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Figure file (.png/.pdf); data .nc beside it.")
    ],
    eta: Annotated[str, typer.Option(help="eta range START:STOP:N.")] = "-1:2:600",
    contour_eta: Annotated[
        str, typer.Option("--contour-eta", help="eta values of the Fermi-contour panels.")
    ] = "-0.5,0.5,1.5",
    preset: PresetOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Total and partial DOS versus eta and Fermi contours (figure + netCDF)."""
    from multigap import plot
    from multigap.study import figures

    fig_path, nc_path = _figure_out(out)
    m = load(preset, config)
    ds = figures.dos_data(m, values(eta, "--eta"), values(contour_eta, "--contour-eta"))
    _write(ds, nc_path)
    plot.save(plot.dos(ds), fig_path)
    typer.echo(f"wrote {fig_path} and {nc_path}")


@app.command()
@user_errors
def phonon(
    g: Annotated[str, typer.Option(help="g values (range or list).")] = "0:0.49:8",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Figure file (.png/.pdf).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Migdal softened phonon energy w0 sqrt(1 - 2g) versus g for presets A and B."""
    from multigap import plot
    from multigap.model import preset
    from multigap.study import figures

    gv = check_g(values(g, "--g"))
    models = [preset("A"), preset("B")]
    if config is not None:
        models.append(load(None, config))
    ds = figures.phonon_data(models, gv)
    if out is not None:
        fig_path, nc_path = _figure_out(out)
        _write(ds, nc_path)
        plot.save(plot.phonon(ds), fig_path)
    names = [str(x) for x in ds["model"].values]
    data = {
        "g": gv.tolist(),
        "lambda": ds["lambda"].values.tolist(),
        "omega_meV": {n: ds["omega"].values[k].tolist() for k, n in enumerate(names)},
        "omega0_meV": {n: float(ds["omega0"].values[k]) for k, n in enumerate(names)},
    }
    head = "      g   lambda " + "".join(f"  wc_{n} (meV)" for n in names)
    rows = [
        f"{x:7.3f} {lam:8.3f} "
        + "".join(f"{ds['omega'].values[k, i]:13.2f}" for k in range(len(names)))
        for i, (x, lam) in enumerate(zip(gv, ds["lambda"].values, strict=True))
    ]
    tail = [f"wrote {out}"] if out is not None else []
    emit(data, as_json, [head, *rows, *tail])


@app.command()
@user_errors
def tc(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Critical temperature at one (eta, g)."""
    from multigap.pairing.tc import tc_result

    check_finite(eta, "--eta")
    check_g(g)
    m = load(preset, config)
    r = tc_result(m, eta=eta, g=g)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "lambda": r.lambda_coupling,
        "tc_K": None if r.below_floor else r.tc,
        "below_floor": r.below_floor,
        "t_floor_K": r.t_floor,
        "mu_meV": r.mu,
        "cutoff_meV": list(r.wc),
    }
    if r.below_floor:
        first = f"Tc < {r.t_floor:g} K: no superconductivity above the temperature floor"
    else:
        first = f"Tc = {r.tc:.6g} K"
    lines = [
        first,
        f"model {m.name}, eta = {eta:g}, g = {g:g} (lambda = {r.lambda_coupling:.4g}), "
        f"mu = {r.mu:.4f} meV, cut-off {r.wc[m.resonant_band - 1]:.2f} meV",
    ]
    emit(data, as_json, lines)


@app.command()
@user_errors
def gaps(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Zero-temperature gaps (mu renormalised at fixed density) and gap ratios 2Delta/k_BTc."""
    from multigap.pairing.gaps import GapConvergenceError, gap_ratios

    check_finite(eta, "--eta")
    check_g(g)
    m = load(preset, config)
    try:
        rat = gap_ratios(m, eta=eta, g=g)  # fixed-density gaps over the fixed-density Tc
    except GapConvergenceError as exc:
        raise _fail(str(exc)) from None
    res = rat.gaps
    below = not rat.tc > 0.0
    fermi = [abs(float(x)) for x in res.fermi_gap]  # magnitudes
    spectral = [float(x) for x in res.spectral_gap]
    ratio = [None if below else float(q) for q in rat.ratio]
    r = m.resonant_band
    aniso = None if math.isnan(rat.anisotropy) else float(rat.anisotropy)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "lambda": g / (1.0 - g),
        "mu_rule": rat.mu_rule,
        "fermi_gap_meV": fermi,
        "spectral_gap_meV": spectral,
        "fermi_surface": [bool(x) for x in res.fermi_surface],
        "mu_meV": float(res.mu),
        "mu0_meV": float(m.mu(eta)),
        "converged": bool(res.converged),
        "tc_K": None if below else rat.tc,
        "below_floor": below,
        "ratio_2Delta_kBTc": ratio,
        "ratio_gap": rat.gap_definition,
        f"Delta{r}_over_Delta{r - 1}": aniso,
    }
    lines = [
        f"model {m.name}, eta = {eta:g}, g = {g:g}: mu0 = {float(m.mu(eta)):.4f} meV, "
        f"renormalised mu = {float(res.mu):.4f} meV (gaps and Tc at {rat.mu_rule})",
        "Tc below the floor" if below else f"Tc = {rat.tc:.6g} K",
        "subband   Fermi-surface gap (meV)   spectral gap (meV)   2Delta/k_BTc",
        *(
            f"{n + 1:7d} {d:25.5g} {e:20.5g}   " + ("—" if q is None else f"{q:.4g}")
            for n, (d, e, q) in enumerate(zip(fermi, spectral, ratio, strict=True))
        ),
        f"(ratio: {rat.gap_definition})",
    ]
    if aniso is not None:
        lines.append(f"Delta_{r}/Delta_{r - 1} = {aniso:.4g}")
    emit(data, as_json, lines)


@app.command()
@user_errors
def isotope(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Isotope coefficient alpha = -d ln Tc / d ln M at one (eta, g)."""
    from multigap.pairing.tc import critical_temperature, isotope_coefficient

    check_finite(eta, "--eta")
    check_g(g)
    m = load(preset, config)
    alpha = isotope_coefficient(m, eta=eta, g=g)
    t = critical_temperature(m, eta=eta, g=g)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "isotope_coefficient": _num(alpha),
        "tc_K": t if t > 0 else None,
    }
    line = (
        f"alpha = {alpha:.5g} (Tc = {t:.6g} K)"
        if math.isfinite(alpha)
        else "alpha undefined: Tc below the temperature floor"
    )
    emit(data, as_json, [f"model {m.name}, eta = {eta:g}, g = {g:g}", line])


@app.command()
@user_errors
def dome(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    g: Annotated[str, typer.Option(help="Couplings of the Tc(eta) curves.")] = (
        "0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.49"
    ),
    eta: Annotated[str, typer.Option(help="eta range of the Tc(eta) curves.")] = "-1:2:301",
    eta_fixed: Annotated[
        str, typer.Option("--eta-fixed", help="Fixed eta values of the Tc(g) curves.")
    ] = "-1,-0.5,0,0.5,1,1.5,2",
    g_range: Annotated[str, typer.Option("--g-range", help="g range of the Tc(g) curves.")] = (
        "0.1:0.49:79"
    ),
    preset: PresetOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Tc versus eta (linear and log), Tc versus g at fixed eta, overlaps (figures + netCDF)."""
    from multigap import plot
    from multigap.study import figures

    gv = check_g(values(g, "--g"))
    ev = values(eta, "--eta")
    ef = values(eta_fixed, "--eta-fixed")
    gr = check_g(values(g_range, "--g-range"), "--g-range")
    m = load(preset, config)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        ("tc_eta", lambda: figures.tc_eta_data(m, gv, ev), plot.tc_eta),
        ("tc_g", lambda: figures.tc_g_data(m, ef, gr), plot.tc_g),
        ("overlaps", lambda: figures.overlap_data(m), plot.overlaps),
    ]
    for name, compute, draw in jobs:
        ds = compute()
        stem = out / f"{name}_{m.name}"
        _write(ds, stem.with_suffix(".nc"))
        plot.save(draw(ds), stem.with_suffix(".png"), "pdf")
        typer.echo(f"wrote {stem}.png/.pdf/.nc")


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
        return Client(scheduler)
    if workers is not None:
        if workers < 1:
            raise typer.BadParameter(f"must be >= 1, got {workers}", param_hint="--workers")
        if workers == 1:
            return None
        from multigap.runs.executors import process_executor

        return process_executor(workers)
    return None


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
    m = load(preset, config)
    from multigap.runs.sweep import adaptive_map, sweep

    ex = _executor(workers, scheduler)
    try:
        if adaptive is None:
            ds = sweep(m, eta=ev, g=gv, quantities=qs, executor=ex, store=out, progress=not quiet)
        else:
            ds = adaptive_map(
                m,
                (float(ev.min()), float(ev.max())),
                (float(gv.min()), float(gv.max())),
                qs[0],
                adaptive,
                ex,
                grid=(ev.size, gv.size),
                progress=not quiet,
            )
            tmp = out.with_suffix(".nc.tmp")
            _write(ds, tmp)
            tmp.replace(out)
            ev, gv = ds["eta"].values, ds["g"].values
    finally:
        if ex is not None:
            closer = getattr(ex, "shutdown", None) or getattr(ex, "close", None)
            if closer is not None:
                closer()
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
    import xarray as xr

    from multigap import plot

    if not file.is_file():
        raise typer.BadParameter(f"{file} does not exist", param_hint="FILE")
    if fmt not in ("png", "pdf", "svg"):
        raise typer.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    try:
        ds = xr.load_dataset(file)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(
            f"{file} is not a readable netCDF file: {exc}", param_hint="FILE"
        ) from None
    names = [v.strip() for v in var.split(",")] if var else None
    stem = out if out is not None else file.with_suffix("")
    for name, fig in plot.maps(ds, names, log=log):
        path = stem.parent / f"{stem.name}_{name}.{fmt}"
        plot.save(fig, path)
        typer.echo(f"wrote {path}")


@app.command("figures")
@user_errors
def figures_(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("figures"),
    quick: Annotated[bool, typer.Option("--quick", help="Coarser sweep grids.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Every figure of the study for one model (PNG, PDF and netCDF), without the report."""
    from multigap.study.reproduce import FULL, QUICK, plan, run_steps

    m = load(preset, config)
    outcomes = run_steps(plan([m], QUICK if quick else FULL), out, progress=not quiet)
    _summarise(outcomes, out)


def _summarise(outcomes: list[Any], out: Path) -> None:
    done = [o for o in outcomes if o.status != "failed"]
    typer.echo(f"{len(done)} of {len(outcomes)} figures in {out}/figures, data in {out}/data")
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        typer.secho(f"failed: {o.step.name}: {o.message}", err=True, fg=typer.colors.RED)
    if failed:
        raise typer.Exit(1)


@app.command()
@user_errors
def reproduce(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("results"),
    quick: Annotated[
        bool, typer.Option("--quick", help="Coarser sweep grids, same figures.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Recompute even finished data.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Every figure for presets A and B, their data and OUT/index.html (re-running resumes)."""
    from multigap.study.reproduce import reproduce as run

    report = run(out, quick=quick, progress=not quiet, force=force)
    typer.echo(f"report: {report.index} ({report.seconds:.0f} s)")
    _summarise(report.outcomes, out)


@pressure_app.command("fit")
@user_errors
def pressure_fit(
    data: Annotated[Path, typer.Argument(help="CSV: pressure_GPa, tc_K[, tc_err_K].")],
    fix: Annotated[
        list[str] | None, typer.Option("--fix", help="Hold a parameter, e.g. --fix g1=0.")
    ] = None,
    p_ref: Annotated[float, typer.Option("--p-ref", help="Reference pressure, GPa.")] = 150.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Figure (.png/.pdf).")] = None,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit a straight path eta(P), g(P) through the (eta, g) plane to measured (P, Tc)."""
    from multigap.study.pressure import PARAMS, fit_path_from_csv

    if not data.is_file():
        raise typer.BadParameter(f"{data} does not exist", param_hint="DATA")
    fixed: dict[str, float] = {}
    for item in fix or []:
        key, sep, val = item.partition("=")
        if not sep or key.strip() not in PARAMS:
            raise typer.BadParameter(
                f"{item!r}: write NAME=VALUE with NAME one of {', '.join(PARAMS)}",
                param_hint="--fix",
            )
        try:
            fixed[key.strip()] = float(val)
        except ValueError:
            raise typer.BadParameter(
                f"{item!r}: {val!r} is not a number", param_hint="--fix"
            ) from None
    m = load(preset, config)
    res = fit_path_from_csv(m, data, fixed=fixed or None, p_ref=p_ref)
    if out is not None:
        _fit_figure(res, out)
    summ = res.summary()
    lines = [
        f"model {m.name}: eta = eta0 + eta1 (P - {res.path.p_ref:g}), g = g0 + g1 (P - "
        f"{res.path.p_ref:g}), P in GPa",
        *(f"  {k} = {v:.6g} ± {res.errors.get(k, 0.0):.2g}" for k, v in res.params.items()),
        f"chi2 = {res.chi2:.4g}, dof = {res.dof}, success = {res.success} ({res.message})",
    ]
    if res.retraction:
        lines.append(f"NOTE: {res.retraction}")
    if out is not None:
        lines.append(f"wrote {out}")
    emit(summ, as_json, lines)


def _fit_figure(res: Any, out: Path) -> None:
    import numpy as np
    from matplotlib.figure import Figure

    from multigap import plot

    with plot.style():
        fig = Figure(figsize=(4.5, 3.2), layout="constrained")
        ax = fig.subplots()
        if res.tc_err is not None:
            ax.errorbar(res.pressure, res.tc, yerr=res.tc_err, fmt="o", ms=3, label="data")
        else:
            ax.plot(res.pressure, res.tc, "o", ms=3, label="data")
        ax.plot(res.curve_pressure, res.curve_tc, "k-", label="fitted path")
        ax.set_xlabel("pressure (GPa)")
        ax.set_ylabel(r"$T_c$ (K)")
        ax.set_ylim(bottom=0.0, top=1.15 * float(np.nanmax(np.r_[res.tc, res.curve_tc])))
        ax.legend()
        if res.retraction:
            ax.set_title(f"retracted data: {res.retraction}", fontsize=6)
    plot.save(fig, out)


@app.command()
@user_errors
def design(
    bounds: Annotated[
        Path | None,
        typer.Option(
            "--bounds",
            help="Design TOML (bounds, fixed, search); default: the shipped presets/design.toml.",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the search.")] = None,
    maxiter: Annotated[int | None, typer.Option(help="Differential-evolution generations.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Inverse design: the heterostructure and eta of maximum Tc within bounds."""
    from multigap.study.design import DEFAULT_DESIGN, optimise_from_toml

    bounds = DEFAULT_DESIGN if bounds is None else bounds
    if not bounds.is_file():
        raise typer.BadParameter(f"{bounds} does not exist", param_hint="--bounds")
    over: dict[str, Any] = {}
    if seed is not None:
        over["seed"] = seed
    if maxiter is not None:
        over["maxiter"] = maxiter
    res = optimise_from_toml(bounds, **over)
    s = res.summary()
    lines = [
        f"Tc = {res.tc:.5g} K at g = {res.g:g} (lambda = {res.g / (1 - res.g):.3g}), "
        f"w0 = {res.omega0:g} meV",
        *(f"  {k} = {v:.5g} {s['units'].get(k, '')}" for k, v in res.params.items()),
    ]
    for k, sh in res.sharpness.items():
        lines.append(f"  within 10 % of the maximum: {sh.low:.4g} <= {k} <= {sh.high:.4g}")
    if res.at_bound:
        lines.append(f"at a search bound (the maximum may lie beyond): {', '.join(res.at_bound)}")
    emit(s, as_json, lines)


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()
