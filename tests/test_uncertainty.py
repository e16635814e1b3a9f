"""Ensembles: collapse to the point, determinism, chunking, fallbacks, arguments."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import influence
from influence._ensemble import SOURCES, build_spec
from influence._evaluate import Inputs, Sampler, evaluate, evaluator, plan
from influence.codebook import OrdinalScale, load_codebook
from influence.dataset import (
    Country,
    Dataset,
    DatasetInfo,
    Evidence,
    Observation,
    Source,
)
from influence.errors import InvalidArgument
from influence.model import Model
from influence.uncertainty import uncertainty

CODEBOOK = load_codebook()
EVIDENCE = (Evidence(source="s", quote="q"),)


def make_dataset(
    seed: int = 0, countries: int = 6, missing: float = 0.15, history: float = 0.5
) -> Dataset:
    """A synthetic dataset on the bundled codebook: RUS at position 0, others random."""
    rng = np.random.default_rng(seed)
    ids = ["RUS", *[f"X{chr(65 + i)}{chr(65 + i)}" for i in range(countries - 1)]]
    obs = []
    for country in ids:
        for ind in CODEBOOK.indicators:
            if country != "RUS" and rng.random() < missing:
                continue
            for year in range(1 + int(rng.random() < history)):
                if isinstance(ind.scale, OrdinalScale):
                    levels = ind.scale.levels
                    at = 0 if country == "RUS" else int(rng.integers(len(levels)))
                    value: str | float = levels[at].id
                else:
                    lo, hi = sorted((ind.scale.at_zero, ind.scale.at_one))
                    value = (
                        ind.scale.at_zero
                        if country == "RUS"
                        else float(rng.uniform(lo, hi))
                    )
                conf = float(rng.choice([0.6, 0.8, 1.0]))
                obs.append(
                    Observation(
                        country=country,
                        indicator=ind.id,
                        value=value,
                        valid_from=dt.date(2000 + year, 1, 1),
                        confidence=conf,
                        evidence=EVIDENCE,
                    )
                )
    return Dataset(
        info=DatasetInfo(name="synthetic", version="1", date=dt.date(2020, 1, 1)),
        codebook=CODEBOOK,
        countries=tuple(Country(id=c, name=c) for c in ids),
        sources=(
            Source(
                id="s",
                title="t",
                outlet="o",
                kind="news",
                reliability="high",
                reliability_note="n",
            ),
        ),
        observations=tuple(obs),
    )


DATA = make_dataset()


@pytest.mark.parametrize(
    "model",
    [
        Model(),
        Model(p=2.5),
        Model(missing="as_farthest"),
        Model(missing="as_reference", min_coverage=0.9),
        Model(dimension_p={"security": 3.0}, p=1.5),
        Model(reference="XAA", weights={"security": 3.0, "csto_membership": 0.0}),
    ],
)
def test_every_source_off_collapses_to_the_point_score(model: Model) -> None:
    """With nothing perturbed, median and bounds equal influence.score's distance."""
    res = uncertainty(DATA, draws=50, model=model, perturb=())
    s = res.summary
    for col in ("median", "lower", "upper"):
        np.testing.assert_allclose(s[col], s["distance"], rtol=0, atol=1e-12)
    assert (s["rank_low"] == s["rank_high"]).fillna(True).all()


@pytest.mark.parametrize(
    "model",
    [
        Model(),
        Model(p=2.5),
        Model(missing="as_farthest"),
        Model(missing="as_reference", min_coverage=0.9),
        Model(dimension_p={"security": 3.0}, p=1.5),
        Model(reference="XAA", weights={"security": 3.0, "csto_membership": 0.0}),
    ],
)
def test_the_float32_evaluator_agrees_with_the_score(model: Model) -> None:
    """An unperturbed draw of the ensemble's evaluator is the point score to 1e-6."""
    spec = build_spec(DATA, None, model)
    dist = evaluate(plan(spec), Inputs(size=3))
    assert dist.dtype == np.float32
    point = influence.score(DATA, model=model)["distance"].to_numpy()
    for column in dist.T:
        np.testing.assert_allclose(column, point, rtol=0, atol=1e-6)


def test_summary_distance_is_the_point_score() -> None:
    """The summary's distance column is influence.score's."""
    res = uncertainty(DATA, draws=20)
    point = influence.score(DATA)
    pd.testing.assert_series_equal(res.summary["distance"], point["distance"])
    assert list(res.summary["country"]) == sorted(point["country"])


def test_seeded_runs_are_byte_identical() -> None:
    """Same seed, same bytes; another seed, other numbers."""
    a = uncertainty(DATA, draws=3000, seed=7, keep_draws=True)
    b = uncertainty(DATA, draws=3000, seed=7, keep_draws=True)
    c = uncertainty(DATA, draws=3000, seed=8)
    assert a.draws is not None
    assert b.draws is not None
    assert a.draws.to_csv().encode() == b.draws.to_csv().encode()
    assert a.summary.to_csv() == b.summary.to_csv()
    assert a.summary.to_csv() != c.summary.to_csv()


def test_chunk_size_changes_no_number() -> None:
    """Two chunk sizes give identical bytes, draws included."""
    a = uncertainty(DATA, draws=5000, seed=3, chunk_size=1, keep_draws=True)
    b = uncertainty(DATA, draws=5000, seed=3, chunk_size=100_000, keep_draws=True)
    assert a.draws is not None
    assert b.draws is not None
    dist = [c for c in a.draws.columns if c.startswith("distance.")]
    assert a.draws[dist].to_numpy().tobytes() == b.draws[dist].to_numpy().tobytes()
    assert a.summary.to_csv() == b.summary.to_csv()
    assert a.rank_probabilities.to_csv() == b.rank_probabilities.to_csv()


def test_switching_a_source_off_keeps_the_others_draws() -> None:
    """Each source has its own random stream."""
    a = uncertainty(DATA, draws=100, keep_draws=True)
    b = uncertainty(DATA, draws=100, keep_draws=True, perturb=("weights", "exponent"))
    assert a.draws is not None
    assert b.draws is not None
    pd.testing.assert_series_equal(a.draws["p"], b.draws["p"])
    assert "missing" not in b.draws.columns


def test_rank_probabilities_rows_sum_to_one() -> None:
    """Each row of rank_probabilities is a distribution over ranks."""
    res = uncertainty(DATA, draws=500)
    np.testing.assert_allclose(res.rank_probabilities.sum(axis=1), 1.0)
    assert list(res.rank_probabilities.columns) == list(range(1, 6))


def test_kept_draws_show_what_each_draw_changed() -> None:
    """keep_draws gives one row per draw with its inputs and distances."""
    res = uncertainty(DATA, draws=10, keep_draws=True)
    assert res.draws is not None
    assert len(res.draws) == 10
    assert {"draw", "p", "missing", "weight.csto_membership"} <= set(res.draws.columns)
    assert set(res.draws["missing"]) <= {"redistribute", "as_reference", "as_farthest"}
    weights = res.draws.filter(like="dimension_weight.").sum(axis=1)
    np.testing.assert_allclose(weights, 1.0)


def test_drawn_positions_stay_between_neighbours() -> None:
    """An interior level moves at most half-way to each neighbour; ends stay put."""
    res = uncertainty(DATA, draws=2000, keep_draws=True, perturb=("positions",))
    assert res.draws is not None
    moved = [c for c in res.draws.columns if c.startswith("position.")]
    assert moved
    for col in moved:
        _, indicator, level = col.split(".")
        scale = CODEBOOK.indicator(indicator).scale
        assert isinstance(scale, OrdinalScale)
        at = [lv.id for lv in scale.levels].index(level)
        assert 0 < at < len(scale.levels) - 1
        below, here, above = (scale.levels[at + j].position for j in (-1, 0, 1))
        assert res.draws[col].min() >= (below + here) / 2
        assert res.draws[col].max() <= (here + above) / 2


def _one_cell(confidence: float) -> Dataset:
    """RUS and XAA; XAA's csto_membership changed in 2010 with some confidence."""
    obs = [
        Observation(
            country=c,
            indicator=i.id,
            value=i.scale.levels[0].id
            if isinstance(i.scale, OrdinalScale)
            else i.scale.at_zero,
            valid_from=dt.date(2000, 1, 1),
            evidence=EVIDENCE,
        )
        for c in ("RUS", "XAA")
        for i in CODEBOOK.indicators
    ]
    obs.append(
        Observation(
            country="XAA",
            indicator="csto_membership",
            value="not_member",
            valid_from=dt.date(2010, 1, 1),
            confidence=confidence,
            evidence=EVIDENCE,
        )
    )
    return DATA.model_copy(
        update={"countries": DATA.countries[:2], "observations": tuple(obs)}
    )


def test_an_unsure_observation_falls_back_to_the_previous_value() -> None:
    """Confidence 0: every draw uses the value valid before; confidence 1: none does."""
    unsure = uncertainty(_one_cell(0.0), draws=20, perturb=("confidence",)).summary
    sure = uncertainty(_one_cell(1.0), draws=20, perturb=("confidence",)).summary
    assert unsure["median"].iloc[0] == 0.0  # every draw fell back
    assert unsure["upper"].iloc[0] == unsure["distance"].iloc[0]  # widened to the point
    assert sure["lower"].iloc[0] == sure["distance"].iloc[0] > 0


def test_half_confidence_falls_back_about_half_the_time() -> None:
    """Fallbacks happen with probability 1 - confidence."""
    res = uncertainty(
        _one_cell(0.5), draws=4000, keep_draws=True, perturb=("confidence",)
    )
    assert res.draws is not None
    share = res.draws["fallback.XAA.csto_membership"].mean()
    assert abs(share - 0.5) < 0.03


def test_result_records_its_provenance() -> None:
    """The result carries seed, draws, as_of and model."""
    res = uncertainty(DATA, draws=30, seed=5, model=Model(p=2.0))
    assert (res.seed, res.n_draws, res.as_of) == (5, 30, dt.date(2020, 1, 1))
    assert res.model.p == 2.0
    assert res.summary.attrs["seed"] == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"draws": 0},
            "The 'draws' parameter of uncertainty must be an int >= 1. Got 0 instead.",
        ),
        (
            {"draws": 1.5},
            "The 'draws' parameter of uncertainty must be an int >= 1. Got 1.5 instead.",
        ),
        (
            {"seed": -1},
            "The 'seed' parameter of uncertainty must be an int >= 0. Got -1 instead.",
        ),
        (
            {"level": 1.0},
            "The 'level' parameter of uncertainty must be a float > 0 and < 1. Got 1.0 instead.",
        ),
        (
            {"concentration": 0},
            "The 'concentration' parameter of uncertainty must be a float > 0. Got 0 instead.",
        ),
        (
            {"max_p": 0.5},
            "The 'max_p' parameter of uncertainty must be a float >= 1. Got 0.5 instead.",
        ),
        (
            {"perturb": ("weight",)},
            "The 'perturb' parameter of uncertainty must name sources among weights, positions, exponent, missing, confidence. Got 'weight' instead.",
        ),
        (
            {"chunk_size": 0},
            "The 'chunk_size' parameter of uncertainty must be an int >= 1. Got 0 instead.",
        ),
        (
            {"draws": 100_001, "keep_draws": True},
            "The 'draws' parameter of uncertainty must be an int <= 100000 when keep_draws=True. Got 100001 instead.",
        ),
        (
            {"engine": "jit"},
            "The 'engine' parameter of uncertainty must be one of 'auto', 'numpy', 'numba'. Got 'jit' instead.",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    """Bad arguments raise InvalidArgument with a one-line message."""
    with pytest.raises(InvalidArgument) as err:
        uncertainty(DATA, **kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_perturb_accepts_per_source_booleans() -> None:
    """A mapping of source to bool works like the list of the true ones."""
    a = uncertainty(DATA, draws=40, perturb={"weights": True, "missing": False})
    b = uncertainty(DATA, draws=40, perturb=("weights",))
    assert a.summary.to_csv() == b.summary.to_csv()


# Engines ---------------------------------------------------------------------------

ENGINE_MODELS = [
    Model(),
    Model(p=2.5),
    Model(missing="as_farthest", min_coverage=0.3),
    Model(missing="as_reference", min_coverage=0.9),
    Model(missing="redistribute", min_coverage=0.0),
    Model(dimension_p={"security": 3.0}, p=1.5),
    Model(reference="XAA", weights={"security": 3.0, "csto_membership": 0.0}),
]


@pytest.mark.parametrize(("seed", "model"), list(enumerate(ENGINE_MODELS)))
def test_the_engines_agree_on_every_source_set(seed: int, model: Model) -> None:
    """The compiled and numpy evaluators give the same distances, to 1e-6.

    On generated datasets (missing cells, histories, uncertain cells, a reference
    without positions), for every subset of the sources.
    """
    pytest.importorskip("numba")
    ds = make_dataset(seed, countries=5 + seed % 3, missing=0.1 + 0.05 * seed)
    spec = build_spec(ds, None, model)
    pl = plan(spec)
    compiled, plain = evaluator(pl, "numba"), evaluator(pl, "numpy")
    settings = {"concentration": 5.0 + seed, "max_p": 3.0}
    for r in range(len(SOURCES) + 1):
        for sources in itertools.combinations(SOURCES, r):
            x = Sampler(spec, frozenset(sources), settings).block(
                np.random.SeedSequence(seed), 0
            )
            x = x.take(slice(0, 300 + 50 * r))  # not a whole tile of draws
            a, b = plain(x), compiled(x)
            assert b.dtype == np.float32
            assert b.shape == a.shape
            np.testing.assert_array_equal(
                np.isnan(a), np.isnan(b), err_msg=str(sources)
            )
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-6, err_msg=str(sources))


def test_the_engines_agree_on_an_ensemble() -> None:
    """Whole ensembles agree draw by draw; each engine repeats its own bytes."""
    pytest.importorskip("numba")
    runs = {
        engine: [
            uncertainty(DATA, draws=5000, seed=11, keep_draws=True, engine=engine)
            for _ in range(2)
        ]
        for engine in ("numpy", "numba")
    }
    for first, second in runs.values():
        assert first.draws is not None
        assert second.draws is not None
        assert first.draws.to_csv().encode() == second.draws.to_csv().encode()
        assert first.summary.to_csv() == second.summary.to_csv()
    a, b = runs["numpy"][0].draws, runs["numba"][0].draws
    assert a is not None
    assert b is not None
    dist = [c for c in a.columns if c.startswith("distance.")]
    inputs = [c for c in a.columns if c not in dist]
    pd.testing.assert_frame_equal(a[inputs], b[inputs])
    np.testing.assert_allclose(b[dist], a[dist], rtol=0, atol=1e-6)


def test_an_unperturbed_compiled_draw_is_the_point_score() -> None:
    """As for the numpy evaluator: the compiled one agrees with score() to 1e-6."""
    pytest.importorskip("numba")
    for model in ENGINE_MODELS:
        spec = build_spec(DATA, None, model)
        dist = evaluator(plan(spec), "numba")(Inputs(size=3))
        point = influence.score(DATA, model=model)["distance"].to_numpy()
        for column in dist.T:
            np.testing.assert_allclose(column, point, rtol=0, atol=1e-6)


def test_without_numba_auto_runs_numpy_and_numba_is_refused() -> None:
    """With numba blocked: engine="auto" works, engine="numba" is a one-line error."""
    code = (
        "import sys\n"
        "sys.modules['numba'] = None\n"
        "from influence.errors import InvalidArgument\n"
        "from influence.uncertainty import uncertainty\n"
        "res = uncertainty(draws=50, seed=1, engine='auto')\n"
        "print(len(res.summary) > 0)\n"
        "try:\n"
        "    uncertainty(draws=50, engine='numba')\n"
        "except InvalidArgument as err:\n"
        "    print(err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "True",
        "The 'engine' parameter of uncertainty is 'numba' but numba does not import: install the 'fast' extra (pip install 'influence[fast]') or use engine='numpy'.",
    ]


ENGINES = [
    "numpy",
    pytest.param(
        "numba",
        marks=pytest.mark.skipif(
            not __import__("influence._jit", fromlist=["x"]).numba_available(),
            reason="numba is not installed (the 'fast' extra)",
        ),
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "model",
    [
        Model(),
        Model(missing="as_farthest"),
        Model(missing="as_reference", min_dimension_coverage=0.9, p=2.0),
        Model(min_dimension_coverage=0.9),
        Model(min_dimension_coverage=0.0),
    ],
)
def test_engines_keep_not_applicable_cells_and_the_dimension_rule(engine, model):
    """On the bundled data in 2014 (N/A spans, gaps, thin dimensions) a draw is the score."""
    ds = influence.load()
    day = dt.date(2014, 1, 1)
    spec = build_spec(ds, day, model)
    assert len(spec.na_slots) > 0
    dist = evaluator(plan(spec), engine)(Inputs(size=2))
    point = influence.score(ds, as_of=day, model=model)["distance"].to_numpy()
    for column in dist.T:
        np.testing.assert_allclose(column, point, rtol=0, atol=1e-6)
