"""Constrained value types shared by the file models, defined once."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

#: Every file model forbids unknown keys (a misspelt key is an error) and is immutable.
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

CountryId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=64)]
Position = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
#: TOML dates only: a string that looks like a date is an error, not a guess.
Date = Annotated[dt.date, Field(strict=True)]
Text = Annotated[str, StringConstraints(min_length=1)]
