"""The score's properties (design.md 1-9) as plain checks on any scorer.

Each check takes ``(scorer, positions, weights, reference)``, and perhaps a choice
of what to change, and raises `AssertionError` with the counterexample explained
when the property fails. A NaN distance means "no distance" (for example, coverage
below ``min_coverage``): the checks accept it where a scorer may decline to score,
treat two NaNs as equal when they compare two runs, and fail a NaN where the data
leave no reason for one (a complete row, or a change that cannot touch coverage).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from influence.errors import InvalidArgument
from influence.testing._compare import (
    MIN_STEP,
    TOLERANCE,
    cell,
    complete,
    distances,
    fail,
    farther_end,
    fmt,
    new_id,
    present_cells,
    same,
)
from influence.testing._metric import symmetry, triangle
from influence.testing._registry import applicable, info
from influence.testing._scorers import Scorer, Series

__all__ = [
    "MIN_STEP",
    "TOLERANCE",
    "additive_contributions",
    "all_gaps_one",
    "bounds",
    "check_all",
    "determinism",
    "independence",
    "missing_is_zero_weight",
    "monotone",
    "permutation",
    "reference_zero",
    "symmetry",
    "triangle",
    "weight_scale",
]


def _unchanged(
    before: Series, after: Series, countries: Iterable[str], what: str
) -> None:
    """Fail naming the first country whose distance ``what`` changed."""
    for country in countries:
        if not same(float(before[country]), float(after[country])):
            fail(
                f"{what} moved {country} from {fmt(before[country])} to {fmt(after[country])}"
            )


def reference_zero(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check that the reference is at distance 0 from itself (property 1).

    NaN is accepted only when the reference's own row has a missing cell.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.2, 0.9]}, index=["RUS", "GEO"])
    >>> reference_zero(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    d = float(distances(scorer, positions, weights, reference)[reference])
    if math.isnan(d):
        if complete(positions, reference) and weights.sum() > 0:
            fail(
                f"the reference {reference} got no distance (NaN) from itself, "
                "though its row has no missing cell"
            )
    elif abs(d) > TOLERANCE:
        fail(f"the reference {reference} is at distance {fmt(d)} from itself, not 0")


def bounds(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check that every distance is in [0, 1], and is a number on complete rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 1.0]}, index=["RUS", "GEO"])
    >>> bounds(as_scorer(), positions, pd.Series({"i0": 3.0}), "RUS")
    """
    dist = distances(scorer, positions, weights, reference)
    ref_ok = complete(positions, reference) and weights.sum() > 0
    for country, d in dist.items():
        if math.isnan(d):
            if ref_ok and complete(positions, str(country)):
                fail(
                    f"{country} got no distance (NaN), though neither its row nor "
                    f"the reference {reference}'s has a missing cell"
                )
        elif not -TOLERANCE <= d <= 1 + TOLERANCE:
            fail(f"{country} is at distance {fmt(d)}, outside [0, 1]")


def all_gaps_one(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check that a country with every gap 1 is at distance 1 (property 1).

    The panel is first made extreme: the reference's positions are rounded to 0
    or 1 (missing ones set to 0) and every other country takes the opposite end.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.3, 0.4]}, index=["RUS", "GEO"])
    >>> all_gaps_one(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    if not weights.sum() > 0:
        return
    ref_row = positions.loc[reference].fillna(0.0).round().clip(0.0, 1.0)
    extreme = pd.DataFrame(
        np.tile(1.0 - ref_row.to_numpy(dtype=float), (len(positions), 1)),
        index=positions.index,
        columns=positions.columns,
    )
    extreme.loc[reference] = ref_row
    dist = distances(scorer, extreme, weights, reference)
    for country, d in dist.items():
        if country != reference and not same(float(d), 1.0):
            fail(
                f"every gap from {reference} is 1, yet {country} is at distance "
                f"{fmt(d)}, not 1, on the panel\n{extreme.to_string()}"
            )


def monotone(
    scorer: Scorer,
    positions: pd.DataFrame,
    weights: Series,
    reference: str,
    *,
    country: str | None = None,
    indicator: str | None = None,
    position: float | None = None,
    strict: bool | None = None,
) -> None:
    """Check that moving a cell away from the reference never lowers its distance.

    With ``strict``, a move of at least `MIN_STEP` on an indicator of positive
    weight must raise it, as for every power mean with p >= 1. None (the default)
    asks the scorer: strict unless it declares ``dimension_rule``, under which a
    cell of a dimension left out for thin coverage has no effect at all, so only
    the weak form (never lower) holds.

    Parameters
    ----------
    scorer, positions, weights, reference
        The scorer and its inputs.
    country, indicator
        The cell to move (not the reference's; it and the reference's cell
        present); None checks every such cell.
    position
        Where to move it (no nearer to the reference); None: the farther end.
    strict
        Require a rise, not only no fall; None asks the scorer (see above).

    Raises
    ------
    InvalidArgument
        If ``position`` is nearer to the reference than the cell already is.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5]}, index=["RUS", "GEO"])
    >>> monotone(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    if country is None or indicator is None:
        cells = present_cells(positions, reference, others_only=True)
    else:
        cells = [(country, indicator)]
    if strict is None:
        strict = not getattr(scorer, "dimension_rule", False)
    before = distances(scorer, positions, weights, reference)
    for c, j in cells:
        x, r = cell(positions, c, j), cell(positions, reference, j)
        to = farther_end(x, r) if position is None else float(position)
        step = abs(to - r) - abs(x - r)
        if step < -1e-12:
            msg = f"The 'position' parameter of monotone must be no nearer to the reference than {x!r}. Got {to!r} instead."
            raise InvalidArgument(msg)
        moved = positions.copy()
        moved.loc[c, j] = to
        d0 = float(before[c])
        d1 = float(distances(scorer, moved, weights, reference)[c])
        what = f"moving {c}'s {j} from {x!r} to {to!r} (gap to {reference} {abs(x - r)!r} -> {abs(to - r)!r})"
        if math.isnan(d0) != math.isnan(d1):
            fail(f"{what} turned its distance from {fmt(d0)} into {fmt(d1)}")
        if math.isnan(d0):
            continue
        if d1 < d0 - TOLERANCE:
            fail(f"{what} lowered its distance from {fmt(d0)} to {fmt(d1)}")
        if strict and weights[j] > 0 and step >= MIN_STEP and not d1 > d0:
            fail(
                f"{what} left its distance at {fmt(d0)}, though {j} has weight "
                f"{float(weights[j])!r}"
            )


def weight_scale(
    scorer: Scorer,
    positions: pd.DataFrame,
    weights: Series,
    reference: str,
    *,
    factor: float = 10.0,
) -> None:
    """Check that multiplying every weight by ``factor`` > 0 changes no distance.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5]}, index=["RUS", "GEO"])
    >>> weight_scale(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    if not (math.isfinite(factor) and factor > 0):
        msg = f"The 'factor' parameter of weight_scale must be a finite float > 0. Got {factor!r} instead."
        raise InvalidArgument(msg)
    a = distances(scorer, positions, weights, reference)
    b = distances(scorer, positions, weights * factor, reference)
    _unchanged(a, b, positions.index, f"multiplying every weight by {factor!r}")


def permutation(
    scorer: Scorer,
    positions: pd.DataFrame,
    weights: Series,
    reference: str,
    *,
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    weight_order: Sequence[str] | None = None,
) -> None:
    """Check that reordering countries, indicators or weights changes no distance.

    Each order defaults to the reverse of the given one.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5], "i1": [1.0, 0.0]}, index=["RUS", "GEO"])
    >>> permutation(as_scorer(), positions, pd.Series({"i0": 1.0, "i1": 2.0}), "RUS")
    """
    rows = list(rows) if rows is not None else list(positions.index[::-1])
    columns = list(columns) if columns is not None else list(positions.columns[::-1])
    order = (
        list(weight_order) if weight_order is not None else list(weights.index[::-1])
    )
    a = distances(scorer, positions, weights, reference)
    b = distances(scorer, positions.loc[rows, columns], weights[order], reference)
    what = f"reordering rows to {rows}, columns to {columns} and weights to {order}"
    _unchanged(a, b, positions.index, what)


def independence(
    scorer: Scorer,
    positions: pd.DataFrame,
    weights: Series,
    reference: str,
    *,
    added: Series | None = None,
    removed: str | None = None,
) -> None:
    """Check that adding or removing another country changes no distance (property 5).

    Parameters
    ----------
    scorer, positions, weights, reference
        The scorer and its inputs.
    added
        A row to add, named by its (new) country id; None adds a row of ones.
    removed
        A country to remove (not the reference); None removes the first other one.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5, 1.0]}, index=["RUS", "GEO", "ARM"])
    >>> independence(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    if added is None:
        added = pd.Series(1.0, index=positions.columns, name=new_id(positions.index))
    if added.name in positions.index:
        msg = f"The 'added' parameter of independence must name a new country. Got {added.name!r} instead."
        raise InvalidArgument(msg)
    others = [str(c) for c in positions.index if c != reference]
    removed = removed if removed is not None else (others[0] if others else None)
    base = distances(scorer, positions, weights, reference)
    bigger = pd.concat(
        [positions, added.to_frame().T.reindex(columns=positions.columns)]
    )
    with_added = distances(scorer, bigger, weights, reference)
    what = f"adding {added.name} (positions {added.to_dict()})"
    _unchanged(base, with_added, positions.index, what)
    if removed is None:
        return
    smaller = positions.drop(index=removed)
    without = distances(scorer, smaller, weights, reference)
    _unchanged(base, without, smaller.index, f"removing {removed}")


def missing_is_zero_weight(
    scorer: Scorer,
    positions: pd.DataFrame,
    weights: Series,
    reference: str,
    *,
    country: str | None = None,
    indicator: str | None = None,
) -> None:
    """Check that a missing cell scores like a zero weight on its indicator (property 8).

    The cell (``country``, ``indicator``) is blanked and compared with the panel
    as given under a zero weight for ``indicator``: the country's distance (every
    distance, if it is the reference's cell) must agree. A country may lose its
    distance (NaN) with the cell missing and keep it under the zero weight, as the
    missing cell also lowers its coverage; never the other way round.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5], "i1": [0.0, 1.0]}, index=["RUS", "GEO"])
    >>> w = pd.Series({"i0": 1.0, "i1": 1.0})
    >>> missing_is_zero_weight(as_scorer(), positions, w, "RUS", country="GEO", indicator="i1")
    """
    if country is None or indicator is None:
        cells = present_cells(positions, reference, others_only=True)
        if not cells:
            return
        country, indicator = cells[0]
    holed = positions.copy()
    holed.loc[country, indicator] = np.nan
    zeroed = weights.copy()
    zeroed[indicator] = 0.0
    missing = distances(scorer, holed, weights, reference)
    zero = distances(scorer, positions, zeroed, reference)
    affected = list(positions.index) if country == reference else [country]
    for c in affected:
        m, z = float(missing[c]), float(zero[c])
        if math.isnan(m) and not math.isnan(z):
            continue
        if not same(m, z):
            fail(
                f"with {country}'s {indicator} missing, {c} is at distance {fmt(m)}; "
                f"with {indicator} weighted 0 instead, at {fmt(z)}"
            )


def determinism(
    scorer: Scorer, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check that two calls on equal inputs give the same bytes, inputs untouched.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5]}, index=["RUS", "GEO"])
    >>> determinism(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    p1, w1 = positions.copy(), weights.copy()
    a = scorer(p1, w1, reference)
    if not (p1.equals(positions) and w1.equals(weights)):
        fail("the scorer changed its inputs, so a second call sees other inputs")
    b = scorer(positions.copy(), weights.copy(), reference)
    distances(lambda *_: a, positions, weights, reference)
    if not a.index.equals(b.index):
        fail(f"two calls ordered the countries {list(a.index)} and {list(b.index)}")
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    if x.tobytes() != y.tobytes():
        fail(f"two calls on equal inputs gave {x.tolist()} and {y.tolist()}")


def additive_contributions(
    scorer: Any, positions: pd.DataFrame, weights: Series, reference: str
) -> None:
    """Check that each country's contributions add up to its distance (property 6).

    Needs a scorer with a ``contributions(positions, weights, reference)`` method
    (as `as_scorer` gives); also checks that no contribution is negative and that
    a cell at the reference's own position contributes nothing.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5], "i1": [0.0, 1.0]}, index=["RUS", "GEO"])
    >>> w = pd.Series({"i0": 1.0, "i1": 3.0})
    >>> additive_contributions(as_scorer(), positions, w, "RUS")
    """
    dist = distances(scorer, positions, weights, reference)
    parts = scorer.contributions(positions, weights, reference)
    same_place = positions.eq(positions.loc[reference], axis=1)
    for key, d in dist.items():
        country = str(key)
        if math.isnan(d):
            continue
        row = parts.loc[country].astype(float)
        shown = {str(k): float(v) for k, v in row.items()}
        total = float(row.sum())
        if not same(total, float(d)):
            fail(
                f"{country}'s contributions {shown} add up to {total!r}, not to its distance {fmt(d)}"
            )
        if (row < -TOLERANCE).any():
            fail(f"{country}'s contributions {shown} have a negative part")
        if (row[same_place.loc[country]].abs() > TOLERANCE).any():
            fail(
                f"{country}'s contributions {shown} credit a cell at {reference}'s own position"
            )


Check = Callable[..., None]

#: Each property's check, by name.
CHECKS: dict[str, Check] = {
    "reference_zero": reference_zero,
    "bounds": bounds,
    "all_gaps_one": all_gaps_one,
    "monotone": monotone,
    "weight_scale": weight_scale,
    "permutation": permutation,
    "independence": independence,
    "missing_is_zero_weight": missing_is_zero_weight,
    "determinism": determinism,
    "symmetry": symmetry,
    "triangle": triangle,
    "additive_contributions": additive_contributions,
}


def check_all(
    scorer: Scorer,
    positions: pd.DataFrame,
    weights: Series,
    reference: str,
    *,
    metric: bool | None = None,
    properties: Sequence[str] | None = None,
) -> None:
    """Check every property that applies to the scorer on one input, with defaults.

    Parameters
    ----------
    scorer, positions, weights, reference
        The scorer and its inputs.
    metric
        Whether to check symmetry and the triangle inequality; None asks the
        scorer (its ``metric`` attribute).
    properties
        Names of the properties to check; None: all that apply.

    Raises
    ------
    AssertionError
        Naming each failed property with its counterexample.

    Examples
    --------
    >>> import pandas as pd
    >>> from influence.testing import as_scorer
    >>> positions = pd.DataFrame({"i0": [0.0, 0.5, 1.0]}, index=["RUS", "GEO", "ARM"])
    >>> check_all(as_scorer(), positions, pd.Series({"i0": 1.0}), "RUS")
    """
    names = list(properties) if properties is not None else applicable(scorer, metric)
    failures = []
    for name in names:
        try:
            info(name)
            CHECKS[name](scorer, positions, weights, reference)
        except AssertionError as err:
            failures.append(f"{name}: {err}")
    if failures:
        raise AssertionError("\n".join(failures))
