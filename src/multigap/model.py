"""The model: a heterostructure plus its pairing rules and numerical grids, built once.

A :class:`Model` bundles everything a calculation needs except the swept parameters (eta, g, T),
which the solvers take as arguments (as kwant keeps a finalized system parameter-free). Its
expensive geometry (subbands, superposition integrals, projected densities of states) is
computed once, on first use, and cached on the instance (:attr:`Model.geometry`); it travels
with the model when the model is pickled to worker processes.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from multigap import validation as check
from multigap.structure.lattice import Layer, Superlattice

if TYPE_CHECKING:
    from multigap.structure.overlaps import Overlaps
    from multigap.structure.pdos import ProjectedDOS
    from multigap.structure.subbands import Subbands

INTERBAND_RULES = ("geometric", "constant", "matrix")
CUTOFF_RULES = ("migdal", "fixed")
MU_RULES = ("fixed_mu", "fixed_density")


@dataclass(frozen=True)
class Numerics:
    """Numerical grids; every default is converged (tests/physics/test_convergence.py).

    Parameters
    ----------
    n_kz : int
        Points of the half-zone kz grid on which Bloch densities and superposition integrals
        are sampled (DCT-I nodes, both ends included). Default 33.
    n_modes : int
        Cosine modes Q of I(kz, kz') kept per variable (the gap is a cosine polynomial of
        degree Q - 1 in kz d). Default 12 (the dropped coefficients are < 2e-7 for the presets).
    n_z : int
        Gauss-Legendre nodes per layer for the z integrals. Default 32.
    energy_step : float
        Spacing of the uniform part of the energy grid of the projected DOS tables, meV.
    grading_ratio : float
        Ratio of the geometric clusters of the energy grid at band edges (> 1).
    min_spacing : float
        Finest spacing of those clusters, meV (resolves the logarithm at a band top far below
        k_B T_floor).
    eta_max : float
        Largest Lifshitz parameter the tables cover (the energy grid reaches
        E_L + eta_max Delta_E + omega0).
    t_floor : float
        Lowest temperature searched for Tc, K (default 1e-5 K); below it Tc is reported as 0 with
        a ``below_floor`` flag.
    t_ceiling : float
        Highest temperature searched, K.
    """

    n_kz: int = 33
    n_modes: int = 12
    n_z: int = 32
    energy_step: float = 1.0
    grading_ratio: float = 1.25
    min_spacing: float = 1e-8
    eta_max: float = 3.0
    t_floor: float = 1e-5
    t_ceiling: float = 5000.0

    def __post_init__(self) -> None:
        check.integer("n_kz", self.n_kz, 3)
        check.integer("n_modes", self.n_modes, 1)
        if self.n_modes > self.n_kz:
            raise ValueError(f"n_modes must lie in [1, n_kz = {self.n_kz}], got {self.n_modes}")
        check.integer("n_z", self.n_z, 4)
        check.positive("energy_step", self.energy_step, "meV")
        check.in_range("grading_ratio", self.grading_ratio, 1.0, 10.0, low_open=True)
        check.positive("min_spacing", self.min_spacing, "meV")
        check.finite("eta_max", self.eta_max)
        check.positive("t_floor", self.t_floor, "K")
        check.positive("t_ceiling", self.t_ceiling, "K")
        if self.t_ceiling <= self.t_floor:
            raise ValueError(
                f"t_ceiling must be > t_floor = {self.t_floor} K, got {self.t_ceiling}"
            )


@dataclass(frozen=True, eq=False)
class Geometry:
    """Everything that depends on the heterostructure only, computed once per model."""

    subbands: Subbands
    overlaps: Overlaps
    pdos: ProjectedDOS
    next_bottom: float  # bottom of subband n_bands + 1, meV (validity limit of the truncation)


@dataclass(frozen=True)
class Model:
    """A heterostructure with its pairing rules and grids (immutable).

    Parameters
    ----------
    lattice : Superlattice
        The superlattice.
    omega0 : float
        Bare phonon energy w0, meV. The pairing cut-off is w0 sqrt(1 - 2 g) (``cutoff="migdal"``)
        or w0 (``"fixed"``).
    n_bands : int
        Subbands kept (default 3).
    resonant_band : int
        The subband whose coupling g varies and whose Lifshitz points define eta (default 3).
    background_coupling : float
        Intraband coupling of the other subbands (g11 = g22 = 0.1 by default).
    interband : {"geometric", "constant", "matrix"}
        Interband (pair-transfer) rule: sqrt(g_nn g_n'n'), one value ``interband_value``, or the
        full symmetric ``coupling_matrix`` whose (r, r) element is replaced by g at solve time.
    interband_value : float, optional
        The value of the "constant" rule.
    coupling_matrix : tuple of tuples, optional
        The matrix of the "matrix" rule (n_bands x n_bands, symmetric, finite).
    cutoff : {"migdal", "fixed"}
        Cut-off rule.
    band_omega0 : tuple of float, optional
        Per-band phonon energies (meV) replacing ``omega0`` band by band.
    chemical_potential : {"fixed_mu", "fixed_density"}
        How mu is held while T changes in the Tc search.
    coupling_scale : float
        Multiplies every coupling g_nn' (default 1, > 0): a reference DOS N0 / coupling_scale
        in place of the free 2D DOS N0. The study does not state its normalisation (SPEC §12);
        ``multigap calibrate`` fits this one number to the study's Tc max of case A. The g of
        the figures' axes and of the Migdal cut-off w0 sqrt(1 - 2 g) is the bare g (the study's
        label), so the cut-off does not see the scale.
    numerics : Numerics
        Grids.
    name, description : str
        Labels.
    """

    lattice: Superlattice
    omega0: float
    n_bands: int = 3
    resonant_band: int = 3
    background_coupling: float = 0.1
    interband: str = "geometric"
    interband_value: float | None = None
    coupling_matrix: tuple[tuple[float, ...], ...] | None = None
    cutoff: str = "migdal"
    band_omega0: tuple[float, ...] | None = None
    chemical_potential: str = "fixed_mu"
    coupling_scale: float = 1.0
    numerics: Numerics = field(default_factory=Numerics)
    name: str = "custom"
    description: str = ""

    def __post_init__(self) -> None:
        check.positive("omega0", self.omega0, "meV")
        check.integer("n_bands", self.n_bands, 1)
        check.integer("resonant_band", self.resonant_band, 1)
        if self.resonant_band > self.n_bands:
            raise ValueError(
                f"resonant_band must lie in [1, n_bands = {self.n_bands}], "
                f"got {self.resonant_band} (that subband would not be computed)"
            )
        check.in_range("background_coupling", self.background_coupling, 0.0, 0.5, high_open=True)
        check.choice("interband", self.interband, INTERBAND_RULES)
        if self.interband == "constant":
            if self.interband_value is None:
                raise ValueError('interband="constant" needs interband_value (a number)')
            check.finite("interband_value", self.interband_value)
        if self.interband == "matrix":
            if self.coupling_matrix is None:
                raise ValueError('interband="matrix" needs coupling_matrix (n_bands x n_bands)')
            mat = np.asarray(self.coupling_matrix, dtype=float)
            if mat.shape != (self.n_bands, self.n_bands):
                raise ValueError(
                    f"coupling_matrix must be {self.n_bands} x {self.n_bands}, got shape "
                    f"{mat.shape}"
                )
            if not np.all(np.isfinite(mat)):
                raise ValueError(f"coupling_matrix must be finite, got {self.coupling_matrix}")
            if not np.allclose(mat, mat.T, rtol=0, atol=1e-12):
                raise ValueError(f"coupling_matrix must be symmetric, got {self.coupling_matrix}")
        check.choice("cutoff", self.cutoff, CUTOFF_RULES)
        if self.band_omega0 is not None:
            if len(self.band_omega0) != self.n_bands:
                raise ValueError(
                    f"band_omega0 must have n_bands = {self.n_bands} entries, "
                    f"got {len(self.band_omega0)}"
                )
            for i, w in enumerate(self.band_omega0):
                check.positive(f"band_omega0[{i}]", w, "meV")
        check.choice("chemical_potential", self.chemical_potential, MU_RULES)
        check.positive("coupling_scale", self.coupling_scale)

    # ------------------------------------------------------------------ derived
    @cached_property
    def geometry(self) -> Geometry:
        """Subbands, superposition integrals and projected-DOS tables (computed once)."""
        from multigap.structure.overlaps import overlaps
        from multigap.structure.pdos import projected_dos

        num = self.numerics
        sb = self.lattice.subbands(self.n_bands, n_kz=num.n_kz, n_z=num.n_z)
        ov = overlaps(sb, num.n_modes)
        r = self.resonant_band
        w_max = max(self.band_omega0 or (self.omega0,))
        e_max = sb.edge(r) + max(num.eta_max, 1.0) * sb.width(r) + w_max * 1.001 + 1.0
        table = projected_dos(
            self.lattice,
            self.n_bands,
            2 * num.n_modes - 1,
            e_max,
            step=num.energy_step,
            ratio=num.grading_ratio,
            min_spacing=num.min_spacing,
        )
        bottoms, _ = self.lattice.band_edges(self.n_bands + 1)
        return Geometry(sb, ov, table, float(bottoms[-1]))

    @property
    def subbands(self) -> Subbands:
        """The subbands (shortcut for ``geometry.subbands``)."""
        return self.geometry.subbands

    def mu(self, eta: Any) -> np.ndarray:
        """Chemical potential (meV) of Lifshitz parameter eta of the resonant subband."""
        return self.subbands.mu_from_eta(eta, self.resonant_band)

    def omega(self, g: float) -> np.ndarray:
        """Cut-off energies per band (meV) at coupling g: w0 sqrt(1 - 2g) or w0."""
        g = check.in_range("g", g, 0.0, 0.5, high_open=True)
        w0 = np.asarray(self.band_omega0 or (self.omega0,) * self.n_bands, dtype=float)
        return w0 * (math.sqrt(1.0 - 2.0 * g) if self.cutoff == "migdal" else 1.0)

    def with_(self, **changes: Any) -> Model:
        """A copy with some fields changed (the geometry is recomputed if needed)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain-data configuration (JSON/TOML-ready) that :meth:`from_dict` reads back."""
        pairing: dict[str, Any] = {
            "omega0": self.omega0,
            "n_bands": self.n_bands,
            "resonant_band": self.resonant_band,
            "background_coupling": self.background_coupling,
            "interband": self.interband,
            "cutoff": self.cutoff,
            "chemical_potential": self.chemical_potential,
        }
        if self.interband_value is not None:
            pairing["interband_value"] = self.interband_value
        if self.coupling_matrix is not None:
            pairing["coupling_matrix"] = [list(row) for row in self.coupling_matrix]
        if self.band_omega0 is not None:
            pairing["band_omega0"] = list(self.band_omega0)
        if self.coupling_scale != 1.0:  # absent at the default: configurations stay as before
            pairing["coupling_scale"] = self.coupling_scale
        return {
            "name": self.name,
            "description": self.description,
            "lattice": self.lattice.to_dict(),
            "pairing": pairing,
            "numerics": {f.name: getattr(self.numerics, f.name) for f in fields(Numerics)},
        }

    def to_json(self) -> str:
        """The configuration as a JSON string (stored in result files)."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, config: Mapping[str, Any], where: str = "config") -> Model:
        """Build a model from a configuration mapping (the TOML layout of the presets)."""
        check.known_keys(where, config, ("name", "description", "lattice", "pairing", "numerics"))
        for section in ("lattice", "pairing"):
            if section not in config:
                raise ValueError(f"{where} lacks the [{section}] section")
        pairing = dict(config["pairing"])
        check.known_keys(f"{where} [pairing]", pairing, _PAIRING_KEYS)
        if "omega0" not in pairing:
            raise ValueError(f"{where} [pairing] lacks omega0 (bare phonon energy, meV)")
        num_cfg = dict(config.get("numerics", {}))
        check.known_keys(f"{where} [numerics]", num_cfg, [f.name for f in fields(Numerics)])
        resonant = check.integer("resonant_band", pairing.get("resonant_band", 3), 1)
        lattice = _lattice_from(config["lattice"], resonant, where)
        if "coupling_matrix" in pairing:
            pairing["coupling_matrix"] = tuple(
                tuple(float(x) for x in row) for row in pairing["coupling_matrix"]
            )
        if "band_omega0" in pairing:
            pairing["band_omega0"] = tuple(float(x) for x in pairing["band_omega0"])
        return cls(
            lattice=lattice,
            numerics=Numerics(**num_cfg),
            name=str(config.get("name", "custom")),
            description=str(config.get("description", "")),
            **pairing,
        )


_PAIRING_KEYS = (
    "omega0",
    "n_bands",
    "resonant_band",
    "background_coupling",
    "interband",
    "interband_value",
    "coupling_matrix",
    "cutoff",
    "band_omega0",
    "chemical_potential",
    "coupling_scale",
)
_LATTICE_KEYS = (
    "well",
    "barrier",
    "height",
    "width",
    "band",
    "mass_x",
    "mass_z",
    "extra_layers",
    "layers",
)


def _lattice_from(cfg: Mapping[str, Any], resonant_band: int, where: str) -> Superlattice:
    check.known_keys(f"{where} [lattice]", cfg, _LATTICE_KEYS)
    masses = {k: float(cfg[k]) for k in ("mass_x", "mass_z") if k in cfg}
    if "layers" in cfg:
        return Superlattice.from_layers([tuple(x) for x in cfg["layers"]], **masses)
    for key in ("well", "barrier"):
        if key not in cfg:
            raise ValueError(f"{where} [lattice] lacks {key} (nm)")
    if ("height" in cfg) == ("width" in cfg):
        raise ValueError(
            f"{where} [lattice] needs exactly one of height (barrier height, meV) or width "
            f"(transversal dispersion Delta_E of the resonant subband, meV)"
        )
    extra = tuple(Layer(float(t), float(v)) for t, v in cfg.get("extra_layers", ()))
    if "width" in cfg:
        if extra:
            raise ValueError(
                f"{where} [lattice]: width with extra_layers is not supported; give height"
            )
        return Superlattice.from_width(
            float(cfg["well"]),
            float(cfg["barrier"]),
            float(cfg["width"]),
            band=cfg.get("band", resonant_band),
            **masses,
        )
    return Superlattice(
        float(cfg["well"]),
        float(cfg["barrier"]),
        float(cfg["height"]),
        extra_layers=extra,
        **masses,
    )


def load_model(path: str | Path) -> Model:
    """Read a model from a TOML file (same layout as the shipped presets)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"config file {str(p)!r} does not exist")
    with p.open("rb") as fh:
        try:
            cfg = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"config file {str(p)!r} is not valid TOML: {exc}") from None
    return Model.from_dict(cfg, where=str(p))


PRESETS = ("A", "B")


def preset(name: str, **numerics: Any) -> Model:
    """One of the two heterostructures of the reference study (SPEC §8).

    Parameters
    ----------
    name : {"A", "B"}
        "A": H3S-like, Delta_E = 274 meV, w0 = 330 meV; "B": CSH-like design,
        Delta_E = 145 meV, w0 = 225 meV. Both: L = 0.85 nm, W = 0.55 nm, m = 1, 3 subbands,
        resonant subband 3, g11 = g22 = 0.1, geometric interband rule.
    **numerics
        Overrides of :class:`Numerics` fields.

    Notes
    -----
    The study (Mazziotti et al., 2021) quotes w0 so that the softened phonon w0 sqrt(1 - 2g)
    matches 160 meV (A) and Delta_E (B) "at moderate coupling", but 330 sqrt(1 - 0.6) = 209 meV
    and 225 sqrt(1 - 0.5) = 159 meV do not match those targets. We keep w0 as given.
    """
    key = check.choice("preset", str(name).upper(), PRESETS)
    text = resources.files("multigap.presets").joinpath(f"{key}.toml").read_text()
    cfg = tomllib.loads(text)
    if numerics:
        cfg.setdefault("numerics", {}).update(numerics)
    return Model.from_dict(cfg, where=f"preset {key}")
