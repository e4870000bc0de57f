"""The command line on the presets: outputs that parse, right numbers, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import multigap as mg
from multigap.cli import app

runner = CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})


def invoke(*args: str) -> tuple[int, str]:
    """Run the CLI; return the exit code and the output with rich box drawing removed."""
    res = runner.invoke(app, list(args))
    text = re.sub(r"[│╭╮╰╯─]", " ", res.output)
    return res.exit_code, " ".join(text.split())


# ------------------------------------------------------------------------------ bands
@pytest.mark.parametrize(
    ("name", "width", "height"), [("A", 274.0, 2707.195), ("B", 145.0, 3532.235)]
)
def test_bands_json_barrier_height(name: str, width: float, height: float) -> None:
    code, _ = invoke("bands", "--preset", name, "--json")
    assert code == 0
    data = json.loads(runner.invoke(app, ["bands", "--preset", name, "--json"]).stdout)
    assert data["model"] == name
    assert data["Delta_E_meV"] == pytest.approx(width, abs=1e-6)
    # the reported V reproduces Delta_E when the lattice is rebuilt from it
    v = data["barrier_height_meV"]
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=v)
    bottoms, tops = lat.band_edges(3)
    assert tops[2] - bottoms[2] == pytest.approx(width, abs=1e-6)
    assert v == pytest.approx(height, abs=0.01)  # regression of the solved height
    assert [s["band"] for s in data["subbands"]] == [1, 2, 3]
    assert data["E_T_meV"] - data["E_L_meV"] == pytest.approx(width, abs=1e-6)


def test_bands_text() -> None:
    code, out = invoke("bands", "-p", "a")
    assert code == 0
    assert "barrier height V = 2707.19" in out
    assert "Delta_E = 274.0000 meV" in out


def test_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text(
        'name = "mine"\n[lattice]\nwell = 0.85\nbarrier = 0.55\nwidth = 200.0\n'
        "[pairing]\nomega0 = 300.0\n"
    )
    code, out = invoke("bands", "--config", str(cfg), "--json")
    assert code == 0, out
    data = json.loads(runner.invoke(app, ["bands", "--config", str(cfg), "--json"]).stdout)
    assert data["model"] == "mine"
    assert data["Delta_E_meV"] == pytest.approx(200.0, abs=1e-6)


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bands", "--preset", "C"), "unknown preset 'C'"),
        (("tc", "--eta", "1", "--g", "0.5"), "g must lie in [0, 0.5)"),
        (("tc", "--eta", "1", "--g", "0.7", "-p", "B"), "g must lie in [0, 0.5)"),
        (("isotope", "--eta", "1", "--g", "-0.1"), "g must lie in [0, 0.5)"),
        (("tc", "--eta", "nan", "--g", "0.3"), "must be finite"),
        (("dome", "--out", "x", "--eta", "1:2"), "is not a range START:STOP:N"),
        (("dome", "--out", "x", "--eta", "0:1:0"), "N must be >= 2"),
        (("dome", "--out", "x", "--g", "0.1,0.6"), "g must lie in [0, 0.5)"),
        (("map", "--out", "x.nc", "--eta", "a:b:3"), "is not a range START:STOP:N"),
        (("map", "--out", "x.nc", "--g", "0.1:0.5:5"), "g must lie in [0, 0.5)"),
        (("bands", "--config", "does-not-exist.toml"), "does not exist"),
        (("bands", "--preset", "A", "--config", "x.toml"), "either --preset or --config"),
        (("plot", "missing.nc"), "does not exist"),
        (("pressure", "fit", "missing.csv"), "does not exist"),
        (("design", "--bounds", "missing.toml"), "does not exist"),
        (("dos", "--out", "dos.txt"), ".png, .pdf or .svg"),
    ],
)
def test_bad_values_exit_nonzero(args: tuple[str, ...], message: str) -> None:
    code, out = invoke(*args)
    assert code != 0
    assert message in out
    assert "Traceback" not in out


def test_model_error_is_reported_without_traceback() -> None:
    # eta = 9 puts the pairing window into the omitted fourth subband
    code, out = invoke("tc", "--eta", "9", "--g", "0.3")
    assert code == 1
    assert out.startswith("Error:")
    assert "subband 4" in out
    assert "Traceback" not in out


def test_bad_fix_option(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("pressure_GPa,tc_K\n150,180\n160,200\n170,190\n180,150\n")
    code, out = invoke("pressure", "fit", str(csv), "--fix", "zeta=1")
    assert code != 0
    assert "NAME=VALUE" in out


# ------------------------------------------------------------------------------ results
def test_tc_json_matches_api() -> None:
    res = runner.invoke(app, ["tc", "--eta", "1.0", "--g", "0.3", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    model = mg.preset("A")
    assert data["tc_K"] == pytest.approx(mg.critical_temperature(model, 1.0, 0.3), rel=1e-6)
    assert data["below_floor"] is False
    assert data["lambda"] == pytest.approx(0.3 / 0.7)
    assert len(data["cutoff_meV"]) == 3


def test_isotope_json() -> None:
    res = runner.invoke(app, ["isotope", "--eta", "0.5", "--g", "0.25", "-p", "B", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["model"] == "B"
    assert 0.0 < data["isotope_coefficient"] < 3.0
    assert data["tc_K"] > 0


def test_phonon_json_migdal() -> None:
    res = runner.invoke(app, ["phonon", "--g", "0,0.25,0.3", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["omega_meV"]["A"] == pytest.approx(330.0 * np.sqrt(1 - 2 * np.array(data["g"])))
    assert data["omega_meV"]["B"][1] == pytest.approx(225.0 * np.sqrt(0.5))


def test_gaps_json() -> None:
    pytest.importorskip("multigap.pairing.gaps")
    res = runner.invoke(app, ["gaps", "--eta", "1.0", "--g", "0.3", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["fermi_gap_meV"]) == 3
    assert all(r is None or r > 0 for r in data["ratio_2Delta_kBTc"])


def test_dos_writes_figure_and_data(tmp_path: Path) -> None:
    out = tmp_path / "dos.png"
    code, msg = invoke("dos", "--out", str(out), "--eta", "-1:2:61")
    assert code == 0, msg
    assert out.is_file() and out.stat().st_size > 0
    ds = xr.load_dataset(out.with_suffix(".nc"))
    assert ds.sizes["eta"] == 61
    assert ds["dos_total"].attrs["units"] == "1/(meV nm^2)"
    assert json.loads(ds.attrs["config"])["name"] == "A"


def test_plot_command(tmp_path: Path) -> None:
    eta = np.linspace(0.0, 2.0, 5)
    g = np.linspace(0.1, 0.4, 4)
    tc = np.outer(np.sin(np.pi * eta / 2.0) + 0.1, g)
    ds = xr.Dataset({"tc": (("eta", "g"), tc, {"units": "K"})}, coords={"eta": eta, "g": g})
    path = tmp_path / "m.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    code, msg = invoke("plot", str(path))
    assert code == 0, msg
    assert (tmp_path / "m_tc.png").is_file()


def test_map_resumable_store(tmp_path: Path) -> None:
    pytest.importorskip("multigap.runs.sweep")
    out = tmp_path / "A.nc"
    args = ["map", "--eta", "0:2:5", "--g", "0.2:0.4:3", "--out", str(out), "--quiet"]
    code, msg = invoke(*args)
    assert code == 0, msg
    ds = xr.load_dataset(out)
    assert ds["tc"].shape in ((5, 3), (3, 5))
    assert np.nanmax(ds["tc"].values) > 0
    code, msg = invoke(*args)  # re-running resumes from the finished store
    assert code == 0, msg


def test_pressure_fit_recovers_path(tmp_path: Path) -> None:
    from multigap.study.pressure import PressurePath, tc_along

    model = mg.preset("A")
    path = PressurePath(eta0=0.8, eta1=0.02, g0=0.4, g1=0.0)
    p = np.linspace(130.0, 190.0, 7)
    tc = tc_along(model, path, p)
    csv = tmp_path / "d.csv"
    csv.write_text(
        "pressure_GPa,tc_K\n" + "".join(f"{a},{b}\n" for a, b in zip(p, tc, strict=True))
    )
    res = runner.invoke(
        app,
        ["pressure", "fit", str(csv), "--fix", "eta1=0.02", "--fix", "g1=0", "--json"],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["params"]["eta0"] == pytest.approx(0.8, abs=1e-4)
    assert data["params"]["g0"] == pytest.approx(0.4, abs=1e-4)


def test_map_adaptive_samples_and_writes_a_grid(tmp_path: Path) -> None:
    pytest.importorskip("adaptive")
    out = tmp_path / "A.nc"
    code, msg = invoke(
        "map", "--eta", "0:2:9", "--g", "0.2:0.4:5", "--adaptive", "24", "--out", str(out), "-q"
    )
    assert code == 0, msg
    ds = xr.load_dataset(out)
    assert ds["tc"].sizes == {"eta": 9, "g": 5}
    assert ds.sizes["sample"] == 24 and "adaptive" in ds.attrs
    assert np.nanmax(ds["tc"].values) > 0
    code, msg = invoke(
        "map", "--g", "0.2:0.4:5", "--adaptive", "3", "--out", str(out), "--quantities", "tc"
    )
    assert code != 0 and "--adaptive" in msg
