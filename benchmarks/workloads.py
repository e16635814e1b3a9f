"""The four workloads and their baselines (see README.md). Imported by run.py."""

from __future__ import annotations

import gc
import math
import time
from typing import Any

import numpy as np
import pandas as pd
import synthetic

import influence
from influence._draws import BLOCK
from influence._ensemble import POLICIES, build_spec
from influence._evaluate import Inputs, dirichlet_shapes, evaluate, plan, ranks
from influence._jit import checked_engine
from influence._kernel import aggregate
from influence.model import Model
from influence.sensitivity import _inputs, _layout, _outputs, sensitivity
from influence.uncertainty import uncertainty


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _line(time_s: float, baseline_s: float, **extra: Any) -> dict[str, Any]:
    return {
        "time_s": round(time_s, 4),
        "baseline_s": round(baseline_s, 4),
        "ratio": round(time_s / baseline_s, 4),
        **extra,
    }


# W1 -------------------------------------------------------------------------------


def pandas_score(ds: influence.Dataset) -> pd.Series:
    """The default score, written as a plain pandas loop (the W1 baseline)."""
    panel = ds.panel()
    pos = panel.positions
    cb = ds.codebook
    out = {}
    for country in pos.index:
        if country == "RUS":
            continue
        top_num = top_den = cover = 0.0
        total_w = sum(d.weight for d in cb.dimensions)
        for dim in cb.dimensions:
            num = den = nominal = 0.0
            for ind in cb.indicators:
                if ind.dimension != dim.id:
                    continue
                nominal += ind.default_weight
                gap = abs(pos.loc[country, ind.id] - pos.loc["RUS", ind.id])
                if not pd.isna(gap):
                    num += ind.default_weight * gap
                    den += ind.default_weight
            if den > 0:
                top_num += dim.weight * num / den
                top_den += dim.weight
            if nominal > 0:
                cover += dim.weight / total_w * den / nominal
        ok = top_den > 0 and cover + 1e-12 >= 0.5
        out[country] = top_num / top_den if ok else math.nan
    return pd.Series(out)


def w1() -> dict[str, Any]:
    ds = influence.load()
    ours = min(_timed(lambda: influence.score(ds))[0] for _ in range(20))
    base = min(_timed(lambda: pandas_score(ds))[0] for _ in range(5))
    check = influence.score(ds).set_index("country")["distance"]
    agree = bool(np.allclose(check, pandas_score(ds)[check.index], equal_nan=True))
    return _line(ours, base, target="faster than the pandas loop", agrees=agree)


# W2 -------------------------------------------------------------------------------


def numpy_ensemble(ds: influence.Dataset, draws: int, seed: int = 0) -> np.ndarray:
    """The same sampling and aggregation in plain numpy over (draws, n, k) arrays."""
    spec = build_spec(ds, None, Model())
    rng = np.random.default_rng(seed)
    k, n = spec.current.shape
    m = len(spec.dimensions)
    member = (spec.dim_of[:, None] == np.arange(m)).astype(float)
    a_w, a_big = dirichlet_shapes(spec, 20.0)
    chance = (spec.threshold / 65536)[None]
    ref = spec.reference
    dist_all = np.empty((n - 1, draws))
    counts = np.zeros((n - 1, n), dtype=np.int64)
    for start in range(0, draws, BLOCK):
        b = min(BLOCK, draws - start)
        gam = rng.standard_gamma(a_w, (b, k))
        w = gam / (gam @ member)[:, spec.dim_of]
        big = rng.standard_gamma(a_big, (b, m))
        big /= big.sum(1, keepdims=True)
        pos = np.tile(spec.slot_pos, (b, 1))
        pos[:, spec.jitter] = spec.jitter_low + rng.random((b, len(spec.jitter))) * (
            spec.jitter_high - spec.jitter_low
        )
        p = 1.0 + rng.random(b)
        policy = rng.integers(0, 3, b)
        slots = np.where(rng.random((b, k, n)) < chance, spec.previous, spec.current)
        x = np.take_along_axis(pos, slots.reshape(b, -1), 1).reshape(b, k, n)
        gaps = np.abs(x - x[:, :, ref : ref + 1]).transpose(0, 2, 1)
        fill = np.where(policy == POLICIES.index("as_farthest"), 1.0, 0.0)[
            :, None, None
        ]
        applicable = spec.applicable.T  # (n, k): the codebook's N/A cells count nowhere
        fills = (policy != 0)[:, None, None] & np.isnan(gaps) & applicable
        gaps = np.where(fills, fill, gaps)
        res = aggregate(
            gaps,
            w,
            big,
            spec.dim_of,
            spec.p_dim,
            p,
            0.5,
            applicable,
            spec.model.min_dimension_coverage,
        )
        dist = np.delete(res.distance, ref, axis=1)
        dist_all[:, start : start + b] = dist.T
        cells = np.arange(n - 1) * n + ranks(dist.T).T
        counts += np.bincount(cells.ravel(), minlength=(n - 1) * n).reshape(n - 1, n)
    for row in dist_all:
        ok = row[~np.isnan(row)]
        if ok.size:
            np.quantile(ok, [0.5, 0.05, 0.95])
    return dist_all


def w2() -> dict[str, Any]:
    import run

    draws = 1_000_000
    ds = synthetic.dataset(15, None, 3)
    engine = checked_engine("auto", "W2")
    # The first call imports numba and compiles its kernels, or loads them from
    # numba's on-disk cache: timed and reported on its own, not in time_s.
    first, _ = _timed(lambda: uncertainty(ds, draws=BLOCK, progress=False))
    warm, _ = _timed(lambda: uncertainty(ds, draws=BLOCK, progress=False))
    ours, _ = _timed(lambda: uncertainty(ds, draws=draws, progress=False))
    peak = run.peak_rss_mb()
    base, _ = _timed(lambda: numpy_ensemble(ds, draws))
    extra: dict[str, Any] = {"engine": engine}
    if engine == "numba":
        from influence._jit import _compiled

        hits = sum(_compiled().stats.cache_hits.values())
        # first_call_s includes importing numba and compiling the kernel (or
        # loading them from the cache, as jit_cache says); warm_call_s does not.
        extra["first_call_s"] = round(first, 4)
        extra["warm_call_s"] = round(warm, 4)
        extra["jit_cache"] = "loaded" if hits else "compiled"
    return _line(
        ours,
        base,
        draws=draws,
        **extra,
        peak_rss_mb=round(peak, 1),
        target="time <= 2 s, ratio <= 1.5, peak <= 1024 MB",
    )


# W3 -------------------------------------------------------------------------------


def salib_run(
    ds: influence.Dataset, model: Model, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """SALib's Saltelli sampling and sobol.analyze on the same model."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    from SALib.util import extract_group_names

    spec = build_spec(ds, None, model)
    sources = frozenset(("weights", "positions", "exponent", "missing", "confidence"))
    lay = _layout(spec, sources)
    group_of = np.empty(lay.width, dtype=object)
    for name, cols in lay.groups.items():
        group_of[cols] = name
    problem = {
        "num_vars": lay.width,
        "names": [f"u{j}" for j in range(lay.width)],
        "bounds": [[0.0, 1.0]] * lay.width,
        "groups": list(group_of),
    }
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=0)
    settings = {"concentration": 20.0, "max_p": 2.0}
    # The rank shift is measured from the model's own ranking, as sensitivity() does.
    point = ranks(evaluate(plan(spec), Inputs(size=1)))
    # The same evaluator (engine) as sensitivity(engine="auto") in w3.
    engine = checked_engine("auto", "W3")
    y = _outputs(spec, _inputs(spec, x, lay, settings), 4096, point, engine)
    # SALib reports groups in order of first appearance among the variables, which
    # is not the order of our groups (the weights of one dimension are spread over
    # the codebook's indicators): put its rows in ours.
    salib_names, _ = extract_group_names(problem)
    order = [salib_names.index(g) for g in lay.groups]
    first = np.empty((len(lay.groups), y.shape[1]))
    total = np.empty_like(first)
    conf = np.empty((2, *first.shape))
    for o in range(y.shape[1]):
        res = sobol_analyze.analyze(
            problem, y[:, o], calc_second_order=False, num_resamples=100, seed=0
        )
        first[:, o], total[:, o] = res["S1"][order], res["ST"][order]
        conf[0, :, o], conf[1, :, o] = res["S1_conf"][order], res["ST_conf"][order]
    return np.stack([first, total]), conf


def w3() -> dict[str, Any]:
    ds = synthetic.dataset(15, None, 3)
    # The dimension rule off: on this sparse synthetic panel some draws leave every
    # dimension of a state below half its weight, an undefined distance (NaN) that
    # SALib's estimators cannot take; the comparison needs the same finite outputs.
    model = Model(min_coverage=0.0, min_dimension_coverage=0.0)
    n = 2**14
    ours, res = _timed(lambda: sensitivity(ds, draws=n, model=model, progress=False))
    base, (salib, salib_conf) = _timed(lambda: salib_run(ds, model, n))
    idx = res.indices
    groups, outputs = len(res.groups), len(idx) // len(res.groups)
    mine = np.stack(
        [idx[c].to_numpy().reshape(outputs, groups).T for c in ("first", "total")]
    )
    half = np.stack(
        [
            (idx[f"{c}_high"] - idx[c]).to_numpy().reshape(outputs, groups).T
            for c in ("first", "total")
        ]
    )
    ok = np.isfinite(mine) & np.isfinite(salib)
    agree = np.abs(mine - salib) <= half + salib_conf
    return _line(
        ours,
        base,
        base_samples=n,
        evaluations=res.evaluations,
        agreeing_within_intervals=round(float(agree[ok].mean()), 4),
        max_abs_difference=round(float(np.abs(mine - salib)[ok].max()), 4),
        engine=checked_engine("auto", "W3"),
        target="ratio <= 0.1, indices agree within their intervals",
    )


# W4 -------------------------------------------------------------------------------


def _pipeline(states: int, indicators: int, dates: int) -> float:
    ds = synthetic.dataset(states, indicators, dates)
    # Python's full garbage collections scan every live object, so the hundreds of
    # thousands of records of a big synthetic dataset would make any later work
    # look superlinear. Freeze them first, as a long-lived process holding its data
    # would find them in the oldest generation anyway; then time the library.
    gc.collect()
    gc.freeze()
    # The best of three runs: a fit from single timings on a shared machine is noise.
    try:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            influence.score(ds)
            uncertainty(ds, draws=BLOCK, progress=False)
            times.append(time.perf_counter() - start)
        return min(times)
    finally:
        gc.unfreeze()


def w4() -> dict[str, Any]:
    full = {"states": 200, "indicators": 100, "dates": 50}
    # Import (and compile or load) the engine first, as W2 does: a one-off cost
    # that would otherwise land on the first size timed.
    uncertainty(synthetic.dataset(15, None, 3), draws=BLOCK, progress=False)
    exponents = {}
    worst = (0.0, 1.0)
    total_full = _pipeline(**full)
    for axis in full:
        sizes = [full[axis] // 4, full[axis] // 2, full[axis]]
        times = []
        for size in sizes:
            times.append(
                total_full if size == full[axis] else _pipeline(**{**full, axis: size})
            )
        slope = float(np.polyfit(np.log(sizes), np.log(times), 1)[0])
        exponents[axis] = round(slope, 3)
        linear = times[0] * sizes[-1] / sizes[0]
        if times[-1] / linear > worst[0] / worst[1]:
            worst = (times[-1], linear)
    return _line(
        total_full,
        worst[1],
        size=full,
        exponents=exponents,
        baseline="linear extrapolation from the smallest size on the worst axis",
        target="exponents ~ 1 (linear)",
    )
