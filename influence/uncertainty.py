"""Ensembles: each country's interval and rank probabilities (design.md, "Uncertainty").

An ensemble perturbs what an analyst could reasonably have chosen otherwise and scores
the panel once per draw, vectorised over draws, seeded, and chunked so that memory stays
bounded. See ``docs/uncertainty.md`` for a guide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from influence._draws import (
    BLOCK,
    checked_float,
    checked_int,
    chunk_blocks,
    chunks,
    seed_sequence,
)
from influence._ensemble import POLICIES, SOURCES, Spec, build_spec, checked_perturb
from influence._evaluate import (
    Inputs,
    Sampler,
    evaluator,
    idle,
    normalised,
    plan,
    ranks,
)
from influence._jit import checked_engine
from influence._progress import Progress
from influence.dataset import Dataset, load
from influence.errors import InvalidArgument
from influence.model import Model
from influence.scoring import score

__all__ = ["Uncertainty", "uncertainty"]

#: The most draws whose inputs `uncertainty` keeps (``keep_draws=True``).
MAX_KEPT_DRAWS = 100_000


@dataclass(frozen=True)
class Uncertainty:
    """What an ensemble found, with the settings that reproduce it.

    Attributes
    ----------
    summary
        One row per country except the reference, sorted by country: ``country``,
        ``name``, ``distance`` (the point score of `influence.score`), ``median``,
        ``lower`` and ``upper`` (the central ``level`` interval of the drawn
        distances, widened to hold the point score where the draws are one-sided,
        as they are when the exponent can only rise from 1), ``rank_low`` and ``rank_high`` (the same for ranks, 1 =
        farthest) and ``defined`` (share of draws in which the country has a
        distance; the other columns use only those draws).
    rank_probabilities
        Index ``country``, one column per rank: the share of draws giving the country
        that rank (among draws where it has one); each row sums to 1.
    draws
        With ``keep_draws=True``, one row per draw: what it drew (``weight.*``,
        ``dimension_weight.*``, ``position.*``, ``p``, ``missing``, ``fallback.*``) and
        the resulting ``distance.*`` of each country; otherwise None.
    """

    summary: pd.DataFrame
    rank_probabilities: pd.DataFrame
    draws: pd.DataFrame | None
    seed: int
    n_draws: int
    as_of: dt.date
    model: Model
    level: float
    perturb: tuple[str, ...]
    concentration: float
    max_p: float


def _interval(values: np.ndarray, level: float) -> np.ndarray:
    """Median, lower and upper quantiles of each row, ignoring missing draws.

    Sorts each row in place (NaN last) and interpolates linearly between order
    statistics, as `numpy.quantile` does by default.
    """
    qs = np.array([0.5, (1 - level) / 2, (1 + level) / 2])
    out = np.full((values.shape[0], 3), np.nan)
    for row, vals in enumerate(values):
        vals.sort()
        count = int(np.count_nonzero(~np.isnan(vals)))
        if not count:
            continue
        at = qs * (count - 1)
        low = np.floor(at).astype(np.intp)
        high = np.minimum(low + 1, count - 1)
        below = vals[low].astype(float)
        out[row] = below + (at - low) * (vals[high].astype(float) - below)
    return out


def _rank_bounds(counts: np.ndarray, level: float) -> tuple[list[Any], list[Any]]:
    """Central ``level`` interval of each row's rank distribution (counts of ranks 1..)."""
    low: list[Any] = []
    high: list[Any] = []
    for row in counts:
        total = row.sum()
        if total == 0:
            low.append(pd.NA)
            high.append(pd.NA)
            continue
        cum = np.cumsum(row)
        low.append(int(np.searchsorted(cum, (1 - level) / 2 * total)) + 1)
        high.append(int(np.searchsorted(cum, (1 + level) / 2 * total)) + 1)
    return low, high


def _kept(spec: Spec, x: Inputs, dist: np.ndarray, start: int) -> pd.DataFrame:
    """Lay out the drawn inputs of a chunk, one row per draw."""
    cols: dict[str, object] = {"draw": np.arange(start, start + x.size)}
    if x.weights is not None and x.dimension_weights is not None:
        m = len(spec.dimensions)
        w = normalised(x.weights.astype(float), spec.dim_of, m)
        big_w = normalised(
            x.dimension_weights.astype(float), np.zeros(m, dtype=np.intp), 1
        )
        for i, ind in enumerate(spec.indicators):
            cols[f"weight.{ind}"] = w[i]
        for d, dim in enumerate(spec.dimensions):
            cols[f"dimension_weight.{dim}"] = big_w[d]
    if x.positions is not None:
        for j, slot in enumerate(spec.jitter):
            cols[f"position.{spec.slot_name[slot]}"] = x.positions[j].astype(float)
    if x.p is not None:
        cols["p"] = x.p.astype(float)
    if x.missing is not None:
        cols["missing"] = np.array(POLICIES, dtype=object)[x.missing]
    if x.fallback is not None:
        for j, (col, row) in enumerate(spec.uncertain):
            name = f"fallback.{spec.countries[row]}.{spec.indicators[col]}"
            cols[name] = x.fallback[j]
    for j, row in enumerate(spec.scored):
        cols[f"distance.{spec.countries[row]}"] = dist[j].astype(float)
    return pd.DataFrame(cols)


def _joined(parts: list[Inputs]) -> Inputs:
    """Return the inputs of consecutive blocks as one batch."""
    if len(parts) == 1:
        return parts[0]
    names = ("weights", "dimension_weights", "positions", "p", "missing", "fallback")
    fields = {
        name: None
        if getattr(parts[0], name) is None
        else np.concatenate([getattr(x, name) for x in parts], axis=-1)
        for name in names
    }
    return Inputs(size=sum(x.size for x in parts), **fields)


def uncertainty(
    dataset: Dataset | None = None,
    *,
    draws: int = 10_000,
    seed: int = 0,
    as_of: dt.date | None = None,
    model: Model | None = None,
    level: float = 0.9,
    concentration: float = 20.0,
    max_p: float = 2.0,
    perturb: Collection[str] | Mapping[str, bool] = SOURCES,
    keep_draws: bool = False,
    chunk_size: int | None = None,
    progress: bool | None = None,
    engine: str = "auto",
) -> Uncertainty:
    """Score the panel under many plausible variants of the model and its inputs.

    Each draw perturbs the sources named in ``perturb``:

    - ``weights``: indicator weights within each dimension and the dimension weights,
      each drawn from a Dirichlet distribution whose mean is the model's weights and
      whose total is ``concentration`` (larger = closer to the model's weights);
    - ``positions``: every interior level of an ordinal scale moves uniformly between
      the midpoints to its neighbours (so levels never swap, and the scale's ends 0
      and 1 stay put);
    - ``exponent``: the exponent over dimensions, uniform on [1, ``max_p``];
    - ``missing``: the missing policy, one of the three, with equal chances;
    - ``confidence``: each cell whose observation has confidence c < 1 falls back,
      with probability 1 - c, to the observation of the cell valid just before it (or
      becomes missing if there is none).

    Parameters
    ----------
    dataset
        A loaded dataset; None loads the bundled one.
    draws
        Number of draws (>= 1).
    seed
        Seed of every random number (an int >= 0): same seed, same bytes.
    as_of
        Panel date; None means the dataset's declared date.
    model
        The model around which to perturb (default `Model()`).
    level
        Probability of the central intervals (between 0 and 1).
    concentration
        Total of the Dirichlet parameters of the weights (> 0).
    max_p
        Largest exponent drawn (>= 1).
    perturb
        Names of the sources to perturb (default: all of them), or a mapping from
        name to bool; ``()`` perturbs nothing and every interval is the point.
    keep_draws
        Keep every draw's inputs and distances in ``.draws`` (up to 100,000 draws).
    chunk_size
        Draws handled between two progress updates, whose kept draws are laid out
        together (no number depends on it; draws are drawn and scored in blocks of
        2048, in batches that fit a fixed memory budget).
    progress
        Show a progress bar (needs tqdm); None shows it when stderr is a terminal.
    engine
        How draws are evaluated: ``"numba"`` (compiled; the ``fast`` extra),
        ``"numpy"``, or ``"auto"``: numba if it imports, else numpy. Both compute
        the same distances; they may differ in the last bits of float32.

    Returns
    -------
    Uncertainty
        ``summary``, ``rank_probabilities`` and (optionally) ``draws``, with the
        settings that reproduce them.

    Raises
    ------
    InvalidArgument
        If an argument is out of range, or ``engine="numba"`` without numba.

    Notes
    -----
    Draws are scored in float32 (see docs/performance.md): a draw's distances carry
    about 7 significant digits, and agree with `influence.score` to within 1e-6.
    With nothing to perturb, every draw is the point score itself, exactly.
    The two engines agree to within 1e-6 (their float32 ``exp`` and ``log`` differ
    in the last bits); each gives the same bytes for the same seed, run to run.

    Examples
    --------
    >>> import influence
    >>> res = uncertainty(draws=200, seed=1)
    >>> list(res.summary.columns[:6])
    ['country', 'name', 'distance', 'median', 'lower', 'upper']
    >>> res.n_draws, res.seed
    (200, 1)
    """
    caller = "uncertainty"
    draws = checked_int(draws, "draws", caller, 1)
    root = seed_sequence(seed, caller)
    level = checked_float(level, "level", caller, 0.0, 1.0, open_low=True)
    if level >= 1.0:
        msg = f"The 'level' parameter of {caller} must be a float > 0 and < 1. Got {level!r} instead."
        raise InvalidArgument(msg)
    settings = {
        "concentration": checked_float(
            concentration, "concentration", caller, 0.0, np.inf, open_low=True
        ),
        "max_p": checked_float(max_p, "max_p", caller, 1.0, np.inf, open_low=False),
    }
    sources = checked_perturb(perturb, caller)
    run_on = checked_engine(engine, caller)
    if keep_draws and draws > MAX_KEPT_DRAWS:
        msg = f"The 'draws' parameter of {caller} must be an int <= {MAX_KEPT_DRAWS} when keep_draws=True. Got {draws} instead."
        raise InvalidArgument(msg)
    per_chunk = chunk_blocks(draws, chunk_size, caller)
    ds = dataset if dataset is not None else load()
    model = model if model is not None else Model()
    spec = build_spec(ds, as_of, model)
    n = len(spec.scored)
    counts = np.zeros((n, n + 1), dtype=np.int64)
    offsets = (np.arange(n) * (n + 1))[:, None]
    kept: list[pd.DataFrame] = []
    if not any(s in sources and not idle(spec, s) for s in SOURCES):
        # Nothing moves: every draw is the model itself, the point score (exact).
        point = score(ds, as_of=spec.as_of, model=spec.model)["distance"].to_numpy()
        dist_all: np.ndarray = np.repeat(point[:, None], draws, axis=1)
        counts += (
            np.bincount(
                (offsets + ranks(point[:, None]))[:, 0], minlength=n * (n + 1)
            ).reshape(n, n + 1)
            * draws
        )
        for first, _, used in chunks(draws, per_chunk):
            start = first * BLOCK
            end = start + used
            if keep_draws:
                kept.append(
                    _kept(spec, Inputs(size=used), dist_all[:, start:end], start)
                )
    else:
        run = evaluator(plan(spec), run_on)
        sampler = Sampler(spec, sources, settings)
        # float32 distances: 4 bytes per country and draw, kept for exact quantiles.
        dist_all = np.empty((n, draws), dtype=np.float32)
        with Progress(draws, progress, caller) as bar:
            for first, blocks, used in chunks(draws, per_chunk):
                parts = []
                for block in range(first, first + blocks):
                    # Every block is evaluated whole and alone, whatever the chunk
                    # size, so that no number depends on it.
                    x = sampler.block(root, block)
                    dist = run(x)
                    start = block * BLOCK
                    take = min(BLOCK, draws - start)
                    dist_all[:, start : start + take] = dist[:, :take]
                    cells = offsets + ranks(dist[:, :take])
                    counts += np.bincount(cells.ravel(), minlength=n * (n + 1)).reshape(
                        n, n + 1
                    )
                    if keep_draws:
                        parts.append(x.take(slice(0, take)))
                start = first * BLOCK
                if keep_draws:
                    dist = dist_all[:, start : start + used]
                    kept.append(_kept(spec, _joined(parts), dist, start))
                bar.update(used)
    return _result(
        ds,
        spec,
        dist_all,
        counts,
        kept if keep_draws else None,
        seed=int(seed),
        level=level,
        sources=sources,
        settings=settings,
    )


def _result(
    ds: Dataset,
    spec: Spec,
    dist_all: np.ndarray,
    counts: np.ndarray,
    kept: list[pd.DataFrame] | None,
    *,
    seed: int,
    level: float,
    sources: frozenset[str],
    settings: dict[str, float],
) -> Uncertainty:
    """Summarise the draws into the result tables."""
    point = score(ds, as_of=spec.as_of, model=spec.model)
    n_draws = int(dist_all.shape[1])
    stats = _interval(dist_all, level)  # sorts dist_all in place
    low, high = _rank_bounds(counts[:, 1:], level)
    summary = pd.DataFrame(
        {
            "country": point["country"],
            "name": point["name"],
            "distance": point["distance"],
            "median": stats[:, 0],
            # The exponent can only rise from p = 1, so the ensemble is one-sided
            # and its central interval may miss the point score: the reported
            # interval is widened to hold it.
            "lower": np.fmin(stats[:, 1], point["distance"].to_numpy()),
            "upper": np.fmax(stats[:, 2], point["distance"].to_numpy()),
            "rank_low": pd.array(low, dtype="Int64"),
            "rank_high": pd.array(high, dtype="Int64"),
            "defined": 1.0 - counts[:, 0] / n_draws,
        }
    ).reset_index(drop=True)
    ranked = counts[:, 1:].astype(float)
    total = ranked.sum(1, keepdims=True)
    probs = pd.DataFrame(
        np.divide(ranked, total, out=np.full_like(ranked, np.nan), where=total > 0),
        index=pd.Index(summary["country"], name="country"),
        columns=pd.RangeIndex(1, ranked.shape[1] + 1, name="rank"),
    )
    used = tuple(s for s in SOURCES if s in sources)
    attrs: dict[Hashable | None, Any] = {
        "as_of": spec.as_of.isoformat(),
        "reference": spec.model.reference,
        "model": spec.model.model_dump(mode="json"),
        "seed": seed,
        "draws": n_draws,
        "level": level,
        "perturb": list(used),
    }
    attrs.update(settings)
    summary.attrs = dict(attrs)
    probs.attrs = dict(attrs)
    return Uncertainty(
        summary=summary,
        rank_probabilities=probs,
        draws=None if kept is None else pd.concat(kept, ignore_index=True),
        seed=seed,
        n_draws=n_draws,
        as_of=spec.as_of,
        model=spec.model,
        level=level,
        perturb=used,
        concentration=settings["concentration"],
        max_p=settings["max_p"],
    )
