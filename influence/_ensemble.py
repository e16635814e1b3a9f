"""What an ensemble may perturb, laid out as arrays (design.md, "Uncertainty").

A `Spec` holds one panel under one model, in the shape the fast evaluator wants:
every cell points at a *slot* (a level of an ordinal indicator, a numeric position,
or "missing"), and may fall back to a second slot (the value of the observation
valid just before the chosen one). Ordinal levels inside a scale may move; the ends
(0 and 1) never do, so the reference keeps position 0 where it sits at a scale's end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from influence.codebook import Indicator, OrdinalScale
from influence.dataset import Dataset, Observation
from influence.errors import InvalidArgument
from influence.model import MissingPolicy, Model, resolve_weights
from influence.panel import _pick
from influence.scoring import _checked_reference

__all__ = ["POLICIES", "SOURCES", "Spec", "build_spec", "checked_perturb"]

#: The sources of uncertainty, in the order of their random streams.
SOURCES = ("weights", "positions", "exponent", "missing", "confidence")

#: Missing policies, in the order the ``missing`` source draws them.
POLICIES: tuple[MissingPolicy, ...] = ("redistribute", "as_reference", "as_farthest")

Float = NDArray[np.float64]
Index = NDArray[np.intp]


@dataclass(frozen=True)
class Spec:
    """One panel under one model, ready for vectorised perturbation."""

    as_of: dt.date
    model: Model
    countries: tuple[str, ...]  # every country of the panel, sorted
    reference: int  # row of the reference in `countries`
    scored: Index  # rows of every other country
    indicators: tuple[str, ...]
    dimensions: tuple[str, ...]
    dim_of: Index  # (k,)
    w0: Float  # (k,) the model's indicator weights
    big_w0: Float  # (m,) the model's dimension weights
    p: float  # exponent over dimensions (the one the ``exponent`` source draws)
    p_dim: Float  # (m,) exponents within dimensions (never drawn)
    slot_pos: Float  # (S,) position of each slot; NaN for the missing slots
    slot_ind: Index  # (S,) indicator of each slot
    slot_name: tuple[
        str, ...
    ]  # "indicator.level", "indicator=value", "indicator.missing", "indicator.not_applicable"
    jitter: Index  # (J,) slots that move: interior levels in use
    jitter_low: Float  # (J,)
    jitter_high: Float  # (J,)
    current: Index  # (k, n) slot of each cell
    previous: Index  # (k, n) slot it falls back to
    threshold: NDArray[np.int32]  # (k, n) P(fall back) * 65536; 0 when it cannot
    uncertain: Index  # (q, 2) (indicator, country row) of the cells that may fall back
    applicable: NDArray[np.bool_]  # (k, n) False where the codebook says not applicable
    na_slots: Index  # slots of the not-applicable cells: never filled, never weighed

    @property
    def n_slots(self) -> int:
        """Number of slots."""
        return int(self.slot_pos.shape[0])

    @property
    def order(self) -> Index:
        """Indicators sorted by dimension (slots and uncertain cells follow it)."""
        return np.lexsort((np.arange(len(self.dim_of)), self.dim_of))


def _previous(chosen: Observation, history: list[Observation]) -> Observation | None:
    """Return the observation of the cell valid just before the chosen one, if any."""
    earlier = [o for o in history if o.valid_from < chosen.valid_from]
    if not earlier:
        return None
    found, _ = _pick(earlier, chosen.country, chosen.indicator)
    return found


class _Slots:
    """Collects the slots of one indicator's column."""

    def __init__(self) -> None:
        self.pos: list[float] = []
        self.ind: list[int] = []
        self.name: list[str] = []
        self.jitter: list[tuple[int, float, float]] = []
        self.index: dict[tuple[int, object], int] = {}

    def add(self, col: int, key: object, pos: float, name: str) -> int:
        if (col, key) not in self.index:
            self.index[(col, key)] = len(self.pos)
            self.pos.append(pos)
            self.ind.append(col)
            self.name.append(name)
        return self.index[(col, key)]


def _slot_of(slots: _Slots, col: int, ind: Indicator, obs: Observation | None) -> int:
    if obs is None:
        return slots.add(col, None, np.nan, f"{ind.id}.missing")
    scale = ind.scale
    if isinstance(scale, OrdinalScale):
        levels = scale.levels
        at = next(n for n, lv in enumerate(levels) if lv.id == obs.value)
        name = f"{ind.id}.{levels[at].id}"
        new = (col, at) not in slots.index
        slot = slots.add(col, at, levels[at].position, name)
        if new and 0 < at < len(levels) - 1:
            low = (levels[at - 1].position + levels[at].position) / 2
            high = (levels[at].position + levels[at + 1].position) / 2
            slots.jitter.append((slot, low, high))
        return slot
    pos = ind.position(obs.value)
    return slots.add(col, ("value", pos), pos, f"{ind.id}={obs.value!r}")


def build_spec(dataset: Dataset, as_of: dt.date | None, model: Model) -> Spec:
    """Lay out the panel of ``dataset`` at ``as_of`` under ``model`` for an ensemble."""
    panel = dataset.panel(as_of)
    _checked_reference(panel, model.reference)
    cb = dataset.codebook
    countries = tuple(panel.positions.index)
    indicators = cb.indicator_ids
    dims = cb.dimension_ids
    w0, big_w0 = resolve_weights(model, cb)
    history: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for obs in dataset.observations:
        if obs.valid_from <= panel.as_of:
            history[(obs.country, obs.indicator)].append(obs)
    slots = _Slots()
    k, n = len(indicators), len(countries)
    current = np.zeros((k, n), dtype=np.intp)
    previous = np.zeros((k, n), dtype=np.intp)
    threshold = np.zeros((k, n), dtype=np.int32)
    dim_of = np.array([dims.index(i.dimension) for i in cb.indicators], dtype=np.intp)
    uncertain: list[tuple[int, int]] = []
    app = panel.applicable_mask().T  # (k, n): the panel's columns are sorted ids
    na: list[int] = []
    for col in np.lexsort((np.arange(k), dim_of)):
        col = int(col)
        ind = cb.indicators[col]
        for row, country in enumerate(countries):
            if not app[col, row]:
                # Not applicable by design: a slot of its own, which no missing
                # policy fills and which never carries weight.
                current[col, row] = slots.add(
                    col, "n/a", np.nan, f"{ind.id}.not_applicable"
                )
                previous[col, row] = current[col, row]
                na.append(int(current[col, row]))
                continue
            chosen = panel.observation(country, ind.id)
            current[col, row] = _slot_of(slots, col, ind, chosen)
            previous[col, row] = current[col, row]
            if chosen is None or chosen.confidence >= 1.0:
                continue
            before = _previous(chosen, history[(country, ind.id)])
            previous[col, row] = _slot_of(slots, col, ind, before)
            if previous[col, row] != current[col, row]:
                threshold[col, row] = round((1.0 - chosen.confidence) * 65536)
                uncertain.append((int(col), row))
    jit = sorted(slots.jitter)
    return Spec(
        as_of=panel.as_of,
        model=model,
        countries=countries,
        reference=countries.index(model.reference),
        scored=np.array(
            [r for r, c in enumerate(countries) if c != model.reference], dtype=np.intp
        ),
        indicators=indicators,
        dimensions=dims,
        dim_of=dim_of,
        w0=w0,
        big_w0=big_w0,
        p=model.p,
        p_dim=np.array([model.dimension_p.get(d, 1.0) for d in dims]),
        slot_pos=np.array(slots.pos, dtype=float),
        slot_ind=np.array(slots.ind, dtype=np.intp),
        slot_name=tuple(slots.name),
        jitter=np.array([j[0] for j in jit], dtype=np.intp),
        jitter_low=np.array([j[1] for j in jit], dtype=float),
        jitter_high=np.array([j[2] for j in jit], dtype=float),
        current=current,
        previous=previous,
        threshold=threshold,
        uncertain=np.array(uncertain, dtype=np.intp).reshape(-1, 2),
        applicable=app.copy(),
        na_slots=np.array(sorted(set(na)), dtype=np.intp),
    )


def checked_perturb(perturb: object, caller: str) -> frozenset[str]:
    """Return the sources to perturb, from names or a mapping of name to bool."""
    if isinstance(perturb, Mapping):
        names = [name for name, on in perturb.items() if on]
        given: list[object] = list(perturb)
    elif isinstance(perturb, Iterable) and not isinstance(perturb, str):
        names = given = list(perturb)
    else:
        msg = f"The 'perturb' parameter of {caller} must be a collection of source names or a mapping to bool. Got {perturb!r} instead."
        raise InvalidArgument(msg)
    unknown = [g for g in given if g not in SOURCES]
    if unknown:
        msg = f"The 'perturb' parameter of {caller} must name sources among {', '.join(SOURCES)}. Got {unknown[0]!r} instead."
        raise InvalidArgument(msg)
    return frozenset(str(n) for n in names)
