"""trajectory() over dates and diff() between two dates, on the mini dataset."""

import datetime as dt

import numpy as np
import pytest
from _mini import load_mini

import influence
from influence.errors import InvalidArgument
from influence.timeline import CAUSES, dates_between


@pytest.fixture(scope="module")
def mini():
    return load_mini()


def test_trajectory_is_tidy_and_matches_score(mini):
    """One row per (date, state); each date's rows equal score(as_of=date)."""
    t = influence.trajectory(mini, start=dt.date(2018, 1, 1), end=dt.date(2021, 1, 1))
    assert list(t.columns[:3]) == ["date", "country", "name"]
    assert len(t) == 4 * 3
    extra = ["change", *CAUSES]
    assert list(t.columns[-5:]) == extra
    at_2021 = (
        t[t["date"] == dt.date(2021, 1, 1)]
        .drop(columns=["date", *extra])
        .reset_index(drop=True)
    )
    expected = influence.score(mini, as_of=dt.date(2021, 1, 1))
    assert at_2021.equals(expected)
    # change is the step from the previous date, and its causes add up to it.
    wide = t.pivot(index="date", columns="country", values="distance")
    steps = t.pivot(index="date", columns="country", values="change")
    np.testing.assert_allclose(steps.iloc[1:], wide.diff().iloc[1:], atol=1e-12)
    assert steps.iloc[0].isna().all()
    parts = t[list(CAUSES)].sum(axis=1, min_count=1)
    np.testing.assert_allclose(parts, t["change"], atol=1e-12)


@pytest.mark.parametrize(
    ("freq", "count"), [("year", 3), ("half", 5), ("quarter", 9), ("month", 25)]
)
def test_frequencies(freq, count):
    """Dates step by whole years, half-years, quarters or months, end included."""
    days = dates_between(dt.date(2020, 1, 1), dt.date(2022, 1, 1), freq)
    assert len(days) == count
    assert days[-1] == dt.date(2022, 1, 1)


def test_diff_parts_add_up_to_the_change(mini):
    """ARM moved 0.0625 between 2015 and 2021, all of it through a1 (in -> half)."""
    d = influence.diff(mini, start=dt.date(2015, 1, 1), end=dt.date(2021, 1, 1))
    row = d.summary.set_index("country").loc["ARM"]
    assert row["change"] == pytest.approx(0.0625)
    parts = d.parts[d.parts["country"] == "ARM"]
    assert list(parts["indicator"]) == ["a1"]
    assert list(parts["from_value"]) == ["in"]
    assert list(parts["to_value"]) == ["half"]
    assert parts["part"].sum() == pytest.approx(row["change"])


def test_diff_with_several_changes_and_p2(mini):
    """With p = 2 and two moved indicators, the Shapley parts still add up exactly."""
    d = influence.diff(mini, start=dt.date(2005, 1, 1), end=dt.date(2021, 1, 1), p=2.0)
    row = d.summary.set_index("country").loc["ARM"]
    parts = d.parts[d.parts["country"] == "ARM"]
    assert sorted(parts["indicator"]) == ["a1", "a2"]
    assert parts["part"].sum() == pytest.approx(row["change"], abs=1e-12)


def test_bad_span(mini):
    """end before start names both."""
    with pytest.raises(
        InvalidArgument, match=r"Cannot have end=2000-01-01 < start=2001-01-01"
    ):
        influence.diff(mini, start=dt.date(2001, 1, 1), end=dt.date(2000, 1, 1))
    with pytest.raises(InvalidArgument, match=r"The 'freq' parameter must be one of"):
        influence.trajectory(
            mini, start=dt.date(2001, 1, 1), end=dt.date(2002, 1, 1), freq="week"
        )


def test_sequential_split_adds_up_too(mini, monkeypatch):
    """Above MAX_SHAPLEY changed cells, the one-by-one split still adds up to the change."""
    import influence.timeline

    monkeypatch.setattr(influence.timeline, "MAX_SHAPLEY", 0)
    d = influence.diff(mini, start=dt.date(2005, 1, 1), end=dt.date(2021, 1, 1), p=2.0)
    row = d.summary.set_index("country").loc["ARM"]
    parts = d.parts[d.parts["country"] == "ARM"]
    assert sorted(parts["indicator"]) == ["a1", "a2"]
    assert parts["part"].sum() == pytest.approx(row["change"], abs=1e-12)


def test_diff_names_each_cause(tmp_path, monkeypatch):
    """A value change, a newly coded cell and an applicability change each get their cause."""
    from _mini import mini_with_span

    monkeypatch.chdir(tmp_path)
    cb, data = mini_with_span(
        tmp_path, "b1", 'until = 2008-01-01\nreason = "b1 began in 2008"'
    )
    ds = influence.load(cb, data)
    d = influence.diff(
        ds,
        start=dt.date(2005, 1, 1),
        end=dt.date(2021, 1, 1),
        min_coverage=0.0,
        min_dimension_coverage=0.0,
    )
    arm = d.parts[d.parts["country"] == "ARM"].set_index("indicator")
    assert arm["cause"].to_dict() == {
        "a1": "changed_value",
        "a2": "newly_coded",
        "b1": "applicability",
    }
    assert arm.loc["b1", "from_state"] == "not_applicable"
    assert arm.loc["b1", "to_state"] == "coded"
    summary = d.summary.set_index("country")
    assert summary.loc["ARM", list(CAUSES)].sum() == pytest.approx(
        summary.loc["ARM", "change"], abs=1e-12
    )
    # Each evidence item keeps its stance.
    assert all(
        len(e) == 3 and e[2] in ("supports", "contradicts")
        for e in arm.loc["a1", "evidence"]
    )


def test_a_balanced_trajectory_only_moves_with_values(mini):
    """ARM's a2 starts in 2010: the balanced line leaves it out, and moves only in 2020."""
    kwargs = {"start": dt.date(2009, 1, 1), "end": dt.date(2021, 1, 1)}
    plain = influence.trajectory(mini, **kwargs, min_dimension_coverage=0.0)
    fixed = influence.trajectory(
        mini, **kwargs, balanced=True, min_dimension_coverage=0.0
    )
    arm = fixed[fixed["country"] == "ARM"].set_index("date")
    moved = arm["change"].dropna()
    assert list(moved[moved != 0].index) == [dt.date(2020, 1, 1)]
    assert (arm["newly_coded"].dropna() == 0).all()
    # The unbalanced line moves in 2010 too, because a2 starts being coded.
    arm_plain = plain[plain["country"] == "ARM"].set_index("date")
    assert arm_plain.loc[dt.date(2010, 1, 1), "newly_coded"] > 0
    # Coverage stays the real one in both.
    assert list(arm["coverage"]) == list(arm_plain["coverage"])
    assert fixed.attrs["balanced"] is True


def test_the_end_date_is_always_in_a_trajectory(mini):
    """A run that does not land on its end date still ends there."""
    t = influence.trajectory(
        mini, start=dt.date(2014, 1, 1), end=dt.date(2021, 3, 1), freq="half"
    )
    days = sorted(set(t["date"]))
    assert days[0] == dt.date(2014, 1, 1)
    assert days[-2:] == [dt.date(2021, 1, 1), dt.date(2021, 3, 1)]
    assert len(days) == 16
