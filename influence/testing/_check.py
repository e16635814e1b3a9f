"""`check_scorer`: every property of a scorer, searched and shrunk by hypothesis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pandas as pd
from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck, FlakyFailure, Unsatisfiable
from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument
from hypothesis.reporting import with_reporter

from influence.codebook import Codebook
from influence.errors import InvalidArgument
from influence.testing._compare import cell, present_cells
from influence.testing._records import cell_values, country_ids
from influence.testing._registry import applicable, info, metric_properties
from influence.testing._registry import scorer_properties as bare_properties
from influence.testing._report import PropertyResult, Report
from influence.testing._scorers import Scorer, Series
from influence.testing.properties import CHECKS
from influence.testing.strategies import from_codebook, panels, weights

__all__ = ["assert_scorer", "check_scorer"]

#: References sorting first, in the middle and last among generated ids.
_references = st.sampled_from(("RUS", "AAA", "ZZZ"))
_ids = country_ids()


@dataclass(frozen=True)
class _Case:
    """One generated input of one property."""

    scorer: Any
    positions: pd.DataFrame
    weights: Series
    reference: str
    extra: dict[str, Any] = field(default_factory=dict)
    show_scorer: bool = False

    def inputs(self) -> dict[str, Any]:
        shown = {"scorer": self.scorer} if self.show_scorer else {}
        base = {"reference": self.reference, "weights": self.weights}
        return {**shown, **base, "positions": self.positions, **self.extra}


def _codebook_of(scorer: Any, codebook: Codebook | None) -> Codebook | None:
    own = getattr(scorer, "codebook", None)
    return own if isinstance(own, Codebook) else codebook


@st.composite
def _extras(
    draw: st.DrawFn,
    name: str,
    positions: pd.DataFrame,
    w: Series,
    reference: str,
    codebook: Codebook | None,
) -> dict[str, Any]:
    """Draw what a property changes: a cell to move or blank, a factor, an order."""
    if name == "monotone":
        cells = present_cells(positions, reference, others_only=True)
        if not cells:
            return {}
        country, ind = draw(st.sampled_from(cells))
        x, r = cell(positions, country, ind), cell(positions, reference, ind)
        # A new gap between the old one and the largest the reference allows.
        top = max(r, 1.0 - r)
        gap = abs(x - r) + draw(st.floats(0.0, 1.0)) * (top - abs(x - r))
        up = r + gap <= 1.0 and (x >= r or r - gap < 0.0)
        to = min(1.0, r + gap) if up else max(0.0, r - gap)
        return {"country": country, "indicator": ind, "position": to}
    if name == "weight_scale":
        return {"factor": draw(st.one_of(st.just(10.0), st.floats(1e-3, 1e3)))}
    if name == "permutation":
        return {
            "rows": draw(st.permutations(list(positions.index))),
            "columns": draw(st.permutations(list(positions.columns))),
            "weight_order": draw(st.permutations(list(w.index))),
        }
    if name == "independence":
        new = draw(_ids.filter(lambda c: c not in positions.index))
        row = [
            draw(cell_values(codebook.indicator(j) if codebook else None, True))
            for j in positions.columns
        ]
        others = [c for c in positions.index if c != reference]
        removed = draw(st.sampled_from(others)) if others else None
        return {
            "added": pd.Series(row, index=positions.columns, name=new),
            "removed": removed,
        }
    if name == "missing_is_zero_weight":
        cells = present_cells(positions, reference, others_only=False)
        if not cells:
            return {}
        country, ind = draw(st.sampled_from(cells))
        return {"country": country, "indicator": ind}
    return {}


def _cases(
    name: str, source: Any, codebook: Codebook | None
) -> st.SearchStrategy[_Case]:
    """Generate the inputs of one property (and the scorer, if ``source`` draws it)."""
    drawn = isinstance(source, st.SearchStrategy)
    shape: dict[str, Any] = {
        "min_countries": 3 if name == "triangle" else 2,
        # A metric is claimed on complete rows only (see influence.testing.properties).
        "allow_missing": name not in metric_properties,
    }
    # Strategies are built once and reused: building them in every draw is slow.
    tables: dict[tuple[str, Codebook | None], st.SearchStrategy[pd.DataFrame]] = {}
    weighings: dict[tuple[str, ...], st.SearchStrategy[Series]] = {}

    def table(cb: Codebook | None, reference: str) -> st.SearchStrategy[pd.DataFrame]:
        if len(tables) > 64:
            tables.clear()
        key = (reference, cb)
        if key not in tables:
            tables[key] = (
                from_codebook(cb, reference=reference, **shape)
                if cb is not None
                else panels(reference=reference, **shape)
            )
        return tables[key]

    def weighing(columns: tuple[str, ...]) -> st.SearchStrategy[Series]:
        if columns not in weighings:
            weighings[columns] = weights(columns)
        return weighings[columns]

    @st.composite
    def cases(draw: st.DrawFn) -> _Case:
        scorer = draw(source) if drawn else source
        cb = _codebook_of(scorer, codebook)
        reference = draw(_references)
        positions = draw(table(cb, reference))
        w = draw(weighing(tuple(str(c) for c in positions.columns)))
        extra = draw(_extras(name, positions, w, reference, cb))
        return _Case(scorer, positions, w, reference, extra, show_scorer=drawn)

    return cases()


def _message(err: BaseException) -> str:
    if isinstance(err, FlakyFailure) and err.exceptions:
        return f"{_message(err.exceptions[0])} (on the same input, it failed only sometimes)"
    if isinstance(err, AssertionError):
        return str(err)
    return f"{type(err).__name__}: {err}"


def _run(
    name: str,
    source: Any,
    codebook: Codebook | None,
    options: dict[str, Any],
    config: hypothesis.settings,
    seed: int | None,
) -> PropertyResult:
    about = info(name)
    check = CHECKS[name]
    last: list[_Case] = []

    def body(case: _Case) -> None:
        if case.show_scorer and name not in applicable(
            case.scorer, options.get("metric")
        ):
            return  # a drawn scorer that does not claim this property
        extra = dict(case.extra)
        if name == "monotone":
            extra["strict"] = options["strict_monotone"]
        try:
            check(case.scorer, case.positions, case.weights, case.reference, **extra)
        except Exception:
            last[:] = [case]
            raise

    test = config(given(_cases(name, source, codebook))(body))
    if seed is not None:
        test = hypothesis.seed(seed)(test)
    try:
        with with_reporter(lambda _: None):
            test()
    except (FailedHealthCheck, Unsatisfiable, HypothesisInvalidArgument):
        raise
    except Exception as err:
        if not last:
            raise
        return PropertyResult(
            name,
            False,
            about.statement,
            about.meaning,
            _message(err),
            last[-1].inputs(),
        )
    return PropertyResult(name, True, about.statement, about.meaning)


def check_scorer(
    scorer: Scorer | st.SearchStrategy[Any],
    *,
    properties: Sequence[str] | None = None,
    max_examples: int | None = None,
    metric: bool | None = None,
    codebook: Codebook | None = None,
    strict_monotone: bool | None = None,
    seed: int | None = None,
) -> Report:
    """Search for inputs on which a scorer breaks a property of the score.

    Each property runs as its own hypothesis search; a failure is shrunk to a
    small counterexample, kept in the report with a sentence on what it means.

    Parameters
    ----------
    scorer
        A scorer ``scorer(positions, weights, reference) -> distances`` (see
        `as_scorer`), or a hypothesis strategy of scorers (such as `scorers()`)
        to check a family of them; each example then draws one.
    properties
        Names of the properties to check; None: every property that applies,
        by what the scorer declares (see `applicable`): `scorer_properties`,
        then symmetry and triangle if it is a metric, and additive_contributions
        for a scorer with ``contributions`` and ``additive``. For a strategy of
        scorers, None means `scorer_properties` (and the metric ones with
        ``metric=True``), each skipped on a drawn scorer that does not claim it.
    max_examples
        Examples per property; None: the active hypothesis profile's.
    metric
        Whether the scorer claims to be a metric; None asks its ``metric``
        attribute.
    codebook
        Draw panels of this codebook's indicators; None: the scorer's own
        ``codebook`` attribute, if any, else made-up indicators ``i0``, ``i1``...
    strict_monotone
        Require a move away from the reference to raise the distance (True, as
        for every power mean), or only never to lower it (False: for a maximum,
        say); None asks the scorer: strict unless it declares ``dimension_rule``.
    seed
        Seed the searches, for a report that is the same on every run; None
        follows the hypothesis profile (derandomised in the ``ci`` profile).

    Returns
    -------
    Report
        ``.ok``, ``.failed``, one `PropertyResult` per property; ``print`` it.

    Examples
    --------
    A mean that ignores the weights breaks one property: a missing cell no
    longer scores like a zero weight.

    >>> def unweighted(positions, weights, reference):
    ...     gaps = (positions - positions.loc[reference]).abs()
    ...     return gaps.mean(axis=1)
    >>> report = check_scorer(unweighted, max_examples=20, seed=0)
    >>> report.failed
    ('missing_is_zero_weight',)
    >>> print(report["missing_is_zero_weight"].meaning)
    A missing cell did not score like a zero weight on its indicator, so a gap in the evidence pushes the country nearer or farther instead of being left out.
    """
    drawn = isinstance(scorer, st.SearchStrategy)
    if properties is None:
        if drawn:
            names = [*bare_properties, *(metric_properties if metric else ())]
        else:
            names = applicable(scorer, metric)
    else:
        names = list(properties)
    for name in names:
        info(name)  # unknown names fail before any search
    if max_examples is not None and max_examples < 1:
        msg = f"The 'max_examples' parameter of check_scorer must be an int >= 1. Got {max_examples!r} instead."
        raise InvalidArgument(msg)
    base = hypothesis.settings()
    config = hypothesis.settings(
        base,
        max_examples=max_examples if max_examples is not None else base.max_examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        # The explain phase would say which parts of a counterexample do not
        # matter; the report does not show that, and it doubles the time.
        phases=[p for p in base.phases if p != Phase.explain],
        suppress_health_check=[
            *base.suppress_health_check,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )
    options = {"metric": metric, "strict_monotone": strict_monotone}
    return Report(
        tuple(_run(n, scorer, codebook, options, config, seed) for n in names)
    )


def assert_scorer(scorer: Scorer | st.SearchStrategy[Any], **options: Any) -> Report:
    """Run `check_scorer` and raise `AssertionError` with the report unless all hold.

    Handy in pytest, one property per test::

        @pytest.mark.parametrize("name", influence.testing.scorer_properties)
        def test_my_scorer(name):
            influence.testing.assert_scorer(my_scorer, properties=[name])

    Parameters
    ----------
    scorer
        As for `check_scorer`.
    **options
        Keyword arguments of `check_scorer`.

    Examples
    --------
    >>> from influence.testing import as_scorer
    >>> report = assert_scorer(as_scorer(), properties=["bounds"], max_examples=10)
    >>> report.ok
    True
    """
    report = check_scorer(scorer, **options)
    if not report.ok:
        raise AssertionError(str(report))
    return report
