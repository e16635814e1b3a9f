"""Drawn inputs and the vectorised evaluator that turns them into distances.

The evaluator computes, for a batch of draws, the same weighted power means as
`influence._kernel.aggregate`, specialised for speed: gaps are computed once per
*slot* (a level or value of an indicator) and per draw, then gathered into the
cells; the dimension sums run in a fixed order, so a draw's numbers never depend
on which other draws share its batch (chunk-size independence).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from influence._draws import BLOCK, generator, uint16_bits
from influence._ensemble import POLICIES, SOURCES, Spec

__all__ = ["Inputs", "Plan", "evaluate", "plan", "ranks", "sample"]

Float = NDArray[np.float64]


@dataclass(frozen=True)
class Inputs:
    """The drawn inputs of a batch of draws; None means "the model's own value"."""

    size: int
    weights: Float | None = None  # (B, k) indicator weights, summing to 1 per dimension
    dimension_weights: Float | None = None  # (B, m), summing to 1
    positions: Float | None = None  # (B, J) positions of the moving levels
    p: Float | None = None  # (B,) exponent over dimensions
    missing: NDArray[np.int8] | None = None  # (B,) index into POLICIES
    fallback: NDArray[np.bool_] | None = None  # (B, q) uncertain cells falling back

    def take(self, rows: slice) -> Inputs:
        """Return the inputs of some of the draws."""
        fields = {
            name: None if (value := getattr(self, name)) is None else value[rows]
            for name in ("weights", "dimension_weights", "positions", "p", "missing")
        }
        fallback = None if self.fallback is None else self.fallback[rows]
        size = len(range(*rows.indices(self.size)))
        return replace(self, size=size, fallback=fallback, **fields)


@dataclass(frozen=True)
class _Cells:
    """Some cells of the scored countries, grouped by dimension for the sums."""

    slot_now: NDArray[np.intp]  # (c,) slot of each cell as coded
    slot_then: NDArray[np.intp]  # (c,) slot it falls back to
    indicator: NDArray[np.intp]  # (c,)
    which: NDArray[np.intp]  # (c,) position in the fallback draws
    spread: Float  # (c, n) one 1 per row: the cell's country
    ranges: tuple[tuple[int, int], ...]  # cells of each dimension


@dataclass(frozen=True)
class Plan:
    """A `Spec` with the fixed matrices of the fast evaluator."""

    spec: Spec
    slot_ranges: tuple[tuple[int, int], ...]  # slots of each dimension
    coded: Float  # (S, n): 1 where a scored country's cell is coded in the slot
    ref_now: NDArray[np.intp]  # (k,) slot of the reference's cell
    ref_which: NDArray[np.intp]  # fallback draws of the reference's cells
    ref_indicator: NDArray[np.intp]
    ref_then: NDArray[np.intp]
    cells: _Cells  # scored cells that may fall back
    gaps_cells: _Cells  # those of them whose fallback may make them missing
    powered: bool  # whether some dimension has an exponent other than 1


def _ranges(dims: NDArray[np.intp], m: int) -> tuple[tuple[int, int], ...]:
    """Start and stop of each dimension in an array sorted by dimension."""
    edges = np.searchsorted(dims, np.arange(m + 1))
    return tuple((int(edges[d]), int(edges[d + 1])) for d in range(m))


def _cells(spec: Spec, which: NDArray[np.intp]) -> _Cells:
    col, row = spec.uncertain[which, 0], spec.uncertain[which, 1]
    scored_at = np.searchsorted(spec.scored, row)
    spread = np.zeros((len(which), len(spec.scored)))
    spread[np.arange(len(which)), scored_at] = 1.0
    return _Cells(
        spec.current[col, row],
        spec.previous[col, row],
        col,
        which,
        spread,
        _ranges(spec.dim_of[col], len(spec.dimensions)),
    )


def plan(spec: Spec) -> Plan:
    """Precompute the fixed matrices of the evaluator for one spec."""
    m, s = len(spec.dimensions), spec.n_slots
    coded = np.zeros((s, len(spec.scored)))
    for j, row in enumerate(spec.scored):
        coded[spec.current[:, row], j] = 1.0
    unc = spec.uncertain
    is_ref = unc[:, 1] == spec.reference
    ref_which = np.flatnonzero(is_ref)
    ref_ind = unc[ref_which, 0]
    mine = np.flatnonzero(~is_ref)
    nan = np.isnan(spec.slot_pos)
    ref_can_miss = (
        nan[spec.current[:, spec.reference]] | nan[spec.previous[:, spec.reference]]
    )
    col, row = unc[mine, 0], unc[mine, 1]
    may_miss = (
        nan[spec.current[col, row]] | nan[spec.previous[col, row]] | ref_can_miss[col]
    )
    return Plan(
        spec=spec,
        slot_ranges=_ranges(spec.dim_of[spec.slot_ind], m),
        coded=coded,
        ref_now=spec.current[:, spec.reference],
        ref_which=ref_which,
        ref_indicator=ref_ind,
        ref_then=spec.previous[ref_ind, spec.reference],
        cells=_cells(spec, mine),
        gaps_cells=_cells(spec, mine[may_miss]),
        powered=bool(np.any(spec.p_dim != 1.0)),
    )


def _gap_tables(pl: Plan, x: Inputs) -> tuple[Float, Float]:
    """Per draw and slot: the (powered, filled) gap and whether the cell counts."""
    spec = pl.spec
    pos = np.broadcast_to(spec.slot_pos, (x.size, spec.n_slots))
    if x.positions is not None:
        pos = pos.copy()
        pos[:, spec.jitter] = x.positions
    ref_pos = np.take(pos, pl.ref_now, axis=1)
    if x.fallback is not None and len(pl.ref_which):
        back = np.take(pos, pl.ref_then, axis=1)
        now = ref_pos[:, pl.ref_indicator]
        ref_pos[:, pl.ref_indicator] = np.where(x.fallback[:, pl.ref_which], back, now)
    ref_slot = np.take(ref_pos, spec.slot_ind, axis=1)
    gap = np.abs(pos - ref_slot)
    if pl.powered:
        gap = gap ** spec.p_dim[spec.dim_of[spec.slot_ind]]
    missing = np.isnan(gap)
    # A policy fills only what the country lacks; where the reference has no
    # position there is no gap to measure, and the cell never counts.
    fillable = missing & ~np.isnan(ref_slot)
    if x.missing is None:
        policy = np.full(1, POLICIES.index(spec.model.missing), dtype=np.int8)
    else:
        policy = x.missing
    fill = (policy == POLICIES.index("as_farthest")).astype(float)[:, None]
    keep = (policy != POLICIES.index("redistribute")).astype(float)[:, None]
    counts = np.where(fillable, keep, np.where(missing, 0.0, 1.0))
    return np.where(missing, np.where(fillable, fill, 0.0), gap), counts


def _add_fallbacks(
    out: Float, table: Float, w: Float, fallback: NDArray[np.bool_], cells: _Cells
) -> None:
    """Add to ``out`` what the cells that fall back change in their dimension's sum."""
    if not len(cells.which):
        return
    change = np.take(table, cells.slot_then, axis=1) - np.take(
        table, cells.slot_now, axis=1
    )
    change *= np.take(w, cells.indicator, axis=1)
    change = np.where(np.take(fallback, cells.which, axis=1), change, 0.0)
    for d, (a, b) in enumerate(cells.ranges):
        if b > a:
            out[:, d] += change[:, a:b] @ cells.spread[a:b]


def evaluate(pl: Plan, x: Inputs) -> Float:
    """Return the distance of every scored country in every draw, shape (B, n)."""
    spec = pl.spec
    filled, present = _gap_tables(pl, x)
    w = (
        np.broadcast_to(spec.w0, (x.size, len(spec.w0)))
        if x.weights is None
        else x.weights
    )
    w_slot = np.take(w, spec.slot_ind, axis=1)
    weighted_gap = filled * w_slot
    weighted_count = present * w_slot
    m, n = len(spec.dimensions), len(spec.scored)
    num = np.empty((x.size, m, n))
    den = np.empty((x.size, m, n))
    for d, (a, b) in enumerate(pl.slot_ranges):
        num[:, d] = weighted_gap[:, a:b] @ pl.coded[a:b]
        den[:, d] = weighted_count[:, a:b] @ pl.coded[a:b]
    if x.fallback is not None:
        _add_fallbacks(num, filled, w, x.fallback, pl.cells)
        _add_fallbacks(den, present, w, x.fallback, pl.gaps_cells)
    wsum = np.zeros((w.shape[0], m))
    for i, d in enumerate(spec.dim_of):
        wsum[:, d] += w[:, i]
    return _combine(spec, x, num, den, wsum)


def _combine(spec: Spec, x: Inputs, num: Float, den: Float, wsum: Float) -> Float:
    """Dimension scores to distances, with coverage (as `_kernel.aggregate` does)."""
    # Fallback corrections subtract from the sums, which can leave rounding dust
    # where a dimension lost every cell: treat it as empty, as the kernel would.
    has = den > 1e-12 * wsum[:, :, None]
    mean = np.divide(np.maximum(num, 0.0), den, out=np.zeros_like(num), where=has)
    if np.any(spec.p_dim != 1.0):
        mean = mean ** (1.0 / spec.p_dim)[None, :, None]
    big_w = spec.big_w0[None, :] if x.dimension_weights is None else x.dimension_weights
    p = np.full((1, 1), spec.p) if x.p is None else x.p[:, None]
    powered = mean if np.all(p == 1.0) else mean ** p[:, :, None]
    live = np.where(wsum > 0, big_w, 0.0)  # (B, m)
    live_total = live.sum(1, keepdims=True)
    top_num = np.zeros(num.shape[::2])
    top_den = np.zeros(num.shape[::2])
    cover = np.zeros(num.shape[::2])
    for d in range(num.shape[1]):
        dim_w = np.where(has[:, d], big_w[:, d, None], 0.0)
        top_num += dim_w * powered[:, d]
        top_den += dim_w
        share = np.divide(
            live[:, d],
            live_total[:, 0] * wsum[:, d],
            out=np.zeros(live.shape[0]),
            where=live[:, d] > 0,
        )
        cover += den[:, d] * share[:, None]
    ok = top_den > 0
    mean_top = np.divide(top_num, top_den, out=np.zeros_like(top_num), where=ok)
    dist = mean_top if np.all(p == 1.0) else mean_top ** (1.0 / p)
    keep = ok & (cover + 1e-12 >= spec.model.min_coverage)
    return np.where(keep, dist, np.nan)


def _normalised(gam: Float, group: NDArray[np.intp], groups: int) -> Float:
    """Divide draws of gamma variables by their sum within each group (Dirichlet)."""
    total = np.zeros((gam.shape[0], groups))
    for j, g in enumerate(group):
        total[:, g] += gam[:, j]
    per = total[:, group]
    return np.divide(gam, per, out=np.zeros_like(gam), where=per > 0)


def dirichlet_shapes(spec: Spec, concentration: float) -> tuple[Float, Float]:
    """Shapes of the Dirichlet draws: the model's weight shares times the concentration."""
    m = len(spec.dimensions)
    within = _normalised(spec.w0[None, :], spec.dim_of, m)[0]
    top = _normalised(spec.big_w0[None, :], np.zeros(m, dtype=np.intp), 1)[0]
    return concentration * within, concentration * top


def _draw_block(
    spec: Spec, source: str, rng: np.random.Generator, settings: dict[str, float]
) -> dict[str, np.ndarray]:
    """Draw one whole block of one source."""
    k, _n = spec.current.shape
    if source == "weights":
        a_w, a_big = dirichlet_shapes(spec, settings["concentration"])
        gam = rng.standard_gamma(a_w, size=(BLOCK, k))
        gam_big = rng.standard_gamma(a_big, size=(BLOCK, len(a_big)))
        m = len(spec.dimensions)
        return {
            "weights": _normalised(gam, spec.dim_of, m),
            "dimension_weights": _normalised(gam_big, np.zeros(m, dtype=np.intp), 1),
        }
    if source == "positions":
        u = rng.random((BLOCK, len(spec.jitter)))
        return {"positions": spec.jitter_low + u * (spec.jitter_high - spec.jitter_low)}
    if source == "exponent":
        return {"p": 1.0 + rng.random(BLOCK) * (settings["max_p"] - 1.0)}
    if source == "missing":
        return {"missing": rng.integers(0, len(POLICIES), BLOCK, dtype=np.int8)}
    cells = spec.uncertain
    bits = uint16_bits(rng, BLOCK * len(cells)).reshape(BLOCK, len(cells))
    return {"fallback": bits < spec.threshold[cells[:, 0], cells[:, 1]]}


def _idle(spec: Spec, source: str) -> bool:
    """Whether a source has nothing to perturb in this panel."""
    if source == "positions":
        return len(spec.jitter) == 0
    if source == "confidence":
        return len(spec.uncertain) == 0
    return False


def sample(
    spec: Spec,
    root: np.random.SeedSequence,
    first: int,
    blocks: int,
    used: int,
    perturb: frozenset[str],
    settings: dict[str, float],
) -> Inputs:
    """Draw the inputs of ``blocks`` whole blocks from ``first``; keep ``used`` draws."""
    parts: dict[str, list[np.ndarray]] = {}
    for source_id, source in enumerate(SOURCES):
        if source not in perturb or _idle(spec, source):
            continue
        for block in range(first, first + blocks):
            rng = generator(root, block, source_id)
            for name, arr in _draw_block(spec, source, rng, settings).items():
                parts.setdefault(name, []).append(arr)
    fields = {name: np.concatenate(arrs)[:used] for name, arrs in parts.items()}
    return Inputs(size=used, **fields)


def ranks(dist: Float) -> NDArray[np.int64]:
    """Rank 1 = farthest; ties share the better rank; 0 where there is no distance."""
    farther = (dist[:, None, :] > dist[:, :, None]).sum(-1)
    return np.where(np.isnan(dist), 0, farther + 1)
