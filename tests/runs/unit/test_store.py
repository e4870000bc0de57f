"""The resumable netCDF store: atomic rewrites, rate limit, resume, refusal of other sweeps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from multigap.runs import store as store_mod
from multigap.runs.store import (
    COMPUTED,
    StoreMismatchError,
    SweepStore,
    atomic_write,
    describe_differences,
)

DIMS = ("eta", "g")


def template(n_eta: int = 4, n_g: int = 3, omega0: float = 330.0) -> xr.Dataset:
    eta = np.linspace(0.0, 1.5, n_eta)
    g = np.linspace(0.1, 0.4, n_g)
    return xr.Dataset(
        {
            "tc": (DIMS, np.full((n_eta, n_g), np.nan), {"units": "K", "long_name": "Tc"}),
            "flag": (DIMS, np.zeros((n_eta, n_g), bool), {"units": "1", "long_name": "flag"}),
            "gap": (
                (*DIMS, "band"),
                np.full((n_eta, n_g, 2), np.nan),
                {"units": "meV", "long_name": "gap"},
            ),
        },
        coords={
            "eta": ("eta", eta, {"units": "1", "long_name": "eta"}),
            "g": ("g", g, {"units": "1", "long_name": "g"}),
            "band": ("band", [1, 2], {"units": "1", "long_name": "band"}),
        },
        attrs={
            "config": json.dumps({"pairing": {"omega0": omega0, "n_bands": 3}}),
            "multigap_version": "0.1.0",
            "grids": json.dumps({"n_kz": 33}),
            "quantities": "tc",
        },
    )


def values(idx: np.ndarray) -> dict[str, np.ndarray]:
    x = idx.astype(float)
    return {"tc": x + 0.5, "flag": idx % 2 == 0, "gap": np.stack([x, -x], axis=-1)}


def test_in_memory_grid_without_a_path() -> None:
    st = SweepStore(template(), DIMS)
    assert not st.complete and st.resumed == 0
    st.write(np.arange(12), values(np.arange(12)))
    ds = st.finish()
    assert COMPUTED not in ds and st.writes == 0
    np.testing.assert_array_equal(ds["tc"].values.ravel(), np.arange(12) + 0.5)
    np.testing.assert_array_equal(ds["gap"].values[..., 1].ravel(), -np.arange(12))
    assert ds["flag"].dtype == bool


def test_partial_file_is_valid_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=0)
    st.write(np.arange(5), values(np.arange(5)))
    part = xr.load_dataset(path, engine="h5netcdf")
    assert part[COMPUTED].values.sum() == 5 and part[COMPUTED].dtype == bool
    assert np.isnan(part["tc"].values.ravel()[5:]).all()
    assert part["tc"].attrs["units"] == "K" and part["eta"].attrs["units"] == "1"
    assert part.attrs["quantities"] == "tc"
    # reopen: the computed points come back, the rest is still missing
    st2 = SweepStore(template(), DIMS, path, interval=0)
    assert st2.resumed == 5
    rest = np.flatnonzero(~st2.computed.ravel())
    np.testing.assert_array_equal(rest, np.arange(5, 12))
    st2.write(rest, values(rest))
    final = st2.finish()
    on_disk = xr.load_dataset(path, engine="h5netcdf")
    xr.testing.assert_identical(final, on_disk)
    assert COMPUTED not in on_disk
    # identical to an uninterrupted store
    other = SweepStore(template(), DIMS, tmp_path / "u.nc", interval=0)
    other.write(np.arange(12), values(np.arange(12)))
    xr.testing.assert_identical(other.finish(), final)
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "u.nc"), on_disk)
    # a finished store reopens complete and is not rewritten
    mtime = path.stat().st_mtime_ns
    st3 = SweepStore(template(), DIMS, path)
    assert st3.complete and st3.resumed == 12
    xr.testing.assert_identical(st3.finish(), final)
    assert path.stat().st_mtime_ns == mtime and st3.writes == 0


def test_rewrites_are_rate_limited(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=3600.0)
    st.write(np.arange(2), values(np.arange(2)))  # the first batch is written at once
    st.write(np.arange(2, 4), values(np.arange(2, 4)))
    st.write(np.arange(4, 6), values(np.arange(4, 6)))
    assert st.writes == 1
    assert xr.load_dataset(path)[COMPUTED].values.sum() == 2
    assert st.flush(force=True) and st.writes == 2
    assert xr.load_dataset(path)[COMPUTED].values.sum() == 6
    assert not st.flush(force=True)  # nothing new
    with pytest.raises(ValueError, match="interval"):
        SweepStore(template(), DIMS, path, interval=-1.0)


def test_a_failed_write_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=0)
    st.write(np.arange(3), values(np.arange(3)))

    def crash(self: xr.Dataset, target: Path, **kw: object) -> None:
        Path(target).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", crash)
    with pytest.raises(OSError, match="disk full"):
        st.write(np.arange(3, 6), values(np.arange(3, 6)))
    monkeypatch.undo()
    assert xr.load_dataset(path)[COMPUTED].values.sum() == 3
    assert [p.name for p in tmp_path.iterdir()] == ["s.nc"]


def test_stale_temporary_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    atomic_write(template(), path)
    dead = tmp_path / ".s.nc.999999999.abcd1234.tmp"  # no such process
    alive = tmp_path / f".s.nc.{os.getppid()}.abcd1234.tmp"
    for p in (dead, alive):
        p.write_bytes(b"partial")
    store_mod._remove_stale_temps(path)
    assert not dead.exists() and alive.exists()


def test_other_sweeps_are_refused_naming_the_difference(tmp_path: Path) -> None:
    path = tmp_path / "s.nc"
    st = SweepStore(template(), DIMS, path, interval=0)
    st.write(np.arange(4), values(np.arange(4)))
    before = path.read_bytes()
    with pytest.raises(StoreMismatchError, match=r"model configuration differs \(pairing.omega0"):
        SweepStore(template(omega0=300.0), DIMS, path)
    with pytest.raises(StoreMismatchError, match="coordinate g differs"):
        SweepStore(template(n_g=5), DIMS, path)
    t = template()
    t.attrs["multigap_version"] = "9.9"
    with pytest.raises(StoreMismatchError, match="package version differs"):
        SweepStore(t, DIMS, path)
    t = template().drop_vars("flag")
    with pytest.raises(StoreMismatchError, match="variables differ"):
        SweepStore(t, DIMS, path)
    t = template()
    t["tc"].attrs["units"] = "meV"
    with pytest.raises(StoreMismatchError, match="units of tc differ"):
        SweepStore(t, DIMS, path)
    assert path.read_bytes() == before  # never touched
    assert describe_differences(xr.load_dataset(path), template()) == []


def test_unreadable_files_and_bad_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nc"
    bad.write_text("not netcdf")
    with pytest.raises(StoreMismatchError, match="not a readable netCDF"):
        SweepStore(template(), DIMS, bad)
    with pytest.raises(ValueError, match="does not exist"):
        SweepStore(template(), DIMS, tmp_path / "nowhere" / "s.nc")
    st = SweepStore(template(), DIMS)
    with pytest.raises(ValueError, match="shape"):
        st.write(np.arange(3), {**values(np.arange(3)), "tc": np.zeros(4)})
    with pytest.raises(ValueError, match="lack the variables flag"):
        st.write(np.arange(3), {k: v for k, v in values(np.arange(3)).items() if k != "flag"})
    with pytest.raises(ValueError, match="not computed"):
        st.finish()
    with pytest.raises(ValueError, match="no dimension"):
        SweepStore(template(), ("eta", "T"))
