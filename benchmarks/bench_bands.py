"""Time to build the geometry of both presets at the default grids (issue: foundation)."""

from __future__ import annotations

import time

import multigap as mg


def run() -> dict[str, float]:
    out: dict[str, float] = {}
    for name in ("A", "B"):
        t0 = time.perf_counter()
        model = mg.preset(name)
        t1 = time.perf_counter()
        num = model.numerics
        model.lattice.subbands(model.n_bands, n_kz=num.n_kz, n_z=num.n_z)
        t2 = time.perf_counter()
        out[f"{name}_solve_height_s"] = t1 - t0
        out[f"{name}_subbands_s"] = t2 - t1
        try:
            t3 = time.perf_counter()
            _ = model.geometry
            out[f"{name}_full_geometry_s"] = time.perf_counter() - t3
        except ImportError:  # pragma: no cover - pdos not built yet
            pass
    return out


if __name__ == "__main__":
    print(run())
