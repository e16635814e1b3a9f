"""Distances from the reference country: the public `score` and its panel-level core."""

from __future__ import annotations

import dataclasses
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
    """A panel scored under a model: the kernel's arrays with their labels.

    ``applicable`` marks the cells that count: those the codebook does not declare
    not applicable, and in a balanced score only the fixed cell set (``cells``).
    """

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
    applicable: np.ndarray  # (n, k) bool, codebook order
    cells: np.ndarray | None = None  # (n, k) bool: the fixed cells of a balanced score

    @property
    def coded(self) -> np.ndarray:
        """Cells that hold a gap and count, ``(n, k)``."""
        return np.asarray(~np.isnan(self.gaps) & self.applicable, dtype=bool)

    def rescore(
        self,
        gaps: np.ndarray,
        min_coverage: float,
        applicable: np.ndarray | None = None,
    ) -> Aggregate:
        """Aggregate other gaps (``(..., n, k)``) with this model's weights and exponents.

        ``applicable`` defaults to this score's applicable cells.
        """
        return aggregate(
            gaps,
            self.weights,
            self.dimension_weights,
            self.dim_of,
            self.dimension_p,
            self.model.p,
            min_coverage,
            self.applicable if applicable is None else applicable,
            self.model.min_dimension_coverage,
        )

    def reason(self, row: int) -> str | None:
        """Say why a country has no distance, or return None if it has one."""
        if not np.isnan(self.result.distance[row]):
            return None
        cov = self.result.coverage[row]
        if cov == 0:
            return (
                f"no indicator with a positive weight is coded for both it and "
                f"{self.model.reference}"
            )
        if cov + 1e-12 < self.model.min_coverage:
            return f"coverage {cov:.2f} is below min_coverage {self.model.min_coverage:.2f}"
        return (
            "no dimension has min_dimension_coverage "
            f"{self.model.min_dimension_coverage:.2f} of its applicable weight coded"
        )


def _checked_reference(panel: Panel, reference: str) -> None:
    if reference not in panel.positions.index:
        known = ", ".join(panel.positions.index)
        msg = f"The 'reference' parameter must be a coded country ({known}). Got {reference!r} instead."
        raise InvalidArgument(msg)


def score_panel(
    panel: Panel, model: Model | None = None, *, cells: np.ndarray | None = None
) -> Scored:
    """Score every country of a panel under a model (default: `Model()`).

    Parameters
    ----------
    panel
        The panel.
    model
        The model.
    cells
        For a balanced score, the fixed cells that may count (``(n, k)`` booleans, rows
        in sorted ISO3 order and columns in codebook order): every other cell is left
        out of the distance, so that a cell starting or stopping to be coded cannot
        move it. The reported coverage stays the panel's real coverage, and
        ``min_coverage`` is judged on it.

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
    order = list(cb.indicator_ids)
    positions = panel.positions.reindex(columns=order).sort_index()
    if panel.applicable is None:
        applicable = np.ones(positions.shape, dtype=bool)
    else:
        applicable = (
            panel.applicable.reindex(index=positions.index, columns=order)
            .fillna(True)
            .to_numpy(dtype=bool)
        )
    x = positions.to_numpy(dtype=float)
    ref = positions.index.get_loc(model.reference)
    gaps = fill_missing(np.abs(x - x[ref]), np.isnan(x[ref]), model.missing, applicable)
    scored = Scored(
        panel,
        model,
        tuple(positions.index),
        cb.indicator_ids,
        dims,
        gaps,
        aggregate(
            gaps,
            w,
            big_w,
            dim_of,
            p_dim,
            model.p,
            model.min_coverage,
            applicable,
            model.min_dimension_coverage,
        ),
        w,
        big_w,
        dim_of,
        p_dim,
        applicable,
    )
    return scored if cells is None else _balanced(scored, np.asarray(cells, dtype=bool))


def _balanced(scored: Scored, cells: np.ndarray) -> Scored:
    """Re-score on a fixed cell set; keep the real coverage and judge min_coverage on it."""
    if cells.shape != scored.gaps.shape:
        msg = f"The 'cells' mask must have shape {scored.gaps.shape}. Got {cells.shape} instead."
        raise InvalidArgument(msg)
    kept = np.where(cells, scored.gaps, np.nan)
    res = scored.rescore(kept, 0.0)
    real = scored.result.coverage
    short = real + 1e-12 < scored.model.min_coverage
    res = dataclasses.replace(
        res,
        distance=np.where(short, np.nan, res.distance),
        contributions=np.where(short[:, None], np.nan, res.contributions),
        coverage=real,
    )
    return dataclasses.replace(scored, gaps=kept, result=res, cells=cells)


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
    for j, dim in enumerate(scored.dimensions):
        df[f"coverage_{dim}"] = scored.result.dimension_coverage[keep, j]
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
    min_dimension_coverage: float = 0.5,
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
        min_dimension_coverage=min_dimension_coverage,
    )
    scored = score_panel(ds.panel(as_of), model)
    return table(scored, {c.id: c.name for c in ds.countries})
