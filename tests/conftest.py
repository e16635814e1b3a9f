"""Shared test setup: the hypothesis profiles (see docs/testing.md)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# dev: local runs (the default); quick, random, remembers failures in .hypothesis/.
settings.register_profile("dev", max_examples=50, deadline=None)
# ci: hypothesis's own "ci" profile (derandomised, no deadline, no database), which
# hypothesis loads itself when CI is set; re-registered so that its size is ours.
settings.register_profile("ci", settings.get_profile("ci"), max_examples=100)
# thorough: long manual runs, at least 2,000 examples a property.
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_in_ci = settings.get_current_profile_name() == "ci"
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _in_ci else "dev")
)
