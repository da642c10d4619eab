from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.kinds.version_strings import is_valid_version, version_key


@pytest.mark.parametrize("text", ["0", "1", "2.4", "2.4.0", "10.20.30", "1.0.0"])
def test_valid_versions(text: str) -> None:
    assert is_valid_version(text)


@pytest.mark.parametrize(
    "text", ["", "1.2.3.4", "v1.2", "1.2-beta", "1.01", "01", "1..2", "1.", " 1", "1.2 "]
)
def test_invalid_versions(text: str) -> None:
    assert not is_valid_version(text)
    assert version_key(text) is None


def test_ordering_is_numeric_and_pads_missing_parts() -> None:
    assert version_key("2.10") > version_key("2.9")  # type: ignore[operator]
    assert version_key("2.4") == version_key("2.4.0")
    assert version_key("3") > version_key("2.99.99")  # type: ignore[operator]


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=3))
def test_key_matches_the_parts(parts: list[int]) -> None:
    text = ".".join(map(str, parts))
    assert version_key(text) == tuple(parts + [0] * (3 - len(parts)))


def test_c2_a_huge_or_trailing_newline_version_is_not_valid_and_has_no_key() -> None:
    # A remote versionString of 5000 digits once reached int() and crashed plan.
    for text in ("9" * 5000, "1." + "9" * 10, "1\n", "1.2\n"):
        assert not is_valid_version(text)
        assert version_key(text) is None
    assert version_key("999999999.0.1") == (999_999_999, 0, 1)
