"""Run the benchmark workloads W1-W4; print one JSON line per workload.

Usage: ``python benchmarks/run.py [W1 W2 W3 W4]``. Each workload runs in its own
subprocess with BLAS pinned to one thread (one core), and times its baseline in the
same process, so that both see the same machine state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: Set here, for every workload's process: the user sets nothing.
ONE_CORE = dict.fromkeys(
    (
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "BLIS_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    ),
    "1",
)


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Smallest wall time of ``repeat`` calls (the least disturbed one)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(name: str) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import workloads

    result: dict[str, Any] = getattr(workloads, name.lower())()
    return {"workload": name, **result}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--inside":
        print(json.dumps(run_one(argv[1])), flush=True)
        return 0
    names = argv or ["W1", "W2", "W3", "W4"]
    env = {**os.environ, **ONE_CORE}
    status = 0
    for name in names:
        proc = subprocess.run(
            [sys.executable, __file__, "--inside", name],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            status = 1
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
