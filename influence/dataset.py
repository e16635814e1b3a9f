"""Countries, sources, observations with their evidence, and the validated `Dataset`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, model_validator

from influence import _files, _validate
from influence._types import STRICT, CountryId, Date, Id, Probability, Text
from influence.codebook import Codebook, Indicator, load_codebook
from influence.errors import DataError, Problem, Reason

if TYPE_CHECKING:
    from influence.panel import Panel

__all__ = [
    "Country",
    "Dataset",
    "DatasetInfo",
    "Evidence",
    "Observation",
    "Source",
    "load",
    "load_dataset",
]


class _Located(BaseModel):
    """A record that remembers where it was read, for messages and provenance."""

    _origin: str = PrivateAttr(default="")

    @property
    def origin(self) -> str:
        """Where the record was read, e.g. ``data/observations/ARM.toml: observation[3]``."""
        return self._origin


class Country(_Located):
    """A state, with the names a text may call it by."""

    model_config = STRICT

    id: CountryId
    name: Text
    demonyms: tuple[Text, ...] = ()
    capital: Text | None = None
    aliases: tuple[Text, ...] = ()


class Source(_Located):
    """A text that evidence is quoted from, with an honest reliability grade."""

    model_config = STRICT

    id: Id
    title: Text
    outlet: Text
    kind: Literal["news", "opinion", "official", "dataset", "reference", "analysis"]
    date: Date | None = None
    date_note: Text | None = None
    author: Text | None = None
    url: Text | None = None
    reliability: Literal["high", "moderate", "low"]
    reliability_note: Text


class Evidence(BaseModel):
    """A short verbatim quote from a source, bearing on one observation."""

    model_config = STRICT

    source: Id
    quote: Text
    stance: Literal["supports", "contradicts"] = "supports"
    note: Text | None = None


class Observation(_Located):
    """A coded value of one indicator for one country, valid from a date, with evidence."""

    model_config = STRICT

    country: CountryId
    indicator: Id
    value: str | float
    valid_from: Date
    valid_until: Date | None = None
    confidence: Probability = 1.0
    date_precision: Literal["day", "month", "year"] = "day"
    date_note: Text | None = None
    note: Text | None = None
    evidence: tuple[Evidence, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates(self) -> Observation:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            msg = f"valid_until {self.valid_until} must come after valid_from {self.valid_from}"
            raise ValueError(msg)
        if self.date_precision != "day" and not self.date_note:
            msg = (
                f"date_precision {self.date_precision!r} needs a date_note saying why"
                " the day is not known"
            )
            raise ValueError(msg)
        return self


class ObservationFile(BaseModel):
    """The file format of ``data/observations/<ISO3>.toml``."""

    model_config = STRICT

    country: CountryId
    observation: tuple[Observation, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _inherit_country(cls, data: Any) -> Any:
        # Each record takes the file's country unless it names one itself.
        if isinstance(data, dict) and isinstance(data.get("observation"), list):
            country = data.get("country")
            records = [
                {"country": country, **rec} if isinstance(rec, dict) else rec
                for rec in data["observation"]
            ]
            return {**data, "observation": records}
        return data


class DatasetInfo(BaseModel):
    """``data/dataset.toml``: the dataset's name, version and declared date."""

    model_config = STRICT

    name: Text
    version: Text
    date: Date
    description: Text | None = None


class Dataset(BaseModel):
    """Codebook, countries, sources and observations, with every reference resolved.

    Examples
    --------
    >>> ds = load()
    >>> len(ds.countries)
    15
    >>> ds.panel().positions.shape[0]
    15
    """

    model_config = STRICT

    info: DatasetInfo
    codebook: Codebook
    countries: tuple[Country, ...]
    sources: tuple[Source, ...]
    observations: tuple[Observation, ...]

    @property
    def date(self) -> dt.date:
        """The dataset's declared date: the default `as_of` of every computation."""
        return self.info.date

    @property
    def country_ids(self) -> tuple[str, ...]:
        """Country ids, sorted."""
        return tuple(sorted(c.id for c in self.countries))

    def country(self, country_id: str) -> Country:
        """Return one country by id (KeyError if unknown)."""
        for c in self.countries:
            if c.id == country_id:
                return c
        raise KeyError(country_id)

    def source(self, source_id: str) -> Source:
        """Return one source by id (KeyError if unknown)."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def panel(self, as_of: dt.date | None = None) -> Panel:
        """Return the country x indicator panel of positions at ``as_of``.

        See `influence.panel.build_panel`.
        """
        from influence.panel import build_panel

        return build_panel(self, as_of)

    @model_validator(mode="after")
    def _resolved(self) -> Dataset:
        # Records built in code have no file: name them by their place in the dataset.
        for n, obs in enumerate(self.observations):
            if not obs.origin:
                obs._origin = f"observation[{n}]"
        problems = check_references(self, "dataset")
        if problems:
            raise ValueError("; ".join(str(p) for p in problems[:5]))
        return self


def _dupes(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def check_references(ds: Dataset, path: str) -> list[Problem]:
    """Return every cross-record problem: duplicate ids and references that do not resolve."""
    problems = []
    for kind, records in (("country", ds.countries), ("source", ds.sources)):
        for dup in _dupes([r.id for r in records]):
            where = [r.origin for r in records if r.id == dup][-1] or path
            msg = f"{kind} id {dup!r} is used more than once"
            problems.append(Problem(where, dup, "id", Reason.duplicate_id, msg))
    countries = {c.id for c in ds.countries}
    sources = {s.id for s in ds.sources}
    indicators = {i.id: i for i in ds.codebook.indicators}
    for n, obs in enumerate(ds.observations):
        where, record = (
            ([*obs.origin.split(": ", 1), ""])[:2] if obs.origin else (path, "")
        )
        record = record or f"observation[{n}]"

        def add(
            field: str, reason: Reason, msg: str, *, w: str = where, r: str = record
        ) -> None:
            problems.append(Problem(w, r, field, reason, msg))

        if obs.country not in countries:
            add("country", Reason.unknown_country, f"unknown country {obs.country!r}")
        ind = indicators.get(obs.indicator)
        if ind is None:
            known = ", ".join(sorted(indicators))
            add(
                "indicator",
                Reason.unknown_indicator,
                f"unknown indicator {obs.indicator!r} (indicators: {known})",
            )
        else:
            try:
                ind.position(obs.value)
            except ValueError as err:
                reason = (
                    Reason.unknown_level
                    if ind.scale.kind == "ordinal" and isinstance(obs.value, str)
                    else Reason.wrong_value_kind
                )
                add("value", reason, str(err))
            why = _never_applies(ind, obs)
            if why is not None:
                add(
                    "valid_from",
                    Reason.not_applicable,
                    f"{obs.indicator} does not apply to {obs.country} at any date this"
                    f" observation holds, from {obs.valid_from} (codebook: {why})",
                )
        for k, ev in enumerate(obs.evidence):
            if ev.source not in sources:
                add(
                    f"evidence[{k}].source",
                    Reason.unknown_source,
                    f"unknown source {ev.source!r} (not in data/sources.toml)",
                )
    return problems


def _never_applies(ind: Indicator, obs: Observation) -> str | None:
    """Return the codebook's reason when an observation holds only where its cell is N/A.

    An observation that starts inside a bounded not-applicable span and holds beyond
    it is fine (an accession signed in December and in force from January); the panel
    masks the cell until the span ends.
    """
    for na in ind.not_applicable:
        if not na.covers(obs.country, obs.valid_from):
            continue
        if na.until is None or (
            obs.valid_until is not None and obs.valid_until <= na.until
        ):
            return na.reason
    return None


def load(codebook: str | Path | None = None, data: str | Path | None = None) -> Dataset:
    """Load and validate a codebook folder and a data folder (default: the bundled ones).

    Parameters
    ----------
    codebook
        Folder of indicator files; None for the bundled codebook.
    data
        Folder with ``dataset.toml``, ``countries.toml``, ``sources.toml`` (and/or
        ``sources/*.toml``) and ``observations/<ISO3>.toml``; None for the bundled data.

    Raises
    ------
    DataError
        Listing every problem found, each naming file, record and field.

    Examples
    --------
    >>> ds = load()
    >>> ds.date.isoformat() == ds.info.date.isoformat()
    True
    """
    cb = load_codebook(codebook)
    return load_dataset(data, codebook=cb)


def load_dataset(
    data: str | Path | None = None, *, codebook: Codebook | None = None
) -> Dataset:
    """Load a data folder against a codebook; see `load`.

    Examples
    --------
    >>> "RUS" in load_dataset().country_ids
    True
    """
    cb = codebook if codebook is not None else load_codebook()
    folder = Path(data) if data is not None else _files.bundled("data")
    problems: list[Problem] = []
    info = _read_info(folder / "dataset.toml", problems)
    countries = _read_records(folder / "countries.toml", "country", Country, problems)
    source_files = (
        [folder / "sources.toml"] if (folder / "sources.toml").exists() else []
    )
    source_files += _files.toml_files(folder / "sources")
    if not source_files:
        source_files = [folder / "sources.toml"]  # reported as missing
    sources = [
        s for f in source_files for s in _read_records(f, "source", Source, problems)
    ]
    observations = _read_observations(folder / "observations", problems)
    if info is None or problems:
        raise DataError(problems)
    ds = Dataset.model_construct(
        info=info,
        codebook=cb,
        countries=tuple(sorted(countries, key=lambda c: c.id)),
        sources=tuple(sorted(sources, key=lambda s: s.id)),
        observations=tuple(observations),
    )
    problems = check_references(ds, _files.display(folder))
    if problems:
        raise DataError(problems)
    return ds


def _read_info(path: Path, problems: list[Problem]) -> DatasetInfo | None:
    try:
        doc = _files.read_toml(path)
    except DataError as err:
        problems.extend(err.problems)
        return None
    return _validate.build(DatasetInfo, doc, _files.display(path), "", problems)


def _read_records(
    path: Path, key: str, model: type[Any], problems: list[Problem]
) -> list[Any]:
    try:
        doc = _files.read_toml(path)
    except DataError as err:
        problems.extend(err.problems)
        return []
    shown = _files.display(path)
    out = []
    for n, raw in enumerate(_validate.table_list(doc, key, shown, problems)):
        label = (
            raw.get("id")
            if isinstance(raw, dict) and isinstance(raw.get("id"), str)
            else None
        )
        rec = _validate.build(model, raw, shown, label or f"{key}[{n}]", problems)
        if rec is not None:
            rec._origin = shown
            out.append(rec)
    return out


def _read_observations(folder: Path, problems: list[Problem]) -> list[Observation]:
    if not folder.is_dir():
        shown = _files.display(folder)
        problems.append(Problem(shown, "", "", Reason.missing_file, "no such folder"))
        return []
    out: list[Observation] = []
    for file in _files.toml_files(folder):
        shown = _files.display(file)
        try:
            doc = _files.read_toml(file)
        except DataError as err:
            problems.extend(err.problems)
            continue
        parsed = _validate.build(ObservationFile, doc, shown, "", problems)
        if parsed is None:
            continue
        if parsed.country != file.stem.split(".", 1)[0]:
            msg = (
                f"country {parsed.country!r} differs from the file name {file.name!r}"
                " (<ISO3>.toml or <ISO3>.<part>.toml)"
            )
            problems.append(
                Problem(shown, "", "country", Reason.file_country_mismatch, msg)
            )
            continue
        for n, obs in enumerate(parsed.observation):
            obs._origin = f"{shown}: observation[{n}]"
            out.append(obs)
    return out
