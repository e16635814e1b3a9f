"""Strategies for observations and whole datasets, every reference resolving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from influence.codebook import Codebook, Indicator, OrdinalScale
from influence.dataset import (
    Country,
    Dataset,
    DatasetInfo,
    Evidence,
    Observation,
    Source,
)
from influence.testing._records import check_bounds, codebooks, country_ids, deferred

__all__ = ["datasets", "observations"]

_FIRST = dt.date(2000, 1, 1)
_LAST = dt.date(2030, 12, 31)


def values(indicator: Indicator) -> st.SearchStrategy[str | float]:
    """Generate coded values of an indicator: level ids, or numbers around goalposts."""
    scale = indicator.scale
    if isinstance(scale, OrdinalScale):
        return st.sampled_from([lv.id for lv in scale.levels])
    lo, hi = sorted((scale.at_zero, scale.at_one))
    half = (hi - lo) / 2
    return st.one_of(
        st.sampled_from([scale.at_zero, scale.at_one]),
        st.floats(lo - half, hi + half),
    )


def _source(k: int) -> Source:
    return Source(
        id=f"s{k}",
        title=f"Source s{k}",
        outlet="Generated outlet",
        kind="news",
        reliability="moderate",
        reliability_note="Generated for a test.",
    )


@st.composite
def _observation(
    draw: st.DrawFn,
    indicator: Indicator,
    country: str,
    valid_from: dt.date,
    sources: Sequence[str],
    expiring: bool = True,
) -> Observation:
    until = draw(
        st.one_of(
            st.none(),
            st.integers(1, 3000).map(lambda d: valid_from + dt.timedelta(days=d)),
        )
        if expiring
        else st.none()
    )
    quotes = draw(st.lists(st.sampled_from(sources), min_size=1, max_size=2))
    return Observation(
        country=country,
        indicator=indicator.id,
        value=draw(values(indicator)),
        valid_from=valid_from,
        valid_until=until,
        confidence=draw(st.one_of(st.just(1.0), st.floats(0.0, 1.0))),
        evidence=tuple(
            Evidence(source=s, quote=f"A quote on {country} and {indicator.id}.")
            for s in quotes
        ),
    )


def observations(
    *,
    codebook: Codebook | None = None,
    countries: Sequence[str] = ("RUS",),
    sources: Sequence[str] = ("s0",),
    min_date: dt.date = _FIRST,
    max_date: dt.date = _LAST,
) -> st.SearchStrategy[Observation]:
    """Generate observations of a codebook's indicators, each with evidence.

    Parameters
    ----------
    codebook
        Whose indicators are observed; None draws a codebook.
    countries, sources
        The ids that observations and their evidence may name.
    min_date, max_date
        The range of ``valid_from``.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(observations(countries=["ARM", "RUS"]))
    ... def test(obs):
    ...     assert obs.country in ("ARM", "RUS") and obs.evidence
    >>> test()
    """

    def build() -> st.SearchStrategy[Observation]:
        if not countries or not sources:
            msg = f"countries and sources must not be empty, got {list(countries)!r} and {list(sources)!r}"
            raise InvalidArgument(msg)
        if max_date < min_date:
            msg = f"Cannot have max_date={max_date} < min_date={min_date}"
            raise InvalidArgument(msg)
        books = st.just(codebook) if codebook is not None else codebooks()
        return books.flatmap(
            lambda cb: st.tuples(
                st.sampled_from(cb.indicators),
                st.sampled_from(list(countries)),
                st.dates(min_date, max_date),
            ).flatmap(lambda t: _observation(t[0], t[1], t[2], list(sources)))
        )

    return deferred(build)


def datasets(
    *,
    codebook: Codebook | None = None,
    min_countries: int = 1,
    max_countries: int | None = None,
    reference: str | None = "RUS",
    allow_gaps: bool = True,
    allow_conflicts: bool = True,
    max_dates: int = 3,
) -> st.SearchStrategy[Dataset]:
    """Generate validated `influence.Dataset` objects.

    Parameters
    ----------
    codebook
        The codebook; None draws a small one.
    min_countries, max_countries
        How many countries (None: ``min_countries + 4``).
    reference
        A country every dataset has (default RUS, the default reference); None
        for none in particular.
    allow_gaps
        Whether a cell may be empty at the declared date (no observation, none
        valid yet, an expired one or an unresolved conflict); False gives a
        complete panel at the declared date.
    allow_conflicts
        Whether a cell may have two observations from the same date (resolved
        by a lower confidence when ``allow_gaps`` is False).
    max_dates
        The most dates a cell can have observations from (at least 1): a cell's
        history, some of it after the dataset's declared date.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(datasets(max_countries=3))
    ... def test(ds):
    ...     assert "RUS" in ds.country_ids
    ...     assert ds.panel().positions.shape[0] == len(ds.countries)
    >>> test()
    """

    def build() -> st.SearchStrategy[Dataset]:
        check_bounds("countries", min_countries, max_countries)
        hi = max_countries if max_countries is not None else min_countries + 4
        if reference is not None and hi < 1:
            msg = f"Cannot have max_countries={hi} with reference={reference!r}"
            raise InvalidArgument(msg)
        if max_dates < 1:
            msg = f"max_dates={max_dates} must be at least 1"
            raise InvalidArgument(msg)
        books = (
            st.just(codebook) if codebook is not None else codebooks(max_indicators=4)
        )
        options = (reference, allow_gaps, allow_conflicts, max_dates)
        return books.flatmap(lambda cb: _datasets(cb, min_countries, hi, *options))

    return deferred(build)


@st.composite
def _datasets(
    draw: st.DrawFn,
    codebook: Codebook,
    lo: int,
    hi: int,
    reference: str | None,
    allow_gaps: bool,
    allow_conflicts: bool,
    max_dates: int,
) -> Dataset:
    forced = [reference] if reference is not None else []
    others = draw(
        st.lists(
            country_ids().filter(lambda c: c not in forced),
            min_size=max(lo - len(forced), 0),
            max_size=hi - len(forced),
            unique=True,
        )
    )
    ids = sorted([*forced, *others])
    sources = [_source(k) for k in range(draw(st.integers(1, 2)))]
    source_ids = [s.id for s in sources]
    declared = draw(st.dates(dt.date(2001, 1, 1), _LAST))
    # With gaps allowed, some observations start after the declared date.
    last = declared + dt.timedelta(days=365) if allow_gaps else declared
    days = st.dates(_FIRST, last)
    found: list[Observation] = []
    for country in ids:
        for ind in codebook.indicators:
            n = draw(st.integers(0 if allow_gaps else 1, max_dates))
            for day in sorted(
                draw(st.lists(days, min_size=n, max_size=n, unique=True))
            ):
                obs = draw(_observation(ind, country, day, source_ids, allow_gaps))
                found.append(obs)
                if allow_conflicts and draw(st.booleans()):
                    other = draw(
                        _observation(ind, country, day, source_ids, allow_gaps)
                    )
                    if not allow_gaps:
                        # A strictly lower confidence resolves the conflict.
                        if obs.confidence == 0:
                            continue
                        other = other.model_copy(
                            update={"confidence": obs.confidence / 2}
                        )
                    found.append(other)
    return Dataset(
        info=DatasetInfo(name="Generated dataset", version="0", date=declared),
        codebook=codebook,
        countries=tuple(Country(id=c, name=f"Country {c}") for c in ids),
        sources=tuple(sources),
        observations=tuple(found),
    )
