"""Commands of the study: figures, reproduce, pressure fit, design."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from multigap.cli.app import app, pressure_app
from multigap.cli.common import (
    ConfigOpt,
    JsonOpt,
    PresetOpt,
    emit,
    load,
    user_errors,
    writable,
)


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
    writable(out, "--out", directory=True)
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

    writable(out, "--out", directory=True)
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
    from multigap import validation as check
    from multigap.study.data import PRESSURE_MAX_GPA, load_tc_csv
    from multigap.study.pressure import PARAMS, check_fixed, fit_path

    if data.is_dir():
        raise typer.BadParameter(f"{data} is a directory, not a CSV file", param_hint="DATA")
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
    try:
        check_fixed(fixed, name="--fix")
        p_ref = check.in_range("--p-ref", p_ref, 0.0, PRESSURE_MAX_GPA, unit="GPa")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        points = load_tc_csv(data)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="DATA") from None
    if out is not None:
        writable(out, "--out")
    m = load(preset, config)
    res = fit_path(
        m,
        points.pressure,
        points.tc,
        points.tc_err,
        fixed=fixed or None,
        p_ref=p_ref,
        source=points.source,
    )
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
    if bounds.is_dir():
        raise typer.BadParameter(f"{bounds} is a directory, not a TOML file", param_hint="--bounds")
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
    if res.material == "fixed":
        lines.append("  material held (barrier height V and masses); widths and eta searched")
    lines.append(
        f"  resonant subband: E_F = mu - E_L = {res.fermi_energy:.4g} meV, Migdal ratio "
        f"E_F/wc = {res.migdal_ratio:.3g}"
        + (" (< 1: beyond the adiabatic regime the model assumes)" if res.migdal_ratio < 1 else "")
    )
    for note in res.bound_notes.values():
        lines.append(f"  on a bound (the maximum lies beyond): {note.text()}")
    emit(s, as_json, lines)
