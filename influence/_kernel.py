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
    dimensions: Float  # (..., n, m), NaN where a dimension has no present indicator
    coverage: Float  # (..., n)
    contributions: Float  # (..., n, k); they add up to distance
    weights: Float  # (..., n, k): effective weight of each present cell, summing to 1


def fill_missing(
    gaps: Float, reference_missing: NDArray[np.bool_], policy: str
) -> Float:
    """Apply a non-default missing policy by filling the gaps it decides.

    Only cells the country lacks are filled: where the reference itself has no
    position there is nothing to measure a gap from, so the indicator stays missing
    for everyone (and the reference stays at distance 0 from itself).
    """
    fillable = np.isnan(gaps) & ~reference_missing
    if policy == "as_reference":
        return np.where(fillable, 0.0, gaps)
    if policy == "as_farthest":
        return np.where(fillable, 1.0, gaps)
    return gaps


def coverage(
    present: NDArray[np.bool_], w: Float, big_w: Float, member: NDArray[np.bool_]
) -> Float:
    """Share of the nominal weight (all cells) carried by the present cells."""
    per_dim = w[..., None, :] * member  # (..., m, k)
    dim_total = per_dim.sum(-1)  # (..., m)
    live = dim_total > 0
    dim_share = np.where(live, big_w, 0.0)
    total = dim_share.sum(-1, keepdims=True)
    dim_share = np.divide(
        dim_share, total, out=np.zeros_like(dim_share), where=total > 0
    )
    within = np.divide(
        per_dim,
        dim_total[..., None],
        out=np.zeros_like(per_dim),
        where=dim_total[..., None] > 0,
    )
    eff = (dim_share[..., None] * within).sum(-2)  # (..., k)
    return np.asarray((present * eff[..., None, :]).sum(-1), dtype=float)


def aggregate(
    gaps: Float,
    w: Float,
    big_w: Float,
    dim_of: NDArray[np.intp],
    p_dim: Float,
    p: Float | float,
    min_coverage: float,
) -> Aggregate:
    """Weighted power means of the gaps: within dimensions, then over dimensions.

    Missing gaps (NaN) are left out and their weight spread over the present ones,
    so a missing cell scores exactly like a zero weight (property 8).
    """
    m = big_w.shape[-1]
    member = dim_of[None, :] == np.arange(m)[:, None]  # (m, k)
    present = ~np.isnan(gaps)
    g0 = np.where(present, gaps, 0.0)
    wp = np.where(present, w[..., None, :], 0.0)  # (..., n, k)
    p_dim = np.asarray(p_dim, dtype=float)
    p_arr = np.asarray(p, dtype=float)
    p_of = p_dim[..., dim_of]  # (..., k)
    powered = wp * g0 ** p_of[..., None, :]  # (..., n, k)
    num = powered @ member.T.astype(float)  # (..., n, m)
    den = wp @ member.T.astype(float)
    has = den > 0
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
    cov = coverage(present, w, big_w, member)
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
    ind_den = num[..., dim_of]  # (..., n, k)
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
    return Aggregate(dist, s, cov, contrib, top_share[..., dim_of] * within)
