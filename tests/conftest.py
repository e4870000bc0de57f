"""Shared test helpers: headless Chromium for the pages the project writes (report, docs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

#: Flags of a headless Chromium that reaches nothing outside this machine (no background
#: networking, sync or component updates) and may read local files.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-file-access-from-files",
    "--dump-dom",
)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def body_of() -> Callable[[Path, int], str]:
    """``body_of(page, budget_ms)``: the ``<body ...>`` tag of a local page after Chromium has
    rendered it for ``budget_ms`` of virtual time (a fresh profile each call)."""
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium binary on PATH (CI installs Debian's chromium)")

    def render(page: Path, budget_ms: int) -> str:
        with tempfile.TemporaryDirectory() as profile:
            cmd = [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                page.resolve().as_uri(),
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        body = re.search(r"<body[^>]*>", proc.stdout)
        assert body is not None, proc.stdout[:2000]
        return body.group(0)

    return render
