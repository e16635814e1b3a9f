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
from influence.panel import Panel
from influence.scoring import Scored, score_panel, table

__all__ = ["CAUSES", "Cause", "Diff", "dates_between", "diff", "trajectory"]

Freq = Literal["year", "half", "quarter", "month"]
_MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}

#: Why a cell's part of a change is there: its coded value changed; it was not coded
#: at the first date and is at the second; the other way round; or the codebook's
#: applicability of the cell changed (e.g. the war indicator from 20 February 2014).
Cause = Literal["changed_value", "newly_coded", "no_longer_coded", "applicability"]
CAUSES: tuple[Cause, ...] = (
    "changed_value",
    "newly_coded",
    "no_longer_coded",
    "applicability",
)
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
    """Return ``start``, every whole step of ``freq`` after it before ``end``, and ``end``.

    The end date is always included, so a trajectory reaches the date asked for
    (the dataset date, say) even when it is not a whole step from the start.

    Examples
    --------
    >>> dates_between(dt.date(2020, 1, 31), dt.date(2020, 4, 1), "month")
    [datetime.date(2020, 1, 31), datetime.date(2020, 2, 29), datetime.date(2020, 3, 31), datetime.date(2020, 4, 1)]
    >>> [d.isoformat() for d in dates_between(dt.date(2025, 1, 1), dt.date(2026, 3, 1), "half")]
    ['2025-01-01', '2025-07-01', '2026-01-01', '2026-03-01']
    """
    start, end = _check_span(start, end, "dates_between")
    if freq not in _MONTHS:
        msg = f"The 'freq' parameter must be one of year, half, quarter, month. Got {freq!r} instead."
        raise InvalidArgument(msg)
    out: list[dt.date] = []
    day, k = start, 0
    while day < end:
        out.append(day)
        k += 1
        months = k * _MONTHS[freq]
        if (start.year * 12 + start.month - 1 + months) // 12 > dt.MAXYEAR:
            break  # the next step would leave the calendar: end is next anyway
        day = _add_months(start, months)
    out.append(end)
    return out


def _balanced_cells(ds: Dataset, model: Model, days: list[dt.date]) -> np.ndarray:
    """Cells coded and applicable at every date: the fixed set of a balanced run."""
    cells: np.ndarray | None = None
    for day in days:
        coded = score_panel(ds.panel(day), model).coded
        cells = coded if cells is None else cells & coded
    assert cells is not None  # days is never empty
    return cells


def trajectory(
    dataset: Dataset | None = None,
    *,
    start: dt.date,
    end: dt.date,
    freq: Freq = "year",
    balanced: bool = False,
    reference: str = "RUS",
    weights: Mapping[str, float] | None = None,
    p: float | Mapping[str, float] = 1.0,
    missing: MissingPolicy = "redistribute",
    min_coverage: float = 0.5,
    min_dimension_coverage: float = 0.5,
    model: Model | None = None,
) -> pd.DataFrame:
    """Return each state's distance at regular dates from ``start`` to ``end``.

    Parameters
    ----------
    start, end
        The first and the last date (see `dates_between`: ``end`` is always included).
    freq
        Step between dates: "year", "half" (1 January and 1 July from a 1 January
        start), "quarter" or "month".
    balanced
        Score every date on the same cells: those coded (and applicable) at every
        date of the run, so that a cell starting or ceasing to be coded cannot move
        the line. ``coverage`` still reports each date's real coverage, and
        ``min_coverage`` is judged on it.
    reference, weights, p, missing, min_coverage, min_dimension_coverage, model
        As for `influence.score`.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (date, state), sorted by date then ISO3, with the columns
        of `influence.score` after a first column ``date``, then ``change`` (the
        distance minus the state's distance at the previous date; NaN at the first
        date or where either is missing) and one column per cause of `CAUSES`
        (``changed_value``, ``newly_coded``, ``no_longer_coded``,
        ``applicability``): the parts of ``change`` that come from cells whose value
        changed, that started or stopped being coded, or whose applicability
        changed (`diff` between consecutive dates; they add up to ``change``).

    Examples
    --------
    >>> import influence
    >>> t = influence.trajectory(start=dt.date(2014, 1, 1), end=dt.date(2016, 1, 1))
    >>> sorted(set(t["date"].astype(str)))
    ['2014-01-01', '2015-01-01', '2016-01-01']
    >>> row = t[t["date"].astype(str) == "2016-01-01"].dropna(subset=["change"]).iloc[0]
    >>> bool(abs(row[list(CAUSES)].sum() - row["change"]) < 1e-12)
    True
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
        min_dimension_coverage=min_dimension_coverage,
    )
    if not isinstance(balanced, bool):
        msg = f"The 'balanced' parameter of trajectory must be True or False. Got {balanced!r} instead."
        raise InvalidArgument(msg)
    days = dates_between(start, end, freq)
    cells = _balanced_cells(ds, model, days) if balanced else None
    names = {c.id: c.name for c in ds.countries}
    frames = []
    before: tuple[Panel, Scored] | None = None
    for day in days:
        panel = ds.panel(day)
        scored = score_panel(panel, model, cells=cells)
        frame = table(scored, names)
        frame.insert(0, "date", day)
        by_cause = {cause: np.full(len(frame), np.nan) for cause in CAUSES}
        change = np.full(len(frame), np.nan)
        if before is not None:
            summary, _ = _changes(before, (panel, scored), names)
            change = summary["change"].to_numpy(dtype=float)
            for cause in CAUSES:
                by_cause[cause] = np.where(
                    np.isnan(change), np.nan, summary[cause].to_numpy(dtype=float)
                )
        frame["change"] = change
        for cause in CAUSES:
            frame[cause] = by_cause[cause]
        frames.append(frame)
        before = (panel, scored)
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "reference": model.reference,
        "model": model.model_dump(mode="json"),
        "freq": freq,
        "balanced": balanced,
    }
    return out


@dataclass(frozen=True)
class Diff:
    """The change of each state's distance between two dates, and its parts.

    ``summary`` has one row per state: ``country``, ``name``, ``distance_from``,
    ``distance_to``, ``change``, ``coverage_from``, ``coverage_to`` and the sum of
    the parts of each cause (`CAUSES`). ``parts`` has one row per (state, indicator)
    whose gap or state changed: its ``cause``, the cell's state at both dates
    (``coded``, ``not_coded``, ``not_applicable``), values and gaps at both dates,
    the ``part`` of the change it accounts for (the parts of a state add up to its
    change), and the observation and ``evidence`` now behind the cell (or, for a
    cell no longer coded, the one before), as ``(source, quote, stance)`` triples:
    contradicting evidence is kept and marked.
    """

    start: dt.date
    end: dt.date
    summary: pd.DataFrame
    parts: pd.DataFrame


def _switched(
    scored: Scored,
    row: int,
    ends: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    changed: list[int],
    masks: np.ndarray,
) -> np.ndarray:
    """Distance of one state for each mask of changed cells switched to the end date.

    ``ends`` holds (gaps, applicable) of the state's row at both dates. Coverage is
    judged at the two dates only; in between, every coalition is scored, each with
    the dimension rule of the model.
    """
    (g0, a0), (g1, a1) = ends
    gaps = np.repeat(g0[None, :], len(masks), axis=0)
    app = np.repeat(a0[None, :], len(masks), axis=0)
    for j, col in enumerate(changed):
        gaps[masks[:, j], col] = g1[col]
        app[masks[:, j], col] = a1[col]
    res = scored.rescore(gaps[:, None, :], 0.0, app[:, None, :])
    return np.nan_to_num(res.distance[:, 0])


def _parts(
    scored: Scored,
    row: int,
    ends: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    changed: list[int],
) -> dict[int, float]:
    k = len(changed)
    if k == 0:
        return {}
    if k > MAX_SHAPLEY:
        # Switch the cells one after another, in id order: row s has the first s.
        steps = np.tril(np.ones((k + 1, k), dtype=bool), -1)
        values = _switched(scored, row, ends, changed, steps)
        return {col: float(values[s + 1] - values[s]) for s, col in enumerate(changed)}
    masks = np.array(list(itertools.product([False, True], repeat=k)), dtype=bool)
    values = _switched(scored, row, ends, changed, masks)
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


def _state(scored: Scored, row: int, col: int) -> str:
    if not scored.applicable[row, col]:
        return "not_applicable"
    return "coded" if scored.coded[row, col] else "not_coded"


def _cause(before: str, after: str) -> Cause:
    if "not_applicable" in (before, after):
        return "applicability"
    if before == after:
        return "changed_value"
    return "newly_coded" if after == "coded" else "no_longer_coded"


_PART_COLUMNS = [
    "country",
    "indicator",
    "cause",
    "from_state",
    "to_state",
    "from_value",
    "to_value",
    "from_gap",
    "to_gap",
    "part",
    "observation",
    "evidence",
]


def _changes(
    first: tuple[Panel, Scored], second: tuple[Panel, Scored], names: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the summary and the parts of the change between two scored panels."""
    (p0, s0), (p1, s1) = first, second
    reference = s0.model.reference
    summary, parts = [], []
    for row, country in enumerate(s0.countries):
        if country == reference:
            continue
        d0, d1 = s0.result.distance[row], s1.result.distance[row]
        entry: dict[str, object] = {
            "country": country,
            "name": names[country],
            "distance_from": d0,
            "distance_to": d1,
            "change": d1 - d0,
            "coverage_from": s0.result.coverage[row],
            "coverage_to": s1.result.coverage[row],
        }
        sums: dict[str, float] = dict.fromkeys(CAUSES, 0.0)
        if not (np.isnan(d0) or np.isnan(d1)):
            g0, g1 = s0.gaps[row], s1.gaps[row]
            a0, a1 = s0.applicable[row], s1.applicable[row]
            changed = [
                k for k in range(len(g0)) if a0[k] != a1[k] or not _same(g0[k], g1[k])
            ]
            ends = ((g0, a0), (g1, a1))
            for col, part in _parts(s0, row, ends, changed).items():
                indicator = s0.indicators[col]
                obs0 = p0.observation(country, indicator)
                obs1 = p1.observation(country, indicator)
                shown = obs1 if obs1 is not None else obs0
                before, after = _state(s0, row, col), _state(s1, row, col)
                cause = _cause(before, after)
                sums[cause] += part
                parts.append(
                    {
                        "country": country,
                        "indicator": indicator,
                        "cause": cause,
                        "from_state": before,
                        "to_state": after,
                        "from_value": obs0.value if obs0 else None,
                        "to_value": obs1.value if obs1 else None,
                        "from_gap": g0[col],
                        "to_gap": g1[col],
                        "part": part,
                        "observation": shown.origin if shown else None,
                        "evidence": tuple(
                            (e.source, e.quote, e.stance) for e in shown.evidence
                        )
                        if shown
                        else (),
                    }
                )
        else:
            sums = dict.fromkeys(CAUSES, np.nan)
        entry.update(sums)
        summary.append(entry)
    return pd.DataFrame(summary), pd.DataFrame(parts, columns=_PART_COLUMNS)


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
    min_dimension_coverage: float = 0.5,
    model: Model | None = None,
) -> Diff:
    """Return how far each state moved between two dates, and which cells moved it.

    A state's change is split over the cells whose gap or state changed by Shapley
    values over those cells (exact for up to `MAX_SHAPLEY` of them, else a
    sequential split in id order): the parts add up to the change, whatever the
    exponent, missing policy or dimension rule. Each part carries its cause
    (`CAUSES`), so a change that only reflects a cell starting to be coded is told
    apart from a change of the record.

    Examples
    --------
    >>> import influence
    >>> d = influence.diff(start=dt.date(2014, 1, 1), end=dt.date(2026, 1, 1))
    >>> sums = d.parts.groupby("country")["part"].sum()
    >>> moved = d.summary.set_index("country")["change"].loc[sums.index]
    >>> bool(np.allclose(sums, moved))
    True
    >>> sorted(set(d.parts["cause"])) <= sorted(CAUSES)
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
        min_dimension_coverage=min_dimension_coverage,
    )
    p0, p1 = ds.panel(start), ds.panel(end)
    first = (p0, score_panel(p0, model))
    second = (p1, score_panel(p1, model))
    summary, parts = _changes(first, second, {c.id: c.name for c in ds.countries})
    return Diff(start, end, summary, parts)


def _same(a: float, b: float) -> bool:
    return bool((np.isnan(a) and np.isnan(b)) or a == b)
