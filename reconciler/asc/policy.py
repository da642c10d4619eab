"""Retry and pacing: exponential back-off with jitter, Retry-After, X-Rate-Limit (FACTS §5)."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass

__all__ = [
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "RateLimit",
    "RetryPolicy",
    "parse_rate_limit",
    "parse_retry_after",
]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# ASCII digits only, and few of them: `int()` of a 5,000-digit header is an error, not a limit.
_LIMIT = re.compile(r"user-hour-lim:([0-9]{1,9})(?![0-9])")
_REMAINING = re.compile(r"user-hour-rem:([0-9]{1,9})(?![0-9])")
_SECONDS = re.compile(r"[0-9]{1,9}")
# The longest Retry-After obeyed. Longer (or negative, or unreadable) falls back to back-off:
# a run never sleeps for more than a few minutes on one answer.
MAX_RETRY_AFTER = 180.0


@dataclass(frozen=True)
class RateLimit:
    """The last `X-Rate-Limit` seen: the hourly budget of this API key and what is left of it."""

    limit: int
    remaining: int


def parse_rate_limit(header: str | None) -> RateLimit | None:
    """Parse `user-hour-lim:3500;user-hour-rem:500;`; None when absent or unreadable."""
    if not header:
        return None
    limit, remaining = _LIMIT.search(header), _REMAINING.search(header)
    if limit is None or remaining is None:
        return None
    return RateLimit(int(limit.group(1)), int(remaining.group(1)))


def parse_retry_after(header: str | None, now_unix: float) -> float | None:
    """Seconds to wait from `Retry-After` (delta-seconds or an HTTP date), at most
    MAX_RETRY_AFTER; None when absent, unreadable, negative or longer (use back-off then)."""
    if not header:
        return None
    value = header.strip()
    if _SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is not one
            return None
        seconds = max(0.0, when.timestamp() - now_unix)
    return seconds if seconds <= MAX_RETRY_AFTER else None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry, and how to pace when the hourly budget runs low.

    `max_attempts` counts every try (the first included); `max_total` bounds the time from the
    first try to giving up, waits included. Waits grow as base_delay * 2**(n-1), capped at
    max_delay, each shortened by up to `jitter` (a fraction) so parallel runs spread out. A
    `Retry-After` from Apple replaces the computed wait. Below `low_budget_fraction` of the
    hourly budget, each request is preceded by a pause growing to `low_budget_max_pause` at 0.
    """

    # Apple's 500s and burst 429s pass within a second: retry soon, then back off (waits of
    # 0.25, 0.5, 1, 2, 4 s before jitter, under 8 s in all). The hourly budget is paced apart
    # (low_budget_pause), a real limit says Retry-After, and a longer outage needs a rerun.
    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 60.0
    max_total: float = 300.0
    jitter: float = 0.5
    low_budget_fraction: float = 0.05
    low_budget_max_pause: float = 10.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    @classmethod
    def no_wait(cls, max_attempts: int = 5) -> RetryPolicy:
        """Back-off switched off (tests): retries happen at once; Retry-After is still obeyed."""
        return cls(max_attempts=max_attempts, base_delay=0.0, jitter=0.0, low_budget_max_pause=0.0)

    def backoff(self, attempt: int, random: float) -> float:
        """The wait after failed try number `attempt` (1-based); `random` is in [0, 1)."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return delay * (1.0 - self.jitter * random)

    def low_budget_pause(self, rate: RateLimit | None) -> float:
        """A pause before the next request, proportional to how little budget is left."""
        if rate is None or rate.limit <= 0:
            return 0.0
        threshold = rate.limit * self.low_budget_fraction
        if rate.remaining >= threshold:
            return 0.0
        return self.low_budget_max_pause * (1.0 - rate.remaining / threshold)
