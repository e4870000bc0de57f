"""Command line of multigap (``multigap --help``).

Every command takes ``--preset A|B`` or ``--config FILE.toml``; ranges are written
``START:STOP:N`` (N evenly spaced values, both ends included), lists ``a,b,c``. Commands that
print one result take ``--json``. A bad value is reported as a usage error (exit code 2) and an
input the model rejects as ``Error: ...`` (exit code 1), without a traceback.

Solver modules are imported inside the commands, so a missing optional piece gives a clear
message for that command only.
"""

from __future__ import annotations

from multigap.cli import calibrate, pairing, response, runs, structure, study
from multigap.cli.app import app

__all__ = ["app", "main"]
#: imported for their @app.command()s
_COMMAND_MODULES = (structure, pairing, runs, study, calibrate, response)


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()
