"""Seeds, blocks and chunks: how every random number of an ensemble is made.

Design (style.md section 6): a public ``seed: int`` becomes one
`numpy.random.SeedSequence` here and nowhere else. Draws come in blocks of
`BLOCK` draws; block ``b`` of source ``s`` (weights, positions, ...) has its own
generator, seeded by the child sequence with spawn key ``(b, s)``. A block is always
generated (and scored) whole, so how many blocks a chunk holds never changes a
number, and switching one source off never changes what the others draw.

The bit generator is SFC64 (Small Fast Chaotic, 64-bit state words), which passes
the usual statistical test batteries and makes numpy's gamma and uniform draws about
a third faster than the default PCG64 (docs/performance.md).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np

from influence.errors import InvalidArgument

#: Draws per block. Part of the reproducibility contract: changing it changes numbers.
BLOCK = 2048

#: Default number of draws evaluated at once (a whole number of blocks).
DEFAULT_CHUNK = 2 * BLOCK


def checked_int(value: object, name: str, caller: str, minimum: int) -> int:
    """Return ``value`` if it is an int >= ``minimum``, else raise `InvalidArgument`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or int(value) < minimum
    ):
        msg = f"The {name!r} parameter of {caller} must be an int >= {minimum}. Got {value!r} instead."
        raise InvalidArgument(msg)
    return int(value)


def checked_float(
    value: object, name: str, caller: str, low: float, high: float, *, open_low: bool
) -> float:
    """Return ``value`` as a float in its range, else raise `InvalidArgument`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    inside = (low < number if open_low else low <= number) and number <= high
    if not (ok and inside):
        sign = ">" if open_low else ">="
        upper = "" if math.isinf(high) else f" and <= {high:g}"
        msg = f"The {name!r} parameter of {caller} must be a float {sign} {low:g}{upper}. Got {value!r} instead."
        raise InvalidArgument(msg)
    return number


def seed_sequence(seed: object, caller: str) -> np.random.SeedSequence:
    """Turn a public ``seed`` into the root `SeedSequence` (the only place that does)."""
    return np.random.SeedSequence(checked_int(seed, "seed", caller, 0))


def generator(
    root: np.random.SeedSequence, block: int, source: int
) -> np.random.Generator:
    """Return the generator of one block of one source of randomness."""
    child = np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, block, source)
    )
    return np.random.Generator(np.random.SFC64(child))


def chunk_blocks(draws: int, chunk_size: int | None, caller: str) -> int:
    """Return how many whole blocks a chunk holds (``chunk_size`` rounded up)."""
    size = (
        DEFAULT_CHUNK
        if chunk_size is None
        else checked_int(chunk_size, "chunk_size", caller, 1)
    )
    return max(1, min(math.ceil(size / BLOCK), math.ceil(draws / BLOCK)))


def chunks(draws: int, blocks_per_chunk: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(first block, number of blocks, draws used)`` for each chunk in order."""
    n_blocks = math.ceil(draws / BLOCK)
    for first in range(0, n_blocks, blocks_per_chunk):
        count = min(blocks_per_chunk, n_blocks - first)
        used = min(draws, (first + count) * BLOCK) - first * BLOCK
        yield first, count, used


def uint16_bits(rng: np.random.Generator, count: int) -> np.ndarray:
    """Return ``count`` uniform 16-bit integers, cheaply and on any byte order."""
    raw = rng.bit_generator.random_raw(math.ceil(count / 4))
    return np.asarray(raw, dtype="<u8").view("<u2")[:count]
