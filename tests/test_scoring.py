"""Documented numbers of the score, checked by hand on the mini dataset.

At 2021-01-01, with RUS at 0 everywhere:
ARM gaps a1 = 0.5, a2 = 1, b1 = 0.5 (25 % of trade, goalposts 50 -> 0 and 0 -> 1).
alpha = (1 * 0.5 + 3 * 1) / 4 = 0.875, beta = 0.5, distance = (0.875 + 0.5) / 2 = 0.6875.
GEO: a2 missing, so alpha = a1's gap = 1, beta = 1, distance 1; coverage
1 - 0.5 * 3/4 = 0.625. BLR: b1 missing, so only alpha counts: distance 0, coverage 0.5.
"""

import datetime as dt
import math

import numpy as np
import pytest
from _mini import load_mini

import influence
from influence.errors import InvalidArgument


@pytest.fixture(scope="module")
def mini():
    return load_mini()


def test_documented_distances(mini):
    """The distances, ranks, coverages and dimension scores are the hand-computed ones."""
    df = influence.score(mini).set_index("country")
    assert df.loc["ARM", "distance"] == pytest.approx(0.6875)
    assert df.loc["ARM", "alpha"] == pytest.approx(0.875)
    assert df.loc["ARM", "beta"] == pytest.approx(0.5)
    assert df.loc["GEO", "distance"] == pytest.approx(1.0)
    assert df.loc["GEO", "coverage"] == pytest.approx(0.625)
    assert df.loc["BLR", "distance"] == pytest.approx(0.0)
    assert df.loc["BLR", "coverage"] == pytest.approx(0.5)
    assert list(df["rank"]) == [2, 3, 1]


def test_columns_and_reference_row(mini):
    """The table has the documented columns and no row for the reference."""
    df = influence.score(mini)
    assert list(df.columns) == [
        "country",
        "name",
        "distance",
        "rank",
        "coverage",
        "alpha",
        "beta",
        "coverage_alpha",
        "coverage_beta",
    ]
    assert "RUS" not in set(df["country"])
    assert df.attrs["as_of"] == "2021-01-01"
    assert df.attrs["reference"] == "RUS"


def test_as_of_uses_only_earlier_observations(mini):
    """In 2015 Armenia's a1 was still 'in': alpha = 3/4, distance = 0.625."""
    df = influence.score(mini, as_of=dt.date(2015, 1, 1)).set_index("country")
    assert df.loc["ARM", "distance"] == pytest.approx(0.625)


def test_min_coverage_gives_no_score_and_a_reason(mini):
    """A country below min_coverage gets NaN, no rank, and a reason in attrs."""
    df = influence.score(mini, min_coverage=0.6).set_index("country")
    assert math.isnan(df.loc["BLR", "distance"])
    assert df.loc["BLR", "rank"] is pd_na()
    assert "coverage 0.50 is below min_coverage 0.60" in df.attrs["reasons"]["BLR"]


def pd_na():
    import pandas as pd

    return pd.NA


def test_weights_change_the_score(mini):
    """Equal weights for a1 and a2 give alpha = 0.75 and distance 0.625 for ARM."""
    df = influence.score(mini, weights={"a2": 1.0}).set_index("country")
    assert df.loc["ARM", "distance"] == pytest.approx(0.625)


def test_dimension_weights(mini):
    """Weighting beta three times: ARM = (0.875 + 3 * 0.5) / 4."""
    df = influence.score(mini, weights={"beta": 3.0}).set_index("country")
    assert df.loc["ARM", "distance"] == pytest.approx((0.875 + 1.5) / 4)


def test_exponent_overall_and_per_dimension(mini):
    """p = 2 overall: sqrt((0.875**2 + 0.5**2) / 2); alpha at p = 2: sqrt((0.25 + 3) / 4)."""
    df = influence.score(mini, p=2.0).set_index("country")
    assert df.loc["ARM", "distance"] == pytest.approx(math.sqrt((0.875**2 + 0.25) / 2))
    mixed = influence.score(mini, p={"alpha": 2.0}).set_index("country")
    alpha = math.sqrt((0.25 + 3.0) / 4)
    assert mixed.loc["ARM", "alpha"] == pytest.approx(alpha)
    assert mixed.loc["ARM", "distance"] == pytest.approx((alpha + 0.5) / 2)


def test_other_reference(mini):
    """With GEO as reference, GEO leaves the table and RUS enters it at distance 1."""
    df = influence.score(mini, reference="GEO").set_index("country")
    assert "GEO" not in df.index
    assert df.loc["RUS", "distance"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("as_reference", (0.0 + 0.0) / 2), ("as_farthest", (0.0 + 1.0) / 2)],
)
def test_missing_policies(mini, policy, expected):
    """BLR's missing b1 scores as gap 0 or 1 under the non-default policies."""
    df = influence.score(mini, missing=policy).set_index("country")
    assert df.loc["BLR", "distance"] == pytest.approx(expected)


def test_contributions_add_up(mini):
    """explain's contributions add up to the distance; a2 carries 0.375 of ARM's 0.6875."""
    ex = influence.explain("ARM", mini).set_index("indicator")
    assert ex["contribution"].sum() == pytest.approx(ex.attrs["distance"])
    assert ex.loc["a2", "contribution"] == pytest.approx(0.375)
    assert ex.loc["a1", "weight"] == pytest.approx(0.125)
    assert ex.loc["a1", "evidence"] == (
        ("memo", "Armenia went half way in 2020, after leaving a2 in 2010."),
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"p": 0.5},
            r"The 'p' parameter of score is invalid: .*greater than or equal to 1.*Got 0.5 instead",
        ),
        (
            {"reference": "XXX"},
            r"The 'reference' parameter must be a coded country .* Got 'XXX' instead",
        ),
        ({"weights": {"nope": 1.0}}, r"names unknown ids: nope"),
        ({"weights": {"a1": -1.0}}, r"The 'weights.a1' parameter of score is invalid"),
        ({"min_coverage": 2.0}, r"The 'min_coverage' parameter of score is invalid"),
        ({"missing": "drop"}, r"The 'missing' parameter of score is invalid"),
        ({"as_of": "2020-01-01"}, r"The 'as_of' parameter must be a datetime.date"),
        (
            {"model": influence.Model(), "p": 2.0},
            r"pass either 'model' or the separate",
        ),
    ],
)
def test_bad_arguments(mini, kwargs, message):
    """Bad arguments raise InvalidArgument with a one-line message naming the value."""
    with pytest.raises(InvalidArgument, match=message):
        influence.score(mini, **kwargs)


def test_explain_unknown_country(mini):
    """explain names the unknown country."""
    with pytest.raises(InvalidArgument, match=r"Got 'XYZ' instead"):
        influence.explain("XYZ", mini)


def test_scores_are_reproducible_to_the_bit(mini):
    """Two runs give identical arrays (property 9 within one process)."""
    a = influence.score(mini, p=3.0).to_numpy()
    b = influence.score(mini, p=3.0).to_numpy()
    assert np.array_equal(a.astype(str), b.astype(str))


def test_the_dimension_rule_at_its_threshold(mini):
    """GEO codes a quarter of alpha's weight: counted at 0.25 exactly, not above."""
    at = influence.score(mini, min_dimension_coverage=0.25).set_index("country")
    assert at.loc["GEO", "coverage_alpha"] == 0.25
    assert at.loc["GEO", "alpha"] == 1.0
    above = influence.score(mini, min_dimension_coverage=0.2501).set_index("country")
    assert np.isnan(above.loc["GEO", "alpha"])
    # Its weight goes to beta: GEO's distance is beta's alone, and beta's gap is 1.
    assert above.loc["GEO", "distance"] == 1.0
    ex = influence.explain("GEO", mini, min_dimension_coverage=0.2501)
    assert list(ex["dimension_counted"]) == [False, False, True]
    assert ex.attrs["dimension_coverage"] == {"alpha": 0.25, "beta": 1.0}


def test_a_not_applicable_cell_shows_no_gap_under_any_policy(tmp_path, monkeypatch):
    """explain marks an N/A cell as such, with no gap even when a policy fills gaps."""
    from _mini import mini_with_span

    monkeypatch.chdir(tmp_path)
    cb, data = mini_with_span(
        tmp_path, "a2", 'countries = ["GEO"]\nreason = "closed to GEO"'
    )
    ds = influence.load(cb, data)
    ex = influence.explain("GEO", ds, missing="as_farthest").set_index("indicator")
    assert ex.loc["a2", "state"] == "not_applicable"
    assert np.isnan(ex.loc["a2", "gap"])
    assert ex.loc["a2", "weight"] == 0.0
    # alpha now rests on a1 alone, all of its applicable weight.
    assert ex.attrs["dimension_coverage"]["alpha"] == 1.0
    assert influence.score(ds).set_index("country").loc["GEO", "coverage"] == 1.0
