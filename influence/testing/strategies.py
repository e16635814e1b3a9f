"""Hypothesis strategies for the objects of `influence`, valid by construction.

Strategies are plural nouns; their bounds are keyword-only ``min_*``/``max_*``
arguments, checked when a test first draws from the strategy (so a bad argument
fails the test that uses it, not the import). Everything generated is valid, edge
cases included (missing cells, ties, zero weights, a single indicator), and
shrinks to small readable examples: countries ``AAA``, indicators ``i0``,
dimensions ``d0``, levels ``l0``, sources ``s0``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from influence.codebook import Codebook, Indicator
from influence.model import Model
from influence.testing._datasets import datasets, observations
from influence.testing._records import (
    cell_values,
    check_bounds,
    codebooks,
    countries,
    country_ids,
    deferred,
    positive,
)
from influence.testing._scorers import ModelScorer, Series, as_scorer

__all__ = [
    "codebooks",
    "countries",
    "country_ids",
    "datasets",
    "from_codebook",
    "models",
    "observations",
    "panels",
    "scorers",
    "weights",
]

MISSING_POLICIES = ("redistribute", "as_reference", "as_farthest")


def panels(
    *,
    codebook: Codebook | None = None,
    min_countries: int = 2,
    max_countries: int | None = None,
    min_indicators: int | None = None,
    max_indicators: int | None = None,
    reference: str = "RUS",
    allow_missing: bool = True,
) -> st.SearchStrategy[pd.DataFrame]:
    """Generate positions tables: countries x indicators, with a reference row.

    Rows are sorted country ids (named ``country``), the reference among them;
    columns are indicator ids (named ``indicator``); values are positions in
    [0, 1], or NaN for a missing cell.

    Parameters
    ----------
    codebook
        Take the indicators (and ordinal levels) from this codebook; None makes
        up indicators ``i0``, ``i1``, ... with any positions.
    min_countries, max_countries
        How many rows, the reference's included (at least 1; None: min + 4).
    min_indicators, max_indicators
        How many indicators, without a codebook (default 1; None: min + 4).
    reference
        The id of the reference row.
    allow_missing
        Whether cells may be missing (NaN).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(panels(min_countries=3))
    ... def test(positions):
    ...     assert "RUS" in positions.index and len(positions) >= 3
    >>> test()
    """

    def build() -> st.SearchStrategy[pd.DataFrame]:
        check_bounds("countries", min_countries, max_countries)
        if min_countries < 1:
            msg = f"min_countries={min_countries} must be at least 1 (the reference)"
            raise InvalidArgument(msg)
        hi_c = max_countries if max_countries is not None else min_countries + 4
        if codebook is not None:
            if min_indicators is not None or max_indicators is not None:
                msg = "Cannot pass min_indicators or max_indicators with a codebook"
                raise InvalidArgument(msg)
            inds = tuple(codebook.indicators)
            return _table(inds, min_countries, hi_c, reference, allow_missing)
        lo_i = 1 if min_indicators is None else min_indicators
        check_bounds("indicators", lo_i, max_indicators)
        hi_i = max_indicators if max_indicators is not None else lo_i + 4
        # One table strategy per number of indicators, fewest first (shrinks there).
        return st.one_of(
            [
                _table(
                    tuple(f"i{n}" for n in range(k)),
                    min_countries,
                    hi_c,
                    reference,
                    allow_missing,
                )
                for k in range(max(lo_i, 1), max(hi_i, 1) + 1)
            ]
        )

    return deferred(build)


def _table(
    columns: tuple[Indicator, ...] | tuple[str, ...],
    lo: int,
    hi: int,
    reference: str,
    allow_missing: bool,
) -> st.SearchStrategy[pd.DataFrame]:
    """Tables of positions with these columns and between lo and hi rows."""
    inds = [c if isinstance(c, Indicator) else None for c in columns]
    names = [c.id if isinstance(c, Indicator) else c for c in columns]
    # A country's id and its row are drawn together, so that the shrinker can
    # drop a whole country in one step.
    row = st.tuples(*(cell_values(ind, allow_missing) for ind in inds))
    others = st.lists(
        st.tuples(country_ids().filter(lambda c: c != reference), row),
        min_size=lo - 1,
        max_size=hi - 1,
        unique_by=lambda t: t[0],
    )

    def frame(
        first: tuple[float, ...], rest: list[tuple[str, tuple[float, ...]]]
    ) -> pd.DataFrame:
        rows = sorted([(reference, first), *rest])
        return pd.DataFrame(
            [list(values) for _, values in rows],
            index=pd.Index([c for c, _ in rows], name="country"),
            columns=pd.Index(names, name="indicator"),
            dtype=float,
        )

    return st.tuples(row, others).map(lambda t: frame(*t))


def from_codebook(
    codebook: Codebook,
    *,
    min_countries: int = 2,
    max_countries: int | None = None,
    reference: str = "RUS",
    allow_missing: bool = True,
) -> st.SearchStrategy[pd.DataFrame]:
    """Generate positions tables for a codebook's indicators (see `panels`).

    Examples
    --------
    >>> from hypothesis import given
    >>> from influence import load_codebook
    >>> codebook = load_codebook()
    >>> @given(from_codebook(codebook, max_countries=3))
    ... def test(positions):
    ...     assert list(positions.columns) == list(codebook.indicator_ids)
    >>> test()
    """
    return panels(
        codebook=codebook,
        min_countries=min_countries,
        max_countries=max_countries,
        reference=reference,
        allow_missing=allow_missing,
    )


def weights(
    indicators: Sequence[str] | pd.Index,
    *,
    allow_zero: bool = True,
    min_value: float = 0.01,
    max_value: float = 100.0,
) -> st.SearchStrategy[Series]:
    """Generate indicator weights: a Series indexed by ``indicators``.

    At least one weight is positive; the others are 0 (if ``allow_zero``) or in
    [``min_value``, ``max_value``], shrinking to 1.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(weights(["i0", "i1"]))
    ... def test(w):
    ...     assert list(w.index) == ["i0", "i1"] and w.sum() > 0
    >>> test()
    """
    ids = [str(i) for i in indicators]

    def build() -> st.SearchStrategy[Series]:
        if not ids or len(set(ids)) != len(ids):
            msg = f"indicators must be distinct ids, at least one, got {ids!r}"
            raise InvalidArgument(msg)
        if not 0 < min_value <= max_value < float("inf"):
            msg = f"Cannot have min_value={min_value!r}, max_value={max_value!r}: need 0 < min_value <= max_value < inf"
            raise InvalidArgument(msg)
        one = st.one_of(st.just(1.0), st.floats(min_value, max_value))
        if allow_zero:
            one = st.one_of(one, st.just(0.0))
        values = st.lists(one, min_size=len(ids), max_size=len(ids))
        return values.map(_at_least_one).map(
            lambda v: pd.Series(v, index=pd.Index(ids, name="indicator"), name="weight")
        )

    return deferred(build)


def _at_least_one(values: list[float]) -> list[float]:
    return values if any(v > 0 for v in values) else [1.0, *values[1:]]


def models(
    *,
    codebook: Codebook | None = None,
    reference: str = "RUS",
    missing: st.SearchStrategy[str] | None = None,
    min_coverage: st.SearchStrategy[float] | None = None,
    min_dimension_coverage: st.SearchStrategy[float] | None = None,
    max_p: float = 4.0,
) -> st.SearchStrategy[Model]:
    """Generate `influence.Model` configurations, valid for ``codebook``.

    Parameters
    ----------
    codebook
        Weights and exponents name its indicators and dimensions; None: the model
        has only the overall exponent ``p`` and no weights.
    reference
        The model's reference.
    missing
        Missing policies; None: all three.
    min_coverage
        Minimum coverages; None: 0, 0.5 or any share.
    min_dimension_coverage
        Dimension rules; None: 0 (off), 0.5 (the default) or any share.
    max_p
        The largest exponent (>= 1).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(models(missing=st.just("redistribute")))
    ... def test(model):
    ...     assert model.missing == "redistribute" and model.p >= 1
    >>> test()
    """

    def build() -> st.SearchStrategy[Model]:
        if not 1.0 <= max_p < float("inf"):
            msg = f"max_p={max_p!r} must be a finite float >= 1"
            raise InvalidArgument(msg)
        return _models(
            codebook,
            reference,
            missing if missing is not None else st.sampled_from(MISSING_POLICIES),
            min_coverage
            if min_coverage is not None
            else st.one_of(st.sampled_from([0.0, 0.5]), st.floats(0.0, 1.0)),
            min_dimension_coverage
            if min_dimension_coverage is not None
            else st.one_of(st.sampled_from([0.0, 0.5]), st.floats(0.0, 1.0)),
            st.one_of(st.just(1.0), st.floats(1.0, max_p)),
        )

    return deferred(build)


@st.composite
def _models(
    draw: st.DrawFn,
    codebook: Codebook | None,
    reference: str,
    missing: st.SearchStrategy[str],
    coverage: st.SearchStrategy[float],
    rule: st.SearchStrategy[float],
    exponents: st.SearchStrategy[float],
) -> Model:
    weights: dict[str, float] = {}
    dimension_p: dict[str, float] = {}
    if codebook is not None:
        ids = [*codebook.dimension_ids, *codebook.indicator_ids]
        for key in draw(st.lists(st.sampled_from(ids), unique=True)):
            weights[key] = draw(positive)
        for dim in draw(st.lists(st.sampled_from(codebook.dimension_ids), unique=True)):
            dimension_p[dim] = draw(exponents)
    return Model(
        reference=reference,
        weights=weights,
        p=draw(exponents),
        dimension_p=dimension_p,
        missing=draw(missing),
        min_coverage=draw(coverage),
        min_dimension_coverage=draw(rule),
    )


def scorers(
    *,
    codebook: Codebook | None = None,
    missing: st.SearchStrategy[str] | None = None,
    min_coverage: st.SearchStrategy[float] | None = None,
    min_dimension_coverage: st.SearchStrategy[float] | None = None,
    max_p: float = 4.0,
) -> st.SearchStrategy[ModelScorer]:
    """Generate the library's models as scorers (`as_scorer`), with their codebook.

    Parameters
    ----------
    codebook
        The codebook; None draws one from `codebooks`.
    missing, min_coverage, min_dimension_coverage, max_p
        As for `models`.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(scorers())
    ... def test(scorer):
    ...     assert scorer.codebook is not None and scorer.metric
    >>> test()
    """
    books = st.just(codebook) if codebook is not None else codebooks(max_indicators=4)
    return books.flatmap(
        lambda cb: models(
            codebook=cb,
            missing=missing,
            min_coverage=min_coverage,
            min_dimension_coverage=min_dimension_coverage,
            max_p=max_p,
        ).map(lambda m: as_scorer(m, codebook=cb))
    )
