"""Property-based testing of scoring models: strategies, properties, `check_scorer`.

A scorer is any callable ``scorer(positions, weights, reference)`` returning each
country's distance from the reference (see `Scorer`); `as_scorer` turns a library
`influence.Model` into one. `check_scorer` searches, with hypothesis, for inputs
on which a scorer breaks a property of design.md and reports each failure with a
shrunk counterexample. The strategies live in `influence.testing.strategies`, the
properties as plain checks in `influence.testing.properties`.

Needs hypothesis: ``pip install influence[testing]``.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401  (fail early, with the way out)
except ImportError as err:  # pragma: no cover - exercised without hypothesis only
    msg = "influence.testing needs hypothesis: pip install 'influence[testing]'"
    raise ImportError(msg) from err

from influence.testing._check import assert_scorer, check_scorer
from influence.testing._registry import (
    PropertyInfo,
    applicable,
    metric_properties,
    scorer_properties,
)
from influence.testing._report import PropertyResult, Report
from influence.testing._scorers import ModelScorer, Scorer, as_scorer
from influence.testing.properties import check_all

__all__ = [
    "ModelScorer",
    "PropertyInfo",
    "PropertyResult",
    "Report",
    "Scorer",
    "applicable",
    "as_scorer",
    "assert_scorer",
    "check_all",
    "check_scorer",
    "metric_properties",
    "scorer_properties",
]
