"""The compiled evaluator: `influence._evaluate.evaluate` fused into numba loops.

Optional (the ``fast`` extra): numba is imported only when the compiled engine is
first used, so the core imports and works without it. `checked_engine` picks an
engine: ``"auto"`` (numba if it imports, else numpy), ``"numpy"`` or ``"numba"``.

Two kernels compute, per tile of up to `TILE` draws (draws innermost, so that LLVM
vectorises the loops), what the numpy evaluator computes with whole-array passes,
in the same float32 arithmetic and the same order of summation: `_dimension_means`
(the reference's position, jittered or fallen back; the indicator weights, 0 where
the reference has no position; each slot's weighted gap and count, the draw's
missing policy filling the missing slots; each cell's slot or fallback,
``now + back * (then - now)``; the dimension sums and means), then, after numpy has
raised the means to the draw's exponent (`influence._evaluate._pow`: numpy's float32
``exp`` and ``log`` are vectorised, the compiled scalar ones are not), the numpy
`influence._evaluate.top` that both engines share (the dimension rule, the weighted
mean over dimensions and the coverage test). The two
engines differ only in the last bits of a few sums that feed the coverage and of
gaps raised to a dimension's exponent: they agree to 1e-6 (tested), and each gives
the same bytes from run to run.

The kernels are cached on disk (``cache=True``: next to this module, or in numba's
user-wide cache directory when the package directory is read-only; with neither
writable they are compiled in memory), so only the first use on a machine pays the
compilation (about 4.5 s on the benchmark machine).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from influence._ensemble import POLICIES
from influence._evaluate import DTYPE, Inputs, Plan, _pow, top
from influence.errors import InvalidArgument

__all__ = ["ENGINES", "Kernel", "checked_engine", "numba_available"]

F32 = NDArray[np.float32]
Index = NDArray[np.intp]
Flags = NDArray[np.bool_]

#: Accepted values of the ``engine`` parameter.
ENGINES = ("auto", "numpy", "numba")

_FARTHEST = POLICIES.index("as_farthest")
_REDISTRIBUTE = POLICIES.index("redistribute")


@functools.cache
def numba_available() -> bool:
    """Whether numba imports (checked once per process)."""
    try:
        importlib.import_module("numba")
    except ImportError:
        return False
    return True


def checked_engine(engine: object, caller: str) -> Literal["numpy", "numba"]:
    """Return the engine that ``engine`` selects, or raise `InvalidArgument`.

    Parameters
    ----------
    engine
        ``"auto"`` (numba if it imports, else numpy), ``"numpy"`` or ``"numba"``.
    caller
        Name of the public function, for the message.

    Returns
    -------
    {"numpy", "numba"}
        The engine to run.

    Raises
    ------
    InvalidArgument
        If ``engine`` is not one of `ENGINES`, or is ``"numba"`` without numba.

    Examples
    --------
    >>> checked_engine("numpy", "uncertainty")
    'numpy'
    >>> checked_engine("auto", "uncertainty") in ("numpy", "numba")
    True
    """
    if not isinstance(engine, str) or engine not in ENGINES:
        msg = f"The 'engine' parameter of {caller} must be one of 'auto', 'numpy', 'numba'. Got {engine!r} instead."
        raise InvalidArgument(msg)
    if engine == "numpy":
        return "numpy"
    if numba_available():
        return "numba"
    if engine == "auto":
        return "numpy"
    msg = f"The 'engine' parameter of {caller} is 'numba' but numba does not import: install the 'fast' extra (pip install 'influence[fast]') or use engine='numpy'."
    raise InvalidArgument(msg)


#: Most draws a kernel handles at once: its innermost loops run over them (SIMD).
TILE = 256

#: Bytes of the per-slot buffers of a tile (2 x slots x tile float32), kept well
#: inside the L2 cache: a large panel gets a smaller tile (`tile`).
TILE_BYTES = 256 * 2**10


def tile(n_slots: int) -> int:
    """Draws per tile for a panel of ``n_slots`` slots: a power of 2, 16 to `TILE`."""
    fits = max(16, TILE_BYTES // (8 * max(1, n_slots)))
    return min(TILE, 1 << (fits.bit_length() - 1))


def _dimension_means(
    plan_index: tuple[Index, ...],
    plan_float: tuple[F32, ...],
    slot_flags: tuple[Flags, Flags, Flags],
    options: NDArray[np.int64],
    weights: F32,
    dimension_weights: F32,
    positions: F32,
    missing: NDArray[np.int8],
    fallback: Flags,
    mean: F32,
    den: F32,
    share: F32,
    big: F32,
) -> None:
    """Fill each dimension's mean and count (m, n, B), and its weights (m, B).

    ``mean`` and ``den`` are the numpy evaluator's ``num / max(den, 1e-30)`` and
    ``den`` before any power; ``share`` is each dimension's share of the coverage
    per unit of count, ``big`` its weight. An input that is not drawn comes as a
    (rows, 1) placeholder with its flag off in ``options``.
    """
    (
        slot_ind,
        slot_jit,
        ref_jit,
        ref_fb,
        ref_ind,
        ref_then_jit,
        lost_fb,
        lost_ind,
        dim_of,
        cell_now,
        cell_fb,
        cell_then,
        dim_lo,
        dim_hi,
    ) = plan_index
    (
        slot_pos,
        slot_exp,
        static_gap,
        ref_pos,
        ref_then_pos,
        ind_ok,
        w0,
        big_w0,
    ) = plan_float
    slot_move, slot_missing, slot_na = slot_flags
    has_w, has_dw, has_pos = options[0] != 0, options[1] != 0, options[2] != 0
    has_missing, has_fb = options[4] != 0, options[5] != 0
    dynamic, pow_slots, policy0 = options[6] != 0, options[7] != 0, options[10]
    width = options[8]  # draws per tile (`tile`)
    zero, one, tiny = np.float32(0.0), np.float32(1.0), np.float32(1e-30)
    n_slots, k, m = slot_ind.shape[0], ref_pos.shape[0], dim_lo.shape[0]
    n, size = mean.shape[1], mean.shape[2]
    ref = np.empty((k, width), np.float32)
    w = np.empty((k, width), np.float32)
    wsum = np.empty((m, width), np.float32)
    num_s = np.empty((n_slots, width), np.float32)
    den_s = np.empty((n_slots, width), np.float32)
    fill = np.empty(width, np.float32)
    keep = np.empty(width, np.float32)
    live_total = np.empty(width, np.float32)
    for b0 in range(0, size, width):
        nb = min(width, size - b0)
        # The reference's position on each indicator: jittered, or fallen back.
        for i in range(k):
            if has_pos and ref_jit[i] >= 0:
                for t in range(nb):
                    ref[i, t] = positions[ref_jit[i], b0 + t]
            else:
                for t in range(nb):
                    ref[i, t] = ref_pos[i]
        if has_fb:
            for j in range(ref_fb.shape[0]):
                i, row = ref_ind[j], ref_fb[j]
                for t in range(nb):
                    then = ref_then_pos[j]
                    if has_pos and ref_then_jit[j] >= 0:
                        then = positions[ref_then_jit[j], b0 + t]
                    if fallback[row, b0 + t] and not np.isnan(then):
                        ref[i, t] = then
        # Indicator weights (0 where the reference has no position); dimensions'.
        for d in range(m):
            for t in range(nb):
                wsum[d, t] = zero
                big[d, b0 + t] = dimension_weights[d, b0 + t] if has_dw else big_w0[d]
        for i in range(k):
            d = dim_of[i]
            for t in range(nb):
                wi = weights[i, b0 + t] if has_w else w0[i]
                wsum[d, t] += wi
                w[i, t] = wi * ind_ok[i]
        if has_fb:
            for j in range(lost_fb.shape[0]):
                i, row = lost_ind[j], lost_fb[j]
                for t in range(nb):
                    if fallback[row, b0 + t]:
                        w[i, t] = zero
        for t in range(nb):
            live_total[t] = zero
        for d in range(m):
            for t in range(nb):
                live_total[t] += big[d, b0 + t] if wsum[d, t] > zero else zero
        for d in range(m):
            for t in range(nb):
                live = big[d, b0 + t] if wsum[d, t] > zero else zero
                total = live_total[t] * wsum[d, t]
                share[d, b0 + t] = live / total if live > zero else zero
        # Weighted gap and count of each slot; the draw's policy fills the missing.
        for t in range(nb):
            policy = missing[b0 + t] if has_missing else policy0
            fill[t] = one if policy == _FARTHEST else zero
            keep[t] = zero if policy == _REDISTRIBUTE else one
        for s in range(n_slots):
            w_row, num_row, den_row = w[slot_ind[s], :nb], num_s[s, :nb], den_s[s, :nb]
            if dynamic and slot_move[s]:
                ref_row = ref[slot_ind[s], :nb]
                if has_pos and slot_jit[s] >= 0:
                    pos_row = positions[slot_jit[s], b0 : b0 + nb]
                    for t in range(nb):
                        num_row[t] = np.abs(pos_row[t] - ref_row[t])
                else:
                    for t in range(nb):
                        num_row[t] = np.abs(slot_pos[s] - ref_row[t])
                if pow_slots:
                    for t in range(nb):
                        num_row[t] = np.exp(np.log(num_row[t]) * slot_exp[s])
                for t in range(nb):
                    gap = num_row[t]
                    num_row[t] = (zero if np.isnan(gap) else gap) * w_row[t]
            else:
                for t in range(nb):
                    num_row[t] = w_row[t] * static_gap[s]
            for t in range(nb):
                den_row[t] = w_row[t]
            if slot_missing[s]:
                for t in range(nb):
                    num_row[t] = w_row[t] * fill[t]
                for t in range(nb):
                    den_row[t] = w_row[t] * keep[t]
            if slot_na[s]:  # not applicable: no gap, no weight, whatever the policy
                for t in range(nb):
                    num_row[t] = zero
                for t in range(nb):
                    den_row[t] = zero
        # Sums over each dimension's indicators (in order), cell by cell; rows
        # are taken as 1-d views, one store per loop, so that the loops vectorise.
        for d in range(m):
            for c in range(n):
                acc_num = mean[d, c, b0 : b0 + nb]
                acc_den = den[d, c, b0 : b0 + nb]
                acc_num[:] = zero
                acc_den[:] = zero
                for ti in range(dim_lo[d], dim_hi[d]):
                    e = ti * n + c
                    now_num, now_den = num_s[cell_now[e], :nb], den_s[cell_now[e], :nb]
                    if has_fb and cell_fb[e] >= 0:
                        # As the numpy evaluator: now + back * (then - now).
                        back = fallback[cell_fb[e], b0 : b0 + nb]
                        then_num = num_s[cell_then[e], :nb]
                        then_den = den_s[cell_then[e], :nb]
                        for t in range(nb):
                            a = now_num[t]
                            acc_num[t] += a + np.float32(back[t]) * (then_num[t] - a)
                        for t in range(nb):
                            a = now_den[t]
                            acc_den[t] += a + np.float32(back[t]) * (then_den[t] - a)
                    else:
                        for t in range(nb):
                            acc_num[t] += now_num[t]
                        for t in range(nb):
                            acc_den[t] += now_den[t]
                for t in range(nb):
                    a = acc_den[t]
                    acc_num[t] = acc_num[t] / (a if a > tiny else tiny)


@functools.cache
def _compiled() -> Any:
    """Return the compiled kernel (imports numba; compiles on first call)."""
    numba = importlib.import_module("numba")
    options = {"nogil": True, "error_model": "numpy"}
    try:
        jit = numba.njit(cache=True, **options)
        return jit(_dimension_means)
    except RuntimeError:  # no writable cache directory: compile in memory
        jit = numba.njit(**options)
        return jit(_dimension_means)


def _f32(a: Any) -> F32:
    return np.ascontiguousarray(a, dtype=DTYPE)


def _index(a: Any) -> Index:
    return np.ascontiguousarray(a, dtype=np.intp)


class Kernel:
    """Evaluate batches of draws of one plan with the compiled kernel.

    Parameters
    ----------
    pl
        The plan (`influence._evaluate.plan`) whose draws to evaluate.
    """

    def __init__(self, pl: Plan) -> None:
        spec = pl.spec
        self.plan = pl
        self.kernel = _compiled()
        m, n, k = len(spec.dimensions), len(spec.scored), len(spec.indicators)
        s = spec.n_slots
        slot_jit = np.full(s, -1, dtype=np.intp)
        slot_jit[spec.jitter] = np.arange(len(spec.jitter))
        slot_move = np.zeros(s, dtype=np.bool_)
        slot_move[pl.moving] = True
        slot_missing = np.zeros(s, dtype=np.bool_)
        slot_missing[pl.missing_slots] = True
        slot_na = np.zeros(s, dtype=np.bool_)
        slot_na[pl.na_slots] = True
        cell_fb = np.full(len(pl.cell_now), -1, dtype=np.intp)
        cell_fb[pl.unc_cells] = pl.unc_which
        cell_then = pl.cell_now.copy()
        cell_then[pl.unc_cells] = pl.unc_then
        self.index = tuple(
            _index(a)
            for a in (
                spec.slot_ind,
                slot_jit,
                pl.ref_jitter,
                pl.ref_which,
                pl.ref_indicator,
                pl.ref_then_jitter,
                pl.ref_which[pl.ref_lost],
                pl.ref_indicator[pl.ref_lost],
                spec.dim_of,
                pl.cell_now,
                cell_fb,
                cell_then,
                [lo for lo, _ in pl.dim_ranges],
                [hi for _, hi in pl.dim_ranges],
            )
        )
        ind_ok = np.ones(k) if pl.indicator_ok is None else pl.indicator_ok[:, 0]
        self.floats = tuple(
            _f32(a)
            for a in (
                spec.slot_pos,
                spec.p_dim[spec.dim_of[spec.slot_ind]],
                pl.static_gap[:, 0],
                pl.ref_pos[:, 0],
                pl.ref_then_pos[:, 0],
                ind_ok,
                pl.w0[:, 0],
                pl.big_w0[:, 0],
            )
        )
        self.flags = (slot_move, slot_missing, slot_na)
        self.policy = POLICIES.index(spec.model.missing)
        self.shape = (m, n)
        self.placeholders: dict[str, NDArray[Any]] = {
            "weights": np.zeros((k, 1), dtype=DTYPE),
            "dimension_weights": np.zeros((m, 1), dtype=DTYPE),
            "positions": np.zeros((max(1, len(spec.jitter)), 1), dtype=DTYPE),
            "missing": np.zeros(1, dtype=np.int8),
            "fallback": np.zeros((max(1, len(spec.uncertain)), 1), dtype=np.bool_),
        }

    def _input(self, x: Inputs, name: str) -> NDArray[Any]:
        """One drawn input, C-contiguous, or its placeholder if it is not drawn."""
        value: NDArray[Any] | None = getattr(x, name)
        if value is None:
            return self.placeholders[name]
        return np.ascontiguousarray(value)

    def __call__(self, x: Inputs) -> F32:
        """Return the distance of every scored country in every draw, shape (n, B).

        The powers (exp(e log x), `influence._evaluate._pow`) run in numpy between
        the two kernels: numpy's float32 exp and log are vectorised, the compiled
        scalar ones are not.

        Parameters
        ----------
        x
            The drawn inputs of the batch.

        Returns
        -------
        numpy.ndarray
            float32 distances, NaN where a country has none.
        """
        pl, spec = self.plan, self.plan.spec
        options = np.array(
            [
                x.weights is not None,
                x.dimension_weights is not None,
                x.positions is not None,
                x.p is not None,
                x.missing is not None,
                x.fallback is not None and len(pl.unc_cells) > 0,
                len(pl.moving) > 0 and (x.positions is not None or pl.ref_moving),
                pl.moving_exp is not None,
                tile(spec.n_slots),
                0,
                self.policy,
            ],
            dtype=np.int64,
        )
        m, n = self.shape
        mean = np.empty((m, n, x.size), dtype=DTYPE)
        den = np.empty((m, n, x.size), dtype=DTYPE)
        share = np.empty((m, x.size), dtype=DTYPE)
        big = np.empty((m, x.size), dtype=DTYPE)
        self.kernel(
            self.index,
            self.floats,
            self.flags,
            options,
            self._input(x, "weights"),
            self._input(x, "dimension_weights"),
            self._input(x, "positions"),
            self._input(x, "missing"),
            self._input(x, "fallback"),
            mean,
            den,
            share,
            big,
        )
        powered = x.p is not None or spec.p != 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            if pl.inv_p_dim is not None:
                _pow(mean, pl.inv_p_dim)
            if powered:
                _pow(mean, spec.p if x.p is None else x.p)
            out = top(pl, x, mean, den)
            if powered:
                _pow(out, 1.0 / spec.p if x.p is None else DTYPE(1.0) / x.p)
        return np.minimum(out, DTYPE(1.0), out=out)
