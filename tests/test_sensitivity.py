"""Sobol indices: an analytic function, fixed assumptions, groups, arguments."""

from __future__ import annotations

import numpy as np
import pytest
from test_uncertainty import DATA

from influence._sobol import sobol_indices
from influence.errors import InvalidArgument
from influence.model import Model
from influence.sensitivity import sensitivity

qmc = pytest.importorskip("scipy.stats.qmc")


def _ishigami(x: np.ndarray) -> np.ndarray:
    z = -np.pi + 2 * np.pi * x
    return (
        np.sin(z[:, 0])
        + 7 * np.sin(z[:, 1]) ** 2
        + 0.1 * z[:, 2] ** 4 * np.sin(z[:, 0])
    )[:, None]


def test_ishigami_indices_match_the_analytic_values() -> None:
    """Ishigami (a=7, b=0.1): S1 = .314, .442, 0; ST = .558, .442, .244."""
    u = qmc.Sobol(6, rng=np.random.default_rng(1)).random_base2(14)
    a, b = u[:, :3], u[:, 3:]
    ab = np.stack([_ishigami(np.where(np.arange(3) == g, b, a)) for g in range(3)])
    res = sobol_indices(_ishigami(a), _ishigami(b), ab, np.random.default_rng(0))
    np.testing.assert_allclose(res.first[:, 0], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(res.total[:, 0], [0.5576, 0.4424, 0.2437], atol=0.03)
    assert np.all(res.first_half_width > 0)


def test_a_linear_model_has_indices_proportional_to_variance() -> None:
    """y = x1 + 2 x2 with uniform inputs: S = 1/5 and 4/5, first = total."""
    u = qmc.Sobol(4, rng=np.random.default_rng(2)).random_base2(12)
    a, b = u[:, :2], u[:, 2:]

    def f(x: np.ndarray) -> np.ndarray:
        return (x[:, 0] + 2 * x[:, 1])[:, None]

    ab = np.stack([f(np.where(np.arange(2) == g, b, a)) for g in range(2)])
    res = sobol_indices(f(a), f(b), ab, np.random.default_rng(0))
    np.testing.assert_allclose(res.first[:, 0], [0.2, 0.8], atol=0.02)
    np.testing.assert_allclose(res.total[:, 0], [0.2, 0.8], atol=0.02)


def test_one_source_explains_everything() -> None:
    """With only the exponent perturbed, its indices are 1 wherever distance varies."""
    res = sensitivity(DATA, draws=256, perturb=("exponent",))
    assert res.groups == ("exponent",)
    rows = res.indices.dropna(subset=["first"])
    rows = rows[rows["output"] != "rank_shift"]
    assert len(rows) > 0
    np.testing.assert_allclose(rows["first"], 1.0, atol=0.02)
    np.testing.assert_allclose(rows["total"], 1.0, atol=0.02)


def test_groups_cover_every_dimension_and_source() -> None:
    """Groups: weights of each dimension, dimension weights, then the other sources."""
    res = sensitivity(DATA, draws=64)
    dims = [f"weights.{d}" for d in DATA.codebook.dimension_ids]
    assert res.groups == (
        *dims,
        "dimension_weights",
        "positions",
        "exponent",
        "missing",
        "confidence",
    )
    outputs = list(dict.fromkeys(res.indices["output"]))
    assert outputs[-1] == "rank_shift"
    assert len(res.indices) == len(outputs) * len(res.groups)
    assert res.evaluations == 64 * (len(res.groups) + 2)


def test_the_engines_give_the_same_indices() -> None:
    """Both engines evaluate the same draws: the indices agree to float32 noise."""
    pytest.importorskip("numba")
    runs = [
        sensitivity(DATA, draws=64, seed=2, model=Model(p=1.5), engine=engine)
        for engine in ("numpy", "numba")
    ]
    a, b = (r.indices.set_index(["output", "group"]) for r in runs)
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=0, atol=1e-4)


def test_seeded_sensitivity_is_reproducible() -> None:
    """Same seed, same bytes."""
    a = sensitivity(DATA, draws=64, seed=4, perturb=("weights", "missing"))
    b = sensitivity(DATA, draws=64, seed=4, perturb=("weights", "missing"))
    assert a.indices.to_csv() == b.indices.to_csv()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"draws": 100},
            "The 'draws' parameter of sensitivity must be a power of 2 (an int >= 2). Got 100 instead.",
        ),
        (
            {"draws": 1},
            "The 'draws' parameter of sensitivity must be an int >= 2. Got 1 instead.",
        ),
        (
            {"resamples": 1},
            "The 'resamples' parameter of sensitivity must be an int >= 2. Got 1 instead.",
        ),
        (
            {"perturb": "weights"},
            "The 'perturb' parameter of sensitivity must be a collection of source names or a mapping to bool. Got 'weights' instead.",
        ),
        (
            {"engine": "fast"},
            "The 'engine' parameter of sensitivity must be one of 'auto', 'numpy', 'numba'. Got 'fast' instead.",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    """Bad arguments raise InvalidArgument with a one-line message."""
    with pytest.raises(InvalidArgument) as err:
        sensitivity(DATA, **kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message
