"""The properties by name: what each says, what its failure means, when it applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from influence.errors import InvalidArgument

__all__ = [
    "PropertyInfo",
    "applicable",
    "info",
    "metric_properties",
    "scorer_properties",
]


@dataclass(frozen=True)
class PropertyInfo:
    """A property's name, its statement and the meaning of its failure."""

    name: str
    statement: str
    meaning: str


_INFO = (
    PropertyInfo(
        "reference_zero",
        "The reference is at distance 0 from itself.",
        "The reference is not at distance 0 from itself, so the score does not measure gaps from the reference (for example, it reads positions instead of gaps).",
    ),
    PropertyInfo(
        "bounds",
        "Every distance lies in [0, 1], and complete rows get one.",
        "A distance fell outside [0, 1] or went missing on complete rows, so scores are off the documented scale (for example, weights that are not normalised).",
    ),
    PropertyInfo(
        "all_gaps_one",
        "A country with every gap equal to 1 is at distance 1.",
        "A country as far from the reference as every indicator allows is not at distance 1, so the top of the scale is out of reach or exceeded.",
    ),
    PropertyInfo(
        "monotone",
        "Moving a cell away from the reference raises its country's distance.",
        "Moving a weighted cell away from the reference did not raise the distance, so some evidence is ignored or counted the wrong way (for example, a product of gaps that one zero gap sets to 0).",
    ),
    PropertyInfo(
        "weight_scale",
        "Multiplying every weight by k > 0 changes no distance.",
        "Multiplying every weight by the same number changed a distance, so the score depends on the size of the weights and not only on their ratios.",
    ),
    PropertyInfo(
        "permutation",
        "Reordering countries, indicators or weights changes no distance.",
        "Reordering the table changed a distance, so the scorer matches data by position instead of by label.",
    ),
    PropertyInfo(
        "independence",
        "Adding or removing another country changes no distance.",
        "Adding or removing a country changed another country's distance, so a score depends on who else is in the table (for example, a normalisation across the countries present).",
    ),
    PropertyInfo(
        "missing_is_zero_weight",
        "A missing cell scores like a zero weight on its indicator.",
        "A missing cell did not score like a zero weight on its indicator, so a gap in the evidence pushes the country nearer or farther instead of being left out.",
    ),
    PropertyInfo(
        "determinism",
        "Equal inputs give the same bytes out, and the inputs stay untouched.",
        "Equal inputs gave different outputs, or the scorer changed its inputs, so a result cannot be reproduced.",
    ),
    PropertyInfo(
        "symmetry",
        "The distance from a to b equals the distance from b to a.",
        "The distance between two countries depends on which one is the reference, so the score is not a metric.",
    ),
    PropertyInfo(
        "triangle",
        "No detour through a third country is shorter than the direct distance.",
        "A detour through a third country is shorter than the direct distance, so the score is not a metric (for example, squared gaps without the root).",
    ),
    PropertyInfo(
        "additive_contributions",
        "Each country's per-indicator contributions add up to its distance.",
        "The contributions do not add up to the distance, so an explanation of a score would not account for it.",
    ),
)
_BY_NAME = {p.name: p for p in _INFO}

#: Properties every scorer must have (design.md 1-5, 8, 9).
scorer_properties: tuple[str, ...] = tuple(p.name for p in _INFO[:9])
#: Properties of a scorer that claims to be a metric (design.md 7).
metric_properties: tuple[str, ...] = ("symmetry", "triangle")


def info(name: str) -> PropertyInfo:
    """Return the description of one property by name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(_BY_NAME)
        msg = f"Unknown property {name!r} (properties: {known})."
        raise InvalidArgument(msg) from None


def applicable(scorer: Any, metric: bool | None = None) -> list[str]:
    """Return the names of the properties that apply to ``scorer``.

    A scorer may declare what it claims: ``metric`` (True: symmetry and the
    triangle inequality apply), ``missing`` (any policy but ``"redistribute"``
    drops missing_is_zero_weight), ``dimension_rule`` (True drops it too: a
    missing cell may then drop its dimension) and ``additive`` with a
    ``contributions`` method (additive_contributions applies).

    Examples
    --------
    >>> def scorer(positions, weights, reference): ...
    >>> applicable(scorer, metric=True)[-2:]
    ['symmetry', 'triangle']
    """
    names = [
        n
        for n in scorer_properties
        if n != "missing_is_zero_weight"
        or (
            getattr(scorer, "missing", "redistribute") == "redistribute"
            and not getattr(scorer, "dimension_rule", False)
        )
    ]
    claims_metric = getattr(scorer, "metric", False) if metric is None else metric
    if claims_metric is True:
        names.extend(metric_properties)
    if callable(getattr(scorer, "contributions", None)) and getattr(
        scorer, "additive", False
    ):
        names.append("additive_contributions")
    return names
