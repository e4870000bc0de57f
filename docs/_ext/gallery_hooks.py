"""sphinx-gallery hooks: run the examples in quick mode and collect the figures they make.

The example scripts take ``--quick`` and ``--out DIR`` and save their figures with
:func:`multigap.plot.save` (the plot module never touches pyplot), so matplotlib's default
scraper sees nothing. :func:`scraper` collects instead (1) every PNG that appeared under the
example's ``--out`` folder and (2) every :class:`matplotlib.figure.Figure` bound to a name in the
example's globals (the tutorial keeps its figures that way), each once.

Referenced from ``conf.py`` by qualified name (sphinx-gallery imports them), so the
configuration stays picklable.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

#: Where the examples write (``--out``); set by conf.py through the environment.
OUT_ENV = "MULTIGAP_DOCS_GALLERY_OUT"

_seen_files: dict[str, set[Path]] = {}
_seen_figures: dict[str, set[int]] = {}


def _out_dir(src_file: str) -> Path:
    return Path(os.environ[OUT_ENV]) / Path(src_file).stem


def reset_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """Arguments of every example: quick grids, figures into a fresh folder of its own."""
    out = _out_dir(script_vars["src_file"])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _seen_files.pop(script_vars["src_file"], None)
    _seen_figures.pop(script_vars["src_file"], None)
    return ["--quick", "--out", str(out)]


def scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any]) -> str:
    """Images made by one code block, as reST (sphinx-gallery's image-scraper protocol)."""
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    from multigap import plot

    src = block_vars["src_file"]
    files = _seen_files.setdefault(src, set())
    figures = _seen_figures.setdefault(src, set())
    out = _out_dir(src)
    new = sorted(
        (p for p in out.rglob("*.png") if p not in files) if out.is_dir() else [],
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    images = []
    for png in new:
        files.add(png)
        dest = next(block_vars["image_path_iterator"])
        shutil.copyfile(png, dest)
        images.append(dest)
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and id(value) not in figures:
            figures.add(id(value))
            dest = next(block_vars["image_path_iterator"])
            plot.save(value, dest)
            images.append(dest)
    return figure_rst(images, gallery_conf["src_dir"])
