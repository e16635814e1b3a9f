"""What `check_scorer` returns: one result per property, printable as a whole."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["PropertyResult", "Report", "describe_inputs"]


def describe_inputs(inputs: Mapping[str, Any]) -> str:
    """Lay out a property's inputs as indented lines, tables included."""
    lines = []
    for key, value in inputs.items():
        if isinstance(value, pd.DataFrame):
            table = value.to_string(na_rep="NaN")
            lines.append(f"{key}:")
            lines.extend(f"  {row}" for row in table.splitlines())
        elif isinstance(value, pd.Series):
            shown = ", ".join(f"{k}={v!r}" for k, v in value.items())
            lines.append(
                f"{key}: {shown}" + (f" (named {value.name!r})" if value.name else "")
            )
        else:
            lines.append(f"{key}: {value!r}")
    return "\n".join(lines)


@dataclass(frozen=True)
class PropertyResult:
    """The outcome of one property: passed, or failed with a shrunk counterexample.

    Attributes
    ----------
    name
        The property's name (see ``influence.testing.scorer_properties``).
    passed
        Whether no counterexample was found.
    statement
        What the property says.
    meaning
        What a failure means, in one sentence.
    message
        Why the counterexample fails (the check's message), or None.
    inputs
        The shrunk counterexample: positions, weights, reference and what the
        check changed (a cell, a factor, an order), or None.
    """

    name: str
    passed: bool
    statement: str
    meaning: str
    message: str | None = None
    inputs: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def counterexample(self) -> str | None:
        """The counterexample laid out as text, or None if the property held."""
        return None if self.inputs is None else describe_inputs(self.inputs)

    def __str__(self) -> str:
        if self.passed:
            return f"PASS {self.name}: {self.statement}"
        lines = [f"FAIL {self.name}: {self.meaning}", f"  why: {self.message}"]
        lines.append("  counterexample:")
        lines.extend(f"    {row}" for row in (self.counterexample or "").splitlines())
        return "\n".join(lines)


@dataclass(frozen=True)
class Report:
    """The results of `check_scorer`, one per property checked.

    ``ok`` says whether all held, ``failed`` names those that did not, and
    ``str(report)`` lays everything out; index it by property name.
    """

    results: tuple[PropertyResult, ...]

    @property
    def ok(self) -> bool:
        """Whether every property checked held."""
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the properties that failed, in the order checked."""
        return tuple(r.name for r in self.results if not r.passed)

    @property
    def passed(self) -> tuple[str, ...]:
        """The names of the properties that held, in the order checked."""
        return tuple(r.name for r in self.results if r.passed)

    def __getitem__(self, name: str) -> PropertyResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def __iter__(self) -> Iterator[PropertyResult]:
        return iter(self.results)

    def __str__(self) -> str:
        n, bad = len(self.results), len(self.failed)
        head = (
            f"All {n} properties hold."
            if not bad
            else f"{bad} of {n} properties fail: {', '.join(self.failed)}."
        )
        return "\n".join([head, *(str(r) for r in self.results)])
