"""Symmetry and the triangle inequality (design.md property 7), on complete rows."""

from __future__ import annotations

import itertools

import pandas as pd

from influence.testing._compare import TOLERANCE, distances, fail, fmt, same
from influence.testing._scorers import Scorer, Series

__all__ = ["symmetry", "triangle"]


def _matrix(scorer: Scorer, positions: pd.DataFrame, weights: Series) -> pd.DataFrame:
    """Distances between the countries of complete rows: row = reference."""
    full = positions[positions.notna().all(axis=1)]
    return pd.DataFrame(
        {c: distances(scorer, full, weights, str(c)) for c in full.index}
    ).T


def symmetry(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check that D(a -> b) = D(b -> a) for every two countries of complete rows.

    Rows with a missing cell are left out: a pair's distance then rests on other
    indicators than another pair's, and a metric is not to be expected.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5, 1.0]}, index=["RUS", "GEO", "ARM"])
    >>> symmetry(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    d = _matrix(scorer, positions, weights)
    for a, b in itertools.combinations(d.index, 2):
        if not same(float(d.loc[a, b]), float(d.loc[b, a])):
            fail(
                f"{b} is at distance {fmt(d.loc[a, b])} from {a}, but {a} is at "
                f"{fmt(d.loc[b, a])} from {b}"
            )


def triangle(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check D(a -> c) <= D(a -> b) + D(b -> c) for every three complete rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5, 1.0]}, index=["RUS", "GEO", "ARM"])
    >>> triangle(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    d = _matrix(scorer, positions, weights)
    for a, b, c in itertools.permutations(d.index, 3):
        direct, via = float(d.loc[a, c]), float(d.loc[a, b]) + float(d.loc[b, c])
        if direct > via + TOLERANCE:
            fail(
                f"{c} is at distance {fmt(direct)} from {a}, more than the "
                f"{fmt(via)} of the detour {a} -> {b} -> {c}"
            )
