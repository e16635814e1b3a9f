"""Distances from the reference country: the public `score` and its panel-level core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from influence._kernel import Aggregate, aggregate, fill_missing
from influence.dataset import Dataset, load
from influence.errors import InvalidArgument
from influence.model import MissingPolicy, Model, model_from_args, resolve_weights
from influence.panel import Panel

__all__ = ["Scored", "score", "score_panel"]


@dataclass(frozen=True)
class Scored:
    """A panel scored under a model: the kernel's arrays with their labels."""

    panel: Panel
    model: Model
    countries: tuple[str, ...]
    indicators: tuple[str, ...]
    dimensions: tuple[str, ...]
    gaps: np.ndarray
    result: Aggregate
    weights: np.ndarray  # indicator weights, codebook order
    dimension_weights: np.ndarray
    dim_of: np.ndarray  # each indicator's dimension, as an index
    dimension_p: np.ndarray

    def rescore(self, gaps: np.ndarray, min_coverage: float) -> Aggregate:
        """Aggregate other gaps (``(..., n, k)``) with this model's weights and exponents."""
        return aggregate(
            gaps,
            self.weights,
            self.dimension_weights,
            self.dim_of,
            self.dimension_p,
            self.model.p,
            min_coverage,
        )

    def reason(self, row: int) -> str | None:
        """Why a country has no distance, or None if it has one."""
        if not np.isnan(self.result.distance[row]):
            return None
        cov = self.result.coverage[row]
        if cov == 0:
            return (
                f"no indicator with a positive weight is coded for both it and "
                f"{self.model.reference}"
            )
        return f"coverage {cov:.2f} is below min_coverage {self.model.min_coverage:.2f}"


def _checked_reference(panel: Panel, reference: str) -> None:
    if reference not in panel.positions.index:
        known = ", ".join(panel.positions.index)
        msg = f"The 'reference' parameter must be a coded country ({known}). Got {reference!r} instead."
        raise InvalidArgument(msg)


def score_panel(panel: Panel, model: Model | None = None) -> Scored:
    """Score every country of a panel under a model (default: `Model()`).

    Examples
    --------
    >>> import influence
    >>> scored = score_panel(influence.load().panel())
    >>> float(scored.result.distance[scored.countries.index("RUS")])
    0.0
    """
    model = model if model is not None else Model()
    _checked_reference(panel, model.reference)
    cb = panel.codebook
    w, big_w = resolve_weights(model, cb)
    dims = cb.dimension_ids
    dim_of = np.array([dims.index(i.dimension) for i in cb.indicators], dtype=np.intp)
    p_dim = np.array([model.dimension_p.get(d, 1.0) for d in dims])
    # Rows by ISO3 and columns in codebook order, whatever order the panel has:
    # weights and dimensions are attached by position below (property 4).
    positions = panel.positions.reindex(columns=list(cb.indicator_ids)).sort_index()
    x = positions.to_numpy(dtype=float)
    ref = positions.index.get_loc(model.reference)
    gaps = fill_missing(np.abs(x - x[ref]), np.isnan(x[ref]), model.missing)
    res = aggregate(gaps, w, big_w, dim_of, p_dim, model.p, model.min_coverage)
    return Scored(
        panel,
        model,
        tuple(positions.index),
        cb.indicator_ids,
        dims,
        gaps,
        res,
        w,
        big_w,
        dim_of,
        p_dim,
    )


def table(scored: Scored, names: Mapping[str, str]) -> pd.DataFrame:
    """Lay a scored panel out as the tidy table that `score` returns."""
    keep = [i for i, c in enumerate(scored.countries) if c != scored.model.reference]
    dist = scored.result.distance[keep]
    df = pd.DataFrame(
        {
            "country": [scored.countries[i] for i in keep],
            "name": [names[scored.countries[i]] for i in keep],
            "distance": dist,
        }
    )
    # Rank 1 = farthest from the reference; ties share the better rank.
    df["rank"] = df["distance"].rank(method="min", ascending=False).astype("Int64")
    df["coverage"] = scored.result.coverage[keep]
    for j, dim in enumerate(scored.dimensions):
        df[dim] = scored.result.dimensions[keep, j]
    df.attrs = {
        "as_of": scored.panel.as_of.isoformat(),
        "reference": scored.model.reference,
        "model": scored.model.model_dump(mode="json"),
        "reasons": {scored.countries[i]: r for i in keep if (r := scored.reason(i))},
    }
    return df


def score(
    dataset: Dataset | None = None,
    *,
    as_of: dt.date | None = None,
    reference: str = "RUS",
    weights: Mapping[str, float] | None = None,
    p: float | Mapping[str, float] = 1.0,
    missing: MissingPolicy = "redistribute",
    min_coverage: float = 0.5,
    model: Model | None = None,
) -> pd.DataFrame:
    """Return each country's distance from the reference at ``as_of``.

    Parameters
    ----------
    dataset
        A loaded dataset; None loads the bundled one.
    as_of
        The date of the panel; None means the dataset's declared date.
    reference
        ISO3 code of the reference country.
    weights
        Weight overrides keyed by indicator or dimension id.
    p
        Aggregation exponent (>= 1): one number for the overall mean, or a mapping
        with "overall" and dimension ids for mixed aggregation.
    missing
        Missing-cell policy; see `influence.model.MissingPolicy`.
    min_coverage
        Minimum share of weight a country's present cells must carry.
    model
        A ready `Model`; when given, the five arguments above must keep their defaults.

    Returns
    -------
    pandas.DataFrame
        One row per country except the reference, sorted by ISO3, with columns
        ``country``, ``name``, ``distance`` (0..1, NaN with a reason in
        ``attrs["reasons"]`` if coverage is too low), ``rank`` (1 = farthest),
        ``coverage`` and one column per dimension. ``attrs`` records ``as_of``,
        ``reference`` and the ``model``.

    Examples
    --------
    >>> import influence
    >>> df = influence.score()
    >>> list(df.columns[:5])
    ['country', 'name', 'distance', 'rank', 'coverage']
    >>> bool(df["distance"].between(0, 1).all())
    True
    """
    ds = dataset if dataset is not None else load()
    model = model_from_args(
        "score",
        model,
        reference=reference,
        weights=weights,
        p=p,
        missing=missing,
        min_coverage=min_coverage,
    )
    scored = score_panel(ds.panel(as_of), model)
    return table(scored, {c.id: c.name for c in ds.countries})
