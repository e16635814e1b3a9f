"""One country's account: each indicator's level, position, weight, contribution, evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from influence.dataset import Dataset, load
from influence.errors import InvalidArgument
from influence.model import MissingPolicy, Model, model_from_args
from influence.scoring import score_panel

__all__ = ["explain"]


def explain(
    country: str,
    dataset: Dataset | None = None,
    *,
    as_of: dt.date | None = None,
    reference: str = "RUS",
    weights: Mapping[str, float] | None = None,
    p: float | Mapping[str, float] = 1.0,
    missing: MissingPolicy = "redistribute",
    min_coverage: float = 0.5,
    min_dimension_coverage: float = 0.5,
    model: Model | None = None,
) -> pd.DataFrame:
    """Return, indicator by indicator, how one country's distance comes about.

    Parameters
    ----------
    country
        ISO3 code of the country to explain.
    dataset, as_of, reference, weights, p, missing, min_coverage, model
        As for `influence.score`.

    Returns
    -------
    pandas.DataFrame
        One row per indicator (sorted by dimension, then id): ``indicator``,
        ``dimension``, ``value`` (level id or number; None if missing), ``position``,
        ``reference_value``, ``reference_position``, ``gap``, ``weight`` (effective
        share of the distance's weight), ``contribution`` (they add up to the
        distance), ``valid_from``, ``confidence``, ``observation`` (file and record)
        ``evidence`` (a tuple of ``(source id, quote)`` pairs) and ``stances`` (for each
        pair, "supports" or "contradicts": contradicting quotes are kept, and the
        observation's note says why it follows the other evidence), ``state``
        ("coded", "not_coded" or "not_applicable": a cell the codebook declares not
        applicable is not a gap in the record), ``dimension_coverage`` (the share of
        the row's dimension's applicable weight that is coded) and
        ``dimension_counted`` (False where that share is below
        ``min_dimension_coverage``, so the dimension is left out). ``attrs`` holds
        ``country``, ``distance``, ``coverage``, ``dimension_coverage`` (by dimension
        id), ``as_of`` and ``reference``.

    Examples
    --------
    >>> import influence
    >>> ex = influence.explain("AZE")
    >>> bool(abs(ex["contribution"].sum() - ex.attrs["distance"]) < 1e-12)
    True
    """
    ds = dataset if dataset is not None else load()
    model = model_from_args(
        "explain",
        model,
        reference=reference,
        weights=weights,
        p=p,
        missing=missing,
        min_coverage=min_coverage,
        min_dimension_coverage=min_dimension_coverage,
    )
    panel = ds.panel(as_of)
    if country not in panel.positions.index:
        known = ", ".join(panel.positions.index)
        msg = f"The 'country' parameter of explain must be a coded country ({known}). Got {country!r} instead."
        raise InvalidArgument(msg)
    scored = score_panel(panel, model)
    row = scored.countries.index(country)
    ref = model.reference
    res = scored.result
    records = []
    dims = scored.dimensions
    for k, ind in enumerate(ds.codebook.indicators):
        j = dims.index(ind.dimension)
        obs = panel.observation(country, ind.id)
        ref_obs = panel.observation(ref, ind.id)
        records.append(
            {
                "indicator": ind.id,
                "dimension": ind.dimension,
                "value": obs.value if obs else None,
                "position": panel.positions.loc[country, ind.id],
                "reference_value": ref_obs.value if ref_obs else None,
                "reference_position": panel.positions.loc[ref, ind.id],
                "gap": scored.gaps[row, k],
                "weight": res.weights[row, k],
                "contribution": res.contributions[row, k],
                "valid_from": obs.valid_from if obs else None,
                "confidence": obs.confidence if obs else np.nan,
                "observation": obs.origin if obs else None,
                "evidence": tuple((e.source, e.quote) for e in obs.evidence)
                if obs
                else (),
                "stances": tuple(e.stance for e in obs.evidence) if obs else (),
                "state": panel.state(country, ind.id),
                "dimension_coverage": res.dimension_coverage[row, j],
                "dimension_counted": bool(res.dimension_counted[row, j]),
            }
        )
    df = pd.DataFrame.from_records(records)
    df = df.sort_values(["dimension", "indicator"], kind="stable").reset_index(
        drop=True
    )
    df.attrs = {
        "country": country,
        "distance": float(res.distance[row]),
        "coverage": float(res.coverage[row]),
        "dimension_coverage": {
            d: float(res.dimension_coverage[row, j]) for j, d in enumerate(dims)
        },
        "as_of": panel.as_of.isoformat(),
        "reference": ref,
    }
    return df
