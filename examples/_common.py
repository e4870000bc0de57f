"""Shared command line of the example scripts: ``--quick`` (coarse grids) and ``--out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path


def options(doc: str | None) -> tuple[bool, Path]:
    """Parse ``--quick`` and ``--out``; return (quick, output folder)."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="coarse grids (seconds, not minutes)")
    parser.add_argument("--out", type=Path, default=Path("examples-out"), help="output folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return bool(args.quick), args.out
