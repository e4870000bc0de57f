"""Run every ``benchmarks/bench_*.py`` module's ``run()`` and print the figures as JSON.

Usage: ``python -m benchmarks.run [NAME ...]`` (names without the ``bench_`` prefix).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "cores": os.cpu_count(),
    }
    print(json.dumps({"machine": machine}))
    results = {}
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"--- {name}", flush=True)
        results[name] = module.run()
        print(json.dumps({name: results[name]}, indent=2, default=str), flush=True)
    out = here.parent / ".benchmarks"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"machine": machine, **results}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
