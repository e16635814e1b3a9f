"""Loaders and the panel on generated data: round trips, no look-ahead, only DataError."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influence
from influence.dataset import Dataset
from influence.testing.strategies import datasets

SLOW = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """Drop None values (TOML has no null) and turn tuples into lists."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None:
            continue
        if isinstance(value, tuple | list):
            value = [_clean(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            value = _clean(value)
        out[key] = value
    return out


def write(ds: Dataset, root: Path) -> tuple[Path, Path]:
    """Write a dataset as codebook and data folders, in the documented file formats."""
    cb, data = root / "indicators", root / "data"
    (cb).mkdir()
    (data / "observations").mkdir(parents=True)
    dims = {"dimension": [_clean(d.model_dump()) for d in ds.codebook.dimensions]}
    (cb / "dimensions.toml").write_text(tomli_w.dumps(dims))
    for ind in ds.codebook.indicators:
        (cb / f"{ind.id}.toml").write_text(tomli_w.dumps(_clean(ind.model_dump())))
    (data / "dataset.toml").write_text(tomli_w.dumps(_clean(ds.info.model_dump())))
    (data / "countries.toml").write_text(
        tomli_w.dumps({"country": [_clean(c.model_dump()) for c in ds.countries]})
    )
    (data / "sources.toml").write_text(
        tomli_w.dumps({"source": [_clean(s.model_dump()) for s in ds.sources]})
    )
    for country in ds.country_ids:
        records = [
            _clean(o.model_dump(exclude={"country"}))
            for o in ds.observations
            if o.country == country
        ]
        doc = {"country": country, "observation": records}
        (data / "observations" / f"{country}.toml").write_text(tomli_w.dumps(doc))
    return cb, data


def _key(ds: Dataset) -> list[tuple[Any, ...]]:
    return sorted(
        (
            o.country,
            o.indicator,
            o.valid_from,
            repr(o.value),
            o.confidence,
            repr(o.evidence),
        )
        for o in ds.observations
    )


@SLOW
@given(datasets(max_countries=4))
def test_write_then_load_round_trips(ds):
    """A generated dataset written in the file formats loads back to the same records."""
    with tempfile.TemporaryDirectory() as tmp:
        back = influence.load(*write(ds, Path(tmp)))
    assert back.codebook == ds.codebook
    # Records remember where they were read (a private attribute): compare their fields.
    assert [c.model_dump() for c in back.countries] == [
        c.model_dump() for c in sorted(ds.countries, key=lambda c: c.id)
    ]
    assert [s.model_dump() for s in back.sources] == [
        s.model_dump() for s in sorted(ds.sources, key=lambda s: s.id)
    ]
    assert back.info == ds.info
    assert _key(back) == _key(ds)


@SLOW
@given(datasets(max_countries=4), st.dates(dt.date(1990, 1, 1), dt.date(2035, 1, 1)))
def test_panel_never_looks_ahead(ds, as_of):
    """Each coded cell holds the latest observation with valid_from <= as_of, in [0, 1]."""
    panel = ds.panel(as_of)
    for (country, indicator), obs in panel.cells.items():
        assert obs.valid_from <= as_of
        latest = max(
            o.valid_from
            for o in ds.observations
            if (o.country, o.indicator) == (country, indicator)
            and o.valid_from <= as_of
        )
        assert obs.valid_from == latest
        assert 0.0 <= panel.positions.loc[country, indicator] <= 1.0
    missing = {(g.country, g.indicator) for g in panel.gaps}
    for country in panel.positions.index:
        for indicator in panel.positions.columns:
            coded = not math.isnan(panel.positions.loc[country, indicator])
            assert coded != ((country, indicator) in missing)


@SLOW
@given(datasets(max_countries=3), st.data())
def test_any_broken_file_gives_data_error_only(ds, data):
    """Cutting or corrupting an observation file never raises anything but DataError."""
    with tempfile.TemporaryDirectory() as tmp:
        _, folder = write(ds, Path(tmp))
        files = sorted((folder / "observations").glob("*.toml"))
        target = data.draw(st.sampled_from(files))
        text = target.read_text()
        cut = data.draw(st.integers(0, len(text)))
        junk = data.draw(
            st.sampled_from(
                [
                    "",
                    "=",
                    "[[observation]]\n",
                    "value = 7\n",
                    'valid_from = "2020"\n',
                    "x",
                    "\n[[observation.evidence]]\n",
                ]
            )
        )
        target.write_text(text[:cut] + junk + text[cut:])
        problems: tuple[influence.Problem, ...] = ()
        try:
            influence.load(Path(tmp) / "indicators", folder)
        except influence.DataError as err:
            problems = err.problems or (None,)  # type: ignore[assignment]
    assert all(p is not None and "\n" not in str(p) for p in problems)
