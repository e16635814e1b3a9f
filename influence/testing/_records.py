"""Strategies for the records of the codebook and data files, and shared helpers."""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from influence.codebook import (
    Codebook,
    Dimension,
    Indicator,
    Level,
    NumericScale,
    OrdinalScale,
)
from influence.dataset import Country

__all__ = [
    "cell_values",
    "check_bounds",
    "codebooks",
    "countries",
    "country_ids",
    "deferred",
    "position_values",
]

T = TypeVar("T")


def check_bounds(name: str, low: int, high: int | None) -> None:
    """Raise hypothesis's InvalidArgument unless 0 <= low <= high."""
    if low < 0:
        msg = f"min_{name}={low} must be at least 0"
        raise InvalidArgument(msg)
    if high is not None and high < low:
        msg = f"Cannot have max_{name}={high} < min_{name}={low}"
        raise InvalidArgument(msg)


def deferred(build: Callable[[], st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Build a strategy when a test first uses it, so argument errors surface then."""
    return st.deferred(build)


def country_ids() -> st.SearchStrategy[str]:
    """Generate ISO3-like country ids: three capital letters (shrinking to ``AAA``).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(country_ids())
    ... def test(country):
    ...     assert len(country) == 3 and country.isupper()
    >>> test()
    """
    return st.text(string.ascii_uppercase, min_size=3, max_size=3)


def countries(
    *, ids: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Country]:
    """Generate `influence.Country` records, with names and a capital.

    Parameters
    ----------
    ids
        Their ids; None: `country_ids`.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(countries())
    ... def test(country):
    ...     assert country.name.endswith(country.id)
    >>> test()
    """
    return st.builds(
        lambda i: Country(id=i, name=f"Country {i}", capital=f"Capital of {i}"),
        ids if ids is not None else country_ids(),
    )


#: Positions on the Moscow axis, ties and both ends included.
positions = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0, 1.0))
#: Positive weights: 1 first (so examples shrink to equal weights).
positive = st.one_of(st.just(1.0), st.floats(0.01, 100.0))


@st.composite
def _ordinal(draw: st.DrawFn, ind: str) -> OrdinalScale:
    inner = draw(
        st.lists(
            st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
            max_size=3,
            unique=True,
        )
    )
    points = [0.0, *sorted(inner), 1.0]
    levels = tuple(
        Level(
            id=f"l{n}",
            position=p,
            definition=f"Level l{n} of {ind}.",
            rationale=f"Generated at {p!r}.",
        )
        for n, p in enumerate(points)
    )
    return OrdinalScale(kind="ordinal", levels=levels)


@st.composite
def _numeric(draw: st.DrawFn) -> NumericScale:
    at_zero = draw(st.integers(-100, 100))
    at_one = draw(st.integers(-100, 100).filter(lambda v: v != at_zero))
    return NumericScale(
        kind="numeric",
        unit="units",
        at_zero=float(at_zero),
        at_one=float(at_one),
        goalposts_note="Generated.",
        reference_value_note="Generated.",
    )


def codebooks(
    *,
    min_indicators: int = 1,
    max_indicators: int | None = None,
    min_dimensions: int = 1,
    max_dimensions: int | None = None,
    kinds: Sequence[str] = ("ordinal", "numeric"),
) -> st.SearchStrategy[Codebook]:
    """Generate codebooks: dimensions ``d0``.., indicators ``i0``.. on their scales.

    Indicators are ordinal (2 to 5 levels from position 0 to 1) or numeric (integer
    goalposts); every weight is positive (zero weights come from `weights`). A
    dimension may hold no indicator.

    Parameters
    ----------
    min_indicators, max_indicators
        How many indicators (at least 1; None: ``min_indicators + 4``).
    min_dimensions, max_dimensions
        How many dimensions (at least 1; None: ``min_dimensions + 2``).
    kinds
        The scale kinds to draw from: "ordinal", "numeric".

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(codebooks(max_indicators=3))
    ... def test(codebook):
    ...     assert 1 <= len(codebook.indicators) <= 3
    >>> test()
    """

    def build() -> st.SearchStrategy[Codebook]:
        check_bounds("indicators", min_indicators, max_indicators)
        check_bounds("dimensions", min_dimensions, max_dimensions)
        if min_indicators < 1 or min_dimensions < 1:
            msg = f"A codebook needs an indicator and a dimension, got min_indicators={min_indicators}, min_dimensions={min_dimensions}"
            raise InvalidArgument(msg)
        bad = sorted(set(kinds) - {"ordinal", "numeric"})
        if bad or not kinds:
            msg = f"kinds must be a non-empty choice of 'ordinal' and 'numeric', got {list(kinds)!r}"
            raise InvalidArgument(msg)
        hi_i = max_indicators if max_indicators is not None else min_indicators + 4
        hi_d = max_dimensions if max_dimensions is not None else min_dimensions + 2
        return _codebooks(min_indicators, hi_i, min_dimensions, hi_d, tuple(kinds))

    return deferred(build)


@st.composite
def _codebooks(
    draw: st.DrawFn, lo_i: int, hi_i: int, lo_d: int, hi_d: int, kinds: tuple[str, ...]
) -> Codebook:
    n_dims = draw(st.integers(lo_d, hi_d))
    dims = tuple(
        Dimension(
            id=f"d{k}",
            name=f"Dimension {k}",
            weight=draw(positive),
            description=f"Generated dimension d{k}.",
        )
        for k in range(n_dims)
    )
    indicators = []
    for n in range(draw(st.integers(lo_i, hi_i))):
        ind = f"i{n}"
        kind = draw(st.sampled_from(kinds))
        scale = draw(_ordinal(ind)) if kind == "ordinal" else draw(_numeric())
        indicators.append(
            Indicator(
                id=ind,
                name=f"Indicator {n}",
                dimension=f"d{draw(st.integers(0, n_dims - 1))}",
                measures=f"What {ind} measures.",
                coding=f"How to code {ind}.",
                default_weight=draw(positive),
                scale=scale,
            )
        )
    # Ids sort as strings: i10 before i2, as the codebook loader sorts them.
    return Codebook(
        dimensions=tuple(sorted(dims, key=lambda d: d.id)),
        indicators=tuple(sorted(indicators, key=lambda i: i.id)),
    )


def position_values(indicator: Indicator | None) -> st.SearchStrategy[float]:
    """Generate positions an indicator's cell can hold (its levels, if ordinal)."""
    if indicator is not None and isinstance(indicator.scale, OrdinalScale):
        return st.sampled_from([lv.position for lv in indicator.scale.levels])
    return positions


#: Whether a cell is missing: one in four, shrinking to present.
_missing = st.sampled_from((False, False, False, True))


def cell_values(
    indicator: Indicator | None, allow_missing: bool
) -> st.SearchStrategy[float]:
    """Generate one cell: a position, or NaN for a missing cell."""
    values = position_values(indicator)
    if not allow_missing:
        return values
    return st.tuples(_missing, values).map(lambda t: np.nan if t[0] else t[1])
