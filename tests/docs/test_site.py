"""The documentation site renders in a browser: images loaded, equations typeset, offline.

Opens pages of the built site (``make docs`` writes ``docs/_build/html``; if it is missing the
session builds it into a temporary folder) in headless Chromium, with the flags of the report
test, and reads back the DOM. Each page is probed through a copy of it, next to it in a copy of
the site, that carries a small script: after the page and MathJax have finished it writes onto
``<body>`` how many images there are, how many of them loaded, how many math elements there are
and how many of them MathJax typeset. The site itself ships no test code.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

import multigap

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "docs" / "_build" / "html"

# one site build per session: keep these tests on one xdist worker (--dist loadgroup)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs")]

#: The pages the issue names: the front page, the API page of critical_temperature, and a
#: gallery page (the tutorial, which sphinx-gallery runs and which has figures and equations).
PAGES = {
    "index": "index.html",
    "critical_temperature": "api/generated/multigap.critical_temperature.html",
    "gallery": "tutorial/ten_minutes.html",
}

PROBE = """
<script>
window.addEventListener("load", function () {
  function report() {
    var imgs = Array.prototype.slice.call(document.images);
    var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
    var math = document.querySelectorAll(".math");
    var typeset = Array.prototype.filter.call(math, function (m) {
      return m.querySelector("mjx-container") !== null;
    });
    var b = document.body;
    b.setAttribute("data-probe-images", imgs.length + "/" + ok.length);
    b.setAttribute("data-probe-math", math.length + "/" + typeset.length);
    b.setAttribute("data-probe-mjx", document.querySelectorAll("mjx-container").length);
    b.setAttribute("data-probe-errors", document.querySelectorAll("mjx-merror").length);
    b.setAttribute("data-probe", "done");
  }
  var mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) { mj.startup.promise.then(report, report); }
  else { report(); }
});
</script>
"""


class _Tags(HTMLParser):
    """Every ``<img src>`` and ``<script src>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.img: list[str] = []
        self.script: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src")
        if src and tag == "img":
            self.img.append(src)
        elif src and tag == "script":
            self.script.append(src)


def _tags(page: Path) -> _Tags:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: docs/_build/html, or a fresh build when it is missing."""
    if (BUILT / "index.html").is_file():
        return BUILT
    pytest.importorskip("sphinx", reason="no built site and no Sphinx (pip install -e '.[docs]')")
    # one build for all xdist workers: the build writes generated sources under docs/, so two
    # at once would clobber each other (a lock in the temp folder the workers share)
    shared = tmp_path_factory.getbasetemp().parent
    out = shared / "docs-html"
    with open(shared / "docs-html.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "index.html").is_file():
            cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
            proc = subprocess.run(
                [*cmd, "docs", str(out)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=1200,
                check=False,
            )
            assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return out


@pytest.fixture(scope="session")
def rendered(
    site: Path, tmp_path_factory: pytest.TempPathFactory, body_of: Callable[[Path, int], str]
) -> dict[str, dict[str, str]]:
    """Each page of PAGES opened in headless Chromium: the probe's attributes on <body>."""
    copy = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(site, copy)
    results = {}
    for key, rel in PAGES.items():
        page = copy / rel
        probe = page.with_name(f"_probe_{page.name}")
        probe.write_text(
            page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
            encoding="utf-8",
        )
        body = body_of(probe, 20000)
        results[key] = dict(re.findall(r'(data-probe[\w-]*)="([^"]*)"', body))
    return results


def test_every_page_exists_with_local_images(site: Path) -> None:
    for rel in PAGES.values():
        page = site / rel
        assert page.is_file(), rel
        tags = _tags(page)
        assert tags.img, f"{rel}: no image"
        for src in tags.img:
            assert not src.startswith(("http:", "https:", "//")), f"{rel}: remote image {src}"
            assert (page.parent / src.split("#")[0]).is_file(), f"{rel}: missing {src}"


def test_mathjax_is_served_by_the_site(site: Path) -> None:
    """Equations must render offline: MathJax comes from _static, never from a CDN."""
    for rel in PAGES.values():
        page = site / rel
        srcs = [s for s in _tags(page).script if "mathjax" in s.lower()]
        assert srcs, f"{rel}: MathJax is not loaded"
        for src in srcs:
            assert not src.startswith(("http:", "https:", "//")), f"{rel}: remote {src}"
            assert (page.parent / src.split("?")[0]).is_file(), f"{rel}: missing {src}"
    for page in site.rglob("*.html"):
        assert "cdn.jsdelivr.net" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("key", list(PAGES))
def test_page_renders_images_and_equations(rendered: dict[str, dict[str, str]], key: str) -> None:
    probe = rendered[key]
    assert probe.get("data-probe") == "done", probe
    n_img, n_ok = map(int, probe["data-probe-images"].split("/"))
    assert n_img > 0 and n_ok == n_img, f"{key}: {n_ok} of {n_img} images loaded"
    n_math, n_typeset = map(int, probe["data-probe-math"].split("/"))
    assert n_math > 0 and n_typeset == n_math, f"{key}: {n_typeset} of {n_math} equations typeset"
    assert int(probe["data-probe-mjx"]) >= n_math
    assert probe["data-probe-errors"] == "0", f"{key}: MathJax errors"


def test_api_reference_lists_every_public_name(site: Path) -> None:
    generated = site / "api" / "generated"
    for name in multigap.__all__:
        assert (generated / f"multigap.{name}.html").is_file(), name


def test_intersphinx_links_point_at_the_real_projects(site: Path) -> None:
    text = (site / "tutorial" / "ten_minutes.html").read_text(encoding="utf-8")
    assert "https://docs.xarray.dev/en/stable/generated/xarray.Dataset.html" in text
    theory = (site / "theory.html").read_text(encoding="utf-8")
    assert "https://docs.scipy.org/doc/scipy/reference/constants.html#module-scipy.constants" in (
        theory
    )


def test_cli_reference_is_generated_from_the_app(site: Path) -> None:
    from typer.main import get_command

    from multigap.cli import app

    text = (site / "cli.html").read_text(encoding="utf-8")
    group = get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        assert f"multigap {name}" in text, name


def test_gallery_has_every_example_with_its_figure(site: Path) -> None:
    scripts = sorted(p.stem for p in (ROOT / "examples").glob("*.py") if p.stem[0] != "_")
    for stem in scripts:
        page = site / "auto_examples" / f"{stem}.html"
        assert page.is_file(), stem
        imgs = [s for s in _tags(page).img if f"sphx_glr_{stem}_" in s]
        assert imgs, f"{stem}: no figure on its gallery page"
