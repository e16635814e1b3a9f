"""Global sensitivity: which modelling choice drives each distance and the ranking.

Sobol first-order and total indices by group of inputs, from a scrambled Sobol
sequence (scipy's quasi-Monte Carlo module) in Saltelli's pick-freeze design, with
bootstrap intervals. The inputs and their distributions are those of
`influence.uncertainty`.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from influence._draws import checked_float, checked_int, generator, seed_sequence
from influence._ensemble import POLICIES, SOURCES, Spec, build_spec, checked_perturb
from influence._evaluate import (
    Inputs,
    dirichlet_shapes,
    evaluate,
    evaluator,
    normalised,
    plan,
    ranks,
)
from influence._jit import checked_engine
from influence._progress import Progress
from influence._sobol import sobol_indices
from influence.dataset import Dataset, load
from influence.errors import InvalidArgument, require
from influence.model import Model

__all__ = ["Sensitivity", "sensitivity"]

#: Name of the output that summarises the ranking: mean absolute change of rank.
RANK_OUTPUT = "rank_shift"


@dataclass(frozen=True)
class Sensitivity:
    """Sobol indices of each group of inputs on each output, with their settings.

    Attributes
    ----------
    indices
        One row per output and group: ``output`` (each country id in order, then
        ``rank_shift``: the mean absolute change of rank from the point ranking),
        ``group``, ``first``, ``first_low``, ``first_high``, ``total``, ``total_low``,
        ``total_high``. NaN where the output does not vary.
    """

    indices: pd.DataFrame
    seed: int
    n_draws: int
    evaluations: int
    as_of: dt.date
    model: Model
    level: float
    groups: tuple[str, ...]


@dataclass(frozen=True)
class _Layout:
    """Which columns of a uniform sample feed which input, and each group's columns."""

    columns: dict[str, slice]
    groups: dict[str, np.ndarray]

    @property
    def width(self) -> int:
        return max((s.stop for s in self.columns.values()), default=0)


def _layout(spec: Spec, sources: frozenset[str]) -> _Layout:
    k, m = len(spec.indicators), len(spec.dimensions)
    sizes = {
        "weights": k,
        "dimension_weights": m,
        "positions": len(spec.jitter),
        "exponent": 1,
        "missing": 1,
        "confidence": len(spec.uncertain),
    }
    columns: dict[str, slice] = {}
    at = 0
    for name, size in sizes.items():
        source = "weights" if name == "dimension_weights" else name
        if source in sources and size:
            columns[name] = slice(at, at + size)
            at += size
    groups: dict[str, np.ndarray] = {}
    if "weights" in columns:
        cols = np.arange(columns["weights"].start, columns["weights"].stop)
        for d, dim in enumerate(spec.dimensions):
            groups[f"weights.{dim}"] = cols[spec.dim_of == d]
        dw = columns["dimension_weights"]
        groups["dimension_weights"] = np.arange(dw.start, dw.stop)
    for name in ("positions", "exponent", "missing", "confidence"):
        if name in columns:
            groups[name] = np.arange(columns[name].start, columns[name].stop)
    return _Layout(columns, groups)


def _inputs(
    spec: Spec, u: np.ndarray, lay: _Layout, settings: dict[str, float]
) -> Inputs:
    """Turn uniforms on [0, 1), one row per draw, into drawn inputs (draws last).

    Inverse distribution functions, in float64, then float32 for the evaluator.
    """
    special = require("scipy.special", "uncertainty", "sensitivity")
    fields: dict[str, Any] = {}
    cols = lay.columns
    f32 = np.float32
    if "weights" in cols:
        a_w, a_big = dirichlet_shapes(spec, settings["concentration"])
        gam = special.gammaincinv(np.where(a_w > 0, a_w, 1.0), u[:, cols["weights"]])
        gam = np.where(a_w > 0, gam, 0.0).T
        fields["weights"] = normalised(gam, spec.dim_of, len(spec.dimensions)).astype(
            f32
        )
        big = special.gammaincinv(a_big, u[:, cols["dimension_weights"]]).T
        fields["dimension_weights"] = (big / big.sum(axis=0)).astype(f32)
    if "positions" in cols:
        span = spec.jitter_high - spec.jitter_low
        pos = spec.jitter_low + u[:, cols["positions"]] * span
        fields["positions"] = pos.T.astype(f32)
    if "exponent" in cols:
        p = 1.0 + u[:, cols["exponent"].start] * (settings["max_p"] - 1.0)
        fields["p"] = p.astype(f32)
    if "missing" in cols:
        pick = np.floor(u[:, cols["missing"].start] * len(POLICIES))
        fields["missing"] = np.minimum(pick, len(POLICIES) - 1).astype(np.int8)
    if "confidence" in cols:
        unc = spec.uncertain
        chance = spec.threshold[unc[:, 0], unc[:, 1]] / 65536
        fields["fallback"] = np.ascontiguousarray((u[:, cols["confidence"]] < chance).T)
    return Inputs(size=u.shape[0], **fields)


def _mixed(spec: Spec, x_a: Inputs, x_b: Inputs, group: str) -> Inputs:
    """Return the inputs of A with one group's taken from B (pick-freeze).

    Weights are normalised within each dimension, so swapping one dimension's
    normalised weights is the same as swapping its uniforms.
    """
    if group.startswith("weights."):
        assert x_a.weights is not None
        assert x_b.weights is not None
        cols = spec.dim_of == spec.dimensions.index(group.removeprefix("weights."))
        return replace(x_a, weights=np.where(cols[:, None], x_b.weights, x_a.weights))
    field = {"exponent": "p", "confidence": "fallback"}.get(group, group)
    return replace(x_a, **{field: getattr(x_b, field)})


def _sobol_points(width: int, draws: int, root: np.random.SeedSequence) -> np.ndarray:
    """Return a scrambled Sobol sample of ``draws`` points in 2 * width dimensions."""
    qmc = require("scipy.stats.qmc", "uncertainty", "sensitivity")
    rng = generator(root, 0, 0)
    key = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
    sampler = qmc.Sobol(2 * width, scramble=True, **{key: rng})
    return np.asarray(sampler.random_base2(int(draws).bit_length() - 1))


def _outputs(
    spec: Spec,
    x: Inputs,
    chunk: int,
    point_ranks: np.ndarray,
    engine: Literal["numpy", "numba"] = "numpy",
) -> np.ndarray:
    """Each country's distance and the rank shift, per draw: shape (N, n + 1)."""
    run = evaluator(plan(spec), engine)
    parts = []
    for start in range(0, x.size, chunk):
        dist = run(x.take(slice(start, start + chunk)))
        r = ranks(dist).astype(float)
        both = (r > 0) & (point_ranks > 0)
        shift = np.abs(r - point_ranks) * both
        count = both.sum(axis=0)
        mean = np.divide(
            shift.sum(axis=0), count, out=np.full(r.shape[1], np.nan), where=count > 0
        )
        parts.append(np.column_stack([dist.T.astype(float), mean]))
    return np.concatenate(parts)


def sensitivity(
    dataset: Dataset | None = None,
    *,
    draws: int = 1024,
    seed: int = 0,
    as_of: dt.date | None = None,
    model: Model | None = None,
    level: float = 0.95,
    concentration: float = 20.0,
    max_p: float = 2.0,
    perturb: Collection[str] | Mapping[str, bool] = SOURCES,
    resamples: int = 100,
    chunk_size: int | None = None,
    progress: bool | None = None,
    engine: str = "auto",
) -> Sensitivity:
    """Return Sobol first-order and total indices of each group of inputs.

    Groups: ``weights.<dimension>`` (the indicator weights within one dimension),
    ``dimension_weights``, ``positions``, ``exponent``, ``missing`` and
    ``confidence``, drawn as in `influence.uncertainty`. Outputs: each country's
    distance, and ``rank_shift``, the mean absolute difference between a draw's ranks
    and the point ranking. The model runs ``draws * (groups + 2)`` times.

    Parameters
    ----------
    dataset, as_of, model, concentration, max_p, perturb
        As for `influence.uncertainty`.
    draws
        Base sample size N, a power of 2 (>= 2).
    seed
        Seed of the scrambling and the bootstrap (an int >= 0).
    level
        Probability of the bootstrap intervals.
    resamples
        Number of bootstrap resamples (>= 2).
    chunk_size
        Draws evaluated at once (memory only).
    progress
        Show a progress bar (needs tqdm); None shows it when stderr is a terminal.
    engine
        ``"auto"``, ``"numpy"`` or ``"numba"``, as for `influence.uncertainty`.

    Returns
    -------
    Sensitivity
        ``indices`` and the settings that reproduce them.

    References
    ----------
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
    Computer Physics Communications 181(2), 259-270. doi:10.1016/j.cpc.2009.09.018

    Examples
    --------
    >>> res = sensitivity(draws=64, perturb=("exponent", "missing"))
    >>> sorted(res.groups)
    ['exponent', 'missing']
    """
    caller = "sensitivity"
    n_draws = checked_int(draws, "draws", caller, 2)
    if n_draws & (n_draws - 1):
        msg = f"The 'draws' parameter of {caller} must be a power of 2 (an int >= 2). Got {draws!r} instead."
        raise InvalidArgument(msg)
    root = seed_sequence(seed, caller)
    level = checked_float(level, "level", caller, 0.0, 1.0, open_low=True)
    settings = {
        "concentration": checked_float(
            concentration, "concentration", caller, 0.0, np.inf, open_low=True
        ),
        "max_p": checked_float(max_p, "max_p", caller, 1.0, np.inf, open_low=False),
    }
    resamples = checked_int(resamples, "resamples", caller, 2)
    chunk = (
        4096 if chunk_size is None else checked_int(chunk_size, "chunk_size", caller, 1)
    )
    sources = checked_perturb(perturb, caller)
    run_on = checked_engine(engine, caller)
    ds = dataset if dataset is not None else load()
    spec = build_spec(ds, as_of, model if model is not None else Model())
    lay = _layout(spec, sources)
    names = tuple(lay.groups)
    point = ranks(evaluate(plan(spec), Inputs(size=1)))
    total = n_draws * (len(names) + 2)
    with Progress(total, progress, caller) as bar:
        if lay.width:
            u = _sobol_points(lay.width, n_draws, root)
            a, b = u[:, : lay.width], u[:, lay.width :]
        else:
            a = b = np.zeros((n_draws, 0))
        x_a, x_b = _inputs(spec, a, lay, settings), _inputs(spec, b, lay, settings)
        f_a = _outputs(spec, x_a, chunk, point, run_on)
        f_b = _outputs(spec, x_b, chunk, point, run_on)
        bar.update(2 * n_draws)
        f_ab = []
        for name in names:
            f_ab.append(
                _outputs(spec, _mixed(spec, x_a, x_b, name), chunk, point, run_on)
            )
            bar.update(n_draws)
    outputs = [spec.countries[r] for r in spec.scored] + [RANK_OUTPUT]
    if names:
        res = sobol_indices(
            f_a,
            f_b,
            np.stack(f_ab),
            generator(root, 0, 1),
            resamples=resamples,
            level=level,
        )
    rows = []
    for o, out in enumerate(outputs):
        for g, name in enumerate(names):
            s1, h1 = res.first[g, o], res.first_half_width[g, o]
            st, ht = res.total[g, o], res.total_half_width[g, o]
            rows.append((out, name, s1, s1 - h1, s1 + h1, st, st - ht, st + ht))
    cols = ["output", "group", "first", "first_low", "first_high"]
    table = pd.DataFrame(rows, columns=[*cols, "total", "total_low", "total_high"])
    table.attrs = {
        "as_of": spec.as_of.isoformat(),
        "model": spec.model.model_dump(mode="json"),
        "seed": int(seed),
        "draws": n_draws,
        "evaluations": total,
        "level": level,
    }
    return Sensitivity(
        indices=table,
        seed=int(seed),
        n_draws=n_draws,
        evaluations=total,
        as_of=spec.as_of,
        model=spec.model,
        level=level,
        groups=names,
    )
