"""Agreement with an external measure: monotone measures, scipy's numbers, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_uncertainty import make_dataset

import influence
from influence.compare import compare
from influence.errors import InvalidArgument

DATA = make_dataset(seed=1, countries=10, missing=0.0)
SCORES = influence.score(DATA)


def test_a_perfectly_monotone_measure_gives_one() -> None:
    """Spearman and Kendall are 1 for an increasing transform, -1 for a decreasing one."""
    up = pd.DataFrame(
        {"country": SCORES["country"], "x": np.exp(3 * SCORES["distance"])}
    )
    down = up.assign(x=-up["x"])
    res_up = compare(up, column="x", dataset=DATA)
    res_down = compare(down, column="x", dataset=DATA)
    assert list(res_up.statistics["estimate"]) == [1.0, 1.0]
    assert list(res_up.statistics["lower"]) == [1.0, 1.0]
    assert list(res_down.statistics["estimate"]) == [-1.0, -1.0]


def test_estimates_match_scipy() -> None:
    """Point estimates equal scipy.stats' spearmanr and kendalltau (tau-b), ties included."""
    stats = pytest.importorskip("scipy.stats")
    y = np.round(np.linspace(0, 1, len(SCORES)) ** 2 * 3)[::-1]
    ext = pd.DataFrame({"country": SCORES["country"], "m": y})
    res = compare(ext, column="m", dataset=DATA).statistics.set_index("statistic")
    x = SCORES["distance"].to_numpy()
    assert res.loc["spearman", "estimate"] == pytest.approx(
        stats.spearmanr(x, y).statistic
    )
    assert res.loc["kendall", "estimate"] == pytest.approx(
        stats.kendalltau(x, y).statistic
    )
    assert (res["lower"] <= res["estimate"]).all()
    assert (res["estimate"] <= res["upper"]).all()


def test_reads_a_csv_and_reports_unmatched_countries(tmp_path: Path) -> None:
    """A CSV path works; countries without a distance are listed, not used."""
    path = tmp_path / "ext.csv"
    ext = pd.DataFrame(
        {"country": [*SCORES["country"], "RUS", "ZZZ"], "v": range(len(SCORES) + 2)}
    )
    ext.to_csv(path, index=False)
    res = compare(path, column="v", dataset=DATA, draws=50)
    assert res.unmatched == ("RUS", "ZZZ")
    assert len(res.data) == len(SCORES)
    assert res.statistics["n"].tolist() == [len(SCORES)] * 2


def test_seeded_bootstrap_is_reproducible() -> None:
    """Same seed, same intervals."""
    ext = pd.DataFrame({"country": SCORES["country"], "x": np.arange(len(SCORES))})
    a = compare(ext, column="x", dataset=DATA, seed=3).statistics
    b = compare(ext, column="x", dataset=DATA, seed=3).statistics
    assert a.to_csv() == b.to_csv()


@pytest.mark.parametrize(
    ("external", "column", "message"),
    [
        (
            pd.DataFrame({"iso": ["XAA"], "x": [1.0]}),
            "x",
            "The 'external' table of compare must have a 'country' column. Got columns ['iso', 'x'] instead.",
        ),
        (
            pd.DataFrame({"country": ["XAA"], "x": [1.0]}),
            "y",
            "The 'external' table of compare must have a 'y' column. Got columns ['country', 'x'] instead.",
        ),
        (
            pd.DataFrame({"country": ["XBB", "QQQ", "ZZZ"], "x": [1.0, 2.0, 3.0]}),
            "x",
            "The 'external' table of compare must match at least 3 scored countries. Got 1 instead.",
        ),
        (
            pd.DataFrame({"country": ["XBB", "XBB"], "x": [1.0, 2.0]}),
            "x",
            "The 'external' table of compare must list each country once. Got XBB more than once instead.",
        ),
        (
            pd.DataFrame({"country": ["XBB"], "x": ["high"]}),
            "x",
            "The 'x' column of compare's external table must hold numbers. Got a non-number for XBB instead.",
        ),
        (
            42,
            "x",
            "The 'external' parameter of compare must be a DataFrame or a CSV path. Got int instead.",
        ),
    ],
)
def test_bad_external_tables(external: object, column: str, message: str) -> None:
    """Bad tables raise InvalidArgument with a one-line message."""
    with pytest.raises(InvalidArgument) as err:
        compare(external, column=column, dataset=DATA)  # type: ignore[arg-type]
    assert str(err.value) == message
