"""Turn pydantic validation errors into `Problem` records that name file, record, field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import pydantic

from influence.errors import Problem, Reason

M = TypeVar("M", bound=pydantic.BaseModel)

_REASONS = {
    "missing": Reason.missing_field,
    "extra_forbidden": Reason.unknown_field,
}


def field_path(loc: Sequence[int | str]) -> str:
    """Render a pydantic location as ``evidence[0].quote``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: Any) -> str:
    kind = error["type"]
    if _is_missing_evidence(error):
        return "an observation needs at least one evidence item (source and quote)"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (misspelt?)"
    text = str(error["msg"])
    text = text.removeprefix("Value error, ")
    return f"{text}. Got {error['input']!r} instead"


def _is_missing_evidence(error: Any) -> bool:
    loc = error["loc"]
    return (
        bool(loc)
        and loc[-1] == "evidence"
        and error["type"] in {"too_short", "missing"}
    )


def problems_from(
    err: pydantic.ValidationError, path: str, record: str
) -> list[Problem]:
    """Translate every error of a `ValidationError` into a `Problem`."""
    found = []
    for error in err.errors():
        reason = _REASONS.get(error["type"], Reason.invalid_value)
        if _is_missing_evidence(error):
            reason = Reason.missing_evidence
        loc = [p for p in error["loc"] if not str(p).startswith("function-")]
        found.append(Problem(path, record, field_path(loc), reason, _message(error)))
    return found


def build(
    model: type[M], raw: Any, path: str, record: str, problems: list[Problem]
) -> M | None:
    """Validate one record; on failure append its problems and return None."""
    if not isinstance(raw, dict):
        msg = f"expected a table, got {type(raw).__name__}"
        problems.append(Problem(path, record, "", Reason.invalid_value, msg))
        return None
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as err:
        problems.extend(problems_from(err, path, record))
        return None


def table_list(
    doc: dict[str, Any], key: str, path: str, problems: list[Problem]
) -> list[Any]:
    """Return ``doc[key]`` as a list of tables (``[[key]]``), reporting other shapes."""
    value = doc.get(key, [])
    if not isinstance(value, list):
        msg = f"expected an array of tables [[{key}]]"
        problems.append(Problem(path, key, "", Reason.invalid_value, msg))
        return []
    return value
