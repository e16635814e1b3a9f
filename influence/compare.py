"""Agreement of the distance with an external per-country measure (convergent validity)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from influence._draws import checked_float, checked_int, generator, seed_sequence
from influence.dataset import Dataset, load
from influence.errors import InvalidArgument
from influence.model import Model
from influence.scoring import score

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """Rank correlations between the distance and an external measure.

    Attributes
    ----------
    statistics
        One row per statistic (``spearman``, ``kendall``): ``statistic``,
        ``estimate``, ``lower``, ``upper`` (bootstrap percentile interval), ``n``.
    data
        The matched countries: ``country``, ``distance`` and the measure.
    unmatched
        Countries of the external table with no distance (unknown, the reference, or
        no score), sorted.
    """

    statistics: pd.DataFrame
    data: pd.DataFrame
    unmatched: tuple[str, ...]
    column: str
    seed: int
    n_draws: int
    as_of: dt.date
    model: Model


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, ties sharing their average rank."""
    below = (x[..., None, :] < x[..., :, None]).sum(-1)
    equal = (x[..., None, :] == x[..., :, None]).sum(-1)
    return np.asarray(below + (equal + 1) / 2, dtype=float)


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    rx, ry = _average_ranks(x), _average_ranks(y)
    rx = rx - rx.mean(-1, keepdims=True)
    ry = ry - ry.mean(-1, keepdims=True)
    den = np.sqrt((rx**2).sum(-1) * (ry**2).sum(-1))
    out = np.full(den.shape, np.nan)
    return np.asarray(np.divide((rx * ry).sum(-1), den, out=out, where=den > 0))


def _kendall(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall's tau-b along the last axis."""
    sx = np.sign(x[..., None, :] - x[..., :, None])
    sy = np.sign(y[..., None, :] - y[..., :, None])
    concordance = (sx * sy).sum((-1, -2))
    den = np.sqrt((sx**2).sum((-1, -2)) * (sy**2).sum((-1, -2)))
    out = np.full(den.shape, np.nan)
    return np.asarray(np.divide(concordance, den, out=out, where=den > 0))


def _external(external: pd.DataFrame | str | Path, column: str) -> pd.DataFrame:
    """Read and check the external table: ``country`` plus the measure."""
    if isinstance(external, str | Path):
        try:
            frame = pd.read_csv(external)
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as err:
            msg = f"The 'external' parameter of compare must be a readable CSV file. Got {str(external)!r} instead ({err.__class__.__name__})."
            raise InvalidArgument(msg) from err
    elif isinstance(external, pd.DataFrame):
        frame = external
    else:
        msg = f"The 'external' parameter of compare must be a DataFrame or a CSV path. Got {type(external).__name__} instead."
        raise InvalidArgument(msg)
    for name in ("country", column):
        if name not in frame.columns:
            msg = f"The 'external' table of compare must have a {name!r} column. Got columns {list(frame.columns)} instead."
            raise InvalidArgument(msg)
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame.loc[values.isna() & frame[column].notna(), "country"].astype(str)
    if len(bad):
        msg = f"The {column!r} column of compare's external table must hold numbers. Got a non-number for {', '.join(bad[:3])} instead."
        raise InvalidArgument(msg)
    countries = frame["country"].astype(str).str.upper()
    dupes = sorted(set(countries[countries.duplicated()]))
    if dupes:
        msg = f"The 'external' table of compare must list each country once. Got {', '.join(dupes)} more than once instead."
        raise InvalidArgument(msg)
    return pd.DataFrame({"country": countries, column: values.astype(float)})


def compare(
    external: pd.DataFrame | str | Path,
    *,
    column: str,
    dataset: Dataset | None = None,
    as_of: dt.date | None = None,
    model: Model | None = None,
    draws: int = 2000,
    seed: int = 0,
    level: float = 0.9,
) -> Comparison:
    """Return Spearman's and Kendall's rank correlations of the distance with a measure.

    Parameters
    ----------
    external
        A DataFrame, or the path of a CSV file, with a ``country`` column (ISO3) and
        the measure.
    column
        The column of the measure.
    dataset, as_of, model
        As for `influence.score` (default: bundled data, declared date, `Model()`).
    draws
        Bootstrap resamples of the matched countries (>= 1).
    seed
        Seed of the bootstrap (an int >= 0).
    level
        Probability of the bootstrap percentile intervals.

    Returns
    -------
    Comparison
        ``statistics`` with estimates and intervals, the matched ``data`` and the
        ``unmatched`` countries.

    Raises
    ------
    InvalidArgument
        If the table cannot be read, lacks a column, or matches fewer than 3 countries.

    Examples
    --------
    >>> import influence
    >>> scores = influence.score().dropna(subset=["distance"])
    >>> ext = pd.DataFrame({"country": scores["country"], "x": 2 * scores["distance"]})
    >>> res = compare(ext, column="x", draws=100)
    >>> list(res.statistics["statistic"])
    ['spearman', 'kendall']
    """
    caller = "compare"
    draws = checked_int(draws, "draws", caller, 1)
    root = seed_sequence(seed, caller)
    level = checked_float(level, "level", caller, 0.0, 1.0, open_low=True)
    if not isinstance(column, str):
        msg = (
            f"The 'column' parameter of compare must be a str. Got {column!r} instead."
        )
        raise InvalidArgument(msg)
    ext = _external(external, column)
    ds = dataset if dataset is not None else load()
    model = model if model is not None else Model()
    scores = score(ds, as_of=as_of, model=model)
    scored = scores.dropna(subset=["distance"])[["country", "distance"]]
    data = scored.merge(ext.dropna(subset=[column]), on="country", how="inner")
    data = data.sort_values("country").reset_index(drop=True)
    unmatched = tuple(sorted(set(ext["country"]) - set(data["country"])))
    if len(data) < 3:
        msg = f"The 'external' table of compare must match at least 3 scored countries. Got {len(data)} instead."
        raise InvalidArgument(msg)
    x, y = data["distance"].to_numpy(), data[column].to_numpy()
    picks = generator(root, 0, 0).integers(0, len(x), size=(draws, len(x)))
    rows = []
    for name, fn in (("spearman", _spearman), ("kendall", _kendall)):
        # Resamples in slices of 4096, so memory stays bounded whatever `draws` is.
        boot = np.concatenate(
            [fn(x[p], y[p]) for p in np.array_split(picks, -(-draws // 4096))]
        )
        boot = boot[~np.isnan(boot)]
        low, high = (
            np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
            if boot.size
            else (np.nan, np.nan)
        )
        rows.append((name, float(fn(x, y)), float(low), float(high), len(x)))
    stats = pd.DataFrame(rows, columns=["statistic", "estimate", "lower", "upper", "n"])
    stats.attrs = {
        "column": column,
        "as_of": scores.attrs["as_of"],
        "seed": int(seed),
        "draws": draws,
        "level": level,
    }
    return Comparison(
        statistics=stats,
        data=data,
        unmatched=unmatched,
        column=column,
        seed=int(seed),
        n_draws=draws,
        as_of=dt.date.fromisoformat(scores.attrs["as_of"]),
        model=model,
    )
