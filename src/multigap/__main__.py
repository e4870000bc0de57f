"""``python -m multigap``: the command line."""

from multigap.cli import app

app()
