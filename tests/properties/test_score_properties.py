"""design.md properties 1-9 of the library's own models, checked with influence.testing."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influence import Model, load_codebook
from influence.model import resolve_weights
from influence.panel import Panel
from influence.scoring import score, score_panel
from influence.testing import as_scorer, check_scorer, scorer_properties
from influence.testing.strategies import (
    codebooks,
    datasets,
    from_codebook,
    models,
    scorers,
)

POLICIES = ["redistribute", "as_reference", "as_farthest"]


def examples(share: float = 1.0) -> int:
    """A share of the active profile's examples per property (at least 10)."""
    return max(10, int(settings().max_examples * share))


def test_default_scorer_has_every_property():
    """as_scorer() (one dimension, p = 1, min_coverage 0) has all twelve properties."""
    report = check_scorer(as_scorer(), max_examples=examples())
    assert report.ok, str(report)
    assert len(report.results) == 12


def test_default_model_on_the_bundled_codebook_has_every_property():
    """Model() on the bundled codebook's dimensions has every property that applies."""
    scorer = as_scorer(Model(), codebook=load_codebook())
    report = check_scorer(scorer, max_examples=examples(0.5))
    assert report.ok, str(report)


@pytest.mark.parametrize("policy", POLICIES)
def test_models_with_dimensions_and_exponents_have_every_property(policy):
    """Generated models (weights, per-dimension p, min_coverage) keep 1-5, 7, 8 and 9."""
    family = scorers(missing=st.just(policy))
    report = check_scorer(family, metric=True, max_examples=examples(0.3))
    assert report.ok, str(report)
    assert report.passed == (*scorer_properties, "symmetry", "triangle")


def test_contributions_add_up_at_p_one():
    """Property 6: at p = 1 each country's contributions add up to its distance."""
    family = scorers(max_p=1.0)
    report = check_scorer(
        family, properties=["additive_contributions"], max_examples=examples(0.5)
    )
    assert report.ok, str(report)


@settings(max_examples=examples(0.5))
@given(st.data())
def test_as_scorer_agrees_with_score_panel(data):
    """The kit's scorer gives score_panel's distances on the same panel and model."""
    cb = data.draw(codebooks(max_indicators=4))
    model = data.draw(models(codebook=cb))
    positions = data.draw(from_codebook(cb))
    panel = Panel(dt.date(2024, 1, 1), cb, positions, {})
    expected = score_panel(panel, model).result.distance
    w, _ = resolve_weights(model, cb)
    weights = pd.Series(w, index=list(cb.indicator_ids))
    got = as_scorer(model, codebook=cb)(positions, weights, model.reference)
    np.testing.assert_array_equal(got.to_numpy(), expected)


@settings(max_examples=examples(0.2))
@given(datasets(max_countries=4))
def test_score_of_a_generated_dataset_is_in_bounds_or_explained(ds):
    """score() on a generated dataset: distances in [0, 1]; every NaN has a reason."""
    table = score(ds)
    assert "RUS" not in set(table["country"])
    assert list(table["country"]) == sorted(table["country"])
    dist = table["distance"]
    assert dist.dropna().between(0.0, 1.0).all()
    assert set(table.loc[dist.isna(), "country"]) == set(table.attrs["reasons"])


_SCORE_IN_A_PROCESS = """
import json, sys
from influence import Dataset
from influence.scoring import score
for text in json.load(sys.stdin):
    sys.stdout.write(score(Dataset.model_validate_json(text)).to_csv(index=False))
"""


def _csv_in_a_process(payload: str, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", _SCORE_IN_A_PROCESS],
        input=payload.encode(),
        capture_output=True,
        env=env,
        check=True,
    )
    return done.stdout


@settings(max_examples=min(3, settings().max_examples), deadline=None)
@given(st.lists(datasets(max_countries=4), min_size=1, max_size=4))
def test_same_bytes_whatever_the_hash_seed_or_process(many):
    """Property 9: score()'s CSV is the same bytes here and in two other processes."""
    payload = json.dumps([ds.model_dump_json() for ds in many])
    here = "".join(score(ds).to_csv(index=False) for ds in many).encode()
    assert _csv_in_a_process(payload, "0") == here
    assert _csv_in_a_process(payload, "4242") == here
