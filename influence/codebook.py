"""The codebook: dimensions and indicators, each with its scale on the Moscow axis."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from influence import _files, _validate
from influence._types import STRICT, CountryId, Date, Id, Position, Text, Weight
from influence.errors import DataError, Problem, Reason

__all__ = [
    "Codebook",
    "Dimension",
    "Indicator",
    "Level",
    "NotApplicable",
    "NumericScale",
    "OrdinalScale",
    "load_codebook",
]


class Level(BaseModel):
    """One level of an ordinal scale, with its position on the Moscow axis."""

    model_config = STRICT

    id: Id
    position: Position
    definition: Text
    rationale: Text


class OrdinalScale(BaseModel):
    """Levels in increasing position; the first sits at 0 and the last at 1."""

    model_config = STRICT

    kind: Literal["ordinal"]
    levels: tuple[Level, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _ordered(self) -> OrdinalScale:
        ids = [level.id for level in self.levels]
        if len(set(ids)) != len(ids):
            msg = f"level ids must be unique, got {ids}"
            raise ValueError(msg)
        positions = [level.position for level in self.levels]
        if any(b <= a for a, b in itertools.pairwise(positions)):
            msg = f"level positions must increase strictly, got {positions}"
            raise ValueError(msg)
        if positions[0] != 0.0 or positions[-1] != 1.0:
            msg = f"levels must run from position 0 to 1, got {positions}"
            raise ValueError(msg)
        return self

    def level(self, level_id: str) -> Level | None:
        """Return the level with this id, or None."""
        return next((lv for lv in self.levels if lv.id == level_id), None)


class NumericScale(BaseModel):
    """A measured value mapped linearly to a position by two fixed goalposts.

    Fixed goalposts keep property 5 of design.md: no score depends on which other
    countries are in the table. Values beyond the goalposts are clipped to 0 or 1.
    """

    model_config = STRICT

    kind: Literal["numeric"]
    unit: Text
    at_zero: float = Field(allow_inf_nan=False)
    at_one: float = Field(allow_inf_nan=False)
    goalposts_note: Text
    reference_value_note: Text

    @model_validator(mode="after")
    def _distinct(self) -> NumericScale:
        if self.at_zero == self.at_one:
            msg = f"goalposts at_zero and at_one must differ, both are {self.at_zero}"
            raise ValueError(msg)
        return self

    def position(self, value: float) -> float:
        """Return the position of a value, clipped to [0, 1].

        Examples
        --------
        >>> s = NumericScale(kind="numeric", unit="%", at_zero=50.0, at_one=0.0,
        ...                  goalposts_note="n", reference_value_note="n")
        >>> s.position(10.0), s.position(80.0)
        (0.8, 0.0)
        """
        share = (value - self.at_zero) / (self.at_one - self.at_zero)
        return min(1.0, max(0.0, share))


Scale = Annotated[OrdinalScale | NumericScale, Field(discriminator="kind")]


class NotApplicable(BaseModel):
    """Cells an indicator does not apply to by design: not missing, not coded, not counted.

    ``countries`` empty means every country; ``since`` (inclusive) and ``until``
    (exclusive) bound the span in time, either open when left out. A not-applicable
    cell carries no weight: it is left out of the distance and out of coverage alike,
    so coverage measures only what could be known.

    Examples
    --------
    >>> na = NotApplicable(countries=("ARM",), reason="not a Turkic-language state")
    >>> import datetime as dt
    >>> na.covers("ARM", dt.date(2020, 1, 1)), na.covers("AZE", dt.date(2020, 1, 1))
    (True, False)
    >>> war = NotApplicable(until=dt.date(2014, 2, 20), reason="before the war")
    >>> war.covers("KAZ", dt.date(2014, 2, 19)), war.covers("KAZ", dt.date(2014, 2, 20))
    (True, False)
    """

    model_config = STRICT

    countries: tuple[CountryId, ...] = ()
    since: Date | None = None
    until: Date | None = None
    reason: Text

    @model_validator(mode="after")
    def _span(self) -> NotApplicable:
        if (
            self.since is not None
            and self.until is not None
            and self.until <= self.since
        ):
            msg = f"until {self.until} must come after since {self.since}"
            raise ValueError(msg)
        if len(set(self.countries)) != len(self.countries):
            msg = f"countries are listed more than once: {list(self.countries)}"
            raise ValueError(msg)
        return self

    def covers(self, country: str, day: dt.date) -> bool:
        """Whether this entry makes the cell (country, day) not applicable."""
        if self.countries and country not in self.countries:
            return False
        if self.since is not None and day < self.since:
            return False
        return self.until is None or day < self.until


class Indicator(BaseModel):
    """One signal, coded per country on a scale whose positions lie on the Moscow axis."""

    model_config = STRICT

    id: Id
    name: Text
    dimension: Id
    measures: Text
    coding: Text
    default_weight: Weight = 1.0
    cues: tuple[Text, ...] = ()
    scale: Scale
    not_applicable: tuple[NotApplicable, ...] = ()

    def applies(self, country: str, day: dt.date) -> bool:
        """Whether the indicator applies to ``country`` at ``day`` (see `NotApplicable`).

        Examples
        --------
        >>> import datetime as dt
        >>> ind = load_codebook().indicator("turkic_states")
        >>> ind.applies("AZE", dt.date(2026, 1, 1)), ind.applies("ARM", dt.date(2026, 1, 1))
        (True, False)
        """
        return not any(na.covers(country, day) for na in self.not_applicable)

    def reason_not_applicable(self, country: str, day: dt.date) -> str | None:
        """Return the codebook's reason a cell does not apply, or None if it applies."""
        return next(
            (na.reason for na in self.not_applicable if na.covers(country, day)), None
        )

    def position(self, value: str | float) -> float:
        """Return the position of a coded value (a level id or a number).

        Raises
        ------
        ValueError
            If the value does not fit the scale.
        """
        if isinstance(self.scale, OrdinalScale):
            level = self.scale.level(value) if isinstance(value, str) else None
            if level is None:
                levels = ", ".join(lv.id for lv in self.scale.levels)
                msg = f"{value!r} is not a level of {self.id} (levels: {levels})"
                raise ValueError(msg)
            return level.position
        if isinstance(value, str | bool) or not math.isfinite(value):
            msg = f"{self.id} is numeric ({self.scale.unit}); expected a number"
            raise ValueError(msg)
        return self.scale.position(float(value))


class Dimension(BaseModel):
    """A group of indicators with a weight of its own."""

    model_config = STRICT

    id: Id
    name: Text
    weight: Weight = 1.0
    description: Text


class Codebook(BaseModel):
    """Dimensions and indicators, sorted by id, every reference resolved.

    Examples
    --------
    >>> cb = load_codebook()
    >>> "cis_participation" in cb.indicator_ids
    True
    """

    model_config = STRICT

    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Indicator ids, sorted."""
        return tuple(i.id for i in self.indicators)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """Dimension ids, sorted."""
        return tuple(d.id for d in self.dimensions)

    def indicator(self, indicator_id: str) -> Indicator:
        """Return one indicator by id (KeyError if unknown)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def dimension(self, dimension_id: str) -> Dimension:
        """Return one dimension by id (KeyError if unknown)."""
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(dimension_id)

    def __iter__(self) -> Iterator[Indicator]:  # type: ignore[override]
        return iter(self.indicators)

    @model_validator(mode="after")
    def _consistent(self) -> Codebook:
        problems = check_codebook(self.dimensions, self.indicators, "codebook")
        if problems:
            raise ValueError("; ".join(str(p) for p in problems))
        return self


def check_codebook(
    dimensions: tuple[Dimension, ...], indicators: tuple[Indicator, ...], path: str
) -> list[Problem]:
    """Return the cross-record problems of a codebook (duplicates, dangling dimensions).

    ``path`` is the codebook folder; a problem of one indicator names its file.
    """
    problems: list[Problem] = []
    dim_ids = [d.id for d in dimensions]
    for dup in sorted({d for d in dim_ids if dim_ids.count(d) > 1}):
        msg = f"dimension id {dup!r} is used more than once"
        problems.append(Problem(path, dup, "id", Reason.duplicate_id, msg))
    ind_ids = [i.id for i in indicators]
    for dup in sorted({i for i in ind_ids if ind_ids.count(i) > 1}):
        msg = f"indicator id {dup!r} is used more than once"
        problems.append(Problem(path, dup, "id", Reason.duplicate_id, msg))
    for clash in sorted(set(dim_ids) & set(ind_ids)):
        msg = f"{clash!r} is both a dimension and an indicator id"
        problems.append(Problem(path, clash, "id", Reason.duplicate_id, msg))
    if "overall" in dim_ids:
        msg = "'overall' is reserved (it names the top-level aggregation)"
        problems.append(Problem(path, "overall", "id", Reason.invalid_value, msg))
    for ind in indicators:
        if ind.dimension not in dim_ids:
            known = ", ".join(sorted(dim_ids))
            msg = f"unknown dimension {ind.dimension!r} (dimensions: {known})"
            where = f"{path}/{ind.id}.toml"
            problems.append(
                Problem(where, ind.id, "dimension", Reason.unknown_dimension, msg)
            )
    return problems


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load a codebook folder: ``dimensions.toml`` plus one ``<id>.toml`` per indicator.

    Parameters
    ----------
    path
        The folder; None means the codebook bundled with the package.

    Raises
    ------
    DataError
        Listing every problem of every file, each naming the file, record and field.

    Examples
    --------
    >>> cb = load_codebook()
    >>> sorted(cb.dimension_ids)[:2]
    ['diplomacy', 'energy_economy']
    """
    folder = Path(path) if path is not None else _files.bundled("indicators")
    if not folder.is_dir():
        shown = _files.display(folder)
        raise DataError([Problem(shown, "", "", Reason.missing_file, "no such folder")])
    problems: list[Problem] = []
    dims_path = folder / "dimensions.toml"
    shown = _files.display(dims_path)
    dimensions: list[Dimension] = []
    try:
        doc = _files.read_toml(dims_path)
    except DataError as err:
        problems.extend(err.problems)
        doc = {}
    for n, raw in enumerate(_validate.table_list(doc, "dimension", shown, problems)):
        label = raw.get("id", f"dimension[{n}]") if isinstance(raw, dict) else f"[{n}]"
        dim = _validate.build(Dimension, raw, shown, str(label), problems)
        if dim is not None:
            dimensions.append(dim)
    indicators: list[Indicator] = []
    for file in _files.toml_files(folder):
        if file.name == "dimensions.toml":
            continue
        indicators.extend(_load_indicator(file, problems))
    dims = tuple(sorted(dimensions, key=lambda d: d.id))
    inds = tuple(sorted(indicators, key=lambda i: i.id))
    problems.extend(check_codebook(dims, inds, _files.display(folder)))
    if problems:
        raise DataError(problems)
    return Codebook(dimensions=dims, indicators=inds)


def _load_indicator(file: Path, problems: list[Problem]) -> list[Indicator]:
    shown = _files.display(file)
    try:
        raw = _files.read_toml(file)
    except DataError as err:
        problems.extend(err.problems)
        return []
    ind = _validate.build(Indicator, raw, shown, file.stem, problems)
    if ind is None:
        return []
    if ind.id != file.stem:
        msg = f"id {ind.id!r} differs from the file name {file.name!r}"
        problems.append(Problem(shown, file.stem, "id", Reason.invalid_value, msg))
        return []
    return [ind]
