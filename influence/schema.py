"""JSON Schema of every file format, exported from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from influence._types import STRICT
from influence.codebook import Dimension, Indicator
from influence.dataset import Country, DatasetInfo, ObservationFile, Source

__all__ = ["FILE_KINDS", "json_schema"]


class DimensionsFile(BaseModel):
    """``indicators/dimensions.toml``."""

    model_config = STRICT
    dimension: tuple[Dimension, ...]


class CountriesFile(BaseModel):
    """``data/countries.toml``."""

    model_config = STRICT
    country: tuple[Country, ...]


class SourcesFile(BaseModel):
    """``data/sources.toml`` and ``data/sources/*.toml``."""

    model_config = STRICT
    source: tuple[Source, ...]


#: File kind -> (where such files live, the model that validates them).
FILE_KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "countries": ("data/countries.toml", CountriesFile),
    "dataset": ("data/dataset.toml", DatasetInfo),
    "dimensions": ("indicators/dimensions.toml", DimensionsFile),
    "indicator": ("indicators/<id>.toml", Indicator),
    "observations": ("data/observations/<ISO3>.toml", ObservationFile),
    "sources": ("data/sources.toml, data/sources/*.toml", SourcesFile),
}


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """Return the JSON Schema of one file kind, or of all of them keyed by kind.

    Examples
    --------
    >>> schema = json_schema("observations")
    >>> schema["title"]
    'ObservationFile'
    >>> sorted(json_schema())[:2]
    ['countries', 'dataset']
    """
    if kind is None:
        return {name: json_schema(name) for name in sorted(FILE_KINDS)}
    where, model = FILE_KINDS[kind]
    schema = model.model_json_schema()
    schema["description"] = f"{where}: {schema.get('description', '')}".strip()
    if kind == "observations":
        # Records inherit the file's country, so it is optional inside a file.
        obs = schema["$defs"]["Observation"]
        obs["required"] = [f for f in obs["required"] if f != "country"]
    return schema
