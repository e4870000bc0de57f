"""The nonlinear solve: Newton (Powell's hybrid method as the fallback) on (a, mu - mu0).

Imports the quadrature and the problem set-up of this package and the public Tc functions of
:mod:`multigap.pairing.tc` (the start vector and the normal/superconducting decision).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from multigap import validation as check
from multigap.constants import KB
from multigap.pairing.gaps import problem
from multigap.pairing.gaps.quadrature import (
    Eval,
    Nodes,
    Plan,
    Setup,
    evaluate,
    kz_nodes,
    normal_density,
)
from multigap.pairing.gaps.quadrature import make_plan as _make_plan
from multigap.pairing.gaps.results import GapConvergenceError, GapResult

__all__ = ["BCS_GAP_RATIO", "NEAR_TC", "solve"]

FloatArray = NDArray[np.float64]

#: Weak-coupling BCS ratio Delta(0) / (k_B Tc) = pi / e^gamma.
BCS_GAP_RATIO = math.pi / math.exp(0.57721566490153286060651209008240243)
#: Within this relative distance below Tc a solve that ends at Delta = 0 is the normal state.
NEAR_TC = 1e-3
#: Rounds of re-planning the quadrature to the solved gap scale.
_ROUNDS = 6


@dataclass(eq=False)
class _Problem:
    """One point's equations: set-up, the target density and the solver's bookkeeping."""

    model: Any
    setup: Setup
    eta: float
    g: float
    T: float
    mu0: float
    fixed_density: bool
    tol: float
    maxiter: int
    label: str
    n_ref: float = 1.0  # density scale of the residual: 2 N(mu0), 1/(meV nm^2)
    target: float = 0.0  # normal-state T = 0 density at mu0, 1/nm^2
    table0: float = 0.0  # table density at (mu0, 0)
    count: int = 0
    cache: dict[tuple[float, int], Nodes] = field(default_factory=dict)

    # ------------------------------------------------------------------ densities
    def thermal(self, mu: float) -> float:
        """n_N(mu, T) - n_N(mu, 0) from the DOS table (0 at T = 0), 1/nm^2."""
        if self.T == 0.0:
            return 0.0
        return problem.table_density(self.model, mu, self.T) - problem.table_density(
            self.model, mu, 0.0
        )

    def density(self, mu: float, ev: Eval) -> float:
        """Electron density of a state (a, mu) evaluated as ``ev``, 1/nm^2."""
        return ev.normal_density + ev.delta_n + self.thermal(mu)

    def density_residual(self, mu: float, ev: Eval) -> float:
        """(n - n0) / (2 N(mu0)), meV."""
        return (self.density(mu, ev) - self.target) / self.n_ref

    # ------------------------------------------------------------------ evaluations
    def nodes(self, plan: Plan, mu: float) -> Nodes:
        key = (mu, id(plan))
        if key not in self.cache:
            if len(self.cache) > 4:
                self.cache.clear()
            self.cache[key] = kz_nodes(self.setup, plan, mu)
        return self.cache[key]

    def eval(self, plan: Plan, a: FloatArray, mu: float, derivatives: bool = False) -> Eval:
        self.count += 1
        return evaluate(
            self.setup, plan, a, mu, derivatives=derivatives, nodes=self.nodes(plan, mu)
        )

    def unpack(self, x: FloatArray) -> tuple[FloatArray, float]:
        nb, Q = self.setup.n_bands, self.setup.n_modes
        if self.fixed_density:
            return x[:-1].reshape(nb, Q), self.mu0 + float(x[-1])
        return x.reshape(nb, Q), self.mu0

    def residual(self, plan: Plan, x: FloatArray) -> FloatArray:
        a, mu = self.unpack(x)
        if self.fixed_density and not problem.mu_allowed(self.model, self.setup, mu):
            return np.full(x.size, 1e10)
        ev = self.eval(plan, a, mu)
        if not self.fixed_density:
            return ev.residual_gap
        return np.append(ev.residual_gap, self.density_residual(mu, ev))

    def jacobian(self, plan: Plan, x: FloatArray) -> FloatArray:
        """Exact in a (derivatives on the same quadrature); d/dmu by a forward difference."""
        setup = self.setup
        nb, Q = setup.n_bands, setup.n_modes
        a, mu = self.unpack(x)
        ev = self.eval(plan, a, mu, derivatives=True)
        assert ev.B is not None and ev.dn_da is not None
        blocks = np.zeros((nb, Q, nb, Q))
        for n in range(nb):  # n_bands blocks
            blocks[n, :, n, :] = ev.B[n]
        J_aa = np.eye(nb * Q) - setup.A @ blocks.reshape(nb * Q, nb * Q)
        if not self.fixed_density:
            return J_aa
        J = np.zeros((nb * Q + 1, nb * Q + 1))
        J[:-1, :-1] = J_aa
        J[-1, :-1] = ev.dn_da.reshape(-1) / self.n_ref
        h = 1e-6 * max(float(setup.wc.min()), 1e-3)
        f0 = np.append(ev.residual_gap, self.density_residual(mu, ev))
        ev1 = self.eval(plan, a, mu + h)
        f1 = np.append(ev1.residual_gap, self.density_residual(mu + h, ev1))
        J[:, -1] = (f1 - f0) / h
        return J

    def norm(self, f: FloatArray, x: FloatArray) -> float:
        """max( max|a - K(a)| / max|a|, |n - n0| / n0 )."""
        a, _ = self.unpack(x)
        nbq = self.setup.n_bands * self.setup.n_modes
        res = _gap_norm(f[:nbq], a)
        if self.fixed_density:
            res = max(res, abs(float(f[-1])) * self.n_ref / self.target)
        return res


def _gap_norm(residual: FloatArray, a: FloatArray) -> float:
    """max |a - K(a)| / max |a|."""
    return float(np.max(np.abs(residual))) / max(float(np.max(np.abs(a))), 1e-300)


def _scales(a: FloatArray) -> FloatArray:
    """Per-band gap scale max_kz |Delta_n(kz)| (floored at 1e-3 of the largest), meV."""
    Q = a.shape[1]
    cosq = np.cos(np.outer(np.linspace(0.0, math.pi, 33), np.arange(Q)))
    per_band = np.max(np.abs(a @ cosq.T), axis=1)
    return np.maximum(per_band, 1e-3 * float(per_band.max()) + 1e-300)


#: Smallest tolerance a double-precision residual can certify (relative).
MIN_TOL = 1e-14


# ============================================================================ steps
def _prepare(model: Any, eta: float, g: float, T: float, options: dict[str, Any]) -> _Problem:
    """Validate the input and build the problem (no solve yet)."""
    eta, g, T = problem.validate(eta, g, T)
    # below ~1e-14 the relative residual is rounding, not convergence: refuse such a tol
    tol = check.in_range("tol", options["tol"], MIN_TOL, 1e-3)
    maxiter = check.integer("maxiter", options["maxiter"], 1)
    setup = problem.make_setup(model, g, T, options["kz_order"], options["kx_order"])
    sb = model.geometry.subbands
    r = int(model.resonant_band)
    mu0 = float(sb.edge(r) + eta * sb.width(r))
    problem.check_window(model, setup, mu0, eta, "mu0")
    n_ref = 2.0 * max(
        float(np.interp(mu0, model.geometry.pdos.energy, model.geometry.pdos.total)),
        0.05 * setup.n0,
    )
    return _Problem(
        model=model,
        setup=setup,
        eta=eta,
        g=g,
        T=T,
        mu0=mu0,
        fixed_density=bool(options["fixed_density"]),
        tol=float(tol),
        maxiter=int(maxiter),
        label=f"eta = {eta:.6g}, g = {g:.6g}, T = {T:.6g} K",
        n_ref=n_ref,
    )


def _start(prob: _Problem, tcr: Any, tc: float, initial: FloatArray | None) -> FloatArray:
    """Start coefficients: ``initial``, else the Tc eigenvector scaled to the BCS gap."""
    nb, Q = prob.setup.n_bands, prob.setup.n_modes
    if initial is not None:
        return np.asarray(initial, dtype=float).reshape(nb, Q)
    vec = np.asarray(tcr.leading_eigenvector, dtype=float).reshape(nb, Q)
    amp = BCS_GAP_RATIO * KB * tc
    if prob.T > 0.0:
        amp *= math.tanh(1.74 * math.sqrt(max(tc / prob.T - 1.0, 0.0)))
    return vec * (amp / max(float(np.max(np.abs(vec[:, 0]))), 1e-300))


def _mu_on_density_surface(prob: _Problem, plan: Plan, a0: FloatArray, mu: float) -> float:
    """A start for mu: a few safeguarded secant steps on the density residual at fixed a0.

    The residual is in meV (density mismatch over 2 N(mu0)), so it is also the first step.
    Returns the best mu found (the joint Newton solve polishes it).
    """
    ok = problem.mu_allowed

    def resid(m: float) -> float:
        return prob.density_residual(m, prob.eval(plan, a0, m))

    r0 = resid(mu)
    best, r_best = mu, abs(r0)
    m_prev, r_prev = mu, r0
    m_new = mu - r0
    for _ in range(6):
        if not ok(prob.model, prob.setup, m_new):
            break
        r_new = resid(m_new)
        if abs(r_new) < r_best:
            best, r_best = m_new, abs(r_new)
        if r_best <= 1e-6 * float(prob.setup.wc.min()) or r_new == r_prev:
            break
        slope = (r_new - r_prev) / (m_new - m_prev)
        if not slope > 0.0:  # the residual increases with mu: keep the best point
            break
        m_prev, r_prev = m_new, r_new
        m_new = m_new - r_new / slope
    return best


def _newton(
    fun: Callable[[FloatArray], FloatArray],
    jac: Callable[[FloatArray], FloatArray],
    x: FloatArray,
    budget: int,
    done: Callable[[FloatArray, FloatArray], bool],
) -> tuple[FloatArray, bool]:
    """Newton's method with a backtracking line search on |F|; (x, converged).

    Stops when ``done(F(x), x)``; gives up (returning the best point) when the line search
    fails, a step is not finite, or ``budget`` evaluations are spent (a Jacobian counts 2).
    """
    f = fun(x)
    used = 1
    norm = float(np.linalg.norm(f))
    while used < budget:
        if np.all(np.isfinite(f)) and done(f, x):
            return x, True
        J = jac(x)
        used += 2
        try:
            step = np.linalg.solve(J, -f)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(J, -f, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return x, False
        t = 1.0
        while used < budget:
            trial = x + t * step
            ft = fun(trial)
            used += 1
            nt = float(np.linalg.norm(ft))
            if np.isfinite(nt) and nt <= (1.0 - 1e-4 * t) * norm:
                x, f, norm = trial, ft, nt
                break
            t *= 0.5
            if t < 1e-3:
                return x, False
    return x, bool(np.all(np.isfinite(f)) and done(f, x))


@dataclass(frozen=True, eq=False)
class _Outcome:
    residual: float
    x: FloatArray
    plan: Plan


def _iterate(
    prob: _Problem, a0: FloatArray, mu_start: float, floor: float, presolve: bool
) -> _Outcome | None:
    """Rounds of Newton (hybr fallback) on (a, mu), re-planning the quadrature to the solved
    gap scale; the best iterate (or None if none was finite). With ``presolve`` mu is first
    moved onto the density surface at fixed a0."""
    plan = _make_plan(prob.setup, _scales(a0))
    if prob.fixed_density and presolve:
        mu_start = _mu_on_density_surface(prob, plan, a0, mu_start)
    x = a0.reshape(-1)
    if prob.fixed_density:
        x = np.append(x, mu_start - prob.mu0)
    best: _Outcome | None = None

    def stop(f: FloatArray, y: FloatArray) -> bool:
        a, _ = prob.unpack(y)
        return prob.norm(f, y) <= 0.1 * prob.tol or float(np.max(np.abs(a))) <= floor

    for _ in range(_ROUNDS):
        budget = prob.maxiter - prob.count
        if budget < 1:
            break

        def fun(y: FloatArray, plan: Plan = plan) -> FloatArray:
            return prob.residual(plan, y)

        def jac(y: FloatArray, plan: Plan = plan) -> FloatArray:
            return prob.jacobian(plan, y)

        x_new, ok = _newton(fun, jac, x, budget, stop)
        if not ok and prob.maxiter - prob.count >= 1:  # Powell's hybrid method as the fallback
            sol = optimize.root(
                fun, x, jac=jac, method="hybr",
                options={"xtol": 1e-13, "maxfev": prob.maxiter - prob.count},
            )  # fmt: skip
            x_new = np.asarray(sol.x, dtype=float)
        if not np.all(np.isfinite(x_new)):
            break
        a_new, mu_new = prob.unpack(x_new)
        if prob.fixed_density and not problem.mu_allowed(prob.model, prob.setup, mu_new):
            break
        res = prob.norm(prob.residual(plan, x_new), x_new)
        if best is None or res < best.residual:
            best = _Outcome(res, x_new, plan)
        x = x_new
        if float(np.max(np.abs(a_new))) <= floor:
            break  # collapsed onto the normal state: not a solution below Tc
        ratio = _scales(a_new) / np.maximum(plan.scale, 1e-300)
        plan_ok = bool(np.all((ratio > 0.5) & (ratio < 2.0)))
        if res <= prob.tol and plan_ok:
            break
        if not plan_ok:
            plan = _make_plan(prob.setup, _scales(a_new))
    if best is None and np.all(np.isfinite(x)):  # budget spent before a round: report the start
        best = _Outcome(prob.norm(prob.residual(plan, x), x), x, plan)
    return best


# ============================================================================ the solve
def solve(
    model: Any,
    eta: float,
    g: float,
    T: float,
    options: dict[str, Any],
    initial: FloatArray | None = None,
    initial_mu: float | None = None,
) -> GapResult:
    """Gaps at (eta, g, T) with ``options`` = fixed_density, kz_order, kx_order, tol, maxiter.

    Returns the normal state above Tc or below the floor; raises GapConvergenceError when no
    iterate meets the tolerance.
    """
    from multigap.pairing.tc import tc_result

    prob = _prepare(model, eta, g, T, options)
    setup = prob.setup
    # at T = 0 Tc only supplies the start (mu fixed: cheap); at T > 0 it decides whether the
    # point is superconducting, with the rule for mu(T) that matches the gap equation's
    rule = "fixed_density" if (prob.fixed_density and prob.T > 0.0) else "fixed_mu"
    tcr = tc_result(model, prob.eta, prob.g, chemical_potential=rule)
    tc = 0.0 if tcr.below_floor else float(tcr.tc)
    sb = model.geometry.subbands
    common: dict[str, Any] = {
        "eta": prob.eta,
        "g": prob.g,
        "temperature": prob.T,
        "kz": np.asarray(sb.kz, dtype=float),
        "mu0": prob.mu0,
        "fixed_density": prob.fixed_density,
        "mu_rule": "fixed_density" if prob.fixed_density else "fixed_mu",
        "below_floor": bool(tcr.below_floor),
        "tc": tc,
        "tc_mu_rule": rule,
        "wc": tuple(float(x) for x in setup.wc),
        "period": setup.period,
    }
    a0 = _start(prob, tcr, tc, initial) if not (tcr.below_floor or tc <= prob.T) else None
    plan0 = _make_plan(setup, _scales(a0) if a0 is not None else setup.wc)
    prob.target = normal_density(setup, kz_nodes(setup, plan0, prob.mu0))
    if prob.T > 0.0:
        prob.table0 = problem.table_density(model, prob.mu0, 0.0)
    if a0 is None:
        return _normal_state(prob, common, 0)
    mu_start = float(initial_mu) if (initial_mu is not None and prob.fixed_density) else prob.mu0
    # below this amplitude the iterate has collapsed onto the normal state; near Tc the BCS
    # start is already the right size, so a drop by 100 means Delta -> 0
    near_tc = (1.0 - NEAR_TC) * tc <= prob.T
    floor = (1e-2 if near_tc else 1e-8) * float(np.max(np.abs(a0)))
    # Newton from (a0, mu0) directly; if that fails, again with mu first on the density surface
    best = _iterate(prob, a0, mu_start, floor, presolve=False)
    failed = (
        best is None
        or not best.residual <= prob.tol
        or float(np.max(np.abs(prob.unpack(best.x)[0]))) <= floor
    )
    if failed and prob.fixed_density and prob.count < prob.maxiter:
        second = _iterate(prob, a0, mu_start, floor, presolve=True)
        if second is not None and (best is None or second.residual < best.residual):
            best = second
    if best is None:
        raise GapConvergenceError(
            f"gap equation did not converge at {prob.label} (no finite iterate after "
            f"{prob.count} evaluations, maxiter = {prob.maxiter})"
        )
    a, mu = prob.unpack(best.x)
    if float(np.max(np.abs(a))) <= floor:
        if near_tc:
            # within NEAR_TC of the table Tc the 2D quadrature's own Tc may lie below T (they
            # agree to ~1e-5): Delta = 0 is then the solution, and the point is normal
            return _normal_state(prob, common, prob.count)
        raise GapConvergenceError(
            f"gap equation collapsed onto the normal state (Delta = 0) at {prob.label} below "
            f"Tc = {tc:.6g} K after {prob.count} evaluations (maxiter = {prob.maxiter}); try "
            f"a start closer to the solution"
        )
    if not (best.residual <= prob.tol):
        raise GapConvergenceError(
            f"gap equation did not converge at {prob.label}: residual {best.residual:.3g} > "
            f"tol {prob.tol:.3g} after {prob.count} evaluations (maxiter = {prob.maxiter}); "
            f"try a larger maxiter"
        )
    return _solution(prob, common, best, a, mu)


def _solution(
    prob: _Problem, common: dict[str, Any], best: _Outcome, a: FloatArray, mu: float
) -> GapResult:
    setup = prob.setup
    iterations = prob.count
    ev = prob.eval(best.plan, a, mu)
    fermi, has_fs = problem.fermi_gaps(setup, a, mu)
    kz = common["kz"]
    cos_grid = np.cos(np.outer(kz * setup.period, np.arange(setup.n_modes)))
    return GapResult(
        gap=a @ cos_grid.T,
        coefficients=a,
        fermi_gap=fermi,
        spectral_gap=problem.spectral_gaps(setup, a, mu),
        fermi_surface=has_fs,
        mu=mu,
        density=float(prob.density(mu, ev)),
        target_density=float(prob.target),
        superconducting=True,
        iterations=iterations,
        converged=True,
        residual=float(best.residual),
        **common,
    )


def _normal_state(prob: _Problem, common: dict[str, Any], iterations: int) -> GapResult:
    model, setup = prob.model, prob.setup
    mu_n = problem.normal_mu(model, prob.mu0, prob.T, prob.eta) if prob.fixed_density else prob.mu0
    nb, Q = setup.n_bands, setup.n_modes
    dens = prob.target
    if prob.T > 0.0:
        dens += problem.table_density(model, mu_n, prob.T) - prob.table0
    zeros = np.zeros((nb, Q))
    return GapResult(
        gap=np.zeros((nb, common["kz"].size)),
        coefficients=zeros,
        fermi_gap=np.zeros(nb),
        spectral_gap=problem.spectral_gaps(setup, zeros, mu_n),
        fermi_surface=mu_n > setup.bottoms,
        mu=mu_n,
        density=float(dens),
        target_density=float(prob.target),
        superconducting=False,
        iterations=iterations,
        converged=True,
        residual=0.0,
        **common,
    )
