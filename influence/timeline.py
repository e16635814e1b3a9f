"""Distances over time: `trajectory` at regular dates and `diff` between two dates."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from influence.dataset import Dataset, load
from influence.errors import InvalidArgument
from influence.model import MissingPolicy, Model, model_from_args
from influence.scoring import Scored, score_panel, table

__all__ = ["Diff", "dates_between", "diff", "trajectory"]

Freq = Literal["year", "quarter", "month"]
_MONTHS = {"year": 12, "quarter": 3, "month": 1}
#: Above this many changed indicators, exact Shapley parts (2**k coalitions) give way
#: to a sequential decomposition in indicator-id order, which still adds up exactly.
MAX_SHAPLEY = 14


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _check_date(name: str, value: object, caller: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        msg = f"The {name!r} parameter of {caller} must be a datetime.date. Got {value!r} instead."
        raise InvalidArgument(msg)
    return value


def _check_span(start: object, end: object, caller: str) -> tuple[dt.date, dt.date]:
    first, last = _check_date("start", start, caller), _check_date("end", end, caller)
    if last < first:
        msg = f"Cannot have end={last} < start={first} in {caller}."
        raise InvalidArgument(msg)
    return first, last


def dates_between(start: dt.date, end: dt.date, freq: Freq = "year") -> list[dt.date]:
    """Return ``start`` and every whole step of ``freq`` after it, up to ``end``.

    Examples
    --------
    >>> dates_between(dt.date(2020, 1, 31), dt.date(2020, 4, 1), "month")
    [datetime.date(2020, 1, 31), datetime.date(2020, 2, 29), datetime.date(2020, 3, 31)]
    """
    start, end = _check_span(start, end, "dates_between")
    if freq not in _MONTHS:
        msg = f"The 'freq' parameter must be one of year, quarter, month. Got {freq!r} instead."
        raise InvalidArgument(msg)
    out: list[dt.date] = []
    day, k = start, 0
    while day <= end:
        out.append(day)
        k += 1
        day = _add_months(start, k * _MONTHS[freq])
    return out


def trajectory(
    dataset: Dataset | None = None,
    *,
    start: dt.date,
    end: dt.date,
    freq: Freq = "year",
    reference: str = "RUS",
    weights: Mapping[str, float] | None = None,
    p: float | Mapping[str, float] = 1.0,
    missing: MissingPolicy = "redistribute",
    min_coverage: float = 0.5,
    model: Model | None = None,
) -> pd.DataFrame:
    """Return each state's distance at regular dates from ``start`` to ``end``.

    Parameters
    ----------
    start, end
        The first date, and the last date allowed (see `dates_between`).
    freq
        Step between dates: "year", "quarter" or "month".
    reference, weights, p, missing, min_coverage, model
        As for `influence.score`.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (date, state), sorted by date then ISO3, with the columns
        of `influence.score` after a first column ``date``.

    Examples
    --------
    >>> import influence
    >>> t = influence.trajectory(start=dt.date(2014, 1, 1), end=dt.date(2016, 1, 1))
    >>> sorted(set(t["date"].astype(str)))
    ['2014-01-01', '2015-01-01', '2016-01-01']
    """
    ds = dataset if dataset is not None else load()
    model = model_from_args(
        "trajectory",
        model,
        reference=reference,
        weights=weights,
        p=p,
        missing=missing,
        min_coverage=min_coverage,
    )
    names = {c.id: c.name for c in ds.countries}
    frames = []
    for day in dates_between(start, end, freq):
        frame = table(score_panel(ds.panel(day), model), names)
        frame.insert(0, "date", day)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "reference": model.reference,
        "model": model.model_dump(mode="json"),
        "freq": freq,
    }
    return out


@dataclass(frozen=True)
class Diff:
    """The change of each state's distance between two dates, and its parts.

    ``summary`` has one row per state: ``country``, ``name``, ``distance_from``,
    ``distance_to``, ``change``. ``parts`` has one row per (state, indicator) whose
    gap changed: the values and positions at both dates, the ``part`` of the change
    it accounts for (the parts of a state add up to its change) and the observation
    and evidence now behind the cell.
    """

    start: dt.date
    end: dt.date
    summary: pd.DataFrame
    parts: pd.DataFrame


def _coalition_values(
    scored: Scored, g0: np.ndarray, g1: np.ndarray, changed: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Distances for every subset of changed indicators switched to their new gap."""
    masks = np.array(list(itertools.product([False, True], repeat=len(changed))))
    gaps = np.repeat(g0[None, :], len(masks), axis=0)
    for j, col in enumerate(changed):
        gaps[masks[:, j], col] = g1[col]
    # Coverage is judged at the two dates; in between, every coalition is scored.
    return masks, np.nan_to_num(scored.rescore(gaps[:, None, :], 0.0).distance[:, 0])


def _parts(
    scored0: Scored, scored1: Scored, row: int, changed: list[int]
) -> dict[int, float]:
    g0, g1 = scored0.gaps[row], scored1.gaps[row]
    k = len(changed)
    if k > MAX_SHAPLEY:
        # Switch the cells one after another, in id order: row s has the first s.
        steps = np.repeat(g0[None, :], k + 1, axis=0)
        for s, col in enumerate(changed, start=1):
            steps[s:, col] = g1[col]
        values = np.nan_to_num(scored0.rescore(steps[:, None, :], 0.0).distance[:, 0])
        return {col: float(values[s + 1] - values[s]) for s, col in enumerate(changed)}
    masks, values = _coalition_values(scored0, g0, g1, changed)
    index = {tuple(m): v for m, v in zip(map(tuple, masks), values, strict=True)}
    out = {}
    for j, col in enumerate(changed):
        total = 0.0
        for m, v in index.items():
            if m[j]:
                continue
            size = sum(m)
            weight = (
                math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            )
            with_j = (*m[:j], True, *m[j + 1 :])
            total += weight * (index[with_j] - v)
        out[col] = total
    return out


def diff(
    dataset: Dataset | None = None,
    *,
    start: dt.date,
    end: dt.date,
    reference: str = "RUS",
    weights: Mapping[str, float] | None = None,
    p: float | Mapping[str, float] = 1.0,
    missing: MissingPolicy = "redistribute",
    min_coverage: float = 0.5,
    model: Model | None = None,
) -> Diff:
    """Return how far each state moved between two dates, and which cells moved it.

    A state's change is split over the indicators whose gap changed by Shapley
    values over those indicators (exact for up to `MAX_SHAPLEY` of them, else a
    sequential split in id order): the parts add up to the change, whatever the
    exponent or missing policy.

    Examples
    --------
    >>> import influence
    >>> d = influence.diff(start=dt.date(2014, 1, 1), end=dt.date(2026, 1, 1))
    >>> sums = d.parts.groupby("country")["part"].sum()
    >>> moved = d.summary.set_index("country")["change"].loc[sums.index]
    >>> bool(np.allclose(sums, moved))
    True

    References
    ----------
    Shapley, L. S. (1953). A value for n-person games. Contributions to the Theory of
    Games II, 307-317. doi:10.1515/9781400881970-018
    """
    start, end = _check_span(start, end, "diff")
    ds = dataset if dataset is not None else load()
    model = model_from_args(
        "diff",
        model,
        reference=reference,
        weights=weights,
        p=p,
        missing=missing,
        min_coverage=min_coverage,
    )
    p0, p1 = ds.panel(start), ds.panel(end)
    s0, s1 = score_panel(p0, model), score_panel(p1, model)
    names = {c.id: c.name for c in ds.countries}
    summary, parts = [], []
    for row, country in enumerate(s0.countries):
        if country == model.reference:
            continue
        d0, d1 = s0.result.distance[row], s1.result.distance[row]
        summary.append(
            {
                "country": country,
                "name": names[country],
                "distance_from": d0,
                "distance_to": d1,
                "change": d1 - d0,
            }
        )
        if np.isnan(d0) or np.isnan(d1):
            continue
        g0, g1 = s0.gaps[row], s1.gaps[row]
        changed = [k for k in range(len(g0)) if not _same(g0[k], g1[k])]
        for col, part in _parts(s0, s1, row, changed).items():
            indicator = s0.indicators[col]
            obs0, obs1 = (
                p0.observation(country, indicator),
                p1.observation(country, indicator),
            )
            parts.append(
                {
                    "country": country,
                    "indicator": indicator,
                    "from_value": obs0.value if obs0 else None,
                    "to_value": obs1.value if obs1 else None,
                    "from_gap": g0[col],
                    "to_gap": g1[col],
                    "part": part,
                    "observation": obs1.origin if obs1 else None,
                    "evidence": tuple((e.source, e.quote) for e in obs1.evidence)
                    if obs1
                    else (),
                }
            )
    columns = [
        "country",
        "indicator",
        "from_value",
        "to_value",
        "from_gap",
        "to_gap",
        "part",
        "observation",
        "evidence",
    ]
    return Diff(start, end, pd.DataFrame(summary), pd.DataFrame(parts, columns=columns))


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b
