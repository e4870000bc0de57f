"""Plot functions return figures, leave matplotlib's global state alone and show what they must."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure

import multigap as mg
from multigap import plot
from multigap.study import figures

COARSE = {"n_kz": 13, "n_modes": 5, "n_z": 12, "energy_step": 8.0}


@pytest.fixture(scope="module")
def model() -> mg.Model:
    return mg.preset("A", **COARSE)


def _labels(fig: Figure) -> list[str]:
    """x and y labels of every axes of a figure, secondary (child) axes included."""
    axes = [*fig.axes, *(c for a in fig.axes for c in a.child_axes)]
    return [a.get_xlabel() for a in axes] + [a.get_ylabel() for a in axes]


def _tc_map_ds(with_nan: bool = True) -> xr.Dataset:
    eta = np.linspace(0.0, 2.0, 9)
    g = np.linspace(0.1, 0.49, 6)
    tc = 100.0 * np.exp(-((eta[:, None] - 1.0) ** 2)) * g[None, :]
    if with_nan:
        tc[0, 0] = np.nan
    return xr.Dataset(
        {"tc": (("eta", "g"), tc, {"units": "K"})},
        coords={"eta": eta, "g": g},
        attrs={"model": "test", "tc_max": float(np.nanmax(tc)), "eta_max": 1.0, "g_max": 0.49},
    )


def _cases(model: mg.Model) -> list[tuple[Callable[[xr.Dataset], Figure], xr.Dataset]]:
    return [
        (plot.dos, figures.dos_data(model, np.linspace(-1.0, 2.0, 31), n_points=32)),
        (plot.phonon, figures.phonon_data([model], np.linspace(0.0, 0.49, 5))),
        (plot.overlaps, figures.overlap_data(model, bins=8)),
        (plot.tc_eta, figures.tc_eta_data(model, [0.1, 0.3], np.linspace(-1.0, 2.0, 16))),
        (plot.tc_g, figures.tc_g_data(model, [-0.5, 1.0], np.linspace(0.1, 0.49, 5))),
        (plot.tc_map, _tc_map_ds()),
    ]


def test_figures_leave_rcparams_alone(model: mg.Model, tmp_path: Path) -> None:
    cases = _cases(model)
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    for draw, ds in cases:
        fig = draw(ds)
        assert isinstance(fig, Figure)
        assert fig.axes
        plot.save(fig, tmp_path / f"{draw.__name__}.png", "pdf")
        assert (tmp_path / f"{draw.__name__}.png").stat().st_size > 0
        assert (tmp_path / f"{draw.__name__}.pdf").stat().st_size > 0
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend() == backend


def test_style_applies_only_inside() -> None:
    size = matplotlib.rcParams["font.size"]
    with plot.style():
        assert matplotlib.rcParams["font.size"] == plot.STYLE["font.size"]
    assert matplotlib.rcParams["font.size"] == size


def test_pyplot_not_used() -> None:
    fig = plot.tc_map(_tc_map_ds())
    assert fig.canvas.manager is None  # not registered with pyplot


def test_map_marks_maximum_and_lambda_axis() -> None:
    ds = _tc_map_ds()
    fig = plot.tc_map(ds)
    ax = fig.axes[0]
    stars = [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    assert len(stars) == 1
    assert stars[0].get_xdata()[0] == pytest.approx(1.0)
    assert stars[0].get_ydata()[0] == pytest.approx(0.49)
    assert any("lambda" in s for s in _labels(fig))
    texts = [t.get_text() for t in ax.texts]
    assert any("max" in t for t in texts)


def test_below_floor_points_are_absent(model: mg.Model) -> None:
    ds = figures.tc_eta_data(model, [0.1], np.array([-1.0, -0.5, 0.5, 1.0]))
    ds["tc"][0, 0] = np.nan  # a point below the floor
    ds["below_floor"][0, 0] = True
    fig = plot.tc_eta(ds)
    for ax in fig.axes[:2]:
        y = ax.get_lines()[0].get_ydata()
        assert np.isnan(y[0])  # drawn as a gap, not as a number
    assert fig.axes[1].get_yscale() == "log"


def test_tc_g_has_lambda_axis(model: mg.Model) -> None:
    fig = plot.tc_g(figures.tc_g_data(model, [1.0], np.linspace(0.1, 0.49, 4)))
    assert sum("lambda" in s for s in _labels(fig)) == 2  # both panels


def test_pressure_labels_summary_and_retraction() -> None:
    p = np.linspace(100.0, 220.0, 13)
    pc = np.linspace(220.0, 310.0, 7)
    ds = xr.Dataset(
        {
            "tc_summary_h3s": (
                "pressure_h3s",
                203.0 * np.clip(1 - ((p - 162) / 43) ** 2, 0, 1),
                {"units": "K", "label": figures.H3S_LABEL},
            ),
            "tc_summary_csh": (
                "pressure_csh",
                287.0 * np.clip(1 - ((pc - 265) / 45) ** 2, 0, 1),
                {"units": "K", "retraction": "Retracted by Nature on 2022-09-26."},
            ),
            "tc_fit": ("pressure", 200.0 * np.ones(5)),
            "eta_path": ("pressure", np.linspace(0, 2, 5)),
            "g_path": ("pressure", np.full(5, 0.4)),
        },
        coords={"pressure_h3s": p, "pressure_csh": pc, "pressure": np.linspace(120, 200, 5)},
        attrs={"fit": json.dumps({"params": {"eta0": 1.0}, "success": True})},
    )
    fig = plot.pressure(ds)
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert any("summary of Drozdov et al. 2015 as used by the study" in s for s in labels)
    assert any("retracted" in s.lower() and "Snider" in s for s in labels)
    # the summary is drawn as a band and a line, never as markers
    for line in fig.axes[0].get_lines():
        assert line.get_marker() in ("None", "", None)


def test_maps_rejects_dataset_without_eta_g() -> None:
    ds = xr.Dataset({"x": ("t", np.arange(3.0))})
    with pytest.raises(ValueError, match="no variable with dimensions"):
        plot.maps(ds)


def test_dos_data_carries_the_subbands() -> None:
    model = mg.preset("B")
    ds = figures.dos_data(model, np.linspace(-1.0, 2.0, 7), n_points=16)
    sb = model.subbands
    np.testing.assert_array_equal(ds["subband_energy"].values, sb.energy)
    norm = (ds["z_weight"] * ds["bloch_density"]).sum("z").values
    np.testing.assert_allclose(norm, 1.0, rtol=1e-12)
    assert ds.attrs["barrier_height"] == model.lattice.height
    assert ds["kz_grid"].attrs["units"] == "1/nm" and ds["z"].attrs["units"] == "nm"
