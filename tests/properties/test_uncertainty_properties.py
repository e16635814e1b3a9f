"""Properties of ensembles on generated datasets."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from influence._ensemble import SOURCES
from influence.model import Model
from influence.sensitivity import sensitivity
from influence.uncertainty import uncertainty

# The synthetic datasets of the example tests, one folder up (tests/ has no package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_uncertainty import make_dataset

datasets = st.builds(
    make_dataset,
    seed=st.integers(0, 2**16),
    countries=st.integers(3, 8),
    missing=st.sampled_from([0.0, 0.2, 0.5]),
    history=st.sampled_from([0.0, 0.5, 1.0]),
)
models = st.builds(
    Model,
    p=st.sampled_from([1.0, 1.5, 3.0]),
    missing=st.sampled_from(["redistribute", "as_reference", "as_farthest"]),
    min_coverage=st.sampled_from([0.0, 0.5]),
)
sources = st.sets(st.sampled_from(SOURCES))


@settings(max_examples=25, deadline=None)
@given(datasets, models, sources, st.integers(0, 2**32 - 1))
def test_intervals_are_ordered_and_within_zero_one(ds, model, perturb, seed) -> None:
    """0 <= lower <= median <= upper <= 1 and rank_low <= rank_high, for any setting."""
    s = uncertainty(ds, draws=300, seed=seed, model=model, perturb=perturb).summary
    s = s.dropna(subset=["median"])
    assert (s["lower"] >= 0).all()
    assert (s["upper"] <= 1).all()
    assert (s["lower"] <= s["median"]).all()
    assert (s["median"] <= s["upper"]).all()
    assert (s["rank_low"] <= s["rank_high"]).all()


@settings(max_examples=25, deadline=None)
@given(datasets, models, sources, st.integers(0, 2**32 - 1))
def test_point_score_lies_in_its_interval(ds, model, perturb, seed) -> None:
    """Whatever is perturbed, lower <= the point score <= upper."""
    s = uncertainty(ds, draws=200, seed=seed, model=model, perturb=perturb).summary
    s = s.dropna(subset=["distance", "lower"])
    assert (s["lower"] <= s["distance"]).all()
    assert (s["distance"] <= s["upper"]).all()


@settings(max_examples=25, deadline=None)
@given(datasets, models)
def test_point_score_is_its_own_interval_when_nothing_moves(ds, model) -> None:
    """With every source off, the point score lies in (and is) its interval."""
    s = uncertainty(ds, draws=20, model=model, perturb=()).summary
    both = s.dropna(subset=["distance"])
    np.testing.assert_allclose(both["lower"], both["distance"], atol=1e-12)
    np.testing.assert_allclose(both["upper"], both["distance"], atol=1e-12)
    np.testing.assert_allclose(both["median"], both["distance"], atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(datasets, st.sampled_from(SOURCES))
def test_a_fixed_assumption_has_zero_sensitivity(ds, fixed) -> None:
    """A source that is not perturbed is no group; the others' indices stay finite."""
    perturb = tuple(s for s in SOURCES if s != fixed)
    res = sensitivity(ds, draws=64, perturb=perturb)
    assert all(not g.startswith(fixed) for g in res.groups)
    if fixed == "weights":
        assert "dimension_weights" not in res.groups


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 80), st.integers(1, 20), st.integers(0, 2**32 - 1))
def test_sorted_ranks_equal_pairwise_ranks(n, draws, seed) -> None:
    """The sort-based ranks used for large tables equal the pairwise definition."""
    from influence._evaluate import _sorted_ranks

    rng = np.random.default_rng(seed)
    dist = (rng.integers(0, 4, (n, draws)) / 3).astype(np.float32)
    dist[rng.random(dist.shape) < 0.1] = np.nan
    pairwise = np.add.reduce(dist[None] > dist[:, None], axis=1, dtype=np.int16) + 1
    pairwise[np.isnan(dist)] = 0
    np.testing.assert_array_equal(_sorted_ranks(dist), pairwise)
