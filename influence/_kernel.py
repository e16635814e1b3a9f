"""Pure numpy kernels of the score (design.md, "The score").

Every array may carry leading batch axes (draws): gaps are ``(..., n, k)`` for n
countries and k indicators, indicator weights ``(..., k)``, dimension weights
``(..., m)``, exponents ``(..., m)`` and ``(...)``. Nothing here reads a clock,
a global generator or a dict: the same arrays give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Float = NDArray[np.float64]


@dataclass(frozen=True)
class Aggregate:
    """What the kernel returns: distances, dimension scores, coverage, contributions."""

    distance: Float  # (..., n), NaN where coverage < min_coverage
    dimensions: Float  # (..., n, m), NaN where a dimension is not counted
    coverage: Float  # (..., n): share of the applicable weight that is coded
    contributions: Float  # (..., n, k); they add up to distance
    weights: Float  # (..., n, k): effective weight of each counted cell, summing to 1
    dimension_coverage: (
        Float  # (..., n, m): coded / applicable weight, NaN if none applies
    )
    dimension_counted: NDArray[
        np.bool_
    ]  # (..., n, m): the dimension enters the distance


#: Relative slack of the dimension rule, so that a share that is exactly the threshold
#: in exact arithmetic (one half, say) is not lost to the last bit of a float sum.
SLACK = 1e-12


def fill_missing(
    gaps: Float,
    reference_missing: NDArray[np.bool_],
    policy: str,
    applicable: NDArray[np.bool_] | None = None,
) -> Float:
    """Apply a non-default missing policy by filling the gaps it decides.

    Only cells the country lacks are filled: where the reference itself has no
    position there is nothing to measure a gap from, so the indicator stays missing
    for everyone (and the reference stays at distance 0 from itself). A cell the
    codebook declares not applicable is never filled: it is not a gap in the record.
    """
    fillable = np.isnan(gaps) & ~reference_missing
    if applicable is not None:
        fillable &= applicable
    if policy == "as_reference":
        return np.where(fillable, 0.0, gaps)
    if policy == "as_farthest":
        return np.where(fillable, 1.0, gaps)
    return gaps


def _weighted(x: Float, member: NDArray[np.bool_]) -> Float:
    """Sum ``(..., n, k)`` over the indicators of each dimension: ``(..., n, m)``."""
    return np.asarray(x @ member.T.astype(float), dtype=float)


def aggregate(
    gaps: Float,
    w: Float,
    big_w: Float,
    dim_of: NDArray[np.intp],
    p_dim: Float,
    p: Float | float,
    min_coverage: float,
    applicable: NDArray[np.bool_] | None = None,
    min_dimension_coverage: float = 0.0,
) -> Aggregate:
    """Weighted power means of the gaps: within dimensions, then over dimensions.

    Missing gaps (NaN) are left out and their weight spread over the present ones,
    so with ``min_dimension_coverage = 0`` a missing cell scores exactly like a zero
    weight (property 8). ``applicable`` (``(..., n, k)``, default all True) marks the
    cells that can be coded at all: the others count neither in the distance nor in
    the coverage. A dimension whose coded cells carry less than
    ``min_dimension_coverage`` of its applicable weight is not counted: its score is
    NaN and its weight goes to the other dimensions (docs/design/0006).
    """
    m = big_w.shape[-1]
    member = dim_of[None, :] == np.arange(m)[:, None]  # (m, k)
    present = ~np.isnan(gaps)
    if applicable is None:
        applicable = np.ones(gaps.shape[-2:], dtype=bool)
    present = present & applicable
    g0 = np.where(present, gaps, 0.0)
    wp = np.where(present, w[..., None, :], 0.0)  # (..., n, k)
    wa = np.where(applicable, w[..., None, :], 0.0)  # applicable weight
    p_dim = np.asarray(p_dim, dtype=float)
    p_arr = np.asarray(p, dtype=float)
    p_of = p_dim[..., dim_of]  # (..., k)
    powered = wp * g0 ** p_of[..., None, :]  # (..., n, k)
    num = _weighted(powered, member)  # (..., n, m)
    den = _weighted(wp, member)
    den_all = _weighted(wa, member)
    dim_cov = np.divide(den, den_all, out=np.full_like(den, np.nan), where=den_all > 0)
    has = (den > 0) & (den + SLACK * den_all >= min_dimension_coverage * den_all)
    mean = np.divide(num, den, out=np.zeros_like(num), where=has)
    s = np.where(has, mean ** (1.0 / p_dim[..., None, :]), np.nan)
    dim_w = np.where(has, big_w[..., None, :], 0.0)  # (..., n, m)
    top_p = p_arr[..., None, None]
    s0 = np.where(has, s, 0.0)
    top_num = (dim_w * s0**top_p).sum(-1)
    top_den = dim_w.sum(-1)
    ok = top_den > 0
    top_mean = np.divide(top_num, top_den, out=np.zeros_like(top_num), where=ok)
    dist = np.where(ok, top_mean ** (1.0 / p_arr[..., None]), np.nan)
    # Coverage: each applicable dimension's share of the dimension weight, times the
    # share of its applicable weight that is coded.
    live = np.where(den_all > 0, big_w[..., None, :], 0.0)
    live_total = live.sum(-1, keepdims=True)
    live = np.divide(live, live_total, out=np.zeros_like(live), where=live_total > 0)
    cov = (live * np.nan_to_num(dim_cov)).sum(-1)
    dist = np.where(cov + 1e-12 >= min_coverage, dist, np.nan)
    # Shares of each dimension in the top mean and of each indicator in its dimension:
    # their product times D adds up to D for any exponents, and for p = 1 equals the
    # effective weight times the gap (property 6).
    dim_share = np.divide(
        dim_w * s0**top_p,
        top_num[..., None],
        out=np.zeros_like(dim_w),
        where=top_num[..., None] > 0,
    )
    ind_den = num[..., dim_of]  # (..., n, k); a dimension left out has dim_share 0
    ind_share = np.divide(
        powered, ind_den, out=np.zeros_like(powered), where=ind_den > 0
    )
    contrib = np.nan_to_num(dist)[..., None] * dim_share[..., dim_of] * ind_share
    contrib = np.where(np.isnan(dist)[..., None], np.nan, contrib)
    top_share = np.divide(
        dim_w, top_den[..., None], out=np.zeros_like(dim_w), where=ok[..., None]
    )
    within = np.divide(
        wp, den[..., dim_of], out=np.zeros_like(wp), where=den[..., dim_of] > 0
    )
    return Aggregate(
        dist,
        s,
        np.asarray(cov, dtype=float),
        contrib,
        top_share[..., dim_of] * within,
        dim_cov,
        has,
    )
