"""From a `Dataset` to the country x indicator `Panel` of positions at one date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from influence.codebook import Codebook
from influence.errors import InvalidArgument

if TYPE_CHECKING:
    from influence.dataset import Dataset, Observation

__all__ = ["Conflict", "Gap", "Panel", "build_panel"]

GapReason = Literal["no_observation", "not_yet_valid", "expired", "unresolved_conflict"]


@dataclass(frozen=True)
class Conflict:
    """Observations of one cell with the same `valid_from` but different values."""

    country: str
    indicator: str
    valid_from: dt.date
    observations: tuple[str, ...]
    values: tuple[str | float, ...]
    rule: str
    chosen: str | None

    def __str__(self) -> str:
        outcome = f"kept {self.chosen}" if self.chosen else "cell left missing"
        vals = ", ".join(repr(v) for v in self.values)
        return (
            f"{self.country}/{self.indicator} on {self.valid_from}: values {vals}; "
            f"{self.rule}: {outcome}"
        )


@dataclass(frozen=True)
class Gap:
    """A cell with no usable observation at the panel's date, and why."""

    country: str
    indicator: str
    reason: GapReason


@dataclass(frozen=True)
class Panel:
    """Positions of every country on every indicator at `as_of`, with provenance.

    ``positions`` has one row per country (sorted ISO3 codes) and one column per
    indicator (sorted ids); values are in [0, 1] or NaN where the cell is missing.
    ``cells`` maps ``(country, indicator)`` to the observation behind the cell.
    """

    as_of: dt.date
    codebook: Codebook
    positions: pd.DataFrame
    cells: Mapping[tuple[str, str], Observation] = field(repr=False)
    conflicts: tuple[Conflict, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def coverage(self) -> float:
        """Share of cells that hold a position."""
        return float(self.positions.notna().to_numpy().mean())

    def observation(self, country: str, indicator: str) -> Observation | None:
        """Return the observation behind one cell, or None if it is missing."""
        return self.cells.get((country, indicator))

    def coded_values(self) -> pd.DataFrame:
        """Return the coded values (level ids or numbers) behind each position."""
        out = pd.DataFrame(
            index=self.positions.index, columns=self.positions.columns, dtype=object
        )
        for (country, indicator), obs in sorted(self.cells.items()):
            out.loc[country, indicator] = obs.value
        return out


def _pick(
    candidates: list[Observation], country: str, indicator: str
) -> tuple[Observation | None, Conflict | None]:
    """Choose among observations of one cell: latest date, then highest confidence."""
    latest = max(o.valid_from for o in candidates)
    same_day = sorted(
        (o for o in candidates if o.valid_from == latest), key=lambda o: o.origin
    )
    values = sorted({o.value for o in same_day}, key=repr)
    best = max(o.confidence for o in same_day)
    top = [o for o in same_day if o.confidence == best]
    if len(values) == 1:
        return top[0], None
    top_values = {o.value for o in top}
    chosen = top[0] if len(top_values) == 1 else None
    rule = (
        "same valid_from, so the higher confidence wins"
        if chosen
        else "same valid_from and equal confidence: unresolved"
    )
    conflict = Conflict(
        country,
        indicator,
        latest,
        tuple(o.origin for o in same_day),
        tuple(values),
        rule,
        chosen.origin if chosen else None,
    )
    return chosen, conflict


def build_panel(dataset: Dataset, as_of: dt.date | None = None) -> Panel:
    """Select, per cell, the latest observation valid at ``as_of``.

    Only observations with ``valid_from <= as_of`` count (no look-ahead); one whose
    ``valid_until`` has passed leaves the cell missing. Two observations of a cell
    from the same date with different values are a conflict: the higher confidence
    wins, and a tie leaves the cell missing; both cases are reported, never hidden.

    Parameters
    ----------
    dataset
        A validated dataset.
    as_of
        The date; None means the dataset's declared date (never today's).

    Examples
    --------
    >>> import datetime as dt, influence
    >>> panel = build_panel(influence.load(), dt.date(2020, 1, 1))
    >>> panel.as_of
    datetime.date(2020, 1, 1)
    >>> float(panel.positions.loc["RUS"].max())
    0.0
    """
    if as_of is None:
        as_of = dataset.date
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        msg = f"The 'as_of' parameter must be a datetime.date. Got {as_of!r} instead."
        raise InvalidArgument(msg)
    countries = list(dataset.country_ids)
    indicators = list(dataset.codebook.indicator_ids)
    by_cell: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for obs in dataset.observations:
        by_cell[(obs.country, obs.indicator)].append(obs)
    by_id = {ind.id: ind for ind in dataset.codebook.indicators}
    grid = np.full((len(countries), len(indicators)), np.nan)
    cells: dict[tuple[str, str], Observation] = {}
    conflicts: list[Conflict] = []
    gaps: list[Gap] = []
    for r, country in enumerate(countries):
        for c, indicator in enumerate(indicators):
            every = by_cell.get((country, indicator), [])
            valid = [o for o in every if o.valid_from <= as_of]
            if not valid:
                gaps.append(
                    Gap(
                        country,
                        indicator,
                        "not_yet_valid" if every else "no_observation",
                    )
                )
                continue
            chosen, conflict = _pick(valid, country, indicator)
            if conflict is not None:
                conflicts.append(conflict)
            if chosen is None:
                gaps.append(Gap(country, indicator, "unresolved_conflict"))
                continue
            if chosen.valid_until is not None and chosen.valid_until <= as_of:
                gaps.append(Gap(country, indicator, "expired"))
                continue
            grid[r, c] = by_id[indicator].position(chosen.value)
            cells[(country, indicator)] = chosen
    positions = pd.DataFrame(
        grid,
        index=pd.Index(countries, name="country"),
        columns=pd.Index(indicators, name="indicator"),
    )
    return Panel(
        as_of, dataset.codebook, positions, cells, tuple(conflicts), tuple(gaps)
    )
