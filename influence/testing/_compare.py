"""Comparisons shared by the property checks: distances, NaN-aware equality."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from influence.testing._scorers import Scorer, Series

#: Two distances closer than this are equal (distances live in [0, 1]).
TOLERANCE = 1e-9
#: A move at least this long on a weighted indicator must raise the distance.
MIN_STEP = 0.05


def fmt(x: float) -> str:
    return "NaN" if math.isnan(x) else repr(float(x))


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOLERANCE


def fail(msg: str) -> None:
    raise AssertionError(msg)


def distances(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> Series:
    """Call the scorer and check the shape of what it returns."""
    out = scorer(positions, weights, reference)
    if not isinstance(out, pd.Series):
        fail(f"the scorer returned a {type(out).__name__}, not a pandas Series")
    if out.index.has_duplicates or set(out.index) != set(positions.index):
        fail(
            f"the scorer returned scores for {sorted(map(str, out.index))}, "
            f"not one for each row of positions {sorted(map(str, positions.index))}"
        )
    return out.reindex(positions.index).astype(float)


def complete(positions: pd.DataFrame, country: str) -> bool:
    return bool(positions.loc[country].notna().all())


def farther_end(x: float, r: float) -> float:
    """Return the end of [0, 1] farthest from ``r``, on ``x``'s side when both are as far."""
    if abs(0.0 - r) == abs(1.0 - r):
        return 1.0 if x >= r else 0.0
    return 0.0 if abs(0.0 - r) > abs(1.0 - r) else 1.0


def present_cells(
    positions: pd.DataFrame, reference: str, *, others_only: bool
) -> list[tuple[str, str]]:
    ref = positions.loc[reference]
    return [
        (str(c), str(j))
        for c in positions.index
        for j in positions.columns
        if not (others_only and c == reference)
        and not pd.isna(positions.loc[c, j])
        and (not others_only or not pd.isna(ref[j]))
    ]


def new_id(taken: pd.Index) -> str:
    return next(
        c
        for c in ("ZZZ", "ZZY", "ZZX", *map(str, range(len(taken) + 1)))
        if c not in taken
    )


def cell(positions: pd.DataFrame, country: str, indicator: str) -> float:
    """Return one cell's position as a float (NaN if missing)."""
    value: Any = positions.loc[country, indicator]
    return float(value)
