"""How thorough this run is. `.ci/run` sets HYPOTHESIS_PROFILE=ci: every property test runs its
full count of examples and the slow exhaustive tests their full loops. Without it (the "dev"
profile, for local runs) they run a fifth as many, so that a run stays quick."""

from __future__ import annotations

import os

from hypothesis import settings

NAME = os.environ.get("HYPOTHESIS_PROFILE", "dev")
CI = NAME == "ci"
FULL_EXAMPLES = 100  # Hypothesis' own default: what a test without a count of its own runs
DEV_EXAMPLES = 20

# No deadline in either: tests make no timed assertions (speed is measured in benchmarks/).
settings.register_profile("ci", max_examples=FULL_EXAMPLES, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=DEV_EXAMPLES, deadline=None)


def examples(full: int) -> int:
    """A test's own count of examples: `full` in CI, the same share of the dev profile locally."""
    scaled = full * settings.get_profile(NAME).max_examples // FULL_EXAMPLES
    return max(1, scaled)
