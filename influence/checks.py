"""Integrity checks beyond loading: quotes against their texts, unresolved conflicts."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from influence import _files
from influence.dataset import Dataset, Observation
from influence.errors import DataError, Problem, Reason

__all__ = ["check_conflicts", "check_texts", "future_observations", "normalise"]


def normalise(text: str) -> str:
    r"""Collapse every run of white space to one space, so line breaks do not matter.

    Examples
    --------
    >>> normalise("a  b\n c")
    'a b c'
    """
    return " ".join(text.split())


def _where(obs: Observation, field: str) -> tuple[str, str, str]:
    path, _, record = obs.origin.partition(": ")
    return path or "dataset", record or "observation", field


def _text_file(folder: Path, source_id: str) -> Path | None:
    for name in (f"{source_id}.txt", source_id, f"{source_id}.md"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def check_texts(dataset: Dataset, folder: str | Path) -> list[Problem]:
    """Return a problem for every quote not found verbatim in its source's text.

    A source's text is ``<folder>/<source id>.txt`` (or ``<source id>``, ``.md``);
    sources without a text in the folder are not checked. Runs of white space count
    as one space; everything else, curly quotes included, must match exactly.

    Raises
    ------
    DataError
        If the folder does not exist.

    Examples
    --------
    >>> import influence, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     check_texts(influence.load(), d)
    []
    """
    root = Path(folder)
    if not root.is_dir():
        shown = _files.display(root)
        raise DataError([Problem(shown, "", "", Reason.missing_file, "no such folder")])
    texts: dict[str, str | None] = {}
    problems = []
    for obs in dataset.observations:
        for k, ev in enumerate(obs.evidence):
            if ev.source not in texts:
                file = _text_file(root, ev.source)
                texts[ev.source] = normalise(file.read_text("utf-8")) if file else None
            text = texts[ev.source]
            if text is not None and normalise(ev.quote) not in text:
                shown = ev.quote if len(ev.quote) <= 60 else ev.quote[:57] + "..."
                msg = f"quote {shown!r} is not in the text of {ev.source}"
                path, record, field = _where(obs, f"evidence[{k}].quote")
                problems.append(
                    Problem(path, record, field, Reason.quote_not_found, msg)
                )
    return problems


def check_conflicts(dataset: Dataset) -> list[Problem]:
    """Return a problem for every cell whose observations overlap without a resolution.

    Two observations of one cell from the same ``valid_from`` with different values
    overlap; the panel resolves them by confidence, so only an equal confidence is
    left unresolved and reported here.

    Examples
    --------
    >>> import influence
    >>> check_conflicts(influence.load())
    []
    """
    by_key: dict[tuple[str, str, object], list[Observation]] = defaultdict(list)
    for obs in dataset.observations:
        by_key[(obs.country, obs.indicator, obs.valid_from)].append(obs)
    problems = []
    for (country, indicator, day), group in sorted(
        by_key.items(), key=lambda kv: str(kv[0])
    ):
        best = max(o.confidence for o in group)
        top = {repr(o.value) for o in group if o.confidence == best}
        if len(top) > 1:
            others = ", ".join(o.origin for o in group)
            msg = (
                f"{country}/{indicator} has different values from {day} with equal "
                f"confidence {best} ({others}): give one a higher confidence or another date"
            )
            path, record, field = _where(group[-1], "value")
            problems.append(Problem(path, record, field, Reason.overlap, msg))
    return problems


def future_observations(dataset: Dataset) -> list[Problem]:
    """Return a warning for every observation dated after the dataset's declared date.

    Such an observation is valid data but no computation at the default ``as_of``
    sees it, so a user who adds a fresh record would otherwise wonder why nothing
    moved. The problems are warnings: `validate` prints them and still succeeds.

    Examples
    --------
    >>> import influence
    >>> future_observations(influence.load())
    []
    """
    out = []
    for obs in dataset.observations:
        if obs.valid_from > dataset.date:
            msg = (
                f"valid_from {obs.valid_from} is after the dataset date {dataset.date}"
                " (data/dataset.toml), so it is not used unless as_of is later"
            )
            path, record, field = _where(obs, "valid_from")
            out.append(Problem(path, record, field, Reason.after_dataset_date, msg))
    return out
