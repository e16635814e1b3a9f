"""influence.testing: broken scorers are caught, strategies behave, reports read well."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument as StrategyArgumentError

from influence import Dataset, InvalidArgument, Model
from influence.testing import (
    applicable,
    as_scorer,
    assert_scorer,
    check_all,
    check_scorer,
    metric_properties,
    scorer_properties,
)
from influence.testing.strategies import (
    codebooks,
    countries,
    datasets,
    models,
    observations,
    panels,
    weights,
)

# A small budget: each broken scorer is checked on the property it breaks only.
BUDGET = 60


def gaps(positions: pd.DataFrame, reference: str) -> pd.DataFrame:
    return (positions - positions.loc[reference]).abs()


def weighted_mean(values: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Mean of the present cells of each row, weights spread over them (NaN if none)."""
    w = weights.reindex(values.columns).to_numpy(dtype=float)
    x = values.to_numpy(dtype=float)
    present = ~np.isnan(x)
    num = np.where(present, x, 0.0) @ w
    den = present @ w
    out = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
    return pd.Series(out, index=values.index)


def mean_gap(positions, weights, reference):
    """A correct scorer: the weighted mean gap over the present cells."""
    return weighted_mean(gaps(positions, reference), weights)


# The four broken scorers of issue 4.


def min_max_normalised(positions, weights, reference):
    """Rescales each indicator's gaps to the range of the countries present."""
    g = gaps(positions, reference)
    span = (g.max() - g.min()).replace(0.0, 1.0)
    return weighted_mean((g - g.min()) / span, weights)


def weights_not_normalised(positions, weights, reference):
    """Adds weighted gaps without dividing by the total weight."""
    g = gaps(positions, reference)
    return (g.fillna(0.0) * weights.reindex(g.columns)).sum(axis=1)


def ignores_the_reference(positions, weights, reference):
    """Averages positions, as if the reference sat at 0."""
    return weighted_mean(positions, weights)


def geometric_mean(positions, weights, reference):
    """A weighted geometric mean of the gaps: one zero gap makes the distance 0."""
    g = gaps(positions, reference)
    with np.errstate(divide="ignore"):
        logs = np.log(g.to_numpy(dtype=float))
    w = weights.reindex(g.columns).to_numpy(dtype=float)
    weighted = np.where(w > 0, logs * w, 0.0)
    logs_df = pd.DataFrame(np.where(np.isnan(logs), np.nan, weighted), index=g.index)
    present = ~np.isnan(logs)
    den = present @ w
    num = np.nansum(logs_df.to_numpy(), axis=1)
    out = np.exp(np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0))
    return pd.Series(out, index=g.index)


# Broken scorers the kit was not tuned on.


def squared_gaps(positions, weights, reference):
    """Mean squared gap without the square root: claims to be a metric, is not one."""
    return weighted_mean(gaps(positions, reference) ** 2, weights)


squared_gaps.metric = True  # type: ignore[attr-defined]


def missing_as_gap_zero(positions, weights, reference):
    """Scores a missing cell as if the country sat at the reference's position."""
    return weighted_mean(gaps(positions, reference).fillna(0.0), weights)


def global_random_tiebreak(positions, weights, reference):
    """Breaks ties with numpy's global generator."""
    d = mean_gap(positions, weights, reference)
    jitter = np.random.random(len(d)) * 1e-6  # noqa: NPY002 - the point of the test
    return (d + jitter * (d > 0)).clip(0.0, 1.0)


def zero_weights_ignored(positions, weights, reference):
    """Treats a weight of 0 as 'no weight given' and uses 1 instead."""
    return mean_gap(positions, weights.where(weights > 0, 1.0), reference)


def divided_by_country_count(positions, weights, reference):
    """Scales by the number of countries in the table."""
    return mean_gap(positions, weights, reference) * 2 / len(positions)


def weights_by_position(positions, weights, reference):
    """Takes the weights in the order given, not by indicator id."""
    aligned = pd.Series(weights.to_numpy(), index=positions.columns)
    return mean_gap(positions, aligned, reference)


BROKEN = [
    (min_max_normalised, "independence"),
    (weights_not_normalised, "bounds"),
    (weights_not_normalised, "weight_scale"),
    (ignores_the_reference, "reference_zero"),
    (geometric_mean, "monotone"),
    (squared_gaps, "triangle"),
    (missing_as_gap_zero, "missing_is_zero_weight"),
    (global_random_tiebreak, "determinism"),
    (zero_weights_ignored, "missing_is_zero_weight"),
    (divided_by_country_count, "independence"),
    (weights_by_position, "permutation"),
]


@pytest.mark.parametrize(
    ("scorer", "prop"), BROKEN, ids=[f"{s.__name__}-{p}" for s, p in BROKEN]
)
def test_broken_scorer_is_caught_with_a_small_counterexample(scorer, prop):
    """The property a scorer breaks fails, with a shrunk, readable counterexample."""
    report = check_scorer(scorer, properties=[prop], max_examples=BUDGET, seed=1)
    assert report.failed == (prop,)
    result = report[prop]
    assert result.message
    assert result.inputs is not None
    positions = result.inputs["positions"]
    assert positions.shape[0] <= 4
    assert positions.shape[1] <= 3
    assert "positions:" in str(result)
    assert result.meaning in str(report)


def test_correct_scorer_passes_every_property():
    """A user's correct weighted-mean scorer passes the nine scorer properties."""
    report = check_scorer(mean_gap, max_examples=BUDGET)
    assert report.ok, str(report)
    assert report.failed == ()
    assert report.passed == scorer_properties


def test_metric_claim_adds_symmetry_and_triangle():
    """A scorer that declares metric=True is also checked for properties 7."""
    assert applicable(mean_gap) == list(scorer_properties)
    assert applicable(mean_gap, metric=True)[-2:] == list(metric_properties)
    assert applicable(squared_gaps)[-2:] == list(metric_properties)


def test_model_scorer_declares_what_it_claims():
    """as_scorer says: a metric; additive at p = 1; property 8 only by redistribution."""
    names = applicable(as_scorer())
    assert names[-3:] == ["symmetry", "triangle", "additive_contributions"]
    assert "additive_contributions" not in applicable(as_scorer(Model(p=2.0)))
    farthest = applicable(as_scorer(Model(missing="as_farthest")))
    assert "missing_is_zero_weight" not in farthest


def test_a_scorer_that_raises_fails_with_the_exception_named():
    """An exception inside the scorer is a failure, reported with its type."""

    def broken(positions, weights, reference):
        raise ZeroDivisionError("boom")

    report = check_scorer(broken, properties=["bounds"], max_examples=5)
    assert report.failed == ("bounds",)
    assert report["bounds"].message == "ZeroDivisionError: boom"


def test_a_scorer_must_score_every_row():
    """A result without the reference's row fails, saying what is missing."""

    def no_reference(positions, weights, reference):
        return mean_gap(positions, weights, reference).drop(index=reference)

    report = check_scorer(no_reference, properties=["reference_zero"], max_examples=5)
    assert "not one for each row" in (report["reference_zero"].message or "")


def test_report_reads_well():
    """str(report) has a head line, one line per property and the counterexample."""
    report = check_scorer(
        ignores_the_reference,
        properties=["bounds", "reference_zero"],
        max_examples=BUDGET,
        seed=1,
    )
    text = str(report)
    assert text.splitlines()[0] == "1 of 2 properties fail: reference_zero."
    assert "PASS bounds:" in text
    assert "FAIL reference_zero:" in text
    assert "counterexample:" in text
    with pytest.raises(KeyError):
        report["triangle"]


def test_assert_scorer_raises_with_the_report():
    """assert_scorer is the pytest form: AssertionError carrying the report."""
    with pytest.raises(AssertionError, match="FAIL reference_zero"):
        assert_scorer(ignores_the_reference, properties=["reference_zero"], seed=1)


@pytest.mark.parametrize("name", scorer_properties)
def test_each_property_as_its_own_pytest_test(name):
    """The parametrised form that docs/testing.md shows, on a correct scorer."""
    assert_scorer(mean_gap, properties=[name], max_examples=20)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"properties": ["nonsense"]}, "Unknown property 'nonsense'"),
        ({"max_examples": 0}, "must be an int >= 1. Got 0 instead."),
    ],
)
def test_check_scorer_rejects_bad_arguments(kwargs, message):
    """Bad arguments of check_scorer raise InvalidArgument before any search."""
    with pytest.raises(InvalidArgument, match=message):
        check_scorer(mean_gap, **kwargs)


def test_check_all_names_every_failed_property():
    """check_all on one input raises one AssertionError naming each failure."""
    positions = pd.DataFrame({"i0": [0.9, 0.5]}, index=["RUS", "GEO"])
    with pytest.raises(AssertionError, match=r"^reference_zero: .*\nall_gaps_one: "):
        check_all(ignores_the_reference, positions, pd.Series({"i0": 1.0}), "RUS")


def test_as_scorer_refuses_what_it_cannot_honour(tmp_path):
    """as_scorer: exponents per dimension need a codebook; weights and columns must fit."""
    with pytest.raises(InvalidArgument, match="needs the codebook"):
        as_scorer(Model(dimension_p={"security": 2.0}))
    scorer = as_scorer()
    positions = pd.DataFrame({"i0": [0.0, 1.0]}, index=["RUS", "GEO"])
    with pytest.raises(InvalidArgument, match="no weight for i0"):
        scorer(positions, pd.Series({"i1": 1.0}), "RUS")
    with pytest.raises(InvalidArgument, match="must be a row of positions"):
        scorer(positions, pd.Series({"i0": 1.0}), "ARM")


BAD_STRATEGY_ARGS = [
    (
        panels,
        {"min_countries": 3, "max_countries": 1},
        "Cannot have max_countries=1 < min_countries=3",
    ),
    (
        panels,
        {"min_indicators": 2, "max_indicators": 1},
        "Cannot have max_indicators=1 < min_indicators=2",
    ),
    (codebooks, {"kinds": ["binary"]}, "kinds must be a non-empty choice"),
    (
        codebooks,
        {"min_dimensions": 4, "max_dimensions": 2},
        "Cannot have max_dimensions=2 < min_dimensions=4",
    ),
    (datasets, {"max_dates": 0}, "max_dates=0 must be at least 1"),
    (
        datasets,
        {"min_countries": 5, "max_countries": 2},
        "Cannot have max_countries=2 < min_countries=5",
    ),
    (models, {"max_p": 0.5}, "max_p=0.5 must be a finite float >= 1"),
    (weights, {"indicators": []}, "indicators must be distinct ids"),
    (observations, {"countries": []}, "countries and sources must not be empty"),
]


@pytest.mark.parametrize(("strategy", "kwargs", "message"), BAD_STRATEGY_ARGS)
def test_strategy_arguments_are_checked_when_the_test_runs(strategy, kwargs, message):
    """Building a strategy with bad bounds succeeds; the test using it raises."""
    built = strategy(**kwargs)

    @given(built)
    def uses_it(value):
        pass

    with pytest.raises(StrategyArgumentError, match=message):
        uses_it()


def test_strategies_shrink_to_readable_examples():
    """The smallest panel, codebook and country are short and named plainly."""
    positions = find(panels(), lambda p: True)
    assert list(positions.index) == ["AAA", "RUS"]
    assert list(positions.columns) == ["i0"]
    codebook = find(codebooks(), lambda cb: True)
    assert codebook.indicator_ids == ("i0",)
    assert codebook.dimension_ids == ("d0",)
    assert find(countries(), lambda c: True).id == "AAA"


@settings(max_examples=20)
@given(datasets(allow_gaps=False, max_countries=3))
def test_datasets_without_gaps_give_complete_panels(ds):
    """allow_gaps=False: every cell is filled at the declared date."""
    assert isinstance(ds, Dataset)
    panel = ds.panel()
    assert panel.positions.notna().all().all()
    assert not panel.gaps


@settings(max_examples=20)
@given(datasets(max_countries=3))
def test_datasets_are_valid_and_reference_the_default(ds):
    """Generated datasets validate again from their own dump, and include RUS."""
    assert "RUS" in ds.country_ids
    assert Dataset.model_validate_json(ds.model_dump_json()) == ds


@settings(max_examples=20)
@given(st.data())
def test_weights_have_a_positive_entry_and_models_fit_their_codebook(data):
    """weights() always has a positive weight; models() name only codebook ids."""
    cb = data.draw(codebooks(max_indicators=3))
    w = data.draw(weights(cb.indicator_ids))
    assert w.gt(0).any()
    model = data.draw(models(codebook=cb))
    assert set(model.weights) <= {*cb.indicator_ids, *cb.dimension_ids}
    assert set(model.dimension_p) <= set(cb.dimension_ids)
