"""The as-of panel: selection, no look-ahead, conflicts, gaps, provenance."""

import datetime as dt
import math

import pytest
from _mini import copy_mini, load_mini

import influence
from influence.checks import check_conflicts


@pytest.fixture(scope="module")
def mini():
    return load_mini()


def test_default_as_of_is_the_declared_date(mini):
    """Without as_of, the panel is at the dataset's date, not today's."""
    assert mini.panel().as_of == dt.date(2021, 1, 1)


def test_latest_valid_observation_wins(mini):
    """ARM's a1 is 'in' before 2020-01-01 and 'half' from that day on."""
    assert mini.panel(dt.date(2019, 12, 31)).positions.loc["ARM", "a1"] == 0.0
    assert mini.panel(dt.date(2020, 1, 1)).positions.loc["ARM", "a1"] == 0.5


def test_nothing_after_as_of_is_used(mini):
    """Before any observation, every cell is missing with reason no_observation/not_yet_valid."""
    panel = mini.panel(dt.date(1990, 1, 1))
    assert panel.positions.isna().all().all()
    reasons = {(g.country, g.indicator): g.reason for g in panel.gaps}
    assert reasons[("ARM", "a1")] == "not_yet_valid"
    assert reasons[("BLR", "b1")] == "no_observation"


def test_provenance_of_each_cell(mini):
    """Each present cell names the observation behind it; coded values come back."""
    panel = mini.panel()
    obs = panel.observation("ARM", "a1")
    assert obs is not None
    assert obs.origin.endswith("data/observations/ARM.toml: observation[1]")
    assert panel.observation("GEO", "a2") is None
    assert panel.coded_values().loc["ARM", "b1"] == 25.0
    assert panel.coverage == pytest.approx(10 / 12)


def test_numeric_positions_use_fixed_goalposts(mini):
    """25 % of trade sits half way between the goalposts 50 and 0."""
    assert mini.panel().positions.loc["ARM", "b1"] == 0.5


def _write_conflict(data, confidence):
    path = data / "observations" / "GEO.toml"
    path.write_text(
        path.read_text()
        + f"""
[[observation]]
indicator = "a1"
value = "half"
valid_from = 2000-01-01
confidence = {confidence}
[[observation.evidence]]
source = "memo"
quote = "Georgia is outside."
"""
    )


def test_conflict_resolved_by_confidence(tmp_path):
    """Same date, different values: the higher confidence wins and the conflict is reported."""
    cb, data = copy_mini(tmp_path)
    _write_conflict(data, 0.5)
    ds = influence.load(cb, data)
    panel = ds.panel()
    assert panel.positions.loc["GEO", "a1"] == 1.0
    (conflict,) = panel.conflicts
    assert (conflict.country, conflict.indicator, conflict.values) == (
        "GEO",
        "a1",
        ("half", "out"),
    )
    assert conflict.rule == "same valid_from, so the higher confidence wins"
    assert conflict.chosen.endswith("GEO.toml: observation[0]")
    assert check_conflicts(ds) == []


def test_unresolved_conflict_leaves_the_cell_missing(tmp_path):
    """Equal confidence: the cell is missing, the gap says why, and validation reports it."""
    cb, data = copy_mini(tmp_path)
    _write_conflict(data, 1.0)
    ds = influence.load(cb, data)
    panel = ds.panel()
    assert math.isnan(panel.positions.loc["GEO", "a1"])
    assert ("GEO", "a1", "unresolved_conflict") in {
        (g.country, g.indicator, g.reason) for g in panel.gaps
    }
    (problem,) = check_conflicts(ds)
    assert problem.reason == "overlap"
    assert (
        "GEO/a1 has different values from 2000-01-01 with equal confidence 1.0"
        in problem.message
    )


def test_expired_observation(tmp_path):
    """An observation past its valid_until leaves the cell missing (reason expired)."""
    cb, data = copy_mini(tmp_path)
    path = data / "observations" / "GEO.toml"
    path.write_text(
        path.read_text().replace(
            'value = "out"\nvalid_from = 2000-01-01\n',
            'value = "out"\nvalid_from = 2000-01-01\nvalid_until = 2010-01-01\n',
        )
    )
    panel = influence.load(cb, data).panel()
    assert math.isnan(panel.positions.loc["GEO", "a1"])
    assert ("GEO", "a1", "expired") in {
        (g.country, g.indicator, g.reason) for g in panel.gaps
    }
