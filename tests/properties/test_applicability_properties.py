"""Not-applicable cells and the dimension rule, as properties of the score.

A cell the codebook declares not applicable must weigh exactly nothing: the state's
distance, coverage and dimension coverage equal those of the same state with that
indicator's weight set to zero for it, under every missing policy and dimension rule.
The dimension rule must count a dimension exactly when its coded share reaches the
threshold, and a dimension it leaves out must score like a dimension of weight zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from influence.model import resolve_weights
from influence.panel import Panel
from influence.scoring import score_panel
from influence.testing.strategies import codebooks, from_codebook, models


def examples(share: float = 1.0) -> int:
    return max(10, int(settings().max_examples * share))


@st.composite
def scored_inputs(draw: st.DrawFn) -> tuple:
    cb = draw(codebooks(max_indicators=5))
    model = draw(models(codebook=cb, min_coverage=st.just(0.0)))
    positions = draw(from_codebook(cb))
    others = [c for c in positions.index if c != model.reference]
    assume(others)
    country = draw(st.sampled_from(others))
    indicator = draw(st.sampled_from(list(cb.indicator_ids)))
    return cb, model, positions, country, indicator


@settings(max_examples=examples())
@given(scored_inputs(), st.floats(0.0, 1.0))
def test_a_not_applicable_cell_weighs_nothing(inputs, junk):
    """N/A == zero weight for that state, whatever the policy, the rule or the cell's value."""
    cb, model, positions, country, indicator = inputs
    applicable = pd.DataFrame(True, index=positions.index, columns=positions.columns)
    applicable.loc[country, indicator] = False
    # Whatever the cell holds (a stray value, or NaN) must not matter.
    stray = positions.copy()
    stray.loc[country, indicator] = junk
    na = score_panel(
        Panel(dt.date(2024, 1, 1), cb, stray, {}, applicable=applicable), model
    )
    # The same state with the indicator's weight at zero, its cell left missing.
    w, _ = resolve_weights(model, cb)
    zero = model.with_(weights={**model.weights, indicator: 0.0})
    blank = positions.copy()
    blank.loc[country, indicator] = np.nan
    plain = score_panel(Panel(dt.date(2024, 1, 1), cb, blank, {}), zero)
    row = na.countries.index(country)
    if w[cb.indicator_ids.index(indicator)] == 0.0:
        return
    # A dimension whose only weight was this indicator has nothing applicable:
    # with weight zero it has nothing either, so both agree on that too.
    np.testing.assert_allclose(
        na.result.distance[row], plain.result.distance[row], rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        na.result.coverage[row], plain.result.coverage[row], rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        na.result.dimension_coverage[row],
        plain.result.dimension_coverage[row],
        rtol=1e-12,
        atol=1e-12,
    )
    assert na.panel.state(country, indicator) == "not_applicable"


@settings(max_examples=examples())
@given(scored_inputs())
def test_the_dimension_rule_counts_a_dimension_exactly_at_its_threshold(inputs):
    """Counted iff something is coded and the coded share reaches min_dimension_coverage."""
    cb, model, positions, _, _ = inputs
    res = score_panel(Panel(dt.date(2024, 1, 1), cb, positions, {}), model).result
    share = res.dimension_coverage
    rule = model.min_dimension_coverage
    expected = (np.nan_to_num(share) > 0) & (np.nan_to_num(share) >= rule - 1e-9)
    # Shares within 1e-9 of the threshold are left to the kernel's slack.
    clear = np.abs(np.nan_to_num(share) - rule) > 1e-9
    assert (res.dimension_counted == expected)[clear].all()
    assert np.isnan(res.dimensions[~res.dimension_counted]).all()


@settings(max_examples=examples())
@given(scored_inputs())
def test_a_dimension_left_out_scores_like_a_dimension_of_weight_zero(inputs):
    """Dropping a thin dimension gives each state its distance with that dimension at weight 0."""
    cb, model, positions, country, _ = inputs
    panel = Panel(dt.date(2024, 1, 1), cb, positions, {})
    scored = score_panel(panel, model)
    row = scored.countries.index(country)
    left_out = [
        d
        for j, d in enumerate(scored.dimensions)
        if not scored.result.dimension_counted[row, j]
    ]
    assume(left_out and not np.isnan(scored.result.distance[row]))
    # Give every left-out dimension weight 0 and turn the rule off: same distance.
    weights = {**model.weights, **dict.fromkeys(left_out, 0.0)}
    off = model.with_(weights=weights, min_dimension_coverage=0.0)
    plain = score_panel(panel, off)
    np.testing.assert_allclose(
        scored.result.distance[row], plain.result.distance[row], rtol=1e-12, atol=1e-12
    )
    # And contributions still add up to the distance under the rule.
    np.testing.assert_allclose(
        np.nansum(scored.result.contributions[row]),
        scored.result.distance[row],
        rtol=1e-12,
        atol=1e-12,
    )


@settings(max_examples=examples(0.5))
@given(scored_inputs())
def test_a_balanced_score_ignores_every_cell_outside_its_set(inputs):
    """With cells fixed, changing a cell outside the set changes no distance."""
    cb, model, positions, country, indicator = inputs
    panel = Panel(dt.date(2024, 1, 1), cb, positions, {})
    scored = score_panel(panel, model)
    cells = scored.coded.copy()
    k = cb.indicator_ids.index(indicator)
    row = scored.countries.index(country)
    cells[row, k] = False
    moved = positions.copy()
    moved.loc[country, indicator] = 1.0 - np.nan_to_num(
        positions.loc[country, indicator]
    )
    a = score_panel(panel, model, cells=cells)
    b = score_panel(dataclasses.replace(panel, positions=moved), model, cells=cells)
    np.testing.assert_array_equal(a.result.distance, b.result.distance)
