"""The data behind each figure of the study (SPEC §9), as xarray Datasets.

One function per figure family. Each returns an :class:`xarray.Dataset` with named dimensions,
``units`` (and ``long_name``) attributes on every variable and coordinate, and in its attributes
the model configuration as JSON (``config``), the package version (``multigap_version``), the
figure it feeds (``figure``) and the grids it was computed on (``grids``, JSON). Nothing here
draws: :mod:`multigap.plot` turns these datasets into figures.

=========================  =====================================================  ==========
function                   figure (SPEC §9)                                       needs
=========================  =====================================================  ==========
:func:`pressure_data`      1. Tc versus pressure, dome summary and fitted path    pressure
:func:`dos_data`           2. total / partial DOS vs eta, Fermi contours          pdos
:func:`phonon_data`        3. Migdal softened phonon vs g, several models         model
:func:`overlap_data`       4. superposition integrals: histograms, I(kz, kz')     overlap
:func:`gap_data`           5. gap ratios and isotope coefficient vs eta;          gaps, tc
                           6. Tc versus Delta_3/Delta_2 along the dome
:func:`tc_eta_data`        7. Tc versus eta for several g (linear and log)        tc
:func:`tc_g_data`          8. Tc versus g at fixed eta                            tc
:func:`tc_map_data`        9. Tc(eta, g) colour map with its maximum              tc
=========================  =====================================================  ==========

Units: energies meV, temperatures K, wavevectors 1/nm, pressure GPa, DOS 1/(meV nm^2) per spin.
Where Tc lies below the temperature floor (no superconductivity above ``t_floor``) the ``tc``
variables hold NaN and the boolean ``below_floor`` says so: such points are absent, not numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from multigap.study._datasets import (  # noqa: F401  (re-exported helpers)
    _attrs,
    _eta_coord,
    _g_coord,
    _grid,
    _lambda,
    _plain,
    _tc_eta_g,
    _tc_vars,
    _var,
    version,
)
from multigap.study.tc_curves import (  # noqa: F401  (figures 7-9, re-exported)
    _parabolic_min,
    tc_eta_data,
    tc_g_data,
    tc_map_data,
)

if TYPE_CHECKING:
    from multigap.model import Model

FloatArray = NDArray[np.float64]

#: Coupling of the gap-ratio / isotope figure per preset name (SPEC §9 item 5).
REFERENCE_G = {"A": 0.25, "B": 1.0 / 3.0}
#: Infrared phonon energy of H3S that the study's preset A is meant to match, meV.
H3S_IR_PHONON = 160.0
#: Label of the H3S dome summary wherever it is drawn.
H3S_LABEL = "summary of Drozdov et al. 2015 as used by the study"


# ------------------------------------------------------------------------------ 1. pressure
def pressure_data(
    model: Model,
    dome: str = "h3s",
    *,
    show: Iterable[str] = (),
    n_points: int = 25,
    max_nfev: int = 200,
) -> xr.Dataset:
    """Tc versus pressure: a drawn dome summary and the straight (eta, g) path fitted to it.

    Parameters
    ----------
    model : Model
        The heterostructure.
    dome : str
        Shipped summary the path is fitted to (``"h3s"``, Drozdov et al. 2015 as summarised by
        the study); it is a drawing of peak, position and width, not measured points.
    show : iterable of str
        Further summaries drawn without a fit (e.g. ``("csh",)``; a retracted source carries
        its retraction note in the variable attributes and in ``retraction_<name>``).
    n_points : int
        Samples of the summary curve used by the fit.
    max_nfev : int
        Most residual evaluations of the fit.

    Returns
    -------
    xarray.Dataset
        Per summary ``<name>``: ``tc_summary_<name>`` on ``pressure_<name>`` (K on GPa); the
        fitted path ``tc_fit``, ``eta_path``, ``g_path``, ``lambda_path`` on ``pressure`` (GPa);
        attributes ``fit`` (JSON: parameters, errors, chi^2, success) and ``fit_source``.
    """
    from multigap.study.data import dome_summary
    from multigap.study.pressure import fit_path_to_summary

    fit = fit_path_to_summary(model, dome, n=n_points, max_nfev=max_nfev)
    data: dict[str, xr.Variable] = {}
    coords: dict[str, xr.Variable] = {}
    names = [dome, *[s for s in show if s != dome]]
    attrs = _attrs(
        model, "pressure", dome=dome, show=names[1:], n_points=n_points, max_nfev=max_nfev
    )
    for name in names:
        s = dome_summary(name)
        curve = s.curve()
        label = H3S_LABEL if name == "h3s" else f"summary of {s.source}"
        extra: dict[str, Any] = {
            "kind": "summary (peak, position, width), not measured points",
            "source": s.source,
            "label": label,
        }
        if s.retracted:
            extra["retraction"] = str(s.retraction)
            attrs[f"retraction_{name}"] = str(s.retraction)
        coords[f"pressure_{name}"] = _var(f"pressure_{name}", curve.pressure, "GPa", "pressure")
        data[f"tc_summary_{name}"] = _var(
            f"pressure_{name}", curve.tc, "K", f"{s.material}: dome summary", **extra
        )
    coords["pressure"] = _var("pressure", fit.curve_pressure, "GPa", "pressure")
    data["tc_fit"] = _var("pressure", fit.curve_tc, "K", "Tc along the fitted (eta, g) path")
    data["eta_path"] = _var("pressure", fit.curve_eta, "1", "eta along the path")
    data["g_path"] = _var("pressure", fit.curve_g, "1", "g along the path")
    data["lambda_path"] = _var("pressure", _lambda(fit.curve_g), "1", "lambda = g / (1 - g)")
    summary = fit.summary()
    summary.pop("curve", None)
    attrs["fit"] = json.dumps(summary, sort_keys=True)
    attrs["fit_source"] = fit.source
    attrs["fit_success"] = int(fit.success)
    return xr.Dataset(data, coords=coords, attrs=attrs)


# ------------------------------------------------------------------------------ 2. DOS
def dos_data(
    model: Model,
    eta: ArrayLike | None = None,
    contour_eta: ArrayLike = (-0.5, 0.5, 1.5),
    *,
    n_points: int = 256,
) -> xr.Dataset:
    """Total and partial DOS versus eta, and Fermi contours at a few eta values.

    Parameters
    ----------
    model : Model
    eta : array_like, optional
        Lifshitz parameters of the DOS curves (default 600 points on [-1, 2]).
    contour_eta : sequence of float
        eta values of the Fermi-contour panels (default one below 0, one in (0, 1), one above 1).
    n_points : int
        Points per contour curve.

    Returns
    -------
    xarray.Dataset
        ``dos_total`` (eta), ``dos_partial`` (band, eta) in 1/(meV nm^2) per spin (NaN where
        infinite, exactly at a band top), ``n0`` attribute (free 2D DOS); ``kx``, ``kz``
        (contour, band, point) in 1/nm, curves separated by NaN; ``topology`` (contour, band).
        The subbands themselves: ``subband_energy`` (band, kz_grid) E_n(kz) in meV on the model's kz
        grid of the half zone, ``bloch_density`` (band, kz_grid, z) ``|psi_{n,kz}(z)|^2`` in 1/nm on
        the Gauss-Legendre z nodes of one period with ``z_weight`` (z, nm; sum = d), so that
        ``(z_weight * bloch_density).sum("z") == 1``; attribute ``barrier_height`` (meV).
    """
    from multigap.structure.pdos import dos, fermi_contours

    eta_a = _grid("eta", np.linspace(-1.0, 2.0, 600) if eta is None else eta)
    c_eta = _grid("contour_eta", contour_eta)
    mu = np.asarray(model.mu(eta_a), dtype=float)
    d = dos(model, mu)
    partial = np.where(np.isfinite(d.partial), d.partial, np.nan)
    total = np.where(np.isfinite(d.total), d.total, np.nan)
    bands = np.arange(1, model.n_bands + 1)
    topo = np.empty((c_eta.size, model.n_bands), dtype=object)
    pieces: dict[tuple[int, int], FloatArray] = {}
    for i, e in enumerate(c_eta):
        for b, c in enumerate(fermi_contours(model, float(model.mu(e)), n_points=n_points)):
            topo[i, b] = c.topology
            sep = np.full((1, 2), np.nan)
            pieces[i, b] = np.vstack([np.vstack((cv, sep)) for cv in c.curves] or [sep])
    length = max(p.shape[0] for p in pieces.values())
    packed = np.full((c_eta.size, model.n_bands, length, 2), np.nan)
    for (i, b), p in pieces.items():
        packed[i, b, : p.shape[0]] = p
    sb = model.subbands
    r = model.resonant_band
    attrs = _attrs(model, "dos", eta=eta_a, contour_eta=c_eta, n_points=n_points)
    attrs.update(
        n0=float(d.n0),
        resonant_band=r,
        edge=float(sb.edge(r)),
        top=float(sb.top(r)),
        width=float(sb.width(r)),
        zone_edge=math.pi / model.lattice.period,
        barrier_height=float(model.lattice.height),
    )
    return xr.Dataset(
        {
            "dos_total": _var("eta", total, "1/(meV nm^2)", "total DOS per spin"),
            "dos_partial": _var(("band", "eta"), partial, "1/(meV nm^2)", "partial DOS per spin"),
            "mu": _var("eta", mu, "meV", "chemical potential"),
            "kx": _var(("contour", "band", "point"), packed[..., 0], "1/nm", "Fermi contour kx"),
            "kz": _var(("contour", "band", "point"), packed[..., 1], "1/nm", "Fermi contour kz"),
            "topology": _var(("contour", "band"), topo.astype(str), "1", "Fermi-surface topology"),
            "band_bottom": _var("band", sb.bottoms, "meV", "subband bottom"),
            "band_top": _var("band", sb.tops, "meV", "subband top"),
            "subband_energy": _var(("band", "kz_grid"), sb.energy, "meV", "subband energy E_n(kz)"),
            "bloch_density": _var(
                ("band", "kz_grid", "z"), sb.density, "1/nm", "Bloch density |psi_n,kz(z)|^2"
            ),
            "z_weight": _var("z", sb.z_weights, "nm", "quadrature weight of the z node"),
        },
        coords={
            "eta": _eta_coord(eta_a),
            "band": _var("band", bands, "1", "subband index"),
            "contour": _eta_coord(c_eta, "contour"),
            "kz_grid": _var("kz_grid", sb.kz, "1/nm", "kz of the subband grid (half zone)"),
            "z": _var("z", sb.z, "nm", "position in the period (well from 0)"),
        },
        attrs=attrs,
    )


# ------------------------------------------------------------------------------ 3. phonon
def phonon_data(models: Sequence[Model], g: ArrayLike | None = None) -> xr.Dataset:
    """Migdal softened phonon energy w0 sqrt(1 - 2 g) (the pairing cut-off) versus g.

    Parameters
    ----------
    models : sequence of Model
        Usually ``[preset("A"), preset("B")]``.
    g : array_like, optional
        Couplings, 0 <= g < 1/2 (default 99 points on [0, 0.49]).

    Returns
    -------
    xarray.Dataset
        ``omega`` (model, g) in meV (the resonant subband's cut-off), ``omega0`` (model),
        ``width`` (model, Delta_E), ``lambda`` (g); attribute ``h3s_ir_phonon`` (meV).
    """
    g_a = _grid("g", np.linspace(0.0, 0.49, 99) if g is None else g)
    models = list(models)
    if not models:
        raise ValueError("phonon_data needs at least one model")
    r = [m.resonant_band - 1 for m in models]
    omega = np.array([[m.omega(float(x))[i] for x in g_a] for m, i in zip(models, r, strict=True)])
    attrs = _attrs(models, "phonon", g=g_a)
    attrs["h3s_ir_phonon"] = H3S_IR_PHONON
    return xr.Dataset(
        {
            "omega": _var(("model", "g"), omega, "meV", "softened phonon energy (cut-off)"),
            "omega0": _var("model", [m.omega0 for m in models], "meV", "bare phonon energy"),
            "width": _var(
                "model",
                [m.subbands.width(m.resonant_band) for m in models],
                "meV",
                "Delta_E of the resonant subband",
            ),
        },
        coords={
            "model": _var("model", [m.name for m in models], "1", "model"),
            "g": _g_coord(g_a),
            "lambda": _var("g", _lambda(g_a), "1", "lambda = g / (1 - g)"),
        },
        attrs=attrs,
    )


# ------------------------------------------------------------------------------ 4. overlaps
def overlap_data(model: Model, bins: int = 40) -> xr.Dataset:
    """Superposition integrals I^{nn'}(kz, kz'): values and a histogram per (n, n') block.

    Returns
    -------
    xarray.Dataset
        ``overlap`` (band, band2, kz, kz2), dimensionless; ``counts`` (band, band2, bin) over
        common bins with edges ``bin_edges`` (edge) and centres ``bin``.
    """
    ov = model.geometry.overlaps
    vals = np.asarray(ov.values, dtype=float)
    lo, hi = float(vals.min()), float(vals.max())
    pad = 1e-9 + 0.02 * (hi - lo)
    edges = np.linspace(lo - pad, hi + pad, int(bins) + 1)
    nb = vals.shape[0]
    counts = np.zeros((nb, nb, int(bins)))
    for a in range(nb):
        for b in range(nb):
            counts[a, b], _ = np.histogram(vals[a, b].ravel(), bins=edges)
    bands = np.arange(1, nb + 1)
    attrs = _attrs(model, "overlaps", bins=int(bins))
    attrs["zone_edge"] = math.pi / model.lattice.period
    return xr.Dataset(
        {
            "overlap": _var(
                ("band", "band2", "kz", "kz2"), vals, "1", "superposition integral I^{nn'}"
            ),
            "counts": _var(("band", "band2", "bin"), counts, "1", "matrix elements per bin"),
            "bin_edges": _var("edge", edges, "1", "histogram bin edges"),
        },
        coords={
            "band": _var("band", bands, "1", "subband n"),
            "band2": _var("band2", bands, "1", "subband n'"),
            "kz": _var("kz", ov.kz, "1/nm", "kz"),
            "kz2": _var("kz2", ov.kz, "1/nm", "kz'"),
            "bin": _var("bin", 0.5 * (edges[1:] + edges[:-1]), "1", "bin centre"),
        },
        attrs=attrs,
    )


# ------------------------------------------------------------------------------ 5./6. gaps
def gap_data(model: Model, g: float | None = None, eta: ArrayLike | None = None) -> xr.Dataset:
    """Zero-temperature gaps, gap ratios, Tc and isotope coefficient versus eta at fixed g.

    Feeds figure 5 (2 Delta_n / k_B Tc and alpha versus eta) and figure 6 (Tc versus
    Delta_3 / Delta_2 along the dome).

    Parameters
    ----------
    model : Model
    g : float, optional
        Resonant coupling (default :data:`REFERENCE_G` of the preset, else 1/4).
    eta : array_like, optional
        Lifshitz parameters (default 41 points on [-0.2, 2]).

    Returns
    -------
    xarray.Dataset
        ``tc`` (eta, K; NaN below the floor; the model's rule for mu), ``below_floor``, ``gap``
        (band, eta; meV: each subband's gap at its Fermi surface), ``spectral_gap`` (band,
        eta; meV), ``tc_fixed_density`` (eta, K: the Tc of the gaps' rule), ``ratio`` (band,
        eta; 2 Delta_n / k_B Tc with fixed-density gaps over the fixed-density Tc, Delta_n the
        Fermi gap, or the spectral gap where mu lies below the subband: attributes ``mu_rule``,
        ``gap_definition``), ``anisotropy`` (eta; Delta_r / Delta_{r-1} of the Fermi-surface
        gaps: the order-parameter anisotropy, which a spectral gap below the band edge would
        inflate),
        ``isotope`` (eta), ``mu_renormalised``
        (eta; meV), ``converged`` (eta; False and NaN gaps where the solver did not converge,
        its messages in the ``gap_failures`` attribute). Attributes: the top of the dome
        (``eta_top``, ``tc_top``, ``anisotropy_top``, ``ratio_top`` JSON), the isotope range.
    """
    from multigap.constants import KB
    from multigap.pairing.gaps import (
        RATIO_GAP_DEFINITION,
        GapConvergenceError,
        zero_temperature_gaps,
    )
    from multigap.pairing.isotope import isotope_coefficients
    from multigap.pairing.tc import critical_temperatures

    g_v = float(REFERENCE_G.get(model.name, 0.25) if g is None else g)
    eta_a = _grid("eta", np.linspace(-0.2, 2.0, 41) if eta is None else eta)
    tc = np.asarray(critical_temperatures(model, eta_a, g_v), dtype=float)
    # one convention per number: the gaps are at fixed density, so is the Tc of their ratios
    tc_n = np.asarray(
        critical_temperatures(model, eta_a, g_v, chemical_potential="fixed_density"), dtype=float
    )
    alpha = np.asarray(isotope_coefficients(model, eta_a, g_v), dtype=float)
    nb = model.n_bands
    gap = np.full((nb, eta_a.size), np.nan)
    spectral = np.full((nb, eta_a.size), np.nan)
    used = np.full((nb, eta_a.size), np.nan)
    mu_r = np.full(eta_a.size, np.nan)
    conv = np.zeros(eta_a.size, dtype=bool)
    failures: list[str] = []
    for i, e in enumerate(eta_a):
        try:
            res = zero_temperature_gaps(model, eta=float(e), g=g_v)
        except GapConvergenceError as exc:  # reported, never replaced by a number
            failures.append(str(exc))
            continue
        gap[:, i] = np.abs(np.asarray(res.fermi_gap, dtype=float))  # magnitudes
        spectral[:, i] = np.asarray(res.spectral_gap, dtype=float)
        used[:, i] = np.where(res.fermi_surface, gap[:, i], spectral[:, i])
        mu_r[i] = float(res.mu)
        conv[i] = bool(getattr(res, "converged", True))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(tc_n > 0.0, 2.0 * used / (KB * tc_n), np.nan)
        r = model.resonant_band - 1
        aniso = gap[r] / gap[r - 1] if r >= 1 else np.full(eta_a.size, np.nan)
    tc_vars = _tc_vars(tc, ("eta",))
    attrs = _attrs(model, "gaps", g=g_v, eta=eta_a)
    attrs["g"] = g_v
    attrs["lambda"] = g_v / (1.0 - g_v)
    attrs["mu_rule"] = "fixed_density"
    attrs["gap_definition"] = RATIO_GAP_DEFINITION
    if failures:
        attrs["gap_failures"] = json.dumps(failures)
    if np.any(tc > 0.0):
        k = int(np.nanargmax(np.where(tc > 0.0, tc, np.nan)))
        attrs.update(
            eta_top=float(eta_a[k]),
            tc_top=float(tc[k]),
            anisotropy_top=float(aniso[k]),
            ratio_top=json.dumps({str(b + 1): float(ratio[b, k]) for b in range(nb)}),
        )
    finite = alpha[np.isfinite(alpha)]
    if finite.size:
        attrs.update(isotope_min=float(finite.min()), isotope_max=float(finite.max()))
    bands = np.arange(1, nb + 1)
    return xr.Dataset(
        {
            **tc_vars,
            "gap": _var(("band", "eta"), gap, "meV", "gap at the Fermi surface, T = 0"),
            "spectral_gap": _var(
                ("band", "eta"), spectral, "meV", "spectral gap min_k E_n(k), T = 0"
            ),
            "tc_fixed_density": _var("eta", tc_n, "K", "Tc at fixed density (of the ratios)"),
            "ratio": _var(
                ("band", "eta"),
                ratio,
                "1",
                "2 Delta_n / (k_B Tc), fixed density (gaps and Tc)",
                mu_rule="fixed_density",
                gap_definition=RATIO_GAP_DEFINITION,
            ),
            "anisotropy": _var(
                "eta",
                aniso,
                "1",
                f"Delta_{r + 1} / Delta_{r}, Fermi-surface gaps (resonant / lower)",
            ),
            "isotope": _var("eta", alpha, "1", "isotope coefficient alpha = -dlnTc/dlnM"),
            "mu_renormalised": _var("eta", mu_r, "meV", "chemical potential at T = 0 (fixed n)"),
            "converged": _var("eta", conv, "1", "gap equation converged"),
        },
        coords={"eta": _eta_coord(eta_a), "band": _var("band", bands, "1", "subband index")},
        attrs=attrs,
    )
