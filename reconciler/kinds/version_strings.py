"""Version strings: parsing and ordering (version states are in `kinds/version_states.py`).

A versionString is 1 to 3 dot-separated non-negative integers without leading zeros
(Apple's rule, FACTS R3), each of at most 9 digits: Apple's are short, and the bound keeps
a hostile 5 000-digit "version" from reaching int(). Ordering is numeric part by part, with
missing parts as 0, so 2.10 > 2.9 and 2.4 orders the same as 2.4.0 (but they are different
strings).
"""

from __future__ import annotations

import re

__all__ = ["VERSION_PATTERN", "is_valid_version", "version_key"]

VERSION_PATTERN = r"^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,2}$"
_VERSION_RE = re.compile(VERSION_PATTERN)


def is_valid_version(text: str) -> bool:
    return bool(_VERSION_RE.fullmatch(text))  # fullmatch: `$` alone would allow "1\n"


def version_key(text: str) -> tuple[int, int, int] | None:
    """The ordering key of a version string, or None when it is not a valid version."""
    if not is_valid_version(text):
        return None
    parts = [int(p) for p in text.split(".")]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])
