"""Synthetic datasets of any size for the benchmarks (nothing here is real data)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from influence.codebook import (
    Codebook,
    Dimension,
    Indicator,
    Level,
    OrdinalScale,
    load_codebook,
)
from influence.dataset import (
    Country,
    Dataset,
    DatasetInfo,
    Evidence,
    Observation,
    Source,
)

EVIDENCE = (Evidence(source="s", quote="q"),)
SOURCE = Source(
    id="s", title="t", outlet="o", kind="news", reliability="high", reliability_note="n"
)


def codebook(indicators: int | None) -> Codebook:
    """The bundled codebook (None), or ``indicators`` ordinal indicators in 5 dimensions."""
    if indicators is None:
        return load_codebook()
    dims = tuple(Dimension(id=f"d{j}", name=f"d{j}", description="d") for j in range(5))
    levels = tuple(
        Level(id=f"l{j}", position=pos, definition="d", rationale="r")
        for j, pos in enumerate((0.0, 0.3, 0.7, 1.0))
    )
    inds = tuple(
        Indicator(
            id=f"i{j:03d}",
            name="i",
            dimension=f"d{j % 5}",
            measures="m",
            coding="c",
            scale=OrdinalScale(kind="ordinal", levels=levels),
        )
        for j in range(indicators)
    )
    return Codebook(dimensions=dims, indicators=inds)


def dataset(
    states: int = 15,
    indicators: int | None = None,
    dates: int = 2,
    *,
    seed: int = 0,
    missing: float = 0.1,
    observed: float = 0.2,
) -> Dataset:
    """A dataset with RUS at position 0 and random, partly uncertain observations.

    Each cell is observed on each of ``dates`` yearly dates with probability
    ``observed`` (always on the first), unless it is missing altogether.
    """
    rng = np.random.default_rng(seed)
    cb = codebook(indicators)
    letters = [chr(65 + j) for j in range(26)]
    codes = [a + b + c for a in "XYZ" for b in letters for c in letters]
    ids = ["RUS", *codes[: states - 1]]
    obs = []
    for country in ids:
        for ind in cb.indicators:
            if country != "RUS" and rng.random() < missing:
                continue
            for year in range(dates):
                if year and rng.random() >= observed:
                    continue
                scale = ind.scale
                if isinstance(scale, OrdinalScale):
                    at = 0 if country == "RUS" else int(rng.integers(len(scale.levels)))
                    value: str | float = scale.levels[at].id
                else:
                    lo, hi = sorted((scale.at_zero, scale.at_one))
                    value = (
                        scale.at_zero
                        if country == "RUS"
                        else float(rng.uniform(lo, hi))
                    )
                obs.append(
                    Observation.model_construct(
                        country=country,
                        indicator=ind.id,
                        value=value,
                        valid_from=dt.date(1950 + year, 1, 1),
                        valid_until=None,
                        confidence=float(rng.choice([0.6, 0.7, 0.8, 0.9, 1.0])),
                        note=None,
                        evidence=EVIDENCE,
                    )
                )
    info = DatasetInfo(name="synthetic", version="1", date=dt.date(2020, 1, 1))
    return Dataset.model_construct(
        info=info,
        codebook=cb,
        countries=tuple(Country(id=c, name=c) for c in ids),
        sources=(SOURCE,),
        observations=tuple(obs),
    )
