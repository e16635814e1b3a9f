"""An optional progress bar: tqdm when it is installed and stderr is a terminal."""

from __future__ import annotations

import importlib
import sys
from types import TracebackType
from typing import Any


class Progress:
    """Count draws done; shows a tqdm bar if asked (or on a terminal), else nothing."""

    def __init__(self, total: int, enabled: bool | None, what: str) -> None:
        self._bar: Any = None
        show = sys.stderr.isatty() if enabled is None else bool(enabled)
        if not show:
            return
        try:
            tqdm = importlib.import_module("tqdm")
        except ImportError:
            return
        self._bar = tqdm.tqdm(total=total, desc=what, unit="draw", file=sys.stderr)

    def update(self, count: int) -> None:
        """Record ``count`` more draws done."""
        if self._bar is not None:
            self._bar.update(count)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
