"""Suite-wide: the Hypothesis profile of this run (tests/profiles.py says which and why)."""

from __future__ import annotations

from hypothesis import settings

from tests import profiles

settings.load_profile(profiles.NAME)
