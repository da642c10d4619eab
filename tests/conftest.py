"""Suite-wide: the Hypothesis profile of this run (tests/profiles.py says which and why), and
the `slow` tests (builds, fresh virtualenvs, pip installs), which only the thorough CI run
takes: `HYPOTHESIS_PROFILE=ci python -m pytest -m slow` runs them locally."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests import profiles

settings.load_profile(profiles.NAME)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if profiles.CI:
        return
    skip = pytest.mark.skip(reason="slow: runs with HYPOTHESIS_PROFILE=ci, as .ci/run sets")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
