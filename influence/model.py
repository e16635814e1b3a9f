"""The scoring `Model`: weights, aggregation exponents, missing policy, reference.

A model declares; it computes nothing (the numbers come from `influence.scoring`).
Variants are made with ``model.model_copy(update=...)`` or `Model.with_`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
import pydantic
from pydantic import BaseModel, Field

from influence._types import STRICT, CountryId, Id, Probability, Weight
from influence.codebook import Codebook
from influence.errors import InvalidArgument

__all__ = ["MissingPolicy", "Model", "resolve_weights"]

Exponent = Annotated[float, Field(ge=1.0, allow_inf_nan=False)]

#: How a missing cell is scored. ``redistribute`` (the default) spreads the weight of
#: missing indicators over the present ones, so a missing cell scores like a zero
#: weight (design.md property 8); ``as_reference`` scores it as a gap of 0 and
#: ``as_farthest`` as a gap of 1 (pessimistic and optimistic bounds on distance).
MissingPolicy = Literal["redistribute", "as_reference", "as_farthest"]


class Model(BaseModel):
    """How to turn a panel into distances.

    Parameters
    ----------
    reference
        The country every gap is measured from (default RUS).
    weights
        Overrides of the codebook's weights, keyed by indicator id (weight within its
        dimension) or dimension id (weight of the dimension). Only ratios matter.
    p
        Exponent of the weighted power mean over dimensions (>= 1; 1 = arithmetic).
    dimension_p
        Exponent within each named dimension (default: 1 for every dimension).
    missing
        The missing-cell policy, see `MissingPolicy`.
    min_coverage
        A country whose coded cells carry less than this share of its applicable
        weight gets no distance, and a reason.
    min_dimension_coverage
        A dimension whose coded cells carry less than this share of its applicable
        weight is not counted for that country: it scores NaN and its weight goes to
        the other dimensions, so no dimension rests on a small minority of its
        indicators (docs/design/0006). 0 turns the rule off, which makes a missing
        cell score exactly like a zero weight (design.md property 8).

    Examples
    --------
    >>> m = Model(p=2.0)
    >>> m.with_(reference="BLR").reference
    'BLR'
    """

    model_config = STRICT

    reference: CountryId = "RUS"
    weights: Mapping[Id, Weight] = Field(default_factory=dict)
    p: Exponent = 1.0
    dimension_p: Mapping[Id, Exponent] = Field(default_factory=dict)
    missing: MissingPolicy = "redistribute"
    min_coverage: Probability = 0.5
    min_dimension_coverage: Probability = 0.5

    def with_(self, **changes: Any) -> Model:
        """Return a validated copy with some fields changed (unlike ``model_copy``)."""
        return build_model(**{**self.model_dump(), **changes})


def build_model(*, caller: str = "Model", **fields: Any) -> Model:
    """Build a `Model`, turning validation errors into one-line `InvalidArgument`s."""
    try:
        return Model(**fields)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "model"
        need = str(first["msg"]).removeprefix("Value error, ")
        msg = f"The {name!r} parameter of {caller} is invalid: {need}. Got {first['input']!r} instead."
        raise InvalidArgument(msg) from err


def model_from_args(
    caller: str,
    model: Model | None,
    *,
    reference: str = "RUS",
    weights: Mapping[str, float] | None = None,
    p: float | Mapping[str, float] = 1.0,
    missing: str = "redistribute",
    min_coverage: float = 0.5,
    min_dimension_coverage: float = 0.5,
) -> Model:
    """Return ``model``, or build one from the separate arguments of a public function."""
    given = (reference, weights, p, missing, min_coverage, min_dimension_coverage)
    if model is not None:
        if given != ("RUS", None, 1.0, "redistribute", 0.5, 0.5):
            msg = f"{caller}: pass either 'model' or the separate model arguments, not both."
            raise InvalidArgument(msg)
        return model
    overall, per_dim = split_p(p)
    return build_model(
        caller=caller,
        reference=reference,
        weights=dict(weights or {}),
        p=overall,
        dimension_p=per_dim,
        missing=missing,
        min_coverage=min_coverage,
        min_dimension_coverage=min_dimension_coverage,
    )


def split_p(p: float | Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """Split ``p`` (a number, or a mapping with "overall" and dimension ids) in two."""
    if isinstance(p, Mapping):
        rest = {k: v for k, v in p.items() if k != "overall"}
        return p.get("overall", 1.0), rest
    return p, {}


def resolve_weights(model: Model, codebook: Codebook) -> tuple[np.ndarray, np.ndarray]:
    """Return indicator weights and dimension weights, in the codebook's sorted order.

    Raises
    ------
    InvalidArgument
        If a weight or exponent names an id the codebook does not have.

    Examples
    --------
    >>> from influence.codebook import load_codebook
    >>> cb = load_codebook()
    >>> w, W = resolve_weights(Model(weights={"security": 2.0}), cb)
    >>> float(W[cb.dimension_ids.index("security")])
    2.0
    """
    dims, inds = codebook.dimension_ids, codebook.indicator_ids
    for what, keys in (("weights", model.weights), ("dimension_p", model.dimension_p)):
        allowed = set(dims) | set(inds) if what == "weights" else set(dims)
        unknown = sorted(set(keys) - allowed)
        if unknown:
            msg = (
                f"The {what!r} parameter names unknown ids: {', '.join(unknown)} "
                f"(known: {', '.join(sorted(allowed))})."
            )
            raise InvalidArgument(msg)
    w = np.array(
        [model.weights.get(i.id, i.default_weight) for i in codebook.indicators]
    )
    big_w = np.array([model.weights.get(d.id, d.weight) for d in codebook.dimensions])
    return w.astype(float), big_w.astype(float)
