"""Stores never lose data: one writer at a time (two processes), checksums verified on resume
and on plot, --adaptive never replaces a grid map, unfinished maps say what is missing, a point
above t_ceiling is flagged instead of aborting the map."""

from __future__ import annotations

import dataclasses
import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import multigap as mg
from multigap.cli import app
from multigap.runs.store import (
    CHECKSUM,
    COMPUTED,
    StoreBusyError,
    StoreCorruptError,
    StoreMismatchError,
    SweepStore,
    checksum,
    missing_points,
    verify_checksums,
)

SRC = Path(__file__).resolve().parents[3] / "src"
DIMS = ("eta", "g")
runner = CliRunner()


def template(n_eta: int = 4, n_g: int = 3) -> xr.Dataset:
    eta = np.linspace(0.0, 1.5, n_eta)
    g = np.linspace(0.1, 0.4, n_g)
    return xr.Dataset(
        {"tc": (DIMS, np.full((n_eta, n_g), np.nan), {"units": "K", "long_name": "Tc"})},
        coords={
            "eta": ("eta", eta, {"units": "1", "long_name": "eta"}),
            "g": ("g", g, {"units": "1", "long_name": "g"}),
        },
        attrs={"config": json.dumps({"x": 1}), "quantities": "tc"},
    )


def tc_values(idx: np.ndarray) -> dict[str, np.ndarray]:
    return {"tc": 1000.0 + 0.25 * idx}  # distinctive values, easy to find in the file


# ------------------------------------------------------------------------------- locking
HOLDER = """
import sys
import numpy as np, xarray as xr
from multigap.runs.store import SweepStore
ds = xr.Dataset({"tc": (("eta", "g"), np.full((2, 2), np.nan), {"units": "K"})},
                coords={"eta": [0.0, 1.0], "g": [0.1, 0.2]})
store = SweepStore(ds, ("eta", "g"), sys.argv[1])
print("locked", flush=True)
sys.stdin.read()  # hold the store until the test closes our stdin
"""


def test_a_second_process_writing_the_same_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        # another grid on the same store, while the first writer runs: refused at once
        with pytest.raises(StoreBusyError, match=f"another process \\(pid {holder.pid}\\)"):
            SweepStore(template(), DIMS, path)
        before = path.read_bytes()  # the holder's store, written as soon as it was opened
        code = runner.invoke(
            app, ["map", "--eta", "0:1:3", "--g", "0.2:0.3:2", "-q", "-o", str(path)]
        )
        assert code.exit_code == 1 and "being written by another process" in code.output
        assert path.read_bytes() == before
    finally:
        holder.kill()  # even a SIGKILL'd writer releases its lock
        holder.wait(timeout=30)
    # the holder is gone: its store is there, and another grid is refused as a mismatch
    with pytest.raises(StoreMismatchError, match="coordinate eta differs"):
        SweepStore(template(), DIMS, path)


def test_a_new_store_is_written_when_opened_and_unlocked_when_done(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=3600.0)
    part = xr.load_dataset(path)  # before any batch: the sweep's form is on disk
    assert not part[COMPUTED].values.any() and st.writes == 0
    with pytest.raises(StoreMismatchError, match="coordinate g differs"):
        SweepStore(template(n_g=5), DIMS, path)
    st.write(np.arange(12), tc_values(np.arange(12)))
    st.finish()
    code = subprocess.run(  # another process may take it now
        [sys.executable, "-c", textwrap.dedent(HOLDER).replace("sys.stdin.read()", ""), "x.nc"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert code.returncode == 0, code.stderr


# ----------------------------------------------------------------------------- checksums
def test_checksums_are_of_dtype_shape_and_bytes() -> None:
    a = np.arange(6, dtype=float).reshape(2, 3)
    assert checksum(a) == checksum(a.copy()) == checksum(a.astype(">f8"))
    assert checksum(a) != checksum(a.reshape(3, 2)) and checksum(a) != checksum(a.astype("f4"))
    b = a.copy()
    b[1, 2] = np.nextafter(b[1, 2], 10.0)  # one bit
    assert checksum(a) != checksum(b)


def flip_a_byte(path: Path, value: float) -> None:
    """Change one byte of the stored little-endian float64 ``value`` (present once)."""
    raw = bytearray(path.read_bytes())
    pattern = struct.pack("<d", value)
    at = raw.find(pattern)
    assert at >= 0 and raw.find(pattern, at + 1) < 0
    raw[at] ^= 0x01
    path.write_bytes(bytes(raw))


def test_a_flipped_byte_is_detected_on_resume_and_on_plot(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=0)
    st.write(np.arange(12), tc_values(np.arange(12)))
    done = st.finish()
    assert done["tc"].attrs[CHECKSUM] == checksum(done["tc"].values)
    verify_checksums(xr.load_dataset(path), "s.nc")  # intact: nothing raised
    SweepStore(template(), DIMS, path).close()  # intact: resumes (complete)
    flip_a_byte(path, 1000.0 + 0.25 * 7)
    with pytest.raises(StoreCorruptError, match="values of 'tc' do not match their checksum"):
        SweepStore(template(), DIMS, path)
    res = runner.invoke(app, ["plot", str(path)])
    assert res.exit_code == 1 and "do not match their checksum" in res.output
    assert not list(tmp_path.glob("*.png"))


def test_a_flipped_byte_in_an_unfinished_store_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=0)
    st.write(np.arange(5), tc_values(np.arange(5)))
    st.close()
    flip_a_byte(path, 1000.0 + 0.25 * 3)
    with pytest.raises(StoreCorruptError, match="'tc'"):
        SweepStore(template(), DIMS, path)


# --------------------------------------------------------------------- unfinished plots
def test_plot_of_an_unfinished_store_says_how_many_points_are_missing(tmp_path: Path) -> None:
    from multigap import plot

    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=0)
    st.write(np.arange(5), tc_values(np.arange(5)))
    st.close()
    ds = xr.load_dataset(path)
    assert missing_points(ds) == (7, 12)
    fig = plot.tc_map(ds, "tc")
    assert any("7 of 12 points missing" in t.get_text() for t in fig.texts)
    res = runner.invoke(app, ["plot", str(path)])
    assert res.exit_code == 0, res.output
    assert "unfinished map: 7 of 12 points are missing" in res.output
    assert (tmp_path / "s_tc.png").is_file()
    finished = SweepStore(template(), DIMS, tmp_path / "f.nc", interval=0)
    finished.write(np.arange(12), tc_values(np.arange(12)))
    fig = plot.tc_map(finished.finish(), "tc")
    assert not any("missing" in t.get_text() for t in fig.texts)


# ----------------------------------------------------------------------- --adaptive
def test_adaptive_refuses_to_replace_a_grid_map(tmp_path: Path) -> None:
    pytest.importorskip("adaptive")
    out = tmp_path / "A.nc"
    grid = ["map", "--eta", "0.5:1:3", "--g", "0.3:0.4:2", "-q", "-o", str(out)]
    assert runner.invoke(app, grid).exit_code == 0
    before = out.read_bytes()
    res = runner.invoke(app, [*grid, "--adaptive", "8"])
    assert res.exit_code != 0 and "is not an adaptive map" in " ".join(res.output.split())
    assert out.read_bytes() == before
    # an adaptive map may be redone in place; then a grid map on it is refused as a mismatch
    other = tmp_path / "B.nc"
    adaptive = ["map", "--eta", "0.5:1:3", "--g", "0.3:0.4:2", "-q", "-o", str(other)]
    for _ in range(2):
        assert runner.invoke(app, [*adaptive, "--adaptive", "8"]).exit_code == 0
    assert "adaptive" in xr.load_dataset(other).attrs
    assert runner.invoke(app, adaptive).exit_code == 1


# ------------------------------------------------------------------------ t_ceiling
def test_points_above_the_ceiling_are_flagged_and_the_map_goes_on() -> None:
    model = mg.preset("A")
    eta, g = np.array([0.2, 1.0]), np.array([0.25, 0.4])
    ref = mg.critical_temperatures(model, eta[:, None], g[None, :])
    ceiling = float(np.sort(ref.ravel())[-2]) * 1.01  # only the hottest point is above it
    low = dataclasses.replace(
        model, numerics=dataclasses.replace(model.numerics, t_ceiling=ceiling)
    )
    with pytest.raises(ValueError, match="search ceiling"):
        mg.critical_temperatures(low, eta[:, None], g[None, :])  # the solver itself refuses
    ds = mg.sweep(low, eta, g, progress=False, batch_size=4)
    hot = ref > ceiling
    assert hot.sum() == 1
    np.testing.assert_array_equal(ds["above_ceiling"].values, hot)
    assert np.isnan(ds["tc"].values[hot]).all() and np.isnan(ds["mu"].values[hot]).all()
    np.testing.assert_allclose(ds["tc"].values[~hot], ref[~hot], rtol=1e-9)
    assert not ds["below_floor"].values[hot].any()
    assert ds["above_ceiling"].attrs["units"] == "1"
    ok = mg.sweep(model, eta, g, progress=False)
    assert not ok["above_ceiling"].values.any()


def test_mark_unfinished_needs_the_mask() -> None:
    """A dataset without a mask (not a store) is drawn without the note."""
    from multigap import plot

    ds = template()
    ds["tc"].values[...] = 1.0
    fig = plot.tc_map(ds, "tc")
    assert not fig.texts
    assert missing_points(ds) == (0, 12)


def test_isotope_points_above_the_ceiling_are_flagged() -> None:
    model = mg.preset("A")
    eta, g = np.array([0.2, 1.0]), np.array([0.25, 0.4])
    ref = mg.critical_temperatures(model, eta[:, None], g[None, :])
    ceiling = float(np.sort(ref.ravel())[-2]) * 1.01  # only the hottest point is above it
    low = dataclasses.replace(
        model, numerics=dataclasses.replace(model.numerics, t_ceiling=ceiling)
    )
    ds = mg.sweep(low, eta, g, quantities=("isotope",), progress=False, batch_size=4)
    hot = ref > ceiling
    np.testing.assert_array_equal(ds["alpha_above_ceiling"].values, hot)
    assert np.isnan(ds["alpha"].values[hot]).all()
    expect = mg.isotope_coefficients(model, eta[:, None], g[None, :])
    np.testing.assert_allclose(ds["alpha"].values[~hot], expect[~hot], rtol=1e-9)
