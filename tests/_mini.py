"""The hand-checkable mini codebook and dataset in tests/data/mini, and copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import influence

MINI = Path(__file__).parent / "data" / "mini"
CODEBOOK = MINI / "indicators"
DATA = MINI / "data"
TEXTS = MINI / "texts"


def load_mini() -> influence.Dataset:
    return influence.load(CODEBOOK, DATA)


def copy_mini(tmp_path: Path) -> tuple[Path, Path]:
    """Copy the mini codebook and data under tmp_path; return (codebook, data)."""
    cb, data = tmp_path / "indicators", tmp_path / "data"
    shutil.copytree(CODEBOOK, cb)
    shutil.copytree(DATA, data)
    return cb, data


def mini_with_span(tmp_path: Path, indicator: str, span: str) -> tuple[Path, Path]:
    """Copy the mini data and append a ``[[not_applicable]]`` span to one indicator.

    ``span`` is the body of the table, e.g. ``'until = 2012-01-01\\nreason = "..."'``.
    """
    cb, data = copy_mini(tmp_path)
    with (cb / f"{indicator}.toml").open("a") as f:
        f.write(f"\n[[not_applicable]]\n{span}\n")
    return cb, data
