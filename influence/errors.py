"""Exceptions of `influence` and the structured problems they carry.

Every error the library raises on purpose derives from `InfluenceError`, so that
``except InfluenceError`` catches ours and nothing else.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DataError",
    "InfluenceError",
    "InvalidArgument",
    "MissingExtra",
    "Problem",
    "Reason",
]


class Reason(enum.StrEnum):
    """Why a codebook or data file was rejected: one code per kind of problem."""

    toml_syntax = "toml_syntax"
    missing_file = "missing_file"
    invalid_value = "invalid_value"
    missing_field = "missing_field"
    unknown_field = "unknown_field"
    duplicate_id = "duplicate_id"
    unknown_country = "unknown_country"
    unknown_indicator = "unknown_indicator"
    unknown_dimension = "unknown_dimension"
    unknown_level = "unknown_level"
    unknown_source = "unknown_source"
    missing_evidence = "missing_evidence"
    wrong_value_kind = "wrong_value_kind"
    file_country_mismatch = "file_country_mismatch"
    quote_not_found = "quote_not_found"
    overlap = "overlap"
    not_applicable = "not_applicable"
    after_dataset_date = "after_dataset_date"  # a warning, not an error


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of one record of one file.

    Examples
    --------
    >>> p = Problem("data/observations/ARM.toml", "observation[3]", "value",
    ...             Reason.unknown_level, "'suspnded' is not a level of csto_membership")
    >>> print(p)
    data/observations/ARM.toml: observation[3].value: 'suspnded' is not a level of csto_membership
    """

    path: str
    record: str
    field: str
    reason: Reason
    message: str

    def __str__(self) -> str:
        where = ".".join(part for part in (self.record, self.field) if part)
        prefix = f"{self.path}: {where}: " if where else f"{self.path}: "
        return prefix + self.message


class InfluenceError(Exception):
    """Base class of every error that `influence` raises on purpose."""


class DataError(InfluenceError, ValueError):
    """A codebook or data file is malformed; ``problems`` lists every problem found.

    Examples
    --------
    >>> err = DataError([Problem("a.toml", "x", "y", Reason.invalid_value, "bad")])
    >>> str(err)
    'a.toml: x.y: bad'
    >>> len(err.problems)
    1
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InvalidArgument(InfluenceError, ValueError):
    """A caller passed an argument that the function cannot use."""


class MissingExtra(InfluenceError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module: str, extra: str, feature: str) -> Any:
    """Import an optional module, or raise `MissingExtra` naming the extra.

    Examples
    --------
    >>> require("math", "none", "arithmetic").sqrt(4.0)
    2.0
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        msg = (
            f"{feature} needs {module.split('.')[0]}: pip install 'influence[{extra}]'"
        )
        raise MissingExtra(msg) from err
