"""Bad command-line input (issue 10): one line naming the option, its value and the allowed
range, before any computing; OS errors and bad files without tracebacks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from multigap.cli import app

runner = CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})
GOOD_CSV = "pressure_GPa,tc_K\n150,180\n160,200\n170,190\n180,150\n"


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    text = re.sub(r"[│╭╮╰╯─]", " ", res.output)
    return res.exit_code, " ".join(text.split())


def refused(args: list[str], *parts: str) -> str:
    code, out = invoke(*args)
    assert code != 0, out
    for part in parts:
        assert part in out, out
    assert "Traceback" not in out and "Exception ignored" not in out
    return out


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "ok.csv").write_text(GOOD_CSV)
    (tmp_path / "big.csv").write_text("pressure_GPa,tc_K\n150,1e9\n160,200\n170,190\n180,150\n")
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)))
    (tmp_path / "afile").write_text("x")
    (tmp_path / "m.toml").write_text("x = 1\n")
    return tmp_path


def test_empty_preset_is_refused() -> None:
    refused(["bands", "--preset", ""], "unknown preset ''", "choose one of A, B")


def test_pressure_fix_outside_its_range(files: Path) -> None:
    refused(
        ["pressure", "fit", str(files / "ok.csv"), "--fix", "g0=0.7"],
        "--fix[g0] must lie in [0, 0.499], got 0.7",
    )


def test_pressure_csv_with_impossible_tc(files: Path) -> None:
    refused(
        ["pressure", "fit", str(files / "big.csv")],
        "line 2: column tc_K must be >= 0 and <= 1000, got 1000000000.0",
    )


def test_pressure_p_ref_huge(files: Path) -> None:
    refused(
        ["pressure", "fit", str(files / "ok.csv"), "--p-ref", "1e300"],
        "--p-ref must lie in [0, 1000] GPa, got 1e+300",
    )


def test_binary_and_directory_csv(files: Path) -> None:
    refused(["pressure", "fit", str(files / "bin.csv")], "bin.csv' is not a UTF-8 text (CSV)")
    refused(["pressure", "fit", str(files)], "is a directory, not a CSV file")


def test_dome_bad_eta_fixed_is_refused_before_computing(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from multigap.study import figures

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed before the inputs were checked")

    monkeypatch.setattr(figures, "tc_eta_data", boom)
    monkeypatch.setattr(figures, "tc_g_data", boom)
    refused(
        ["dome", "--out", str(files / "d"), "--eta-fixed", "50"],
        "Invalid value for --eta-fixed: eta = 50 lies outside",
    )


def test_outputs_checked_before_computing(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from multigap.study import figures

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed before the output path was checked")

    monkeypatch.setattr(figures, "dos_data", boom)
    monkeypatch.setattr(figures, "tc_eta_data", boom)
    refused(["dos", "--out", str(files / "afile" / "x.png")], "--out", "is not a directory")
    refused(["dome", "--out", str(files / "afile")], "--out", "is not a directory")
    refused(["dos", "--out", str(files)], "--out")
    refused(["map", "--out", str(files / "afile" / "m.nc")], "--out", "is not a directory")


def test_read_only_directory(files: Path) -> None:
    if os.geteuid() == 0:  # root writes into a chmod 500 folder; /proc refuses everyone
        refused(["dos", "--out", "/proc/multigap-x.png"], "--out", "cannot write to")
        return
    ro = files / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        refused(["dos", "--out", str(ro / "x.png")], "--out", "cannot write to")
    finally:
        ro.chmod(0o700)


def test_unreachable_scheduler(files: Path) -> None:
    pytest.importorskip("distributed")
    refused(
        [
            "map",
            "--out",
            str(files / "m.nc"),
            "--eta",
            "0:1:2",
            "--g",
            "0.2:0.3:2",
            "--scheduler",
            "not-an-address::",
        ],
        "--scheduler",
        "cannot reach the Dask scheduler",
    )


def test_config_directory_and_plot_of_wrong_files(files: Path) -> None:
    refused(["bands", "--config", str(files)], "is a directory, not a TOML file")
    refused(["plot", str(files)], "is a directory, not a netCDF file")
    refused(["plot", str(files / "m.toml")], "is not a netCDF file", "signature")
    refused(["plot", str(files / "nope.nc")], "does not exist")


def test_corrupt_store_is_refused_without_an_ignored_exception(tmp_path: Path) -> None:
    store = tmp_path / "s.nc"
    code, out = invoke("map", "--out", str(store), "--eta", "0:1:2", "--g", "0.2:0.3:2", "-q")
    assert code == 0, out
    data = bytearray(store.read_bytes())
    for i in range(512, 576):  # metadata of the root group
        data[i] ^= 0xFF
    bad = tmp_path / "bad.nc"
    bad.write_bytes(bytes(data))
    # a separate interpreter: the h5netcdf complaint is printed when the half-open file is
    # collected, which may happen at exit
    cmd = [sys.executable, "-c", "from multigap.cli import app; app()", "plot", str(bad)]
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert res.returncode != 0
    assert "is not a readable netCDF file" in " ".join(re.sub(r"[│╭╮╰╯─]", " ", res.stderr).split())
    assert "Exception ignored" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize(
    ("args", "parts"),
    [
        (["dos", "--out", "d.png", "--eta", "0:1:100000000"], ["N = 100000000", "100000"]),
        (
            ["map", "--out", "m.nc", "--eta", "0:1:100000", "--g", "0.1:0.4:100000"],
            ["10000000000 points", "needs an estimated", "GiB for the map"],
        ),
        (["dome", "--out", "d", "--eta", "-1:2:100000", "--g", "0.1:0.4:100"], ["GiB"]),
    ],
)
def test_range_sizes_are_bounded(args: list[str], parts: list[str], tmp_path: Path) -> None:
    args = [str(tmp_path / a) if a.endswith((".png", ".nc")) or a == "d" else a for a in args]
    refused(args, *parts)


def test_make_run_installs_only_the_package(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make not installed")
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    run = subprocess.run([make, "-n", "run"], cwd=tmp_path, capture_output=True, text=True)
    test = subprocess.run([make, "-n", "test"], cwd=tmp_path, capture_output=True, text=True)
    assert "pip install -e .\n" in run.stdout and "[test" not in run.stdout, run.stdout
    assert 'pip install -e ".[test,dev,docs]"' in test.stdout, test.stdout
