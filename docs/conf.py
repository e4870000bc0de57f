"""Sphinx configuration of the multigap documentation site (``make docs``).

The build reaches no network: MathJax is copied from an installed package
(``django-static-mathjax``) into the site, the intersphinx inventories of numpy, scipy and
xarray are written from the installed packages (``_ext/local_inventory.py``), and the gallery
runs ``examples/`` in quick mode. Everything generated lands in ``docs/_generated`` (and
sphinx-gallery's ``auto_examples``, ``tutorial``, ``api/generated``), all ignored by git.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GEN = DOCS / "_generated"

sys.path.insert(0, str(ROOT / "src"))  # document this tree, installed or not
sys.path.insert(0, str(DOCS / "_ext"))

from local_inventory import write_inventories  # noqa: E402

import multigap  # noqa: E402

shutil.rmtree(GEN, ignore_errors=True)
GEN.mkdir(parents=True)

# -- project -----------------------------------------------------------------------------------
project = "multigap"
author = "the multigap developers"
copyright = "2026, the multigap developers"
release = multigap.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.typer",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_generated", "**/GALLERY_HEADER.rst", ".gitignore"]
templates_path = ["_templates"]
myst_heading_anchors = 3

# -- MathJax, served from the site itself --------------------------------------------------------
_MATHJAX = importlib.resources.files("mathjax") / "static" / "mathjax" / "es5"
_STATIC = GEN / "static" / "mathjax"
for part in ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y"):
    src = Path(str(_MATHJAX / part))
    if src.is_dir():
        shutil.copytree(src, _STATIC / part)
    else:
        (_STATIC / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, _STATIC / part)
mathjax_path = "mathjax/tex-chtml.js"
html_static_path = [str(GEN / "static"), "_static"]
html_css_files = ["multigap.css"]

# -- intersphinx without downloads --------------------------------------------------------------
intersphinx_mapping = write_inventories(GEN / "inv")
intersphinx_timeout = 1

# -- API reference: autodoc + autosummary + numpydoc --------------------------------------------
autosummary_generate = True
autosummary_generate_overwrite = False
autosummary_imported_members = False
autodoc_typehints = "none"  # numpydoc's Parameters state types and units
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "Model": "multigap.Model",
    "Numerics": "multigap.Numerics",
    "Subbands": "multigap.Subbands",
    "Superlattice": "multigap.Superlattice",
    "ndarray": "numpy.ndarray",
    "Dataset": "xarray.Dataset",
    "DataArray": "xarray.DataArray",
}
numpydoc_xref_ignore = {"optional", "default", "of", "or", "shape", "array", "and", "in"}


def _kind(name: str) -> str:
    import inspect

    obj = getattr(multigap, name)
    if inspect.ismodule(obj):
        return "modules"
    if inspect.isclass(obj):
        return "classes"
    if callable(obj):
        return "functions"
    return "data"


_API_HEAD = """\
API reference
=============

Every public name of the package, ``multigap.__all__``, documented from its docstring
(numpydoc). Units: energies meV, lengths nm, wavevectors 1/nm, temperatures K, masses in m_e;
densities of states per spin per area, 1/(meV nm\\ :sup:`2`). This page is generated from
``multigap.__all__`` when the site is built, so no public name can be missing.

.. currentmodule:: multigap
"""
_API_SECTIONS = {
    "classes": "Models, geometry and results",
    "functions": "Functions",
    "modules": "Modules (reachable as attributes: ``mg.figures``, ``mg.plot``, ...)",
    "data": "Data",
}


def _api_page() -> None:
    """``api/index.rst``: one autosummary table per kind of name in ``multigap.__all__``."""
    groups: dict[str, list[str]] = {kind: [] for kind in _API_SECTIONS}
    for name in multigap.__all__:
        groups[_kind(name)].append(name)
    text = [_API_HEAD]
    for kind, title in _API_SECTIONS.items():
        text += ["", title, "-" * len(title), "", ".. autosummary::", "   :toctree: generated"]
        text += ["   :nosignatures:", ""] + [f"   {n}" for n in sorted(groups[kind], key=str.lower)]
    api = DOCS / "api"
    shutil.rmtree(api / "generated", ignore_errors=True)
    (api / "generated").mkdir(parents=True)
    (api / "index.rst").write_text("\n".join(text) + "\n")
    # A module in __all__ is an attribute of the package (mg.figures is multigap.study.figures):
    # autodoc must document it under its real name, or it finds neither its functions nor its
    # ``#:`` comments. These stubs are written here; autosummary leaves existing stubs alone.
    for name in groups["modules"]:
        real = getattr(multigap, name).__name__
        title = f"multigap.{name}"
        (api / "generated" / f"{title}.rst").write_text(
            f"{title}\n{'=' * len(title)}\n\n``mg.{name}`` is the module ``{real}``.\n\n"
            f".. automodule:: {real}\n   :members:\n"
        )


_api_page()

# -- "study versus multigap": the comparison table, computed at build time ----------------------
from multigap.study.comparison import build_comparison  # noqa: E402

(GEN / "comparison.md").write_text(build_comparison(quick=True).to_markdown())

# -- gallery: the scripts of examples/ (run with --quick) and the tutorial ----------------------
# The scripts' docstrings open with a one-line summary; sphinx-gallery wants a reST title, so
# the gallery works on a copy whose first line is underlined. examples/ itself is left as is.
_GALLERY_SRC = GEN / "gallery_src"
_GALLERY_SRC.mkdir()
(_GALLERY_SRC / "GALLERY_HEADER.rst").write_text(
    "Gallery\n=======\n\n"
    "The scripts of ``examples/``, one per figure family, each run here with ``--quick`` "
    "(coarse grids). Run one yourself with ``python examples/NAME.py [--quick] [--out DIR]``; "
    "without ``--quick`` it uses the converged default grids.\n"
)
for script in sorted((ROOT / "examples").glob("*.py")):
    text = script.read_text()
    if not script.name.startswith("_"):
        m = re.match(r'(\s*"""\s*)([^\n]+)\n', text)
        if m is None:
            raise RuntimeError(f"{script}: no one-line docstring summary to use as a title")
        title = m.group(2).strip()
        text = text[: m.start(2)] + title + "\n" + "=" * len(title) + "\n" + text[m.end() :]
    (_GALLERY_SRC / script.name).write_text(text)
sys.path.insert(0, str(_GALLERY_SRC))  # the scripts import their _common helper
os.environ["MULTIGAP_DOCS_GALLERY_OUT"] = str(GEN / "gallery_out")
os.environ.setdefault("MPLBACKEND", "Agg")

sphinx_gallery_conf = {
    "examples_dirs": [str(_GALLERY_SRC), "tutorial_src"],
    "gallery_dirs": ["auto_examples", "tutorial"],
    "filename_pattern": r"/[a-z][^/]*\.py$",  # run every script (not the _common helper)
    "ignore_pattern": r"(__init__|_common)\.py$",
    "reset_argv": "gallery_hooks.reset_argv",
    "image_scrapers": ("gallery_hooks.scraper",),
    "reset_modules": (),
    "doc_module": ("multigap",),
    "backreferences_dir": "api/backrefs",
    "abort_on_example_error": True,
    "write_computation_times": False,
    "download_all_examples": False,
    "show_memory": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
}

# -- HTML ----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"multigap {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
# pages without sub-pages: no (empty) section navigation on the left
html_sidebars = {
    page: []
    for page in ("index", "install", "theory", "comparison", "internals", "performance", "cli")
    + ("changelog", "cite")
}
html_show_sourcelink = False
