"""The only code that finds and reads input files.

TOML is read with the standard library's `tomllib`: nothing loaded ever runs code.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from influence.errors import DataError, Problem, Reason

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Return the bundled copy of ``indicators`` or ``data``.

    An installed wheel carries them in ``influence/_bundled``; a source checkout
    (including an editable install) has them beside the package.
    """
    inside = _PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def display(path: Path) -> str:
    """Return how a path is shown in messages: relative to the working directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file, turning every failure into a `DataError` naming the file."""
    shown = display(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        problem = Problem(shown, "", "", Reason.missing_file, "file not found")
        raise DataError([problem]) from err
    except OSError as err:
        problem = Problem(shown, "", "", Reason.missing_file, f"cannot read: {err}")
        raise DataError([problem]) from err
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        msg = f"not UTF-8 text ({err.reason} at byte {err.start})"
        raise DataError([Problem(shown, "", "", Reason.toml_syntax, msg)]) from err
    except tomllib.TOMLDecodeError as err:
        problem = Problem(shown, "", "", Reason.toml_syntax, f"invalid TOML: {err}")
        raise DataError([problem]) from err


def toml_files(folder: Path) -> list[Path]:
    """Return the ``*.toml`` files of a folder, sorted by name (never directory order)."""
    return sorted(folder.glob("*.toml"), key=lambda p: p.name)


def read_weights(path: Path) -> dict[str, float]:
    """Read a weights file: ``id = weight`` lines (indicator or dimension ids).

    A ``[weights]`` table is accepted too. Every bad entry is reported at once.
    """
    doc = read_toml(path)
    table = doc.get("weights", doc)
    shown = display(path)
    problems = []
    out: dict[str, float] = {}
    for key, value in sorted(table.items()):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not value >= 0
        ):
            msg = f"a weight must be a number >= 0, got {value!r}"
            problems.append(Problem(shown, key, "weight", Reason.invalid_value, msg))
        else:
            out[key] = float(value)
    if problems:
        raise DataError(problems)
    return out
