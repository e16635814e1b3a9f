"""Render result tables as text, CSV or JSON, byte for byte the same on every run."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMATS = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    """Turn a cell into a JSON value: NaN and NA become null, numpy scalars Python ones."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows as dicts, keys in column order, values JSON-ready."""
    cols = list(df.columns)
    return [
        {c: _plain(v) for c, v in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False)
    ]


def to_json(df: pd.DataFrame) -> str:
    """Return a JSON list of records, one per row, with exactly the frame's columns."""
    return json.dumps(records(df), ensure_ascii=False, indent=2) + "\n"


def to_csv(df: pd.DataFrame) -> str:
    """Return CSV with exactly the frame's columns; floats at full precision."""
    flat = df.copy()
    for col in flat.columns:
        if flat[col].map(lambda v: isinstance(v, tuple | list)).any():
            flat[col] = flat[col].map(
                lambda v: (
                    json.dumps(_plain(v), ensure_ascii=False)
                    if isinstance(v, tuple | list)
                    else v
                )
            )
    buf = io.StringIO()
    flat.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def to_table(df: pd.DataFrame, digits: int = 3) -> str:
    """Return an aligned text table, floats rounded for reading, missing as '-'."""
    shown = df.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(
                lambda v: "-" if pd.isna(v) else f"{v:.{digits}f}"
            )
        else:
            shown[col] = shown[col].map(lambda v: "-" if _plain(v) is None else str(v))
    return shown.to_string(index=False) + "\n"


def render(df: pd.DataFrame, fmt: str) -> str:
    """Render a frame in one of `FORMATS`."""
    if fmt == "csv":
        return to_csv(df)
    if fmt == "json":
        return to_json(df)
    return to_table(df)


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, then a rename."""
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
