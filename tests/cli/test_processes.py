"""Processes: sweeps with executor=2 from scripts without a main guard, from stdin and from
``python -c``; workers gone after SIGKILL or SIGTERM of their parent; SIGTERM flushes the store;
Ctrl-C during start-up prints no worker traceback.

Every wait is a bounded poll (a deadline only so that a broken build fails instead of hanging);
nothing here asserts how fast anything runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

SRC = Path(__file__).resolve().parents[2] / "src"
ENV = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and /proc")

#: A tiny sweep on 2 worker processes, with its model and quantity defined in __main__ and no
#: ``if __name__ == "__main__":`` guard.
UNGUARDED = """
from dataclasses import dataclass
import numpy as np
import multigap as mg
from multigap.runs.sweep import Output, Quantity

@dataclass(frozen=True)
class Toy:
    name: str = "toy"

def toy(model, eta, g):
    return {"z": eta * 10.0 + g}

Q = Quantity("toy", (Output("z", "1", "toy value"),), toy)
ds = mg.sweep(Toy(), np.arange(4.0), [0.5, 0.25], quantities=[Q], executor=2, progress=False,
              batch_size=2)
print("sum", float(ds["z"].sum()))
"""
EXPECTED_SUM = "sum 123.0"  # 10 * (0 + 1 + 2 + 3) * 2 + 4 * (0.5 + 0.25)


def _run(
    args: list[str], env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env={**ENV, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_executor_2_from_a_script_without_a_main_guard(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    res = _run([str(script)])
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.split("\n")[-2] == EXPECTED_SUM  # printed once: never re-run by workers


def test_executor_2_from_stdin(tmp_path: Path) -> None:
    res = _run(["-"], stdin=UNGUARDED)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip() == EXPECTED_SUM


def test_executor_2_from_python_c() -> None:
    res = _run(["-c", UNGUARDED])
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip() == EXPECTED_SUM


# --------------------------------------------------------------------- parent killed
#: A slow sweep on 2 workers; each batch records the worker's pid. Ctrl-C and SIGTERM end it
#: with exit 130 / 143 and no traceback of its own (as the CLI does).
SLOW = """
import os, sys, time
from dataclasses import dataclass
import numpy as np
from multigap.runs.signals import Terminated
from multigap.runs.sweep import Output, Quantity, sweep

@dataclass(frozen=True)
class Slow:
    name: str = "slow"

def slow(model, eta, g):
    with open(os.environ["PIDS"], "a") as fh:
        fh.write(f"{os.getpid()}\\n")
    time.sleep(float(os.environ["DELAY"]))
    return {"z": eta + g}

Q = Quantity("slow", (Output("z", "1", "toy"),), slow)
try:
    sweep(Slow(), np.linspace(0.0, 1.0, 40), [0.1, 0.2], quantities=[Q], executor=2,
          store=sys.argv[1], progress=False, batch_size=4, checkpoint_interval=3600.0)
except Terminated:
    sys.exit(143)
except KeyboardInterrupt:
    sys.exit(130)
"""


def _start(tmp_path: Path, delay: float) -> tuple[subprocess.Popen[str], Path, Path]:
    script = tmp_path / "slow.py"
    script.write_text(SLOW)
    store, pids = tmp_path / "slow.nc", tmp_path / "pids"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(store)],
        env={**ENV, "PIDS": str(pids), "DELAY": str(delay)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a command run from a shell
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return proc, store, pids


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:  # pragma: no cover - no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _wait_for(condition: object, seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


def _worker_pids(pids: Path) -> set[int]:
    return {int(x) for x in pids.read_text().split()} if pids.exists() else set()


def _batches_started(pids: Path) -> int:
    return len(pids.read_text().split()) if pids.exists() else 0


def _computed(store: Path) -> int:
    try:
        with xr.open_dataset(store, engine="h5netcdf") as ds:
            return int(ds["computed"].sum()) if "computed" in ds else -1
    except (OSError, KeyError, ValueError):
        return 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_with_their_parent(tmp_path: Path, sig: signal.Signals) -> None:
    proc, _, pids = _start(tmp_path, delay=0.5)
    try:
        assert _wait_for(lambda: len(_worker_pids(pids)) >= 2), "the workers never started"
        workers = _worker_pids(pids)
        assert proc.pid not in workers and all(_alive(p) for p in workers)
        os.kill(proc.pid, sig)
        proc.wait(timeout=120)
        assert _wait_for(lambda: not any(_alive(p) for p in workers)), "workers outlived it"
        # nothing is left holding the caller's pipes: they reach end-of-file
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    if sig == signal.SIGTERM:
        assert proc.returncode == 143, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
    else:
        assert proc.returncode == -signal.SIGKILL


def test_sigterm_flushes_the_store_and_the_rerun_finishes_it(tmp_path: Path) -> None:
    proc, store, pids = _start(tmp_path, delay=0.2)
    try:
        # the first batch is written at once; the rate limit (3600 s) holds every later one
        # back, so whatever is on disk beyond it after SIGTERM was written by the flush
        assert _wait_for(lambda: _computed(store) >= 4), "no batch was stored"
        assert _wait_for(lambda: _batches_started(pids) >= 6), "too few batches ran"
        first = _computed(store)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 143
    flushed = _computed(store)
    assert first < flushed < 80 and flushed % 4 == 0
    rerun = _run([str(tmp_path / "slow.py"), str(store)], {"PIDS": str(pids), "DELAY": "0"})
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _computed(store) == -1  # finished: no mask left


def test_ctrl_c_during_start_up_prints_no_worker_traceback(tmp_path: Path) -> None:
    proc, _, pids = _start(tmp_path, delay=0.5)
    try:
        # Ctrl-C reaches the whole process group as the first worker starts its first batch
        # (the second may still be starting)
        assert _wait_for(lambda: _batches_started(pids) >= 1), "no worker started"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
