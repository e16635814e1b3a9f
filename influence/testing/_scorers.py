"""The scorer protocol, and the library's own `Model` seen as a scorer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from influence._kernel import Aggregate, aggregate, fill_missing
from influence.codebook import Codebook
from influence.errors import InvalidArgument
from influence.model import Model, resolve_weights

if TYPE_CHECKING:
    Series: TypeAlias = pd.Series[float]
else:
    Series: TypeAlias = pd.Series

__all__ = ["ModelScorer", "Scorer", "as_scorer"]

#: A scoring variant: ``scorer(positions, weights, reference) -> distances``.
#: ``positions`` has one row per country (ISO3 codes, the reference included) and
#: one column per indicator id, values in [0, 1] or NaN; ``weights`` is indexed by
#: indicator id; the result is indexed by country, the reference included.
Scorer: TypeAlias = Callable[[pd.DataFrame, Series, str], Series]


@dataclass(frozen=True)
class ModelScorer:
    """A library `Model` behind the scorer protocol (see `as_scorer`).

    It declares what it claims, so that `check_scorer` picks the properties that
    apply: ``metric`` (always true for the library's power means, p >= 1),
    ``missing`` (the model's missing policy) and ``additive`` (every exponent 1),
    with ``contributions`` for property 6.
    """

    model: Model
    codebook: Codebook | None = None

    @property
    def metric(self) -> bool:
        """Whether the distance between two countries is a metric (p >= 1: yes)."""
        return True

    @property
    def missing(self) -> str:
        """The model's missing policy."""
        return self.model.missing

    @property
    def dimension_rule(self) -> bool:
        """Whether the model leaves out thinly coded dimensions (min_dimension_coverage > 0).

        Under that rule a missing cell can drop its whole dimension, so it no longer
        scores like a zero weight: `applicable` then leaves that property out.
        """
        return self.model.min_dimension_coverage > 0

    @property
    def additive(self) -> bool:
        """Whether every exponent is 1, where contributions are weight times gap."""
        exponents = [self.model.p, *self.model.dimension_p.values()]
        return all(p == 1.0 for p in exponents)

    def __call__(
        self, positions: pd.DataFrame, weights: Series, reference: str
    ) -> Series:
        """Return each country's distance from ``reference``."""
        res = self.aggregate(positions, weights, reference)
        return pd.Series(res.distance, index=positions.index.copy(), name="distance")

    def contributions(
        self, positions: pd.DataFrame, weights: Series, reference: str
    ) -> pd.DataFrame:
        """Return each cell's contribution to its country's distance.

        Examples
        --------
        >>> import pandas as pd
        >>> positions = pd.DataFrame({"i0": [0.0, 1.0], "i1": [0.0, 0.5]}, index=["RUS", "GEO"])
        >>> weights = pd.Series({"i0": 1.0, "i1": 1.0})
        >>> as_scorer().contributions(positions, weights, "RUS").loc["GEO"].to_dict()
        {'i0': 0.5, 'i1': 0.25}
        """
        res = self.aggregate(positions, weights, reference)
        return pd.DataFrame(
            res.contributions,
            index=positions.index.copy(),
            columns=positions.columns.copy(),
        )

    def aggregate(
        self, positions: pd.DataFrame, weights: Series, reference: str
    ) -> Aggregate:
        """Run the library's kernel on a positions table (the arrays it returns)."""
        if reference not in positions.index:
            msg = f"The 'reference' parameter must be a row of positions. Got {reference!r} instead."
            raise InvalidArgument(msg)
        columns = [str(c) for c in positions.columns]
        w = _indicator_weights(weights, columns)
        dim_of, big_w, p_dim = self._dimensions(columns)
        x = positions.to_numpy(dtype=float)
        ref = x[positions.index.get_loc(reference)]
        gaps = fill_missing(np.abs(x - ref), np.isnan(ref), self.model.missing)
        return aggregate(
            gaps,
            w,
            big_w,
            dim_of,
            p_dim,
            self.model.p,
            self.model.min_coverage,
            None,
            self.model.min_dimension_coverage,
        )

    def _dimensions(
        self, columns: list[str]
    ) -> tuple[np.ndarray[Any, np.dtype[np.intp]], np.ndarray, np.ndarray]:
        """Map columns to dimensions: dimension index, weights and exponents."""
        cb = self.codebook
        if cb is None:
            # One dimension holds every indicator: the top-level mean over a single
            # dimension is the identity, so the model's p is the within exponent.
            zeros = np.zeros(len(columns), dtype=np.intp)
            return zeros, np.ones(1), np.array([self.model.p])
        dims = cb.dimension_ids
        known = set(cb.indicator_ids)
        unknown = [c for c in columns if c not in known]
        if unknown:
            msg = f"The positions have columns that are not indicators of the codebook: {', '.join(unknown)}."
            raise InvalidArgument(msg)
        dim_of = np.array(
            [dims.index(cb.indicator(c).dimension) for c in columns], dtype=np.intp
        )
        big_w = np.array(
            [self.model.weights.get(d.id, d.weight) for d in cb.dimensions]
        )
        p_dim = np.array([self.model.dimension_p.get(d, 1.0) for d in dims])
        return dim_of, big_w.astype(float), p_dim

    def __repr__(self) -> str:
        if self.codebook is None:
            return f"as_scorer({self.model!r})"
        groups = "; ".join(
            f"{d.id} (weight {d.weight!r}): "
            + ", ".join(i.id for i in self.codebook.indicators if i.dimension == d.id)
            for d in self.codebook.dimensions
        )
        return f"as_scorer({self.model!r}, codebook=<{groups}>)"


def _indicator_weights(weights: Series, columns: list[str]) -> np.ndarray:
    """Return the weights in column order, refusing absent, negative or NaN ones."""
    absent = [c for c in columns if c not in weights.index]
    if absent:
        msg = f"The 'weights' parameter has no weight for {', '.join(absent)}."
        raise InvalidArgument(msg)
    w = weights.reindex(columns).to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        msg = f"The 'weights' parameter must hold finite numbers >= 0. Got {list(w)} instead."
        raise InvalidArgument(msg)
    return w


def as_scorer(
    model: Model | None = None, *, codebook: Codebook | None = None
) -> ModelScorer:
    """Turn a library `Model` into a scorer: ``scorer(positions, weights, reference)``.

    The scorer runs the library's own kernel. Each call's ``weights`` are the
    indicator weights (the model's indicator-level weights give way to them) and
    each call's ``reference`` is the reference (``model.reference`` gives way to
    it); the model gives the exponents, the missing policy, ``min_coverage``, the
    dimension rule (``min_dimension_coverage``) and the dimension weights.

    Parameters
    ----------
    model
        The model; None means ``Model(min_coverage=0.0, min_dimension_coverage=0.0)``,
        the plain weighted power mean: a country gets a distance whenever it shares
        one weighted indicator with the reference. A country below the model's
        ``min_coverage`` scores NaN (no distance).
    codebook
        Groups the columns into the codebook's dimensions, with their weights and
        the model's per-dimension exponents. None treats every indicator as one
        dimension, whose exponent is ``model.p``.

    Returns
    -------
    ModelScorer
        A callable that also says what it claims: ``metric`` is True,
        ``missing`` is the model's missing policy and ``additive`` is True when
        every exponent is 1; its ``contributions`` method gives each cell's share.

    Raises
    ------
    InvalidArgument
        If the model names per-dimension exponents but no codebook is given, or
        ids that the codebook does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> scorer = as_scorer()
    >>> positions = pd.DataFrame(
    ...     {"i0": [0.0, 1.0], "i1": [0.0, 0.5]}, index=["RUS", "GEO"]
    ... )
    >>> weights = pd.Series({"i0": 1.0, "i1": 1.0})
    >>> scorer(positions, weights, "RUS").to_dict()
    {'RUS': 0.0, 'GEO': 0.75}
    """
    model = (
        model
        if model is not None
        else Model(min_coverage=0.0, min_dimension_coverage=0.0)
    )
    if codebook is None and model.dimension_p:
        named = ", ".join(sorted(model.dimension_p))
        msg = f"The model names per-dimension exponents ({named}); as_scorer needs the codebook that defines those dimensions."
        raise InvalidArgument(msg)
    if codebook is not None:
        resolve_weights(model, codebook)  # raises on ids the codebook lacks
    return ModelScorer(model, codebook)
