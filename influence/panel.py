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

__all__ = ["CellState", "Conflict", "Gap", "Panel", "build_panel"]

#: What a cell of the panel holds: a coded position, nothing (a gap in the record),
#: or nothing by design (the codebook declares the indicator not applicable there).
CellState = Literal["coded", "not_coded", "not_applicable"]

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
    ``applicable`` has the shape of ``positions`` and is False where the codebook
    declares the indicator not applicable (`influence.codebook.NotApplicable`); None
    means every cell applies. A not-applicable cell is NaN in ``positions`` and is
    not listed among the ``gaps``.
    """

    as_of: dt.date
    codebook: Codebook
    positions: pd.DataFrame
    cells: Mapping[tuple[str, str], Observation] = field(repr=False)
    conflicts: tuple[Conflict, ...] = ()
    gaps: tuple[Gap, ...] = ()
    applicable: pd.DataFrame | None = field(default=None, repr=False)

    def applicable_mask(self) -> np.ndarray:
        """Return the applicable cells as a boolean array shaped like ``positions``."""
        if self.applicable is None:
            return np.ones(self.positions.shape, dtype=bool)
        return self.applicable.reindex_like(self.positions).to_numpy(dtype=bool)

    @property
    def coverage(self) -> float:
        """Share of the applicable cells that hold a position.

        Examples
        --------
        >>> import influence
        >>> p = influence.load().panel()
        >>> 0.8 < p.coverage <= 1.0
        True
        """
        mask = self.applicable_mask()
        coded = self.positions.notna().to_numpy() & mask
        return float(coded.sum() / mask.sum()) if mask.any() else 0.0

    def state(self, country: str, indicator: str) -> CellState:
        """Say whether one cell is coded, not coded, or not applicable by design.

        Examples
        --------
        >>> import influence
        >>> p = influence.load().panel()
        >>> p.state("ARM", "turkic_states"), p.state("AZE", "turkic_states")
        ('not_applicable', 'coded')
        """
        r = self.positions.index.get_loc(country)
        c = self.positions.columns.get_loc(indicator)
        if not self.applicable_mask()[r, c]:
            return "not_applicable"
        return "not_coded" if np.isnan(self.positions.to_numpy()[r, c]) else "coded"

    def states(self) -> pd.DataFrame:
        """Return the `CellState` of every cell, shaped like ``positions``."""
        out = np.where(self.positions.notna().to_numpy(), "coded", "not_coded")
        out = np.where(self.applicable_mask(), out, "not_applicable")
        return pd.DataFrame(
            out, index=self.positions.index, columns=self.positions.columns
        )

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
    applies = np.array(
        [[by_id[i].applies(c, as_of) for i in indicators] for c in countries],
        dtype=bool,
    ).reshape(len(countries), len(indicators))
    cells: dict[tuple[str, str], Observation] = {}
    conflicts: list[Conflict] = []
    gaps: list[Gap] = []
    for r, country in enumerate(countries):
        for c, indicator in enumerate(indicators):
            if not applies[r, c]:
                continue  # by design, not a gap: the loader rejects observations here
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
    applicable = pd.DataFrame(applies, index=positions.index, columns=positions.columns)
    return Panel(
        as_of,
        dataset.codebook,
        positions,
        cells,
        tuple(conflicts),
        tuple(gaps),
        applicable,
    )
