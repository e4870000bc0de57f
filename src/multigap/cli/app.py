"""The typer application and its global options; the command modules register on it."""

from __future__ import annotations

from typing import Annotated

import typer

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
