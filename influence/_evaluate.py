"""Drawn inputs and the vectorised evaluator that turns them into distances.

The evaluator computes, for a batch of draws, the same weighted power means as
`influence._kernel.aggregate`, specialised for speed (docs/performance.md):

- every array is laid out ``(rows, draws)``, draws last, so that picking a row
  (a slot, a cell, an indicator) copies contiguous memory;
- arithmetic is in float32 (about 7 significant digits: an unperturbed draw agrees
  with `influence.score` to within 1e-6, tested), which halves the memory traffic;
- gaps are computed once per *slot* (a level or value of an indicator) and only
  where they can change (moving levels, a moving reference); the others are
  computed once per ensemble (`Plan.static_gap`);
- weights are gamma draws, never normalised: a weighted mean does not depend on
  the scale of its weights, so the Dirichlet division is left to the displays;
- a cell that may fall back gets its own row, ``now + back * (then - now)``; every
  cell then reads its row with one gather, and the cells of a dimension are
  summed over indicators with one reduction (whole weighted values, never
  differences, so a dimension without cells sums to exactly 0);
- power means use exp(p log x) (`_pow`): numpy's float32 power is slow at 0;
- `Workspace` keeps the buffers, so that a long ensemble allocates them once.

Each draw's numbers depend only on its own inputs (columns never mix); the
ensemble evaluates whole blocks of `BLOCK` draws, so they never depend on the
chunk size either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from influence._draws import BLOCK, generator, uint16_bits
from influence._ensemble import POLICIES, SOURCES, Spec

__all__ = [
    "Inputs",
    "Plan",
    "Sampler",
    "Workspace",
    "evaluate",
    "evaluator",
    "idle",
    "normalised",
    "plan",
    "ranks",
    "sample",
]

Float = NDArray[np.float64]
F32 = NDArray[np.float32]
Index = NDArray[np.intp]

#: The evaluator's float type.
DTYPE = np.float32

_FARTHEST = POLICIES.index("as_farthest")
_REDISTRIBUTE = POLICIES.index("redistribute")


@dataclass(frozen=True)
class Inputs:
    """The drawn inputs of a batch of draws, draws last; None = the model's own value."""

    size: int
    # Weights need not sum to 1: only their ratios within a dimension (indicator
    # weights) or overall (dimension weights) matter, as in a weighted mean.
    weights: F32 | None = None  # (k, B) indicator weights
    dimension_weights: F32 | None = None  # (m, B)
    positions: F32 | None = None  # (J, B) positions of the moving levels
    p: F32 | None = None  # (B,) exponent over dimensions
    missing: NDArray[np.int8] | None = None  # (B,) index into POLICIES
    fallback: NDArray[np.bool_] | None = None  # (q, B) uncertain cells falling back

    def take(self, cols: slice) -> Inputs:
        """Return the inputs of some of the draws."""
        names = ("weights", "dimension_weights", "positions", "p", "missing")
        fields = {
            name: None if (value := getattr(self, name)) is None else value[..., cols]
            for name in names
        }
        fallback = None if self.fallback is None else self.fallback[:, cols]
        size = len(range(*cols.indices(self.size)))
        return replace(self, size=size, fallback=fallback, **fields)


@dataclass(frozen=True)
class Plan:
    """A `Spec` with the fixed arrays of the evaluator."""

    spec: Spec
    static_gap: F32  # (S, 1) gap of each slot from the reference's coded cell,
    #                  powered; 0 where either has no position
    moving: Index  # slots whose gap changes from draw to draw
    moving_jitter: Index  # (len(moving),) their row in the positions, or -1
    moving_pos: F32  # (len(moving), 1) their fixed positions (NaN if missing)
    moving_exp: F32 | None  # (len(moving), 1) their exponent, if not all 1
    moving_ref: Index  # (len(moving),) their indicator
    ref_pos: F32  # (k, 1) the reference's fixed positions
    ref_moving: bool  # whether the reference's position itself may move
    ref_jitter: Index  # (k,) row of the reference's slot in the positions, or -1
    ref_then_pos: F32  # (len(ref_which), 1) positions it may fall back to
    ref_then_jitter: Index  # their rows in the positions, or -1
    ref_which: Index  # fallback rows of the reference's uncertain cells
    ref_indicator: Index  # their indicators
    ref_lost: Index  # among them, those that fall back to no position
    indicator_ok: F32 | None  # (k, 1) 0 where the reference never has a position
    missing_slots: Index  # slots with no position
    slot_ind: Index  # (S,)
    cell_now: Index  # (k * n,) slot of each scored cell; cells sorted by
    #                  dimension, indicator and country
    dim_ranges: tuple[tuple[int, int], ...]  # indicators of each dimension, in order
    unc_cells: Index  # (q,) cells that may fall back (positions in cell_now)
    cell_row: Index  # (k * n,) cell_now, except S + j for the j-th of them
    unc_now: Index  # (q,) slot of each as coded
    unc_then: Index  # (q,) slot it falls back to
    unc_which: Index  # (q,) its row in the fallback draws
    inv_p_dim: F32 | None  # (m, 1, 1) 1 / exponent within each dimension, if not all 1
    member: F32  # (m, k)
    w0: F32  # (k, 1)
    big_w0: F32  # (m, 1)
    na_slots: Index  # slots of not-applicable cells: weight 0, whatever the policy
    app_member: F32 | None  # (m, k, n) member x applicable per scored country, or
    #                         None when every cell applies


def _col(a: Float | NDArray[np.bool_]) -> F32:
    """Return ``a`` as a float32 column (k, 1)."""
    return a.astype(DTYPE)[:, None]


def plan(spec: Spec) -> Plan:
    """Precompute the fixed arrays of the evaluator for one spec."""
    m, n = len(spec.dimensions), len(spec.scored)
    k = len(spec.indicators)
    slot_exp = spec.p_dim[spec.dim_of[spec.slot_ind]]
    jitter_row = np.full(spec.n_slots, -1, dtype=np.intp)
    jitter_row[spec.jitter] = np.arange(len(spec.jitter))
    # The reference: its coded positions, and what its uncertain cells fall back to.
    unc = spec.uncertain
    ref_which = np.flatnonzero(unc[:, 1] == spec.reference)
    ref_ind = unc[ref_which, 0]
    ref_now = spec.current[:, spec.reference]
    ref_then = spec.previous[ref_ind, spec.reference]
    ref_pos = spec.slot_pos[ref_now]
    then_pos = spec.slot_pos[ref_then]
    lost = np.isnan(then_pos)
    # Its position moves if its level jitters or it may fall back to another one;
    # falling back to nothing only removes the indicator (a weight of 0).
    ref_moves = jitter_row[ref_now] >= 0
    ref_moves[ref_ind[~lost]] = True
    moving = np.flatnonzero((jitter_row >= 0) | ref_moves[spec.slot_ind])
    with np.errstate(invalid="ignore"):
        gap = np.abs(spec.slot_pos - ref_pos[spec.slot_ind]) ** slot_exp
    # Cells sorted by (dimension, indicator, country): the cells of one dimension
    # form an (indicators, countries) block, summed over indicators.
    by_dim = np.argsort(spec.dim_of, kind="stable")
    ind = np.repeat(by_dim, n)
    rows = np.tile(spec.scored, k)
    edges = np.searchsorted(spec.dim_of[by_dim], np.arange(m + 1))
    fallback_row = np.full(spec.current.shape, -1, dtype=np.intp)
    fallback_row[unc[:, 0], unc[:, 1]] = np.arange(len(unc))
    unc_cells = np.flatnonzero(fallback_row[ind, rows] >= 0)
    cell_now = spec.current[ind, rows]
    cell_row = cell_now.copy()
    cell_row[unc_cells] = spec.n_slots + np.arange(len(unc_cells))
    never = np.isnan(ref_pos)
    return Plan(
        spec=spec,
        static_gap=_col(np.nan_to_num(gap, nan=0.0)),
        moving=moving,
        moving_jitter=jitter_row[moving],
        moving_pos=_col(spec.slot_pos[moving]),
        moving_exp=None if np.all(slot_exp[moving] == 1.0) else _col(slot_exp[moving]),
        moving_ref=spec.slot_ind[moving],
        ref_pos=_col(ref_pos),
        ref_moving=bool(ref_moves.any()),
        ref_jitter=jitter_row[ref_now],
        ref_then_pos=_col(then_pos),
        ref_then_jitter=jitter_row[ref_then],
        ref_which=ref_which,
        ref_indicator=ref_ind,
        ref_lost=np.flatnonzero(lost),
        indicator_ok=_col(~never) if never.any() else None,
        missing_slots=np.setdiff1d(
            np.flatnonzero(np.isnan(spec.slot_pos)), spec.na_slots
        ).astype(np.intp),
        slot_ind=spec.slot_ind,
        cell_now=cell_now,
        dim_ranges=tuple((int(edges[d]), int(edges[d + 1])) for d in range(m)),
        unc_cells=unc_cells,
        cell_row=cell_row,
        unc_now=cell_now[unc_cells],
        unc_then=spec.previous[ind, rows][unc_cells],
        unc_which=fallback_row[ind, rows][unc_cells],
        inv_p_dim=None
        if np.all(spec.p_dim == 1.0)
        else (1.0 / spec.p_dim).astype(DTYPE)[:, None, None],
        member=(spec.dim_of[None, :] == np.arange(m)[:, None]).astype(DTYPE),
        w0=_col(spec.w0),
        big_w0=_col(spec.big_w0),
        na_slots=spec.na_slots,
        app_member=None
        if spec.applicable[:, spec.scored].all()
        else (
            (spec.dim_of[None, :] == np.arange(m)[:, None])[:, :, None]
            & spec.applicable[None, :, spec.scored]
        ).astype(DTYPE),
    )


@dataclass
class Workspace:
    """Buffers reused from batch to batch (one per name and shape)."""

    buffers: dict[tuple[str, tuple[int, ...]], F32] = field(default_factory=dict)

    def get(self, name: str, shape: tuple[int, ...]) -> F32:
        """Return the float32 buffer ``name`` of ``shape`` (uninitialised at first)."""
        key = (name, shape)
        if key not in self.buffers:
            self.buffers[key] = np.empty(shape, dtype=DTYPE)
        return self.buffers[key]


#: Bytes a batch of draws may occupy. numpy's per-call overhead (some 60 calls
#: per batch) favours large batches, the caches small ones; on the benchmark
#: machine, batches of 256 to 4096 draws of the bundled codebook (about 9 kB per
#: draw) took the same time within noise. The budget keeps a large panel's batch
#: small (W4: 16 draws of about 0.6 MB each). A draw's numbers do not depend on it.
BATCH_BYTES = 16 * 2**20


def batch_size(pl: Plan) -> int:
    """Draws evaluated at once for this plan: a power of 2 from 8 to `BLOCK`."""
    s, q, e = pl.spec.n_slots, len(pl.unc_cells), len(pl.cell_now)
    m, n = len(pl.spec.dimensions), len(pl.spec.scored)
    per_draw = 4 * (2 * (s + q) + 2 * e + 4 * q + 6 * m * n + 4 * s)
    fits = max(8, BATCH_BYTES // per_draw)
    return int(min(BLOCK, 2 ** (fits.bit_length() - 1)))


def _pow(x: F32, e: F32 | float) -> F32:
    """``x ** e`` for x >= 0 and e > 0, in place: exp(e log x), 0 where x is 0.

    numpy's float32 power takes a slow path at 0, which gaps and dimension means
    often are; exp and log stay vectorised (within a few units in the last place).
    The caller silences the divide warning of log(0).
    """
    np.log(x, out=x)
    x *= e
    return np.exp(x, out=x)


def _positions(pl: Plan, x: Inputs, rows: Index, fixed: F32) -> F32:
    """Positions of some slots in each draw: fixed, or drawn where they jitter."""
    if x.positions is None or not np.any(rows >= 0):
        return fixed
    out = np.repeat(fixed, x.size, axis=1)
    moved = rows >= 0
    out[moved] = x.positions[rows[moved]]
    return out


def _reference(pl: Plan, x: Inputs) -> F32:
    """Return the reference's position on each indicator in each draw, (k, B|1)."""
    ref = _positions(pl, x, pl.ref_jitter, pl.ref_pos)
    if x.fallback is not None and len(pl.ref_which):
        then = _positions(pl, x, pl.ref_then_jitter, pl.ref_then_pos)
        back = x.fallback[pl.ref_which]
        ref = np.repeat(ref, x.size, axis=1) if ref.shape[1] == 1 else ref
        rows = pl.ref_indicator
        # Falling back to no position is handled by the weights (_weights).
        ref[rows] = np.where(back & ~np.isnan(then), then, ref[rows])
    return ref


def _weights(pl: Plan, x: Inputs) -> F32:
    """Return each draw's indicator weights, 0 where the reference has no position."""
    w = pl.w0 if x.weights is None else x.weights
    if pl.indicator_ok is not None:
        w = w * pl.indicator_ok
    if x.fallback is not None and len(pl.ref_lost):
        lost = x.fallback[pl.ref_which[pl.ref_lost]]
        w = np.repeat(w, x.size, axis=1) if w.shape[1] == 1 else w.copy()
        w[pl.ref_indicator[pl.ref_lost]] *= ~lost
    return w


def _weighted_tables(pl: Plan, x: Inputs, table: F32) -> None:
    """Fill ``table`` (S, 2, B) with the weighted gap and count of each slot.

    Per slot and draw: weight x filled gap in ``[:, 0]`` (for the numerators of
    the dimension means) and weight x whether the cell counts in ``[:, 1]`` (for
    their denominators).
    """
    spec, b = pl.spec, x.size
    w = _weights(pl, x)
    np.take(
        np.broadcast_to(w, (w.shape[0], b)),
        pl.slot_ind,
        axis=0,
        out=table[:, 1],
        mode="clip",
    )
    np.multiply(table[:, 1], pl.static_gap, out=table[:, 0])
    if len(pl.moving) and (x.positions is not None or pl.ref_moving):
        pos = _positions(pl, x, pl.moving_jitter, pl.moving_pos)
        ref = _reference(pl, x) if pl.ref_moving else pl.ref_pos
        gap = np.abs(pos - ref[pl.moving_ref])
        if pl.moving_exp is not None:
            _pow(gap, pl.moving_exp)
        np.fmax(gap, DTYPE(0.0), out=gap)  # no position: no gap (and no weight)
        table[pl.moving, 0] = gap * table[pl.moving, 1]
    # A policy fills only what the country lacks: the missing slots take the
    # policy's gap (1 for as_farthest, else 0) and count unless it redistributes.
    if len(pl.missing_slots):
        if x.missing is None:
            policy = POLICIES.index(spec.model.missing)
            fill: F32 | float = float(policy == _FARTHEST)
            keep: F32 | float = float(policy != _REDISTRIBUTE)
        else:
            fill = (x.missing == _FARTHEST).astype(DTYPE)
            keep = (x.missing != _REDISTRIBUTE).astype(DTYPE)
        counted = table[pl.missing_slots, 1]
        table[pl.missing_slots, 0] = counted * fill
        table[pl.missing_slots, 1] = counted * keep
    if len(pl.na_slots):
        table[pl.na_slots] = 0.0


def evaluate(pl: Plan, x: Inputs, ws: Workspace | None = None) -> F32:
    """Return the distance of every scored country in every draw, shape (n, B)."""
    ws = ws if ws is not None else Workspace()
    out = np.empty((len(pl.spec.scored), x.size), dtype=DTYPE)
    size = batch_size(pl)
    with np.errstate(divide="ignore", invalid="ignore"):
        for start in range(0, x.size, size):
            part = x if x.size <= size else x.take(slice(start, start + size))
            out[:, start : start + part.size] = _evaluate(pl, part, ws)
    return out


def evaluator(
    pl: Plan, engine: Literal["numpy", "numba"] = "numpy"
) -> Callable[[Inputs], F32]:
    """Return a function evaluating batches of draws of ``pl`` with one engine.

    ``"numpy"`` is `evaluate` with its own `Workspace`; ``"numba"`` is the compiled
    kernel of `influence._jit` (imported here, so that numba stays optional). Both
    return the same (n, B) float32 distances, to within a few units in the last
    place (docs/uncertainty.md, "Engines").
    """
    if engine == "numba":
        from influence._jit import Kernel  # imported on use: numba is optional

        return Kernel(pl)
    ws = Workspace()
    return lambda x: evaluate(pl, x, ws)


def _evaluate(pl: Plan, x: Inputs, ws: Workspace) -> F32:
    """`evaluate` on one batch of at most `batch_size` draws."""
    spec, b = pl.spec, x.size
    s, q = spec.n_slots, len(pl.unc_cells)
    # One row per slot, then one per cell that may fall back: each cell reads its
    # value from its slot's row, or from its own row when it may fall back.
    table = ws.get("table", (s + q, 2, b))
    _weighted_tables(pl, x, table[:s])
    cell_rows = pl.cell_now
    if q and x.fallback is not None:
        _fall_back(pl, x, table, ws)
        cell_rows = pl.cell_row
    m, n, e = len(spec.dimensions), len(spec.scored), len(pl.cell_now)
    cells = ws.get("cells", (e, 2, b))
    np.take(table, cell_rows, axis=0, out=cells, mode="clip")
    sums = ws.get("sums", (m, n, 2 * b))
    for d, (lo, hi) in enumerate(pl.dim_ranges):
        np.sum(cells[lo * n : hi * n].reshape(hi - lo, n, 2 * b), axis=0, out=sums[d])
    return _combine(pl, x, sums[:, :, :b], sums[:, :, b:], ws)


def _fall_back(pl: Plan, x: Inputs, table: F32, ws: Workspace) -> None:
    """Fill the rows of the cells that may fall back: their slot's or their fallback's.

    Computes now + back * (then - now), which is exact where it matters: a cell's
    two denominator entries are its weight or 0, so a dimension whose cells all
    fall back sums to exactly 0.
    """
    s, q, b = pl.spec.n_slots, len(pl.unc_cells), x.size
    back = ws.get("back", (q, 1, b))
    np.copyto(back[:, 0], x.fallback[pl.unc_which])  # type: ignore[index]
    change = ws.get("change", (q, 2, b))
    np.take(table, pl.unc_then, axis=0, out=change, mode="clip")
    now = ws.get("now", (q, 2, b))  # (not a view of table: take would buffer)
    np.take(table, pl.unc_now, axis=0, out=now, mode="clip")
    change -= now
    change *= back
    np.add(now, change, out=table[s:])


def _combine(pl: Plan, x: Inputs, num: F32, den: F32, ws: Workspace) -> F32:
    """Dimension sums to distances, with coverage (as `_kernel.aggregate` does)."""
    spec = pl.spec
    # Where a dimension has no cell its numerator is 0 too: the mean is then 0.
    mean = ws.get("mean", num.shape)
    np.maximum(den, DTYPE(1e-30), out=mean)
    np.divide(num, mean, out=mean)
    if pl.inv_p_dim is not None:
        _pow(mean, pl.inv_p_dim)
    p: F32 | float = spec.p if x.p is None else x.p
    if x.p is not None or p != 1.0:
        _pow(mean, p)
    dist = top(pl, x, mean, den)
    if x.p is not None or p != 1.0:
        inv_p: F32 | float = 1.0 / p if x.p is None else DTYPE(1.0) / x.p
        _pow(dist, inv_p)
    # A power mean of gaps in [0, 1] stays in [0, 1]; float32 may overshoot by a bit.
    return np.minimum(dist, DTYPE(1.0), out=dist)


def top(pl: Plan, x: Inputs, mean: F32, den: F32) -> F32:
    """Weighted mean over the counted dimensions, NaN where coverage is too low.

    ``mean`` holds each dimension's mean already raised to the draw's exponent and
    ``den`` its coded weight, both (m, n, B); both engines finish with this function,
    so the dimension rule and the coverage test are written once. The result is
    before the root of the top-level power mean. float32 sums carry relative errors
    of about 1e-7: the two thresholds allow 1e-6.
    """
    spec = pl.spec
    w = pl.w0 if x.weights is None else x.weights  # (k, B|1)
    big_w = pl.big_w0 if x.dimension_weights is None else x.dimension_weights
    if pl.app_member is None:
        applicable = (pl.member @ w)[:, None, :]  # (m, 1, B|1)
    else:
        applicable = np.einsum("mkn,kb->mnb", pl.app_member, w)
    slack = DTYPE(1e-6)
    counted = den > 0
    rule = spec.model.min_dimension_coverage
    if rule > 0:
        counted &= den + slack * applicable >= DTYPE(rule) * applicable
    big = big_w[:, None, :]
    dim_w = np.where(counted, big, DTYPE(0.0))
    top_den = dim_w.sum(0)
    top_num = (dim_w * mean).sum(0)
    live = np.where(applicable > 0, big, DTYPE(0.0))
    coded = np.divide(
        den,
        applicable,
        out=np.zeros(np.broadcast_shapes(den.shape, applicable.shape), dtype=DTYPE),
        where=applicable > 0,
    )
    live_total = live.sum(0)
    cover = (live * coded).sum(0) / np.where(live_total > 0, live_total, DTYPE(1.0))
    ok = top_den > 0
    dist = top_num / np.where(ok, top_den, DTYPE(1.0))
    keep = ok & (cover + slack >= spec.model.min_coverage)
    return np.where(keep, dist, DTYPE(np.nan)).astype(DTYPE, copy=False)


def normalised(gam: Float, group: Index, groups: int) -> Float:
    """Divide rows of weights by their sum within each group (0 where it is 0)."""
    total = np.zeros((groups, *gam.shape[1:]), dtype=gam.dtype)
    for j, g in enumerate(group):
        total[g] += gam[j]
    per = total[group]
    return np.divide(gam, per, out=np.zeros_like(gam), where=per > 0)


def dirichlet_shapes(spec: Spec, concentration: float) -> tuple[Float, Float]:
    """Shapes of the Dirichlet draws: the model's weight shares times the concentration."""
    m = len(spec.dimensions)
    within = normalised(spec.w0[:, None], spec.dim_of, m)[:, 0]
    top = normalised(spec.big_w0[:, None], np.zeros(m, dtype=np.intp), 1)[:, 0]
    return concentration * within, concentration * top


@dataclass(frozen=True)
class _Dirichlet:
    """What a Dirichlet draw within groups needs, computed once."""

    rows: int
    shapes: F32  # (d, 1) shapes of the rows drawn
    drawn: Index  # (d,) rows drawn
    fixed: Index  # rows always 1: the only positive shape of their group

    @classmethod
    def of(cls, shapes: Float, group: Index, groups: int) -> _Dirichlet:
        positive = shapes > 0
        alone = np.bincount(group[positive], minlength=groups) == 1
        fixed = positive & alone[group]
        drawn = np.flatnonzero(positive & ~fixed)
        return cls(
            len(shapes),
            shapes[drawn].astype(DTYPE)[:, None],
            drawn,
            np.flatnonzero(fixed),
        )

    def draw(self, rng: np.random.Generator) -> F32:
        """Draw (rows, BLOCK) weights, Dirichlet within each group, unnormalised.

        The rows are gamma variables: divided by their sum within their group they
        are Dirichlet. The evaluator never needs that division (a weighted mean
        does not change when its weights are scaled), so it is left to whoever
        shows them (`normalised`). Only what varies is drawn: a zero shape gives
        weight 0, and a group with a single positive shape gives it weight 1.
        """
        gam = rng.standard_gamma(
            self.shapes, size=(len(self.drawn), BLOCK), dtype=DTYPE
        )
        if len(self.drawn) == self.rows:
            return gam
        out = np.zeros((self.rows, BLOCK), dtype=DTYPE)
        out[self.fixed] = 1.0
        out[self.drawn] = gam
        return out


def _inward(low: Float, high: Float) -> tuple[F32, F32]:
    """float32 bounds that lie within [low, high]."""
    lo, hi = low.astype(DTYPE), high.astype(DTYPE)
    lo = np.where(lo < low, np.nextafter(lo, DTYPE(np.inf)), lo)
    hi = np.where(hi > high, np.nextafter(hi, DTYPE(-np.inf)), hi)
    return lo, hi


def idle(spec: Spec, source: str) -> bool:
    """Whether a source has nothing to perturb in this panel."""
    if source == "positions":
        return len(spec.jitter) == 0
    if source == "confidence":
        return len(spec.uncertain) == 0
    return False


class Sampler:
    """Draws the inputs of whole blocks of `BLOCK` draws (constants computed once).

    Block ``b`` of source ``s`` comes from its own generator (`generator`), so
    that no number depends on how blocks are grouped into chunks, or on which
    other sources are on.
    """

    def __init__(
        self, spec: Spec, perturb: frozenset[str], settings: dict[str, float]
    ) -> None:
        self.sources = [
            (j, s) for j, s in enumerate(SOURCES) if s in perturb and not idle(spec, s)
        ]
        m = len(spec.dimensions)
        a_w, a_big = dirichlet_shapes(spec, settings["concentration"])
        self.weights = _Dirichlet.of(a_w, spec.dim_of, m)
        self.dimension_weights = _Dirichlet.of(a_big, np.zeros(m, dtype=np.intp), 1)
        lo, hi = _inward(spec.jitter_low, spec.jitter_high)
        self.low, self.high, self.span = lo[:, None], hi[:, None], (hi - lo)[:, None]
        self.p_span = DTYPE(settings["max_p"] - 1.0)
        cells = spec.uncertain
        threshold = spec.threshold[cells[:, 0], cells[:, 1]]
        # bits < threshold, with thresholds up to 65536 compared in 16 bits.
        self.limit = np.clip(threshold - 1, 0, 65535).astype(np.uint16)[:, None]
        self.never = (threshold == 0)[:, None] if np.any(threshold == 0) else None

    def _draw(self, source: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Draw one whole block of one source, draws last."""
        if source == "weights":
            return {
                "weights": self.weights.draw(rng),
                "dimension_weights": self.dimension_weights.draw(rng),
            }
        if source == "positions":
            u = rng.random((len(self.low), BLOCK), dtype=DTYPE)
            u *= self.span
            u += self.low
            return {"positions": np.minimum(u, self.high, out=u)}
        if source == "exponent":
            u = rng.random(BLOCK, dtype=DTYPE)
            u *= self.p_span
            u += DTYPE(1.0)
            return {"p": u}
        if source == "missing":
            return {"missing": rng.integers(0, len(POLICIES), BLOCK, dtype=np.int8)}
        bits = uint16_bits(rng, BLOCK * len(self.limit)).reshape(len(self.limit), BLOCK)
        fallback = bits <= self.limit
        if self.never is not None:
            fallback &= ~self.never
        return {"fallback": fallback}

    def block(self, root: np.random.SeedSequence, block: int) -> Inputs:
        """Draw the inputs of one whole block."""
        fields: dict[str, np.ndarray] = {}
        for source_id, source in self.sources:
            fields.update(self._draw(source, generator(root, block, source_id)))
        return Inputs(size=BLOCK, **fields)


def sample(
    spec: Spec,
    root: np.random.SeedSequence,
    block: int,
    perturb: frozenset[str],
    settings: dict[str, float],
) -> Inputs:
    """Draw the inputs of one whole block of `BLOCK` draws."""
    return Sampler(spec, perturb, settings).block(root, block)


#: Up to this many countries, ranks come from pairwise comparisons (n**2 per draw,
#: fastest for the post-Soviet table); above it, from a sort (n log n per draw).
PAIRWISE_RANKS = 32


def ranks(dist: F32) -> NDArray[np.int16]:
    """Return ranks of (n, B) distances: 1 = farthest, ties share the better, 0 = none.

    Examples
    --------
    >>> d = np.array([[0.2], [0.5], [0.5], [np.nan]], dtype=np.float32)
    >>> ranks(d).ravel().tolist()
    [3, 1, 1, 0]
    """
    if dist.shape[0] > PAIRWISE_RANKS:
        return _sorted_ranks(dist)
    farther: NDArray[np.int16] = np.add.reduce(
        dist[None, :, :] > dist[:, None, :], axis=1, dtype=np.int16
    )
    farther += 1
    farther[np.isnan(dist)] = 0
    return farther


def _sorted_ranks(dist: F32) -> NDArray[np.int16]:
    """Ranks as `ranks` gives them, by sorting each draw's column once."""
    key = np.where(np.isnan(dist), np.inf, -dist)  # farthest first, missing last
    order = np.argsort(key, axis=0, kind="stable")
    ordered = np.take_along_axis(key, order, axis=0)
    n = dist.shape[0]
    index = np.broadcast_to(np.arange(n, dtype=np.int16)[:, None], dist.shape)
    new = np.ones(dist.shape, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    # Each tie group takes the rank of its first member (ties share the better rank).
    first = np.maximum.accumulate(np.where(new, index, 0), axis=0)
    out = np.empty(dist.shape, dtype=np.int16)
    np.put_along_axis(out, order, (first + 1).astype(np.int16), axis=0)
    out[np.isnan(dist)] = 0
    return out
